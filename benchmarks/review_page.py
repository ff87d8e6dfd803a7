"""Size and speed of the review page for a synthetic run: bytes per page, render time, browser load and filter time.

    python benchmarks/review_page.py [--docs 10000] [--out bench-out/review] [--repeat 3] [--page-files 2000 10000]

Makes DOCS seeded synthetic documents in 20 source folders (article paragraphs,
a few chrome lines, one repeated paragraph each), cleans them, then reports:
the page files and their sizes, `render_report` time (median of --repeat), and
in headless Chromium (Debian's, via Playwright; skipped if missing) the time
until index.html has loaded and rendered, and the time a category filter and a
search take to redraw (medians), for each --page-files (changed files per page).
Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dedupe import clean  # noqa: E402
from dedupe.report.html import render_report  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
CHROME = [
    "Sign up for our daily newsletter to get the latest headlines in your inbox.",
    "Subscribe now for unlimited access to all our journalism.",
    "Share this article on Facebook, Twitter and WhatsApp",
    "Already a subscriber? Log in",
    "Reporting by {a}; Editing by {b}",
]


def make_corpus(folder: Path, docs: int, seed: int = 7) -> None:
    """DOCS documents in 20 source folders, deterministic for a seed."""
    rnd = random.Random(seed)
    vocab = ["".join(rnd.choice("bcdfghjklmnprstvz") + rnd.choice("aeiou") for _ in range(rnd.randint(1, 4)))
             for _ in range(5000)]
    for i in range(docs):
        paras = [" ".join(rnd.choice(vocab) for _ in range(rnd.randint(25, 70))).capitalize() + "." for _ in range(12)]
        paras.insert(rnd.randint(4, len(paras)), paras[rnd.randint(0, 3)])  # a doubled paragraph
        for line in rnd.sample(CHROME, 3):
            paras.insert(rnd.choice([0, len(paras)]), line.format(a=rnd.choice(vocab).title(), b=rnd.choice(vocab).title()))
        path = folder / f"source_{i % 20:02d}" / f"doc_{i:06d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(paras) + "\n", encoding="utf-8")


def browser_figures(page_path: Path, repeat: int) -> dict:
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        return {"skipped": "Playwright is not installed"}
    if not Path(CHROMIUM).exists():
        return {"skipped": f"no Chromium at {CHROMIUM}"}
    loads, filters, searches, heap = [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(repeat):
            page = browser.new_page()
            page.goto(page_path.resolve().as_uri(), wait_until="load")
            # The page's script renders synchronously before the load event.
            loads.append(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000)
            heap.append(page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0"))
            before = page.locator("#count").text_content()
            start = time.perf_counter()
            page.select_option("#cat", "repeat")
            expect(page.locator("#count")).not_to_have_text(before)
            filters.append(time.perf_counter() - start)
            page.select_option("#cat", "")
            before = page.locator("#count").text_content()
            start = time.perf_counter()
            page.fill("#q", "subscribe now")
            expect(page.locator("#count")).not_to_have_text(before)
            searches.append(time.perf_counter() - start)  # includes the 150 ms typing pause
            page.close()
        browser.close()
    return {
        "load_and_render_s": statistics.median(loads),
        "category_filter_s": statistics.median(filters),
        "search_s_incl_150ms_debounce": statistics.median(searches),
        "js_heap_mb": statistics.median(heap) / 2**20,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--out", type=Path, default=Path("bench-out/review"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--page-files", type=int, nargs="+", default=[2000])
    a = ap.parse_args()
    if a.out.exists():
        shutil.rmtree(a.out)
    src, dst = a.out / "in", a.out / "out"
    make_corpus(src, a.docs)
    start = time.perf_counter()
    run = clean(src, dst)
    print(f"clean: {a.docs} documents, {sum(run.by_category.values())} removals in {time.perf_counter() - start:.1f} s")
    report = dst / "_report"
    for name in ("removals.jsonl", "context.jsonl", "summary.json"):
        print(f"  {name}: {(report / name).stat().st_size:,} bytes")
    for page_files in a.page_files:
        print(f"--- page_files={page_files}")
        times = []
        for _ in range(a.repeat):
            start = time.perf_counter()
            pages = render_report(report, page_files=page_files)
            times.append(time.perf_counter() - start)
        print(f"render_report: median {statistics.median(times):.2f} s over {a.repeat}")
        for page in pages:
            print(f"  {page.name}: {page.stat().st_size:,} bytes")
        print(f"pages: {len(pages)}, total {sum(p.stat().st_size for p in pages):,} bytes")
        for key, value in browser_figures(pages[0], a.repeat).items():
            print(f"browser {key}: {value:.3f}" if isinstance(value, float) else f"browser {key}: {value}", flush=True)


if __name__ == "__main__":
    main()
