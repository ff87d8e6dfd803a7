//! The chrome detector's phrase rules: which family's phrasing a block matches ("Subscribe to continue
//! reading", "Photo: Jane Doe/Reuters", "© 2024 Example").
//!
//! The families are chrome.py's `FAMILIES`, written in Python's `re` syntax and read with Python's meaning:
//! case-blind, a word character is a letter, a digit of any kind or `_`, white space is what `str.isspace`
//! says. They are compiled once with PCRE2 (JIT, UTF, Unicode properties), which takes Python's syntax, its
//! lookarounds among it, with the few escapes whose meaning differs rewritten (`python_syntax`): a block is
//! then tried only against the families its trigger words and characters name (`features.rs`), in table
//! order, as chrome.py did with `re`. On webpages-dev's pages and dumps (39,008 blocks with a trigger) the
//! answers are Python's for every block, in about a seventh of its time, with no start-up cost beyond a few
//! milliseconds of compiling. One difference is known and left: Python's `re` lowers the Turkish dotted
//! capital I (U+0130) to "i", so a pattern's "i" matches it, where PCRE2's case folding leaves it alone (a
//! phrase written with it is not an English phrase, and its words name no family: `features.rs` lowers it
//! to "i" and a combining dot).

use std::borrow::Cow;

use pcre2::bytes::{Regex, RegexBuilder};

use crate::chars::is_assigned;

/// A word character as Python's `re` reads one in a `str` pattern (`str.isalnum()` or `_`: in Python 3.11
/// exactly the letters and numbers of every kind, and `_`), where PCRE2's own `\w` also takes marks and
/// connectors.
const WORD: &str = r"\p{L}\p{N}_";
/// White space as Python's `re` reads it (`str.isspace()`): PCRE2's `\s`, plus the information separators
/// and NEL.
const SPACE: &str = r"\s\x{1c}-\x{1f}\x{85}";

/// One family: its word limit and its phrasings, those anchored at the start of the block and the others.
#[derive(Clone, Debug)]
struct Family {
    max_words: i64,
    anchored: Option<Regex>,
    floating: Option<Regex>,
}

/// Every family's phrasings, compiled once.
#[derive(Clone, Debug, Default)]
pub struct Phrases {
    families: Vec<Family>,
}

impl Phrases {
    /// Compile the families, in table order: per family its word limit and its patterns in Python's `re`
    /// syntax. A pattern that starts with `^` is tried where the block starts (Python's `re.match`); the
    /// others anywhere in it (`re.search`). The error names the family and the pattern that failed.
    pub fn new(families: &[(i64, Vec<String>)]) -> Result<Self, String> {
        let compile = |index: usize, patterns: Vec<&String>, anchored: bool| -> Result<Option<Regex>, String> {
            if patterns.is_empty() {
                return Ok(None);
            }
            let mut joined = Vec::with_capacity(patterns.len());
            for p in &patterns {
                joined.push(python_syntax(p).map_err(|e| format!("family {index}: {e} in pattern {p:?}"))?);
            }
            let body = joined.join("|");
            let pattern = if anchored { format!("^(?:{body})") } else { body };
            Phrases::compile(&pattern)
                .map(Some)
                .map_err(|e| format!("family {index}: {e} in patterns {patterns:?}"))
        };
        let mut out = Vec::with_capacity(families.len());
        for (index, (max_words, patterns)) in families.iter().enumerate() {
            let (starts, others): (Vec<&String>, Vec<&String>) = patterns.iter().partition(|p| p.starts_with('^'));
            out.push(Family {
                max_words: *max_words,
                anchored: compile(index, starts, true)?,
                floating: compile(index, others, false)?,
            });
        }
        Ok(Phrases { families: out })
    }

