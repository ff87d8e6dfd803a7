//! Page types (`dedupe/detect/pagetype.py`): what kind of page a whole-page text is, read from its shape before
//! anything is cut, and what that reading takes of a block: a date or a time, code, a list item's field.
//!
//! A crawl holds more than articles, and what is content differs by kind: the replies of a thread, the items of
//! a grid or list, the code of a tutorial. The kind comes from the text's structure, never from site names or the
//! words of one language:
//!
//! - thread: posts, each under a short header that carries a date or time stamp, the posts' prose spread over
//!   the page rather than held in one stretch before the stamps (an article with reader comments under it holds
//!   most of its prose before them). A header may read as a short sentence ("Tuesday at 4:27 AM", "le 3 mars à
//!   10:12"), as long as it is little more than its stamp (`STAMP_LETTERED`).
//! - docs: documentation with code: several code-like blocks (a share of code symbols, and a call, an assignment
//!   or a statement end).
//! - listing: a grid or list of items: many item-like lines of a few words and little prose, or runs of items
//!   (`item_runs`) holding most of what the page says.
//! - article: the rest, prose being a good share of the page's words.
//! - other: the rest, with less prose (a product page, a service page of sections under headings).
//!
//! The signals are cheap counts over the blocks the chrome step has already profiled (size, class).
//!
//! Stamps: a date or a time as digits, in the usual orders (2024-01-05, 05/01/2024, 5.1.24, 09:14, "Oct 17,
//! 2010", "17 Oct 2010", 2019年2月23日): digits and separators, so any language's month names pass. A
//! day.month.year is not part of a longer dotted number: 10.10.1.10 (an address) and 2.10.1.12 (a version) hold
//! no date 10.1.10. The rules are pagetype.py's former regular expressions, read by hand so that they answer as
//! Python's `re` did (its `\d`, `\s` and `\w` are Python's: `chars`), without a search that tries every position
//! several times.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::chars::{is_digit, is_space, is_word, lower, strip};
use crate::classify::{Named, Row, GOOD, NEAR};
use crate::features::{Lexicon, WordHasher};

/// A post header is short: a name, a date, a counter or two.
pub const STAMP_MAX_WORDS: i64 = 14;
/// A post header that reads as a short sentence ("Tuesday at 4:27 AM", "le 3 mars à 10:12") is little more than
/// its stamp: at most this many of its words hold a letter.
pub const STAMP_LETTERED: usize = 3;
/// Posts a thread holds at least (a stamp with prose after it, before the next stamp).
pub const MIN_POSTS: usize = 3;
/// In an article with comments, one stretch (the prose before the first stamped post, or one post: the article
/// under its dated byline) holds at least this share of the page's prose; in a thread no post does.
pub const ARTICLE_LEAD_SHARE: f64 = 0.5;
/// Code-like blocks a page holds at least to be documentation with code.
pub const MIN_CODE_BLOCKS: usize = 3;
/// A listing's items are lines of a few words (ITEM_MIN to ITEM_MAX); it has many (MIN_ITEMS) and little prose.
pub const ITEM_MIN: i64 = 2;
pub const ITEM_MAX: i64 = 16;
pub const MIN_ITEMS: usize = 12;
/// At most this share of the page's words is prose in a listing (an article's is most of them).
pub const LISTING_PROSE_SHARE: f64 = 0.35;
/// Or runs of items (`item_runs`) hold this share of the page's prose and lines of more than ITEM_MIN words.
/// (0.5 reads one more coupon page as a list, webpages-types listing dumps +0.007, but a webpages-dev page,
/// bokun.io, then reads as a list only once cleaned, and a second run removes a heading.)
pub const ITEMS_HELD: f64 = 0.6;
/// ...and less than LONG_TEASERS of the prose in them lies in paragraphs longer than a teaser's (TEASER_MAX).
pub const TEASER_MAX: i64 = 40;
pub const LONG_TEASERS: f64 = 0.4;
/// Or, its items' own prose aside, it has less prose than an introduction of a paragraph or two (an article's
/// body is longer: webpages-train's articles read so had 370 and 461 words of it, a recipe listing 106, a page
/// of coupons 76).
pub const INTRO_MAX: i64 = 150;
/// Items of a list repeat one shape: a run of items is at least this many units of blocks...
pub const MIN_RUN_ITEMS: usize = 4;
/// ...of at most this many blocks each (a title, a tag, a summary, a date, a price, a "Read more").
pub const MAX_ITEM_BLOCKS: usize = 8;
/// A block text (digits folded) or a "label:" recurring this many times on the page is a field of its items.
pub const FIELD_RECURS: usize = 3;
/// A card of a grid anchored on a field (`anchored_runs`) is at most this many blocks (a title, a seller, a
/// rating, two or three price lines, the options, a badge).
pub const MAX_CARD_BLOCKS: usize = 12;

