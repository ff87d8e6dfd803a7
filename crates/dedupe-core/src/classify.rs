//! Block classes: what each block weighs in the chrome detector's article extent and in the page kind.
//!
//! From a block's features (`features.rs`) and whether the page's running text is of a language with function
//! words, a block is article prose (GOOD), a short sentence (NEAR), a single word or a capitalised line (SHORT), a
//! link list or a table (BAD), a list item (ITEM) or code (CODE); a block a phrasing rule names is CHROME, or WEAK
//! for a family that only weighs. A line read as prose or an item that is a bar of short links ("Home | News |
//! Sport", "首页 > 新闻 > 国内 > 社会") then weighs as a link list, and a short sentence without a letter (an
//! archive's "12/01/2004 - 01/01/2005") as an item.
//!
//! `dedupe/detect/chrome.py` calls this for both of its readers of a page (`find_chrome` and `page_kind`), one
//! call per document; the thresholds below were tuned there (on webpages-dev) and live here alone. Character
//! classes are Python 3.11's (`chars`), so that the answers equal the Python rules this replaced.

use crate::chars::{is_alpha, is_digit, is_space, is_word, split_space, strip, within};
use crate::features::Lexicon;

/// The classes, as the extent step numbers them (`chrome.py` reads them from the binding).
pub const GOOD: u8 = 0;
pub const NEAR: u8 = 1;
pub const SHORT: u8 = 2;
pub const BAD: u8 = 3;
pub const CHROME: u8 = 4;
pub const WEAK: u8 = 5;
pub const ITEM: u8 = 6;
pub const CODE: u8 = 7;

/// Prose counts fully from this many words; a shorter sentence counts half (a teaser's blurb, a caption).
pub const GOOD_MIN: i64 = 10;
/// A document whose words are fewer than this share of stop words has none of the lexicon's languages' running
/// text (or is mostly lists): the stop-word test is off.
pub const ENGLISH_STOP_SHARE: f64 = 0.2;
/// A bar has at least this many links...
pub const BAR_LINKS: usize = 4;
/// ...each at most this many characters of an unspaced script, or this many words of a spaced one.
pub const BAR_LINK_CHARS: usize = 8;
pub const BAR_LINK_WORDS: usize = 3;
/// A long bar (a directory of a site's departments, a footer of every province) may hold a few longer names:
/// with at least this many parts, `BAR_SHORT_SHARE` of them short make it a bar.
pub const BAR_LONG_LINKS: usize = 12;
pub const BAR_SHORT_SHARE: f64 = 0.75;

/// Whether a phrasing rule names the block, and how strongly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Named {
    /// No rule: the block is classed by its features.
    #[default]
    No,
    /// A family that only weighs (WEAK).
    Weak,
    /// A family that removes (CHROME).
    Chrome,
}

/// What the classes are read from, per block: `chrome._blocks`' row less its word count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub size: i64,
    pub words: i64,
    pub stop: i64,
    pub capitalised: i64,
    pub terminal: bool,
    pub code: i64,
    pub unspaced: bool,
    pub named: Named,
}

/// Whether the page's words hold the share of stop words of running text in one of the lexicon's languages
/// (pairs of words and stop words, one per counted block).
pub fn is_english(counts: impl Iterator<Item = (i64, i64)>) -> bool {
    let (words, stop) = counts.fold((0i64, 0i64), |(w, s), (bw, bs)| (w + bw, s + bs));
    words > 0 && stop as f64 >= ENGLISH_STOP_SHARE * words as f64
}

/// A block's class from its features alone (a block no rule names).
///
/// GOOD: article prose. NEAR: a short sentence. ITEM: a list item in sentence case ("2 cups of flour", "Tent
/// poles or trekking poles"). SHORT: a single word, or a capitalised line (a menu item, a heading). BAD: a long
/// run of capitalised words or of words without function words (a link list, a table). CODE: a code listing.
pub fn classify(r: &Row, english: bool) -> u8 {
    let total = if r.words == 0 { 1 } else { r.words } as f64;
    // (scripts without spaces have no capitals: a Japanese sentence naming "Wi-Fi" and "App Store" is no menu)
    let capitalised = r.capitalised as f64 > 0.5 * total && !r.unspaced;
    let stop = r.stop as f64;
    if r.size < 5 {
        return if capitalised || r.size < 2 { SHORT } else { ITEM };
    }
    if r.code >= 4 && r.code * 25 >= r.size {
        return CODE;
    }
    // Menus and teaser lists run capitalised names together, without function words; prose does not.
    if capitalised || english && stop < 0.1 * total {
        // A headline is capitalised too, but a dozen words at most.
        return if r.size >= 15 { BAD } else { SHORT };
    }
    if r.size >= GOOD_MIN && (r.terminal || r.size >= 25) {
        return if english && stop < 0.2 * total { NEAR } else { GOOD };
    }
    // Text without spaces has no function words to tell a sentence from a headline: its punctuation does (a
    // sentence end, or a clause mark inside: the features' `terminal`).
    if r.terminal || !(english || r.unspaced) || stop >= 0.2 * total {
        return NEAR;
    }
    ITEM
}

