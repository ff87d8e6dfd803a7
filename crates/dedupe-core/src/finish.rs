//! Pass 2's cutting and encoding for one document: which lines its cleaned copy keeps, its hunks of
//! `changes.diff` with the reason each names, its `removals.jsonl` and `allowed.jsonl` lines and its row of
//! the review page (`context.jsonl`), all from the decided removals' line spans, in one call.
//!
//! Texts are bytes, not `str`: a document may hold lone surrogates (JSON input may escape one), which
//! Python hands over encoded with `surrogatepass` and takes back the same way, so every kept or removed
//! line comes back as it went in. Lengths and cuts count characters as Python does (a surrogate is one).
//! Every string is written as `json.dumps(..., ensure_ascii=False)` writes it and every score as Python's
//! `repr(round(score, 4))`; `tests/test_core_finish.py` checks both against Python on random values.

use std::fmt::Write as _;

/// A removal's score as Python held it: a float, or an int (which JSON writes without a point).
#[derive(Clone, Copy, Debug)]
pub enum Score {
    Float(f64),
    Int(i64),
}

/// What a removed block or document duplicates: a file, its line span, and the earlier run it is from.
#[derive(Clone, Copy, Debug)]
pub struct Ref<'a> {
    pub file: &'a [u8],
    /// The file as `changes.diff` names it (`text.quote_path`: quoted when it holds control characters).
    pub quoted: &'a [u8],
    pub first: i64,
    pub last: i64,
    pub run: &'a [u8],
}

/// One decided removal, or one block the allow-list kept (with its entry, "FILE:LINE").
#[derive(Clone, Copy, Debug)]
pub struct Claim<'a> {
    /// 1-based inclusive input lines.
    pub first: usize,
    pub last: usize,
    pub category: &'a [u8],
    pub detector: &'a [u8],
    pub score: Score,
    pub dup: Option<Ref<'a>>,
    /// The block's normalized hash (its allow-list key on the review page); None for a whole document,
    /// whose key is made here from its text (`text_key`).
    pub hash: Option<u64>,
    pub entry: Option<&'a [u8]>,
}

/// One document's pass-2 inputs. `removals` are in block order; `diff_text` is the text in its own
/// encoding when that is not UTF-8 (the diff carries the file's own bytes, as `diff -u` would).
pub struct Doc<'a> {
    pub rel: &'a [u8],
    /// `quote_path("a/" + rel)` and `quote_path("b/" + rel)`: the diff's file headers.
    pub heads: (&'a [u8], &'a [u8]),
    pub text: &'a [u8],
    pub diff_text: Option<&'a [u8]>,
    pub removals: &'a [Claim<'a>],
    pub allowed: &'a [Claim<'a>],
    /// The kind of page it was read as (`detect.page_kind`), which its page row names; empty: none.
    pub page: &'a [u8],
}

/// What pass 2 writes for one document.
#[derive(Debug, Default, PartialEq)]
pub struct Finished {
    /// The cleaned copy (None: nothing removed, the text is kept as it is).
    pub cleaned: Option<Vec<u8>>,
    /// Characters of the cleaned copy.
    pub out_chars: usize,
    pub diff: Vec<u8>,
    pub removal_lines: Vec<u8>,
    pub allowed_lines: Vec<u8>,
    /// The page row with its newline, empty when nothing was removed or allowed.
    pub row: Vec<u8>,
    /// Per removal, then per allowed block: its text's first and last character in the document (Python
    /// `str` offsets, end exclusive), so that a caller wanting records slices them out of its own text.
    pub spans: Vec<(usize, usize)>,
    /// Per claim its key: its hash as given, or its text's (`text_key`).
    pub hashes: Vec<u64>,
    /// The removals counted for the report (`tally`); None past 255 categories in one document.
    pub tally: Option<Tally>,
}

/// A document's removals as the report counts them (`report.RunReport.add`, the review page's `Scan`), so
/// that no Python loop runs a removal: per category, in order of first appearance, (its first removal,
/// how many, their characters), and per removal its category's position there (`NO_KEY` for a whole
/// duplicate document, which has no block key) and its key (0 for a whole duplicate document).
#[derive(Debug, Default, PartialEq)]
pub struct Tally {
    pub categories: Vec<(usize, usize, usize)>,
    pub ranks: Vec<u8>,
    pub keys: Vec<u64>,
}

/// A removal's rank in `Tally::ranks` when it has no block key (`report.html.NO_KEY`).
pub const NO_KEY: u8 = 255;
/// The category a whole duplicate document is removed under: counted without a block key.
pub const DUPLICATE_DOCUMENT: &[u8] = b"duplicate-document";

