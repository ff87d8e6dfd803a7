//! `dedupe._core`: the Python binding of dedupe-core.
//!
//! Binding code only: each function extracts its inputs, runs the core with the GIL released inside
//! `guarded` (which also turns a panic into `dedupe.errors.CoreError`), and converts the answer back. One
//! call per batch of documents; results come back as plain values or little-endian bytes, never as one
//! Python object per block.

use std::panic::{catch_unwind, AssertUnwindSafe};

mod chrome_binding;
mod classify;
mod pagetype;
mod recover_binding;
mod repeat_binding;
mod texts;

use std::borrow::Cow;
use std::collections::HashMap;

use dedupe_core::decide::{decide_and_finish, Finding, Findings, Page, Target, Verdict};
use dedupe_core::finish::{Claim, Doc, Finished, Ref, Score, Tally};
use dedupe_core::plain::PlainDoc;
use dedupe_core::{features, group, keys, minhash, page, repeats, segment, sign};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyInt, PyString};

use texts::{Texts, TextsArg};

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

/// A brotli body (`Content-Encoding: br`) decoded (`bodies::unbrotli`): its bytes, or None when it is more than
/// `limit` bytes once decoded; ValueError when it is not brotli data or is cut short.
#[pyfunction]
fn unbrotli<'py>(py: Python<'py>, data: &[u8], limit: usize) -> PyResult<Option<Bound<'py, PyBytes>>> {
    match guarded(py, || dedupe_core::bodies::unbrotli(data, limit))? {
        Ok(body) => Ok(Some(PyBytes::new(py, &body))),
        Err(dedupe_core::bodies::Undecoded::TooLarge) => Ok(None),
        Err(dedupe_core::bodies::Undecoded::Invalid) => Err(PyValueError::new_err("not brotli data")),
    }
}

/// The bytes of a batch of files (`files::read_files`), or None for each file the caller must read itself: the
/// paths relative to `base`, each ended by a NUL (`files::paths_in`).
#[pyfunction]
fn read_files<'py>(
    py: Python<'py>,
    base: std::path::PathBuf,
    names: &[u8],
    max_size: u64,
    budget: u64,
    hold: usize,
) -> PyResult<Vec<Option<Bound<'py, PyBytes>>>> {
    let read = guarded(py, || {
        dedupe_core::files::read_files(&dedupe_core::files::paths_in(&base, names), max_size, budget, hold)
    })?;
    Ok(read
        .into_iter()
        .map(|data| data.map(|d| PyBytes::new(py, &d)))
        .collect())
}

/// Each file's (size, modification time in ns) as little-endian i64 pairs, (-1, -1) where `os.stat` would fail
/// (`resume.fingerprint`, `files::stat_files`): the paths relative to `base`, each ended by a NUL.
#[pyfunction]
fn stat_files<'py>(py: Python<'py>, base: std::path::PathBuf, names: &[u8]) -> PyResult<Bound<'py, PyByteArray>> {
    let stats = guarded(py, || dedupe_core::files::stat_files(&base, names))?;
    let flat: Vec<i64> = stats.into_iter().flat_map(|(size, time)| [size, time]).collect();
    le_bytes(py, &flat, i64::to_le_bytes)
}

/// The blocks of a batch of texts (`segment.segment`), flattened: per block its first and last line and its
/// text (all of them one `Texts`), and per text its number of blocks.
///
/// A text holding a lone surrogate (JSON input may escape one) is not valid UTF-8: it is segmented with each
/// surrogate read as U+FFFD (neither is white space, a digit or a lower-case letter, and both count one
/// character, so the spans are the same), and its index is returned in the last list so that its blocks'
/// texts can be taken from its own lines.
///
/// A text may also come as its UTF-8 bytes (a file that held exactly those): read as they are, not encoded
/// again from a Python string (bytes that are not UTF-8 are refused). Last, per text its number of lines as
/// `pipeline._line_count` counts them (a last line without its line break counts).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn segment_batch(
    py: Python<'_>,
    texts: Vec<Bound<'_, PyAny>>,
) -> PyResult<(Vec<usize>, Vec<usize>, Texts, Vec<usize>, Vec<usize>, Vec<usize>)> {
    let mut lossy = Vec::new();
    let mut views = Vec::with_capacity(texts.len());
    for (i, t) in texts.iter().enumerate() {
        let view = if let Ok(data) = t.cast::<PyBytes>() {
            Cow::Borrowed(
                std::str::from_utf8(data.as_bytes())
                    .map_err(|e| PyValueError::new_err(format!("segment_batch: text {i} is not UTF-8 ({e})")))?,
            )
        } else {
            text_of(t.cast::<PyString>()?)?
        };
        if matches!(view, Cow::Owned(_)) {
            lossy.push(i);
        }
        views.push(view);
    }
    guarded(py, || {
        let mut buffer = String::with_capacity(views.iter().map(|t| t.len()).sum());
        let mut spans = Vec::new();
        let mut counts = Vec::with_capacity(views.len());
        for text in &views {
            let before = spans.len();
            segment::segment_into(text, &mut buffer, &mut spans);
            counts.push(spans.len() - before);
        }
        let firsts = spans.iter().map(|s| s.0).collect();
        let lasts = spans.iter().map(|s| s.1).collect();
        let bounds = std::iter::once(0).chain(spans.iter().map(|s| s.2)).collect();
        let lines = views.iter().map(|t| segment::line_count(t)).collect();
        (firsts, lasts, Texts::new(buffer, bounds), counts, lossy, lines)
    })
}

/// A Python string as UTF-8: borrowed, or (when it holds lone surrogates) a copy with each one U+FFFD.
pub(crate) fn text_of<'a>(text: &'a Bound<'_, PyString>) -> PyResult<Cow<'a, str>> {
    match text.to_str() {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(_) => one_char_per_surrogate(text).map(Cow::Owned),
    }
}

/// Little-endian bytes of integers, as a `bytearray` (numpy wraps it, writable, without another copy), written
/// straight into the `bytearray`'s buffer (no vector of bytes first: copying the signing's columns twice
/// showed in profiles).
fn le_bytes<'py, T: Copy, const N: usize>(
    py: Python<'py>,
    values: &[T],
    to: impl Fn(T) -> [u8; N],
) -> PyResult<Bound<'py, PyByteArray>> {
    PyByteArray::new_with(py, values.len() * N, |buf| {
        for (chunk, &v) in buf.chunks_exact_mut(N).zip(values) {
            chunk.copy_from_slice(&to(v));
        }
        Ok(())
    })
}

/// Integers from little-endian bytes of 8-byte values (a numpy array's `tobytes()`).
fn from_le<T>(data: &[u8], from: impl Fn([u8; 8]) -> T) -> PyResult<Vec<T>> {
    if data.len() % 8 != 0 {
        return Err(PyValueError::new_err(format!(
            "expected 8-byte integers, got {} bytes (not a multiple of 8)",
            data.len()
        )));
    }
    Ok(data
        .chunks_exact(8)
        .map(|c| from(c.try_into().unwrap_or_default()))
        .collect())
}

