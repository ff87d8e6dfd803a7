"""Web archives: WET and WARC files, one record a document.

Two kinds of file, told apart by the records they hold (`mode_of`):

- **text** (``.wet``, and a ``.warc`` file whose first page record is a
  ``conversion``): each ``conversion`` record of ``text/plain`` is a document,
  its block's text; the cleaned copy is the same WARC file again, record for
  record. A cleaned record's block is the cleaned text, with its
  ``Content-Length`` and ``WARC-Block-Digest`` (and a ``WARC-Payload-Digest``
  if it has one) computed again; every other header line keeps its bytes. A
  record found to duplicate another document is left out; every other record
  (``warcinfo``, metadata, a record that could not be read) is copied as it
  was, to the byte.
- **pages** (a ``.warc`` file of ``response`` or ``resource`` records): each
  HTML page (a response of HTTP status 2xx whose content type is HTML, or an
  HTML resource) is a document, its main text extracted as an HTML file's is
  (`html.decode_html`, `html.extract`, the same options). The cleaned text is
  no HTML, so the cleaned copy is JSONL (`x.warc.gz` -> `x.warc.jsonl.gz`):
  one line a page, its cleaned text at `--text-field` with its URL,
  ``WARC-Date`` and ``WARC-Record-ID``. Every other record (requests,
  metadata, revisits, images, redirects...) is skipped, counted by reason in
  one notice a file.

Documents are named ``FILE#ID``, the record's ``WARC-Record-ID`` without its
angle brackets (``a.warc.wet.gz#urn:uuid:...``): what a person greps for. A
record that cannot be read (its header is not a WARC header, its block does
not end where its Content-Length says, the file ends inside it, its gzip
member is corrupt, its text is not UTF-8) is named with its byte offset in
the file (the offset of its gzip member in a compressed file, which `warcio
extract FILE OFFSET` takes), copied unchanged (skipped in pages mode), and the
file's next record is found again (`_resync`): nothing else is lost.

Compression: WARC files are compressed a gzip member a record (what every
WARC writer does), so a record's member is where a reader may start. A
``.gz`` file is read member by member, and its cleaned copy is written a
member a record too (a record copied unchanged keeps its member's bytes; a
JSONL copy's line is a member of its own), so that the copy is the same
whether the file was read whole or in pieces. ``.zst``, ``.bz2`` and ``.xz``
files are read whole, decompressed (up to ``max_doc_mb``), and compressed
whole again.

A local file over `pieces.PIECE_BYTES` (uncompressed or ``.gz``) is cut into
pieces at record boundaries (`piece_spans`), each read and written by a
worker alone; no piece holds more than its own records, and a record's block
is read only if the record is a document (a 200 MB video response is copied
past, never held). A file read whole (on a Dask run, at a URL, with
--annotate, or compressed otherwise than with gzip) is refused past
``max_doc_mb``, as a JSONL file is.

The parser is dedupe's own (docs/formats.md says why not warcio's): the
format is small, and what a cleaned copy needs is exact byte offsets, untouched
records copied to the byte, and a bad record reported with its place while
the rest of the file is read.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import re
import zlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .. import _core
from ..config import Config
from ..errors import InputError
from ..fs import RemotePath
from ..records import CountedNotice, DocResult, Document, Notice
from ..write import atomic_stream, atomic_write, output_file
from . import fields, split_name
from .rows import MAX_ROW_NOTICES, cleaned_text, printable as _escaped
from .source import _too_large, _unzstd, compress, compression_of, read_bytes, read_content, zstandard_module

#: The two ways a web archive is read (see the module's docstring).
TEXT, PAGES = "text", "pages"
#: How far into a record its header is looked for: a header longer than this is not read as one.
HEAD_BYTES = 64 << 10
#: What is read first of a record's header (most are under 1 KB; a longer one is read again, up to HEAD_BYTES).
_HEAD_FIRST = 4096
#: Records read from a `.warc` file's start to find its first page record, which says how it is read.
MODE_RECORDS = 64
#: A gzip member's first bytes: the magic number, then deflate.
_GZIP_MAGIC = b"\x1f\x8b\x08"
_STEP = 1 << 20
#: Media types read as HTML pages.
HTML_TYPES = ("text/html", "application/xhtml+xml")
_VERSION = re.compile(rb"WARC/\d+\.\d+\r?\n")
#: The blank line that ends a record's header, and the two line breaks after its block: CRLF as the standard
#: writes them, or LF alone as some writers do (ClueWeb09's files; warcio and jwarc's lenient mode read both).
_BLANK = re.compile(rb"\r?\n\r?\n")
#: Digest algorithms a digest header may name, as hashlib knows them.
_DIGESTS = {"sha1": "sha1", "sha-1": "sha1", "sha256": "sha256", "sha-256": "sha256", "sha512": "sha512",
            "sha-512": "sha512", "md5": "md5"}


@dataclass(frozen=True)
class Record:
    """One record of a web archive, or a stretch of bytes that should be one and is not (`problem`).

    Its bytes are the file's [start, stop) (in a compressed file, its gzip
    member's), unless its member holds several records (`inner` > 0 or
    `data` set: then `data` holds the record's own bytes, decompressed).
    """

    start: int
    stop: int
    inner: int = 0
    head: bytes = b""  # the header lines as they are, from the version line to the last line (no blank line)
    fields: tuple[tuple[str, str], ...] = ()  # (name in lower case, value)
    length: int = 0  # Content-Length
    block: bytes | None = None  # read only for a record `want` asked for, within the size limit
    data: bytes | None = None
    problem: str | None = None

    def get(self, name: str, default: str = "") -> str:
        """A header's value (the first of that name, in lower case), or `default`."""
        for key, value in self.fields:
            if key == name:
                return value
        return default

    @property
    def type(self) -> str:
        return self.get("warc-type").strip().lower()

    @property
    def key(self) -> str:
        """Where the writer finds the record again: its offset, and its place in its member if not the first."""
        return str(self.start) if not self.inner else f"{self.start}.{self.inner}"

    @property
    def where(self) -> str:
        """Where a person finds the record: its byte offset in the file (its gzip member's in a .gz file)."""
        if not self.inner:
            return f"record at byte {self.start}"
        return f"record {self.inner + 1} of the gzip member at byte {self.start}"


