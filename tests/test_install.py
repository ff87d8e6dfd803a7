"""A user's fresh install: `pip install .` into a new virtual environment, with the pip that Python ships.

Every other test runs in the development environment, where the test tools
have pulled in packages of their own; a dependency dedupe needs but does not
name would go unnoticed there. (One did: trafilatura's jusText imports
lxml.html.clean, and pip 23 left that extra out.) This test installs dedupe
alone and cleans a folder of HTML, JSONL and plain text with it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import ROOT

def article(topic: str) -> str:
    """A paragraph of prose about `topic` (each document its own, or they would be duplicates of one another)."""
    return " ".join(f"Point {i} about {topic} is one a reader came for, in a sentence long enough to be prose."
                    for i in range(12))


def test_a_bare_install_cleans_html_jsonl_and_text(tmp_path: Path):
    if os.environ.get("DEDUPE_SKIP_INSTALL_TEST"):
        pytest.skip("DEDUPE_SKIP_INSTALL_TEST is set (no package index reachable from this machine)")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(ROOT)],
                         capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-2000:]
    src = tmp_path / "in"
    src.mkdir()
    (src / "page.html").write_text(textwrap.dedent(f"""\
        <html><head><title>A page</title></head><body>
        <nav><a href="/">Home</a> | <a href="/news">News</a></nav>
        <article><h1>The headline of the article</h1><p>{article("rivers")}</p><p>{article("bridges")}</p>
        </article><footer>Subscribe to our newsletter for more.</footer></body></html>
        """), encoding="utf-8")
    (src / "corpus.jsonl").write_text(json.dumps({"id": "a", "text": article("trains")}) + "\n", encoding="utf-8")
    (src / "note.txt").write_text(article("harbours") + "\n", encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.run([str(venv / "bin" / "dedupe"), "clean", str(src), str(out), "-q"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and "_report" not in p.parts)
    assert [w for w in written if not w.startswith(".")] == ["corpus.jsonl", "note.txt", "page.txt"]
    assert "Point 11 about bridges" in (out / "page.txt").read_text(encoding="utf-8")


def load_setup():
    """setup.py as a module (its `setup()` runs only as a script)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("dedupe_setup", ROOT / "setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_core_is_built_for_x86_64_v2_only_where_the_build_machine_has_it(tmp_path: Path):
    setup = load_setup()
    v2 = {"fpu", "sse2", "cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3", "avx2"}
    assert setup.core_rustflags({}, "x86_64", v2) == "-C target-cpu=x86-64-v2"
    assert setup.core_rustflags({}, "AMD64", v2) == "-C target-cpu=x86-64-v2"
    # A processor without SSE4.2 (a Core 2, an AMD K10) gets the baseline; so do other architectures.
    assert setup.core_rustflags({}, "x86_64", v2 - {"sse4_2"}) is None
    assert setup.core_rustflags({}, "aarch64", v2) is None
    # The user's own flags and a portable build are left alone.
    assert setup.core_rustflags({"RUSTFLAGS": "-C target-cpu=native"}, "x86_64", v2) is None
    assert setup.core_rustflags({"CARGO_ENCODED_RUSTFLAGS": ""}, "x86_64", v2) is None
    assert setup.core_rustflags({"DEDUPE_PORTABLE": "1"}, "x86_64", v2) is None
    # Every processor of the machine must have a flag: a machine is as capable as its least capable core.
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: sse2 sse4_1 sse4_2 popcnt\n\n"
                       "processor\t: 1\nflags\t\t: sse2 sse4_1 popcnt\n", encoding="ascii")
    assert setup.cpu_flags(str(cpuinfo)) == {"sse2", "sse4_1", "popcnt"}
    assert setup.cpu_flags(str(tmp_path / "missing")) == set()
