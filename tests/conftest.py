"""Shared fixtures: a CLI runner and a copy of the sample documents."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedupe.cli import main
from helpers import SAMPLES

@pytest.fixture
def cli():
    """Run `dedupe ARGS...` in-process; returns click's Result (stdout and stderr kept apart)."""
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps them apart
        runner = CliRunner()

    def run(*args: str | os.PathLike):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture
def samples_copy(tmp_path) -> Path:
    """A fresh copy of the five sample documents under tmp_path/in."""
    dst = tmp_path / "in"
    dst.mkdir()
    for p in sorted(SAMPLES.iterdir()):
        (dst / p.name).write_bytes(p.read_bytes())
    return dst