/// Signs blocks (`sign.sign_texts`; the texts a `Texts` or a list of str): the normalized texts (a `Texts`);
/// then, as little-endian bytes, the words per block (i64), every word's hash (u64), the blocks' distinct
/// sorted k-word shingles (u64) and their bounds (i64, one more than blocks), and each block's normalized hash
/// (u64).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn sign_blocks<'py>(
    py: Python<'py>,
    texts: Bound<'py, PyAny>,
    k: usize,
) -> PyResult<(
    Texts,
    Bound<'py, PyByteArray>,
    Bound<'py, PyByteArray>,
    Bound<'py, PyByteArray>,
    Bound<'py, PyByteArray>,
    Bound<'py, PyByteArray>,
)> {
    let texts = TextsArg::new(texts)?;
    let views = texts.views()?;
    let mut signed = guarded(py, || sign::sign_blocks(&views, k))?;
    let norms = Texts::new(
        std::mem::take(&mut signed.norms),
        std::mem::take(&mut signed.norm_bounds),
    );
    let lengths: Vec<i64> = signed.lengths.iter().map(|&n| n as i64).collect();
    let bounds: Vec<i64> = signed.shingle_bounds.iter().map(|&n| n as i64).collect();
    Ok((
        norms,
        le_bytes(py, &lengths, i64::to_le_bytes)?,
        le_bytes(py, &signed.tokens, u64::to_le_bytes)?,
        le_bytes(py, &signed.shingles, u64::to_le_bytes)?,
        le_bytes(py, &bounds, i64::to_le_bytes)?,
        le_bytes(py, &signed.hashes, u64::to_le_bytes)?,
    ))
}

/// The normalized text (`sign.normalize`): casefolded words joined by single spaces.
#[pyfunction]
fn normalize(py: Python<'_>, text: Bound<'_, PyString>) -> PyResult<String> {
    let view = text_of(&text)?;
    guarded(py, || sign::normalize(&view))
}

/// The hash of every word of a normalized text, as little-endian u64 bytes.
#[pyfunction]
fn token_hashes<'py>(py: Python<'py>, text: Bound<'py, PyString>) -> PyResult<Bound<'py, PyByteArray>> {
    let view = text_of(&text)?;
    let th = guarded(py, || {
        let mut th = Vec::new();
        sign::token_hashes_into(&view, &mut th);
        th
    })?;
    le_bytes(py, &th, u64::to_le_bytes)
}

/// The k-word shingle hashes of word hashes (little-endian u64 bytes in and out).
#[pyfunction]
fn combine<'py>(py: Python<'py>, th: &[u8], k: usize) -> PyResult<Bound<'py, PyByteArray>> {
    let th = from_le(th, u64::from_le_bytes)?;
    let out = guarded(py, || {
        let mut out = Vec::new();
        sign::combine_into(&th, k, &mut out);
        out
    })?;
    le_bytes(py, &out, u64::to_le_bytes)
}

/// The k-word shingles of groups of consecutive word hashes and the group of each (`sign._windows`): word
/// hashes (u64), group starts and lengths (i64) as little-endian bytes in; hashes (u64) and owners (i64) out.
#[pyfunction]
fn windows<'py>(
    py: Python<'py>,
    th: &[u8],
    starts: &[u8],
    lengths: &[u8],
    k: usize,
) -> PyResult<(Bound<'py, PyByteArray>, Bound<'py, PyByteArray>)> {
    let th = from_le(th, u64::from_le_bytes)?;
    let starts = from_le(starts, i64::from_le_bytes)?;
    let lengths = from_le(lengths, i64::from_le_bytes)?;
    let groups: Vec<(usize, usize)> = starts
        .iter()
        .zip(&lengths)
        .map(|(&s, &n)| {
            (
                usize::try_from(s).unwrap_or(usize::MAX),
                usize::try_from(n).unwrap_or(0),
            )
        })
        .collect();
    if starts.len() != lengths.len()
        || groups
            .iter()
            .any(|&(s, n)| s.checked_add(n).is_none_or(|e| e > th.len()))
    {
        return Err(PyValueError::new_err(
            "a group of words lies outside the word hashes given",
        ));
    }
    let (hashes, owner) = guarded(py, || {
        let (s, n): (Vec<usize>, Vec<usize>) = groups.into_iter().unzip();
        sign::windows(&th, &s, &n, k)
    })?;
    let owner: Vec<i64> = owner.iter().map(|&g| g as i64).collect();
    Ok((
        le_bytes(py, &hashes, u64::to_le_bytes)?,
        le_bytes(py, &owner, i64::to_le_bytes)?,
    ))
}

/// MinHash signatures of groups of consecutive word hashes (`sign.doc_signatures`, the block keys' bands):
/// word hashes (u64) and words per group (i64) as little-endian bytes, k, and the permutations `a`, `b`
/// (u32). Returns the signatures row by row (u32) and each group's distinct base hashes (i64).
#[pyfunction]
fn minhash_groups<'py>(
    py: Python<'py>,
    th: &[u8],
    sizes: &[u8],
    k: usize,
    a: &[u8],
    b: &[u8],
) -> PyResult<(Bound<'py, PyByteArray>, Bound<'py, PyByteArray>)> {
    let th = from_le(th, u64::from_le_bytes)?;
    let sizes = counts_of(sizes)?;
    let (a, b) = (u32s(a), u32s(b));
    if a.len() != b.len() || sizes.iter().sum::<usize>() != th.len() {
        return Err(PyValueError::new_err(
            "the groups' sizes must add up to the word hashes given, and a and b agree",
        ));
    }
    let (sigs, counts) = guarded(py, || minhash::minhash_groups(&th, &sizes, k, &a, &b))?;
    let counts: Vec<i64> = counts.iter().map(|&n| n as i64).collect();
    Ok((
        le_bytes(py, &sigs, u32::to_le_bytes)?,
        le_bytes(py, &counts, i64::to_le_bytes)?,
    ))
}

/// Counts (i64, a negative one read as 0) from little-endian bytes.
fn counts_of(data: &[u8]) -> PyResult<Vec<usize>> {
    Ok(from_le(data, i64::from_le_bytes)?
        .into_iter()
        .map(|n| usize::try_from(n).unwrap_or(0))
        .collect())
}

/// u32 values from little-endian bytes (a trailing partial value is ignored).
fn u32s(data: &[u8]) -> Vec<u32> {
    data.chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap_or_default()))
        .collect()
}

/// The MinHash signature of 32-bit base hashes (`MinHasher.signature`): base hashes and the permutations
/// `a`, `b` as little-endian u32 bytes in, the signature (u32) out.
#[pyfunction]
fn minhash_signature<'py>(py: Python<'py>, base: &[u8], a: &[u8], b: &[u8]) -> PyResult<Bound<'py, PyByteArray>> {
    let (base, a, b) = (u32s(base), u32s(a), u32s(b));
    let sig = guarded(py, || minhash::signature(&base, &a, &b))?;
    le_bytes(py, &sig, u32::to_le_bytes)
}

