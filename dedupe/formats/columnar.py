"""Parquet and Arrow IPC files: one document per row, read and written a row group (or record batch) at a time.

Needs pyarrow (``pip install 'dedupe[parquet]'``). `--text-field` names a
string column, or a string field inside struct columns (`content.text`).

- ``.parquet``: each row group is read alone (only the columns dedupe needs),
  and the cleaned copy keeps the file's Arrow schema (with its metadata, such
  as pandas' or Hugging Face's), its row groups (less the dropped rows), its
  compression codec per column and its format version.
- ``.arrow``, ``.feather``: Arrow IPC, as a stream (what
  ``datasets.Dataset.save_to_disk`` writes: its folder is read through these
  files, its JSON metadata copied unchanged) or as a file; the cleaned copy is
  written in the same form, with the same record batches, schema and buffer
  compression.

Rows are named ``FILE#ROW`` (from 1, across the whole file) or ``FILE#ID``.
Only the text value of a cleaned row changes; a duplicate document's row is
dropped; every other column and the row order are untouched. A file in which
nothing changed is copied byte for byte. A row whose text is null is not a
document and is kept as it is.
"""
from __future__ import annotations

import os
import stat
import struct
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..config import Config
from ..errors import InputError
from ..fs import RemotePath
from ..records import DocResult, Document, Notice
from ..write import atomic_stream, atomic_write, output_path
from . import fields
from . import format_of
from .rows import Row, cleaned_text, documents
from .source import compress, compression_of, decompress, read_bytes

#: The Arrow IPC file format starts with these bytes; a stream starts with a message.
_ARROW_MAGIC = b"ARROW1"


def pyarrow(rel: str):
    """The pyarrow module, or an InputError naming the extra to install."""
    try:
        import pyarrow
        import pyarrow.ipc  # noqa: F401 - submodules used below
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        kind = "a Parquet" if is_parquet(rel) else "an Arrow"
        raise InputError(rel, f"{kind} file needs pyarrow, which is not installed; skipped: "
                              f"pip install 'dedupe[parquet]'") from None
    return pyarrow


def is_parquet(rel: str) -> bool:
    return format_of(rel) == "parquet"


# --- reading: the batches of a file --------------------------------------------------------------------


@contextmanager
def _source(src: Path, rel: str):
    """What pyarrow reads a file from: its local path (read lazily, a batch at a time), else its bytes."""
    pa = pyarrow(rel)
    if isinstance(src, RemotePath) or compression_of(rel):
        yield pa.BufferReader(decompress(rel, read_bytes(src, rel)))
        return
    path = os.path.join(src, rel)
    try:
        st = os.stat(path)
        usable = stat.S_ISREG(st.st_mode) and os.access(path, os.R_OK)
    except OSError:
        usable = False
    if not usable:
        read_bytes(src, rel)  # raises the InputError that says why (a pipe, a broken link, no permission)
    yield path


def _batches(source, rel: str, columns: list[str] | None = None, span: tuple[int, int] | None = None) -> Iterator:
    """The file's record batches: a Parquet row group or an Arrow record batch at a time, all columns if None;
    with `span`, only the row groups or batches [start, stop)."""
    pa = pyarrow(rel)
    try:
        if is_parquet(rel):
            pf = pa.parquet.ParquetFile(source)
            names = set(pf.schema_arrow.names)
            cols = None if columns is None else [c for c in columns if c in names]
            for i in range(*(span or (0, pf.num_row_groups))):
                yield from pf.read_row_group(i, columns=cols).combine_chunks().to_batches()
        else:
            start, stop = span or (0, None)
            for i, batch in enumerate(_ipc_batches(_open_ipc(pa, source))):
                if stop is not None and i >= stop:
                    break
                if i >= start:  # (a stream is read in order; batches before the span are mapped, not copied)
                    yield batch
    except InputError:
        raise
    except (pa.ArrowException, OSError) as e:
        what = "Parquet" if is_parquet(rel) else "Arrow IPC"
        raise InputError(rel, f"not a readable {what} file ({_first_line(e)}); skipped: check that it is whole "
                              f"(re-download or re-export it)") from None


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def _open_ipc(pa, source):
    """An Arrow IPC reader, file or stream form, whichever the bytes are."""
    if isinstance(source, str):
        with open(source, "rb") as f:
            head = f.read(len(_ARROW_MAGIC))
        source = pa.memory_map(source)
    else:
        source.seek(0)
        head = source.read(len(_ARROW_MAGIC))
        source.seek(0)
    if head == _ARROW_MAGIC:
        return pa.ipc.open_file(source)
    return pa.ipc.open_stream(source)


