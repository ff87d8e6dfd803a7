"""Getting a file's bytes: raw from disk, then out of gzip, bzip2, xz or zstd if its name says it is compressed.

Compression is read from the name, never guessed from the content: a `.gz` that
is not gzip, or one that is cut short, is an error naming the file, not text.
Cleaned copies are compressed the same way, reproducibly (no timestamps).
"""
from __future__ import annotations

import bz2
import errno
import gzip
import io
import lzma
import os
import stat
import threading
import zlib
from contextlib import contextmanager
from pathlib import Path

from .. import _core
from ..errors import InputError
from ..fs import RemotePath, read_input

#: Compressed bytes given to zstd at a time under a size limit (a zstd block of a few bytes may expand to
#: 128 KB: at most a few hundred MB come out of one slice).
_ZSTD_STEP = 4096
#: What a JSONL piece holds besides its longest line (up to `pieces.PIECE_BYTES` before it, a read's worth after
#: it): a piece larger than the size limit by more than this holds a line past the limit.
_PIECE_SLACK = 2 << 20
#: What `prefetched` reads of a batch: each file up to this size (a larger one is read when it is asked for,
#: so that a batch never holds several of them at once), and this much in all.
PREFETCH_FILE_BYTES = 4 << 20
PREFETCH_BATCH_BYTES = 64 << 20
#: Compression suffixes dedupe reads and writes.
COMPRESSIONS = (".gz", ".zst", ".bz2", ".xz")
#: The compressions Python reads itself: (opener, magic bytes, name, the tool that tests a file).
_STDLIB = {".gz": (gzip.open, b"\x1f\x8b", "gzip", "gzip -t"),
           ".bz2": (bz2.open, b"BZh", "bzip2", "bzip2 -t"),
           ".xz": (lzma.open, b"\xfd7zXZ\x00", "xz", "xz -t")}
_LONGEST = max(map(len, COMPRESSIONS))


def compression_of(rel: str) -> str:
    """The compression suffix of a path (one of COMPRESSIONS) or ''."""
    # (only the name's end is lowered: this runs several times per file)
    tail = rel[-_LONGEST:].lower()
    if not tail.endswith(COMPRESSIONS):  # (most names: one call)
        return ""
    for c in COMPRESSIONS:
        if tail.endswith(c):
            return c
    return ""


@contextmanager
def prefetched(src: Path, rels: list[str]):
    """A batch's files read at once, for `read_bytes` in the block (in this thread) to take rather than read.

    One core call reads them all (`_core.read_files`: the regular files of at most PREFETCH_FILE_BYTES,
    PREFETCH_BATCH_BYTES in all), with the GIL released once rather than at each of five system calls a
    file, and the files asked ahead of their reads so that on a cold cache the kernel reads them together
    (measured on this VM's disk, 3,000 files of the benchmark corpus: 83-91 µs a file one after another,
    11-12 with the batch asked ahead). Only the usual case: any file it leaves (missing, a pipe, too large,
    no permission) `read_bytes` reads itself, and says why it cannot. What is not taken is dropped at the end.
    """
    before = _HELD.files
    files: dict[str, bytes] = {}
    if rels and not isinstance(src, RemotePath):
        # (the names as one buffer, joined to `src` in the core: a list of joined paths cost about 1 µs a file)
        names = "\0".join(rels).encode("utf-8", "surrogateescape") + b"\0"
        read = _core.read_files(src, names, PREFETCH_FILE_BYTES, PREFETCH_BATCH_BYTES, _hold_limit())
        files = {rel: data for rel, data in zip(rels, read) if data is not None}
    _HELD.files = (src, files)
    try:
        yield
    finally:
        _HELD.files = before


class _Held(threading.local):
    """Per thread, the (src, {rel: bytes}) that `prefetched` read, or None."""

    files: tuple | None = None


_HELD = _Held()


