//! Pass 2 for a plain-text file from its bytes, in the usual case: the checks that reading it again makes
//! (`formats.text.read_text_utf8`: how it decodes, whether it is blank; `pipeline._unchanged`: whether it is
//! the text pass 1 read), then deciding and cutting its findings (`decide::decide_and_finish`), with no
//! Python string, `Document` or argument tuple made for it.
//!
//! A whole duplicate document goes the same way, its one removal given as a finding (`PlainDoc::whole`).
//!
//! Only the usual case: a file that is not strict UTF-8, starts with a byte-order mark, looks binary, may be
//! blank or changed since pass 1 is answered None, and the caller reads it as before, which says what it is
//! (a warning, a notice or a failure). The caller also keeps what depends on the configuration or on rare
//! names: a file whose name or labels need quoting in the diff, an allow-list.

use crate::decide::{decide_and_finish, Finding, Findings, Page, Verdict};
use crate::finish::{chars, finish, Claim, Doc, Finished, Ref, Score};
use crate::hash::text_hash;

/// Bytes `formats.text.decode` looks into for a NUL (`SNIFF`): a file with one there is binary.
pub const SNIFF: usize = 8192;

/// The characters of a file's text when `read_text_utf8` reads it as strict UTF-8 with no notice and no
/// warning: valid UTF-8, no UTF-8 byte-order mark (read as utf-8-sig) nor a UTF-16 one, no NUL in its first
/// `SNIFF` bytes, and at least one visible ASCII character, so that it is not blank whatever counts as white
/// space (Python's `str.isspace` and Rust's `char::is_whitespace` differ). None: any other file.
pub fn plain_chars(data: &[u8]) -> Option<usize> {
    if data.starts_with(b"\xef\xbb\xbf") || data.starts_with(b"\xff\xfe") || data.starts_with(b"\xfe\xff") {
        return None;
    }
    if data[..data.len().min(SNIFF)].contains(&0) || !data.iter().any(|b| (0x21..0x7f).contains(b)) {
        return None;
    }
    std::str::from_utf8(data).ok()?;
    Some(chars(data))
}

/// One plain-text file as pass 2 takes it: its name (which needs no quoting in the diff), its bytes as read
/// again, pass 1's digest of its text, and its findings with the corpus step's joined (`decide::Findings`:
/// labels, which need no quoting either, and their floors), its blocks' spans and hashes, its page kind.
/// `whole`: it is a duplicate document that goes whole, and its one finding is that removal, decided
/// already (`decide.duplicate_verdict`: its lines are the whole text's, its key the text's own).
pub struct PlainDoc<'a> {
    pub rel: &'a [u8],
    pub data: &'a [u8],
    pub digest: u64,
    pub labels: &'a [&'a [u8]],
    pub floors: &'a [Option<f64>],
    pub findings: &'a [Finding],
    pub spans: &'a [(i64, i64)],
    pub hashes: &'a [u64],
    pub page: &'a [u8],
    pub whole: bool,
}

/// What pass 2 makes of a plain file (`decide_and_finish`'s answer) and its text's characters.
#[derive(Debug, PartialEq)]
pub struct Plain {
    pub chars: usize,
    pub finished: Finished,
    pub removals: Vec<Verdict>,
    pub allowed: Vec<Verdict>,
}

/// Pass 2 for one plain file, or None when the caller must read it as before (`plain_chars`), or when it is
/// not the text pass 1 read (its bytes' hash is not `digest`: the caller then reports it changed). A `whole`
/// document must hold one finding.
pub fn plain(doc: &PlainDoc) -> Option<Plain> {
    let n = plain_chars(doc.data)?;
    if text_hash(doc.data) != doc.digest {
        return None;
    }
    let heads = ([b"a/", doc.rel].concat(), [b"b/", doc.rel].concat());
    if doc.whole {
        return Some(Plain {
            chars: n,
            finished: whole(doc, (&heads.0, &heads.1)),
            removals: vec![Verdict {
                block: 0,
                finding: 0,
                keeps_ref: true,
            }],
            allowed: Vec::new(),
        });
    }
    let set = Findings {
        labels: doc.labels,
        floors: doc.floors,
        findings: doc.findings,
        allow: false,
    };
    let page = Page {
        rel: doc.rel,
        heads: (&heads.0, &heads.1),
        text: doc.data,
        diff_text: None,
        spans: doc.spans,
        hashes: doc.hashes,
        quoted: doc.labels,
        page: doc.page,
    };
    let (finished, removals, allowed) = decide_and_finish(&set, &page);
    Some(Plain {
        chars: n,
        finished,
        removals,
        allowed,
    })
}