/// A page's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Article,
    Thread,
    Docs,
    Listing,
    Other,
}

impl Kind {
    /// The kind pagetype.py names so, if any.
    pub fn from_name(name: &str) -> Option<Kind> {
        [Kind::Article, Kind::Thread, Kind::Docs, Kind::Listing, Kind::Other]
            .into_iter()
            .find(|k| k.name() == name)
    }

    /// The kind's name, as pagetype.py spells it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Article => "article",
            Kind::Thread => "thread",
            Kind::Docs => "docs",
            Kind::Listing => "listing",
            Kind::Other => "other",
        }
    }
}

/// A page's kind, and the counts it was decided on.
#[derive(Clone, Debug, PartialEq)]
pub struct PageType {
    pub kind: Kind,
    pub posts: usize,
    pub code: usize,
    pub items: usize,
    pub prose_share: f64,
}

/// The kind of a whole page from its blocks: their texts, sizes in words, and which are prose.
pub fn page_type(texts: &[&str], sizes: &[i64], prose: &[bool]) -> PageType {
    let n = texts.len().min(sizes.len()).min(prose.len());
    let (texts, sizes, prose) = (&texts[..n], &sizes[..n], &prose[..n]);
    let total = match sizes.iter().sum::<i64>() {
        0 => 1,
        t => t,
    };
    let prose_words: i64 = (0..n).filter(|&k| prose[k]).map(|k| sizes[k]).sum();
    let share = prose_words as f64 / total as f64;
    // Posts: a short stamped header, then the prose up to the next one.
    let mut posts: Vec<i64> = Vec::new();
    let mut first_post: Option<usize> = None;
    let mut header = false;
    for k in 0..n {
        let stamped = sizes[k] <= STAMP_MAX_WORDS
            && (!prose[k] || lettered_words(texts[k]) <= STAMP_LETTERED)
            && has_stamp(texts[k]);
        if stamped {
            header = true;
            continue;
        } else if prose[k] && header {
            posts.push(0);
            first_post.get_or_insert(k);
            header = false;
        }
        if prose[k] {
            if let Some(last) = posts.last_mut() {
                *last += sizes[k];
            }
        }
    }
    let code = (0..n).filter(|&k| !prose[k] && looks_like_code(texts[k])).count();
    let items = (0..n)
        .filter(|&k| !prose[k] && (ITEM_MIN..=ITEM_MAX).contains(&sizes[k]))
        .count();
    let page = |kind| PageType {
        kind,
        posts: posts.len(),
        code,
        items,
        prose_share: share,
    };
    if let (true, Some(first)) = (posts.len() >= MIN_POSTS, first_post) {
        let lead: i64 = (0..first).filter(|&k| prose[k]).map(|k| sizes[k]).sum();
        // An article with comments holds most of its prose in one stretch: before the stamps, or after its own
        // dated byline; a thread's prose is spread over its posts.
        let most = posts.iter().copied().fold(lead, i64::max);
        if (most as f64) < ARTICLE_LEAD_SHARE * prose_words as f64 {
            return page(Kind::Thread);
        }
    }
    if code >= MIN_CODE_BLOCKS {
        return page(Kind::Docs);
    }
    if items >= MIN_ITEMS && share < LISTING_PROSE_SHARE {
        return page(Kind::Listing);
    }
    // A list of teasers has prose (each item's summary), but the items hold it: a run of units repeating one
    // shape with a field recurring in each (see `item_runs`) holds most of the page's words that say something.
    // An article's sections under labelled headings repeat too, but their paragraphs are long; a teaser is a
    // sentence or two.
    let runs = item_runs(texts, sizes, prose, &vec![false; n]);
    let said = |k: usize| prose[k] || sizes[k] > ITEM_MIN;
    let held: i64 = (0..n).filter(|&k| runs[k] && said(k)).map(|k| sizes[k]).sum();
    let said_words = match (0..n).filter(|&k| said(k)).map(|k| sizes[k]).sum::<i64>() {
        0 => 1,
        s => s,
    };
    let teasers: Vec<i64> = (0..n).filter(|&k| runs[k] && prose[k]).map(|k| sizes[k]).collect();
    let teaser_words = match teasers.iter().sum::<i64>() {
        0 => 1,
        s => s,
    };
    let long: i64 = teasers.iter().filter(|&&s| s > TEASER_MAX).sum();
    // Or the first rule again, with the items' own prose (their titles and teasers, in runs) counted as the
    // items they are and not as the page's prose, for a list whose introduction is all the prose it has: read
    // so, its cleaned copy (the menus gone, which made most of its short lines) reads as a list too, where the
    // first rule reads it as an article of its introduction.
    let loose: i64 = (0..n).filter(|&k| prose[k] && !runs[k]).map(|k| sizes[k]).sum();
    let introduced = items >= MIN_ITEMS && loose < INTRO_MAX && (loose as f64) < LISTING_PROSE_SHARE * total as f64;
    if (held as f64 >= ITEMS_HELD * said_words as f64 || introduced)
        && (long as f64) < LONG_TEASERS * teaser_words as f64
    {
        return page(Kind::Listing);
    }
    page(if share >= LISTING_PROSE_SHARE {
        Kind::Article
    } else {
        Kind::Other
    })
}

