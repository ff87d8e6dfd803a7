"""Random inputs through the compiled core's entry points: no panic, no crash, every output line an input line.

The suite runs a few hundred examples per entry point; the full run is this file as a script:

    .venv/bin/python tests/test_core_fuzz.py --examples 100000
"""
from __future__ import annotations

import argparse
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe import _core
from dedupe.segment import segment_batch

#: Characters the segmenter treats specially (white space of every kind, bullets, digits of several
#: scripts, closing punctuation, a lone surrogate), mixed into otherwise random text.
_SPECIAL = "\n\n\n \t\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000-*•·>+().)abcZ019\u0966\u0967\uff11:;\"”’]!?\ud800\udfff"
_LINE = st.text(st.sampled_from(_SPECIAL) | st.characters(), max_size=120)
_TEXT = st.lists(_LINE, max_size=12).map("\n".join) | st.text(max_size=400)
_BATCH = st.lists(_TEXT, max_size=5)


def check_segment_batch(texts: list[str]) -> None:
    """Each text's blocks cover its non-blank lines in order, once each, and hold exactly those lines."""
    for text, blocks in zip(texts, segment_batch(texts), strict=True):
        lines = [line.strip() for line in text.split("\n")]
        covered = []
        for i, b in enumerate(blocks):
            assert b.index == i and 1 <= b.first_line <= b.last_line <= len(lines)
            span = lines[b.first_line - 1 : b.last_line]
            assert all(span) and b.text == " ".join(span)
            covered.extend(range(b.first_line, b.last_line + 1))
        assert covered == [n for n, line in enumerate(lines, 1) if line]


def check_text_hash(data: bytes) -> None:
    assert 0 <= _core.text_hash(data) < 1 << 64


def run(examples: int) -> None:
    """Every property with `examples` random inputs each."""
    config = settings(max_examples=examples, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
    config(given(_BATCH)(check_segment_batch))()
    config(given(st.binary(max_size=300))(check_text_hash))()


def test_random_inputs_through_the_core():
    run(300)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=100_000, help="random inputs per entry point")
    run(ap.parse_args().examples)
    print(f"ok: {ap.parse_args().examples} random inputs per entry point, no failure")
    sys.exit(0)
