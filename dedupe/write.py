"""Write: cleaned copies and report files, each atomically (temporary file, then rename)."""
from __future__ import annotations

import io
import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path

from .fs import RemotePath


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: mkstemp makes files readable by their owner only; a cleaned copy gets the usual mode instead.
FILE_MODE = 0o666 & ~_umask()


def atomic_write(path: Path, data: bytes, make_folder: bool = True) -> None:
    """Write bytes to path so that a reader sees either the old file or the whole new one.

    make_folder=False: the folder must exist (FileNotFoundError if it is gone), for a write that must not
    bring back a folder its run has deleted.
    """
    if isinstance(path, RemotePath):  # one PUT on an object store, else a temporary name and a rename
        return path.write_atomic(data)
    with _Temporary(os.fspath(path), make_folder) as fd:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]


def atomic_write_parts(path: Path, parts: list[bytes], make_folder: bool = True) -> None:
    """`atomic_write` of the parts end to end, written as they are (no joined copy of them made)."""
    if isinstance(path, RemotePath):
        return path.write_atomic(b"".join(parts))
    with _Temporary(os.fspath(path), make_folder) as fd:
        views = [memoryview(p) for p in parts if p]
        while views:
            done = os.writev(fd, views)
            while views and done >= len(views[0]):
                done -= len(views[0])
                views.pop(0)
            if views and done:
                views[0] = views[0][done:]


@contextmanager
def atomic_stream(path: Path, make_folder: bool = True):
    """A binary file to write a large output piece by piece; it replaces `path` whole once the block ends.

    On an object store the pieces are gathered and sent in one PUT. make_folder: as for `atomic_write`.
    """
    if isinstance(path, RemotePath):
        buffer = io.BytesIO()
        yield buffer
        path.write_atomic(buffer.getvalue())
        return
    with _Temporary(os.fspath(path), make_folder) as fd:
        with os.fdopen(os.dup(fd), "wb") as out:
            yield out


#: How a temporary file is opened: never through a symlink that someone put under its name.
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
#: Whether files can be opened, renamed and removed relative to a folder's descriptor here (`in_folders`).
_AT_FOLDER = all(fn in os.supports_dir_fd for fn in (os.open, os.rename, os.unlink))


class _Temporary:
    """A descriptor on a temporary file beside `path`, renamed to it if the block ends well, else removed.

    The four system calls (open, write, close, rename) and no more; a class rather than a generator-based
    context manager, whose Python cost more than those calls at a cleaned copy a document (21-25 against
    9-10 µs a file on tmpfs). Inside `in_folders` the file is opened, renamed and removed relative to a
    descriptor of its folder.
    """

    __slots__ = ("path", "tmp", "fd", "at", "name", "folders")

    def __init__(self, path: str, make_folder: bool):
        self.path = path
        folder, name = os.path.split(path)
        if make_folder:
            _make_folder(folder)
        # The temporary name is this process's own (pid), so no random name and no retry loop are needed;
        # one left by a killed process of the same pid is simply replaced.
        self.name, self.at = name, None
        self.folders = folders = _HELD.folders
        if folders is not None and (at := folders.descriptor(folder)) is not None:
            self.tmp = temp_name(name)
            try:
                self.fd = os.open(self.tmp, _FLAGS, FILE_MODE, dir_fd=at)
                self.at = at
                folders.writing += 1  # (its descriptor stays open until this file is renamed or removed)
                return
            except FileNotFoundError:  # the folder went away since its descriptor was opened: by its path
                if not folders.writing:
                    folders.forget()
        self.tmp = os.path.join(folder, temp_name(name))
        try:
            self.fd = os.open(self.tmp, _FLAGS, FILE_MODE)
        except FileNotFoundError:  # the folder went away since this process saw it
            if not make_folder:
                raise
            make_folders(folder)
            self.fd = os.open(self.tmp, _FLAGS, FILE_MODE)

    def __enter__(self) -> int:
        return self.fd

    def __exit__(self, failed, *_) -> None:
        try:
            try:
                os.close(self.fd)
                if failed is None:
                    if self.at is None:
                        os.replace(self.tmp, self.path)
                    else:  # (rename replaces a file where os.replace does: this is POSIX only)
                        os.rename(self.tmp, self.name, src_dir_fd=self.at, dst_dir_fd=self.at)
                    return
            except BaseException:
                self._drop()
                raise
            self._drop()
        finally:
            if self.at is not None:
                self.folders.writing -= 1

    def _drop(self) -> None:
        try:
            if self.at is None:
                os.unlink(self.tmp)
            else:
                os.unlink(self.tmp, dir_fd=self.at)
        except FileNotFoundError:
            pass


@contextmanager
def in_folders():
    """Atomic writes in the block (in this thread) open, rename and remove their files relative to a descriptor of
    the folder they write in (the last such folder's, held open until the block ends) rather than by their whole
    paths: each of the three calls walked the path from the root again. A batch's cleaned copies, written in
    their files' order, are a folder's after another's (8,000 files of 3 KB in 40 folders on tmpfs, CPU a file:
    12.5-15.0 -> 8.1-11.3 µs; pass 2 of the 10k benchmark corpus, its copies' writes 27.2 -> 25.4 µs a document,
    medians of ten pairs)."""
    before = _HELD.folders
    _HELD.folders = _Folders() if _AT_FOLDER else None
    try:
        yield
    finally:
        if _HELD.folders is not None:
            _HELD.folders.forget()
        _HELD.folders = before


