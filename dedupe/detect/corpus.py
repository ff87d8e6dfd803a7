"""The corpus step: duplicate documents and template text, found over compact signatures of every document.

Pass 1 turns each document into a `DocSig` (a MinHash of its article body,
a few sizes, and 64-bit keys of its short blocks). `build_corpus` sees them
all, holds only numpy arrays, and returns a `Corpus`: which document
duplicates which, and which block keys recur across a source. Pass 2 asks the
`Corpus` about each document as it cleans it again.

Duplicate documents, in four steps:

1. **Band keys, grouped by sorting.** Each band of `doc_band_rows` MinHash
   values becomes a 64-bit key; per band the keys are argsorted, and documents
   that share a key are candidates (each paired with the first of its run and
   with its predecessor, which links the run without listing all its pairs).
   On a Dask cluster the same grouping runs on the workers, one bucket of
   keys at a time (`band_buckets`, `bucket_pairs`, `merge_pairs`).
2. **Confirm every pair** on its estimated Jaccard (share of equal MinHash
   values), or on containment for a truncated copy: estimated shared shingles
   over the smaller set, only if the smaller holds at least `doc_size_ratio`
   of the larger (a brief quoting an article is not a copy of it).
3. **Union-find** over confirmed pairs gives components.
4. **Stars, not chains.** Inside a component, documents are taken in keep
   order (first by path, or longest first); each joins the best survivor it
   is itself confirmed against, or becomes a survivor. Every removed document
   is confirmed against the very document it is a duplicate of, so a chain
   A~B~C never removes C for resembling A through B.

Template text (`corpus-repeat`): a short block's keys (its normalized text,
that text with numbers folded where a letter is left, and MinHash band keys
over its word pairs for near variants) are counted once per duplicate cluster, per source (top folder,
or URL host when known). A key recurring in at least `min_corpus_docs`
clusters and at least `min_corpus_share` of its source's documents is template
text. Counting per cluster keeps the paragraphs of syndicated copies from
looking like templates; the absolute floor keeps a quote shared by two
articles; and a block between two long paragraphs (inside the article, where
template text rarely sits) must be in `corpus_inline_share` of its source's
documents ("Advertisement" in every page), so that a stock sentence some
articles share ("X did not respond to a request for comment.") stays. On a
Dask cluster the keys are counted on the workers, one bucket at a time
(`key_buckets`, `count_source_keys`, `merge_keys`).
"""
from __future__ import annotations

import copy
from array import array
from dataclasses import dataclass
from itertools import chain
from typing import Callable

import numpy as np

from .. import _core
from ..config import Config
from ..names import Names
from ..decide import INTS, Found, template_found
from ..sign import band_keys, distinct

_MIX = np.uint64(0xBF58476D1CE4E5B9)
#: The derived-copy signature of a document when that check is off: no column at all in the table.
_NO_DERIVED = np.empty(0, np.uint32)
#: Block keys counted per sort in the corpus step: bounds its temporaries (about 95 bytes a key: 190 MB).
_KEYS_PER_BUCKET = 1 << 21
#: Signature values handed to the core per candidate-pairs call (a few bands' columns): bounds the copies.
_PAIR_BYTES = 32 << 20
#: Pairs confirmed per numpy step: bounds the temporary (chunk x num_perm) comparison array.
_CHUNK = 1 << 16
#: Components of duplicates up to this size have all their pairs compared at once (`cluster`).
_STAR_MEMBERS = 32


@dataclass(frozen=True)
class DocSig:
    """Pass 1's view of one document: no text, only what the corpus step needs."""

    id: str
    source: str
    n_lines: int
    size: int  # words in the signed body (keep longest)
    n_shingles: int
    signature: np.ndarray  # uint32[num_perm]
    keys: np.ndarray  # uint64 keys of the short blocks (corpus-repeat)
    whole: bool = False  # signed by its whole page: its prose does not stand for it (see `pipeline._body`)
    derived: np.ndarray | None = None  # uint32[num_perm] MinHash of its body's 3-grams (derived copies), if on
    n_derived: int = 0  # distinct 3-grams in it

    def __reduce__(self):
        # A batch's DocSigs are pickled into the run's state file and, from a pool worker, back to the main
        # process: their arrays as raw bytes (bytearrays, so they load writable) with their types cost about
        # two thirds of numpy's own pickling (2,000 documents of the 10k corpus, their batches' results pickled
        # and loaded: 6.0 and 5.4 µs a document with numpy's, 3.7 and 3.6 with this).
        return (_doc_sig, (self.id, self.source, self.n_lines, self.size, self.n_shingles, *_raw(self.signature),
                           *_raw(self.keys), self.whole, *_raw(self.derived), self.n_derived))


def _raw(array: np.ndarray | None) -> tuple:
    """An array as (its bytes, its type), or (None, None)."""
    return (None, None) if array is None else (bytearray(np.ascontiguousarray(array)), array.dtype.str)


def _array(data: bytearray | None, dtype: str | None) -> np.ndarray | None:
    return None if data is None else np.frombuffer(data, dtype)


def _doc_sig(id, source, n_lines, size, n_shingles, signature, sig_type, keys, key_type, whole, derived,
             derived_type, n_derived) -> DocSig:
    """A DocSig from its pickled form (see `DocSig.__reduce__`)."""
    # (its fields set at once: a frozen dataclass's __init__ sets them one by one, through object.__setattr__)
    sig = object.__new__(DocSig)
    sig.__dict__.update(id=id, source=source, n_lines=n_lines, size=size, n_shingles=n_shingles,
                        signature=_array(signature, sig_type), keys=_array(keys, key_type), whole=whole,
                        derived=_array(derived, derived_type), n_derived=n_derived)
    return sig


@dataclass(frozen=True)
class Duplicate:
    """A removed duplicate document: the kept one, its line count, the similarity and how it was measured.

    `run` names the earlier run (`--against`) the kept document belongs to; empty for this run's own.
    """

    kept: str
    kept_lines: int
    score: float
    how: str
    run: str = ""


