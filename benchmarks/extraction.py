#!/usr/bin/env python3
"""How much `dedupe clean` improves on trafilatura alone (HTML) and on doing nothing (text dumps).

usage: python benchmarks/extraction.py [--data DIR] [--work DIR] [--attribution] [--skip CAT ...] [--speed R]

On webpages-dev (pages/*.html, dumps/*.txt, gold/*.json), in one run and with
the same trafilatura settings that dedupe passes (dedupe.formats.html.trafilatura_options):

  trafilatura alone    trafilatura.extract() of every page, written as NAME.txt
  dedupe clean pages/  the same extraction, then every detector
  dumps as is          the identity row: the whole-page text, nothing removed
  dedupe clean dumps/  the detectors on the whole-page text

Each output folder is scored by the data set's own score.py (run as a
subprocess, so its figures are exactly what it prints). --attribution adds,
per category and detector of the HTML run, how many removed 4-gram shingles
were gold article text (recall lost) and how many were not (precision won),
using score.py's own shingles().

--speed R times, instead, trafilatura alone and the whole `dedupe clean` of
the pages, each in one process (--jobs 1), R times interleaved, and prints
the medians and their ratio (the issue's bar: 1.2x at most).
"""
from __future__ import annotations

import argparse
import statistics
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import trafilatura

from dedupe import Config, clean
from dedupe.formats.html import decode_html, trafilatura_options
from dedupe.formats.source import decompress, read_bytes

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "webpages-dev"
COLUMNS = ("F1", "P", "R", "docF1", "with", "without")


def score(data: Path, folder: Path) -> dict:
    """score.py's summary figures for one output folder."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [sys.executable, str(data / "score.py"), str(folder), "--data", str(data), "--json", out.name],
            check=True, stdout=subprocess.DEVNULL,
        )
        return json.loads(Path(out.name).read_text())["summary"]


def trafilatura_alone(pages: Path, out: Path, config: Config) -> float:
    """Write trafilatura's own extraction of every page as NAME.txt; seconds taken."""
    out.mkdir(parents=True)
    start = time.perf_counter()
    for page in sorted(pages.glob("*.htm*")):
        rel = page.name
        html, _ = decode_html(rel, decompress(rel, read_bytes(pages, rel)), config)
        text = trafilatura.extract(html, **trafilatura_options(config)) or ""
        (out / (page.name.split(".htm")[0] + ".txt")).write_text(text, encoding="utf-8")
    return time.perf_counter() - start


def run_dedupe(src: Path, out: Path, config: Config) -> float:
    """dedupe clean src out; seconds taken."""
    start = time.perf_counter()
    clean(src, out, config)
    return time.perf_counter() - start


