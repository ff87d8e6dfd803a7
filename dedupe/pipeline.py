"""The pipeline, in two passes over the input.

    pass 1:  read -> segment -> sign -> detect            (signatures to the corpus step, findings to disk)
    corpus:  duplicate documents, template keys           (numpy arrays, no texts)
    pass 2:  read -> decide -> write                      (pass 1's findings plus the corpus step's)

`clean()` is the library's entry point; the CLI is a thin layer over it.
`clean_document()` is pure: the same document, config and corpus answers
always give the same result, whichever process runs it. Both passes run in
batches of files in a process pool (`--jobs`), in sorted file order, and their
results are gathered in that order, so the output is the same for any number
of workers.

Every document is segmented, signed and examined once, in pass 1. What pass 2
needs of that (block spans, findings, short-block keys: an `Analysis`, no
text) is spilled to a scratch folder, one file per batch, rather than held in
memory; pass 2 reads the files again to cut their lines.
"""
from __future__ import annotations

import gc
import inspect
import json
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import replace
from itertools import chain
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

import numpy as np

from . import __version__
from .against import load_earlier, save_signatures
from .annotate import annotation
from .config import CATEGORIES, Config
from .cut import Claim, _needs_quoting, cut, cut_batch, cut_claimed, cut_found, cut_plain, diff_str, finish_args, found_args
from .decide import INTS, Found, decide, duplicate_verdict, finding_at, floors, found_of, removed_blocks
from .detect import detect_batch
from .detect.chrome import ends_sentences
from .detect.corpus import Corpus, DocSig, SigColumns, SigRun, SigTable, build_corpus, doc_columns, source_of
from .detect.pagetype import DOCS
from .detect.repeats import LABEL_TIMES
from .errors import InputError, RunFailed, Terminated, UsageError
from .annotate import SIDECAR
from .formats import format_of, from_html, output_rels, write_cleaned
from .formats.pieces import Piece, alone, assemble, key_of, plan, read_piece, rel_of, write_piece
from .formats.source import compression_of, held_files, prefetched
from .formats.text import read_text_utf8, write_copy_bytes, write_text_copy
from .fs import RemotePath, place, remove_tree
from .heap import keep_heap
from .names import Names
from .read import MARKER, REPORT_DIRNAME, check_paths, list_inputs, read_file, walk
from .records import ANALYSIS_ARRAYS, Allowed, Analysis, DocResult, Document, Finding, Notice, Ref, Removal
from .remote import check_processes, open_report, remove_previous_output
from .resume import RunState, fingerprint, has_state, remove_temporaries, run_settings, save
from .report import ReportPart, RunReport
from .segment import Segmented, segment_batch, split_lines
from .sign import MinHasher, SignedBatch, SignedText, block_keys, body_signatures, sign_texts, text_hash, utf8_hash
from .text import needs_quoting
from .write import atomic_write, forget_folders, in_folders

log = logging.getLogger(__name__)

#: Files per task sent to a worker: at least BATCH (the hand-off and the batch's numpy signing amortized), up
#: to BATCH_MAX when there are enough files for every worker to get several batches (the parent, which
#: writes the report, handles fewer results; measured at 10k files: 40 µs less CPU a file in the parent).
BATCH, BATCH_MAX = 64, 256
#: How long an interrupted run waits for its process pool's threads to end (`_end_pool`), and how often a
#: run waiting for a result looks at its signals and its workers (`_watched`).
POOL_STOP_SECONDS, POOL_POLL_SECONDS = 5, 0.2
#: Text a pass-2 batch cuts in one core call (`_cut_plain`, which holds each file's text, its bytes and its
#: cleaned copy until they are written): past it, the batch's other files are cut one by one.
PLAIN_BYTES = 64 << 20
_NO_KEYS = (np.empty(0, np.uint64), np.empty(0, np.int32), np.empty(0, np.uint8))
_NO_FINDINGS = found_of([])
#: How many times a page with repeats is judged again as its cleaned copy (`_second_looks`): each look can only
#: find less than the one before, and a look that finds nothing ends them.
SECOND_LOOKS = 3


def clean_document(
    doc: Document, config: Config, timings: Counter | None = None, corpus: Corpus | None = None, index: int = -1
) -> tuple[DocResult, str]:
    """Clean one document: its result (removals, cleaned text) and its part of changes.diff.

    With `corpus` (the corpus step's answers) and the document's `index` in
    pass-1 order, a duplicate document is dropped whole and template text
    found across the corpus is removed too.
    """
    analysis, _ = analyze_document(doc, config, None, timings)
    result, diff = finish_document(doc, analysis, config, timings, corpus, index)
    return result, diff_str(diff, doc.encoding)


def analyze_document(
    doc: Document, config: Config, hashers: tuple[MinHasher, MinHasher] | None = None, timings: Counter | None = None
) -> tuple[Analysis, DocSig | None]:
    """Pass 1 for one document (see `analyze_documents`)."""
    return analyze_documents([doc], config, hashers, timings)[0]


def analyze_documents(
    docs: list[Document], config: Config, hashers: tuple[MinHasher, MinHasher] | None = None,
    timings: Counter | None = None, looks: int = SECOND_LOOKS, shown: list[bool] | None = None,
) -> list[tuple[Analysis, DocSig | None]]:
    """Pass 1 for a batch of documents: their within-document findings and, given MinHash `hashers`, their
    corpus signatures. The hashing and MinHash steps run once for the whole batch.

    Which blocks sign a document is `doc_sign`: `prose` (sentences, so that
    another site's menu, byline and footer around the same article do not hide
    it), `cleaned` (what the within-document detectors keep) or `page` (all).

    A page with repeats is also judged as its cleaned copy (`_second_looks`, at most `looks` times). shown: per
    document whether it is known to show a site's template (the copies the second look reads; see
    `detect.chrome.find_chrome`).
    """
    return _analyze(docs, config, hashers, timings, looks, shown).records()


def within_found(doc: Document, config: Config) -> tuple[Found, list[tuple[int, int]], list[int], str]:
    """One document's within-document findings as a first run makes them (no second look), with its blocks'
    (first, last) lines and normalized hashes and the kind of page it was read as: what the HTML recovery reads
    of a page's whole text, as the columns pass 1 leaves (its `Analysis` record, packed and unpacked, cost 57 M
    instructions on webpages-dev's 200 pages)."""
    analyzed = _analyze([doc], config, looks=0)
    blocks = analyzed.blocks
    return (analyzed.findings[0], list(zip(blocks.firsts, blocks.lasts)), analyzed.signed.columns[0].tolist(),
            analyzed.pages[0])


def _analyze(
    docs: list[Document], config: Config, hashers: tuple[MinHasher, MinHasher] | None = None,
    timings: Counter | None = None, looks: int = SECOND_LOOKS, shown: list[bool] | None = None,
    utf8: list[bytes | None] | None = None,
) -> _Analyzed:
    """`analyze_documents`, its answer as the batch's columns (pass 1's scratch file takes them as they are).

    utf8: per document its text's UTF-8 bytes where its file held exactly those (`read_text_utf8`), else None:
    the core segments them as they are, rather than Python encoding the text again (for pages that are not all
    ASCII, 2% of a whole clean's instructions: docs/core.md), and the document's digest hashes them."""
    clock = _Clock(timings)
    texts = [d.text for d in docs] if utf8 is None else [d.text if u is None else u for d, u in zip(docs, utf8)]
    blocks = clock("segment", segment_batch, texts)
    signed = clock("sign", sign_texts, blocks, config.shingle_size)
    if _wants_within(config):  # under --only corpus categories they could not remove anything
        detected = clock("detect", detect_batch, [d.id for d in docs], blocks, signed, config,
                          [_whole_page(d, config) for d in docs], shown)
        # As columns: what crosses to pass 2, and what the signing body is decided on (in the core, which
        # also applies --only/--skip and the thresholds).
        findings = [found for found, _, _ in detected]
        pages = [page for _, page, _ in detected]
        if looks:
            findings = clock("detect", _second_looks, docs, blocks, signed, findings, pages, config, looks,
                             [repeated for *_, repeated in detected], shown)
    else:
        findings, pages = [_NO_FINDINGS] * len(docs), [""] * len(docs)
    keys = [_NO_KEYS] * len(docs)
    sigs: SigColumns | None = None
    if hashers is not None:
        keys = clock("sign", block_keys, signed, hashers[1], config.block_band_rows,
                     config.block_min_band_words, config.corpus_max_words)
        chosen, per_body, whole = _signing_bodies(blocks, signed, findings, config)
        signatures, counts, sizes = clock("sign", body_signatures, signed, chosen, per_body, hashers[0],
                                          config.doc_shingle_size)
        sigs = doc_columns(docs, signatures, counts, sizes, [k for k, _, _ in keys], whole, blocks.lines)
        if config.derived_containment < 1.0:
            sigs = SigColumns.of(clock("sign", _with_derived, [sigs.doc_sig(i) for i in range(len(docs))], signed,
                                       chosen, per_body, hashers[0]))
    return _Analyzed(docs, blocks, signed, findings, pages, keys, sigs, config.corpus_max_words, utf8)


class _Analyzed(NamedTuple):
    """Pass 1's answer for a batch of documents as its stages left it: the batch's blocks (`segment.Segmented`)
    and signatures (`sign.SignedBatch`), whose columns run end to end over the batch, and per document its
    findings, its page's kind, its block keys and its DocSig (the batch's as `SigColumns`).

    The scratch file's columns are made from these (`packed`) with no `Analysis` record per document (making the
    records and then flattening them again cost 12 and 8 µs a document of the 10k benchmark corpus); the records
    are made from the same columns (`records`), for the API, the second look and the HTML recovery."""

    docs: list[Document]
    blocks: Segmented
    signed: SignedBatch
    findings: list[Found]
    pages: list[str]
    keys: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
    sigs: SigColumns | None  # their DocSigs as columns (None without MinHash hashers)
    max_words: int  # `corpus_max_words`: a longer block is an article paragraph (`Analysis.long`)
    utf8: list[bytes | None] | None = None  # (`_analyze`'s: what the documents' digests hash where given)

    def packed(self) -> tuple:
        """The batch's Analyses as a few columns (pass 1's scratch file): `_unpack_analyses` gives them back.

        One buffer per field for the whole batch, not a record per document (three numpy arrays and a Found
        pickled and rebuilt per document): 2,000 documents of the 10k benchmark corpus, pickling 11.6 -> 6.1 µs
        a document with the packing, loading 13.8 -> 12.1 with the unpacking (most of it making the records). The
        blocks' spans, hashes and lengths are the batch's columns as segmenting and signing made them.
        """
        docs, blocks, found, keys = self.docs, self.blocks, self.findings, self.keys
        counts = np.empty((len(docs), 3), np.int64)  # per document its blocks, keys and bytes of scores
        counts[:, 0] = blocks.counts
        counts[:, 1] = [len(k[0]) for k in keys]
        counts[:, 2] = [len(f.scores) for f in found]
        hashes, lengths = self.signed.columns[:2]
        return (
            np.fromiter(map(text_hash, [d.text for d in docs]) if self.utf8 is None else
                        (text_hash(d.text) if u is None else utf8_hash(u) for d, u in zip(docs, self.utf8)),
                        np.uint64, len(docs)).tobytes(),
            counts.tobytes(),
            np.array((blocks.firsts, blocks.lasts), np.int64).T.tobytes(),  # (first, last) a block
            hashes.astype(np.uint64, copy=False).tobytes(),
            (lengths > self.max_words).tobytes(),
            *(np.concatenate([k[j] for k in keys]).astype(dtype, copy=False).tobytes() if keys else b""
              for j, (_, dtype) in enumerate(ANALYSIS_ARRAYS)),
            [f.labels for f in found],
            b"".join([f.ints for f in found]),
            b"".join([f.scores for f in found]),
            list(self.pages),
        )

    def records(self) -> list[tuple[Analysis, DocSig | None]]:
        """Per document its `Analysis` and its DocSig (None without MinHash hashers)."""
        sigs = self.sigs
        return list(zip(_unpack_analyses(self.packed()),
                        [None] * len(self.docs) if sigs is None else [sigs.doc_sig(i) for i in range(len(sigs))]))




