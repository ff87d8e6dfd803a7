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


#: ASCII letters and digits kept (upper case folded), every other byte a separator: the ASCII fast path.
_ASCII_FOLD = bytes(
    (c + 32 if 65 <= c <= 90 else c) if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256)
)


def normalize(text: str) -> str:
    """Casefolded words of a text joined by single spaces (punctuation and symbols dropped)."""
    if text.isascii():  # NFKC and casefold change nothing but case in ASCII: bytes.translate does it all
        return " ".join(text.encode("ascii").translate(_ASCII_FOLD).decode("ascii").split())
    text = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """The normalized words of a text."""
    n = normalize(text)
    return n.split() if n else []


def text_hash(normalized: str) -> int:
    """64-bit hash of a normalized text (xxh3: fast and stable across runs and machines)."""
    return xxhash.xxh3_64_intdigest(normalized.encode("utf-8"))


_M64 = np.uint64(0x9E3779B97F4A7C15)
_MASK = (1 << 64) - 1


def _fmix64(h: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint64(33))
        h = h * np.uint64(0xFF51AFD7ED558CCD)
        h = h ^ (h >> np.uint64(33))
        h = h * np.uint64(0xC4CEB9FE1A85EC53)
        return h ^ (h >> np.uint64(33))


_P = 0x100000001B3  # odd, so invertible modulo 2**64
_P_INV = pow(_P, -1, 1 << 64)


def _power_table(base: int, n: int) -> np.ndarray:
    table = np.empty(n, dtype=np.uint64)
    table[0] = 1
    table[1:] = np.uint64(base)
    with np.errstate(over="ignore"):
        return np.cumprod(table)  # base**i, wrapping modulo 2**64


#: P**i and P**-i modulo 2**64 for texts up to 64 KiB (constants; longer texts compute their own).
_TABLE = 1 << 16
_POWERS, _INVERSES = _power_table(_P, _TABLE), _power_table(_P_INV, _TABLE)


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    if n <= _TABLE:
        return _POWERS, _INVERSES
    return _power_table(_P, n), _power_table(_P_INV, n)


def token_hashes(text: str) -> np.ndarray:
    """64-bit hash of every word of a normalized text (words separated by single spaces), in one numpy pass.

    A word's hash is fmix64 of the polynomial sum of its UTF-8 bytes (plus
    one), in powers of an odd constant, modulo 2**64: prefix sums give every
    word's sum at once. `token_hash` is the same function on one word.
    """
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    if not len(data):
        return np.empty(0, dtype=np.uint64)
    n = len(data)
    space = data == 32
    starts = np.flatnonzero(~space & np.concatenate(([True], space[:-1])))
    ends = np.flatnonzero(~space & np.concatenate((space[1:], [True]))) + 1
    powers, inverse = _powers(n + 1)
    with np.errstate(over="ignore"):
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum((data.astype(np.uint64) + np.uint64(1)) * powers[:n], out=prefix[1:])
        h = (prefix[ends] - prefix[starts]) * inverse[starts]
        h ^= (ends - starts).astype(np.uint64) << np.uint64(56)
    return _fmix64(h)


def token_hash(word: bytes) -> int:
    """The hash `token_hashes` gives one word."""
    acc = 0
    for j, c in enumerate(word):
        acc = (acc + (c + 1) * pow(_P, j, 1 << 64)) & _MASK
    acc ^= (len(word) << 56) & _MASK
    return int(_fmix64(np.array([acc], dtype=np.uint64))[0])


def combine(th: np.ndarray, k: int) -> np.ndarray:
    """64-bit hashes of the k-token shingles from token hashes (fewer than k tokens: one shingle of them all).

    A shingle's hash is built from its tokens' hashes in numpy rather than by
    hashing the joined text, so a document costs one hash call per word, not
    one string join and hash per shingle. `shingle_hash` is the same function
    on a shingle's text.
    """
    if not len(th):
        return np.empty(0, dtype=np.uint64)
    k = min(k, len(th))
    n = len(th) - k + 1
    acc = th[:n].copy()
    with np.errstate(over="ignore"):
        for j in range(1, k):
            acc = (acc * _M64) ^ th[j : j + n]
    return _fmix64(acc)