/// The kind of page a document's blocks make, from the chrome step's rows and texts: read on the blocks no rule
/// names as chrome (a family that only weighs stays) and not in gone (the blocks the repeats remove), as a second
/// run over the cleaned text reads it, their prose being what the extent step classes as prose (`classify.rs`).
pub fn page_kind(lexicon: &Lexicon, rows: &[Row], texts: &[&str], gone: &[bool]) -> PageType {
    let kept: Vec<usize> = (0..rows.len().min(texts.len()))
        .filter(|&k| rows[k].named != Named::Chrome && !gone.get(k).copied().unwrap_or(false))
        .collect();
    let rows: Vec<Row> = kept.iter().map(|&k| rows[k]).collect();
    let texts: Vec<&str> = kept.iter().map(|&k| texts[k]).collect();
    let prose: Vec<bool> = lexicon
        .classes(&rows, &texts, None)
        .into_iter()
        .map(|c| c == GOOD || c == NEAR)
        .collect();
    let sizes: Vec<i64> = rows.iter().map(|r| r.size).collect();
    page_type(&texts, &sizes, &prose)
}

/// What a block is in a list's shape: a field that recurs from item to item (a line a rule names, a "label:"
/// or a text, digits folded), a text of its own (prose, or a line of a few words), or a word.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Token {
    /// A recurring text, digits folded (its number among the page's folded texts; a line a rule names counts as
    /// the text "rule", as pagetype.py's tuples compared).
    Field(usize),
    /// A recurring "label:" (its number among the page's labels).
    Label(usize),
    Text,
    Word,
}

/// Strings numbered in the order they are first seen, hashed by `WordHasher` (the numbers do not depend on
/// the hash, and nothing iterates the map; SipHash over every block's whole text showed in profiles).
type Ids = HashMap<String, usize, BuildHasherDefault<WordHasher>>;

/// The number of a string among those seen so far.
fn intern(ids: &mut Ids, s: String) -> usize {
    let next = ids.len();
    *ids.entry(s).or_insert(next)
}

/// Each block's token in a list's shape (see `Token`), the number of the text "rule" (a line a rule names) and
/// of the text "label" among the folded texts.
fn tokenize(texts: &[&str], sizes: &[i64], prose: &[bool], named: &[bool]) -> (Vec<Token>, usize, Option<usize>) {
    let n = texts.len();
    let mut fold_ids = Ids::with_capacity_and_hasher(n + 1, BuildHasherDefault::default());
    let folds: Vec<usize> = texts[..n].iter().map(|t| intern(&mut fold_ids, folded(t))).collect();
    let mut label_ids = Ids::default();
    let labels: Vec<Option<usize>> = texts[..n]
        .iter()
        .map(|t| label(t).map(|l| intern(&mut label_ids, lower(l))))
        .collect();
    let mut label_counts = vec![0usize; label_ids.len()];
    for l in labels.iter().flatten() {
        label_counts[*l] += 1;
    }
    let mut text_counts = vec![0usize; fold_ids.len()];
    for &f in &folds {
        text_counts[f] += 1;
    }
    let rule = intern(&mut fold_ids, "rule".to_string());
    let label_word = fold_ids.get("label").copied();
    let tokens: Vec<Token> = (0..n)
        .map(|k| match labels[k] {
            _ if named[k] => Token::Field(rule),
            Some(l) if label_counts[l] >= FIELD_RECURS => Token::Label(l),
            _ if text_counts[folds[k]] >= FIELD_RECURS => Token::Field(folds[k]),
            // (a title reads as a sentence as often as not: an item's title and its summary are both its text)
            _ if prose[k] || sizes[k] > ITEM_MIN + 1 => Token::Text,
            _ => Token::Word,
        })
        .collect();
    (tokens, rule, label_word)
}

