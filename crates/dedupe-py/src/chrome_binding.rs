//! The binding of `dedupe_core::chrome`: the chrome detector's body, one call per document.

use dedupe_core::chrome::{self, columns, extent, rules, sections, Family, Page, Repeats};
use dedupe_core::classify::{Named, Row};
use dedupe_core::pagetype::Kind;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::texts::TextsArg;
use crate::{guarded, text_of, Lexicon};

/// What the body reads of chrome.py's families, in `FAMILIES` order: per family its kind's code, whether it
/// is weak, whether it closes the article and whether it is the byline family. Built once, when chrome.py is
/// imported.
#[pyclass(frozen, module = "dedupe._core")]
pub struct ChromeFamilies {
    families: Vec<Family>,
}

#[pymethods]
impl ChromeFamilies {
    #[new]
    fn new(kinds: Vec<u8>, weak: Vec<bool>, closes: Vec<bool>, byline: Vec<bool>) -> PyResult<Self> {
        let n = kinds.len();
        if weak.len() != n || closes.len() != n || byline.len() != n {
            return Err(PyValueError::new_err(format!(
                "{n} kinds, {} weak, {} closing and {} byline flags: give one of each per family",
                weak.len(),
                closes.len(),
                byline.len()
            )));
        }
        let families = (0..n)
            .map(|i| Family {
                kind: kinds[i],
                weak: weak[i],
                closes: closes[i],
                byline: byline[i],
            })
            .collect();
        Ok(ChromeFamilies { families })
    }
}

fn check_blocks(what: &str, blocks: &[usize], n: usize) -> PyResult<()> {
    match blocks.iter().find(|&&k| k >= n) {
        Some(k) => Err(PyValueError::new_err(format!(
            "{what} names block {k}, but the page has {n} blocks"
        ))),
        None => Ok(()),
    }
}

/// Chrome findings for one document (`chrome::find_chrome`), as columns: blocks, kinds' codes, how each was
/// found (rule, outside, context) and the note's code. families: per block the index of the family a rule
/// named, or -1; kind: the page's kind, if read; gone, copies and near: the repeats (None for a page without);
/// shown_template: the page is known to show a site's template (`Page::shown_template`).
#[pyfunction]
#[pyo3(signature = (lexicon, table, texts, sizes, classes, families, kind, whole_page, gone=None, copies=None, near=None,
                    shown_template=false))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn find_chrome(
    py: Python<'_>,
    lexicon: &Bound<'_, Lexicon>,
    table: &Bound<'_, ChromeFamilies>,
    texts: Vec<Bound<'_, PyString>>,
    sizes: Vec<i64>,
    classes: Vec<u8>,
    families: Vec<i64>,
    kind: Option<&str>,
    whole_page: bool,
    gone: Option<Vec<usize>>,
    copies: Option<Vec<(usize, usize)>>,
    near: Option<Vec<(usize, usize)>>,
    shown_template: bool,
) -> PyResult<(Vec<usize>, Vec<u8>, Vec<u8>, Vec<u8>)> {
    let n = texts.len();
    if sizes.len() != n || classes.len() != n || families.len() != n {
        return Err(PyValueError::new_err(format!(
            "{n} texts, {} sizes, {} classes and {} families: give one of each per block",
            sizes.len(),
            classes.len(),
            families.len()
        )));
    }
    let kind = match kind {
        None => None,
        Some(name) => Some(Kind::from_name(name).ok_or_else(|| {
            PyValueError::new_err(format!(
                "{name:?} is no page kind (article, thread, docs, listing, other)"
            ))
        })?),
    };
    let table = &table.get().families;
    let families = families_of(table, &families)?;
    let repeats = match (gone, copies, near) {
        (None, None, None) => None,
        (gone, copies, near) => {
            let (gone, copies, near) = (
                gone.unwrap_or_default(),
                copies.unwrap_or_default(),
                near.unwrap_or_default(),
            );
            check_blocks("gone", &gone, n)?;
            for (what, pairs) in [("copies", &copies), ("near", &near)] {
                let flat: Vec<usize> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
                check_blocks(what, &flat, n)?;
            }
            let mut flags = vec![false; n];
            for k in gone {
                flags[k] = true;
            }
            Some(Repeats {
                gone: flags,
                copies,
                near,
            })
        }
    };
    let views = texts.iter().map(text_of).collect::<PyResult<Vec<_>>>()?;
    let lexicon = &lexicon.get().inner;
    let found = guarded(py, || {
        let texts: Vec<&str> = views.iter().map(|v| v.as_ref()).collect();
        let page = Page {
            texts: &texts,
            sizes: &sizes,
            classes: &classes,
            families: &families,
            kind,
            whole_page,
            shown_template,
            repeats: repeats.as_ref(),
        };
        chrome::find_chrome(lexicon, &page)
    })?;
    Ok((
        found.iter().map(|f| f.block).collect(),
        found.iter().map(|f| f.kind).collect(),
        found.iter().map(|f| f.how).collect(),
        found.iter().map(|f| f.note).collect(),
    ))
}

