//! Repeats inside one document: exact repeats (same normalized text), near repeats (shingle Jaccard and
//! containment) and composites (a block made of others), ported from `dedupe/detect/repeats.py`.
//!
//! Near repeats are found on the blocks' exact word-shingle sets rather than on MinHash estimates: inside one
//! document the sets are small, so candidate pairs come from sorting (shingle, block) pairs and every pair is
//! scored on the real sets. That finds a short block contained in a long one however different their sizes,
//! which banded MinHash misses. Which repeats are content that recurs by design (`keep_recurring_content`)
//! stays in Python, which reads the page kind and the code shape.

pub mod content;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::chars::strip;
use crate::features::WordHasher;

/// A multiply-rotate hasher for keys no input text chooses (pairs of block positions here, the corpus step's
/// band keys in `group`): the default SipHash cost more than the counting itself on a page of a few hundred
/// shingles.
#[derive(Default, Clone, Copy)]
pub(crate) struct PairHasher(u64);

impl Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

/// The pairs of blocks that share shingles, with how many, in the order Python's `Counter` would first
/// meet them: shingles in ascending order, then the pairs of the blocks holding each (in block order).
///
/// `shingles` holds the blocks' shingles end to end (each block's distinct), `ends` where each block's end;
/// a shingle held by more than `max_posting` blocks is a stock phrase, not evidence of a repeat, and is
/// skipped. Pairs are (lower, higher) block positions.
pub fn shared_counts(shingles: &[u64], ends: &[usize], max_posting: usize) -> Vec<(usize, usize, usize)> {
    // Most documents repeat nothing: when no two blocks hold a shingle alike, which a set of them tells faster
    // than sorting them with their blocks, there is no pair.
    if !shares_any(shingles, ends) {
        return Vec::new();
    }
    let mut held: Vec<(u64, usize)> = Vec::with_capacity(shingles.len());
    let mut start = 0;
    for (block, &end) in ends.iter().enumerate() {
        let end = end.clamp(start, shingles.len());
        held.extend(shingles[start..end].iter().map(|&s| (s, block)));
        start = end;
    }
    held.sort_unstable();
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    let mut at: HashMap<(usize, usize), usize, BuildHasherDefault<PairHasher>> = HashMap::default();
    let mut i = 0;
    while i < held.len() {
        let mut j = i + 1;
        while j < held.len() && held[j].0 == held[i].0 {
            j += 1;
        }
        let group = &held[i..j];
        if group.len() >= 2 && group.len() <= max_posting {
            for (x, &(_, a)) in group.iter().enumerate() {
                for &(_, b) in &group[x + 1..] {
                    match at.get(&(a, b)) {
                        Some(&k) => out[k].2 += 1,
                        None => {
                            at.insert((a, b), out.len());
                            out.push((a, b, 1));
                        }
                    }
                }
            }
        }
        i = j;
    }
    out
}

/// Whether a shingle occurs twice among the blocks' (the only way to a pair; the shingles are hashes, so a
/// text cannot choose them to crowd the set's buckets).
fn shares_any(shingles: &[u64], ends: &[usize]) -> bool {
    let held = &shingles[..ends.iter().copied().max().unwrap_or(0).min(shingles.len())];
    let mut seen: HashSet<u64, BuildHasherDefault<PairHasher>> =
        HashSet::with_capacity_and_hasher(held.len(), BuildHasherDefault::default());
    held.iter().any(|&s| !seen.insert(s))
}

/// One document's blocks as the repeat detectors read them: per block its text (read only for blocks without
/// words), normalized hash, words, and its distinct sorted shingles (`shingles[ends[b-1]..ends[b]]`).
pub struct RepeatBlocks<'a, S> {
    pub texts: &'a [S],
    pub hashes: &'a [u64],
    pub n_words: &'a [i64],
    pub shingles: &'a [u64],
    pub ends: &'a [usize],
}

