"""Segment: split a document into blocks (paragraphs) with 1-based line spans.

The segmenting itself runs in the compiled core (`crates/dedupe-core/src/segment.rs`, where its rules are
documented): one call per batch of documents. A run of non-blank lines is one block when it looks
hard-wrapped, and one block per line otherwise (a list, a menu, or consecutive one-line paragraphs).
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate, repeat

from . import _core
from .records import Block

#: Wrapped prose rarely exceeds this width; narrower runs are menus, addresses and short lists (as in the core).
MAX_WRAP_WIDTH, MIN_WRAP_WIDTH = 100, 30


def split_lines(text: str) -> list[str]:
    """Lines with their line endings, split on \\n only (so \\r, \\f and U+2028 stay inside lines)."""
    if not text:
        return []
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def looks_wrapped(run: list[str], width: int | None = None) -> bool:
    """Whether a run of non-blank (stripped) lines is one hard-wrapped paragraph (see segment.rs)."""
    return _core.looks_wrapped(run, width)


class Segmented(Sequence):
    """The blocks of a batch's texts, a list per text, and the batch's blocks as the core gave them, end to end:
    each block's first and last line (`firsts`, `lasts`) and its text (`texts`: a `_core.Texts`, one buffer the
    core's next calls read in place, with no Python string a block; a list where a text held a lone surrogate),
    and each text's count of blocks (`counts`), which pass 1 reads as they are (`pipeline._Analyzed.packed`,
    `pipeline._signing_bodies`, `sign.sign_texts`, `detect.detect_batch`).

    A text's `Block`s are made when first asked for: pass 1 reads the usual page's blocks as the columns only
    (a page with repeats, a second look, an extractor's text and the API ask for the records)."""

    __slots__ = ("firsts", "lasts", "texts", "counts", "lines", "_starts", "_lists")

    def __init__(self, firsts: list[int], lasts: list[int], texts: list[str], counts: list[int],
                 lines: list[int] | None = None):
        self.firsts, self.lasts, self.texts, self.counts = firsts, lasts, texts, counts
        self.lines = lines  # per text its number of lines (`pipeline._line_count`'s), where the core counted them
        self._starts = [0, *accumulate(counts)]
        self._lists: list[list[Block] | None] = [None] * len(counts)

    def __len__(self) -> int:
        return len(self.counts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        i = range(len(self))[i]  # (a negative index counts from the end; one out of range raises IndexError)
        blocks = self._lists[i]
        if blocks is None:
            b, e = self._starts[i], self._starts[i + 1]
            # (each Block made in C from its fields as a tuple: `Block(...)` is a call of a Python function a block)
            blocks = self._lists[i] = list(map(tuple.__new__, repeat(Block, e - b),
                                               zip(range(e - b), self.firsts[b:e], self.lasts[b:e], self.texts[b:e])))
        return blocks

    def __iter__(self):
        return map(self.__getitem__, range(len(self)))


def segment_batch(texts: list[str | bytes]) -> Segmented:
    """The blocks of each text of a batch, in order, each with its line span: one call into the core. A text may
    be given as its UTF-8 bytes (pass 1 hands over a plain-text file's bytes as the file held them)."""
    firsts, lasts, block_texts, counts, lossy, lines = _core.segment_batch(texts)
    if lossy:  # (the blocks' texts come as one `_core.Texts`, which cannot be changed: as a list here)
        block_texts = list(block_texts)
    for t in lossy:
        # A lone surrogate (JSON input may hold one) cannot cross into the core: it was read there as U+FFFD,
        # which gives the same spans; the blocks' texts are taken from the document's own lines.
        b = sum(counts[:t])
        lines = texts[t].split("\n")
        for i in range(b, b + counts[t]):
            block_texts[i] = " ".join(line.strip() for line in lines[firsts[i] - 1 : lasts[i]])
    return Segmented(firsts, lasts, block_texts, counts, lines)


def segment(text: str) -> list[Block]:
    """The blocks of a text, in order, each with its line span."""
    return segment_batch([text])[0]
