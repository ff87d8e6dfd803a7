//! The corpus step's grouping by sorting: candidate document pairs from MinHash band keys, and block keys
//! counted per cluster (`dedupe.detect.corpus`'s `candidate_pairs` and `count_source_keys`).
//!
//! Both were numpy calls a band or a column at a time: 42 argsorts of 10,000 keys, and a two-key lexsort of
//! every block key, most of the corpus step's time on the 10k benchmark corpus. Here each band or key column
//! is one sort of plain tuples; the answers are the numpy code's, value for value.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::keys::band_key;
use crate::repeats::PairHasher;

/// Distinct candidate pairs of documents sharing a band key, packed as `low << 32 | high`, sorted.
///
/// `sigs` holds `n` signatures of `p` values; only the documents in `valid` (ascending) are grouped. Per band
/// of `rows` values, documents with equal keys form a run (in document order); each document of a run is
/// paired with the run's first and with its predecessor, which links the run without listing all its pairs.
/// A run is followed through a map of each key's first and latest document, in one pass a band (no sort).
pub fn candidate_pairs(sigs: &[u32], p: usize, rows: usize, valid: &[u32]) -> Vec<u64> {
    let rows = rows.max(1);
    let bands = p / rows;
    let mut pairs: Vec<u64> = Vec::new();
    if valid.len() < 2 {
        return pairs;
    }
    // Every band's keys first, band after band, the signatures read once in order: a band's values read
    // across all the documents took a cache line a document, again for every band (the call 7.2-7.6 ->
    // 4.0-4.2 ms on the 10k benchmark corpus's 42 bands).
    let n = valid.len();
    let mut keys = vec![0u64; bands * n];
    for (j, &doc) in valid.iter().enumerate() {
        let sig = &sigs[doc as usize * p..][..bands * rows];
        for (band, values) in sig.chunks_exact(rows).enumerate() {
            keys[band * n + j] = band_key(values);
        }
    }
    let mut runs: HashMap<u64, (u32, u32), BuildHasherDefault<PairHasher>> =
        HashMap::with_capacity_and_hasher(n, BuildHasherDefault::default());
    for band in keys.chunks_exact(n) {
        runs.clear();
        for (&doc, &key) in valid.iter().zip(band) {
            let run = runs.entry(key).or_insert((doc, doc));
            if run.1 != doc {
                let cur = u64::from(doc);
                pairs.push(u64::from(run.0) << 32 | cur);
                pairs.push(u64::from(run.1) << 32 | cur);
                run.1 = doc;
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs.retain(|&pair| pair >> 32 != pair & 0xFFFF_FFFF);
    pairs
}

/// Block keys counted per cluster, as sorting the rows by (key, representative, row) and reading the runs.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct KeyCounts {
    /// Each distinct key, ascending.
    pub keys: Vec<u64>,
    /// How many distinct representatives (clusters) hold it.
    pub clusters: Vec<u32>,
    /// The first of its rows in that order (the lowest representative, then the earliest row).
    pub first_row: Vec<u32>,
}

/// Rows of (key, cluster representative) counted by key: `KeyCounts`.
///
/// The rows are sorted by key, then row (so each key's rows stay in row order): spread into buckets by the
/// keys' top bits (they are hashes: a few rows a bucket), each bucket then sorted. Each key's few
/// representatives are read in its run.
pub fn count_keys(keys: &[u64], reps: &[u32]) -> KeyCounts {
    let n = keys.len().min(reps.len());
    let bits = (usize::BITS - n.leading_zeros()).clamp(1, 16);
    let bucket = |k: u64| (k >> (64 - bits)) as usize;
    let mut at = vec![0usize; (1 << bits) + 1];
    for &k in &keys[..n] {
        at[bucket(k) + 1] += 1;
    }
    for i in 1..at.len() {
        at[i] += at[i - 1];
    }
    let bounds = at.clone();
    let mut rows = vec![(0u64, 0u32); n];
    for (i, &k) in keys[..n].iter().enumerate() {
        let slot = &mut at[bucket(k)];
        rows[*slot] = (k, i as u32);
        *slot += 1;
    }
    for pair in bounds.windows(2) {
        rows[pair[0]..pair[1]].sort_unstable();
    }
    let mut out = KeyCounts::default();
    let mut seen: Vec<u32> = Vec::new();
    let mut start = 0;
    while start < n {
        let key = rows[start].0;
        let mut end = start + 1;
        while end < n && rows[end].0 == key {
            end += 1;
        }
        // The lowest representative's earliest row (rows are in row order here), and the distinct ones.
        let (mut low, mut first) = (u32::MAX, 0);
        seen.clear();
        for &(_, row) in &rows[start..end] {
            let rep = reps[row as usize];
            if rep < low || seen.is_empty() {
                (low, first) = (rep, row);
            }
            seen.push(rep);
        }
        seen.sort_unstable();
        seen.dedup();
        out.keys.push(key);
        out.clusters.push(seen.len() as u32);
        out.first_row.push(first);
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::band_keys_into;

    /// Pairs as the definition makes them: every band's runs of equal keys, by brute force.
    fn plain_pairs(sigs: &[u32], p: usize, rows: usize, valid: &[u32]) -> Vec<u64> {
        let mut out = std::collections::BTreeSet::new();
        let key = |doc: u32, band: usize| {
            let mut k = Vec::new();
            let at = doc as usize * p + band * rows;
            band_keys_into(&sigs[at..at + rows], rows, &mut k);
            k[0]
        };
        for band in 0..p / rows {
            for (j, &b) in valid.iter().enumerate() {
                let same: Vec<u32> = valid[..j]
                    .iter()
                    .copied()
                    .filter(|&a| key(a, band) == key(b, band))
                    .collect();
                if let (Some(&first), Some(&prev)) = (same.first(), same.last()) {
                    out.insert(u64::from(first) << 32 | u64::from(b));
                    out.insert(u64::from(prev) << 32 | u64::from(b));
                }
            }
        }
        out.into_iter().collect()
    }

    fn lcg(seed: &mut u64) -> u32 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*seed >> 33) as u32
    }

    #[test]
    fn pairs_are_the_runs_of_equal_band_keys() {
        let mut seed = 7;
        for round in 0..40 {
            let (n, p, rows) = (2 + round % 30, 12, 1 + round % 4);
            // Few distinct values: many bands collide, in runs of several documents.
            let sigs: Vec<u32> = (0..n * p).map(|_| lcg(&mut seed) % 3).collect();
            let valid: Vec<u32> = (0..n as u32).filter(|_| lcg(&mut seed) % 5 != 0).collect();
            assert_eq!(
                candidate_pairs(&sigs, p, rows, &valid),
                plain_pairs(&sigs, p, rows, &valid)
            );
        }
    }

    #[test]
    fn fewer_than_two_documents_make_no_pairs() {
        assert!(candidate_pairs(&[1, 2, 3, 1, 2, 3], 3, 1, &[0]).is_empty());
        assert!(candidate_pairs(&[], 3, 1, &[]).is_empty());
    }

    #[test]
    fn keys_count_their_distinct_representatives() {
        let keys = [5, 3, 5, 5, 3, 9];
        let reps = [2, 1, 0, 2, 1, 4];
        let out = count_keys(&keys, &reps);
        assert_eq!(out.keys, vec![3, 5, 9]);
        assert_eq!(out.clusters, vec![1, 2, 1]);
        // key 5: representative 0 first (row 2), before the rows of representative 2
        assert_eq!(out.first_row, vec![1, 2, 5]);
        assert_eq!(count_keys(&[], &[]), KeyCounts::default());
    }

    /// `count_keys` as its definition reads: every row sorted by (key, representative, row), runs read.
    fn plain_counts(keys: &[u64], reps: &[u32]) -> KeyCounts {
        let mut rows: Vec<(u64, u32, u32)> = keys
            .iter()
            .zip(reps)
            .enumerate()
            .map(|(i, (&k, &r))| (k, r, i as u32))
            .collect();
        rows.sort_unstable();
        let mut out = KeyCounts::default();
        for (i, &(key, rep, row)) in rows.iter().enumerate() {
            if i == 0 || rows[i - 1].0 != key {
                out.keys.push(key);
                out.clusters.push(1);
                out.first_row.push(row);
            } else if rows[i - 1].1 != rep {
                *out.clusters.last_mut().unwrap() += 1;
            }
        }
        out
    }

    #[test]
    fn key_counts_are_the_sorted_rows_runs() {
        let mut seed = 11;
        for round in 0..200 {
            let n = (lcg(&mut seed) % 400) as usize;
            // Keys over few values, spread over every byte (or over the low bytes only), and reps that repeat.
            let spread = round % 3;
            let keys: Vec<u64> = (0..n)
                .map(|_| {
                    let v = u64::from(lcg(&mut seed) % 40);
                    match spread {
                        0 => v,
                        1 => v.wrapping_mul(0x9E37_79B9_7F4A_7C15),
                        _ => v << 56 | 7,
                    }
                })
                .collect();
            let reps: Vec<u32> = (0..n).map(|_| lcg(&mut seed) % 7).collect();
            assert_eq!(count_keys(&keys, &reps), plain_counts(&keys, &reps));
        }
    }
}
