"""Golden cases: tests/cases/NAME/input/ is cleaned and compared with tests/cases/NAME/expected/.

expected/ mirrors OUT: the cleaned tree, plus _report/removals.jsonl and
_report/changes.diff (summary.json holds timings, so it is not compared; the
marker file neither). A case may hold a config.toml with the settings to use.

To regenerate after a deliberate change, then REVIEW the diff before committing:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
    git diff tests/cases/
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dedupe import clean
from dedupe.config import Config

CASES = Path(__file__).parent / "cases"
#: Files of OUT that are not compared: the marker, the summary (timings vary) and the review page.
UNCOMPARED = {
    ".dedupe-output.json",
    "_report/summary.json",
    # the review page and its data are views of removals.jsonl, tested in the browser (test_html_report.py)
    "_report/index.html",
    "_report/context.jsonl",
    "_report/allowed.jsonl",
    # the signatures a later --against reads: tested in test_against.py (a golden copy would change with
    # every change to signing, whether or not it changes what is removed)
    "_report/signatures.npz",
    "_report/signatures.json",
}


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).as_posix() not in UNCOMPARED
    }


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_golden(case, tmp_path):
    folder = CASES / case
    config = Config.from_file(folder / "config.toml") if (folder / "config.toml").exists() else Config()
    out = tmp_path / "out"
    run = clean(folder / "input", out, config)
    assert run.exit_code == 0
    got = files(out)
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(folder / "expected", ignore_errors=True)
        for rel, data in got.items():
            (folder / "expected" / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / "expected" / rel).write_bytes(data)
        pytest.skip(f"UPDATE_GOLDEN: rewrote tests/cases/{case}/expected; review `git diff tests/cases/{case}`")
    want = files(folder / "expected")
    assert sorted(got) == sorted(want)
    for rel in want:
        if rel.endswith((".jsonl", ".diff")) or rel.endswith((".txt", ".md")):
            # text diffs are easier to read in a failure; bytes are compared just after
            assert got[rel].decode("utf-8", "replace") == want[rel].decode("utf-8", "replace"), rel
        assert got[rel] == want[rel], rel


def test_every_case_has_input_and_expected():
    cases = [p for p in CASES.iterdir() if p.is_dir()]
    assert len(cases) >= 5
    for case in cases:
        assert (case / "input").is_dir() and (case / "expected").is_dir(), case.name
        assert (case / "expected" / "_report" / "removals.jsonl").is_file(), case.name
