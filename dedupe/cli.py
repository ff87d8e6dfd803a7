"""Command line: flags become a Config, `dedupe.clean` does the work, the report decides the exit status."""
from __future__ import annotations

import atexit
import gc
import os
import sys
import threading
import time
import traceback
from dataclasses import fields
from pathlib import Path

# Before anything imports numpy: dedupe calls no BLAS routine and runs its batches in processes, and OpenBLAS
# started a thread a core as numpy was imported, which spun on the idle core while this process went on
# importing (on a shared 2-core host, importing numpy took 54-116 ms of wall time with its threads, 46-51 in
# seven runs of eight with one). A caller's own setting wins; only the command line sets it, not the package.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Also before numpy: glibc's heap kept grown between batches in this process and the workers it forks, from
# the imports on (`dedupe.heap`; the command line's process is dedupe's own, a library caller's is not).
from .heap import keep_heap  # noqa: E402

keep_heap()

import click  # noqa: E402

from . import __version__, status  # noqa: E402
from .config import CATEGORIES, Config  # noqa: E402
from .engine import EngineError  # noqa: E402
from .errors import ConfigError, RunFailed, Terminated, UsageError  # noqa: E402
from .fs import child, is_url  # noqa: E402
from .pipeline import clean as run_clean  # noqa: E402
from .report.html import PAGE_FILES, ReportError, render_report  # noqa: E402
from .resume import interrupted  # noqa: E402
from .status import sigterm_as_interrupt  # noqa: E402
from .text import visible  # noqa: E402

class _PathOrURL(click.ParamType):
    """A local folder (a Path), or an fsspec URL such as s3://bucket/prefix, kept as written."""

    name = "path"

    def convert(self, value, param, ctx):
        return value if is_url(value) else Path(value)


PATH_OR_URL = _PathOrURL()

#: Settings that get their own flag, generated from Config's metadata (the rest: --config FILE).
TUNABLE_FLAGS = (
    "min_repeat_words",
    "min_near_words",
    "near_threshold",
    "containment_threshold",
    "shingle_size",
    "chrome_threshold",
    "doc_threshold",
    "min_corpus_docs",
    "min_corpus_share",
    "jobs",
    "shuffle_partitions",
    "encoding",
)
_FIELDS = {f.name: f for f in fields(Config)}


def _tunable_options(fn):
    for name in reversed(TUNABLE_FLAGS):
        f = _FIELDS[name]
        kind = type(f.default)
        fn = click.option(
            "--" + name.replace("_", "-"),
            name,
            type=kind,
            default=None,
            metavar=kind.__name__.upper(),
            help=Config.help()[name] + ".",
        )(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="dedupe")
def main():
    """Remove repeats, near-duplicates and site chrome from a folder of documents.

    Every removal is explained in a report you can review: a diff whose hunks
    say why, one JSON line per removal, a summary.

    Example: dedupe clean samples/ out/
    """


@main.command()
@click.argument("src", metavar="IN", type=PATH_OR_URL)
@click.argument("dst", metavar="OUT", type=PATH_OR_URL)
@click.option("--report", "report", type=PATH_OR_URL, default=None,
              help="Write the report here instead of OUT/_report (a folder, or a URL).")
@click.option("--dry-run", is_flag=True, help="Write the report only, no cleaned copies.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), default=None,
              help="TOML or JSON file of settings (any setting below, plus only, skip, keep, seed...). "
                   "Flags override it.")
@click.option("--only", multiple=True, metavar="CATEGORY",
              help=f"Remove only these categories (repeatable or comma-separated): chrome, {', '.join(CATEGORIES)}.")
@click.option("--skip", multiple=True, metavar="CATEGORY", help="Never remove these categories.")
@click.option("--keep", type=click.Choice(["first", "longest", "none"]), default=None,
              help="Which document of a duplicate cluster survives: the first by path (default), the longest, or "
                   "none (every member is dropped).")
@click.option("--against", multiple=True, type=PATH_OR_URL, metavar="EARLIER_OUT",
              help="Drop documents that duplicate a document of an earlier run (its OUT or report folder; "
                   "repeatable). Reads only the signatures that run saved, never its corpus.")
@click.option("--annotate", is_flag=True, default=None,
              help="Write every document back with its text unchanged and what would have been removed: a "
                   "'dedupe' field in JSONL records, a NAME.dedupe.json file beside a text file.")
@click.option("--force", is_flag=True,
              help="Replace OUT if it holds a previous dedupe output, finished or interrupted; never anything else.")
