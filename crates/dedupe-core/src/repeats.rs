//! Repeats inside one document: the candidate pairs of the near-repeat detector.
//!
//! Which pairs are near repeats, contained, composite or content is decided in Python
//! (`dedupe/detect/repeats.py`), where that policy is tuned; here only the counting: how many shingles each
//! pair of blocks shares.

use std::collections::HashMap;

/// The pairs of blocks that share shingles, with how many, in the order Python's `Counter` would first
/// meet them: shingles in ascending order, then the pairs of the blocks holding each (in block order).
///
/// `shingles` holds the blocks' shingles end to end (each block's distinct), `ends` where each block's end;
/// a shingle held by more than `max_posting` blocks is a stock phrase, not evidence of a repeat, and is
/// skipped. Pairs are (lower, higher) block positions.
pub fn shared_counts(shingles: &[u64], ends: &[usize], max_posting: usize) -> Vec<(usize, usize, usize)> {
    let mut held: Vec<(u64, usize)> = Vec::with_capacity(shingles.len());
    let mut start = 0;
    for (block, &end) in ends.iter().enumerate() {
        let end = end.clamp(start, shingles.len());
        held.extend(shingles[start..end].iter().map(|&s| (s, block)));
        start = end;
    }
    held.sort_unstable();
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    let mut at: HashMap<(usize, usize), usize> = HashMap::new();
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
    }
}
