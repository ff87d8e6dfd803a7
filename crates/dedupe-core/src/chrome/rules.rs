//! What the phrasing rules' matches are checked against before the extent reads them (chrome.py's
//! `find_chrome`, its first lines): a rule's phrasing that is the page's own content by its neighbours.
//!
//! - `${count}` in a code sample, or in a help text's option laid out in columns, is the sample's own syntax,
//!   not a template the server failed to fill (template-error beside code or columns).
//! - A decorator (`@property`, which the handle rule reads as a social account) or a value a sample prints
//!   (`nan`, `null`) beside a code line is the code's own.
//! - An item of a list is one of the article's points, and its words are the topic's ("- Affiliate programs:
//!   creators earn a commission on...") for the kinds that say, in sentences, what a site says of itself.
//! - The answers of a FAQ ("Can I cancel? Yes, you can unsubscribe at any time...") are not the prompts their
//!   phrasing resembles.
//! - In an extractor's main text, a byline under every title is a field of a list's items, and a notice between
//!   two paragraphs of prose is the text's own sentence about its subject.

use super::{Family, DISCLAIMER, NEWSLETTER, PAYWALL, SOCIAL, TEMPLATE_ERROR};
use crate::chars::{is_space, is_word};
use crate::classify::{GOOD, NEAR};
use crate::pagetype::holds_code;
use crate::repeats::content::list_item;

/// Bylines an extractor's main text holds at least to be a list's, one under each item.
pub const BYLINES_LISTED: usize = 3;
/// A page's questions make a FAQ when at least this many are each answered by a block that is no question.
pub const FAQ_QUESTIONS: usize = 3;
/// An answer is a sentence of at least this many words (a "Reply" or "Subscribe" button under a question is not).
pub const FAQ_ANSWER_WORDS: i64 = 8;
/// A question is a line of at most this many words that ends with a question mark.
pub const FAQ_QUESTION_WORDS: i64 = 30;

/// The kinds whose list items are the article's points (a disclosure, a newsletter's or a paywall's prompt).
pub const POINT_KINDS: [u8; 3] = [DISCLAIMER, NEWSLETTER, PAYWALL];

/// The rules' matches less those that are the page's content (the module's list), before the classes are read.
pub fn filter_matches(families: &mut [Option<Family>], texts: &[&str], sizes: &[i64], whole_page: bool) {
    let n = families.len();
    let has = |families: &[Option<Family>], test: &dyn Fn(Family) -> bool| families.iter().flatten().any(|&f| test(f));
    if has(families, &|f| f.kind == TEMPLATE_ERROR) {
        for k in 0..n {
            if families[k].is_some_and(|f| f.kind == TEMPLATE_ERROR) && (holds_code(texts[k]) || in_columns(k, texts)) {
                families[k] = None;
            }
        }
    }
    if has(families, &|f| f.kind == SOCIAL || f.kind == TEMPLATE_ERROR) {
        // (each block's neighbours are read on the matches as they stood before this filter)
        let beside: Vec<bool> = (0..n)
            .map(|k| {
                families[k]
                    .is_some_and(|f| (f.kind == SOCIAL || f.kind == TEMPLATE_ERROR) && beside_code(k, texts, f.kind))
            })
            .collect();
        for k in (0..n).filter(|&k| beside[k]) {
            families[k] = None;
        }
    }
    if has(families, &|f| POINT_KINDS.contains(&f.kind)) {
        for k in 0..n {
            if families[k].is_some_and(|f| POINT_KINDS.contains(&f.kind)) && list_item(texts[k]) {
                families[k] = None;
            }
        }
    }
    if families.iter().any(Option::is_some) {
        faq_answers(families, texts, sizes);
    }
    if !whole_page && families.iter().flatten().filter(|f| f.byline).count() >= BYLINES_LISTED {
        for f in families.iter_mut() {
            if f.is_some_and(|f| f.byline) {
                *f = None;
            }
        }
    }
}

/// In an extractor's main text, the notices between two paragraphs of prose are the text's own (read once the
/// classes are known).
pub fn filter_notices(families: &mut [Option<Family>], classes: &[u8], whole_page: bool) {
    let n = families.len();
    if whole_page || !families.iter().flatten().any(|f| f.kind == DISCLAIMER) {
        return;
    }
    let prose = |k: usize| classes[k] == GOOD || classes[k] == NEAR;
    let between: Vec<bool> = (0..n)
        .map(|k| 0 < k && k + 1 < n && prose(k - 1) && prose(k + 1))
        .collect();
    for (f, between) in families.iter_mut().zip(between) {
        if between && f.is_some_and(|f| f.kind == DISCLAIMER) {
            *f = None;
        }
    }
}

/// `re`'s `$` at the end of a text: its end, or before a newline that ends it.
fn before_end(text: &str) -> &str {
    text.strip_suffix('\n').unwrap_or(text)
}

