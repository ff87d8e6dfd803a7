"""The local pool's worker processes against threads of one process, on the same corpus, run in turn.

    python benchmarks/threads.py /dev/shm/bench10k/corpus10000 --jobs 2 --runs 3

For each run: wall time and CPU time (this process and its children) of `dedupe.clean` with `--jobs N` worker
processes, then with the same batches run by N threads of this process (`multiprocessing.pool.ThreadPool`, each
batch function as the pool's worker runs it), and whether the two outputs are byte-identical but for the OUT
folder that summary.json names. The compiled core releases the GIL inside its calls; what still holds it (the
detectors written in Python, reading, the report lines) decides how much a second thread can add.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import time
from contextlib import contextmanager
from multiprocessing.pool import ThreadPool
from pathlib import Path

from dedupe import pipeline
from dedupe.config import Config


@contextmanager
def threads():
    """`pipeline._run` with a pool of threads in place of worker processes."""
    original = pipeline._run

    def run(fn, batches, state, jobs):
        with pipeline._collector_for_batches():
            pipeline._init_worker(state)  # one process: the workers' state is this module's, shared
            if jobs <= 1 or len(batches) <= 1:
                yield from map(fn, batches)
                return
            with ThreadPool(jobs) as pool:
                yield from pool.imap(fn, batches)

    pipeline._run = run
    try:
        yield
    finally:
        pipeline._run = original


def timed(src: Path, out: Path, jobs: int) -> tuple[float, float]:
    """Wall and CPU seconds (this process and its finished children) of one clean."""
    shutil.rmtree(out, ignore_errors=True)
    before, start = os.times(), time.perf_counter()
    pipeline.clean(src, out, Config(jobs=jobs))
    wall, after = time.perf_counter() - start, os.times()
    cpu = sum(after[:4]) - sum(before[:4])
    return wall, cpu


def same(a: Path, b: Path) -> bool:
    """Whether two outputs hold the same files and bytes, summary.json aside (it names OUT and the timings)."""
    def walk(top: Path):
        return sorted(p.relative_to(top) for p in top.rglob("*") if p.is_file() and p.name != "summary.json")
    files = walk(a)
    return files == walk(b) and all(filecmp.cmp(a / f, b / f, shallow=False) for f in files)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--out", type=Path, default=Path("/dev/shm/dedupe-threads"), help="two folders under it")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    n = sum(1 for p in args.corpus.rglob("*") if p.is_file())
    for run in range(args.runs):
        pw, pc = timed(args.corpus, args.out / "processes", args.jobs)
        with threads():
            tw, tc = timed(args.corpus, args.out / "threads", args.jobs)
        print(f"run {run + 1}, {n} documents, --jobs {args.jobs}: processes {n / pw:.0f} docs/s, CPU {pc * 1e6 / n:.0f} "
              f"µs/doc; threads {n / tw:.0f} docs/s, CPU {tc * 1e6 / n:.0f} µs/doc; threads/processes wall "
              f"{tw / pw:.2f}; same output: {same(args.out / 'processes', args.out / 'threads')}", flush=True)
    shutil.rmtree(args.out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
