"""index.html: the self-contained review page, rendered from the report folder's files.

The page needs no network and no other file: its style and its one script are
inline and pinned by hash in a Content-Security-Policy, so nothing a scraped
document contains can run, load or navigate. The run's summary, charts,
clusters and most frequent removed blocks are rendered here with every string
escaped; the per-file view is built in the browser from JSON embedded in a
non-executed <script type="application/json"> (with `<` escaped), its files'
rows as JSON Lines in a second one (context.jsonl's lines as the run wrote
them, already made safe there), and written with textContent only.

What it reads: summary.json and removals.jsonl (required), allowed.jsonl and
context.jsonl (optional). Size: the page carries each removed block's text
(shortened past TEXT_LIMIT characters) and, as context, up to CONTEXT_LINES
kept lines on each side of each cut (shortened past CONTEXT_CHARS), never the
whole kept documents, so it grows with what was removed, not with the corpus.
Runs with more than `page_files` changed files are split: index.html holds the
first files and the whole run's counts; index-2.html, index-3.html... the next.
"""
from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
from array import array
from collections import Counter
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import numpy as np

from ..allow import HEADER as ALLOW_HEADER
from .. import _core
from ..errors import DedupeError
from ..names import Names
from ..text import visible
from ..write import atomic_stream, copy_range

#: Changed files per page: a few thousand sections stay responsive in a browser.
PAGE_FILES = 2000
#: Removed text shown per block; longer blocks (whole duplicate documents) are cut, their key is not.
TEXT_LIMIT = _core.TEXT_LIMIT
#: Scan.key_cats of a removal without a block hash (a whole duplicate document): the core's tally's rank for it.
NO_KEY = _core.NO_KEY
#: `bytes.translate`'s identity table, which `Scan.add_tally` renumbers a document's category ranks in.
_RANKS = bytes(range(256))
#: Kept non-blank lines shown on each side of a cut, and their length.
CONTEXT_LINES, CONTEXT_CHARS = _core.CONTEXT_LINES, _core.CONTEXT_CHARS
#: Rows of the summary's tables.
TOP_BLOCKS = 25
TOP_SOURCES = 12
TOP_CLUSTERS = 20


class ReportError(DedupeError):
    """The report folder cannot be rendered (a file missing or malformed); the message names file and fix."""


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_jsonl(path: Path, required: bool, field: str = "file") -> Iterator[tuple[int, dict]]:
    if not path.is_file():
        if required:
            raise ReportError(f"{path} is missing; run dedupe clean again to write a whole report")
        return
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                raise ReportError(f"{path}:{n}: not valid JSON ({e}); run dedupe clean again to rewrite it") from None
            if not isinstance(obj, dict) or not isinstance(obj.get(field), str):
                raise ReportError(f"{path}:{n}: expected an object with a \"{field}\"; run dedupe clean again to rewrite it")
            yield n, obj


def _source(file: str) -> str:
    """The top folder a file came from: the 'source' of the per-source chart."""
    return file.split("/", 1)[0] if "/" in file else "(top level)"


def _page_name(page: int) -> str:
    return "index.html" if page == 1 else f"index-{page}.html"


def _file_link(file: str, page: int | None, line: int | None = None) -> str:
    target = "#f=" + quote(file, safe="") + (f"&l={line}" if line else "")
    return (_page_name(page) if page else "") + target