def printable(value: str) -> str:
    """`rows.printable`, without its character-by-character look at a value that is printable already (a header's
    URL, date and id are, nearly always: that look was a third of reading a WET file)."""
    return value if value.isprintable() else _escaped(value)


# --- reading records -----------------------------------------------------------------------------------


def parse_head(data: bytes) -> tuple[int, tuple[tuple[str, str], ...], int] | str:
    """(the header's length with its blank line, its fields, its Content-Length) of a record that starts at
    data[0], or why it is not a WARC record's header."""
    if not _VERSION.match(data):
        return "not a WARC record (no WARC/1.x version line where a record should start)"
    blank = _BLANK.search(data)
    if blank is None:
        return f"its header does not end (no blank line in its first {len(data)} bytes)"
    end = blank.start()
    out: list[list[str]] = []
    for line in data[:end].split(b"\n")[1:]:
        line = line.removesuffix(b"\r")
        if line[:1] in (b" ", b"\t") and out:  # a folded line continues the field before it
            out[-1][1] += " " + line.strip().decode("utf-8", "replace")
            continue
        name, colon, value = line.partition(b":")
        if not colon or not name.strip():
            return f"its header line {printable(line[:60].decode('utf-8', 'replace'))!r} is not 'Name: value'"
        out.append([name.strip().decode("utf-8", "replace").lower(), value.strip().decode("utf-8", "replace")])
    found = tuple((k, v) for k, v in out)
    length = next((v for k, v in found if k == "content-length"), None)
    if length is None:
        return "its header has no Content-Length"
    if not length.isdigit():
        return f"its Content-Length {printable(length)!r} is not a number"
    return blank.end(), found, int(length)


def head_lines(data: bytes, n: int) -> bytes:
    """A record's header lines as they are, from its version line to its last line (no blank line), out of the
    first `n` bytes of the record `parse_head` read (its header with the blank line)."""
    return data[:n].rstrip(b"\r\n")


def _ends_record(after: bytes) -> bool:
    """Whether the bytes after a block start with the two line breaks that end a record."""
    return _BLANK.match(after) is not None


def _end_problem(length: int, room: int, where: str, trailer) -> str | None:
    """Why a record cannot be read past its head, or None: its block (`length` bytes, by its Content-Length) runs
    past the `room` bytes left in `where`, or `trailer()` (the 4 bytes after the block; None: not read) does not
    start with the blank line that ends a record (two line breaks, CRLF or LF)."""
    if length + 2 > room:
        return (f"truncated: its Content-Length ({length}) runs past the end of {where} "
                f"({max(min(room, length), 0)} bytes of its block are there)")
    after = trailer()
    if after is not None and not _ends_record(after):
        return f"its block does not end where its Content-Length ({length}) says (no blank line after it)"
    return None


def _trailing(data: bytes, at: int) -> int:
    """Past the line breaks at data[at:] (the blank lines after a record, and any more a writer added)."""
    n = len(data)
    while at < n and data[at] in (10, 13):
        at += 1
    return at


