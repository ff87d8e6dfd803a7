"""--annotate: every document written back with its text unchanged, and what cleaning would have done beside it.

The annotation of a document (`annotation`) is one JSON object:

    {"drop": false,
     "removals": [{"lines": [3, 3], "category": "repeat", "detector": "repeat:exact", "score": 1.0,
                   "duplicate_of": {"file": "a.txt", "lines": [1, 1]}}],
     "cluster": null, "kept": null}

``drop`` says the document would be dropped whole as a duplicate (its one
removal then spans it); ``cluster`` names its duplicate cluster (the cluster's
head: the kept document, or under --keep none its first), ``kept`` the
document the cluster keeps (null under --keep none), and ``run`` the earlier
run (--against) when the kept document is that run's.

Where it goes: in a JSONL or JSON record, a top-level ``dedupe`` field
(replacing one the record already has); in a Parquet or Arrow file, a
``dedupe`` struct column (replacing one the file already has; null on rows
that are not documents); beside a text file or an HTML page's extracted text,
a file named after the copy with ``.dedupe.json`` added (``a.txt`` ->
``a.txt.dedupe.json``). A WARC file's pages come out as JSONL records with the
field; a WET file is copied unchanged with its documents' annotations beside
it (``a.wet.gz.dedupe.json``, a JSON array, an object a document). The report
is the one a cleaning run writes.
"""
from __future__ import annotations

import json
from pathlib import Path

from .config import Config
from .records import DocResult, Document, Removal
from .write import atomic_write, output_file

#: The record field (JSONL) that holds a document's annotation, and the suffix of a text file's sidecar.
FIELD = "dedupe"
SIDECAR = ".dedupe.json"


def annotation(removals: list[Removal], dropped: bool, cluster: dict | None) -> dict:
    """A document's annotation (see the module's docstring) from its removals and its duplicate cluster."""
    out = {
        "drop": dropped,
        "removals": [{k: v for k, v in r.to_json().items() if k not in ("file", "text")} for r in removals],
        "cluster": cluster["name"] if cluster else None,
        "kept": cluster["kept"] if cluster else None,
    }
    if cluster and cluster.get("run"):
        out["run"] = cluster["run"]
    return out


def write_annotated(src: Path, dst: Path, rel: str, docs: list[Document], results: list[DocResult],
                    config: Config) -> str | list[str]:
    """The annotated copy of one input file (texts unchanged); the relative paths written (the copy, and the
    annotations beside a text file, which the marker lists so that --force removes them too)."""
    from .formats import format_of, output_rel
    from .formats.source import compress, read_bytes

    fmt = format_of(rel)
    if fmt == "jsonl":
        return _write_jsonl(src, dst, rel, docs, results, config)
    if fmt == "json":
        from .formats.jsonfile import rewrite

        def annotate(piece: str, doc: Document, result: DocResult) -> str:
            return set_field(piece.encode("utf-8"), FIELD, _json(result.annotation)).decode("utf-8")

        return rewrite(src, dst, rel, docs, results, config, annotate, _write_jsonl)
    if fmt in ("parquet", "arrow"):
        from .formats.columnar import write_columnar_annotated

        return write_columnar_annotated(src, dst, rel, docs, [r.annotation for r in results], FIELD)
    if fmt == "warc":
        from .formats.warc import write_warc_annotated

        return write_warc_annotated(src, dst, rel, docs, results, config, FIELD, SIDECAR)
    out = output_rel(rel)
    if fmt == "html":  # the page's extracted text, as a cleaning run would write it, but whole
        data = compress(out, docs[0].text.encode("utf-8")) if docs else b""
    else:
        data = read_bytes(src, rel)  # the file itself: its text unchanged, to the byte
    atomic_write(output_file(dst, out), data)
    if not docs:
        return out
    atomic_write(output_file(dst, out + SIDECAR), _json(results[0].annotation).encode("utf-8") + b"\n")
    return [out, out + SIDECAR]


def _write_jsonl(src: Path, dst: Path, rel: str, docs: list[Document], results: list[DocResult],
                 config: Config) -> str:
    """Every line in its place; each document's record with its annotation in the `dedupe` field."""
    from .formats.jsonl import scan
    from .formats.source import compress, decompress, read_bytes

    by_line = {int(doc.get("line")): result for doc, result in zip(docs, results)}
    out: list[bytes] = []
    for line in scan(rel, decompress(rel, read_bytes(src, rel)), config):
        result = by_line.get(line.number)
        out.append(line.raw if result is None else set_field(line.raw, FIELD, _json(result.annotation)))
    atomic_write(output_file(dst, rel), compress(rel, b"".join(out)))
    return rel


def set_field(raw: bytes, field: str, value: str) -> bytes:
    """A JSON object line with a top-level field set to `value` (JSON text), every other byte kept: its value
    replaced where the record has the field, else the field added after the last one."""
    from .formats.jsonl import value_span

    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    line = raw[len(bom) :].decode("utf-8")
    try:
        start, end = value_span(line, (field,))
        return bom + (line[:start] + value + line[end:]).encode("utf-8")
    except ValueError:  # no such field: added before the closing brace
        at = len(line[: line.rstrip().rfind("}")].rstrip())  # just after the last value (or the opening brace)
        sep = "" if line[:at].endswith("{") else ", "
        return bom + (line[:at] + sep + json.dumps(field) + ": " + value + line[at:]).encode("utf-8")


def _json(value: dict | None) -> str:
    return json.dumps(value, ensure_ascii=False)