/// The keys under which the short blocks of each document of a batch are counted across the corpus
/// (`sign.block_keys`): per block its normalized text, and as little-endian bytes its hash (u64), its words
/// (i64), every word's hash (u64), blocks per document (i64); the permutations (u32) and the settings.
/// Returns keys (u64), their blocks' indices in their documents (i32), kinds (u8) and per-document bounds (i64).
#[pyfunction]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn block_keys<'py>(
    py: Python<'py>,
    norms: Bound<'py, PyAny>,
    hashes: &[u8],
    lengths: &[u8],
    tokens: &[u8],
    per_doc: &[u8],
    a: &[u8],
    b: &[u8],
    rows: usize,
    min_band_words: usize,
    max_words: usize,
) -> PyResult<(
    Bound<'py, PyByteArray>,
    Bound<'py, PyByteArray>,
    Bound<'py, PyByteArray>,
    Bound<'py, PyByteArray>,
)> {
    let norms = TextsArg::new(norms)?;
    let views = norms.views()?;
    let hashes = from_le(hashes, u64::from_le_bytes)?;
    let (lengths, per_doc) = (counts_of(lengths)?, counts_of(per_doc)?);
    let tokens = from_le(tokens, u64::from_le_bytes)?;
    let (a, b) = (u32s(a), u32s(b));
    if views.len() != hashes.len()
        || views.len() != lengths.len()
        || per_doc.iter().sum::<usize>() != views.len()
        || lengths.iter().sum::<usize>() != tokens.len()
        || a.len() != b.len()
    {
        return Err(PyValueError::new_err(
            "block_keys: the blocks' texts, hashes, words and documents disagree",
        ));
    }
    let out = guarded(py, || {
        let blocks = keys::Blocks {
            norms: &views,
            hashes: &hashes,
            lengths: &lengths,
            tokens: &tokens,
            per_doc: &per_doc,
        };
        keys::block_keys(
            &blocks,
            &keys::KeyParams {
                rows,
                min_band_words,
                max_words,
                a: &a,
                b: &b,
            },
        )
    })?;
    let bounds: Vec<i64> = out.bounds.iter().map(|&n| n as i64).collect();
    Ok((
        le_bytes(py, &out.keys, u64::to_le_bytes)?,
        le_bytes(py, &out.owner, i32::to_le_bytes)?,
        PyByteArray::new(py, &out.kind),
        le_bytes(py, &bounds, i64::to_le_bytes)?,
    ))
}

/// One key per band of `rows` consecutive values of each signature (`sign.band_keys`): `n` signatures of
/// `p` values (little-endian u32 bytes) in, `n * (p / rows)` keys (u64) out, row by row.
#[pyfunction]
fn band_keys<'py>(py: Python<'py>, sigs: &[u8], n: usize, p: usize, rows: usize) -> PyResult<Bound<'py, PyByteArray>> {
    let sigs = u32s(sigs);
    if rows == 0 || n.checked_mul(p) != Some(sigs.len()) {
        return Err(PyValueError::new_err(
            "band_keys: rows must be positive and the signatures n x p values",
        ));
    }
    let bands = p / rows;
    let keys = guarded(py, || {
        let mut keys = Vec::with_capacity(n * bands);
        for sig in sigs.chunks_exact(p.max(1)).take(n) {
            keys_of_signature(sig, bands, rows, &mut keys);
        }
        keys
    })?;
    le_bytes(py, &keys, u64::to_le_bytes)
}

/// The corpus step's candidate pairs (`corpus.candidate_pairs`, `group::candidate_pairs`): `n` signatures of
/// `p` values (little-endian u32 bytes) and the documents to group (u32, ascending) in, the distinct pairs
/// packed as `low << 32 | high` (u64) out, sorted.
#[pyfunction]
fn candidate_pairs<'py>(
    py: Python<'py>,
    sigs: &[u8],
    n: usize,
    p: usize,
    rows: usize,
    valid: &[u8],
) -> PyResult<Bound<'py, PyByteArray>> {
    let (sigs, valid) = (u32s(sigs), u32s(valid));
    if rows == 0 || n.checked_mul(p) != Some(sigs.len()) || valid.iter().any(|&d| d as usize >= n) {
        return Err(PyValueError::new_err(
            "candidate_pairs: rows must be positive, the signatures n x p values and the documents below n",
        ));
    }
    let pairs = guarded(py, || group::candidate_pairs(&sigs, p, rows, &valid))?;
    le_bytes(py, &pairs, u64::to_le_bytes)
}

/// Block keys counted per cluster (`corpus.count_source_keys`, `group::count_keys`): keys (u64) and their
/// rows' cluster representatives (u32) in, each distinct key (u64), its count of representatives (u32) and
/// its first row (u32) out.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn count_keys<'py>(
    py: Python<'py>,
    keys: &[u8],
    reps: &[u8],
) -> PyResult<(
    Bound<'py, PyByteArray>,
    Bound<'py, PyByteArray>,
    Bound<'py, PyByteArray>,
)> {
    let (keys, reps) = (from_le(keys, u64::from_le_bytes)?, u32s(reps));
    if keys.len() != reps.len() || keys.len() > u32::MAX as usize {
        return Err(PyValueError::new_err(
            "count_keys: one representative a key, fewer than 2**32 keys",
        ));
    }
    let out = guarded(py, || group::count_keys(&keys, &reps))?;
    Ok((
        le_bytes(py, &out.keys, u64::to_le_bytes)?,
        le_bytes(py, &out.clusters, u32::to_le_bytes)?,
        le_bytes(py, &out.first_row, u32::to_le_bytes)?,
    ))
}

/// Whether bytes are UTF-8 (`report.html._page_rows`, `page::is_utf8`).
#[pyfunction]
fn is_utf8(py: Python<'_>, data: &[u8]) -> PyResult<bool> {
    guarded(py, || page::is_utf8(data))
}

/// The band keys of one signature: its first `bands * rows` values.
fn keys_of_signature(sig: &[u32], bands: usize, rows: usize, out: &mut Vec<u64>) {
    keys::band_keys_into(&sig[..bands * rows], rows, out);
}

/// The hash of one word (its UTF-8 bytes), as `token_hashes` gives it.
#[pyfunction]
fn word_hash(data: &[u8]) -> u64 {
    sign::word_hash(data)
}

/// The hash `combine` gives a shingle, from its text (words separated by single spaces).
#[pyfunction]
fn shingle_hash(data: &[u8]) -> u64 {
    sign::shingle_hash(data)
}

/// A Python string holding lone surrogates as UTF-8, each surrogate one U+FFFD (a character for a character,
/// where `to_string_lossy` would give three).
fn one_char_per_surrogate(text: &Bound<'_, PyString>) -> PyResult<String> {
    let encoded = text.call_method1("encode", ("utf-8", "surrogatepass"))?;
    let bytes: &[u8] = encoded.extract()?;
    Ok(dedupe_core::chars::one_char_per_surrogate(bytes).into_owned())
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

/// A Python string's UTF-8 bytes, a lone surrogate as `surrogatepass` writes it (so that it comes back).
fn bytes_of<'a>(text: &'a Bound<'_, PyString>) -> PyResult<Cow<'a, [u8]>> {
    match text.to_str() {
        Ok(s) => Ok(Cow::Borrowed(s.as_bytes())),
        Err(_) => Ok(Cow::Owned(
            text.call_method1("encode", ("utf-8", "surrogatepass"))?.extract()?,
        )),
    }
}

/// Removals (or allowed blocks) as columns: first and last lines, categories, detectors, scores, what each
/// duplicates (file, its quoted name, first, last, run) or None, block hashes (None: the key of the claim's
/// own text, as a whole document has), allow-list entries or None.
type Claims<'py> = (
    Vec<usize>,
    Vec<usize>,
    Vec<Bound<'py, PyString>>,
    Vec<Bound<'py, PyString>>,
    Vec<Bound<'py, PyAny>>,
    Vec<
        Option<(
            Bound<'py, PyString>,
            Bound<'py, PyString>,
            i64,
            i64,
            Bound<'py, PyString>,
        )>,
    >,
    Vec<Option<u64>>,
    Vec<Option<Bound<'py, PyString>>>,
);

/// The strings of some claims as bytes, and their scores, held while the core reads them.
struct Held<'a> {
    cats: Vec<Cow<'a, [u8]>>,
    dets: Vec<Cow<'a, [u8]>>,
    scores: Vec<Score>,
    refs: Vec<Option<[Cow<'a, [u8]>; 3]>>,
    entries: Vec<Option<Cow<'a, [u8]>>>,
}

