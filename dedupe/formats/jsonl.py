"""JSONL corpora: one document per line, the record's text field; the cleaned copy keeps every line's place.

A cleaned record is the input line with only the text field's value replaced:
every other field keeps its bytes (key order, spacing, number formatting,
escapes). A record whose text is unchanged is copied byte for byte; a record
found to duplicate another document is left out. A line that is not a JSON
object, or has no string text field, is reported with its line number and
copied unchanged, so nothing else in the file is lost.

Documents are named ``FILE#LINE``, or ``FILE#ID`` with --id-field. The id is a
name in the report and nothing else: it never becomes a path.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from ..config import Config
from ..records import DocResult, Document, Notice
from ..write import atomic_write, output_path
from .source import compress, decompress, read_bytes

#: Bad lines reported one by one per file; past this, one notice counts the rest.
MAX_LINE_NOTICES = 20
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class Line:
    """One line of a JSONL file: its number, its bytes (ending included) and what it holds."""

    number: int
    raw: bytes
    record: dict | None = None
    text: str | None = None
    problem: str | None = None


def scan(rel: str, data: bytes, config: Config) -> Iterator[Line]:
    """Every line of a JSONL file, parsed, with a problem stated for a line that is not a document."""
    field = config.text_field
    start, number = 0, 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        raw = data[start:end]
        start = end
        number += 1
        body = (raw[3:] if number == 1 and raw.startswith(b"\xef\xbb\xbf") else raw).rstrip(b"\r\n")
        if not body.strip():
            yield Line(number, raw)
            continue
        try:
            record = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError as e:
            yield Line(number, raw, problem=f"not UTF-8 (byte 0x{body[e.start]:02x} at column {e.start + 1})")
            continue
        except json.JSONDecodeError as e:
            where = f"{e.msg} column {e.colno}" if e.msg.endswith(" at") else f"{e.msg} at column {e.colno}"
            yield Line(number, raw, problem=f"not valid JSON ({where})")
            continue
        if not isinstance(record, dict):
            yield Line(number, raw, problem=f"not a JSON object (a {type(record).__name__})")
            continue
        text = record.get(field)
        if not isinstance(text, str):
            fields = ", ".join(sorted(record)[:8]) or "none"
            what = f"no {field!r} field" if field not in record else f"{field!r} is not a string"
            hint = " (try --text-field)" if field not in record else ""
            yield Line(number, raw, record, problem=f"{what}; fields: {fields}{hint}")
            continue
        yield Line(number, raw, record, text)


def read_jsonl(src: Path, rel: str, config: Config) -> tuple[list[Document], list[Notice]]:
    """One document per record with a text field; a notice, with its line number, for every other line."""
    data = decompress(rel, read_bytes(src, rel))
    docs: list[Document] = []
    notices: list[Notice] = []
    bad: list[Line] = []
    taken: set[str] = set()
    missing_id = 0
    for line in scan(rel, data, config):
        if line.problem:
            bad.append(line)
            continue
        if line.text is None:
            continue
        name, has_id = _name(rel, line, config, taken)
        missing_id += bool(config.id_field) and not has_id
        taken.add(name)
        meta = [("line", str(line.number))]
        url = line.record.get("url")
        if isinstance(url, str) and url.strip():
            meta.append(("url", _printable(url)))
            host = _host(url)
            if host:
                meta.append(("host", host))
        title = line.record.get("title")
        if isinstance(title, str) and title.strip():
            meta.append(("title", _printable(title)))
        docs.append(Document(id=name, text=line.text, format="jsonl", encoding="utf-8", meta=tuple(meta)))
    for line in bad[:MAX_LINE_NOTICES]:
        notices.append(Notice(rel, f"line {line.number}: {line.problem}; copied unchanged, not cleaned"))
    if len(bad) > MAX_LINE_NOTICES:
        notices.append(
            Notice(rel, f"{len(bad) - MAX_LINE_NOTICES} more lines that are not documents "
                        f"(lines {bad[MAX_LINE_NOTICES].number} to {bad[-1].number}); copied unchanged, not cleaned")
        )
    if missing_id:
        notices.append(
            Notice(rel, f"{missing_id} records have no usable {config.id_field!r} field (a string or number, "
                        f"unique in the file); named FILE#LINE instead", failed=False)
        )
    if not docs and not bad:
        notices.append(Notice(rel, "empty file (no records); copied as is", failed=False))
    return docs, notices


def write_jsonl(
    src: Path, dst: Path, rel: str, docs: list[Document], results: list[DocResult], config: Config
) -> str | None:
    """The cleaned JSONL file: every line in its place, cleaned texts spliced in, duplicates left out."""
    by_line = {int(doc.get("line")): (doc, result) for doc, result in zip(docs, results)}
    data = decompress(rel, read_bytes(src, rel))
    out: list[bytes] = []
    for line in scan(rel, data, config):
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
        cleaned = result.cleaned
        if not doc.text.endswith("\n"):
            # Cutting the last lines leaves the kept line's ending, which the record's text never had.
            cleaned = cleaned.rstrip("\r\n")
        out.append(replace_field(line.raw, config.text_field, cleaned))
    atomic_write(output_path(dst, rel), compress(rel, b"".join(out)))
    return rel


def replace_field(raw: bytes, field: str, value: str) -> bytes:
    """A JSON object line with one top-level field's value replaced and every other byte kept."""
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    line = raw[len(bom) :].decode("utf-8")
    start, end = value_span(line, field)
    old = line[start:end]
    # Keep the record's escaping style: \\u escapes if it used them for this field.
    ascii_only = old.isascii() and "\\u" in old
    return bom + (line[:start] + json.dumps(value, ensure_ascii=ascii_only) + line[end:]).encode("utf-8")


def value_span(line: str, field: str) -> tuple[int, int]:
    """Where the value of a top-level field sits in a JSON object's text (its last occurrence, as json.loads reads it)."""
    i = _WS.match(line, 0).end()
    if line[i : i + 1] != "{":
        raise ValueError("not a JSON object")
    i = _WS.match(line, i + 1).end()
    span = None
    while line[i : i + 1] == '"':
        key, i = json.decoder.scanstring(line, i + 1)
        i = _WS.match(line, i).end()
        if line[i : i + 1] != ":":
            raise ValueError(f"expected ':' at column {i + 1}")
        i = _WS.match(line, i + 1).end()
        _, end = _DECODER.raw_decode(line, i)
        if key == field:
            span = (i, end)
        i = _WS.match(line, end).end()
        if line[i : i + 1] == ",":
            i = _WS.match(line, i + 1).end()
    if span is None:
        raise ValueError(f"no field {field!r}")
    return span


def _name(rel: str, line: Line, config: Config, taken: set[str]) -> tuple[str, bool]:
    """The document's name in the report: FILE#ID if it has a usable id, else FILE#LINE; always unique."""
    value = line.record.get(config.id_field) if config.id_field else None
    has_id = isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip() != ""
    name = f"{rel}#{_printable(str(value))}" if has_id else f"{rel}#{line.number}"
    if name in taken:
        has_id = False
        name = f"{rel}#{line.number}"
    while name in taken:
        name += f"@{line.number}"
    return name, has_id


def _printable(value: str) -> str:
    """Untrusted text as one printable line: control and format characters escaped (NUL -> \\x00)."""
    return "".join(
        c if not unicodedata.category(c).startswith("C") else (f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}")
        for c in value
    )


def _host(url: str) -> str:
    try:
        return _printable((urlsplit(url.strip()).hostname or "").lower())
    except ValueError:
        return ""
