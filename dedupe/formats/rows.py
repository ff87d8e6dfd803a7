"""Records as documents: what JSONL, JSON, Parquet and Arrow files share once a record is parsed.

A record file yields `Row`s: a record's number in its file (a JSONL line, a
JSON array's element, a Parquet or Arrow row, all 1-based), the fields dedupe
reads of it, its text at `--text-field`, or the problem that keeps it from
being a document. `documents` names the documents (`FILE#N`, or `FILE#ID` with
--id-field), takes the URL and title the report shows, and states every problem
with the record's place so a reader can find it; such a record is written back
unchanged.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

from ..config import Config
from ..records import Document, Notice
from . import fields

#: Bad records reported one by one per file; past this, one notice counts the rest.
MAX_ROW_NOTICES = 20


@dataclass(frozen=True)
class Row:
    """One record of a record file: its number, where a person finds it, and its text or its problem."""

    number: int
    where: str
    record: dict | None = None
    text: str | None = None
    problem: str | None = None


def text_of(record, config: Config) -> tuple[str | None, str | None]:
    """(the record's text at --text-field, None) or (None, why it has none)."""
    if not isinstance(record, dict):
        return None, f"not a JSON object ({fields.kind(record)})"
    path = fields.parse(config.text_field)
    text = fields.get(record, path)
    if isinstance(text, str):
        lone = _SURROGATE.search(text)
        if lone:
            # (JSON's "\\ud800" escape decodes to half of a UTF-16 pair, which is no character: it cannot be
            # measured, hashed or written as UTF-8, so the record is left as it is rather than failing its file)
            return None, (f"its text holds a lone UTF-16 surrogate (U+{ord(lone.group()):04X} at character "
                          f"{lone.start() + 1}), which is not a character; fix the escape in the producer")
        return text, None
    return None, fields.why_missing(record, path)


#: Half of a UTF-16 surrogate pair on its own (a JSON escape such as "\\ud800" decodes to one).
_SURROGATE = re.compile("[\ud800-\udfff]")


def documents(rel: str, rows: Iterable[Row], config: Config, fmt: str, key: str) -> tuple[list[Document], list[Notice]]:
    """One document per row that has a text; a notice naming the place of every row that has not.

    `key` names the row's number in the document's metadata ('line', 'record', 'row'): the writer finds the
    row again by it.
    """
    docs: list[Document] = []
    bad: list[Row] = []
    taken: set[str] = set()
    missing_id = 0
    for row in rows:
        if row.problem:
            bad.append(row)
            continue
        if row.text is None:
            continue
        name, has_id = _name(rel, row, config, taken)
        missing_id += bool(config.id_field) and not has_id
        taken.add(name)
        docs.append(Document(id=name, text=row.text, format=fmt, encoding="utf-8",
                             meta=((key, str(row.number)),) + page_meta(row.record)))
    notices = [Notice(rel, f"{row.where}: {row.problem}; copied unchanged, not cleaned") for row in bad[:MAX_ROW_NOTICES]]
    if len(bad) > MAX_ROW_NOTICES:
        notices.append(
            Notice(rel, f"{len(bad) - MAX_ROW_NOTICES} more {key}s that are not documents "
                        f"({bad[MAX_ROW_NOTICES].where} to {bad[-1].where}); copied unchanged, not cleaned")
        )
    if missing_id:
        notices.append(
            Notice(rel, f"{missing_id} records have no usable {config.id_field!r} field (a string or number, "
                        f"unique in the file); named FILE#{key.upper()} instead", failed=False)
        )
    if not docs and not bad:
        notices.append(Notice(rel, "empty file (no records); copied as is", failed=False))
    return docs, notices


def page_meta(record: dict | None) -> tuple[tuple[str, str], ...]:
    """The record's top-level `url` (and its host: the document's source) and `title`, made printable."""
    meta = []
    if not isinstance(record, dict):
        return ()
    url = record.get("url")
    if isinstance(url, str) and url.strip():
        meta.append(("url", printable(url)))
        host = _host(url)
        if host:
            meta.append(("host", host))
    title = record.get("title")
    if isinstance(title, str) and title.strip():
        meta.append(("title", printable(title)))
    return tuple(meta)


def _name(rel: str, row: Row, config: Config, taken: set[str]) -> tuple[str, bool]:
    """The document's name in the report: FILE#ID if it has a usable id, else FILE#N; always unique."""
    value = fields.get(row.record, fields.parse(config.id_field)) if config.id_field else None
    has_id = isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip() != ""
    name = f"{rel}#{printable(str(value))}" if has_id else f"{rel}#{row.number}"
    if name in taken:
        has_id = False
        name = f"{rel}#{row.number}"
    while name in taken:
        name += f"@{row.number}"
    return name, has_id


def printable(value: str) -> str:
    """Untrusted text as one printable line: control and format characters escaped (NUL -> \\x00)."""
    return "".join(
        c if not unicodedata.category(c).startswith("C") else (f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}")
        for c in value
    )


def _host(url: str) -> str:
    try:
        return printable((urlsplit(url.strip()).hostname or "").lower())
    except ValueError:
        return ""


def cleaned_text(doc: Document, cleaned: str) -> str:
    """A record's cleaned text: cutting its last lines leaves the kept line's ending, which the text never had."""
    return cleaned if doc.text.endswith("\n") else cleaned.rstrip("\r\n")
