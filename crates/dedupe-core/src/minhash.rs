//! MinHash, equal value for value to datasketch's (`MinHash(num_perm, seed)` with its default affine32
//! scheme, given the same 32-bit base hashes): a base hash goes through MurmurHash3's 32-bit finalizer, then
//! through each permutation `a * x + b` modulo 2**32, and the signature keeps each permutation's minimum.
//! The permutations (`a`, `b`) are drawn in Python with numpy's RandomState, as datasketch draws them.

use crate::sign::combine_into;

/// MurmurHash3's 32-bit finalizer, as datasketch applies it before its permutations.
pub fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EBCA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2AE35);
    h ^ (h >> 16)
}

/// The signatures of groups of consecutive word hashes: per group (`sizes[i]` words of `th`, in order),
/// the MinHash of the distinct top 32 bits of its k-word shingle hashes (fewer than k words: one shingle of
/// them all; none: every value 2**32-1). Returns the signatures row by row (`a.len()` values a group) and
/// the distinct base hashes of each group.
pub fn minhash_groups(th: &[u64], sizes: &[usize], k: usize, a: &[u32], b: &[u32]) -> (Vec<u32>, Vec<usize>) {
    let perms = a.len().min(b.len());
    let mut sigs = vec![u32::MAX; sizes.len() * perms];
    let mut counts = Vec::with_capacity(sizes.len());
    let mut shingles = Vec::new();
    let mut base: Vec<u32> = Vec::new();
    let mut start = 0;
    for (g, &n) in sizes.iter().enumerate() {
        let end = (start + n).min(th.len());
        shingles.clear();
        combine_into(&th[start.min(end)..end], k, &mut shingles);
        start = end;
        base.clear();
        base.extend(shingles.iter().map(|&h| (h >> 32) as u32));
        base.sort_unstable();
        base.dedup();
        counts.push(base.len());
        lower_into(&base, a, b, &mut sigs[g * perms..(g + 1) * perms]);
    }
    (sigs, counts)
}

/// Lowers each value of `row` to the minimum of permutation `(a[p], b[p])` over the base hashes.
fn lower_into(base: &[u32], a: &[u32], b: &[u32], row: &mut [u32]) {
    for &x in base {
        let m = fmix32(x);
        // Permutations innermost: one multiply, add and minimum per value, which the compiler vectorizes.
        for ((s, &ap), &bp) in row.iter_mut().zip(a).zip(b) {
            *s = (*s).min(ap.wrapping_mul(m).wrapping_add(bp));
        }
    }
}

/// The signature of a set of 32-bit base hashes (all 2**32-1 when empty).
pub fn signature(base: &[u32], a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut row = vec![u32::MAX; a.len().min(b.len())];
    lower_into(base, a, b, &mut row);
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{shingle_hash, token_hashes_into};

    #[test]
    fn a_signature_is_the_minimum_of_each_permutation_over_distinct_base_hashes() {
        let mut th = Vec::new();
        token_hashes_into("a b a b c", &mut th);
        let (a, b) = ([3u32, 0x9E3779B1], [7u32, 11]);
        let (sigs, counts) = minhash_groups(&th, &[5, 0], 2, &a, &b);
        // Shingles "a b", "b a", "a b", "b c": three distinct.
        assert_eq!(counts, vec![3, 0]);
        let base: Vec<u32> = [&b"a b"[..], b"b a", b"b c"]
            .iter()
            .map(|s| fmix32((shingle_hash(s) >> 32) as u32))
            .collect();
        for p in 0..2 {
            let expected = base.iter().map(|&m| a[p].wrapping_mul(m).wrapping_add(b[p])).min();
            assert_eq!(Some(sigs[p]), expected);
        }
        assert_eq!(sigs[2..], [u32::MAX, u32::MAX]);
        let raw: Vec<u32> = [&b"a b"[..], b"b a", b"a b", b"b c"]
            .iter()
            .map(|s| (shingle_hash(s) >> 32) as u32)
            .collect();
        assert_eq!(signature(&raw, &a, &b), sigs[..2]);
        // datasketch's finalizer on a known value (numpy: sign._fmix32(np.uint32(1)) at 009e83c).
        assert_eq!(fmix32(1), 0x514E28B7);
    }
}