/// What `chrome_batch` returns: per document its kind and its number of findings as rows, the rows' columns
/// (blocks, kinds, how, notes), and per document its whole page's columns (labels, ints, scores) or None.
type ChromeBatch<'py> = (
    Vec<&'static str>,
    Vec<usize>,
    Vec<usize>,
    Vec<u8>,
    Vec<u8>,
    Vec<u8>,
    Vec<Option<(Bound<'py, PyBytes>, Bound<'py, PyBytes>, Bound<'py, PyBytes>)>>,
);

/// The kinds and chrome findings of a batch's pages that have no repeats (`chrome::detect_page`), in one call.
/// The blocks come end to end as columns: texts, the features `Lexicon.features` gave (sizes, words, stop
/// words, capitalised words, sentence ends, code characters, unspaced), per block the index of the family its
/// phrasing matched (or -1) and its text's hash; per document its number of blocks, whether it is a whole page,
/// whether it is known to show a site's template (`Page::shown_template`) and whether to skip it (a page with
/// repeats, which chrome.py reads block by block). The answer: per document
/// its kind ("" where skipped), then the findings of the extractors' texts end to end as columns (per document
/// their number, blocks, kinds' codes, how, notes' codes; none for a whole page), and per document the findings
/// of a whole page as the columns pass 2 reads (`columns::columns`: its labels' codes as little-endian u16, its
/// integers as i64 and its scores as f64, given `scores`, the score by how a finding was found), else None.
#[pyfunction]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn chrome_batch<'py>(
    py: Python<'py>,
    lexicon: &Bound<'_, Lexicon>,
    table: &Bound<'_, ChromeFamilies>,
    texts: Bound<'_, PyAny>,
    features: (Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>, Vec<bool>, Vec<i64>, Vec<bool>),
    families: Vec<i64>,
    hashes: Vec<u64>,
    counts: Vec<usize>,
    whole_pages: Vec<bool>,
    shown_template: Vec<bool>,
    skip: Vec<bool>,
    scores: Vec<f64>,
) -> PyResult<ChromeBatch<'py>> {
    let (sizes, words, stop, capitalised, terminal, code, unspaced) = features;
    let texts = TextsArg::new(texts)?;
    let n = texts.len();
    let columns = [
        sizes.len(),
        words.len(),
        stop.len(),
        capitalised.len(),
        terminal.len(),
        code.len(),
    ];
    if columns
        .iter()
        .chain([&unspaced.len(), &families.len(), &hashes.len()])
        .any(|&m| m != n)
        || counts.iter().sum::<usize>() != n
        || whole_pages.len() != counts.len()
        || shown_template.len() != counts.len()
        || skip.len() != counts.len()
        || scores.len() != 3
    {
        return Err(PyValueError::new_err(
            "chrome_batch: give one feature of each column, family and hash per block, one count, whole-page \
             flag, template flag and skip flag per document, counts that add up to the blocks, and a score for each of the three \
             ways a finding is found",
        ));
    }
    let families = families_of(&table.get().families, &families)?;
    let rows: Vec<Row> = (0..n)
        .map(|k| Row {
            size: sizes[k],
            words: words[k],
            stop: stop[k],
            capitalised: capitalised[k],
            terminal: terminal[k],
            code: code[k],
            unspaced: unspaced[k],
            named: match families[k] {
                None => Named::No,
                Some(f) if f.weak => Named::Weak,
                Some(_) => Named::Chrome,
            },
        })
        .collect();
    let views = texts.views()?;
    let lexicon = &lexicon.get().inner;
    let done = guarded(py, || {
        let texts: Vec<&str> = views.iter().map(|v| v.as_ref()).collect();
        let mut out = (
            Vec::with_capacity(counts.len()),
            Vec::with_capacity(counts.len()),
            vec![],
            vec![],
            vec![],
            vec![],
            Vec::with_capacity(counts.len()),
        );
        let mut at = 0;
        for (d, &m) in counts.iter().enumerate() {
            let (lo, hi) = (at, at + m);
            at = hi;
            if skip[d] {
                out.0.push("");
                out.1.push(0);
                out.6.push(None);
                continue;
            }
            let (kind, found) = chrome::detect_page(
                lexicon,
                &texts[lo..hi],
                &rows[lo..hi],
                &hashes[lo..hi],
                &families[lo..hi],
                whole_pages[d],
                shown_template[d],
            );
            out.0.push(kind.name());
            if whole_pages[d] {
                out.1.push(0);
                out.6.push(Some(columns::columns(&found, &scores)));
                continue;
            }
            out.1.push(found.len());
            out.6.push(None);
            for f in found {
                out.2.push(f.block);
                out.3.push(f.kind);
                out.4.push(f.how);
                out.5.push(f.note);
            }
        }
        out
    })?;
    let (kinds, counts, blocks, codes, hows, notes, columns) = done;
    let columns = columns
        .into_iter()
        .map(|c| {
            c.map(|c| {
                (
                    PyBytes::new(py, &c.labels.iter().flat_map(|l| l.to_le_bytes()).collect::<Vec<u8>>()),
                    PyBytes::new(py, &c.ints.iter().flat_map(|i| i.to_le_bytes()).collect::<Vec<u8>>()),
                    PyBytes::new(py, &c.scores.iter().flat_map(|f| f.to_le_bytes()).collect::<Vec<u8>>()),
                )
            })
        })
        .collect();
    Ok((kinds, counts, blocks, codes, hows, notes, columns))
}