fn hold<'a>(c: &'a Claims<'_>) -> PyResult<Held<'a>> {
    let n = c.0.len();
    if [
        c.1.len(),
        c.2.len(),
        c.3.len(),
        c.4.len(),
        c.5.len(),
        c.6.len(),
        c.7.len(),
    ]
    .iter()
    .any(|&m| m != n)
    {
        return Err(PyValueError::new_err(
            "claims: every column must have one value per claim",
        ));
    }
    let score = |s: &Bound<'_, PyAny>| -> PyResult<Score> {
        // An int (or a bool) is written as an int, as json writes round(int, 4); anything else as a float.
        if s.is_instance_of::<PyInt>() || s.is_instance_of::<PyBool>() {
            Ok(Score::Int(s.extract()?))
        } else {
            Ok(Score::Float(s.extract()?))
        }
    };
    Ok(Held {
        cats: c.2.iter().map(bytes_of).collect::<PyResult<_>>()?,
        dets: c.3.iter().map(bytes_of).collect::<PyResult<_>>()?,
        scores: c.4.iter().map(score).collect::<PyResult<_>>()?,
        refs: c
            .5
            .iter()
            .map(|r| {
                r.as_ref()
                    .map(|(f, q, _, _, run)| Ok([bytes_of(f)?, bytes_of(q)?, bytes_of(run)?]))
                    .transpose()
            })
            .collect::<PyResult<_>>()?,
        entries: c
            .7
            .iter()
            .map(|e| e.as_ref().map(bytes_of).transpose())
            .collect::<PyResult<_>>()?,
    })
}

fn claims<'a>(c: &Claims<'_>, h: &'a Held<'a>) -> Vec<Claim<'a>> {
    (0..c.0.len())
        .map(|i| Claim {
            first: c.0[i],
            last: c.1[i],
            category: &h.cats[i],
            detector: &h.dets[i],
            score: h.scores[i],
            dup: match (&h.refs[i], &c.5[i]) {
                (Some([file, quoted, run]), Some(r)) => Some(Ref {
                    file,
                    quoted,
                    first: r.2,
                    last: r.3,
                    run,
                }),
                _ => None,
            },
            hash: c.6[i],
            entry: h.entries[i].as_deref(),
        })
        .collect()
}

/// Pass 2 for one document once its removals are decided (`finish::finish`): the cleaned copy (None when
/// nothing was removed), its characters, the diff, the removals.jsonl and allowed.jsonl lines and the page
/// row (naming `page`, the kind of page it was read as), each as UTF-8 bytes (lone surrogates as
/// `surrogatepass` writes them), and per claim its text's character span in the document and its key.
#[pyfunction]
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
fn finish<'py>(
    py: Python<'py>,
    rel: Bound<'py, PyString>,
    heads: (Bound<'py, PyString>, Bound<'py, PyString>),
    text: &[u8],
    diff_text: Option<&[u8]>,
    removals: Claims<'py>,
    allowed: Claims<'py>,
    page: &str,
) -> PyResult<FinishedPy<'py>> {
    let rel_bytes = bytes_of(&rel)?;
    let (a, b) = (bytes_of(&heads.0)?, bytes_of(&heads.1)?);
    let (held_r, held_a) = (hold(&removals)?, hold(&allowed)?);
    let (rs, als) = (claims(&removals, &held_r), claims(&allowed, &held_a));
    let doc = Doc {
        rel: &rel_bytes,
        heads: (&a, &b),
        text,
        diff_text,
        removals: &rs,
        allowed: &als,
        page: page.as_bytes(),
    };
    let out = guarded(py, || dedupe_core::finish::finish(&doc))?;
    finished(py, out)
}

/// What `finish` returns to Python: the cleaned copy (None when nothing was removed), its characters, the
/// diff, the removals.jsonl and allowed.jsonl lines, the page row, per claim its text's span and its key, and
/// the removals' tally (`TallyPy`).
type FinishedPy<'py> = (
    Option<Bound<'py, PyBytes>>,
    usize,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Vec<(usize, usize)>,
    Vec<u64>,
    TallyPy<'py>,
);

/// A document's removals as the report counts them (`finish::Tally`): per category, in order of first
/// appearance, (its first removal, how many, their characters); per removal its key (native-order u64, as
/// `array("Q")` reads them) and its category's rank (one byte each; `NO_KEY`: a whole document).
type TallyPy<'py> = (Vec<(usize, usize, usize)>, Bound<'py, PyBytes>, Bound<'py, PyBytes>);

fn tally_py(py: Python<'_>, tally: Option<Tally>) -> PyResult<TallyPy<'_>> {
    let t = tally.ok_or_else(|| PyValueError::new_err("a document with more than 255 categories of removals"))?;
    let keys: Vec<u8> = t.keys.iter().flat_map(|k| k.to_ne_bytes()).collect();
    Ok((t.categories, PyBytes::new(py, &keys), PyBytes::new(py, &t.ranks)))
}

fn finished(py: Python<'_>, out: Finished) -> PyResult<FinishedPy<'_>> {
    Ok((
        out.cleaned.map(|c| PyBytes::new(py, &c)),
        out.out_chars,
        PyBytes::new(py, &out.diff),
        PyBytes::new(py, &out.removal_lines),
        PyBytes::new(py, &out.allowed_lines),
        PyBytes::new(py, &out.row),
        out.spans,
        out.hashes,
        tally_py(py, out.tally)?,
    ))
}

/// A document's findings as the core takes them: per finding eight little-endian int64 (block, category
/// label, detector label, 1 if the score was an int, referenced file label or -1, its first and last line,
/// its run label) and one float64 score; each label checked against the labels.
fn findings_of(ints: &[u8], scores: &[u8], labels: usize, entries: Option<&[Option<usize>]>) -> PyResult<Vec<Finding>> {
    let ints = from_le(ints, i64::from_le_bytes)?;
    let scores = from_le(scores, f64::from_le_bytes)?;
    if ints.len() != 8 * scores.len() || entries.is_some_and(|e| e.len() != scores.len()) {
        return Err(PyValueError::new_err(
            "findings: eight integers and one score (and one allow-list entry, if any) per finding",
        ));
    }
    let label = |v: i64| -> PyResult<usize> {
        usize::try_from(v)
            .ok()
            .filter(|&i| i < labels)
            .ok_or_else(|| PyValueError::new_err(format!("findings: label {v} is not one of the {labels} labels")))
    };
    ints.chunks_exact(8)
        .zip(&scores)
        .enumerate()
        .map(|(k, (c, &score))| {
            Ok(Finding {
                block: usize::try_from(c[0])
                    .map_err(|_| PyValueError::new_err(format!("findings: block {} is negative", c[0])))?,
                category: label(c[1])?,
                detector: label(c[2])?,
                score,
                int_score: c[3] != 0,
                dup: if c[4] < 0 {
                    None
                } else {
                    Some(Target {
                        file: label(c[4])?,
                        first: c[5],
                        last: c[6],
                        run: label(c[7])?,
                    })
                },
                entry: match entries.and_then(|e| e[k]) {
                    Some(e) => Some(label(i64::try_from(e).unwrap_or(-1))?),
                    None => None,
                },
            })
        })
        .collect()
}

/// Which block each finding removes before the allow-list (`decide::Findings::decide`): per removed block,
/// in block order, the block and the label of the category that removes it.
#[pyfunction]
fn decide(
    py: Python<'_>,
    labels: Vec<Bound<'_, PyString>>,
    floors: Vec<Option<f64>>,
    ints: &[u8],
    scores: &[u8],
) -> PyResult<Vec<(usize, usize)>> {
    let held: Vec<Cow<[u8]>> = labels.iter().map(bytes_of).collect::<PyResult<_>>()?;
    let names: Vec<&[u8]> = held.iter().map(|l| l.as_ref()).collect();
    let found = findings_of(ints, scores, names.len(), None)?;
    guarded(py, || {
        let set = Findings {
            labels: &names,
            floors: &floors,
            findings: &found,
            allow: false,
        };
        set.decide()
            .into_iter()
            .map(|(block, k)| (block, found[k].category))
            .collect()
    })
}

/// A batch's distinct label tuples as bytes, once each is checked to have one floor a label (`what`: the call).
fn label_tuples<'a>(
    what: &str,
    labels: &'a [Vec<Bound<'_, PyString>>],
    floors: &[Vec<Option<f64>>],
) -> PyResult<Vec<Vec<Cow<'a, [u8]>>>> {
    if floors.len() != labels.len() || floors.iter().zip(labels).any(|(f, l)| f.len() != l.len()) {
        return Err(PyValueError::new_err(format!(
            "{what}: one floor per label of each label tuple"
        )));
    }
    labels
        .iter()
        .map(|t| t.iter().map(bytes_of).collect::<PyResult<_>>())
        .collect()
}

