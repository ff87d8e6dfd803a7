"""Idempotence: clean a corpus, clean the cleaned tree again, and say what the second pass removed.

    python benchmarks/reclean.py /tmp/c5k                                 # e.g. make_corpus.py --docs 5000
    python benchmarks/reclean.py ../shared/data/webpages-dev/pages        # HTML pages (their text, cleaned again)

Runs `dedupe clean IN O1 -q` then `dedupe clean O1 O2 -q` (extra arguments after `--` go to both) and prints,
from O2's removals.jsonl, the blocks and documents removed by the second pass, per category and detector, and
the files they are in. A tree that cleaning leaves as it is would show nothing.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from workdir import work_folder


def removals(report: Path) -> list[dict]:
    with open(report / "removals.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--work", type=Path, default=None, help="folder for O1 and O2 (default: a temporary one)")
    argv = sys.argv[1:] if argv is None else argv
    cut = argv.index("--") if "--" in argv else len(argv)
    args, extra = ap.parse_args(argv[:cut]), argv[cut + 1 :]  # after --: arguments for both runs
    with work_folder(args.work, "dedupe-reclean-") as work:
        once, twice = work / "once", work / "twice"
        for src, dst in ((args.corpus, once), (once, twice)):
            shutil.rmtree(dst, ignore_errors=True)
            done = subprocess.run([sys.executable, "-m", "dedupe", "clean", str(src), str(dst), "-q", *extra],
                                  check=False)
            if done.returncode not in (0, 1):
                raise SystemExit(f"dedupe clean {src} {dst} exited {done.returncode}")
        first, second = removals(once / "_report"), removals(twice / "_report")
        docs = [r for r in second if r["category"] == "duplicate-document"]
        blocks = [r for r in second if r["category"] != "duplicate-document"]
        print(f"first pass: {sum(r['category'] != 'duplicate-document' for r in first)} blocks and "
              f"{sum(r['category'] == 'duplicate-document' for r in first)} documents removed")
        print(f"second pass: {len(blocks)} blocks in {len({r['file'] for r in blocks})} files, {len(docs)} documents")
        for (category, detector), n in sorted(Counter((r["category"], r["detector"]) for r in second).items()):
            print(f"  {category:<24} {detector:<32} {n}")
        for r in second[:20]:
            print(f"  {r['file']} lines {r['lines'][0]}-{r['lines'][1]} {r['category']} ({r['detector']}, "
                  f"{r['score']}): {r['text'][:100]!r}")


if __name__ == "__main__":
    main()
