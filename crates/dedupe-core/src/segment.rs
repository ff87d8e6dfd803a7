//! Segment: split a document into blocks (paragraphs) with 1-based line spans.
//!
//! Two layouts occur in scraped text and both must work:
//!
//! * one paragraph per line, with or without blank lines between (all samples, and whole-page text dumps
//!   where every menu item and list item is a line);
//! * hard-wrapped paragraphs: a paragraph over several lines filled up to a fixed column (Project Gutenberg
//!   texts at about 70, e-mail at 72), blank lines between.
//!
//! A run of non-blank lines is one block when it looks hard-wrapped, and one block per line otherwise (a
//! list, a menu, or consecutive one-line paragraphs). Lengths are counted in characters (code points), and
//! white space, digits and lower case are Python's (`chars`), as the Python stage this replaces counted them.

use std::collections::HashSet;

use crate::chars::{is_digit, is_lower, is_space, strip};

/// Wrapped prose rarely exceeds this width; one-paragraph-per-line text usually does.
pub const MAX_WRAP_WIDTH: usize = 100;
/// Narrower runs are menus, addresses and short lists, not wrapped prose.
pub const MIN_WRAP_WIDTH: usize = 30;

/// A paragraph: 1-based inclusive line span, and its text (its stripped lines joined by single spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub first_line: usize,
    pub last_line: usize,
    pub text: String,
}

/// A stripped line and its length in characters.
#[derive(Clone, Copy)]
struct Line<'a> {
    text: &'a str,
    len: usize,
}

/// The blocks of a text, in order, each with its line span.
pub fn segment(text: &str) -> Vec<Block> {
    let mut texts = String::new();
    let mut spans = Vec::new();
    segment_into(text, &mut texts, &mut spans);
    let mut start = 0;
    spans
        .into_iter()
        .map(|(first_line, last_line, end)| {
            let block = Block {
                first_line,
                last_line,
                text: texts[start..end].to_string(),
            };
            start = end;
            block
        })
        .collect()
}

/// A text's lines as `str.split("\n")` cuts them, but for the empty piece after a last line break: an empty
/// text has none, a last line without its line break counts.
pub fn line_count(text: &str) -> usize {
    let breaks = text.bytes().filter(|&b| b == b'\n').count();
    breaks + usize::from(!text.is_empty() && !text.ends_with('\n'))
}

/// `segment` with the blocks' texts appended end to end to `texts` (no string a block) and each block's span
/// pushed to `spans` as (first line, last line, where its text ends in `texts`): a batch's blocks in one buffer.
pub fn segment_into(text: &str, texts: &mut String, spans: &mut Vec<(usize, usize, usize)>) {
    // Every line stripped once (a line's ending is white space too): a blank line is an empty string.
    let lines: Vec<Line> = text
        .split('\n')
        .map(|l| {
            let text = strip(l);
            Line {
                text,
                len: text.chars().count(),
            }
        })
        .collect();
    let runs = runs(&lines);
    let width = wrap_width(&lines, &runs);
    for &(i, j) in &runs {
        let run = &lines[i..j];
        // In a document wrapped at a known column, a short paragraph whose first line happens to end a
        // sentence is still one paragraph: test it against that column.
        let whole = [(0, run.len())];
        let parts = if j - i > 1 && wrapped(run, width) {
            whole.to_vec()
        } else {
            pieces(run, width)
        };
        for (a, b) in parts {
            join_into(&run[a..b], texts);
            spans.push((i + a + 1, i + b, texts.len()));
        }
    }
}

/// Lines joined by single spaces, appended to `out`.
fn join_into(lines: &[Line], out: &mut String) {
    for (k, l) in lines.iter().enumerate() {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(l.text);
    }
}

/// The longest a wrapped paragraph inside a run of other lines is looked for (bounds the search on long runs).
const MAX_PIECE: usize = 64;

/// Whether a run of lines is one hard-wrapped paragraph, by its own width or the document's.
fn wrapped(run: &[Line], width: Option<usize>) -> bool {
    looks_wrapped(run, None) || (width.is_some() && looks_wrapped(run, width))
}

/// A run that is not one paragraph, as (start, end) pieces: each line alone, except a hard-wrapped paragraph
/// inside it (the longest from each line on), which is one piece.
///
/// Without this, a one-line block (a prompt, a heading) right above a wrapped paragraph with no blank line
/// between cut the paragraph into its lines; once the one-line block was removed, a second run read the
/// paragraph whole, and a rule could match it then: cleaning a cleaned text removed more.
fn pieces(run: &[Line], width: Option<usize>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut a = 0;
    while a < run.len() {
        let mut best = a + 1;
        let mut b = a + 2;
        // Lines that are not filled to the column stay so when the piece grows (its width only grows).
        while b <= run.len().min(a + MAX_PIECE) && can_grow(&run[a..b], width) {
            if wrapped(&run[a..b], width) {
                best = b;
            }
            b += 1;
        }
        out.push((a, best));
        a = best;
    }
    out
}

