//! The chrome detector's body (`dedupe/detect/chrome.py`'s `find_chrome`, after its phrasing rules and their
//! filters): the article's extent, the kinds of the blocks outside it, and the neighbour step.
//!
//! chrome.py's docstring is the specification; in short: every block weighs by its class (`extent::weight`), the
//! article is the stretch of blocks with the largest total and any other stretch nearly as strong
//! (`extent::article_extent`), a closing header ends it once most of the page's prose came before
//! (`extent::close_article`), teasers of other stories weigh as chrome (`sections::teaser_runs`), and a page
//! whose prose the extent does not mostly hold has no article to cut around (`extent::article_shaped`). Blocks
//! outside the article are chrome of the kind of the section header above them (`sections::outside_kinds`);
//! inside it, an unnamed block that is not prose between two chrome blocks is chrome too (step 3).
//!
//! The page arrives as columns: block texts, sizes, classes (`classify.rs`), and per block the family a rule
//! named (its kind's code, whether it is weak, whether it closes the article), so that no Python object crosses.
//! Findings go back as columns too (block, kind, how it was found, which note), in block order.

pub mod columns;
pub mod extent;
pub mod rules;
pub mod sections;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::chars::is_digit_char;
use crate::classify::{Row, CHROME, GOOD, NEAR, WEAK};
use crate::features::Lexicon;
use crate::pagetype::{card_runs, item_runs, page_kind, Kind};

/// The kinds of chrome, as the categories name them (`chrome:<kind>`): `dedupe/config.py` reads them from here
/// (`CHROME_KINDS`), and chrome.py numbers its families' kinds by this order.
pub const KINDS: [&str; 16] = [
    "paywall",
    "subscription",
    "caption",
    "related",
    "social",
    "tags",
    "template-error",
    "disclaimer",
    "newsletter",
    "cookie",
    "navigation",
    "advertising",
    "credits",
    "legal",
    "comments",
    "outside",
];
pub const PAYWALL: u8 = 0;
pub const SUBSCRIPTION: u8 = 1;
pub const RELATED: u8 = 3;
pub const SOCIAL: u8 = 4;
pub const TAGS: u8 = 5;
pub const TEMPLATE_ERROR: u8 = 6;
pub const DISCLAIMER: u8 = 7;
pub const NEWSLETTER: u8 = 8;
pub const COOKIE: u8 = 9;
pub const NAVIGATION: u8 = 10;
pub const ADVERTISING: u8 = 11;
pub const CREDITS: u8 = 12;
pub const LEGAL: u8 = 13;
pub const COMMENTS: u8 = 14;
pub const OUTSIDE: u8 = 15;

/// How a block was found: a rule's phrasing (score 0.9), outside the article (0.7), between chrome blocks (0.6).
pub const RULE: u8 = 0;
pub const OUTSIDE_ARTICLE: u8 = 1;
pub const CONTEXT: u8 = 2;

/// The note a finding carries: "{kind} phrasing", "outside the article", "{family's kind} phrasing outside the
/// article" (a weak family), "menu item", "between {kind} blocks".
pub const NOTE_PHRASING: u8 = 0;
pub const NOTE_OUTSIDE: u8 = 1;
pub const NOTE_WEAK_OUTSIDE: u8 = 2;
pub const NOTE_MENU: u8 = 3;
pub const NOTE_BETWEEN: u8 = 4;

/// What the body reads of the family a phrasing rule named for a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Family {
    /// Its kind's code (an index of chrome.py's kinds, which begin with `KINDS`).
    pub kind: u8,
    /// It only steers where the article ends: its blocks go outside the article only.
    pub weak: bool,
    /// After most of the page's prose, its block ends the article (`extent::close_article`).
    pub closes: bool,
    /// It is the byline family ("By NAME"), which an extractor's list repeats under each item.
    pub byline: bool,
}

