"""Sign: normalized hashes and word shingles of blocks (and, for the corpus step, MinHash).

Normalization folds what a copy-paste or a template changes without changing
the text: Unicode compatibility forms, case, punctuation, symbols and runs of
white space. Two blocks with the same normalized hash are the same text.
"""
from __future__ import annotations

import re
import unicodedata
from itertools import chain
from operator import attrgetter

import numpy as np
import xxhash

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)


#: ASCII letters and digits kept (upper case folded), every other byte a separator: the ASCII fast path.
_ASCII_FOLD = bytes(
    (c + 32 if 65 <= c <= 90 else c) if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256)
)
#: The same fold for a batch of blocks, where a non-ASCII block is already normalized: its bytes are word
#: characters (lower-case ASCII letters, digits, bytes of multi-byte characters) and spaces, all kept.
_BATCH_FOLD = _ASCII_FOLD[:128] + bytes(range(128, 256))


def normalize(text: str) -> str:
    """Casefolded words of a text joined by single spaces (punctuation and symbols dropped)."""
    if text.isascii():  # NFKC and casefold change nothing but case in ASCII: bytes.translate does it all
        return " ".join(text.encode("ascii").translate(_ASCII_FOLD).decode("ascii").split())
    text = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", text).strip()


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values: `np.unique`, without its hash-table path that is several times slower here."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


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