/// Whether some longer piece starting as `run` does could still be a wrapped paragraph.
fn can_grow(run: &[Line], width: Option<usize>) -> bool {
    let w = widest(run);
    (w <= MAX_WRAP_WIDTH && filled(run, w)) || width.is_some_and(|k| filled(run, k))
}

/// (start, end) 0-based half-open spans of the runs of non-blank lines.
fn runs(lines: &[Line]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, line) in lines.iter().enumerate() {
        match (line.text.is_empty(), start) {
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, lines.len()));
    }
    out
}

/// The column a document is hard-wrapped at, if its paragraphs show one clearly.
///
/// Two wrapped paragraphs of at least three lines whose widest lines agree within a few columns establish
/// it; one paragraph alone could be chance.
fn wrap_width(lines: &[Line], spans: &[(usize, usize)]) -> Option<usize> {
    if spans.iter().all(|&(i, j)| j - i < 3) {
        return None; // no paragraph to measure (one paragraph per line, a menu)
    }
    // Each distinct paragraph counts once: a paragraph pasted twice must not move the column, or the cleaned
    // copy (which keeps one) would be cut into other blocks than the page was.
    let mut seen: HashSet<Vec<&str>> = HashSet::new();
    let mut widths: Vec<usize> = Vec::new();
    for &(i, j) in spans {
        let run = &lines[i..j];
        if run.len() >= 3 && seen.insert(run.iter().map(|l| l.text).collect()) && looks_wrapped(run, None) {
            widths.push(widest(run));
        }
    }
    if widths.len() < 2 {
        return None;
    }
    widths.sort_unstable();
    // The wrap column is at least the widest line of most paragraphs: take the upper median.
    let w = widths[widths.len() / 2];
    let agree = widths.iter().filter(|&&x| x + 8 >= w && x <= w).count();
    (agree >= 2 && 2 * agree >= widths.len()).then_some(w)
}

fn widest(run: &[Line]) -> usize {
    run.iter().map(|l| l.len).max().unwrap_or(0)
}

/// Whether a run of non-blank (stripped) lines is one hard-wrapped paragraph.
///
/// Every line but the last is filled to the column (the next word would not have fitted), no line after
/// the first starts a list item, and, unless the document's wrap width is known from its other paragraphs,
/// most lines end mid-sentence and most continuation lines start in lower case. A menu (short, uneven
/// lines), a list, or consecutive one-line paragraphs (long lines, or lines that each end a sentence) are
/// not wrapped.
fn looks_wrapped(run: &[Line], width: Option<usize>) -> bool {
    if run.len() < 2 {
        return false;
    }
    let known = width.filter(|&w| w > 0);
    let w = known.unwrap_or_else(|| widest(run));
    if !(MIN_WRAP_WIDTH..=MAX_WRAP_WIDTH).contains(&w) {
        return false;
    }
    if run[1..].iter().any(|l| list_item(l.text)) || !filled(run, w) {
        return false;
    }
    if known.is_some() {
        return true;
    }
    let body = &run[..run.len() - 1];
    let ended = body.iter().filter(|l| ends_terminal(l.text)).count();
    // A wrapped line mostly continues a sentence in lower case; list and menu items start with a capital, a
    // digit or a symbol.
    let lower = run[1..]
        .iter()
        .filter(|l| l.text.chars().next().is_some_and(is_lower))
        .count();
    2 * ended <= body.len() && 2 * lower >= body.len()
}

/// Whether a run of stripped lines (as Python strings, for the tests) is one hard-wrapped paragraph.
pub fn looks_wrapped_lines(run: &[&str], width: Option<usize>) -> bool {
    let lines: Vec<Line> = run
        .iter()
        .map(|&text| Line {
            text,
            len: text.chars().count(),
        })
        .collect();
    looks_wrapped(&lines, width)
}

/// Whether every line but the last was broken because the next word would (nearly) not fit in `width`.
///
/// That is what a wrapping editor does, and what a list of short items (whose next item would often have
/// fitted on the line) does not. The slack allows for fillers that balance lines instead of filling each
/// greedily (`fmt`).
fn filled(run: &[Line], width: usize) -> bool {
    let slack = (width / 8).max(3);
    run.windows(2)
        .all(|pair| pair[0].len <= width && pair[0].len + 1 + first_word_len(pair[1].text) + slack > width)
        && run[run.len() - 1].len <= width
}

/// The length in characters of a line's first word (`str.split()`'s first item).
fn first_word_len(line: &str) -> usize {
    line.split(is_space)
        .find(|w| !w.is_empty())
        .map_or(0, |w| w.chars().count())
}

