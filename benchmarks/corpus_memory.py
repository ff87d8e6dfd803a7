"""Peak memory of the corpus step alone, at a scale a whole run takes a quarter of an hour to reach.

    python benchmarks/corpus_memory.py --docs 1000000 --keys 50

Fills a SigTable with N documents of random signatures (few candidate pairs)
and K short-block keys each (5 of them a template shared by every page of its
site, 1,000 sites; the rest random), then runs build_corpus and prints the
process's peak memory before and during it. 50 keys a document is what the
benchmark corpus gives (49.5M keys at 1M documents).
"""
from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np

from dedupe.config import Config
from dedupe.detect.corpus import DocSig, SigTable, build_corpus


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--keys", type=int, default=50, help="short-block keys per document (at least 5)")
    ap.add_argument("--sites", type=int, default=1000)
    args = ap.parse_args(argv)
    config = Config()
    rng = np.random.default_rng(1)
    template = rng.integers(1, 2**63, size=(args.sites, 5), dtype=np.uint64)
    table = SigTable(config.num_perm)
    start = peak_mb()
    for i in range(args.docs):
        site = i % args.sites
        keys = np.concatenate([template[site], rng.integers(1, 2**63, size=args.keys - 5, dtype=np.uint64)])
        table.add(DocSig(id=f"site_{site:04d}/doc{i:07d}.txt", source=f"site_{site:04d}", n_lines=30, size=3000,
                         n_shingles=500, signature=rng.integers(0, 2**32, size=config.num_perm, dtype=np.uint32),
                         keys=keys))
    filled = peak_mb()
    names = _held(table.ids) + _held(table.sources)  # read before build_corpus hands them on
    cpu = time.process_time()
    corpus = build_corpus(table, config)
    cpu = time.process_time() - cpu
    peak = peak_mb()
    n_keys = args.docs * args.keys
    print(f"{args.docs} documents, {n_keys} block keys: peak {start:.0f} MB at start, {filled:.0f} MB with the "
          f"table filled, {peak:.0f} MB in build_corpus (+{peak - filled:.0f} MB, "
          f"{(peak - filled) * 2**20 / n_keys:.1f} bytes a key over the table); {cpu:.1f} s CPU; "
          f"{corpus.stats['template_keys']} template keys; the table held "
          f"{sum(corpus.stats['bytes'].values()) / max(args.docs, 1):.0f} bytes a document ({corpus.stats['bytes']}), "
          f"and its names and sources {names / max(args.docs, 1):.0f} more")


def _held(seq) -> int:
    """Bytes a sequence holds: its own buffers, or a list's slots and the strings only it holds (interned
    sources counted once)."""
    if hasattr(seq, "nbytes"):
        return seq.nbytes
    if hasattr(seq, "buffer_info"):  # array.array
        return seq.buffer_info()[1] * seq.itemsize
    return 8 * len(seq) + sum(sys.getsizeof(s) for s in {id(s): s for s in seq}.values())


if __name__ == "__main__":
    main()
