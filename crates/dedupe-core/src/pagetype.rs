//! What the page kind reads of a block (`dedupe/detect/pagetype.py`): whether it holds a date or a time.
//!
//! A date or a time as digits, in the usual orders (2024-01-05, 05/01/2024, 5.1.24, 09:14, "Oct 17, 2010",
//! "17 Oct 2010", 2019年2月23日): digits and separators, so any language's month names pass. A day.month.year is
//! not part of a longer dotted number: 10.10.1.10 (an address) and 2.10.1.12 (a version) hold no date 10.1.10.
//! The rules are pagetype.py's former regular expression, read by hand so that it answers as Python's `re` did
//! (its `\d`, `\s` and `\b` are Python's: `chars`), without a search that tries every position five times.

use crate::chars::{is_digit, is_space, is_word};

/// Whether a block holds a date or a time written in digits.
pub fn has_stamp(text: &str) -> bool {
    // (every reading holds a digit: most blocks have none)
    if !text.chars().any(is_digit) {
        return false;
    }
    let t: Vec<char> = text.chars().collect();
    (0..t.len()).any(|p| {
        let boundary = p == 0 || !is_word(t[p - 1]);
        boundary && (year_first(&t, p) || clock(&t, p) || day_month_year_words(&t, p))
            || day_month_year(&t, p)
            || p == 0 && month_words_first(&t)
            || p > 0 && is_word(t[p - 1]) != is_word(t[p]) && month_words(&t, p)
    })
}

/// The character at `i`, if any.
fn at(t: &[char], i: usize) -> Option<char> {
    t.get(i).copied()
}

fn digit(t: &[char], i: usize) -> bool {
    at(t, i).is_some_and(is_digit)
}

/// `(?:1[89]|20)` at i: a century of the years a page dates.
fn century(t: &[char], i: usize) -> bool {
    matches!(
        (at(t, i), at(t, i + 1)),
        (Some('1'), Some('8' | '9')) | (Some('2'), Some('0'))
    )
}

/// `\b` after a match that ends at `end` with a word character: the next character is none or not a word's.
fn word_ends(t: &[char], end: usize) -> bool {
    !at(t, end).is_some_and(is_word)
}

/// `(?:1[89]|20)\d{2}[-/.年]\s?\d` at p (2024-01-05, 2019年2月): the rest of that alternative is optional.
fn year_first(t: &[char], p: usize) -> bool {
    if !(century(t, p) && digit(t, p + 2) && digit(t, p + 3) && matches!(at(t, p + 4), Some('-' | '/' | '.' | '年'))) {
        return false;
    }
    digit(t, p + 5) || at(t, p + 5).is_some_and(is_space) && digit(t, p + 6)
}

/// `\d{1,2}:\d{2}\b` at p (09:14).
fn clock(t: &[char], p: usize) -> bool {
    (1..=2).any(|a| {
        (0..a).all(|i| digit(t, p + i))
            && at(t, p + a) == Some(':')
            && digit(t, p + a + 1)
            && digit(t, p + a + 2)
            && word_ends(t, p + a + 3)
    })
}

/// `(?<![\d.])\d{1,2}[-/.]\d{1,2}[-/.](?:1[89]|20)?\d{2}(?![.\d])` at p (05/01/2024, 5.1.24), every way the
/// optional parts can be read.
fn day_month_year(t: &[char], p: usize) -> bool {
    if p > 0 && (is_digit(t[p - 1]) || t[p - 1] == '.') {
        return false;
    }
    let sep = |i: usize| matches!(at(t, i), Some('-' | '/' | '.'));
    for a in 1..=2 {
        if !(0..a).all(|i| digit(t, p + i)) || !sep(p + a) {
            continue;
        }
        for b in 1..=2 {
            let m = p + a + 1;
            if !(0..b).all(|i| digit(t, m + i)) || !sep(m + b) {
                continue;
            }
            let y = m + b + 1;
            for c in [2usize, 0] {
                if c == 2 && !century(t, y) {
                    continue;
                }
                let end = y + c + 2;
                if digit(t, y + c) && digit(t, y + c + 1) && !at(t, end).is_some_and(|e| e == '.' || is_digit(e)) {
                    return true;
                }
            }
        }
    }
    false
}