def _ipc_batches(reader) -> Iterator:
    if hasattr(reader, "num_record_batches"):  # the file form: batches by index
        for i in range(reader.num_record_batches):
            yield reader.get_batch(i)
    else:
        yield from reader


def _column(batch, path: tuple[str, ...]):
    """The values at a field path in a batch, as an Array (struct parents' nulls are nulls), or None."""
    import pyarrow.compute as pc

    if path[0] not in batch.schema.names:
        return None
    col = batch.column(batch.schema.get_field_index(path[0]))
    try:
        return pc.struct_field(col, list(path[1:])) if len(path) > 1 else col
    except (KeyError, ValueError, TypeError, NotImplementedError, IndexError):
        return None
    except Exception as e:  # noqa: BLE001 - pyarrow's own errors (ArrowInvalid...) for a path that does not fit
        if type(e).__module__.startswith("pyarrow"):
            return None
        raise


def _is_text(pa, typ) -> bool:
    return pa.types.is_string(typ) or pa.types.is_large_string(typ) or getattr(pa.types, "is_string_view", bool)(typ)


def _rows(source, rel: str, config: Config, problem: list[str], piece=None) -> Iterator[Row]:
    """Every row of the file (or of its piece) with its text; a file-wide problem (no such column) goes to
    `problem`."""
    pa = pyarrow(rel)
    text_path = fields.parse(config.text_field)
    id_path = fields.parse(config.id_field) if config.id_field else None
    wanted = [text_path[0]] + ([id_path[0]] if id_path else []) + ["url", "title"]
    number = piece.first - 1 if piece else 0
    for batch in _batches(source, rel, list(dict.fromkeys(wanted)), _span(piece)):
        texts = _column(batch, text_path)
        if texts is None or not _is_text(pa, texts.type):
            problem.append(_why_no_text(_schema(pa, source, rel), text_path, texts))
            return
        ids = _column(batch, id_path) if id_path else None
        extra = {name: batch.column(name).to_pylist() for name in ("url", "title")
                 if name in batch.schema.names and _is_text(pa, batch.schema.field(name).type)}
        id_values = ids.to_pylist() if ids is not None else None
        for i, text in enumerate(texts.to_pylist()):
            number += 1
            record = {name: values[i] for name, values in extra.items()}
            if id_values is not None:
                record = _with_path(record, id_path, id_values[i])
            where = f"row {number}"
            if text is None:
                yield Row(number, where, record, problem=f"{fields.show(text_path)!r} is null")
            else:
                yield Row(number, where, record, text)


def _with_path(record: dict, path: tuple[str, ...], value) -> dict:
    """The record with `value` set at a field path (so that rows.documents finds the id where --id-field says)."""
    node = record
    for name in path[:-1]:
        child = node.get(name)
        if not isinstance(child, dict):
            child = node[name] = {}
        node = child
    node[path[-1]] = value
    return record


def _schema(pa, source, rel: str):
    """The file's whole Arrow schema (a batch read for a few columns has only those)."""
    return pa.parquet.ParquetFile(source).schema_arrow if is_parquet(rel) else _open_ipc(pa, source).schema


