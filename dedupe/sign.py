"""Sign: normalized hashes and word shingles of blocks (and, for the corpus step, MinHash).

Normalization folds what a copy-paste or a template changes without changing
the text: Unicode compatibility forms, case, punctuation, symbols and runs of
white space. Two blocks with the same normalized hash are the same text.
Normalizing, word hashes and shingles run in the compiled core (sign.rs),
one call per batch of blocks; the MinHash and block keys below are numpy.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import chain

import numpy as np
import xxhash

from . import _core
from .segment import Segmented


def normalize(text: str) -> str:
    """Casefolded words of a text joined by single spaces (punctuation and symbols dropped): in the core."""
    return _core.normalize(text)


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


def utf8_hash(data: bytes) -> int:
    """`text_hash` of the text whose UTF-8 bytes these are, without decoding or encoding it."""
    return xxhash.xxh3_64_intdigest(data)


_U64 = np.dtype("<u8")
_I64 = np.dtype("<i8")


def token_hashes(text: str) -> np.ndarray:
    """64-bit hash of every word of a normalized text (words separated by spaces), from the core.

    A word's hash is fmix64 of the polynomial sum of its UTF-8 bytes (plus
    one), in powers of an odd constant, modulo 2**64 (sign.rs); `token_hash`
    is the same function on one word.
    """
    return np.frombuffer(_core.token_hashes(text), dtype=_U64)


def token_hash(word: bytes) -> int:
    """The hash `token_hashes` gives one word."""
    return _core.word_hash(word)


def combine(th: np.ndarray, k: int) -> np.ndarray:
    """64-bit hashes of the k-token shingles from token hashes (fewer than k tokens: one shingle of them all).

    A shingle's hash is built from its tokens' hashes rather than by hashing
    the joined text, so a document costs one hash call per word. `shingle_hash`
    is the same function on a shingle's text.
    """
    return np.frombuffer(_core.combine(np.ascontiguousarray(th, dtype=_U64).tobytes(), k), dtype=_U64)


def shingle_hash(shingle: bytes) -> int:
    """The 64-bit hash `combine` gives a shingle, from its text (words separated by single spaces)."""
    return _core.shingle_hash(shingle)


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

    __slots__ = ("norms", "lengths", "tokens", "_sigs", "hashes", "shingles", "counts")

    def __init__(self, norms: list[str], lengths: np.ndarray, tokens: np.ndarray, sigs: list[BlockSig] | None,
                 hashes: np.ndarray, shingles: np.ndarray, counts: np.ndarray):
        self.norms, self.lengths, self.tokens, self._sigs = norms, lengths, tokens, sigs
        # The blocks' normalized hashes, shingles end to end and shingles per block, as arrays: the repeat
        # detectors read them in one core call for a batch, with no Python object per block.
        self.hashes, self.shingles, self.counts = hashes, shingles, counts

    @property
    def sigs(self) -> list[BlockSig]:
        """A `BlockSig` per block, made from the columns when first asked for: pass 1's usual page reads the
        columns only (a page with repeats, whose detectors read blocks one by one, and the API ask for these)."""
        if self._sigs is None:
            bounds = [0, *np.cumsum(self.counts).tolist()]
            shingles = self.shingles
            self._sigs = list(map(BlockSig.of, self.norms, self.lengths.tolist(),
                                  [shingles[x:y] for x, y in zip(bounds, bounds[1:])], self.hashes.tolist()))
        return self._sigs


class SignedBatch(list):
    """The `SignedText`s of a batch signed together, and the batch's block columns end to end (`columns`: the
    normalized hashes, words, shingles and shingles per block), which the repeat detectors read as they are,
    and its word hashes end to end (`tokens`), which the block keys and the document MinHash read as they are, as
    the block keys read its blocks' normalized texts (`norms`)."""

    columns: tuple[np.ndarray, ...] = ()
    tokens: np.ndarray | None = None
    norms: Sequence[str] | None = None  # the blocks' normalized texts end to end (a `_core.Texts`)


def signed_of(sigs: list[BlockSig]) -> SignedText:
    """A `SignedText` holding only what the repeat detectors read, from block signatures made one by one."""
    return SignedText([], np.fromiter((s.n_words for s in sigs), _I64, len(sigs)), np.empty(0, _U64), sigs,
                      np.fromiter((s.hash for s in sigs), _U64, len(sigs)),
                      np.concatenate([s.shingles for s in sigs]).astype(_U64) if sigs else np.empty(0, _U64),
                      np.fromiter((len(s.shingles) for s in sigs), _I64, len(sigs)))


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices start, start+1, ..., start+length-1 of every (start, length), concatenated."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    return np.repeat(np.asarray(starts, dtype=np.int64) - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)


def _windows(th: np.ndarray, group_starts: np.ndarray, group_lengths: np.ndarray, k: int):
    """The k-word shingle hashes of each group of consecutive words in `th`, and the group of each (core).

    First every group's full windows, group by group; then one shingle of all
    the words of each group shorter than k (an empty group gives none).
    Shingles never cross from one group to the next.
    """
    hashes, owner = _core.windows(np.ascontiguousarray(th, dtype=_U64).tobytes(),
                                  np.ascontiguousarray(group_starts, dtype=_I64).tobytes(),
                                  np.ascontiguousarray(group_lengths, dtype=_I64).tobytes(), k)
    return np.frombuffer(hashes, dtype=_U64), np.frombuffer(owner, dtype=_I64)


