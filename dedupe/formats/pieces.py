"""Large record files cut into pieces, so that records, not files, are the unit of work.

A JSONL file over PIECE_BYTES is cut at line ends about every PIECE_BYTES; a
Parquet or Arrow file into runs of row groups or record batches of at least
PIECE_ROWS rows (a row group is never split: it is Parquet's unit of reading
and the cleaned copy keeps it); a web archive (WARC, WET) where a record (or
its gzip member) starts, PIECE_BYTES or more apart (`warc.piece_spans`). Each
piece goes to a worker as a batch of small files does: pass 1 reads and signs
its records alone, pass 2 cleans them into a part file, and once every piece
of the file is done the parts are joined, in order, into the cleaned copy.
Memory is bounded by the pieces in flight, never by the size of a shard.

The cut depends only on the file (its bytes, its row groups), never on the
number of workers, and a piece's records are the records the whole file has,
numbered the same: the output is the same for any --jobs and the same as the
file cleaned whole. Compressed files, JSON arrays and files at a URL are read
whole (a compressed stream cannot be entered in its middle), but for a web
archive compressed a gzip member a record, as WARC files are.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..fs import RemotePath
from ..records import DocResult, Document, Notice
from ..write import atomic_stream, output_path
from . import format_of
from .source import compression_of

#: A JSONL piece's size: about 300 documents of the benchmark corpus (3.4 KB each), as many as a batch of
#: small files holds.
PIECE_BYTES = 1 << 20
#: A Parquet or Arrow piece's least number of rows.
PIECE_ROWS = 256
#: A record file read whole (compressed, a JSON array, or under PIECE_BYTES) of this size or more is a batch of
#: its own: sixty-four such files in one batch would hand one worker most of a corpus.
ALONE_BYTES = 64 << 10
_RECORD_FORMATS = ("jsonl", "json", "parquet", "arrow", "warc")
#: The formats `_spans` cuts into pieces.
_CUT_FORMATS = ("jsonl", "parquet", "arrow", "warc")


@dataclass(frozen=True)
class Piece:
    """Part `index` of `count` of the record file `rel`: bytes (JSONL) or row groups / batches [start, stop),
    whose first record is number `first` in the file."""

    rel: str
    index: int
    count: int
    start: int
    stop: int
    first: int

    @property
    def key(self) -> str:
        """A name unique among a run's units (a file's relative path never holds a NUL)."""
        return f"{self.rel}\0{self.index}"

    @property
    def last(self) -> bool:
        return self.index == self.count - 1


def rel_of(unit) -> str:
    """The input file a unit of work (a relative path, or a Piece) belongs to."""
    return unit.rel if isinstance(unit, Piece) else unit


def key_of(unit) -> str:
    return unit.key if isinstance(unit, Piece) else unit


def plan(src: Path, rels: list[str], config: Config) -> list:
    """The units of work: each file's relative path, or the Pieces of a large record file, in file order."""
    units: list = []
    local = not isinstance(src, RemotePath)
    for rel in rels:
        spans = None
        # (only a record file is ever cut: a plain file goes by with a look at its name)
        # (a web archive compressed a gzip member a record can be entered at a member: `warc.piece_spans`)
        if local and format_of(rel) in _CUT_FORMATS and (not compression_of(rel) or format_of(rel) == "warc"):
            try:
                spans = _spans(src, rel, config)
            except Exception:  # noqa: BLE001 - a file that cannot be planned is read whole, and its error said then
                spans = None
        if not spans:
            units.append(rel)
            continue
        units.extend(Piece(rel, i, len(spans), start, stop, first) for i, (start, stop, first) in enumerate(spans))
    return units


def alone(src: Path, rels: list[str]) -> set[str]:
    """The record files read whole that are large enough to be a batch of their own (local files only)."""
    if isinstance(src, RemotePath):
        return set()
    out = set()
    for rel in rels:
        if format_of(rel) in _RECORD_FORMATS:
            try:
                if os.path.getsize(os.path.join(src, rel)) >= ALONE_BYTES:
                    out.add(rel)
            except OSError:
                pass  # read, and reported, as any file
    return out


def _spans(src: Path, rel: str, config: Config) -> list[tuple[int, int, int]] | None:
    fmt = format_of(rel)
    if fmt == "jsonl":
        return _line_spans(os.path.join(src, rel))
    if fmt in ("parquet", "arrow"):
        from .columnar import piece_spans

        return piece_spans(src, rel, config, PIECE_ROWS)
    if fmt == "warc":
        from .warc import piece_spans

        return piece_spans(src, rel, config, PIECE_BYTES)
    return None


def _line_spans(path: str) -> list[tuple[int, int, int]] | None:
    """Byte spans of PIECE_BYTES or more that end at a line end, with the number of each one's first line."""
    if os.path.getsize(path) <= PIECE_BYTES:
        return None
    spans, start, first, lines, pos = [], 0, 1, 0, 0
    with open(path, "rb") as f:
        while chunk := f.read(PIECE_BYTES):
            end = chunk.rfind(b"\n")
            if pos + len(chunk) - start >= PIECE_BYTES and end >= 0:
                spans.append((start, pos + end + 1, first))
                first += lines + chunk.count(b"\n", 0, end + 1)
                start, lines = pos + end + 1, 0  # (no line ends after `end`)
            else:
                lines += chunk.count(b"\n")
            pos += len(chunk)
    if start < pos:
        spans.append((start, pos, first))
    return spans if len(spans) > 1 else None


def read_piece(src: Path, piece: Piece, config: Config) -> tuple[list[Document], list[Notice]]:
    """The documents of one piece, named and numbered as in the whole file."""
    if format_of(piece.rel) == "jsonl":
        from .jsonl import read_jsonl_piece

        return read_jsonl_piece(src, piece, config)
    if format_of(piece.rel) == "warc":
        from .warc import read_warc_piece

        return read_warc_piece(src, piece, config)
    from .columnar import read_columnar

    return read_columnar(src, piece.rel, config, piece)


def write_piece(src: Path, piece: Piece, docs: list[Document], results: list[DocResult], config: Config,
                parts: Path) -> Path:
    """A piece's part of the cleaned copy, into the folder `parts`; the part file's path."""
    part = parts / f"{piece.index:08d}.part"
    if format_of(piece.rel) == "jsonl":
        from .jsonl import write_jsonl_piece

        write_jsonl_piece(src, piece, docs, results, config, part)
    elif format_of(piece.rel) == "warc":
        from .warc import write_warc_piece

        write_warc_piece(src, piece, docs, results, config, part)
    else:
        from .columnar import write_columnar_piece

        write_columnar_piece(src, piece, docs, results, config, part)
    return part


def assemble(src: Path, dst: Path, rel: str, parts: list[Path], changed: bool) -> str:
    """The cleaned copy of a file cleaned in pieces, from its parts in order (the input's bytes if nothing
    changed, as a file cleaned whole is copied); the relative path written."""
    if format_of(rel) == "warc":
        from .warc import assemble_warc

        return assemble_warc(src, dst, rel, parts, changed)
    target = output_path(dst, rel)
    if not changed:
        with open(os.path.join(src, rel), "rb") as f, atomic_stream(target) as out:
            shutil.copyfileobj(f, out, 1 << 20)
    elif format_of(rel) == "jsonl":
        with atomic_stream(target) as out:
            for part in parts:
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 20)
    else:
        from .columnar import assemble_columnar

        assemble_columnar(src, dst, rel, parts)
    return rel
