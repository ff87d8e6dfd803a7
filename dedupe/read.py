"""Read: find the input files in a stable order and turn each into documents.

Formats are chosen by file name. Plain text is everything that is not claimed
by another reader. A file that cannot be read raises `InputError`; the
pipeline reports it and goes on with the others.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Iterator

from .config import Config
from .errors import InputError, UsageError
from .records import Document, Notice

REPORT_DIRNAME = "_report"
MARKER = ".dedupe-output.json"
#: Bytes sniffed for NUL to tell binary files from text.
SNIFF = 8192


def check_paths(src: Path, dst: Path, report: Path, force: bool) -> None:
    """Refuse path combinations that would read our own output or overwrite data."""
    if not src.exists():
        raise UsageError(f"input folder {src} does not exist; check the path (IN must be an existing folder)")
    if not src.is_dir():
        raise UsageError(f"input {src} is not a folder; put the file in a folder and pass the folder")
    s, d, r = src.resolve(), dst.resolve(), report.resolve()
    if d == s:
        raise UsageError(f"output folder is the input folder ({src}); dedupe never modifies its input: pick another OUT")
    if d.is_relative_to(s):
        raise UsageError(f"output folder {dst} is inside the input folder {src}; pick an OUT outside it")
    if s.is_relative_to(d):
        raise UsageError(f"input folder {src} is inside the output folder {dst}; pick an OUT outside it")
    if r.is_relative_to(s):
        raise UsageError(f"report folder {report} is inside the input folder {src}; pick another --report")
    if s.is_relative_to(r):
        raise UsageError(f"input folder {src} is inside the report folder {report}; pick another --report")
    if r == d:
        raise UsageError(
            f"report folder {report} is the output folder; leave out --report (the report then goes to "
            f"OUT/{REPORT_DIRNAME}) or pick another folder"
        )
    own = src / REPORT_DIRNAME
    if r == d / REPORT_DIRNAME and (own.exists() or own.is_symlink()) and not (own / "summary.json").is_file():
        raise UsageError(
            f"input folder {src} has a {REPORT_DIRNAME} of its own, where the report would go; "
            f"pass --report DIR to put the report elsewhere"
        )
    for folder, what in ((dst, "output"), (report, "report")):
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{what} {folder} exists and is not a folder; pick a folder path")
        parent = next((p for p in folder.resolve().parents if p.exists()), None)
        if not folder.exists() and parent is not None and not parent.is_dir():
            raise UsageError(f"cannot create {what} folder {folder}: {parent} is a file; pick a folder path")
        if not folder.exists() and parent is not None and not os.access(parent, os.W_OK | os.X_OK):
            raise UsageError(f"cannot create {what} folder {folder}: {parent} is not writable; pick another folder")
    for folder, what in ((dst, "output"), (report, "report")):
        if folder.exists() and any(folder.iterdir()):
            if not force:
                raise UsageError(
                    f"{what} folder {folder} is not empty; use --force to overwrite a previous dedupe output, "
                    f"or pick an empty or new folder"
                )
            if not _is_dedupe_output(folder):
                raise UsageError(
                    f"{what} folder {folder} is not empty and was not written by dedupe; "
                    f"--force only overwrites a previous dedupe output: pick an empty or new folder"
                )


def _is_dedupe_output(folder: Path) -> bool:
    return (folder / MARKER).is_file() or (folder / "summary.json").is_file() or (
        folder / REPORT_DIRNAME / "summary.json"
    ).is_file()


def list_inputs(src: Path) -> Iterator[str | Notice]:
    """Relative POSIX paths of the regular files under src, sorted; Notices for what cannot be walked.

    Skips a previous run's report folder and marker at the top, so that a cleaned
    tree can be cleaned again. Directory symlinks are not followed (they could
    loop or leave the tree); file symlinks are read if they resolve.
    """
    found: list[str] = []
    notices: list[Notice] = []

    def onerror(e: OSError):
        notices.append(Notice(printable(_rel(src, Path(e.filename))), f"cannot list folder: {e.strerror}"))

    for dirpath, dirnames, filenames in os.walk(src, onerror=onerror):
        here = Path(dirpath)
        if here == src:
            if REPORT_DIRNAME in dirnames and (here / REPORT_DIRNAME / "summary.json").is_file():
                dirnames.remove(REPORT_DIRNAME)
            if MARKER in filenames:
                filenames.remove(MARKER)
        for name in list(dirnames):
            if (here / name).is_symlink():
                dirnames.remove(name)
                notices.append(Notice(printable(_rel(src, here / name)), "symlink to a folder: not followed", failed=False))
        for name in filenames:
            rel = _rel(src, here / name)
            if not _utf8_name(rel):
                # The report is UTF-8 JSON and diff text: a name that is not UTF-8 cannot be written in it.
                notices.append(Notice(printable(rel), "file name is not valid UTF-8; skipped: rename the file"))
                continue
            found.append(rel)
    items: list[str | Notice] = sorted(found) + notices
    yield from sorted(items, key=lambda x: x if isinstance(x, str) else x.file)


def _utf8_name(rel: str) -> bool:
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(rel: str) -> str:
    """A file name that may hold undecodable bytes, with those bytes shown as \\xNN escapes."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _rel(src: Path, path: Path) -> str:
    return path.relative_to(src).as_posix()