    /// A pattern in PCRE2's syntax, compiled as every family is: case-blind, UTF-8, Unicode properties for
    /// `\d` and case folding, JIT where the platform has it.
    fn compile(pattern: &str) -> Result<Regex, pcre2::Error> {
        RegexBuilder::new()
            .caseless(true)
            .utf(true)
            .ucp(true)
            .jit_if_available(true)
            .build(pattern)
    }

    /// The first family, in table order, among those `mask` names (bit i: family i) whose word limit the
    /// block's `n_words` keeps within and whose phrasing the block's text matches.
    ///
    /// A search PCRE2 gives up on (its backtracking limit, ten million steps, which no family's phrasing
    /// comes near on a block) counts as no match: the block stays.
    pub fn first(&self, text: &str, mask: u64, n_words: i64) -> Option<usize> {
        let text = as_python_reads(text);
        let mut bits = mask;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let family = self.families.get(i)?;
            if n_words > family.max_words {
                continue;
            }
            let hit = |re: &Option<Regex>| {
                re.as_ref()
                    .is_some_and(|re| re.is_match(text.as_bytes()).unwrap_or(false))
            };
            if hit(&family.anchored) || hit(&family.floating) {
                return Some(i);
            }
        }
        None
    }
}

/// The text with every character Python 3.11's Unicode (14) leaves unassigned made U+FFFF, which no Unicode
/// assigns: PCRE2 knows a later Unicode, in which some of them are letters or digits (a Han character of
/// Unicode 15), and Python's `re` reads them as it reads any unassigned character, neither a word character,
/// nor space, nor a digit, nor cased. Most texts hold none, and are not copied.
fn as_python_reads(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || text.chars().all(is_assigned) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if is_assigned(c) { c } else { '\u{ffff}' })
            .collect(),
    )
}

/// A pattern in Python's `re` syntax as PCRE2 reads it with Python's meaning: `\w`, `\W`, `\s`, `\S`, `\b`
/// and `\B` by Python's word characters and white space (`WORD`, `SPACE`), `\Z` as the end of the text, and
/// `[` inside a class as the character it is for Python. The rest of the syntax the families use means the
/// same in both (`\d` is a decimal digit, category Nd, in both).
///
/// A boundary is a lookbehind and a lookahead by Python's word characters, or only the one it needs where the
/// pattern's own next atom is a word character (`\bsubscribe`, `\b(?:free|remaining)`) or its previous one
/// is (`reading\b`, `(?:left|remaining)\b`): 183 of the families' 206 boundaries. The short forms keep
/// PCRE2's search for the literal that starts a match.
pub fn python_syntax(pattern: &str) -> Result<String, String> {
    translate(pattern, true)
}

