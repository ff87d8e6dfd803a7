"""Cut and encode: a document's cleaned copy, its diff and its report lines, from its decided removals.

One core call per document (`_core.finish`, crates/dedupe-core/src/finish.rs) does the per-line and
per-removal work: which lines stay (`kept_lines`' blank-line rule), the hunks of changes.diff and the reason
each names, the removals.jsonl and allowed.jsonl lines, and the review page's row with the kept lines
around each cut. What crosses is columns of plain values, never a record per block; texts cross as UTF-8
bytes with lone surrogates passed through (`surrogatepass`), so every line comes back as it went in.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from . import _core
from .config import Config
from .decide import Found, allow_entries, finding_at, floors
from .records import Ref, Removal
from .text import needs_quoting, quote_path


class Claim(NamedTuple):
    """A decided removal, or a block the allow-list kept (`entry`: its "FILE:LINE"), as the core takes it."""

    lines: tuple[int, int]
    category: str
    detector: str
    score: float
    duplicate_of: Ref | None
    hash: int | None  # the block's normalized hash, its key on the page (None: a whole document's, made from it)
    entry: str | None = None


class Tally(NamedTuple):
    """A document's removals as the report counts them (`finish::Tally` in the core): per category in order of
    first appearance (category, how many, their characters); per removal its key (`array("Q")` bytes, 0 for a
    whole document) and its category's rank in `categories` (one byte each; `report.html.NO_KEY`: a whole
    duplicate document, which has no block key)."""

    categories: list[tuple[str, int, int]]
    keys: bytes
    ranks: bytes


class Cut(NamedTuple):
    """What pass 2 writes for one document: its cleaned text, diff, report lines and removal records."""

    cleaned: str
    out_chars: int
    #: Its hunks of changes.diff as the file holds them (UTF-8; a file in another encoding's removed lines in
    #: its own bytes): bytes from the core to the report file, never decoded and encoded again.
    diff: bytes
    #: (removals.jsonl lines, allowed.jsonl lines, page row, as UTF-8 bytes like the diff; files pointed at,
    #: the removals' tally (`Tally`), allowed categories): `DocResult.report`.
    report: tuple
    removals: list[Removal]
    allowed: list[tuple[Removal, str]]
    #: `cleaned` as UTF-8 bytes, when the text was handed over as its UTF-8 bytes (`utf8`), else None.
    cleaned_utf8: bytes | None = None


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
        records: bool = False, page: str = "", utf8: bytes | None = None) -> Cut:
    """Cut a document's removals (in block order) from its text and encode its part of the report.

    Removed lines go into the diff as the file's own bytes when its encoding is
    not UTF-8 (ASCII-compatible ones: a UTF-16 file's lines would not mix), so
    `patch` applies it. `records`: also make the Removal records (the API and
    --annotate want them; a run's report does not). `page`: the kind of page
    it was read as, which the review page's row names ("" for none). `utf8`: the text as UTF-8 bytes,
    if the caller has them (then not encoded again, and the Cut carries its cleaned copy's bytes too).
    """
    out = _core.finish(*finish_args(rel, text, removals, allowed, encoding, page, utf8))
    targets = sorted({c.duplicate_of.file for c in (*removals, *allowed) if c.duplicate_of is not None})
    return _made(rel, text, out, [c.category for c in removals],
                 [c.category for c in allowed], targets, lambda: (removals, allowed) if records else None, utf8)


def finish_args(rel: str, text: str, removals: list[Claim], allowed: list[Claim] = (), encoding: str = "utf-8",
                page: str = "", utf8: bytes | None = None) -> tuple:
    """`cut`'s arguments as the core's `finish` takes them (and `finish_batch`, a tuple a document): the
    removals' columns are the fifth, the allowed blocks' the sixth."""
    return (rel, _heads(rel), text.encode("utf-8", "surrogatepass") if utf8 is None else utf8,
            _diff_text(text, encoding) if removals else None, _columns(rel, removals), _columns(rel, allowed), page)


def cut_found(rel: str, text: str, found: Found, spans, hashes, config: Config, encoding: str = "utf-8",
              records: bool = False, page: str = "", utf8: bytes | None = None) -> Cut:
    """Decide a document's findings (`decide`) and cut them, in one core call: as `cut`, from the columns.

    `spans` and `hashes` are its blocks' (first, last) lines and normalized hashes; the allow-list is
    consulted when the configuration has one. No object is made per finding or per removal unless
    `records` asks for the Removal records.
    """
    args = found_args(rel, text, found, spans, hashes, config, encoding, page, utf8)
    labels, entries = args[4], args[7][2]
    out, removed, kept = _core.decide_finish(*args)
    targets = sorted({labels[file] for *_, file in (*removed, *kept) if file >= 0})

    def claims():
        if not records:
            return None
        made = [[Claim(spans[b], f.category, f.detector, f.score, f.duplicate_of, hashes[b],
                       entries[k] if entries is not None and group is kept else None)
                 for b, k, f in ((b, k, finding_at(found, k, b, keeps)) for b, k, keeps, *_ in group)]
                for group in (removed, kept)]
        return made[0], made[1]

    return _made(rel, text, out, [labels[v[3]] for v in removed],
                 [labels[v[3]] for v in kept], targets, claims, utf8)


def found_args(rel: str, text: str, found: Found, spans, hashes, config: Config, encoding: str = "utf-8",
               page: str = "", utf8: bytes | None = None, blocks: tuple[bytes, bytes] | None = None) -> tuple:
    """`cut_found`'s arguments as the core's `decide_finish` takes them (and `decide_finish_batch`, a tuple a
    document): the labels are the fifth, the findings' columns with their allow-list entries the eighth. `blocks`:
    the same spans and hashes as the bytes of pass 1's scratch file (`decide_finish_batch` takes either)."""
    labels = found.labels
    return (rel, _heads(rel), text.encode("utf-8", "surrogatepass") if utf8 is None else utf8,
            _diff_text(text, encoding) if found.size else None, labels,
            labels if not _needs_quoting(labels) else [label if label == rel else quote_path(label) for label in labels],
            floors(labels, config),
            (found.ints, found.scores, allow_entries(found, config, hashes) if config.allow and found.size else None),
            *((spans, hashes) if blocks is None else blocks), page)


@lru_cache(maxsize=4096)
def _needs_quoting(labels: tuple[str, ...]) -> bool:
    """`needs_quoting` of a document's labels, remembered: most documents name a tuple of labels another one
    named (1.0 µs a document of the 10k benchmark corpus to search them again)."""
    return needs_quoting(labels)


class Batched(NamedTuple):
    """One document's pass 2 from `cut_batch`: as a `Cut` without the records and the decoded copy."""

    #: The cleaned copy's UTF-8 bytes (lone surrogates as `surrogatepass` writes them); None: nothing removed.
    cleaned: bytes | None
    out_chars: int
    diff: bytes
    report: tuple


def cut_batch(docs: list[tuple]) -> list[Batched]:
    """`cut_found` on a batch of documents, given as their `found_args`, in one core call: per document its
    cleaned copy's bytes, its diff and its report lines (`Cut.report`); no Cut, no object per removal. Raises
    `CoreError` when the core fails on any of them (the caller then cuts them one by one)."""
    return [_batched(args[4], done) for args, done in zip(docs, _core.decide_finish_batch(docs))]


def _batched(labels: tuple[str, ...], done: tuple) -> Batched:
    """A document's `Batched` from the core's answer on it (`decide_finish_batch`'s), which names its categories
    and the files it points at by its `labels`."""
    cleaned, out_chars, diff, lines, allowed_lines, row, (tally, keys, ranks), targets, allowed = done
    report = (lines, allowed_lines, row, sorted([labels[t] for t in targets]) if targets else [],
              Tally([(labels[c], n, chars) for c, n, chars in tally], keys, ranks), [labels[c] for c in allowed])
    return Batched(cleaned, out_chars, diff, report)


def cut_plain(docs: list[tuple], labels: list[tuple[str, ...]],
              label_floors: list[tuple[float | None, ...]]) -> list[tuple[Batched, int] | None]:
    """`cut_batch` on plain-text files from their bytes as read again (`_core.plain_batch`: the decoding's and
    the digest's checks, deciding, cutting): per file its `Batched` and its text's characters, or None for a file
    to read and cut as before (not plain UTF-8, blank, or changed since pass 1). `docs`: per file (its name,
    bytes, pass 1's digest, its label tuple's index in `labels`, its findings' ints and scores, the corpus
    step's, its blocks' spans and hashes as bytes, its page kind, whether it is a duplicate that goes whole,
    its removal as its one finding); `label_floors`: per label tuple its floors (`floors`). Names and labels
    must need no quoting (`needs_quoting`), and the configuration no allow-list. Raises `CoreError` when the
    core fails on any."""
    done = _core.plain_batch(docs, labels, label_floors)
    return [None if d is None else (_batched(labels[args[3]], d[0]), d[1]) for args, d in zip(docs, done)]


def cut_claimed(docs: list[tuple]) -> list[Batched]:
    """`cut` on a batch of documents, given as their `finish_args`, in one core call (`cut_batch`'s, for
    removals already decided: pass 2's whole duplicate documents)."""
    out = []
    for args, (cleaned, out_chars, diff, lines, allowed_lines, row, (tally, keys, ranks), *_) in zip(
            docs, _core.finish_batch(docs)):
        removals, allowed = args[4], args[5]
        targets = sorted({ref[0] for ref in (*removals[5], *allowed[5]) if ref is not None})
        report = (lines, allowed_lines, row, targets,
                  Tally([(removals[2][first], n, chars) for first, n, chars in tally], keys, ranks), allowed[2])
        out.append(Batched(cleaned, out_chars, diff, report))
    return out


def _heads(rel: str) -> tuple[str, str]:
    """The diff's file headers."""
    return quote_path("a/" + rel), quote_path("b/" + rel)


def _diff_text(text: str, encoding: str) -> bytes | None:
    """The text in its own encoding for the diff, when that is not UTF-8 but writes ASCII as ASCII."""
    return text.encode(encoding) if _own_bytes(encoding) else None


def _own_bytes(encoding: str) -> bool:
    """Whether a document's diff carries its removed lines in its own encoding's bytes rather than UTF-8."""
    return encoding not in ("utf-8", "utf-8-sig") and _ascii_compatible(encoding)


def diff_str(diff: bytes, encoding: str) -> str:
    """A document's diff (`Cut.diff`) as text: a file in another encoding keeps its own bytes as surrogate
    escapes, which `surrogateescape` writes out as they were (like `diff -u`)."""
    return diff.decode("utf-8", "surrogateescape" if _own_bytes(encoding) else "surrogatepass")


def _made(rel: str, text: str, out, categories: list[str], allowed_categories: list[str], targets: list[str],
          claims, utf8: bytes | None = None) -> Cut:
    """The Cut of the core's answer (`finish`): `categories` of the removals and of the allowed blocks, the
    files they point at, and `claims()`, the (removals, allowed) claims when records are wanted, else None;
    `utf8`: the text's UTF-8 bytes, if the core was given them (the Cut then has its cleaned copy's too)."""
    cleaned, out_chars, diff, lines, allowed_lines, row, spans, _, (tally, keys, ranks) = out
    # (the tally names each category by its first removal)
    report = (lines, allowed_lines, row, targets,
              Tally([(categories[first], n, chars) for first, n, chars in tally], keys, ranks), allowed_categories)
    made: list[Removal] = []
    wanted = claims()
    removals, allowed = wanted if wanted is not None else ([], [])
    if wanted is not None:
        made = [Removal(rel, c.lines, c.category, c.detector, c.score, c.duplicate_of, text[a:b])
                for c, (a, b) in zip([*removals, *allowed], spans)]
    return Cut(
        cleaned=text if cleaned is None else _text(cleaned),
        out_chars=out_chars,
        diff=diff,
        report=report,
        removals=made[: len(removals)],
        allowed=[(r, c.entry) for r, c in zip(made[len(removals):], allowed)],
        cleaned_utf8=None if utf8 is None else utf8 if cleaned is None else cleaned,
    )


def _ascii_compatible(encoding: str) -> bool:
    """Whether a codec writes ASCII as ASCII (cp1252, latin-1...), unlike UTF-16, whose lines would not mix."""
    try:
        return "a\n".encode(encoding) == b"a\n"
    except (LookupError, UnicodeError):
        return False
