"""Formats: how each kind of input file becomes documents, and how its cleaned copy is written.

A file's format comes from its name, after any compression suffix:

- ``.html``, ``.htm``: one document, the page's main text as trafilatura
  extracts it; the cleaned copy is text (``page.html`` -> ``page.txt``).
- ``.jsonl``: one document per line (the record's text field); the cleaned
  copy is JSONL again, line for line, every other field untouched.
- ``.json``: an array of records, one record, or one record a line; the
  cleaned copy is JSON of the same shape.
- ``.parquet``, ``.arrow``, ``.feather``: one document per row, with pyarrow
  (the `parquet` extra); the cleaned copy keeps the schema and codec.
- ``.wet``, ``.warc``: web archives, one document per record (`warc`): a WET
  file's conversion records, cleaned into a WET file record for record; a
  WARC file's HTML pages, extracted as HTML files are, written as JSONL
  (``a.warc.gz`` -> ``a.warc.jsonl.gz``).
- structured files, code and web archives without page text dedupe does not read (``.csv``, ``.xlsx``,
  ``.sqlite``, ``.js``, ``.py``, ``.wat``, ``.cdx``, ``.arc``...): skipped with a notice, never cleaned as text
  (that would break their rows, their programs or their records).
- anything else: plain text, one document per file, written back as it came.

``.gz``, ``.zst``, ``.bz2`` and ``.xz`` files are decompressed to read (streamed,
up to ``max_doc_mb``) and compressed again to write. Only the input's relative path ever names an output: no id, URL or
title taken from a file's content becomes part of a path.
"""
from __future__ import annotations

import fnmatch
import functools
import importlib
import posixpath
from pathlib import Path

from ..config import Config
from ..records import DocResult, Document, Notice
from .source import COMPRESSIONS, compression_of

HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
JSON_SUFFIXES = (".json",)
PARQUET_SUFFIXES = (".parquet",)
ARROW_SUFFIXES = (".arrow", ".feather")
#: Code, by suffix, with what it is: source and stylesheets (a web mirror holds them beside its pages), whose
#: programs the page detectors read as pages (they took a Rust file's test module as what follows an article,
#: and a Python field named `category` as a tag line). There is nothing to convert them to.
CODE = {
    ".ipynb": "a Jupyter notebook (JSON)", ".map": "a JavaScript source map (JSON)",
    ".ts": "TypeScript source (or an MPEG stream)",
    **{suffix: f"{language} source" for language, suffixes in (
        ("JavaScript", (".js", ".mjs", ".cjs", ".jsx")), ("TypeScript", (".tsx",)),
        ("CSS", (".css", ".scss", ".sass", ".less")), ("Python", (".py", ".pyi")), ("Rust", (".rs",)),
        ("Go", (".go",)), ("Java", (".java",)), ("Kotlin", (".kt",)), ("Scala", (".scala",)), ("C", (".c", ".h")),
        ("C++", (".cc", ".cpp", ".cxx", ".hpp", ".hh")), ("C#", (".cs",)), ("Ruby", (".rb",)), ("PHP", (".php",)),
        ("Swift", (".swift",)), ("shell", (".sh", ".bash")), ("SQL", (".sql",)),
    ) for suffix in suffixes},
}
#: Web archives, read a record a document (`warc`): WARC files of pages or of their text (WET).
WARC_SUFFIXES = (".warc", ".wet")
#: Web archives dedupe does not read: metadata and indexes hold no page text, and the ARC format (before WARC)
#: is read once converted. Cleaned as one text, they would lose lines inside their records.
WARC = {
    ".arc": "an ARC web archive (the format before WARC)",
    ".wat": "a WAT archive (WARC records of metadata: links and headers, no page text)",
    ".cdx": "a CDX index of a web archive (no page text)",
}
#: What to do with each of them.
WARC_FIXES = {
    ".arc": "convert it to WARC (warcio recompress IN.arc.gz OUT.warc.gz) and clean that, or ",
    ".wat": "clean the crawl's WET or WARC files instead, or ",
    ".cdx": "clean the crawl's WET or WARC files instead, or ",
}
#: Files dedupe does not read, by suffix, with what they are: cleaning a structured file as text would remove
#: "repeated" rows or lines out of a table, a database or a binary file and break it; code and web archives too.
UNREAD = {
    ".csv": "a CSV table", ".tsv": "a TSV table", ".xlsx": "an Excel workbook", ".xls": "an Excel workbook",
    ".ods": "a spreadsheet", ".sqlite": "an SQLite database", ".sqlite3": "an SQLite database",
    ".db": "a database file", ".avro": "an Avro file", ".orc": "an ORC file", ".tfrecord": "a TFRecord file",
    ".pkl": "a Python pickle", ".pickle": "a Python pickle", ".npy": "a NumPy array", ".npz": "NumPy arrays",
    ".h5": "an HDF5 file", ".hdf5": "an HDF5 file", ".msgpack": "a MessagePack file", ".xml": "an XML document",
    ".yaml": "a YAML document", ".yml": "a YAML document", ".svg": "an SVG image (XML)", ".toml": "a TOML file",
    ".ini": "an INI file", **CODE, **WARC,
}
#: Each suffix (lower-case) with the format it names.
_FORMATS = {
    suffix: fmt
    for fmt, suffixes in (("html", HTML_SUFFIXES), ("jsonl", JSONL_SUFFIXES), ("json", JSON_SUFFIXES),
                          ("parquet", PARQUET_SUFFIXES), ("arrow", ARROW_SUFFIXES), ("warc", WARC_SUFFIXES),
                          ("unread", tuple(UNREAD)))
    for suffix in suffixes
}
if any(s.count(".") != 1 or not s.startswith(".") for s in (*_FORMATS, *COMPRESSIONS)):
    raise AssertionError("split_name reads a suffix from the last dot: every suffix must be one dot and a name")
