//! Which repeats are content that recurs by design (`keep_content`): the gates the repeat findings pass before
//! they remove anything, on the page's kind (`pagetype`).
//!
//! Code shown twice in a tutorial, the short items of a list, a grid or a reference page, a long list item that
//! recurs as a list item among other neighbours (the terms under each offer): content, kept. A run of
//! `COPIED_RUN` blocks repeated in order is a copy, and stays a repeat, except in an extractor's main text (not
//! a whole page), where code and list items are content wherever they recur, and so is everything a
//! documentation page repeats; there, too, the fields and labels of the article's items stay (`item_field`).

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use crate::chars::{is_digit, is_space, push_casefold, strip};
use crate::features::WordHasher;
use crate::pagetype::{looks_like_code, Kind, ITEM_MAX};

/// On any page, a list item of this many words that recurs as a list item is an item of its own (the terms
/// under each offer, a testimonial in two carousels); shorter ones ("- Reply", "- Add to cart") are buttons.
pub const LONG_ITEM: i64 = 8;
/// Blocks repeated in this long a run, in order, are a copy of a passage (a list pasted twice), not items.
pub const COPIED_RUN: usize = 3;
/// In an extractor's main text, a block of at most LABEL_MAX words that occurs LABEL_TIMES times or more, not in
/// a run repeated in order, is a label of the article's items and stays.
pub const LABEL_MAX: i64 = 8;
pub const LABEL_TIMES: usize = 3;

/// Kinds of page whose short items legitimately recur: a card title in a grid and again in a carousel, a
/// parameter name in a reference table and again in an example.
pub fn recurring_items(kind: Kind) -> bool {
    matches!(kind, Kind::Listing | Kind::Docs)
}

/// A repeat the detectors found: the block, the block it repeats (the first occurrence of an exact repeat, the
/// fuller block of a near one), and whether it is exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub block: usize,
    pub of: usize,
    pub exact: bool,
}

/// A document's blocks as the gates read them: texts, normalized hashes, words.
pub struct Page<'a, S> {
    pub texts: &'a [S],
    pub hashes: &'a [u64],
    pub n_words: &'a [i64],
}

/// Which of a page's repeats still remove their block once content that recurs by design is kept (one flag per
/// repeat, in order), on a page of this kind; whole_page: the text is a whole page's, not an extractor's main
/// text (where the fields and labels of the article's items stay too: `item_field`).
pub fn keep_content<S: AsRef<str>>(found: &[Found], page: &Page<'_, S>, kind: Kind, whole_page: bool) -> Vec<bool> {
    let mut kept = recurring_content(found, page, kind, whole_page);
    if !whole_page && kind != Kind::Thread {
        let fields = ItemFields::new(found, &kept, page);
        for (keep, f) in kept.iter_mut().zip(found) {
            *keep = *keep && !(f.exact && fields.content(f.block));
        }
    }
    kept
}