class Scan:
    """Everything the page counts, per changed file and per distinct block: made while a run goes (`show`,
    `add`), or by reading a report folder's context.jsonl back (`read`)."""

    def __init__(self):
        self.order = Names()  # the files the page shows, in run order (one context.jsonl row each)
        self.targets: dict[str, list[str]] = {}  # per file, the files its removals point at
        self.by_source: dict[str, Counter] = {}
        # Per removal, in removals.jsonl order: its block hash and category (9 bytes, not a dict entry per
        # distinct block: a million documents remove millions of distinct menu lines).
        self.keys = array("Q")
        self.key_cats = array("B")  # index into cat_names; NO_KEY for a whole document (no block hash)
        self.cat_names: list[str] = []
        self.removals = self.allowed = 0
        self.categories: set[str] = set()
        self._cat_index: dict[str, int] = {}
        # Where each row of context.jsonl ends, in bytes, when the rows were counted as the run wrote them
        # (`show` with their size): a page then copies its rows from the file without reading them. None once
        # a row came without its size (read back from a folder: `read`).
        self.ends: array | None = array("Q")

    def show(self, file: str, targets: list[str], size: int | None = None) -> None:
        """A file the page shows (its context.jsonl row, of `size` bytes as written), in run order, and the
        files it points at."""
        self.order.append(file)
        if targets:
            self.targets[file] = targets
        if size is None:
            self.ends = None
        elif self.ends is not None:
            self.ends.append((self.ends[-1] if self.ends else 0) + size)

    def add(self, file: str, category: str, key: int | None, allowed: bool = False) -> None:
        """One removal (or allowed block) of `file`; `key` is its block hash (None for a whole document)."""
        if allowed:
            self.categories.add(category)
            self.allowed += 1
        else:
            whole = key is None
            self.add_tally(file, ([(category, 1, 0)], array("Q", [0 if whole else key]).tobytes(),
                                  bytes([NO_KEY if whole else 0])), Counter())

    def add_tally(self, file: str, tally, chars: Counter) -> dict[str, int]:
        """The removals of `file`, as the core tallied them in removals.jsonl order (`cut.Tally`: per category
        how many and their characters, per removal its key and its category's rank), their characters added to
        `chars` by category; their count by category, in order of first appearance."""
        categories, keys, ranks = tally
        cats: dict[str, int] = {}
        index = self._cat_index
        table = bytearray(_RANKS)  # a rank in this document -> the category's number here (NO_KEY stays)
        for rank, (category, n, size) in enumerate(categories):
            cats[category] = n
            chars[category] += size
            at = index.get(category)
            if at is None:
                at = index[category] = len(self.cat_names)
                self.cat_names.append(category)
            table[rank] = at
        self.keys.frombytes(keys)
        self.key_cats.frombytes(ranks.translate(table))
        self.categories.update(cats)
        self.removals += len(ranks)
        source = _source(file)
        by_source = self.by_source.get(source)
        if by_source is None:
            by_source = self.by_source[source] = Counter()
        for category, n in cats.items():
            by_source[category] += n
        return cats

    def merge(self, other: "Scan") -> None:
        """Add another scan's files and removals after these, as if they had been added here in its order."""
        self.order.extend(other.order)
        self.targets.update(other.targets)
        if self.ends is None or other.ends is None:
            self.ends = None
        elif other.ends:
            base = self.ends[-1] if self.ends else 0
            self.ends.extend([base + end for end in other.ends])
        for source, counts in other.by_source.items():
            mine = self.by_source.get(source)
            if mine is None:
                mine = self.by_source[source] = Counter()
            mine.update(counts)
        # Its category numbers renumbered as this scan's (new categories after this one's, in its order).
        table = bytearray(range(256))
        for j, category in enumerate(other.cat_names):
            at = self._cat_index.get(category)
            if at is None:
                at = self._cat_index[category] = len(self.cat_names)
                self.cat_names.append(category)
            table[j] = at
        self.keys.extend(other.keys)
        self.key_cats.frombytes(other.key_cats.tobytes().translate(table))
        self.removals += other.removals
        self.allowed += other.allowed
        self.categories |= other.categories

    def top_blocks(self, n: int) -> list[tuple[int, int, str, int]]:
        """The n blocks removed most often (at least twice): (hash, count, first category, removals.jsonl line)."""
        keys = np.frombuffer(self.keys, dtype=np.uint64) if self.keys else np.empty(0, np.uint64)
        cats = np.frombuffer(self.key_cats, dtype=np.uint8) if self.key_cats else np.empty(0, np.uint8)
        where = np.flatnonzero(cats != NO_KEY)
        values, first, counts = np.unique(keys[where], return_index=True, return_counts=True)
        repeated = np.flatnonzero(counts > 1)
        # Most frequent first; ties in order of first appearance.
        order = repeated[np.lexsort((first[repeated], -counts[repeated]))][:n]
        return [(int(values[i]), int(counts[i]), self.cat_names[cats[where[first[i]]]], int(where[first[i]]) + 1)
                for i in order]

    @classmethod
    def read(cls, folder: Path) -> "Scan":
        """The scan of a report folder, from its context.jsonl rows."""
        scan = cls()
        for _, row in _read_jsonl(folder / "context.jsonl", required=True, field="f"):
            scan.show(row["f"], row_targets(row))
            for r in row.get("r", []):
                cat = str(r.get("c", ""))
                scan.add(row["f"], cat, None if cat == "duplicate-document" else int(str(r.get("k"))[5:], 16))
            for r in row.get("a", []):
                scan.add(row["f"], str(r.get("c", "")), None, allowed=True)
        return scan


def row_targets(row: dict) -> list[str]:
    """The files a row's removals point at (duplicate_of), sorted: the page links them to their pages."""
    return sorted({r["o"][0] for r in row.get("r", []) + row.get("a", []) if "o" in r})