/// The `Tally` of removals given as their categories, their texts' spans (characters) and their keys. A
/// document with more than `NO_KEY` (255) distinct categories would have a rank that reads as none: None (the
/// caller's error; a document has a few dozen at most).
pub fn tally(categories: &[&[u8]], spans: &[(usize, usize)], keys: &[u64]) -> Option<Tally> {
    let mut out = Tally::default();
    for (i, ((category, &(a, b)), &key)) in categories.iter().zip(spans).zip(keys).enumerate() {
        let rank = match out
            .categories
            .iter()
            .position(|&(first, ..)| categories[first] == *category)
        {
            Some(rank) => rank,
            None => {
                out.categories.push((i, 0, 0));
                out.categories.len() - 1
            }
        };
        let entry = &mut out.categories[rank];
        entry.1 += 1;
        entry.2 += b.saturating_sub(a);
        let whole = *category == DUPLICATE_DOCUMENT;
        out.ranks.push(if whole {
            NO_KEY
        } else {
            u8::try_from(rank).ok().filter(|&r| r != NO_KEY)?
        });
        out.keys.push(if whole { 0 } else { key });
    }
    Some(out)
}

/// Removed text shown per block on the review page; a longer one is cut (`report.html.TEXT_LIMIT`).
pub const TEXT_LIMIT: usize = 4000;
/// Kept non-blank lines shown on each side of a cut, and their length (`report.html.CONTEXT_*`).
pub const CONTEXT_LINES: usize = 1;
pub const CONTEXT_CHARS: usize = 300;
/// How far the page's context looks for a non-blank kept line on each side of a cut.
const CONTEXT_REACH: usize = 50;

/// A document's lines with their endings, split on `\n` only (`segment.split_lines`).
pub fn split_lines(text: &[u8]) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    while let Some(at) = next_newline(text, start) {
        out.push(&text[start..=at]);
        start = at + 1;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// The first `\n` at or after `from`: eight bytes at a time (a byte of `w` is zero where the text holds a
/// newline; `(w - 0x01..) & !w & 0x80..` flags the first zero byte, and only later ones may be false).
fn next_newline(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or_default()) ^ (ONES * u64::from(b'\n'));
        let zero = w.wrapping_sub(ONES) & !w & HIGH;
        if zero != 0 {
            return Some(i + (zero.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes.get(i..)?.iter().position(|&b| b == b'\n').map(|p| i + p)
}

/// Characters in UTF-8 (or surrogate-passing) bytes, as Python's `len` counts them.
pub fn chars(bytes: &[u8]) -> usize {
    // (the bytes that are no continuation byte, counted by chunks whose counts fit a byte, which the compiler
    // vectorizes: a count by `filter` was half of `finish`'s own time in a profile)
    bytes
        .chunks(255)
        .map(|chunk| {
            let lead = chunk.iter().fold(0u8, |n, &b| n + u8::from(b & 0xC0 != 0x80));
            usize::from(lead)
        })
        .sum()
}

/// The first `n` characters of bytes.
fn first_chars(bytes: &[u8], n: usize) -> &[u8] {
    let mut seen = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b & 0xC0 != 0x80 {
            if seen == n {
                return &bytes[..i];
            }
            seen += 1;
        }
    }
    bytes
}

/// Whether a line is blank (`not line.strip()`); a line that is not UTF-8 holds a surrogate, which is not
/// white space.
fn is_blank(line: &[u8]) -> bool {
    // (most lines show a character other than white space among their first bytes: no need to decode them)
    match line.iter().find(|&&b| !matches!(b, b'\t'..=b'\r' | 0x1c..=b' ')) {
        None => return true,
        Some(&b) if b.is_ascii() => return false,
        Some(_) => {}
    }
    match std::str::from_utf8(line) {
        Ok(s) => crate::chars::strip(s).is_empty(),
        Err(_) => false,
    }
}

fn strip_newlines(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r' | b'\n'] = s {
        s = rest;
    }
    s
}

/// Which lines (0-based) stay once the removed blocks are cut (`decide.kept_lines`): content lines go with
/// their block; only a gap (blank or removed lines) holding a removed block is tidied: at the file's start
/// or end it goes, between two kept blocks its first blank run stays as the one separator.
pub fn kept_lines(blank: &[bool], cut: &[(usize, usize)]) -> Vec<bool> {
    let n = blank.len();
    let mut keep = vec![true; n];
    let mut cut = cut.to_vec();
    cut.sort_unstable();
    for &(first, last) in &cut {
        let (a, b) = (first.saturating_sub(1).min(n), last.min(n));
        keep[a..b.max(a)].iter_mut().for_each(|k| *k = false);
    }
    let mut end = 0;
    for &(first, last) in &cut {
        if first <= end {
            continue;
        }
        let (mut i, mut j) = (first.saturating_sub(1).min(n), last.min(n));
        while i > 0 && (blank[i - 1] || !keep[i - 1]) {
            i -= 1;
        }
        while j < n && (blank[j] || !keep[j]) {
            j += 1;
        }
        keep[i..j.max(i)].iter_mut().for_each(|k| *k = false);
        if i > 0 && j < n {
            let mut k = i;
            while k < j && !blank[k] {
                k += 1;
            }
            while k < j && blank[k] {
                keep[k] = true;
                k += 1;
            }
        }
        end = j;
    }
    keep
}

/// Each run of removed lines as its hunk header says it: (first input line, line count, kept lines before).
pub fn cuts(keep: &[bool]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let (mut kept_before, mut i) = (0, 0);
    while i < keep.len() {
        if keep[i] {
            kept_before += 1;
            i += 1;
            continue;
        }
        let mut j = i;
        while j < keep.len() && !keep[j] {
            j += 1;
        }
        out.push((i + 1, j - i, kept_before));
        i = j;
    }
    out
}

/// A string as `json.dumps(s, ensure_ascii=False)` writes it.
pub fn push_string(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    // The runs of bytes that need no escape are copied whole.
    let mut rest = s;
    while let Some(at) = next_escape(rest) {
        out.extend_from_slice(&rest[..at]);
        let b = rest[at];
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0C => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 15)]);
            }
        }
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// Whether a byte needs an escape in a JSON string.
fn escaped(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// The first byte of `s` that needs an escape: eight bytes at a time, each eight told apart by whether one of
/// them is below 0x20, a quote or a backslash (`(w - 0x01..) & !w & 0x80..` flags a zero byte, and flags no
/// byte where there is none; `0x20..` in place of `0x01..` flags a byte below 0x20 alike).
fn next_escape(s: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while let Some(chunk) = s.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let (quote, backslash) = (w ^ (ONES * u64::from(b'"')), w ^ (ONES * u64::from(b'\\')));
        let flags = (w.wrapping_sub(ONES * 0x20) & !w
            | quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash)
            & HIGH;
        if flags != 0 {
            if let Some(p) = chunk.iter().position(|&b| escaped(b)) {
                return Some(i + p);
            }
        }
        i += 8;
    }
    s.get(i..)?.iter().position(|&b| escaped(b)).map(|p| i + p)
}

