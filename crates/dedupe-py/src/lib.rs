//! `dedupe._core`: the Python binding of dedupe-core.
//!
//! Binding code only: each function extracts its inputs, runs the core with the GIL released inside
//! `guarded` (which also turns a panic into `dedupe.errors.CoreError`), and converts the answer back. One
//! call per batch of documents; results come back as plain values or little-endian bytes, never as one
//! Python object per block.

use std::panic::{catch_unwind, AssertUnwindSafe};

use std::borrow::Cow;

use dedupe_core::segment;
use pyo3::prelude::*;
use pyo3::types::PyString;

pyo3::import_exception!(dedupe.errors, CoreError);

/// Runs `work` without the GIL and catches its panic: a bug in the core on one document becomes a
/// `CoreError` for the batch (the pipeline retries file by file and reports the failing file, as it does
/// an unreadable one), never a dead worker.
fn guarded<T: Send>(py: Python<'_>, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    py.detach(|| catch_unwind(AssertUnwindSafe(work))).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        CoreError::new_err(format!("the compiled core failed: {what}"))
    })
}

/// xxh3_64 of bytes (seed 0): the normalized-text hash, bit for bit the `xxhash` package's.
#[pyfunction]
fn text_hash(py: Python<'_>, data: &[u8]) -> PyResult<u64> {
    guarded(py, || dedupe_core::hash::text_hash(data))
}

/// The blocks of a batch of texts (`segment.segment`), flattened: per block its first and last line and its
/// text, and per text its number of blocks.
///
/// A text holding a lone surrogate (JSON input may escape one) is not valid UTF-8: it is segmented with each
/// surrogate read as U+FFFD (neither is white space, a digit or a lower-case letter, and both count one
/// character, so the spans are the same), and its index is returned in the last list so that its blocks'
/// texts can be taken from its own lines.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn segment_batch(
    py: Python<'_>,
    texts: Vec<Bound<'_, PyString>>,
) -> PyResult<(Vec<usize>, Vec<usize>, Vec<String>, Vec<usize>, Vec<usize>)> {
    let mut lossy = Vec::new();
    let views: Vec<Cow<'_, str>> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| match t.to_str() {
            Ok(s) => Ok(Cow::Borrowed(s)),
            Err(_) => {
                lossy.push(i);
                one_char_per_surrogate(t).map(Cow::Owned)
            }
        })
        .collect::<PyResult<_>>()?;
    guarded(py, || {
        let mut firsts = Vec::new();
        let mut lasts = Vec::new();
        let mut blocks = Vec::new();
        let mut counts = Vec::with_capacity(views.len());
        for text in &views {
            let found = segment::segment(text);
            counts.push(found.len());
            for b in found {
                firsts.push(b.first_line);
                lasts.push(b.last_line);
                blocks.push(b.text);
            }
        }
        (firsts, lasts, blocks, counts, lossy)
    })
}

/// A Python string holding lone surrogates as UTF-8, each surrogate one U+FFFD (a character for a character,
/// where `to_string_lossy` would give three).
fn one_char_per_surrogate(text: &Bound<'_, PyString>) -> PyResult<String> {
    let encoded = text.call_method1("encode", ("utf-8", "surrogatepass"))?;
    let mut bytes: &[u8] = encoded.extract()?;
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(rest) => {
                out.push_str(rest);
                return Ok(out);
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push(char::REPLACEMENT_CHARACTER);
                // A surrogate is three bytes (ED A0..BF 80..BF); nothing else in a Python string is invalid.
                bytes = &rest[rest.len().min(3)..];
            }
        }
    }
}

/// Whether a run of stripped lines is one hard-wrapped paragraph (`width`: the document's wrap column, if
/// known).
#[pyfunction]
#[pyo3(signature = (run, width=None))]
fn looks_wrapped(py: Python<'_>, run: Vec<String>, width: Option<usize>) -> PyResult<bool> {
    guarded(py, || {
        let lines: Vec<&str> = run.iter().map(String::as_str).collect();
        segment::looks_wrapped_lines(&lines, width)
    })
}

/// Panics inside the batch boundary with `message`: lets the tests show that a panic in the core becomes a
/// `CoreError` (and, in the pipeline, that file's error) rather than killing the process.
#[pyfunction]
fn _panic_inside_guard(py: Python<'_>, message: String) -> PyResult<()> {
    guarded(py, move || panic!("{message}"))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(text_hash, m)?)?;
    m.add_function(wrap_pyfunction!(segment_batch, m)?)?;
    m.add_function(wrap_pyfunction!(looks_wrapped, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_inside_guard, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