/// Which blocks lie in a run of list items: units of a few blocks repeated with one shape, at least
/// `MIN_RUN_ITEMS` times, each unit holding a field that recurs from item to item (a "label:", a text that
/// recurs with its digits folded, a line a rule names: "Posts", "By NAME", "View map", "3 days ago") and
/// content of its own (prose, or a line of a few words: a title).
///
/// An article's sections (a heading, then paragraphs) repeat a shape too, but their headings are all
/// different: without a recurring field there is no item. named marks the blocks a phrasing rule names.
pub fn item_runs(texts: &[&str], sizes: &[i64], prose: &[bool], named: &[bool]) -> Vec<bool> {
    let n = texts.len().min(sizes.len()).min(prose.len()).min(named.len());
    let (tokens, rule, label_word) = tokenize(&texts[..n], sizes, prose, named);
    let field = |t: &Token| matches!(t, Token::Field(_) | Token::Label(_));
    // (a text "label" folded is a field that reads as a label, as the tuple ("field", "label") did)
    let own = |t: &Token| {
        matches!(t, Token::Text | Token::Label(_)) || matches!(t, Token::Field(f) if Some(*f) == label_word)
    };
    let mut inside = vec![false; n];
    for period in 2..=MAX_ITEM_BLOCKS {
        if n <= period {
            break;
        }
        let same: Vec<bool> = (0..n - period).map(|k| tokens[k] == tokens[k + period]).collect();
        let mut k = 0;
        while k < same.len() {
            if !same[k] {
                k += 1;
                continue;
            }
            // One unit may differ once per item (an item without its tag, a "View map" worded "Visit map").
            let (mut end, mut miss, mut j) = (k, -(period as isize), k);
            while j < same.len() {
                if same[j] {
                    end = j;
                } else if (j as isize) - miss < period as isize {
                    break;
                } else {
                    miss = j as isize;
                }
                j += 1;
            }
            let unit = &tokens[k..k + period];
            if end + 1 - k >= (MIN_RUN_ITEMS - 1) * period && unit.iter().any(field) && unit.iter().any(own) {
                inside[k..end + 1 + period].fill(true);
            }
            k = end + 1;
        }
    }
    anchored_runs(&texts[..n], &tokens, sizes, rule, &mut inside);
    inside
}

/// Which blocks lie in a grid of cards anchored on a field whose value varies (`anchored_runs` alone, without the
/// runs of one shape): on a page not read as a list, a grid the extent leaves out is what the page is about when
/// its titles outweigh the prose the extent holds (`extent::article_shaped`).
pub fn card_runs(texts: &[&str], sizes: &[i64], prose: &[bool], named: &[bool]) -> Vec<bool> {
    let n = texts.len().min(sizes.len()).min(prose.len()).min(named.len());
    let (tokens, rule, _) = tokenize(&texts[..n], sizes, prose, named);
    let mut inside = vec![false; n];
    anchored_runs(&texts[..n], &tokens, sizes, rule, &mut inside);
    inside
}

