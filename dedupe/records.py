"""The frozen records that flow between stages: documents, blocks, findings, removals."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np


@dataclass(frozen=True)
class Document:
    """One document: its id (relative path, or path#line for JSONL), its text and where it came from."""

    id: str
    text: str
    format: str = "txt"
    encoding: str = "utf-8"
    meta: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str | None = None) -> str | None:
        """Metadata value by key (title, url, host...)."""
        # (a plain-text file's document has none, and is asked about five times a run: no dict made for it)
        return dict(self.meta).get(key, default) if self.meta else default


class Block(NamedTuple):
    """A paragraph: 1-based inclusive line span in its document, and its text (lines joined by spaces).

    A named tuple rather than a dataclass: segmenting makes one per
    line of most pages, and a tuple is made in C, in one object.
    """

    index: int
    first_line: int
    last_line: int
    text: str

    @property
    def lines(self) -> tuple[int, int]:
        return (self.first_line, self.last_line)


@dataclass(frozen=True)
class Ref:
    """What a removed block or document duplicates: a file and a line span, and the earlier run (--against)
    it belongs to if it is not this run's."""

    file: str
    lines: tuple[int, int]
    run: str = ""

    def __reduce__(self):  # pickled as a call with its fields: smaller and faster than a dataclass's state
        return (Ref, (self.file, self.lines, self.run))

    def to_json(self) -> dict:
        out = {"file": self.file, "lines": list(self.lines)}
        if self.run:
            out["run"] = self.run
        return out


@dataclass(frozen=True)
class Finding:
    """One detector's claim that a block should go, with the reason a reviewer will read."""

    block: int
    category: str
    detector: str
    score: float
    duplicate_of: Ref | None = None
    note: str = ""

    def __init__(self, block: int, category: str, detector: str, score: float, duplicate_of: Ref | None = None,
                 note: str = ""):
        # Detectors make a score of these per document: filling the instance's dict at once costs less than
        # half of the six frozen-dataclass setattr calls of the generated __init__ (kept out by this one).
        # A new field goes here too: a test checks that this signature matches the fields.
        self.__dict__.update(block=block, category=category, detector=detector, score=score,
                             duplicate_of=duplicate_of, note=note)

    def __reduce__(self):  # pass 1 spills millions of findings to disk: as a call with its fields
        return (Finding, (self.block, self.category, self.detector, self.score, self.duplicate_of, self.note))


@dataclass(frozen=True)
class Removal:
    """A decided removal: one line of removals.jsonl."""

    file: str
    lines: tuple[int, int]
    category: str
    detector: str
    score: float
    duplicate_of: Ref | None
    text: str

    def __init__(self, file: str, lines: tuple[int, int], category: str, detector: str, score: float,
                 duplicate_of: Ref | None, text: str):
        # One per removed block, as Finding's (see there); a test checks it against the fields.
        self.__dict__.update(file=file, lines=lines, category=category, detector=detector, score=score,
                             duplicate_of=duplicate_of, text=text)

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "lines": list(self.lines),
            "category": self.category,
            "detector": self.detector,
            "score": round(self.score, 4),
            "duplicate_of": self.duplicate_of.to_json() if self.duplicate_of else None,
            "text": self.text,
        }


@dataclass(frozen=True)
class Allowed:
    """A block a detector claimed but the allow-list kept: one line of allowed.jsonl."""

    removal: Removal  # what would have been removed, and why
    entry: str  # the allow-list line that kept it, "FILE:LINE"

    def to_json(self) -> dict:
        return {**self.removal.to_json(), "allow": self.entry}


@dataclass(frozen=True)
class Notice:
    """Something a reviewer should know about one input: a failure (skipped) or a warning (handled)."""

    file: str
    message: str
    failed: bool = True


@dataclass(frozen=True)
class CountedNotice(Notice):
    """A notice that counts one file's things by reason (a web archive's records skipped: request records (40),
    responses not HTML (12)...). A file read in pieces gives one a piece; the report merges those of a file
    into one (`merged`), so that a file of a thousand pieces says it once."""

    what: str = ""  # what is counted, after the total: "records skipped, not pages"
    counts: tuple[tuple[str, int], ...] = ()  # (reason, how many), most first

    @classmethod
    def of(cls, file: str, what: str, counts: dict[str, int], failed: bool = False) -> "CountedNotice":
        ordered = tuple(sorted(((k, n) for k, n in counts.items() if n), key=lambda kn: (-kn[1], kn[0])))
        total = sum(n for _, n in ordered)
        message = f"{total} {what}: " + ", ".join(f"{reason} ({n})" for reason, n in ordered)
        return cls(file, message, failed, what, ordered)

    def merged(self, other: "CountedNotice") -> "CountedNotice":
        """This notice and another of the same file and `what`, counted as one."""
        counts = dict(self.counts)
        for reason, n in other.counts:
            counts[reason] = counts.get(reason, 0) + n
        return CountedNotice.of(self.file, self.what, counts, self.failed)


