"""The library's functions for data in memory: one text (`clean_text`), or records (`clean_records`).

`dedupe.clean(src, dst, ...)` cleans folders (see `pipeline.clean`); these
two run the same stages in this process, on texts and records a program
already holds, and return what a run would write: the cleaned text and its
removals. docs/api.md shows each with an example.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .against import load_earlier
from .annotate import FIELD
from .config import Config
from .detect.corpus import SigTable, build_corpus
from .errors import UsageError
from .formats import fields
from .formats.rows import cleaned_text, page_meta, printable
from .pipeline import BATCH, analyze_documents, clean_document, finish_document, with_settings
from .records import Document, Removal
from .sign import MinHasher, text_hash


@dataclass(frozen=True)
class TextResult:
    """A cleaned text and its removals (line spans in the text given)."""

    cleaned: str
    removals: list[Removal]


@dataclass(frozen=True)
class RecordResult:
    """One record after cleaning: the record with its text cleaned (a new dict), its removals, whether it is
    dropped as a duplicate, and why a record could not be cleaned (then it is given back unchanged)."""

    record: dict
    removals: list[Removal]
    dropped: bool = False
    problem: str | None = None


def clean_text(text: str, config: Config | None = None, *, name: str = "text", **settings) -> TextResult:
    """Clean one text with the within-document detectors (repeats, near repeats, chrome); `name` names it
    in the removals. Duplicate documents and template text need a corpus: see `clean_records`."""
    config = with_settings(config, settings)
    result, _ = clean_document(Document(id=name, text=text), config)
    return TextResult(result.cleaned, result.removals)


def clean_records(
    records: Iterable[dict] | Callable[[], Iterable[dict]],
    config: Config | None = None,
    *,
    against: Iterable[str | Path] = (),
    **settings,
) -> Iterator[RecordResult]:
    """Clean records (dicts, a list, a `datasets.Dataset`...) as a corpus: one `RecordResult` per record, in order.

    The text is the `text_field` setting's field (default "text"); with
    `id_field` a record is named by that field in removals, else by its
    position ("#0", "#1"...). Both are dotted paths into nested dicts
    ("content.text", "meta.id"; a dot inside a name is written "\\."), as the
    CLI's --text-field and --id-field. Reads the records twice, as a folder run reads
    its files: pass 1 signs and examines every record, then the results of
    pass 2 are yielded one by one. `records` must therefore be re-iterable,
    or a function that returns a new iterable each call; a one-shot iterator
    raises UsageError. With `annotate=True` each record keeps its text and
    gets a "dedupe" field (docs/incremental.md); `against` names earlier
    runs' OUT folders, as `dedupe clean --against`. Runs in this process
    (the `jobs` setting is for folder runs).
    """
    config = with_settings(config, settings)
    source = _source(records)
    earlier = load_earlier(list(against), config)
    hashers = (MinHasher(config.num_perm, config.seed), MinHasher(config.block_num_perm, config.seed))
    table = SigTable(config.num_perm)
    analyses = []
    seen = 0
    batch: list[Document] = []

    def flush() -> None:
        for analysis, sig in analyze_documents(batch, config, hashers):
            analyses.append(analysis)
            if sig is not None:
                table.add(sig)
        batch.clear()

    names: set[str] = set()
    for index, record in enumerate(source()):
        seen = index + 1
        doc = _document(index, record, config, names)
        if doc is not None:
            batch.append(doc)
            if len(batch) >= BATCH:
                flush()
    flush()
    corpus = build_corpus(table, config, earlier=earlier)
    return _pass2(source, seen, analyses, corpus, config)


def _pass2(source, count: int, analyses: list, corpus, config: Config) -> Iterator[RecordResult]:
    """Pass 2 of `clean_records`: each record again, cut as pass 1 and the corpus step decided."""
    names: set[str] = set()
    done = 0
    for index, record in enumerate(source()):
        if index >= count:
            raise UsageError(f"the second pass over the records gave more than the first's {count}; clean_records "
                             f"reads them twice: pass records that give the same values each time")
        doc = _document(index, record, config, names)
        if doc is None:
            yield RecordResult(record, [], problem=_problem(record, config))
            continue
        analysis = analyses[done]
        if text_hash(doc.text) != analysis.digest:
            raise UsageError(f"record {index} changed between the two passes over the records; clean_records "
                             f"reads them twice: pass records that give the same values each time")
        result, _ = finish_document(doc, analysis, config, None, corpus, done)
        done += 1
        yield RecordResult(_cleaned_record(record, doc, result, config), result.removals, result.dropped)
    if done != len(analyses):
        raise UsageError(f"the second pass over the records gave {done} documents, the first {len(analyses)}; "
                         f"clean_records reads them twice: pass records that give the same values each time")


def _source(records) -> Callable[[], Iterable]:
    """A function giving a new iteration over the records each call; UsageError for a one-shot iterator."""
    if callable(records) and not hasattr(records, "__iter__"):
        return records
    if iter(records) is records:
        raise UsageError(
            "clean_records reads the records twice (as a folder run reads its files), and a one-shot iterator "
            f"({type(records).__name__}) can be read once: pass a list, a datasets.Dataset, or a function that "
            "returns a new iterator each call (e.g. lambda: read_my_records(path))")
    return lambda: records


def _document(index: int, record, config: Config, names: set[str]) -> Document | None:
    """A record as a Document (None if it has no string text at `text_field`), named by its `id_field` or its
    position. Both settings are dotted paths into nested dicts, as the CLI's --text-field and --id-field."""
    text = fields.get(record, fields.parse(config.text_field))
    if not isinstance(record, dict) or not isinstance(text, str):
        return None
    value = fields.get(record, fields.parse(config.id_field)) if config.id_field else None
    name = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) else ""
    if not name or name in names:  # no usable id, or one taken already: its position names it
        name = f"#{index}"
    names.add(name)
    meta = page_meta(record)  # the source is the url's host, as for a record in a file
    if not any(k == "host" for k, _ in meta) and isinstance(record.get("host"), str) and record["host"].strip():
        meta += (("host", printable(record["host"].strip().lower())),)  # records that carry their host alone
    return Document(id=name, text=text, format="record", meta=meta)


def _problem(record, config: Config) -> str:
    if not isinstance(record, dict):
        return f"not a dict (a {type(record).__name__}); given back unchanged"
    return f"{fields.why_missing(record, fields.parse(config.text_field), 'set text_field=...')}; given back unchanged"


def _cleaned_record(record: dict, doc: Document, result, config: Config) -> dict:
    """A new dict: the record with its text cleaned, or under annotate its text kept and a "dedupe" field.
    The input is not modified: the dicts on the text's path are copied, the other values shared."""
    out = dict(record)
    if config.annotate:
        out[FIELD] = result.annotation
    elif not result.dropped:
        path = fields.parse(config.text_field)
        node = out
        for name in path[:-1]:
            node[name] = dict(node[name])
            node = node[name]
        node[path[-1]] = cleaned_text(doc, result.cleaned)  # as a JSONL record's: no line ending it never had
    return out
