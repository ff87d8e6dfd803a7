"""The repeat detectors as plain Python (`dedupe/detect/repeats.py` before the compiled core took them over):
the fuzz's oracle for `_core.find_repeats` and `_core.near_repeats`, and of the gates that keep content recurring
by design (`_core.keep_content`) (tests/test_core_fuzz.py)."""
from __future__ import annotations

import re
from collections import Counter
from itertools import combinations
from typing import NamedTuple

import numpy as np

from dedupe.config import Config
from dedupe.detect.repeats import MAX_POSTING, MIN_OTHER_PARTS, _span
from dedupe.records import Block, Finding, Ref
from dedupe.sign import BlockSig, distinct
from reference_pagetype import ITEM_MAX, looks_like_code


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


# The gates on the repeats (`repeats::content::keep_content`), as repeats.py and detect/__init__.py had them.


class GateSig(NamedTuple):
    """What the gates read of a block's signature."""

    hash: int
    n_words: int

#: Kinds of page whose short items legitimately recur: a card title in a grid and again in a carousel, a
#: parameter name in a reference table and again in an example.
RECURRING_ITEMS = frozenset({"listing", "docs"})
#: On any page, a list item of this many words that recurs as a list item is an item of its own (the terms
#: under each offer, a testimonial in two carousels); shorter ones ("- Reply", "- Add to cart") are buttons.
LONG_ITEM = 8
#: Blocks repeated in this long a run, in order, are a copy of a passage (a list pasted twice), not items.
COPIED_RUN = 3
#: In an extractor's main text, a block of at most LABEL_MAX words that occurs LABEL_TIMES times or more, not in
#: a run repeated in order, is a label of the article's items and stays.
LABEL_MAX = 8
LABEL_TIMES = 3


def keep_recurring_content(findings: list[Finding], blocks: list[Block], sigs: list[BlockSig], kind: str,
                           whole_page: bool = True) -> list[Finding]:
    """Repeat findings without those on content that recurs by design: code shown twice in a tutorial (on any
    page), the short items of a list, a grid or a reference page (see `RECURRING_ITEMS`), a long list item
    that recurs as a list item among other neighbours (the terms under each offer; see `LONG_ITEM`). A run of
    `COPIED_RUN` blocks repeated in order is a copy, and stays a repeat, except in an extractor's main text (not
    `whole_page`), where code and list items are content wherever they recur, and so is everything a
    documentation page repeats."""
    items = kind in RECURRING_ITEMS
    block_at = {b.first_line: b.index for b in blocks}
    of = {f.block: block_at[f.duplicate_of.lines[0]] for f in findings}
    # A run is read on every earlier occurrence of its blocks, not only the first that `of` names: a passage
    # pasted again repeats the copy it was taken from, whose blocks may have occurred alone earlier still (a
    # tutorial's function shown in two versions, then the second again). Read on first occurrences, the run
    # broke there, some of its blocks were spared as snippets, and a second run, with the others cut, found
    # them in a run and removed them. A block is in a run if it lies in COPIED_RUN consecutive repeats whose
    # texts occurred in that order earlier: each window's texts, looked up once (a page of 170,000 blocks
    # repeating 40 paragraphs took minutes when every earlier occurrence was followed along the run).
    runs = copied_runs([s.hash if s.n_words else b.text.strip() for b, s in zip(blocks, sigs)], of.keys())

    def list_items(k: int) -> bool:
        return _list_item(blocks[k].text) and _list_item(blocks[of[k]].text)

    copies = Counter(of.values())

    def recurring(k: int) -> bool:
        # An extractor has taken the page's template away: code or list items that recur in order in its main
        # text are the page's own (a tutorial's steps showing their code again, each plan of a pricing table or
        # each offer listing the same terms); on a whole page such a run is most often a passage pasted twice.
        code = looks_like_code(blocks[k].text)
        # In documentation, the lines of a sample repeat with few symbols ("    age: int", "  );", "</div>"),
        # and a warning or a "see also" note recurs in each tabbed variant: the extractor kept them as content.
        if not whole_page and (code or list_items(k) or kind == "docs"):
            return True
        if not whole_page and k not in runs and sigs[k].n_words <= LABEL_MAX and copies[of[k]] + 1 >= LABEL_TIMES:
            # A short label under each item of the article ("Why we chose this school", "What we don't like",
            # the days of a plan) recurs with other text around it each time: the article's own structure.
            return True
        return k not in runs and (items and sigs[k].n_words <= ITEM_MAX or code
                                  or sigs[k].n_words >= LONG_ITEM and list_items(k))

    # (an item or a snippet shown again is content; a section pasted twice, in order, is a copy)
    spared = {f.block for f in findings if recurring(f.block)}
    # A block whose first occurrence goes anyway (a near repeat of a fuller paragraph) goes with it: kept, it
    # would be that paragraph's near repeat on the cleaned text, and a second run would remove it.
    going = {f.block for f in findings} - spared
    return [f for f in findings if f.block not in spared or of[f.block] in going]