/// `decide` on a batch of documents, each given as the index of its label tuple in `labels` (with its floors in
/// `floors`) and its findings' ints and scores: the blocks the documents' cleaned copies remove, numbered through
/// the batch (a document's after the blocks of those before it, `blocks` a document), in order (pass 1's
/// signing bodies, `pipeline._signing_bodies`).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn decide_batch(
    py: Python<'_>,
    labels: Vec<Vec<Bound<'_, PyString>>>,
    floors: Vec<Vec<Option<f64>>>,
    docs: Vec<(usize, usize, Bound<'_, PyBytes>, Bound<'_, PyBytes>)>,
) -> PyResult<Vec<usize>> {
    let held = label_tuples("decide_batch", &labels, &floors)?;
    let names: Vec<Vec<&[u8]>> = held.iter().map(|t| t.iter().map(|l| l.as_ref()).collect()).collect();
    let found: Vec<(usize, usize, Vec<Finding>)> = docs
        .iter()
        .map(|(tuple, blocks, ints, scores)| {
            let n = names
                .get(*tuple)
                .ok_or_else(|| PyValueError::new_err(format!("decide_batch: no label tuple {tuple}")))?
                .len();
            Ok((
                *tuple,
                *blocks,
                findings_of(ints.as_bytes(), scores.as_bytes(), n, None)?,
            ))
        })
        .collect::<PyResult<_>>()?;
    let sets: Vec<(Findings, usize)> = found
        .iter()
        .map(|(tuple, blocks, findings)| {
            let set = Findings {
                labels: &names[*tuple],
                floors: &floors[*tuple],
                findings,
                allow: false,
            };
            (set, *blocks)
        })
        .collect();
    guarded(py, || dedupe_core::decide::removed_blocks(&sets))
}

/// A verdict as Python takes it: block, finding, whether its reference stands, its category's label, the
/// label of the file it points at (-1: none).
type Decided = (usize, usize, bool, usize, i64);

/// One document's pass-2 inputs, its strings as bytes, held while the core reads them (`decide_finish`).
struct Prepared<'a> {
    rel: Cow<'a, [u8]>,
    heads: (Cow<'a, [u8]>, Cow<'a, [u8]>),
    text: &'a [u8],
    diff_text: Option<&'a [u8]>,
    names: Vec<Cow<'a, [u8]>>,
    quoted: Vec<Cow<'a, [u8]>>,
    floors: Vec<Option<f64>>,
    found: Vec<Finding>,
    allow: bool,
    spans: Vec<(i64, i64)>,
    hashes: Vec<u64>,
    page: Cow<'a, [u8]>,
}

/// The allow-list entries of a document's findings (one per finding, None: no entry keeps its block).
type Entries<'py> = Option<Vec<Option<Bound<'py, PyString>>>>;

#[allow(clippy::too_many_arguments)]
fn prepare<'a>(
    rel: &'a Bound<'_, PyString>,
    heads: &'a (Bound<'_, PyString>, Bound<'_, PyString>),
    text: &'a [u8],
    diff_text: Option<&'a [u8]>,
    labels: &'a [Bound<'_, PyString>],
    quoted: &'a [Bound<'_, PyString>],
    floors: Vec<Option<f64>>,
    findings: (&[u8], &[u8], &'a Entries<'_>),
    spans: Vec<(i64, i64)>,
    hashes: Vec<u64>,
    page: &'a Bound<'_, PyString>,
) -> PyResult<Prepared<'a>> {
    if quoted.len() != labels.len() || floors.len() != labels.len() || hashes.len() != spans.len() {
        return Err(PyValueError::new_err(
            "decide_finish: one quoted name and one floor per label, one hash per block",
        ));
    }
    // The allow-list entries become labels after the findings' own, each finding naming its entry's.
    let (ints, scores, entries) = findings;
    let mut names: Vec<Cow<[u8]>> = labels.iter().map(bytes_of).collect::<PyResult<_>>()?;
    let entry_at: Option<Vec<Option<usize>>> = match entries {
        None => None,
        Some(list) => Some(
            list.iter()
                .map(|e| {
                    e.as_ref()
                        .map(|e| {
                            names.push(bytes_of(e)?);
                            Ok(names.len() - 1)
                        })
                        .transpose()
                })
                .collect::<PyResult<_>>()?,
        ),
    };
    let found = findings_of(ints, scores, names.len(), entry_at.as_deref())?;
    if let Some(f) = found.iter().find(|f| f.block >= spans.len()) {
        return Err(PyValueError::new_err(format!(
            "decide_finish: a finding names block {} of a document of {} blocks",
            f.block,
            spans.len()
        )));
    }
    Ok(Prepared {
        rel: bytes_of(rel)?,
        heads: (bytes_of(&heads.0)?, bytes_of(&heads.1)?),
        text,
        diff_text,
        names,
        quoted: quoted.iter().map(bytes_of).collect::<PyResult<_>>()?,
        floors,
        found,
        allow: entry_at.is_some(),
        spans,
        hashes,
        page: bytes_of(page)?,
    })
}

/// `decide::decide_and_finish` on one prepared document.
fn decide_prepared(p: &Prepared) -> (Finished, Vec<Verdict>, Vec<Verdict>) {
    let names: Vec<&[u8]> = p.names.iter().map(|l| l.as_ref()).collect();
    let quoted: Vec<&[u8]> = p.quoted.iter().map(|l| l.as_ref()).collect();
    let set = Findings {
        labels: &names,
        floors: &p.floors,
        findings: &p.found,
        allow: p.allow,
    };
    let page = Page {
        rel: &p.rel,
        heads: (&p.heads.0, &p.heads.1),
        text: p.text,
        diff_text: p.diff_text,
        spans: &p.spans,
        hashes: &p.hashes,
        quoted: &quoted,
        page: &p.page,
    };
    decide_and_finish(&set, &page)
}

/// The label of the file a verdict's finding points at, -1 when none (or its reference was dropped).
fn target_of(found: &[Finding], v: &Verdict) -> i64 {
    found[v.finding]
        .dup
        .filter(|_| v.keeps_ref)
        .map_or(-1, |d| d.file as i64)
}