@click.option("--resume", is_flag=True,
              help="Finish a run that was interrupted or failed, with the same IN, OUT and settings: batches it "
                   "completed are not redone, and the output is the same as an uninterrupted run's.")
@click.option("--allow", "allow", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="Allow-list of blocks a reviewer kept (the review page writes it); they are never removed.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--include", multiple=True, metavar="GLOB",
              help="Read only files whose relative path or name matches (repeatable), e.g. --include '*.html'.")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Never read files whose relative path or name matches (repeatable), e.g. --exclude 'drafts/*'.")
@click.option("--text-field", default=None, metavar="PATH",
              help="JSONL, JSON, Parquet, Arrow: the field that holds the text (default: text); a dotted path reaches "
                   "a nested field (content.text), a dot inside a name is written \\. (meta\\.text).")
@click.option("--id-field", default=None, metavar="PATH",
              help="JSONL, JSON, Parquet, Arrow: a field (or dotted path) that names each record in the report as "
                   "FILE#ID (default: FILE#N, the record's line or row).")
@click.option("--favor", "html_favor", type=click.Choice(["balanced", "precision", "recall"]), default=None,
              help="HTML: trafilatura's extraction preference (default: balanced).")
@click.option("--html-comments/--no-html-comments", default=None,
              help="HTML: keep the page's comment section in the extracted text (default: no).")
@click.option("--html-recover/--no-html-recover", default=None,
              help="HTML: put back article sentences trafilatura left out between blocks it kept, where the whole "
                   "page's text cleaned as a dump keeps it; read a page trafilatura finds nothing in, or only its "
                   "layout tables' rows, as its whole text (default: yes; --no-html-recover is about a fifth faster).")
@click.option("--extracted", is_flag=True, default=None,
              help="The texts are extracted main text (trafilatura or readability output, a cleaned dataset), not "
                   "whole pages: the article's extent and the other whole-page detectors, which would cut such text "
                   "(headings, lists, a last paragraph), do not run; repeats, duplicates and chrome lines still go.")
@click.option("--follow-symlinks", is_flag=True, default=None,
              help="Read files whose symlinks lead outside IN (by default they are skipped with a warning).")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT|local",
              help="Run on a Dask cluster: a scheduler's address, or 'local' for a LocalCluster of --jobs workers. "
                   "IN and OUT must be on a filesystem every worker shares, or URLs. Needs: pip install 'dedupe[dask]'.")
@_tunable_options
def clean(src, dst, report, dry_run, config_file, only, skip, keep, against, annotate, force, resume, allow, quiet,
          include, exclude, text_field, id_field, html_favor, html_comments, html_recover, extracted, follow_symlinks,
          scheduler, **tunables):
    """Clean every document under IN into OUT and write a report.

    OUT mirrors IN: same relative paths, kept lines byte-for-byte. The report
    goes to OUT/_report (changes.diff, removals.jsonl, summary.json, and
    index.html: a review page to open in a browser).

    IN, OUT and --report may be local folders or fsspec URLs (s3://bucket/in,
    gs://..., az://...): needs pip install 'dedupe[remote]' and the protocol's
    package (s3fs, gcsfs, adlfs), with its usual credentials.

    Text files are cleaned as they are; HTML pages (.html, .htm) are reduced
    to their main text with trafilatura and written as .txt; JSONL (.jsonl),
    JSON (.json), Parquet (.parquet) and Arrow (.arrow, a datasets folder)
    files are cleaned record by record, every other field or column
    untouched (Parquet and Arrow need pip install 'dedupe[parquet]'); CSV,
    spreadsheets, databases are skipped. Any of them may be gzip (.gz) or
    zstd (.zst) compressed.

    Exit status: 0 done; 1 done, but some inputs could not be read; 2 usage or
    configuration error, nothing written; 3 the run failed (internal error,
    disk full, cluster lost), OUT is marked incomplete; 130 / 143 interrupted
    (SIGINT / SIGTERM). After 3, 130 or 143, --resume finishes the run and
    --force starts it over.

    \b
    Examples:
      dedupe clean samples/ out/
      dedupe clean corpus/ out/ --skip chrome:credits --near-threshold 0.9
      dedupe clean corpus/ out/ --dry-run --report review/
      dedupe clean crawl/ out/ --include '*.jsonl.gz' --text-field content --id-field id
      dedupe clean corpus/ out/ --force --allow allow.txt
      dedupe clean corpus/ out/ --resume
      dedupe clean crawl-june/ out-june/ --against out-may/
      dedupe clean crawl/ annotated/ --annotate --keep none
      dedupe clean /shared/corpus/ /shared/out/ --scheduler tcp://10.0.0.5:8786
      dedupe clean s3://bucket/crawl/ s3://bucket/clean/ --report review/
    """
    bar = _LazyBar(quiet)
    try:
        with sigterm_as_interrupt():
            run, config = _run(src, dst, report, dry_run, config_file, only, skip, keep, against, annotate, force,
                               resume, allow, include, exclude, text_field, id_field, html_favor, html_comments,
                               html_recover, extracted, follow_symlinks, scheduler, tunables, bar)
    except (ConfigError, UsageError) as e:
        raise click.UsageError(str(e)) from None
    except (KeyboardInterrupt, Exception) as e:  # noqa: BLE001 - every way a run stops gets one message, one status
        bar.close()
        _say_stopped(e, dst)
        sys.exit(status.of_error(e))
    finally:
        bar.close()
    for n in run.failed:
        click.secho(f"error: {visible(n.file)}: {visible(n.message)}", fg="red", err=True)
    if not quiet:
        for n in run.notices:
            if not n.failed:
                click.secho(f"warning: {visible(n.file)}: {visible(n.message)}", fg="yellow", err=True)
        for hint in run.hints:
            click.secho(f"hint: {hint}", fg="cyan", err=True)
        _print_summary(run, dst, report, dry_run)
        if config.annotate and not dry_run:
            click.echo("annotated: every document was written whole; the counts above are what cleaning would remove")
    sys.exit(status.of_run(run))


