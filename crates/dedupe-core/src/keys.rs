//! Block keys: what the corpus step counts across documents to find a site's template text.
//!
//! Per block of at most `max_words` words: its normalized text, that text with numbers folded (when it has
//! any, and a letter besides), and, for blocks of at least `min_band_words` words, the band keys of the MinHash of its word pairs,
//! which near variants share. Salts keep the three kinds apart, and each band apart from the others.

use crate::chars::{is_alpha, is_digit};
use crate::hash::text_hash;
use crate::minhash::minhash_groups;
use crate::sign::M64;

/// Salts that keep the three kinds of block keys (exact text, digits folded, MinHash band) apart.
pub const SALT_EXACT: u64 = 0x9E3779B97F4A7C15;
pub const SALT_SHAPE: u64 = 0xC2B2AE3D27D4EB4F;
pub const SALT_BAND: u64 = 0x165667B19E3779F9;

/// Kinds of block keys.
pub const KIND_TEXT: u8 = 0;
pub const KIND_SHAPE: u8 = 1;
pub const KIND_BAND: u8 = 2;

/// A normalized text with every number (a run of decimal digits of any script, as `\d+`) replaced by `0`:
/// '© 2023 The Post' and '© 2024 The Post' agree.
pub fn fold_digits(normalized: &str) -> String {
    let mut out = String::with_capacity(normalized.len());
    let mut in_number = false;
    for c in normalized.chars() {
        if is_digit(c) {
            if !in_number {
                out.push('0');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

/// Appends one 64-bit key per band of `rows` consecutive values of a signature (`sig.len() / rows` bands): a
/// multiply-xorshift mix per value, so that two bands collide only if their values are equal (up to a
/// 2**-64 accident), plus the band's salt.
pub fn band_keys_into(sig: &[u32], rows: usize, out: &mut Vec<u64>) {
    let rows = rows.max(1);
    for (band, values) in sig.chunks_exact(rows).enumerate() {
        out.push(band_key(values).wrapping_add((band as u64).wrapping_mul(SALT_BAND)));
    }
}

/// The key of one band's values, before its band's salt: what `band_keys_into` makes of a signature holding
/// that band alone.
pub fn band_key(values: &[u32]) -> u64 {
    let mut key = 0u64;
    for &v in values {
        key = (key ^ u64::from(v)).wrapping_mul(M64);
        key ^= key >> 29;
    }
    key
}

/// What `block_keys` needs to know of the blocks of a batch, block after block.
pub struct Blocks<'a, S: AsRef<str>> {
    /// Each block's normalized text and its hash (xxh3).
    pub norms: &'a [S],
    pub hashes: &'a [u64],
    /// Words per block, and every word's hash, block after block.
    pub lengths: &'a [usize],
    pub tokens: &'a [u64],
    /// Blocks per document.
    pub per_doc: &'a [usize],
}

/// The settings of the block keys, and the permutations of the blocks' MinHash.
pub struct KeyParams<'a> {
    pub rows: usize,
    pub min_band_words: usize,
    pub max_words: usize,
    pub a: &'a [u32],
    pub b: &'a [u32],
}

/// Keys of a batch: per key its value, its block's index in its document and its kind; and where each
/// document's keys start (one more bound than documents).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Keys {
    pub keys: Vec<u64>,
    pub owner: Vec<i32>,
    pub kind: Vec<u8>,
    pub bounds: Vec<usize>,
}

/// The keys under which the short blocks of each document are counted across the corpus: per document, the
/// text keys block by block (exact, then digits folded), then the band keys block by block.
pub fn block_keys<S: AsRef<str>>(blocks: &Blocks<S>, params: &KeyParams) -> Keys {
    let mut out = Keys {
        bounds: vec![0],
        ..Keys::default()
    };
    let mut starts = Vec::with_capacity(blocks.lengths.len());
    let mut word = 0;
    for &n in blocks.lengths {
        starts.push(word);
        word += n;
    }
    let mut first = 0;
    let mut band_words = Vec::new();
    let mut band_sizes = Vec::new();
    let mut band_owner = Vec::new();
    for &count in blocks.per_doc {
        let end = (first + count).min(blocks.lengths.len());
        for i in first..end {
            let n = blocks.lengths[i];
            if n == 0 || n > params.max_words {
                continue;
            }
            let local = (i - first) as i32;
            out.keys.push(blocks.hashes[i] ^ SALT_EXACT);
            out.owner.push(local);
            out.kind.push(KIND_TEXT);
            let norm = blocks.norms[i].as_ref();
            let folded = fold_digits(norm);
            // (a line of numbers alone folds to the same key as every other: a count, a page number, a list's
            // number, which no template shares more than any page does)
            if folded != norm && folded.chars().any(is_alpha) {
                out.keys.push(text_hash(folded.as_bytes()) ^ SALT_SHAPE);
                out.owner.push(local);
                out.kind.push(KIND_SHAPE);
            }
        }
        band_words.clear();
        band_sizes.clear();
        band_owner.clear();
        for (i, (&n, &start)) in blocks.lengths[first..end].iter().zip(&starts[first..end]).enumerate() {
            if n > 0 && n <= params.max_words && n >= params.min_band_words {
                band_words.extend_from_slice(&blocks.tokens[start..start + n]);
                band_sizes.push(n);
                band_owner.push(i as i32);
            }
        }
        // The MinHash of each block's word pairs (a one-word block: its word); a repeated pair does not
        // change a minimum, so the pairs need not be distinct.
        let perms = params.a.len().min(params.b.len());
        let (sigs, _) = minhash_groups(&band_words, &band_sizes, 2, params.a, params.b);
        for (j, &local) in band_owner.iter().enumerate() {
            let before = out.keys.len();
            band_keys_into(&sigs[j * perms..(j + 1) * perms], params.rows, &mut out.keys);
            let added = out.keys.len() - before;
            out.owner.resize(out.owner.len() + added, local);
            out.kind.resize(out.kind.len() + added, KIND_BAND);
        }
        out.bounds.push(out.keys.len());
        first = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::sign_blocks;

    #[test]
    fn numbers_of_any_script_fold_to_one_zero() {
        assert_eq!(fold_digits("copyright 2023 the post 7"), "copyright 0 the post 0");
        assert_eq!(fold_digits("\u{663}12 x 00"), "0 x 0");
        assert_eq!(fold_digits("no numbers \u{b2}"), "no numbers \u{b2}");
    }

    #[test]
    fn a_document_has_its_text_keys_then_its_band_keys() {
        let texts = [
            "Copyright 2024 The Post",
            "Share this",
            "203",
            "",
            "A long block of many words here",
        ];
        let signed = sign_blocks(&texts, 3);
        let norms: Vec<&str> = signed
            .norm_bounds
            .windows(2)
            .map(|w| &signed.norms[w[0]..w[1]])
            .collect();
        let blocks = Blocks {
            norms: &norms,
            hashes: &signed.hashes,
            lengths: &signed.lengths,
            tokens: &signed.tokens,
            per_doc: &[4, 1],
        };
        let (a, b) = ([1u32, 3, 5, 7], [2u32, 4, 6, 8]);
        let params = KeyParams {
            rows: 2,
            min_band_words: 3,
            max_words: 5,
            a: &a,
            b: &b,
        };
        let keys = block_keys(&blocks, &params);
        // Document 0: block 0 (exact, folded), block 1 (exact), block 2 (exact only: a number alone folds to
        // what every number alone does), then block 0's two bands (blocks 1 and 2 are shorter); document 1:
        // its one block is too long.
        assert_eq!(
            keys.kind,
            vec![KIND_TEXT, KIND_SHAPE, KIND_TEXT, KIND_TEXT, KIND_BAND, KIND_BAND]
        );
        assert_eq!(keys.owner, vec![0, 0, 1, 2, 0, 0]);
        assert_eq!(keys.bounds, vec![0, 6, 6]);
        assert_eq!(keys.keys[0], signed.hashes[0] ^ SALT_EXACT);
        assert_eq!(keys.keys[1], text_hash(b"copyright 0 the post") ^ SALT_SHAPE);
        assert_eq!(keys.keys[3], signed.hashes[2] ^ SALT_EXACT);
        assert_ne!(keys.keys[4], keys.keys[5]);
    }
}
