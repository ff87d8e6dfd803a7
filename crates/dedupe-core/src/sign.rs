//! Sign: normalized texts, word hashes and word shingles of blocks.
//!
//! Normalization folds what a copy-paste or a template changes without changing the text: Unicode
//! compatibility forms (NFKC), case (full case folding), punctuation, symbols and runs of white space. Two
//! blocks with the same normalized hash are the same text. It is Python's `NFKC`, `str.casefold` and
//! `[\W_]+` exactly: the character tables are Python 3.11's (`chars`), and NFKC is applied only to the
//! characters that Unicode version assigns (a later character is left as it is, and is no word character).
//!
//! A word's hash is fmix64 of the polynomial sum of its UTF-8 bytes (plus one) in powers of an odd constant,
//! modulo 2**64, xor its length in the top byte; a shingle's hash mixes its words' hashes, so that a document
//! costs one hash per word, not one per shingle. These values are stored (block keys, signatures) and
//! compared with datasketch's through `shingle_base_hash`: they may never change.

use unicode_normalization::UnicodeNormalization;

use crate::chars::{is_assigned, is_word, push_casefold};
use crate::hash::text_hash;

/// The odd multiplier of a word's polynomial hash.
pub const P: u64 = 0x100000001B3;
/// The multiplier that chains word hashes into a shingle hash.
pub const M64: u64 = 0x9E3779B97F4A7C15;

/// MurmurHash3's 64-bit finalizer.
pub fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51AFD7ED558CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CEB9FE1A85EC53);
    h ^ (h >> 33)
}

/// Appends the normalized words of `text` to `out`, separated by single spaces (nothing before the first or
/// after the last); returns how many.
pub fn normalize_into(text: &str, out: &mut String) -> usize {
    if text.is_ascii() {
        // NFKC and casefold change nothing but case in ASCII.
        return ascii_words(text, out);
    }
    let mut folded = String::with_capacity(text.len());
    fold_text(text, &mut folded);
    // The runs of word characters other than `_`, each copied whole (an ASCII byte read as itself, only the
    // others decoded: a line of English with a curly quote is mostly ASCII).
    let bytes = folded.as_bytes();
    let word_at = |i: usize| -> (bool, usize) {
        match bytes[i] {
            b if b.is_ascii() => (b.is_ascii_alphanumeric(), 1),
            _ => {
                let c = folded[i..].chars().next().unwrap_or_default();
                (is_word(c), c.len_utf8())
            }
        }
    };
    let (n, mut i, mut words) = (bytes.len(), 0, 0);
    while i < n {
        let (word, len) = word_at(i);
        if !word {
            i += len;
            continue;
        }
        let start = i;
        i += len;
        while i < n {
            match word_at(i) {
                (true, len) => i += len,
                _ => break,
            }
        }
        if words > 0 {
            out.push(' ');
        }
        out.push_str(&folded[start..i]);
        words += 1;
    }
    words
}

/// NFKC then full case folding of a text, in pieces: the text falls apart before every ASCII character (a
/// starter that composes with nothing before it, and that nothing is reordered across), so a run of ASCII
/// characters is only lowered, and only the rest, each with the ASCII character before it (which may compose
/// with what follows), goes through NFKC. The same as the whole text through NFKC (`fold_pieces` on it alone,
/// which the tests compare against); a line of English with a curly quote or a non-breaking space was about
/// five times slower a character than one in ASCII.
fn fold_text(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut at = 0;
    while at < n {
        let mut end = at;
        while end < n && bytes[end].is_ascii() {
            end += 1;
        }
        if end == n {
            push_ascii_lowered(&text[at..], out);
            break;
        }
        let cut = if end > at { end - 1 } else { at };
        push_ascii_lowered(&text[at..cut], out);
        let mut next = end;
        while next < n && !bytes[next].is_ascii() {
            next += 1;
        }
        fold_pieces(&text[cut..next], out);
        at = next;
    }
}

fn push_ascii_lowered(ascii: &str, out: &mut String) {
    let at = out.len();
    out.push_str(ascii);
    out.as_mut_str()[at..].make_ascii_lowercase();
}