_COMPRESSED = frozenset(COMPRESSIONS)


def split_name(rel: str) -> tuple[str, str, str]:
    """(stem, format suffix as written, compression suffix as written) of a path."""
    comp = compression_of(rel)
    base = rel[: len(rel) - len(comp)]
    lower = base.lower()
    # Every suffix is one dot and a name: the only one a name can end with starts at its last dot (a
    # dictionary lookup, not a test per suffix: this runs several times per file, millions in a big run).
    dot = lower.rfind(".")
    n = len(lower) - dot
    if dot >= 0 and lower[dot:] in _FORMATS:
        return base[:-n], base[-n:], rel[len(base) :]
    return base, "", rel[len(base) :]


def format_of(rel: str) -> str:
    """'html', 'jsonl', 'json', 'parquet', 'arrow', 'warc', 'unread' or 'txt', from the file's name."""
    # split_name's suffix without its tuple, read from the last dot: asked about ten times a file (listing,
    # both passes, writing). Every format and compression suffix is one dot and a name (checked above), so
    # the name ends with a compression suffix exactly when its last dot starts one.
    if rel.endswith(".txt"):  # (most inputs: one test, no slice; ".txt" is neither a format's nor a compression's)
        return "txt"
    dot = rel.rfind(".")
    if dot < 0:
        return "txt"
    suffix = rel[dot:].lower()
    fmt = _FORMATS.get(suffix)
    if fmt is not None or suffix not in _COMPRESSED:
        return fmt or "txt"
    dot = rel.rfind(".", 0, dot)  # the format's suffix before the compression's
    return _FORMATS.get(rel[dot : len(rel) - len(suffix)].lower(), "txt") if dot >= 0 else "txt"


def refuse_unread(rels: list[str]) -> tuple[list[str], list[Notice]]:
    """Structured files dedupe does not read, left out with a notice that says what they are and what to do."""
    keep, refused = [], []
    for rel in rels:
        if format_of(rel) != "unread":
            keep.append(rel)
            continue
        suffix = split_name(rel)[1].lower()
        fix = "" if suffix in CODE else WARC_FIXES[suffix] if suffix in WARC else "convert it to JSONL or Parquet, or "
        refused.append(Notice(rel, f"{UNREAD[suffix]}, which dedupe does not read (cleaning it as text would break "
                                   f"it); skipped: {fix}leave it out with --exclude"))
    return keep, refused


def output_rel(rel: str) -> str:
    """The relative path of a file's cleaned copy: HTML becomes .txt, a WARC file's pages JSONL (`output_rels`),
    everything else keeps its name."""
    return output_rels(rel)[0]


def output_rels(rel: str) -> tuple[str, ...]:
    """Every relative path a file's cleaned copy may take, the usual first. Only a .warc file has two, which its
    records decide: its pages as JSONL (a.warc.gz -> a.warc.jsonl.gz), or, of text records, a WET file under
    its own name."""
    fmt = format_of(rel)
    if fmt not in ("html", "warc"):
        return (rel,)
    stem, suffix, comp = split_name(rel)
    if fmt == "html":
        return (stem + ".txt" + comp,)
    if suffix.lower() == ".wet":
        return (rel,)
    return (stem + suffix + ".jsonl" + comp, rel)


