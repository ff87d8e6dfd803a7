"""The run-level rules when IN, OUT or the report folder is a URL: the checks before a run, the listing, --force, the report.

They are the local rules (`read.check_paths`, `read.list_inputs`, the
pipeline's --force) with the same messages, over folders that may each be
local (a Path) or at a URL (a `dedupe.fs.RemotePath`): `s3://b/in` to a local
`out/`, or the other way round, works too. A run where all three are local
never comes here. Errors talking to a store (credentials, network, a missing
bucket) before the run are UsageErrors naming the URL: nothing has been written.

The report is written in a local temporary folder as the run goes (it is
streamed, and the review page is rendered from it) and uploaded, file by file,
each atomically, once the run has finished.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from .against import HEADER, SIGNATURES
from .errors import UsageError
from .fs import RemotePath, remove_tree
from .read import MARKER, REPORT_DIRNAME, RUN_DIRNAME, refuse_overlaps
from .records import Notice
from .report import RunReport
from .write import output_path

#: What a run writes in its report folder (--force deletes these, and the review page's further pages).
REPORT_NAMES = ("changes.diff", "removals.jsonl", "summary.json", "index.html", "allowed.jsonl", "context.jsonl",
                SIGNATURES, HEADER, RunReport.PENDING + SIGNATURES, RunReport.PENDING + HEADER)
_PAGE = re.compile(r"index-\d+\.html")
#: Where a Dask run keeps pass 1's findings inside OUT (dedupe.engine.dask.SCRATCH, which needs Dask to import).
SCRATCH = ".dedupe-scratch"


# --- before the run ---------------------------------------------------------------------------------------


def check_paths(src, dst, report, force: bool) -> None:
    """`read.check_paths` for a run where IN, OUT or the report folder is a URL: the same rules and messages."""
    if not _ask(src, _exists, src):
        raise UsageError(f"input folder {src} does not exist; check the path (IN must be an existing folder)")
    if not _ask(src, _is_dir, src):
        raise UsageError(f"input {src} is not a folder; put the file in a folder and pass the folder")
    s, d, r = _key(src), _key(dst), _key(report)
    own = src / REPORT_DIRNAME
    refuse_overlaps(src, dst, report, s, d, r, _inside, r == _key(dst / REPORT_DIRNAME)
                    and _ask(src, _exists, own) and not _ask(src, _is_file, own / "summary.json"))
    for folder, what in ((dst, "output"), (report, "report")):
        exists = _ask(folder, _exists, folder)
        if exists and not _ask(folder, _is_dir, folder):
            raise UsageError(f"{what} {folder} exists and is not a folder; pick a folder path")
        if not exists:
            _ask(folder, _creatable, folder, what)
    for folder, what in ((dst, "output"), (report, "report")):
        if _ask(folder, _has_entries, folder):
            if not force:
                raise UsageError(
                    f"{what} folder {folder} is not empty; use --force to overwrite a previous dedupe output, "
                    f"or pick an empty or new folder"
                )
            if not _ask(folder, _is_dedupe_output, folder):
                raise UsageError(
                    f"{what} folder {folder} is not empty and was not written by dedupe; "
                    f"--force only overwrites a previous dedupe output: pick an empty or new folder"
                )


def check_processes(locations, jobs: int, scheduler: str | None) -> None:
    """Refuse memory:// with worker processes: each process has a memory filesystem of its own."""
    if not scheduler and jobs <= 1:
        return
    for loc in locations:
        if isinstance(loc, RemotePath) and loc.process_local:
            raise UsageError(
                f"{loc} lives in this process's memory, which worker processes do not share; "
                f"run with --jobs 1 and no --scheduler (memory:// is for tests), or use a shared filesystem"
            )


def _ask(location, question, *args):
    """question(*args), with a store's own errors (credentials, network) turned into a UsageError naming it."""
    if not isinstance(location, RemotePath):
        return question(*args)
    try:
        return question(*args)
    except UsageError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever the store answered, the run cannot start
        raise UsageError(
            f"cannot reach {location}: {type(e).__name__}: {e}; check the URL, your credentials and the network"
        ) from None