/// The repeats that are not content recurring by design (see the module's text).
fn recurring_content<S: AsRef<str>>(found: &[Found], page: &Page<'_, S>, kind: Kind, whole_page: bool) -> Vec<bool> {
    let text = |k: usize| page.texts[k].as_ref();
    let items = recurring_items(kind);
    // (the block each repeat repeats, the last one named for a block, as a dict by block keeps it)
    let of: HashMap<usize, usize> = found.iter().map(|f| (f.block, f.of)).collect();
    // A run is read on every earlier occurrence of its blocks, not only the first that `of` names: a passage
    // pasted again repeats the copy it was taken from, whose blocks may have occurred alone earlier still (a
    // tutorial's function shown in two versions, then the second again). Read on first occurrences, the run
    // broke there, some of its blocks were spared as snippets, and a second run, with the others cut, found
    // them in a run and removed them. A block is in a run if it lies in COPIED_RUN consecutive repeats whose
    // texts occurred in that order earlier: each window's texts, looked up once (a page of 170,000 blocks
    // repeating 40 paragraphs took minutes when every earlier occurrence was followed along the run).
    let keys: Vec<Key<'_>> = (0..page.texts.len())
        .map(|k| {
            if page.n_words[k] != 0 {
                Key::Hash(page.hashes[k])
            } else {
                Key::Text(strip(text(k)))
            }
        })
        .collect();
    let repeated: HashSet<usize> = of.keys().copied().collect();
    let runs = copied_runs(&keys, &repeated);
    let list_items = |k: usize| list_item(text(k)) && list_item(text(of[&k]));
    let mut copies: HashMap<usize, usize> = HashMap::new();
    for &o in of.values() {
        *copies.entry(o).or_default() += 1;
    }
    let recurring = |k: usize| {
        // An extractor has taken the page's template away: code or list items that recur in order in its main
        // text are the page's own (a tutorial's steps showing their code again, each plan of a pricing table or
        // each offer listing the same terms); on a whole page such a run is most often a passage pasted twice.
        let code = looks_like_code(text(k));
        let words = page.n_words[k];
        // In documentation, the lines of a sample repeat with few symbols ("    age: int", "  );", "</div>"),
        // and a warning or a "see also" note recurs in each tabbed variant: the extractor kept them as content.
        if !whole_page && (code || list_items(k) || kind == Kind::Docs) {
            return true;
        }
        if !whole_page && !runs.contains(&k) && words <= LABEL_MAX && copies[&of[&k]] + 1 >= LABEL_TIMES {
            // A short label under each item of the article ("Why we chose this school", "What we don't like",
            // the days of a plan) recurs with other text around it each time: the article's own structure.
            return true;
        }
        !runs.contains(&k) && (items && words <= ITEM_MAX || code || words >= LONG_ITEM && list_items(k))
    };
    // (an item or a snippet shown again is content; a section pasted twice, in order, is a copy)
    let spared: HashSet<usize> = found.iter().map(|f| f.block).filter(|&k| recurring(k)).collect();
    // A block whose first occurrence goes anyway (a near repeat of a fuller paragraph) goes with it: kept, it
    // would be that paragraph's near repeat on the cleaned text, and a second run would remove it.
    let going: HashSet<usize> = found.iter().map(|f| f.block).filter(|k| !spared.contains(k)).collect();
    found
        .iter()
        .map(|f| !spared.contains(&f.block) || going.contains(&of[&f.block]))
        .collect()
}

/// A map a page's blocks fill, hashed by `WordHasher` (the answers never depend on its order: nothing iterates
/// one).
type Fast<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// What a block is compared by in a run: its normalized hash, or (a block without words) its text.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Hash(u64),
    Text(&'a str),
}

/// The blocks that lie in COPIED_RUN consecutive `repeated` blocks whose keys (their texts) occurred in that
/// order earlier: a passage copied in order.
pub fn copied_runs<K: Copy + Eq + std::hash::Hash>(keys: &[K], repeated: &HashSet<usize>) -> HashSet<usize> {
    // (a window of keys a block, hashed by `WordHasher` and made for all of them at once: SipHash and the map's
    // growth were most of the repeat gates' hashing on a whole page; nothing iterates the map)
    let mut first: Fast<&[K], usize> = Fast::with_capacity_and_hasher(keys.len(), BuildHasherDefault::default());
    let mut runs = HashSet::new();
    for w in 0..(keys.len() + 1).saturating_sub(COPIED_RUN) {
        let at = *first.entry(&keys[w..w + COPIED_RUN]).or_insert(w);
        if at < w && (w..w + COPIED_RUN).all(|i| repeated.contains(&i)) {
            runs.extend(w..w + COPIED_RUN);
        }
    }
    runs
}

/// Whether a block is an item of a list or a table row: a marker first ("- ", "• ", "| ", "3. "; the former
/// `\s*(?:[-*•·–|]|\d{1,3}[.)])\s`, as extractors and text dumps write them).
pub fn list_item(text: &str) -> bool {
    let t = text.trim_start_matches(is_space);
    let mut chars = t.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let rest = if "-*•·–|".contains(first) {
        chars.as_str()
    } else {
        let digits = t.chars().take_while(|&c| is_digit(c)).count();
        if !(1..=3).contains(&digits) {
            return false;
        }
        let mut after = t.chars().skip(digits);
        if !matches!(after.next(), Some('.' | ')')) {
            return false;
        }
        return after.next().is_some_and(is_space);
    };
    rest.chars().next().is_some_and(is_space)
}

