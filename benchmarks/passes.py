"""CPU time per document of each pass of `dedupe.clean`, in one process (`--jobs 1`).

    python benchmarks/passes.py /tmp/bc10k --out /dev/shm/passes --runs 3

Pass 1 (read, segment, sign, every within-document detector, the scratch
file), pass 2 (read again, decide, cut, diff, report lines, write the copy)
and the rest, which runs in the main process (listing, the corpus step,
writing the report and the page). Process CPU time, so another load on the
machine changes it less than wall time.
"""
from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from dedupe import pipeline
from dedupe.config import Config


def timed(fn, totals: dict, name: str):
    """fn, adding the process CPU time of each call to totals[name]."""
    def call(*args):
        start = time.process_time()
        try:
            return fn(*args)
        finally:
            totals[name] += time.process_time() - start
    return call


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--out", type=Path, default=Path("/dev/shm/dedupe-passes"), help="replaced at every run")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    totals = {"pass 1": 0.0, "pass 2": 0.0}
    # clean() looks the batch functions up when it runs, so these wrappers are what it calls.
    pipeline._sign_batch = timed(pipeline._sign_batch, totals, "pass 1")
    pipeline._clean_batch = timed(pipeline._clean_batch, totals, "pass 2")
    for _ in range(args.runs):
        for k in totals:
            totals[k] = 0.0
        shutil.rmtree(args.out, ignore_errors=True)
        start = time.process_time()
        report = pipeline.clean(args.corpus, args.out, Config(jobs=1))
        total = time.process_time() - start
        n = max(report.files_read, 1)
        parts = ", ".join(f"{k} {v * 1e6 / n:.0f}" for k, v in totals.items())
        print(f"{n} documents, CPU µs per document: {total * 1e6 / n:.0f} in all; {parts}; "
              f"main process {(total - sum(totals.values())) * 1e6 / n:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
