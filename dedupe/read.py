"""Read: find the input files in a stable order and turn each into documents.

Formats are chosen by file name (see `dedupe.formats`): HTML, JSONL, and plain
text for everything else, each possibly gzip or zstd compressed. A file that
cannot be read raises `InputError`; the pipeline reports it and goes on with
the others.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from .config import Config
from .errors import UsageError
from .formats import read_file, refuse_collisions, refuse_unread, selected
from .formats.source import read_bytes
from .formats.text import SNIFF, decode, read_text as read_text_file
from .fs import RemotePath
from .records import Notice

__all__ = ["check_paths", "list_inputs", "read_file", "read_bytes", "decode", "read_text_file", "SNIFF"]

REPORT_DIRNAME = "_report"
MARKER = ".dedupe-output.json"
#: A local run's state inside OUT until it is complete (what --resume continues from): `dedupe.resume`.
RUN_DIRNAME = ".dedupe-run"


def refuse_overlaps(src, dst, report, s, d, r, inside, report_over_own: bool) -> None:
    """The rules on where IN, OUT and the report folder lie, locally or at URLs (`remote.check_paths`).

    s, d, r stand for src, dst and report in a form that compares (resolved
    paths, or a URL's filesystem and parts); inside(a, b): a is b or below it.
    report_over_own: the report would go to OUT/_report while IN has a
    _report of its own that is not a dedupe report.
    """
    if d == s:
        raise UsageError(f"output folder is the input folder ({src}); dedupe never modifies its input: pick another OUT")
    if inside(d, s):
        raise UsageError(f"output folder {dst} is inside the input folder {src}; pick an OUT outside it")
    if inside(s, d):
        raise UsageError(f"input folder {src} is inside the output folder {dst}; pick an OUT outside it")
    if inside(r, s):
        raise UsageError(f"report folder {report} is inside the input folder {src}; pick another --report")
    if inside(s, r):
        raise UsageError(f"input folder {src} is inside the report folder {report}; pick another --report")
    if r == d:
        raise UsageError(
            f"report folder {report} is the output folder; leave out --report (the report then goes to "
            f"OUT/{REPORT_DIRNAME}) or pick another folder"
        )
    if report_over_own:
        raise UsageError(
            f"input folder {src} has a {REPORT_DIRNAME} of its own, where the report would go; "
            f"pass --report DIR to put the report elsewhere"
        )


def check_paths(src: Path, dst: Path, report: Path, force: bool) -> None:
    """Refuse path combinations that would read our own output or overwrite data."""
    if isinstance(src, RemotePath) or isinstance(dst, RemotePath) or isinstance(report, RemotePath):
        from .remote import check_paths as check_remote_paths

        return check_remote_paths(src, dst, report, force)
    if not src.exists():
        raise UsageError(f"input folder {src} does not exist; check the path (IN must be an existing folder)")
    if not src.is_dir():
        raise UsageError(f"input {src} is not a folder; put the file in a folder and pass the folder")
    s, d, r = src.resolve(), dst.resolve(), report.resolve()
    own = src / REPORT_DIRNAME
    foreign = (own.exists() or own.is_symlink()) and not (own / "summary.json").is_file()
    refuse_overlaps(src, dst, report, s, d, r, Path.is_relative_to, r == d / REPORT_DIRNAME and foreign)
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
    """Whether a folder holds a dedupe output or report, whole or as a killed run left it (temporary files)."""
    if (folder / MARKER).is_file() or (folder / "summary.json").is_file() or (
        folder / REPORT_DIRNAME / "summary.json"
    ).is_file():
        return True
    from .remote import REPORT_NAMES
    from .write import is_temp

    # A killed run's report folder: its temporary files, maybe the signatures it had saved (`dedupe.against`).
    return all(p.is_file() and (is_temp(p.name) or p.name in REPORT_NAMES) for p in folder.iterdir())


def list_inputs(src: Path, config: Config | None = None) -> Iterator[str | Notice]:
    """Relative POSIX paths of the regular files under src, sorted; Notices for what cannot be walked.

    Skips a previous run's report folder and marker at the top, so that a cleaned
    tree can be cleaned again. Directory symlinks are not followed (they could
    loop or leave the tree); file symlinks are read if they resolve inside src,
    or anywhere with `config.follow_symlinks`. Keeps only the files
    --include/--exclude select, and refuses structured files dedupe does not
    read (a CSV) and a file whose cleaned copy would overwrite another's
    (page.html beside page.txt).
    """
    if isinstance(src, RemotePath):
        from .remote import list_files

        found, notices = list_files(src)
    else:
        found, notices = _walk(src, config is not None and config.follow_symlinks)
    if config is not None and (config.include or config.exclude):
        found = [rel for rel in found if selected(rel, config)]
    found, unread = refuse_unread(sorted(found))
    found, refused = refuse_collisions(found)
    items: list[str | Notice] = found + notices + unread + refused
    yield from sorted(items, key=lambda x: x if isinstance(x, str) else x.file)


def walk(top, links: set[str] | None = None) -> Iterator[tuple[str, list[str], list[str], list[str]]]:
    """os.walk top-down without following folder symlinks, made with a stack rather than recursion.

    os.walk recurses (Python 3.11), and a tree about a thousand folders deep
    ended in a RecursionError. Yields (folder, subfolders, files, errors); the
    caller may prune subfolders as with os.walk; errors are the OSErrors met
    listing this folder (then empty otherwise). `links`, if given, gets the path of every symlink listed
    among the files, read from its directory entry (no system call a file to ask).
    """
    stack = [os.fspath(top)]
    while stack:
        here = stack.pop()
        folders: list[str] = []
        files: list[str] = []
        try:
            with os.scandir(here) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()  # a symlink to a folder is listed as a folder, as os.walk does
                    except OSError:
                        is_dir = False
                    (folders if is_dir else files).append(entry.name)
                    if links is not None and not is_dir:
                        try:
                            link = entry.is_symlink()
                        except OSError:  # as os.path.islink answers
                            link = False
                        if link:
                            links.add(entry.path)
        except OSError as e:
            yield here, [], [], [e]
            continue
        yield here, folders, files, []
        stack.extend(os.path.join(here, name) for name in reversed(folders)
                     if not os.path.islink(os.path.join(here, name)))


def _walk(src: Path, follow_symlinks: bool = False) -> tuple[list[str], list[Notice]]:
    """The files under a local folder (relative POSIX paths) and notices about what could not be walked."""
    found: list[str] = []
    notices: list[Notice] = []
    root = src.resolve()
    # Paths as strings, cut from the top's own: no Path object per file (a Path and `relative_to` per file were
    # most of the listing's 13 µs a file on the 10k benchmark corpus).
    top = os.fspath(src)
    cut = len(top) if top.endswith(os.sep) else len(top) + len(os.sep)
    links: set[str] = set()  # the file symlinks: only these can lead outside src
    for dirpath, dirnames, filenames, errors in walk(src, links):
        for e in errors:
            notices.append(Notice(printable(_rel(src, Path(e.filename))), f"cannot list folder: {e.strerror}"))
        if dirpath == top:
            here = Path(dirpath)
            if REPORT_DIRNAME in dirnames and (here / REPORT_DIRNAME / "summary.json").is_file():
                dirnames.remove(REPORT_DIRNAME)
            if RUN_DIRNAME in dirnames:  # an interrupted run's state, when its OUT is cleaned as an input
                dirnames.remove(RUN_DIRNAME)
            if MARKER in filenames:
                filenames.remove(MARKER)
        for name in list(dirnames):
            if os.path.islink(os.path.join(dirpath, name)):
                dirnames.remove(name)
                notices.append(Notice(printable(_rel(src, Path(dirpath) / name)), "symlink to a folder: not followed",
                                      failed=False))
        prefix = dirpath[cut:].replace(os.sep, "/") + "/" if dirpath != top else ""
        for name in filenames:
            rel = prefix + name
            if not _utf8_name(rel):
                # The report is UTF-8 JSON and diff text: a name that is not UTF-8 cannot be written in it.
                notices.append(Notice(printable(rel), "file name is not valid UTF-8; skipped: rename the file"))
                continue
            if not follow_symlinks and links and _leaves(root, os.path.join(dirpath, name), links):
                notices.append(Notice(rel, "symlink to a file outside the input folder; skipped "
                                           "(pass --follow-symlinks to read it)", failed=False))
                continue
            found.append(rel)
    return found, notices


def _leaves(root: Path, path: str, links: set[str]) -> bool:
    """Whether path is a symlink (one of `links`) whose target lies outside the folder root (a resolved path)."""
    if path not in links:
        return False
    try:
        return not Path(path).resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a loop: read_bytes reports it
        return False


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