def sign_texts(block_lists, k: int) -> SignedBatch:
    """`SignedText` of each document of a batch: the blocks of the whole batch are signed in one core call
    (normalized, every word hashed, each block's distinct k-word shingles, its normalized hash)."""
    if isinstance(block_lists, Segmented):  # a batch as `segment_batch` made it: its blocks' texts end to end
        texts, sizes = block_lists.texts, block_lists.counts
    else:
        texts, sizes = [b.text for blocks in block_lists for b in blocks], [len(blocks) for blocks in block_lists]
    norms, lengths, th, hashes, bounds, block_hashes = _core.sign_blocks(texts, k)
    lengths = np.frombuffer(lengths, dtype=_I64)
    th = np.frombuffer(th, dtype=_U64)
    hashes = np.frombuffer(hashes, dtype=_U64)
    bounds = np.frombuffer(bounds, dtype=_I64)
    block_hashes = np.frombuffer(block_hashes, dtype=_U64)
    per_block = np.diff(bounds)
    # (a document's first block, its first word and its first shingle in the batch's columns)
    firsts = [0, *np.cumsum(sizes).tolist()]
    words = [0, *np.cumsum(lengths).tolist()]
    out = SignedBatch()
    out.columns, out.tokens, out.norms = (block_hashes, lengths, hashes, per_block), th, norms
    bounds = bounds.tolist()
    for b, e in zip(firsts, firsts[1:]):
        out.append(SignedText(norms[b:e], lengths[b:e], th[words[b] : words[e]], None, block_hashes[b:e],
                              hashes[bounds[b]:bounds[e]], per_block[b:e]))
    return out


def sign_text(blocks, k: int) -> SignedText:
    """`SignedText` of one document."""
    return sign_texts([blocks], k)[0]


def sign_blocks(blocks, k: int) -> list[BlockSig]:
    """Signatures of every block of a document (see `SignedText`)."""
    return sign_text(blocks, k).sigs


# --- corpus signatures -------------------------------------------------------------------------

def shingles(tokens: list[str], k: int) -> list[bytes]:
    """The k-word shingles of a token list as UTF-8 bytes (fewer than k tokens: one shingle of them all)."""
    if not tokens:
        return []
    if len(tokens) <= k:
        return [" ".join(tokens).encode("utf-8")]
    return [" ".join(tokens[i : i + k]).encode("utf-8") for i in range(len(tokens) - k + 1)]


