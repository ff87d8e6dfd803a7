"""benchmarks/run.py's repeated runs: each run printed, then the medians of what they printed."""
from __future__ import annotations

import importlib.util
import re
import statistics

import pytest

from helpers import ROOT


def _run_py():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_runs_print_each_run_then_the_medians_of_their_figures(tmp_path, capsys):
    run = _run_py()
    assert run.main(["--docs", "40", "--work", str(tmp_path), "--runs", "3"]) == 0
    out = capsys.readouterr().out
    assert [int(k) for k in re.findall(r"^run (\d) of 3$", out, re.M)] == [1, 2, 3]
    speeds = [int(v) for v in re.findall(r"^dedupe clean: [\d.]+ s, (\d+) docs/s", out, re.M)]
    ratios = [float(v) for v in re.findall(r"^ratio: .* = ([\d.]+)x", out, re.M)]
    assert len(speeds) == len(ratios) == 3
    median = re.search(r"^median of 3 runs \(range\): dedupe clean (\d+) docs/s \((\d+)-(\d+)\)", out, re.M)
    assert median, out
    # (each run's figure printed rounded; the median's from the unrounded figures: within one of the printed)
    assert abs(int(median[1]) - statistics.median(speeds)) <= 1
    assert abs(int(median[2]) - min(speeds)) <= 1 and abs(int(median[3]) - max(speeds)) <= 1
    ratio = re.search(r"ratio ([\d.]+)x \(([\d.]+)-([\d.]+)\)$", out, re.M)
    assert ratio, out
    assert abs(float(ratio[1]) - statistics.median(ratios)) <= 0.011
    assert re.search(r"duplicates precision 1\.0000 \(1\.0000-1\.0000\)", out)


def test_medians_of_given_figures():
    run = _run_py()
    figures = [{"docs_per_s": v, "cpu_us": 10 * v, "precision": 1.0, "recall": r, "largest_mb": 70.0,
                "baseline_docs_per_s": 1000.0, "ratio": v / 1000} for v, r in ((5000, 0.97), (3000, 0.99), (3100, 0.98))]
    lines = []
    run.print = lambda *a, **k: lines.append(" ".join(map(str, a)))  # (the module's print, not the builtin)
    try:
        run.print_medians(figures)
    finally:
        del run.print
    assert "dedupe clean 3100 docs/s (3000-5000)" in lines[0]
    assert "recall 0.9800 (0.9700-0.9900)" in lines[0]
    assert lines[1].endswith("ratio 3.10x (3.00-5.00)")


def test_runs_must_be_at_least_one(tmp_path):
    with pytest.raises(SystemExit):
        _run_py().main(["--docs", "40", "--work", str(tmp_path), "--runs", "0"])


def test_warm_reads_every_file_of_the_corpus_whole(tmp_path):
    run = _run_py()
    (tmp_path / "a" / "b").mkdir(parents=True)
    sizes = {"a/x.txt": 10, "a/b/y.txt": (1 << 20) + 7, "z.txt": 0}  # (one file larger than the read buffer)
    for rel, n in sizes.items():
        (tmp_path / rel).write_bytes(b"w" * n)
    assert run.warm(tmp_path) == sum(sizes.values())


def test_each_side_reads_the_corpus_first_unless_cold(tmp_path, monkeypatch):
    run = _run_py()
    warmed = []
    monkeypatch.setattr(run, "warm", lambda corpus: warmed.append(corpus) or 0)
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "d.txt").write_text("one two three four five six\n")
    run.baseline(corpus, 0.8, 16, 5, None)
    assert warmed == [corpus]
    run.baseline(corpus, 0.8, 16, 5, None, cold=True)
    assert warmed == [corpus]
    # (the clean's side: the child is a stand-in that exits at once)
    monkeypatch.setattr(run.sys, "executable", "true")
    run.run_clean(corpus, tmp_path / "out", [], cold=True)
    assert warmed == [corpus]
    run.run_clean(corpus, tmp_path / "out", [])
    assert warmed == [corpus, corpus]
