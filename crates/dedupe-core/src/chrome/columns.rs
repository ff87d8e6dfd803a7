//! A whole page's chrome findings as the columns pass 2 reads (`dedupe/decide.py`'s `Found`), made here rather
//! than by `found_columns` a finding at a time in Python (8 µs a document of the 10k benchmark corpus).
//!
//! Each finding names two labels, its category (`chrome:<kind>`) and its detector (`chrome:<how>:<kind>`),
//! numbered in the order they first appear, the category before the detector (as `found_columns` numbers them).
//! The labels cross as codes, which chrome.py turns into the names: a kind's category is `kind`, the detector of
//! (how, kind) is `256 * (1 + how) + kind` (a kind is a byte).

use super::Found;

/// Integers per finding in `Found.ints` (decide.py's `INTS`): block, category, detector, whether the score is an
/// int, then the reference's file, first and last line, and run (-1, 0, 0, 0: none).
pub const INTS: usize = 8;

/// A document's findings as columns: its labels' codes in the order of their numbers, `INTS` integers and one
/// score per finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    pub labels: Vec<u16>,
    pub ints: Vec<i64>,
    pub scores: Vec<f64>,
}

/// The columns of a document's chrome findings; `scores`: the score of a finding by how it was found (`RULE`,
/// `OUTSIDE_ARTICLE`, `CONTEXT`).
pub fn columns(found: &[Found], scores: &[f64]) -> Columns {
    let mut labels: Vec<u16> = Vec::new();
    let mut number = |code: usize| -> i64 {
        let code = u16::try_from(code).expect("a chrome label's code fits 16 bits");
        let at = labels.iter().position(|&c| c == code).unwrap_or_else(|| {
            labels.push(code);
            labels.len() - 1
        });
        at as i64
    };
    let mut ints = Vec::with_capacity(found.len() * INTS);
    let mut out_scores = Vec::with_capacity(found.len());
    for f in found {
        let (kind, how) = (usize::from(f.kind), usize::from(f.how));
        let category = number(kind);
        let detector = number(256 * (1 + how) + kind);
        ints.extend_from_slice(&[f.block as i64, category, detector, 0, -1, 0, 0, 0]);
        out_scores.push(scores[how]);
    }
    Columns {
        labels,
        ints,
        scores: out_scores,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(block: usize, kind: u8, how: u8) -> Found {
        Found {
            block,
            kind,
            how,
            note: 0,
        }
    }

    #[test]
    fn labels_are_numbered_in_order_of_first_appearance_category_first() {
        let got = columns(
            &[found(0, 10, 0), found(3, 12, 1), found(4, 10, 0), found(7, 10, 2)],
            &[0.9, 0.7, 0.6],
        );
        // navigation (10), rule:navigation (256 + 10), credits (12), outside:credits (512 + 12),
        // context:navigation (768 + 10)
        assert_eq!(got.labels, vec![10, 266, 12, 524, 778]);
        assert_eq!(
            got.ints,
            vec![0, 0, 1, 0, -1, 0, 0, 0, 3, 2, 3, 0, -1, 0, 0, 0, 4, 0, 1, 0, -1, 0, 0, 0, 7, 0, 4, 0, -1, 0, 0, 0]
        );
        assert_eq!(got.scores, vec![0.9, 0.7, 0.9, 0.6]);
    }

    #[test]
    fn no_findings_no_labels() {
        let got = columns(&[], &[0.9, 0.7, 0.6]);
        assert!(got.labels.is_empty() && got.ints.is_empty() && got.scores.is_empty());
    }
}
