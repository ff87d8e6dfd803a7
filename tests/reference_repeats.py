"""The repeat detectors as plain Python (`dedupe/detect/repeats.py` before the compiled core took them over):
the fuzz's oracle for `_core.find_repeats` and `_core.near_repeats` (tests/test_core_fuzz.py)."""
from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np

from dedupe.config import Config
from dedupe.detect.repeats import MAX_POSTING, MIN_OTHER_PARTS, _span
from dedupe.records import Block, Finding, Ref
from dedupe.sign import BlockSig, distinct


def _shared_counts(sigs: list[BlockSig], eligible: list[int]) -> dict[tuple[int, int], int]:
    """Shingles shared by each pair of eligible blocks, in order of shingle, then of pair (a Counter)."""
    holders: dict[int, list[int]] = {}
    for i in eligible:
        for h in sigs[i].shingles.tolist():
            holders.setdefault(h, []).append(i)
    return dict(Counter(pair for h in sorted(holders) if 2 <= len(holders[h]) <= MAX_POSTING
                        for pair in combinations(holders[h], 2)))


def exact_repeats(doc_id: str, blocks: list[Block], sigs: list[BlockSig], config: Config) -> dict[int, int]:
    """Map of repeated block -> its first occurrence (the core's `repeats::exact_repeats`)."""
    hashes = [s.hash for s in sigs]
    if len(set(hashes)) == len(hashes):  # no two blocks alike (the usual page): nothing repeats
        return {}
    first: dict[int, int] = {}
    of: dict[int, int] = {}
    for b, s in zip(blocks, sigs):
        if s.n_words == 0:
            continue
        if s.hash in first:
            if s.n_words >= config.min_repeat_words:
                of[b.index] = first[s.hash]
        else:
            first[s.hash] = b.index
    if not of:
        return {}

    def same(x: int, y: int) -> bool:
        if sigs[x].n_words or sigs[y].n_words:
            return sigs[x].hash == sigs[y].hash
        return blocks[x].text.strip() == blocks[y].text.strip()

    # Extend repeated runs over their short blocks, forwards and backwards.
    changed = True
    while changed:
        changed = False
        for i, j in sorted(of.items()):
            for step in (1, -1):
                ni, nj = i + step, j + step
                if 0 <= nj < ni < len(blocks) and ni not in of and nj not in of and same(ni, nj):
                    of[ni] = nj
                    changed = True
    # Point every repeat at the first occurrence of its text, so the reference is never itself removed
    # as a repeat (a run pasted three times points at the first copy, not the second).
    root: dict[tuple, int] = {}
    for b in blocks:
        key = (sigs[b.index].hash, b.text.strip() if not sigs[b.index].n_words else "")
        root.setdefault(key, b.index)
    return {
        i: root[(sigs[i].hash, blocks[i].text.strip() if not sigs[i].n_words else "")] for i in sorted(of)
    }


def near_repeats(doc_id: str, blocks: list[Block], sigs: list[BlockSig], exact: dict[int, int], config: Config,
                 gone: frozenset[int] = frozenset()) -> list[Finding]:
    """Near repeats of one document, exact repeats and blocks gone left out (`repeats::near_repeats`)."""
    least = config.min_near_words
    eligible = [b.index for b in blocks if sigs[b.index].n_words >= least and b.index not in exact]
    pairs = _shared_counts(sigs, eligible)
    if not pairs:  # no block shares a shingle with another: no near repeat, no composite
        return []
    size = {i: len(sigs[i].shingles) for i in eligible}
    near, containment = config.near_threshold, config.containment_threshold
    partners: dict[int, list[tuple[int, float, str]]] = {}
    for (a, b), shared in pairs.items():
        na, nb = size[a], size[b]
        jac = shared / (na + nb - shared)
        small, big = (a, b) if (na, a) < (nb, b) else (b, a)
        if jac >= near:
            partners.setdefault(small, []).append((big, jac, "jaccard"))
        else:
            contained = shared / (na if na < nb else nb)
            if contained >= containment:
                partners.setdefault(small, []).append((big, contained, "containment"))
    if not partners:  # shared shingles, but no pair alike enough: nothing to report
        return []
    findings = _composites(doc_id, blocks, sigs, partners, config)
    composite = {f.block for f in findings}
    rank = sorted((i for i in eligible if i not in composite), key=lambda i: (-size[i], i))
    kept: set[int] = set()
    for i in rank:
        found = partners.get(i)
        best = max(((score, -big, how) for big, score, how in found if big in kept), default=None) if found else None
        if best is None:
            if i not in gone:
                kept.add(i)
            continue
        score, neg_big, how = best
        big = blocks[-neg_big]
        findings.append(
            Finding(
                i,
                "near-repeat",
                f"near-repeat:{how}",
                score,
                Ref(doc_id, big.lines),
                f"{'contained in' if how == 'containment' else 'near repeat of'} {_span(big.lines)}",
            )
        )
    return findings


def _composites(
    doc_id: str, blocks: list[Block], sigs: list[BlockSig], partners: dict, config: Config
) -> list[Finding]:
    """Blocks made of other blocks of the document (`repeats::composites`)."""
    parts: dict[int, list[int]] = {}
    for small, found in partners.items():
        for big, _score, _how in found:
            parts.setdefault(big, []).append(small)
    findings = []
    for big, smalls in sorted(parts.items()):
        if len(smalls) < 2:
            continue
        # (a block's shingles are sorted and distinct: intersections need not make them unique again)
        whole = sigs[big].shingles
        covered = len(np.intersect1d(distinct(np.concatenate([sigs[i].shingles for i in smalls])), whole, True))
        overlap = {i: len(np.intersect1d(sigs[i].shingles, whole, True)) for i in smalls}
        # Parts that are variants of one another ("...in San Diego", "...in San Jose") do not make a
        # composite: beyond its largest part, the others must cover a good share of the block too.
        alone = max(overlap.values())
        coverage = covered / len(whole)
        # (rounded: 0.1 * 70 is 7.000000000000001 in floating point, and 7 shingles are a tenth of 70)
        if covered >= round(config.composite_coverage * len(whole), 9) and covered - alone >= round(
            MIN_OTHER_PARTS * len(whole), 9
        ):
            # The reference is the largest part (a Ref is one span); the note names them all.
            main = max(sorted(smalls), key=overlap.get)
            names = ", ".join(_span(blocks[i].lines).split(" ", 1)[1] for i in sorted(smalls))
            findings.append(
                Finding(big, "near-repeat", "near-repeat:composite", coverage, Ref(doc_id, blocks[main].lines),
                        f"made of lines {names}")
            )
    return findings


def find_repeats(doc_id: str, blocks: list[Block], sigs: list[BlockSig], config: Config,
                 whole_page: bool = True) -> list[Finding]:
    """Exact and near repeats of one document, as findings (`repeats::find_repeats`)."""
    exact = exact_repeats(doc_id, blocks, sigs, config)
    findings = [
        Finding(i, "repeat", "repeat:exact", 1.0, Ref(doc_id, blocks[j].lines), f"repeat of {_span(blocks[j].lines)}")
        for i, j in sorted(exact.items())
    ]
    return findings + near_repeats(doc_id, blocks, sigs, exact, config) if whole_page else findings


