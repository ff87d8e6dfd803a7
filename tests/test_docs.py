"""Every Python example of the documentation runs, in order, as a reader would paste it (docs/api.md, docs/incremental.md)."""
from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from helpers import ROOT, SAMPLES

PAGES = ("api.md", "incremental.md")
#: Examples that need an optional package: they run in the second test only, where it is installed.
OPTIONAL = {"datasets": "from datasets import", "pyarrow": "import pyarrow"}


def examples(page: str) -> list[str]:
    """The ```python blocks of a docs page, in order."""
    return re.findall(r"```python\n(.*?)```", (ROOT / "docs" / page).read_text(encoding="utf-8"), re.S)


def run_page(page: str, folder: Path, monkeypatch, optional: bool) -> int:
    """Run a page's examples in one namespace, in a folder holding a copy of samples/; how many ran."""
    shutil.copytree(SAMPLES, folder / "samples")
    monkeypatch.chdir(folder)
    namespace: dict = {"__name__": "__docs__"}
    ran = 0
    for number, code in enumerate(examples(page)):
        if not optional and any(code.lstrip().startswith(start) for start in OPTIONAL.values()):
            continue
        exec(compile(code, f"docs/{page} example {number + 1}", "exec"), namespace)  # noqa: S102 - our own docs
        ran += 1
    return ran


@pytest.mark.parametrize("page", PAGES)
def test_every_example_runs(page, tmp_path, monkeypatch):
    blocks = examples(page)
    assert blocks
    optional = sum(any(b.lstrip().startswith(s) for s in OPTIONAL.values()) for b in blocks)
    assert run_page(page, tmp_path, monkeypatch, optional=False) == len(blocks) - optional


@pytest.mark.parametrize("page", PAGES)
def test_every_example_runs_with_the_optional_packages(page, tmp_path, monkeypatch):
    missing = [name for name in OPTIONAL if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (pip install {' '.join(missing)}): its examples are not run")
    assert run_page(page, tmp_path, monkeypatch, optional=True) == len(examples(page))
