"""JSON files (`.json`): an array of records, one record, or one record a line; the cleaned copy is JSON of the
same shape.

- An array (`[{...}, {...}]`, pretty-printed or not): each element is a record,
  named ``FILE#N`` (N counts from 1) or ``FILE#ID``. The cleaned copy is the
  same text with each cleaned record's text value spliced in and a duplicate
  document's element cut out with its comma: every other byte is kept.
- One object (`{...}`, maybe over many lines): one record, ``FILE#1``, with no
  copy if it duplicates another document (as a text file). An
  object without the text field is not a document (a dataset's
  ``dataset_info.json``): it is copied unchanged, with a warning.
- Anything else that is not one JSON value is read as JSONL (one object a
  line), which is what many tools write under a .json name.

A file that starts as an array or an object but is not valid JSON is refused
with the line and column where it breaks: cleaning it as text would corrupt it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from ..config import Config
from ..errors import InputError
from ..records import DocResult, Document, Notice
from ..write import atomic_write, output_file
from . import fields, jsonl
from .rows import Row, cleaned_text, documents, text_of
from .source import compress, read_content

_DECODER = json.JSONDecoder()


def shape_of(rel: str, data: bytes) -> tuple[str, str]:
    """('array' | 'object' | 'lines', the decoded text) of a .json file's content."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(rel, f"not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start}); skipped: "
                              f"JSON files must be UTF-8") from None
    head = text.lstrip(" \t\r\n")[:1]
    if head not in ("[", "{"):
        return "lines", text
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        if head == "{" and _is_lines(text):
            return "lines", text
        raise InputError(rel, f"not valid JSON ({e.msg} at line {e.lineno} column {e.colno}); skipped: "
                              f"fix the file, or give it the .jsonl suffix if it holds one record a line") from None
    return ("array" if isinstance(value, list) else "object"), text


def _is_lines(text: str) -> bool:
    """Whether a text that is not one JSON value starts with a whole JSON value on its first line (JSONL)."""
    first = text.lstrip(" \t\r\n").split("\n", 1)[0]
    try:
        json.loads(first)
    except json.JSONDecodeError:
        return False
    return True


def elements(text: str) -> Iterator[tuple[int, int]]:
    """The (start, end) character span of each element of the JSON array that `text` holds."""
    i = _skip(text, 0)
    assert text[i] == "["
    i = _skip(text, i + 1)
    if text[i : i + 1] == "]":
        return
    while True:
        _, end = _DECODER.raw_decode(text, i)
        yield i, end
        i = _skip(text, end)
        if text[i : i + 1] != ",":
            return
        i = _skip(text, i + 1)


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _rows(text: str, spans: list[tuple[int, int]], config: Config) -> Iterator[Row]:
    for number, (start, end) in enumerate(spans, 1):
        record = json.loads(text[start:end])
        body, problem = text_of(record, config)
        line = text.count("\n", 0, start) + 1
        yield Row(number, f"record {number} (line {line})", record if isinstance(record, dict) else None, body, problem)


def read_json(src: Path, rel: str, config: Config) -> tuple[list[Document], list[Notice]]:
    """The records of a .json file as documents (see the module's docstring for the shapes read)."""
    data = read_content(src, rel, config.max_doc_mb << 20)
    shape, text = shape_of(rel, data)
    if shape == "lines":
        return documents(rel, jsonl.scan(rel, data, config), config, "json", "line")
    if shape == "object":
        record = json.loads(text)
        body, problem = text_of(record, config)
        if body is None:
            return [], [Notice(rel, f"one JSON object, not a record with a text ({problem}); copied unchanged",
                               failed=False)]
        return documents(rel, [Row(1, "record 1", record, body)], config, "json", "record")
    return documents(rel, _rows(text, list(elements(text)), config), config, "json", "record")


def write_json(
    src: Path, dst: Path, rel: str, docs: list[Document], results: list[DocResult], config: Config
) -> str | None:
    """The cleaned .json file, in the input's shape, every byte outside the cleaned text values kept."""
    path = fields.parse(config.text_field)

    def clean(piece: str, doc: Document, result: DocResult) -> str | None:
        if result.dropped:
            return None
        if result.cleaned == doc.text:
            return piece
        return jsonl.replace_field(piece.encode("utf-8"), path, cleaned_text(doc, result.cleaned)).decode("utf-8")

    return rewrite(src, dst, rel, docs, results, config, clean, jsonl.write_jsonl)


def rewrite(src: Path, dst: Path, rel: str, docs: list[Document], results: list[DocResult], config: Config,
            edit, lines_writer) -> str | None:
    """A .json file written back in its shape with each document's record text passed through
    edit(text, doc, result) (None: the record is left out); a file of one record a line goes to lines_writer."""
    data = read_content(src, rel, config.max_doc_mb << 20)
    shape, text = shape_of(rel, data)
    if shape == "lines":
        return lines_writer(src, dst, rel, docs, results, config)
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    spans = [(0, len(text))] if shape == "object" else list(elements(text))
    by_number = {int(doc.get("record")): (doc, result) for doc, result in zip(docs, results)}
    kept: list[tuple[int, str]] = []
    for number, (start, end) in enumerate(spans, 1):
        piece = text[start:end]
        if number in by_number:
            piece = edit(piece, *by_number[number])
            if piece is None:
                continue
        kept.append((number, piece))
    if shape == "object" and not kept:
        return None  # a lone record found to duplicate another document: no copy, as for a text file
    out = kept[0][1] if shape == "object" else _splice_array(text, spans, kept)
    atomic_write(output_file(dst, rel), compress(rel, bom + out.encode("utf-8")))
    return rel


def _splice_array(text: str, spans: list[tuple[int, int]], kept: list[tuple[int, str]]) -> str:
    """The array's text with only the kept elements, each after the separator that preceded it in the input."""
    if not spans:
        return text
    parts = [text[: spans[0][0]]]
    for j, (number, piece) in enumerate(kept):
        if j:
            parts.append(text[spans[number - 2][1] : spans[number - 1][0]])  # the comma and spacing before it
        parts.append(piece)
    parts.append(text[spans[-1][1] :])
    return "".join(parts)
