"""The pipeline, in two passes over the input.

    pass 1:  read -> segment -> sign                      (compact signatures only)
    corpus:  duplicate documents, template keys           (numpy arrays, no texts)
    pass 2:  read -> segment -> sign -> detect -> decide -> write

`clean()` is the library's entry point; the CLI is a thin layer over it.
`clean_document()` is pure: the same document, config and corpus answers
always give the same result, whichever process runs it. Both passes run file
by file in a process pool (`--jobs`), in sorted file order, and their results
are gathered in that order, so the output is the same for any number of workers.
Texts are not kept between the passes: pass 2 reads every file again.
"""
from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import shutil
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator

from . import __version__
from .config import CATEGORIES, Config
from .decide import allowed, decide, duplicate_verdict, kept_lines, settle_references
from .detect import detect
from .detect.corpus import Corpus, DocSig, SigTable, build_corpus, sign_document, source_of
from .errors import InputError
from .formats import write_cleaned
from .read import MARKER, REPORT_DIRNAME, check_paths, list_inputs, read_file
from .records import Allowed, DocResult, Document, Notice, Removal
from .report import RunReport, file_diff
from .report.html import hunk_context
from .segment import segment, split_lines
from .sign import MinHasher, normalize, sign_blocks, text_hash
from .write import atomic_write, output_path

log = logging.getLogger(__name__)

#: Files per task sent to a worker: big enough to amortize the hand-off, small enough to balance.
BATCH = 64
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")


def clean_document(
    doc: Document, config: Config, timings: Counter | None = None, corpus: Corpus | None = None, index: int = -1
) -> tuple[DocResult, str]:
    """Clean one document: its result (removals, cleaned text) and its part of changes.diff.

    With `corpus` (the corpus step's answers) and the document's `index` in
    pass-1 order, a duplicate document is dropped whole and template text
    found across the corpus is removed too.
    """
    clock = _Clock(timings)
    lines = split_lines(doc.text)
    blocks = clock("segment", segment, doc.text)
    if corpus is not None:
        dropped = duplicate_verdict(doc.id, doc.text, len(lines), corpus.duplicate(index), config)
        if dropped is not None:
            result = DocResult(file=doc.id, removals=[dropped], cleaned="", in_chars=len(doc.text), out_chars=0,
                               in_blocks=len(blocks), dropped=True)
            return result, file_diff(doc.id, lines, [False] * len(lines), [dropped])
    if _wants_within(config):
        sigs = clock("sign", sign_blocks, blocks, config.shingle_size)
        findings = clock("detect", detect, doc.id, blocks, sigs, config, _whole_page(doc))
        norms = [s.norm for s in sigs]
        hashes = [s.hash for s in sigs]
    else:  # --only corpus categories: the within-document detectors could not remove anything
        findings = []
        norms = clock("sign", lambda: [normalize(b.text) for b in blocks])
        hashes = [text_hash(n) for n in norms] if config.allow else [0] * len(blocks)
    if corpus is not None:
        findings += clock("detect", corpus.template_findings, source_of(doc), norms, config)
    chosen = clock("decide", decide, findings, config, hashes)
    chosen = settle_references(doc.id, blocks, chosen)
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


def _whole_page(doc: Document) -> bool:
    """Whether a document's text is a whole page's; HTML comes out of trafilatura as the article alone."""
    return doc.format != "html"


def _wants_within(config: Config) -> bool:
    """Whether any category of the within-document detectors can be removed under --only/--skip."""
    return any(config.wants(c) for c in CATEGORIES if c not in ("corpus-repeat", "duplicate-document"))


def sign_for_corpus(doc: Document, config: Config, hashers: tuple[MinHasher, MinHasher], timings=None):
    """Pass 1 for one document: its DocSig (document MinHash over the signed blocks, short-block keys).

    Which blocks sign the document is `doc_sign`: `prose` (sentences, so that
    another site's menu, byline and footer around the same article do not hide
    it), `cleaned` (what the within-document detectors keep) or `page` (all).
    """
    clock = _Clock(timings)
    blocks = clock("segment", segment, doc.text)
    norms = clock("sign", lambda: [normalize(b.text) for b in blocks])
    if config.doc_sign == "page":
        signed = [True] * len(blocks)
    elif config.doc_sign == "cleaned":
        sigs = clock("sign", sign_blocks, blocks, config.shingle_size)
        removed = clock("decide", decide, clock("detect", detect, doc.id, blocks, sigs, config, _whole_page(doc)), config)
        signed = [b.index not in removed for b in blocks]
    else:
        m = config.doc_min_words
        signed = [
            (n >= m and bool(_SENTENCE_END.search(b.text))) or n >= 3 * m
            for b, n in ((b, norm.count(" ") + 1 if norm else 0) for b, norm in zip(blocks, norms))
        ]
    if not any(signed):  # a page of short lines only: it is its own body
        signed = [True] * len(blocks)
    return clock("sign", sign_document, doc, blocks, norms, signed, hashers[0], hashers[1], config)