/// A score as removals.jsonl writes it: `repr(round(x, 4))` for a float (`NaN`, `Infinity` as json does),
/// the int itself for an int.
pub fn score_text(score: Score) -> String {
    let x = match score {
        Score::Int(n) => return n.to_string(),
        Score::Float(x) => x,
    };
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    // Rounded as Python's round does: the exact binary value to 4 decimals (ties to even), read back.
    let r: f64 = round4(x).unwrap_or_else(|| format!("{x:.4}").parse().unwrap_or(x));
    python_repr(r)
}

/// `round(x, 4)` of a finite float of a modest size (None for another), in integers rather than through a
/// decimal string: the exact binary value times 10**4, rounded half to even, divided by 10**4 (an exact
/// integer over an exact power of ten, which IEEE division rounds to the nearest float, as reading the
/// decimal string back does).
fn round4(x: f64) -> Option<f64> {
    let bits = x.to_bits();
    let negative = bits >> 63 == 1;
    let exp = ((bits >> 52) & 0x7FF) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    if exp == 0 || exp == 0x7FF {
        return None; // zero, subnormal, infinite or NaN: the general way
    }
    // x = mantissa * 2**(exp - 1075)
    let mantissa = u128::from(frac | 1u64 << 52);
    let shift = 1075 - exp;
    if !(1..=120).contains(&shift) {
        return None; // an integer, or very large or very small: the general way
    }
    let scaled = mantissa * 10_000; // below 2**67
    let q = scaled >> shift;
    let r = scaled & ((1u128 << shift) - 1);
    let half = 1u128 << (shift - 1);
    let q = if r > half || r == half && q & 1 == 1 { q + 1 } else { q };
    if q >= 1 << 53 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)] // q is below 2**53: exact
    let y = q as f64 / 10_000.0;
    Some(if negative { -y } else { y })
}

/// `repr` of a finite float: the shortest digits that read back, in exponent form from 1e16 up (and below
/// 1e-4, which a value rounded to 4 places never is unless it is 0).
fn python_repr(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        let e = format!("{x:e}");
        let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    let s = format!("{x}");
    if s.contains('.') {
        s
    } else {
        s + ".0"
    }
}

/// Joined input lines first..=last (1-based), and their character offsets in the document.
struct Lines<'a> {
    lines: Vec<&'a [u8]>,
    /// Character offset of each line's start, and of the text's end.
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a [u8]) -> Self {
        let lines = split_lines(text);
        let mut starts = Vec::with_capacity(lines.len() + 1);
        let mut at = 0;
        for l in &lines {
            starts.push(at);
            at += chars(l);
        }
        starts.push(at);
        Lines { lines, starts }
    }

    /// A block's text (its lines joined, trailing line breaks cut) and its character span.
    fn text(&self, first: usize, last: usize) -> (Vec<u8>, (usize, usize)) {
        let n = self.lines.len();
        let (a, b) = (
            first.saturating_sub(1).min(n),
            last.min(n).max(first.saturating_sub(1).min(n)),
        );
        let mut text: Vec<u8> = self.lines[a..b].concat();
        let kept = strip_newlines(&text).len();
        text.truncate(kept);
        let start = self.starts[a];
        let span = (start, start + chars(&text));
        (text, span)
    }
}