def _second_looks(docs: list[Document], blocks: list[list], signed: list[SignedText], findings: list[Found],
                  pages: list[str], config: Config, looks: int, repeated: list[bool],
                  shown: list[bool] | None = None) -> list[Found]:
    """The findings of a batch's pages, with those a second run would add on the cleaned copy of a page with repeats
    (`repeated`: whether each has repeats, whether they go or are kept as content).

    The chrome step reads a page with repeats as the page its cleaned copy will be (the repeats weigh nothing),
    but only nearly: with its repeats gone, a short line that sat among them can stand after the article's last
    paragraph, where a second run reads it as a menu (13 of 890 real pages of webpages-dev, -train, -types and
    -multi); and the gates that keep repeats as content read the page around them, which the first run's cuts
    change (a promotion line kept as a list's item until the chrome step took its last copy). Cleaning the
    cleaned copy must change nothing, so the cleaned copies of the batch's pages with repeats and with something
    removed are segmented, signed and examined again, in one batch (their own repeats looked at again, up to
    `looks` times), and what that removes goes on the blocks of the page that hold its lines: everything, where
    a repeat went; where none did, only the repeats (the chrome step had read that page as it is, and what it
    reads otherwise on the copy is its extent moving after its own cuts, as on a page without repeats, which
    is not looked at again: none of the synthetic corpus's pages has repeats, a tenth of real whole pages).

    Should the batch's look fail, each page is looked at alone, and a page whose look fails keeps its findings
    (logged): a look never costs a file, and each page's answer stays its own whatever its batch.
    """
    todo = [i for i, has in enumerate(repeated) if has and findings[i].size]
    if not todo:
        return findings
    findings = list(findings)
    try:
        findings = _looked(todo, docs, blocks, signed, findings, pages, config, looks, shown)
    except Exception:  # noqa: BLE001 - page by page, so that only the page that fails goes without its look
        for i in todo:
            try:
                findings = _looked([i], docs, blocks, signed, findings, pages, config, looks, shown)
            except Exception:  # noqa: BLE001
                log.exception("internal error in the second look at %s; its first findings are kept", docs[i].id)
    return findings


def _looked(todo: list[int], docs: list[Document], blocks: list[list], signed: list[SignedText],
            findings: list[Found], pages: list[str], config: Config, looks: int,
            shown: list[bool] | None = None) -> list[Found]:
    """`_second_looks` for the pages `todo` of a batch, in one batch; a new list of the findings."""
    copies = [(i, copy) for i in todo
              if (copy := _cleaned_copy(docs[i], blocks[i], signed[i], findings[i], pages[i], config))]
    if not copies:
        return findings
    findings = list(findings)
    # A copy whose page showed a site's template (it had chrome removed, or was itself such a copy) may no longer
    # show it (its menus and the lines a rule names went): it is read as the page was, not as text without one.
    shown = [bool(shown and shown[i]) or any(category not in _REPEATS for category in before.values())
             for i, (_, _, before) in copies]
    again = analyze_documents([copy[0] for _, copy in copies], config, looks=looks - 1, shown=shown)
    for (i, (_, line_of, before)), (analysis, _) in zip(copies, again):
        findings[i] = _with_second_look(docs[i].id, blocks[i], findings[i], analysis, line_of, before, config,
                                        any(category in _REPEATS for category in before.values()))
    return findings


def _cleaned_copy(doc: Document, blocks: list, signed: SignedText, found: Found, page: str,
                  config: Config) -> tuple[Document, dict[int, int], dict[int, str]] | None:
    """A page's cleaned copy as a document, the line of the page each of its lines is, and the blocks its
    findings remove; None if they remove none or the copy's lines cannot be read as the page's kept lines."""
    before = decide(found, config)
    if not before:
        return None
    spans = [(b.first_line, b.last_line) for b in blocks]
    # The cut itself says what the copy is (which blank lines around a cut stay); with an allow-list, which of
    # the removed blocks it keeps too.
    done = cut_found(doc.id, doc.text, found, spans, signed.hashes.tolist(), config, doc.encoding,
                     bool(config.allow), page)
    lines = split_lines(doc.text)
    gone = set()
    for first, last in ([r.lines for r in done.removals] if config.allow else [spans[b] for b in before]):
        gone.update(range(first, last + 1))
    kept = [n for n in range(1, len(lines) + 1) if n not in gone]
    # The copy's lines are the page's kept lines, in order (a blank line left between two cuts may go).
    line_of, at = {}, 0
    for n, line in enumerate(split_lines(done.cleaned), 1):
        line = line.rstrip("\r\n")
        while at < len(kept) and lines[kept[at] - 1].rstrip("\r\n") != line:
            at += 1
        if at == len(kept):
            return None
        line_of[n] = kept[at]
        at += 1
    return replace(doc, text=done.cleaned), line_of, before


def _with_second_look(doc_id: str, blocks: list, found: Found, again: Analysis, line_of: dict[int, int],
                      before: dict[int, str], config: Config, repeats_went: bool) -> Found:
    """A page's findings, with what its cleaned copy's (`again`) remove put on the page's blocks that hold
    those lines (a block the page's own findings remove keeps them alone); unless a repeat went (`repeats_went`),
    only the copy's repeats."""
    removed = decide(again.findings, config)
    if not repeats_went:
        removed = {block: category for block, category in removed.items() if category in _REPEATS}
    if not removed:
        return found
    block_of = {n: b.index for b in blocks for n in range(b.first_line, b.last_line + 1)}
    ints = np.frombuffer(found.ints, np.int64).reshape(-1, INTS)
    records = [finding_at(found, k, block, True) for k, block in enumerate(ints[:, 0].tolist())]
    added = False
    for k, block in enumerate(np.frombuffer(again.findings.ints, np.int64).reshape(-1, INTS)[:, 0].tolist()):
        if block not in removed:
            continue
        f = finding_at(again.findings, k, block, True)
        if not repeats_went and f.category not in _REPEATS:
            continue
        ref = f.duplicate_of
        if ref is not None and ref.file == doc_id and not ref.run:
            ref = replace(ref, lines=(line_of[ref.lines[0]], line_of[ref.lines[1]]))
        first, last = again.spans[block]
        for b in sorted({block_of.get(line_of[n], -1) for n in range(first, last + 1)} - {-1}):
            if b not in before:
                records.append(Finding(b, f.category, f.detector, f.score, ref))
                added = True
    if not added:
        return found
    records.sort(key=lambda f: (f.block, f.category, f.detector))
    return found_of(records)


def _with_derived(sigs: list[DocSig], signed: SignedBatch, chosen: np.ndarray, per_body: np.ndarray,
                  hasher: MinHasher):
    """DocSigs with their derived-copy signature: a MinHash of the same body's word 3-grams (corpus.derived_copies).

    Made over the blocks the document signature covers (`_signing_bodies`), not in sign.py: what
    is signed is decided here, the signing itself is sign.body_signatures'.
    """
    derived, counts, body_words = body_signatures(signed, chosen, per_body, hasher, _DERIVED_SHINGLE)
    out = []
    for i, s in enumerate(sigs):
        prose = int(body_words[i]) >= _DERIVED_MIN_SHARE * int(signed[i].lengths.sum()) and not s.whole
        # A page whose prose is not most of it is never a copy nor a source: what two pages of one site share
        # is its stock prose (webpages-types: two shop pages at a third prose, 0.78 of 3-grams shared).
        out.append(replace(s, derived=derived[i], n_derived=int(counts[i]) if prose else 0))
    return out


#: Words per shingle of the derived-copy signature: a reworded copy keeps its source's 3-grams, not its 5-grams.
_DERIVED_SHINGLE = 3
#: Share of a document's words its prose must hold for the derived-copy check: a short text is all prose.
_DERIVED_MIN_SHARE = 0.5


def _signing_bodies(blocks: Segmented, signed: SignedBatch, findings: list[Found],
                    config: Config) -> tuple[np.ndarray, np.ndarray, list[bool]]:
    """The blocks that sign each document of a batch for the corpus step, and whether they are its whole cleaned
    copy: the blocks as indices into the batch's blocks end to end (a document's in order, the
    documents in order), how many each document has, and per document the flag.

    What signs a document is `doc_sign`: `page`, all its blocks; `cleaned`, what its cleaned copy keeps; `prose`,
    of what its cleaned copy keeps, the sentences (`doc_min_words` words and a sentence's end, or three times as
    many words): a repeated paragraph or a chrome sentence does not sign the document, so that the cleaned copy
    signs the same (cleaning it again finds nothing new). Prose that is not most of what the cleaned copy keeps
    does not stand for it: a short page whose one long paragraph another page also has is not a copy of that
    page; it signs with all it keeps. A document left with nothing to sign (a page of short lines only) is its
    own body.

    A page whose prose is under `doc_min_share` of what its cleaned copy keeps is not about that prose: a
    listing, a product or a forum page, whose items, specs or posts are short lines. Two such pages of one site
    or one forum software share their prose (a category blurb, the software's notices) whatever each is about,
    so the page signs with all its cleaned copy keeps, whole, and counts as a copy only at `doc_page_threshold`
    (`detect.corpus.similarity`). Articles' prose is most of what their cleaned copy keeps (signed whole:
    webpages-dev dumps 1.5% of pages, webpages-train 1.7%, webpages-types 18.8%). Everything is measured on what the cleaned copy keeps, as cleaning that
    copy again measures it: a document signs as its cleaned copy does, or cleaning the copies again finds a
    duplicate the first run did not (two pages whose chrome, cut, was all that told them apart).

    Read for the whole batch at once, on its columns (per document in Python the rules cost about 13 µs a
    document of the 10k benchmark corpus); the plain rules, a document at a time, are the tests' oracle
    (`tests/helpers.reference_signing_body`).
    """
    words = signed.columns[1]  # each block's words, the batch's blocks end to end
    counts = np.asarray(blocks.counts, np.int64)
    bounds = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=bounds[1:])
    doc = np.repeat(np.arange(len(counts)), counts)  # each block's document

    def per_doc(values: np.ndarray) -> np.ndarray:
        """Per document the sum of its blocks' values."""
        sums = np.zeros(len(values) + 1, np.int64)
        np.cumsum(values, out=sums[1:])
        return sums[bounds[1:]] - sums[bounds[:-1]]

    if config.doc_sign == "page":
        return np.arange(len(words)), counts, [False] * len(counts)
    kept = np.ones(len(words), bool)
    kept[removed_blocks(findings, counts.tolist(), config)] = False
    if config.doc_sign != "prose":
        body = kept | (per_doc(kept) == 0)[doc]
        return np.flatnonzero(body), per_doc(body), [False] * len(counts)
    m = config.doc_min_words
    prose = kept & (words >= 3 * m)
    maybe = np.flatnonzero(kept & (words >= m) & ~prose)
    texts = blocks.texts
    prose[maybe] = ends_sentences([texts[i] for i in maybe.tolist()])
    prose_words, kept_words = per_doc(np.where(prose, words, 0)), per_doc(np.where(kept, words, 0))
    whole = prose_words < config.doc_min_share * kept_words
    body = np.where((whole | (2 * prose_words < kept_words))[doc], kept, prose)
    body = body | (per_doc(body) == 0)[doc]
    return np.flatnonzero(body), per_doc(body), whole.tolist()


