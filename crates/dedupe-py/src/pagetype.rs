//! The binding of `dedupe_core::pagetype`: what the page kind reads of a block.

use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::text_of;

/// Whether a block holds a date or a time written in digits (`pagetype::has_stamp`).
#[pyfunction]
fn has_stamp(text: Bound<'_, PyString>) -> PyResult<bool> {
    Ok(dedupe_core::pagetype::has_stamp(&text_of(&text)?))
}

/// Adds the functions to `_core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(has_stamp, m)?)?;
    Ok(())
}