/// `python_syntax`, with a boundary's short forms where they apply (`short`) or always the whole one.
fn translate(pattern: &str, short: bool) -> Result<String, String> {
    let shape = Shape::of(pattern)?;
    let chars = &shape.chars;
    let (word, space) = (WORD, SPACE);
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let e = chars[i + 1]; // (`Shape::of` checked that a backslash escapes something)
                match e {
                    'w' => out.push_str(&format!("[{word}]")),
                    'W' => out.push_str(&format!("[^{word}]")),
                    's' => out.push_str(&format!("[{space}]")),
                    'S' => out.push_str(&format!("[^{space}]")),
                    'b' if short && shape.starts_word(i + 2) => out.push_str(&format!("(?<![{word}])")),
                    'b' if short && shape.ends_word(i) => out.push_str(&format!("(?![{word}])")),
                    'b' => out.push_str(&format!("(?:(?<=[{word}])(?![{word}])|(?<![{word}])(?=[{word}]))")),
                    'B' => out.push_str(&format!("(?:(?<=[{word}])(?=[{word}])|(?<![{word}])(?![{word}]))")),
                    'Z' => out.push_str(r"\z"),
                    _ => {
                        out.push('\\');
                        out.push(e);
                    }
                }
                i += 2;
            }
            '[' => {
                let end = shape.class_end[i];
                let mut j = i + 1;
                let negated = chars[j] == '^';
                if negated {
                    j += 1;
                }
                let mut items = String::new();
                let mut complements: Vec<&str> = Vec::new();
                while j < end {
                    match chars[j] {
                        '[' => items.push_str(r"\["),
                        ']' => items.push_str(r"\]"),
                        '\\' => {
                            match chars[j + 1] {
                                'w' => items.push_str(word),
                                's' => items.push_str(space),
                                'W' => complements.push(word),
                                'S' => complements.push(space),
                                e => {
                                    items.push('\\');
                                    items.push(e);
                                }
                            }
                            j += 1;
                        }
                        c => items.push(c),
                    }
                    j += 1;
                }
                if complements.is_empty() {
                    out.push('[');
                    if negated {
                        out.push('^');
                    }
                    out.push_str(&items);
                    out.push(']');
                } else if negated {
                    return Err(r"a negated class holds \W or \S".into());
                } else {
                    // A class holding a complement is the union of the complement and the rest.
                    let mut parts: Vec<String> = complements.iter().map(|c| format!("[^{c}]")).collect();
                    if !items.is_empty() {
                        parts.push(format!("[{items}]"));
                    }
                    out.push_str(&format!("(?:{})", parts.join("|")));
                }
                i = end + 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Where a pattern's escapes, classes and groups are, to read its atoms by position.
struct Shape {
    chars: Vec<char>,
    /// At a class's `[`: the index of its closing `]`.
    class_end: Vec<usize>,
    /// At a group's `(`: the index of its `)`; at a `)`: the index of its `(`.
    pair: Vec<usize>,
    /// Whether the character is a literal of the pattern: not escaped, not in a class, not syntax.
    literal: Vec<bool>,
}

impl Shape {
    fn of(pattern: &str) -> Result<Shape, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let n = chars.len();
        let (mut class_end, mut pair, mut literal) = (vec![0; n], vec![0; n], vec![false; n]);
        let mut open = Vec::new();
        let mut i = 0;
        while i < n {
            match chars[i] {
                '\\' if i + 1 == n => return Err("a pattern ends with a lone backslash".into()),
                '\\' => i += 1,
                '[' => {
                    // Python's class: a `]` first (after a `^`) is a member; escapes hold their character.
                    let mut j = i + 1;
                    if chars.get(j) == Some(&'^') {
                        j += 1;
                    }
                    if chars.get(j) == Some(&']') {
                        j += 1;
                    }
                    while j < n && chars[j] != ']' {
                        j += if chars[j] == '\\' { 2 } else { 1 };
                    }
                    if j >= n {
                        return Err("a character class is not closed".into());
                    }
                    class_end[i] = j;
                    i = j;
                }
                '(' => open.push(i),
                ')' => {
                    let Some(o) = open.pop() else {
                        return Err("a `)` closes no group".into());
                    };
                    pair[o] = i;
                    pair[i] = o;
                }
                c => literal[i] = c.is_ascii_alphanumeric(),
            }
            i += 1;
        }
        if !open.is_empty() {
            return Err("a group is not closed".into());
        }
        Ok(Shape {
            chars,
            class_end,
            pair,
            literal,
        })
    }

    /// Whether the group opening at `at` is one whose alternatives a boundary may look into (a plain or a
    /// non-capturing group, with inline flags or without: not a lookaround), and where its content starts.
    fn group_content(&self, at: usize) -> Option<usize> {
        let c = &self.chars;
        if c.get(at + 1) != Some(&'?') {
            return Some(at + 1);
        }
        let mut j = at + 2;
        while j < c.len() && (c[j].is_ascii_alphabetic() || c[j] == '-') {
            j += 1;
        }
        (c.get(j) == Some(&':')).then_some(j + 1)
    }

    /// The top-level alternatives of the group opening at `at`, as (start, end) index ranges.
    fn alternatives(&self, at: usize) -> Option<Vec<(usize, usize)>> {
        let start = self.group_content(at)?;
        let close = self.pair[at];
        let mut out = Vec::new();
        let (mut from, mut j) = (start, start);
        while j < close {
            match self.chars[j] {
                '\\' => j += 1,
                '[' => j = self.class_end[j],
                '(' => j = self.pair[j],
                '|' => {
                    out.push((from, j));
                    from = j + 1;
                }
                _ => {}
            }
            j += 1;
        }
        out.push((from, close));
        Some(out)
    }

    /// Whether whatever the pattern matches from `at` on starts with a word character: its next atom is a
    /// letter or digit that must match (not one a `?`, `*` or `{` may skip), or a group each of whose
    /// alternatives starts so.
    fn starts_word(&self, at: usize) -> bool {
        let optional = |next: usize| matches!(self.chars.get(next), Some('?' | '*' | '{'));
        match self.chars.get(at) {
            Some(_) if self.literal[at] => !optional(at + 1),
            Some('(') => {
                !optional(self.pair[at] + 1)
                    && self
                        .alternatives(at)
                        .is_some_and(|alts| alts.iter().all(|&(from, to)| from < to && self.starts_word(from)))
            }
            _ => false,
        }
    }

    /// Whether whatever the pattern matched before `end` ends with a word character: its last atom is a
    /// letter or digit, or a group (not quantified: its `)` is that last atom) each of whose alternatives
    /// ends so.
    fn ends_word(&self, end: usize) -> bool {
        if end == 0 {
            return false;
        }
        let last = end - 1;
        if self.literal[last] {
            return true;
        }
        if self.chars[last] != ')' {
            return false;
        }
        let open = self.pair[last];
        self.alternatives(open)
            .is_some_and(|alts| alts.iter().all(|&(from, to)| from < to && self.ends_word(to)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrases(families: &[(i64, &[&str])]) -> Phrases {
        let families: Vec<(i64, Vec<String>)> = families
            .iter()
            .map(|(k, ps)| (*k, ps.iter().map(|p| p.to_string()).collect()))
            .collect();
        Phrases::new(&families).unwrap()
    }

    #[test]
    fn the_first_named_family_within_its_word_limit_that_matches() {
        let p = phrases(&[(3, &[r"^share\b"]), (40, &[r"\bshare this\b"]), (40, &[r"\bshare\b"])]);
        assert_eq!(p.first("Share this story", 0b111, 3), Some(0));
        assert_eq!(p.first("Share this story", 0b110, 3), Some(1));
        // Over family 0's limit, family 1 is next.
        assert_eq!(p.first("Share this story", 0b111, 4), Some(1));
        // Only the named families are tried, and a bit past the table names none.
        assert_eq!(p.first("Share this story", 0b100, 3), Some(2));
        assert_eq!(p.first("Share this story", 1 << 40, 3), None);
        assert_eq!(p.first("Please share", 0b001, 2), None);
        assert_eq!(p.first("Please share", 0b011, 2), None);
        assert_eq!(p.first("Please share", 0b111, 2), Some(2));
    }

    #[test]
    fn anchored_patterns_hold_at_the_start_only_as_re_match_does() {
        // Python's `re.match` anchors every alternative of the joined patterns, a later one without `^` too.
        let p = phrases(&[(9, &[r"^menu$|more"])]);
        assert_eq!(p.first("menu", 1, 1), Some(0));
        assert_eq!(p.first("more stories", 1, 2), Some(0));
        assert_eq!(p.first("load more", 1, 2), None);
    }

    #[test]
    fn case_blind_except_where_a_pattern_says() {
        let p = phrases(&[(9, &[r"^by (?-i:[A-Z]\w+)$"])]);
        assert_eq!(p.first("BY Jane", 1, 2), Some(0));
        assert_eq!(p.first("by jane", 1, 2), None);
        // Case-blind beyond ASCII: the Kelvin sign and the long s fold as Python's `re` folds them.
        let p = phrases(&[(9, &[r"\bkeep\b", r"\bsubscribe\b"])]);
        assert_eq!(p.first("\u{212a}EEP", 1, 1), Some(0));
        assert_eq!(p.first("\u{17f}ubscribe", 1, 1), Some(0));
        // The capital sharp s lowers to "ß". (The one difference known: Python's `re` lowers the dotted
        // capital I to "i", so a pattern's "i" matches it there; PCRE2 folds it to nothing else.)
        let p = phrases(&[(9, &["^ß$", "^in$"])]);
        assert_eq!(p.first("\u{1e9e}", 1, 1), Some(0));
        assert_eq!(p.first("\u{130}N", 1, 1), None);
    }

    #[test]
    fn word_characters_and_boundaries_are_pythons() {
        // A combining mark is no word character for Python: a boundary falls before it.
        let p = phrases(&[(9, &[r"\bcookie\b"])]);
        assert_eq!(p.first("cookie\u{301}s", 1, 1), Some(0));
        assert_eq!(p.first("cookies", 1, 1), None);
        // A superscript digit (category No) is one: no boundary after "cookie²".
        assert_eq!(p.first("cookie\u{b2}", 1, 1), None);
        assert_eq!(p.first("la cookie-policy", 1, 2), Some(0));
        let p = phrases(&[(9, &[r"^\w+$"])]);
        assert_eq!(p.first("ÉtÉ_2024²", 1, 1), Some(0));
        assert_eq!(p.first("a\u{203f}b", 1, 1), None);
        // Python 3.11's Unicode (14): a Han character of Unicode 15 is no word character yet, nor a Kawi digit
        // a digit.
        let p = phrases(&[(9, &[r"\bcookie\b", r"^\d+$"])]);
        assert_eq!(p.first("\u{31350}cookie", 1, 1), Some(0));
        assert_eq!(p.first("\u{4e00}cookie", 1, 1), None);
        assert_eq!(p.first("\u{663}\u{967}7", 1, 1), Some(0));
        assert_eq!(p.first("\u{11f50}", 1, 1), None);
    }

    #[test]
    fn white_space_is_pythons() {
        let p = phrases(&[(9, &[r"^a\sb$", r"^c\Sd$"])]);
        for space in [
            " ", "\t", "\u{a0}", "\u{3000}", "\u{1c}", "\u{1f}", "\u{85}", "\u{2028}",
        ] {
            assert_eq!(p.first(&format!("a{space}b"), 1, 2), Some(0), "{space:?}");
            assert_eq!(p.first(&format!("c{space}d"), 1, 2), None, "{space:?}");
        }
    }

    #[test]
    fn classes_with_complements_and_brackets() {
        let p = phrases(&[(9, &[r"^[\W_]*(?:更多|more)[\W_]*$"])]);
        assert_eq!(p.first("__ 更多 >>", 1, 1), Some(0));
        assert_eq!(p.first("更多文章", 1, 1), None);
        let p = phrases(&[(9, &[r"^x[[(]y$"])]);
        assert_eq!(p.first("x[y", 1, 1), Some(0));
        assert_eq!(p.first("x(y", 1, 1), Some(0));
        assert!(python_syntax(r"[^\W]").is_err());
        assert!(python_syntax(r"[abc").is_err());
        assert!(python_syntax("abc\\").is_err());
    }

    #[test]
    fn end_of_text_and_lookarounds_as_python_reads_them() {
        // `$` holds at the end and before a final newline; `.` stops at a newline.
        let p = phrases(&[(9, &[r"^(?!.*[.!?]$)by \w+$"])]);
        assert_eq!(p.first("by Jane", 1, 2), Some(0));
        assert_eq!(p.first("by Jane\n", 1, 2), Some(0));
        let p = phrases(&[(9, &[r"^(?!.*[.!?]$)by [\w.]+$"])]);
        assert_eq!(p.first("by Jane.", 1, 2), None);
        let p = phrases(&[(9, &[r"^(?=.*\bcookies?\b).*\bconsent\b"])]);
        assert_eq!(p.first("We ask your consent to store cookies", 1, 7), Some(0));
        assert_eq!(p.first("We ask your consent\nto store cookies", 1, 7), None);
        let p = phrases(&[(9, &[r"\bend\Z"])]);
        assert_eq!(p.first("the end", 1, 2), Some(0));
        assert_eq!(p.first("the end\n", 1, 2), None);
    }

    #[test]
    fn a_boundary_takes_its_short_form_only_beside_a_word_character() {
        let b = |p: &str| python_syntax(p).unwrap();
        let before = format!("(?<![{WORD}])");
        let after = format!("(?![{WORD}])");
        assert_eq!(b(r"\bsubscribe"), format!("{before}subscribe"));
        assert_eq!(b(r"reading\b"), format!("reading{after}"));
        assert_eq!(
            b(r"\b(?:free|remaining) now"),
            format!("{before}(?:free|remaining) now")
        );
        assert_eq!(
            b(r"(?:left|(?-i:Remaining))\b"),
            format!("(?:left|(?-i:Remaining)){after}")
        );
        // Not where the next atom may be skipped or is no letter, nor beside a lookaround or a class.
        for p in [
            r"\bs?ay",
            r"\b(?:x|y)?z",
            r"\b(?:x|\.)",
            r"\b(?=x)",
            r"x?\b",
            r"\d\b",
            r"[a-z]\b",
            r"\b(?:|x)",
        ] {
            let out = b(p);
            assert!(!out.contains(&before) || out.contains("(?:(?<="), "{p} -> {out}");
            assert!(out.contains("(?:(?<="), "{p} -> {out}");
        }
    }

    #[test]
    fn short_and_whole_boundaries_match_alike() {
        let patterns = [
            r"\bsubscribe (?:now |today )?(?:to|and) (?:continue|read)\b",
            r"\b(?:free|remaining) (?:articles?|stories)\b.*\b(?:left|remaining|this month)\b",
            r"^(?:get |join |our )?(?:the )?(?:\w+ )?newsletters?\s*[!:]?$",
            r"\b(?:we|this (?:web)?site) uses? cookies(?:\s*(?:[.,;!]|$)| to (?:improve|give))",
            r"(?:^|[.!?:,;]\s*|\band\s+|\bplease\s+)(?:sign ?up|subscribe) (?:for|to) (?:\w+ ){0,3}news\b",
        ];
        let texts = [
            "Subscribe now to continue",
            "subscribed to read",
            "x subscribe and read more",
            "3 free articles left",
            "free stories remaining\u{301}",
            "the newsletter!",
            "Newsletters:",
            "our daily newsletters\u{b2}",
            "This website uses cookies.",
            "site uses cookies to improve",
            "Please sign up for our news",
            "and subscribe to the news\u{203f}",
            "café subscribe to continue",
            "_subscribe to continue",
        ];
        for p in patterns {
            let short = Phrases::compile(&translate(p, true).unwrap()).unwrap();
            let whole = Phrases::compile(&translate(p, false).unwrap()).unwrap();
            for t in texts {
                assert_eq!(
                    short.is_match(t.as_bytes()).unwrap(),
                    whole.is_match(t.as_bytes()).unwrap(),
                    "{p} on {t:?}"
                );
            }
        }
    }

    #[test]
    fn a_bad_pattern_names_its_family() {
        let families = vec![(3, vec!["ok".to_string()]), (3, vec!["(unclosed".to_string()])];
        let err = Phrases::new(&families).unwrap_err();
        assert!(err.starts_with("family 1:"), "{err}");
    }
}
