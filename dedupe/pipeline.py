"""The pipeline: read -> segment -> sign -> detect -> decide -> write.

`clean()` is the library's entry point; the CLI is a thin layer over it.
`clean_document()` is pure: the same document and config always give the same
result, whichever process runs it.
"""
from __future__ import annotations

import json
import logging
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Callable

from . import __version__
from .config import Config
from .decide import allowed, decide, kept_lines, settle_references
from .detect import detect
from .errors import InputError
from .formats import write_cleaned
from .read import MARKER, REPORT_DIRNAME, check_paths, list_inputs, read_file
from .records import Allowed, DocResult, Document, Notice, Removal
from .report import RunReport, file_diff
from .segment import segment, split_lines
from .sign import sign_blocks
from .write import atomic_write, output_path

log = logging.getLogger(__name__)


def clean_document(doc: Document, config: Config, timings: Counter | None = None) -> tuple[DocResult, str]:
    """Clean one document: its result (removals, cleaned text) and its part of changes.diff."""
    clock = _Clock(timings)
    blocks = clock("segment", segment, doc.text)
    sigs = clock("sign", sign_blocks, blocks, config.shingle_size)
    findings = clock("detect", detect, doc.id, blocks, sigs, config)
    hashes = [s.hash for s in sigs]
    chosen = clock("decide", decide, findings, config, hashes)
    chosen = settle_references(doc.id, blocks, chosen)
    lines = split_lines(doc.text)
    keep = kept_lines(len(lines), [not line.strip() for line in lines], blocks, set(chosen))
    removals = [
        Removal(
            file=doc.id,
            lines=blocks[i].lines,
            category=f.category,
            detector=f.detector,
            score=f.score,
            duplicate_of=f.duplicate_of,
            text="".join(lines[blocks[i].first_line - 1 : blocks[i].last_line]).rstrip("\r\n"),
        )
        for i, f in sorted(chosen.items())
    ]
    # What the allow-list kept, recorded like a removal so the report can show it as allowed.
    kept_by_allow = [
        Allowed(Removal(doc.id, blocks[i].lines, f.category, f.detector, f.score, f.duplicate_of,
                        "".join(lines[blocks[i].first_line - 1 : blocks[i].last_line]).rstrip("\r\n")), entry)
        for i, (f, entry) in sorted(allowed(findings, config, hashes, chosen).items())
    ]
    cleaned = "".join(line for line, k in zip(lines, keep) if k)
    result = DocResult(
        file=doc.id,
        removals=removals,
        cleaned=cleaned,
        in_chars=len(doc.text),
        out_chars=len(cleaned),
        in_blocks=len(blocks),
        allowed=kept_by_allow,
    )
    return result, file_diff(doc.id, lines, keep, removals, doc.encoding)


def clean(
    src: str | Path,
    dst: str | Path,
    config: Config | None = None,
    *,
    report: str | Path | None = None,
    dry_run: bool = False,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RunReport:
    """Clean every document under src into dst and write the report; returns the run's report.

    Raises UsageError or ConfigError before anything is written; a file that
    cannot be read is skipped, named in the report, and the run goes on.
    """
    config = config or Config()
    src, dst = Path(src), Path(dst)
    report_dir = Path(report) if report is not None else dst / REPORT_DIRNAME
    check_paths(src, dst, report_dir, force)
    if force:
        _remove_previous_output(dst, report_dir)
    if not dry_run:
        # Marked as ours from the start, so that after an interrupted run `--force` may replace it.
        atomic_write(dst / MARKER, (json.dumps({"tool": "dedupe", "version": __version__, "files": []}) + "\n").encode())
    run = RunReport(report_dir)
    started = time.perf_counter()
    written: list[str] = []
    try:
        items = list(list_inputs(src, config))
        total = sum(isinstance(x, str) for x in items)
        done = 0
        for item in items:
            if isinstance(item, Notice):
                run.add_notice(item)
                continue
            run.files_read += 1
            try:
                _clean_file(src, dst, item, config, run, dry_run, written)
            except InputError as e:
                run.add_notice(Notice(e.path, e.message))
            except Exception as e:  # noqa: BLE001 - one bad file must never lose the others
                log.exception("internal error on %s", item)
                run.add_notice(Notice(item, f"internal error ({type(e).__name__}: {e}); skipped, please report it"))
            done += 1
            if progress:
                progress(done, total)
        run.timings["total"] = time.perf_counter() - started
        if not dry_run:
            marker = {"tool": "dedupe", "version": __version__, "files": sorted(written)}
            atomic_write(dst / MARKER, (json.dumps(marker, indent=1) + "\n").encode())
        run.finish(run.summary(config, __version__, src, dst, dry_run))
    except BaseException:
        run.abort()
        raise
    return run


def _clean_file(src: Path, dst: Path, rel: str, config: Config, run: RunReport, dry_run: bool, written: list) -> None:
    clock = _Clock(run.timings)
    docs, notices = clock("read", read_file, src, rel, config)
    for n in notices:
        run.add_notice(n)
    results = [clean_document(doc, config, run.timings) for doc in docs]
    for result, diff in results:
        run.add(result, diff)
    if dry_run:
        return
    start = time.perf_counter()
    out = write_cleaned(src, dst, rel, docs, [r for r, _ in results], config)
    run.timings["write"] += time.perf_counter() - start
    if out is not None:
        run.files_written += 1
        written.append(out)


def _remove_previous_output(dst: Path, report_dir: Path) -> None:
    """With --force: delete what a previous run wrote (as its marker lists), nothing else."""
    marker = dst / MARKER
    if marker.is_file():
        try:
            previous = json.loads(marker.read_text(encoding="utf-8")).get("files", [])
        except ValueError:
            previous = []
        for rel in previous:
            try:
                output_path(dst, rel).unlink(missing_ok=True)
            except (ValueError, OSError):
                continue
        marker.unlink()
    for name in ("changes.diff", "removals.jsonl", "summary.json", "index.html", "allowed.jsonl", "context.jsonl"):
        (report_dir / name).unlink(missing_ok=True)
    for page in report_dir.glob("index-*.html"):  # the review page's further pages: index-2.html...
        if page.name[6:-5].isdigit():
            page.unlink()
    if report_dir.is_dir() and not any(report_dir.iterdir()):
        shutil.rmtree(report_dir)


class _Clock:
    """Calls a stage function and adds its time to the run's per-stage timings."""

    def __init__(self, timings: Counter | None):
        self.timings = timings

    def __call__(self, stage: str, fn, *args):
        if self.timings is None:
            return fn(*args)
        start = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.timings[stage] += time.perf_counter() - start