/// NFKC then full case folding of a text, split where a character this Unicode version does not assign stands.
fn fold_pieces(text: &str, out: &mut String) {
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if !is_assigned(c) {
            // A character this Unicode version does not assign is a starter that composes with nothing:
            // the text on each side of it normalizes alone, and it stays as it is.
            nfkc_casefold(&text[start..i], out);
            out.push(c);
            start = i + c.len_utf8();
        }
    }
    nfkc_casefold(&text[start..], out);
}

/// `normalize_into` of an ASCII text (where NFKC and case folding only lower the case, and the word
/// characters other than `_` are the letters and digits): one pass over the bytes, each looked up once
/// (`WORD_LOWER`) and appended lowered. Returns how many words. Finding each word, copying it and lowering
/// it in place cost 38 instructions a byte of the ASCII lines of webpages-dev's whole pages, this 22.
fn ascii_words(text: &str, out: &mut String) -> usize {
    out.reserve(text.len());
    let (mut words, mut in_word) = (0, false);
    for &b in text.as_bytes() {
        let low = WORD_LOWER[usize::from(b)];
        if low == 0 {
            in_word = false;
            continue;
        }
        if !in_word {
            if words > 0 {
                out.push(' ');
            }
            words += 1;
            in_word = true;
        }
        out.push(char::from(low));
    }
    words
}

/// Per byte: the ASCII letter or digit it is, lowered, or 0 for any other byte (one load for both questions).
const WORD_LOWER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// `ascii_words` of an ASCII text with each word's hash (`word_hash`) appended to `tokens`: one pass over
/// each byte, which is lowered, appended and hashed at once. (Appending each word whole and lowering it in place
/// cost more: 219 -> 265 M instructions on 1,976 pages.)
fn ascii_words_hashed(text: &[u8], out: &mut String, tokens: &mut Vec<u64>) -> usize {
    out.reserve(text.len());
    let (n, mut i, mut words) = (text.len(), 0, 0);
    while i < n {
        while i < n && WORD_LOWER[usize::from(text[i])] == 0 {
            i += 1;
        }
        if i == n {
            break;
        }
        if words > 0 {
            out.push(' ');
        }
        words += 1;
        let start = i;
        let (mut acc, mut power) = (0u64, POWERS[POWERS.len() - 1]);
        while i < n && WORD_LOWER[usize::from(text[i])] != 0 {
            let b = WORD_LOWER[usize::from(text[i])];
            out.push(char::from(b));
            let k = i - start;
            let p = if k < POWERS.len() {
                POWERS[k]
            } else {
                power = power.wrapping_mul(P);
                power
            };
            acc = acc.wrapping_add((u64::from(b) + 1).wrapping_mul(p));
            i += 1;
        }
        tokens.push(fmix64(acc ^ (((i - start) as u64) << 56)));
    }
    words
}

fn nfkc_casefold(text: &str, out: &mut String) {
    for c in text.nfkc() {
        push_casefold(c, out);
    }
}

/// The normalized text: casefolded words joined by single spaces (punctuation and symbols dropped).
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// The first powers of `P` (modulo 2**64), so that the bytes of a word of up to this many bytes are
/// multiplied independently rather than each waiting for the next power.
const POWERS: [u64; 32] = {
    let mut p = [1u64; 32];
    let mut i = 1;
    while i < p.len() {
        p[i] = p[i - 1].wrapping_mul(P);
        i += 1;
    }
    p
};

/// The hash of one word (its UTF-8 bytes).
pub fn word_hash(word: &[u8]) -> u64 {
    let head = word.len().min(POWERS.len());
    let mut acc = word[..head].iter().zip(&POWERS).fold(0u64, |acc, (&b, &p)| {
        acc.wrapping_add((u64::from(b) + 1).wrapping_mul(p))
    });
    if word.len() > head {
        let mut power = POWERS[POWERS.len() - 1].wrapping_mul(P);
        for &b in &word[head..] {
            acc = acc.wrapping_add((u64::from(b) + 1).wrapping_mul(power));
            power = power.wrapping_mul(P);
        }
    }
    fmix64(acc ^ ((word.len() as u64) << 56))
}

/// Appends the hash of every word of a normalized text (words are the runs of bytes other than a space).
pub fn token_hashes_into(normalized: &str, out: &mut Vec<u64>) {
    out.extend(
        normalized
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| word_hash(w.as_bytes())),
    );
}