/// A lone token: a decorator or handle, a word, a value (the former `^@?[\w.]+$`).
fn token_line(text: &str) -> bool {
    let text = before_end(text);
    let rest = text.strip_prefix('@').unwrap_or(text);
    !rest.is_empty() && rest.chars().all(|c| is_word(c) || c == '.')
}

/// A call or a definition's head: a name with its arguments in brackets, no space between ("def area(self):",
/// "render(request)"; the former `[A-Za-z_]\w*\([^()]*\)`).
fn holds_call(text: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    (0..t.len()).any(|j| {
        if t[j] != '(' {
            return false;
        }
        // (a name: word characters before the bracket, one of them an ASCII letter or `_` where it starts)
        let named = t[..j]
            .iter()
            .rev()
            .take_while(|&&c| is_word(c))
            .any(|&c| c.is_ascii_alphabetic() || c == '_');
        named && t[j + 1..].iter().find(|&&c| c == '(' || c == ')') == Some(&')')
    })
}

/// Whether block k is a lone token whose nearest other line, before or after it (past other lone tokens and
/// decorators), holds code or a call; of the social rule's lines, only a handle.
fn beside_code(k: usize, texts: &[&str], kind: u8) -> bool {
    if !token_line(texts[k]) || kind == SOCIAL && !texts[k].starts_with('@') {
        return false;
    }
    let n = texts.len();
    for step in [-1isize, 1] {
        let mut j = k as isize + step;
        while (0..n as isize).contains(&j) && (token_line(texts[j as usize]) || texts[j as usize].starts_with('@')) {
            j += step;
        }
        if (0..n as isize).contains(&j) && (holds_code(texts[j as usize]) || holds_call(texts[j as usize])) {
            return true;
        }
    }
    false
}

/// Text laid out in columns: a run of at least three spaces between two other characters (the former
/// `\S {3,}\S`): an option and its help, a table's cells in a preformatted listing.
fn columns(text: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < t.len() {
        if t[i] != ' ' {
            i += 1;
            continue;
        }
        let j = i + t[i..].iter().take_while(|&&c| c == ' ').count();
        if j - i >= 3 && i > 0 && !is_space(t[i - 1]) && j < t.len() && !is_space(t[j]) {
            return true;
        }
        i = j;
    }
    false
}

/// Whether a block next to block k is laid out in columns: k is a line of a preformatted listing.
fn in_columns(k: usize, texts: &[&str]) -> bool {
    [k.checked_sub(1), Some(k + 1)]
        .into_iter()
        .flatten()
        .any(|j| j < texts.len() && columns(texts[j]))
}

/// Whether a text ends, less its trailing white space, with a question mark (ASCII or full-width).
fn question(text: &str) -> bool {
    text.trim_end_matches(is_space).ends_with(['?', '？'])
}

/// The matches without the answers of a FAQ: a block of a sentence or more right after a question, on a page
/// that asks FAQ_QUESTIONS such questions. One question before a prompt ("Want more? Sign up...") is a hook.
fn faq_answers(families: &mut [Option<Family>], texts: &[&str], sizes: &[i64]) {
    let n = families.len();
    let answers: Vec<usize> = (0..n.saturating_sub(1))
        .filter(|&k| {
            families[k].is_none()
                && question(texts[k])
                && sizes[k] <= FAQ_QUESTION_WORDS
                && !question(texts[k + 1])
                && sizes[k + 1] >= FAQ_ANSWER_WORDS
        })
        .map(|k| k + 1)
        .collect();
    if answers.len() >= FAQ_QUESTIONS {
        for k in answers {
            families[k] = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_shapes() {
        assert!(token_line("@property") && token_line("nan") && token_line("a.b_c") && !token_line("@"));
        assert!(!token_line("@@a") && !token_line("a b") && token_line("x\n"));
        assert!(holds_call("def area(self):") && holds_call("render(request)") && holds_call("é_x(1)"));
        assert!(!holds_call("call (me)") && !holds_call("f((x))") && !holds_call("(x)") && !holds_call("日本(x)"));
        assert!(columns("OPTION   the help") && !columns("a  b") && !columns("   lead") && !columns("a   \tb"));
        assert!(columns("a\u{a0}x   b"));
    }

    #[test]
    fn faq_answers_are_no_prompts() {
        let fam = Some(Family {
            kind: NEWSLETTER,
            weak: false,
            closes: false,
            byline: false,
        });
        let texts = [
            "Can I cancel?",
            "Yes you can unsubscribe at any time from your account.",
            "Why?",
            "Because you can subscribe again at any time you like.",
            "How?",
            "Sign up for our newsletter and more today.",
        ];
        let sizes = [3, 10, 1, 10, 1, 8];
        let mut families = [None, fam, None, fam, None, fam];
        filter_matches(&mut families, &texts, &sizes, true);
        assert_eq!(families, [None; 6]);
        // Two questions make no FAQ.
        let mut families = [None, fam, None, fam];
        filter_matches(&mut families, &texts[..4], &sizes[..4], true);
        assert_eq!(families, [None, fam, None, fam]);
    }
}
