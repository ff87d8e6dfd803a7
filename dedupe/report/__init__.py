"""The report a reviewer reads: changes.diff, removals.jsonl, summary.json and index.html, written as the run goes.

Two further files feed the review page: allowed.jsonl (blocks the allow-list
kept, one removal-like object each with "allow": "FILE:LINE") and
context.jsonl (each file the page shows, in run order: its row of the page's
data, with its removals in compact form and the kept lines around each cut).
The workers make those lines (`cut.cut`, in the compiled core); the page is
drawn by pasting the rows into pages, without parsing them again.
"""
from __future__ import annotations

import io
import json
import os
from array import array
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Iterator

from ..names import Names
from ..records import CountedNotice, DocResult, Notice
from ..status import of_run
from ..write import atomic_write_parts, copy_range, temp_name
from .html import Scan, render_report

__all__ = ["ReportPart", "RunReport"]


class FileCounts(Mapping):
    """summary.json's `files` section: per changed file, its removals by category and its sizes, held as a few
    bytes a file (its name in a `Names` buffer, its counts by reference to the distinct ones, its sizes in
    arrays) rather than as a dict entry of tuples (about 400 bytes at a million changed files).

    A read-only mapping of name to `{"removed": {category: count}, "in_chars": n, "out_chars": n, "page": kind}`
    (page: the kind of page it was read as, `detect.page_kind`; left out when none was read), iterated
    in name order (`ordered`), as summary.json lists it. Looking one name up reads them all: it is for
    tests, not loops.
    """

    ordered = True  # iteration is in key order: a sorted copy need not be made

    def __init__(self):
        self._names = Names()
        self._removed = array("I")  # index into _kinds
        self._kinds: list[tuple] = []  # the distinct ((category, count), ...) tuples
        self._kind_index: dict[tuple, int] = {}
        self._in = array("q")
        self._out = array("q")
        self._page = array("B")  # index into _pages
        self._pages: list[str] = []  # the distinct page kinds
        self._order: list[int] | None = None

    def add(self, file: str, removed: tuple, in_chars: int, out_chars: int, page: str = "") -> None:
        """A changed file: its ((category, count), ...) in category order, its sizes and the kind of page it was
        read as; a name added again replaces its entry, as in a dict."""
        kind = self._kind_index.get(removed)
        if kind is None:
            kind = self._kind_index[removed] = len(self._kinds)
            self._kinds.append(removed)
        self._names.append(file)
        self._removed.append(kind)
        self._in.append(in_chars)
        self._out.append(out_chars)
        if page not in self._pages:
            self._pages.append(page)
        self._page.append(self._pages.index(page))
        self._order = None

    def merge(self, other: "FileCounts") -> None:
        """Add another's entries after these, in its order (as if each were added here)."""
        # Its distinct counts and page kinds numbered as this one's (new ones in its order, as its adds would),
        # then its columns appended: no name decoded and encoded again, no call an entry.
        kinds = []
        for removed in other._kinds:
            kind = self._kind_index.get(removed)
            if kind is None:
                kind = self._kind_index[removed] = len(self._kinds)
                self._kinds.append(removed)
            kinds.append(kind)
        pages = []
        for page in other._pages:
            if page not in self._pages:
                self._pages.append(page)
            pages.append(self._pages.index(page))
        self._names.extend(other._names)
        self._removed.extend([kinds[k] for k in other._removed])
        self._in.extend(other._in)
        self._out.extend(other._out)
        self._page.extend([pages[p] for p in other._page])
        self._order = None

    def _sorted(self) -> list[int]:
        """Entry numbers in name order, the last entry of a name added twice only."""
        if self._order is None:
            raws = self._names.raws()
            order = sorted(range(len(raws)), key=raws.__getitem__)  # (`Names.sorted_indices`)
            # Equal names are adjacent, by entry number: each but the last is replaced by a later one.
            self._order = [i for i, j in zip(order, order[1:] + [None]) if j is None or raws[i] != raws[j]]
        return self._order

    def __len__(self) -> int:
        return len(self._sorted())

    def __iter__(self):
        return (name for _, name in self._named())

    def _entry(self, i: int) -> dict:
        entry = {"removed": dict(self._kinds[self._removed[i]]), "in_chars": self._in[i], "out_chars": self._out[i]}
        page = self._pages[self._page[i]]
        if page:
            entry["page"] = page
        return entry

    def __getitem__(self, name: str) -> dict:
        for i in reversed(range(len(self._names))):
            if self._names[i] == name:
                return self._entry(i)
        raise KeyError(name)

    def items(self):
        """(name, entry) in name order, each entry made as it is read."""
        return ((name, self._entry(i)) for i, name in self._named())

    def json_items(self, encode) -> Iterator[str]:
        """Each entry as the text `f"{encode(name)}: {encode(entry)}"` (`encode`: a JSONEncoder's, with its
        default separators), in name order: the distinct counts and page kinds encoded once, not a dict made
        and encoded a file (summary.json)."""
        kinds = [encode(dict(removed)) for removed in self._kinds]
        removed, ins, outs, page = self._removed, self._in, self._out, self._page
        pages = [f', "page": {encode(kind)}}}' if kind else "}" for kind in self._pages]
        for i, name in self._named():
            yield (f'{encode(name)}: {{"removed": {kinds[removed[i]]}, "in_chars": {ins[i]}, '
                   f'"out_chars": {outs[i]}{pages[page[i]]}')

    def _named(self, chunk: int = 4096) -> Iterator[tuple[int, str]]:
        """(entry number, name) in name order, the names decoded a chunk at a time (`Names.strings`: a lookup a
        name cost about 2 µs; all of them at once would hold every name as a string)."""
        order = self._sorted()
        for at in range(0, len(order), chunk):
            part = order[at : at + chunk]
            yield from zip(part, self._names.strings(part))


