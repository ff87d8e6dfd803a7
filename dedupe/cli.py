"""Command line: flags become a Config, `dedupe.clean` does the work, the report decides the exit status."""
from __future__ import annotations

import sys
import time
from dataclasses import fields
from pathlib import Path

import click

from . import __version__
from .config import CATEGORIES, Config
from .engine import EngineError
from .errors import ConfigError, UsageError
from .pipeline import clean as run_clean

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
@click.argument("src", type=click.Path(path_type=Path))
@click.argument("dst", type=click.Path(path_type=Path))
@click.option("--report", "report", type=click.Path(path_type=Path), default=None,
              help="Write the report here instead of OUT/_report.")
@click.option("--dry-run", is_flag=True, help="Write the report only, no cleaned copies.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), default=None,
              help="TOML or JSON file of settings (any setting below, plus only, skip, keep, seed...). "
                   "Flags override it.")
@click.option("--only", multiple=True, metavar="CATEGORY",
              help=f"Remove only these categories (repeatable or comma-separated): chrome, {', '.join(CATEGORIES)}.")
@click.option("--skip", multiple=True, metavar="CATEGORY", help="Never remove these categories.")
@click.option("--keep", type=click.Choice(["first", "longest"]), default=None,
              help="Which of two duplicate documents survives (default: first by path).")
@click.option("--force", is_flag=True, help="Overwrite OUT if it holds a previous dedupe output.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--include", multiple=True, metavar="GLOB",
              help="Read only files whose relative path or name matches (repeatable), e.g. --include '*.html'.")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Never read files whose relative path or name matches (repeatable), e.g. --exclude 'drafts/*'.")
@click.option("--text-field", default=None, metavar="NAME", help="JSONL: the field that holds the text (default: text).")
@click.option("--id-field", default=None, metavar="NAME",
              help="JSONL: a field that names each record in the report as FILE#ID (default: FILE#LINE).")
@click.option("--favor", "html_favor", type=click.Choice(["balanced", "precision", "recall"]), default=None,
              help="HTML: trafilatura's extraction preference (default: balanced).")
@click.option("--html-comments/--no-html-comments", default=None,
              help="HTML: keep the page's comment section in the extracted text (default: no).")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT|local",
              help="Run on a Dask cluster: a scheduler's address, or 'local' for a LocalCluster of --jobs workers. "
                   "IN and OUT must be on a filesystem every worker shares. Needs: pip install 'dedupe[dask]'.")
@_tunable_options
def clean(src, dst, report, dry_run, config_file, only, skip, keep, force, quiet,
          include, exclude, text_field, id_field, html_favor, html_comments, scheduler, **tunables):
    """Clean every document under SRC into DST and write a report.

    DST mirrors SRC: same relative paths, kept lines byte-for-byte. The report
    goes to DST/_report (changes.diff, removals.jsonl, summary.json).

    Text files are cleaned as they are; HTML pages (.html, .htm) are reduced
    to their main text with trafilatura and written as .txt; JSONL files
    (.jsonl) are cleaned record by record, every other field untouched. Any
    of them may be gzip (.gz) or zstd (.zst) compressed.

    Exit status: 0 done; 1 done, but some inputs could not be read; 2 usage or
    configuration error, or a cluster that could not finish the run: nothing written.

    \b
    Examples:
      dedupe clean samples/ out/
      dedupe clean corpus/ out/ --skip chrome:credits --near-threshold 0.9
      dedupe clean corpus/ out/ --dry-run --report review/
      dedupe clean crawl/ out/ --include '*.jsonl.gz' --text-field content --id-field id
      dedupe clean /shared/corpus/ /shared/out/ --scheduler tcp://10.0.0.5:8786
    """
    try:
        config = Config.from_file(config_file) if config_file else Config()
        changes = {k: v for k, v in tunables.items() if v is not None}
        if only:
            changes["only"] = _categories(only)
        if skip:
            changes["skip"] = _categories(skip)
        if keep:
            changes["keep"] = keep
        formats = {"include": include, "exclude": exclude, "text_field": text_field, "id_field": id_field,
                   "html_favor": html_favor, "html_comments": html_comments}
        changes.update({k: v for k, v in formats.items() if v not in (None, ())})
        config = config.replace(**changes)
        bar = _LazyBar(quiet)
        try:
            run = run_clean(src, dst, config, report=report, dry_run=dry_run, force=force, progress=bar.update,
                            scheduler=scheduler)
        finally:
            bar.close()
    except (ConfigError, UsageError) as e:
        raise click.UsageError(str(e)) from None
    except EngineError as e:
        # Exit 2, as for a usage error: the run did not complete and nothing was written.
        click.secho(f"error: {e}", fg="red", err=True)
        sys.exit(2)
    for n in run.failed:
        click.secho(f"error: {n.file}: {n.message}", fg="red", err=True)
    if not quiet:
        _print_summary(run, dst, report, dry_run)
    sys.exit(run.exit_code)


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
    click.echo(f"report: {report or dst / '_report'}" + (" (dry run: no cleaned copies written)" if dry_run else ""))


class _LazyBar:
    """A click progress bar on stderr that appears only once a run has taken a couple of seconds."""

    DELAY = 2.0

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.start = time.monotonic()
        self.bar = None
        self.done = 0

    def update(self, done: int, total: int) -> None:
        if self.quiet:
            return
        if self.bar is None:
            if time.monotonic() - self.start < self.DELAY:
                return
            self.bar = click.progressbar(length=total, label="cleaning", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
