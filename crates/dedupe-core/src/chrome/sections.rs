//! The page's parts around the article (chrome.py): runs of teasers of other stories, the article's own
//! sections after its prose, its headline and byline, and the kind of each block outside it.

use std::collections::{HashMap, HashSet};

use super::{Family, COMMENTS, COOKIE, CREDITS, NAVIGATION, NEWSLETTER, OUTSIDE, PAYWALL, RELATED, SUBSCRIPTION, TAGS};
use crate::chars::{is_alpha, is_space, strip};
use crate::classify::{BAD, CHROME, CODE, GOOD, ITEM, NEAR, SHORT};
use crate::features::Lexicon;
use crate::pagetype::{has_stamp, STAMP_MAX_WORDS};

/// A teaser run holds at least this many teasers in a row...
pub const TEASER_MIN: usize = 3;
/// ...each at most this many short lines (a headline, a date, a category) and then one summary of at most
/// TEASER_WORDS words.
pub const TEASER_LINES: usize = 3;
pub const TEASER_WORDS: i64 = 80;
/// A heading is a line of at most this many words directly followed by prose.
pub const HEADING_WORDS: i64 = 8;
/// The article's headings carry a common mark when at least this many of them inside the article do.
pub const HEADING_MARKS: usize = 3;
/// A section header names at most this many blocks after the last line of its kind.
pub const SECTION_REACH: usize = 10;

/// Kinds whose header line names the section below it; other kinds name their own line only.
fn section_kind(kind: u8) -> bool {
    matches!(kind, RELATED | TAGS | COMMENTS | PAYWALL | NEWSLETTER | COOKIE)
}

/// Sections made of short items (teaser headlines, tags, plan names, commenters' names).
fn list_section(kind: u8) -> bool {
    matches!(kind, RELATED | TAGS | COMMENTS | PAYWALL | SUBSCRIPTION)
}

/// The blocks of runs of teasers of other stories (chrome.py's `_teaser_runs`, which says why): TEASER_MIN
/// teasers or more in a row of one shape (the same sequence of short lines), with a headline beside a date or a
/// headline written twice.
pub fn teaser_runs(lexicon: &Lexicon, classes: &[u8], sizes: &[i64], texts: &[&str]) -> Vec<bool> {
    let n = classes.len();
    // (whether each block holds a stamp, read once: a teaser is tried from every block)
    let mut stamps: Vec<Option<bool>> = vec![None; n];
    let mut runs = vec![false; n];
    let mut k = 0;
    while k < n {
        let (run_start, mut j, mut count) = (k, k, 0);
        let mut shape: Option<Vec<u8>> = None;
        while let Some((next, unit)) = teaser_at(lexicon, j, classes, sizes, texts, &mut stamps) {
            if shape.as_ref().is_some_and(|s| *s != unit) {
                break;
            }
            shape = Some(unit);
            count += 1;
            j = next;
        }
        let evidence = shape
            .as_ref()
            .is_some_and(|s| s.contains(&b'R') || s.contains(&b'D') && s.contains(&b'H'));
        if count >= TEASER_MIN && evidence {
            runs[run_start..j].fill(true);
            k = j;
        } else {
            k += 1;
        }
    }
    runs
}

/// The teaser that starts at block k, as (the block after it, its shape: per short line D for a date, R for a
/// line written twice, H for a headline), or None.
fn teaser_at(
    lexicon: &Lexicon,
    k: usize,
    classes: &[u8],
    sizes: &[i64],
    texts: &[&str],
    stamps: &mut [Option<bool>],
) -> Option<(usize, Vec<u8>)> {
    let n = classes.len();
    let mut tags = Vec::new();
    let mut j = k;
    while j < n && tags.len() <= TEASER_LINES && classes[j] != GOOD && classes[j] != CODE {
        if classes[j] == NEAR && lexicon.ends_sentence(texts[j]) {
            break; // (a short sentence: the summary; a headline in sentence case does not end as one)
        }
        let date = sizes[j] <= STAMP_MAX_WORDS && *stamps[j].get_or_insert_with(|| has_stamp(texts[j]));
        tags.push(if date {
            b'D'
        } else if j > k && texts[j] == texts[j - 1] {
            b'R'
        } else {
            b'H'
        });
        j += 1;
    }
    if tags.is_empty() || tags.len() > TEASER_LINES || j >= n {
        return None;
    }
    if !(classes[j] == GOOD || classes[j] == NEAR) || sizes[j] > TEASER_WORDS {
        return None;
    }
    Some((j + 1, tags))
}

fn opens(c: char) -> bool {
    matches!(c, '[' | '(' | '（' | '【' | '［')
}

fn closes(c: char) -> bool {
    matches!(c, ']' | ')' | '）' | '】' | '］')
}

/// The bracketed label starting at t[i] (an opening bracket, 1 to 24 characters of no bracket, a closing one),
/// as its end (after the closing bracket).
fn label_at(t: &[char], i: usize) -> Option<usize> {
    if !t.get(i).copied().is_some_and(opens) {
        return None;
    }
    let j = (i + 1..t.len()).find(|&j| opens(t[j]) || closes(t[j]))?;
    let len = j - i - 1;
    ((1..=24).contains(&len) && closes(t[j])).then_some(j + 1)
}