/// The span a hunk reason names: "line 4" or "lines 4-9".
fn span(out: &mut String, (a, b): (i64, i64)) {
    if a == b {
        let _ = write!(out, "line {a}");
    } else {
        let _ = write!(out, "lines {a}-{b}");
    }
}

/// The lines a group of removals repeats: one span when they copy a run line for line, else each span.
fn spans_of(out: &mut String, group: &[&Claim]) {
    let refs: Vec<(i64, i64)> = group.iter().filter_map(|c| c.dup.map(|d| (d.first, d.last))).collect();
    let shift = group[0].first as i64 - refs[0].0;
    if group
        .iter()
        .zip(&refs)
        .all(|(c, d)| c.first as i64 - d.0 == shift && c.last as i64 - d.1 == shift)
    {
        return span(out, (refs[0].0, refs[refs.len() - 1].1));
    }
    let mut distinct = refs.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() == 1 {
        return span(out, distinct[0]);
    }
    out.push_str("lines ");
    for (i, &(a, b)) in distinct.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if a == b {
            let _ = write!(out, "{a}");
        } else {
            let _ = write!(out, "{a}-{b}");
        }
    }
}

/// One phrase for the removals of a hunk (`report.diff.hunk_reason`): 'repeat of lines 6-21',
/// 'chrome:paywall; chrome:subscription', each phrase once.
fn hunk_reason(rel: &[u8], removals: &[&Claim]) -> Vec<u8> {
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let mut i = 0;
    while i < removals.len() {
        let r = removals[i];
        let mut j = i + 1;
        while j < removals.len() && removals[j].category == r.category {
            j += 1;
        }
        let group = &removals[i..j];
        let refs: Vec<&Ref> = group.iter().filter_map(|g| g.dup.as_ref()).collect();
        let mut part = Vec::new();
        if !refs.is_empty() && refs.len() == group.len() && refs.iter().all(|x| x.file == refs[0].file) {
            match r.category {
                b"repeat" => part.extend_from_slice(b"repeat of"),
                b"near-repeat" => part.extend_from_slice(b"near repeat of"),
                b"duplicate-document" => part.extend_from_slice(b"duplicate of"),
                other => {
                    part.extend_from_slice(other);
                    part.extend_from_slice(b" of");
                }
            }
            part.push(b' ');
            if refs[0].file != rel {
                part.extend_from_slice(refs[0].quoted);
                part.push(b' ');
            }
            let mut spans = String::new();
            spans_of(&mut spans, group);
            part.extend_from_slice(spans.as_bytes());
        } else if r.category == b"corpus-repeat" {
            part.extend_from_slice(b"template text seen across the corpus");
        } else {
            part.extend_from_slice(r.category);
        }
        if !parts.contains(&part) {
            parts.push(part);
        }
        i = j;
    }
    parts.join(b"; ".as_slice())
}