/// Pass 2 for one document from its findings (`decide::decide_and_finish`): what `finish` returns, and
/// per removal and per allowed block, in block order, its `Decided`.
#[pyfunction]
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
fn decide_finish<'py>(
    py: Python<'py>,
    rel: Bound<'py, PyString>,
    heads: (Bound<'py, PyString>, Bound<'py, PyString>),
    text: &[u8],
    diff_text: Option<&[u8]>,
    labels: Vec<Bound<'py, PyString>>,
    quoted: Vec<Bound<'py, PyString>>,
    floors: Vec<Option<f64>>,
    findings: (&[u8], &[u8], Entries<'py>),
    spans: Vec<(i64, i64)>,
    hashes: Vec<u64>,
    page: Bound<'py, PyString>,
) -> PyResult<(FinishedPy<'py>, Vec<Decided>, Vec<Decided>)> {
    let (ints, scores, entries) = findings;
    let p = prepare(
        &rel,
        &heads,
        text,
        diff_text,
        &labels,
        &quoted,
        floors,
        (ints, scores, &entries),
        spans,
        hashes,
        &page,
    )?;
    let (out, removals, allowed) = guarded(py, || decide_prepared(&p))?;
    // Each with its finding's category label and the label of the file it points at (-1: none, or dropped).
    let verdicts = |v: Vec<Verdict>| {
        v.into_iter()
            .map(|v| {
                let target = target_of(&p.found, &v);
                (v.block, v.finding, v.keeps_ref, p.found[v.finding].category, target)
            })
            .collect()
    };
    Ok((finished(py, out)?, verdicts(removals), verdicts(allowed)))
}

/// One document's arguments to `decide_finish_batch`: those of `decide_finish`, in its order, but that its
/// blocks' spans and hashes may also come as little-endian bytes (`Blocks`).
type DocArgs<'py> = (
    Bound<'py, PyString>,
    (Bound<'py, PyString>, Bound<'py, PyString>),
    Bound<'py, PyBytes>,
    Option<Bound<'py, PyBytes>>,
    Vec<Bound<'py, PyString>>,
    Vec<Bound<'py, PyString>>,
    Vec<Option<f64>>,
    (Bound<'py, PyBytes>, Bound<'py, PyBytes>, Entries<'py>),
    Blocks<'py, (i64, i64)>,
    Blocks<'py, u64>,
    Bound<'py, PyString>,
);

/// A document's blocks' spans ((first, last) line pairs) or hashes: a sequence of them, or their little-endian
/// bytes as pass 1's scratch file holds them (i64 pairs, u64), which cross with no Python int a block (making
/// and extracting a tuple of pairs and one of ints cost pass 2 about 3 µs a document of the 10k corpus).
#[derive(FromPyObject)]
enum Blocks<'py, T> {
    Bytes(Bound<'py, PyBytes>),
    Values(Vec<T>),
}

impl Blocks<'_, (i64, i64)> {
    fn spans(&self) -> PyResult<Vec<(i64, i64)>> {
        match self {
            Blocks::Values(v) => Ok(v.clone()),
            Blocks::Bytes(b) => {
                let ints = from_le(b.as_bytes(), i64::from_le_bytes)?;
                if ints.len() % 2 != 0 {
                    return Err(PyValueError::new_err("spans as bytes: an odd number of line numbers"));
                }
                Ok(ints.chunks_exact(2).map(|p| (p[0], p[1])).collect())
            }
        }
    }
}

impl Blocks<'_, u64> {
    fn hashes(&self) -> PyResult<Vec<u64>> {
        match self {
            Blocks::Values(v) => Ok(v.clone()),
            Blocks::Bytes(b) => from_le(b.as_bytes(), u64::from_le_bytes),
        }
    }
}

/// What `decide_finish_batch` returns a document: the cleaned copy (None: nothing removed), its
/// characters, the diff, the removals.jsonl and allowed.jsonl lines, the page row, the tally (its categories
/// as labels, not as first removals), the labels of the files its removals and allowed blocks point at (each
/// once), and per allowed block its category's label.
type BatchDoc<'py> = (
    Option<Bound<'py, PyBytes>>,
    usize,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    TallyPy<'py>,
    Vec<usize>,
    Vec<usize>,
);

/// Pass 2 for a batch of documents (`decide_finish` on each, in one call with the GIL released once):
/// per document what the report and the writer need, and no object per removal. A panic on any document
/// fails the whole call (`CoreError`); the caller then cuts them one by one, so only that document fails.
#[pyfunction]
fn decide_finish_batch<'py>(py: Python<'py>, docs: Vec<DocArgs<'py>>) -> PyResult<Vec<BatchDoc<'py>>> {
    let prepared: Vec<Prepared> = docs
        .iter()
        .map(|d| {
            prepare(
                &d.0,
                &d.1,
                d.2.as_bytes(),
                d.3.as_ref().map(|t| t.as_bytes()),
                &d.4,
                &d.5,
                d.6.clone(),
                (d.7 .0.as_bytes(), d.7 .1.as_bytes(), &d.7 .2),
                d.8.spans()?,
                d.9.hashes()?,
                &d.10,
            )
        })
        .collect::<PyResult<_>>()?;
    let done = guarded(py, || prepared.iter().map(decide_prepared).collect::<Vec<_>>())?;
    prepared
        .iter()
        .zip(done)
        .map(|(p, (out, removals, allowed))| decided_doc(py, &p.found, out, &removals, &allowed))
        .collect()
}

/// A decided document's `BatchDoc`: its tally's categories, the files it points at and its allowed blocks'
/// categories named by the labels of its findings' (`found`).
fn decided_doc<'py>(
    py: Python<'py>,
    found: &[Finding],
    mut out: Finished,
    removals: &[Verdict],
    allowed: &[Verdict],
) -> PyResult<BatchDoc<'py>> {
    let mut targets: Vec<usize> = Vec::new();
    for v in removals.iter().chain(allowed) {
        if let Ok(t) = usize::try_from(target_of(found, v)) {
            if !targets.contains(&t) {
                targets.push(t);
            }
        }
    }
    let (mut categories, keys, ranks) = tally_py(py, out.tally.take())?;
    for c in &mut categories {
        c.0 = found[removals[c.0].finding].category;
    }
    let allowed = allowed.iter().map(|v| found[v.finding].category).collect();
    Ok(batch_doc(py, &out, (categories, keys, ranks), targets, allowed))
}

/// One plain-text file's arguments to `plain_batch`: its name, its bytes as read again, pass 1's digest of
/// its text, the number of its labels in the batch's label tuples, its findings' ints and scores then the
/// corpus step's (numbered after its own labels, which the tuple then ends with), its blocks' spans and
/// hashes as little-endian bytes (`Blocks`), its page kind, and whether it is a duplicate that goes whole (its
/// one finding that removal: `plain::PlainDoc::whole`).
type PlainArgs<'py> = (
    Bound<'py, PyString>,
    Bound<'py, PyBytes>,
    u64,
    usize,
    (Bound<'py, PyBytes>, Bound<'py, PyBytes>),
    (Bound<'py, PyBytes>, Bound<'py, PyBytes>),
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyString>,
    bool,
);

/// One plain file's inputs as `plain::plain` reads them, held while it runs.
struct HeldPlain<'a> {
    rel: Cow<'a, [u8]>,
    data: &'a [u8],
    digest: u64,
    labels: usize,
    found: Vec<Finding>,
    spans: Vec<(i64, i64)>,
    hashes: Vec<u64>,
    page: Cow<'a, [u8]>,
    whole: bool,
}