def _exists(loc) -> bool:
    return loc.exists() or (not isinstance(loc, RemotePath) and loc.is_symlink())


def _is_dir(loc) -> bool:
    return loc.is_dir()


def _is_file(loc) -> bool:
    return loc.is_file()


def _has_entries(loc) -> bool:
    if isinstance(loc, RemotePath):
        return loc.has_entries()
    return loc.exists() and any(loc.iterdir())


def _is_dedupe_output(folder) -> bool:
    return (folder / MARKER).is_file() or (folder / "summary.json").is_file() or (
        folder / REPORT_DIRNAME / "summary.json"
    ).is_file()


def _creatable(folder, what: str) -> None:
    """Raise UsageError if a folder that does not exist yet cannot be made where it is named."""
    if isinstance(folder, RemotePath):
        fs, path = folder.fs, folder.path
        while path.strip("/"):
            up = fs._parent(path)
            if not up.strip("/") and fs.root_marker:
                return  # the filesystem's root ('/') is always there
            if not up.strip("/"):
                # The top of the path is the bucket (or container): writing cannot create it.
                raise UsageError(
                    f"cannot create {what} folder {folder}: {fs.unstrip_protocol(path)} does not exist; "
                    f"create it first, or pick another folder"
                )
            if fs.exists(up):
                if not fs.isdir(up):
                    raise UsageError(f"cannot create {what} folder {folder}: {fs.unstrip_protocol(up)} is a file; "
                                     f"pick a folder path")
                return
            path = up
        return
    parent = next((p for p in folder.resolve().parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise UsageError(f"cannot create {what} folder {folder}: {parent} is a file; pick a folder path")
    if parent is not None and not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"cannot create {what} folder {folder}: {parent} is not writable; pick another folder")


def _key(loc) -> tuple:
    """Where a folder is: (which filesystem, the parts of its path), to compare IN, OUT and the report."""
    if isinstance(loc, RemotePath):
        fs = loc.fs
        space = (type(fs).__module__, type(fs).__qualname__, repr(sorted(fs.storage_options.items())))
        return space, tuple(p for p in loc.path.split("/") if p)
    return ("local",), loc.resolve().parts


def _inside(a: tuple, b: tuple) -> bool:
    """Whether folder a is folder b or below it."""
    return a[0] == b[0] and a[1][: len(b[1])] == b[1]


# --- the listing -----------------------------------------------------------------------------------------


def list_files(src: RemotePath) -> tuple[list[str], list[Notice]]:
    """The files under a folder at a URL and notices, leaving out what `read.list_inputs` leaves out locally.

    A previous run's report folder and marker at the top are skipped, so that a
    cleaned tree can be cleaned again. An object whose key is not a relative
    path (an empty, '.' or '..' part: 'a//b') cannot be mirrored into OUT.
    """
    try:
        rels = src.files()
    except Exception as e:  # noqa: BLE001 - named in the report; the run ends with exit status 1
        return [], [Notice(".", f"cannot list folder {src}: {type(e).__name__}: {e}")]
    own_report = f"{REPORT_DIRNAME}/summary.json" in set(rels)
    found: list[str] = []
    notices: list[Notice] = []
    for rel in rels:
        if rel == MARKER or (own_report and rel.startswith(REPORT_DIRNAME + "/")):
            continue
        if any(part in ("", ".", "..") for part in rel.split("/")):
            notices.append(Notice(rel, "its name is not a relative file path (an empty, '.' or '..' part); "
                                       "skipped: rename the object"))
            continue
        found.append(rel)
    return found, notices


# --- --force ---------------------------------------------------------------------------------------------


def remove_previous_output(dst, report_dir) -> None:
    """With --force: delete what a previous run wrote (as its marker lists), its report and leftover scratch
    folders, nothing else; OUT and the report folder may each be a local path or a URL.

    A run that was killed listed nothing in its marker yet: what it may have
    written is in its state folder (`dedupe.resume`), and what it was writing
    is under dedupe's temporary names; both go too.
    """
    marker = dst / MARKER
    complete = True
    if marker.is_file():
        try:
            found = json.loads(marker.read_bytes().decode("utf-8"))
            previous, complete = found.get("files", []), found.get("complete", True)
        except (ValueError, AttributeError):
            previous, complete = [], False
        for rel in previous:
            _remove_output(dst, rel)
        marker.unlink()
    if not isinstance(dst, RemotePath):
        from .resume import leftovers, remove_temporaries

        killed = (dst / RUN_DIRNAME).exists() or not complete
        for rel in leftovers(dst):
            _remove_output(dst, rel)
        shutil.rmtree(dst / RUN_DIRNAME, ignore_errors=True)
        if killed and dst.is_dir():
            remove_temporaries(dst)
        if not isinstance(report_dir, RemotePath) and report_dir.is_dir():
            remove_temporaries(report_dir)
    _remove_scratch(dst)
    for name in REPORT_NAMES:
        (report_dir / name).unlink(missing_ok=True)
    if isinstance(report_dir, RemotePath):
        for page in _report_pages(report_dir):
            (report_dir / page).unlink(missing_ok=True)
        return  # on an object store the folder goes with its last object
    for page in report_dir.glob("index-*.html"):
        if _PAGE.fullmatch(page.name):
            page.unlink()
    if report_dir.is_dir() and not any(report_dir.iterdir()):
        shutil.rmtree(report_dir)


def _remove_output(dst, rel: str) -> None:
    """Delete one cleaned copy a previous run wrote, and the folders it made that are empty now."""
    try:
        path = output_path(dst, rel)
        path.unlink(missing_ok=True)
        if isinstance(dst, Path):
            for folder in path.parents:
                if folder == dst or not folder.is_relative_to(dst) or any(folder.iterdir()):
                    break
                folder.rmdir()
    except (ValueError, OSError):
        pass


def _remove_scratch(dst) -> None:
    """A Dask run's scratch folders whose driver died before it could tidy up."""
    if not isinstance(dst, RemotePath):
        for leftover in dst.glob(f"{SCRATCH}-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        return
    try:
        tops = {rel.split("/", 1)[0] for rel in dst.files() if rel.startswith(SCRATCH + "-")}
    except FileNotFoundError:
        return
    for top in sorted(tops):
        remove_tree(dst / top)


def _report_pages(folder: RemotePath) -> list[str]:
    try:
        return [rel for rel in folder.files() if _PAGE.fullmatch(rel)]
    except FileNotFoundError:
        return []


# --- the report ------------------------------------------------------------------------------------------


def open_report(folder) -> RunReport:
    """The run's report: written in place for a local folder; for a URL, locally first, uploaded by finish."""
    if isinstance(folder, RemotePath):
        return RemoteRunReport(folder)
    return RunReport(folder)


class RemoteRunReport(RunReport):
    """A RunReport whose folder is at a URL: built in a local temporary folder, uploaded when the run finishes."""

    def __init__(self, target: RemotePath):
        self.target = target
        self._local = Path(tempfile.mkdtemp(prefix="dedupe-report-"))
        super().__init__(self._local)

    def finish(self, summary: dict) -> None:
        """Finish the report locally, then upload it: the data files, then summary.json, then the pages."""
        try:
            super().finish(summary)
            names = sorted(p.name for p in self._local.iterdir() if p.is_file())
            order = {"summary.json": 1, "index.html": 2}
            for name in sorted(names, key=lambda n: (order.get(n, 2 if _PAGE.fullmatch(n) else 0), n)):
                (self.target / name).put_atomic(self._local / name)
            for page in _report_pages(self.target):  # pages of an earlier, larger run
                if page not in names:
                    (self.target / page).unlink(missing_ok=True)
        finally:
            shutil.rmtree(self._local, ignore_errors=True)

    def abort(self) -> None:
        """Drop the local files of a run that failed; nothing was uploaded."""
        super().abort()
        shutil.rmtree(self._local, ignore_errors=True)