def attribution(data: Path, out: Path) -> list[tuple]:
    """Per (category, detector): removals, and the gold and other 4-gram shingles each removal took.

    Marginal, per removal: putting its text back into the cleaned page would
    add `gold` shingles that match gold text not already matched (recall it
    cost) and `other` shingles (precision it won). A repeat of article text
    that the gold holds once costs nothing, since the kept copy matches it.
    """
    spec = importlib.util.spec_from_file_location("wcxb_score", data / "score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    pages: dict[str, tuple[Counter, Counter]] = {}
    rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for line in (out / "_report" / "removals.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        name = r["file"].split(".htm")[0].removesuffix(".txt")
        if name not in pages:
            gold = json.loads((data / "gold" / f"{name}.json").read_text(encoding="utf-8"))
            cleaned = out / f"{name}.txt"
            kept = cleaned.read_text(encoding="utf-8") if cleaned.is_file() else ""
            pages[name] = (scorer.shingles(gold["main_content"]), scorer.shingles(kept))
        gold, kept = pages[name]
        removed = scorer.shingles(r["text"])
        gained = sum(((kept + removed) & gold).values()) - sum((kept & gold).values())
        row = rows[(r["category"], r["detector"])]
        row[0] += 1
        row[1] += gained
        row[2] += sum(removed.values()) - gained
    return sorted(((k[0], k[1], *v) for k, v in rows.items()), key=lambda x: -x[3])


def speed(pages: Path, work: Path, config: Config, repeat: int) -> None:
    """Median seconds (wall and CPU) of trafilatura alone and of the whole clean, one process each, and ratios.

    With --jobs 1 the clean runs in this process, so its CPU time is this process's (a shared machine's load
    stretches the wall time, not the CPU time).
    """
    config = replace(config, jobs=1)
    runs = {"trafilatura alone": lambda r: trafilatura_alone(pages, work / f"t{r}", config),
            "dedupe clean": lambda r: run_dedupe(pages, work / f"d{r}", config)}
    wall: dict[str, list[float]] = {k: [] for k in runs}
    cpu: dict[str, list[float]] = {k: [] for k in runs}
    for r in range(repeat):
        for k, fn in runs.items():
            start = time.process_time()
            wall[k].append(fn(r))
            cpu[k].append(time.process_time() - start)
    n = len(list(pages.glob("*.htm*")))
    for k in runs:
        print(f"{k}: median {statistics.median(wall[k]):.2f} s wall ({', '.join(f'{x:.2f}' for x in wall[k])}), "
              f"{statistics.median(cpu[k]):.2f} s CPU ({', '.join(f'{x:.2f}' for x in cpu[k])}) over {n} pages, "
              f"one process")
    ratio = {m: statistics.median(t["dedupe clean"]) / statistics.median(t["trafilatura alone"])
             for m, t in (("wall", wall), ("CPU", cpu))}
    print(f"ratio: {ratio['wall']:.2f}x wall, {ratio['CPU']:.2f}x CPU (medians of {repeat}, same run)")


def table(rows: list[tuple[str, str, dict, float]]) -> str:
    lines = ["| run | input | " + " | ".join(COLUMNS) + " | seconds |", "|" + " --- |" * (len(COLUMNS) + 3)]
    for name, inp, s, secs in rows:
        figures = " | ".join("n/a" if s.get(c) is None else f"{s[c]:.3f}" for c in COLUMNS)
        lines.append(f"| {name} | {inp} | {figures} | {secs:.1f} |" if secs else f"| {name} | {inp} | {figures} | - |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the webpages-dev folder")
    ap.add_argument("--work", type=Path, default=None, help="keep the output folders here (default: a temporary folder)")
    ap.add_argument("--attribution", action="store_true", help="per category: gold vs non-gold shingles removed (HTML run)")
    ap.add_argument("--skip", action="append", default=[], help="categories dedupe leaves alone in both runs")
    ap.add_argument("--favor", default="balanced", choices=("balanced", "precision", "recall"))
    ap.add_argument("--recover", action=argparse.BooleanOptionalAction, default=Config().html_recover,
                    help="dedupe with html_recover on or off (default: dedupe's default, on; trafilatura alone unchanged)")
    ap.add_argument("--speed", type=int, default=0, metavar="R",
                    help="time trafilatura alone vs the whole clean (one process each), R runs, medians")
    a = ap.parse_args()
    if not (a.data / "score.py").is_file():
        sys.exit(f"no score.py under {a.data}: pass --data PATH/TO/webpages-dev")
    config = Config(html_favor=a.favor, skip=tuple(a.skip), html_recover=a.recover)
    work = a.work or Path(tempfile.mkdtemp(prefix="dedupe-extraction-"))
    if a.work and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    try:
        if a.speed:
            speed(a.data / "pages", work, config, a.speed)
            return
        t_traf = trafilatura_alone(a.data / "pages", work / "trafilatura", config)
        t_html = run_dedupe(a.data / "pages", work / "dedupe-pages", config)
        t_dump = run_dedupe(a.data / "dumps", work / "dedupe-dumps", config)
        rows = [
            ("trafilatura alone", "pages", score(a.data, work / "trafilatura"), t_traf),
            ("dedupe clean", "pages", score(a.data, work / "dedupe-pages"), t_html),
            ("nothing removed (identity)", "dumps", score(a.data, a.data / "dumps"), 0.0),
            ("dedupe clean", "dumps", score(a.data, work / "dedupe-dumps"), t_dump),
        ]
        print(f"webpages-dev: {len(list((a.data / 'gold').glob('*.json')))} pages; "
              f"trafilatura {trafilatura.__version__} with {trafilatura_options(config)}"
              + (f"; dedupe --skip {','.join(a.skip)}" if a.skip else ""))
        print(table(rows))
        traf, ded = rows[0][2], rows[1][2]
        print(f"\nHTML: precision {ded['P'] - traf['P']:+.3f}, recall {ded['R'] - traf['R']:+.3f} "
              f"(target: precision higher, recall at most 0.010 lower): "
              + ("met" if ded["P"] > traf["P"] and ded["R"] >= traf["R"] - 0.01 else "NOT met"))
        if a.attribution:
            print("\nHTML run, removals by detector: 4-gram shingles each removal cost in gold text vs took out of non-gold text")
            print("| category | detector | removals | gold shingles | other shingles |\n| --- | --- | --- | --- | --- |")
            for cat, det, n, gold, other in attribution(a.data, work / "dedupe-pages"):
                print(f"| {cat} | {det} | {n} | {gold} | {other} |")
    finally:
        if a.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