/// Pass 2 for a batch of plain-text files from their bytes (`plain::plain`), in one call with the GIL released
/// once: per file its `BatchDoc` and its text's characters, or None for a file the caller must read and cut as
/// before (not plain UTF-8, blank, or changed since pass 1). `labels`: the distinct label tuples of the batch,
/// each with its floors; the names and labels given must need no quoting in the diff (the caller's check). A
/// panic on any file fails the whole call (`CoreError`); the caller then cuts them one by one.
#[pyfunction]
fn plain_batch<'py>(
    py: Python<'py>,
    docs: Vec<PlainArgs<'py>>,
    labels: Vec<Vec<Bound<'py, PyString>>>,
    floors: Vec<Vec<Option<f64>>>,
) -> PyResult<Vec<Option<(BatchDoc<'py>, usize)>>> {
    let held = label_tuples("plain_batch", &labels, &floors)?;
    let names: Vec<Vec<&[u8]>> = held.iter().map(|t| t.iter().map(|l| l.as_ref()).collect()).collect();
    let held: Vec<HeldPlain> = docs
        .iter()
        .map(|d| {
            let n = names
                .get(d.3)
                .ok_or_else(|| PyValueError::new_err(format!("plain_batch: no label tuple {}", d.3)))?
                .len();
            let mut found = findings_of(d.4 .0.as_bytes(), d.4 .1.as_bytes(), n, None)?;
            found.extend(findings_of(d.5 .0.as_bytes(), d.5 .1.as_bytes(), n, None)?);
            let spans = Blocks::Bytes(d.6.clone()).spans()?;
            let hashes = from_le(d.7.as_bytes(), u64::from_le_bytes)?;
            if hashes.len() != spans.len() || (!d.9 && found.iter().any(|f| f.block >= spans.len())) {
                return Err(PyValueError::new_err(
                    "plain_batch: one hash per block, and findings on the document's blocks only",
                ));
            }
            if d.9 && found.len() != 1 {
                return Err(PyValueError::new_err(
                    "plain_batch: a whole document's one removal as its one finding",
                ));
            }
            Ok(HeldPlain {
                rel: bytes_of(&d.0)?,
                data: d.1.as_bytes(),
                digest: d.2,
                labels: d.3,
                found,
                spans,
                hashes,
                page: bytes_of(&d.8)?,
                whole: d.9,
            })
        })
        .collect::<PyResult<_>>()?;
    let done = guarded(py, || {
        held.iter()
            .map(|h| {
                dedupe_core::plain::plain(&PlainDoc {
                    rel: &h.rel,
                    data: h.data,
                    digest: h.digest,
                    labels: &names[h.labels],
                    floors: &floors[h.labels],
                    findings: &h.found,
                    spans: &h.spans,
                    hashes: &h.hashes,
                    page: &h.page,
                    whole: h.whole,
                })
            })
            .collect::<Vec<_>>()
    })?;
    held.iter()
        .zip(done)
        .map(|(h, plain)| {
            plain
                .map(|p| Ok((decided_doc(py, &h.found, p.finished, &p.removals, &p.allowed)?, p.chars)))
                .transpose()
        })
        .collect()
}

/// A document's `BatchDoc`: what the core made of it, with its tally, the files it points at and its allowed
/// blocks' categories as the caller gives them.
fn batch_doc<'py>(
    py: Python<'py>,
    out: &Finished,
    tally: TallyPy<'py>,
    targets: Vec<usize>,
    allowed: Vec<usize>,
) -> BatchDoc<'py> {
    (
        out.cleaned.as_ref().map(|c| PyBytes::new(py, c)),
        out.out_chars,
        PyBytes::new(py, &out.diff),
        PyBytes::new(py, &out.removal_lines),
        PyBytes::new(py, &out.allowed_lines),
        PyBytes::new(py, &out.row),
        tally,
        targets,
        allowed,
    )
}

/// One document's arguments to `finish_batch`: those of `finish`, in its order.
type ClaimsArgs<'py> = (
    Bound<'py, PyString>,
    (Bound<'py, PyString>, Bound<'py, PyString>),
    Bound<'py, PyBytes>,
    Option<Bound<'py, PyBytes>>,
    Claims<'py>,
    Claims<'py>,
    Bound<'py, PyString>,
);

/// `finish` on a batch of documents whose removals are already decided (pass 2's whole duplicate
/// documents), in one call with the GIL released once: per document what `decide_finish_batch` gives one,
/// but the tally names each category by its first removal and the files pointed at are not given (the caller
/// has them). A panic on any document fails the whole call (`CoreError`).
#[pyfunction]
fn finish_batch<'py>(py: Python<'py>, docs: Vec<ClaimsArgs<'py>>) -> PyResult<Vec<BatchDoc<'py>>> {
    // (its name, its diff's two headers, its page kind)
    let rels: Vec<[Cow<[u8]>; 4]> = docs
        .iter()
        .map(|d| Ok([bytes_of(&d.0)?, bytes_of(&d.1 .0)?, bytes_of(&d.1 .1)?, bytes_of(&d.6)?]))
        .collect::<PyResult<_>>()?;
    let held: Vec<(Held, Held)> = docs
        .iter()
        .map(|d| Ok((hold(&d.4)?, hold(&d.5)?)))
        .collect::<PyResult<_>>()?;
    let claimed: Vec<(Vec<Claim>, Vec<Claim>)> = docs
        .iter()
        .zip(&held)
        .map(|(d, (r, a))| (claims(&d.4, r), claims(&d.5, a)))
        .collect();
    let pages: Vec<Doc> = docs
        .iter()
        .zip(&rels)
        .zip(&claimed)
        .map(|((d, [rel, a, b, page]), (rs, als))| Doc {
            rel,
            heads: (a, b),
            text: d.2.as_bytes(),
            diff_text: d.3.as_ref().map(|t| t.as_bytes()),
            removals: rs,
            allowed: als,
            page,
        })
        .collect();
    let done = guarded(py, || pages.iter().map(dedupe_core::finish::finish).collect::<Vec<_>>())?;
    done.into_iter()
        .map(|mut out| {
            let tally = tally_py(py, out.tally.take())?;
            Ok(batch_doc(py, &out, tally, Vec::new(), Vec::new()))
        })
        .collect()
}

/// Panics inside the batch boundary with `message`: lets the tests show that a panic in the core becomes a
/// `CoreError` (and, in the pipeline, that file's error) rather than killing the process.
#[pyfunction]
fn _panic_inside_guard(py: Python<'_>, message: String) -> PyResult<()> {
    guarded(py, move || panic!("{message}"))
}

/// The pairs of blocks that share shingles and how many (`repeats::shared_counts`): the blocks' shingles end
/// to end (u64) and each block's end there (i64), as little-endian bytes; the lower and higher block of each
/// pair and its count come back as three lists, in the order the pairs are first met.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn shared_counts(
    py: Python<'_>,
    shingles: &[u8],
    ends: &[u8],
    max_posting: usize,
) -> PyResult<(Vec<usize>, Vec<usize>, Vec<usize>)> {
    let shingles = from_le(shingles, u64::from_le_bytes)?;
    let ends: Vec<usize> = from_le(ends, i64::from_le_bytes)?
        .into_iter()
        .map(|e| usize::try_from(e).unwrap_or(0))
        .collect();
    guarded(py, || {
        let pairs = repeats::shared_counts(&shingles, &ends, max_posting);
        let mut out = (
            Vec::with_capacity(pairs.len()),
            Vec::with_capacity(pairs.len()),
            Vec::with_capacity(pairs.len()),
        );
        for (a, b, n) in pairs {
            out.0.push(a);
            out.1.push(b);
            out.2.push(n);
        }
        out
    })
}