/// Cards of a grid that differ in shape (a title, maybe a seller, a rating, one or two price lines, maybe
/// "FREE shipping"): records anchored on a field whose value changes from card to card (a text that recurs with
/// other numbers: a price, a count, a rating), recurring every `2..=MAX_CARD_BLOCKS` blocks at least
/// `MIN_RUN_ITEMS` times in a row, each stretch from one occurrence to the next holding a text of its own (a
/// title) and no paragraph longer than a teaser's (`TEASER_MAX`). The run reaches before the first occurrence
/// as far as the blocks there repeat, token for token, those before the second (the first card's title), and
/// after the last as far as they repeat those after the one before (the last card's prices).
fn anchored_runs(texts: &[&str], tokens: &[Token], sizes: &[i64], rule: usize, inside: &mut [bool]) {
    let n = tokens.len();
    let mut at: HashMap<Token, Vec<usize>> = HashMap::new();
    for (k, t) in tokens.iter().enumerate() {
        if matches!(t, Token::Field(f) if *f != rule) {
            at.entry(*t).or_default().push(k);
        }
    }
    let own = |k: usize| tokens[k] == Token::Text;
    let short = |k: usize| sizes[k] <= TEASER_MAX;
    let value = |k: usize| lower(strip(texts[k]));
    for places in at.values().filter(|p| p.len() >= MIN_RUN_ITEMS) {
        let mut i = 0;
        while i + 1 < places.len() {
            let mut j = i;
            while j + 1 < places.len() {
                let (a, b) = (places[j], places[j + 1]);
                if b - a > MAX_CARD_BLOCKS || !(a + 1..b).any(own) || !(a + 1..b).all(short) {
                    break;
                }
                j += 1;
            }
            // (a line the page repeats as it is, "Back" between a menu's groups, anchors no card)
            let varies = places[i + 1..=j].iter().any(|&k| value(k) != value(places[i]));
            if j + 1 - i >= MIN_RUN_ITEMS && varies {
                let (p, q) = (places[i], places[i + 1]);
                let before = (1..q - p)
                    .take_while(|&d| d <= p && short(p - d) && tokens[p - d] == tokens[q - d])
                    .count();
                let (p, q) = (places[j - 1], places[j]);
                let after = (1..q - p)
                    .take_while(|&d| q + d < n && short(q + d) && tokens[q + d] == tokens[p + d])
                    .count();
                inside[places[i] - before..=places[j] + after].fill(true);
            }
            i = j.max(i + 1);
        }
    }
}

/// A "label: value" field's label (`Length: 5 miles`, `价格：12元`): after any white space, a letter or other
/// word character that is no digit, then up to 24 characters other than a colon before a colon, and something
/// other than white space after it (the former `\s*([^\W\d][^:：]{0,24})[:：]\s*\S`, matched at the start).
pub fn label(text: &str) -> Option<&str> {
    let start = text.len() - text.trim_start_matches(is_space).len();
    let body = &text[start..];
    let first = body.chars().next()?;
    if !is_word(first) || is_digit(first) {
        return None;
    }
    let (colon, _) = body.char_indices().take(26).find(|&(_, c)| c == ':' || c == '：')?;
    let after = &body[colon..];
    let after = &after[after.chars().next().map_or(0, char::len_utf8)..];
    if after.trim_start_matches(is_space).is_empty() {
        return None;
    }
    Some(&body[..colon])
}

/// A block's text as its copies share it: lower case (`str.lower`), each number as 0 (a date, a count, a price:
/// `\d+(?:[.,]\d+)*`).
pub fn folded(text: &str) -> String {
    let text = strip(text);
    if text.is_ascii() {
        return ascii_folded(text);
    }
    general_folded(text)
}

/// `folded` of a stripped text, character by character (any script; ASCII has its own way, the same answer).
fn general_folded(text: &str) -> String {
    let low = lower(text);
    if !low.chars().any(is_digit) {
        return low;
    }
    let chars: Vec<char> = low.chars().collect();
    let mut out = String::with_capacity(low.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        while i < chars.len() && is_digit(chars[i]) {
            i += 1;
        }
        while i + 1 < chars.len() && matches!(chars[i], '.' | ',') && is_digit(chars[i + 1]) {
            i += 1;
            while i < chars.len() && is_digit(chars[i]) {
                i += 1;
            }
        }
        out.push('0');
    }
    out
}

/// `folded` of a stripped ASCII text: the runs between numbers copied whole, then lowered at once.
fn ascii_folded(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(b.len());
    let (mut i, mut run) = (0, 0);
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        out.push_str(&text[run..i]);
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        while i + 1 < b.len() && matches!(b[i], b'.' | b',') && b[i + 1].is_ascii_digit() {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
        out.push('0');
        run = i;
    }
    out.push_str(&text[run..]);
    out.make_ascii_lowercase();
    out
}

/// The characters of code: brackets, operators, sigils.
const CODE_CHARS: &str = "{}[]()<>;=$#\\|&*`";

/// `CODE_CHARS` as a mask over ASCII.
const CODE_MASK: u128 = {
    let (chars, mut mask, mut i) = (CODE_CHARS.as_bytes(), 0u128, 0);
    while i < chars.len() {
        mask |= 1 << chars[i];
        i += 1;
    }
    mask
};

/// Whether a block reads as code: a share of code symbols, and a call, assignment or statement shape.
pub fn looks_like_code(text: &str) -> bool {
    let stripped = strip(text);
    let len = stripped.chars().count();
    if len < 4 {
        return false;
    }
    // (every code character is ASCII: a bit of a mask each, rather than a search of the list per character)
    let symbols = stripped.bytes().filter(|&b| b < 128 && CODE_MASK >> b & 1 == 1).count();
    symbols >= 3 && symbols * 10 >= len && code_shape(text)
}