/// The hash of one shingle from its words' hashes.
fn shingle_of(words: &[u64]) -> u64 {
    fmix64(words[1..].iter().fold(words[0], |acc, &h| acc.wrapping_mul(M64) ^ h))
}

/// Appends the hashes of the k-word shingles of `th`, in order (fewer than k words: one shingle of them all;
/// none: nothing). A k of 0 counts as 1.
pub fn combine_into(th: &[u64], k: usize, out: &mut Vec<u64>) {
    if th.is_empty() {
        return;
    }
    let k = k.clamp(1, th.len());
    out.extend(th.windows(k).map(shingle_of));
}

/// The hash `combine_into` gives a shingle's text (words separated by single spaces).
pub fn shingle_hash(shingle: &[u8]) -> u64 {
    let words: Vec<u64> = shingle.split(|&b| b == b' ').map(word_hash).collect();
    shingle_of(&words)
}

/// The k-word shingle hashes of each group of consecutive words of `th` (`starts[i]`, `lengths[i]` words),
/// and the group of each: first every group's full windows, group by group, then one shingle of all the
/// words of each group shorter than k (an empty group gives none). Shingles never cross groups.
pub fn windows(th: &[u64], starts: &[usize], lengths: &[usize], k: usize) -> (Vec<u64>, Vec<usize>) {
    let k = k.max(1);
    let mut hashes = Vec::new();
    let mut owner = Vec::new();
    for (g, (&s, &n)) in starts.iter().zip(lengths).enumerate() {
        if n >= k {
            let before = hashes.len();
            combine_into(&th[s..s + n], k, &mut hashes);
            owner.resize(owner.len() + hashes.len() - before, g);
        }
    }
    for (g, (&s, &n)) in starts.iter().zip(lengths).enumerate() {
        if n > 0 && n < k {
            hashes.push(shingle_of(&th[s..s + n]));
            owner.push(g);
        }
    }
    (hashes, owner)
}

/// Blocks signed at once: their normalized texts end to end, every word's hash, per-block shingles.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SignedBlocks {
    /// The normalized texts of the blocks, end to end; block i's is `norms[norm_bounds[i]..norm_bounds[i + 1]]`.
    pub norms: String,
    pub norm_bounds: Vec<usize>,
    /// Words per block.
    pub lengths: Vec<usize>,
    /// The hash of every word, block after block.
    pub tokens: Vec<u64>,
    /// Each block's distinct k-word shingle hashes, sorted; block i's are `shingles[bounds[i]..bounds[i + 1]]`.
    pub shingles: Vec<u64>,
    pub shingle_bounds: Vec<usize>,
    /// xxh3_64 of each block's normalized text.
    pub hashes: Vec<u64>,
}