impl<S: AsRef<str>> RepeatBlocks<'_, S> {
    fn len(&self) -> usize {
        self.hashes.len().min(self.n_words.len()).min(self.texts.len())
    }

    /// Block b's shingles (none past the input's end, so that ragged columns never panic).
    fn shingles_of(&self, b: usize) -> &[u64] {
        let end = self.ends.get(b).copied().unwrap_or(0).min(self.shingles.len());
        let start = if b == 0 {
            0
        } else {
            self.ends.get(b - 1).copied().unwrap_or(0)
        }
        .min(end);
        &self.shingles[start..end]
    }

    /// What makes two blocks the same text: the normalized hash, and for a block without words (a `* * *`
    /// separator) its stripped text.
    fn key(&self, b: usize) -> (u64, &str) {
        let text = if self.n_words[b] == 0 {
            strip(self.texts[b].as_ref())
        } else {
            ""
        };
        (self.hashes[b], text)
    }
}

/// The settings the detectors read (`Config`'s `min_repeat_words`, `min_near_words`, `near_threshold`,
/// `containment_threshold`, `composite_coverage`; `MAX_POSTING`, `MIN_OTHER_PARTS`).
#[derive(Clone, Copy, Debug)]
pub struct RepeatParams {
    pub min_repeat_words: i64,
    pub min_near_words: i64,
    pub near_threshold: f64,
    pub containment_threshold: f64,
    pub composite_coverage: f64,
    pub max_posting: usize,
    pub min_other_parts: f64,
}

/// Repeated block -> its first occurrence (never itself a repeat), ascending by block.
///
/// Blocks shorter than `min_repeat_words` count only inside a run that repeats as a whole (a subheading
/// inside a body pasted twice), never alone. Inside such a run, a block with no words (a `* * *` separator)
/// repeats if its stripped text is the same.
pub fn exact_repeats<S: AsRef<str>>(blocks: &RepeatBlocks<'_, S>, params: &RepeatParams) -> Vec<(usize, usize)> {
    let n = blocks.len();
    let mut sorted = blocks.hashes[..n].to_vec();
    sorted.sort_unstable();
    if sorted.windows(2).all(|w| w[0] != w[1]) {
        return Vec::new(); // no two blocks alike (the usual page): nothing repeats
    }
    // (both maps hashed by `WordHasher` and made for the page's blocks at once: nothing iterates them)
    let mut first: HashMap<u64, usize, BuildHasherDefault<WordHasher>> =
        HashMap::with_capacity_and_hasher(n, BuildHasherDefault::default());
    let mut of: BTreeMap<usize, usize> = BTreeMap::new();
    for b in 0..n {
        if blocks.n_words[b] == 0 {
            continue;
        }
        match first.get(&blocks.hashes[b]) {
            Some(&j) => {
                if blocks.n_words[b] >= params.min_repeat_words {
                    of.insert(b, j);
                }
            }
            None => {
                first.insert(blocks.hashes[b], b);
            }
        }
    }
    if of.is_empty() {
        return Vec::new();
    }
    let same = |x: usize, y: usize| {
        if blocks.n_words[x] != 0 || blocks.n_words[y] != 0 {
            blocks.hashes[x] == blocks.hashes[y]
        } else {
            strip(blocks.texts[x].as_ref()) == strip(blocks.texts[y].as_ref())
        }
    };
    // Extend repeated runs over their short blocks, forwards and backwards (each round over the repeats
    // known when it starts, as Python's `sorted(of.items())`).
    let mut changed = true;
    while changed {
        changed = false;
        let known: Vec<(usize, usize)> = of.iter().map(|(&i, &j)| (i, j)).collect();
        for (i, j) in known {
            for forward in [true, false] {
                let (ni, nj) = if forward {
                    (i + 1, j + 1)
                } else if j == 0 {
                    continue;
                } else {
                    (i - 1, j - 1)
                };
                if nj < ni && ni < n && !of.contains_key(&ni) && !of.contains_key(&nj) && same(ni, nj) {
                    of.insert(ni, nj);
                    changed = true;
                }
            }
        }
    }
    // Every repeat points at the first occurrence of its text, so the reference is never itself removed as a
    // repeat (a run pasted three times points at the first copy, not the second).
    let mut root: HashMap<(u64, &str), usize, BuildHasherDefault<WordHasher>> =
        HashMap::with_capacity_and_hasher(n, BuildHasherDefault::default());
    for b in 0..n {
        root.entry(blocks.key(b)).or_insert(b);
    }
    of.keys().map(|&i| (i, root[&blocks.key(i)])).collect()
}