def _why_no_text(schema, path: tuple[str, ...], found) -> str:
    if found is not None:
        return f"{fields.show(path)!r} is a column of {found.type}, not text; try --text-field"
    names = ", ".join(schema.names[:8]) or "none"
    return f"no {fields.show(path)!r} column (columns: {names}; try --text-field)"


def _span(piece) -> tuple[int, int] | None:
    return (piece.start, piece.stop) if piece is not None else None


def read_columnar(src: Path, rel: str, config: Config, piece=None) -> tuple[list[Document], list[Notice]]:
    """One document per row of a Parquet or Arrow file (or of a piece of it: `dedupe.formats.pieces`); a notice
    for rows without a text, or a file without it."""
    fmt = "parquet" if is_parquet(rel) else "arrow"
    problem: list[str] = []
    with _source(src, rel) as source:
        docs, notices = documents(rel, list(_rows(source, rel, config, problem, piece)), config, fmt, "row")
    if problem:
        notices = [n for n in notices if "empty file" not in n.message]
        notices.insert(0, Notice(rel, f"{problem[0]}; copied unchanged, not cleaned"))
    return docs, notices


# --- writing: the same batches, the text column replaced, dropped rows filtered out ---------------------


def write_columnar(
    src: Path, dst: Path, rel: str, docs: list[Document], results: list[DocResult], config: Config
) -> str | None:
    """The cleaned copy: same schema, batches, codec and row order; cleaned texts in place, duplicates' rows out."""
    changes = _changes(docs, results)
    target = output_path(dst, rel)
    if not changes:
        atomic_write(target, read_bytes(src, rel))  # nothing to change: the very same bytes
        return rel
    pa = pyarrow(rel)
    path = fields.parse(config.text_field)
    with _source(src, rel) as source:
        if compression_of(rel):
            sink = pa.BufferOutputStream()
            _rewrite(pa, source, rel, path, changes, sink)
            atomic_write(target, compress(rel, sink.getvalue().to_pybytes()))
        else:
            with atomic_stream(target) as out:
                _rewrite(pa, source, rel, path, changes, out)
    return rel


def _changes(docs: list[Document], results: list[DocResult]) -> dict:
    """{row number: (document, result)} of the rows whose text changes or that are dropped."""
    return {int(doc.get("row")): (doc, result) for doc, result in zip(docs, results)
            if result.dropped or result.cleaned != doc.text}


def _rewrite(pa, source, rel: str, path: tuple[str, ...], changes: dict, sink) -> None:
    """Every batch of the input, cleaned, written to `sink` in the input's form."""
    with _writer(pa, source, rel, sink) as write:
        for batch in _cleaned_batches(pa, source, rel, path, changes):
            write(batch)


def _cleaned_batches(pa, source, rel: str, path: tuple[str, ...], changes: dict, piece=None) -> Iterator:
    """The batches of the file (or of a piece of it), each with its rows' changes made."""
    first = piece.first if piece else 1
    for batch in _batches(source, rel, span=_span(piece)):
        n = batch.num_rows
        here = {i - first: changes[i] for i in range(first, first + n) if i in changes}
        first += n
        yield _cleaned_batch(pa, batch, path, here) if here else batch


def write_columnar_piece(src: Path, piece, docs: list[Document], results: list[DocResult], config: Config,
                         part: Path) -> None:
    """A piece of the cleaned copy, as an Arrow stream in `part` (`assemble_columnar` joins the pieces)."""
    pa = pyarrow(piece.rel)
    path = fields.parse(config.text_field)
    with _source(src, piece.rel) as source, atomic_stream(part) as out:
        writer = pa.ipc.new_stream(out, _schema(pa, source, piece.rel))
        try:
            for batch in _cleaned_batches(pa, source, piece.rel, path, _changes(docs, results), piece):
                writer.write_batch(batch)
        finally:
            writer.close()