def read_bytes(src: Path, rel: str) -> bytes:
    """The raw bytes of one input file, or an InputError saying why not."""
    path = src / rel
    try:
        try:
            st = os.stat(path)  # follows symlinks: a loop or a dangling link fails here
        except FileNotFoundError:
            if path.is_symlink():
                raise InputError(rel, f"broken symlink to {os.readlink(path)}; skipped") from None
            raise
        if not stat.S_ISREG(st.st_mode):
            raise InputError(rel, "not a regular file (device, socket or pipe); skipped")
        return path.read_bytes()
    except InputError:
        raise
    except PermissionError:
        raise InputError(rel, "permission denied; skipped (check the file's permissions)") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise InputError(rel, "symlink loops (it points back to itself); skipped") from None
        raise InputError(rel, f"cannot read: {e.strerror}; skipped") from None


def decode(rel: str, data: bytes, config: Config) -> tuple[str, str, str | None]:
    """Text, the codec used and a warning if it was not the expected one.

    UTF-8 first (with a byte-order mark: utf-8-sig, so the mark stays at the
    head of the cleaned copy whichever lines go); bytes that are not UTF-8 are
    decoded as cp1252, else latin-1, both of which re-encode to the very same
    bytes, so kept lines stay byte-for-byte identical in the cleaned copy.
    """
    if config.encoding:
        try:
            text = data.decode(config.encoding)
        except UnicodeDecodeError as e:
            raise InputError(rel, f"not valid {config.encoding} (byte {e.start}); skipped: try another --encoding") from None
        if "\x00" in text[:SNIFF]:
            raise InputError(rel, "binary file (it contains NUL characters); skipped")
        return text, config.encoding, None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(rel, "UTF-16 text (it starts with a UTF-16 byte-order mark); skipped: "
                              "convert it to UTF-8, or pass --encoding utf-16")
    if b"\x00" in data[:SNIFF]:
        raise InputError(rel, "binary file (it contains NUL bytes); skipped")
    codec = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return data.decode(codec), codec, None
    except UnicodeDecodeError as e:
        bad = f"byte 0x{data[e.start]:02x} at offset {e.start}"
    for codec in ("cp1252", "latin-1"):
        try:
            return data.decode(codec), codec, f"not valid UTF-8 ({bad}); decoded as {codec} and written back as {codec}"
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte string")


def read_text_file(src: Path, rel: str, config: Config) -> tuple[list[Document], list[Notice]]:
    """One plain-text file as one document."""
    text, codec, warning = decode(rel, read_bytes(src, rel), config)
    notices = [Notice(rel, warning, failed=False)] if warning else []
    if not text.strip():
        notices.append(Notice(rel, "empty file (no text); copied as is", failed=False))
    return [Document(id=rel, text=text, format="txt", encoding=codec)], notices


def read_file(src: Path, rel: str, config: Config) -> tuple[list[Document], list[Notice]]:
    """The documents of one input file, and notices about it. Raises InputError if it cannot be read."""
    return read_text_file(src, rel, config)