/// How a near repeat was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum How {
    /// Contained in a larger block (`near-repeat:containment`).
    Containment,
    /// Jaccard similarity of the shingle sets (`near-repeat:jaccard`).
    Jaccard,
    /// Made of other blocks (`near-repeat:composite`).
    Composite,
}

/// A near-repeat finding: the block that goes, how, its score, the block it repeats (for a composite, its
/// largest part) and, for a composite, all its parts ascending.
#[derive(Clone, Debug, PartialEq)]
pub struct Near {
    pub block: usize,
    pub how: How,
    pub score: f64,
    pub of: usize,
    pub parts: Vec<usize>,
}

/// Blocks that nearly repeat, or are contained in, a more complete block of the same document: composites
/// first (ascending), then the others from the largest down.
///
/// `exact[b]`: block b is an exact repeat (not looked at). The more complete block (more shingles; the first
/// on ties) is kept. Blocks in `gone` go for another reason (chrome): nothing is a repeat of them, as nothing
/// is on the cleaned text, but they may still repeat a kept block.
pub fn near_repeats<S: AsRef<str>>(
    blocks: &RepeatBlocks<'_, S>,
    exact: &[bool],
    gone: &[bool],
    params: &RepeatParams,
) -> Vec<Near> {
    let n = blocks.len();
    let flag = |set: &[bool], b: usize| set.get(b).copied().unwrap_or(false);
    let eligible: Vec<usize> = (0..n)
        .filter(|&b| blocks.n_words[b] >= params.min_near_words && !flag(exact, b))
        .collect();
    if eligible.len() < 2 {
        return Vec::new();
    }
    let mut joined: Vec<u64> = Vec::new();
    let mut ends: Vec<usize> = Vec::with_capacity(eligible.len());
    for &b in &eligible {
        joined.extend_from_slice(blocks.shingles_of(b));
        ends.push(joined.len());
    }
    let pairs = shared_counts(&joined, &ends, params.max_posting);
    if pairs.is_empty() {
        return Vec::new(); // no block shares a shingle with another: no near repeat, no composite
    }
    let size = |b: usize| blocks.shingles_of(b).len();
    // small -> its larger partners (big, score, how), smalls in the order they are first met
    let mut order: Vec<usize> = Vec::new();
    let mut partners: HashMap<usize, Vec<(usize, f64, How)>> = HashMap::new();
    for (x, y, shared) in pairs {
        let (a, b) = (eligible[x], eligible[y]);
        let (na, nb) = (size(a), size(b));
        let jac = shared as f64 / (na + nb - shared) as f64;
        let (small, big) = if (na, a) < (nb, b) { (a, b) } else { (b, a) };
        let found = if jac >= params.near_threshold {
            Some((big, jac, How::Jaccard))
        } else {
            let contained = shared as f64 / na.min(nb) as f64;
            (contained >= params.containment_threshold).then_some((big, contained, How::Containment))
        };
        if let Some(found) = found {
            partners
                .entry(small)
                .or_insert_with(|| {
                    order.push(small);
                    Vec::new()
                })
                .push(found);
        }
    }
    if partners.is_empty() {
        return Vec::new(); // shared shingles, but no pair alike enough: nothing to report
    }
    let mut findings = composites(blocks, &partners, params);
    let composite: HashSet<usize> = findings.iter().map(|f| f.block).collect();
    let mut rank: Vec<usize> = eligible.iter().copied().filter(|b| !composite.contains(b)).collect();
    rank.sort_by_key(|&b| (std::cmp::Reverse(size(b)), b));
    let mut kept: HashSet<usize> = HashSet::new();
    for i in rank {
        // The best kept partner: the highest score, then the first block (Python's max over (score, -big, how)).
        let mut best: Option<(f64, usize, How)> = None;
        for &(big, score, how) in partners.get(&i).map(Vec::as_slice).unwrap_or(&[]) {
            if !kept.contains(&big) {
                continue;
            }
            let better = match best {
                None => true,
                Some((s, b, h)) => score > s || (score == s && (big < b || (big == b && how > h))),
            };
            if better {
                best = Some((score, big, how));
            }
        }
        match best {
            None => {
                if !flag(gone, i) {
                    kept.insert(i);
                }
            }
            Some((score, big, how)) => findings.push(Near {
                block: i,
                how,
                score,
                of: big,
                parts: Vec::new(),
            }),
        }
    }
    findings
}

