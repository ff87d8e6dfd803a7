//! Binding of `dedupe_core::recover`: an extractor's text to find a page's blocks in.

use std::borrow::Cow;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use dedupe_core::recover;

use crate::{guarded, text_of};

/// An extractor's text (its lines), ready to find blocks in (`dedupe_core::recover::Seen`).
#[pyclass(frozen, module = "dedupe._core")]
struct Seen {
    inner: recover::Seen,
}

fn texts<'a>(items: &'a [Bound<'_, PyString>]) -> PyResult<Vec<Cow<'a, str>>> {
    items.iter().map(text_of).collect()
}

#[pymethods]
impl Seen {
    #[new]
    fn new(py: Python<'_>, lines: Vec<Bound<'_, PyString>>) -> PyResult<Self> {
        let lines = texts(&lines)?;
        let inner = guarded(py, || recover::Seen::new(&lines))?;
        Ok(Seen { inner })
    }

    /// Whether each block is in the text.
    fn covers(&self, py: Python<'_>, blocks: Vec<Bound<'_, PyString>>) -> PyResult<Vec<bool>> {
        let blocks = texts(&blocks)?;
        guarded(py, || self.inner.covers_all(&blocks))
    }

    /// The line each block ends on, each placed at or after the last placed one's; None when not in the text.
    fn place_run(&self, py: Python<'_>, blocks: Vec<Bound<'_, PyString>>) -> PyResult<Vec<Option<usize>>> {
        let blocks = texts(&blocks)?;
        guarded(py, || self.inner.place_run(&blocks))
    }
}

/// A page's text from its serialisation with marks at its block elements' edges, as UTF-8 bytes
/// (`recover::page_lines`).
#[pyfunction]
fn page_lines(py: Python<'_>, marked: &[u8]) -> PyResult<String> {
    let marked =
        std::str::from_utf8(marked).map_err(|e| PyValueError::new_err(format!("page_lines: not UTF-8 ({e})")))?;
    guarded(py, || recover::page_lines(marked))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Seen>()?;
    m.add_function(wrap_pyfunction!(page_lines, m)?)?;
    Ok(())
}