def mt19937_draws(seed: int, n: int) -> list[int]:
    """The first n 32-bit outputs of MT19937 seeded as `numpy.random.RandomState(seed)` seeds it: datasketch
    draws its permutations with `randint(0, 2**31)` (an output's low 31 bits) and `randint(0, 2**32)` (an output)
    from such a generator. Python's `random` runs the same generator, set to the seeded state: importing
    numpy.random took 6 ms of a run's start, before any file was read."""
    state = [seed & 0xFFFFFFFF]
    for i in range(1, 624):  # init_genrand
        state.append((1812433253 * (state[-1] ^ (state[-1] >> 30)) + i) & 0xFFFFFFFF)
    gen = random.Random()
    gen.setstate((3, (*state, 624), None))
    return [gen.getrandbits(32) for _ in range(n)]


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
        draws = mt19937_draws(seed, 2 * num_perm)  # the draws datasketch's permutations take, in its order
        self.num_perm, self.seed = num_perm, seed
        low31 = np.array(draws[:num_perm], dtype=np.uint32) & np.uint32(0x7FFFFFFF)
        self.a = low31 * np.uint32(2) + np.uint32(1)
        self.b = np.array(draws[num_perm:], dtype=np.uint32)
        self._a, self._b = self.a.astype("<u4").tobytes(), self.b.astype("<u4").tobytes()  # as the core takes them

    def hashes(self, shingles: list[bytes]) -> np.ndarray:
        """Distinct 32-bit base hashes (xxh32) of shingles."""
        h = xxhash.xxh32_intdigest
        return distinct(np.fromiter((h(s) for s in shingles), dtype=np.uint32, count=len(shingles)))

    def token_base_hashes(self, text: str, k: int) -> np.ndarray:
        """Distinct 32-bit base hashes of the k-word shingles of a normalized text (`shingle_base_hash` of each)."""
        return distinct((combine(token_hashes(text), k) >> np.uint64(32)).astype(np.uint32))

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """The num_perm minimum permuted hashes of a set of base hashes (all 2**32-1 when empty), in the core."""
        base = np.ascontiguousarray(hashes, dtype="<u4").tobytes()
        return np.frombuffer(_core.minhash_signature(base, self._a, self._b), dtype="<u4")

    def groups(self, th: np.ndarray, sizes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Per group of consecutive word hashes (`sizes` words each, in order): the signature of the distinct
        top 32 bits of its k-word shingle hashes (`signature(token_base_hashes(...))`), and how many there
        are; in the core, one call for every group."""
        sigs, counts = _core.minhash_groups(np.ascontiguousarray(th, dtype=_U64).tobytes(),
                                            np.ascontiguousarray(sizes, dtype=_I64).tobytes(), k,
                                            self._a, self._b)
        return np.frombuffer(sigs, dtype="<u4").reshape(len(sizes), self.num_perm), np.frombuffer(counts, dtype=_I64)

    def lean(self, signature: np.ndarray):
        """A datasketch LeanMinHash holding this signature."""
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.seed, hashvalues=signature.astype(np.uint32), scheme="affine32")


def band_keys(signatures: np.ndarray, rows: int) -> np.ndarray:
    """One 64-bit key per band of `rows` consecutive values: shape (n, num_perm // rows), from the core (a
    multiply-xorshift mix per value, so two bands collide only if their values are equal, plus a salt per band)."""
    n, p = signatures.shape
    keys = _core.band_keys(np.ascontiguousarray(signatures, dtype="<u4").tobytes(), n, p, rows)
    return np.frombuffer(keys, dtype=_U64).reshape(n, p // rows)


def _batch_tokens(signed: list[SignedText]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The word hashes of a batch's documents end to end; per block its first word there and its words; and
    each document's first block."""
    if getattr(signed, "tokens", None) is not None:  # a whole batch as `sign_texts` made it: not joined again
        lengths, th = signed.columns[1], signed.tokens
    elif len(signed) == 1:  # a batch of one large document: no copy of its word hashes
        lengths, th = signed[0].lengths, signed[0].tokens
    else:
        lengths = np.concatenate([s.lengths for s in signed]) if signed else np.empty(0, dtype=np.int64)
        th = np.concatenate([s.tokens for s in signed]) if signed else np.empty(0, dtype=np.uint64)
    blocks = np.cumsum([0] + [len(s.norms) for s in signed])
    return th, np.cumsum(lengths) - lengths, lengths, blocks


def doc_signatures(signed: list[SignedText], bodies: list[list[int]], hasher: MinHasher, k: int):
    """Document MinHashes of a batch: per document, over the k-word shingles of its `bodies` blocks.

    Returns (signatures uint32[n, num_perm], distinct shingles per document,
    words per body). Each row equals `hasher.signature(hasher.token_base_hashes(body, k))`
    (and so datasketch's MinHash with `shingle_base_hash`), computed for the
    whole batch in one core call.
    """
    blocks = np.cumsum([0] + [len(s.norms) for s in signed])
    per_body = [len(body) for body in bodies]
    chosen = np.fromiter(chain.from_iterable(bodies), dtype=np.int64)  # body blocks, as indices in the batch
    chosen += np.repeat(blocks[:-1], per_body)
    return body_signatures(signed, chosen, per_body, hasher, k)


def body_signatures(signed: list[SignedText], chosen: np.ndarray, per_body, hasher: MinHasher, k: int):
    """`doc_signatures` of bodies given as the batch's blocks end to end: `chosen`, the body blocks as indices into
    the batch's blocks (a document's in order, the documents in order), and `per_body`, how many each document
    has (as pass 1 decides them for a batch, `pipeline._signing_bodies`)."""
    th, starts, lengths, _ = _batch_tokens(signed)
    words = np.concatenate(([0], np.cumsum(lengths[chosen])))
    bounds = np.zeros(len(per_body) + 1, np.int64)
    np.cumsum(np.asarray(per_body, np.int64), out=bounds[1:])
    sizes = np.diff(words[bounds])  # words per body
    if len(chosen) != len(lengths) or (chosen != np.arange(len(chosen))).any():  # else every body is its page
        th = th[_ranges(starts[chosen], lengths[chosen])]
    sigs, counts = hasher.groups(th, sizes, k)
    return sigs, counts, sizes


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
    The whole batch is one core call (keys.rs).
    """
    if getattr(signed, "norms", None) is not None:  # a whole batch as `sign_texts` made it: read in place
        norms = signed.norms
    else:
        norms = list(chain.from_iterable(s.norms for s in signed))
    hashes = np.concatenate([s.hashes for s in signed]) if signed else np.empty(0, _U64)
    th, _, lengths, blocks = _batch_tokens(signed)
    keys, owner, kind, bounds = _core.block_keys(
        norms, hashes.tobytes(), np.ascontiguousarray(lengths, dtype=_I64).tobytes(),
        np.ascontiguousarray(th, dtype=_U64).tobytes(), np.diff(blocks).astype(_I64).tobytes(), hasher._a,
        hasher._b, rows, min_band_words, max_words)
    keys, owner = np.frombuffer(keys, dtype=_U64), np.frombuffer(owner, dtype="<i4")
    kind = np.frombuffer(kind, dtype=np.uint8)
    bounds = np.frombuffer(bounds, dtype=_I64).tolist()
    return [(keys[p:q], owner[p:q], kind[p:q]) for p, q in zip(bounds, bounds[1:])]
