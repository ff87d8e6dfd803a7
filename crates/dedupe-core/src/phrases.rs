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

use pcre2::bytes::{Regex, RegexBuilder};

/// A word character as Python's `re` reads one in a `str` pattern (`str.isalnum()` or `_`).
const WORD: &str = r"\p{L}\p{N}_";
/// White space as Python's `re` reads it (`str.isspace()`): PCRE2's `\s` less nothing, plus the
/// information separators and NEL.
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
            RegexBuilder::new()
                .caseless(true)
                .utf(true)
                .ucp(true)
                .jit_if_available(true)
                .build(&pattern)
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

    /// How many families there are.
    pub fn len(&self) -> usize {
        self.families.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.families.is_empty()
    }

    /// The first family, in table order, among those `mask` names (bit i: family i) whose word limit the
    /// block's `n_words` keeps within and whose phrasing the block's text matches.
    ///
    /// A search PCRE2 gives up on (its backtracking limit, ten million steps, which no family's phrasing
    /// comes near on a block) counts as no match: the block stays.
    pub fn first(&self, text: &str, mask: u64, n_words: i64) -> Option<usize> {
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

/// A pattern in Python's `re` syntax as PCRE2 reads it with Python's meaning: `\w`, `\W`, `\s`, `\S`, `\b`
/// and `\B` by Python's word characters and white space (PCRE2's own count marks and connectors as word
/// characters, and not the information separators as space), `\Z` as the end of the text, and `[` inside a
/// class as the character it is for Python. The rest of the syntax the families use means the same in both.
pub fn python_syntax(pattern: &str) -> Result<String, String> {
    let boundary = format!("(?:(?<=[{WORD}])(?![{WORD}])|(?<![{WORD}])(?=[{WORD}]))");
    let not_boundary = format!("(?:(?<=[{WORD}])(?=[{WORD}])|(?<![{WORD}])(?![{WORD}]))");
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    return Err("a pattern ends with a lone backslash".into());
                };
                match e {
                    'w' => out.push_str(&format!("[{WORD}]")),
                    'W' => out.push_str(&format!("[^{WORD}]")),
                    's' => out.push_str(&format!("[{SPACE}]")),
                    'S' => out.push_str(&format!("[^{SPACE}]")),
                    'b' => out.push_str(&boundary),
                    'B' => out.push_str(&not_boundary),
                    'Z' => out.push_str(r"\z"),
                    _ => {
                        out.push('\\');
                        out.push(e);
                    }
                }
            }
            '[' => {
                let negated = chars.peek() == Some(&'^');
                if negated {
                    chars.next();
                }
                let mut items = String::new();
                let mut complements: Vec<&str> = Vec::new();
                let mut first = true;
                loop {
                    let Some(c) = chars.next() else {
                        return Err("a character class is not closed".into());
                    };
                    match c {
                        ']' if !first => break,
                        ']' => items.push_str(r"\]"),
                        '[' => items.push_str(r"\["),
                        '\\' => {
                            let Some(e) = chars.next() else {
                                return Err("a pattern ends with a lone backslash".into());
                            };
                            match e {
                                'w' => items.push_str(WORD),
                                's' => items.push_str(SPACE),
                                'W' => complements.push(WORD),
                                'S' => complements.push(SPACE),
                                _ => {
                                    items.push('\\');
                                    items.push(e);
                                }
                            }
                        }
                        _ => items.push(c),
                    }
                    first = false;
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
            }
            _ => out.push(c),
        }
    }
    Ok(out)
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
    fn a_bad_pattern_names_its_family() {
        let families = vec![(3, vec!["ok".to_string()]), (3, vec!["(unclosed".to_string()])];
        let err = Phrases::new(&families).unwrap_err();
        assert!(err.starts_with("family 1:"), "{err}");
    }
}