/// Whether a line ends a sentence or a clause: `[.!?:;"”’)\]]\s*$`.
fn ends_terminal(line: &str) -> bool {
    matches!(
        line.trim_end_matches(is_space).chars().next_back(),
        Some('.' | '!' | '?' | ':' | ';' | '"' | '\u{201d}' | '\u{2019}' | ')' | ']')
    )
}

/// Whether a line starts a list item: `^\s*(?:[-*•·▪◦‣–—>+]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])\s`, a bullet, a
/// dash, or a number or letter with `.` or `)`, then white space.
fn list_item(line: &str) -> bool {
    let rest = line.trim_start_matches(is_space);
    let then_space = |s: &str| s.chars().next().is_some_and(is_space);
    let mut chars = rest.chars();
    match chars.next() {
        Some('-' | '*' | '\u{2022}' | '\u{b7}' | '\u{25aa}' | '\u{25e6}' | '\u{2023}' | '\u{2013}' | '\u{2014}')
        | Some('>' | '+') => return then_space(chars.as_str()),
        None => return false,
        _ => {}
    }
    let item = rest.strip_prefix('(').unwrap_or(rest);
    let closes = |s: &str| s.strip_prefix(['.', ')']).is_some_and(then_space);
    let digits = item.chars().take_while(|&c| is_digit(c)).count();
    if (1..=3).contains(&digits) {
        let after: usize = item.chars().take(digits).map(char::len_utf8).sum();
        if closes(&item[after..]) {
            return true;
        }
    }
    let mut letter = item.chars();
    letter.next().is_some_and(|c| c.is_ascii_alphabetic()) && closes(letter.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_as_the_pipeline_counts_them() {
        for (text, n) in [
            ("", 0),
            ("a", 1),
            ("a\n", 1),
            ("a\nb", 2),
            ("\n", 1),
            ("\n\n", 2),
            ("a\r\nb\r\n", 2),
        ] {
            assert_eq!(line_count(text), n, "{text:?}");
        }
    }

    fn spans(text: &str) -> Vec<(usize, usize)> {
        segment(text).iter().map(|b| (b.first_line, b.last_line)).collect()
    }

    #[test]
    fn one_paragraph_per_line_is_one_block_per_line() {
        assert_eq!(
            spans("First line.\nSecond line.\n\nThird.\n"),
            vec![(1, 1), (2, 2), (4, 4)]
        );
        assert_eq!(
            segment("  Menu \r\n"),
            vec![Block {
                first_line: 1,
                last_line: 1,
                text: "Menu".into()
            }]
        );
        assert!(segment("").is_empty() && segment("\n \n\x1c\n").is_empty());
    }

    #[test]
    fn a_hard_wrapped_paragraph_is_one_block() {
        let text = "It is a truth universally acknowledged, that a single man in\n\
                    possession of a good fortune, must be in want of a wife. However\n\
                    little known the feelings or views of such a man may be.\n";
        let blocks = segment(text);
        assert_eq!(blocks.len(), 1);
        assert_eq!((blocks[0].first_line, blocks[0].last_line), (1, 3));
        assert!(blocks[0]
            .text
            .starts_with("It is a truth universally acknowledged, that a single man in possession"));
    }

    #[test]
    fn a_wrapped_paragraph_under_a_line_is_one_block_as_it_is_without_the_line() {
        let para = "(Only the headline and picture of this report may have been reworked\n\
                    by the Business Standard staff; the rest of the content is auto-\n\
                    generated from a syndicated feed.)";
        let alone = segment(para);
        assert_eq!(alone.len(), 1);
        let under = segment(&format!("Subscribe now for unlimited access.\n{para}"));
        assert_eq!(
            spans(&format!("Subscribe now for unlimited access.\n{para}")),
            vec![(1, 1), (2, 4)]
        );
        assert_eq!(under[1].text, alone[0].text);
        // pasted twice with no blank line between: two paragraphs, each whole
        assert_eq!(spans(&format!("{para}\n{para}")), vec![(1, 3), (4, 6)]);
        // a menu stays a line a block
        assert_eq!(
            spans("Home\nNews\nSport\nWeather"),
            vec![(1, 1), (2, 2), (3, 3), (4, 4)]
        );
    }

    #[test]
    fn list_items() {
        for line in [
            "- item",
            "• item",
            "12. item",
            "(3) item",
            "a) item",
            "(B. item",
            "\u{967}\u{966}. item",
        ] {
            assert!(list_item(line), "{line}");
        }
        for line in ["-item", "1234. item", "ab) item", "12.item", "(", "", "word"] {
            assert!(!list_item(line), "{line}");
        }
    }

    #[test]
    fn terminal_and_first_word() {
        assert!(ends_terminal("a sentence.") && ends_terminal("he said \u{201d}") && !ends_terminal("a clause,"));
        assert_eq!(first_word_len("h\u{e9}llo world"), 5);
        assert_eq!(first_word_len("one\x1ctwo"), 3);
    }
}