/// The document's hunks of changes.diff (`report.diff.file_diff`).
fn diff(doc: &Doc, lines: &[&[u8]], hunks: &[(usize, usize, usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    if hunks.is_empty() {
        return out;
    }
    let own;
    let lines: &[&[u8]] = match doc.diff_text {
        Some(bytes) => {
            own = split_lines(bytes);
            &own
        }
        None => lines,
    };
    for head in [(b"--- ", doc.heads.0), (b"+++ ", doc.heads.1)] {
        out.extend_from_slice(head.0);
        out.extend_from_slice(head.1);
        out.push(b'\n');
    }
    for &(first, count, kept_before) in hunks {
        let last = first + count - 1;
        let inside: Vec<&Claim> = doc
            .removals
            .iter()
            .filter(|r| r.first <= last && r.last >= first)
            .collect();
        let _ = write!(Bytes(&mut out), "@@ -{first},{count} +{kept_before},0 @@ ");
        out.extend_from_slice(&hunk_reason(doc.rel, &inside));
        out.push(b'\n');
        for line in lines.iter().take(last.min(lines.len())).skip(first.saturating_sub(1)) {
            out.push(b'-');
            out.extend_from_slice(line);
            if !line.ends_with(b"\n") {
                out.extend_from_slice(b"\n\\ No newline at end of file\n");
            }
        }
    }
    out
}

/// One line of removals.jsonl (or allowed.jsonl, with the entry), with its newline.
fn removal_line(out: &mut Vec<u8>, rel: &[u8], c: &Claim, score: &str, text: &[u8]) {
    out.extend_from_slice(b"{\"file\": ");
    push_string(out, rel);
    out.extend_from_slice(b", \"lines\": [");
    push_int(out, c.first);
    out.extend_from_slice(b", ");
    push_int(out, c.last);
    out.extend_from_slice(b"], \"category\": ");
    push_string(out, c.category);
    out.extend_from_slice(b", \"detector\": ");
    push_string(out, c.detector);
    out.extend_from_slice(b", \"score\": ");
    out.extend_from_slice(score.as_bytes());
    out.extend_from_slice(b", \"duplicate_of\": ");
    match &c.dup {
        None => out.extend_from_slice(b"null"),
        Some(d) => {
            out.extend_from_slice(b"{\"file\": ");
            push_string(out, d.file);
            out.extend_from_slice(b", \"lines\": [");
            push_int(out, d.first);
            out.extend_from_slice(b", ");
            push_int(out, d.last);
            out.push(b']');
            if !d.run.is_empty() {
                out.extend_from_slice(b", \"run\": ");
                push_string(out, d.run);
            }
            out.push(b'}');
        }
    }
    out.extend_from_slice(b", \"text\": ");
    push_string(out, text);
    if let Some(entry) = c.entry {
        out.extend_from_slice(b", \"allow\": ");
        push_string(out, entry);
    }
    out.extend_from_slice(b"}\n");
}

/// One item of a page row (`report.html._row_item`).
fn row_item(out: &mut Vec<u8>, c: &Claim, hash: u64, score: &str, text: &[u8]) {
    out.extend_from_slice(b"{\"l\":[");
    push_int(out, c.first);
    out.push(b',');
    push_int(out, c.last);
    out.extend_from_slice(b"],\"c\":");
    push_string(out, c.category);
    out.extend_from_slice(b",\"d\":");
    push_string(out, c.detector);
    // The key is the allow-list's (`allow.key_of_hash`), which a reviewer copies from the page.
    let _ = write!(Bytes(out), ",\"s\":{score},\"k\":\"xxh3:{hash:016x}\",\"t\":");
    let n = chars(text);
    if n > TEXT_LIMIT {
        let mut shown = first_chars(text, TEXT_LIMIT - 1).to_vec();
        shown.extend_from_slice("…".as_bytes());
        push_string(out, &shown);
        let _ = write!(Bytes(out), ",\"n\":{n}");
    } else {
        push_string(out, text);
    }
    if let Some(d) = &c.dup {
        out.extend_from_slice(b",\"o\":[");
        if d.run.is_empty() {
            push_string(out, d.file);
        } else {
            push_string(out, &[d.file, b" (run ", d.run, b")"].concat());
        }
        out.push(b',');
        push_int(out, d.first);
        out.push(b',');
        push_int(out, d.last);
        out.push(b']');
    }
    if let Some(entry) = c.entry {
        out.extend_from_slice(b",\"e\":");
        push_string(out, entry);
    }
    out.push(b'}');
}

/// A kept line as the page's context shows it: "" if blank, else without its line break, cut to
/// CONTEXT_CHARS characters.
fn context_text(line: &[u8]) -> Vec<u8> {
    if is_blank(line) {
        return Vec::new();
    }
    let mut s = line;
    while let [b'\r' | b'\n', rest @ ..] = s {
        s = rest;
    }
    let s = strip_newlines(s);
    if chars(s) <= CONTEXT_CHARS {
        return s.to_vec();
    }
    let mut out = first_chars(s, CONTEXT_CHARS - 1).to_vec();
    out.extend_from_slice("…".as_bytes());
    out
}

/// For each cut, the page's `[[first, last], before, after]` (`report.html.cut_context`), as compact JSON.
fn context(out: &mut Vec<u8>, hunks: &[(usize, usize, usize)], kept: &[&[u8]]) {
    out.push(b'[');
    for (h, &(start, count, k)) in hunks.iter().enumerate() {
        let prev_k = if h > 0 { hunks[h - 1].2 } else { 0 };
        let next_k = hunks.get(h + 1).map_or(kept.len(), |x| x.2);
        let mut before = Vec::new();
        let mut shown = 0;
        let mut o = k;
        while o > prev_k && shown < CONTEXT_LINES && k - (o - 1) <= CONTEXT_REACH {
            o -= 1;
            let text = context_text(kept[o]);
            shown += usize::from(!text.is_empty());
            before.push((start - (k - o), text));
        }
        before.reverse();
        let mut after = Vec::new();
        let (mut shown, mut o) = (0, k);
        while o < next_k && shown < CONTEXT_LINES && o - k < CONTEXT_REACH {
            let text = context_text(kept[o]);
            shown += usize::from(!text.is_empty());
            after.push((start + count + (o - k), text));
            o += 1;
        }
        if h > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"[[");
        push_int(out, start);
        out.push(b',');
        push_int(out, start + count - 1);
        out.extend_from_slice(b"],");
        for (side, items) in [before, after].iter().enumerate() {
            out.push(b'[');
            for (i, (line, text)) in items.iter().enumerate() {
                out.extend_from_slice(if i > 0 { b",[" } else { b"[" });
                push_int(out, *line);
                out.push(b',');
                push_string(out, text);
                out.push(b']');
            }
            out.extend_from_slice(if side == 0 { b"]," } else { b"]" });
        }
        out.push(b']');
    }
    out.push(b']');
}

/// The normalized hash of a long text (a whole duplicate document): `sign::normalize` of each of its lines
/// (a line break is a word break), the non-empty ones joined by spaces, hashed. Line by line, the ASCII
/// lines take normalize's fast path instead of the whole text taking the Unicode one.
pub fn text_key(text: &[u8]) -> u64 {
    let mut joined = String::with_capacity(text.len());
    let mut norm = String::new();
    for line in text.split(|&b| b == b'\n') {
        norm.clear();
        crate::sign::normalize_into(&crate::chars::one_char_per_surrogate(line), &mut norm);
        if !norm.is_empty() {
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(&norm);
        }
    }
    crate::hash::text_hash(joined.as_bytes())
}

/// An integer in decimal, as `write!` would put it (without the formatting machinery, which showed in
/// profiles of pass 2).
fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// A line number (`usize`, or `i64` as a reference holds it) in decimal.
fn push_int<T: Copy + std::fmt::Display + TryInto<u64>>(out: &mut Vec<u8>, n: T) {
    match n.try_into() {
        Ok(v) => push_u64(out, v),
        Err(_) => {
            let _ = write!(Bytes(out), "{n}");
        }
    }
}

/// `write!` into a byte vector.
struct Bytes<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Pass 2 for one document once its removals are decided: the cleaned copy, its diff, and its report lines.
pub fn finish(doc: &Doc) -> Finished {
    let lines = Lines::new(doc.text);
    let mut out = Finished::default();
    let texts: Vec<(Vec<u8>, (usize, usize))> = doc
        .removals
        .iter()
        .chain(doc.allowed)
        .map(|c| lines.text(c.first, c.last))
        .collect();
    out.spans = texts.iter().map(|(_, s)| *s).collect();
    out.hashes = doc
        .removals
        .iter()
        .chain(doc.allowed)
        .zip(&texts)
        .map(|(c, (t, _))| c.hash.unwrap_or_else(|| text_key(t)))
        .collect();
    let scores: Vec<String> = doc
        .removals
        .iter()
        .chain(doc.allowed)
        .map(|c| score_text(c.score))
        .collect();
    for (i, c) in doc.removals.iter().enumerate() {
        removal_line(&mut out.removal_lines, doc.rel, c, &scores[i], &texts[i].0);
    }
    let skip = doc.removals.len();
    for (i, c) in doc.allowed.iter().enumerate() {
        removal_line(
            &mut out.allowed_lines,
            doc.rel,
            c,
            &scores[skip + i],
            &texts[skip + i].0,
        );
    }
    let categories: Vec<&[u8]> = doc.removals.iter().map(|c| c.category).collect();
    out.tally = tally(&categories, &out.spans, &out.hashes);
    let mut hunks = Vec::new();
    let mut kept: Vec<&[u8]> = lines.lines.clone();
    if !doc.removals.is_empty() {
        let blank: Vec<bool> = lines.lines.iter().map(|l| is_blank(l)).collect();
        let cut: Vec<(usize, usize)> = doc.removals.iter().map(|c| (c.first, c.last)).collect();
        let keep = kept_lines(&blank, &cut);
        hunks = cuts(&keep);
        kept = lines
            .lines
            .iter()
            .zip(&keep)
            .filter(|(_, &k)| k)
            .map(|(l, _)| *l)
            .collect();
        let cleaned = kept.concat();
        out.out_chars = chars(&cleaned);
        out.cleaned = Some(cleaned);
        out.diff = diff(doc, &lines.lines, &hunks);
    } else {
        out.out_chars = lines.starts[lines.starts.len() - 1];
    }
    if !doc.removals.is_empty() || !doc.allowed.is_empty() {
        let row = &mut out.row;
        row.extend_from_slice(b"{\"f\":");
        push_string(row, doc.rel);
        if !doc.page.is_empty() {
            row.extend_from_slice(b",\"p\":");
            push_string(row, doc.page);
        }
        for (key, claims, at) in [("r", doc.removals, 0), ("a", doc.allowed, skip)] {
            let _ = write!(Bytes(row), ",\"{key}\":[");
            for (i, c) in claims.iter().enumerate() {
                if i > 0 {
                    row.push(b',');
                }
                row_item(row, c, out.hashes[at + i], &scores[at + i], &texts[at + i].0);
            }
            row.push(b']');
        }
        row.extend_from_slice(b",\"h\":");
        context(row, &hunks, &kept);
        row.extend_from_slice(b"}\n");
        script_safe(row);
    }
    out
}

/// A row made safe to paste as it is inside the review page's `<script>` data block: every `<`, `>` and `&`
/// (which JSON allows only inside strings: a key, a number or the syntax holds none) written as its `\u00XX`
/// escape, the same JSON value. The page then copies context.jsonl's rows into itself without reading them.
fn script_safe(row: &mut Vec<u8>) {
    if !row.iter().any(|&b| matches!(b, b'<' | b'>' | b'&')) {
        return;
    }
    let mut safe = Vec::with_capacity(row.len() + 32);
    for &b in row.iter() {
        match b {
            b'<' => safe.extend_from_slice(b"\\u003c"),
            b'>' => safe.extend_from_slice(b"\\u003e"),
            b'&' => safe.extend_from_slice(b"\\u0026"),
            _ => safe.push(b),
        }
    }
    *row = safe;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document of `text` with `removals` and nothing allowed, as pass 2 hands it over.
    fn doc<'a>(rel: &'a [u8], text: &'a str, removals: &'a [Claim<'a>], page: &'a [u8]) -> Doc<'a> {
        Doc {
            rel,
            heads: (b"a/a.txt", b"b/a.txt"),
            text: text.as_bytes(),
            diff_text: None,
            removals,
            allowed: &[],
            page,
        }
    }

    fn claim(first: usize, last: usize, category: &'static [u8]) -> Claim<'static> {
        Claim {
            first,
            last,
            category,
            detector: category,
            score: Score::Float(1.0),
            dup: None,
            hash: Some(0),
            entry: None,
        }
    }

    #[test]
    fn the_bytes_to_escape_are_found_eight_at_a_time() {
        let mut text: Vec<u8> = (0u8..=255).collect();
        text.extend_from_slice("plain text, caf\u{e9} \u{65e5} and more plain text".as_bytes());
        for start in 0..text.len() {
            for end in start..text.len().min(start + 40) {
                let s = &text[start..end];
                assert_eq!(next_escape(s), s.iter().position(|&b| escaped(b)), "{start} {end}");
            }
        }
    }

    #[test]
    fn characters_are_counted_as_python_counts_them() {
        let text = "a\u{e9}\u{65e5}\u{1f600}".repeat(200);
        for cut in [0, 1, 3, 6, 10, 254, 255, 256, 600, text.len()] {
            let t = &text.as_bytes()[..cut];
            assert_eq!(chars(t), t.iter().filter(|&&b| b & 0xC0 != 0x80).count(), "{cut}");
        }
        assert_eq!(chars(&[b'x'; 1000]), 1000);
        assert_eq!(chars(b"\xed\xb3\xa9"), 1);
    }

    #[test]
    fn lines_split_as_python_splits_them() {
        let text = "a\n\nbb b bbbbbbbbbbbbbbbb\ncccccccc\n\u{3000}\u{85}\n \t\r\n\x1c\ndone";
        for cut in 0..text.len() {
            let t = &text.as_bytes()[..cut];
            let mut want: Vec<&[u8]> = t.split_inclusive(|&b| b == b'\n').collect();
            if want.last().is_some_and(|l| l.is_empty()) {
                want.pop();
            }
            assert_eq!(split_lines(t), want, "{cut}");
        }
        let blank: Vec<bool> = split_lines(text.as_bytes()).iter().map(|l| is_blank(l)).collect();
        assert_eq!(blank, [false, true, false, false, true, true, true, false]);
        assert!(!is_blank(b" \xed\xb3\xa9\n") && !is_blank(" \u{200b}".as_bytes()) && is_blank(b""));
    }

    #[test]
    fn blank_runs_between_kept_blocks_keep_one_separator() {
        let blank = [false, true, false, true, true, false];
        assert_eq!(kept_lines(&blank, &[(3, 3)]), [true, true, false, false, false, true]);
        // At the start and at the end of the file the gap goes whole.
        assert_eq!(kept_lines(&blank, &[(1, 1)]), [false, false, true, true, true, true]);
        assert_eq!(kept_lines(&blank, &[(6, 6)]), [true, true, true, false, false, false]);
        assert_eq!(cuts(&[true, false, false, true, false]), [(2, 2, 1), (5, 1, 2)]);
    }

    #[test]
    fn scores_read_as_python_writes_them() {
        for (x, want) in [
            (1.0, "1.0"),
            (0.93456, "0.9346"),
            (0.03125, "0.0312"),
            (0.00005, "0.0001"),
            (0.00004, "0.0"),
            (-0.0, "-0.0"),
            (123456.0, "123456.0"),
            (1e16, "1e+16"),
            (2.5e17, "2.5e+17"),
        ] {
            assert_eq!(score_text(Score::Float(x)), want, "{x}");
        }
        assert_eq!(score_text(Score::Int(3)), "3");
        assert_eq!(score_text(Score::Float(f64::NAN)), "NaN");
    }

    #[test]
    fn removals_are_tallied_by_category_in_order_of_first_appearance() {
        let cats: [&[u8]; 5] = [b"chrome:tags", b"repeat", b"chrome:tags", DUPLICATE_DOCUMENT, b"repeat"];
        let spans = [(0, 4), (10, 12), (20, 21), (0, 30), (40, 40)];
        let t = tally(&cats, &spans, &[7, 8, 9, 10, 11]).unwrap();
        assert_eq!(t.categories, vec![(0, 2, 5), (1, 2, 2), (3, 1, 30)]);
        assert_eq!(t.ranks, vec![0, 1, 0, NO_KEY, 1]);
        assert_eq!(t.keys, vec![7, 8, 9, 0, 11]);
        assert_eq!(tally(&[], &[], &[]), Some(Tally::default()));
        // A rank that would read as NO_KEY is refused.
        let many: Vec<Vec<u8>> = (0..256).map(|i: u32| i.to_string().into_bytes()).collect();
        let names: Vec<&[u8]> = many.iter().map(Vec::as_slice).collect();
        assert!(tally(&names[..255], &[(0, 1); 255], &[1; 255]).is_some());
        assert!(tally(&names, &[(0, 1); 256], &[1; 256]).is_none());
    }

    #[test]
    fn rounding_in_integers_is_rounding_through_the_decimal_string() {
        let mut v = 0x9E37_79B9_7F4A_7C15u64;
        let mut fast = 0;
        for i in 0..120_000u32 {
            v ^= v << 13;
            v ^= v >> 7;
            v ^= v << 17;
            #[allow(clippy::cast_precision_loss)]
            let x = match i % 6 {
                0 => f64::from_bits(v),
                1 => (v >> 11) as f64 / (1u64 << 53) as f64,
                // ties and the floats beside them
                2 => (v >> 44) as f64 / 32.0 / 1e4,
                3 => ((v >> 44) as f64 + 0.5) / 1e4,
                4 => f64::from_bits((((v >> 44) | 1) as f64 / 32.0).to_bits() + (v & 3) - 1),
                _ => -((v >> 20) as f64) / 7.0,
            };
            if !x.is_finite() {
                continue;
            }
            let slow: f64 = format!("{x:.4}").parse().unwrap();
            if let Some(r) = round4(x) {
                fast += 1;
                assert_eq!(r.to_bits(), slow.to_bits(), "{x:e}");
            }
        }
        assert!(fast > 80_000, "{fast}");
    }

    #[test]
    fn a_repeat_is_cut_and_reported() {
        let text = "Title\n\nBody line.\n\nTitle\n";
        let dup = Ref {
            file: b"a.txt",
            quoted: b"a.txt",
            first: 1,
            last: 1,
            run: b"",
        };
        let removals = [Claim {
            dup: Some(dup),
            ..claim(5, 5, b"repeat")
        }];
        let out = finish(&doc(b"a.txt", text, &removals, b"listing"));
        assert_eq!(out.cleaned.as_deref(), Some(b"Title\n\nBody line.\n".as_slice()));
        assert_eq!(
            String::from_utf8(out.diff).unwrap(),
            "--- a/a.txt\n+++ b/a.txt\n@@ -4,2 +3,0 @@ repeat of line 1\n-\n-Title\n"
        );
        assert_eq!(out.spans, [(19, 24)]);
        let row = String::from_utf8(out.row).unwrap();
        assert!(row.starts_with("{\"f\":\"a.txt\",\"p\":\"listing\",\"r\":["));
        assert!(row.ends_with("\"h\":[[[4,5],[[3,\"Body line.\"]],[]]]}\n"));
    }

    #[test]
    fn a_row_holds_no_byte_that_could_end_the_pages_script() {
        let text = "Kept <b>one</b> & two\n</script><!-- R&D -->\nKept last > first\n";
        let removals = [claim(2, 2, b"chrome:tags")];
        let out = finish(&doc(b"a<&>.txt", text, &removals, b""));
        let row = String::from_utf8(out.row).unwrap();
        assert!(!row.contains(['<', '>', '&']), "{row}");
        assert!(
            row.starts_with("{\"f\":\"a\\u003c\\u0026\\u003e.txt\",\"r\":["),
            "{row}"
        );
        assert!(
            row.contains("\\u003c/script\\u003e\\u003c!-- R\\u0026D --\\u003e"),
            "{row}"
        );
        assert!(
            row.contains("[1,\"Kept \\u003cb\\u003eone\\u003c/b\\u003e \\u0026 two\"]"),
            "{row}"
        );
        // The removals' lines keep their text as it is: only the page's rows are pasted into a script.
        assert!(String::from_utf8(out.removal_lines)
            .unwrap()
            .contains("\"text\": \"</script><!-- R&D -->\""));
    }

    #[test]
    fn a_whole_documents_key_is_the_hash_of_its_normalized_text() {
        let text = "Caf\u{e9} \u{2014} Stra\u{df}e\r\n\nplain LINE\n";
        assert_eq!(
            text_key(text.as_bytes()),
            crate::hash::text_hash(crate::sign::normalize(text).as_bytes())
        );
        // A lone surrogate (surrogatepass bytes) counts as one U+FFFD, as the binding reads it elsewhere.
        assert_eq!(text_key(b"a \xed\xb3\xa9 b"), text_key("a \u{fffd} b".as_bytes()));
    }

    #[test]
    fn strings_escape_as_json_does() {
        let mut out = Vec::new();
        push_string(&mut out, "a\"\\\n\u{1}\u{7f}é".as_bytes());
        assert_eq!(String::from_utf8(out).unwrap(), "\"a\\\"\\\\\\n\\u0001\u{7f}é\"");
        let mut out = Vec::new();
        push_string(&mut out, b"\x1f\x08\x0c\ttab\r\n\"\"end\\");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"\\u001f\\b\\f\\ttab\\r\\n\\\"\\\"end\\\\\""
        );
    }
}