class _Source:
    """The bytes of a web archive: a local file (read as it is needed) or bytes in memory, and its size."""

    def __init__(self, f, size: int):
        self.f, self.size = f, size

    def read(self, at: int, n: int) -> bytes:
        self.f.seek(at)
        return self.f.read(n)

    def chunks(self, start: int, stop: int) -> Iterator[bytes]:
        """The bytes [start, stop), a MB at a time."""
        self.f.seek(start)
        left = stop - start
        while left > 0:
            chunk = self.f.read(min(_STEP, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def records(src: _Source, start: int, stop: int, gz: bool, limit: int, want=None, rel: str = "",
            whole: bool = False) -> Iterator[Record]:
    """The records that start in [start, stop) of the web archive `rel`, in order; `want(record)` says whose block
    to read (if it is at most `limit` bytes). `whole`: the file is read whole, and refused once its decompressed
    bytes pass `limit`."""
    if gz:
        yield from _gzip_records(src, start, stop, limit, want, rel, whole)
    else:
        yield from _plain_records(src, start, stop, limit, want)


def _plain_records(src: _Source, start: int, stop: int, limit: int, want) -> Iterator[Record]:
    pos = start
    while pos < stop:
        head = src.read(pos, _HEAD_FIRST)
        parsed = parse_head(head)
        if isinstance(parsed, str) and len(head) == _HEAD_FIRST and not _BLANK.search(head):
            head = src.read(pos, HEAD_BYTES)
            parsed = parse_head(head)
        problem = parsed if isinstance(parsed, str) else None
        if problem is None:
            n, found, length = parsed
            end = pos + n + length
            problem = _end_problem(length, src.size - pos - n, "the file", lambda: src.read(end, 4))
        if problem is not None:
            nxt = _resync_plain(src, pos + 1)
            yield Record(pos, nxt, problem=problem)
            pos = nxt
            continue
        after = end
        while True:  # past the blank lines (a writer may add more than the two)
            tail = src.read(after, 64)
            skip = _trailing(tail, 0)
            after += skip
            if skip < len(tail) or not tail:
                break
        block = src.read(pos + n, length) if want is not None and length <= limit and want(
            Record(pos, after, 0, b"", found, length)) else None
        yield Record(pos, after, 0, head_lines(head, n), found, length, block)
        pos = after


def _resync_plain(src: _Source, pos: int) -> int:
    """The first place at or after `pos` where a line starts with a WARC header that parses; the file's end if none."""
    while pos < src.size:
        chunk = src.read(pos - 1, _STEP + 8)
        at = 1
        while True:
            at = chunk.find(b"WARC/", at)
            if at < 0 or at > _STEP:
                break
            if chunk[at - 1] == 10 and not isinstance(parse_head(src.read(pos - 1 + at, HEAD_BYTES)), str):
                return pos - 1 + at
            at += 1
        pos += _STEP
    return src.size


@dataclass
class _Member:
    end: int  # where the member ends in the file
    data: bytes  # its decompressed bytes, at most `cap` of them
    size: int  # how many it decompresses to
    problem: str | None = None


def _inflate(src: _Source, pos: int, cap: int) -> _Member:
    """The gzip member that starts at `pos`: its end, its first `cap` decompressed bytes and its size; a problem
    (not gzip, corrupt, truncated) instead of an error."""
    if src.read(pos, 3) != _GZIP_MAGIC:
        return _Member(pos, b"", 0, "not a gzip member (each record of a .gz WARC file is one)")
    d = zlib.decompressobj(31)
    out: list[bytes] = []
    held = size = 0
    at, step = pos, 1 << 16  # (most members are a few KB: read a little first, more as a member goes on)
    try:
        while at < src.size:
            chunk = src.read(at, step)
            at += len(chunk)
            step = min(step * 2, _STEP)
            while chunk:
                piece = d.decompress(chunk, _STEP)
                size += len(piece)
                if held < cap:
                    out.append(piece[: cap - held])
                    held += len(out[-1])
                if d.eof:
                    return _Member(at - len(d.unused_data), b"".join(out), size)
                chunk = d.unconsumed_tail
    except zlib.error as e:
        return _Member(pos, b"", 0, f"corrupt gzip member ({e})")
    return _Member(pos, b"", 0, "truncated gzip member (the file ends inside it)")


def _member_head(src: _Source, pos: int) -> bool:
    """Whether a gzip member that decompresses to a WARC record's header starts at `pos` (its first bytes only)."""
    if src.read(pos, 3) != _GZIP_MAGIC:
        return False
    d = zlib.decompressobj(31)
    out = b""
    try:
        for chunk in src.chunks(pos, min(pos + HEAD_BYTES, src.size)):
            out += d.decompress(chunk, HEAD_BYTES - len(out))
            if _BLANK.search(out) or d.eof or len(out) >= HEAD_BYTES:
                break
    except zlib.error:
        return False
    return not isinstance(parse_head(out), str)


def _resync_gzip(src: _Source, pos: int) -> int:
    """The first place at or after `pos` where a gzip member of a WARC record starts; the file's end if none."""
    step = 1 << 16  # (a record's member is most often a few KB: the next one is in the first read)
    while pos < src.size:
        chunk = src.read(pos, step + 2)
        at = 0
        while True:
            at = chunk.find(_GZIP_MAGIC, at)
            if at < 0 or at >= step:
                break
            if _member_head(src, pos + at):
                return pos + at
            at += 1
        pos += step
        step = _STEP
    return src.size


def _gzip_records(src: _Source, start: int, stop: int, limit: int, want, rel: str, whole: bool) -> Iterator[Record]:
    cap = limit + HEAD_BYTES
    pos, total = start, 0
    while pos < stop:
        member = _inflate(src, pos, cap)
        if member.problem:
            nxt = _resync_gzip(src, pos + 1)
            yield Record(pos, nxt, problem=member.problem)
            pos = nxt
            continue
        total += member.size
        if whole and total > limit:
            if member.size > len(member.data) and _several(member):
                raise _one_stream(rel, limit)
            raise _too_large(rel, limit, " once decompressed")
        yield from _member_records(pos, member, limit, want, rel)
        pos = member.end


def _several(member: _Member) -> bool:
    """Whether a gzip member larger than what is held of it holds more than its first record."""
    parsed = parse_head(member.data[:HEAD_BYTES])
    return not isinstance(parsed, str) and parsed[0] + parsed[2] + 2 + _UNSEEN_TAIL < member.size


def _one_stream(rel: str, limit: int) -> InputError:
    return InputError(rel, f"compressed as one gzip stream rather than a gzip member a record (as WARC writers do), "
                           f"and larger than {limit >> 20} MB once decompressed; skipped: recompress it a record a "
                           f"member (warcio recompress IN OUT), or raise max_doc_mb (--config)")


#: Line breaks after a record larger than what is held of its member, taken as its blank lines unseen: past
#: this, its member holds more records.
_UNSEEN_TAIL = 64


def _member_records(pos: int, member: _Member, limit: int, want, rel: str) -> Iterator[Record]:
    """The records of one gzip member (one, in a WARC file compressed as WARC writers do)."""
    data, at, inner = member.data, 0, 0
    while at < len(data):
        parsed = parse_head(data[at : at + HEAD_BYTES])
        problem = parsed if isinstance(parsed, str) else None
        if problem is None:
            n, found, length = parsed
            end = at + n + length
            problem = _end_problem(length, member.size - at - n, "its gzip member",
                                   lambda: data[end : end + 4] if end + 4 <= len(data) else None)
        if problem is not None:
            # (the rest of the member: a member cannot be entered anywhere but at its start)
            yield Record(pos, member.end, inner, data=data[at:] if inner else None, problem=problem)
            return
        if end + 4 <= len(data) or end + 2 <= len(data) == member.size:
            after = _trailing(data, end)
        elif member.size - end - 2 <= _UNSEEN_TAIL:
            after = member.size  # a record larger than what is held: its member is its own
        else:
            after = -1
        if after < 0 or (after < member.size and member.size > len(data)):
            raise _one_stream(rel, limit)
        alone = at == 0 and after >= member.size
        record = Record(pos, member.end, inner, head_lines(data[at : at + n], n), found, length,
                        data=None if alone else data[at:after])
        if want is not None and length <= limit and end <= len(data) and want(record):
            record = Record(pos, member.end, inner, record.head, found, length, data[at + n : end], record.data)
        yield record
        at, inner = after, inner + 1


@contextmanager
def _opened(src: Path, rel: str, limit: int, piece=None):
    """The web archive to read: (its _Source, whether it is read as gzip members, whether it is read whole, and
    the span [start, stop) to read: the piece's, or the whole file's)."""
    comp = compression_of(rel)
    if piece is not None:
        with open(os.path.join(src, rel), "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < piece.stop:
                raise InputError(rel, "changed while it was being cleaned (it is shorter than when it was listed); "
                                      "skipped: run again on a folder nobody writes to")
            yield _Source(f, size), comp == ".gz", False, piece.start, piece.stop
        return
    if comp == ".gz":
        data = read_bytes(src, rel)  # (decompressed a member at a time, refused past the limit)
    elif comp:
        data = read_content(src, rel, limit)  # .zst, .bz2, .xz: decompressed whole, up to the limit
    else:
        data = read_bytes(src, rel, limit)
    yield _Source(io.BytesIO(data), len(data)), comp == ".gz", True, 0, len(data)


# --- which records are documents ------------------------------------------------------------------------


#: What is held of a gzip member while a file's first records are read for `mode_of` (whatever max_doc_mb is).
_MODE_CAP = 1 << 20


def mode_of(rel: str, source: _Source, gz: bool) -> str:
    """How a web archive is read: TEXT for a .wet file, or a .warc file whose first page record (of its first
    MODE_RECORDS) is a conversion record; else PAGES. Depends only on the file's first records."""
    if split_name(rel)[1].lower() == ".wet":
        return TEXT
    try:
        for i, record in enumerate(records(source, 0, source.size, gz, _MODE_CAP, rel=rel)):
            kind = record.type
            if kind == "conversion":
                return TEXT
            if kind in ("response", "resource") or i + 1 >= MODE_RECORDS:
                break
    except InputError:  # (a member of many records past what is held: reading the file says so)
        pass
    return PAGES


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _is_text(record: Record) -> bool:
    """Whether a record of a WET file is a document: a conversion record of plain text."""
    return record.type == "conversion" and _media_type(record.get("content-type", "text/plain")) == "text/plain"


def _is_page(record: Record) -> bool:
    """Whether a record of a WARC file may be a page (its block is read to see): a response or a resource."""
    return record.type in ("response", "resource")


def _text_of(record: Record, limit: int) -> tuple[str | None, str | None]:
    """(the text of a WET file's document record, None), or (None, what keeps it from being one)."""
    if record.block is None:
        return None, f"its block is {record.length >> 20} MB, larger than max_doc_mb ({limit >> 20} MB)"
    try:
        return record.block.decode("utf-8"), None
    except UnicodeDecodeError as e:
        return None, f"its text is not UTF-8 (byte 0x{record.block[e.start]:02x} at byte {e.start} of its block)"


def _http(block: bytes) -> tuple[int, dict[str, str], bytes] | None:
    """(status, headers in lower case, body) of an HTTP response, or None if the block is not one."""
    end = block.find(b"\r\n\r\n")
    sep = 4
    if end < 0:
        end, sep = block.find(b"\n\n"), 2
    if end < 0 or not block.startswith(b"HTTP/"):
        return None
    lines = block[:end].decode("latin-1").splitlines()
    parts = lines[0].split(None, 2)
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers.setdefault(name.strip().lower(), value.strip())
    return int(parts[1]), headers, block[end + sep :]


def _dechunk(body: bytes) -> bytes:
    """An HTTP body sent in chunks, joined; the body as it is if it is not in chunks (as warcio reads it)."""
    out, at = [], 0
    while True:
        eol = body.find(b"\r\n", at)
        size = body[at:eol].split(b";", 1)[0].strip() if eol >= 0 else b""
        try:
            n = int(size, 16)
        except ValueError:
            return body if not out else b"".join(out)
        if n == 0:
            return b"".join(out)
        out.append(body[eol + 2 : eol + 2 + n])
        at = eol + 2 + n + 2
        if at > len(body):  # cut short: what there is
            return b"".join(out)


def _decoded(body: bytes, encoding: str, limit: int) -> bytes | str:
    """A body without its Content-Encoding (gzip, deflate, br, zstd), at most `limit` bytes of it, or why it cannot
    be."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity", "none"):
        return body
    too_large = f"larger than max_doc_mb ({limit >> 20} MB) once decoded"
    if encoding == "br":  # (brotli: what browsers ask for, and crawls made with one record)
        try:
            out = _core.unbrotli(body, limit)
        except ValueError:
            return "Content-Encoding br but not br data"
        return too_large if out is None else out
    if encoding == "zstd":  # (as a .zst file is read: with the zstandard package, if it is installed)
        if zstandard_module() is None:
            return "Content-Encoding zstd, not read without the zstandard package (pip install zstandard)"
        try:
            out = _unzstd("", body, limit)
        except InputError:
            return "Content-Encoding zstd but not zstd data"
        return too_large if len(out) > limit else out
    if encoding in ("gzip", "x-gzip", "deflate"):
        for wbits in ((47,) if encoding != "deflate" else (15, -15)):
            try:
                d = zlib.decompressobj(wbits)
                out = d.decompress(body, limit + 1)
                return out if len(out) <= limit else too_large
            except zlib.error:
                continue
        return f"Content-Encoding {encoding} but not {encoding} data"
    return f"Content-Encoding {printable(encoding)}, not read"


def _charset(content_type: str) -> str | None:
    """The charset a Content-Type names ("text/html; charset=windows-1251"), or None."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip()
    return None


def _html_of(record: Record, limit: int) -> tuple[bytes | None, str, str]:
    """(the HTML of a page record, the Content-Type it was sent with, '') or (None, '', why it is not a page: the
    reason a notice counts)."""
    if record.block is None:
        return None, "", "records larger than max_doc_mb, not read"
    declared = ""
    if record.type == "resource":
        body, declared = record.block, record.get("content-type")
    else:
        http = _http(record.block)
        if http is None:
            return None, "", "responses that are not HTTP"
        status, headers, body = http
        if not 200 <= status < 300:
            return None, "", f"responses of HTTP status {status // 100}xx"
        if headers.get("transfer-encoding", "").strip().lower() == "chunked":
            body = _dechunk(body)
        body = _decoded(body, headers.get("content-encoding", ""), limit)
        if isinstance(body, str):
            return None, "", f"responses whose body has a {body}"
        declared = headers.get("content-type", "") or record.get("warc-identified-payload-type")
    kind = _media_type(declared)
    if kind in HTML_TYPES or (not kind and body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))):
        return body, declared, ""
    return None, "", f"{record.type}s not HTML"


# --- documents --------------------------------------------------------------------------------------------


def read_warc(src: Path, rel: str, config: Config, piece=None) -> tuple[list[Document], list[Notice]]:
    """The documents of a web archive (or of a piece of one), and notices about it (see the module's docstring)."""
    limit = config.max_doc_mb << 20
    with _opened(src, rel, limit, piece) as (source, gz, whole, start, stop):
        mode = mode_of(rel, source, gz)
        want = _is_text if mode == TEXT else _is_page
        rows = records(source, start, stop, gz, limit, want, rel, whole)
        # Names are made unique here in a file read whole; a piece's, by the pipeline across the file's pieces
        # (which suffixes them the same way).
        taken: set[str] | None = set() if piece is None else None
        return (_text_documents if mode == TEXT else _page_documents)(rel, rows, config, taken)


def _named(rel: str, record: Record, taken: set[str] | None) -> str | None:
    """A document's name: FILE#ID, its WARC-Record-ID without the angle brackets; ID@2... for an id taken."""
    rid = record.get("warc-record-id").strip().strip("<>").strip()
    if not rid:
        return None
    base = name = f"{rel}#{printable(rid)}"
    if taken is not None:
        k = 1
        while name in taken:
            k += 1
            name = f"{base}@{k}"
        taken.add(name)
    return name


def _meta(record: Record) -> tuple[tuple[str, str], ...]:
    meta = [("record", record.key)]
    for key, name in (("url", "warc-target-uri"), ("date", "warc-date"), ("record_id", "warc-record-id")):
        value = record.get(name).strip()
        if key == "url":
            value = value.strip("<>")  # (WARC 1.0's example wrote it in angle brackets)
        if value:
            meta.append((key, printable(value)))
    return tuple(meta)


def _bad_notices(rel: str, bad: list[Record], done: str) -> list[Notice]:
    """A notice for each record that could not be read (the first MAX_ROW_NOTICES), with its place."""
    out = [Notice(rel, f"{r.where}: {r.problem}; {done}") for r in bad[:MAX_ROW_NOTICES]]
    if len(bad) > MAX_ROW_NOTICES:
        out.append(Notice(rel, f"{len(bad) - MAX_ROW_NOTICES} more records that could not be read ({bad[MAX_ROW_NOTICES].where} "
                               f"to {bad[-1].where}); {done}"))
    return out


class _Reading:
    """What a file's records came to besides its documents: how many were read, the bad ones, the others counted
    by kind."""

    def __init__(self) -> None:
        self.seen = 0
        self.bad: list[Record] = []
        self.other: Counter = Counter()

    def candidates(self, rows: Iterator[Record], wanted, kind_of) -> Iterator[Record]:
        """The records that may be documents (`wanted`); a bad one is kept aside, another (but the warcinfo
        record) counted by `kind_of`."""
        for record in rows:
            self.seen += 1
            if record.problem:
                self.bad.append(record)
            elif wanted(record):
                yield record
            elif record.type != "warcinfo":
                self.other[kind_of(record)] += 1


def _not_text(record: Record) -> str:
    kind = record.type or "untyped"
    if kind != "conversion":
        return f"{kind} records"
    return f"conversion records of {printable(_media_type(record.get('content-type')))}"


def _text_documents(rel: str, rows: Iterator[Record], config: Config, taken: set[str] | None):
    """A WET file's documents: its conversion records of plain text."""
    limit = config.max_doc_mb << 20
    docs: list[Document] = []
    reading = _Reading()
    for record in reading.candidates(rows, _is_text, _not_text):
        text, problem = _text_of(record, limit)
        name = _named(rel, record, taken) if text is not None else None
        if text is not None and name is None:
            problem = "it has no WARC-Record-ID"
        if problem:
            reading.bad.append(Record(record.start, record.stop, record.inner, problem=problem))
            continue
        if not text.strip():
            reading.other["empty conversion records"] += 1
            continue
        docs.append(Document(id=name, text=text, format="wet", encoding="utf-8", meta=_meta(record)))
    notices = _bad_notices(rel, reading.bad, "copied unchanged, not cleaned")
    if not reading.seen:
        notices.append(Notice(rel, "empty file (no WARC records); copied as is", failed=False))
    if reading.other:
        notices.append(CountedNotice.of(rel, "records copied unchanged, not documents", reading.other))
    return docs, notices


def _page_documents(rel: str, rows: Iterator[Record], config: Config, taken: set[str] | None):
    """A WARC file's documents: its HTML pages' main text, as an HTML file's is read."""
    limit = config.max_doc_mb << 20
    from .html import _WHOLE_WHY, _host, decode_html, extract

    docs: list[Document] = []
    reading = _Reading()
    skipped = reading.other
    read_whole: Counter = Counter()
    for record in reading.candidates(rows, _is_page, lambda record: f"{record.type or 'untyped'} records"):
        html_bytes, sent_as, why = _html_of(record, limit)
        if html_bytes is None:
            skipped[why] += 1
            continue
        try:
            # (the charset the page was sent with comes before the one it declares, as a browser reads it)
            html, warning = decode_html(rel, html_bytes, config, _charset(sent_as))
        except InputError:
            skipped["binary pages (NUL bytes)"] += 1
            continue
        if warning:
            read_whole["pages with a guessed or repaired encoding"] += 1
        text, _, whole = extract(html, config) if html.strip() else ("", None, None)
        if not text.strip():
            skipped["pages with no main content"] += 1
            continue
        if whole:
            read_whole["pages read as their whole text" + _WHOLE_WHY[whole]] += 1
        name = _named(rel, record, taken)
        if name is None:
            reading.bad.append(Record(record.start, record.stop, record.inner, problem="it has no WARC-Record-ID"))
            continue
        meta = _meta(record)
        host = _host(dict(meta).get("url"))
        if host:
            meta += (("host", printable(host)),)
        docs.append(Document(id=name, text=text.rstrip("\n") + "\n", format="html", encoding="utf-8", meta=meta))
    notices = _bad_notices(rel, reading.bad, "skipped")
    if not reading.seen:
        notices.append(Notice(rel, "empty file (no WARC records); its copy is an empty JSONL file", failed=False))
    if skipped:
        notices.append(CountedNotice.of(rel, "records skipped, not pages", skipped))
    if read_whole:
        notices.append(CountedNotice.of(rel, "pages read with a warning", read_whole))
    return docs, notices


# --- writing ----------------------------------------------------------------------------------------------


def pages_rel(rel: str) -> str:
    """The name of a WARC file's cleaned copy of its pages: JSONL beside it (a.warc.gz -> a.warc.jsonl.gz)."""
    stem, suffix, comp = split_name(rel)
    return stem + suffix + ".jsonl" + comp


def _mode_of_file(src: Path, rel: str, limit: int) -> str:
    """`mode_of` a file, for its writer (a file's pages are not read again to write them)."""
    if split_name(rel)[1].lower() == ".wet":
        return TEXT
    if isinstance(src, RemotePath) or compression_of(rel) not in ("", ".gz"):
        with _opened(src, rel, limit) as (source, gz, *_):
            return mode_of(rel, source, gz)
    with open(os.path.join(src, rel), "rb") as f:
        return mode_of(rel, _Source(f, os.fstat(f.fileno()).st_size), compression_of(rel) == ".gz")


def write_warc(src: Path, dst: Path, rel: str, docs: list[Document], results: list[DocResult],
               config: Config) -> str:
    """The cleaned copy of a web archive: the WET file record for record, or its pages as JSONL; the relative
    path written."""
    limit = config.max_doc_mb << 20
    mode = TEXT if docs and docs[0].format == "wet" else PAGES if docs else _mode_of_file(src, rel, limit)
    if mode == PAGES:
        out = pages_rel(rel)
        with atomic_stream(output_file(dst, out)) as f:
            f.write(_page_lines(rel, docs, results, config, whole=True) or _empty(rel))
        return out
    with atomic_stream(output_file(dst, rel)) as f:
        if not any(r.dropped or r.cleaned != d.text for d, r in zip(docs, results)):
            f.write(read_bytes(src, rel))  # nothing changed: the file itself, as a file cleaned in pieces
        else:
            _text_copy(src, rel, docs, results, limit, None, f)
    return rel


def write_warc_piece(src: Path, piece, docs: list[Document], results: list[DocResult], config: Config, part) -> None:
    """A piece's part of a web archive's cleaned copy, into the file `part` (`assemble_warc` joins them)."""
    limit = config.max_doc_mb << 20
    with atomic_stream(part) as f:
        if docs and docs[0].format == "html" or not docs and _mode_of_file(src, piece.rel, limit) == PAGES:
            f.write(_page_lines(piece.rel, docs, results, config, whole=False))
        else:
            _text_copy(src, piece.rel, docs, results, limit, piece, f)


def assemble_warc(src: Path, dst: Path, rel: str, parts: list[Path], changed: bool) -> str:
    """The cleaned copy of a web archive cleaned in pieces, from its parts in order: its pages' JSONL, or the WET
    file (the input's bytes if nothing changed, as a file cleaned whole)."""
    import shutil

    mode = _mode_of_file(src, rel, 0)
    out = pages_rel(rel) if mode == PAGES else rel
    with atomic_stream(output_file(dst, out)) as f:
        for path in ([os.path.join(src, rel)] if mode == TEXT and not changed else parts):
            with open(path, "rb") as part:
                shutil.copyfileobj(part, f, 1 << 20)
        if mode == PAGES and not f.tell():
            f.write(_empty(rel))
    return out


def _empty(rel: str) -> bytes:
    """A JSONL copy of no pages: nothing, or in a .gz file an empty gzip member (an empty file is no gzip file)."""
    return _member(b"") if compression_of(rel) == ".gz" else b""


def _text_copy(src: Path, rel: str, docs: list[Document], results: list[DocResult], limit: int, piece, out) -> None:
    """A WET file's records (the piece's, or all) to `out`: each as it was, but a cleaned record's block and
    header, and a duplicate left out."""
    by_key = {doc.get("record"): (doc, result) for doc, result in zip(docs, results)}
    with _opened(src, rel, limit, piece) as (source, gz, whole, start, stop):
        comp = compression_of(rel) if whole and not gz else ""
        sink = io.BytesIO() if comp else out  # (.zst, .bz2, .xz: compressed whole, as they were read)
        for record in records(source, start, stop, gz, limit, None, rel, whole):
            doc, result = by_key.get(record.key, (None, None))
            if result is not None and result.dropped:
                continue
            if result is None or result.cleaned == doc.text:
                _copy(source, record, gz, sink)
                continue
            block = cleaned_text(doc, result.cleaned).encode("utf-8")
            raw = rewrite_head(record.head, block) + b"\r\n\r\n" + block + b"\r\n\r\n"
            sink.write(_member(raw) if gz else raw)
        if comp:
            out.write(compress(rel, sink.getvalue()))


def _copy(source: _Source, record: Record, gz: bool, out) -> None:
    """A record written as it was: its bytes in the file (its gzip member), or, in a member of several records,
    its own bytes in a member of its own."""
    if record.data is not None and gz:
        out.write(_member(record.data))
        return
    for chunk in source.chunks(record.start, record.stop):
        out.write(chunk)


def _member(data: bytes) -> bytes:
    """One gzip member, reproducibly (no time, no name), as the cleaned copies of compressed files are."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def _page_lines(rel: str, docs: list[Document], results: list[DocResult], config: Config, whole: bool) -> bytes:
    """A WARC file's pages as JSONL lines: the cleaned text at --text-field, the record's URL, date and id; a
    gzip member a line if the file is .gz (the same bytes read whole or in pieces); other compressions whole."""
    lines = [_page_line(rel, doc, result.cleaned, config) for doc, result in zip(docs, results) if not result.dropped]
    data = b"".join(lines)
    return compress(rel, data) if whole and compression_of(rel) not in ("", ".gz") else data


def _page_line(rel: str, doc: Document, text: str, config: Config, extra: tuple = ()) -> bytes:
    """One page's JSONL line (a gzip member of its own in a .gz file's copy)."""
    meta = dict(doc.meta)
    record: dict = {"url": meta.get("url", ""), "warc_date": meta.get("date", ""),
                    "warc_record_id": meta.get("record_id", "")}
    path = fields.parse(config.text_field)
    node = record
    for name in path[:-1]:
        if not isinstance(node.get(name), dict):
            node[name] = {}
        node = node[name]
    node[path[-1]] = text.rstrip("\n")  # (the page's text as a record's: no last line break)
    record.update(extra)
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    return _member(line) if compression_of(rel) == ".gz" else line


def write_warc_annotated(src: Path, dst: Path, rel: str, docs: list[Document], results: list[DocResult],
                         config: Config, field: str, sidecar: str) -> str | list[str]:
    """--annotate: a WARC file's pages as JSONL, each with its text unchanged and its annotation in `field`; a WET
    file copied unchanged, and its documents' annotations beside it (NAME + `sidecar`: a JSON array, an object a
    document with its name, record id, URL and annotation). The relative paths written."""
    limit = config.max_doc_mb << 20
    mode = TEXT if docs and docs[0].format == "wet" else PAGES if docs else _mode_of_file(src, rel, limit)
    if mode == PAGES:
        out = pages_rel(rel)
        data = b"".join(_page_line(rel, doc, doc.text, config, ((field, result.annotation),))
                        for doc, result in zip(docs, results))
        atomic_write(output_file(dst, out), compress(out, data) if compression_of(rel) not in ("", ".gz") else data)
        return out
    atomic_write(output_file(dst, rel), read_bytes(src, rel))
    entries = [json.dumps({"document": doc.id, "warc_record_id": doc.get("record_id"), "url": doc.get("url"),
                           field: result.annotation}, ensure_ascii=False) for doc, result in zip(docs, results)]
    atomic_write(output_file(dst, rel + sidecar), ("[" + ",\n ".join(entries) + "]\n").encode("utf-8"))
    return [rel, rel + sidecar]


def rewrite_head(head: bytes, block: bytes) -> bytes:
    """A record's header lines for a new block: its Content-Length and digests of it computed again (a digest
    whose algorithm or encoding dedupe does not know is left out: a wrong one would be worse), every other line
    as it was, each ended as the standard ends it (CRLF, also where the record's own lines ended in LF alone)."""
    out = []
    for line in head.split(b"\n"):
        line = line.removesuffix(b"\r")
        name, colon, value = line.partition(b":")
        key = name.strip().lower()
        if colon and key == b"content-length":
            line = name + b": " + str(len(block)).encode()
        elif colon and key in (b"warc-block-digest", b"warc-payload-digest"):
            digest = _digest(value.strip().decode("ascii", "replace"), block)
            if digest is None:
                continue
            line = name + b": " + digest.encode()
        out.append(line)
    return b"\r\n".join(out)


def digest_of(block: bytes, algorithm: str = "sha1") -> str:
    """A block's digest as WARC writers write it: `sha1:` and the digest in base 32."""
    return f"{algorithm}:{base64.b32encode(hashlib.new(algorithm, block).digest()).decode('ascii')}"


def _digest(old: str, block: bytes) -> str | None:
    """A digest of `block` in the algorithm and encoding of the digest `old` (base 32 or hex), or None."""
    label, colon, value = old.partition(":")
    algorithm = _DIGESTS.get(label.strip().lower())
    if not colon or algorithm is None:
        return None
    digest = hashlib.new(algorithm, block).digest()
    value = value.strip()
    b32 = base64.b32encode(digest).decode("ascii")
    if len(value) == len(b32) and re.fullmatch(r"[A-Za-z2-7=]+", value):
        return f"{label}:{b32 if not value.islower() else b32.lower()}"
    if len(value) == 2 * len(digest) and re.fullmatch(r"[0-9A-Fa-f]+", value):
        return f"{label}:{digest.hex().upper() if value.isupper() else digest.hex()}"
    return None


# --- pieces -----------------------------------------------------------------------------------------------


def piece_spans(src: Path, rel: str, config: Config, size_step: int) -> list[tuple[int, int, int]] | None:
    """Byte spans of a local web archive, each starting where a record (or its gzip member) starts, each at
    least `size_step` long; None for a file of one piece, or one compressed otherwise than with gzip (read whole).

    Depends only on the file's bytes. An uncompressed file is walked record by record (headers only: the
    reader walks the same records, so a piece ends where the next one starts); a .gz file is entered at
    each step and the next gzip member of a WARC record found from there (`_resync_gzip`, which the reader
    also uses to find its way after a corrupt member)."""
    comp = compression_of(rel)
    path = os.path.join(src, rel)
    if comp not in ("", ".gz") or os.path.getsize(path) <= size_step:
        return None
    bounds = [0]
    with open(path, "rb") as f:
        source = _Source(f, os.fstat(f.fileno()).st_size)
        if comp == ".gz":
            while bounds[-1] + size_step < source.size:
                at = _resync_gzip(source, bounds[-1] + size_step)
                if at >= source.size:
                    break
                bounds.append(at)
        else:
            for record in records(source, 0, source.size, False, config.max_doc_mb << 20, rel=rel):
                if record.start >= bounds[-1] + size_step:
                    bounds.append(record.start)
        size = source.size
    if len(bounds) < 2:
        return None
    return [(a, b, 0) for a, b in zip(bounds, bounds[1:] + [size])]


def read_warc_piece(src: Path, piece, config: Config) -> tuple[list[Document], list[Notice]]:
    """The documents of a piece of a web archive (`pieces`): only its records are read."""
    return read_warc(src, piece.rel, config, piece)
