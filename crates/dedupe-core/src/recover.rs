//! Finding a page's blocks in an extractor's text (`dedupe/formats/html.py`, `recover`).
//!
//! The extracted text is held as one string of normalized words (a space before every line's words and
//! after them) and the set of its word n-grams. A block is in the text when its whole normalized text is,
//! or when at least half of its n-grams are; a block of fewer words than an n-gram only as a whole line of
//! the text (a "Share" or a "Home" would otherwise be found inside the article's sentences).

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use crate::chars::is_space;
use crate::features::WordHasher;
use crate::sign::{normalize, normalize_into};

/// The text's words and n-grams, hashed by `WordHasher` rather than SipHash (a page's words are no adversary's
/// keys worth a flooding-resistant hash; nothing iterates these maps, so their order never shows).
type Map<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;
type Set<K> = HashSet<K, BuildHasherDefault<WordHasher>>;

/// Words per n-gram a block is matched on.
pub const GRAM: usize = 3;

/// How a block is in the text (`Seen::matched`).
enum Match {
    Short(String),
    Grams { whole: Option<String>, last: String },
}

/// An extractor's text, ready to find blocks in.
pub struct Seen {
    /// " " then each line's normalized words followed by a space (an empty line adds nothing).
    stream: String,
    /// The byte offset in `stream` where each line's words begin.
    starts: Vec<usize>,
    /// The normalized text of each line of fewer than `GRAM` words -> the lines that hold exactly it.
    short: Map<String, Vec<usize>>,
    /// Each distinct word of the stream -> its number.
    vocabulary: Map<String, u32>,
    /// Every run of `GRAM` consecutive words of the stream, as their numbers.
    grams: Set<[u32; GRAM]>,
}

impl Seen {
    pub fn new<S: AsRef<str>>(lines: &[S]) -> Seen {
        let mut stream = String::from(" ");
        let mut starts = Vec::with_capacity(lines.len());
        let mut short: Map<String, Vec<usize>> = Map::default();
        let mut total = 0;
        for (i, line) in lines.iter().enumerate() {
            starts.push(stream.len());
            // (normalized straight into the stream: a line's words, then the space after them)
            let at = stream.len();
            let words = normalize_into(line.as_ref(), &mut stream);
            if words == 0 {
                continue;
            }
            total += words;
            if words < GRAM {
                short.entry(stream[at..].to_string()).or_default().push(i);
            }
            stream.push(' ');
        }
        // (sized for every word at once: growing them cost 45 M instructions over webpages-dev's 200 pages)
        let mut vocabulary: Map<String, u32> = Map::with_capacity_and_hasher(total, Default::default());
        let mut grams: Set<[u32; GRAM]> = Set::with_capacity_and_hasher(total, Default::default());
        let mut last = [0u32; GRAM];
        for (k, w) in words_of(&stream).enumerate() {
            let number = match vocabulary.get(w) {
                Some(&n) => n,
                None => {
                    let n = vocabulary.len() as u32;
                    vocabulary.insert(w.to_string(), n);
                    n
                }
            };
            last = [last[1], last[2], number];
            if k + 1 >= GRAM {
                grams.insert(last);
            }
        }
        Seen {
            stream,
            starts,
            short,
            vocabulary,
            grams,
        }
    }

    /// How many of a block's n-grams (its words, at least `GRAM` of them) occur in the text, of how many,
    /// and the last that does (its index among the block's n-grams).
    fn hits(&self, words: &[&str]) -> (usize, usize, Option<usize>) {
        let numbers: Vec<Option<u32>> = words.iter().map(|w| self.vocabulary.get(*w).copied()).collect();
        let mut hits = 0;
        let mut last = None;
        for (i, w) in numbers.windows(GRAM).enumerate() {
            if let [Some(a), Some(b), Some(c)] = *w {
                if self.grams.contains(&[a, b, c]) {
                    hits += 1;
                    last = Some(i);
                }
            }
        }
        (hits, words.len() + 1 - GRAM, last)
    }

