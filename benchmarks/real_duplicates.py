#!/usr/bin/env python3
"""Duplicate-document precision on real pages: every pair `dedupe clean` merges, checked against the gold.

usage: python benchmarks/real_duplicates.py [--data DIR] [--work DIR] [--sets NAME ...] [-- CLEAN-OPTIONS]

The pages of webpages-types, webpages-dev and webpages-train (non-article
pages and articles from about 800 sites) are copied into one corpus, one
folder per site as a crawl lays them out, once as text dumps and once as
HTML. `dedupe clean --dry-run` runs on each; every document it drops as a
duplicate is checked against the document it was merged with: a right merge
has the same gold main text (compared normalized: case, punctuation and
spacing folded), a wrong one does not. Prints every merged pair with the
gold 5-gram Jaccard of the two pages, and per corpus: merged, right, wrong,
precision. There is no true duplicate among these pages that dedupe should
find (no two share a gold text), so recall is not measured here: the
synthetic corpus (`run.py`) and the short-text corpus (`short_texts.py`) do.
Exit status 1 if any merge is wrong.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

from dedupe import Config, clean
from dedupe.sign import normalize

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SETS = ("webpages-types", "webpages-dev", "webpages-train")


def build(data: Path, sets: list[str], kind: str, dest: Path) -> dict[str, str]:
    """Copy every page of `kind` (dumps or pages) into dest/DOMAIN/SET__NAME; returns rel -> normalized gold."""
    gold: dict[str, str] = {}
    for name in sets:
        for src in sorted((data / name / kind).iterdir()):
            g = json.loads((data / name / "gold" / f"{src.stem}.json").read_text(encoding="utf-8"))
            rel = f"{g.get('domain') or 'unknown'}/{name}__{src.name}"
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest / rel)
            gold[rel] = normalize(g["main_content"])
    return gold


def jaccard5(a: str, b: str) -> float:
    """5-word shingle Jaccard of two normalized texts."""
    def grams(t: str) -> set:
        w = t.split()
        return {tuple(w[i : i + 5]) for i in range(max(1, len(w) - 4))}

    x, y = grams(a), grams(b)
    return len(x & y) / max(1, len(x | y))


def check(kind: str, gold: dict[str, str], clusters: list[dict]) -> tuple[int, int]:
    """Print every merged pair of one run against the gold; returns (merged, wrong)."""
    stem = {Path(rel).with_suffix("").as_posix(): rel for rel in gold}  # HTML comes out as NAME.txt
    merged = wrong = 0
    for c in clusters:
        kept = stem[Path(c["kept"]).with_suffix("").as_posix()]
        for m in c["members"]:
            dropped = stem[Path(m["file"]).with_suffix("").as_posix()]
            same = gold[kept] == gold[dropped]
            merged += 1
            wrong += not same
            print(f"  {kind}: {'same gold ' if same else 'GOLD DIFFERS'} {dropped} -> {kept} "
                  f"({m['measure']} {m['similarity']:.3f}, gold 5-gram Jaccard {jaccard5(gold[kept], gold[dropped]):.3f})")
    return merged, wrong


def _workdir(work: Path | None, prefix: str):
    """`work` as given (kept after the run), or a temporary folder deleted after it."""
    return contextlib.nullcontext(work) if work else tempfile.TemporaryDirectory(prefix=prefix)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--work", type=Path, default=None, help="where the corpora go (default: a temporary folder)")
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--config", type=Path, default=None, help="a dedupe settings file (TOML or JSON)")
    args = parser.parse_args(argv)
    config = Config.from_file(args.config) if args.config else Config()
    failed = 0
    with _workdir(args.work, "dedupe-realdup-") as work:
        work = Path(work)
        for kind in ("dumps", "pages"):
            src, out = work / kind, work / f"{kind}-out"
            shutil.rmtree(src, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            gold = build(args.data, args.sets, kind, src)
            run = clean(src, out, config, dry_run=True)
            merged, wrong = check(kind, gold, run.clusters)
            precision = (merged - wrong) / merged if merged else 1.0
            print(f"{kind}: {len(gold)} pages, {merged} dropped as duplicates, {merged - wrong} with the same gold, "
                  f"{wrong} whose gold differs: precision {precision:.3f}")
            failed += wrong
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
