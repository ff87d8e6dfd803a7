"""Sign: normalized hashes and word shingles of blocks (and, for the corpus step, MinHash).

Normalization folds what a copy-paste or a template changes without changing
the text: Unicode compatibility forms, case, punctuation, symbols and runs of
white space. Two blocks with the same normalized hash are the same text.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import xxhash

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)


def normalize(text: str) -> str:
    """Casefolded words of a text joined by single spaces (punctuation and symbols dropped)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """The normalized words of a text."""
    n = normalize(text)
    return n.split() if n else []


def text_hash(normalized: str) -> int:
    """64-bit hash of a normalized text (xxh3: fast and stable across runs and machines)."""
    return xxhash.xxh3_64_intdigest(normalized.encode("utf-8"))


def shingle_hashes(tokens: list[str], k: int) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the k-word shingles (a text shorter than k is one shingle)."""
    if not tokens:
        return np.empty(0, dtype=np.uint64)
    if len(tokens) < k:
        grams = [" ".join(tokens)]
    else:
        grams = [" ".join(tokens[i : i + k]) for i in range(len(tokens) - k + 1)]
    return np.unique(np.fromiter((xxhash.xxh3_64_intdigest(g.encode("utf-8")) for g in grams), dtype=np.uint64, count=len(grams)))


class BlockSig:
    """Per-block signature used by the within-document detectors."""

    __slots__ = ("hash", "n_words", "shingles")

    def __init__(self, text: str, k: int):
        tokens = words(text)
        self.hash = text_hash(" ".join(tokens))
        self.n_words = len(tokens)
        self.shingles = shingle_hashes(tokens, k)


def sign_blocks(blocks, k: int) -> list[BlockSig]:
    """Signatures of every block of a document."""
    return [BlockSig(b.text, k) for b in blocks]
