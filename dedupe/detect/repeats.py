"""Repeats inside one document: exact (normalized hash) and near (shingle Jaccard and containment).

Near repeats are found on the blocks' exact word-shingle sets rather than on
MinHash estimates: inside one document the sets are small, so candidate pairs
come from sorting (shingle, block) pairs and every pair is scored on the real
sets. That finds a short block contained in a long one however different
their sizes, which banded MinHash misses; MinHash is kept for the corpus step,
where sets cannot all be held.
"""
from __future__ import annotations

import re
from collections import Counter
from itertools import accumulate

import numpy as np

from .. import _core
from ..config import Config
from ..records import Block, Finding, Ref
from ..sign import BlockSig, distinct
from .pagetype import ITEM_MAX, LISTING, DOCS, looks_like_code

#: A shingle found in more blocks than this is a stock phrase, not evidence of a repeat.
MAX_POSTING = 64
#: Share of a composite block that its parts other than the largest must cover (see `_composites`).
MIN_OTHER_PARTS = 0.1


def exact_repeats(doc_id: str, blocks: list[Block], sigs: list[BlockSig], config: Config) -> dict[int, int]:
    """Map of repeated block -> its first occurrence (which is never itself a repeat).

    Blocks shorter than `min_repeat_words` count only inside a run that repeats
    as a whole (a subheading inside a body pasted twice), never alone. Inside
    such a run, a block with no words (a `* * *` separator) repeats if its text
    is the same.
    """
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


def _shared_counts(sigs: list[BlockSig], eligible: list[int]) -> dict[tuple[int, int], int]:
    """Number of shingles each pair of eligible blocks shares (pairs as (low, high) indexes; eligible ascending),
    in the order of the shingles, then of the pairs (the compiled core's `repeats.rs`: no Python object per
    shingle)."""
    if len(eligible) < 2:
        return {}
    shingles = [sigs[i].shingles for i in eligible]
    ends = np.fromiter(accumulate(map(len, shingles)), dtype=np.int64, count=len(shingles))
    low, high, shared = _core.shared_counts(np.concatenate(shingles).tobytes(), ends.tobytes(), MAX_POSTING)
    return {(eligible[a], eligible[b]): n for a, b, n in zip(low, high, shared)}


def near_repeats(
    doc_id: str,
    blocks: list[Block],
    sigs: list[BlockSig],
    exact: dict[int, int],
    config: Config,
    gone: frozenset[int] = frozenset(),
) -> list[Finding]:
    """Blocks that nearly repeat, or are contained in, a more complete block of the same document.

    The more complete block (more shingles; the first on ties) is kept. Blocks
    in `gone` go for another reason (chrome): nothing is a repeat of them, as
    nothing is on the cleaned text, but they may still repeat a kept block.
    """
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
    """Blocks made of other blocks of the document: a raw HTML or Markdown copy of the article, a teaser
    list that strings the paragraphs together.

    Keeping the more complete block would keep such a blob and drop the real
    paragraphs; so a block that contains at least two others, which together
    make up `composite_coverage` of its shingles, is the one removed.
    """
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
    """Exact and near repeats of one document, as findings (in an extractor's main text, exact ones only).

    Near repeats are sought on whole-page text alone (see `detect`): in the
    main text an extractor keeps, a block close to or inside another is
    content (a heading restated in its section, a table row beside its
    variant, two events of one series); the teasers and highlight bullets
    that near repeats remove are what the extractor leaves out. Measured on
    HTML through trafilatura: webpages-dev F1 0.932 with them, 0.935 without;
    webpages-types documentation 0.893 and 0.897.
    """
    exact = exact_repeats(doc_id, blocks, sigs, config)
    findings = [
        Finding(i, "repeat", "repeat:exact", 1.0, Ref(doc_id, blocks[j].lines), f"repeat of {_span(blocks[j].lines)}")
        for i, j in sorted(exact.items())
    ]
    return findings + near_repeats(doc_id, blocks, sigs, exact, config) if whole_page else findings


#: Kinds of page whose short items legitimately recur: a card title in a grid and again in a carousel, a
#: parameter name in a reference table and again in an example.
RECURRING_ITEMS = frozenset({LISTING, DOCS})
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
    key = [s.hash if s.n_words else b.text.strip() for b, s in zip(blocks, sigs)]
    first: dict[tuple, int] = {}
    runs: set[int] = set()
    for w in range(len(key) - COPIED_RUN + 1):
        window = tuple(key[w : w + COPIED_RUN])
        if first.setdefault(window, w) < w and all(i in of for i in range(w, w + COPIED_RUN)):
            runs.update(range(w, w + COPIED_RUN))

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
        if not whole_page and (code or list_items(k) or kind == DOCS):
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


def _list_item(text: str) -> bool:
    """Whether a block is an item of a list or a table row (a marker first: "- ", "• ", "| ", "3. ")."""
    return _ITEM_MARK.match(text) is not None


#: The marker of a list item or a table row, as extractors and text dumps write them.
_ITEM_MARK = re.compile(r"\s*(?:[-*•·–|]|\d{1,3}[.)])\s")


def _span(lines: tuple[int, int]) -> str:
    return f"line {lines[0]}" if lines[0] == lines[1] else f"lines {lines[0]}-{lines[1]}"
