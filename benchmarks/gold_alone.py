#!/usr/bin/env python3
"""Harm on clean text: clean each page's gold (its article alone, nothing around it) and count what goes.

    python benchmarks/gold_alone.py ../shared/data/webpages-dev ../shared/data/webpages-types
    python benchmarks/gold_alone.py --extracted ../shared/data/webpages-dev     # as `dedupe clean --extracted`

Every character removed from a gold text is content lost: the figure says what cleaning a corpus of already
extracted text (an extractor's output, a cleaned dataset) as whole pages costs, and what `--extracted` saves.
Prints, per data folder, the share of the golds' characters removed, the pages touched, the characters per
detector and the pages that lose most.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from dedupe.config import Config
from dedupe.pipeline import clean_document
from dedupe.records import Document


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path, nargs="+", help="data folders with a gold/ of {main_content: ...} files")
    ap.add_argument("--extracted", action="store_true", help="read the golds as extracted text (--extracted)")
    ap.add_argument("--worst", type=int, default=5)
    args = ap.parse_args(argv)
    config = Config(extracted=args.extracted)
    for data in args.data:
        total = removed = touched = 0
        by: Counter = Counter()
        worst = []
        for path in sorted((data / "gold").glob("*.json")):
            gold = json.loads(path.read_text(encoding="utf-8"))["main_content"]
            result, _ = clean_document(Document(path.stem + ".txt", gold), config)
            lines = gold.splitlines()
            lost = 0
            for r in result.removals:
                chars = sum(len(line) for line in lines[r.lines[0] - 1 : r.lines[1]])
                by[r.detector.rsplit(":", 1)[0] if r.detector.startswith("chrome:rule") else r.detector] += chars
                lost += chars
            total += len(gold)
            removed += lost
            if lost:
                touched += 1
                worst.append((lost / len(gold), path.stem))
        print(f"{data.name}: {removed / max(total, 1):.4f} of the golds' characters removed, {touched} pages touched")
        print("  by detector (characters): " + ", ".join(f"{k} {v}" for k, v in by.most_common(8)))
        print("  most lost: " + ", ".join(f"{name} {share:.3f}" for share, name in sorted(worst, reverse=True)[: args.worst]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
