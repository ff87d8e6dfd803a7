"""Incremental runs (`--against`) on a synthetic corpus split in two halves, with copies across the split.

    python benchmarks/against.py --docs 10000            # generate (once), split, clean both halves, score
    python benchmarks/against.py --corpus /tmp/bc10k     # an existing corpus (its .truth.json beside it)

The corpus (benchmarks/make_corpus.py, known duplicate clusters) is split at
random by document (seeded) into FIRST and SECOND. FIRST is cleaned into
OUT1; then FIRST's input and OUT1's cleaned copies are deleted, leaving
only OUT1/_report (the run cannot read what is not there); SECOND is cleaned into OUT2
with `--against OUT1`. Printed: the cross-half copies (documents of SECOND
with a copy of the same article in FIRST), how many SECOND's run dropped as
copies of an earlier document, precision (the earlier document it names is a
copy of the same article) and recall, and the bytes a document of the saved
signatures takes.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def split_corpus(corpus: Path, first: Path, second: Path, seed: int = 1) -> tuple[set[str], set[str]]:
    """Copy each document of corpus into first or second at random (seeded); the two sets of paths."""
    rng = random.Random(seed)
    halves: tuple[set[str], set[str]] = (set(), set())
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        rel = path.relative_to(corpus).as_posix()
        side = rng.random() < 0.5
        target = (first, second)[side] / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        halves[side].add(rel)
    return halves


def score(truth: dict, first: set[str], second: set[str], removals: list[dict]) -> dict:
    """Precision and recall of the second half's drops against the first half, from the report's removals."""
    cluster_of = {doc: i for i, members in enumerate(truth["clusters"]) for doc in members}
    cross = {d for d in second if d in cluster_of and any(m in first for m in truth["clusters"][cluster_of[d]])}
    found = [r for r in removals if r["category"] == "duplicate-document" and (r["duplicate_of"] or {}).get("run")]
    right = [r for r in found if r["file"] in cluster_of and cluster_of.get(r["duplicate_of"]["file"]) == cluster_of[r["file"]]
             and r["duplicate_of"]["file"] in first]
    return {
        "cross_copies": len(cross),
        "dropped_against": len(found),
        "right": len(right),
        "precision": len(right) / len(found) if found else 1.0,
        "recall": len({r["file"] for r in right} & cross) / len(cross) if cross else 1.0,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--corpus", type=Path, help="an existing corpus from make_corpus.py")
    ap.add_argument("--work", type=Path, help="folder for the halves and outputs (default: a temporary one)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the random split")
    ap.add_argument("--jobs", type=int, default=0)
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="dedupe-against-"))
    corpus = args.corpus
    if corpus is None:
        corpus = work / "corpus"
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), str(corpus), "--docs", str(args.docs)], check=True)
    truth = json.loads(Path(str(corpus).rstrip("/") + ".truth.json").read_text())
    first, second, out1, out2 = (work / n for n in ("first", "second", "out1", "out2"))
    halves = split_corpus(corpus, first, second, args.seed)
    dedupe = [sys.executable, "-m", "dedupe", "clean", "-q", "--jobs", str(args.jobs)]
    subprocess.run(dedupe + [str(first), str(out1)], check=False)
    # Nothing of the first half is left to read but its report (chmod would not stop root): input and copies gone.
    shutil.rmtree(first)
    for p in sorted(out1.iterdir()):
        if p.name != "_report":
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    started = time.perf_counter()
    subprocess.run(dedupe + [str(second), str(out2), "--against", str(out1)], check=False)
    seconds = time.perf_counter() - started
    removals = [json.loads(line) for line in (out2 / "_report" / "removals.jsonl").read_text().splitlines()]
    result = score(truth, *halves, removals)
    saved = (out1 / "_report" / "signatures.npz").stat().st_size
    print(f"halves: {len(halves[0])} and {len(halves[1])} documents; second half cleaned against the first "
          f"in {seconds:.1f} s")
    print(f"cross-half copies {result['cross_copies']}, dropped as copies of the first half "
          f"{result['dropped_against']}, right {result['right']}: "
          f"precision {result['precision']:.4f}, recall {result['recall']:.4f}")
    print(f"saved signatures: {saved} bytes, {saved / len(halves[0]):.0f} bytes a document")
    print(f"work folder: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