def render_report(folder: str | Path, page_files: int = PAGE_FILES, scan: Scan | None = None,
                  summary: dict | None = None) -> list[Path]:
    """Write index.html (and index-N.html past page_files changed files) from a report folder; returns the pages.

    `scan` is what the run counted as it wrote the folder; without it the folder is read back for it.
    """
    folder = Path(folder)
    summary_path = folder / "summary.json"
    try:
        if summary is None:  # (the run passes the summary it just wrote)
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{summary_path} is missing; is {folder} a dedupe report folder (OUT/_report)?") from None
    except (OSError, ValueError) as e:
        raise ReportError(f"{summary_path}: cannot read it ({e}); run dedupe clean again to rewrite it") from None
    if not isinstance(summary, dict):
        raise ReportError(f"{summary_path}: expected a JSON object; run dedupe clean again to rewrite it")
    if page_files < 1:
        raise ReportError(f"page_files must be at least 1, not {page_files}")

    scan = scan if scan is not None else Scan.read(folder)
    n_pages = max(1, (len(scan.order) + page_files - 1) // page_files)
    cats = sorted(scan.categories | set(summary.get("removed", {}).get("by_category", {})))
    top = _top_blocks(folder, scan)
    page_of = _pages_of(scan, page_files, summary, top)
    run_id = _run_id(summary_path, summary)
    ranges = [
        (p, scan.order[(p - 1) * page_files], scan.order[min(p * page_files, len(scan.order)) - 1])
        for p in range(1, n_pages + 1)
        if scan.order
    ]
    head = _summary_html(summary, scan, cats, top, page_of)

    written = []
    with open(folder / "context.jsonl", "rb") as context:
        copied = _copied_rows(scan, context, page_files)
        for page in range(1, n_pages + 1):
            files = scan.order[(page - 1) * page_files : page * page_files]
            links = {t: page_of[t] for t in sorted({t for f in files for t in scan.targets.get(f, ())}) if t in page_of}
            data = _page_data(page, n_pages, cats, links, run_id)
            body = head + _pages_nav(ranges, page) + _FILE_VIEW
            path = folder / _page_name(page)
            before, after = _document(summary, body, data, cats)
            with atomic_stream(path) as out:  # written in its parts: the page is not joined in memory
                out.write(before)
                if copied is None:
                    out.write(_page_rows(context, page_files))
                elif files:
                    start, end = copied[page - 1]
                    out.flush()  # (the copy goes to the file's descriptor, past what the buffer held)
                    copy_range(context.fileno(), start, end - start, out)
                out.write(after)
            written.append(path)
    for stale in folder.glob("index-*.html"):  # pages of an earlier, larger run
        if stale not in written and stale.name[6:-5].isdigit():
            stale.unlink()
    return written


#: summary.json's sections the run id leaves out (`_run_id`): they differ between runs of the same result.
_UNSTABLE = frozenset({"timings", "input", "output", "engine", "config"})


def _run_id(summary_path: Path, summary: dict, chunk: int = 1 << 20) -> str:
    """Identifies the run for the page's saved marks: a digest of summary.json's text but for its sections
    that differ between runs of the same result (timings, folder paths, engine, the settings as given), with
    the settings that shape the result and the sizes. The page is byte-identical for the same input and config,
    wherever OUT is, and whatever the engine.

    Hashed as the file holds it (`write_summary`: a top-level key starts each line that begins with two spaces
    and a quote), not encoded again: at 10k files that was 12-13 ms of the run. Read a chunk at a time (at a
    million files the file is hundreds of MB), each section hashed without its comma and line end."""
    digest = hashlib.sha256()
    with open(summary_path, "rb") as f:
        fd = f.fileno()
        size = os.fstat(fd).st_size
        starts, tail, at = [], b"", 0  # (the tail: a key line's opening cut by the chunk's end)
        while data := f.read(chunk):
            text, base = tail + data, at - len(tail)
            i = text.find(b'\n  "')
            while i >= 0:
                starts.append(base + i + 1)
                i = text.find(b'\n  "', i + 1)
            tail, at = text[-3:], at + len(data)
        last_bytes = os.pread(fd, 8, max(0, size - 8))
        end = last_bytes.rfind(b"\n}")
        end = size - len(last_bytes) + end if end >= 0 else size
        for first, last in zip(starts, starts[1:] + [end]):
            head = os.pread(fd, min(last - first, 1 << 16), first)
            key, _ = json.decoder.scanstring(head.split(b"\n", 1)[0].decode("utf-8", "replace"), 3)
            if key in _UNSTABLE:
                continue
            while last > first:  # (without its comma and line end)
                back = os.pread(fd, min(16, last - first), last - min(16, last - first))
                last -= len(back) - len(back.rstrip(b",\n"))
                if back.rstrip(b",\n"):
                    break
            while first < last:
                part = os.pread(fd, min(chunk, last - first), first)
                if not part:
                    break
                digest.update(part)
                first += len(part)
            digest.update(b"\n")
    sizes = [{k: v for k, v in summary.get(side, {}).items() if k != "folder"} for side in ("input", "output")]
    digest.update(json.dumps({"config": _result_config(summary), "sizes": sizes}, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def _top_blocks(folder: Path, scan: Scan) -> list[dict]:
    """The most frequent removed blocks (template text): count, first category, key and an example."""
    best = scan.top_blocks(TOP_BLOCKS)
    if not best:
        return []
    # The example of each is its first removal: only those lines of removals.jsonl are parsed.
    want = {line: i for i, (_, _, _, line) in enumerate(best)}
    rows: list[dict | None] = [None] * len(best)
    with open(folder / "removals.jsonl", "rb") as f:
        # A file this run wrote (the scan counted its rows as it wrote them) holds a removal a line and no
        # other line end: its lines are found by counting line ends a megabyte at a time. One read back from
        # a folder is read line by line as text, past blank lines.
        lines = _lines_at(f, sorted(want)) if scan.ends is not None else _nonblank_lines(f)
        for n, line in lines:
            i = want.get(n)
            if i is not None:
                r = json.loads(line)
                h, count, category, _ = best[i]
                rows[i] = {"count": count, "category": category, "key": f"xxh3:{h:016x}",
                           "text": str(r.get("text", "")), "file": r["file"]}
                if all(rows):
                    break
    return [r for r in rows if r]


def _nonblank_lines(f) -> Iterator[tuple[int, str]]:
    """The lines of binary file `f` read as UTF-8 text (any line end), numbered from 1 past blank ones."""
    n = 0
    for line in io.TextIOWrapper(f, encoding="utf-8"):
        if line.strip():
            n += 1
            yield n, line


def _lines_at(f, numbers: list[int], chunk: int = 1 << 16) -> Iterator[tuple[int, bytes]]:
    """Lines `numbers` (sorted, counted from 1) of binary file `f`, whose lines end in LF, each with its number,
    in order, without their line ends. Read a chunk at a time: a chunk before the next wanted line is only
    counted (`bytes.count`), not split."""
    want = iter(numbers)
    n = next(want, None)
    line, carry = 1, b""  # the line the chunk's next byte is in, and its start read in earlier chunks
    while n is not None:
        data = f.read(chunk)
        if not data:
            if carry:  # the file's last line, without a line end
                yield n, carry
            return
        at = 0
        while n is not None:
            if line < n:
                ends = data.count(b"\n", at)
                if line + ends < n:  # the wanted line starts in a later chunk
                    line, carry = line + ends, b""
                    break
                for _ in range(n - line):
                    at = data.index(b"\n", at) + 1
                line, carry = n, b""
            end = data.find(b"\n", at)
            if end < 0:  # it goes on in the next chunk
                carry += data[at:]
                break
            yield n, carry + data[at:end]
            line, carry, at = line + 1, b"", end + 1
            while n is not None and n < line:  # (the next one, past a number asked twice)
                n = next(want, None)


def _copied_rows(scan: Scan, context, page_files: int) -> list[tuple[int, int]] | None:
    """Each page's rows as a byte range of context.jsonl (open as `context`), when the run counted them as it
    wrote them (`Scan.ends`) and the file is that size: then they are pasted into the page as they are (the
    core wrote them safe to paste: no `<`, `>` or `&`). None: the rows are read and checked (`_page_rows`)."""
    ends = scan.ends
    if ends is None or len(ends) != len(scan.order) or os.fstat(context.fileno()).st_size != (ends[-1] if ends else 0):
        return None
    return [(ends[first - 1] if first else 0, ends[min(first + page_files, len(ends)) - 1])
            for first in range(0, len(ends), page_files)]


def _page_rows(f, page_files: int) -> bytes:
    """The next `page_files` rows of context.jsonl (open as `f`), past blank lines, as the page holds them: a
    line each (JSON Lines), made safe inside its script (`_json_for_script`). ReportError if a row is not UTF-8.
    For a folder read back: a run's own page copies its rows as they are (`_copied_rows`)."""
    rows = []
    for line in f:
        if line.strip():
            rows.append(line.rstrip(b"\r\n"))
            if len(rows) == page_files:
                break
    joined = b"\n".join(rows)
    if not _core.is_utf8(joined):
        for row in rows:
            _row(row)  # (names the row that is not)
    return _json_for_script(joined + b"\n" if rows else b"")


def _row(line: bytes) -> bytes:
    """A line of context.jsonl without its line end (a CRLF too, as reading it as text would drop), checked to
    be UTF-8."""
    row = line.rstrip(b"\r\n")
    try:
        row.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ReportError(f"context.jsonl: a row is not UTF-8 ({e}); run dedupe clean again to rewrite it") from None
    return row


def _page_data(page: int, n_pages: int, cats: list[str], links: dict, run_id: str) -> bytes:
    """The JSON the page's script renders (UTF-8) but for its files' rows, which follow it as JSON Lines."""
    data = {"page": page, "pages": n_pages, "run": run_id, "cats": cats, "links": links, "allowHeader": ALLOW_HEADER}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_for_script(data: bytes) -> bytes:
    """JSON (UTF-8) made safe inside <script type="application/json">: no '<', '>' or '&' can end or open a tag."""
    return data.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


_PALETTE = {
    "repeat": "#d9480f",
    "near-repeat": "#e8590c",
    "corpus-repeat": "#9c36b5",
    "duplicate-document": "#c92a2a",
}
_CHROME = ["#1971c2", "#0c8599", "#2f9e44", "#5f3dc4", "#1864ab", "#087f5b", "#5c940d", "#364fc7",
           "#0b7285", "#862e9c", "#a61e4d", "#495057", "#2b8a3e", "#e67700", "#3b5bdb", "#66a80f"]


def _css(cats: list[str]) -> str:
    colors = []
    chrome = 0
    for i, c in enumerate(cats):
        if c in _PALETTE:
            color = _PALETTE[c]
        else:
            color = _CHROME[chrome % len(_CHROME)]
            chrome += 1
        colors.append(f".c{i}{{--c:{color}}}")
    return _STYLE + "\n".join(colors) + "\n"


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _num(n) -> str:
    return f"{n:,}" if isinstance(n, int) else _esc(n)


def _bar_svg(rows: list[tuple[str, list[tuple[int, int]]]], width: int = 360) -> str:
    """Horizontal stacked bars: one row per label, segments (category index, count); escaped labels."""
    if not rows:
        return "<p class=muted>Nothing removed.</p>"
    biggest = max(sum(n for _, n in segs) for _, segs in rows) or 1
    h, label_w = 20, 210
    out = [f'<svg class=chart role=img width="{label_w + width + 70}" height="{h * len(rows) + 4}" '
           f'viewBox="0 0 {label_w + width + 70} {h * len(rows) + 4}" xmlns="http://www.w3.org/2000/svg">']
    for row, (label, segs) in enumerate(rows):
        y = row * h + 2
        out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{_esc(_cut(label, 32))}</text>')
        x = float(label_w)
        for cat, n in segs:
            w = width * n / biggest
            out.append(f'<rect class="c{cat}" x="{x:.1f}" y="{y}" width="{max(w, 1):.1f}" height="{h - 5}"><title>'
                       f'{_esc(label)}: {n:,}</title></rect>')
            x += w
        out.append(f'<text x="{x + 5:.1f}" y="{y + 14}">{sum(n for _, n in segs):,}</text>')
    out.append("</svg>")
    return "".join(out)


def _summary_html(summary: dict, scan: Scan, cats: list[str], top: list[dict], page_of: dict) -> str:
    """The run at a glance, the same on every page: counts from summary.json and the whole removals.jsonl."""
    inp, outp, removed = summary.get("input", {}), summary.get("output", {}), summary.get("removed", {})
    allowed = summary.get("allowed", {})
    ci = {c: i for i, c in enumerate(cats)}
    in_chars, out_chars = inp.get("chars") or 0, outp.get("chars") or 0
    share = f" ({1 - out_chars / in_chars:.1%})" if isinstance(in_chars, int) and in_chars else ""
    cards = [
        ("files read", inp.get("files")), ("documents", inp.get("documents")), ("blocks", inp.get("blocks")),
        ("blocks removed", removed.get("blocks")), ("documents dropped", removed.get("documents")),
        ("characters removed", f"{_num(removed.get('chars', 0))}{share}"),
        ("kept by allow-list", allowed.get("blocks", scan.allowed)), ("files failed", len(summary.get("failed", []))),
    ]
    parts = ["<section id=summary><h2>Summary</h2><div class=cards>"]
    for label, value in cards:
        parts.append(f"<div class=card><b>{_num(value if value is not None else 0)}</b><span>{_esc(label)}</span></div>")
    parts.append("</div>")
    # (what the run suggests about its settings, where a reviewer looks first)
    parts.extend(f"<p class=hint><b>Hint</b> {_esc(visible(str(hint)))}</p>" for hint in summary.get("hints") or [])

    by_cat = removed.get("by_category", {})
    allowed_by = allowed.get("by_category", {})
    parts.append("<div class=cols><div><h3>Removed per category</h3><table class=cats><tr><th>category</th>"
                 "<th>blocks</th><th>characters</th><th>kept by allow-list</th></tr>")
    for c in cats:
        v = by_cat.get(c, {})
        parts.append(f'<tr><td><span class="sw c{ci[c]}"></span>{_esc(c)}</td><td>{_num(v.get("count", 0))}</td>'
                     f'<td>{_num(v.get("chars", 0))}</td><td>{_num(allowed_by.get(c, 0))}</td></tr>')
    parts.append("</table>")
    parts.append(_bar_svg([(c, [(ci[c], by_cat[c].get("count", 0))]) for c in cats if by_cat.get(c, {}).get("count")]))
    parts.append("</div><div><h3>Removals per source (top folder)</h3>")
    sources = sorted(scan.by_source.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    rows = [(s, [(ci[c], n) for c, n in sorted(cnt.items()) if c in ci]) for s, cnt in sources[:TOP_SOURCES]]
    if len(sources) > TOP_SOURCES:
        rest: Counter = Counter()
        for _, cnt in sources[TOP_SOURCES:]:
            rest.update(cnt)
        rows.append((f"{len(sources) - TOP_SOURCES:,} other sources", [(ci[c], n) for c, n in sorted(rest.items())]))
    parts.append(_bar_svg(rows))
    parts.append(f"<p class=muted>{len(sources):,} source{'s' if len(sources) != 1 else ''} with removals.</p></div></div>")

    clusters = summary.get("duplicate_clusters") or []
    if isinstance(clusters, list) and clusters:
        clusters = sorted((c for c in clusters if isinstance(c, dict)),
                          key=lambda c: (-len(c.get("members") or []), str(c.get("kept") or c.get("first"))))
        parts.append(f"<h3>Largest duplicate clusters</h3><p class=muted>{len(clusters):,} clusters; "
                     f"the largest {min(len(clusters), TOP_CLUSTERS)} below.</p><table class=clusters>"
                     "<tr><th>kept document</th><th>copies removed</th><th>copies (similarity)</th></tr>")
        for c in clusters[:TOP_CLUSTERS]:
            members = [m for m in (c.get("members") or []) if isinstance(m, dict)]
            links = ", ".join(
                _link_html(str(m.get("file")), page_of) + (f" ({m['similarity']:.2f})" if isinstance(
                    m.get("similarity"), (int, float)) else "")
                for m in members[:10]
            ) + (f", and {len(members) - 10:,} more" if len(members) > 10 else "")
            if c.get("run"):  # an earlier run's document (--against)
                head = f"<span class=fn>{_esc(str(c.get('kept')))}</span> <span class=muted>(run {_esc(str(c['run']))})</span>"
            elif c.get("kept") is None and c.get("first"):  # --keep none
                head = _link_html(str(c["first"]), page_of) + " <span class=muted>(dropped too: --keep none)</span>"
            else:
                head = _link_html(str(c.get("kept")), page_of)
            parts.append(f"<tr><td>{head}</td><td>{len(members):,}</td>"
                         f"<td>{links}</td></tr>")
        parts.append("</table>")

    if top:
        parts.append("<h3>Most frequent removed blocks</h3><p class=muted>Text removed in many places: usually a "
                     "site's template. Keep this keeps every copy removed under the category shown.</p><table class=top><tr><th>times</th><th>category</th>"
                     "<th>text</th><th></th></tr>")
        for t in top:
            parts.append(
                f'<tr><td>{t["count"]:,}</td><td><span class="sw c{ci.get(t["category"], 0)}"></span>'
                f'{_esc(t["category"])}</td><td class=tt>{_esc(_cut(t["text"], 300))}<br>'
                f'<span class=muted>first in {_link_html(t["file"], page_of)}</span></td>'
                f'<td><button type=button class=keep data-key="{_esc(t["key"])}" data-cat="{_esc(t["category"])}" '
                f'data-note="{_esc(_cut(t["text"], 200))}">Keep this</button></td></tr>'
            )
        parts.append("</table>")

    notices = [("failed", n) for n in summary.get("failed", [])] + [("warning", n) for n in summary.get("warnings", [])]
    if notices:
        parts.append(f"<details><summary>{len(notices):,} notices (files skipped or handled)</summary><ul>")
        for kind, n in notices[:1000]:
            parts.append(f"<li><b>{kind}</b> {_esc(visible(str(n.get('file'))))}: {_esc(visible(str(n.get('message'))))}</li>")
        parts.append("</ul></details>")
    parts.append("<details><summary>Configuration</summary><pre>" + _esc(json.dumps(_result_config(summary), indent=1))
                 + "</pre><p class=muted>Timings are in summary.json.</p></details></section>")
    return "".join(parts)


def _pages_of(scan: Scan, page_files: int, summary: dict, top: list[dict]) -> dict[str, int]:
    """The page of each shown file that a link may point at: the files removals point at, the duplicate
    clusters' files and the top blocks' (a dict over every shown file would be the largest thing the
    report holds at a million files)."""
    wanted = {t for targets in scan.targets.values() for t in targets}
    wanted.update(t.get("file") for t in top)
    for c in summary.get("duplicate_clusters") or []:
        if isinstance(c, dict):
            wanted.update((c.get("kept"), c.get("first")))
            wanted.update(m.get("file") for m in c.get("members") or [] if isinstance(m, dict))
    return {f: i // page_files + 1 for i, f in enumerate(scan.order) if f in wanted}


def _link_html(file: str, page_of: dict) -> str:
    page = page_of.get(file)
    if page is None:
        return f"<span class=fn>{_esc(visible(file))}</span>"
    return f'<a class=fn href="{_esc(_file_link(file, page))}">{_esc(visible(file))}</a>'


def _pages_nav(ranges: list[tuple[int, str, str]], page: int) -> str:
    if len(ranges) <= 1:
        return ""
    out = [f"<nav id=pages><h2>Pages</h2><p class=muted>The files below are page {page} of {len(ranges)}; "
           "the summary above counts the whole run.</p><ol>"]
    for p, first, last in ranges:
        label = f"{_esc(first)} … {_esc(last)}"
        out.append(f"<li><b>page {p}</b>: {label}</li>" if p == page
                   else f'<li><a href="{_page_name(p)}">page {p}</a>: {label}</li>')
    out.append("</ol></nav>")
    return "".join(out)


def _document(summary: dict, body: str, data: bytes, cats: list[str]) -> tuple[bytes, bytes]:
    """The page as UTF-8 before its files' rows and after them: the rows go between, one JSON Lines row a line,
    made safe inside a script (by the core as it wrote context.jsonl, or `_page_rows`)."""
    css = _css(cats)
    csp = (f"default-src 'none'; script-src {_csp_hash(_SCRIPT)}; style-src {_csp_hash(css)}; "
           "base-uri 'none'; form-action 'none'")
    # No folder path in the page: it is byte-identical for the same input wherever IN and OUT are.
    title = "dedupe review"
    before = (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'  # no document text in it
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>{css}</style>\n</head><body>\n"
        f"<header><h1>{_esc(title)}</h1><p class=muted>dedupe {_esc(summary.get('version', ''))}</p></header>\n"
        f"<main>{body}</main>\n"
        '<script type="application/json" id=data>'
    )
    return (before.encode("utf-8") + _json_for_script(data) + b'</script>\n<script type="application/x-ndjson" id=rows>\n',
            f"</script>\n<script>{_SCRIPT}</script>\n</body></html>\n".encode())


_FILE_VIEW = """
<section id=view><h2>Changed files</h2>
<div class=filters>
<label>Category <select id=cat><option value="">all</option></select></label>
<label>File <input id=file type=search list=filelist placeholder="part of a file name" autocomplete=off></label>
<datalist id=filelist></datalist>
<label>Search <input id=q type=search placeholder="text in a removed block" autocomplete=off></label>
</div>
<p id=count class=muted></p>
<div id=files></div>
<button type=button id=more hidden>Show more files</button>
</section>
<aside id=allow><b id=allowcount>No removal marked to keep.</b>
<button type=button id=download disabled>Download allow-list</button>
<button type=button id=copy disabled>Copy</button>
<button type=button id=clear disabled>Clear</button>
<span class=muted>then: dedupe clean SRC DST --allow allow.txt</span>
<textarea id=allowtext readonly rows=4 hidden></textarea></aside>
"""

_STYLE = """
:root{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#212529;background:#fff}
body{margin:0 auto;max-width:1200px;padding:0 16px 160px}
h1{font-size:1.4rem;margin:16px 0 0;overflow-wrap:anywhere}h2{font-size:1.2rem;border-bottom:1px solid #dee2e6}
h3{font-size:1rem;margin:18px 0 6px}.muted{color:#6c757d}.hint{background:#e7f5ff;border-left:4px solid #1c7ed6;padding:6px 10px}
.page{margin-left:10px;font-size:.8rem;font-weight:normal;padding:1px 6px;border:1px solid #ced4da;border-radius:8px;color:#495057}
.cards{display:flex;flex-wrap:wrap;gap:8px}.card{border:1px solid #dee2e6;border-radius:6px;padding:6px 12px;min-width:110px}
.card b{display:block;font-size:1.2rem}.card span{color:#6c757d;font-size:.85rem}
.cols{display:flex;flex-wrap:wrap;gap:24px}table{border-collapse:collapse;margin:4px 0}
td,th{border-bottom:1px solid #e9ecef;padding:3px 8px;text-align:left;vertical-align:top}
td.tt{max-width:640px;overflow-wrap:anywhere;white-space:pre-wrap}
.sw{display:inline-block;width:10px;height:10px;margin-right:6px;background:var(--c)}
.chart text{font-size:12px;fill:#343a40}.chart rect{fill:var(--c)}
.fn{overflow-wrap:anywhere}
.filters{display:flex;flex-wrap:wrap;gap:12px;position:sticky;top:0;background:#fff;padding:8px 0;z-index:1}
.file{border:1px solid #dee2e6;border-radius:6px;margin:12px 0;padding:4px 10px}
.file h3{overflow-wrap:anywhere}.ctx,.gap,.rm,.al{display:flex;gap:8px;margin:2px 0}
.ln{color:#adb5bd;min-width:4.5em;text-align:right;flex:none;font-variant-numeric:tabular-nums}
.ctx .tx{color:#495057;white-space:pre-wrap;overflow-wrap:anywhere}.gap{color:#adb5bd;font-style:italic}
.rm,.al{border-left:4px solid var(--c);padding-left:6px}.rm .body,.al .body{flex:1;min-width:0}
.rm del{color:var(--c);white-space:pre-wrap;overflow-wrap:anywhere;text-decoration-thickness:1px}
.al .tx{white-space:pre-wrap;overflow-wrap:anywhere}
.why{font-size:.85rem;color:#495057}.why .cat{color:var(--c);font-weight:600}.why a,.why button{margin-left:8px}
.al .why .tag{background:#d3f9d8;color:#2b8a3e;padding:0 4px;border-radius:3px}
.rm.dim{opacity:.35}.rm.hit del{background:#fff3bf}.rm.marked{background:#ebfbee}.rm.marked del{text-decoration:none}
button.keep.on{background:#2b8a3e;color:#fff}
#allow{position:fixed;left:0;right:0;bottom:0;background:#f8f9fa;border-top:1px solid #ced4da;padding:8px 16px;
display:flex;flex-wrap:wrap;gap:8px;align-items:center}#allow textarea{width:100%;font:12px monospace}
nav ol{columns:2;font-size:.9rem}pre{white-space:pre-wrap;font-size:.8rem}
"""

_SCRIPT = r"""
"use strict";
(function () {
  var D = JSON.parse(document.getElementById("data").textContent);
  D.files = document.getElementById("rows").textContent.split("\n").filter(Boolean).map(JSON.parse);
  var PER = 50, shown = PER, marks = {}, storeKey = "dedupe-allow-" + D.run;
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function pageName(p) { return p === 1 ? "index.html" : "index-" + p + ".html"; }
  var CI = {};  // category -> its index in D.cats (its colour class)
  D.cats.forEach(function (c, i) { CI[c] = i; });
  var onPage = new Map();
  D.files.forEach(function (f) { onPage.set(f.f, true); });
  function fileHref(f, line) {
    var p = D.links[f];
    var h = "#f=" + encodeURIComponent(f) + (line ? "&l=" + line : "");
    if (onPage.has(f) || p === undefined || p === D.page) return h;
    return pageName(p) + h;
  }
  function span(l) { return l[0] === l[1] ? "line " + l[0] : "lines " + l[0] + "\u2013" + l[1]; }
  var VERB = {"repeat": "repeat of", "near-repeat": "near repeat of", "duplicate-document": "duplicate of",
              "corpus-repeat": "same as"};
  // A file name's control and bidi characters as escapes (dedupe.text.visible): U+202E must not turn
  // "gnp.txt" into what reads "txt.png".
  function vis(t) {
    return t.replace(/[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, function (c) {
      var n = c.charCodeAt(0), h = n.toString(16);
      return c === "\n" ? "\\n" : c === "\t" ? "\\t" : c === "\r" ? "\\r"
        : n < 256 ? "\\x" + ("0" + h).slice(-2) : "\\u" + ("000" + h).slice(-4);
    });
  }
  function note(t) { return t.replace(/[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+/g, " ").trim().slice(0, 160); }
  function load() {
    try { marks = JSON.parse(localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { marks = {}; }
  }
  function save() { try { localStorage.setItem(storeKey, JSON.stringify(marks)); } catch (e) { /* file:// may refuse */ } }
  function allowText() {
    var keys = Object.keys(marks).sort(), lines = [D.allowHeader.replace(/\n+$/, "")];
    keys.forEach(function (k) { var m = marks[k]; lines.push(m.cat + " " + m.key + "  # " + m.note); });
    return lines.join("\n").replace(/\n*$/, "\n");
  }
  function showMarks() {
    var n = Object.keys(marks).length;
    $("allowcount").textContent = n ? n + (n === 1 ? " block" : " blocks") + " marked to keep." : "No removal marked to keep.";
    ["download", "copy", "clear"].forEach(function (id) { $(id).disabled = !n; });
    $("allowtext").hidden = !n;
    $("allowtext").value = n ? allowText() : "";
    var btns = document.querySelectorAll("button.keep");
    for (var i = 0; i < btns.length; i++) {
      var b = btns[i], on = Object.prototype.hasOwnProperty.call(marks, b.dataset.cat + " " + b.dataset.key);
      b.classList.toggle("on", on);
      b.textContent = on ? "Marked: keep" : "Keep this";
      var row = b.closest(".rm");
      if (row) row.classList.toggle("marked", on);
    }
  }
  function toggle(b) {
    var id = b.dataset.cat + " " + b.dataset.key;
    if (marks[id]) delete marks[id];
    else marks[id] = {cat: b.dataset.cat, key: b.dataset.key, note: note(b.dataset.note || "")};
    save(); showMarks();
  }
  function keepButton(cat, key, text) {
    var b = el("button", "keep", "Keep this");
    b.type = "button"; b.dataset.cat = cat; b.dataset.key = key; b.dataset.note = note(text);
    return b;
  }
  function textOf(r) { return r.t + (r.n ? "\u2026 (" + r.n + " characters in all)" : ""); }
  function row(r, allowed, f, wanted, q) {
    var cat = CI[r.c] !== undefined ? r.c : "?";
    var d = el("div", (allowed ? "al" : "rm") + " c" + CI[r.c]);
    d.dataset.file = f.f; d.dataset.lines = r.l[0] + "-" + r.l[1]; d.dataset.cat = cat;
    d.appendChild(el("span", "ln", r.l[0] === r.l[1] ? String(r.l[0]) : r.l[0] + "\u2013" + r.l[1]));
    var body = el("div", "body");
    body.appendChild(el(allowed ? "span" : "del", allowed ? "tx" : "t", textOf(r)));
    var why = el("div", "why");
    if (allowed) why.appendChild(el("span", "tag", "kept by allow-list (" + r.e + ")"));
    why.appendChild(el("span", "cat", (allowed ? " would be " : "") + cat));
    why.appendChild(document.createTextNode(" by " + r.d + ", score " + r.s));
    if (r.o) {
      var a = el("a", "dup", (VERB[cat] || "see") + " " + (r.o[0] === f.f ? "" : vis(r.o[0]) + " ") + span([r.o[1], r.o[2]]));
      a.href = fileHref(r.o[0], r.o[1]);
      why.appendChild(a);
    }
    if (!allowed) why.appendChild(keepButton(cat, r.k, r.t));
    body.appendChild(why);
    d.appendChild(body);
    if (!allowed) {
      if (wanted !== "" && wanted !== cat) d.classList.add("dim");
      if (q && r.t.toLowerCase().indexOf(q) >= 0) d.classList.add("hit");
    }
    return d;
  }
  function fileSection(f, wanted, q) {
    var s = el("div", "file");
    s.dataset.file = f.f;
    var h = el("h3");
    var a = el("a", "fn", vis(f.f));
    a.href = "#f=" + encodeURIComponent(f.f);
    h.appendChild(a);
    h.appendChild(el("span", "muted", "  " + f.r.length + " removed" + (f.a.length ? ", " + f.a.length + " kept by allow-list" : "")));
    // The kind the page was read as: what the detectors took for content on it (a thread's replies, a list's items).
    if (f.p) h.appendChild(el("span", "page", "read as " + f.p));
    s.appendChild(h);
    var items = [], covered = {};
    f.a.forEach(function (r) { items.push({s: r.l[0], e: r.l[1], node: function () { return row(r, true, f, wanted, q); }});
                               for (var k = r.l[0]; k <= r.l[1]; k++) covered[k] = 1; });
    f.r.forEach(function (r) { items.push({s: r.l[0], e: r.l[1], node: function () { return row(r, false, f, wanted, q); }}); });
    var ctx = {};
    f.h.forEach(function (h) {
      items.push({s: h[0][0], e: h[0][1], node: null});  // a cut: its removed blank lines are not "hidden text"
      h[1].concat(h[2]).forEach(function (c) { if (!covered[c[0]]) ctx[c[0]] = c[1]; });
    });
    Object.keys(ctx).forEach(function (k) {
      var n = +k;
      items.push({s: n, e: n, node: ctx[k] === "" ? null : function () {
        var d = el("div", "ctx"); d.appendChild(el("span", "ln", String(n))); d.appendChild(el("span", "tx", ctx[k])); return d; }});
    });
    items.sort(function (x, y) { return x.s - y.s || (x.node ? 1 : 0) - (y.node ? 1 : 0) || x.e - y.e; });
    var last = 0;
    items.forEach(function (it) {
      if (it.s > last + 1) s.appendChild(el("div", "gap", "\u22ef " + span([last + 1, it.s - 1]) + " not shown"));
      if (it.node) s.appendChild(it.node());
      last = Math.max(last, it.e);
    });
    return s;
  }
  function matches(f, wanted, fileQ, q) {
    if (fileQ && f.f.toLowerCase().indexOf(fileQ) < 0) return false;
    var rs = f.r, ok = false;
    if (wanted === "(allowed)") return f.a.length > 0 && (!q || f.a.some(function (r) { return r.t.toLowerCase().indexOf(q) >= 0; }));
    for (var i = 0; i < rs.length; i++) {
      var c = rs[i].c;
      if ((wanted === "" || c === wanted) && (!q || rs[i].t.toLowerCase().indexOf(q) >= 0)) { ok = true; break; }
    }
    if (!ok && wanted === "" && !q) ok = f.a.length > 0;
    return ok;
  }
  function render() {
    var wanted = $("cat").value, fileQ = $("file").value.trim().toLowerCase(), q = $("q").value.trim().toLowerCase();
    var list = D.files.filter(function (f) { return matches(f, wanted, fileQ, q); });
    var box = $("files");
    box.textContent = "";
    var frag = document.createDocumentFragment();
    list.slice(0, shown).forEach(function (f) { frag.appendChild(fileSection(f, wanted, q)); });
    box.appendChild(frag);
    var nr = 0, total = 0;
    list.forEach(function (f) { f.r.forEach(function (r) { if ((wanted === "" || r.c === wanted) && (!q || r.t.toLowerCase().indexOf(q) >= 0)) nr++; }); });
    D.files.forEach(function (f) { total += f.r.length; });
    $("count").textContent = list.length + " of " + D.files.length + " files" +
      (D.pages > 1 ? " on this page (" + D.page + " of " + D.pages + ")" : "") + " match; " + nr + " of " + total +
      " removals match." + (list.length > shown ? " Showing the first " + shown + " files." : "");
    $("more").hidden = list.length <= shown;
    showMarks();
  }
  function fromHash() {
    var m = /^#f=([^&]*)(?:&l=(\d+))?$/.exec(location.hash);
    if (!m) return;
    var f;
    try { f = decodeURIComponent(m[1]); } catch (e) { return; }
    $("file").value = f; $("cat").value = ""; $("q").value = "";
    shown = PER; render();
    var secs = document.querySelectorAll(".file");
    for (var i = 0; i < secs.length; i++) {
      if (secs[i].dataset.file !== f) continue;
      var target = secs[i];
      if (m[2]) {
        var rows = secs[i].querySelectorAll(".rm,.al,.ctx");
        for (var j = 0; j < rows.length; j++) {
          var n = rows[j].querySelector(".ln").textContent.split("\u2013");
          if (+n[0] <= +m[2] && +m[2] <= +(n[1] || n[0])) { target = rows[j]; break; }
        }
      }
      target.scrollIntoView();
      break;
    }
  }
  var counts = {};
  D.files.forEach(function (f) { f.r.forEach(function (r) { counts[r.c] = (counts[r.c] || 0) + 1; }); });
  D.cats.forEach(function (c) {
    if (!counts[c]) return;
    var o = el("option", "", c + " (" + counts[c] + ")"); o.value = c; $("cat").appendChild(o);
  });
  var na = 0; D.files.forEach(function (f) { na += f.a.length; });
  if (na) { var o = el("option", "", "kept by allow-list (" + na + ")"); o.value = "(allowed)"; $("cat").appendChild(o); }
  var dl = document.createDocumentFragment();
  D.files.forEach(function (f) { var o = el("option"); o.value = f.f; dl.appendChild(o); });
  $("filelist").appendChild(dl);
  var timer = null;
  function later() { clearTimeout(timer); timer = setTimeout(function () { shown = PER; render(); }, 150); }
  $("cat").addEventListener("change", function () { shown = PER; render(); });
  $("file").addEventListener("input", later);
  $("q").addEventListener("input", later);
  $("more").addEventListener("click", function () { shown += PER; render(); });
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("button.keep");
    if (b) toggle(b);
  });
  $("download").addEventListener("click", function () {
    var url = URL.createObjectURL(new Blob([allowText()], {type: "text/plain"}));
    var a = el("a"); a.href = url; a.download = "allow.txt";
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  });
  $("copy").addEventListener("click", function () {
    var t = $("allowtext");
    t.hidden = false; t.select();
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(t.value).catch(function () { document.execCommand("copy"); });
    else document.execCommand("copy");
  });
  $("clear").addEventListener("click", function () { marks = {}; save(); showMarks(); });
  window.addEventListener("hashchange", fromHash);
  // Marks made on another page of the same run (another tab, or the page just left, whose write may reach
  // the browser's store after this page has read it) arrive as a storage event.
  window.addEventListener("storage", function (ev) { if (ev.key === storeKey) { load(); showMarks(); } });
  load();
  render();
  fromHash();
})();
"""


def _result_config(summary: dict) -> dict:
    """The settings that shape the result: how many workers ran it does not (so it is left off the page)."""
    return {k: v for k, v in (summary.get("config") or {}).items() if k != "jobs"}
