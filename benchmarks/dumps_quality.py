#!/usr/bin/env python3
"""Quality and per-block cost of the within-document cleaner on webpages-dev dumps.

usage:
  python benchmarks/dumps_quality.py [--data ../shared/data/webpages-dev] [--per-kind] [--by-type] [--timing]

Cleans every dump in memory with `clean_document` (no files written) and
scores it with the data folder's own score.py, on all pages and on two fixed
halves (A: even index of the sorted names, B: odd), so a change tuned on one
half can be checked on the other. --by-type adds a row per gold page_type
(webpages-types: forum, product, collection, listing, documentation, service;
webpages-dev pages are all articles), and with --per-kind the removals per
page type and category. --per-kind counts removals per category;
--timing prints the median CPU cost of the chrome detector per block over 5 passes,
on the whole-page dumps and on the gold article texts alone (the news-like case).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from dedupe.config import Config
from dedupe.detect.chrome import find_chrome
from dedupe.pipeline import clean_document
from dedupe.records import Document
from dedupe.segment import segment
from dedupe.sign import sign_blocks

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "webpages-dev"


def load_scorer(data: Path):
    """The data folder's score.py as a module (it is the reference definition of F1, P and R)."""
    spec = importlib.util.spec_from_file_location("webpages_score", data / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def figures(rows: list[dict]) -> dict:
    """F1, P, R over pages as score.py computes them (P over non-empty outputs, R over all)."""
    ps = [r["P"] for r in rows if r["P"] is not None]
    rs = [r["R"] for r in rows if r["R"] is not None]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    return {"F1": 2 * p * r / (p + r) if p + r else 0.0, "P": p, "R": r, "docs": len(rows)}


def evaluate(data: Path, config: Config, clean: bool = True) -> tuple[list[dict], Counter]:
    """One row per page (name, P, R, F1, gold page type) and the removals per (page type, category)."""
    score = load_scorer(data)
    rows, kinds = [], Counter()
    for gp in sorted((data / "gold").glob("*.json")):
        name = gp.stem
        record = json.loads(gp.read_text(encoding="utf-8"))
        page_type = record.get("page_type", "article")
        text = (data / "dumps" / f"{name}.txt").read_text(encoding="utf-8")
        if clean:
            result, _ = clean_document(Document(f"{name}.txt", text), config)
            text = result.cleaned
            kinds.update((page_type, r.category) for r in result.removals)
        p, r, f = score.doc_prf(record["main_content"], text)
        rows.append({"name": name, "P": p, "R": r, "F1": f, "type": page_type})
    return rows, kinds


def chrome_cost(texts: list[str], config: Config, passes: int = 5) -> tuple[float, int]:
    """Median µs per block of find_chrome over some texts, and the number of blocks."""
    docs = []
    for i, text in enumerate(texts):
        blocks = segment(text)
        docs.append((str(i), blocks, sign_blocks(blocks, config.shingle_size)))
    n = sum(len(b) for _, b, _ in docs)
    runs = []
    for _ in range(passes):
        # CPU time of this process: the machine is shared, and wall time would count other processes' turns.
        start = time.process_time()
        for name, blocks, sigs in docs:
            find_chrome(name, blocks, sigs, config)
        runs.append(time.process_time() - start)
    return statistics.median(runs) / n * 1e6, n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--per-kind", action="store_true", help="print removals per category")
    ap.add_argument("--timing", action="store_true", help="print µs per block of the chrome detector")
    ap.add_argument("--baseline", action="store_true", help="also score the uncleaned dumps")
    ap.add_argument("--by-type", action="store_true", help="also print a row per gold page type")
    a = ap.parse_args()
    if not (a.data / "score.py").is_file():
        print(f"no score.py in {a.data}; pass --data", file=sys.stderr)
        return 2
    config = Config()
    runs = [("cleaned", True)] + ([("do-nothing", False)] if a.baseline else [])
    for label, clean in runs:
        rows, kinds = evaluate(a.data, config, clean)
        parts = [("all", rows), ("A(even)", rows[0::2]), ("B(odd)", rows[1::2])]
        if a.by_type:
            parts += [(t, [r for r in rows if r["type"] == t]) for t in sorted({r["type"] for r in rows})]
        for half, part in parts:
            f = figures(part)
            print(f"{label:10s} {half:13s} docs={f['docs']:3d} F1={f['F1']:.3f} P={f['P']:.3f} R={f['R']:.3f}")
        if a.per_kind and clean:
            by_category = Counter()
            for (page_type, cat), count in kinds.items():
                by_category[cat] += count
            for cat, count in sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0])):
                print(f"  {cat:24s} {count:6d}")
            if a.by_type:
                for (page_type, cat), count in sorted(kinds.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1])):
                    print(f"  {page_type:13s} {cat:24s} {count:6d}")
    if a.timing:
        pages = [p.read_text(encoding="utf-8") for p in sorted((a.data / "dumps").glob("*.txt"))]
        # The gold main text of each page is an article alone: the news-like case, mostly long paragraphs.
        articles = [json.loads(p.read_text(encoding="utf-8"))["main_content"] for p in sorted((a.data / "gold").glob("*.json"))]
        for label, texts in (("whole-page dumps", pages), ("articles alone (gold main text)", articles)):
            us, n = chrome_cost(texts, config)
            print(f"chrome detector on {label}: {us:.1f} µs per block (median of 5 passes over {n} blocks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