    /// How a block is in the text, None when it is not: a block of fewer than `GRAM` words as a whole line of
    /// it (its normalized text), a longer one through at least half of its n-grams (the last of them that
    /// occurs, and its whole normalized text as a candidate when every one does: only then can it occur whole).
    /// Candidates come with a space on each side, as the stream holds words.
    fn matched(&self, block: &str) -> Option<Match> {
        let n = normalize(block);
        let words: Vec<&str> = words_of(&n).collect();
        if words.len() < GRAM {
            return self.short.contains_key(&n).then(|| Match::Short(n.clone()));
        }
        let (hits, total, last) = self.hits(&words);
        if 2 * hits < total {
            return None;
        }
        let last = format!(" {} ", words[last?..last? + GRAM].join(" "));
        let whole = (hits == total).then(|| format!(" {n} "));
        Some(Match::Grams { whole, last })
    }

    /// What of a block occurs in the text: its whole normalized text (with a space on each side), or the
    /// last of its n-grams that occurs (the same) when at least half of them do; a block of fewer words
    /// its normalized text when it is a whole line of the text. None when the block is not in the text.
    pub fn found(&self, block: &str) -> Option<String> {
        match self.matched(block)? {
            Match::Short(n) => Some(n),
            Match::Grams { whole, last } => Some(whole.filter(|w| self.stream.contains(w.as_str())).unwrap_or(last)),
        }
    }

    /// Whether a block is in the text (`found` is some, without its substring search).
    pub fn covers(&self, block: &str) -> bool {
        self.covers_all(&[block])[0]
    }

    /// `covers` for each of many blocks, with none of the strings a placing needs made, and one buffer for
    /// every block's normalized text and word numbers.
    pub fn covers_all<S: AsRef<str>>(&self, blocks: &[S]) -> Vec<bool> {
        let mut n = String::new();
        let mut numbers: Vec<Option<u32>> = Vec::new();
        blocks
            .iter()
            .map(|block| {
                n.clear();
                let words = normalize_into(block.as_ref(), &mut n);
                if words < GRAM {
                    return self.short.contains_key(n.as_str());
                }
                numbers.clear();
                numbers.extend(words_of(&n).map(|w| self.vocabulary.get(w).copied()));
                let hits = numbers
                    .windows(GRAM)
                    .filter(|w| matches!(**w, [Some(a), Some(b), Some(c)] if self.grams.contains(&[a, b, c])))
                    .count();
                hits > 0 && 2 * hits >= words + 1 - GRAM
            })
            .collect()
    }

    /// The line of the text a block ends on: where what `found` names first occurs at or after the start of
    /// line `after` (anywhere when it does not occur there; a short block: the first line holding it at or
    /// after `after`, else its first). None when the block is not in the text.
    pub fn place(&self, block: &str, after: Option<usize>) -> Option<usize> {
        match self.matched(block)? {
            Match::Short(n) => {
                let at = self.short.get(&n)?;
                let after = after.unwrap_or(0);
                Some(at.iter().copied().find(|&i| i >= after).unwrap_or(at[0]))
            }
            Match::Grams { whole, last } => {
                // `found`'s answer, searched for from `from` first: the whole block where it occurs, else its
                // last n-gram found.
                let from = after.map_or(0, |a| self.starts[a]);
                whole
                    .and_then(|w| self.line_found(&w, from))
                    .or_else(|| self.line_found(&last, from))
            }
        }
    }

    /// The line on which `found` ends where it first occurs at or after byte `from` of the stream, else where
    /// it first occurs at all.
    fn line_found(&self, found: &str, from: usize) -> Option<usize> {
        let at = match self.stream[from..].find(found) {
            Some(i) => from + i,
            None => self.stream.find(found)?,
        };
        // The last byte of the found text's last word, and the line it stands on.
        let end = at + found.len() - 2;
        Some(self.starts.partition_point(|&s| s <= end) - 1)
    }