impl Lexicon {
    /// Whether a text ends a sentence: its end punctuation in any script, less trailing white space and then
    /// the closing quotes and brackets after it.
    pub fn ends_sentence(&self, text: &str) -> bool {
        text.trim_end_matches(is_space)
            .trim_end_matches(|c| self.closers.contains(&c))
            .chars()
            .next_back()
            .is_some_and(|c| self.terminal.contains(&c))
    }

    /// Whether a line is a bar of short links ("Home | News | Sport | Contact", "首页 > 新闻 > 国内 > 社会"):
    /// `BAR_LINKS` or more short parts between separators; on a page written in a script without spaces
    /// (unspaced_page), also between spaces where the line holds no clause punctuation ("控制面板 发表文章
    /// 文章编辑 评论管理", a reply's "#3 name 于 2004/12/27 12:46"). Never a line that ends a sentence.
    ///
    /// Capitals and function words tell an English menu from prose; scripts without spaces have neither, so a
    /// menu there weighed as a sentence (measured in characters) and carried the article's extent over it.
    pub fn link_bar(&self, text: &str, unspaced_page: bool) -> bool {
        self.bar(text, unspaced_page, BAR_LINKS)
    }

    /// `link_bar` with at least `links` parts: a trail of the site's sections ("Home > News > Politics") has
    /// three.
    pub fn bar(&self, text: &str, unspaced_page: bool, links: usize) -> bool {
        if self.ends_sentence(text) {
            return false;
        }
        // (a part without a word character is a bracket or a mark around an item, not a link: "简介 [ 编辑 ]")
        let mut parts: Vec<&str> = separated(text).filter(|p| p.chars().any(is_word)).collect();
        if parts.len() < links {
            // Where words are not spaced, spaces separate items (or a reply's title, date and name).
            if !unspaced_page || holds_clause_mark(text) {
                return false;
            }
            parts = split_space(text).filter(|p| p.chars().any(is_word)).collect();
            if parts.len() < links {
                return false;
            }
        }
        let short = parts
            .iter()
            .filter(|p| {
                if p.chars().any(|c| within(&self.unspaced, c)) {
                    strip(p).chars().count() <= BAR_LINK_CHARS
                } else {
                    split_space(p).count() <= BAR_LINK_WORDS
                }
            })
            .count();
        // (a line of prose that spaces its clauses has a few parts, one of them long; a directory has dozens)
        short == parts.len() || parts.len() >= BAR_LONG_LINKS && short as f64 >= BAR_SHORT_SHARE * parts.len() as f64
    }

    /// The classes of a page's blocks (rows and texts alike in order), read with the stop-word test on when the
    /// counted blocks' words (`counted`: a mask over rows; all when None; never a block a rule names) hold
    /// running text's share of stop words. Then a line read as prose or as an item that is a bar of links weighs as a link list (BAD), and
    /// one without a letter as an item; a page is written without spaces when most of its size is in blocks
    /// of such scripts.
    pub fn classes(&self, rows: &[Row], texts: &[&str], counted: Option<&[bool]>) -> Vec<u8> {
        // The page's language is read on the blocks the cleaned copy can keep: a block a rule names goes, and
        // its words (a credit line's names, a share bar's) must not decide how the rest is read, or a second run
        // over the cleaned copy would read it otherwise.
        let kept = |k: usize| rows[k].named != Named::Chrome && counted.is_none_or(|mask| mask[k]);
        let english = is_english(
            (0..rows.len())
                .filter(|&k| kept(k))
                .map(|k| (rows[k].words, rows[k].stop)),
        );
        let total: i64 = rows.iter().map(|r| r.size).sum();
        let unspaced: i64 = rows.iter().filter(|r| r.unspaced).map(|r| r.size).sum();
        let unspaced_page = 2 * unspaced > total;
        rows.iter()
            .zip(texts)
            .map(|(r, text)| {
                let class = match r.named {
                    Named::No => classify(r, english),
                    Named::Weak => WEAK,
                    Named::Chrome => CHROME,
                };
                if matches!(class, GOOD | NEAR | ITEM) && self.link_bar(text, unspaced_page) {
                    BAD
                } else if class == NEAR && !text.chars().any(is_alpha) {
                    ITEM
                } else {
                    class
                }
            })
            .collect()
    }
}