class SigColumns:
    """A batch's DocSigs as columns: what a pass-1 worker hands the main process, which appends them to the
    corpus table as they are (`SigTable.extend`). A DocSig a document was unpickled, added and stacked again
    there one by one, about 12 µs a document of the main process's time while the workers ran (10k benchmark
    corpus); its files' documents are `SigRun`s over these."""

    __slots__ = ("ids", "sources", "n_lines", "size", "n_shingles", "whole", "n_derived", "key_counts",
                 "signatures", "derived", "keys", "key_bounds")

    def __init__(self, ids: list[str], sources: list[str], n_lines, size, n_shingles, whole, n_derived, key_counts,
                 signatures: np.ndarray, derived: np.ndarray, keys: np.ndarray):
        self.ids, self.sources = ids, sources
        # (the corpus table's types: uint32 counts, bool `whole`)
        self.n_lines, self.size, self.n_shingles, self.n_derived, self.key_counts = (
            np.asarray(a, np.uint32) for a in (n_lines, size, n_shingles, n_derived, key_counts))
        self.whole = np.asarray(whole, bool)
        self.signatures, self.derived, self.keys = signatures, derived, keys
        self.key_bounds = np.concatenate(([0], np.cumsum(self.key_counts, dtype=np.int64))).tolist()

    @classmethod
    def of(cls, sigs: list[DocSig]) -> "SigColumns":
        """The columns of these DocSigs, in their order (as `SigTable.add` would hold them)."""
        return cls([s.id for s in sigs], [s.source for s in sigs], [s.n_lines for s in sigs], [s.size for s in sigs],
                   [s.n_shingles for s in sigs], [s.whole for s in sigs], [s.n_derived for s in sigs],
                   [len(s.keys) for s in sigs],
                   np.stack([s.signature for s in sigs]) if sigs else np.empty((0, 0), np.uint32),
                   np.stack([s.derived if s.derived is not None else _NO_DERIVED for s in sigs]) if sigs
                   else np.empty((0, 0), np.uint32),
                   np.concatenate([s.keys for s in sigs]) if sigs else np.empty(0, np.uint64))

    def __len__(self) -> int:
        return len(self.ids)

    def __reduce__(self):
        # The arrays as raw bytes with their types and shapes (as DocSig's: numpy's own pickling costs more).
        arrays = (self.n_lines, self.size, self.n_shingles, self.whole, self.n_derived, self.key_counts,
                  self.signatures, self.derived, self.keys)
        return (_sig_columns, (self.ids, self.sources, *(_raw(a) + (a.shape,) for a in arrays)))

    def doc_sig(self, i: int) -> DocSig:
        """Document i's DocSig."""
        sig = object.__new__(DocSig)
        derived = self.derived[i] if self.derived.shape[1:] != (0,) else None
        sig.__dict__.update(id=self.ids[i], source=self.sources[i], n_lines=int(self.n_lines[i]),
                            size=int(self.size[i]), n_shingles=int(self.n_shingles[i]), signature=self.signatures[i],
                            keys=self.keys[self.key_bounds[i] : self.key_bounds[i + 1]], whole=bool(self.whole[i]),
                            derived=derived, n_derived=int(self.n_derived[i]))
        return sig


def _sig_columns(ids, sources, *arrays) -> SigColumns:
    """SigColumns from their pickled form (`SigColumns.__reduce__`)."""
    return SigColumns(ids, sources, *(_array(data, dtype).reshape(shape) for data, dtype, shape in arrays))


class SigRun:
    """Documents [start, stop) of a batch's SigColumns (a file's): a sequence of DocSigs, each made when asked
    for (a file in pieces names its documents one by one; the Dask engine sends them), or appended as columns
    (`SigTable.extend`)."""

    __slots__ = ("columns", "start", "stop")

    def __init__(self, columns: SigColumns, start: int, stop: int):
        self.columns, self.start, self.stop = columns, start, stop

    def __len__(self) -> int:
        return self.stop - self.start

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return [self[j] for j in range(start, stop, step)]
            return SigRun(self.columns, self.start + start, self.start + max(start, stop))
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"document {i} of {n}")
        return self.columns.doc_sig(self.start + (i + n if i < 0 else i))

    def __iter__(self):
        return (self.columns.doc_sig(i) for i in range(self.start, self.stop))


class SigTable:
    """DocSigs gathered into column arrays (what the corpus step holds in memory)."""

    def __init__(self, num_perm: int):
        self.num_perm = num_perm
        self.ids = Names()  # one buffer, not a string per document (see dedupe.names)
        #: Each document's source as its number in `source_names` (in order of first appearance): a few
        #: thousand sources, 4 bytes a document.
        self.sources = array("i")
        self.source_names: dict[str, int] = {}
        #: The few bytes a document (n_lines, size, n_shingles, whole, n_derived, key counts), 4096 at a time.
        self._parts: list[tuple] = []
        #: The hundreds of bytes a document, in large blocks (see `_Blocks`).
        self._derived = _Blocks(np.uint32)  # (n, num_perm) when the derived-copy check is on, else (n, 0)
        self._sigs, self._keys = _Blocks(np.uint32, (num_perm,)), _Blocks(np.uint64, ())
        self._pending: list[DocSig] = []

    def add(self, sig: DocSig, doc_id: str | None = None) -> None:
        """Add one document, named `doc_id` if given (else its own id)."""
        self.ids.append(sig.id if doc_id is None else doc_id)
        self.sources.append(self.source_names.setdefault(sig.source, len(self.source_names)))
        self._pending.append(sig)
        if len(self._pending) >= 4096:
            self._flush()

    def extend(self, runs: list) -> None:
        """Add the documents of each run in order: a SigRun's appended as columns (runs that follow each other in
        one batch's columns at once), anything else (DocSigs) one by one."""
        i = 0
        while i < len(runs):
            run = runs[i]
            i += 1
            if not isinstance(run, SigRun):
                for sig in run:
                    self.add(sig)
                continue
            stop = run.stop
            while i < len(runs) and isinstance(runs[i], SigRun) and runs[i].columns is run.columns \
                    and runs[i].start == stop:
                stop = runs[i].stop
                i += 1
            self._append(run.columns, run.start, stop)

    def _append(self, c: SigColumns, a: int, b: int) -> None:
        """Documents [a, b) of a batch's columns, as `add` of each would hold them."""
        if b <= a:
            return
        self._flush()  # (documents added one by one before these)
        self.ids.extend(c.ids[a:b])
        names = self.source_names
        self.sources.extend([names.setdefault(source, len(names)) for source in c.sources[a:b]])
        self._parts.append((c.n_lines[a:b], c.size[a:b], c.n_shingles[a:b], c.whole[a:b], c.n_derived[a:b],
                            c.key_counts[a:b]))
        self._derived.append(c.derived[a:b])
        self._sigs.append(c.signatures[a:b])
        self._keys.append(c.keys[c.key_bounds[a] : c.key_bounds[b]])

    def _flush(self) -> None:
        p = self._pending
        if not p:
            return
        self._parts.append(
            (
                np.array([s.n_lines for s in p], dtype=np.uint32),
                np.array([s.size for s in p], dtype=np.uint32),
                np.array([s.n_shingles for s in p], dtype=np.uint32),
                np.array([s.whole for s in p], dtype=bool),
                np.array([s.n_derived for s in p], dtype=np.uint32),
                # Each document's count of keys, not each key's document: 4 bytes a document, not 4 a key (33 a
                # document in the benchmark corpus); np.repeat spreads a per-document column over the keys.
                np.array([len(s.keys) for s in p], dtype=np.uint32),
            )
        )
        self._derived.append(np.stack([s.derived if s.derived is not None else _NO_DERIVED for s in p]))
        self._sigs.append(np.stack([s.signature for s in p]))
        self._keys.append(np.concatenate([s.keys for s in p]))
        self._pending = []

    def truncate(self, n: int) -> None:
        """Forget the documents from number n on (a file in pieces whose later piece could not be read)."""
        self._flush()
        self.ids.truncate(n)
        del self.sources[n:]  # (a source seen only past n keeps its number: `source_numbers` counts again)
        parts, base, keys = [], 0, 0
        for part in self._parts:
            rows = len(part[0])
            if base + rows <= n:
                parts.append(part)
                keys += int(part[5].sum())
            elif base < n:
                parts.append(tuple(c[: n - base] for c in part))
                keys += int(part[5][: n - base].sum())
            base += rows
        self._parts = parts
        self._derived.truncate(n)
        self._sigs.truncate(n)
        self._keys.truncate(keys)

    def source_numbers(self) -> tuple[dict[str, int], np.ndarray]:
        """Each source's number, counted in order of first appearance among the documents held, and each
        document's source as that number (int32)."""
        codes = np.frombuffer(self.sources, dtype=np.int32) if len(self.sources) else np.empty(0, np.int32)
        held, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        rank = np.empty(len(held), dtype=np.int32)
        rank[np.argsort(first, kind="stable")] = np.arange(len(held), dtype=np.int32)
        name = {code: source for source, code in self.source_names.items()}
        by_rank = sorted(zip(rank.tolist(), held.tolist()))
        return {name[code]: r for r, code in by_rank}, rank[inverse.reshape(-1)]

    def arrays(self) -> tuple[np.ndarray, ...]:
        """(n_lines, size, n_shingles, whole, n_derived, derived, signatures, block keys, key counts), concatenated.

        The block keys are in document order; document i holds `key counts[i]` of them.
        """
        self._flush()
        if not self._parts:
            return (
                np.empty(0, np.uint32), np.empty(0, np.uint32), np.empty(0, np.uint32), np.empty(0, bool),
                np.empty(0, np.uint32), np.empty((0, 0), np.uint32),
                np.empty((0, self.num_perm), np.uint32), np.empty(0, np.uint64), np.empty(0, np.uint32),
            )
        small = [np.concatenate(c) for c in zip(*self._parts)]
        self._parts = []
        return (*small[:5], self._derived.join(), self._sigs.join(), self._keys.join(), small[5])