#: summary.json's sections with an entry per file or per cluster: written one entry a line.
_PER_ENTRY = ("files", "duplicate_clusters")
_JSON = json.JSONEncoder(ensure_ascii=False)  # made once: json.dumps with options makes one per call


def _append_spilled(spilled: tuple[str, tuple[int, ...]], outs: tuple) -> None:
    """A spilled part's streams (`ReportPart.spill`) appended to the report's files `outs`, in that order: copied
    file to file in the kernel (`os.copy_file_range`) where it can, else read and written."""
    path, sizes = spilled
    with open(path, "rb", buffering=0) as f:
        fd, at = f.fileno(), 0
        for out, size in zip(outs, sizes):
            if size:
                out.flush()  # (the copy goes to the file's descriptor, past what the buffer held)
                copy_range(fd, at, size, out)
            at += size


def write_summary(f, summary: dict) -> None:
    """summary.json: indented, but for its per-file and per-cluster sections, which hold one entry a line.

    At a million files those sections are most of the file: one line per entry
    keeps it greppable and a tenth of the lines, and json's C encoder writes
    them (json.dump with an indent runs its pure-Python encoder: 8 µs a file).
    """
    f.write("{\n")
    last = len(summary) - 1
    for n, (key, value) in enumerate(summary.items()):
        f.write(f"  {_JSON.encode(key)}: ")
        if key in _PER_ENTRY and value:
            opening, closing = ("{", "}") if isinstance(value, Mapping) else ("[", "]")
            if isinstance(value, FileCounts):
                texts = value.json_items(_JSON.encode)
            elif isinstance(value, Mapping):
                texts = (f"{_JSON.encode(name)}: {_JSON.encode(entry)}" for name, entry in value.items())
            else:
                texts = map(_JSON.encode, value)
            f.write(opening + "\n")
            done = 0
            for text in texts:
                f.write(("    " if done == 0 else ",\n    ") + text)
                done += 1
            f.write("\n  " + closing)
        else:
            value = dict(value) if isinstance(value, Mapping) else value  # (an empty FileCounts)
            f.write(json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  "))
        f.write(",\n" if n < last else "\n")
    f.write("}\n")


class RunReport:
    """Counts everything a run does and streams the per-removal files to the report folder.

    Documents must be added in their final (sorted) order; the files are
    written under temporary names and renamed by `finish`, so a report folder
    never holds half a report under the real names.
    """

    PENDING = ".pending-"

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.files_read = 0
        self.files_written = 0
        self.documents = 0
        self.documents_dropped = 0
        self.in_chars = 0
        self.out_chars = 0
        self.blocks = 0
        self.by_category: Counter = Counter()
        self.allowed_by_category: Counter = Counter()
        self.chars_by_category: Counter = Counter()
        self.per_file = FileCounts()
        self.notices: list[Notice] = []
        self._counted: dict[tuple, int] = {}  # where each file's `CountedNotice` of a kind is in `notices`
        self.timings: Counter = Counter()
        #: Duplicate-document clusters and the corpus step's figures, set by the pipeline.
        self.clusters: list[dict] = []
        self.corpus_stats: dict = {}
        #: Which engine ran the batches and with how many workers (set by the pipeline).
        self.engine: dict = {}
        #: The earlier runs this one was cleaned against (--against), as named.
        self.against: list[str] = []
        #: What the run suggests about its settings (summary.json's "hints"; the command line prints them).
        self.hints: list[str] = []
        #: Files written whole before the run ends (the signatures), named PENDING + name until `finish`.
        self.pending: list[str] = []
        #: What the review page counts, gathered as documents are added (the page then need not read it back).
        self.scan = Scan()
        self._diff = self._removals = self._allowed = self._context = None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            # Binary: the workers' lines and hunks are UTF-8 bytes as the core made them (a non-UTF-8 file's
            # removed lines in its own bytes), written as they come; decoding them in the worker and encoding them
            # again here was 15-18 µs a document (their text is not ASCII).
            self._diff = open(folder / temp_name("changes.diff"), "wb")
            self._removals = open(folder / temp_name("removals.jsonl"), "wb")
            self._allowed = open(folder / temp_name("allowed.jsonl"), "wb")
            self._context = open(folder / temp_name("context.jsonl"), "wb")

    @property
    def failed(self) -> list[Notice]:
        return [n for n in self.notices if n.failed]

    @property
    def exit_code(self) -> int:
        """0: done; 1: done, but some inputs could not be read (`dedupe.status`)."""
        return of_run(self)

    def add_notice(self, notice: Notice) -> None:
        """Keep a notice; one that counts (`CountedNotice`) is merged into the one its file already has."""
        if isinstance(notice, CountedNotice):
            key = (notice.file, notice.what, notice.failed)
            at = self._counted.get(key)
            if at is not None:
                self.notices[at] = self.notices[at].merged(notice)
                return
            self._counted[key] = len(self.notices)
        self.notices.append(notice)

    def add(self, result: DocResult, diff: bytes) -> None:
        """Count one cleaned document and append its removals and diff (`cut.Cut.diff`)."""
        self.add_lines(result.file, result.in_chars, result.out_chars, result.in_blocks, result.dropped, result.page,
                       *result.report, diff)

    def add_lines(self, file: str, in_chars: int, out_chars: int, blocks: int, dropped: bool, page: str,
                  removals: bytes, allowed_lines: bytes, row: bytes, targets: list[str], tally, allowed_cats: list[str],
                  diff: bytes) -> None:
        """`add` from a document's figures, its report lines (`cut.Cut.report`: lines, row, the files it points
        at, its removals' `cut.Tally`, its allowed blocks' categories) and its diff, with no DocResult made."""
        self.add_many([(file, in_chars, out_chars, blocks, dropped, page, removals, allowed_lines, row, targets, tally,
                        allowed_cats, diff)])

    def add_many(self, docs: list[tuple]) -> None:
        """`add_lines` on several documents in their order, each given as its arguments: the report files are
        written once for all of them (pass 2 adds a batch's plain-text files at once: four writes a document and
        the calls cost 4 µs a document of the 10k benchmark corpus)."""
        scan, per_file = self.scan, self.per_file
        by_category, allowed_by_category, chars = self.by_category, self.allowed_by_category, self.chars_by_category
        streams: tuple[list, list, list, list] = ([], [], [], [])
        removed_lines, allowed_streams, rows, diffs = streams
        documents = dropped_docs = in_sum = out_sum = blocks_sum = 0
        for (file, in_chars, out_chars, blocks, dropped, page, removals, allowed_lines, row, targets, tally,
             allowed_cats, diff) in docs:
            documents += 1
            dropped_docs += dropped
            in_sum += in_chars
            out_sum += out_chars
            blocks_sum += blocks
            if row:
                scan.show(file, targets, len(row))
            if tally[0]:
                # The core counted the removals by category and summed their characters: a loop a category here.
                cats = scan.add_tally(file, tally, chars)
                for category, n in cats.items():
                    by_category[category] += n
                per_file.add(file, tuple(sorted(cats.items())), in_chars, out_chars, page)
            for category in allowed_cats:
                allowed_by_category[category] += 1
                scan.add(file, category, None, allowed=True)
            # (most documents have no allowed lines, and many no row or diff: no empty writes)
            if removals:
                removed_lines.append(removals)
            if allowed_lines:
                allowed_streams.append(allowed_lines)
            if row:
                rows.append(row)
            if diff:
                diffs.append(diff)
        self.documents += documents
        self.documents_dropped += dropped_docs
        self.in_chars += in_sum
        self.out_chars += out_sum
        self.blocks += blocks_sum
        if self._removals:
            for out, parts in zip((self._removals, self._allowed, self._context, self._diff), streams):
                if parts:
                    out.write(parts[0] if len(parts) == 1 else b"".join(parts))

    def merge(self, part: "ReportPart") -> None:
        """Add a batch's share of the report, counted in the worker that cleaned it, as if its documents were
        added here one by one in their order."""
        self.documents += part.documents
        self.documents_dropped += part.documents_dropped
        self.in_chars += part.in_chars
        self.out_chars += part.out_chars
        self.blocks += part.blocks
        self.by_category.update(part.by_category)
        self.allowed_by_category.update(part.allowed_by_category)
        self.chars_by_category.update(part.chars_by_category)
        self.per_file.merge(part.per_file)
        self.scan.merge(part.scan)
        if self._removals:
            mine = (self._removals, self._allowed, self._context, self._diff)
            if part.spilled is not None:
                _append_spilled(part.spilled, mine)
                return
            for out, theirs in zip(mine, (part.removals, part.allowed, part.context, part.diff)):
                if theirs:
                    out.write(theirs)

    def summary(self, config, version: str, src: Path, dst: Path, dry_run: bool) -> dict:
        """Everything summary.json holds."""
        return {
            "version": version,
            "input": {
                "folder": str(src),
                "files": self.files_read,
                "documents": self.documents,
                "blocks": self.blocks,
                "chars": self.in_chars,
            },
            "output": {
                "folder": str(dst),
                "dry_run": dry_run,
                "files_written": self.files_written,
                "documents": self.documents - self.documents_dropped,
                "chars": self.out_chars,
            },
            "removed": {
                "blocks": sum(v for k, v in self.by_category.items() if k != "duplicate-document"),
                "documents": self.documents_dropped,
                "chars": sum(self.chars_by_category.values()),
                "by_category": {
                    k: {"count": self.by_category[k], "chars": self.chars_by_category[k]}
                    for k in sorted(self.by_category)
                },
            },
            "allowed": {
                "blocks": sum(self.allowed_by_category.values()),
                "by_category": dict(sorted(self.allowed_by_category.items())),
            },
            "files": self.per_file,  # (made entry by entry as summary.json is written)
            "failed": [{"file": n.file, "message": n.message} for n in sorted(self.failed, key=lambda n: n.file)],
            "warnings": [
                {"file": n.file, "message": n.message}
                for n in sorted((n for n in self.notices if not n.failed), key=lambda n: (n.file, n.message))
            ],
            **({"against": self.against} if self.against else {}),
            **({"hints": self.hints} if self.hints else {}),
            "duplicate_clusters": self.clusters,
            "corpus": self.corpus_stats,
            "timings": {k: round(v, 3) for k, v in sorted(self.timings.items())},
            "config": config.to_json(),
            "engine": self.engine,
            "exit_status": self.exit_code,
        }

    def finish(self, summary: dict) -> None:
        """Close the streamed files, move them to their real names, write summary.json and the review page."""
        if self.folder is None:
            return
        for handle, name in (
            (self._diff, "changes.diff"),
            (self._removals, "removals.jsonl"),
            (self._allowed, "allowed.jsonl"),
            (self._context, "context.jsonl"),
        ):
            handle.close()
            Path(handle.name).replace(self.folder / name)
        for name in self.pending:
            (self.folder / name).replace(self.folder / name[len(self.PENDING) :])
        # Streamed to a temporary name, then renamed: at a million files summary.json is hundreds of MB.
        tmp = self.folder / temp_name("summary.json")
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            write_summary(f, summary)
        tmp.replace(self.folder / "summary.json")
        render_report(self.folder, scan=self.scan, summary=summary)

    def abort(self) -> None:
        """Drop the temporary files of a run that failed."""
        for handle in (self._diff, self._removals, self._allowed, self._context):
            if handle:
                handle.close()
                Path(handle.name).unlink(missing_ok=True)
        for name in self.pending:
            (self.folder / name).unlink(missing_ok=True)


class ReportPart(RunReport):
    """A batch's share of the report: its documents added (`add`) in the worker that cleaned them, in their
    order, then merged by the main process (`RunReport.merge`) in batch order.

    What crosses back is this: the batch's report lines and hunks as four byte strings and its counts, not a
    `DocResult` a document, and the main process counts a batch at once rather than document by document.
    """

    def __init__(self):
        super().__init__(None)
        self._diff, self._removals, self._allowed, self._context = (io.BytesIO() for _ in range(4))
        self.diff = self.removals = self.allowed = self.context = b""
        #: Where `spill` wrote the lines: (the file, the sizes of its removals, allowed, context and diff lines).
        self.spilled: tuple[str, tuple[int, int, int, int]] | None = None

    def sealed(self) -> "ReportPart":
        """This part with its lines as bytes, ready to cross to the main process (no open buffers)."""
        self.diff, self.removals, self.allowed, self.context = (
            b.getvalue() for b in (self._diff, self._removals, self._allowed, self._context))
        self._diff = self._removals = self._allowed = self._context = None
        return self

    def spill(self, path: Path) -> "ReportPart":
        """This sealed part with its lines written to `path` (the four streams end to end) rather than held, for
        the main process to copy into the report files in the kernel (`merge`): a pool worker's part crosses in
        its state file, which pickled the lines (4.6 KB a document of the 10k benchmark corpus) for the main
        process to read back and write again. `path` must stay until the part is merged."""
        streams = (self.removals, self.allowed, self.context, self.diff)
        atomic_write_parts(path, list(streams), make_folder=False)
        self.spilled = (os.fspath(path), tuple(map(len, streams)))
        self.diff = self.removals = self.allowed = self.context = b""
        return self
