"""JSONL corpora: one document per line, the record's text field; the cleaned copy keeps every line's place.

A cleaned record is the input line with only the text field's value replaced:
every other field keeps its bytes (key order, spacing, number formatting,
escapes). A record whose text is unchanged is copied byte for byte; a record
found to duplicate another document is left out. A line that is not a JSON
object, or has no string text field, is reported with its line number and
copied unchanged, so nothing else in the file is lost. `--text-field` and
`--id-field` may name a nested field (`content.text`, see `fields`).

Documents are named ``FILE#LINE``, or ``FILE#ID`` with --id-field. The id is a
name in the report and nothing else: it never becomes a path.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..config import Config
from ..records import DocResult, Document, Notice
from ..write import atomic_write, output_file
from . import fields
from .rows import Row, cleaned_text, documents, text_of
from .source import compress, read_content, read_range

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class Line(Row):
    """One line of a JSONL file: a `Row` with its bytes (ending included)."""

    raw: bytes = b""


def scan(rel: str, data: bytes, config: Config, first: int = 1) -> Iterator[Line]:
    """Every line of a JSONL file (or of its piece whose first line is number `first`), parsed, with a problem
    stated for a line that is not a document."""
    start, number = 0, first - 1
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        raw = data[start:end]
        start = end
        number += 1
        where = f"line {number}"
        body = (raw[3:] if number == 1 and raw.startswith(b"\xef\xbb\xbf") else raw).rstrip(b"\r\n")
        if not body.strip():
            yield Line(number, where, raw=raw)
            continue
        try:
            record = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError as e:
            yield Line(number, where, problem=f"not UTF-8 (byte 0x{body[e.start]:02x} at column {e.start + 1})", raw=raw)
            continue
        except json.JSONDecodeError as e:
            at = f"{e.msg} column {e.colno}" if e.msg.endswith(" at") else f"{e.msg} at column {e.colno}"
            yield Line(number, where, problem=f"not valid JSON ({at})", raw=raw)
            continue
        text, problem = text_of(record, config)
        yield Line(number, where, record if isinstance(record, dict) else None, text, problem, raw=raw)


def read_jsonl(src: Path, rel: str, config: Config) -> tuple[list[Document], list[Notice]]:
    """One document per record with a text field; a notice, with its line number, for every other line."""
    data = read_content(src, rel, config.max_doc_mb << 20)
    return documents(rel, scan(rel, data, config), config, "jsonl", "line")


def read_jsonl_piece(src: Path, piece, config: Config) -> tuple[list[Document], list[Notice]]:
    """The documents of a piece of a JSONL file (`dedupe.formats.pieces`): its lines only are read."""
    data = read_range(src, piece.rel, piece.start, piece.stop, config.max_doc_mb << 20)
    return documents(piece.rel, scan(piece.rel, data, config, piece.first), config, "jsonl", "line")


def write_jsonl(
    src: Path, dst: Path, rel: str, docs: list[Document], results: list[DocResult], config: Config
) -> str | None:
    """The cleaned JSONL file: every line in its place, cleaned texts spliced in, duplicates left out."""
    data = read_content(src, rel, config.max_doc_mb << 20)
    atomic_write(output_file(dst, rel), compress(rel, cleaned_lines(rel, data, 1, docs, results, config)))
    return rel


def write_jsonl_piece(src: Path, piece, docs: list[Document], results: list[DocResult], config: Config, part) -> None:
    """A piece of the cleaned JSONL file, to the file `part` (the pieces are joined in order once all are done)."""
    data = read_range(src, piece.rel, piece.start, piece.stop, config.max_doc_mb << 20)
    atomic_write(part, cleaned_lines(piece.rel, data, piece.first, docs, results, config))


def cleaned_lines(rel: str, data: bytes, first: int, docs: list[Document], results: list[DocResult],
                  config: Config) -> bytes:
    """JSONL lines (the first numbered `first`) cleaned: cleaned texts spliced in, duplicates left out."""
    by_line = {int(doc.get("line")): (doc, result) for doc, result in zip(docs, results)}
    path = fields.parse(config.text_field)
    out: list[bytes] = []
    for line in scan(rel, data, config, first):
        hit = by_line.get(line.number)
        if hit is None:
            out.append(line.raw)
            continue
        doc, result = hit
        if result.dropped:
            continue
        if result.cleaned == doc.text:
            out.append(line.raw)
            continue
        out.append(replace_field(line.raw, path, cleaned_text(doc, result.cleaned)))
    return b"".join(out)


def replace_field(raw: bytes, path: tuple[str, ...], value: str) -> bytes:
    """A JSON object (a line, or an array's element) with the value at `path` replaced and every other byte kept."""
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = raw[len(bom) :].decode("utf-8")
    start, end = value_span(text, path)
    old = text[start:end]
    if json.loads(old) == value:
        # Unchanged: its own bytes (a raw DEL beside a \u escape would otherwise come back escaped as \u007f).
        return raw
    # Keep the record's escaping style: \\u escapes if it used them for this field.
    ascii_only = old.isascii() and "\\u" in old
    return bom + (text[:start] + json.dumps(value, ensure_ascii=ascii_only) + text[end:]).encode("utf-8")


def value_span(text: str, path: tuple[str, ...], pos: int = 0) -> tuple[int, int]:
    """Where the value at a field path sits in a JSON object's text, the object starting at `pos`.

    At each level the field's last occurrence, as json.loads reads it.
    """
    span = (pos, len(text))
    for name in path:
        span = _member_span(text, span[0], name)
    return span


def _member_span(text: str, pos: int, field: str) -> tuple[int, int]:
    """Where one member's value sits in the JSON object that starts at `pos` (white space before it allowed)."""
    i = _WS.match(text, pos).end()
    if text[i : i + 1] != "{":
        raise ValueError("not a JSON object")
    i = _WS.match(text, i + 1).end()
    span = None
    while text[i : i + 1] == '"':
        key, i = json.decoder.scanstring(text, i + 1)
        i = _WS.match(text, i).end()
        if text[i : i + 1] != ":":
            raise ValueError(f"expected ':' at column {i + 1}")
        i = _WS.match(text, i + 1).end()
        _, end = _DECODER.raw_decode(text, i)
        if key == field:
            span = (i, end)
        i = _WS.match(text, end).end()
        if text[i : i + 1] == ",":
            i = _WS.match(text, i + 1).end()
    if span is None:
        raise ValueError(f"no field {field!r}")
    return span
