//! The repeat detectors' binding (`dedupe-core`'s `repeats`): one call per batch of documents, the blocks as
//! little-endian columns; findings come back only for the documents that have some.

use std::borrow::Cow;

use dedupe_core::pagetype::Kind;
use dedupe_core::repeats::content::{self, Found, Page};
use dedupe_core::repeats::{self, How, Near, RepeatBlocks, RepeatParams};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::texts::TextsArg;
use crate::{from_le, guarded, text_of};

/// A near repeat: block, how (0 containment, 1 jaccard, 2 composite), score, the block it repeats, a
/// composite's parts.
type NearTuple = (usize, u8, f64, usize, Vec<usize>);

/// Exact repeats (block, first occurrence), then near ones.
type Repeats = (Vec<(usize, usize)>, Vec<NearTuple>);

/// (min_repeat_words, min_near_words, near_threshold, containment_threshold, composite_coverage,
/// max_posting, min_other_parts), as `repeats.py` hands them over.
type Params = (i64, i64, f64, f64, f64, usize, f64);

fn params_of(p: Params) -> RepeatParams {
    RepeatParams {
        min_repeat_words: p.0,
        min_near_words: p.1,
        near_threshold: p.2,
        containment_threshold: p.3,
        composite_coverage: p.4,
        max_posting: p.5,
        min_other_parts: p.6,
    }
}

fn usizes(data: &[u8]) -> PyResult<Vec<usize>> {
    Ok(from_le(data, i64::from_le_bytes)?
        .into_iter()
        .map(|v| usize::try_from(v).unwrap_or(0))
        .collect())
}

/// The columns of a batch's blocks, checked: a text, a hash, a word count and a shingle count per block.
struct Columns<'a> {
    texts: Vec<Cow<'a, str>>,
    hashes: Vec<u64>,
    n_words: Vec<i64>,
    shingles: Vec<u64>,
    ends: Vec<usize>,
}

fn columns<'a>(
    texts: &'a TextsArg<'_>,
    hashes: &[u8],
    n_words: &[u8],
    shingles: &[u8],
    counts: &[u8],
) -> PyResult<Columns<'a>> {
    let hashes = from_le(hashes, u64::from_le_bytes)?;
    let n_words = from_le(n_words, i64::from_le_bytes)?;
    let counts = usizes(counts)?;
    let n = texts.len();
    if hashes.len() != n || n_words.len() != n || counts.len() != n {
        return Err(PyValueError::new_err(format!(
            "repeats: {n} texts but {} hashes, {} word counts and {} shingle counts (one of each per block)",
            hashes.len(),
            n_words.len(),
            counts.len()
        )));
    }
    // Only a block without words is compared by its text: the others' are not converted.
    let texts = n_words
        .iter()
        .enumerate()
        .map(|(i, &w)| if w == 0 { texts.view(i) } else { Ok(Cow::Borrowed("")) })
        .collect::<PyResult<Vec<_>>>()?;
    let ends = counts
        .iter()
        .scan(0usize, |at, &c| {
            *at = at.saturating_add(c);
            Some(*at)
        })
        .collect();
    Ok(Columns {
        texts,
        hashes,
        n_words,
        shingles: from_le(shingles, u64::from_le_bytes)?,
        ends,
    })
}

fn near_tuple(f: Near) -> NearTuple {
    let how = match f.how {
        How::Containment => 0,
        How::Jaccard => 1,
        How::Composite => 2,
    };
    (f.block, how, f.score, f.of, f.parts)
}

/// `repeats.find_repeats` for every document of a batch: the blocks' texts, normalized hashes (u64), words
/// (i64) and shingle counts (i64) end to end with every block's distinct sorted shingles (u64), the blocks of
/// each document and whether its text is a whole page's. Per document None (no repeat: the usual page) or its
/// repeats (`Repeats`), block indexes counted within the document.
///
/// `given` (exact repeats, blocks that go for another reason), for a batch of one document: its near repeats
/// alone, sought with those blocks left out and kept nothing (`repeats.near_repeats`).
#[pyfunction]
#[pyo3(signature = (texts, hashes, n_words, shingles, counts, sizes, whole_pages, params, given=None))]
#[allow(clippy::too_many_arguments)]
pub fn find_repeats(
    py: Python<'_>,
    texts: Bound<'_, PyAny>,
    hashes: &[u8],
    n_words: &[u8],
    shingles: &[u8],
    counts: &[u8],
    sizes: Vec<usize>,
    whole_pages: Vec<bool>,
    params: Params,
    given: Option<(Vec<usize>, Vec<usize>)>,
) -> PyResult<Vec<Option<Repeats>>> {
    let texts = TextsArg::new(texts)?;
    let cols = columns(&texts, hashes, n_words, shingles, counts)?;
    if sizes.iter().sum::<usize>() != cols.hashes.len() || whole_pages.len() != sizes.len() {
        return Err(PyValueError::new_err(
            "repeats: the documents' block counts must add up to the blocks, one whole-page flag a document",
        ));
    }
    if given.is_some() && sizes.len() != 1 {
        return Err(PyValueError::new_err(
            "repeats: exact repeats and blocks gone are given for one document",
        ));
    }
    let n = cols.hashes.len();
    let mask = |at: &[usize]| {
        let mut m = vec![false; n];
        for &b in at.iter().filter(|&&b| b < n) {
            m[b] = true;
        }
        m
    };
    let given = given.map(|(exact, gone)| (mask(&exact), mask(&gone)));
    let params = params_of(params);
    guarded(py, move || {
        let mut out = Vec::with_capacity(sizes.len());
        let mut start = 0;
        for (&size, &whole) in sizes.iter().zip(&whole_pages) {
            let end = start + size;
            let from = if start == 0 { 0 } else { cols.ends[start - 1] };
            let ends: Vec<usize> = cols.ends[start..end].iter().map(|e| e - from).collect();
            let blocks = RepeatBlocks {
                texts: &cols.texts[start..end],
                hashes: &cols.hashes[start..end],
                n_words: &cols.n_words[start..end],
                shingles: cols.shingles.get(from.min(cols.shingles.len())..).unwrap_or(&[]),
                ends: &ends,
            };
            let (exact, near) = match &given {
                Some((exact, gone)) => (Vec::new(), repeats::near_repeats(&blocks, exact, gone, &params)),
                None => repeats::find_repeats(&blocks, &params, whole),
            };
            out.push(if exact.is_empty() && near.is_empty() {
                None
            } else {
                Some((exact, near.into_iter().map(near_tuple).collect()))
            });
            start = end;
        }
        out
    })
}