/// The chrome detector's vocabulary and character classes (`features::Lexicon`), built once from the
/// definitions in `dedupe/detect/chrome.py`.
#[pyclass(frozen, module = "dedupe._core")]
struct Lexicon {
    pub(crate) inner: features::Lexicon,
}

#[pymethods]
impl Lexicon {
    /// words: lower-cased word -> (mask of the families it triggers, whether it is a stop word); chars: trigger
    /// strings and their families' masks; then the word limit of every family, the characters words are read
    /// from, the ranges of unspaced scripts, their characters per word, the code characters, the sentence-end
    /// characters and the closers that may follow them, the clause marks of scripts without spaces, and the
    /// families in table order, each its word limit and its phrasings in Python's `re` syntax (`phrases.rs`;
    /// a pattern PCRE2 cannot compile is a ValueError that names it).
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        words: HashMap<String, (u64, bool)>,
        chars: Vec<(String, u64)>,
        max_words: i64,
        head: usize,
        unspaced: Vec<(u32, u32)>,
        chars_per_word: i64,
        code: &str,
        terminal: &str,
        closers: &str,
        clauses: &str,
        families: Vec<(i64, Vec<String>)>,
    ) -> PyResult<Self> {
        if chars_per_word < 1 {
            return Err(PyValueError::new_err("chars_per_word must be at least 1"));
        }
        let mut unspaced = unspaced;
        unspaced.sort_unstable();
        if unspaced.windows(2).any(|w| w[0].1 >= w[1].0) || unspaced.iter().any(|&(lo, hi)| lo > hi) {
            return Err(PyValueError::new_err(
                "unspaced ranges must be (first, last) pairs that do not overlap",
            ));
        }
        let phrases = dedupe_core::phrases::Phrases::new(&families).map_err(PyValueError::new_err)?;
        let words = words
            .into_iter()
            .map(|(w, (families, stop))| (w, features::Entry { families, stop }))
            .collect();
        Ok(Lexicon {
            inner: features::Lexicon {
                words,
                chars: chars.into_iter().filter(|(c, _)| !c.is_empty()).collect(),
                max_words,
                head,
                unspaced,
                chars_per_word,
                code: code.chars().collect(),
                terminal: terminal.chars().collect(),
                closers: closers.chars().collect(),
                clauses: clauses.chars().collect(),
                phrases,
            },
        })
    }

    /// The features of a batch of blocks (`features::Lexicon::features`), as columns: sizes, words, stop
    /// words, capitalised words, sentence ends, code characters, unspaced, the masks of the families the
    /// trigger words and the trigger strings name, the words of the split, and the index of the first of
    /// those families whose phrasing the block matches (-1 for none). n_words: each block's word count as
    /// sign.py counts them. masks: false leaves the masks and the words of the split out (their columns empty),
    /// for the caller that reads neither (pass 1's `block_columns`).
    #[allow(clippy::type_complexity)]
    #[pyo3(signature = (texts, n_words, masks=true))]
    fn features(
        &self,
        py: Python<'_>,
        texts: Bound<'_, PyAny>,
        n_words: Vec<i64>,
        masks: bool,
    ) -> PyResult<(
        Vec<i64>,
        Vec<i64>,
        Vec<i64>,
        Vec<i64>,
        Vec<bool>,
        Vec<i64>,
        Vec<bool>,
        Vec<u64>,
        Vec<u64>,
        Vec<i64>,
        Vec<i64>,
    )> {
        let texts = TextsArg::new(texts)?;
        if texts.len() != n_words.len() {
            return Err(PyValueError::new_err(format!(
                "{} texts but {} word counts: give one count per text",
                texts.len(),
                n_words.len()
            )));
        }
        let views = texts.views()?;
        let lexicon = &self.inner;
        guarded(py, || {
            let n = views.len();
            let mut out = (
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
            );
            let triggers = lexicon.triggers();
            for (text, &k) in views.iter().zip(&n_words) {
                let f = lexicon.features_with(&triggers, text, k);
                out.0.push(f.size);
                out.1.push(f.words);
                out.2.push(f.stop);
                out.3.push(f.capitalised);
                out.4.push(f.terminal);
                out.5.push(f.code);
                out.6.push(f.unspaced);
                if masks {
                    out.7.push(f.word_families);
                    out.8.push(f.char_families);
                    out.9.push(f.tokens);
                }
                out.10.push(f.family.map_or(-1, |i| i as i64));
            }
            out
        })
    }
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(text_hash, m)?)?;
    m.add_function(wrap_pyfunction!(read_files, m)?)?;
    m.add_function(wrap_pyfunction!(stat_files, m)?)?;
    m.add_class::<Lexicon>()?;
    m.add_class::<Texts>()?;
    chrome_binding::register(m)?;
    classify::register(m)?;
    pagetype::register(m)?;
    recover_binding::register(m)?;
    m.add_function(wrap_pyfunction!(shared_counts, m)?)?;
    repeat_binding::register(m)?;
    m.add_function(wrap_pyfunction!(segment_batch, m)?)?;
    m.add_function(wrap_pyfunction!(looks_wrapped, m)?)?;
    m.add_function(wrap_pyfunction!(sign_blocks, m)?)?;
    m.add_function(wrap_pyfunction!(normalize, m)?)?;
    m.add_function(wrap_pyfunction!(token_hashes, m)?)?;
    m.add_function(wrap_pyfunction!(combine, m)?)?;
    m.add_function(wrap_pyfunction!(windows, m)?)?;
    m.add_function(wrap_pyfunction!(word_hash, m)?)?;
    m.add_function(wrap_pyfunction!(minhash_groups, m)?)?;
    m.add_function(wrap_pyfunction!(minhash_signature, m)?)?;
    m.add_function(wrap_pyfunction!(block_keys, m)?)?;
    m.add_function(wrap_pyfunction!(band_keys, m)?)?;
    m.add_function(wrap_pyfunction!(candidate_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(count_keys, m)?)?;
    m.add_function(wrap_pyfunction!(is_utf8, m)?)?;
    m.add_function(wrap_pyfunction!(shingle_hash, m)?)?;
    m.add_function(wrap_pyfunction!(finish, m)?)?;
    m.add_function(wrap_pyfunction!(decide, m)?)?;
    m.add_function(wrap_pyfunction!(decide_finish, m)?)?;
    m.add_function(wrap_pyfunction!(decide_finish_batch, m)?)?;
    m.add_function(wrap_pyfunction!(plain_batch, m)?)?;
    m.add_function(wrap_pyfunction!(decide_batch, m)?)?;
    m.add_function(wrap_pyfunction!(unbrotli, m)?)?;
    m.add_function(wrap_pyfunction!(finish_batch, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_inside_guard, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("TEXT_LIMIT", dedupe_core::finish::TEXT_LIMIT)?;
    m.add("NO_KEY", dedupe_core::finish::NO_KEY)?;
    m.add("CONTEXT_LINES", dedupe_core::finish::CONTEXT_LINES)?;
    m.add("CONTEXT_CHARS", dedupe_core::finish::CONTEXT_CHARS)?;
    Ok(())
}