/// The repeat detectors' findings, as the extent reads them.
#[derive(Clone, Debug, Default)]
pub struct Repeats {
    /// The blocks the repeats remove (whatever the allow-list says): the extent is read without them.
    pub gone: Vec<bool>,
    /// (block, the block it repeats) of each exact repeat that goes.
    pub copies: Vec<(usize, usize)>,
    /// (block, the longer block it nearly repeats) of each near repeat that goes; a later pair of a block
    /// replaces an earlier one.
    pub near: Vec<(usize, usize)>,
}

/// One document, as the body reads it.
#[derive(Clone, Copy, Debug)]
pub struct Page<'a> {
    pub texts: &'a [&'a str],
    /// Words a block weighs (the features' size).
    pub sizes: &'a [i64],
    pub classes: &'a [u8],
    pub families: &'a [Option<Family>],
    /// The page's kind (None where the detector was not asked for it: an extractor's text).
    pub kind: Option<Kind>,
    /// False for an extractor's article text: only the rules' findings.
    pub whole_page: bool,
    /// The page is known to show a site's template: it is the cleaned copy of a page that did, read again by the
    /// second look (the first run removed the lines that showed it). Else the page must show one itself
    /// (`extent::shows_template`) for anything outside its article to go.
    pub shown_template: bool,
    /// None when the page has no repeats (the usual page).
    pub repeats: Option<&'a Repeats>,
}

/// One chrome finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub block: usize,
    pub kind: u8,
    /// `RULE`, `OUTSIDE_ARTICLE` or `CONTEXT`.
    pub how: u8,
    /// One of the `NOTE_` codes.
    pub note: u8,
}

