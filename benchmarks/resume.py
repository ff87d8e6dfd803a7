"""Kill a run with SIGKILL partway, resume it, and say how much work the resume saved.

    python benchmarks/resume.py --docs 100000 [--at clean:0.5] [--jobs 2] [--work DIR]

Makes a synthetic corpus (benchmarks/make_corpus.py) unless DIR/corpus exists,
runs `dedupe clean` on it uninterrupted, then again killed (the whole process
group) once the given share of a pass's batches are complete (`sign:0.5`: half
of pass 1; `clean:0.5`: half of pass 2), then `--resume`. Prints each run's
wall time, the batches the resume found complete, and whether the resumed
output is byte-identical to the uninterrupted one (summary.json's timings
aside).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def dedupe(*args) -> list[str]:
    return [sys.executable, "-m", "dedupe", "clean", *map(str, args), "-q"]


def tree(out: Path) -> dict[str, str]:
    """Every file's sha256; summary.json without timings and OUT's name."""
    files = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        if rel == "_report/summary.json":
            summary = json.loads(path.read_text(encoding="utf-8"))
            summary.pop("timings")
            summary["output"].pop("folder")
            files[rel] = hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()
        else:
            files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--at", default="clean:0.5", help="STAGE:SHARE, STAGE sign or clean")
    ap.add_argument("--jobs", default="2")
    ap.add_argument("--work", type=Path, default=Path("/tmp/dedupe-resume-bench"))
    a = ap.parse_args()
    stage, share = a.at.split(":")
    corpus = a.work / "corpus"
    if not corpus.exists():
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), str(corpus), "--docs", str(a.docs)], check=True)
    ref, out = a.work / "ref", a.work / "out"
    for folder in (ref, out):
        shutil.rmtree(folder, ignore_errors=True)

    start = time.perf_counter()
    subprocess.run(dedupe(corpus, ref, "--jobs", a.jobs), check=True)
    whole = time.perf_counter() - start

    start = time.perf_counter()
    proc = subprocess.Popen(dedupe(corpus, out, "--jobs", a.jobs), start_new_session=True)
    state = out / ".dedupe-run"
    batches = None
    while proc.poll() is None:
        if batches is None and (state / "run.json").is_file():
            batches = len(json.loads((state / "run.json").read_text())["batches"])
        if batches and len(list(state.glob(f"{stage}-*.pickle"))) >= float(share) * batches:
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    proc.wait()
    killed = time.perf_counter() - start
    signed = len(list(state.glob("sign-*.pickle")))
    cleaned = len(list(state.glob("clean-*.pickle")))

    start = time.perf_counter()
    subprocess.run(dedupe(corpus, out, "--jobs", a.jobs, "--resume"), check=True)
    resumed = time.perf_counter() - start
    same = tree(out) == tree(ref)
    print(f"{a.docs} documents, {batches} batches, --jobs {a.jobs}, killed at {a.at} (status {proc.returncode})")
    print(f"uninterrupted run: {whole:.1f} s")
    print(f"killed run: {killed:.1f} s; complete then: pass 1 {signed}/{batches} batches, pass 2 {cleaned}/{batches}")
    print(f"resume: {resumed:.1f} s ({resumed / whole:.0%} of the uninterrupted run); killed + resume "
          f"{killed + resumed:.1f} s")
    print(f"resumed output identical to the uninterrupted run's: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