def _hold_limit() -> int:
    """How many files `prefetched` may hold open at once: a quarter of the soft limit on open files."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):
        return 1
    return 1 << 30 if soft == resource.RLIM_INFINITY else max(soft // 4, 1)


def held_files(src: Path) -> dict[str, bytes]:
    """The bytes `prefetched` read of `src`'s files, by name, left held (a caller that takes one as
    `read_content` would give it checks that its name says no compression and its size is within the limit; one
    it cannot use is read as usual); empty outside `prefetched`."""
    held = _HELD.files
    return held[1] if held is not None and (held[0] is src or held[0] == src) else {}


def read_content(src: Path, rel: str, limit: int) -> bytes:
    """A file's content: its bytes, decompressed if its name says so; InputError past `limit` bytes.

    A file larger than the limit is refused before it is read, a compressed
    one as soon as its decompressed bytes pass the limit: a 227 KB .gz may
    expand to 78 MB, and the stages take about twenty times a document's size.
    """
    compressed = bool(compression_of(rel))
    return decompress(rel, read_bytes(src, rel, None if compressed else limit), limit)


def _too_large(rel: str, limit: int, what: str) -> InputError:
    return InputError(rel, f"larger than {limit >> 20} MB{what}; skipped: raise max_doc_mb (--config) to read it, "
                           f"or split the file")


def read_bytes(src: Path, rel: str, limit: int | None = None) -> bytes:
    """The raw bytes of one input file (refused if larger than `limit`), or an InputError saying why not."""
    if isinstance(src, RemotePath):
        data = read_input(src, rel)
        if limit is not None and len(data) > limit:
            raise _too_large(rel, limit, "")
        return data
    held = _HELD.files
    data = held[1].pop(rel, None) if held is not None and (held[0] is src or held[0] == src) else None
    if data is not None:
        if limit is not None and len(data) > limit:
            raise _too_large(rel, limit, "")
        return data
    try:
        path = os.path.join(src, rel)
        try:
            # Non-blocking, so that opening a FIFO returns at once (it is refused just below); follows
            # symlinks: a loop or a dangling link fails here.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            if os.path.islink(path):
                raise InputError(rel, f"broken symlink to {os.readlink(path)}; skipped") from None
            raise
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise InputError(rel, "not a regular file (device, socket or pipe); skipped")
            if limit is not None and st.st_size > limit:
                raise _too_large(rel, limit, "")
            # One read for the usual file: it stops at the size fstat gave (a second read to see the end was a
            # system call a file, twice a run). A short read (a network or FUSE file system may return one) or
            # a file growing meanwhile is read on to its end.
            step = max(st.st_size + 1, 1 << 16)
            chunk = os.read(fd, step)
            if len(chunk) == st.st_size:
                return chunk
            chunks = [chunk]
            while chunk:
                chunk = os.read(fd, step)
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)
    except InputError:
        raise
    except PermissionError:
        raise InputError(rel, "permission denied; skipped (check the file's permissions)") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise InputError(rel, "symlink loops (it points back to itself); skipped") from None
        raise InputError(rel, f"cannot read: {e.strerror}; skipped") from None


def read_range(src: Path, rel: str, start: int, stop: int, limit: int | None = None) -> bytes:
    """Bytes [start, stop) of a local input file (a piece of a large record file), or an InputError; refused
    unread if the piece is larger than `limit` by more than a piece's usual size (it holds a line that long)."""
    if limit is not None and stop - start > limit + _PIECE_SLACK:
        raise InputError(rel, f"holds a line larger than {limit >> 20} MB (after byte {start}); skipped: raise "
                              f"max_doc_mb (--config) to read it, or split the record")
    try:
        with open(os.path.join(src, rel), "rb") as f:
            f.seek(start)
            data = f.read(stop - start)
    except OSError:
        read_bytes(src, rel)  # the InputError that says why
        raise
    if len(data) != stop - start:
        raise InputError(rel, "changed while it was being cleaned (it is shorter than when it was listed); "
                              "skipped: run again on a folder nobody writes to")
    return data


def decompress(rel: str, data: bytes, limit: int | None = None) -> bytes:
    """The content of a file whose name ends in .gz or .zst (InputError past `limit` bytes); others as they are."""
    kind = compression_of(rel)
    if kind in _STDLIB:
        out = _unpack(rel, data, kind, limit)
    elif kind == ".zst":
        out = _unzstd(rel, data, limit)
    else:
        return data
    if limit is not None and len(out) > limit:
        raise _too_large(rel, limit, " once decompressed")
    return out


def compress(rel: str, data: bytes) -> bytes:
    """Bytes compressed as the output name `rel` says; the same input always gives the same bytes."""
    kind = compression_of(rel)
    if kind == ".gz":
        return gzip.compress(data, compresslevel=6, mtime=0)
    if kind == ".bz2":
        return bz2.compress(data, 9)
    if kind == ".xz":
        return lzma.compress(data)
    if kind == ".zst":
        return _zstd_module(rel).ZstdCompressor(level=3).compress(data)
    return data