def assemble_columnar(src: Path, dst: Path, rel: str, parts: list[Path]) -> None:
    """The cleaned copy of a file cleaned in pieces: the pieces' batches, in order, in the input's form."""
    pa = pyarrow(rel)
    with _source(src, rel) as source, atomic_stream(output_path(dst, rel)) as out:
        with _writer(pa, source, rel, out) as write:
            for part in parts:
                for batch in pa.ipc.open_stream(pa.memory_map(str(part))):
                    write(batch)


def annotation_type(pa):
    """The struct type of the `dedupe` column --annotate adds (the annotation of `dedupe.annotate`)."""
    ref = pa.struct([("file", pa.string()), ("lines", pa.list_(pa.int64())), ("run", pa.string())])
    removal = pa.struct([("lines", pa.list_(pa.int64())), ("category", pa.string()), ("detector", pa.string()),
                         ("score", pa.float64()), ("duplicate_of", ref)])
    return pa.struct([("drop", pa.bool_()), ("removals", pa.list_(removal)), ("cluster", pa.string()),
                      ("kept", pa.string()), ("run", pa.string())])


def write_columnar_annotated(src: Path, dst: Path, rel: str, docs: list[Document], annotations: list[dict],
                             name: str) -> str:
    """The file with every row kept and a struct column `name` holding each document's annotation (null on
    rows that are not documents); a column of that name already there is replaced in its place."""
    pa = pyarrow(rel)
    by_row = {int(doc.get("row")): note for doc, note in zip(docs, annotations)}
    typ = annotation_type(pa)
    with _source(src, rel) as source:
        schema = _schema(pa, source, rel)
        at = schema.get_field_index(name)
        schema = schema.set(at, pa.field(name, typ)) if at >= 0 else schema.append(pa.field(name, typ))

        def write_all(sink) -> None:
            with _writer(pa, source, rel, sink, schema) as write:
                first = 1
                for batch in _batches(source, rel):
                    column = pa.array([by_row.get(first + i) for i in range(batch.num_rows)], type=typ)
                    columns = list(batch.columns)
                    if at >= 0:
                        columns[at] = column
                    else:
                        columns.append(column)
                    write(pa.RecordBatch.from_arrays(columns, schema=schema))
                    first += batch.num_rows

        if compression_of(rel):
            sink = pa.BufferOutputStream()
            write_all(sink)
            atomic_write(output_path(dst, rel), compress(rel, sink.getvalue().to_pybytes()))
        else:
            with atomic_stream(output_path(dst, rel)) as out:
                write_all(out)
    return rel


def piece_spans(src: Path, rel: str, config: Config, rows: int) -> list[tuple[int, int, int]] | None:
    """Runs of a file's row groups or batches of at least `rows` rows: (start, stop, first row); None if the
    file is one piece (small, or without the text column: its one notice is said once)."""
    pa = pyarrow(rel)
    with _source(src, rel) as source:
        schema = _schema(pa, source, rel)
        texts = _column(schema.empty_table(), fields.parse(config.text_field))
        if texts is None or not _is_text(pa, texts.type):
            return None
        if is_parquet(rel):
            meta = pa.parquet.ParquetFile(source).metadata
            sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        else:
            sizes = [b.num_rows for b in _ipc_batches(_open_ipc(pa, source))]
    spans, start, first, count = [], 0, 1, 0
    for i, n in enumerate(sizes):
        count += n
        if count >= rows or i == len(sizes) - 1:
            spans.append((start, i + 1, first))
            start, first, count = i + 1, first + count, 0
    return spans if len(spans) > 1 else None


def _cleaned_batch(pa, batch, path: tuple[str, ...], here: dict):
    """A batch with the cleaned texts of its rows in `here` (by index in the batch) put in, dropped rows out."""
    values = _column(batch, path).to_pylist()
    keep = [True] * batch.num_rows
    for i, (doc, result) in here.items():
        if result.dropped:
            keep[i] = False
        else:
            values[i] = cleaned_text(doc, result.cleaned)
    top = batch.schema.get_field_index(path[0])
    columns = list(batch.columns)
    columns[top] = _replace(pa, columns[top], path[1:], pa.array(values, type=_column(batch, path).type))
    batch = pa.RecordBatch.from_arrays(columns, schema=batch.schema)
    return batch if all(keep) else batch.filter(pa.array(keep))


