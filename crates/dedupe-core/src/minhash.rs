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
    let (a, b) = (&a[..perms], &b[..perms]);
    let biased = biased(b);
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
        lower_into(&base, a, &biased, &mut sigs[g * perms..(g + 1) * perms]);
    }
    (sigs, counts)
}

/// The top bit of a 32-bit value, which `biased` values carry flipped.
const BIAS: u32 = 0x8000_0000;

/// Each `b` with its top bit flipped: `a * m + (b ^ BIAS)` is `(a * m + b) ^ BIAS` modulo 2**32 (adding 2**31
/// flips the top bit), and flipped values compare as `i32` in the order the values compare as `u32`, a
/// comparison the baseline x86-64 vector instructions have (an unsigned one they must emulate).
fn biased(b: &[u32]) -> Vec<u32> {
    b.iter().map(|&v| v ^ BIAS).collect()
}

/// Base hashes applied in one pass over the permutations: each permutation's multiplier, constant and
/// running minimum are loaded and stored once for them all.
const STEP: usize = 4;

/// Lowers each value of `row` to the minimum of permutation `(a[p], b[p])` over the base hashes; `biased` is
/// `biased(b)`.
fn lower_into(base: &[u32], a: &[u32], biased: &[u32], row: &mut [u32]) {
    if base.is_empty() {
        return;
    }
    let mixed: Vec<u32> = base.iter().map(|&x| fmix32(x)).collect();
    let mut acc: Vec<i32> = row.iter().map(|&v| (v ^ BIAS) as i32).collect();
    let mut steps = mixed.chunks_exact(STEP);
    // Permutations innermost: multiplies, adds and minima that the compiler vectorizes.
    for m in &mut steps {
        let (m0, m1, m2, m3) = (m[0], m[1], m[2], m[3]);
        for ((s, &ap), &bp) in acc.iter_mut().zip(a).zip(biased) {
            let v0 = ap.wrapping_mul(m0).wrapping_add(bp) as i32;
            let v1 = ap.wrapping_mul(m1).wrapping_add(bp) as i32;
            let v2 = ap.wrapping_mul(m2).wrapping_add(bp) as i32;
            let v3 = ap.wrapping_mul(m3).wrapping_add(bp) as i32;
            *s = (*s).min(v0.min(v1)).min(v2.min(v3));
        }
    }
    for &m in steps.remainder() {
        for ((s, &ap), &bp) in acc.iter_mut().zip(a).zip(biased) {
            *s = (*s).min(ap.wrapping_mul(m).wrapping_add(bp) as i32);
        }
    }
    for (r, &v) in row.iter_mut().zip(&acc) {
        *r = (v as u32) ^ BIAS;
    }
}

/// The signature of a set of 32-bit base hashes (all 2**32-1 when empty).
pub fn signature(base: &[u32], a: &[u32], b: &[u32]) -> Vec<u32> {
    let perms = a.len().min(b.len());
    let mut row = vec![u32::MAX; perms];
    lower_into(base, &a[..perms], &biased(&b[..perms]), &mut row);
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
        // Eight permutations at a time and the rest one by one: the plain definition's values.
        let mut v = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            v ^= v << 13;
            v ^= v >> 7;
            v ^= v << 17;
            (v >> 16) as u32
        };
        for (perms, n) in [(19, 40), (16, 1), (8, 3), (7, 0), (128, 300)] {
            let a: Vec<u32> = (0..perms).map(|_| next() | 1).collect();
            let b: Vec<u32> = (0..perms).map(|_| next()).collect();
            let mut base: Vec<u32> = (0..n).map(|_| next()).collect();
            base.extend([0, u32::MAX, 0x8000_0000, 0x7FFF_FFFF]);
            let plain: Vec<u32> = (0..perms)
                .map(|p| {
                    base.iter()
                        .map(|&x| a[p].wrapping_mul(fmix32(x)).wrapping_add(b[p]))
                        .min()
                        .unwrap_or(u32::MAX)
                })
                .collect();
            assert_eq!(signature(&base, &a, &b), plain, "{perms} {n}");
        }
        assert_eq!(signature(&[], &a, &b), [u32::MAX, u32::MAX]);
        // datasketch's finalizer on a known value (numpy: sign._fmix32(np.uint32(1)) at 009e83c).
        assert_eq!(fmix32(1), 0x514E28B7);
    }
}