/// Chrome findings for one document, in block order (at most one a block): the rules' matches less the page's
/// own content (`rules`), the extent, the kinds outside it, then the neighbours (chrome.py's `find_chrome`, given
/// the rules' matches and the classes, which read the matches as the rules made them).
pub fn find_chrome(lexicon: &Lexicon, page: &Page) -> Vec<Found> {
    let n = page
        .texts
        .len()
        .min(page.sizes.len())
        .min(page.classes.len())
        .min(page.families.len());
    let (texts, sizes, classes) = (&page.texts[..n], &page.sizes[..n], &page.classes[..n]);
    let kind = page.kind;
    let mut whole_page = page.whole_page;
    let mut families = page.families[..n].to_vec();
    rules::filter_matches(&mut families, texts, sizes, whole_page);
    rules::filter_notices(&mut families, classes, whole_page);
    let families = &families[..];
    let prose: Vec<bool> = classes.iter().map(|&c| c == GOOD || c == NEAR).collect();
    let mut weights: Vec<f64> = classes.iter().zip(sizes).map(|(&c, &s)| extent::weight(c, s)).collect();
    let items = if whole_page && kind == Some(Kind::Listing) {
        let named: Vec<bool> = classes.iter().map(|&c| c == CHROME).collect();
        item_runs(texts, sizes, &prose, &named)
    } else {
        vec![false; n]
    };
    // In a run of items, a title, a tag or a "By NAME" between two teasers does not weigh against them.
    for (w, &item) in weights.iter_mut().zip(&items) {
        if item && 0.0 > *w {
            *w = 0.0;
        }
    }
    // A grid of cards on a page not read as a list (its dialogs or its footer hold more prose than the grid):
    // an extent that leaves out more of its titles than the prose it holds finds no article (`article_shaped`).
    // (read only when `article_shaped` asks: most pages' prose outweighs every title the extent could leave out)
    let cards = || {
        if whole_page && matches!(kind, Some(Kind::Article | Kind::Other)) {
            let named: Vec<bool> = classes.iter().map(|&c| c == CHROME).collect();
            card_runs(texts, sizes, &prose, &named)
        } else {
            vec![false; n]
        }
    };
    // Other stories' teasers weigh as chrome on an article, wherever they stand (threads, docs and lists have none).
    let teasers = if whole_page && !matches!(kind, Some(Kind::Thread | Kind::Docs | Kind::Listing)) {
        sections::teaser_runs(lexicon, classes, sizes, texts)
    } else {
        vec![false; n]
    };
    for k in (0..n).filter(|&k| teasers[k]) {
        weights[k] = extent::chrome_weight(sizes[k]);
    }
    let unclosed = weights.clone();
    let end = match kind {
        Some(Kind::Thread) => {
            // Only a comments count alone on the page, and closing headers that occur once, end a thread.
            let tallies: Vec<usize> = (0..n)
                .filter(|&k| {
                    families[k].is_some_and(|f| f.kind == COMMENTS)
                        && texts[k].chars().next().is_some_and(is_digit_char)
                })
                .collect();
            let times = counts(texts);
            let mut headers: Vec<Option<Family>> = families
                .iter()
                .zip(texts)
                .map(|(f, t)| f.filter(|f| f.closes && f.kind != COMMENTS && times[t] == 1))
                .collect();
            if let [tally] = tallies[..] {
                headers[tally] = families[tally];
            }
            extent::close_article(&mut weights, &headers, classes, sizes, texts, &vec![false; n], None)
        }
        // (in documentation, "response:" or "Replies" names a field or a section)
        Some(Kind::Docs) => n,
        _ => {
            let footer = extent::first_post_footer(classes, sizes, texts);
            extent::close_article(&mut weights, families, classes, sizes, texts, &teasers, footer)
        }
    };
    if matches!(kind, Some(Kind::Thread | Kind::Listing)) {
        // The lines a rule names between a thread's posts or a list's teasers do not cut the page into stretches.
        for k in 0..n {
            if classes[k] == CHROME && k != end {
                weights[k] = 0.0;
            }
        }
    }
    let has_good = classes.contains(&GOOD);
    let mut inside = if has_good && whole_page {
        extent::whole_runs(extent::article_extent(&weights), &items)
    } else {
        vec![true; n]
    };
    let no_repeats = vec![false; n];
    let gone: &[bool] = match page.repeats {
        Some(r) if r.gone.len() >= n => &r.gone[..n],
        _ => &no_repeats,
    };
    let dialog = whole_page && extent::after_footer(&unclosed, classes, sizes, &prose, gone, families);
    if whole_page
        && (!has_good
            || dialog
            || !(page.shown_template
                || teasers.contains(&true)
                || extent::shows_template(lexicon, families, sizes, texts))
            || !extent::article_shaped(kind, &unclosed, classes, sizes, &prose, end, gone, &items, cards))
    {
        // No article holds the page's prose: only what a rule names goes.
        whole_page = false;
        inside = vec![true; n];
    }
    if let (Some(repeats), true) = (page.repeats, whole_page) {
        inside = count_repeats_once(repeats, &mut weights, inside, &items);
    }
    if whole_page {
        sections::article_sections(lexicon, &mut inside, classes, sizes, texts, end);
    }
    sections::keep_lead(&mut inside, families);
    if page.whole_page {
        // The page's title line names its headline: what stands before the headline is the site's, whether or
        // not the page has an article to cut around (`extent::headline`).
        let paragraph = |k: usize| if classes[k] == GOOD { sizes[k] } else { 0 };
        if let Some(at) = extent::headline(texts, sizes, paragraph) {
            inside[..at].fill(false);
        }
    }
    let outside = sections::outside_kinds(families, classes, sizes, &inside);
    let mut kinds: Vec<Option<u8>> = vec![None; n];
    let mut found = Vec::new();
    for k in 0..n {
        let f = families[k];
        if dialog && f.is_some_and(|f| f.kind == LEGAL) {
            continue;
        }
        match f {
            Some(f) if !f.weak && (inside[k] || outside[k] == f.kind) => {
                kinds[k] = Some(f.kind);
                found.push(Found {
                    block: k,
                    kind: f.kind,
                    how: RULE,
                    note: NOTE_PHRASING,
                });
            }
            _ if !inside[k] => {
                kinds[k] = Some(outside[k]);
                let note = match f {
                    None => NOTE_OUTSIDE,
                    Some(f) if f.weak => NOTE_WEAK_OUTSIDE,
                    Some(_) => NOTE_MENU,
                };
                found.push(Found {
                    block: k,
                    kind: outside[k],
                    how: OUTSIDE_ARTICLE,
                    note,
                });
            }
            _ => {}
        }
    }
    // Step 3: inside the article, a run of blocks no rule named and that is not prose, between two chrome
    // blocks, takes the kind of the one before it.
    let held: Vec<bool> = classes.iter().map(|&c| c == GOOD || c == NEAR || c == WEAK).collect();
    let mut i = if whole_page { 0 } else { n };
    while i < n {
        if kinds[i].is_some() || held[i] {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < n && kinds[j].is_none() && !held[j] {
            j += 1;
        }
        let before = if i > 0 { kinds[i - 1] } else { None };
        let after = if j < n { kinds[j] } else { None };
        if let (Some(kind), Some(_)) = (before, after) {
            found.extend((i..j).map(|k| Found {
                block: k,
                kind,
                how: CONTEXT,
                note: NOTE_BETWEEN,
            }));
        }
        i = j;
    }
    found.sort_by_key(|f| f.block);
    found
}

/// A whole page's kind and its chrome findings, where it has no repeats (the usual page): the classes (each
/// distinct text counted once in the page's language, by its hash), the page's kind (`pagetype::page_kind`), then
/// `find_chrome`. rows: the blocks' features and whether a rule named them (as the rules made their matches).
pub fn detect_page(
    lexicon: &Lexicon,
    texts: &[&str],
    rows: &[Row],
    hashes: &[u64],
    families: &[Option<Family>],
    whole_page: bool,
    shown_template: bool,
) -> (Kind, Vec<Found>) {
    let mut seen = HashSet::with_capacity(hashes.len());
    let counted: Vec<bool> = hashes.iter().map(|&h| seen.insert(h)).collect();
    let classes = lexicon.classes(rows, texts, Some(&counted));
    let kind = page_kind(lexicon, rows, texts, &vec![false; rows.len()]).kind;
    let sizes: Vec<i64> = rows.iter().map(|r| r.size).collect();
    let page = Page {
        texts,
        sizes: &sizes,
        classes: &classes,
        families,
        kind: Some(kind),
        whole_page,
        shown_template,
        repeats: None,
    };
    (kind, find_chrome(lexicon, &page))
}

/// How many times each text occurs among the blocks.
pub(crate) fn counts<'a>(texts: &[&'a str]) -> HashMap<&'a str, usize> {
    let mut times = HashMap::with_capacity(texts.len());
    for t in texts {
        *times.entry(*t).or_insert(0) += 1;
    }
    times
}