def _run(src, dst, report, dry_run, config_file, only, skip, keep, against, annotate, force, resume, allow, include,
         exclude, text_field, id_field, html_favor, html_comments, html_recover, extracted, follow_symlinks, scheduler,
         tunables, bar):
    """The flags made a Config, and the run (with that Config)."""
    config = Config.from_file(config_file) if config_file else Config()
    changes = {k: v for k, v in tunables.items() if v is not None}
    if only:
        changes["only"] = _categories(only)
    if skip:
        changes["skip"] = _categories(skip)
    if keep:
        changes["keep"] = keep
    if annotate:
        changes["annotate"] = True
    formats = {"include": include, "exclude": exclude, "text_field": text_field, "id_field": id_field,
               "html_favor": html_favor, "html_comments": html_comments, "html_recover": html_recover,
               "extracted": extracted or None, "follow_symlinks": follow_symlinks or None}
    changes.update({k: v for k, v in formats.items() if v not in (None, ())})
    if allow:
        changes["allow"] = str(allow)
    config = config.replace(**changes)
    run = run_clean(src, dst, config, report=report, dry_run=dry_run, force=force, resume=resume,
                    progress=bar.update, scheduler=scheduler, against=against)
    return run, config


def _say_stopped(error: BaseException, dst) -> None:
    """One message for a run that did not finish: why, and what OUT holds now."""
    state = interrupted(dst)
    if isinstance(error, Terminated):
        message = f"terminated (SIGTERM): {state}"
    elif isinstance(error, KeyboardInterrupt):
        message = f"interrupted: {state}"
    elif isinstance(error, EngineError):
        message = f"error: {error}"
    elif isinstance(error, RunFailed):
        message = f"error: {error}; the run failed: {state}"
    elif isinstance(error, OSError):  # the output side failed mid-run (disk full, folder removed...): say where
        where = f" {error.filename}" if error.filename else ""
        message = f"error: cannot write{where}: {error.strerror or error}; the run failed: {state}"
    else:
        click.echo(traceback.format_exc(), err=True, nl=False)
        message = f"internal error ({type(error).__name__}: {error}), please report it; the run failed: {state}"
    click.secho(visible(message), fg="red", err=True)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--page-files", type=click.IntRange(1), default=PAGE_FILES, show_default=True,
              help="Changed files per page of the per-file view; more go to index-2.html, index-3.html...")
def report(folder, page_files):
    """Render the review page FOLDER/index.html again from a report folder.

    Reads summary.json and removals.jsonl (plus allowed.jsonl and
    context.jsonl when present) without cleaning anything again.

    \b
    Example:
      dedupe report out/_report
    """
    try:
        pages = render_report(folder, page_files=page_files)
    except ReportError as e:
        raise click.UsageError(str(e)) from None
    click.echo(f"review page: {pages[0]}" + (f" (+{len(pages) - 1} more pages)" if len(pages) > 1 else ""))