_REPEATS = ("repeat", "near-repeat")


def finish_document(
    doc: Document, analysis: Analysis, config: Config, timings: Counter | None = None,
    corpus: Corpus | None = None, index: int = -1, records: bool = True, templates: Found | None = None,
    utf8: bytes | None = None,
) -> tuple[DocResult, bytes]:
    """Pass 2 for one document: pass 1's findings plus the corpus step's, decided and cut from its text, and
    its part of changes.diff (bytes, as the file holds it: `cut.Cut.diff`).

    The result carries its report lines (`DocResult.report`); `records`: also its Removal records (the API
    and --annotate read them; a run's report does not need them). `templates`: the corpus step's findings on
    it when its batch's were looked up at once (`Corpus.templates_of`), else they are looked up here.
    `utf8`: its text's UTF-8 bytes, when it was read as those (`formats.text.read_text_utf8`): not encoded
    again, and the result carries its cleaned copy's (`DocResult.cleaned_utf8`).
    """
    clock = _Clock(timings)
    whole = _whole_claim(doc, corpus.duplicate(index), config) if corpus is not None else None
    if whole is not None:
        # One cut, the whole file; its diff shows the text as read (the kept copy's encoding may differ).
        done = clock("cut", cut, doc.id, doc.text, [whole], [], "utf-8", records, analysis.page, utf8)
        result = DocResult(file=doc.id, removals=done.removals, cleaned="", in_chars=len(doc.text), out_chars=0,
                           in_blocks=len(analysis.spans), dropped=True, report=done.report, page=analysis.page)
        if config.annotate:
            result.annotation = annotation(result.removals, True, corpus.cluster_of(index))
        return result, done.diff
    found = _with_templates(doc, analysis, corpus, index, config, templates, clock)
    spans = analysis.spans
    # Decided and cut in one core call, timed as deciding (the summary's stages).
    done = clock("decide", cut_found, doc.id, doc.text, found, spans, analysis.hashes, config, doc.encoding,
                 records, analysis.page, utf8)
    result = DocResult(
        file=doc.id,
        removals=done.removals,
        cleaned=done.cleaned,
        in_chars=len(doc.text),
        out_chars=done.out_chars,
        in_blocks=len(spans),
        allowed=[Allowed(r, entry) for r, entry in done.allowed],
        report=done.report,
        page=analysis.page,
        cleaned_utf8=done.cleaned_utf8,
    )
    if config.annotate:
        result.annotation = annotation(result.removals, False, corpus.cluster_of(index) if corpus is not None else None)
    return result, done.diff


def _with_templates(doc: Document, analysis: Analysis, corpus: Corpus | None, index: int, config: Config,
                    templates: list[Found] | None, clock: _Clock) -> Found:
    """A document's findings with the corpus step's template repeats on it joined (`templates`: as its batch
    looked them up; None: looked up here, timed as detecting).

    In a documentation page's extracted text the site's template is already gone: what recurs across its pages
    is their structure, the same section headings ("§Examples") and the language's idioms ("} catch (error) {"),
    which the pages' golds hold (webpages-types HTML: 43 of the 45 corpus repeats on its documentation pages are
    code lines and headings of 4 pages of two sites).
    """
    if corpus is None or (analysis.page == DOCS and not _whole_page(doc, config)):
        return analysis.findings
    if templates is None:
        templates = clock("detect", corpus.template_findings, index, analysis, config)
    if templates.size and not _whole_page(doc, config):
        templates = _off_labels(templates, analysis.hashes)
    return analysis.findings.joined(templates)


def _off_labels(templates: Found, hashes: tuple[int, ...]) -> Found:
    """Template findings less those on the labels of an extracted article's items: a review's "Pros" and
    "Cons" under each product recur on every review of the site, as its template would, but the article holds
    them LABEL_TIMES times or more (the within-document rule's label, `detect.repeats`) (webpages-dev: pcworld.com's three reviews, 20 such labels removed from one of them).
    The template's own lines, once a page, still go."""
    times = Counter(hashes)
    labels = [b for b, h in enumerate(hashes) if times[h] >= LABEL_TIMES]
    if not labels:
        return templates
    ints = np.frombuffer(templates.ints, "<i8").reshape(-1, INTS)
    keep = ~np.isin(ints[:, 0], labels)
    if keep.all():
        return templates
    scores = np.frombuffer(templates.scores, "<f8")
    return Found(templates.labels, ints[keep].tobytes(), scores[keep].tobytes())


def _unchanged(doc: Document, utf8: bytes | None, analysis: Analysis) -> bool:
    """Whether a document reads in pass 2 as pass 1 read it (its text's digest; a UTF-8 file's own bytes)."""
    return (text_hash(doc.text) if utf8 is None else utf8_hash(utf8)) == analysis.digest


def _whole_claim(doc: Document, dup, config: Config) -> Claim | None:
    """The claim that removes a duplicate document whole (`dup`: the corpus step's answer on it), or None."""
    if dup is None:
        return None
    # (Its lines counted only for a duplicate: counting them was a pass over every text.)
    dropped = duplicate_verdict(doc.id, doc.text, _line_count(doc.text), dup, config)
    if dropped is None:
        return None
    return Claim(dropped.lines, dropped.category, dropped.detector, dropped.score, dropped.duplicate_of, None)


def _line_count(text: str) -> int:
    """A text's lines as `segment.split_lines` cuts them (a last line without its line break counts)."""
    return text.count("\n") + (not text.endswith("\n") if text else 0)


def _whole_page(doc: Document, config: Config) -> bool:
    """Whether a document's text is a whole page's; HTML comes out of trafilatura as the article alone, and so
    does a text file that a previous run made from HTML (`ARTICLE`), and every text under `--extracted`."""
    return not config.extracted and doc.format != "html" and doc.get(ARTICLE) is None


#: Metadata of a text file that an earlier run wrote from an HTML page (named in its OUT's marker, under
#: "articles"): its text is an extracted article, so cleaning it again must not run the whole-page rules on it
#: (they would cut 236 more blocks in 49 of webpages-dev's 200 pages: a menu-like line now at the top, prose
#: that no longer has chrome around it read as outside the article).
ARTICLE = "extracted-article"


def _previous_articles(src: Path) -> frozenset[str]:
    """The files of IN that a previous dedupe run wrote from HTML pages, read from the marker it left in IN."""
    try:
        marker = json.loads((src / MARKER).read_bytes())
    except (OSError, ValueError):
        return frozenset()  # not a dedupe output, or an unreadable marker: every text file is a whole page
    articles = marker.get("articles") if isinstance(marker, dict) and marker.get("tool") == "dedupe" else None
    return frozenset(a for a in articles if isinstance(a, str)) if isinstance(articles, list) else frozenset()


def _articles() -> frozenset[str]:
    """The files of IN a previous run wrote from HTML (its marker's "articles"), as the run's state holds them."""
    return _STATE.get("articles", frozenset())


def _as_articles(docs: list[Document], rel: str) -> list[Document]:
    """The documents of one file, marked as extracted articles if a previous run wrote the file from HTML (read
    so in both passes)."""
    if rel not in _articles():
        return docs
    return [replace(d, meta=d.meta + ((ARTICLE, "1"),)) for d in docs]


def _wants_within(config: Config) -> bool:
    """Whether any category of the within-document detectors can be removed under --only/--skip."""
    return any(config.wants(c) for c in CATEGORIES if c not in ("corpus-repeat", "duplicate-document"))


# --- the two passes, per batch of files (the unit a worker process runs) -------------------------------

_STATE: dict = {}


def _init_worker(state: dict) -> None:
    global _STATE
    _STATE = state
    forget_folders()