/// The end of a run of white space that starts at i (i itself when there is none).
fn spaces(t: &[char], mut i: usize) -> usize {
    while at(t, i).is_some_and(is_space) {
        i += 1;
    }
    i
}

/// The end of a run of characters other than white space that starts at i.
fn non_spaces(t: &[char], mut i: usize) -> usize {
    while at(t, i).is_some_and(|c| !is_space(c)) {
        i += 1;
    }
    i
}

/// `\d{1,2}(?:st|nd|rd|th)?,?` as the whole of t[i..end] (a day: "17", "3rd", "17,").
fn day(t: &[char], i: usize, end: usize) -> bool {
    (1..=2).any(|a| {
        if i + a > end || !(0..a).all(|k| digit(t, i + k)) {
            return false;
        }
        let rest = &t[i + a..end];
        let rest = rest.strip_suffix(&[',']).unwrap_or(rest);
        rest.is_empty() || matches!(rest, ['s', 't'] | ['n', 'd'] | ['r', 'd'] | ['t', 'h'])
    })
}

/// `\s+(?:1[89]|20)\d{2}\b` from i: white space, then a year.
fn then_year(t: &[char], i: usize) -> bool {
    let y = spaces(t, i);
    y > i && century(t, y) && digit(t, y + 2) && digit(t, y + 3) && word_ends(t, y + 4)
}

/// `\d{1,2}(?:st|nd|rd|th)?,?\s+\S{3,10}\.?,?\s+(?:1[89]|20)\d{2}\b` at p ("17 Oct 2010", "3rd March, 2019").
/// The day is a whole run of non-space characters (white space follows it), and so is the month's word: three to
/// ten characters, then maybe a full stop and a comma.
fn day_month_year_words(t: &[char], p: usize) -> bool {
    let day_end = non_spaces(t, p);
    if !day(t, p, day_end) {
        return false;
    }
    let word = spaces(t, day_end);
    if word == day_end {
        return false;
    }
    let word_end = non_spaces(t, word);
    month(&t[word..word_end], true) && then_year(t, word_end)
}

/// `\S{3,10}\.?` (comma: then `,?`) as the whole of a run of non-space characters.
fn month(run: &[char], comma: bool) -> bool {
    let n = run.len();
    let ends = |c: char| run.last() == Some(&c);
    (3..=10).contains(&n)
        || n == 11 && (ends('.') || comma && ends(','))
        || comma && n == 12 && run[10] == '.' && run[11] == ','
}

/// `\b\S{3,10}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:1[89]|20)\d{2}\b` from p ("Oct 17, 2010", "Mar. 3rd 2019"),
/// where a word boundary lies before p: the month's word runs from p to white space.
fn month_words(t: &[char], p: usize) -> bool {
    if is_space(t[p]) {
        return false;
    }
    let word_end = non_spaces(t, p);
    if !month(&t[p..word_end], false) {
        return false;
    }
    let day_start = spaces(t, word_end);
    if day_start == word_end {
        return false;
    }
    let day_end = non_spaces(t, day_start);
    day(t, day_start, day_end) && then_year(t, day_end)
}

/// `month_words` at the start of the text, where `\b` needs a word character first.
fn month_words_first(t: &[char]) -> bool {
    t.first().is_some_and(|&c| is_word(c)) && month_words(t, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        for text in [
            "2024-01-05",
            "posted 05/01/2024 by x",
            "5.1.24",
            "at 09:14",
            "Oct 17, 2010",
            "17 Oct 2010",
            "2019年2月23日",
            "3rd March, 2019",
            "Mar. 3rd 2019",
            "(Oct 17, 2010)",
        ] {
            assert!(has_stamp(text), "{text}");
        }
        for text in [
            "10.10.1.10",
            "2.10.1.12",
            "no date here",
            "2005 - 1",
            "123:45",
            "1:234",
            "Oct 17, 1776",
            "x17 Oct 2010",
            "17 October-and-more 2010",
            "",
        ] {
            assert!(!has_stamp(text), "{text}");
        }
    }
}