/// Blocks made of other blocks of the document: a raw HTML or Markdown copy of the article, a teaser list
/// that strings the paragraphs together.
///
/// Keeping the more complete block would keep such a blob and drop the real paragraphs; so a block that
/// contains at least two others, which together make up `composite_coverage` of its shingles, is the one
/// removed; beyond its largest part, the others must cover `min_other_parts` of it too (parts that are
/// variants of one another, "...in San Diego", "...in San Jose", make no composite).
fn composites<S: AsRef<str>>(
    blocks: &RepeatBlocks<'_, S>,
    partners: &HashMap<usize, Vec<(usize, f64, How)>>,
    params: &RepeatParams,
) -> Vec<Near> {
    let mut parts: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (&small, found) in partners {
        for &(big, _, _) in found {
            parts.entry(big).or_default().push(small);
        }
    }
    let mut out = Vec::new();
    for (big, mut smalls) in parts {
        if smalls.len() < 2 {
            continue;
        }
        smalls.sort_unstable();
        let whole: HashSet<u64> = blocks.shingles_of(big).iter().copied().collect();
        let mut union: HashSet<u64> = HashSet::new();
        let mut overlap = Vec::with_capacity(smalls.len());
        for &s in &smalls {
            let inside: Vec<u64> = blocks
                .shingles_of(s)
                .iter()
                .copied()
                .filter(|h| whole.contains(h))
                .collect();
            overlap.push(inside.len());
            union.extend(inside);
        }
        let covered = union.len();
        let alone = overlap.iter().copied().max().unwrap_or(0);
        let n = blocks.shingles_of(big).len() as f64;
        // (rounded as Python's round(x, 9): 0.1 * 70 is 7.000000000000001 in floating point, and 7 shingles are
        // a tenth of 70)
        if covered as f64 >= round9(params.composite_coverage * n)
            && (covered - alone) as f64 >= round9(params.min_other_parts * n)
        {
            // The reference is the largest part (the first of those as large); the parts are all named.
            let main = smalls[overlap.iter().position(|&o| o == alone).unwrap_or(0)];
            out.push(Near {
                block: big,
                how: How::Composite,
                score: covered as f64 / n,
                of: main,
                parts: smalls,
            });
        }
    }
    out
}

/// Python's `round(x, 9)`: the nearest multiple of 1e-9, read back as a float (Rust formats exactly, as
/// Python's dtoa does).
fn round9(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    format!("{x:.9}").parse().unwrap_or(x)
}