def _init_pool_worker(state: dict) -> None:
    """A pool worker: Ctrl-C is left to the parent, which stops the pool (`_stop_pool`); SIGTERM ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _unblock_stops(set())  # all of them (the parent blocked them while it forked: see `_run`)
    keep_heap()  # (a worker is this package's own process: its batches' memory is reused, not faulted in again)
    _init_worker({**state, "pooled": True})  # (its results cross back through the state's files: `_saved`)


#: The signals that stop a run, blocked while the pool's workers are forked.
_STOPS = {signal.SIGINT, signal.SIGTERM}


def _block_stops():
    """Block the stopping signals in this thread (where the platform can); what to restore."""
    return signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS) if hasattr(signal, "pthread_sigmask") else None


def _unblock_stops(masked) -> None:
    """Deliver the stopping signals again (any that arrived meanwhile now)."""
    if masked is not None and hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS - set(masked))


def _sign_batch(batch: tuple[int, list[str]]) -> tuple[list[tuple[str, list, Notice | None]], Counter]:
    """Pass 1 over files: per file its DocSigs, or the notice saying why it was skipped.

    The files' `Analysis` records go to the batch's scratch file for pass 2.
    The documents of the batch are analyzed together; should that fail, file
    by file, so that one bad file never loses the others.
    """
    number, files = batch
    src, config, hashers, scratch = (_STATE[k] for k in ("src", "config", "hashers", "scratch"))
    timings: Counter = Counter()
    read: list[tuple[str, list[Document]]] = []
    utf8: list[bytes | None] = []  # per document read, its text's UTF-8 bytes if its file held them (`_analyze`)
    kept: dict[str, tuple[list[Document], list[Notice]]] = {}  # what pass 2 takes as read (see `_keeps_text`)
    failed: dict[str, Notice] = {}
    start = time.perf_counter()
    with prefetched(src, _whole_files(files)):
        timings["read"] += time.perf_counter() - start
        for unit in files:
            start = time.perf_counter()
            try:
                docs, notices, data = _read_unit(src, unit, config)
                read.append((key_of(unit), _as_articles(docs, key_of(unit))))
                utf8.extend([data] if len(docs) == 1 else [None] * len(docs))
                if _keeps_text(unit, docs):
                    kept[key_of(unit)] = (read[-1][1], notices)
            except InputError as e:
                failed[key_of(unit)] = Notice(e.path, e.message)
            timings["read"] += time.perf_counter() - start
    done: dict[str, SigRun] = {}  # per file its DocSigs, as its run of the batch's columns
    try:
        batch = _analyze([d for _, docs in read for d in docs], config, hashers, timings, utf8=utf8)
        start = time.perf_counter()
        packs = [batch.packed()]
        timings["scratch"] += time.perf_counter() - start
        columns, at = batch.sigs, 0
        for key, docs in read:
            done[key], at = SigRun(columns, at, at + len(docs)), at + len(docs)
    except Exception:  # noqa: BLE001 - find the file that breaks the batch; the others go on
        done, packs = {}, []
        for key, docs in read:
            try:
                alone = _analyze(docs, config, hashers, timings)
                packs.append(alone.packed())
                done[key] = SigRun(alone.sigs, 0, len(docs))
            except Exception as e:  # noqa: BLE001
                rel = key.split("\0")[0]
                log.exception("internal error on %s", rel)
                failed[key] = Notice(rel, f"internal error ({type(e).__name__}: {e}); skipped, please report it")
    start = time.perf_counter()
    # The batch's Analyses as columns, with how many documents each file holds, in batch order.
    analyses = {"files": [(key, len(sigs)) for key, sigs in done.items()],
                "columns": _joined(packs) if packs else _analyze([], config, hashers).packed()}
    timings.update(_pages_cut([d for key, docs in read if key in done for d in docs], analyses["columns"][8], config))
    # Never into a scratch folder that is gone: a Dask task recomputed after its run failed must not bring
    # the folder back into OUT once the run has deleted it.
    atomic_write(_scratch_file(scratch, number), pickle.dumps(
        {"analyses": analyses, "read": {k: v for k, v in kept.items() if k in done}},
        protocol=pickle.HIGHEST_PROTOCOL), make_folder=False)
    out = [(unit, done[key_of(unit)], None) if key_of(unit) in done
           else (unit, [], failed[key_of(unit)]) for unit in files]
    timings["scratch"] += time.perf_counter() - start
    if _STATE.get("resumable"):  # after the findings: this file says the batch is complete
        return _saved("sign", number, (out, timings))
    return out, timings


#: What pass 1 counts of the documents it reads as whole pages, for the run's hint (`_extracted_hint`); the
#: counts cross to the main process with the batch's timings, which takes them out.
PAGES, PAGES_CUT = "documents read as whole pages", "whole pages cut around an article"
#: Below this share of whole pages cut around an article, of at least HINT_PAGES, the run suggests --extracted.
HINT_SHARE, HINT_PAGES = 0.5, 20


def _pages_cut(docs: list[Document], labels: list[tuple[str, ...]], config: Config) -> Counter:
    """Of a batch's documents (and their findings' labels), how many were read as whole pages, and how many of
    those lost blocks outside an article (or between two chrome blocks): what --extracted would have kept."""
    pages = [found for doc, found in zip(docs, labels) if _whole_page(doc, config)]
    cut = sum(any(label.startswith(("chrome:outside:", "chrome:context:")) for label in found) for found in pages)
    return Counter({PAGES: len(pages), PAGES_CUT: cut})


def _extracted_hint(pages: int, cut: int) -> str | None:
    """A hint to run with --extracted when few of the documents read as whole pages were cut around an article
    (whole web pages nearly all are: 90-99% of the data sets' dumps; extracted articles mostly are not: 4-20% of
    their golds), or None."""
    if pages < HINT_PAGES or not 0 < cut < HINT_SHARE * pages:
        return None
    return (f"only {cut} of {pages} documents read as whole pages lost blocks as outside their article (whole web "
            f"pages nearly all do: their menus and footers); if the input is already extracted text (an extractor's "
            f"output, a published dataset), run again with --extracted to keep those blocks")


def _joined(packs: list[tuple]) -> tuple:
    """Scratch-file columns (`_Analyzed.packed`) of several batches as one batch's, end to end."""
    if len(packs) == 1:
        return packs[0]
    return tuple(b"".join(field) if isinstance(field[0], bytes) else list(chain.from_iterable(field))
                 for field in zip(*packs))


def _unpack_analyses(packed: tuple) -> list[Analysis]:
    """The Analyses `_Analyzed.packed` packed, each as it was (the same fields, of the same types)."""
    digests, counts, spans, hashes, long, keys, owner, kind, labels, ints, scores, pages = packed
    spans = np.frombuffer(spans, np.int64).tolist()
    pairs = list(zip(spans[0::2], spans[1::2]))
    hashes = np.frombuffer(hashes, np.uint64).tolist()
    long = np.frombuffer(long, np.bool_).tolist()
    # (writable, as Analysis's own unpickling made them)
    keys, owner, kind = (np.frombuffer(bytearray(data), dtype)
                         for data, (_, dtype) in zip((keys, owner, kind), ANALYSIS_ARRAYS))
    counts = np.frombuffer(counts, np.int64).reshape(-1, 3).tolist()
    out: list[Analysis] = []
    b = k = f = 0
    for digest, (n, m, size), names, page in zip(np.frombuffer(digests, np.uint64).tolist(), counts, labels, pages):
        # (`size` is the bytes of its scores, 8 a finding; its ints are INTS int64 a finding)
        found = Found(names, ints[f * INTS : (f + size) * INTS], scores[f : f + size])
        out.append(Analysis(digest, tuple(pairs[b : b + n]), found, tuple(hashes[b : b + n]),
                            keys[k : k + m], owner[k : k + m], kind[k : k + m], tuple(long[b : b + n]), page))
        b, k, f = b + n, k + m, f + size
    return out


def _block_bytes(packed: tuple) -> list[tuple[bytes, bytes]]:
    """Per document of `_Analyzed.packed`'s columns, its blocks' spans (i64 pairs) and hashes (u64) as the bytes
    the columns hold: `decide_finish_batch` takes them as they are, where the `Analysis` holds them as tuples."""
    pass1 = _Pass1({"columns": packed, "files": []})
    return [pass1.blocks(i) for i in range(pass1.size)]


class _Pass1(Mapping):
    """A pass-2 batch's scratch file (`_Analyzed.packed`'s columns and its files): per file (by key) its documents'
    Analyses, unpacked when first asked for (`_unpack_analyses` on that file's share of the columns), and per
    document the columns that pass 2's plain files (`_plain_bytes`) and the template lookup (`_batch_templates`)
    take as they are, with no record made (unpacking every document's cost 3.8 µs a document of the 10k corpus)."""

    def __init__(self, packed: dict):
        self.columns = cols = packed["columns"]
        counts = np.frombuffer(cols[1], np.int64).reshape(-1, 3)  # per document its blocks, keys, bytes of scores
        self.size = len(counts)
        bounds = np.zeros((len(counts) + 1, 3), np.int64)
        np.cumsum(counts, axis=0, out=bounds[1:])
        self.counts, self.bounds = counts, bounds.tolist()
        self.n_blocks = counts[:, 0].tolist()
        self.digests = np.frombuffer(cols[0], np.uint64).tolist()
        self.files: dict[str, tuple[int, int]] = {}  # per file its first document and how many
        at = 0
        for key, n in packed["files"]:
            self.files[key], at = (at, n), at + n
        self._made: dict[str, list[Analysis]] = {}

    def __getitem__(self, key: str) -> list[Analysis]:
        made = self._made.get(key)
        if made is None:
            at, n = self.files[key]
            made = self._made[key] = _unpack_analyses(self.sliced(at, at + n))
        return made

    def __iter__(self):
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def sliced(self, a: int, b: int) -> tuple:
        """The columns of documents a to b (b excluded), as `_Analyzed.packed` makes a batch's."""
        digests, counts, spans, hashes, long, keys, owner, kind, labels, ints, scores, pages = self.columns
        (b0, k0, f0), (b1, k1, f1) = self.bounds[a], self.bounds[b]
        width = [np.dtype(dtype).itemsize for _, dtype in ANALYSIS_ARRAYS]
        return (digests[8 * a : 8 * b], counts[24 * a : 24 * b], spans[16 * b0 : 16 * b1], hashes[8 * b0 : 8 * b1],
                long[b0:b1], *(data[w * k0 : w * k1] for data, w in zip((keys, owner, kind), width)), labels[a:b],
                ints[INTS * f0 : INTS * f1], scores[f0:f1], pages[a:b])

    def blocks(self, i: int) -> tuple[bytes, bytes]:
        """Document i's blocks' spans and hashes as the columns' bytes (`_block_bytes`)."""
        a, b = self.bounds[i][0], self.bounds[i + 1][0]
        return self.columns[2][16 * a : 16 * b], self.columns[3][8 * a : 8 * b]

    def found(self, i: int) -> tuple[tuple[str, ...], bytes, bytes]:
        """Document i's findings' labels, ints and scores (its `Analysis.findings`' fields)."""
        a, b = self.bounds[i][2], self.bounds[i + 1][2]
        return self.columns[8][i], self.columns[9][INTS * a : INTS * b], self.columns[10][a:b]

    def page(self, i: int) -> str:
        return self.columns[11][i]

    def templates_args(self, cols: tuple | None = None) -> tuple:
        """`Corpus.templates_of_columns`' columns of these documents (or of `cols`, some of them `sliced`
        and joined): per document its keys, then its keys, their blocks and kinds, per document its blocks, each
        block's `Analysis.long`, per document its labels."""
        cols = self.columns if cols is None else cols
        counts = np.frombuffer(cols[1], np.int64).reshape(-1, 3)
        keys, owner, kind = (np.frombuffer(data, dtype) for data, (_, dtype) in zip(cols[5:8], ANALYSIS_ARRAYS))
        return (counts[:, 1], keys, owner, kind, counts[:, 0], np.frombuffer(cols[4], np.bool_),
                np.fromiter(map(len, cols[8]), np.int64, len(cols[8])))


def _keeps_text(unit, docs: list[Document]) -> bool:
    """Whether pass 2 takes a unit's documents from pass 1's scratch file rather than reading it again: an
    HTML page, or a web archive's pages (documents of format "html"), whose extraction costs a hundred times
    its text's cleaning (its extracted text is small)."""
    fmt = format_of(rel_of(unit))
    # (only a web archive's documents are looked at one by one: its pages, not its text records)
    return (fmt == "html" and not isinstance(unit, Piece)) or (fmt == "warc" and any(d.format == "html" for d in docs))


def _whole_files(units: list) -> list[str]:
    """The files of a batch to prefetch: not a piece's, whose file may be far larger than the memory."""
    return [unit for unit in units if not isinstance(unit, Piece)]


def _read_unit(src: Path, unit, config: Config) -> tuple[list[Document], list[Notice], bytes | None]:
    """The documents of a unit of work (a whole file, or a piece of a large record file), and for a plain-text
    file the UTF-8 bytes its text is, if the file held exactly those (`read_text_utf8`), else None."""
    if isinstance(unit, Piece):
        return (*read_piece(src, unit, config), None)
    if format_of(unit) == "txt":
        return read_text_utf8(src, unit, config)
    return (*read_file(src, unit, config), None)


