//! Deciding, for one document: which finding removes each block (after `--only`/`--skip`, the score
//! thresholds and the allow-list), which blocks the allow-list alone kept, and every same-document reference
//! settled onto a block that is kept. The answers are `finish`'s claims, so pass 2 goes from the findings'
//! columns to the written bytes in one call, with no object per finding or per block in between.
//!
//! Findings are columns of plain values that name their strings (category, detector, referenced file and
//! run) by index into the document's `labels`; the rules that depend on the configuration come as data:
//! per label its score floor (`decide.floor_of` in Python: None when `--only`/`--skip` leave the category
//! out), per finding the allow-list entry that keeps its block (only when an allow-list is in use).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::finish::{finish, Claim, Doc, Finished, Ref, Score};

/// What a finding duplicates: a file and its line span (1-based, inclusive) and the run it is from, the file
/// and run named by label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    pub file: usize,
    pub first: i64,
    pub last: i64,
    pub run: usize,
}

/// One detector's claim that a block should go.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finding {
    pub block: usize,
    pub category: usize,
    pub detector: usize,
    pub score: f64,
    /// Whether the score was an int (JSON writes it without a point).
    pub int_score: bool,
    pub dup: Option<Target>,
    /// The allow-list entry (a label) that keeps this finding's block from its category, if any.
    pub entry: Option<usize>,
}

/// A document's findings with the strings they name and the rules the configuration sets.
pub struct Findings<'a> {
    pub labels: &'a [&'a [u8]],
    /// Per label (used as a category): the score under which a finding does not remove its block; None when
    /// `--only`/`--skip` leave the category out.
    pub floors: &'a [Option<f64>],
    pub findings: &'a [Finding],
    /// Whether the allow-list is consulted (the findings' `entry`).
    pub allow: bool,
}

/// A decided removal (or a block the allow-list kept): its block, the finding that gives the reason, and
/// whether that finding's reference stands (false: a cycle of same-document references, dropped).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    pub block: usize,
    pub finding: usize,
    pub keeps_ref: bool,
}

/// When several detectors claim a block, the reason shown is the most specific: a repeat names what it
/// repeats, a corpus repeat how often, chrome only a kind.
fn priority(category: &[u8]) -> u8 {
    match category {
        b"repeat" => 0,
        b"near-repeat" => 1,
        b"corpus-repeat" => 2,
        _ => 3,
    }
}

impl Findings<'_> {
    fn label(&self, i: usize) -> &[u8] {
        self.labels.get(i).copied().unwrap_or_default()
    }

    /// Whether a finding may remove its block at all (`--only`/`--skip` and its category's score floor; a
    /// NaN score is under no floor, as Python's `not score < floor` has it).
    pub fn eligible(&self, f: &Finding) -> bool {
        match self.floors.get(f.category).copied().flatten() {
            None => false,
            Some(floor) => f.score.partial_cmp(&floor) != Some(Ordering::Less),
        }
    }

    /// Whether finding `a` outranks `b` for the same block: Python's tuple order over (priority, -score,
    /// category, detector), where the first pair of elements that is not equal decides (NaN equals nothing).
    fn outranks(&self, a: &Finding, b: &Finding) -> bool {
        let (ca, cb) = (self.label(a.category), self.label(b.category));
        let (pa, pb) = (priority(ca), priority(cb));
        if pa != pb {
            return pa < pb;
        }
        let (sa, sb) = (-a.score, -b.score);
        #[allow(clippy::float_cmp)] // Python's tuple comparison asks for exact equality first
        if sa != sb {
            return sa < sb;
        }
        if ca != cb {
            return ca.cmp(cb) == Ordering::Less;
        }
        self.label(a.detector) < self.label(b.detector)
    }

    /// Finding k for its block in `best`, if it outranks the one there (the first of equal rank stays).
    fn keep_best(&self, best: &mut BTreeMap<usize, usize>, k: usize) {
        let f = &self.findings[k];
        match best.get(&f.block) {
            Some(&c) if !self.outranks(f, &self.findings[c]) => {}
            _ => {
                best.insert(f.block, k);
            }
        }
    }

    /// The finding that removes each removed block (by block), the first of equal rank winning.
    pub fn decide(&self) -> BTreeMap<usize, usize> {
        let mut chosen: BTreeMap<usize, usize> = BTreeMap::new();
        for (k, f) in self.findings.iter().enumerate() {
            if self.eligible(f) && !(self.allow && f.entry.is_some()) {
                self.keep_best(&mut chosen, k);
            }
        }
        chosen
    }

    /// Blocks kept only because of the allow-list: the finding it overrode (whose `entry` names the line).
    pub fn allowed(&self, chosen: &BTreeMap<usize, usize>) -> BTreeMap<usize, usize> {
        let mut out: BTreeMap<usize, usize> = BTreeMap::new();
        if !self.allow {
            return out;
        }
        for (k, f) in self.findings.iter().enumerate() {
            if !chosen.contains_key(&f.block) && self.eligible(f) && f.entry.is_some() {
                self.keep_best(&mut out, k);
            }
        }
        out
    }

    /// The chosen removals in block order, each same-document reference followed to a block that is kept.
    ///
    /// A repeat of a block that another detector removed (the second copy of a photo caption, a bullet
    /// contained in a paragraph that is itself chrome) takes that block's reason, followed as far as needed:
    /// the set of removed blocks does not change, only the reason a reviewer reads. `spans` are the blocks'
    /// (first, last) lines in block order; `rel` the document's name, as the references spell it.
    pub fn settle(&self, rel: &[u8], spans: &[(i64, i64)], chosen: &BTreeMap<usize, usize>) -> Vec<Verdict> {
        let mut by_span: Option<BTreeMap<(i64, i64), usize>> = None; // made when a reference first needs it
        let mut target = |f: &Finding| -> Option<usize> {
            let d = f.dup?;
            if self.label(d.file) != rel {
                return None;
            }
            let index = by_span.get_or_insert_with(|| {
                // As a dict built in block order: the last block of a span wins.
                spans.iter().enumerate().map(|(i, &s)| (s, i)).collect()
            });
            index.get(&(d.first, d.last)).copied()
        };
        let mut out = Vec::with_capacity(chosen.len());
        for (&i, &k0) in chosen {
            let mut k = k0;
            let mut seen = vec![i];
            let mut t = target(&self.findings[k]);
            while let Some(b) = t {
                let Some(&next) = chosen.get(&b) else { break };
                if seen.contains(&b) {
                    break;
                }
                seen.push(b);
                k = next;
                t = target(&self.findings[k]);
            }
            // A cycle of references: impossible by construction, kept safe (the reason without its reference).
            let cycle = t.is_some_and(|b| chosen.contains_key(&b));
            out.push(Verdict {
                block: i,
                finding: k,
                keeps_ref: !cycle,
            });
        }
        out
    }
}