/// A field of an item: a short label, then its colon and a value ("Warranty: 1 year", "重量：2 kg"); the marker of
/// a list item may come first (the former `\s*(?:[-*•·]\s+)?([^\s:：][^:：]{0,60})(?::\s|：)`, matched at the
/// start). Its label, and where the match ends (in characters).
fn field(text: &str) -> Option<(&str, usize)> {
    let t: Vec<(usize, char)> = text.char_indices().collect();
    let start = t.iter().position(|&(_, c)| !is_space(c))?;
    // With the marker first if one stands there, else from the marker itself (the regular expression's
    // backtracking).
    let marked = matches!(t[start].1, '-' | '*' | '•' | '·') && t.get(start + 1).is_some_and(|&(_, c)| is_space(c));
    if marked {
        let label = (start + 1..t.len()).find(|&i| !is_space(t[i].1)).unwrap_or(t.len());
        if let Some(found) = field_at(text, &t, label) {
            return Some(found);
        }
    }
    field_at(text, &t, start)
}

/// `([^\s:：][^:：]{0,60})(?::\s|：)` at character i.
fn field_at<'a>(text: &'a str, t: &[(usize, char)], i: usize) -> Option<(&'a str, usize)> {
    let &(byte, first) = t.get(i)?;
    if is_space(first) || first == ':' || first == '：' {
        return None;
    }
    let colon = (i + 1..t.len().min(i + 62)).find(|&j| t[j].1 == ':' || t[j].1 == '：')?;
    let end = match t[colon].1 {
        '：' => colon + 1,
        _ if t.get(colon + 1).is_some_and(|&(_, c)| is_space(c)) => colon + 2,
        _ => return None,
    };
    Some((&text[byte..t[colon].0], end))
}

/// The fields and labels of an extractor's article: which exact repeats in its main text are the article's own
/// structure, which its readers keep each time.
///
/// A field whose label the page fills with two values or more ("Warranty: 1 year" under one product, "Warranty:
/// 2 years" under another), a lead-in ending in a colon, and a short label that recurs LABEL_TIMES times, each
/// time before text of its own ("Why we chose this school", then each school's paragraph; "Day 1 to 3", then the
/// plan). A menu kept by the extractor recurs with the same neighbours, and a long "Note: ..." pasted under each
/// course reads as a passage, not a field (both go). So do fields in a run of COPIED_RUN repeats whose texts
/// occurred in that order before (a store's requirements under each system: "Processor: 3 GHz", "Memory: 8 GB",
/// "Storage: 4 GB") and, on a thread, a post's recurring header ("Re: subject" over each reply), both of which
/// webpages-types' golds drop. Measured on HTML through trafilatura: webpages-dev recall 0.9348 -> 0.9352 (8
/// pages gained, none lost), webpages-train 0.9454 -> 0.9455 (12 gained, one lost 0.0008), webpages-types F1
/// 0.748 unchanged (3 gained, 3 lost, the most 0.0095; without the run and thread conditions a forum lost 0.050
/// and a store 0.012).
struct ItemFields<'a> {
    texts: Vec<&'a str>,
    n_words: &'a [i64],
    hashes: &'a [u64],
    /// The distinct texts each field's label (casefolded) is filled with.
    values: HashMap<String, HashSet<&'a str>>,
    /// What follows each occurrence of a block (by hash): text said once on the page, or None (another
    /// recurring block, or nothing).
    follows: Fast<u64, Vec<Option<u64>>>,
    /// Blocks in a run of COPIED_RUN exact repeats whose texts occurred in that order before.
    copied: HashSet<usize>,
}