/// The article's extent once prose the document holds twice counts once, where the cleaned text keeps it
/// (chrome.py's `_count_repeats_once`): every copy but the first inside the article, and every near repeat of
/// a longer block inside it, weighs nothing; that may move the article's edge, so this repeats until no
/// further weight drops (weights only ever drop to nothing, so it ends).
fn count_repeats_once(repeats: &Repeats, weights: &mut [f64], mut inside: Vec<bool>, items: &[bool]) -> Vec<bool> {
    let n = weights.len();
    let mut groups: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for &(block, original) in repeats.copies.iter().filter(|&&(b, o)| b < n && o < n) {
        groups
            .entry(original)
            .or_insert_with(|| BTreeSet::from([original]))
            .insert(block);
    }
    let near: BTreeMap<usize, usize> = repeats.near.iter().copied().filter(|&(b, o)| b < n && o < n).collect();
    loop {
        let mut dropped: BTreeSet<usize> = near
            .iter()
            .filter(|&(&k, &original)| inside[original] && weights[k] > 0.0)
            .map(|(&k, _)| k)
            .collect();
        for members in groups.values() {
            // No copy inside the article: the first keeps its weight.
            let keeper = members
                .iter()
                .copied()
                .find(|&k| inside[k])
                .or_else(|| members.first().copied());
            dropped.extend(
                members
                    .iter()
                    .copied()
                    .filter(|&k| Some(k) != keeper && weights[k] > 0.0),
            );
        }
        if dropped.is_empty() {
            return inside;
        }
        for k in dropped {
            weights[k] = 0.0;
        }
        inside = extent::whole_runs(extent::article_extent(weights), items);
    }
}

#[cfg(test)]
mod tests;