def _split_keys(result) -> tuple[tuple, list[DocSig]]:
    """A `_sign_batch` result without its block keys, and its DocSigs with them in pass-1 order.

    The Dask engine keeps the keys on its workers and sends the driver the rest.
    """
    out, timings = result
    sigs = [sig for _rel, sigs, failure in out if failure is None for sig in sigs]
    bare = [(rel, [replace(s, keys=s.keys[:0]) for s in sigs], failure) for rel, sigs, failure in out]
    return (bare, timings), sigs


def _scratch_file(scratch: Path, number: int) -> Path:
    return RunState(scratch).path("batch", number)


def _clean_batch(batch: tuple[int, list[tuple[str, int, int]]]) -> tuple[list, Counter, ReportPart]:
    """Pass 2 over files: read again, cut what pass 1 and the corpus step found, write the cleaned copy.

    Per file (its unit, how many documents it held, its notices, what was written), the stages' timings, and
    the batch's share of the report (`ReportPart`: its documents counted here, merged by the main process).
    """
    number, files = batch
    src, dst, config, corpus, dry_run, scratch = (
        _STATE[k] for k in ("src", "dst", "config", "corpus", "dry_run", "scratch"))
    timings: Counter = Counter()
    start = time.perf_counter()
    found = pickle.loads(_scratch_file(scratch, number).read_bytes())
    packed, kept = found["analyses"], found["read"]
    analyses = _Pass1(packed)
    timings["scratch"] += time.perf_counter() - start
    start = time.perf_counter()
    part = ReportPart()
    # In a big corpus pass 1 read them long ago. (Held open for the reads: `prefetched`.)
    with prefetched(src, _whole_files([unit for unit, *_ in files if key_of(unit) not in kept])):
        timings["read"] += time.perf_counter() - start
        templates = _batch_templates(files, analyses, corpus, config, timings)
        with in_folders():  # (the copies' files opened and renamed in their folders: `write.in_folders`)
            out = _clean_files(src, dst, files, analyses, kept, templates, config, corpus, dry_run, timings, part)
    part = part.sealed()
    if _STATE.get("resumable"):  # after the batch's copies: this file says they are written
        # (its report lines in a file of their own, which the main process copies without reading them)
        return _saved("clean", number, (out, timings, part.spill(RunState(scratch).streams(number))))
    return out, timings, part


def _clean_files(src: Path, dst: Path, files: list, analyses: _Pass1, kept: dict, templates: dict, config: Config,
                 corpus: Corpus, dry_run: bool, timings: Counter, part: ReportPart) -> list:
    """`_clean_batch`'s files, in order: per file (its unit, its documents, its notices, what was written), its
    documents added to the batch's report `part`. The plain-text files' documents are cut in one core call
    (`_cut_plain`); the others, and all of them if that call fails, file by file (`_clean_file`). `analyses`:
    pass 1's, per file, from its scratch file."""
    plain = _cut_plain(src, files, analyses, kept, templates, config, corpus, timings)
    out = []
    added: list[tuple] = []  # the plain files' documents for the report part, added at once (`add_many`)
    for unit, first, count, *renames in files:
        rel = rel_of(unit)
        try:
            done = plain.get(first)
            if done is not None:
                out.append(_write_plain(dst, rel, unit, done, config, dry_run, timings, added))
                continue
            if added:  # (the part's documents stay in their files' order)
                part.add_many(added)
                added = []
            _, results, notices, written = _clean_file(
                src, dst, unit, first, analyses[key_of(unit)], config, corpus, dry_run, timings,
                renames[0] if renames else None, kept.get(key_of(unit)), templates.get(first))
            for result, diff in results:
                part.add(result, diff)
            out.append((unit, len(results), notices, written))
        except InputError as e:
            out.append((unit, 0, [Notice(e.path, e.message)], False))
        except Exception as e:  # noqa: BLE001 - one bad file must never lose the others
            log.exception("internal error on %s", rel)
            notice = Notice(rel, f"internal error ({type(e).__name__}: {e}); skipped, please report it")
            out.append((unit, 0, [notice], False))
    part.add_many(added)
    return out


def _cut_plain(src: Path, files: list, analyses: _Pass1, kept: dict, templates: dict, config: Config,
               corpus: Corpus, timings: Counter) -> dict:
    """The batch's plain-text files (one document each, read again here) decided and cut in core calls: from
    their bytes as `prefetched` holds them (`_plain_bytes`, one call), the others read and cut as before
    (`cut.cut_batch`; the whole duplicate documents in another, `cut.cut_claimed`): per file, by its first
    document's index, its (document or None, notices, UTF-8 bytes or None, characters, blocks, page kind,
    whether it was dropped, `cut.Batched`). A file that cannot be read, or whose arguments fail, is left to
    `_clean_file`, which reports it; so are all of them if a core call fails. The core takes each document's
    blocks as the scratch file's bytes (`_Pass1.blocks`) rather than its analysis's tuples."""
    if config.annotate:  # (its records and annotations are made document by document)
        return {}
    begin = time.perf_counter()
    plain = [(unit, first) for unit, first, count, *renames in files
             if count == 1 and not renames and not isinstance(unit, Piece) and format_of(unit) == "txt"
             and key_of(unit) not in kept]
    out, rest, held = _plain_bytes(src, plain, analyses, templates, config, corpus)
    reading = 0.0
    found_docs, found, claimed_docs, claimed = [], [], [], []
    for unit, first in rest:
        if held > PLAIN_BYTES:
            break
        start = time.perf_counter()
        try:
            (doc,), notices, utf8 = read_text_utf8(src, unit, config)
            (doc,) = _as_articles([doc], key_of(unit))
        except Exception:  # noqa: BLE001 - read again and reported by `_clean_file`
            continue
        finally:
            reading += time.perf_counter() - start
        try:
            (a,) = analyses[key_of(unit)]
            claim = _plain_claim(doc, utf8, a, first, templates, config, corpus,
                                 analyses.blocks(analyses.files[key_of(unit)][0]))
        except Exception:  # noqa: BLE001 - as a file that cannot be read: `_clean_file` fails it alone
            continue
        if claim is None:
            continue
        held += len(doc.text) if utf8 is None else len(utf8)
        dropped, args = claim
        read = (first, doc, notices, utf8, len(doc.text), len(a.spans), a.page, dropped)
        (claimed_docs if dropped else found_docs).append(read)
        (claimed if dropped else found).append(args)
    cutting = 0.0
    try:
        done = cut_batch(found) if found else []
        start = time.perf_counter()
        done += cut_claimed(claimed) if claimed else []
        cutting = time.perf_counter() - start
    except Exception:  # noqa: BLE001 - each file is then cut alone, and only one that fails is lost
        log.exception("the batch's cut failed; cutting its files one by one")
        return out
    finally:
        # (as `finish_document`'s stages: reading, cutting the duplicates, and deciding, which is the rest: the
        # lookups and the arguments as well as the call)
        timings["read"] += reading
        timings["cut"] += cutting
        timings["decide"] += time.perf_counter() - begin - reading - cutting
    out.update((first, (*read, d)) for (first, *read), d in zip(found_docs + claimed_docs, done))
    return out


def _plain_bytes(src: Path, plain: list, pass1: _Pass1, templates: dict, config: Config,
                 corpus: Corpus | None) -> tuple[dict, list, int]:
    """`_cut_plain` on the plain files whose bytes `prefetched` holds, in one core call from them (`cut.cut_plain`:
    the checks reading them again makes, the digest, deciding and cutting; a whole duplicate document as its one
    removal), none of them decoded: their results as `_cut_plain` gives them (no document), the (unit, first
    index) of the others in order, for `_cut_plain` to read and cut as before (a file the core does not take,
    a name or label that needs quoting, and all of them under an allow-list or --encoding), and the bytes taken."""
    if config.allow or config.encoding:
        return {}, plain, 0
    limit = config.max_doc_mb << 20
    quoting = needs_quoting([unit for unit, _ in plain])
    duplicated = (corpus.duplicated([first for _, first in plain]) if corpus is not None and plain
                  else [False] * len(plain))
    wholes = config.wants("duplicate-document")
    tuples: dict[tuple, int] = {}  # the label tuples (and whether a whole document's), numbered
    label_floors: list[tuple] = []  # their floors (a whole document's are never read: its removal is decided)
    args, taken, rest, held = [], [], [], 0
    files = held_files(src)
    # (an extracted article's templates lose its items' labels, which `_with_templates` reads on its document)
    articles = _articles()
    for (unit, first), dup in zip(plain, duplicated):
        i = pass1.files[unit][0]
        template = templates.get(first, (None,))[0] if corpus is not None else _NO_FOUND
        data = files.get(unit) if held <= PLAIN_BYTES else None
        if (data is None or len(data) > limit or compression_of(unit) or template is None
                or (quoting and needs_quoting([unit])) or (template.size and (config.extracted or unit in articles))):
            rest.append((unit, first))
            continue
        whole = dup and wholes
        if whole:  # (its removal as `_whole_claim` makes it, as a finding)
            d = corpus.duplicate(first)
            labels, ints, scores = found_of([Finding(0, "duplicate-document", f"duplicate-document:{d.how}", d.score,
                                                     Ref(d.kept, (1, max(1, d.kept_lines)), d.run))])
            template = _NO_FOUND
        else:
            labels, ints, scores = pass1.found(i)
            if template.size:
                labels += template.labels
        index = tuples.get((labels, whole))
        if index is None:
            if _needs_quoting(labels):
                rest.append((unit, first))
                continue
            index = tuples[labels, whole] = len(tuples)
            label_floors.append((None,) * len(labels) if whole else floors(labels, config))
        held += len(data)
        args.append((unit, data, pass1.digests[i], index, (ints, scores), (template.ints, template.scores),
                     *pass1.blocks(i), pass1.page(i), whole))
        taken.append((unit, first, i, whole))
    if not args:
        return {}, plain, 0
    try:
        done = cut_plain(args, [labels for labels, _ in tuples], label_floors)
    except Exception:  # noqa: BLE001 - then read and cut as the others, and only a file that fails is lost
        log.exception("the batch's plain cut failed; cutting its files as the others")
        return {}, plain, 0
    out, left = {}, set()
    for (unit, first, i, whole), (_, data, *_), d in zip(taken, args, done):
        if d is None:
            left.add(first)
            held -= len(data)
        else:
            out[first] = (None, [], data, d[1], pass1.n_blocks[i], pass1.page(i), whole, d[0])
    if left:  # (in their files' order)
        rest = [(unit, first) for unit, first in plain if first not in out]
    return out, rest, held


