"""Decide: one verdict per block from all findings (which lines the cleaned copy keeps is `cut`'s).

The deciding itself runs in the core (crates/dedupe-core/src/decide.rs), over a document's findings as
columns (`Found`): which finding removes each block (the most specific reason: a repeat, then a near repeat,
then a corpus repeat, then the highest score), which blocks the allow-list kept, and every same-document
reference settled onto a block that is kept. Here: the columns, and the rules the configuration sets, as data.
"""
from __future__ import annotations

import math
import sys
from array import array
from typing import NamedTuple

import numpy as np

from . import _core
from .config import Config
from .records import Finding, Ref, Removal

#: Integers per finding in `Found.ints`: block, category, detector (labels), 1 if the score is an int, the
#: referenced file's label (-1: none), its first and last line, its run's label.
INTS = 8
_NO_REF = (-1, 0, 0, 0)


class Found(NamedTuple):
    """A document's findings as columns: no object per finding crosses from pass 1 to pass 2.

    `labels` are the strings the findings name (categories, detectors, referenced files and runs);
    `ints` holds INTS little-endian int64 per finding, `scores` one float64.
    """

    labels: tuple[str, ...]
    ints: bytes
    scores: bytes

    @property
    def size(self) -> int:
        """How many findings."""
        return len(self.scores) // 8

    def joined(self, other: "Found") -> "Found":
        """These findings, then other's, whose labels were numbered after these (`template_found`'s offset)."""
        if not other.size:
            return self
        return Found(self.labels + other.labels, self.ints + other.ints, self.scores + other.scores)


def found_of(findings: list[Finding]) -> Found:
    """Findings as columns (their notes, which nothing after pass 1 reads, left out)."""
    return found_columns([f.block for f in findings], [(f.category, f.detector, f.score, f.duplicate_of)
                                                       for f in findings])


def found_columns(blocks: list[int], parts: list[tuple]) -> Found:
    """Findings as columns from per finding its block and its (category, detector, score, reference): the core's
    chrome findings become columns this way with no `Finding` made (`chrome.chrome_pages`)."""
    index: dict[str, int] = {}
    at = index.setdefault  # (a label's number is how many came before it)
    ints: list[int] = []
    for block, (category, detector, score, d) in zip(blocks, parts):
        # An int score is written without a point (json), so whether it was one crosses too.
        ints += (block, at(category, len(index)), at(detector, len(index)), isinstance(score, int),
                 *(_NO_REF if d is None else (at(d.file, len(index)), d.lines[0], d.lines[1], at(d.run, len(index)))))
    return Found(tuple(index), _le_bytes("q", ints), _le_bytes("d", [p[2] for p in parts]))


def template_found(blocks: list[int], detectors: tuple[str, ...], kinds: list[int], scores: list[float],
                   category: str, offset: int) -> Found:
    """Findings of one category and no reference as columns, their labels numbered from `offset` (the labels
    of the findings they will be joined to): per finding its block, its detector (an index into `detectors`)
    and its float score (the corpus step's template findings)."""
    ints: list[int] = []
    for block, kind in zip(blocks, kinds):
        ints += (block, offset, offset + 1 + kind, 0, *_NO_REF)
    return Found((category, *detectors), _le_bytes("q", ints), _le_bytes("d", scores))


def _le_bytes(typecode: str, values) -> bytes:
    """Values as little-endian int64 (`typecode` "q") or float64 ("d") bytes, as `np.array(values, "<i8")` and
    `"<f8"` give them: `array` makes them in a fraction of numpy's per-call cost on the few dozen values of a
    document's findings (pass 1 makes them for every document)."""
    out = array(typecode, values)
    if _BIG_ENDIAN:
        out.byteswap()
    return out.tobytes()


_BIG_ENDIAN = sys.byteorder == "big"


def floor_of(category: str, config: Config) -> float | None:
    """The score under which a finding of a category does not remove its block; None when --only/--skip leave
    the category out (or it is none of CATEGORIES and not wanted)."""
    floor = config.score_floors.get(category)
    if floor is not None:
        return floor
    if not config.wants(category):
        return None
    return config.chrome_threshold if category.startswith("chrome:") else -math.inf