def shingle_hash(shingle: bytes) -> int:
    """The 64-bit hash `combine` gives a shingle, from its text (words separated by single spaces)."""
    acc = 0
    for i, word in enumerate(shingle.split(b" ")):
        h = token_hash(word)
        acc = h if i == 0 else ((acc * 0x9E3779B97F4A7C15) & _MASK) ^ h
    return int(_fmix64(np.array([acc], dtype=np.uint64))[0])


def shingle_base_hash(shingle: bytes) -> int:
    """The 32-bit base hash a document MinHash gives a shingle (pass as datasketch's `hashfunc`)."""
    return shingle_hash(shingle) >> 32


def shingle_hashes(tokens: list[str], k: int) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the k-word shingles (a text shorter than k is one shingle)."""
    return np.unique(combine(token_hashes(" ".join(tokens)), k))


class BlockSig:
    """Per-block signature used by the within-document detectors (and its normalized text, for corpus lookups)."""

    __slots__ = ("hash", "n_words", "shingles", "norm")

    def __init__(self, text: str, k: int, norm: str | None = None, shingles: np.ndarray | None = None):
        self.norm = normalize(text) if norm is None else norm
        tokens = self.norm.split() if self.norm else []
        self.hash = text_hash(self.norm)
        self.n_words = len(tokens)
        self.shingles = shingle_hashes(tokens, k) if shingles is None else shingles

    @classmethod
    def of(cls, norm: str, n_words: int, shingles: np.ndarray) -> "BlockSig":
        """A signature from parts already computed (no second split or hash of the words)."""
        sig = cls.__new__(cls)
        sig.norm, sig.n_words, sig.shingles = norm, n_words, shingles
        sig.hash = text_hash(norm)
        return sig


class SignedText:
    """A document's blocks signed once: normalized texts, every word's hash, per-block shingles.

    The word hashes of the whole document are computed in one numpy pass and
    then shared: the within-document detectors' shingles (`sigs`), the
    document MinHash (`body_hashes`) and the short-block keys of the corpus
    step (`short_block_keys`) are all cut from them, so no word is hashed twice.
    """

    __slots__ = ("norms", "lengths", "starts", "tokens", "sigs")

    def __init__(self, blocks, k: int):
        self.norms = norms = [normalize(b.text) for b in blocks]
        self.lengths = lengths = np.fromiter(
            (n.count(" ") + 1 if n else 0 for n in norms), dtype=np.int64, count=len(norms)
        )
        self.starts = starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(lengths) else lengths
        self.tokens = th = token_hashes(" ".join(n for n in norms if n))
        full = combine(th, k) if len(th) >= k else np.empty(0, dtype=np.uint64)
        # Shingle i starts at token i; it belongs to a block if its k tokens all do.
        counts = np.maximum(lengths - k + 1, 0)
        total = int(counts.sum())
        owner = np.repeat(np.arange(len(lengths)), counts)
        pos = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total)
        hashes = full[pos] if total else np.empty(0, dtype=np.uint64)
        short = np.flatnonzero((lengths > 0) & (lengths < k))
        if len(short):  # a block shorter than k is one shingle of all its words
            extra = np.array([combine(th[starts[i] : starts[i] + lengths[i]], k)[0] for i in short], dtype=np.uint64)
            hashes, owner = np.concatenate([hashes, extra]), np.concatenate([owner, short])
        order = np.lexsort((hashes, owner))
        hashes, owner = hashes[order], owner[order]
        distinct = np.ones(len(hashes), dtype=bool)
        distinct[1:] = (hashes[1:] != hashes[:-1]) | (owner[1:] != owner[:-1])
        hashes, owner = hashes[distinct], owner[distinct]
        bounds = np.searchsorted(owner, np.arange(len(norms) + 1)).tolist()
        words = lengths.tolist()
        self.sigs = [BlockSig.of(norm, words[i], hashes[bounds[i] : bounds[i + 1]]) for i, norm in enumerate(norms)]

    def tokens_of(self, which: list[int]) -> np.ndarray:
        """The word hashes of some blocks, in order, as if their normalized texts were joined by spaces."""
        if len(which) == len(self.norms):
            return self.tokens
        if not which:
            return np.empty(0, dtype=np.uint64)
        starts, lengths = self.starts[which], self.lengths[which]
        idx = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(int(lengths.sum()))
        return self.tokens[idx]


def sign_blocks(blocks, k: int) -> list[BlockSig]:
    """Signatures of every block of a document (see `SignedText`)."""
    return SignedText(blocks, k).sigs


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

    ``signature(hashes(shingles))`` equals ``datasketch.MinHash(num_perm, seed,
    hashfunc=xxhash.xxh32_intdigest)`` after ``update_batch(shingles)`` (the
    default affine32 scheme), and ``signature(token_base_hashes(tokens, k))``
    equals it with ``hashfunc=shingle_base_hash``; so a signature can be wrapped
    as a `LeanMinHash` and mixed with datasketch's own. Computing it here saves
    the per-object overhead when millions are made.
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

    def token_base_hashes(self, text: str, k: int) -> np.ndarray:
        """Distinct 32-bit base hashes of the k-word shingles of a normalized text (`shingle_base_hash` of each)."""
        return np.unique((combine(token_hashes(text), k) >> np.uint64(32)).astype(np.uint32))

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
    norms: list[str], hasher: "MinHasher", rows: int, min_band_words: int, max_words: int,
    signed: SignedText | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keys under which the short blocks of one document are counted across the corpus.

    Per block of at most `max_words` words: its normalized text, that text with
    numbers folded, and (for blocks of at least `min_band_words` words) the band
    keys of its MinHash over word pairs, which near variants share. Returns
    (keys, block of each key, kind of each key: 0 text, 1 digits folded, 2 band).
    All blocks of a document are hashed in one numpy step (none at all when
    `signed`, the document's `SignedText`, already holds its words' hashes).
    """
    keys: list[int] = []
    owner: list[int] = []
    kind: list[int] = []
    band_texts: list[str] = []
    band_blocks: list[tuple[int, int]] = []
    h64 = xxhash.xxh3_64_intdigest
    for i, norm in enumerate(norms):
        if not norm:
            continue
        n = norm.count(" ") + 1
        if n > max_words:
            continue
        keys.append((signed.sigs[i].hash if signed is not None else h64(norm.encode("utf-8"))) ^ _SALT_EXACT)
        owner.append(i)
        kind.append(0)
        folded = fold_digits(norm)
        if folded != norm:  # without numbers the folded key would only repeat the exact one
            keys.append(h64(folded.encode("utf-8")) ^ _SALT_SHAPE)
            owner.append(i)
            kind.append(1)
        if n >= min_band_words:
            band_blocks.append((i, n))
            band_texts.append(norm)
    if band_blocks:
        if signed is not None:
            th = signed.tokens_of([i for i, _ in band_blocks])
        else:
            th = token_hashes(" ".join(band_texts))
        pairs = combine(th, 2)  # word pairs, across block ends too: those are cut out below
        base = (pairs >> np.uint64(32)).astype(np.uint32)
        lengths = np.array([n for _, n in band_blocks])
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        keep = np.ones(len(base), dtype=bool)
        keep[(starts + lengths - 1)[:-1]] = False  # the pair made of one block's last word and the next's first
        base = base[keep]
        with np.errstate(over="ignore"):
            permuted = _fmix32(base)[:, None] * hasher.a + hasher.b
        # A repeated pair in a block does not change its minimum: no need to make the pairs distinct.
        sigs = np.minimum.reduceat(permuted, starts - np.arange(len(band_blocks)), axis=0)
        bk = band_keys(sigs, rows)
        keys.extend(bk.ravel().tolist())
        owner.extend(np.repeat([i for i, _ in band_blocks], bk.shape[1]).tolist())
        kind.extend([2] * bk.size)
    return (np.array(keys, dtype=np.uint64), np.array(owner, dtype=np.int32), np.array(kind, dtype=np.uint8))
