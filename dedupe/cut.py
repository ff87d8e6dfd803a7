"""Cut and encode: a document's cleaned copy, its diff and its report lines, from its decided removals.

One core call per document (`_core.finish`, crates/dedupe-core/src/finish.rs) does the per-line and
per-removal work: which lines stay (`kept_lines`' blank-line rule), the hunks of changes.diff and the reason
each names, the removals.jsonl and allowed.jsonl lines, and the review page's row with the kept lines
around each cut. What crosses is columns of plain values, never a record per block; texts cross as UTF-8
bytes with lone surrogates passed through (`surrogatepass`), so every line comes back as it went in.
"""
from __future__ import annotations

from typing import NamedTuple

from . import _core
from .records import Ref, Removal
from .text import quote_path


class Claim(NamedTuple):
    """A decided removal, or a block the allow-list kept (`entry`: its "FILE:LINE"), as the core takes it."""

    lines: tuple[int, int]
    category: str
    detector: str
    score: float
    duplicate_of: Ref | None
    hash: int | None  # the block's normalized hash, its key on the page (None: a whole document's, made from it)
    entry: str | None = None


class Cut(NamedTuple):
    """What pass 2 writes for one document: its cleaned text, diff, report lines and removal records."""

    cleaned: str
    out_chars: int
    diff: str
    #: (removals.jsonl lines, allowed.jsonl lines, page row, files pointed at, per removal (category, block
    #: hash or None, characters), allowed categories): `DocResult.report`.
    report: tuple
    removals: list[Removal]
    allowed: list[tuple[Removal, str]]


def _columns(rel: str, claims: list[Claim]) -> tuple:
    """Claims as the core's columns; a reference to another file carries its name as the diff quotes it."""
    refs = [None if (d := c.duplicate_of) is None else
            (d.file, d.file if d.file == rel else quote_path(d.file), d.lines[0], d.lines[1], d.run) for c in claims]
    return ([c.lines[0] for c in claims], [c.lines[1] for c in claims], [c.category for c in claims],
            [c.detector for c in claims], [c.score for c in claims], refs, [c.hash for c in claims],
            [c.entry for c in claims])


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def cut(rel: str, text: str, removals: list[Claim], allowed: list[Claim] = (), encoding: str = "utf-8",
        records: bool = False, page: str = "") -> Cut:
    """Cut a document's removals (in block order) from its text and encode its part of the report.

    Removed lines go into the diff as the file's own bytes when its encoding is
    not UTF-8 (ASCII-compatible ones: a UTF-16 file's lines would not mix), so
    `patch` applies it. `records`: also make the Removal records (the API and
    --annotate want them; a run's report does not). `page`: the kind of page
    it was read as, which the review page's row names ("" for none).
    """
    diff_text = None
    if removals and encoding not in ("utf-8", "utf-8-sig") and _ascii_compatible(encoding):
        diff_text = text.encode(encoding)
    cleaned, out_chars, diff, lines, allowed_lines, row, spans, keys = _core.finish(
        rel, (quote_path("a/" + rel), quote_path("b/" + rel)), text.encode("utf-8", "surrogatepass"), diff_text,
        _columns(rel, removals), _columns(rel, allowed), page)
    claims = [*removals, *allowed]
    counts = [(c.category, None if c.category == "duplicate-document" else key, b - a)
              for c, (a, b), key in zip(removals, spans, keys)]
    targets = sorted({c.duplicate_of.file for c in claims if c.duplicate_of is not None})
    report = (_text(lines), _text(allowed_lines), _text(row), targets, counts, [c.category for c in allowed])
    made: list[Removal] = []
    if records:
        made = [Removal(rel, c.lines, c.category, c.detector, c.score, c.duplicate_of, text[a:b])
                for c, (a, b) in zip(claims, spans)]
    return Cut(
        cleaned=text if cleaned is None else _text(cleaned),
        out_chars=out_chars,
        # Like `diff -u`, the removed lines of a file in another encoding carry its own bytes: surrogate
        # escapes here, which the report writes out as the original bytes.
        diff=diff.decode("utf-8", "surrogateescape") if diff_text is not None else _text(diff),
        report=report,
        removals=made[: len(removals)],
        allowed=[(r, c.entry) for r, c in zip(made[len(removals):], allowed)],
    )


def _ascii_compatible(encoding: str) -> bool:
    """Whether a codec writes ASCII as ASCII (cp1252, latin-1...), unlike UTF-16, whose lines would not mix."""
    try:
        return "a\n".encode(encoding) == b"a\n"
    except (LookupError, UnicodeError):
        return False
