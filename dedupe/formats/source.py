"""Getting a file's bytes: raw from disk, then out of gzip or zstd if its name says it is compressed.

Compression is read from the name, never guessed from the content: a `.gz` that
is not gzip, or one that is cut short, is an error naming the file, not text.
Cleaned copies are compressed the same way, reproducibly (no timestamps).
"""
from __future__ import annotations

import errno
import gzip
import os
import stat
import zlib
from pathlib import Path

from ..errors import InputError
from ..fs import RemotePath, read_input

#: Compression suffixes dedupe reads and writes.
COMPRESSIONS = (".gz", ".zst")


def compression_of(rel: str) -> str:
    """The compression suffix of a path ('.gz', '.zst') or ''."""
    lower = rel.lower()
    return next((c for c in COMPRESSIONS if lower.endswith(c)), "")


def prefetch(src: Path, rels: list[str]) -> None:
    """Ask the kernel to start reading a batch of files at once (posix_fadvise WILLNEED), so that the reads
    that follow find them in memory.

    On a cold cache each read otherwise waits on the disk in turn: measured on this VM's disk, reading 3,000
    files of the benchmark corpus took 83-91 µs a file, and 11-12 with the batch prefetched first. Only a
    hint: a file it cannot open or that is not a regular file is left for read_bytes to report.
    """
    advise = getattr(os, "posix_fadvise", None)
    if advise is None or isinstance(src, RemotePath):
        return
    for rel in rels:
        try:
            fd = os.open(os.path.join(src, rel), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def read_bytes(src: Path, rel: str) -> bytes:
    """The raw bytes of one input file, or an InputError saying why not."""
    if isinstance(src, RemotePath):
        return read_input(src, rel)
    path = os.path.join(src, rel)
    try:
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
            chunks = []
            while True:  # one read for the usual file; a file growing meanwhile is read to its end
                chunk = os.read(fd, max(st.st_size + 1, 1 << 16))
                if not chunk:
                    break
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


def read_range(src: Path, rel: str, start: int, stop: int) -> bytes:
    """Bytes [start, stop) of a local input file (a piece of a large record file), or an InputError."""
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


def decompress(rel: str, data: bytes) -> bytes:
    """The content of a file whose name ends in .gz or .zst; other files as they are."""
    kind = compression_of(rel)
    if kind == ".gz":
        return _gunzip(rel, data)
    if kind == ".zst":
        return _unzstd(rel, data)
    return data


def compress(rel: str, data: bytes) -> bytes:
    """Bytes compressed as the output name `rel` says; the same input always gives the same bytes."""
    kind = compression_of(rel)
    if kind == ".gz":
        return gzip.compress(data, compresslevel=6, mtime=0)
    if kind == ".zst":
        return _zstd_module(rel).ZstdCompressor(level=3).compress(data)
    return data


def _gunzip(rel: str, data: bytes) -> bytes:
    if data[:2] != b"\x1f\x8b":
        raise InputError(rel, "named .gz but not gzip data; skipped: rename it or re-compress it with gzip")
    try:
        return gzip.decompress(data)
    except EOFError:
        raise InputError(
            rel, "truncated gzip file (it ends before its compressed stream does); skipped: "
            "re-download or re-compress it (gzip -t tests a file)"
        ) from None
    except (OSError, zlib.error) as e:
        raise InputError(rel, f"corrupt gzip file ({e}); skipped: re-download or re-compress it") from None


def _zstd_module(rel: str):
    try:
        import zstandard
    except ImportError:
        raise InputError(
            rel, "a .zst file needs the zstandard package, which is not installed; skipped: "
            "pip install zstandard (or dedupe[zstd])"
        ) from None
    return zstandard


def _unzstd(rel: str, data: bytes) -> bytes:
    zstandard = _zstd_module(rel)
    out: list[bytes] = []
    rest = data
    try:
        while rest:
            # One decompressobj per frame: files written by streaming tools
            # may hold several frames, and frames need not state their size.
            dobj = zstandard.ZstdDecompressor().decompressobj()
            out.append(dobj.decompress(rest))
            if not dobj.eof:
                raise InputError(
                    rel, "truncated zstd file (it ends before its compressed frame does); skipped: "
                    "re-download or re-compress it (zstd -t tests a file)"
                )
            rest = dobj.unused_data
    except zstandard.ZstdError as e:
        raise InputError(rel, f"corrupt zstd file ({e}); skipped: re-download or re-compress it") from None
    return b"".join(out)