impl<'a> ItemFields<'a> {
    fn new<S: AsRef<str>>(found: &[Found], kept: &[bool], page: &Page<'a, S>) -> Self {
        let texts: Vec<&str> = page.texts.iter().map(|t| strip(t.as_ref())).collect();
        let n = texts.len();
        let mut times: Fast<u64, usize> = Fast::with_capacity_and_hasher(n, BuildHasherDefault::default());
        for k in (0..n).filter(|&k| page.n_words[k] != 0) {
            *times.entry(page.hashes[k]).or_default() += 1;
        }
        let mut values: HashMap<String, HashSet<&str>> = HashMap::new();
        for &t in &texts {
            if let Some((label, _)) = field(t) {
                values.entry(casefold(strip(label))).or_default().insert(t);
            }
        }
        let mut follows: Fast<u64, Vec<Option<u64>>> = Fast::with_capacity_and_hasher(n, BuildHasherDefault::default());
        let mut next: Option<usize> = None;
        for k in (0..n).rev() {
            if page.n_words[k] == 0 {
                continue;
            }
            let once = next.filter(|&j| times[&page.hashes[j]] == 1).map(|j| page.hashes[j]);
            follows.entry(page.hashes[k]).or_default().push(once);
            next = Some(k);
        }
        let repeated: HashSet<usize> = found
            .iter()
            .zip(kept)
            .filter(|(f, &keep)| keep && f.exact)
            .map(|(f, _)| f.block)
            .collect();
        let copied = copied_runs(page.hashes, &repeated);
        ItemFields {
            texts,
            n_words: page.n_words,
            hashes: page.hashes,
            values,
            follows,
            copied,
        }
    }

    /// Whether the exact repeat at block k is a field or a label of the article's items, which stays.
    fn content(&self, k: usize) -> bool {
        let (t, words) = (self.texts[k], self.n_words[k]);
        if words == 0 || words > 2 * LABEL_MAX {
            return false;
        }
        let found = field(t);
        let lead_in = t.ends_with([':', '：']);
        if lead_in || found.is_some_and(|(_, end)| t.chars().count() > end) {
            if self.copied.contains(&k) {
                return false;
            }
            if lead_in || found.is_some_and(|(label, _)| self.values[&casefold(strip(label))].len() >= 2) {
                return true;
            }
        }
        // (the order of what follows does not matter: its length and whether any is None)
        let after = &self.follows[&self.hashes[k]];
        words <= LABEL_MAX && after.len() >= LABEL_TIMES && after.iter().all(Option::is_some)
    }
}

/// `str.casefold()`.
fn casefold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_casefold(c, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_and_fields() {
        for text in ["- a", " • b", "| c |", "3. d", "12) e", "– f"] {
            assert!(list_item(text), "{text}");
        }
        for text in ["-a", "1234. x", "3.x", "", "a - b"] {
            assert!(!list_item(text), "{text}");
        }
        assert_eq!(field("Warranty: 1 year"), Some(("Warranty", 10)));
        assert_eq!(field("- Price：12"), Some(("Price", 8)));
        // a marker whose label has no colon after it is read as the label's first character
        assert_eq!(field("* x"), None);
        assert_eq!(field("- a: b"), Some(("a", 5)));
        assert_eq!(field("Time:10"), None);
        assert_eq!(field("Note"), None);
    }

    fn page<'a>(texts: &'a [&'a str], hashes: &'a [u64], words: &'a [i64]) -> Page<'a, &'a str> {
        Page {
            texts,
            hashes,
            n_words: words,
        }
    }

    #[test]
    fn items_of_a_list_recur_and_a_copied_passage_does_not() {
        // Short items of a listing, shown twice: content.
        let texts = ["Red tent", "Blue stove", "Red tent"];
        let found = [Found {
            block: 2,
            of: 0,
            exact: true,
        }];
        let p = page(&texts, &[1, 2, 1], &[2, 2, 2]);
        assert_eq!(keep_content(&found, &p, Kind::Listing, true), [false]);
        assert_eq!(keep_content(&found, &p, Kind::Article, true), [true]);
        // Three blocks pasted again in order: a copy, even on a listing.
        let texts = ["a", "b", "c", "a", "b", "c"];
        let found: Vec<Found> = (3..6)
            .map(|k| Found {
                block: k,
                of: k - 3,
                exact: true,
            })
            .collect();
        let p = page(&texts, &[1, 2, 3, 1, 2, 3], &[1; 6]);
        assert_eq!(keep_content(&found, &p, Kind::Listing, true), [true; 3]);
    }
}
