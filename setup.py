"""The build's one decision that pyproject.toml cannot state: which x86-64 level the compiled core is built for.

`pip install .` builds the core on the machine that will run it. When that machine is an x86-64 one with the
x86-64-v2 level (SSE4.2, POPCNT: every x86-64 server and desktop processor made since about 2009), the core is
built for that level rather than the 2003 baseline: pass 1's MinHash multiplies and compares four 32-bit lanes
in single instructions, and pass 1's core calls measured 85.7 -> 79.3 µs of CPU a document on the 10k
benchmark (docs/core.md, "The core built for x86-64-v2"). The answers are the same: integer arithmetic only.

A wheel built to be copied to other machines should not depend on the build machine: set DEDUPE_PORTABLE=1 (the
baseline), or RUSTFLAGS yourself (`-C target-cpu=native` for this machine alone), which is then left as it is.
"""
from __future__ import annotations

import os
import platform
import sys

from setuptools import setup

# /proc/cpuinfo's names of the x86-64-v2 level's features (beyond the baseline's).
X86_64_V2 = {"cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"}


def cpu_flags(cpuinfo: str = "/proc/cpuinfo") -> set[str]:
    """The feature flags every processor of this Linux machine has (none where the file is missing)."""
    try:
        with open(cpuinfo, encoding="ascii", errors="replace") as f:
            rows = [line.split(":", 1)[1].split() for line in f if line.startswith("flags")]
    except OSError:
        return set()
    return set.intersection(*map(set, rows)) if rows else set()


def core_rustflags(environ, machine: str, flags: set[str]) -> str | None:
    """The RUSTFLAGS the core is built with, or None to leave the environment alone."""
    if "RUSTFLAGS" in environ or "CARGO_ENCODED_RUSTFLAGS" in environ or environ.get("DEDUPE_PORTABLE") == "1":
        return None
    if machine.lower() not in ("x86_64", "amd64") or not X86_64_V2 <= flags:
        return None
    return "-C target-cpu=x86-64-v2"


if __name__ == "__main__":
    chosen = core_rustflags(os.environ, platform.machine(), cpu_flags() if sys.platform == "linux" else set())
    if chosen:
        os.environ["RUSTFLAGS"] = chosen
    setup()