/// Whether a block is code or quotes code's interpolation (`...${x}...`, "${HOME}/bin") amid prose.
pub fn holds_code(text: &str) -> bool {
    // A paragraph that runs a snippet into the prose around it ("Here is the call: const r = ...") holds too
    // few code symbols to read as code; a server's unfilled placeholder is bare text, never in quotes.
    looks_like_code(text) || quoted_interpolation(text)
}

/// A call, an assignment, an access or a statement end, as code writes them (the former `_CODE_SHAPE`:
/// `(?a:\w)\(|[=!<>]=|=>|->|::|;\s*$|^\s*\$\s+[a-z]|^\s*(?://|/\*|--)\s|\{\s*$|^\s*\}|(?a:\w)\s*=\s*\S`).
/// A call's or an assignment's name is an identifier of ASCII letters, digits and underscores, as code spells
/// them in every language: a word of another script before a bracket is prose's aside ("严重(图)", "营地(2)",
/// "分享(原创)", a title's "(写真)"), not a call.
fn code_shape(text: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let start = t.iter().position(|&c| !is_space(c));
    // (the text's last character other than white space: `;\s*$` and `\{\s*$` end there)
    let last = t.iter().rposition(|&c| !is_space(c));
    let (Some(start), Some(last)) = (start, last) else {
        return false;
    };
    if matches!(t[last], ';' | '{') || t[start] == '}' {
        return true;
    }
    let at = |i: usize| t.get(i).copied();
    // `^\s*\$\s+[a-z]` and `^\s*(?://|/\*|--)\s`
    if t[start] == '$' {
        let mut i = start + 1;
        while at(i).is_some_and(is_space) {
            i += 1;
        }
        if i > start + 1 && at(i).is_some_and(|c| c.is_ascii_lowercase()) {
            return true;
        }
    }
    if matches!(
        (at(start), at(start + 1)),
        (Some('/'), Some('/' | '*')) | (Some('-'), Some('-'))
    ) && at(start + 2).is_some_and(is_space)
    {
        return true;
    }
    (0..t.len().saturating_sub(1)).any(|i| {
        let (c, d) = (t[i], t[i + 1]);
        ident(c) && d == '('
            || matches!(c, '=' | '!' | '<' | '>') && d == '='
            || matches!((c, d), ('=', '>') | ('-', '>') | (':', ':'))
    }) || (0..t.len()).any(|j| {
        // `(?a:\w)\s*=\s*\S`: an identifier's character before the sign (white space between), and something
        // other than white space after it
        if t[j] != '=' || last <= j {
            return false;
        }
        let before = t[..j].iter().rposition(|&c| !is_space(c));
        before.is_some_and(|b| ident(t[b]))
    })
}

/// An interpolation inside quotes or backquotes, as JavaScript, shells and build files write them (the former
/// `` ([`"])[^`"]*\$\{[^}]*\}[^`"]*\1 ``): a quote, `${` before the next quote, the first `}` after it, and the
/// same quote as the first one after that `}`.
fn quoted_interpolation(text: &str) -> bool {
    if !text.contains("${") {
        return false;
    }
    let t: Vec<char> = text.chars().collect();
    let quote = |c: char| c == '`' || c == '"';
    // next_close[i]: the first `}` at i or after; next_quote[i]: the first quote at i or after (t.len(): none)
    let n = t.len();
    let mut next_close = vec![n; n + 1];
    let mut next_quote = vec![n; n + 1];
    for i in (0..n).rev() {
        next_close[i] = if t[i] == '}' { i } else { next_close[i + 1] };
        next_quote[i] = if quote(t[i]) { i } else { next_quote[i + 1] };
    }
    // (the stretches between quotes are disjoint: each `${` is tried once, for the quote that opens its stretch)
    (0..n).filter(|&i| quote(t[i])).any(|i| {
        (i + 1..next_quote[i + 1]).any(|j| {
            if !(t[j] == '$' && t.get(j + 1) == Some(&'{')) {
                return false;
            }
            let close = next_close[j + 2];
            close < n && next_quote[close + 1] < n && t[next_quote[close + 1]] == t[i]
        })
    })
}