/// Each block's family from its index in the table (-1: none).
fn families_of(table: &[Family], families: &[i64]) -> PyResult<Vec<Option<Family>>> {
    families
        .iter()
        .map(|&i| match i {
            -1 => Ok(None),
            i => usize::try_from(i)
                .ok()
                .and_then(|i| table.get(i).copied())
                .map(Some)
                .ok_or_else(|| PyValueError::new_err(format!("no family {i}: {} families", table.len()))),
        })
        .collect()
}

/// Which blocks the strongest stretches of weights hold (`extent::article_extent`).
#[pyfunction]
fn article_extent(py: Python<'_>, weights: Vec<f64>) -> PyResult<Vec<bool>> {
    guarded(py, || extent::article_extent(&weights))
}

/// The blocks of runs of teasers (`sections::teaser_runs`), from the blocks' classes, sizes and texts.
#[pyfunction]
fn teaser_runs(
    py: Python<'_>,
    lexicon: &Bound<'_, Lexicon>,
    classes: Vec<u8>,
    sizes: Vec<i64>,
    texts: Vec<Bound<'_, PyString>>,
) -> PyResult<Vec<bool>> {
    if sizes.len() != classes.len() || texts.len() != classes.len() {
        return Err(PyValueError::new_err("give one class, size and text per block"));
    }
    let views = texts.iter().map(text_of).collect::<PyResult<Vec<_>>>()?;
    let lexicon = &lexicon.get().inner;
    guarded(py, || {
        let texts: Vec<&str> = views.iter().map(|v| v.as_ref()).collect();
        sections::teaser_runs(lexicon, &classes, &sizes, &texts)
    })
}

/// The bracketed labels at a heading's start or end (`sections::heading_marks`), sorted.
#[pyfunction]
fn heading_marks(py: Python<'_>, text: Bound<'_, PyString>) -> PyResult<Vec<String>> {
    let text = text_of(&text)?;
    guarded(py, || {
        let mut marks: Vec<String> = sections::heading_marks(&text).into_iter().collect();
        marks.sort();
        marks
    })
}

/// Where the first post of a page of posts ends (`extent::first_post_footer`), from the blocks' classes, sizes
/// and texts.
#[pyfunction]
fn first_post_footer(
    py: Python<'_>,
    classes: Vec<u8>,
    sizes: Vec<i64>,
    texts: Vec<Bound<'_, PyString>>,
) -> PyResult<Option<usize>> {
    if sizes.len() != classes.len() || texts.len() != classes.len() {
        return Err(PyValueError::new_err("give one class, size and text per block"));
    }
    let views = texts.iter().map(text_of).collect::<PyResult<Vec<_>>>()?;
    guarded(py, || {
        let texts: Vec<&str> = views.iter().map(|v| v.as_ref()).collect();
        extent::first_post_footer(&classes, &sizes, &texts)
    })
}

/// Adds the class, the functions and the kinds' names (`CHROME_KINDS`) to `_core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ChromeFamilies>()?;
    m.add_function(wrap_pyfunction!(find_chrome, m)?)?;
    m.add_function(wrap_pyfunction!(chrome_batch, m)?)?;
    m.add_function(wrap_pyfunction!(article_extent, m)?)?;
    m.add_function(wrap_pyfunction!(teaser_runs, m)?)?;
    m.add_function(wrap_pyfunction!(heading_marks, m)?)?;
    m.add_function(wrap_pyfunction!(first_post_footer, m)?)?;
    m.add("CHROME_KINDS", chrome::KINDS.to_vec())?;
    m.add("CLOSE_SHARE", extent::CLOSE_SHARE)?;
    m.add("LOOSE_SHARE", extent::LOOSE_SHARE)?;
    let points: Vec<&str> = rules::POINT_KINDS
        .iter()
        .map(|&k| chrome::KINDS[usize::from(k)])
        .collect();
    m.add("CHROME_POINT_KINDS", points)?;
    Ok(())
}
