"""Segment: split a document into blocks (paragraphs) with 1-based line spans.

Two layouts occur in scraped text and both must work:

* one paragraph per line, with or without blank lines between (all samples,
  and whole-page text dumps where every menu item and list item is a line);
* hard-wrapped paragraphs: a paragraph over several lines filled up to a fixed
  column (Project Gutenberg texts at about 70, e-mail at 72), blank lines between.

A run of non-blank lines is one block when it looks hard-wrapped, and one block
per line otherwise (a list, a menu, or consecutive one-line paragraphs).
"""
from __future__ import annotations

import re

from .records import Block

_TERMINAL = re.compile(r"[.!?:;\"”’)\]]\s*$")
#: A line that starts a list item: a bullet, a dash, or a number or letter with `.` or `)`.
_LIST_ITEM = re.compile(r"^\s*(?:[-*•·▪◦‣–—>+]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])\s")
#: Wrapped prose rarely exceeds this width; one-paragraph-per-line text usually does.
MAX_WRAP_WIDTH = 100
#: Narrower runs are menus, addresses and short lists, not wrapped prose.
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


def _first_word(line: str) -> str:
    return line.split(maxsplit=1)[0] if line.split() else ""


def _filled(run: list[str], width: int) -> bool:
    """Whether every line but the last was broken because the next word would (nearly) not fit in `width`.

    That is what a wrapping editor does, and what a list of short items (whose
    next item would often have fitted on the line) does not. The slack allows
    for fillers that balance lines instead of filling each greedily (`fmt`).
    """
    slack = max(3, width // 8)
    return all(
        len(line) <= width and len(line) + 1 + len(_first_word(nxt)) > width - slack
        for line, nxt in zip(run, run[1:])
    ) and len(run[-1]) <= width


def looks_wrapped(run: list[str], width: int | None = None) -> bool:
    """Whether a run of non-blank (stripped) lines is one hard-wrapped paragraph.

    Every line but the last is filled to the column (the next word would not
    have fitted), no line after the first starts a list item, and, unless the
    document's wrap width is known from its other paragraphs, most lines end
    mid-sentence and most continuation lines start in lower case. A menu (short, uneven lines), a list, or consecutive one-line
    paragraphs (long lines, or lines that each end a sentence) are not wrapped.
    """
    if len(run) < 2:
        return False
    w = width or max(len(line) for line in run)
    if w > MAX_WRAP_WIDTH or w < MIN_WRAP_WIDTH:
        return False
    if any(_LIST_ITEM.match(line) for line in run[1:]):
        return False
    if not _filled(run, w):
        return False
    if width:
        return True
    body = run[:-1]
    ended = sum(1 for line in body if _TERMINAL.search(line))
    # A wrapped line mostly continues a sentence in lower case; list and menu items start with
    # a capital, a digit or a symbol.
    lower = sum(1 for line in run[1:] if line[:1].islower())
    return ended <= len(body) / 2 and lower >= len(body) / 2


def _runs(stripped: list[str]) -> list[tuple[int, int]]:
    """(start, end) 0-based half-open spans of the runs of non-blank lines (given stripped)."""
    runs, start = [], -1
    for i, line in enumerate(stripped):
        if not line:
            if start >= 0:
                runs.append((start, i))
                start = -1
        elif start < 0:
            start = i
    if start >= 0:
        runs.append((start, len(stripped)))
    return runs


def wrap_width(runs: list[list[str]]) -> int | None:
    """The column a document is hard-wrapped at, if its paragraphs show one clearly.

    Two wrapped paragraphs of at least three lines whose widest lines agree
    within a few columns establish it; one paragraph alone could be chance.
    """
    if max(map(len, runs), default=0) < 3:  # no paragraph to measure (one paragraph per line, a menu)
        return None
    # Each distinct paragraph counts once: a paragraph pasted twice must not move the column, or the
    # cleaned copy (which keeps one) would be cut into other blocks than the page was.
    distinct = {tuple(run): run for run in runs if len(run) >= 3}.values()
    widths = sorted(max(len(line) for line in run) for run in distinct if looks_wrapped(run))
    if len(widths) < 2:
        return None
    # The wrap column is at least the widest line of most paragraphs: take the upper median.
    w = widths[len(widths) // 2]
    agree = sum(1 for x in widths if w - 8 <= x <= w)
    return w if agree >= 2 and agree >= len(widths) / 2 else None


def segment(text: str) -> list[Block]:
    """The blocks of a text, in order, each with its line span."""
    # Every line stripped once (a line's ending is white space too): a blank line is an empty string.
    stripped = list(map(str.strip, text.split("\n")))
    spans = _runs(stripped)
    runs = [stripped[i:j] for i, j in spans]
    width = wrap_width(runs)
    blocks: list[Block] = []
    for (i, j), run in zip(spans, runs):
        # In a document wrapped at a known column, a short paragraph whose first line happens to
        # end a sentence is still one paragraph: test it against that column.
        if j - i > 1 and (looks_wrapped(run) or (width is not None and looks_wrapped(run, width))):
            blocks.append(Block(len(blocks), i + 1, j, " ".join(run)))
        else:
            for k, line in enumerate(run, i + 1):
                blocks.append(Block(len(blocks), k, k, line))
    return blocks
