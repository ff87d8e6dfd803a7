"""The frozen records that flow between stages: documents, blocks, findings, removals."""
from __future__ import annotations

from dataclasses import dataclass, field


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
        return dict(self.meta).get(key, default)


@dataclass(frozen=True)
class Block:
    """A paragraph: 1-based inclusive line span in its document, and its text (lines joined by spaces)."""

    index: int
    first_line: int
    last_line: int
    text: str

    @property
    def lines(self) -> tuple[int, int]:
        return (self.first_line, self.last_line)


@dataclass(frozen=True)
class Ref:
    """What a removed block or document duplicates: a file and a line span."""

    file: str
    lines: tuple[int, int]

    def to_json(self) -> dict:
        return {"file": self.file, "lines": list(self.lines)}


@dataclass(frozen=True)
class Finding:
    """One detector's claim that a block should go, with the reason a reviewer will read."""

    block: int
    category: str
    detector: str
    score: float
    duplicate_of: Ref | None = None
    note: str = ""


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
    #: The kept lines around each cut, for the review page; made where the cleaned text still is (the worker).
    context: list | None = None