@dataclass
class DocResult:
    """What cleaning one document produced: its removals, its cleaned text and its sizes."""

    file: str
    removals: list[Removal] = field(default_factory=list)
    cleaned: str | None = None
    in_chars: int = 0
    out_chars: int = 0
    in_blocks: int = 0
    dropped: bool = False
    allowed: list[Allowed] = field(default_factory=list)
    #: --annotate: what the annotated copy says of the document (`annotate.annotation`); made and written in
    #: the worker.
    annotation: dict | None = None
    #: Its lines of the report files and counts (`cut.Cut.report`), made in the worker with its cleaned copy:
    #: removals and allowed blocks travel to the parent only in this form.
    report: tuple | None = None
    #: The kind of page it was read as (`Analysis.page`), which the report shows beside its removals.
    page: str = ""
    #: `cleaned` as UTF-8 bytes, when pass 2 had the text as the UTF-8 bytes of a plain-text file (the core's
    #: own output, or those bytes if nothing went): the writer does not encode the text again.
    cleaned_utf8: bytes | None = field(default=None, repr=False, compare=False)


#: An Analysis's arrays, with the type each is kept in (and pickled in: see `Analysis.__reduce__`).
ANALYSIS_ARRAYS = (("keys", np.uint64), ("owner", np.int32), ("kind", np.uint8))


@dataclass(frozen=True)
class Analysis:
    """Pass 1's within-document results for one document: everything pass 2 needs but the text itself.

    Pass 1 segments, signs and runs the within-document detectors once;
    pass 2 reads the text again only to cut lines and write, adding what the
    corpus step found. Held on disk between the passes (a few hundred bytes).
    """

    digest: int  # xxh3 of the text: pass 2 refuses a file that changed in between
    spans: tuple[tuple[int, int], ...]  # (first_line, last_line) of each block
    findings: "Found"  # the within-document detectors' findings, as columns (`decide.Found`)
    hashes: tuple[int, ...]  # normalized hash of each block (allow-list, review page keys)
    keys: np.ndarray  # uint64 short-block keys (see sign.short_block_keys) ...
    owner: np.ndarray  # int32 ... the block of each key ...
    kind: np.ndarray  # uint8 ... and its kind (0 text, 1 digits folded, 2 band)
    long: tuple[bool, ...]  # per block: longer than corpus_max_words (an article paragraph)
    page: str = ""  # the kind of page it was read as (`detect.page_kind`; "" when the detectors did not run)

    def __init__(self, digest: int, spans: tuple[tuple[int, int], ...], findings: "Found",
                 hashes: tuple[int, ...], keys: np.ndarray, owner: np.ndarray, kind: np.ndarray,
                 long: tuple[bool, ...], page: str = ""):
        # As Finding's (see there); a test checks it against the fields.
        self.__dict__.update(digest=digest, spans=spans, findings=findings, hashes=hashes, keys=keys, owner=owner,
                             kind=kind, long=long, page=page)

    def __reduce__(self):
        # Every document's goes through the scratch file: its arrays as raw bytes in their declared types cost
        # a third less to pickle and load than numpy's own pickling (a bytearray, so they load writable).
        return (_analysis, (self.digest, self.spans, self.findings, self.hashes,
                            *(bytearray(np.ascontiguousarray(getattr(self, name), dtype))
                              for name, dtype in ANALYSIS_ARRAYS), self.long, self.page))


def _analysis(digest, spans, findings, hashes, keys: bytearray, owner: bytearray, kind: bytearray, long,
              page: str = "") -> Analysis:
    """An Analysis from its pickled form (see `Analysis.__reduce__`)."""
    return Analysis(digest, spans, findings, hashes, *(np.frombuffer(data, dtype) for data, (_, dtype) in
                                                       zip((keys, owner, kind), ANALYSIS_ARRAYS)), long, page)

