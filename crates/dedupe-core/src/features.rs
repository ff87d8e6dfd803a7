//! Block features: what the chrome detector reads of each block before it weighs the article's extent.
//!
//! Per block, from one pass over its characters: its size in words (runs of scripts written without spaces
//! counted by characters), its words, stop words and capitalised words (split at white space and at every
//! character that is neither a word character nor white space, as `re.sub(r"[^\w\s]+", " ", text)` and
//! `str.split()` split them, from the block's first `head` characters), whether it ends a sentence, its code
//! characters, the chrome families its trigger words and trigger characters name (as bit masks), and the
//! first of those whose phrasing it matches (`phrases.rs`).
//!
//! Nothing here is a constant of the detector: the stop words, the trigger words and characters, the scripts
//! without spaces and the punctuation sets all come from Python (`dedupe/detect/chrome.py`), which defines
//! them and may change them; the core only applies them. Character classes are Python 3.11's (`chars`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::chars::{is_lowered, is_word, within};
use crate::phrases::Phrases;

/// The lexicon's words, looked up once for every word a block's head holds: hashed by `WordHasher`, not by
/// the default SipHash (38.6 -> 33.5 µs a document; the keys are the detector's own words, not an
/// adversary's, so no flooding-resistant hash is needed; nothing iterates the map, so its order never shows).
pub type Words = HashMap<String, Entry, BuildHasherDefault<WordHasher>>;

/// A multiply-rotate hash over 8 bytes at a time (as rustc's FxHasher).
#[derive(Clone, Copy, Debug, Default)]
pub struct WordHasher(u64);

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or_default()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last) ^ (rest.len() as u64) << 59);
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// What a stop word or a trigger word is in the lexicon.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// The bit mask of the families the word triggers.
    pub families: u64,
    /// Whether it is a stop word (a function word of running text).
    pub stop: bool,
}

/// The detector's vocabulary and character classes, built once (per worker) from Python's definitions.
#[derive(Clone, Debug, Default)]
pub struct Lexicon {
    /// Lower-cased words: stop words and trigger words.
    pub words: Words,
    /// Trigger strings (one character or a few) and the mask of the families each names.
    pub chars: Vec<(String, u64)>,
    /// Families apply to blocks of at most this many words: a longer block's trigger words are not looked up.
    pub max_words: i64,
    /// Words are read from this many characters of a block.
    pub head: usize,
    /// Sorted inclusive ranges of the scripts written without spaces (Thai, kana, Han...).
    pub unspaced: Vec<(u32, u32)>,
    /// Characters of an unspaced script that weigh as one word.
    pub chars_per_word: i64,
    /// Characters counted as code symbols.
    pub code: Vec<char>,
    /// Characters that end a sentence, and the closing quotes and brackets that may follow them.
    pub terminal: Vec<char>,
    pub closers: Vec<char>,
    /// Clause marks of the scripts without spaces: a block written in one that holds one reads as a sentence.
    pub clauses: Vec<char>,
    /// The families' phrasings, in the order of the masks' bits.
    pub phrases: Phrases,
}

/// A block's features (`chrome._blocks`' row, less the family its phrasing matches).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features {
    pub size: i64,
    /// The words the shares are taken of: `tokens`, or the size where unspaced script made it larger.
    pub words: i64,
    /// The words of the split (from the first `head` characters).
    pub tokens: i64,
    pub stop: i64,
    pub capitalised: i64,
    pub terminal: bool,
    pub code: i64,
    /// Written in a script without spaces: most of its letters (digits aside) are of such a script.
    pub unspaced: bool,
    /// Families named by the block's trigger words (none past `max_words` words).
    pub word_families: u64,
    /// Families named by trigger strings the whole block holds.
    pub char_families: u64,
    /// The first family (in table order, within its word limit) named by either mask whose phrasing the
    /// block matches; none past `max_words` words.
    pub family: Option<usize>,
}

/// The lexicon's character sets as lookups, built once for a batch of blocks: the trigger strings indexed by
/// their first character, so that a block is read once for all of them rather than searched once per trigger,
/// and the code characters as a bit set (a linear search of them for every character of every block was a
/// third of the features' time in a `perf` profile; with both, the features of 512 documents of the 10k
/// benchmark corpus took 43 µs a document instead of 58).
#[derive(Clone, Debug, Default)]
pub struct Triggers {
    /// Per ASCII character, whether it is a code character; the code characters beyond ASCII.
    code_ascii: u128,
    code_other: Vec<char>,
    /// Per ASCII character, whether some trigger starts with it.
    ascii: u128,
    /// The first characters of the triggers, sorted, each with its triggers (their texts and masks).
    firsts: Vec<(char, Vec<(String, u64)>)>,
    /// The families of every trigger together: once a block has named them all, nothing is left to find.
    all: u64,
    /// The families of an empty trigger, which every text holds (as `str::contains` says).
    always: u64,
    /// Per byte, whether it is an ASCII code character; the ASCII first characters of the triggers, as bytes.
    code_bytes: ByteSet,
    first_bytes: Vec<u8>,
}

