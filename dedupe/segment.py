"""Segment: split a document into blocks (paragraphs) with 1-based line spans.

Two layouts occur in scraped text and both must work:

* one paragraph per line, with or without blank lines between (all samples,
  and whole-page text dumps where every menu item is a line);
* hard-wrapped paragraphs: several lines of similar length, blank lines between.

A run of non-blank lines is one block when it looks hard-wrapped, and one block
per line otherwise.
"""
from __future__ import annotations

import re

from .records import Block

_TERMINAL = re.compile(r"[.!?:;\"”’)\]]\s*$")
#: Wrapped prose rarely exceeds this width; one-paragraph-per-line text usually does.
MAX_WRAP_WIDTH = 100
MIN_WRAP_WIDTH = 30


def split_lines(text: str) -> list[str]:
    """Lines with their line endings, split on \\n only (so \\r, \\f and U+2028 stay inside lines)."""
    if not text:
        return []
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def looks_wrapped(run: list[str]) -> bool:
    """Whether a run of non-blank lines is one hard-wrapped paragraph.

    All lines but the last fill most of a narrow column, and most of them end
    mid-sentence. A menu (short, uneven lines) or a list of one-line paragraphs
    (long lines, or lines that each end a sentence) is not wrapped.
    """
    if len(run) < 2:
        return False
    widths = [len(line) for line in run]
    width = max(widths)
    if width > MAX_WRAP_WIDTH or width < MIN_WRAP_WIDTH:
        return False
    body = run[:-1]
    if any(len(line) < 0.6 * width for line in body):
        return False
    ended = sum(1 for line in body if _TERMINAL.search(line))
    return ended <= len(body) / 2


def segment(text: str) -> list[Block]:
    """The blocks of a text, in order, each with its line span."""
    lines = [line.rstrip("\r\n") for line in split_lines(text)]
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].strip():
            j += 1
        run = [line.strip() for line in lines[i:j]]
        if looks_wrapped(run):
            blocks.append(Block(len(blocks), i + 1, j, " ".join(run)))
        else:
            for k, line in enumerate(run):
                blocks.append(Block(len(blocks), i + k + 1, i + k + 1, line))
        i = j
    return blocks