#: How `in_folders` opens a folder: as a folder (a file or a FIFO under its name fails), not inherited.
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


class _Folders:
    """The descriptor of the folder `in_folders`' writes last wrote in, and how many of its files are being
    written (a write that started in a folder keeps its descriptor until it ends: one in another folder meanwhile,
    inside it, goes by its path)."""

    __slots__ = ("folder", "fd", "writing")

    def __init__(self) -> None:
        self.folder, self.fd, self.writing = None, None, 0

    def descriptor(self, folder: str) -> int | None:
        """A descriptor of `folder` (the one held, or a new one in its place); None if it cannot be opened, or
        another folder's is in use."""
        if folder != self.folder:
            if self.writing:
                return None
            self.forget()
            try:
                self.fd = os.open(folder or ".", _FOLDER_FLAGS)
            except OSError:
                return None
            self.folder = folder
        return self.fd

    def forget(self) -> None:
        """Close the descriptor held, if any."""
        if self.fd is not None:
            os.close(self.fd)
        self.folder, self.fd = None, None


class _Held(threading.local):
    """Per thread, the folders `in_folders` holds, or None outside it."""

    folders: _Folders | None = None


_HELD = _Held()


#: A temporary file of dedupe's: `temp_name`'s pattern, so that `--force` and `--resume` after a killed run
#: recognise what it left and remove it, and nothing else.
_TEMP = re.compile(r"\..+\.dedupe-\d+\.tmp")


def temp_name(name: str) -> str:
    """The name this process writes `name` under until it is complete (beside it, in the same folder)."""
    return f".{name}.dedupe-{os.getpid()}.tmp"


def is_temp(name: str) -> bool:
    """Whether a file name is one of dedupe's temporary files (what a killed run may leave behind)."""
    return _TEMP.fullmatch(name) is not None


#: Folders this process has made or seen (writing thousands of files into a few folders checks each once).
_FOLDERS: set[str] = set()


def _make_folder(folder: str) -> None:
    if folder not in _FOLDERS:
        make_folders(folder)
        _FOLDERS.add(folder)


def make_folders(folder: str) -> None:
    """os.makedirs(folder, exist_ok=True) without recursion: it recurses once per missing level, and the copy of
    a file a thousand folders deep failed with a RecursionError."""
    missing = []
    here = os.fspath(folder)
    while here and not os.path.isdir(here):
        missing.append(here)
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    for path in reversed(missing):
        try:
            os.mkdir(path)
        except FileExistsError:
            if not os.path.isdir(path):
                raise


def output_path(dst: Path, rel: str) -> Path:
    """Where the cleaned copy of input file `rel` goes; refuses anything that would leave dst.

    `rel` is a path the reader listed under IN; it is checked lexically (no
    absolute path, no `..`), and the folder it lands in is checked once, on
    disk, to really be inside dst (a symlinked folder in OUT must not redirect it).
    """
    target = output_file(dst, rel)
    return target if isinstance(target, RemotePath) else Path(target)


def output_file(dst: Path, rel: str) -> str | RemotePath:
    """`output_path` as a string (a RemotePath on a store), for the writers of a cleaned copy a file: a `Path`
    made per file cost more than writing the file's bytes to tmpfs."""
    if not rel or os.path.isabs(rel) or (".." in rel and ".." in rel.replace("\\", "/").split("/")):
        raise ValueError(f"refusing to write {rel!r} outside the output folder")
    if isinstance(dst, RemotePath):  # no symlinks on a store: the lexical check is the whole check
        return dst / rel
    target = os.path.join(dst, rel)
    folder = os.path.dirname(target)
    if folder not in _INSIDE:
        real = Path(folder).resolve()
        if not real.is_relative_to(dst.resolve()):
            raise ValueError(f"refusing to write {rel!r} outside the output folder")
        _INSIDE.add(folder)
    return target


#: Output folders already checked to resolve inside their OUT.
_INSIDE: set[str] = set()


def forget_folders() -> None:
    """Start a run with no folder taken as made or checked (they may have changed since the last run)."""
    _FOLDERS.clear()
    _INSIDE.clear()


def copy_range(fd: int, at: int, size: int, out) -> None:
    """Bytes `at` to `at + size` of file descriptor `fd` appended to the binary file `out`, whose buffer is empty."""
    try:
        while size:
            n = os.copy_file_range(fd, out.fileno(), size, at)
            if n <= 0:
                break
            at, size = at + n, size - n
    except (AttributeError, OSError):  # (no such call here, or not between these two file systems)
        pass
    while size:
        data = os.pread(fd, size, at)
        if not data:
            raise OSError(f"{size} bytes of the file are missing (it was cut short while being copied)")
        out.write(data)
        at, size = at + len(data), size - len(data)