/// A set of bytes, by a table.
#[derive(Clone, Debug)]
struct ByteSet([bool; 256]);

impl Default for ByteSet {
    fn default() -> Self {
        ByteSet([false; 256])
    }
}

impl Triggers {
    /// The index of `chars`, and the set of `code`.
    pub fn new(chars: &[(String, u64)], code: &[char]) -> Self {
        let mut t = Triggers::default();
        for &c in code {
            if c.is_ascii() {
                t.code_ascii |= 1u128 << (c as u32);
            } else {
                t.code_other.push(c);
            }
        }
        for (trigger, families) in chars {
            t.all |= families;
            let Some(c) = trigger.chars().next() else {
                t.always |= families;
                continue;
            };
            if c.is_ascii() {
                t.ascii |= 1u128 << (c as u32);
            }
            match t.firsts.binary_search_by_key(&c, |(f, _)| *f) {
                Ok(i) => t.firsts[i].1.push((trigger.clone(), *families)),
                Err(i) => t.firsts.insert(i, (c, vec![(trigger.clone(), *families)])),
            }
        }
        for c in ascii_bits(t.code_ascii) {
            t.code_bytes.0[usize::from(c)] = true;
        }
        t.first_bytes = ascii_bits(t.ascii).collect();
        t
    }

    /// Whether `c` is a code character.
    fn is_code(&self, c: char) -> bool {
        if c.is_ascii() {
            self.code_ascii >> (c as u32) & 1 == 1
        } else {
            self.code_other.contains(&c)
        }
    }

    /// The families named by the triggers `text` holds: the union of the masks of those it contains.
    pub fn families(&self, text: &str) -> u64 {
        let mut found = self.always;
        // A trigger occurs in a text exactly where the text, from one of its character boundaries, starts with
        // it (UTF-8 never starts a character inside another's bytes), so every boundary holding a trigger's
        // first character is tried, and nothing else.
        if text.is_ascii() {
            // (byte by byte: the same boundaries, without decoding; only the first characters the text holds,
            // each found by `contains`, are tested at every byte, and most texts hold none)
            let bytes = text.as_bytes();
            let held = (self.first_bytes.iter())
                .filter(|c| bytes.contains(c))
                .fold(0u128, |m, &c| m | 1 << c);
            if held == 0 {
                return found;
            }
            for (i, &b) in bytes.iter().enumerate() {
                if found == self.all {
                    break;
                }
                if held >> b & 1 == 1 {
                    found |= self.found_at(text, i, char::from(b), found);
                }
            }
            return found;
        }
        for (i, c) in text.char_indices() {
            if found == self.all {
                break;
            }
            let starts = if c.is_ascii() {
                self.ascii >> (c as u32) & 1 == 1
            } else {
                true
            };
            if !starts {
                continue;
            }
            found |= self.found_at(text, i, c, found);
        }
        found
    }

    /// The families of the triggers that start with `c` and that the text holds from byte i (where `c` is),
    /// those already `found` aside.
    fn found_at(&self, text: &str, i: usize, c: char, mut found: u64) -> u64 {
        if let Ok(k) = self.firsts.binary_search_by_key(&c, |(f, _)| *f) {
            let rest = &text[i..];
            for (trigger, families) in &self.firsts[k].1 {
                if found & families != *families && rest.starts_with(trigger.as_str()) {
                    found |= families;
                }
            }
        }
        found
    }
}

/// Per byte, what it is to a word of an ASCII text: 0 no word character, `WORD` a letter, digit or `_`, with
/// `CAPITAL` too for a capital (one load for both questions).
const WORD: u8 = 1;
const CAPITAL: u8 = 2;
const WORD_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' {
            t[b] = WORD;
        }
        if c.is_ascii_uppercase() {
            t[b] |= CAPITAL;
        }
        b += 1;
    }
    t
};

/// The ASCII characters (as bytes) whose bits a mask over ASCII sets.
fn ascii_bits(mask: u128) -> impl Iterator<Item = u8> {
    (0..128u8).filter(move |&c| mask >> c & 1 == 1)
}