def _plain_claim(doc: Document, utf8: bytes | None, a: Analysis, first: int, templates: dict, config: Config,
                 corpus: Corpus | None, blocks: tuple[bytes, bytes] | None = None) -> tuple[bool, tuple] | None:
    """What `_cut_plain` sends the core for one document, as `finish_document` decides it: (True, `finish_args`
    of its whole-document claim) for a duplicate it drops, else (False, `found_args` of its findings and the
    corpus step's, its blocks' spans and hashes as `blocks`' bytes when given); None when the file changed since
    pass 1 (`_clean_file` then reports it)."""
    if not _unchanged(doc, utf8, a):
        return None
    whole = _whole_claim(doc, corpus.duplicate(first), config) if corpus is not None else None
    if whole is not None:
        return True, finish_args(doc.id, doc.text, [whole], [], "utf-8", a.page, utf8)
    # (untimed here: `_cut_plain` times the batch's lookups and arguments as deciding)
    found = _with_templates(doc, a, corpus, first, config, templates.get(first, [None])[0], _Clock(None))
    return False, found_args(doc.id, doc.text, found, a.spans, a.hashes, config, doc.encoding, a.page, utf8, blocks)


def _write_plain(dst: Path, rel: str, unit, done: tuple, config: Config, dry_run: bool, timings: Counter,
                 added: list[tuple]) -> tuple:
    """A plain-text file cut in its batch (`_cut_plain`): its cleaned copy written (none for a dropped
    duplicate), its document's report lines appended to `added` (the report part's `add_many`); what
    `_clean_files` returns of a file."""
    doc, notices, utf8, in_chars, blocks, page, dropped, (cleaned, out_chars, diff, report) = done
    written = None
    if not dry_run and not dropped:
        start = time.perf_counter()
        if doc is None:  # (cut from its bytes, `_plain_bytes`: UTF-8 with no byte-order mark)
            written = write_copy_bytes(dst, rel, utf8 if cleaned is None else cleaned)
        elif utf8 is not None:  # read as UTF-8: the core's bytes, or the file's if nothing was removed
            written = write_text_copy(dst, rel, doc, None, utf8 if cleaned is None else cleaned)
        else:
            written = write_text_copy(dst, rel, doc, doc.text if cleaned is None
                                      else cleaned.decode("utf-8", "surrogatepass"), None)
        timings["write"] += time.perf_counter() - start
    added.append((rel, in_chars, 0 if dropped else out_chars, blocks, dropped, page, *report, diff))
    return unit, 1, notices, written


#: No findings: the corpus step's on a document when there is no corpus step.
_NO_FOUND = Found((), b"", b"")


def _saved(stage: str, number: int, result: tuple) -> tuple | None:
    """A batch's result, once saved in the run's state folder; from a pool worker None, and the main process
    loads it from that file (`_resumed`): pickled once, not a second time to cross the pool's pipe (about 11
    µs a document in the workers on the 10k benchmark corpus, pass 1's signatures most of it)."""
    save(_STATE["scratch"], stage, number, result)
    return None if _STATE.get("pooled") else result


def _batch_templates(files: list, analyses: _Pass1, corpus: Corpus | None, config: Config,
                     timings: Counter) -> dict[int, list[Found]]:
    """The corpus step's findings on every document of a pass-2 batch, looked up at once from the scratch file's
    columns (`Corpus.templates_of_columns`): per file, by its first document's pass-1 index, its documents'
    `Found`s."""
    if corpus is None:
        return {}
    firsts, indices, spans = [], [], []
    for unit, first, *_ in files:
        at, n = analyses.files[key_of(unit)]
        firsts.append((first, len(indices), n))
        indices += range(first, first + n)
        spans.append((at, at + n))
    if not indices:
        return {}
    # (the batch's files are its scratch file's, in its order: its columns as they are; else those files' joined)
    whole = [(0, analyses.size)] if analyses.size else []
    cols = None if _merged(spans) == whole else _joined([analyses.sliced(a, b) for a, b in spans])
    try:
        templates = _Clock(timings)("detect", corpus.templates_of_columns, indices, *analyses.templates_args(cols),
                                    config)
    except Exception:  # noqa: BLE001 - each document then looks its own up, and only a file that fails is lost
        log.exception("the batch's template lookup failed; looking them up document by document")
        return {}
    return {first: templates[at : at + n] for first, at, n in firsts}


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges (a, b) with each one that starts where the one before ends joined to it."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _clean_file(src: Path, dst: Path, unit, first: int, analyses: list[Analysis], config: Config,
                corpus: Corpus, dry_run: bool, timings: Counter, renames: dict[int, str] | None = None,
                read: tuple[list[Document], list[Notice]] | None = None, templates: list[Found] | None = None):
    """Clean one input file (it may hold several documents) or a piece of one, and write its cleaned copy (a
    piece: its part of it, which the parent joins to the others'). `read`: its documents and notices as pass 1
    read them, if it kept them (then the file is not read again). `templates`: the corpus step's findings on
    its documents (`_batch_templates`), if they were looked up with its batch's."""
    clock = _Clock(timings)
    rel = rel_of(unit)
    utf8 = None  # a plain-text file's text as the UTF-8 bytes it holds (`read_text_utf8`), if it holds them
    if read is not None:
        docs, notices = read
    else:
        docs, notices, utf8 = clock("read", _read_unit, src, unit, config)
        # (as pass 1 read them: a text file a previous run made from HTML is an extracted article)
        docs = _as_articles(docs, key_of(unit))
    if read is None and (len(docs) != len(analyses) or not all(
            _unchanged(d, utf8, a) for d, a in zip(docs, analyses))):
        raise InputError(rel, "changed while it was being cleaned (it differs between the two passes); "
                              "skipped: run again on a folder nobody writes to")
    if renames:  # names another piece of the same file had taken first (see clean)
        docs = [replace(d, id=renames[i]) if i in renames else d for i, d in enumerate(docs)]
    results = [finish_document(doc, a, config, timings, corpus, first + i, records=config.annotate,
                               templates=None if templates is None else templates[i], utf8=utf8)
               for i, (doc, a) in enumerate(zip(docs, analyses))]
    written = None
    if not dry_run and isinstance(unit, Piece):
        changed = any(r.dropped or r.cleaned != d.text for d, (r, _) in zip(docs, results))
        part = clock("write", write_piece, src, unit, docs, [r for r, _ in results], config,
                     _STATE["scratch"] / "parts" / _parts_folder(rel))
        written = (part, changed)
    elif not dry_run:
        written = clock("write", write_cleaned, src, dst, rel, docs, [r for r, _ in results], config)
    # (The results stay in this process: the batch's report part carries what the parent needs of them.)
    return unit, results, notices, written


def _parts_folder(rel: str) -> str:
    """The scratch folder name of a file's parts: a path's hash, never the path (no folders to make in it)."""
    import hashlib

    return hashlib.sha1(rel.encode("utf-8")).hexdigest()


def _run(fn, batches: list, state: dict, jobs: int, pool: _Pool | None = None) -> Iterator:
    """fn over batches, in order: in this process, or in a pool of `jobs` workers (`pool`, the run's, which a pass
    that finishes leaves to the next; without it, one of its own that ends with the pass)."""
    with _collector_for_batches():
        if jobs <= 1 or len(batches) <= 1:
            _init_worker(state)
            yield from map(fn, batches)
            return
        own = pool is None
        pool = _Pool() if own else pool
        finished = False
        try:
            yield from pool.imap(fn, batches, state, jobs)
            finished = True
        finally:
            if own or not finished:
                pool.end(finished)


class _Pool:
    """A run's process pool: forked for the first pass that runs in one, and kept for the next, whose state its
    workers load from a file in the scratch folder (`_pass_task`) rather than from a new fork of this process.

    A forked worker's first batch paid for the pages it shares with this process (copy-on-write faults of the
    reference counts, the heap), both workers at once; a second pool paid that again, and its fork, once the
    corpus step was done (measured: see docs/core.md, speed21)."""

    def __init__(self) -> None:
        self.pool = None
        self.workers: set = set()  # the pool's worker processes (`_watched`)
        self.before: set = set()  # this process's children before the pool (`_end_pool`)
        self.passes = 0

    def imap(self, fn, batches: list, state: dict, jobs: int) -> Iterator:
        """fn over batches in the pool, results in order; the pool forked with `state` if it is not yet, else
        the workers given `state` through a file before their next batch."""
        self.passes += 1
        if self.pool is None:
            self._fork(state, jobs)
            tasks = [(fn, None, batch) for batch in batches]
        else:
            shipped = RunState(state["scratch"]).path("workers", self.passes)
            atomic_write(shipped, pickle.dumps(_shipped(state), protocol=pickle.HIGHEST_PROTOCOL), make_folder=False)
            tasks = [(fn, str(shipped), batch) for batch in batches]
        return _watched(self.pool.imap(_pass_task, tasks), self.workers)

    def _fork(self, state: dict, jobs: int) -> None:
        ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        _ended_pools()  # (no fork while another thread ends a pool: the child would get that thread's locks)
        self.before = set(multiprocessing.active_children())
        # Ctrl-C and SIGTERM wait while the workers are forked: one arriving between a fork and the worker's
        # initializer ran the parent's handler in the child, which printed a traceback. Blocked, it waits for
        # the initializer (which sets the worker's own handlers, then unblocks), and in the parent for the
        # caller's `try`, whose `finally` ends the pool.
        masked = _block_stops()
        try:
            self.pool = ctx.Pool(jobs, initializer=_init_pool_worker, initargs=(state,))
        finally:
            _unblock_stops(masked)
        self.workers = set(multiprocessing.active_children()) - self.before

    def end(self, finished: bool) -> None:
        """End the pool (`_end_pool`), if there is one: in the background once every result is in."""
        if self.pool is not None:
            pool, self.pool = self.pool, None
            _end_pool(pool, finished, self.before)


def _shipped(state: dict) -> dict:
    """A pass's worker state as a pool forked earlier receives it: the corpus step's answers without what
    only this process reads of them (`Corpus.shipped`)."""
    corpus = state.get("corpus")
    return state if corpus is None else {**state, "corpus": corpus.shipped()}


def _pass_task(task: tuple) -> object:
    """A pool's task: (fn, the file of the pass's state or None for the state the pool was forked with, batch);
    a worker loads a pass's state once, before its first batch of that pass."""
    fn, shipped, batch = task
    if shipped is not None and _STATE.get("shipped") != shipped:
        with open(shipped, "rb") as f:
            _init_worker({**pickle.load(f), "pooled": True, "shipped": shipped})
    return fn(batch)


def _watched(results, workers: set) -> Iterator:
    """A pool's results, waited for a moment at a time, checking that no worker has died meanwhile.

    A wait without a timeout is not woken by a signal another thread of this
    process happens to receive (SIGTERM went unnoticed); and a worker killed
    (SIGKILL when out of memory) takes its batch with it, which the pool would
    wait for forever.
    """
    while True:
        try:
            yield results.next(timeout=POOL_POLL_SECONDS)
        except StopIteration:
            return
        except multiprocessing.TimeoutError:
            dead = sorted(w.exitcode for w in workers if w.exitcode is not None)
            if not dead:
                continue
            if dead[0] == -signal.SIGTERM:
                raise Terminated() from None
            how = f"was killed by signal {-dead[0]}" if dead[0] < 0 else f"exited with status {dead[0]}"
            raise RunFailed(f"a worker process {how} (out of memory?); the batch it held is lost") from None