    /// `place` for a run of blocks in order, each placed at or after the line the last placed one ended on.
    pub fn place_run<S: AsRef<str>>(&self, blocks: &[S]) -> Vec<Option<usize>> {
        let mut anchor = None;
        blocks
            .iter()
            .map(|b| {
                let at = self.place(b.as_ref(), anchor);
                if at.is_some() {
                    anchor = at;
                }
                at
            })
            .collect()
    }
}

/// The words of a normalized text (spaces between them, and maybe around them), read byte by byte: `str::split`
/// at a space, a searcher's call for each word, cost 133 M instructions in `Seen::new` and `covers` over
/// webpages-dev's 200 pages.
fn words_of(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        let start = i;
        while bytes.get(i).is_some_and(|&b| b != b' ') {
            i += 1;
        }
        (i > start).then(|| &text[start..i])
    })
}

/// The mark the page's serialisation puts at each edge of an element that starts a new line.
pub const LINE: char = '\u{e000}';
/// The mark at each edge of an element that stands apart as a paragraph.
pub const PARA: char = '\u{e001}';

/// The page's text from its serialisation with marks at its block elements' edges (`page_text` in
/// dedupe/formats/html.py): the words between two runs of marks as one line (white space as `str.split`
/// reads it), a blank line after one whose next run of marks holds a paragraph's (or that ends the text),
/// no blank line at either end, and a newline at the end.
///
/// One pass over the bytes, each word copied whole, a character decoded only beyond ASCII (to tell a mark or
/// white space): finding the marks and then splitting at white space a character at a time cost 1.7 times as
/// much (230 against 137 M instructions on webpages-dev's 200 pages).
pub fn page_lines(marked: &str) -> String {
    let bytes = marked.as_bytes();
    let n = bytes.len();
    let ascii_space = |b: u8| matches!(b, b'\t'..=b'\r' | 0x1c..=b' ');
    let char_at = |i: usize| marked[i..].chars().next().unwrap_or_default();
    let mut out = String::with_capacity(n / 2 + 1);
    let mut words = false; // (whether the line being read has a word yet)
    let mut i = 0;
    while i < n {
        if bytes[i].is_ascii() {
            if ascii_space(bytes[i]) {
                i += 1;
                continue;
            }
        } else {
            let c = char_at(i);
            if c == LINE || c == PARA {
                let mut para = false;
                while i < n && matches!(char_at(i), LINE | PARA) {
                    para |= char_at(i) == PARA;
                    i += PARA.len_utf8();
                }
                if words {
                    out.push_str(if para { "\n\n" } else { "\n" });
                    words = false;
                }
                continue;
            }
            if is_space(c) {
                i += c.len_utf8();
                continue;
            }
        }
        let start = i;
        loop {
            while i < n && bytes[i].is_ascii() && !ascii_space(bytes[i]) {
                i += 1;
            }
            if i == n || bytes[i].is_ascii() {
                break;
            }
            let c = char_at(i);
            if c == LINE || c == PARA || is_space(c) {
                break;
            }
            i += c.len_utf8();
        }
        if words {
            out.push(' ');
        }
        out.push_str(&marked[start..i]);
        words = true;
    }
    out.truncate(out.trim_end_matches('\n').len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_lines_are_the_words_between_marks() {
        let (l, p) = (LINE, PARA);
        assert_eq!(page_lines(""), "\n");
        assert_eq!(page_lines(" \t\n "), "\n");
        assert_eq!(page_lines(&format!("{p}{l}{p}")), "\n");
        // A line break inside a paragraph, a paragraph, white space of every kind (\x1c is white space to
        // `str.split`, U+200B is not), and text after the last mark.
        let marked = format!("{p} Title\n {p}{l}one \x1c two{l} {l}\u{a0}three\u{200b}{l}{p}{p}after\t end");
        assert_eq!(page_lines(&marked), "Title\n\none two\nthree\u{200b}\n\nafter end\n");
        // A line mark then a paragraph's with white space between: two runs, the first a line's.
        assert_eq!(page_lines(&format!("a{l} {p}b{l}")), "a\nb\n");
        assert_eq!(page_lines(&format!("a{l}{p}b{p}")), "a\n\nb\n");
        // Words of other scripts against marks and white space beyond ASCII.
        assert_eq!(
            page_lines(&format!("été{l}über\u{3000}über{p}\u{85}日本{l}")),
            "été\nüber über\n\n日本\n"
        );
    }

    #[test]
    fn the_words_of_a_normalized_text() {
        assert_eq!(words_of(" a bc  d ").collect::<Vec<_>>(), ["a", "bc", "d"]);
        assert_eq!(words_of("").count() + words_of("  ").count(), 0);
    }

    fn seen() -> Seen {
        Seen::new(&[
            "The quick brown fox jumps over the lazy dog.",
            "",
            "Share",
            "A second paragraph, with other words in it.",
            "Share",
            "完全 中文 文本 在 这里",
        ])
    }

    #[test]
    fn a_whole_block_is_found_on_the_line_it_ends_on() {
        let s = seen();
        assert_eq!(s.place("the QUICK brown fox jumps over the lazy dog", None), Some(0));
        assert_eq!(s.place("A second paragraph, with other words in it.", None), Some(3));
    }

    #[test]
    fn half_of_the_ngrams_is_enough_and_less_is_not() {
        let s = seen();
        // 6 trigrams, the first 3 in the text.
        assert!(s.covers("quick brown fox jumps over cat eats mice"));
        // 6 trigrams, 2 in the text.
        assert!(!s.covers("quick brown fox cat eats mice now again"));
        // The last trigram found names the line: "words in it" is on line 3.
        assert_eq!(s.place("with other words in it and more", None), Some(3));
    }

    #[test]
    fn a_short_block_is_only_a_whole_line() {
        let s = seen();
        assert!(s.covers("share"));
        assert!(!s.covers("lazy dog"));
        assert_eq!(s.place("Share", None), Some(2));
        assert_eq!(s.place("Share", Some(3)), Some(4));
        // Past its last line: its first.
        assert_eq!(s.place("Share", Some(5)), Some(2));
    }

    #[test]
    fn blocks_are_placed_in_order() {
        let s = Seen::new(&["one two three four", "five six", "one two three four"]);
        let run = s.place_run(&["one two three four", "nothing here at all", "one two three four"]);
        assert_eq!(run, vec![Some(0), None, Some(2)]);
    }

    #[test]
    fn covers_says_what_found_finds() {
        let s = seen();
        for block in [
            "the quick brown fox jumps over the lazy dog",
            "quick brown fox jumps over cat eats mice",
            "quick brown fox cat eats mice now again",
            "dog a second paragraph with",
            "Share",
            "share share",
            "lazy dog",
            "",
            "完全 中文 文本",
            "words never seen in the text at all",
        ] {
            assert_eq!(s.covers(block), s.found(block).is_some(), "{block}");
        }
        // Across a line's edge the words still follow each other in the text.
        assert_eq!(s.found("lazy dog share").as_deref(), Some(" lazy dog share "));
        assert_eq!(
            s.found("the lazy dog share a second").as_deref(),
            Some(" the lazy dog share a second ")
        );
    }

    #[test]
    fn other_scripts_and_empty_blocks() {
        let s = seen();
        assert_eq!(s.place("完全 中文 文本 在 这里", None), Some(5));
        assert_eq!(s.found(""), None);
        assert_eq!(s.found("!!! ..."), None);
        let empty = Seen::new::<&str>(&[]);
        assert!(!empty.covers("anything at all here"));
        assert_eq!(empty.place_run(&["x"]), vec![None]);
    }
}
