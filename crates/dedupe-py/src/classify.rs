//! The binding of `dedupe_core::classify`: the chrome detector's block classes, one call per document.

use dedupe_core::classify::{self, Named, Row};
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

use crate::{guarded, text_of, Lexicon};

/// A block row of `chrome._blocks` (n_words, size, words, stop, capitalised, terminal, code, unspaced, family):
/// the family is None, or an object whose `weak` says whether it only weighs.
pub(crate) fn row_of(row: &Bound<'_, PyAny>) -> PyResult<Row> {
    let row = row.cast::<PyTuple>()?;
    if row.len() != 9 {
        return Err(PyValueError::new_err(format!(
            "a block row has 9 fields (chrome._blocks), not {}",
            row.len()
        )));
    }
    let family = row.get_item(8)?;
    let named = if family.is_none() {
        Named::No
    } else if family.getattr(intern!(row.py(), "weak"))?.is_truthy()? {
        Named::Weak
    } else {
        Named::Chrome
    };
    Ok(Row {
        size: row.get_item(1)?.extract()?,
        words: row.get_item(2)?.extract()?,
        stop: row.get_item(3)?.extract()?,
        capitalised: row.get_item(4)?.extract()?,
        terminal: row.get_item(5)?.is_truthy()?,
        code: row.get_item(6)?.extract()?,
        unspaced: row.get_item(7)?.is_truthy()?,
        named,
    })
}

/// The classes of a document's blocks (`Lexicon::classes`), from its block rows and texts. kept: the blocks to
/// class, in order (all when None), whose words all count in the stop-word test; hashes: per block of rows its
/// text's hash, when each distinct text counts once in that test (a headline pasted twice does not tip it).
#[pyfunction]
#[pyo3(signature = (lexicon, rows, texts, kept=None, hashes=None))]
fn block_classes(
    py: Python<'_>,
    lexicon: &Bound<'_, Lexicon>,
    rows: &Bound<'_, PyList>,
    texts: &Bound<'_, PyList>,
    kept: Option<Vec<usize>>,
    hashes: Option<Vec<u64>>,
) -> PyResult<Vec<u32>> {
    let n = rows.len();
    if texts.len() != n || hashes.as_ref().is_some_and(|h| h.len() != n) {
        return Err(PyValueError::new_err(format!(
            "{n} block rows, {} texts and {} hashes: give one of each per block",
            texts.len(),
            hashes.as_ref().map_or(n, Vec::len)
        )));
    }
    let order: Vec<usize> = kept.unwrap_or_else(|| (0..n).collect());
    if let Some(&k) = order.iter().find(|&&k| k >= n) {
        return Err(PyValueError::new_err(format!(
            "kept block {k} is not one of the {n} blocks"
        )));
    }
    let rows = order
        .iter()
        .map(|&k| row_of(&rows.get_item(k)?))
        .collect::<PyResult<Vec<_>>>()?;
    let texts = order
        .iter()
        .map(|&k| Ok(texts.get_item(k)?.cast_into::<PyString>()?))
        .collect::<PyResult<Vec<_>>>()?;
    let views = texts.iter().map(text_of).collect::<PyResult<Vec<_>>>()?;
    let lexicon = &lexicon.get().inner;
    let classes = guarded(py, || {
        // (each text counted at its first copy; a set of the hashes seen)
        let counted: Option<Vec<bool>> = hashes.map(|hashes| {
            let mut seen = std::collections::HashSet::with_capacity(order.len());
            order.iter().map(|&k| seen.insert(hashes[k])).collect()
        });
        let views: Vec<&str> = views.iter().map(|v| v.as_ref()).collect();
        lexicon.classes(&rows, &views, counted.as_deref())
    })?;
    Ok(classes.into_iter().map(u32::from).collect())
}

/// Whether a line is a bar of short links (`Lexicon::link_bar`); unspaced_page: the page is written without
/// spaces.
#[pyfunction]
fn link_bar(
    py: Python<'_>,
    lexicon: &Bound<'_, Lexicon>,
    text: Bound<'_, PyString>,
    unspaced_page: bool,
) -> PyResult<bool> {
    let text = text_of(&text)?;
    let lexicon = &lexicon.get().inner;
    guarded(py, || lexicon.link_bar(&text, unspaced_page))
}

/// Whether a text ends a sentence (`Lexicon::ends_sentence`).
#[pyfunction]
fn ends_sentence(py: Python<'_>, lexicon: &Bound<'_, Lexicon>, text: Bound<'_, PyString>) -> PyResult<bool> {
    let text = text_of(&text)?;
    let lexicon = &lexicon.get().inner;
    guarded(py, || lexicon.ends_sentence(&text))
}

/// Per text whether it ends a sentence (`Lexicon::ends_sentence`): a batch's blocks in one call (pass 1's
/// signing bodies read it of thousands of blocks a batch, where a call a block cost more than the reading).
#[pyfunction]
fn ends_sentences(
    py: Python<'_>,
    lexicon: &Bound<'_, Lexicon>,
    texts: Vec<Bound<'_, PyString>>,
) -> PyResult<Vec<bool>> {
    let texts = texts.iter().map(text_of).collect::<PyResult<Vec<_>>>()?;
    let lexicon = &lexicon.get().inner;
    guarded(py, || texts.iter().map(|text| lexicon.ends_sentence(text)).collect())
}

/// The class of one block no rule names, from its features (`classify::classify`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn classify_block(
    py: Python<'_>,
    size: i64,
    words: i64,
    stop: i64,
    capitalised: i64,
    terminal: bool,
    code: i64,
    unspaced: bool,
    english: bool,
) -> PyResult<u32> {
    let row = Row {
        size,
        words,
        stop,
        capitalised,
        terminal,
        code,
        unspaced,
        named: Named::No,
    };
    guarded(py, || u32::from(classify::classify(&row, english)))
}

/// Adds the functions and the classes' numbers (GOOD, NEAR, SHORT, BAD, CHROME, WEAK, ITEM, CODE) to `_core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(block_classes, m)?)?;
    m.add_function(wrap_pyfunction!(link_bar, m)?)?;
    m.add_function(wrap_pyfunction!(ends_sentence, m)?)?;
    m.add_function(wrap_pyfunction!(ends_sentences, m)?)?;
    m.add_function(wrap_pyfunction!(classify_block, m)?)?;
    use classify::{BAD, CHROME, CODE, GOOD, ITEM, NEAR, SHORT, WEAK};
    m.add("BLOCK_CLASSES", (GOOD, NEAR, SHORT, BAD, CHROME, WEAK, ITEM, CODE))?;
    m.add("GOOD_MIN", classify::GOOD_MIN)?;
    Ok(())
}