def _end_pool(pool, finished: bool, before: set) -> None:
    """End a process pool: Pool.terminate once every result is in, else without waiting on it.

    A run that stops early may have lost workers to SIGTERM (a scheduler
    signals the whole process group), one of them maybe holding a lock of the
    pool's queues or halfway through writing a result; Pool.terminate then
    waits for it forever. So every worker (the children that appeared with the
    pool, and those it started since) is killed, and terminate runs in a
    thread given a few seconds: it runs once either way, so the pool's exit
    handler does not wait for it again.
    """
    if finished:
        # In the background: waiting for the workers to exit took 3-9 ms a pool (the main process's CPU in it
        # under 1 ms), which the corpus step and the report now overlap (`_ended_pools`).
        ender = threading.Thread(target=pool.terminate, name="dedupe-pool-end")
        ender.start()
        _ENDING.append(ender)
        return
    for child in set(multiprocessing.active_children()) - before:
        child.kill()
    ender = threading.Thread(target=pool.terminate, daemon=True)
    ender.start()
    ender.join(POOL_STOP_SECONDS)


#: Pools of finished passes that a thread is ending (`_end_pool`).
_ENDING: list[threading.Thread] = []


def _ended_pools() -> None:
    """Wait until the pools ending in the background have ended: before another pool is forked, and before a run
    returns (it leaves no process of its own behind)."""
    while _ENDING:
        _ENDING.pop().join()


@contextmanager
def _collector_for_batches():
    """Python's cycle collector set for the batches, then put back as it was.

    A batch makes a few hundred thousand small containers that die young and
    hold no cycles, and the default collector traverses young objects every
    700 of them and, now and then, every object the process holds: 40-50 µs a
    document (6% of a run, measured on the benchmark corpus). What exists
    before the batches (modules, the corpus step's answers) is frozen, never
    traversed again, and a forked worker's collector does not write to the
    pages it shares with this process; young objects are collected a hundred
    times less often.
    """
    threshold = gc.get_threshold()
    ours = gc.get_freeze_count() == 0  # a caller that froze objects of its own keeps them frozen
    if ours:
        gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if ours:
            gc.unfreeze()


def clean(
    src: str | Path,
    dst: str | Path,
    config: Config | None = None,
    *,
    report: str | Path | None = None,
    dry_run: bool = False,
    force: bool = False,
    resume: bool = False,
    progress: Callable[..., None] | None = None,
    scheduler: str | None = None,
    against: tuple | list = (),
    **settings,
) -> RunReport:
    """Clean every document under src into dst and write the report; returns the run's report.

    Settings are a `Config`, keyword arguments named as its fields
    (`clean(src, dst, keep="none", jobs=2)`), or both (the keywords win).
    `against`: earlier runs' OUT or report folders; a document that duplicates
    one of theirs is dropped, named in duplicate_of with its run.
    Raises UsageError or ConfigError before anything is written; a file that
    cannot be read is skipped, named in the report, and the run goes on.
    A local run keeps its state in dst until it is complete (`dedupe.resume`):
    `resume` finishes a run that was killed, redoing only the batches it had
    not completed, with the same output; `force` starts over.
    With `scheduler` ('local', or a Dask scheduler's tcp://HOST:PORT) the batches
    run as Dask tasks (`dedupe.engine`); EngineError if the cluster cannot finish,
    and then OUT holds nothing from this run.
    """
    config = with_settings(config, settings)
    progress = _progress_of(progress)
    forget_folders()
    # A local path stays a Path; an fsspec URL (s3://bucket/prefix) becomes a RemotePath (dedupe.fs).
    src, dst = place(src, "IN"), place(dst, "OUT")
    report_dir = place(report, "--report") if report is not None else dst / REPORT_DIRNAME
    local = not any(isinstance(p, RemotePath) for p in (src, dst, report_dir))
    if resume:
        _check_resumable(force, dry_run, scheduler, local)
        # Killed before it had written its state: it had written nothing else either, so it starts over.
        force, resume = (False, True) if has_state(dst) else (True, False)
    check_paths(src, dst, report_dir, force or resume)
    against = [against] if isinstance(against, (str, Path)) else list(against)
    # Read before --force may remove anything: only the earlier runs' signatures, never their corpus.
    earlier = load_earlier(against, config, refuse=(dst, report_dir))
    jobs = config.jobs or os.cpu_count() or 1
    check_processes((src, dst, report_dir), jobs, scheduler)
    engine = _open_engine(scheduler, jobs, src) if scheduler else None
    # Workers on other machines do not share this process's working directory: give them absolute paths.
    where = src.resolve() if engine is not None else src
    # A local run that writes OUT keeps its state there, batch by batch, so that it can be resumed.
    resumable = engine is None and not dry_run and local
    # A run that fails takes away the folders it made and left empty (a Dask run leaves OUT as it found it).
    made = [f for f in (dst, report_dir) if local and not f.exists()]
    try:
        if force:
            remove_previous_output(dst, report_dir)
        if resume:  # what the killed run's processes were writing
            remove_temporaries(dst)
            if report_dir.is_dir():
                remove_temporaries(report_dir)
        elif not dry_run and engine is None:
            # Marked as ours, and incomplete, from the start: after an interrupted run `--force` may replace it.
            # (A Dask run stages its output and moves it into OUT only when every task succeeded.)
            _mark(dst, [], complete=False)
        run = open_report(report_dir)
    except BaseException:
        if engine is not None:
            engine.close()
        _remove_if_empty(made)
        raise
    started = time.perf_counter()
    written: list[str] = []
    extracted: list[str] = []  # the written files whose text is an extracted article (see ARTICLE)
    scratch: Path | None = None
    state: RunState | None = None
    pool = _Pool()  # the local process pool both passes run in (`_run`)
    run.engine = engine.describe() if engine is not None else {"name": "local", "workers": jobs}
    run.against = [str(a) for a in against]
    try:
        files: list[str] = []
        for item in list_inputs(src, config):
            if isinstance(item, Notice):
                run.add_notice(item)
            else:
                files.append(item)
        run.files_read = len(files)
        # Large record files cut into pieces that go to the workers as batches of small files do (local runs;
        # --annotate writes whole files).
        units = plan(src, files, config) if engine is None and not config.annotate else files
        total, done, documents = 2 * len(units), 0, 0
        hashers = (MinHasher(config.num_perm, config.seed), MinHasher(config.block_num_perm, config.seed))
        # Pass 1: signatures to this process, findings to the scratch folder (the run's state folder in OUT).
        batches = _batches(units, run.engine["workers"], alone(src, files))
        if resumable:
            here = run_settings(config, src, report_dir, against)
            if resume:
                state, sizes = RunState.reopen(dst, here, fingerprint(src, files))
                batches = _cut(units, sizes)  # the killed run's batches: their numbers name its files
            else:
                state = RunState.start(dst, here, fingerprint(src, files), [len(b) for _, b in batches])
            scratch = state.folder
        elif engine is not None:
            scratch = engine.scratch(dst)
        else:
            scratch = Path(tempfile.mkdtemp(prefix="dedupe-scratch-"))
        table = SigTable(config.num_perm)
        pass2: list[tuple[int, list[tuple[str, int, int]]]] = []
        articles = _previous_articles(src)
        shared = {"src": where, "dst": dst, "config": config, "hashers": hashers, "scratch": scratch,
                  "articles": articles, "resumable": resumable}
        pieces = _PiecesOfFile()  # a file cleaned in pieces: all of them are cleaned, or none
        signed = _resumed(state, "sign", batches,
                          lambda todo: _map(engine, _sign_batch, todo, shared, jobs, "sign", pool))
        pages = Counter()
        for number, (out, timings) in enumerate(signed):
            pages.update({key: timings.pop(key, 0) for key in (PAGES, PAGES_CUT)})
            run.timings.update(timings)
            # The batch's files that were read, and their DocSigs, added to the table at once (`at`: the next
            # document's index in it).
            ok, runs, at = [], [], len(table.ids)
            for rel, sigs, failure in out:
                if isinstance(rel, Piece):
                    table.extend(runs)
                    runs = []
                    pieces.add(rel, number, sigs, failure, table, pass2, run)
                    at = len(table.ids)
                elif failure is not None:
                    run.add_notice(failure)
                else:
                    ok.append((rel, at, len(sigs)))
                    runs.append(sigs)
                    at += len(sigs)
                done += 1
                documents += len(sigs)
            table.extend(runs)
            if ok:
                pass2.append((number, ok))
            if progress:
                progress(done, total, documents)
        hint = _extracted_hint(pages[PAGES], pages[PAGES_CUT])
        if hint:
            run.hints.append(hint)
        # The corpus step.
        start = time.perf_counter()
        # An engine that kept the keys where pass 1 ran (the Dask shuffles) groups and counts them there.
        pairs, count_keys = engine.shuffled() if engine is not None else (None, None)
        corpus = build_corpus(table, config, pairs, count_keys, earlier, _signature_saver(run, config))
        del earlier
        del table
        run.timings["corpus"] += time.perf_counter() - start
        run.clusters = corpus.clusters
        run.corpus_stats = corpus.stats
        # Pass 2: clean and write.
        if state is not None:
            state.outputs(_outputs([rel_of(unit) for _, ok in pass2 for unit, *_ in ok], config))
        out_dir = engine.staging(dst) if engine is not None and not dry_run else dst
        shared = {"src": where, "dst": out_dir, "config": config, "corpus": corpus, "dry_run": dry_run,
                  "scratch": scratch, "resumable": resumable, "articles": articles}
        done = 2 * len(units) - sum(len(ok) for _, ok in pass2)  # files that failed in pass 1 are not read again
        parts: list = []  # a file's pieces' parts, joined into its cleaned copy once its last piece is done
        cleaned = _resumed(state, "clean", pass2,
                           lambda todo: _map(engine, _clean_batch, todo, shared, jobs, "clean", pool))
        for out, timings, part in cleaned:
            run.timings.update(timings)
            run.merge(part)  # (its documents' report, in their order; the notices are a list of their own)
            for rel, _, notices, was_written in out:
                for n in notices:
                    run.add_notice(n)
                if isinstance(rel, Piece):
                    parts.append(was_written)
                    was_written = None
                    if rel.last:
                        start = time.perf_counter()
                        was_written = _join_pieces(where, out_dir, rel, parts, scratch, dry_run,
                                                   keep=state is not None)
                        run.timings["write"] += time.perf_counter() - start
                        parts = []
                if was_written:
                    run.files_written += 1
                    # A writer names the file it wrote, or the files (--annotate: a copy and its annotations).
                    files_made = [was_written] if isinstance(was_written, str) else was_written
                    written.extend(files_made)
                    if not config.annotate and (config.extracted or from_html(rel_of(rel), files_made[0])
                                                or rel_of(rel) in articles):
                        extracted.extend(files_made)
            done += len(out)
            documents += sum(n for _, n, *_ in out)
            if progress:
                progress(done, total, documents)
        pool.end(True)  # (in the background, while the report is written)
        if engine is not None and not dry_run:
            engine.commit(written)
        run.timings["total"] = time.perf_counter() - started
        # The report, then OUT's marker saying it is complete, then the state a resume would need goes.
        run.finish(run.summary(config, __version__, src, dst, dry_run))
        if not dry_run:
            _mark(dst, sorted(written), complete=True, articles=sorted(extracted))
        if state is not None:
            state.remove()
    except BaseException:
        run.abort()
        if engine is not None:
            engine.discard()
        raise
    finally:
        pool.end(False)
        _ended_pools()
        if engine is not None:
            engine.close()  # first: once the client is gone, the cluster starts none of this run's tasks again
        if scratch is not None and state is None:
            remove_tree(scratch)  # a local temporary folder, or a Dask run's inside OUT (maybe at a URL)
        if sys.exc_info()[0] is not None:
            _remove_if_empty(made)
    return run