/// Which of a document's repeats still remove their block once content that recurs by design is kept
/// (`repeats::content::keep_content`): its exact repeats (block, first occurrence) and near ones (block, the
/// block it repeats), as `find_repeats` gave them, its blocks' texts, hashes and words, the page's kind and
/// whether its text is a whole page's. One flag per repeat, exact ones first.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn keep_content(
    py: Python<'_>,
    exact: Vec<(usize, usize)>,
    near: Vec<(usize, usize)>,
    texts: Vec<Bound<'_, PyString>>,
    hashes: Vec<u64>,
    n_words: Vec<i64>,
    kind: &str,
    whole_page: bool,
) -> PyResult<Vec<bool>> {
    let n = texts.len();
    if hashes.len() != n || n_words.len() != n {
        return Err(PyValueError::new_err(format!(
            "keep_content: {n} texts but {} hashes and {} word counts (one of each per block)",
            hashes.len(),
            n_words.len()
        )));
    }
    let kind = Kind::from_name(kind).ok_or_else(|| {
        PyValueError::new_err(format!(
            "keep_content: {kind:?} is no page kind (article, thread, docs, listing, other)"
        ))
    })?;
    let found: Vec<Found> = exact
        .iter()
        .map(|&(block, of)| Found { block, of, exact: true })
        .chain(near.iter().map(|&(block, of)| Found {
            block,
            of,
            exact: false,
        }))
        .collect();
    if let Some(f) = found.iter().find(|f| f.block >= n || f.of >= n) {
        return Err(PyValueError::new_err(format!(
            "keep_content: a repeat of block {} names block {}, but the page has {n} blocks",
            f.block, f.of
        )));
    }
    let views = texts.iter().map(text_of).collect::<PyResult<Vec<_>>>()?;
    guarded(py, move || {
        let page = Page {
            texts: &views,
            hashes: &hashes,
            n_words: &n_words,
        };
        content::keep_content(&found, &page, kind, whole_page)
    })
}

/// The blocks that lie in a run of COPIED_RUN consecutive repeated blocks whose keys (per block a hash, or None)
/// occurred in that order earlier: a passage copied in order (`repeats::content::copied_runs`), in order.
#[pyfunction]
pub fn copied_runs(py: Python<'_>, keys: Vec<Option<u64>>, repeated: Vec<usize>) -> PyResult<Vec<usize>> {
    guarded(py, move || {
        let repeated = repeated.into_iter().collect();
        let mut runs: Vec<usize> = content::copied_runs(&keys, &repeated).into_iter().collect();
        runs.sort_unstable();
        runs
    })
}

/// Whether a block is an item of a list or a table row: a marker first (`repeats::content::list_item`).
#[pyfunction]
pub fn list_item(py: Python<'_>, text: Bound<'_, PyString>) -> PyResult<bool> {
    let text = text_of(&text)?;
    guarded(py, || content::list_item(&text))
}

/// Adds the gates' functions and limits (`REPEAT_GATES`, by name, that the Python gates share) to `_core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(find_repeats, m)?)?;
    m.add_function(wrap_pyfunction!(keep_content, m)?)?;
    m.add_function(wrap_pyfunction!(copied_runs, m)?)?;
    m.add_function(wrap_pyfunction!(list_item, m)?)?;
    let limits = pyo3::types::PyDict::new(m.py());
    limits.set_item("LABEL_MAX", content::LABEL_MAX)?;
    limits.set_item("LABEL_TIMES", content::LABEL_TIMES)?;
    limits.set_item("COPIED_RUN", content::COPIED_RUN)?;
    m.add("REPEAT_GATES", limits)?;
    Ok(())
}
