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
precision. For a pair whose golds differ it also prints how much of each
page's gold the other page's whole text (its dump) holds: where each holds
95% of the other's, the two are one page's content annotated twice (two
crawls of one URL), counted apart in the summary line but still as wrong.
There is no true duplicate among these pages that dedupe should
find (no two share a gold text), so recall is not measured here: the
synthetic corpus (`run.py`) and the short-text corpus (`short_texts.py`) do.
Exit status 1 if any merge is wrong.

With --shares, per data set the quantiles of the share of a page's words
that its signing body holds, and how many pages are signed whole (their
prose under `doc_min_share` of what their cleaned copy keeps). With --copies, a recall check on real articles instead: each of
webpages-dev's articles (its gold text) wrapped in the first and last 30
lines of another page's dump (a syndicated copy in other chrome), beside the
200 original dumps; prints how many copies were merged with their original
and how many merges were wrong.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

from dedupe import Config, clean
from dedupe.sign import normalize

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SETS = ("webpages-types", "webpages-dev", "webpages-train")


def build(data: Path, sets: list[str], kind: str, dest: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Copy every page of `kind` (dumps or pages) into dest/DOMAIN/SET__NAME; returns rel -> normalized gold,
    and rel -> the normalized whole-page text (its dump, for either kind)."""
    gold: dict[str, str] = {}
    whole: dict[str, str] = {}
    for name in sets:
        for src in sorted((data / name / kind).iterdir()):
            g = json.loads((data / name / "gold" / f"{src.stem}.json").read_text(encoding="utf-8"))
            rel = f"{g.get('domain') or 'unknown'}/{name}__{src.name}"
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest / rel)
            gold[rel] = normalize(g["main_content"])
            whole[rel] = normalize((data / name / "dumps" / f"{src.stem}.txt").read_text(encoding="utf-8"))
    return gold, whole


def grams5(text: str) -> set:
    """The 5-word shingles of a normalized text (the text itself, if shorter)."""
    w = text.split()
    return {tuple(w[i : i + 5]) for i in range(max(1, len(w) - 4))}


def jaccard5(a: str, b: str) -> float:
    """5-word shingle Jaccard of two normalized texts."""
    x, y = grams5(a), grams5(b)
    return len(x & y) / max(1, len(x | y))


def held(gold: str, page: str) -> float:
    """The share of a gold text's 5-word shingles that a page's whole text holds (both normalized)."""
    g = grams5(gold)
    return len(g & grams5(page)) / max(1, len(g))


def check(kind: str, gold: dict[str, str], whole: dict[str, str], clusters: list[dict]) -> tuple[int, int, int]:
    """Print every merged pair of one run against the gold; returns (merged, wrong, wrong of them where each
    page's whole text holds (95%) the other's gold: one page's content annotated twice, not two pages)."""
    stem = {Path(rel).with_suffix("").as_posix(): rel for rel in gold}  # HTML comes out as NAME.txt
    merged = wrong = twice = 0
    for c in clusters:
        kept = stem[Path(c["kept"]).with_suffix("").as_posix()]
        for m in c["members"]:
            dropped = stem[Path(m["file"]).with_suffix("").as_posix()]
            same = gold[kept] == gold[dropped]
            merged += 1
            wrong += not same
            note = ""
            if not same:
                a, b = held(gold[kept], whole[dropped]), held(gold[dropped], whole[kept])
                twice += min(a, b) >= 0.95
                note = f"; the dropped page holds {a:.0%} of the kept one's gold, the kept one {b:.0%} of its"
            print(f"  {kind}: {'same gold ' if same else 'GOLD DIFFERS'} {dropped} -> {kept} "
                  f"({m['measure']} {m['similarity']:.3f}, gold 5-gram Jaccard {jaccard5(gold[kept], gold[dropped]):.3f}"
                  f"{note})")
    return merged, wrong, twice


def _workdir(work: Path | None, prefix: str):
    """`work` as given (kept after the run), or a temporary folder deleted after it."""
    return contextlib.nullcontext(work) if work else tempfile.TemporaryDirectory(prefix=prefix)


def copies(data: Path, dest: Path, seed: int = 5) -> None:
    """webpages-dev's dumps in dest/orig, and in dest/copy each one's gold text inside another dump's chrome."""
    rng = random.Random(seed)
    dev = data / "webpages-dev"
    names = sorted(p.stem for p in (dev / "dumps").glob("*.txt"))
    for name in ("orig", "copy"):
        (dest / name).mkdir(parents=True)
    for n in names:
        gold = json.loads((dev / "gold" / f"{n}.json").read_text(encoding="utf-8"))["main_content"]
        other = (dev / "dumps" / f"{rng.choice([m for m in names if m != n])}.txt").read_text(encoding="utf-8")
        other = other.splitlines()
        shutil.copyfile(dev / "dumps" / f"{n}.txt", dest / "orig" / f"{n}.txt")
        (dest / "copy" / f"{n}.txt").write_text("\n".join(other[:30] + gold.splitlines() + other[-30:]) + "\n",
                                               encoding="utf-8")


def check_copies(clusters: list[dict]) -> tuple[int, int]:
    """(copies merged with their own original, other merges) of a --copies run."""
    right = wrong = 0
    for c in clusters:
        for m in c["members"]:
            same = c["kept"].split("/", 1)[1] == m["file"].split("/", 1)[1]
            right += same
            wrong += not same
            if not same:
                print(f"  WRONG {m['file']} -> {c['kept']}")
    return right, wrong


def shares(data: Path, sets: list[str]) -> None:
    """Per data set, quantiles of the share of a page's words that its prose holds (what doc_min_share reads)."""
    import numpy as np

    from dedupe.pipeline import analyze_documents
    from dedupe.records import Document
    from dedupe.sign import MinHasher

    config = Config(doc_min_share=0.0)  # the prose body, as the rule measures it, whatever the share
    hashers = (MinHasher(config.num_perm, config.seed), MinHasher(config.block_num_perm, config.seed))
    for name in sets:
        docs = [Document(id=p.name, text=p.read_text(encoding="utf-8", errors="replace"))
                for p in sorted((data / name / "dumps").glob("*.txt"))]
        share, whole = [], []
        for i in range(0, len(docs), 64):
            batch = docs[i : i + 64]
            for d, (_, sig) in zip(batch, analyze_documents(batch, config, hashers)):
                share.append(sig.size / max(1, len(normalize(d.text).split())))
            whole += [sig.whole for _, sig in analyze_documents(batch, Config(), hashers)]
        q = np.quantile(share, [0.01, 0.05, 0.25, 0.5])
        print(f"{name}: {len(share)} dumps, the signing body's share of the page's words: quantiles 1% {q[0]:.2f}, "
              f"5% {q[1]:.2f}, 25% {q[2]:.2f}, median {q[3]:.2f}; signed whole (prose under doc_min_share of "
              f"what the cleaned copy keeps): {np.mean(whole):.1%}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--work", type=Path, default=None, help="where the corpora go (default: a temporary folder)")
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--config", type=Path, default=None, help="a dedupe settings file (TOML or JSON)")
    parser.add_argument("--copies", action="store_true", help="recall on real articles copied into other chrome")
    parser.add_argument("--shares", action="store_true", help="how much of each page its prose is, per data set")
    args = parser.parse_args(argv)
    if args.shares:
        shares(args.data, args.sets)
        return 0
    config = Config.from_file(args.config) if args.config else Config()
    failed = 0
    with _workdir(args.work, "dedupe-realdup-") as work:
        work = Path(work)
        if args.copies:
            shutil.rmtree(work / "copies", ignore_errors=True)
            shutil.rmtree(work / "copies-out", ignore_errors=True)
            copies(args.data, work / "copies")
            right, wrong = check_copies(clean(work / "copies", work / "copies-out", config, dry_run=True).clusters)
            print(f"copies: {right} of 200 merged with their original; {wrong} other merges")
            return 1 if wrong else 0
        for kind in ("dumps", "pages"):
            src, out = work / kind, work / f"{kind}-out"
            shutil.rmtree(src, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            gold, whole = build(args.data, args.sets, kind, src)
            run = clean(src, out, config, dry_run=True)
            merged, wrong, twice = check(kind, gold, whole, run.clusters)
            precision = (merged - wrong) / merged if merged else 1.0
            print(f"{kind}: {len(gold)} pages, {merged} dropped as duplicates, {merged - wrong} with the same gold, "
                  f"{wrong} whose gold differs ({twice} of them pages that each hold the other's gold): "
                  f"precision {precision:.3f}")
            failed += wrong
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