impl Lexicon {
    /// The index of the trigger strings (`Triggers`), to build once for a batch of blocks.
    pub fn triggers(&self) -> Triggers {
        Triggers::new(&self.chars, &self.code)
    }

    /// The features of one block; `n_words` is its word count as sign.py counts them.
    pub fn features(&self, text: &str, n_words: i64) -> Features {
        self.features_with(&self.triggers(), text, n_words)
    }

    /// `features`, with the trigger index (`triggers`) built once for many blocks.
    pub fn features_with(&self, triggers: &Triggers, text: &str, n_words: i64) -> Features {
        let mut f = if text.is_ascii() {
            self.ascii_features(triggers, text, n_words)
        } else {
            self.any_features(triggers, text, n_words)
        };
        let named = f.word_families | f.char_families;
        if named != 0 && n_words <= self.max_words {
            f.family = self.phrases.first(text, named, n_words);
        }
        f
    }

    /// A word of a block's head (lower case) as the lexicon counts it: a stop word, and the families it names
    /// (none past `max_words` words).
    fn count_word(&self, f: &mut Features, key: &str, n_words: i64) {
        if let Some(e) = self.words.get(key) {
            if e.stop {
                f.stop += 1;
            }
            if n_words <= self.max_words {
                f.word_families |= e.families;
            }
        }
    }

    /// `features_with` of any text, character by character.
    fn any_features(&self, triggers: &Triggers, text: &str, n_words: i64) -> Features {
        let mut f = Features::default();
        let mut lower = String::new();
        let mut token = String::new();
        let mut capital = false;
        // Words: from the first `head` characters, split at white space and punctuation.
        let mut finish = |token: &mut String, capital: &mut bool, f: &mut Features| {
            if token.is_empty() {
                return;
            }
            f.tokens += 1;
            if *capital {
                f.capitalised += 1;
            }
            let key: &str = if *capital {
                lower.clear();
                // str::to_lowercase also lowers a final sigma as Python's str.lower does.
                lower.push_str(&token.to_lowercase());
                &lower
            } else {
                token
            };
            self.count_word(f, key, n_words);
            token.clear();
            *capital = false;
        };
        for c in text.chars().take(self.head) {
            if is_word(c) {
                capital |= is_lowered(c);
                token.push(c);
            } else {
                finish(&mut token, &mut capital, &mut f);
            }
        }
        finish(&mut token, &mut capital, &mut f);
        // The rest reads the whole block.
        let (mut length, mut runs, mut run_chars, mut in_run) = (0i64, 0i64, 0i64, false);
        // Letters of spaced scripts (digits aside: a date or a count is written alike in every script), and the
        // words of the split (runs of word characters) that hold some unspaced script.
        let (mut letters, mut mixed, mut in_word, mut word_unspaced) = (0i64, 0i64, false, false);
        for c in text.chars() {
            length += 1;
            if triggers.is_code(c) {
                f.code += 1;
            }
            let unspaced = !c.is_ascii() && within(&self.unspaced, c);
            if unspaced {
                if !in_run {
                    runs += 1;
                    in_run = true;
                }
                run_chars += 1;
            } else {
                in_run = false;
            }
            if is_word(c) {
                if !unspaced && !c.is_numeric() {
                    letters += 1;
                }
                word_unspaced |= unspaced;
                in_word = true;
            } else {
                mixed += i64::from(in_word && word_unspaced);
                (in_word, word_unspaced) = (false, false);
            }
        }
        mixed += i64::from(in_word && word_unspaced);
        f.size = if runs == 0 {
            // (a long address or an encoded string: a few "words" of many characters)
            if n_words * 12 < length {
                n_words.max(length / 7)
            } else {
                n_words
            }
        } else {
            // The words that hold the runs are counted by their characters, the spaced words as words ("2018年2月
            // 25日，..." is one word of three runs to the split: each run taken for a word, a sentence of 23
            // characters weighed as 3 words).
            n_words.max(n_words - mixed + (run_chars + self.chars_per_word - 1) / self.chars_per_word)
        };
        // Written without spaces: most of its letters are of such a script, however short its runs (a headline
        // of short phrases between digits, dates and brackets, "新馆开放3万人 首日排队2小时(图) (2021-04-01)", is
        // Chinese, though its runs of a few characters each count no more than the words of its split).
        // A string of no such script that weighs by its length (an address, a preheader padded with invisible
        // characters) is read as such text too: its few words are no sentence.
        f.unspaced = if runs == 0 {
            f.size > n_words
        } else {
            run_chars >= letters
        };
        f.words = if f.unspaced { f.tokens.max(f.size) } else { f.tokens };
        f.terminal = self.ends_sentence(text)
            // Text without spaces has no function words: a clause mark inside tells its running text from a
            // headline, as a sentence end does (a paragraph cut before its end, a line ending in a colon).
            || f.unspaced && text.chars().any(|c| self.clauses.contains(&c));
        f.char_families = triggers.families(text);
        f
    }
}