/// The characters that separate the links of a bar when spaces stand around them: a dot, a bullet, a slash,
/// a dash or an arrow.
const SPACED_SEPARATORS: [char; 9] = ['·', '・', '•', '/', '-', '–', '—', '>', '»'];

/// The end (a char index) of a separator between the links of a bar that starts at `p`: a pipe with any white
/// space around it, or a run of `SPACED_SEPARATORS` with white space on both sides (`re`'s
/// `\s*[|｜]\s*|\s+[·・•/\-–—>»]+\s+`, which no backtracking can match otherwise).
/// The characters are a text's chars, or the bytes of an ASCII text (each byte a character).
fn separator_at<C: Copy + Into<char>>(chars: &[C], p: usize) -> Option<usize> {
    let spaces = |mut q: usize| {
        while q < chars.len() && is_space(chars[q].into()) {
            q += 1;
        }
        q
    };
    let q = spaces(p);
    if q < chars.len() && matches!(chars[q].into(), '|' | '｜') {
        return Some(spaces(q + 1));
    }
    if q == p {
        return None;
    }
    let mut m = q;
    while m < chars.len() && SPACED_SEPARATORS.contains(&chars[m].into()) {
        m += 1;
    }
    let end = spaces(m);
    (m > q && end > m).then_some(end)
}

/// The parts of a line between separators, empty ones included (`re.split` of the separators).
fn separated(text: &str) -> impl Iterator<Item = &str> {
    if text.is_ascii() {
        // (a character is a byte: no table of characters and of their offsets to make)
        let bytes = text.as_bytes();
        let mut cuts = Vec::new();
        let (mut start, mut p) = (0, 0);
        while p < bytes.len() {
            match separator_at(bytes, p) {
                Some(end) => {
                    cuts.push(&text[start..p]);
                    (start, p) = (end, end);
                }
                None => p += 1,
            }
        }
        cuts.push(&text[start..]);
        return cuts.into_iter();
    }
    separated_chars(text)
}

/// `separated`, character by character.
fn separated_chars(text: &str) -> std::vec::IntoIter<&str> {
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
    let chars: Vec<char> = text.chars().collect();
    let mut cuts = Vec::new();
    let (mut start, mut p) = (0, 0);
    while p < chars.len() {
        match separator_at(&chars, p) {
            Some(end) => {
                cuts.push(&text[starts[start]..starts[p]]);
                (start, p) = (end, end);
            }
            None => p += 1,
        }
    }
    cuts.push(&text[starts[start]..]);
    cuts.into_iter()
}