def copied_runs(key: list, repeated) -> set[int]:
    """The blocks that lie in COPIED_RUN consecutive `repeated` blocks whose keys (their texts) occurred in that
    order earlier: a passage copied in order."""
    first: dict[tuple, int] = {}
    runs: set[int] = set()
    for w in range(len(key) - COPIED_RUN + 1):
        window = tuple(key[w : w + COPIED_RUN])
        if first.setdefault(window, w) < w and all(i in repeated for i in range(w, w + COPIED_RUN)):
            runs.update(range(w, w + COPIED_RUN))
    return runs


def _list_item(text: str) -> bool:
    """Whether a block is an item of a list or a table row (a marker first: "- ", "• ", "| ", "3. ")."""
    return _ITEM_MARK.match(text) is not None


#: The marker of a list item or a table row, as extractors and text dumps write them.
_ITEM_MARK = re.compile(r"\s*(?:[-*•·–|]|\d{1,3}[.)])\s")


#: A field of an item: a short label, then its colon and a value ("Warranty: 1 year", "重量：2 kg"); the marker of
#: a list item may come first.
_FIELD = re.compile(r"\s*(?:[-*•·]\s+)?([^\s:：][^:：]{0,60})(?::\s|：)")


def keep_item_fields(repeats: list[Finding], blocks: list[Block], sigs: list[BlockSig], kind: str) -> list[Finding]:
    """Exact repeats in an extractor's main text, without those that are the fields and labels of the article's
    items.

    Such text has lost the page's template; what still recurs there is
    mostly the article's own structure, which its readers keep each time:
    a field whose label the page fills with two values or more ("Warranty:
    1 year" under one product, "Warranty: 2 years" under another), a lead-in
    ending in a colon, and a short label that recurs LABEL_TIMES times, each
    time before text of its own ("Why we chose this school", then each
    school's paragraph; "Day 1 to 3", then the plan). A menu kept by the
    extractor recurs with the same neighbours, and a long "Note: ..."
    pasted under each course reads as a passage, not a field (both go). So
    do fields in a run of COPIED_RUN repeats whose texts occurred in that
    order before (a store's requirements under each system: "Processor: 3 GHz",
    "Memory: 8 GB", "Storage: 4 GB") and, on a thread, a post's recurring
    header ("Re: subject" over each reply), both of which webpages-types'
    golds drop.
    Measured on HTML through trafilatura: webpages-dev recall 0.9348 ->
    0.9352 (8 pages gained, none lost), webpages-train 0.9454 -> 0.9455 (12
    gained, one lost 0.0008), webpages-types F1 0.748 unchanged (3 gained, 3
    lost, the most 0.0095; without the run and thread conditions a forum lost
    0.050 and a store 0.012).
    """
    if kind == "thread":
        return repeats
    texts = [b.text.strip() for b in blocks]
    times = Counter(s.hash for s in sigs if s.n_words)
    values: dict[str, set[str]] = {}
    for t in texts:
        m = _FIELD.match(t)
        if m:
            values.setdefault(m.group(1).strip().casefold(), set()).add(t)
    # What follows each occurrence of a block: text said once on the page, or (None) another recurring block.
    follows: dict[int, list] = {}
    for k, s in enumerate(sigs):
        if s.n_words:
            nxt = next((j for j in range(k + 1, len(sigs)) if sigs[j].n_words), None)
            once = nxt is not None and times[sigs[nxt].hash] == 1
            follows.setdefault(s.hash, []).append(sigs[nxt].hash if once else None)
    # Blocks in a run of COPIED_RUN repeats whose texts occurred in that order before: a passage copied in order.
    copied = copied_runs([s.hash for s in sigs], {f.block for f in repeats if f.category == "repeat"})

    def content(k: int) -> bool:
        s, t = sigs[k], texts[k]
        if not s.n_words or s.n_words > 2 * LABEL_MAX:
            return False
        m = _FIELD.match(t)
        lead_in = t.endswith((":", "："))
        if lead_in or m and len(t) > m.end():
            if k in copied:
                return False
            if lead_in or len(values[m.group(1).strip().casefold()]) >= 2:
                return True
        after = follows[s.hash]
        return s.n_words <= LABEL_MAX and len(after) >= LABEL_TIMES and None not in after

    return [f for f in repeats if f.category != "repeat" or not content(f.block)]


def keep_content(findings: list[Finding], blocks: list[Block], sigs: list[BlockSig], kind: str,
                 whole_page: bool) -> list[Finding]:
    """Both gates, as detect_page ran them: content recurring by design, then in an extractor's main text the
    fields and labels of its items."""
    kept = keep_recurring_content(findings, blocks, sigs, kind, whole_page)
    return kept if whole_page else keep_item_fields(kept, blocks, sigs, kind)