/// A document's repeats: the exact ones (repeat, first occurrence), then, on whole-page text, the near ones.
pub fn find_repeats<S: AsRef<str>>(
    blocks: &RepeatBlocks<'_, S>,
    params: &RepeatParams,
    whole_page: bool,
) -> (Vec<(usize, usize)>, Vec<Near>) {
    let exact = exact_repeats(blocks, params);
    if !whole_page {
        return (exact, Vec::new());
    }
    let mut is_exact = vec![false; blocks.len()];
    for &(i, _) in &exact {
        is_exact[i] = true;
    }
    let near = near_repeats(blocks, &is_exact, &[], params);
    (exact, near)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_in_order_of_shingle_then_block() {
        // Blocks 0 and 2 share 9 and 5, blocks 1 and 2 share 7, block 3 shares nothing.
        let shingles = [5, 9, 7, 8, 5, 7, 9, 1];
        let ends = [2, 4, 7, 8];
        assert_eq!(shared_counts(&shingles, &ends, 64), vec![(0, 2, 2), (1, 2, 1)]);
    }

    #[test]
    fn stock_shingles_and_lone_blocks_pair_nothing() {
        let shingles = [3, 3, 3, 4];
        assert_eq!(shared_counts(&shingles, &[1, 2, 3, 4], 2), vec![]);
        assert_eq!(
            shared_counts(&shingles, &[1, 2, 3, 4], 3),
            vec![(0, 1, 1), (0, 2, 1), (1, 2, 1)]
        );
        assert_eq!(shared_counts(&[], &[], 64), vec![]);
        // Ends past the shingles, or going back, are cut to what there is: no panic.
        assert_eq!(shared_counts(&[1, 1], &[1, 9, 0], 64), vec![(0, 1, 1)]);
        // Nothing shared: no pair, however the blocks lie; a block holding a shingle twice pairs with itself.
        assert_eq!(shared_counts(&[3, 1, 2, 4], &[2, 1, 4], 64), vec![]);
        assert_eq!(shared_counts(&[1, 1], &[2], 64), vec![(0, 0, 1)]);
    }

    const PARAMS: RepeatParams = RepeatParams {
        min_repeat_words: 4,
        min_near_words: 2,
        near_threshold: 0.8,
        containment_threshold: 0.8,
        composite_coverage: 0.5,
        max_posting: 64,
        min_other_parts: 0.1,
    };

    #[test]
    fn exact_repeats_extend_over_short_blocks_and_point_at_the_first_copy() {
        // A heading (2 words), a paragraph, a separator; the three pasted again, then the paragraph a third time.
        let texts = [
            "Heading",
            "Paragraph",
            " * * *",
            "Heading",
            "Paragraph",
            "* * *\u{3000}",
            "Paragraph",
        ];
        let hashes = [1, 2, 0, 1, 2, 0, 2];
        let n_words = [2, 9, 0, 2, 9, 0, 9];
        let blocks = RepeatBlocks {
            texts: &texts,
            hashes: &hashes,
            n_words: &n_words,
            shingles: &[],
            ends: &[],
        };
        assert_eq!(exact_repeats(&blocks, &PARAMS), vec![(3, 0), (4, 1), (5, 2), (6, 1)]);
        // All distinct: nothing, whatever the words.
        let blocks = RepeatBlocks {
            texts: &texts[..3],
            hashes: &hashes[..3],
            n_words: &n_words[..3],
            shingles: &[],
            ends: &[],
        };
        assert!(exact_repeats(&blocks, &PARAMS).is_empty());
    }

    #[test]
    fn near_repeats_keep_the_larger_block_and_composites_go() {
        // 0 and 1 are parts of 2 (a blob of both); 3 is nearly 0.
        let shingles = [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 10];
        let ends = [4, 8, 17, 22];
        let texts = ["a", "b", "c", "d"];
        let blocks = RepeatBlocks {
            texts: &texts,
            hashes: &[1, 2, 3, 4],
            n_words: &[6, 6, 11, 7],
            shingles: &shingles,
            ends: &ends,
        };
        let found = near_repeats(&blocks, &[], &[], &PARAMS);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            (found[0].block, found[0].how, found[0].of, found[0].parts.clone()),
            (2, How::Composite, 0, vec![0, 1, 3])
        );
        assert!((found[0].score - 8.0 / 9.0).abs() < 1e-12);
        // 3 holds all of 0 and one more: 0 is contained in it (4 of 4), and 3 is the larger.
        assert_eq!((found[1].block, found[1].how, found[1].of), (0, How::Jaccard, 3));
        // A block that goes for another reason keeps nothing: 0 has no kept partner left.
        assert!(near_repeats(&blocks, &[], &[false, false, false, true], &PARAMS)
            .iter()
            .all(|f| f.block != 0));
    }

    #[test]
    fn round9_is_pythons_round() {
        assert_eq!(round9(0.1 * 70.0), 7.0);
        assert_eq!(round9(0.5 * 3.0), 1.5);
        assert_eq!(round9(f64::INFINITY), f64::INFINITY);
    }
}
