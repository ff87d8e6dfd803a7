"""The core's contract: save the whole output of `dedupe clean` on a set of inputs, then check it byte for byte.

    python benchmarks/contract.py save /dev/shm/contract-before      # before porting a stage
    python benchmarks/contract.py check /dev/shm/contract-before     # after: every file must be identical

Inputs: the golden cases, samples/, the webpages-dev dumps (text) and pages (HTML) from ../shared, and a
synthetic corpus of `--docs` documents (`make_corpus.py`, seed 7), as a .txt tree and as one JSONL file and
one Parquet file (cleaned in pieces, records named by `--id-field id`; `big_file.py` writes them). Compared:
every file of OUT and of the report (cleaned copies, removals.jsonl, changes.diff, index.html), summary.json
without its timings.
"""
from __future__ import annotations

import argparse
import fcntl
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "webpages-dev"


def inputs(work: Path, docs: int) -> dict[str, Path]:
    """Name -> input folder (the synthetic corpus made once in `work`)."""
    found = {f"case-{p.parent.name}": p for p in sorted((ROOT / "tests" / "cases").glob("*/input"))}
    found["samples"] = ROOT / "samples"
    for part in ("dumps", "pages"):
        if (SHARED / part).is_dir():
            found[f"webpages-dev-{part}"] = SHARED / part
    corpus = work / f"corpus-{docs}"
    if not corpus.is_dir():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), str(corpus), "--docs", str(docs)],
                       check=True, stdout=subprocess.DEVNULL)
    found[f"synthetic-{docs}"] = corpus
    files = work / f"files-{docs}"
    if not files.is_dir():
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from big_file import write_files

        write_files(corpus, files, row_group=500)
    found[f"synthetic-{docs}-jsonl"] = files / "jsonl"
    found[f"synthetic-{docs}-parquet"] = files / "parquet"
    return found


def clean(src: Path, work: Path, dest: Path) -> None:
    """Clean src into one fixed place (the summary names OUT), then move the output to dest."""
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(dest, ignore_errors=True)
    flags = ["--id-field", "id"] if src.name in ("jsonl", "parquet") else []
    run = subprocess.run([sys.executable, "-m", "dedupe", "clean", str(src), str(out), "-q", *flags],
                         capture_output=True, text=True)
    if run.returncode not in (0, 1):
        raise SystemExit(f"dedupe clean {src} failed ({run.returncode}): {run.stderr[-2000:]}")
    summary = out / "_report" / "summary.json"
    data = json.loads(summary.read_text(encoding="utf-8"))
    data.pop("timings", None)
    summary.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(out, dest)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["save", "check"])
    ap.add_argument("folder", type=Path, help="where the saved outputs are (save: replaced)")
    ap.add_argument("--docs", type=int, default=5000)
    args = ap.parse_args(argv)
    work = args.folder.parent / "contract-inputs"
    work.mkdir(parents=True, exist_ok=True)
    # Every run beside this folder cleans into the same OUT (the summary names it): two at once would clean
    # into each other's output (two checks started together reported differences that were not there).
    with open(work / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _run(args, work)


def _run(args, work: Path) -> int:
    if args.mode == "save":
        shutil.rmtree(args.folder, ignore_errors=True)
        for name, src in inputs(work, args.docs).items():
            clean(src, work, args.folder / name)
            print(f"saved {name}")
        return 0
    bad = 0
    with tempfile.TemporaryDirectory(dir=args.folder.parent) as tmp:
        for name, src in inputs(work, args.docs).items():
            clean(src, work, Path(tmp) / name)
            diff = subprocess.run(["diff", "-rq", str(args.folder / name), str(Path(tmp) / name)],
                                  capture_output=True, text=True)
            print(f"{'same' if diff.returncode == 0 else 'DIFFERENT'} {name}")
            if diff.returncode:
                bad += 1
                print(diff.stdout[:3000])
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