/// Punctuation inside running text of unspaced scripts (and commas), or a colon before anything but a digit
/// ("来源: 日报", not "10:15"): a line holding any is a sentence or a dateline, not a bar of words.
fn holds_clause_mark(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if "，。、；：！？「」《》,;".contains(c) || c == ':' && !chars.peek().is_some_and(|&d| is_digit(d))
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> Lexicon {
        Lexicon {
            unspaced: vec![(0x3040, 0x30ff), (0x4e00, 0x9fff)],
            terminal: ".!?…。！？".chars().collect(),
            closers: "\"'”’)]）」』】》〉".chars().collect(),
            ..Lexicon::default()
        }
    }

    fn row(size: i64, words: i64, stop: i64, capitalised: i64, terminal: bool) -> Row {
        Row {
            size,
            words,
            stop,
            capitalised,
            terminal,
            ..Row::default()
        }
    }

    #[test]
    fn an_ascii_line_separates_as_its_characters_do() {
        for t in [
            "Home | News |Sport|  Contact",
            "a - b -- c -d e- f / g >> h",
            "  | x |",
            "well-known / and/or",
            "",
            "end -",
            " - ",
        ] {
            let fast: Vec<&str> = separated(t).collect();
            let slow: Vec<&str> = separated_chars(t).collect();
            assert_eq!(fast, slow, "{t:?}");
        }
    }

    #[test]
    fn classes_from_features() {
        assert_eq!(classify(&row(30, 30, 10, 3, true), true), GOOD);
        assert_eq!(classify(&row(30, 30, 4, 3, true), true), NEAR);
        assert_eq!(classify(&row(3, 3, 0, 3, false), true), SHORT);
        assert_eq!(classify(&row(1, 1, 0, 0, false), true), SHORT);
        assert_eq!(classify(&row(3, 3, 1, 0, false), true), ITEM);
        assert_eq!(classify(&row(20, 20, 0, 20, false), true), BAD);
        assert_eq!(classify(&row(8, 8, 0, 8, false), true), SHORT);
        let code = Row {
            code: 6,
            ..row(20, 20, 5, 0, false)
        };
        assert_eq!(classify(&code, true), CODE);
        // Without the stop-word test (another language), a short line is a sentence; written without spaces
        // it needs its punctuation.
        assert_eq!(classify(&row(6, 6, 0, 0, false), false), NEAR);
        let unspaced = Row {
            unspaced: true,
            ..row(6, 6, 0, 6, false)
        };
        assert_eq!(classify(&unspaced, false), ITEM);
        assert_eq!(
            classify(
                &Row {
                    terminal: true,
                    ..unspaced
                },
                false
            ),
            NEAR
        );
        // (a block of no words counts as one word, of no stop word)
        assert_eq!(classify(&row(5, 0, 0, 0, false), true), SHORT);
    }

    #[test]
    fn english_share_of_stop_words() {
        assert!(is_english([(10, 2)].into_iter()));
        assert!(!is_english([(10, 1), (5, 1)].into_iter()));
        assert!(!is_english([(0, 0)].into_iter()));
    }

    #[test]
    fn bars_of_links() {
        let lex = lexicon();
        assert!(lex.link_bar("Home | News | Sport | Contact", false));
        assert!(lex.link_bar("首页 > 新闻 > 国内 > 社会", false));
        assert!(lex.link_bar("a｜b｜c｜d", false));
        assert!(!lex.link_bar("Home | News | Sport | Contact.", false));
        assert!(!lex.link_bar("Home-News-Sport-Contact", false));
        assert!(!lex.link_bar("one two three four five | six | seven | eight nine ten eleven", false));
        // Spaces separate the items of an unspaced page, unless a clause mark makes the line a sentence.
        assert!(lex.link_bar("控制面板 发表文章 文章编辑 评论管理", true));
        assert!(!lex.link_bar("控制面板 发表文章 文章编辑 评论管理", false));
        assert!(!lex.link_bar("控制面板 发表文章，文章编辑 评论管理", true));
        assert!(lex.link_bar("控制面板 10:15 文章编辑 评论管理", true));
        assert!(!lex.link_bar("控制面板 来源: 文章编辑 评论管理", true));
        // Parts without a word character are not links.
        assert!(!lex.link_bar("简介 [ | ] | 编辑 | x", false));
    }

    #[test]
    fn separators_as_re_split_cuts() {
        let parts: Vec<&str> = separated("a | b  -  c -d - - e |").collect();
        assert_eq!(parts, ["a", "b", "c -d", "- e", ""]);
        assert_eq!(separated("").collect::<Vec<_>>(), [""]);
    }

    #[test]
    fn marks_and_weights() {
        let lex = lexicon();
        let rows = [
            row(30, 30, 10, 3, true),
            Row {
                named: Named::Weak,
                ..row(2, 2, 0, 2, false)
            },
            Row {
                named: Named::Chrome,
                ..row(2, 2, 0, 2, false)
            },
            row(8, 8, 3, 0, false),
            row(8, 8, 3, 0, false),
        ];
        let texts = [
            "prose",
            "weak",
            "chrome",
            "Home | News | Sport | Contact",
            "12/01/2004 - 01/01/2005 ok 1 2",
        ];
        // The last line has letters; one without becomes an item.
        assert_eq!(lex.classes(&rows, &texts, None), [GOOD, WEAK, CHROME, BAD, NEAR]);
        let texts = ["prose", "weak", "chrome", "x", "12/01/2004 – 01/01/2005 (3) 4"];
        assert_eq!(lex.classes(&rows, &texts, None), [GOOD, WEAK, CHROME, NEAR, ITEM]);
        // The stop-word test reads the counted blocks only: a sixth of stop words is a short sentence on an
        // English page, prose otherwise.
        let rows = [row(30, 30, 5, 3, true), row(10, 10, 5, 0, true)];
        assert_eq!(lex.classes(&rows, &["a", "b"], None), [NEAR, GOOD]);
        assert_eq!(lex.classes(&rows, &["a", "b"], Some(&[true, false])), [GOOD, GOOD]);
        // Nor does it read a block a rule names, which the cleaned copy does not keep: a credit line full of
        // "by", "in" and "and" made the page read as English and its prose as a short sentence, which a second
        // run, without the credit line, read as prose.
        let credit = Row {
            named: Named::Chrome,
            ..row(25, 25, 10, 20, false)
        };
        let prose = row(24, 24, 3, 6, true);
        assert_eq!(lex.classes(&[prose], &["b"], None), [GOOD]);
        assert_eq!(lex.classes(&[credit, prose], &["a", "b"], None), [CHROME, GOOD]);
        assert_eq!(
            lex.classes(&[credit, prose], &["a", "b"], Some(&[true, true])),
            [CHROME, GOOD]
        );
    }
}