# --- the two passes, per batch of files (the unit a worker process runs) -------------------------------

_STATE: dict = {}


def _init_worker(state: dict) -> None:
    global _STATE
    _STATE = state


def _sign_batch(batch: list[str]) -> tuple[list[tuple[str, list, Notice | None]], Counter]:
    """Pass 1 over files: per file its DocSigs, or the notice saying why it was skipped."""
    src, config, hashers = _STATE["src"], _STATE["config"], _STATE["hashers"]
    timings: Counter = Counter()
    out = []
    for rel in batch:
        try:
            start = time.perf_counter()
            docs, _ = read_file(src, rel, config)
            timings["read"] += time.perf_counter() - start
            out.append((rel, [sign_for_corpus(d, config, hashers, timings) for d in docs], None))
        except InputError as e:
            out.append((rel, [], Notice(e.path, e.message)))
        except Exception as e:  # noqa: BLE001 - one bad file must never lose the others
            log.exception("internal error on %s", rel)
            out.append((rel, [], Notice(rel, f"internal error ({type(e).__name__}: {e}); skipped, please report it")))
    return out, timings


def _split_keys(result) -> tuple[tuple, list[DocSig]]:
    """A `_sign_batch` result without its block keys, and its DocSigs with them in pass-1 order.

    The Dask engine keeps the keys on its workers and sends the driver the rest.
    """
    out, timings = result
    sigs = [sig for _rel, sigs, failure in out if failure is None for sig in sigs]
    bare = [(rel, [replace(s, keys=s.keys[:0]) for s in sigs], failure) for rel, sigs, failure in out]
    return (bare, timings), sigs


def _clean_batch(batch: list[tuple[str, int, int]]) -> tuple[list, Counter]:
    """Pass 2 over files: read again, clean every document, write the cleaned copy."""
    src, dst, config, corpus, dry_run = (_STATE[k] for k in ("src", "dst", "config", "corpus", "dry_run"))
    timings: Counter = Counter()
    out = []
    for rel, first, count in batch:
        try:
            out.append(_clean_file(src, dst, rel, first, count, config, corpus, dry_run, timings))
        except InputError as e:
            out.append((rel, [], [Notice(e.path, e.message)], False))
        except Exception as e:  # noqa: BLE001 - one bad file must never lose the others
            log.exception("internal error on %s", rel)
            notice = Notice(rel, f"internal error ({type(e).__name__}: {e}); skipped, please report it")
            out.append((rel, [], [notice], False))
    return out, timings


def _clean_file(src: Path, dst: Path, rel: str, first: int, count: int, config: Config, corpus: Corpus,
                dry_run: bool, timings: Counter):
    """Clean one input file (it may hold several documents) and write its cleaned copy."""
    clock = _Clock(timings)
    docs, notices = clock("read", read_file, src, rel, config)
    if len(docs) != count:
        raise InputError(rel, "changed while it was being cleaned (its documents differ between the two passes); "
                              "skipped: run again on a folder nobody writes to")
    results = [clean_document(doc, config, timings, corpus, first + i) for i, doc in enumerate(docs)]
    written = None
    if not dry_run:
        written = clock("write", write_cleaned, src, dst, rel, docs, [r for r, _ in results], config)
    for r, diff in results:
        if r.removals or r.allowed:
            r.context = hunk_context(diff, r.cleaned) if diff and r.cleaned is not None else []
        r.cleaned = None  # written already: do not ship texts back to the parent
    return rel, results, notices, written


def _run(fn, batches: list, state: dict, jobs: int) -> Iterator:
    """fn over batches, in order: in this process, or in a pool of `jobs` workers."""
    if jobs <= 1 or len(batches) <= 1:
        _init_worker(state)
        yield from map(fn, batches)
        return
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(state,)) as pool:
        yield from pool.imap(fn, batches)