def _progress_of(progress: Callable | None) -> Callable[[int, int, int], None] | None:
    """progress called as (steps done, steps, documents read), or as (done, total) if it takes two arguments (as
    it did before documents were counted)."""
    if progress is None:
        return None
    try:
        params = inspect.signature(progress).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: the old form
        return lambda done, total, documents: progress(done, total)
    if any(p.kind is p.VAR_POSITIONAL for p in params) or sum(
            p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params) >= 3:
        return progress
    return lambda done, total, documents: progress(done, total)


def _remove_if_empty(folders: list[Path]) -> None:
    """Delete the folders a failed run made, if nothing but empty folders is in them (the report folder first:
    it may be inside OUT)."""
    for folder in reversed(folders):
        if folder.is_dir() and not any(files for _, _, files, _ in walk(folder)):
            remove_tree(folder)


def _outputs(rels: list[str], config: Config) -> list[str]:
    """Every file pass 2 may write for the input files `rels` (`_may_write`), sorted, each once. The inputs come
    in their listing's order, which is their names' for the usual file (its copy has its name), so the sort has
    little to do, and the names are made distinct after it, not by a set, whose order the sort would then undo
    (10,000 files: 9-11 ms, between the passes, where no worker runs)."""
    if config.annotate:
        outs = [name for rel in rels for name in _may_write(rel, config)]
    else:
        outs = [out for rel in rels for out in output_rels(rel)]
    outs.sort()
    return list(dict.fromkeys(outs))


def _may_write(rel: str, config: Config) -> list[str]:
    """The files pass 2 may write for an input file: its copy, and with --annotate the annotations beside it."""
    return [name for out in output_rels(rel)
            for name in ([out, out + SIDECAR] if config.annotate and format_of(rel) != "jsonl" else [out])]


def _check_resumable(force: bool, dry_run: bool, scheduler: str | None, local: bool) -> None:
    """Refuse --resume where there is no run state to resume from (UsageError saying why)."""
    why = ("--force (--resume finishes an interrupted run, --force starts over: pick one)" if force
           else "--dry-run (it writes no OUT, so it leaves nothing to resume)" if dry_run
           else "--scheduler (a Dask run that fails leaves OUT as it found it: run it again)" if scheduler
           else "a URL for IN, OUT or --report (only a local run keeps its state in OUT)" if not local else "")
    if why:
        raise UsageError(f"--resume cannot be used with {why}")


def _mark(dst: Path, files: list[str], complete: bool, articles: list[str] = ()) -> None:
    """OUT's marker: the files a run wrote there (so --force can delete them), whether it finished, and which
    of them hold an extracted article's text."""
    marker = {"tool": "dedupe", "version": __version__, "complete": complete, "files": files,
              "articles": list(articles)}
    atomic_write(dst / MARKER, (json.dumps(marker, indent=1) + "\n").encode())


def _resumed(state: RunState | None, stage: str, batches: list, run: Callable[[list], Iterator]) -> Iterator:
    """Each batch's result in batch order: loaded where an interrupted run completed it, else made by `run`
    over the batches left (which it runs in the background, in order; loaded too where a pool worker saved
    it and sent None)."""
    if state is None:
        yield from run(batches)
        return
    complete = {number for number, _ in batches if state.done(stage, number)}
    fresh = run([b for b in batches if b[0] not in complete])
    for number, _ in batches:
        # (None: a pool worker saved the result, which is loaded from its file rather than sent: `_saved`)
        result = None if number in complete else next(fresh)
        yield state.load(stage, number) if result is None else result
    next(fresh, None)  # run to its end: its process pool ends now, not when the generator is collected


def _cut(units: list, sizes: list[int]) -> list[tuple[int, list]]:
    """Files (or pieces) cut into numbered batches of the given sizes (an interrupted run's, from its state)."""
    out, at = [], 0
    for number, size in enumerate(sizes):
        out.append((number, units[at : at + size]))
        at += size
    return out


class _PiecesOfFile:
    """Pass 1's results for the pieces of one file, taken in piece by piece as they come (in file order), so
    that the parent never holds a shard's signatures as objects: each piece's documents go to the corpus
    table and pass 2 at once. If a piece could not be read, what the file's earlier pieces added is taken back
    and the file is skipped whole, as a file that cannot be read is.

    Names are made unique across the file's pieces as a file read whole makes them: an id that an earlier
    piece had taken gets a suffix (`FILE#ID@2`), which pass 2 gives the document too.
    """

    def __init__(self) -> None:
        self.start = (0, 0)  # the table's and pass 2's lengths before the file's first piece
        self.taken = _Taken(Names(), 0)
        self.failures: list[Notice] = []

    def add(self, piece: Piece, number: int, sigs: list, failure: Notice | None, table: SigTable, pass2: list,
            run: RunReport) -> None:
        if piece.index == 0:
            self.start, self.failures = (len(table.ids), len(pass2)), []
            self.taken = _Taken(table.ids, len(table.ids))
        if failure is not None:
            if not self.failures:
                table.truncate(self.start[0])
                del pass2[self.start[1]:]
            self.failures.append(failure)
        elif not self.failures:
            renames: dict[int, str] = {}
            first = len(table.ids)
            for i, sig in enumerate(sigs):
                name, k = sig.id, 1
                while name in self.taken:
                    k += 1
                    name = f"{sig.id}@{k}"
                self.taken.add(name)
                if name != sig.id:
                    renames[i] = name
                table.add(sig, name)
            pass2.append((number, [(piece, first, len(sigs), renames)]))
        if piece.last:
            for notice in self.failures:
                run.add_notice(notice)
            self.taken, self.failures = _Taken(Names(), 0), []


class _Taken:
    """The names given so far to one file's documents (`names[start:]`, the corpus table's), as a set would
    answer `in`: by their 64-bit hashes (8 bytes a name, a file may hold millions of records), and only when a
    hash is there already by the names themselves, made a set from then on (a file whose ids repeat)."""

    #: Hashes kept in a set until there are this many, then merged into the sorted array.
    RECENT = 1 << 16

    def __init__(self, names: Names, start: int):
        self.names, self.start = names, start
        self.sorted = np.empty(0, np.int64)
        self.recent: set[int] = set()
        self.exact: set[str] | None = None

    def __contains__(self, name: str) -> bool:
        if self.exact is not None:
            return name in self.exact
        h = hash(name)
        if h not in self.recent:
            at = int(np.searchsorted(self.sorted, h))
            if at == len(self.sorted) or self.sorted[at] != h:
                return False
        self.exact = set(self.names[self.start:])
        return name in self.exact

    def add(self, name: str) -> None:
        """Take a name (the caller adds it to `names` too)."""
        if self.exact is not None:
            self.exact.add(name)
            return
        self.recent.add(hash(name))
        if len(self.recent) >= self.RECENT:
            self.sorted = np.union1d(self.sorted, np.fromiter(self.recent, np.int64, len(self.recent)))
            self.recent = set()


def _join_pieces(src: Path, dst: Path, last: Piece, parts: list, scratch: Path, dry_run: bool,
                 keep: bool = False) -> str | None:
    """The cleaned copy of a file cleaned in pieces, once every piece is done; None if one failed (its notice
    says why) or in a dry run."""
    try:
        if dry_run or len(parts) != last.count or not all(parts):
            return None
        return assemble(src, dst, last.rel, [p for p, _ in parts], any(changed for _, changed in parts))
    finally:
        if not keep:  # a resumable run's are in its state: a resume replays this join, and goes with the state
            remove_tree(scratch / "parts" / _parts_folder(last.rel))


def with_settings(config: Config | None, settings: dict) -> Config:
    """A Config with keyword settings applied over it (ConfigError for an unknown one, with a did-you-mean)."""
    config = config or Config()
    if not settings:
        return config
    return Config.from_mapping({**config.to_json(), **settings}, source="settings")


def _signature_saver(run: RunReport, config: Config) -> Callable | None:
    """What keeps the run's signatures in its report folder (for a later --against), if it has one."""
    if run.folder is None:
        return None
    # Under a pending name until the run finishes: a run that fails later leaves no signatures in its report.
    return lambda *arrays: run.pending.extend(save_signatures(run.folder, config, *arrays, prefix=run.PENDING))


def _open_engine(scheduler: str, jobs: int, src: Path):
    """The Dask engine for `scheduler`, once it has checked that its workers can read src."""
    from .engine import open_engine

    engine = open_engine(scheduler, jobs)
    try:
        engine.check_paths(src.resolve())
    except BaseException:
        engine.close()
        raise
    return engine


def _map(engine, fn, batches: list, state: dict, jobs: int, stage: str, pool: _Pool | None = None) -> Iterator:
    """fn over batches, results in order: on the engine if there is one, else here or in the local `pool`."""
    if engine is None:
        return _run(fn, batches, state, jobs, pool)
    return engine.map(fn, batches, state, stage)


def _batches(items: list, workers: int = 1, alone: set[str] = frozenset()) -> list[tuple[int, list]]:
    """Items cut into numbered batches (the number names the batch's scratch file), at least 8 per worker
    while they hold BATCH items or more; a piece of a large record file, and a record file in `alone`, is a
    batch of its own (it holds as many documents as a batch of files). Output does not depend on the cut: a
    batch is signed as its documents are one by one, and results are gathered in file order.

    With several workers the last batches shrink (each about a 2 x workers-th of the items left, down to
    BATCH): a pass ends when its last batch does, and the other workers wait for it meanwhile; with batches of
    BATCH_MAX to the end, they waited about half a batch a pass (25-50 ms on the 10k benchmark corpus)."""
    single = [isinstance(item, Piece) or item in alone for item in items]
    size = max(BATCH, min(BATCH_MAX, (len(items) - sum(single)) // (8 * max(workers, 1))))
    left = len(items) - sum(single)  # items left to batch, but for those batched alone
    share = 2 * workers if workers > 1 else 0
    batches: list[list] = [[]]
    cap = size
    for item, one in zip(items, single):
        if one or len(batches[-1]) == cap:
            batches.append([])
        if not batches[-1] and share:
            cap = min(size, max(BATCH, -(-left // share)))
        batches[-1].append(item)
        if one:
            batches.append([])
        else:
            left -= 1
    return list(enumerate(b for b in batches if b))


class _Clock:
    """Calls a stage function and adds its time to the run's per-stage timings."""

    def __init__(self, timings: Counter | None):
        self.timings = timings

    def __call__(self, stage: str, fn, *args):
        if self.timings is None:
            return fn(*args)
        start = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.timings[stage] += time.perf_counter() - start