def floors(labels: tuple[str, ...], config: Config) -> tuple[float | None, ...]:
    """Per label (as a category) its floor (`floor_of`)."""
    # Asked for every document, twice a run: a document's labels are most often a tuple another document had
    # (the 10k benchmark corpus's 18,486 calls name 27 tuples), looked up whole (0.8 -> 0.2 µs a call);
    # otherwise the labels that recur (categories, detectors) are remembered one by one. Both up to a bound
    # (the names of referenced files recur little, and a corpus has millions).
    whole = config._tuple_floors.get(labels)
    if whole is not None:
        return whole
    known = config._label_floors
    out = []
    for label in labels:
        floor = known.get(label, _UNKNOWN)
        if floor is _UNKNOWN:
            floor = floor_of(label, config)
            if len(known) < _KNOWN_LABELS:
                known[label] = floor
        out.append(floor)
    whole = tuple(out)
    if len(config._tuple_floors) < _KNOWN_LABELS and isinstance(labels, tuple):
        config._tuple_floors[labels] = whole
    return whole


_UNKNOWN = object()
_KNOWN_LABELS = 4096


def decide(found: Found, config: Config) -> dict[int, str]:
    """The category that removes each removed block, before the allow-list (pass 1's signing body)."""
    labels = found.labels
    return {block: labels[c] for block, c in _core.decide(labels, floors(labels, config), found.ints, found.scores)}


def removed_blocks(findings: list[Found], blocks: list[int], config: Config) -> list[int]:
    """`decide` on a batch of documents (their findings, how many blocks each has) in one core call: the blocks
    their cleaned copies remove, numbered through the batch (a document's after those before it), in order. Each
    distinct tuple of labels crosses once, with its floors."""
    tuples: dict[tuple[str, ...], int] = {}
    docs = []
    for found, n in zip(findings, blocks):
        index = tuples.get(found.labels)
        if index is None:
            index = tuples[found.labels] = len(tuples)
        docs.append((index, n, found.ints, found.scores))
    return _core.decide_batch(list(tuples), [floors(t, config) for t in tuples], docs)


def allow_entries(found: Found, config: Config, hashes) -> list[str | None]:
    """Per finding the allow-list entry ("FILE:LINE") that keeps its block from its category, or None."""
    labels = found.labels
    ints = np.frombuffer(found.ints, np.int64).reshape(-1, INTS)
    return [config.allowed(labels[c], hashes[b]) for b, c in ints[:, :2].tolist()]


def finding_at(found: Found, k: int, block: int, keeps_ref: bool) -> Finding:
    """Finding k of the columns as a record, on `block` (a settled reference's), its reference dropped if not
    `keeps_ref` (the API and --annotate want records; a run's report does not)."""
    labels = found.labels
    b, c, d, whole, file, first, last, run = np.frombuffer(found.ints, np.int64)[k * INTS:(k + 1) * INTS].tolist()
    score = float(np.frombuffer(found.scores, np.float64)[k])
    ref = Ref(labels[file], (first, last), labels[run]) if file >= 0 and keeps_ref else None
    return Finding(block, labels[c], labels[d], int(score) if whole else score, ref)


def duplicate_verdict(doc_id: str, text: str, n_lines: int, dup, config: Config) -> Removal | None:
    """The removal of a whole duplicate document (None if it is kept or --skip duplicate-document).

    `dup` is the corpus step's answer (a `corpus.Duplicate` or None); the removal
    spans the whole file and names the kept document in duplicate_of (and its
    run, when it is an earlier run's).
    """
    if dup is None or not config.wants("duplicate-document") or n_lines == 0:
        return None
    return Removal(
        file=doc_id,
        lines=(1, n_lines),
        category="duplicate-document",
        detector=f"duplicate-document:{dup.how}",
        score=dup.score,
        duplicate_of=Ref(dup.kept, (1, max(1, dup.kept_lines)), dup.run),
        text=text.rstrip("\r\n"),
    )
