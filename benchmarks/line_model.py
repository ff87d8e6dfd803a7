#!/usr/bin/env python3
"""Could a model learn what the rules leave? A line classifier over dedupe's kept lines, trained on -train.

usage: pip install scikit-learn   # (not a dependency of dedupe: this experiment alone needs it)
       python benchmarks/line_model.py [--data ../shared/data] [--train webpages-train] [--test webpages-dev ...]

Each dump is cleaned in memory (`clean_document`, the defaults); every line it keeps becomes a row of
language-neutral signals: its size (words, or characters / 2 in scripts without spaces), whether it ends a
sentence, its sentences, digits, capitals, punctuation and separators, a list mark or a link, its place on
the page (share of the kept text and of the kept prose above and below it), its neighbours' sizes and
endings, whether the lines just above or below it were removed, and the page's size. Its label: whether
half of its words stand in 4-grams of the gold text. A gradient-boosted classifier (scikit-learn's
HistGradientBoosting, weighted by words) is trained on the train set; on each test set the lines it gives
less than T of being content are dropped, and the pages are scored again with the data set's score.py
(F1 of macro P and R), per page type, for several T.

Measured 2026-12-06 (main 7cf8874): webpages-dev 0.9359 -> 0.9377 at best (T 0.2; P +0.006, R -0.003),
webpages-types 0.7749 -> 0.7748 (listing and service lose), while on the train set itself 0.936 -> 0.953:
what the rules leave is site-specific and does not generalize from line signals. Not built into dedupe.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from dedupe.config import Config
from dedupe.pipeline import clean_document
from dedupe.records import Document

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
WORD = re.compile(r"\w+")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
ENDS = set('.!?。！？…"”\')»:;')
SENTENCE = re.compile(r"[.!?。！？](?=\s|$)")


def weight(line: str) -> float:
    cjk = len(CJK.findall(line))
    return len(WORD.findall(line)) + cjk / 2 if cjk else len(WORD.findall(line))


def line_signals(line: str) -> list[float]:
    s = line.strip()
    n = len(s) or 1
    letters = [c for c in s if c.isalpha()]
    alpha = [t for t in WORD.findall(s) if t[0].isalpha()]
    return [math.log1p(weight(s)), math.log1p(len(s)), float(s[-1:] in ENDS), len(SENTENCE.findall(s)),
            sum(c.isdigit() for c in s) / n, sum(c.isupper() for c in letters) / (len(letters) or 1),
            sum(not c.isalnum() and not c.isspace() for c in s) / n,
            sum(t[0].isupper() for t in alpha) / (len(alpha) or 1),
            float(bool(re.match(r"^\s*([-•*·▪►]|\d+[.)])", s))), float(bool(re.search(r"https?://|www\.|@\w|#\w", s))),
            s.count(",") + s.count("、") + s.count("，"), s.count("|") + s.count("»") + s.count("·") + s.count("/"),
            float(s[:1].isupper()), float(bool(CJK.search(s)))]


def page_rows(dump: str, config: Config) -> tuple[list[str], np.ndarray]:
    """The lines dedupe keeps of a dump and their signals."""
    result, _ = clean_document(Document("page.txt", dump), config)
    lines = dump.splitlines()
    removed = {n for r in result.removals for n in range(r.lines[0], r.lines[1] + 1)}
    kept = [(i + 1, line) for i, line in enumerate(lines) if i + 1 not in removed and line.strip()]
    if not kept:
        return [], np.zeros((0, 0))
    own = [line_signals(line) for _, line in kept]
    w = np.array([weight(line) for _, line in kept], float)
    prose = np.array([float(weight(line) >= 15 and line.strip()[-1:] in ENDS) for _, line in kept])
    pw = w * prose
    total, ptotal = w.sum() or 1, pw.sum() or 1
    above, pabove = np.cumsum(w) - w, np.cumsum(pw) - pw
    rows = []
    for k, (number, _) in enumerate(kept):
        row = own[k] + [k / len(kept), above[k] / total, pabove[k] / ptotal, (ptotal - pabove[k] - pw[k]) / ptotal,
                        number / len(lines)]
        for d in (-2, -1, 1, 2):
            j = k + d
            row += [own[j][0], own[j][2], own[j][7]] if 0 <= j < len(kept) else [-1, -1, -1]
        lo, hi = max(0, k - 3), min(len(kept), k + 4)
        row += [float(number - 1 in removed), float(number + 1 in removed),
                float(np.mean([own[j][0] for j in range(lo, hi)])), float(np.mean(prose[lo:hi])),
                math.log1p(len(kept)), math.log1p(total), float(prose.mean())]
        rows.append(row)
    return [line for _, line in kept], np.array(rows, float)


def labels(lines: list[str], gold: str) -> tuple[np.ndarray, np.ndarray]:
    """Per line, the share of its words inside 4-grams of the gold, and its number of words."""
    g = WORD.findall(gold.lower())
    grams = {tuple(g[i : i + 4]) for i in range(len(g) - 3)}
    words, owner = [], []
    for k, line in enumerate(lines):
        t = WORD.findall(line.lower())
        words += t
        owner += [k] * len(t)
    covered = np.zeros(len(words))
    for i in range(len(words) - 3):
        if tuple(words[i : i + 4]) in grams:
            covered[i : i + 4] = 1
    share, count = np.zeros(len(lines)), np.zeros(len(lines))
    for i, k in enumerate(owner):
        share[k] += covered[i]
        count[k] += 1
    return np.where(count > 0, share / np.maximum(count, 1), 0.0), count


def load(folder: Path, config: Config) -> dict:
    pages = {}
    for gp in sorted((folder / "gold").glob("*.json")):
        record = json.loads(gp.read_text(encoding="utf-8"))
        lines, x = page_rows((folder / "dumps" / f"{gp.stem}.txt").read_text(encoding="utf-8"), config)
        y, c = labels(lines, record["main_content"]) if lines else (np.zeros(0), np.zeros(0))
        pages[gp.stem] = {"lines": lines, "x": x, "y": y, "c": c, "gold": record["main_content"],
                          "type": record.get("page_type", "article")}
    return pages


def scored(folder: Path, pages: dict, keep: dict) -> dict:
    spec = importlib.util.spec_from_file_location("score", folder / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    ps, rs = defaultdict(list), defaultdict(list)
    for name, page in pages.items():
        text = "\n".join(line for line, k in zip(page["lines"], keep[name]) if k)
        p, r, _ = score.doc_prf(page["gold"], text)
        for group in ("all", page["type"]):
            if p is not None:
                ps[group].append(p)
            if r is not None:
                rs[group].append(r)
    out = {}
    for group in ps:
        p, r = float(np.mean(ps[group])), float(np.mean(rs[group]))
        out[group] = (2 * p * r / (p + r), p, r)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--train", default="webpages-train")
    ap.add_argument("--test", nargs="+", default=["webpages-dev", "webpages-types"])
    a = ap.parse_args()
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier
    except ImportError:
        print("this experiment needs scikit-learn (pip install scikit-learn); dedupe itself does not", file=sys.stderr)
        return 2
    config = Config()
    train = [p for p in load(a.data / a.train, config).values() if p["lines"]]
    model = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, max_leaf_nodes=31, min_samples_leaf=40,
                                           random_state=0)
    model.fit(np.vstack([p["x"] for p in train]), np.concatenate([p["y"] for p in train]) >= 0.5,
              sample_weight=np.maximum(np.concatenate([p["c"] for p in train]), 1))
    for name in [a.train] + a.test:
        pages = load(a.data / name, config)
        chance = {n: model.predict_proba(p["x"])[:, 1] if p["lines"] else np.zeros(0) for n, p in pages.items()}
        for t in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3):
            figs = scored(a.data / name, pages, {n: c >= t for n, c in chance.items()})
            print(f"{name} T={t:.2f} " + "  ".join(f"{g} {f:.4f}/{p:.4f}/{r:.4f}" for g, (f, p, r) in sorted(figs.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
