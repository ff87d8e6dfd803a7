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


# --- corpus signatures -------------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")
#: Salts that keep the three kinds of block keys (exact text, digits folded, MinHash band) apart.
_SALT_EXACT, _SALT_SHAPE, _SALT_BAND = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9
_U32 = np.uint32
_FMIX32 = (_U32(16), _U32(0x85EBCA6B), _U32(13), _U32(0xC2B2AE35), _U32(16))


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it before its affine permutations."""
    s1, m1, s2, m2, s3 = _FMIX32
    h = h ^ (h >> s1)
    h = h * m1
    h = h ^ (h >> s2)
    h = h * m2
    return h ^ (h >> s3)


def shingles(tokens: list[str], k: int) -> list[bytes]:
    """The k-word shingles of a token list as UTF-8 bytes (fewer than k tokens: one shingle of them all)."""
    if not tokens:
        return []
    if len(tokens) <= k:
        return [" ".join(tokens).encode("utf-8")]
    return [" ".join(tokens[i : i + k]).encode("utf-8") for i in range(len(tokens) - k + 1)]


class MinHasher:
    """MinHash in numpy, equal value for value to datasketch's.

    `signature(shingles)` equals ``datasketch.MinHash(num_perm, seed,
    hashfunc=xxhash.xxh32_intdigest)`` after ``update_batch(shingles)`` (the
    default affine32 scheme), so a signature can be wrapped as a `LeanMinHash`
    and mixed with datasketch's own; computing it here saves the per-object
    overhead when millions are made.
    """

    def __init__(self, num_perm: int, seed: int):
        gen = np.random.RandomState(seed)  # same draws, in the same order, as datasketch
        self.num_perm, self.seed = num_perm, seed
        self.a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * _U32(2) + _U32(1)
        self.b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)

    def hashes(self, shingles: list[bytes]) -> np.ndarray:
        """Distinct 32-bit base hashes (xxh32) of shingles."""
        h = xxhash.xxh32_intdigest
        return np.unique(np.fromiter((h(s) for s in shingles), dtype=np.uint32, count=len(shingles)))

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """The num_perm minimum permuted hashes of a set of base hashes (all 2**32-1 when empty)."""
        if not len(hashes):
            return np.full(self.num_perm, 0xFFFFFFFF, dtype=np.uint32)
        with np.errstate(over="ignore"):
            mixed = _fmix32(hashes.astype(np.uint32, copy=False))[:, None]
            return (mixed * self.a + self.b).min(axis=0)

    def lean(self, signature: np.ndarray):
        """A datasketch LeanMinHash holding this signature."""
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.seed, hashvalues=signature.astype(np.uint32), scheme="affine32")


def band_keys(signatures: np.ndarray, rows: int) -> np.ndarray:
    """One 64-bit key per band of `rows` consecutive values: shape (n, num_perm // rows)."""
    n, p = signatures.shape
    bands = p // rows
    sig = signatures[:, : bands * rows].astype(np.uint64).reshape(n, bands, rows)
    key = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            # A multiply-xorshift mix per row: two bands collide only if their rows are equal
            # (up to a 2**-64 accident), without building Python tuples.
            key = (key ^ sig[:, :, r]) * np.uint64(0x9E3779B97F4A7C15)
            key ^= key >> np.uint64(29)
        key += np.arange(bands, dtype=np.uint64) * np.uint64(_SALT_BAND)  # bands never match each other
    return key


def fold_digits(normalized: str) -> str:
    """A normalized text with every number replaced by 0: '© 2023 The Post' and '© 2024 The Post' agree."""
    return _DIGITS.sub("0", normalized)


def short_block_keys(
    norms: list[str], hasher: "MinHasher", rows: int, min_band_words: int, max_words: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keys under which the short blocks of one document are counted across the corpus.

    Per block of at most `max_words` words: its normalized text, that text with
    numbers folded, and (for blocks of at least `min_band_words` words) the band
    keys of its MinHash over word pairs, which near variants share. Returns
    (keys, block of each key, kind of each key: 0 text, 1 digits folded, 2 band).
    All blocks of a document are hashed in one numpy step.
    """
    keys: list[int] = []
    owner: list[int] = []
    kind: list[int] = []
    grams: list[bytes] = []
    gram_owner: list[int] = []
    h64 = xxhash.xxh3_64_intdigest
    for i, norm in enumerate(norms):
        if not norm:
            continue
        tokens = norm.split()
        if len(tokens) > max_words:
            continue
        keys.append(h64(norm.encode("utf-8")) ^ _SALT_EXACT)
        keys.append(h64(fold_digits(norm).encode("utf-8")) ^ _SALT_SHAPE)
        owner += (i, i)
        kind += (0, 1)
        if len(tokens) >= min_band_words:
            g = shingles(tokens, 2)
            grams.extend(g)
            gram_owner.extend([i] * len(g))
    if grams:
        h32 = xxhash.xxh32_intdigest
        base = np.fromiter((h32(g) for g in grams), dtype=np.uint32, count=len(grams))
        go = np.array(gram_owner, dtype=np.int64)
        starts = np.flatnonzero(np.concatenate(([True], go[1:] != go[:-1])))
        with np.errstate(over="ignore"):
            permuted = _fmix32(base)[:, None] * hasher.a + hasher.b
        # A repeated pair in a block does not change its minimum: no need to make the pairs distinct.
        sigs = np.minimum.reduceat(permuted, starts, axis=0)
        bk = band_keys(sigs, rows)
        keys.extend(bk.ravel().tolist())
        owner.extend(np.repeat(go[starts], bk.shape[1]).tolist())
        kind.extend([2] * bk.size)
    return (np.array(keys, dtype=np.uint64), np.array(owner, dtype=np.int32), np.array(kind, dtype=np.uint8))