def _categories(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c.strip() for v in values for c in v.split(",") if c.strip())


def _print_summary(run, dst: Path, report: Path | None, dry_run: bool) -> None:
    removed = sum(v for k, v in run.by_category.items() if k != "duplicate-document")
    click.echo(
        f"{run.files_read} files read, {0 if dry_run else run.files_written} written, {len(run.failed)} failed; "
        f"{run.documents} documents, {removed} blocks removed"
        + (f", {run.documents_dropped} duplicate documents dropped" if run.documents_dropped else "")
    )
    for cat in sorted(run.by_category):
        click.echo(f"  {cat:<24} {run.by_category[cat]:>7}")
    if run.in_chars:
        click.echo(f"characters: {run.in_chars} in, {run.out_chars} out ({1 - run.out_chars / run.in_chars:.1%} removed)")
    click.echo(f"report: {report or child(dst, '_report')}" + (" (dry run: no cleaned copies written)" if dry_run else ""))


class _LazyBar:
    """Progress on stderr: on a terminal, a click progress bar that appears once a run has taken a couple of
    seconds; elsewhere (a batch job's log), a line at most every `INTERVAL` seconds.

    Short runs print nothing extra; `clock` is injectable so tests can check
    the logic without waiting.
    """

    DELAY = 2.0
    INTERVAL = 10.0

    def __init__(self, quiet: bool, clock=time.monotonic, delay: float | None = None, terminal: bool | None = None):
        self.quiet = quiet
        self.clock = clock
        self.delay = self.DELAY if delay is None else delay
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self.start = self.said = clock()
        self.bar = None
        self.done = 0

    def update(self, done: int, total: int, documents: int = 0) -> None:
        """`done` of `total` steps (each file counts once in pass 1 and once in pass 2), and the documents the
        passes have read so far (each counted once in each pass)."""
        if self.quiet:
            return
        if not self.terminal:
            now = self.clock()
            if now - self.said >= self.INTERVAL and done < total:
                self.said = now
                click.echo(_progress_line(done, total, documents, now - self.start), err=True)
            return
        if self.bar is None:
            if self.clock() - self.start < self.delay or done >= total:
                return
            self.bar = click.progressbar(length=total, label="cleaning", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        """End the bar (if it appeared) so that messages after it start on a fresh line; safe to repeat."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _progress_line(done: int, total: int, documents: int, elapsed: float) -> str:
    """'cleaning: pass 1, 3200 of 10000 files, 1150 documents/s, about 2 min left': documents read per second by
    either pass (a file is a document, but for JSONL, JSON and Parquet); the time left is the steps (files) left
    at the rate so far."""
    files = total // 2
    step, at = (1, done) if done <= files else (2, done - files)
    rate = done / elapsed if elapsed > 0 else 0.0
    left = (total - done) / rate if rate else None
    when = "" if left is None else f", about {left / 60:.0f} min left" if left >= 90 else f", about {left:.0f} s left"
    speed = documents / elapsed if elapsed > 0 else 0.0
    shown = f"{speed:.1f}" if speed < 10 else f"{speed:.0f}"
    return f"cleaning: pass {step}, {at} of {files} files, {shown} documents/s{when}"


def entry() -> None:
    """The `dedupe` program (`python -m dedupe`, the console script): `main`, then the process ends at once
    (`_end_now`). Where it ends as usual, the objects the run left are frozen first, so that the interpreter's
    last collections do not walk them again. Library callers and CliRunner call `main`."""
    try:
        main()
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            _end_now(done.code or 0)
        raise
    finally:
        gc.freeze()


def _end_now(code: int) -> None:
    """End the process with exit status `code` as the interpreter's end would, but for its teardown, which frees
    every object and module one by one: after a 10k-document clean, everything written, 25-45 ms against 5-8
    for this. The atexit handlers run (a caller's, coverage's, multiprocessing's) and the standard streams are
    flushed first. Returns (the interpreter then ends as usual) under a profiler or a tracer (`python -m
    cProfile` writes its output after the program returns; a debugger), while a thread that is not a daemon
    runs (the interpreter would wait for it), or if a stream cannot be flushed (a closed pipe: the interpreter
    reports it as it does)."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return
    if any(not t.daemon and t is not threading.main_thread() for t in threading.enumerate()):
        return
    run_handlers = getattr(atexit, "_run_exitfuncs", None)  # (CPython's; another interpreter ends as usual)
    if run_handlers is None:
        return
    run_handlers()  # (and forgets them: the interpreter would not run them twice)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(code)