/// A whole duplicate document cut (`finish` on its one removal): its lines are all of them, as
/// `pipeline._line_count` counts them (a last line without its line break counts).
fn whole(doc: &PlainDoc, heads: (&[u8], &[u8])) -> Finished {
    let label = |i: usize| doc.labels.get(i).copied().unwrap_or_default();
    let f = &doc.findings[0];
    let lines = doc.data.iter().filter(|&&b| b == b'\n').count() + usize::from(!doc.data.ends_with(b"\n"));
    let claim = Claim {
        first: 1,
        last: lines,
        category: label(f.category),
        detector: label(f.detector),
        score: if f.int_score {
            #[allow(clippy::cast_possible_truncation)] // an int that crossed as a float64 (a small one)
            Score::Int(f.score as i64)
        } else {
            Score::Float(f.score)
        },
        dup: f.dup.map(|d| Ref {
            file: label(d.file),
            quoted: label(d.file),
            first: d.first,
            last: d.last,
            run: label(d.run),
        }),
        hash: None,
        entry: None,
    };
    finish(&Doc {
        rel: doc.rel,
        heads,
        text: doc.data,
        diff_text: None,
        removals: &[claim],
        allowed: &[],
        page: doc.page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::Target;

    #[test]
    fn only_strict_utf8_with_no_mark_no_nul_and_a_visible_character_is_taken() {
        assert_eq!(plain_chars("caf\u{e9} \u{65e5}\n".as_bytes()), Some(7));
        assert_eq!(plain_chars(b"x"), Some(1));
        for other in [
            &b""[..],
            b" \t\r\n",
            "\u{3000}\u{85}\n".as_bytes(),
            "\u{e9}\u{65e5}".as_bytes(),
            b"\xef\xbb\xbfbody\n",
            b"\xff\xfeb\x00o\x00",
            b"\xfe\xff\x00b",
            b"bo\x00dy",
            b"caf\xe9\n",
            b"\xed\xb3\xa9 lone surrogate",
        ] {
            assert_eq!(plain_chars(other), None, "{other:?}");
        }
        // A NUL past the bytes `decode` sniffs is text.
        let mut late = vec![b'a'; SNIFF];
        late.push(0);
        assert_eq!(plain_chars(&late), Some(SNIFF + 1));
        late[SNIFF - 1] = 0;
        assert_eq!(plain_chars(&late), None);
    }

    const LABELS: [&[u8]; 3] = [b"d.txt", b"repeat", b"repeat:exact"];
    const FLOORS: [Option<f64>; 3] = [None, Some(f64::NEG_INFINITY), None];

    fn doc<'a>(data: &'a [u8], digest: u64, findings: &'a [Finding]) -> PlainDoc<'a> {
        PlainDoc {
            rel: b"d.txt",
            data,
            digest,
            labels: &LABELS,
            floors: &FLOORS,
            findings,
            spans: &[(1, 1), (2, 2), (3, 3)],
            hashes: &[7, 8, 7],
            page: b"",
            whole: false,
        }
    }

    #[test]
    fn a_plain_file_is_decided_and_cut_as_decide_and_finish_cuts_it() {
        let data = b"one\ntwo\none\n";
        let f = [Finding {
            block: 2,
            category: 1,
            detector: 2,
            score: 1.0,
            int_score: true,
            dup: Some(Target {
                file: 0,
                first: 1,
                last: 1,
                run: 0,
            }),
            entry: None,
        }];
        let got = plain(&doc(data, text_hash(data), &f)).expect("a plain file");
        let set = Findings {
            labels: &LABELS,
            floors: &FLOORS,
            findings: &f,
            allow: false,
        };
        let page = Page {
            rel: b"d.txt",
            heads: (b"a/d.txt", b"b/d.txt"),
            text: data,
            diff_text: None,
            spans: &[(1, 1), (2, 2), (3, 3)],
            hashes: &[7, 8, 7],
            quoted: &LABELS,
            page: b"",
        };
        let (finished, removals, allowed) = decide_and_finish(&set, &page);
        assert_eq!(got.finished.cleaned.as_deref(), Some(&b"one\ntwo\n"[..]));
        assert_eq!(
            got,
            Plain {
                chars: 12,
                finished,
                removals,
                allowed
            }
        );
    }

    #[test]
    fn a_whole_duplicate_is_its_one_removal_over_all_its_lines() {
        let labels: [&[u8]; 4] = [b"duplicate-document", b"duplicate-document:jaccard", b"k.txt", b""];
        let f = [Finding {
            block: 0,
            category: 0,
            detector: 1,
            score: 0.93,
            int_score: false,
            dup: Some(Target {
                file: 2,
                first: 1,
                last: 4,
                run: 3,
            }),
            entry: None,
        }];
        for (data, lines) in [(&b"one\ntwo\nthree"[..], 3), (b"one\n\ntwo\n", 3)] {
            let d = PlainDoc {
                labels: &labels,
                floors: &[None; 4],
                whole: true,
                ..doc(data, text_hash(data), &f)
            };
            let got = plain(&d).expect("a plain file");
            let claim = Claim {
                first: 1,
                last: lines,
                category: labels[0],
                detector: labels[1],
                score: Score::Float(0.93),
                dup: Some(Ref {
                    file: b"k.txt",
                    quoted: b"k.txt",
                    first: 1,
                    last: 4,
                    run: b"",
                }),
                hash: None,
                entry: None,
            };
            let want = finish(&Doc {
                rel: b"d.txt",
                heads: (b"a/d.txt", b"b/d.txt"),
                text: data,
                diff_text: None,
                removals: &[claim],
                allowed: &[],
                page: b"",
            });
            assert_eq!(got.finished.cleaned.as_deref(), Some(&b""[..]));
            assert_eq!((got.chars, got.finished, got.allowed.len()), (data.len(), want, 0));
            assert_eq!(
                got.removals,
                vec![Verdict {
                    block: 0,
                    finding: 0,
                    keeps_ref: true
                }]
            );
        }
    }

    #[test]
    fn a_changed_or_unusual_file_is_left_to_the_caller() {
        let data = b"one\ntwo\n";
        assert!(plain(&doc(data, text_hash(data), &[])).is_some());
        assert!(plain(&doc(data, text_hash(data) ^ 1, &[])).is_none());
        let marked = b"\xef\xbb\xbfone\n";
        assert!(plain(&doc(marked, text_hash(marked), &[])).is_none());
    }
}