def _power_table(base: int, n: int, row: int = 1024) -> np.ndarray:
    """base**i modulo 2**64 for i < n: rows of `row` powers times the powers of base**row (a running product
    over a million values is several times slower than this one multiply)."""
    def running(b: int, count: int) -> np.ndarray:
        table = np.empty(count, dtype=np.uint64)
        table[0] = 1
        table[1:] = np.uint64(b)
        return np.cumprod(table)

    with np.errstate(over="ignore"):
        return np.multiply.outer(running(pow(base, row, 1 << 64), -(-n // row)), running(base, row)).ravel()[:n]


#: P**i and P**-i modulo 2**64, made once per process for texts up to `_TABLE` bytes; longer texts are hashed
#: in pieces cut at spaces (a word's hash does not depend on where it sits).
_TABLE = 1 << 20
_tables: list[np.ndarray] = []


def _powers() -> tuple[np.ndarray, np.ndarray]:
    if not _tables:
        _tables.extend((_power_table(_P, _TABLE + 1), _power_table(_P_INV, _TABLE + 1)))
    return _tables[0], _tables[1]


def token_hashes(text: str) -> np.ndarray:
    """64-bit hash of every word of a normalized text (words separated by single spaces), in one numpy pass.

    A word's hash is fmix64 of the polynomial sum of its UTF-8 bytes (plus
    one), in powers of an odd constant, modulo 2**64: prefix sums give every
    word's sum at once. `token_hash` is the same function on one word.
    """
    return _text_hashes(np.frombuffer(text.encode("utf-8"), dtype=np.uint8))


def _text_hashes(data: np.ndarray) -> np.ndarray:
    """`token_hashes` of a normalized text's UTF-8 bytes."""
    if len(data) > _TABLE:  # a batch of documents, or one huge record: in pieces that end at a space
        pieces, start = [], 0
        while start < len(data):
            end = min(start + _TABLE, len(data))
            if end < len(data):
                cut = np.flatnonzero(data[start:end] == 32)
                end = start + int(cut[-1]) + 1 if len(cut) else end  # a 1 MiB word is cut: still a hash
            pieces.append(_token_hashes(data[start:end]))
            start = end
        return np.concatenate(pieces)
    return _token_hashes(data)


def _token_hashes(data: np.ndarray) -> np.ndarray:
    if not len(data):
        return np.empty(0, dtype=np.uint64)
    space = data == 32
    starts = np.flatnonzero(~space & np.concatenate(([True], space[:-1])))
    ends = np.flatnonzero(~space & np.concatenate((space[1:], [True]))) + 1
    return _word_hashes(data, starts, ends)


def _word_hashes(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The hash of each word data[starts[i]:ends[i]] (data no longer than the power tables)."""
    n = len(data)
    powers, inverse = _powers()
    with np.errstate(over="ignore"):
        terms = np.add(data, 1, dtype=np.uint64)
        np.multiply(terms, powers[:n], out=terms)
        if len(starts) and ends[-1] == n and (starts[1:] - ends[:-1] == 1).all():
            # Words separated by single spaces (a batch's normalized text): each word's sum is its run up
            # to the next word less the one space after it, a reduction cheaper than a prefix sum.
            h = np.add.reduceat(terms, starts)
            h[:-1] -= np.uint64(33) * powers[ends[:-1]]
        else:
            prefix = np.empty(n + 1, dtype=np.uint64)
            prefix[0] = 0
            np.cumsum(terms, out=prefix[1:])
            h = prefix[ends]
            h -= prefix[starts]
        h *= inverse[starts]
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
    return distinct(combine(token_hashes(" ".join(tokens)), k))


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
    def of(cls, norm: str, n_words: int, shingles: np.ndarray, hash: int | None = None) -> "BlockSig":
        """A signature from parts already computed (no second split or hash of the words)."""
        sig = cls.__new__(cls)
        sig.norm, sig.n_words, sig.shingles = norm, n_words, shingles
        sig.hash = text_hash(norm) if hash is None else hash
        return sig


class SignedText:
    """A document's blocks signed once: normalized texts, every word's hash, per-block shingles.

    The word hashes are computed once (for a whole batch of documents, see
    `sign_texts`) and then shared: the within-document detectors' shingles
    (`sigs`), the document MinHash (`doc_signatures`) and the short-block keys
    of the corpus step (`short_block_keys`) are all cut from them, so no word
    is hashed twice.
    """

    __slots__ = ("norms", "lengths", "tokens", "sigs")

    def __init__(self, norms: list[str], lengths: np.ndarray, tokens: np.ndarray, sigs: list[BlockSig]):
        self.norms, self.lengths, self.tokens, self.sigs = norms, lengths, tokens, sigs


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices start, start+1, ..., start+length-1 of every (start, length), concatenated."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    return np.repeat(np.asarray(starts, dtype=np.int64) - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)


def _whole(th: np.ndarray, starts: np.ndarray, lengths: np.ndarray, k: int) -> np.ndarray:
    """`combine(th[s:s+n], k)[0]` for every (s, n) with 0 < n < k: one shingle of all the words, vectorized."""
    acc = th[starts].copy()
    with np.errstate(over="ignore"):
        for j in range(1, k):
            more = lengths > j
            if not more.any():
                break
            acc[more] = (acc[more] * _M64) ^ th[starts[more] + j]
    return _fmix64(acc)


def _windows(th: np.ndarray, group_starts: np.ndarray, group_lengths: np.ndarray, k: int):
    """The k-word shingle hashes of each group of consecutive words in `th`, and the group of each.

    A group shorter than k gives one shingle of all its words (as `combine`);
    an empty group gives none. Shingles never cross from one group to the next.
    """
    lengths = np.asarray(group_lengths, dtype=np.int64)
    starts = np.asarray(group_starts, dtype=np.int64)
    counts = np.maximum(lengths - k + 1, 0)
    owner = np.repeat(np.arange(len(lengths)), counts)
    if counts.any():
        hashes = combine(th, k)[_ranges(starts, counts)]
    else:
        hashes = np.empty(0, dtype=np.uint64)
    short = np.flatnonzero((lengths > 0) & (lengths < k))
    if len(short):
        hashes = np.concatenate([hashes, _whole(th, starts[short], lengths[short], k)])
        owner = np.concatenate([owner, short])
    return hashes, owner


def _distinct(hashes: np.ndarray, owner: np.ndarray, groups: int):
    """Hashes made distinct within each owner and sorted by (owner, hash); the bounds of each owner's run."""
    # One sort of (owner, top bits of the hash) packed in 64 bits: several times cheaper than lexsort.
    # Two different hashes of one owner agreeing on all those bits (odds about 2**-40) could then sit out
    # of order: that is checked, and only then does the exact two-key sort run.
    bits = max(1, int(groups).bit_length())
    order = None
    if bits <= 24:
        packed = (owner.astype(np.uint64) << np.uint64(64 - bits)) | (hashes >> np.uint64(bits))
        order = np.argsort(packed)
        p, h = packed[order], hashes[order]
        if ((p[1:] == p[:-1]) & (h[1:] < h[:-1])).any():
            order = None
        else:
            owner = (p >> np.uint64(64 - bits)).astype(np.int64)
    if order is None:
        order = np.lexsort((hashes, owner))
        h, owner = hashes[order], owner[order]
    keep = np.empty(len(h), dtype=bool)
    keep[:1] = True
    np.not_equal(h[1:], h[:-1], out=keep[1:])
    keep[1:] |= owner[1:] != owner[:-1]
    bounds = np.zeros(groups + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner[keep], minlength=groups), out=bounds[1:])
    return h[keep], bounds


def normalize_batch(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`normalize` of many texts at once: the UTF-8 of the non-empty results joined by single spaces, and the
    (start, end) of every word in it and of each text's normalized form.

    ASCII texts (most blocks, even of a page with a few curly quotes) are folded
    by one `bytes.translate` of the whole batch and their words found in numpy,
    rather than split and joined one by one; only the others go through
    `normalize`. Returns (bytes uint8[], word bounds int64[words, 2], first
    word of each text, words of each text).
    """
    pieces = list(texts)
    others = np.flatnonzero(~np.fromiter(map(str.isascii, texts), dtype=bool, count=len(texts))).tolist()
    for i in others:
        pieces[i] = normalize(texts[i])
    sizes = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))  # in bytes: ASCII ...
    for i in others:
        sizes[i] = len(pieces[i].encode("utf-8"))  # ... or not
    data = np.frombuffer("\n".join(pieces).encode("utf-8").translate(_BATCH_FOLD), dtype=np.uint8)
    word = np.empty(len(data) + 2, dtype=np.int8)  # a byte of a word, between two non-word bytes
    word[0] = word[-1] = 0
    np.not_equal(data, 32, out=word[1:-1])
    edges = np.flatnonzero(word[1:] != word[:-1])  # a word's start, its end, the next one's start...
    starts, ends = edges[0::2], edges[1::2]
    first = np.cumsum(sizes + 1) - (sizes + 1)  # each text's first byte ("\n" between them)
    first_word = np.searchsorted(starts, first)
    lengths = np.searchsorted(starts, first + sizes) - first_word
    # The normalized bytes: every word, and the one space after each word but the last.
    keep = word[1:-1].view(bool)
    keep[ends[:-1]] = True
    sizes = ends - starts
    spans = np.empty((len(starts), 2), dtype=np.int64)  # of the words in the normalized bytes
    spans[:, 1] = np.cumsum(sizes + 1) - 1
    spans[:, 0] = spans[:, 1] - sizes
    return data[keep], spans, first_word, lengths


def sign_texts(block_lists: list, k: int) -> list[SignedText]:
    """`SignedText` of each document of a batch: the words of the whole batch are hashed in one numpy pass.

    Per-document numpy calls would cost more than the hashing itself on short
    documents: every step here runs once per batch, whatever its size.
    """
    texts = [b.text for blocks in block_lists for b in blocks]
    data, words, first, lengths = normalize_batch(texts)
    # What `token_hashes` of the joined normalized texts gives (over 1 MiB, the same pieces as it cuts).
    th = _word_hashes(data, words[:, 0], words[:, 1]) if len(data) <= _TABLE else _text_hashes(data)
    hashes, owner = _windows(th, first, lengths, k)
    hashes, bounds = _distinct(hashes, owner, len(texts))
    bounds = bounds.tolist()
    # Each block's normalized text, as bytes: the span from its first word's start to its last word's end.
    nonempty = lengths > 0
    start, end = np.zeros(len(texts), dtype=np.int64), np.zeros(len(texts), dtype=np.int64)
    start[nonempty] = words[first[nonempty], 0]
    end[nonempty] = words[first[nonempty] + lengths[nonempty] - 1, 1]
    joined = data.tobytes()
    raw = [joined[x:y] for x, y in zip(start.tolist(), end.tolist())]
    norms = list(map(bytes.decode, raw))
    block_hashes = list(map(xxhash.xxh3_64_intdigest, raw))
    counts = lengths.tolist()
    shingles = [hashes[x:y] for x, y in zip(bounds, bounds[1:])]
    sigs = list(map(BlockSig.of, norms, counts, shingles, block_hashes))
    out, b = [], 0
    for blocks in block_lists:
        e = b + len(blocks)
        t = int(first[b]) if e > b else 0
        size = int(sum(counts[b:e]))
        out.append(SignedText(norms[b:e], lengths[b:e], th[t : t + size], sigs[b:e]))
        b = e
    return out


def sign_text(blocks, k: int) -> SignedText:
    """`SignedText` of one document."""
    return sign_texts([blocks], k)[0]


def sign_blocks(blocks, k: int) -> list[BlockSig]:
    """Signatures of every block of a document (see `SignedText`)."""
    return sign_text(blocks, k).sigs


# --- corpus signatures -------------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")
#: Salts that keep the three kinds of block keys (exact text, digits folded, MinHash band) apart.
_SALT_EXACT, _SALT_SHAPE, _SALT_BAND = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9
_HASH = attrgetter("hash")
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
        return distinct(np.fromiter((h(s) for s in shingles), dtype=np.uint32, count=len(shingles)))

    def token_base_hashes(self, text: str, k: int) -> np.ndarray:
        """Distinct 32-bit base hashes of the k-word shingles of a normalized text (`shingle_base_hash` of each)."""
        return distinct((combine(token_hashes(text), k) >> np.uint64(32)).astype(np.uint32))

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


#: ASCII digits to "0", then each run of zeros to one: a batch's numbers folded by a translate and a search for
#: a literal byte, rather than by testing every character against \d as `fold_digits` does.
_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_ZEROS = re.compile(b"0+")


def fold_digits_batch(normalized: list[str]) -> list[str]:
    """`fold_digits` of each of many normalized texts (which hold no line break)."""
    if not normalized:
        return []
    joined = "\n".join(normalized).encode("utf-8").translate(_TO_ZERO)  # a multi-byte character has no byte < 128
    folded = _ZEROS.sub(b"0", joined).decode("utf-8").split("\n")
    # \d is Unicode: a text in another script may hold other digits, which folding it again folds too
    # (its ASCII numbers, each a "0" by now, stay "0").
    for j in np.flatnonzero(~np.fromiter(map(str.isascii, folded), dtype=bool, count=len(folded))).tolist():
        folded[j] = fold_digits(folded[j])
    return folded


def _batch_tokens(signed: list[SignedText]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The word hashes of a batch's documents end to end; per block its first word there and its words; and
    each document's first block."""
    lengths = np.concatenate([s.lengths for s in signed]) if signed else np.empty(0, dtype=np.int64)
    th = np.concatenate([s.tokens for s in signed]) if signed else np.empty(0, dtype=np.uint64)
    blocks = np.cumsum([0] + [len(s.norms) for s in signed])
    return th, np.cumsum(lengths) - lengths, lengths, blocks


def doc_signatures(signed: list[SignedText], bodies: list[list[int]], hasher: MinHasher, k: int):
    """Document MinHashes of a batch: per document, over the k-word shingles of its `bodies` blocks.

    Returns (signatures uint32[n, num_perm], distinct shingles per document,
    words per body). Each row equals `hasher.signature(hasher.token_base_hashes(body, k))`
    (and so datasketch's MinHash with `shingle_base_hash`), computed for the
    whole batch at once, a bounded number of shingles per numpy step.
    """
    n = len(signed)
    th, starts, lengths, blocks = _batch_tokens(signed)
    chosen = np.fromiter(chain.from_iterable(bodies), dtype=np.int64)  # body blocks, as indices in the batch
    chosen += np.repeat(blocks[:-1], [len(body) for body in bodies])
    words = np.concatenate(([0], np.cumsum(lengths[chosen])))
    sizes = np.diff(words[np.cumsum([0] + [len(body) for body in bodies])])  # words per body
    if len(chosen) != len(lengths) or (chosen != np.arange(len(chosen))).any():  # else every body is its page
        th = th[_ranges(starts[chosen], lengths[chosen])]
    hashes, owner = _windows(th, np.cumsum(sizes) - sizes, sizes, k)
    # Distinct 32-bit base hashes per document: one sort of (document, hash) packed in 64 bits.
    packed = distinct((owner.astype(np.uint64) << np.uint64(32)) | (hashes >> np.uint64(32)))
    base = (packed & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    bounds = np.searchsorted(packed >> np.uint64(32), np.arange(n + 1, dtype=np.uint64))
    counts = np.diff(bounds)
    sigs = np.full((n, hasher.num_perm), 0xFFFFFFFF, dtype=np.uint32)
    mixed = _fmix32(base)
    # Permutations along the rows, documents along the columns, in steps of at most _ROWS shingles (one
    # document may exceed it alone) written into one buffer: small enough to stay in cache between the
    # multiply, the add and the minimum, which is what this costs.
    buffer = np.empty(hasher.num_perm * _ROWS, dtype=np.uint32)
    ends = bounds[1:].tolist()
    first = 0
    while first < n:
        last = first + 1
        while last < n and ends[last] - bounds[first] <= _ROWS:
            last += 1
        lo, hi = int(bounds[first]), int(bounds[last])
        docs = first + np.flatnonzero(counts[first:last])  # a document without shingles keeps 2**32-1
        if len(docs):
            step = buffer[: hasher.num_perm * (hi - lo)].reshape(hasher.num_perm, hi - lo) if hi - lo <= _ROWS else None
            with np.errstate(over="ignore"):
                step = np.multiply(hasher.a[:, None], mixed[None, lo:hi], out=step)
                step += hasher.b[:, None]
            sigs[docs] = np.minimum.reduceat(step, bounds[docs] - lo, axis=1).T
        first = last
    return sigs, counts, sizes


#: Shingles per numpy step of `doc_signatures`: its (num_perm x rows) buffer, 2 MB at 128 permutations, stays
#: in the cache (a bigger one, written and read three times over, spends its time in memory).
_ROWS = 1 << 12


def short_block_keys(
    signed: SignedText, hasher: "MinHasher", rows: int, min_band_words: int, max_words: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keys under which the short blocks of one document are counted across the corpus (see `block_keys`)."""
    return block_keys([signed], hasher, rows, min_band_words, max_words)[0]


def block_keys(
    signed: list[SignedText], hasher: MinHasher, rows: int, min_band_words: int, max_words: int
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Keys under which the short blocks of each document of a batch are counted across the corpus.

    Per block of at most `max_words` words: its normalized text, that text with
    numbers folded, and (for blocks of at least `min_band_words` words) the band
    keys of its MinHash over word pairs, which near variants share. Per
    document: (keys, block of each key, kind of each key: 0 text, 1 digits
    folded, 2 band), the text keys block by block first, then the band keys.
    The band MinHashes of the whole batch are one numpy step.
    """
    th, starts, lengths, blocks = _batch_tokens(signed)
    doc = np.repeat(np.arange(len(signed)), np.diff(blocks))  # of each block of the batch
    short = np.flatnonzero((lengths > 0) & (lengths <= max_words))
    # Text keys, two slots per short block: its text, and its text with numbers folded (when it has any).
    text = np.zeros((len(short), 2), dtype=np.uint64)
    sigs = chain.from_iterable(s.sigs for s in signed)
    text[:, 0] = np.fromiter(map(_HASH, sigs), dtype=np.uint64, count=len(lengths))[short]
    text[:, 0] ^= np.uint64(_SALT_EXACT)
    used = np.zeros((len(short), 2), dtype=bool)
    used[:, 0] = True
    norms = list(chain.from_iterable(s.norms for s in signed))
    norms = [norms[i] for i in short.tolist()]
    # Numbers folded in one pass over the batch (normalized texts hold no line break to cross); a text
    # without numbers has no folded key, which would only repeat the exact one.
    folded = fold_digits_batch(norms)
    changed = [j for j, (norm, fold) in enumerate(zip(norms, folded)) if norm != fold]
    text[changed, 1] = np.fromiter((xxhash.xxh3_64_intdigest(folded[j].encode("utf-8")) for j in changed),
                                   dtype=np.uint64, count=len(changed))
    text[changed, 1] ^= np.uint64(_SALT_SHAPE)
    used[changed, 1] = True
    text_owner = np.repeat(short, 2).reshape(-1, 2)[used]
    text_kind = np.tile(np.array([0, 1], dtype=np.uint8), len(short)).reshape(-1, 2)[used]
    text = text[used]
    band = short[lengths[short] >= min_band_words]
    bk = np.empty((0, 0), dtype=np.uint64)
    if len(band):
        words = lengths[band]  # the short blocks' words only: pairs of theirs, not of the whole batch
        pairs, owner = _windows(th[_ranges(starts[band], words)], np.cumsum(words) - words, words, 2)
        order = np.argsort(owner, kind="stable")  # a one-word block's single "pair" comes last from _windows
        pairs, owner = pairs[order], owner[order]
        base = (pairs >> np.uint64(32)).astype(np.uint32)
        with np.errstate(over="ignore"):
            permuted = hasher.a[:, None] * _fmix32(base)[None, :] + hasher.b[:, None]  # (perms, pairs): see doc_signatures
        # A repeated pair in a block does not change its minimum: no need to make the pairs distinct.
        bk = band_keys(np.ascontiguousarray(np.minimum.reduceat(permuted, np.searchsorted(owner, np.arange(len(band))),
                                                                axis=1).T), rows)
    bands = bk.shape[1] if bk.size else 0
    # Per document: its text keys block by block, then its band keys (a stable sort by document keeps both orders).
    owner = np.concatenate([text_owner, np.repeat(band, bands)])
    order = np.argsort(doc[owner], kind="stable")
    keys = np.concatenate([text, bk.ravel()])[order]
    kind = np.concatenate([text_kind, np.full(len(band) * bands, 2, dtype=np.uint8)])[order]
    owner = owner[order]
    edges = np.searchsorted(doc[owner], np.arange(len(signed) + 1)).tolist()
    owner = (owner - blocks[doc[owner]]).astype(np.int32)  # the block's index in its document
    return [(keys[p:q], owner[p:q], kind[p:q]) for p, q in zip(edges, edges[1:])]