/// One document as pass 2 cuts it: its name and text (see `finish::Doc`), its blocks' line spans and
/// normalized hashes, and per label its name as the diff quotes it (`text.quote_path`, for another file).
pub struct Page<'a> {
    pub rel: &'a [u8],
    pub heads: (&'a [u8], &'a [u8]),
    pub text: &'a [u8],
    pub diff_text: Option<&'a [u8]>,
    pub spans: &'a [(i64, i64)],
    pub hashes: &'a [u64],
    pub quoted: &'a [&'a [u8]],
    /// The kind of page it was read as (`finish::Doc::page`).
    pub page: &'a [u8],
}

/// Pass 2 for one document from its findings: decided, settled and cut (`finish::finish`); also the
/// removals' and the allowed blocks' verdicts, in block order, whose findings say what each claim was.
pub fn decide_and_finish(set: &Findings, page: &Page) -> (Finished, Vec<Verdict>, Vec<Verdict>) {
    let chosen = set.decide();
    let allowed = set.allowed(&chosen);
    let removals = set.settle(page.rel, page.spans, &chosen);
    let allowed: Vec<Verdict> = allowed
        .into_iter()
        .map(|(block, finding)| Verdict {
            block,
            finding,
            keeps_ref: true,
        })
        .collect();
    let claim = |v: &Verdict| -> Claim {
        let f = &set.findings[v.finding];
        let (first, last) = page.spans.get(v.block).copied().unwrap_or((0, 0));
        Claim {
            first: usize::try_from(first).unwrap_or(0),
            last: usize::try_from(last).unwrap_or(0),
            category: set.label(f.category),
            detector: set.label(f.detector),
            score: if f.int_score {
                #[allow(clippy::cast_possible_truncation)] // an int that crossed as a float64 (a small one)
                Score::Int(f.score as i64)
            } else {
                Score::Float(f.score)
            },
            dup: f.dup.filter(|_| v.keeps_ref).map(|d| Ref {
                file: set.label(d.file),
                quoted: page.quoted.get(d.file).copied().unwrap_or_default(),
                first: d.first,
                last: d.last,
                run: set.label(d.run),
            }),
            hash: page.hashes.get(v.block).copied(),
            entry: f.entry.filter(|_| set.allow).map(|e| set.label(e)),
        }
    };
    let rs: Vec<Claim> = removals.iter().map(claim).collect();
    let als: Vec<Claim> = allowed.iter().map(claim).collect();
    // A removal carries no entry: only a kept block names the line that kept it.
    let rs: Vec<Claim> = rs.into_iter().map(|c| Claim { entry: None, ..c }).collect();
    let doc = Doc {
        rel: page.rel,
        heads: page.heads,
        text: page.text,
        diff_text: page.diff_text,
        removals: &rs,
        allowed: &als,
        page: page.page,
    };
    (finish(&doc), removals, allowed)
}