def _unpack(rel: str, data: bytes, kind: str, limit: int | None = None) -> bytes:
    """The content of a gzip, bzip2 or xz file (every member or stream), at most limit + 1 bytes of it: enough
    to tell it is too large. Streamed: what lies past the limit is never decompressed."""
    opener, magic, name, tester = _STDLIB[kind]
    if not data.startswith(magic):
        raise InputError(rel, f"named {kind} but not {name} data; skipped: rename it or re-compress it with {name}")
    try:
        with opener(io.BytesIO(data)) as f:
            return f.read() if limit is None else f.read(limit + 1)
    except EOFError:
        raise InputError(
            rel, f"truncated {name} file (it ends before its compressed stream does); skipped: "
            f"re-download or re-compress it ({tester} tests a file)"
        ) from None
    except (OSError, zlib.error, lzma.LZMAError) as e:
        raise InputError(rel, f"corrupt {name} file ({e}); skipped: re-download or re-compress it") from None


def zstandard_module():
    """The zstandard package (an optional dependency), or None where it is not installed."""
    try:
        import zstandard
    except ImportError:
        return None
    return zstandard


def _zstd_module(rel: str):
    zstandard = zstandard_module()
    if zstandard is None:
        raise InputError(
            rel, "a .zst file needs the zstandard package, which is not installed; skipped: "
            "pip install zstandard (or dedupe[zstd])"
        )
    return zstandard


#: A zstd skippable frame: its magic number's first byte (0x50-0x5F, little-endian), then the other three.
_SKIPPABLE_TAIL = b"\x2a\x4d\x18"
#: The skippable frame a `.warc.zst` file may start with, which holds the dictionary its frames were compressed
#: with (the IIPC's warc-zstd specification: Archive Team's crawls write them).
_DICTIONARY_FRAME = 0x5D


def _skippable(rest: bytes) -> tuple[int, int] | None:
    """(its magic number's first byte, the length of its whole frame) of the skippable frame `rest` starts with."""
    if len(rest) >= 8 and 0x50 <= rest[0] <= 0x5F and rest[1:4] == _SKIPPABLE_TAIL:
        return rest[0], 8 + int.from_bytes(rest[4:8], "little")
    return None


def _zstd_dictionary(rel: str, zstandard, frame: bytes, limit: int | None):
    """The dictionary a `.warc.zst` file's first frame holds (itself compressed with zstd, or not)."""
    if frame.startswith(b"\x28\xb5\x2f\xfd"):
        frame = _unzstd(rel, frame, limit)
    return zstandard.ZstdCompressionDict(frame)


def _unzstd(rel: str, data: bytes, limit: int | None = None) -> bytes:
    """zstd's content (every frame), stopped soon after it passes `limit` bytes. Skippable frames are skipped; a
    first one holding a dictionary (a `.warc.zst` file's) is the dictionary of the frames after it."""
    zstandard = _zstd_module(rel)
    out: list[bytes] = []
    size = 0
    rest = data
    dictionary = None
    try:
        while rest:
            skip = _skippable(rest)
            if skip is not None:
                magic, length = skip
                if length > len(rest):
                    raise InputError(rel, "truncated zstd file (it ends inside a skippable frame); skipped: "
                                          "re-download or re-compress it (zstd -t tests a file)")
                if magic == _DICTIONARY_FRAME and rest is data:
                    dictionary = _zstd_dictionary(rel, zstandard, rest[8:length], limit)
                rest = rest[length:]
                continue
            # One decompressobj per frame: files written by streaming tools
            # may hold several frames, and frames need not state their size.
            dobj = zstandard.ZstdDecompressor(dict_data=dictionary).decompressobj()
            # Fed a slice at a time under a limit: a few KB of zstd may expand to gigabytes.
            step = len(rest) if limit is None else _ZSTD_STEP
            at = 0
            while at < len(rest) and not dobj.eof:
                piece = dobj.decompress(rest[at : at + step])
                out.append(piece)
                size += len(piece)
                at += step
                if limit is not None and size > limit:
                    return b"".join(out)
            if not dobj.eof:
                raise InputError(
                    rel, "truncated zstd file (it ends before its compressed frame does); skipped: "
                    "re-download or re-compress it (zstd -t tests a file)"
                )
            rest = dobj.unused_data + rest[at:]  # the next frame: what this slice left, then the slices not fed
    except zstandard.ZstdError as e:
        raise InputError(rel, f"corrupt zstd file ({e}); skipped: re-download or re-compress it") from None
    return b"".join(out)