/// Signs blocks (their texts): normalized text, word hashes, distinct sorted k-word shingles, hash.
pub fn sign_blocks<S: AsRef<str>>(texts: &[S], k: usize) -> SignedBlocks {
    // Room for the whole batch at once (a batch of 256 pages grew each vector a dozen times): the normalized
    // texts are about as long as the texts, and prose holds about a word in every five or six bytes (the vectors
    // still grow where a text needs more).
    let bytes: usize = texts.iter().map(|t| t.as_ref().len()).sum();
    let mut out = SignedBlocks {
        norm_bounds: Vec::with_capacity(texts.len() + 1),
        shingle_bounds: Vec::with_capacity(texts.len() + 1),
        norms: String::with_capacity(bytes),
        tokens: Vec::with_capacity(bytes / 5),
        shingles: Vec::with_capacity(bytes / 5),
        hashes: Vec::with_capacity(texts.len()),
        lengths: Vec::with_capacity(texts.len()),
    };
    out.norm_bounds.push(0);
    out.shingle_bounds.push(0);
    let mut norm = String::new();
    for text in texts {
        norm.clear();
        let text = text.as_ref();
        let first = out.tokens.len();
        let words = if text.is_ascii() {
            // (the words hashed as they are lowered, not split again from the normalized text)
            ascii_words_hashed(text.as_bytes(), &mut norm, &mut out.tokens)
        } else {
            let words = normalize_into(text, &mut norm);
            token_hashes_into(&norm, &mut out.tokens);
            words
        };
        let start = out.shingles.len();
        combine_into(&out.tokens[first..], k.max(1), &mut out.shingles);
        out.shingles[start..].sort_unstable();
        let mut kept = start;
        for i in start..out.shingles.len() {
            if i == start || out.shingles[i] != out.shingles[kept - 1] {
                out.shingles[kept] = out.shingles[i];
                kept += 1;
            }
        }
        out.shingles.truncate(kept);
        out.shingle_bounds.push(kept);
        out.hashes.push(text_hash(norm.as_bytes()));
        out.lengths.push(words);
        out.norms.push_str(&norm);
        out.norm_bounds.push(out.norms.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A random text of fewer than `max` characters of `pool`, the next of a xorshift64 sequence (`state`)
    /// choosing its length and each character (`spread`: how far the state turns between characters).
    fn random_text(state: &mut u64, pool: &[char], max: u64, spread: u32) -> String {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        (0..(*state % max))
            .map(|k| pool[(state.rotate_left(spread * k as u32) % pool.len() as u64) as usize])
            .collect()
    }

    #[test]
    fn an_ascii_text_is_normalized_and_hashed_as_any_text() {
        // Signing's ASCII path (words lowered and hashed in one pass) against normalizing (`normalize_into`)
        // and then hashing the normalized words (`token_hashes_into`), on random texts of letters, digits,
        // punctuation, spaces and long words.
        let pool: Vec<char> = "aZ09 .,_-'\t\nQx".chars().collect();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..5_000 {
            let mut text = random_text(&mut state, &pool, 90, 7);
            if state % 5 == 0 {
                text.push_str(" Abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH ");
                // (past POWERS' 32 bytes)
            }
            let (mut norm, mut tokens) = (String::new(), Vec::new());
            let words = ascii_words_hashed(text.as_bytes(), &mut norm, &mut tokens);
            let (mut want, mut want_tokens) = (String::new(), Vec::new());
            let want_words = normalize_into(&text, &mut want);
            token_hashes_into(&want, &mut want_tokens);
            assert_eq!((words, &norm, &tokens), (want_words, &want, &want_tokens), "{text:?}");
        }
    }

    #[test]
    fn folding_in_pieces_at_ascii_characters_is_folding_the_whole_text() {
        // ASCII letters before combining marks (which compose with them), Hangul jamo (which compose with each
        // other), compatibility forms that decompose into ASCII, marks that reorder, an unassigned character,
        // case folding that grows a character, CJK, spaces of other kinds.
        let pool: Vec<char> = "aAeE zZ1._\u{301}\u{308}\u{327}\u{323}\u{1100}\u{1161}\u{11a8}\u{ac00}ﬁ½Å\u{212b}İßẞΣς\
                               \u{378}\u{e000}中文\u{ff21}\u{a0}\u{2019}\u{200d}\u{1f600}é"
            .chars()
            .collect();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let text = random_text(&mut state, &pool, 12, 5);
            let (mut whole, mut pieces) = (String::new(), String::new());
            fold_pieces(&text, &mut whole);
            fold_text(&text, &mut pieces);
            assert_eq!(whole, pieces, "{text:?}");
        }
        for text in [
            "e\u{301}",
            "Cafe\u{301} au lait",
            "\u{301}start",
            "x\u{323}\u{301}y",
            "ab\u{1161}",
            "ﬁ\u{301}",
        ] {
            let (mut whole, mut pieces) = (String::new(), String::new());
            fold_pieces(text, &mut whole);
            fold_text(text, &mut pieces);
            assert_eq!(whole, pieces, "{text:?}");
        }
    }

    #[test]
    fn normalizing_folds_case_compatibility_forms_and_punctuation_as_python() {
        // Values of Python's `" ".join(re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", t).casefold()).split())`.
        assert_eq!(normalize("Hello,  World_wide -- 2024!"), "hello world wide 2024");
        assert_eq!(
            normalize("Stra\u{df}e \u{fb01}ne \u{ff21}\u{ff22} \u{2460} x\u{b2}"),
            "strasse fine ab 1 x2"
        );
        assert_eq!(
            normalize("\u{393}\u{3b5}\u{3b9}\u{3ac} \u{3c3}\u{3bf}\u{3c5} \u{39a}\u{3cc}\u{3c3}\u{3bc}\u{3b5}"),
            "\u{3b3}\u{3b5}\u{3b9}\u{3ac} \u{3c3}\u{3bf}\u{3c5} \u{3ba}\u{3cc}\u{3c3}\u{3bc}\u{3b5}"
        );
        // A Devanagari vowel sign is no word character to Python: it splits the word.
        assert_eq!(
            normalize("\u{915}\u{93f}\u{924}\u{93e}\u{92c}"),
            "\u{915} \u{924} \u{92c}"
        );
        // A character Unicode 14 does not assign is left alone (a later Unicode would decompose it) and splits.
        assert_eq!(normalize("a\u{1e030}b"), "a b");
        assert_eq!(normalize("  \u{2014} "), "");
    }

    #[test]
    fn a_word_hashes_alike_wherever_it_sits_and_shingles_chain_words() {
        let mut th = Vec::new();
        token_hashes_into("alpha beta alpha", &mut th);
        assert_eq!(th, vec![word_hash(b"alpha"), word_hash(b"beta"), word_hash(b"alpha")]);
        let mut sh = Vec::new();
        combine_into(&th, 2, &mut sh);
        assert_eq!(sh, vec![shingle_hash(b"alpha beta"), shingle_hash(b"beta alpha")]);
        let mut whole = Vec::new();
        combine_into(&th, 5, &mut whole);
        assert_eq!(whole, vec![shingle_hash(b"alpha beta alpha")]);
        // Values of the numpy implementation this replaced (sign.token_hash / shingle_hash at 009e83c).
        assert_eq!(word_hash(b"alpha"), 0x8a1e924f59066109);
        // The table of powers gives the serial definition's value, for words shorter and longer than it.
        let serial = |word: &[u8]| {
            let (mut acc, mut power) = (0u64, 1u64);
            for &b in word {
                acc = acc.wrapping_add((u64::from(b) + 1).wrapping_mul(power));
                power = power.wrapping_mul(P);
            }
            fmix64(acc ^ ((word.len() as u64) << 56))
        };
        let long: Vec<u8> = (0..100u8).map(|i| b'a' + i % 26).collect();
        for n in [0, 1, 31, 32, 33, 64, 100] {
            assert_eq!(word_hash(&long[..n]), serial(&long[..n]), "{n}");
        }
        assert_eq!(shingle_hash(b"the cat sat"), 0xa0a3601abda3fb0c);
    }

    #[test]
    fn signed_blocks_hold_distinct_sorted_shingles_and_the_normalized_hash() {
        // An ASCII text's words are hashed as they are lowered: the same as hashing the normalized text.
        let text = "The Cat's 2nd_life -- in Caf\u{e9}s, 42x!";
        let long = format!("Short {} x{}Y", "Ab".repeat(40), "9".repeat(33));
        let signed = sign_blocks(&[long.as_str()], 2);
        let mut th = Vec::new();
        token_hashes_into(&normalize(&long), &mut th);
        assert_eq!(signed.tokens, th);
        assert_eq!(&signed.norms, &normalize(&long));
        let mixed = sign_blocks(&[text, &text.replace('\u{e9}', "e")], 2);
        let mut th = Vec::new();
        token_hashes_into(&normalize(&text.replace('\u{e9}', "e")), &mut th);
        assert_eq!(mixed.tokens[mixed.lengths[0]..], th[..]);
        let signed = sign_blocks(&["A b a b a b", "", "One"], 2);
        assert_eq!(signed.lengths, vec![6, 0, 1]);
        assert_eq!(
            &signed.norms[signed.norm_bounds[0]..signed.norm_bounds[1]],
            "a b a b a b"
        );
        assert_eq!(signed.shingle_bounds, vec![0, 2, 2, 3]);
        let mut two = [shingle_hash(b"a b"), shingle_hash(b"b a")];
        two.sort_unstable();
        assert_eq!(signed.shingles[..2], two[..]);
        assert_eq!(signed.hashes[1], text_hash(b""));
        let (hashes, owner) = windows(&signed.tokens, &[0, 6, 6], &[6, 0, 1], 2);
        assert_eq!(owner, vec![0, 0, 0, 0, 0, 2]);
        assert_eq!(hashes[5], shingle_hash(b"one"));
    }
}