def _replace(pa, array, path: tuple[str, ...], values):
    """A (struct) array with the values at a field path replaced; its other fields and its nulls kept."""
    if not path:
        return values
    children = array.flatten()
    i = array.type.get_field_index(path[0])
    children[i] = _replace(pa, children[i], path[1:], values)
    mask = array.is_null() if array.null_count else None
    return pa.StructArray.from_arrays(children, fields=list(array.type), mask=mask)


@contextmanager
def _writer(pa, source, rel: str, sink, schema=None):
    """write(batch) into a file of the input's form: its schema (or `schema`), codec, row groups or batches."""
    if is_parquet(rel):
        pf = pa.parquet.ParquetFile(source)
        meta = pf.metadata
        codecs = {}
        if meta.num_row_groups:
            group = meta.row_group(0)
            codecs = {group.column(j).path_in_schema: group.column(j).compression.lower() for j in range(group.num_columns)}
        one = set(codecs.values())
        codec = (one.pop() if len(one) == 1 else codecs) if codecs else "snappy"
        version = meta.format_version if meta.format_version in ("1.0", "2.4", "2.6") else "2.6"
        writer = pa.parquet.ParquetWriter(sink, schema or pf.schema_arrow, compression=codec, version=version)

        def write(batch):
            # One output row group per input row group; one whose rows were all dropped is left out.
            if batch.num_rows:
                writer.write_table(pa.Table.from_batches([batch]), row_group_size=batch.num_rows)
    else:
        reader = _open_ipc(pa, source)
        options = pa.ipc.IpcWriteOptions(compression=_ipc_codec(pa, source))
        opener = pa.ipc.new_file if hasattr(reader, "num_record_batches") else pa.ipc.new_stream
        writer = opener(sink, schema or reader.schema, options=options)
        write = writer.write_batch
    try:
        yield write
    finally:
        writer.close()
def _ipc_codec(pa, source) -> str | None:
    """The buffer compression of an Arrow IPC file's first record batch ('lz4', 'zstd' or None).

    pyarrow decompresses transparently and does not say which codec it met, so
    it is read from the batch message's flatbuffer: Message.header (a
    RecordBatch) -> compression (a BodyCompression) -> codec (0 LZ4_FRAME, 1 ZSTD).
    """
    stream = pa.memory_map(source) if isinstance(source, str) else source
    stream.seek(0)
    # The file form starts with the magic and padding to 8 bytes, then holds the stream's messages.
    stream.seek(8 if stream.read(len(_ARROW_MAGIC)) == _ARROW_MAGIC else 0)
    try:
        for message in pa.ipc.MessageReader.open_stream(stream):
            if message.type == "record batch":
                return _flatbuffer_codec(message.metadata.to_pybytes())
    finally:
        stream.seek(0)
    return None


def _flatbuffer_codec(meta: bytes) -> str | None:
    def field(table: int, i: int) -> int | None:
        vtable = table - struct.unpack_from("<i", meta, table)[0]
        if 4 + 2 * i >= struct.unpack_from("<H", meta, vtable)[0]:
            return None
        offset = struct.unpack_from("<H", meta, vtable + 4 + 2 * i)[0]
        return table + offset if offset else None

    def table_at(pos: int | None) -> int | None:
        return None if pos is None else pos + struct.unpack_from("<I", meta, pos)[0]

    batch = table_at(field(struct.unpack_from("<I", meta, 0)[0], 2))
    compression = table_at(field(batch, 3)) if batch is not None else None
    if compression is None:
        return None
    codec = field(compression, 0)
    return ("lz4", "zstd")[meta[codec] if codec is not None else 0]