/// The blocks that a batch's documents' cleaned copies remove (`Findings::decide`), each document given with its
/// number of blocks: numbered through the batch (a document's after the blocks of those before it), in order
/// (pass 1's signing bodies leave them out).
pub fn removed_blocks(docs: &[(Findings, usize)]) -> Vec<usize> {
    let mut gone = Vec::new();
    let mut first = 0;
    for (set, blocks) in docs {
        gone.extend(set.decide().into_keys().map(|block| first + block));
        first += blocks;
    }
    gone
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABELS: [&[u8]; 7] = [
        b"d.txt",
        b"repeat",
        b"repeat:exact",
        b"chrome:nav",
        b"chrome:rule:nav",
        b"",
        b"a.txt:1",
    ];
    const FLOORS: [Option<f64>; 7] = [None, Some(f64::NEG_INFINITY), None, Some(0.5), None, None, None];

    fn finding(block: usize, category: usize, score: f64, dup: Option<(i64, i64)>) -> Finding {
        Finding {
            block,
            category,
            detector: category + 1,
            score,
            int_score: false,
            dup: dup.map(|(first, last)| Target {
                file: 0,
                first,
                last,
                run: 5,
            }),
            entry: None,
        }
    }

    fn set(findings: &[Finding], allow: bool) -> Findings<'_> {
        Findings {
            labels: &LABELS,
            floors: &FLOORS,
            findings,
            allow,
        }
    }

    #[test]
    fn a_batchs_removed_blocks_are_numbered_through_it() {
        let a = [finding(0, 3, 0.9, None), finding(2, 1, 1.0, Some((1, 1)))];
        let b = [
            finding(1, 1, 1.0, None),
            finding(1, 3, 0.9, None),
            finding(0, 3, 0.1, None),
        ];
        let none: [Finding; 0] = [];
        let docs = [(set(&a, false), 3), (set(&none, false), 2), (set(&b, false), 4)];
        assert_eq!(removed_blocks(&docs), vec![0, 2, 6]);
        assert_eq!(removed_blocks(&[]), Vec::<usize>::new());
    }

    #[test]
    fn a_repeat_outranks_chrome_and_the_floor_holds() {
        let f = [
            finding(0, 3, 0.9, None),
            finding(0, 1, 1.0, Some((3, 3))),
            finding(1, 3, 0.4, None),
        ];
        let chosen = set(&f, false).decide();
        assert_eq!(chosen.into_iter().collect::<Vec<_>>(), vec![(0, 1)]);
    }

    #[test]
    fn nan_is_under_no_floor_and_a_left_out_category_never_removes() {
        let f = [finding(0, 3, f64::NAN, None), finding(1, 0, 1.0, None)];
        let chosen = set(&f, false).decide();
        assert_eq!(chosen.into_iter().collect::<Vec<_>>(), vec![(0, 0)]);
    }

    #[test]
    fn references_follow_removed_blocks_and_cycles_drop_theirs() {
        let spans = [(1, 1), (3, 3), (5, 5)];
        // Block 2 repeats block 1, which repeats block 0, which is chrome: both take block 0's reason.
        let f = [
            finding(0, 3, 0.9, None),
            finding(1, 1, 1.0, Some((1, 1))),
            finding(2, 1, 1.0, Some((3, 3))),
        ];
        let s = set(&f, false);
        let v = s.settle(b"d.txt", &spans, &s.decide());
        assert_eq!(
            v.iter().map(|v| (v.block, v.finding, v.keeps_ref)).collect::<Vec<_>>(),
            vec![(0, 0, true), (1, 0, true), (2, 0, true)]
        );
        // Two blocks naming each other.
        let f = [finding(0, 1, 1.0, Some((3, 3))), finding(1, 1, 1.0, Some((1, 1)))];
        let s = set(&f, false);
        let v = s.settle(b"d.txt", &spans, &s.decide());
        assert!(v.iter().all(|v| !v.keeps_ref));
        // Another file's block is never followed.
        let v = s.settle(b"e.txt", &spans, &s.decide());
        assert_eq!(
            v.iter().map(|v| (v.finding, v.keeps_ref)).collect::<Vec<_>>(),
            vec![(0, true), (1, true)]
        );
    }

    #[test]
    fn the_allow_list_keeps_a_block_and_says_which_finding_it_overrode() {
        let mut f = [finding(0, 3, 0.9, None), finding(0, 1, 1.0, Some((3, 3)))];
        f[0].entry = Some(6);
        f[1].entry = Some(6);
        let s = set(&f, true);
        let chosen = s.decide();
        assert!(chosen.is_empty());
        assert_eq!(s.allowed(&chosen).into_iter().collect::<Vec<_>>(), vec![(0, 1)]);
        // Without the allow-list the entries are not read.
        assert_eq!(set(&f, false).decide().into_iter().collect::<Vec<_>>(), vec![(0, 1)]);
    }
}