/// The words of a text (runs of word characters) that hold a letter, not digits alone.
fn lettered_words(text: &str) -> usize {
    text.split(|c: char| !is_word(c))
        .filter(|w| w.chars().any(|c| !is_digit(c) && c != '_'))
        .count()
}

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
    fn code_and_interpolation() {
        for text in [
            "x = foo(1);",
            "  $ echo ${HOME}",
            "// see {a} [b]",
            "if (a == b) {",
            "a->b [1]",
        ] {
            assert!(looks_like_code(text), "{text}");
        }
        // prose's asides in another script are no calls; too few symbols is prose
        for text in [
            "严重(图) 营地(2) 分享(原创)",
            "We met (briefly) at noon.",
            "} else {",
            "a = b",
            "",
            "{}",
        ] {
            assert!(!looks_like_code(text), "{text}");
        }
        assert!(holds_code("Run it with \"${HOME}/bin\" first"));
        assert!(holds_code("the `${a\"b}` form"));
        assert!(!holds_code("Hello ${name}, welcome"));
        assert!(!holds_code("a \"${x}` b"));
    }

    #[test]
    fn labels_and_folded_texts() {
        assert_eq!(label("  Length: 5 miles"), Some("Length"));
        assert_eq!(label("价格：12元"), Some("价格"));
        assert_eq!(label("_x: y"), Some("_x"));
        for text in [
            "3 days: gone",
            "Length:   ",
            "- Length: 5",
            "a very long label of many words here: x",
        ] {
            assert_eq!(label(text), None, "{text}");
        }
        assert_eq!(folded("  Posted 12.05.2024, 3 COMMENTS "), "posted 0, 0 comments");
        // An ASCII text folds as the general way folds it.
        for t in [
            "  Posted 12.05.2024, 3 COMMENTS ",
            "1.",
            "a1,b 2.,3 ,4 5,6.7x.8",
            "X9",
            "",
            " \x1c ",
        ] {
            let general = general_folded(strip(t));
            assert_eq!(folded(t), general, "{t:?}");
        }
        assert_eq!(folded("\u{39f}\u{3a3} 1,5 ١٢"), "\u{3bf}\u{3c2} 0 0");
    }

    #[test]
    fn runs_of_items_and_kinds() {
        // A title, then a recurring "Read more", five times: a run of items.
        let mut texts = Vec::new();
        for title in [
            "Red tent for two people",
            "Blue stove of steel",
            "Green pack with pockets",
            "Small lamp that folds",
            "Big map of the hills",
        ] {
            texts.push(title);
            texts.push("Read more");
        }
        let sizes: Vec<i64> = texts.iter().map(|t| t.split_whitespace().count() as i64).collect();
        let n = texts.len();
        assert!(item_runs(&texts, &sizes, &vec![false; n], &vec![false; n])
            .iter()
            .all(|&x| x));
        // Headings all different: no field recurs, no item.
        let sections = [
            "One heading here now",
            "Two heading here now",
            "Three heading here now",
            "Four heading here now",
        ];
        let sizes4 = vec![4i64; 4];
        assert!(!item_runs(&sections, &sizes4, &[false; 4], &[false; 4])
            .iter()
            .any(|&x| x));
        assert_eq!(page_type(&texts, &sizes, &vec![false; n]).kind, Kind::Listing);
        assert_eq!(page_type(&[""], &[0], &[false]).kind, Kind::Other);
    }

    #[test]
    fn cards_anchored_on_a_value_that_changes() {
        // Cards of 3 to 5 lines: a title, maybe a seller, a count of reviews that recurs with other numbers, one
        // or two prices, maybe "FREE shipping". No unit of one shape repeats; the count anchors them.
        let mut texts: Vec<String> = vec!["Home".into(), "Shop".into()];
        for (i, name) in ["Alder", "Birch", "Cedar", "Dove", "Elm", "Fox"].iter().enumerate() {
            texts.push(format!("Soft leather wallet {name} for men, engraved, slim"));
            if i % 3 != 2 {
                texts.push(format!("ad by seller {name} from shop {name}"));
            }
            texts.push(format!("({})", 37 * (i + 2)));
            texts.push(format!("USD {}.25", 40 + i));
            if i % 2 == 0 {
                texts.push("FREE shipping".into());
            }
        }
        texts.push("Privacy".into());
        let views: Vec<&str> = texts.iter().map(String::as_str).collect();
        let sizes: Vec<i64> = views.iter().map(|t| t.split_whitespace().count() as i64).collect();
        let n = views.len();
        let cards = card_runs(&views, &sizes, &vec![false; n], &vec![false; n]);
        assert_eq!(cards, item_runs(&views, &sizes, &vec![false; n], &vec![false; n]));
        assert!(!cards[0] && !cards[1] && !cards[n - 1]);
        assert!(cards[2..n - 1].iter().all(|&x| x), "{cards:?}");
        // The same line each time ("Back" between a menu's groups) anchors nothing.
        let menu = ["Back", "Anxiety and panic", "What is anxiety and panic?"].repeat(5);
        let sizes: Vec<i64> = menu.iter().map(|t| t.split_whitespace().count() as i64).collect();
        assert!(!card_runs(&menu, &sizes, &[false; 15], &[false; 15]).contains(&true));
    }

    #[test]
    fn a_stamp_that_reads_as_a_short_sentence_still_heads_a_post() {
        // Post headers "Tuesday at 4:27 AM" read as short sentences (prose); a post's text follows each.
        let post = "I tried the thing you said in the last reply, and it did not work for me today at all.";
        let mut texts = vec!["A long notice of the site about its rules and its meetups, read by every member."];
        for stamp in [
            "Monday at 9:10 PM",
            "Tuesday at 4:27 AM",
            "Yesterday at 10:12 PM",
            "Today at 8:05 AM",
        ] {
            texts.extend(["user", stamp, "#1", post]);
        }
        let sizes: Vec<i64> = texts.iter().map(|t| t.split_whitespace().count() as i64).collect();
        let prose: Vec<bool> = texts.iter().map(|t| t.contains(" at ")).collect();
        let page = page_type(&texts, &sizes, &prose);
        assert_eq!((page.kind, page.posts), (Kind::Thread, 4));
        // A dated sentence of more words is prose, not a header: no posts then.
        let long: Vec<&str> = texts
            .iter()
            .map(|&t| {
                if has_stamp(t) {
                    "The board met on Tuesday at 4:27 AM to vote"
                } else {
                    t
                }
            })
            .collect();
        let sizes: Vec<i64> = long.iter().map(|t| t.split_whitespace().count() as i64).collect();
        assert_eq!(page_type(&long, &sizes, &prose).posts, 0);
        assert_eq!(lettered_words("Tuesday at 4:27 AM"), 3);
        assert_eq!(lettered_words("2024-01-05, 09:14 — 3_000"), 0);
    }

    #[test]
    fn a_list_whose_introduction_is_its_only_prose() {
        // A paragraph of introduction, section headings, then cards (a title, some reading as prose, and a
        // rating line that recurs with its numbers folded). Its prose share (the titles') is over a listing's
        // and the runs hold less than ITEMS_HELD of its words: read by the first two rules, an article of its
        // introduction. The items' own prose counted as items, it is a list.
        let intro = "These are the recipes our readers cook most, from weeknight chicken to crispy tofu, \
                     each tested in our kitchen more than once before it went up on the site.";
        let mut texts = vec![intro, "Top rated recipes from our kitchen"];
        for t in [
            "Ridiculously good chicken tacos with a green sauce that everyone loves.",
            "Crispy rice salad with cucumbers and herbs",
            "Honey chipotle chicken skewers",
            "Crispy air fryer tofu with a sticky glaze that keeps well in the fridge.",
        ] {
            texts.extend([t, "161 reviews / 4.9 average"]);
        }
        texts.push("Chicken recipes for every weeknight dinner");
        for t in [
            "Garlic and black pepper beef skewers",
            "Yummy air fryer chicken tenders",
            "Crispy buffalo tofu with a caesar salad on the side for lunch.",
            "Marry me chicken",
        ] {
            texts.extend([t, "28 reviews / 4.8 average"]);
        }
        texts.extend([
            "Get our free cookbook of the top recipes",
            "Browse all of the recipes on this site",
        ]);
        let shape = |texts: &[&str]| -> (Vec<i64>, Vec<bool>) {
            let sizes = texts.iter().map(|t| t.split_whitespace().count() as i64).collect();
            (sizes, texts.iter().map(|t| t.ends_with('.')).collect())
        };
        let (sizes, prose) = shape(&texts);
        assert_eq!(page_type(&texts, &sizes, &prose).kind, Kind::Listing);
        // The same cards after an article's body (longer than an introduction) leave it an article.
        let mut article = vec![intro; 6];
        article.extend_from_slice(&texts[1..]);
        let (sizes, prose) = shape(&article);
        assert_eq!(page_type(&article, &sizes, &prose).kind, Kind::Article);
    }

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
