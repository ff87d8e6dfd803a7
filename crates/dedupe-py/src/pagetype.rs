//! The binding of `dedupe_core::pagetype`: the page kind, and what it reads of a block.

use dedupe_core::pagetype::{self, Kind, PageType};
use dedupe_core::repeats::content;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::classify::row_of;
use crate::{guarded, text_of, Lexicon};

/// The texts of a list of str (a lone surrogate read as U+FFFD, as everywhere in the core).
fn texts_of<'a>(texts: &'a [Bound<'_, PyString>]) -> PyResult<Vec<std::borrow::Cow<'a, str>>> {
    texts.iter().map(text_of).collect()
}

/// f of one block's text, run as every binding runs the core.
fn on_text<T: Send>(py: Python<'_>, text: &Bound<'_, PyString>, f: fn(&str) -> T) -> PyResult<T> {
    let text = text_of(text)?;
    guarded(py, || f(&text))
}

/// A page type as pagetype.py's `PageType` fields: (kind, posts, code, items, prose share).
fn fields(page: PageType) -> (&'static str, usize, usize, usize, f64) {
    (page.kind.name(), page.posts, page.code, page.items, page.prose_share)
}

/// Checks that a page's columns hold one value per block.
fn same_lengths(n: usize, others: &[usize]) -> PyResult<()> {
    match others.iter().find(|&&m| m != n) {
        Some(m) => Err(PyValueError::new_err(format!(
            "{n} texts but a column of {m} values: give one size, prose flag (and named flag) per block"
        ))),
        None => Ok(()),
    }
}

/// Whether a block holds a date or a time written in digits (`pagetype::has_stamp`).
#[pyfunction]
fn has_stamp(py: Python<'_>, text: Bound<'_, PyString>) -> PyResult<bool> {
    on_text(py, &text, pagetype::has_stamp)
}

/// Whether a block reads as code (`pagetype::looks_like_code`).
#[pyfunction]
fn looks_like_code(py: Python<'_>, text: Bound<'_, PyString>) -> PyResult<bool> {
    on_text(py, &text, pagetype::looks_like_code)
}

/// Whether a block is code or quotes code's interpolation (`pagetype::holds_code`).
#[pyfunction]
fn holds_code(py: Python<'_>, text: Bound<'_, PyString>) -> PyResult<bool> {
    on_text(py, &text, pagetype::holds_code)
}

/// A block's text as its copies share it: lower case, numbers as 0 (`pagetype::folded`).
#[pyfunction]
fn folded(py: Python<'_>, text: Bound<'_, PyString>) -> PyResult<String> {
    on_text(py, &text, pagetype::folded)
}

/// Which blocks lie in a run of list items (`pagetype::item_runs`).
#[pyfunction]
fn item_runs(
    py: Python<'_>,
    texts: Vec<Bound<'_, PyString>>,
    sizes: Vec<i64>,
    prose: Vec<bool>,
    named: Vec<bool>,
) -> PyResult<Vec<bool>> {
    runs(py, pagetype::item_runs, &texts, &sizes, &prose, &named)
}

/// Which blocks lie in a grid of cards anchored on a field whose value varies (`pagetype::card_runs`).
#[pyfunction]
fn card_runs(
    py: Python<'_>,
    texts: Vec<Bound<'_, PyString>>,
    sizes: Vec<i64>,
    prose: Vec<bool>,
    named: Vec<bool>,
) -> PyResult<Vec<bool>> {
    runs(py, pagetype::card_runs, &texts, &sizes, &prose, &named)
}

/// A finder of runs of blocks from their texts, sizes, prose and named flags (`item_runs`, `card_runs`).
type RunsOf = fn(&[&str], &[i64], &[bool], &[bool]) -> Vec<bool>;

/// Blocks' runs as `find` reads them from their texts, sizes, prose and named flags.
fn runs(
    py: Python<'_>,
    find: RunsOf,
    texts: &[Bound<'_, PyString>],
    sizes: &[i64],
    prose: &[bool],
    named: &[bool],
) -> PyResult<Vec<bool>> {
    same_lengths(texts.len(), &[sizes.len(), prose.len(), named.len()])?;
    let views = texts_of(texts)?;
    guarded(py, || {
        let views: Vec<&str> = views.iter().map(|v| v.as_ref()).collect();
        find(&views, sizes, prose, named)
    })
}

/// The kind of a whole page from its blocks' texts, sizes and prose flags (`pagetype::page_type`), as
/// (kind, posts, code, items, prose share).
#[pyfunction]
fn page_type(
    py: Python<'_>,
    texts: Vec<Bound<'_, PyString>>,
    sizes: Vec<i64>,
    prose: Vec<bool>,
) -> PyResult<(&'static str, usize, usize, usize, f64)> {
    same_lengths(texts.len(), &[sizes.len(), prose.len()])?;
    let views = texts_of(&texts)?;
    guarded(py, || {
        let views: Vec<&str> = views.iter().map(|v| v.as_ref()).collect();
        fields(pagetype::page_type(&views, &sizes, &prose))
    })
}

/// The kind of page a document's blocks make, from its block rows (`chrome._blocks`) and texts, without the
/// blocks in gone (`pagetype::page_kind`): one call per document.
#[pyfunction]
fn page_kind(
    py: Python<'_>,
    lexicon: &Bound<'_, Lexicon>,
    rows: &Bound<'_, PyList>,
    texts: Vec<Bound<'_, PyString>>,
    gone: Vec<usize>,
) -> PyResult<&'static str> {
    let n = rows.len();
    if texts.len() != n {
        return Err(PyValueError::new_err(format!(
            "{n} block rows and {} texts: give one of each per block",
            texts.len()
        )));
    }
    let rows = rows.iter().map(|r| row_of(&r)).collect::<PyResult<Vec<_>>>()?;
    let views = texts_of(&texts)?;
    let lexicon = &lexicon.get().inner;
    guarded(py, || {
        let mut out = vec![false; n];
        for k in gone {
            if k < n {
                out[k] = true;
            }
        }
        let views: Vec<&str> = views.iter().map(|v| v.as_ref()).collect();
        pagetype::page_kind(lexicon, &rows, &views, &out).kind.name()
    })
}

/// Adds the functions, and the page type's limits (`PAGE_TYPE`, by name) that the detectors share, to `_core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(has_stamp, m)?)?;
    m.add_function(wrap_pyfunction!(looks_like_code, m)?)?;
    m.add_function(wrap_pyfunction!(holds_code, m)?)?;
    m.add_function(wrap_pyfunction!(folded, m)?)?;
    m.add_function(wrap_pyfunction!(item_runs, m)?)?;
    m.add_function(wrap_pyfunction!(card_runs, m)?)?;
    m.add_function(wrap_pyfunction!(page_type, m)?)?;
    m.add_function(wrap_pyfunction!(page_kind, m)?)?;
    let limits = PyDict::new(m.py());
    limits.set_item("STAMP_MAX_WORDS", pagetype::STAMP_MAX_WORDS)?;
    limits.set_item("ITEM_MIN", pagetype::ITEM_MIN)?;
    limits.set_item("ITEM_MAX", pagetype::ITEM_MAX)?;
    m.add("PAGE_TYPE", limits)?;
    // (the kinds whose short items recur by design: `repeats::content::recurring_items`)
    let recurring: Vec<&str> = [Kind::Article, Kind::Thread, Kind::Docs, Kind::Listing, Kind::Other]
        .into_iter()
        .filter(|&k| content::recurring_items(k))
        .map(Kind::name)
        .collect();
    m.add("RECURRING_KINDS", recurring)?;
    Ok(())
}