/// The bracketed labels at a heading's start or end, spaces left out, that hold a letter (not "(2)")
/// (chrome.py's `_heading_marks`: its former pattern
/// `^\s*([\[(（【［][^\[\]()（）【】［］]{1,24}[\])）】］])|([\[(（【［]...)\s*$`, read by hand).
pub fn heading_marks(text: &str) -> HashSet<String> {
    let t: Vec<char> = text.chars().collect();
    let mut found: Vec<(usize, usize)> = Vec::new();
    // A label at the start, after white space.
    let lead = t.iter().take_while(|&&c| is_space(c)).count();
    let mut from = 0;
    if let Some(end) = label_at(&t, lead) {
        found.push((lead, end));
        from = end;
    }
    // A label at the end, before white space only: the first such label after the one at the start.
    if let Some((i, end)) = (from..t.len())
        .filter_map(|i| label_at(&t, i).map(|end| (i, end)))
        .find(|&(_, end)| t[end..].iter().all(|&c| is_space(c)))
    {
        found.push((i, end));
    }
    let whole = strip(text).chars().count();
    found
        .into_iter()
        .map(|(i, end)| t[i..end].iter().filter(|&&c| !is_space(c)).collect::<String>())
        .filter(|label| label.chars().any(is_alpha) && label.chars().count() < whole)
        .collect()
}

/// Hold inside the article its own sections after its prose (chrome.py's `_article_sections`, which says
/// why): headings of the mark the article's headings share, with what lies between them and the section under
/// the last one.
pub fn article_sections(
    lexicon: &Lexicon,
    inside: &mut [bool],
    classes: &[u8],
    sizes: &[i64],
    texts: &[&str],
    end: usize,
) {
    let n = inside.len();
    let heads: Vec<usize> = (0..n.saturating_sub(1))
        .filter(|&k| {
            inside[k]
                && sizes[k] <= HEADING_WORDS
                && matches!(classes[k], SHORT | ITEM | BAD)
                && matches!(classes[k + 1], GOOD | NEAR)
                && !lexicon.ends_sentence(texts[k])
        })
        .collect();
    if heads.len() < HEADING_MARKS {
        return;
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for &k in &heads {
        for mark in heading_marks(texts[k]) {
            *counts.entry(mark).or_insert(0) += 1;
        }
    }
    let marks: HashSet<String> = counts
        .into_iter()
        .filter(|&(_, c)| c >= HEADING_MARKS)
        .map(|(m, _)| m)
        .collect();
    if marks.is_empty() {
        return;
    }
    let stop = end.min(n);
    let (mut last_inside, mut last_head): (Option<usize>, Option<usize>) = (None, None);
    for k in 0..stop {
        if inside[k] {
            last_inside = Some(k);
        } else if let Some(from) = last_inside {
            if sizes[k] <= HEADING_WORDS && heading_marks(texts[k]).iter().any(|m| marks.contains(m)) {
                inside[from..=k].fill(true);
                last_inside = Some(k);
                last_head = Some(k);
            }
        }
    }
    let Some(last_head) = last_head else { return };
    let mut k = last_head + 1;
    while k < stop && !inside[k] {
        // (a title of a few capitalised words is a track or a book in a list, a lone word twice a menu's start)
        if classes[k] == CHROME || sizes[k] <= 1 && k + 1 < n && sizes[k + 1] <= 1 {
            break;
        }
        inside[k] = true;
        k += 1;
    }
}

/// A text that starts with its article keeps its headline and byline: the blocks before it, if all plain.
pub fn keep_lead(inside: &mut [bool], families: &[Option<Family>]) {
    let Some(first) = inside.iter().position(|&v| v) else {
        return;
    };
    if first > 3 {
        return;
    }
    if families[..first].iter().all(|f| f.is_none_or(|f| f.kind == CREDITS)) {
        inside[..first].fill(true);
    }
}

/// Whether block k is an unmatched short line outside the article, like an item of a menu.
fn menu_item(k: usize, families: &[Option<Family>], classes: &[u8], inside: &[bool]) -> bool {
    k < inside.len() && !inside[k] && families[k].is_none() && matches!(classes[k], SHORT | ITEM)
}

/// The kind of each block outside the article (chrome.py's `_outside_kinds`): that of the section header above
/// it when one heads its run; otherwise a menu item, or anything before the article, is navigation, and the
/// rest is `outside`.
pub fn outside_kinds(families: &[Option<Family>], classes: &[u8], sizes: &[i64], inside: &[bool]) -> Vec<u8> {
    let n = inside.len();
    let mut out = vec![OUTSIDE; n];
    let mut section: Option<u8> = None;
    let mut last = 0;
    let mut seen_article = false;
    for k in 0..n {
        if inside[k] {
            section = None;
            seen_article = true;
            continue;
        }
        if let Some(f) = families[k] {
            out[k] = f.kind;
            // A header is a short line of its own, not an item in a run of menu items.
            let in_menu = k > 0 && menu_item(k - 1, families, classes, inside);
            if section.is_none()
                && section_kind(f.kind)
                && sizes[k] <= 3
                && in_menu
                && menu_item(k + 1, families, classes, inside)
            {
                out[k] = NAVIGATION; // "Newsletters" between "Sport" and "Podcasts" is a link in a menu
                continue;
            }
            let header = section_kind(f.kind) && sizes[k] <= 8 && !in_menu;
            if matches!(section, Some(PAYWALL | SUBSCRIPTION)) && matches!(f.kind, PAYWALL | SUBSCRIPTION | NEWSLETTER)
            {
                // A paywall's section runs on through its plan table and the features it lists.
                if f.kind != NEWSLETTER {
                    section = Some(f.kind);
                }
            } else if header {
                section = Some(f.kind);
            } else if section != Some(f.kind) {
                section = None;
            }
            last = k;
        } else if let Some(s) =
            section.filter(|&s| k - last <= SECTION_REACH && (list_section(s) || classes[k] != SHORT))
        {
            out[k] = s;
        } else if matches!(classes[k], SHORT | ITEM) || !seen_article {
            out[k] = NAVIGATION;
        }
    }
    out
}