impl Lexicon {
    /// `features_with` of an ASCII text, which most blocks are: a character is a byte, a word is a run of
    /// letters, digits and `_`, a capital is `A`-`Z`, and no character is of a script without spaces (their
    /// ranges lie beyond ASCII), so the counts need no decoding and the words no copy.
    fn ascii_features(&self, triggers: &Triggers, text: &str, n_words: i64) -> Features {
        let mut f = Features::default();
        let bytes = text.as_bytes();
        let head = &text[..bytes.len().min(self.head)];
        let mut lower = String::new();
        let head_bytes = head.as_bytes();
        let mut i = 0;
        while i < head_bytes.len() {
            if WORD_CLASS[usize::from(head_bytes[i])] == 0 {
                i += 1;
                continue;
            }
            let start = i;
            let mut class = 0;
            while i < head_bytes.len() && WORD_CLASS[usize::from(head_bytes[i])] != 0 {
                class |= WORD_CLASS[usize::from(head_bytes[i])];
                i += 1;
            }
            let token = &head[start..i];
            f.tokens += 1;
            let key = if class & CAPITAL != 0 {
                f.capitalised += 1;
                lower.clear();
                lower.push_str(token);
                lower.make_ascii_lowercase();
                lower.as_str()
            } else {
                token
            };
            self.count_word(&mut f, key, n_words);
        }
        let length = bytes.len() as i64;
        // (a table of bytes rather than a shift of a 128-bit mask per byte)
        let code_table = &triggers.code_bytes.0;
        f.code = bytes
            .iter()
            .map(|&b| u32::from(code_table[usize::from(b)]))
            .sum::<u32>() as i64;
        // As `features_with` with no run of an unspaced script.
        f.size = if n_words * 12 < length {
            n_words.max(length / 7)
        } else {
            n_words
        };
        f.unspaced = f.size > n_words;
        f.words = if f.unspaced { f.tokens.max(f.size) } else { f.tokens };
        f.terminal = self.ends_sentence(text) || f.unspaced && text.chars().any(|c| self.clauses.contains(&c));
        f.char_families = triggers.families(text);
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> Lexicon {
        let mut words = Words::default();
        for w in ["the", "of", "and", "für"] {
            words.insert(
                w.to_string(),
                Entry {
                    families: 0,
                    stop: true,
                },
            );
        }
        words.insert(
            "share".to_string(),
            Entry {
                families: 0b10,
                stop: false,
            },
        );
        words.insert(
            "more".to_string(),
            Entry {
                families: 0b101,
                stop: true,
            },
        );
        Lexicon {
            words,
            chars: vec![("©".to_string(), 0b1000), ("{{".to_string(), 0b10000)],
            max_words: 12,
            head: 1000,
            unspaced: vec![(0x3040, 0x30ff), (0x4e00, 0x9fff)],
            chars_per_word: 5,
            code: "{};=".chars().collect(),
            terminal: ".!?…。！？".chars().collect(),
            closers: "\"'”’)]".chars().collect(),
            clauses: "，；".chars().collect(),
            phrases: Phrases::default(),
        }
    }

    #[test]
    fn words_stop_words_and_capitals() {
        let f = lexicon().features("Share the News: more_of THE ünd Für-you", 8);
        // "more_of" is one word (`_` is a word character), "Für" lowers to a stop word.
        assert_eq!((f.words, f.tokens, f.stop, f.capitalised), (8, 8, 3, 4));
        assert_eq!(f.word_families, 0b10);
        assert!(!f.terminal && !f.unspaced);
        assert_eq!(f.size, 8);
    }

    #[test]
    fn an_ascii_text_reads_as_the_general_path_reads_it() {
        let mut lex = lexicon();
        lex.chars.push(("$".to_string(), 0b100000));
        lex.chars.push(("{%".to_string(), 0b1000000));
        let triggers = lex.triggers();
        let long = format!("{} {{% x %}} $5 share", "Word ".repeat(300));
        for (text, n) in [
            ("Share the News: more_of THE and For-you", 8),
            ("share more", 13),
            ("He said \"yes.\")  \n", 3),
            ("x = {a; b}; $x {{y}}", 3),
            ("", 0),
            ("  __ a_B __  ", 2),
            (&"x".repeat(70), 1),
            (&long, 303),
        ] {
            assert_eq!(
                lex.ascii_features(&triggers, text, n),
                lex.any_features(&triggers, text, n),
                "{text:?}"
            );
        }
        lex.head = 7;
        let triggers = lex.triggers();
        assert_eq!(
            lex.ascii_features(&triggers, "The more share", 3),
            lex.any_features(&triggers, "The more share", 3)
        );
    }

    #[test]
    fn long_blocks_name_no_family_by_their_words() {
        let f = lexicon().features("share more", 13);
        assert_eq!((f.word_families, f.stop), (0, 1));
    }

    #[test]
    fn sentence_end_through_closers_and_space() {
        let lex = lexicon();
        assert!(lex.features("He said \"yes.\")  \n", 3).terminal);
        assert!(lex.features("終わり。", 1).terminal);
        assert!(!lex.features("yes. \"(", 1).terminal);
        assert!(!lex.features("", 0).terminal);
        // Written without spaces, a clause mark reads as running text; in a spaced script a comma does not.
        assert!(lex.features("日本語の文章，日本語の文章", 1).terminal);
        assert!(!lex.features("Sport, culture and more", 4).terminal);
    }

    #[test]
    fn unspaced_scripts_count_by_characters() {
        // 12 Han characters in one run and 1 spaced word: the run counts ceil(12 / 5) = 3 words.
        let f = lexicon().features("日本語の文章です日本語の文章 ok", 2);
        assert_eq!(f.size, 4);
        assert!(f.unspaced);
        assert_eq!((f.words, f.tokens), (4, 2));
        // Short runs between digits and brackets: still written without spaces, though they weigh as the split's
        // words; a Latin sentence naming a place in Han is not.
        let f = lexicon().features("· 日本語37万 文章13年(図) (2005-04-01 15:57)", 8);
        assert!(f.unspaced && f.size == 8);
        assert!(!lexicon().features("The council met in 東京 on Monday", 7).unspaced);
        // An ASCII string much longer than its words: a seventh of its length.
        assert_eq!(lexicon().features(&"x".repeat(70), 1).size, 10);
        // A word of digits and Han ("2018年2月25日") holds three runs but is one word of the split: its
        // characters count, not its runs.
        let f = lexicon().features("2018年2月25日，日本語の文章です日本語の文章。", 2);
        assert!(f.unspaced && f.terminal);
        assert_eq!(f.size, 4);
    }

    #[test]
    fn trigger_strings_and_code_over_the_whole_block() {
        let lex = lexicon();
        let mut text = "a ".repeat(600);
        text.push_str("© {{ x }}");
        let f = lex.features(&text, 601);
        assert_eq!(f.char_families, 0b11000);
        assert_eq!(f.code, 4);
        assert_eq!(lex.features("x = {a; b}", 3).code, 4);
        // Past `head` characters no word is read.
        assert_eq!(lex.features(&text, 601).words, 500);
    }

    #[test]
    fn triggers_read_in_one_pass_name_what_a_search_per_trigger_names() {
        let chars: Vec<(String, u64)> = [
            ("©", 1),
            ("{{", 2),
            ("{%", 4),
            ("更多", 8),
            ("更", 16),
            ("<!--", 32),
            ("$", 2),
        ]
        .iter()
        .map(|(t, m)| (t.to_string(), *m))
        .collect();
        let index = Triggers::new(&chars, &[]);
        let texts = [
            "",
            "plain text",
            "© 2024",
            "a {{ b",
            "{ {",
            "{%",
            "更多精彩",
            "更",
            "多更",
            "x <!- y <!-- z",
            "$5 and {{x}} and {% y %} ©",
            "é{{",
            "{é{{",
            "更\u{0}多",
        ];
        for text in texts {
            let naive = chars
                .iter()
                .filter(|(t, _)| text.contains(t.as_str()))
                .fold(0, |m, (_, f)| m | f);
            assert_eq!(index.families(text), naive, "{text:?}");
        }
        // An empty trigger is in every text; no trigger at all names nothing.
        let always = Triggers::new(&[(String::new(), 64), ("©".to_string(), 1)], &[]);
        assert_eq!((always.families("x"), always.families("©")), (64, 65));
        assert_eq!(Triggers::new(&[], &[]).families("© {{"), 0);
        // Code characters, in ASCII and beyond.
        let code = Triggers::new(&[], &['{', ';', '→']);
        assert!(code.is_code('{') && code.is_code('→') && !code.is_code('}') && !code.is_code('a'));
    }
}