def from_html(rel: str, written: str) -> bool:
    """Whether the file `written` for input `rel` holds main text extracted from HTML: an HTML page's text, a
    WARC file's pages (a later run reads it as extracted articles, as this one read them)."""
    fmt = format_of(rel)
    return fmt == "html" or (fmt == "warc" and written != rel)


def selected(rel: str, config: Config) -> bool:
    """Whether --include/--exclude let a file through; a pattern matches the relative path or the name."""

    def hit(patterns) -> bool:
        name = posixpath.basename(rel)
        return any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) for p in patterns)

    if config.include and not hit(config.include):
        return False
    return not hit(config.exclude)


def refuse_collisions(rels: list[str]) -> tuple[list[str], list[Notice]]:
    """Inputs whose cleaned copies would land on the same path: one keeps it, the others are refused.

    A file whose cleaned copy keeps its own name (page.txt) wins over an HTML
    page that would become it (page.html); between HTML pages (page.html,
    page.htm) the first by path wins. A .warc file claims both names its copy
    may take (`output_rels`). Depends only on the set of names.
    """
    # Only an HTML page's or a WARC file's copy takes another name than its input's, which are distinct: without
    # one, no two copies can meet (most runs: the loop below was 3.4-3.7 ms at 10k files, serial).
    renamed = [rel for rel in rels if not rel.endswith(".txt") and format_of(rel) in ("html", "warc")]
    if not renamed:
        return list(rels), []
    claims: dict[str, list[str]] = {}
    for rel in rels:
        for out in output_rels(rel):
            claims.setdefault(out, []).append(rel)
    refused: dict[str, Notice] = {}
    for out, owners in claims.items():
        if len(owners) < 2:
            continue
        winner = out if out in owners else min(owners)
        for rel in owners:
            if rel != winner:
                refused[rel] = Notice(
                    rel,
                    f"its cleaned copy would be {out}, which is the cleaned copy of {winner}; "
                    f"skipped: rename one of them, or leave one out with --exclude",
                )
    return [r for r in rels if r not in refused], sorted(refused.values(), key=lambda n: n.file)


#: Each format's module, by name (they import this one, so each is imported on first use).
_MODULES = {"html": "html", "jsonl": "jsonl", "json": "jsonfile", "parquet": "columnar", "arrow": "columnar",
            "warc": "warc", "txt": "text"}


@functools.cache
def _module(fmt: str):
    """A format's module, imported the first time a file of that format is read or written. A `from . import`
    in every read and write went through the import machinery each time (a few µs a file, three times); and
    importing every format's module at the first file cost each pass-1 worker of a plain-text run 17-19 ms
    (HTML's lxml and the columnar module's code, for nothing)."""
    return importlib.import_module(f"{__name__}.{_MODULES[fmt]}")


#: Per format, its reader's and its writer's names in its module (looked up at each call: tests replace them).
_READERS = {"html": "read_html", "jsonl": "read_jsonl", "json": "read_json", "parquet": "read_columnar",
            "arrow": "read_columnar", "warc": "read_warc", "txt": "read_text"}
_WRITERS = {"html": "write_html", "jsonl": "write_jsonl", "json": "write_json", "parquet": "write_columnar",
            "arrow": "write_columnar", "warc": "write_warc", "txt": "write_text"}


def read_file(src: Path, rel: str, config: Config) -> tuple[list[Document], list[Notice]]:
    """The documents of one input file by its format, and notices about it. Raises InputError."""
    fmt = format_of(rel)
    return getattr(_module(fmt), _READERS[fmt])(src, rel, config)


def write_cleaned(
    src: Path, dst: Path, rel: str, docs: list[Document], results: list[DocResult], config: Config
) -> str | list[str] | None:
    """Write the cleaned copy of one input file (or with --annotate its annotated copy); the relative path
    written (with --annotate, maybe the paths), or None if nothing was."""
    if config.annotate:
        from ..annotate import write_annotated

        return write_annotated(src, dst, rel, docs, results, config)
    fmt = format_of(rel)
    return getattr(_module(fmt), _WRITERS[fmt])(src, dst, rel, docs, results, config)