class _Blocks:
    """A column that grows by rows, held in blocks of at least 64 MB each filled in place.

    A block that large is its own memory map (glibc serves any request over 32 MB so), so it goes back to the
    system when freed, and its pages are resident only once written. Thousands of small pieces instead (a
    piece per 4096 documents) land in the heap between other objects, and once joined and freed they stayed
    resident: at 600k documents the signatures were held twice over, 300 MB of them dead.
    """

    BLOCK_BYTES = 64 << 20

    def __init__(self, dtype, row: tuple[int, ...] | None = None):
        self.dtype = np.dtype(dtype)
        self.blocks: list[np.ndarray] = []
        self.fill = 0  # rows written in the last block
        self.row = row  # the shape of a row; if None, the first rows appended give it

    def __len__(self) -> int:
        return sum(len(b) for b in self.blocks[:-1]) + self.fill

    def append(self, rows: np.ndarray) -> None:
        """Add rows (an array of them) at the end."""
        if self.row is None:
            self.row = rows.shape[1:]
        at = 0
        while at < len(rows):
            if not self.blocks or self.fill == len(self.blocks[-1]):
                width = self.dtype.itemsize * int(np.prod(self.row, dtype=np.int64))
                self.blocks.append(np.empty((max(1, self.BLOCK_BYTES // max(width, 1)),) + self.row, self.dtype))
                self.fill = 0
            block = self.blocks[-1]
            take = min(len(rows) - at, len(block) - self.fill)
            block[self.fill : self.fill + take] = rows[at : at + take]
            self.fill += take
            at += take

    def truncate(self, n: int) -> None:
        """Forget the rows from row n on."""
        kept = 0
        for i, block in enumerate(self.blocks):
            if kept + len(block) >= n:
                self.blocks = self.blocks[: i + 1]
                self.fill = n - kept
                return
            kept += len(block)

    def join(self) -> np.ndarray:
        """Every row in one array; the blocks are let go as they are copied (the column is never held twice).
        A column in one block is that block's rows, not a copy (its pages past them were never written, so
        never resident): at 10k documents the copies were 12 ms of the corpus step."""
        if len(self.blocks) == 1:
            out = self.blocks.pop()[: self.fill]
            self.fill = 0
            return out
        out = np.empty((len(self),) + (self.row if self.row is not None else (0,)), self.dtype)
        at, fill = 0, self.fill
        self.blocks.reverse()
        while self.blocks:
            block = self.blocks.pop()
            take = fill if not self.blocks else len(block)
            out[at : at + take] = block[:take]
            at += take
            del block
        self.fill = 0
        return out


class Corpus:
    """The corpus step's answers, looked up by pass 2: duplicates and template block keys."""

    def __init__(self, config: Config, ids: list[str], n_lines: np.ndarray, dup_of: np.ndarray,
                 dup_score: np.ndarray, dup_how: np.ndarray, source_of: dict[str, int], source_docs: np.ndarray,
                 freq_keys: np.ndarray, freq_df: np.ndarray, clusters: list[dict], stats: dict,
                 earlier=None, earlier_match: tuple | None = None, source_ids: np.ndarray | None = None):
        self.config = config
        self.ids = ids
        self.n_lines = n_lines
        self.dup_of = dup_of
        self.dup_score = dup_score
        self.dup_how = dup_how
        self.source_of = source_of
        self.source_docs = source_docs
        self.freq_keys = freq_keys
        self.freq_df = freq_df
        self.clusters = clusters
        self.stats = stats
        #: Earlier runs' signatures (`--against`, an `against.Earlier`) and, per document of this run, the
        #: earlier document it duplicates (-1: none), the similarity and how it was measured.
        self.earlier = earlier
        self.earlier_of, self.earlier_score, self.earlier_how = earlier_match or (None, None, None)
        #: Per document, the first copy of the cluster it heads (-1: it heads none): under --keep none the head
        #: goes too, naming that copy; --annotate names a head's cluster.
        self.first_copy = first_copies(dup_of)
        #: Per document (pass-1 order), its source's number in `source_of` (int32, 4 bytes a document): pass 2
        #: looks a whole batch's template keys up at once, before it has read the batch's files again.
        self.source_ids = source_ids

    def shipped(self) -> "Corpus":
        """The answers as pass 2's workers read them, to be sent to them: without the clusters and the stats,
        which only the report takes (the clusters are most of the pickle that is not per document)."""
        out = copy.copy(self)
        out.clusters, out.stats = [], {}
        return out

    def duplicate(self, index: int) -> Duplicate | None:
        """If document `index` (pass-1 order) is a removed duplicate: what it duplicates.

        A copy of an earlier run's document (`--against`) names that one;
        else a copy names the head of its cluster; under --keep none the head
        names its cluster's first copy.
        """
        if self.earlier_of is not None and (e := int(self.earlier_of[index])) >= 0:
            return Duplicate(self.earlier.ids[e], int(self.earlier.n_lines[e]), float(self.earlier_score[index]),
                             "containment" if self.earlier_how[index] else "jaccard", self.earlier.run_of(e))
        j = int(self.dup_of[index])
        if j >= 0:
            return Duplicate(self.ids[j], int(self.n_lines[j]), float(self.dup_score[index]),
                             MEASURES[int(self.dup_how[index])])
        if self.config.keep == "none" and (c := int(self.first_copy[index])) >= 0:
            return Duplicate(self.ids[c], int(self.n_lines[c]), float(self.dup_score[c]), "keep-none")
        return None

    def duplicated(self, indices: list[int]) -> list[bool]:
        """Per document (pass-1 `indices`) whether it is a removed duplicate (`duplicate` is not None), at once."""
        at = np.asarray(indices, np.int64)
        out = self.dup_of[at] >= 0
        if self.earlier_of is not None:
            out |= self.earlier_of[at] >= 0
        if self.config.keep == "none":
            out |= self.first_copy[at] >= 0
        return out.tolist()

    def cluster_of(self, index: int) -> dict | None:
        """The duplicate cluster of document `index`, if it is in one: its name (the head: the document kept,
        or under --keep none the first in keep order), the kept document (None under --keep none) and, for
        a copy of an earlier run's document, that run."""
        j = int(self.dup_of[index])
        head = j if j >= 0 else index if self.first_copy[index] >= 0 else -1
        # A copy of an earlier run's document, or of a head that is one: the cluster is that document's.
        for doc in (index, head):
            if doc >= 0 and self.earlier_of is not None and (e := int(self.earlier_of[doc])) >= 0:
                return {"name": self.earlier.ids[e], "kept": self.earlier.ids[e], "run": self.earlier.run_of(e)}
        if head < 0:
            return None
        return {"name": self.ids[head], "kept": None if self.config.keep == "none" else self.ids[head]}

    def template_findings(self, index: int, analysis, config: Config) -> Found:
        """Corpus-repeat findings for the blocks of document `index` (pass-1 order), from its pass-1 `Analysis`
        keys, as columns (`decide.Found`): `templates_of` for one document."""
        return self.templates_of([index], [analysis], config)[0]

    def templates_of(self, indices: list[int], analyses: list, config: Config) -> list[Found]:
        """Corpus-repeat findings of many documents (pass-1 `indices`, their `Analysis`es), one `Found` each.

        One lookup of all their keys at once: per document, numpy on its few dozen keys cost about 30 µs,
        most of it numpy's per-call overhead.
        """
        if not len(self.freq_keys) or not indices:
            return [_NO_TEMPLATES] * len(indices)
        counts = np.fromiter((len(a.keys) for a in analyses), np.int64, len(analyses))
        if not counts.any():
            return [_NO_TEMPLATES] * len(indices)
        n_blocks = np.fromiter((len(a.long) for a in analyses), np.int64, len(analyses))
        return self.templates_of_columns(
            indices, counts, np.concatenate([a.keys for a in analyses]), np.concatenate([a.owner for a in analyses]),
            np.concatenate([a.kind for a in analyses]), n_blocks,
            np.fromiter(chain.from_iterable(a.long for a in analyses), bool, int(n_blocks.sum())),
            np.fromiter((len(a.findings.labels) for a in analyses), np.int64, len(analyses)), config)

    def templates_of_columns(self, indices: list[int], counts: np.ndarray, keys: np.ndarray, owner: np.ndarray,
                             kind: np.ndarray, n_blocks: np.ndarray, long: np.ndarray, n_labels: np.ndarray,
                             config: Config) -> list[Found]:
        """`templates_of` from the documents' columns end to end (pass 2 takes them from the scratch file, with
        no `Analysis` made): per document its keys, then all their keys, the block and the kind of each, per
        document its blocks, per block whether it is long (`Analysis.long`), per document its findings' labels."""
        if not len(self.freq_keys) or not indices or not counts.any():
            return [_NO_TEMPLATES] * len(indices)
        doc = np.repeat(np.arange(len(indices)), counts)
        sids = self.source_ids[np.asarray(indices, np.int64)]
        keys = _mix_source(keys, sids[doc])
        pos = np.searchsorted(self.freq_keys, keys)
        np.minimum(pos, len(self.freq_keys) - 1, out=pos)
        hit = np.flatnonzero(self.freq_keys[pos] == keys)
        if not len(hit):
            return [_NO_TEMPLATES] * len(indices)
        # Each block's first hit decides (keys come block by block, text before digits before bands), even when
        # it is then left out.
        doc, df = doc[hit], self.freq_df[pos[hit]]
        block = owner[hit].astype(np.int64)
        kind = kind[hit].astype(np.int64)
        first_block = np.cumsum(n_blocks) - n_blocks
        wide = np.int64(int(n_blocks.max()) + 1)
        _, first = np.unique(doc * wide + block, return_index=True)
        first.sort()
        doc, df, block, kind = doc[first], df[first], block[first], kind[first]
        total = np.maximum(self.source_docs[sids[doc]], 1).astype(np.float64)
        # Between two article paragraphs: a stock sentence of the article, unless nearly everywhere.
        n = n_blocks[doc]
        at = first_block[doc] + block
        inner = (block > 0) & (block < n - 1)
        inline = inner & long[np.where(inner, at - 1, 0)] & long[np.where(inner, at + 1, 0)]
        keep = ~(inline & (df < config.corpus_inline_share * total))
        doc, df, block, kind, total = doc[keep], df[keep], block[keep], kind[keep], total[keep]
        scores = np.minimum(1.0, df / total)
        offsets = n_labels[doc]
        ints = np.zeros((len(doc), INTS), "<i8")
        ints[:, 0], ints[:, 1], ints[:, 2], ints[:, 4] = block, offsets, offsets + 1 + kind, -1
        ints_bytes, score_bytes = ints.tobytes(), scores.astype("<f8").tobytes()
        bounds = np.searchsorted(doc, np.arange(len(indices) + 1)).tolist()
        labels = _NO_TEMPLATES.labels
        return [Found(labels, ints_bytes[a * 8 * INTS : b * 8 * INTS], score_bytes[a * 8 : b * 8])
                for a, b in zip(bounds, bounds[1:])]


#: The detector of a corpus-repeat finding, by the kind of the key that matched (see `Analysis.kind`).
_TEMPLATE_DETECTORS = ("corpus-repeat:exact", "corpus-repeat:digits", "corpus-repeat:near")
_NO_TEMPLATES = template_found([], _TEMPLATE_DETECTORS, [], [], "corpus-repeat", 0)


def source_of(doc) -> str:
    """Where a document comes from: its URL's host when the reader knows it, else its top folder."""
    host = doc.get("host")
    if not host and doc.get("url"):
        from urllib.parse import urlsplit

        host = urlsplit(doc.get("url")).hostname
    if host:
        return host.lower()
    path = doc.id.split("#", 1)[0]
    return path.split("/", 1)[0] if "/" in path else ""


def doc_sig(doc, signature: np.ndarray, n_shingles: int, size: int, keys: np.ndarray, whole: bool = False) -> DocSig:
    """Pass 1's signature of one document (see `sign.doc_signatures` and `sign.block_keys`)."""
    return doc_sigs([doc], [signature], [n_shingles], [size], [keys], [whole])[0]


def doc_sigs(docs: list, signatures, n_shingles, sizes, keys: list[np.ndarray], whole: list[bool]) -> list[DocSig]:
    """`doc_sig` of each document of a batch: its `doc_columns`' DocSigs."""
    columns = doc_columns(docs, signatures, n_shingles, sizes, keys, whole)
    return [columns.doc_sig(i) for i in range(len(docs))]


def doc_columns(docs: list, signatures, n_shingles, sizes, keys: list[np.ndarray], whole: list[bool],
                lines: list[int] | None = None) -> SigColumns:
    """A batch's DocSigs as the columns pass 1 hands the main process (`SigColumns.of` of them), made with no
    DocSig made (a DocSig a document made, then stacked into columns again, cost about 4 µs a document of the
    10k benchmark corpus); their keys made distinct in one sort for the batch (numpy on each document's few dozen
    keys cost about 4 µs a document). lines: per document its number of lines, if the core counted them as
    it segmented (`Segmented.lines`; counting them on a Python string that is not all ASCII cost about 1% of
    pass 1)."""
    counts = np.fromiter(map(len, keys), np.int64, len(keys))
    flat = np.concatenate(keys) if keys else np.empty(0, np.uint64)
    doc = np.repeat(np.arange(len(keys)), counts)
    # By document, then by key: the keys sorted, then their documents by a stable sort, which on numbers of 16 bits
    # or fewer is a radix sort (a quarter of `np.lexsort`'s time on a batch's thousands of keys; which of two equal
    # keys of a document comes first does not matter, one of them goes).
    order = np.argsort(flat)
    order = order[np.argsort(doc.astype(np.min_scalar_type(len(keys)))[order], kind="stable")]
    flat, doc = flat[order], doc[order]
    keep = np.ones(len(flat), dtype=bool)
    np.not_equal(flat[1:], flat[:-1], out=keep[1:])
    keep[1:] |= doc[1:] != doc[:-1]  # (a document's first key always)
    flat, doc = flat[keep], doc[keep]
    n = len(docs)
    if lines is None:
        lines = [t.count("\n") + (0 if t.endswith("\n") or not t else 1) for t in (d.text for d in docs)]
    return SigColumns(
        [d.id for d in docs], [source_of(d) for d in docs], lines[:n], sizes[:n], n_shingles[:n],
        whole[:n], np.zeros(n, np.uint32), np.bincount(doc, minlength=n)[:n],
        np.array(signatures[:n]) if n else np.empty((0, 0), np.uint32),
        np.empty((n, 0), np.uint32) if n else np.empty((0, 0), np.uint32), flat if n else np.empty(0, np.uint64))


# --- the corpus step -------------------------------------------------------------------------------


def build_corpus(table: SigTable, config: Config, pairs: np.ndarray | None = None,
                 count_keys: Callable | None = None, earlier=None, keep_signatures: Callable | None = None) -> Corpus:
    """Duplicate documents and template keys of the whole corpus, from pass 1's signatures.

    When an engine kept the keys where pass 1 made them (the Dask engine's
    shuffles), `pairs` are the candidate pairs it grouped (what
    `candidate_pairs` would return), and `count_keys(dup_of, source_ids,
    source_docs)` counts the block keys the table does not hold: it returns
    what `frequent_keys` would, and how many block keys there were.

    `earlier` (an `against.Earlier`): earlier runs' signatures; a document
    that duplicates one of their documents is dropped naming it.
    `keep_signatures(ids, n_lines, n_shingles, signatures, dropped)` is
    handed this run's signatures before they are let go (the run saves them).
    """
    n_lines, size, n_shingles, whole, n_derived, derived, sigs, keys, key_counts = table.arrays()
    n = len(table.ids)
    stats = {"documents": n, "bytes": {
        "signatures": int(sigs.nbytes), "sizes": int(n_lines.nbytes + size.nbytes + n_shingles.nbytes + whole.nbytes + n_derived.nbytes),
        "derived": int(derived.nbytes),
        "block_keys": int(keys.nbytes + key_counts.nbytes),
    }}
    if pairs is None:
        pairs = candidate_pairs(sigs, n_shingles, config.doc_band_rows)
    stats["candidate_pairs"] = int(len(pairs))
    left, right, score, how = confirm_pairs(pairs, sigs, n_shingles, config, whole)
    del pairs  # each step's temporaries go before the next one's come, while the signatures are held
    stats["confirmed_pairs"] = int(len(left))
    priority = _priority(size, config)
    dup_of, dup_score, dup_how = cluster(n, left, right, sigs, n_shingles, priority, config, whole)
    del left, right, score, how
    if config.derived_containment < 1.0 and derived.shape[1]:
        stats["derived"] = derived_copies(derived, n_derived, size, whole, dup_of, dup_score, dup_how, config)
        del derived
    earlier_match = None
    if earlier is not None:
        from ..against import match_earlier

        earlier_match = match_earlier(sigs, n_shingles, earlier, config, whole)
        stats["earlier_documents"] = len(earlier.ids)
        stats["duplicates_of_earlier"] = int((earlier_match[0] >= 0).sum())
    stats["duplicates"] = int((dup_of >= 0).sum())
    # A document dropped as a copy of an earlier run's is listed under that document, not in its cluster here.
    mine = dup_of if earlier_match is None else np.where(earlier_match[0] >= 0, -1, dup_of)
    clusters = _clusters(table.ids, mine, dup_score, dup_how, config.keep == "none")
    if earlier_match is not None:
        clusters += _earlier_clusters(table.ids, earlier, *earlier_match)
    if keep_signatures is not None:
        first = first_copies(dup_of) if config.keep == "none" else None
        keep_signatures(table.ids, n_lines, n_shingles, sigs,
                        dropped_documents(dup_of, first, None if earlier_match is None else earlier_match[0]))
    del sigs
    source_of, source_ids = table.source_numbers()
    source_docs = np.bincount(source_ids, minlength=len(source_of)) if n else np.zeros(0, np.int64)
    if count_keys is None:
        freq_keys, freq_df = frequent_keys(keys, key_counts, dup_of, source_ids, source_docs, config)
    else:
        freq_keys, freq_df, n_keys = count_keys(dup_of, source_ids, source_docs)
        stats["bytes"]["block_keys"] = int(n_keys) * keys.itemsize + int(key_counts.nbytes)  # as if held here
    stats["template_keys"] = int(len(freq_keys))
    return Corpus(config, table.ids, n_lines, dup_of, dup_score, dup_how, source_of, source_docs,
                  freq_keys, freq_df, clusters, stats, None if earlier is None else earlier.named(), earlier_match,
                  source_ids)


def candidate_pairs(sigs: np.ndarray, n_shingles: np.ndarray, rows: int) -> np.ndarray:
    """Distinct (low, high) document pairs sharing a band key, packed as low << 32 | high, sorted.

    Per band, documents with equal keys form a run in document order; each is paired with the run's first and
    with its predecessor, which links the run without listing all its pairs. In the core (`group.rs`): a numpy
    argsort a band was about 60 ms of the corpus step on the 10k benchmark corpus.
    """
    valid = np.flatnonzero(n_shingles > 0)  # an empty body has no signature worth comparing
    if len(valid) < 2:
        return np.empty(0, dtype=np.uint64)
    n, p = sigs.shape
    rows = max(rows, 1)
    # A few bands a call, their columns copied out: the whole table as bytes, and the core's copy of it, were two
    # more copies of its largest array (1 GB more at 1M documents: the largest process 1327 -> 2269 MB).
    width = max(1, _PAIR_BYTES // max(1, n * 4 * rows)) * rows
    ok = valid.astype("<u4").tobytes()
    used = p // rows * rows  # (the bands' values: a last partial band is no band)
    parts = []
    for lo in range(0, used, width):
        hi = min(lo + width, used)
        # (every column when one call takes all the bands: the core reads whole bands only, and a slice of the
        # columns was a copy more, 0.36 ms on the 10k benchmark corpus)
        band = np.ascontiguousarray(sigs if (lo, hi) == (0, used) else sigs[:, lo:hi], dtype="<u4")
        parts.append(np.frombuffer(_core.candidate_pairs(band.tobytes(), n, band.shape[1], rows, ok), dtype="<u8"))
    if not parts:
        return np.empty(0, dtype=np.uint64)
    pairs = parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))
    return pairs.astype(np.uint64)


def _earlier_clusters(ids: list[str], earlier, earlier_of, score, how) -> list[dict]:
    """Clusters for summary.json around earlier runs' documents: the earlier document (and its run), and the
    documents of this run dropped as its copies."""
    groups: dict[int, list[int]] = {}
    for d in np.flatnonzero(earlier_of >= 0).tolist():
        groups.setdefault(int(earlier_of[d]), []).append(d)
    return [
        {
            "kept": earlier.ids[e],
            "run": earlier.run_of(e),
            "members": [
                {"file": ids[d], "similarity": round(float(score[d]), 4),
                 "measure": "containment" if how[d] else "jaccard"}
                for d in sorted(groups[e], key=lambda d: ids[d])
            ],
        }
        for e in sorted(groups, key=lambda e: (earlier.run_of(e), earlier.ids[e]))
    ]


# --- the same candidate pairs, grouped where the band keys are (the Dask engine's shuffle) ------------
#
# Each pass-1 batch hash-partitions its documents' band keys into buckets
# (`band_buckets`); one task per bucket takes that bucket from every batch and
# groups it by sorting (`bucket_pairs`), naming documents by (batch, position
# in batch); the driver turns those into pass-1 indices (`merge_pairs`). A
# document's pass-1 index grows with (batch, position), so sorting by either
# gives runs in the same order, and the pairs are exactly `candidate_pairs`'.


def band_buckets(sigs: np.ndarray, n_shingles: np.ndarray, rows: int, parts: int) -> list[tuple]:
    """One batch's band keys split into `parts` buckets by key: per bucket (keys, positions, keys per band).

    Within a bucket the keys come band by band (then by position in the
    batch), so the band of each key is given by the per-band counts rather than
    stored with every key: 12 bytes a key.
    """
    valid = np.flatnonzero(n_shingles > 0)  # as candidate_pairs: an empty body has no signature worth comparing
    bands = sigs.shape[1] // rows if sigs.ndim == 2 else 0
    keys = band_keys(sigs[valid], rows).T.ravel() if len(valid) and bands else np.empty(0, np.uint64)
    pos = np.tile(valid.astype(np.uint32), bands) if len(keys) else np.empty(0, np.uint32)
    band = np.repeat(np.arange(bands), len(valid)) if len(keys) else np.empty(0, np.int64)
    part = (keys % np.uint64(parts)).astype(np.int64)  # the keys are mixed already: their low bits are uniform
    order = np.argsort(part, kind="stable")  # stable: band by band, position by position inside each bucket
    cuts = np.searchsorted(part[order], np.arange(parts + 1))
    out = []
    for p in range(parts):
        sel = order[cuts[p] : cuts[p + 1]]
        out.append((keys[sel], pos[sel], np.bincount(band[sel], minlength=bands).astype(np.uint32)))
    return out


def bucket_pairs(pieces: list[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """One bucket from every batch (in batch order) grouped by sorting: distinct (earlier, later) document pairs.

    Documents are named batch << 32 | position; pairs as candidate_pairs makes
    them: each document of a run of equal (band, key) with the run's first and
    with its predecessor.
    """
    empty = (np.empty(0, np.uint64), np.empty(0, np.uint64))
    if not pieces:
        return empty
    keys = np.concatenate([k for k, _, _ in pieces])
    docs = np.concatenate([(np.uint64(i) << np.uint64(32)) | p.astype(np.uint64) for i, (_, p, _) in enumerate(pieces)])
    bands = np.concatenate([np.repeat(np.arange(len(c), dtype=np.int64), c) for _, _, c in pieces])
    if len(keys) < 2:
        return empty
    order = np.lexsort((docs, bands, keys))
    k, b, d = keys[order], bands[order], docs[order]
    same = (k[1:] == k[:-1]) & (b[1:] == b[:-1])
    if not same.any():
        return empty
    starts = np.flatnonzero(np.concatenate(([True], ~same)))
    run_of = np.repeat(starts, np.diff(np.append(starts, len(k))))
    idx = np.flatnonzero(same) + 1
    lo = np.concatenate([d[run_of[idx]], d[idx - 1]])
    hi = np.concatenate([d[idx], d[idx]])
    order = np.lexsort((hi, lo))
    lo, hi = lo[order], hi[order]
    first = np.concatenate(([True], (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])))
    return lo[first], hi[first]


def merge_pairs(found: list[tuple[np.ndarray, np.ndarray]], offsets: np.ndarray) -> np.ndarray:
    """Every bucket's pairs in pass-1 indices (offsets: the index of each batch's first document), as candidate_pairs."""
    low = np.uint64(0xFFFFFFFF)
    offsets = np.asarray(offsets, dtype=np.uint64)
    packed = [
        ((offsets[(lo >> np.uint64(32)).astype(np.int64)] + (lo & low)) << np.uint64(32))
        | (offsets[(hi >> np.uint64(32)).astype(np.int64)] + (hi & low))
        for lo, hi in found if len(lo)
    ]
    if not packed:
        return np.empty(0, dtype=np.uint64)
    pairs = np.unique(np.concatenate(packed))
    return pairs[(pairs >> np.uint64(32)) != (pairs & low)]


def key_buckets(keys: np.ndarray, owners: np.ndarray, source_ids: np.ndarray, reps: np.ndarray,
                parts: int) -> list[tuple]:
    """One batch's block keys for the template shuffle, split into `parts` buckets by source-mixed key.

    `owners` are positions in the batch; `source_ids` and `reps` (the kept
    document of each one's cluster, as a pass-1 index) are per position. Per
    bucket: (source-mixed keys, representatives, sources), in document order.
    """
    src = source_ids[owners]
    skeys = _mix_source(keys, src)
    rep = reps[owners].astype(np.uint32)  # pass-1 indices fit (candidate pairs pack two in 64 bits): 16 bytes a key
    part = (skeys % np.uint64(parts)).astype(np.int64)
    order = np.argsort(part, kind="stable")  # stable: document order inside each bucket, as frequent_keys sees it
    cuts = np.searchsorted(part[order], np.arange(parts + 1))
    return [(skeys[sel], rep[sel], src[sel]) for sel in (order[cuts[p] : cuts[p + 1]] for p in range(parts))]


def merge_keys(found: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Every bucket's frequent keys and counts, sorted by key as frequent_keys returns them."""
    keys = np.concatenate([k for k, _ in found]) if found else np.empty(0, np.uint64)
    df = np.concatenate([d for _, d in found]) if found else np.empty(0, np.uint32)
    order = np.argsort(keys, kind="stable")
    return keys[order], df[order].astype(np.uint32)


def similarity(sa: np.ndarray, sb: np.ndarray, na: np.ndarray, nb: np.ndarray, config: Config, whole=False):
    """Estimated Jaccard and containment (of the smaller in the larger) of signature rows; which one confirms.

    `whole` marks pairs where a document is signed by its whole page (its
    prose does not stand for it: a listing, a product, a forum page): two such
    pages of one template share most of their text whatever each is about, so
    they are copies only if nearly the whole page is the same
    (`doc_page_threshold`), never by containment.
    Returns (score, how, ok): how is 0 for Jaccard, 1 for containment.
    """
    jac = (sa == sb).mean(axis=-1)
    small = np.minimum(na, nb).astype(np.float64)
    big = np.maximum(na, nb).astype(np.float64)
    # |A∩B| = J (|A|+|B|) / (1+J): containment of the smaller set, from the Jaccard estimate.
    cont = np.minimum(1.0, jac * (small + big) / ((1.0 + jac) * np.maximum(small, 1.0)))
    by_jac = jac >= np.where(whole, config.doc_page_threshold, config.doc_threshold)
    by_cont = ((cont >= config.doc_containment) & (small >= config.doc_size_ratio * big) & (config.doc_containment < 1.0)
               & ~np.asarray(whole, dtype=bool))
    how = (~by_jac & by_cont).astype(np.uint8)
    return np.where(how == 1, cont, jac), how, by_jac | by_cont


def confirm_pairs(pairs: np.ndarray, sigs: np.ndarray, n_shingles: np.ndarray, config: Config,
                  whole: np.ndarray | None = None):
    """The candidate pairs that hold up on their signatures: (left, right, score, how); `whole` as `similarity`."""
    out = ([], [], [], [])
    for s in range(0, len(pairs), _CHUNK):
        chunk = pairs[s : s + _CHUNK]
        a = (chunk >> np.uint64(32)).astype(np.int64)
        b = (chunk & np.uint64(0xFFFFFFFF)).astype(np.int64)
        strict = False if whole is None else whole[a] | whole[b]
        score, how, ok = similarity(sigs[a], sigs[b], n_shingles[a], n_shingles[b], config, strict)
        for lst, v in zip(out, (a[ok], b[ok], score[ok], how[ok])):
            lst.append(v)
    if not pairs.size:
        return (np.empty(0, np.int64),) * 2 + (np.empty(0), np.empty(0, np.uint8))
    return tuple(np.concatenate(v) for v in out)


#: How a duplicate was confirmed, by `dup_how`: its Jaccard, its containment, or as a derived copy (3-grams).
MEASURES = ("jaccard", "containment", "derived")


def derived_copies(derived, n_derived, size, whole, dup_of, dup_score, dup_how, config: Config) -> dict:
    """Derived copies: short documents cut and pasted or lightly reworded from a longer one (in place).

    A copy made by cutting and pasting from a source, or by rewording it
    lightly, keeps few of the source's 5-grams (0.4-0.6) but most of its
    3-grams, while two texts written apart on one topic share a tenth of them.
    A document of at most `derived_max_words` words whose estimated 3-gram
    containment in a longer one is at least `derived_containment`, sharing at
    least `derived_min_shared` 3-grams (a few stock phrases are not a copy),
    goes as a copy of it. The direction is fixed, unlike for duplicates: the
    source stays, whatever the keep policy. Documents are taken longest first
    (then by pass-1 index), so a source's own fate is decided before its
    copies'; a copy joins only a source that stays, never through a chain.
    Pages signed whole (`doc_min_share`) are never derived copies nor sources.
    Returns counts for summary.json.
    """
    n = len(size)
    ok_docs = (n_derived > 0) & ~whole
    pairs = candidate_pairs(derived, np.where(ok_docs, n_derived, 0), config.derived_band_rows)
    stats = {"candidate_pairs": int(len(pairs)), "copies": 0}
    if not len(pairs):
        return stats
    order = np.lexsort((np.arange(n), -size.astype(np.int64)))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    a = (pairs >> np.uint64(32)).astype(np.int64)
    b = (pairs & np.uint64(0xFFFFFFFF)).astype(np.int64)
    copy, source = np.where(rank[a] > rank[b], a, b), np.where(rank[a] > rank[b], b, a)
    keep = size[copy] <= config.derived_max_words
    copy, source = copy[keep], source[keep]
    jac = (derived[copy] == derived[source]).mean(axis=-1) if len(copy) else np.empty(0)
    small = n_derived[copy].astype(np.float64)
    big = n_derived[source].astype(np.float64)
    shared = jac * (small + big) / (1.0 + jac)  # |A∩B| from the Jaccard estimate, as `similarity`
    cont = np.minimum(1.0, shared / np.maximum(small, 1.0))
    ok = (cont >= config.derived_containment) & (shared >= config.derived_min_shared)
    copy, source, cont = copy[ok], source[ok], cont[ok]
    # Copies in keep order (longest first), so that each source's verdict is final before its copies' are made.
    by = np.lexsort((source, -cont, rank[copy]))  # per copy its best source first
    for c, s, score in zip(copy[by].tolist(), source[by].tolist(), cont[by].tolist()):
        if dup_of[c] >= 0 or dup_of[s] >= 0:
            continue  # already gone (a duplicate, or the copy of a better source), or its source goes
        dup_of[c], dup_score[c], dup_how[c] = s, score, 2
        stats["copies"] += 1
    return stats


def _priority(size: np.ndarray, config: Config) -> np.ndarray:
    """Rank of each document in keep order (0 first): by path, or longest first then by path."""
    n = len(size)
    if config.keep == "longest":
        order = np.lexsort((np.arange(n), -size.astype(np.int64)))
    else:
        order = np.arange(n)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of n nodes joined by edges (a[i], b[i]): each node's label is its component's
    smallest node. Union-find in numpy rounds: every edge joining two trees hooks the larger root under the
    smaller, then paths are compressed by pointer jumping. About 60-80 bytes per edge with its nodes
    (measured), so a billion confirmed pairs fit one large driver (a Python union-find took over 500)."""
    parent = np.arange(n, dtype=np.int64)
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    while True:
        ra, rb = parent[a], parent[b]
        apart = ra != rb
        if not apart.any():
            return parent
        a, b, ra, rb = a[apart], b[apart], ra[apart], rb[apart]  # joined edges never matter again
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        while True:  # every node points at its root again
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


def cluster(n: int, left, right, sigs, n_shingles, priority, config: Config, whole=None):
    """Star clusters inside the union-find components of confirmed pairs.

    Returns per document: the index of the kept document it duplicates (-1 if kept),
    the similarity to it, and how it was measured (0 Jaccard, 1 containment).
    """
    dup_of = np.full(n, -1, dtype=np.int64)
    dup_score = np.zeros(n, dtype=np.float32)
    dup_how = np.zeros(n, dtype=np.uint8)
    if not len(left):
        return dup_of, dup_score, dup_how
    nodes = distinct(np.concatenate([left, right]))
    roots = components(len(nodes), np.searchsorted(nodes, left), np.searchsorted(nodes, right))
    order = np.lexsort((priority[nodes], roots))
    comp_nodes = nodes[order]
    bounds = np.flatnonzero(np.diff(roots[order])) + 1
    starts = np.concatenate(([0], bounds))
    sizes = np.diff(np.append(starts, len(comp_nodes)))
    # Most components are a pair: its second member is compared with its first, all pairs in one call (a
    # numpy call a member cost 70 µs, a third of the corpus step on the benchmark corpus). The values are
    # the loop's: each row's Jaccard is a count of equal values over the same length, the rest elementwise.
    first = comp_nodes[starts[sizes == 2]]
    second = comp_nodes[starts[sizes == 2] + 1]
    if len(first):
        strict = False if whole is None else whole[first] | whole[second]
        score, how, ok = similarity(sigs[first], sigs[second], n_shingles[first], n_shingles[second], config, strict)
        dup_of[second[ok]], dup_score[second[ok]], dup_how[second[ok]] = first[ok], score[ok], how[ok]
    # Components of three or more: each member, in keep order, joins the best survivor it is confirmed against
    # (ties: the earlier survivor), or survives. Up to _STAR_MEMBERS members, every pair of the components is
    # compared in one call and the members read their answers (a call a member was 20 ms of the 10k benchmark
    # corpus's corpus step); a larger component (a template's thousands of pages) compares each member with
    # the survivors so far, as they are few.
    big = np.flatnonzero(sizes > 2)
    few = big[sizes[big] <= _STAR_MEMBERS]
    if len(few):
        tri: dict[int, tuple] = {}
        lo, hi, offsets, at = [], [], [], 0
        for s, z in zip(starts[few].tolist(), sizes[few].tolist()):
            i, j = tri.get(z) or tri.setdefault(z, np.triu_indices(z, 1))  # row by row: (0, 1), (0, 2)...
            lo.append(i + s)
            hi.append(j + s)
            offsets.append(at)
            at += len(i)
        lo, hi = comp_nodes[np.concatenate(lo)], comp_nodes[np.concatenate(hi)]
        score, how, ok = [], [], []
        for c in range(0, len(lo), _CHUNK):  # (as confirm_pairs: the (chunk x num_perm) temporaries bounded)
            a, b = lo[c : c + _CHUNK], hi[c : c + _CHUNK]
            strict = False if whole is None else whole[a] | whole[b]
            for lst, v in zip((score, how, ok), similarity(sigs[a], sigs[b], n_shingles[a], n_shingles[b], config,
                                                           strict)):
                lst += v.tolist()
        members = comp_nodes.tolist()
        for s, z, o in zip(starts[few].tolist(), sizes[few].tolist(), offsets):
            kept: list[int] = []  # positions in the component
            for j in range(z):
                best = -1
                for i in kept:
                    pair = o + i * z - i * (i + 1) // 2 + j - i - 1  # (i, j)'s place in the rows of pairs
                    if ok[pair] and (best < 0 or score[pair] > score[best]):
                        best, survivor = pair, i
                if best < 0:
                    kept.append(j)
                    continue
                m = members[s + j]
                dup_of[m], dup_score[m], dup_how[m] = members[s + survivor], score[best], how[best]
    for start, size in zip(starts[big].tolist(), sizes[big].tolist()):
        if size <= _STAR_MEMBERS:
            continue
        kept = []
        for m in comp_nodes[start : start + size].tolist():
            if kept:
                k = np.array(kept)
                strict = False if whole is None else whole[k] | whole[m]
                score, how, ok = similarity(sigs[k], sigs[m][None, :], n_shingles[k],
                                            np.full(len(k), n_shingles[m]), config, strict)
                if ok.any():
                    best = int(np.flatnonzero(ok)[np.argmax(score[ok])])  # ties: the earlier survivor
                    dup_of[m], dup_score[m], dup_how[m] = kept[best], score[best], how[best]
                    continue
            kept.append(m)
    return dup_of, dup_score, dup_how


def dropped_documents(dup_of: np.ndarray, first_copy: np.ndarray | None, earlier_of: np.ndarray | None) -> np.ndarray:
    """Per document, whether it is dropped: a copy in its cluster, the head of a cluster under --keep none
    (`first_copy`), or a copy of an earlier run's document (`earlier_of`)."""
    out = dup_of >= 0
    if first_copy is not None:
        out |= first_copy >= 0
    if earlier_of is not None:
        out |= earlier_of >= 0
    return out


def first_copies(dup_of: np.ndarray) -> np.ndarray:
    """Per document, the first (lowest pass-1 index) of the documents that duplicate it; -1 if none does."""
    n = len(dup_of)
    first = np.full(n, n, dtype=np.int64)
    copies = np.flatnonzero(dup_of >= 0)
    np.minimum.at(first, dup_of[copies], copies)
    first[first == n] = -1
    return first


def _clusters(ids: list[str], dup_of, dup_score, dup_how, keep_none: bool = False) -> list[dict]:
    """Clusters for summary.json: the kept document and its removed duplicates with their similarities.

    Under --keep none no document is kept: "kept" is null and "first" names the head of the cluster.
    """
    dropped = np.flatnonzero(dup_of >= 0)
    groups: dict[int, list[int]] = {}
    for d, k in zip(dropped.tolist(), dup_of[dropped].tolist()):
        groups.setdefault(k, []).append(d)
    # Each name read once (a `Names` lookup decodes it; the sorts below would read each several times), and each
    # member's figures as Python values at once.
    name = {i: ids[i] for i in set(groups).union(dropped.tolist())}
    score = dict(zip(dropped.tolist(), dup_score[dropped].tolist()))
    how = dict(zip(dropped.tolist(), dup_how[dropped].tolist()))
    return [
        {
            **({"kept": None, "first": name[k]} if keep_none else {"kept": name[k]}),
            "members": [
                {"file": name[d], "similarity": round(score[d], 4), "measure": MEASURES[how[d]]}
                for d in sorted(groups[k], key=name.__getitem__)
            ],
        }
        for k in sorted(groups, key=name.__getitem__)
    ]


def frequent_keys(keys, key_counts, dup_of, source_ids, source_docs, config: Config):
    """Source-specific block keys that recur in enough clusters of their source: (sorted keys, cluster counts).

    `keys` (in document order, `key_counts[i]` of document i) is overwritten (mixed with its source in place):
    at 1M documents it is 50M keys, 400 MB.
    """
    if not len(keys):
        return np.empty(0, np.uint64), np.empty(0, np.uint32)
    # Each key's document (pass-1 indices fit in 32 bits: see key_buckets); its source and its cluster
    # representative (its document, or the kept document of its cluster) are looked up through it where they
    # are needed, a stretch or a bucket of keys at a time: 4 bytes a key held, not 8 (400 MB at 1M documents).
    doc = np.repeat(np.arange(len(key_counts), dtype=np.uint32), key_counts)
    reps = np.arange(len(dup_of), dtype=np.uint32)
    np.copyto(reps, dup_of, casting="unsafe", where=dup_of >= 0)
    for at in range(0, len(keys), _KEYS_PER_BUCKET):
        stretch = slice(at, at + _KEYS_PER_BUCKET)
        _mix_source(keys[stretch], source_ids[doc[stretch]], out=keys[stretch])
    skeys = keys
    # Counted one bucket of keys at a time, as the Dask shuffle does, so that the sort's temporaries are a
    # fraction of the keys (sorted whole at 1M documents: several 400 MB arrays at once).
    parts = max(1, len(skeys) // _KEYS_PER_BUCKET)
    if parts == 1:
        return count_source_keys(skeys, reps[doc], source_ids[doc], source_docs, config)
    bucket = (skeys % np.uint64(parts)).astype(np.uint16 if parts < 1 << 16 else np.uint32)
    found = []
    for p in range(parts):
        sel = np.flatnonzero(bucket == p)  # document order kept inside the bucket
        docs = doc[sel]
        found.append(count_source_keys(skeys[sel], reps[docs], source_ids[docs], source_docs, config))
    return merge_keys(found)


def count_source_keys(skeys, rep, src, source_docs, config: Config):
    """frequent_keys' count over rows of (source-mixed key, cluster representative, source), in document order.

    Every row of a key must be there; the Dask engine's template shuffle calls
    it on one bucket of keys at a time.
    """
    if not len(skeys):
        return np.empty(0, np.uint64), np.empty(0, np.uint32)
    # Sorted by (key, representative, row) in the core (`group.rs`; numpy's lexsort was about 40 ms of the 10k
    # benchmark corpus's 330,000 keys): each distinct key, its count of clusters, and its first row there,
    # whose source is the key's.
    keys, df, first = (np.frombuffer(b, t) for b, t in zip(
        _core.count_keys(np.ascontiguousarray(skeys, dtype="<u8").tobytes(),
                         np.ascontiguousarray(rep, dtype="<u4").tobytes()), ("<u8", "<u4", "<u4")))
    usrc = src[first]
    ok = (df >= config.min_corpus_docs) & (df >= config.min_corpus_share * source_docs[usrc])
    return keys[ok].astype(np.uint64), df[ok].astype(np.uint32)


def _mix_source(keys: np.ndarray, src: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Block keys made specific to their sources, one source each (template text is a site's, not the corpus's),
    into `out`, which may be `keys`.

    One temporary the size of the keys, reused: at 1M documents every extra one is 400 MB.
    """
    with np.errstate(over="ignore"):
        tmp = src.astype(np.uint64)
        tmp += np.uint64(1)
        tmp *= np.uint64(0x9E3779B97F4A7C15)
        k = np.bitwise_xor(keys, tmp, out=out)
        k *= _MIX
        np.right_shift(k, np.uint64(31), out=tmp)
        k ^= tmp
        return k