def clean(
    src: str | Path,
    dst: str | Path,
    config: Config | None = None,
    *,
    report: str | Path | None = None,
    dry_run: bool = False,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
) -> RunReport:
    """Clean every document under src into dst and write the report; returns the run's report.

    Raises UsageError or ConfigError before anything is written; a file that
    cannot be read is skipped, named in the report, and the run goes on.
    With `scheduler` ('local', or a Dask scheduler's tcp://HOST:PORT) the batches
    run as Dask tasks (`dedupe.engine`); EngineError if the cluster cannot finish,
    and then OUT holds nothing from this run.
    """
    config = config or Config()
    src, dst = Path(src), Path(dst)
    report_dir = Path(report) if report is not None else dst / REPORT_DIRNAME
    check_paths(src, dst, report_dir, force)
    jobs = config.jobs or os.cpu_count() or 1
    engine = _open_engine(scheduler, jobs, src) if scheduler else None
    # Workers on other machines do not share this process's working directory: give them absolute paths.
    where = src.resolve() if engine is not None else src
    try:
        if force:
            _remove_previous_output(dst, report_dir)
        if not dry_run and engine is None:
            # Marked as ours from the start, so that after an interrupted run `--force` may replace it.
            # (A Dask run stages its output and moves it into OUT only when every task succeeded.)
            atomic_write(dst / MARKER, (json.dumps({"tool": "dedupe", "version": __version__, "files": []}) + "\n").encode())
        run = RunReport(report_dir)
    except BaseException:
        if engine is not None:
            engine.close()
        raise
    started = time.perf_counter()
    written: list[str] = []
    run.engine = engine.describe() if engine is not None else {"name": "local", "workers": jobs}
    try:
        files: list[str] = []
        for item in list_inputs(src, config):
            if isinstance(item, Notice):
                run.add_notice(item)
            else:
                files.append(item)
        run.files_read = len(files)
        total, done = 2 * len(files), 0
        hashers = (MinHasher(config.num_perm, config.seed), MinHasher(config.block_num_perm, config.seed))
        # Pass 1: signatures.
        table = SigTable(config.num_perm)
        spans: list[tuple[str, int, int]] = []
        state = {"src": where, "dst": dst, "config": config, "hashers": hashers}
        for out, timings in _map(engine, _sign_batch, _batches(files), state, jobs, "sign"):
            run.timings.update(timings)
            for rel, sigs, failure in out:
                if failure is not None:
                    run.add_notice(failure)
                else:
                    spans.append((rel, len(table.ids), len(sigs)))
                    for sig in sigs:
                        table.add(sig, rel if sig.id == rel else sig.id)
                done += 1
            if progress:
                progress(done, total)
        # The corpus step.
        start = time.perf_counter()
        # An engine that kept the keys where pass 1 ran (the Dask shuffles) groups and counts them there.
        pairs, count_keys = engine.shuffled() if engine is not None else (None, None)
        corpus = build_corpus(table, config, pairs, count_keys)
        del table
        run.timings["corpus"] += time.perf_counter() - start
        run.clusters = corpus.clusters
        run.corpus_stats = corpus.stats
        # Pass 2: clean and write.
        out_dir = engine.staging(dst) if engine is not None and not dry_run else dst
        state = {"src": where, "dst": out_dir, "config": config, "corpus": corpus, "dry_run": dry_run}
        done = 2 * len(files) - len(spans)  # files that failed in pass 1 are not read again
        for out, timings in _map(engine, _clean_batch, _batches(spans), state, jobs, "clean"):
            run.timings.update(timings)
            for rel, results, notices, was_written in out:
                for n in notices:
                    run.add_notice(n)
                for result, diff in results:
                    run.add(result, diff)
                if was_written:
                    run.files_written += 1
                    written.append(was_written)
            done += len(out)
            if progress:
                progress(done, total)
        if engine is not None and not dry_run:
            engine.commit(written)
        run.timings["total"] = time.perf_counter() - started
        if not dry_run:
            marker = {"tool": "dedupe", "version": __version__, "files": sorted(written)}
            atomic_write(dst / MARKER, (json.dumps(marker, indent=1) + "\n").encode())
        run.finish(run.summary(config, __version__, src, dst, dry_run))
    except BaseException:
        run.abort()
        if engine is not None:
            engine.discard()
        raise
    finally:
        if engine is not None:
            engine.close()
    return run


def _open_engine(scheduler: str, jobs: int, src: Path):
    """The Dask engine for `scheduler`, once it has checked that its workers can read src."""
    from .engine import open_engine

    engine = open_engine(scheduler, jobs)
    try:
        engine.check_paths(src.resolve())
    except BaseException:
        engine.close()
        raise
    return engine


def _map(engine, fn, batches: list, state: dict, jobs: int, stage: str) -> Iterator:
    """fn over batches, results in order: on the engine if there is one, else here or in the local pool."""
    if engine is None:
        return _run(fn, batches, state, jobs)
    return engine.map(fn, batches, state, stage)


def _batches(items: list) -> list[list]:
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)]


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
                path = output_path(dst, rel)
                path.unlink(missing_ok=True)
                # Folders the previous run made and that are empty now go too (never dst itself).
                for folder in path.parents:
                    if folder == dst or not folder.is_relative_to(dst) or any(folder.iterdir()):
                        break
                    folder.rmdir()
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
