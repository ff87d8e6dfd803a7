"""Repeats inside one document: exact (normalized hash) and near (shingle Jaccard and containment).

Near repeats are found on the blocks' exact word-shingle sets rather than on
MinHash estimates: inside one document the sets are small, so candidate pairs
come from sorting (shingle, block) pairs and every pair is scored on the real
sets. That finds a short block contained in a long one however different
their sizes, which banded MinHash misses; MinHash is kept for the corpus step,
where sets cannot all be held.

The detectors run in the compiled core (`crates/dedupe-core/src/repeats.rs`),
one call per batch over the columns signing made; here are the findings made of
their answer, and which repeats are content that recurs by design
(`keep_recurring_content`).
"""
from __future__ import annotations

import re
from collections import Counter

import numpy as np

from .. import _core
from ..config import Config
from ..records import Block, Finding, Ref
from ..sign import BlockSig, SignedText, signed_of
from .pagetype import ITEM_MAX, LISTING, DOCS, looks_like_code

#: A shingle found in more blocks than this is a stock phrase, not evidence of a repeat.
MAX_POSTING = 64
#: Share of a composite block that its parts other than the largest must cover (see the core's `repeats::composites`).
MIN_OTHER_PARTS = 0.1


def _params(config: Config) -> tuple:
    """The settings the core's detectors read, as it takes them (once a batch)."""
    return (config.min_repeat_words, config.min_near_words, config.near_threshold, config.containment_threshold,
            config.composite_coverage, MAX_POSTING, MIN_OTHER_PARTS)


def _columns(signed: list[SignedText]) -> tuple[bytes, bytes, bytes, bytes]:
    """The blocks of documents end to end, as the core takes them: normalized hashes, words, shingles and
    shingles per block (little-endian bytes)."""
    if getattr(signed, "columns", ()):  # a whole batch as `sign_texts` made it: its columns, not joined again
        return tuple(c.tobytes() for c in signed.columns)
    if len(signed) == 1:
        s = signed[0]
        return s.hashes.tobytes(), s.lengths.tobytes(), s.shingles.tobytes(), s.counts.tobytes()
    return tuple(np.concatenate([getattr(s, name) for s in signed]).tobytes() if signed else b""
                 for name in ("hashes", "lengths", "shingles", "counts"))


_NEAR = ("containment", "jaccard", "composite")


def _near_finding(doc_id: str, blocks: list[Block], found: tuple) -> Finding:
    """A near-repeat finding from the core's (block, how, score, block it repeats, a composite's parts)."""
    block, how, score, of, parts = found
    lines = blocks[of].lines
    if how == 2:
        note = f"made of lines {', '.join(_span(blocks[i].lines).split(' ', 1)[1] for i in parts)}"
    else:
        note = f"{'contained in' if how == 0 else 'near repeat of'} {_span(lines)}"
    return Finding(block, "near-repeat", f"near-repeat:{_NEAR[how]}", score, Ref(doc_id, lines), note)


def repeats_batch(doc_ids: list[str], block_lists: list[list[Block]], signed: list[SignedText], config: Config,
                  whole_pages: list[bool], texts: list[str] | None = None) -> list[list[Finding]]:
    """`find_repeats` of every document of a batch signed together, in one core call (texts: the blocks'
    texts end to end, when the caller has them)."""
    if texts is None:
        texts = [b.text for blocks in block_lists for b in blocks]
    found = _core.find_repeats(texts, *_columns(signed), [len(blocks) for blocks in block_lists],
                               list(whole_pages), _params(config))
    out: list[list[Finding]] = []
    for doc_id, blocks, repeats in zip(doc_ids, block_lists, found):
        if repeats is None:  # (the usual page)
            out.append([])
            continue
        exact, near = repeats
        out.append([Finding(i, "repeat", "repeat:exact", 1.0, Ref(doc_id, blocks[j].lines),
                            f"repeat of {_span(blocks[j].lines)}") for i, j in exact]
                   + [_near_finding(doc_id, blocks, f) for f in near])
    return out


def find_repeats(doc_id: str, blocks: list[Block], sigs: list[BlockSig], config: Config,
                 whole_page: bool = True) -> list[Finding]:
    """Exact and near repeats of one document, as findings (in an extractor's main text, exact ones only).

    Exact: blocks of the same normalized text, each pointing at the first
    occurrence; a block shorter than `min_repeat_words` counts only inside a
    run that repeats as a whole. Near: blocks whose shingle sets are alike
    (`near_threshold`) or contained in a more complete block's
    (`containment_threshold`); a block made of others (`composite_coverage`)
    is the one removed. The compiled core's `repeats.rs` does the work.

    Near repeats are sought on whole-page text alone (see `detect`): in the
    main text an extractor keeps, a block close to or inside another is
    content (a heading restated in its section, a table row beside its
    variant, two events of one series); the teasers and highlight bullets
    that near repeats remove are what the extractor leaves out. Measured on
    HTML through trafilatura: webpages-dev F1 0.932 with them, 0.935 without;
    webpages-types documentation 0.893 and 0.897.
    """
    return repeats_batch([doc_id], [blocks], [signed_of(sigs)], config, [whole_page])[0]


def near_repeats(
    doc_id: str,
    blocks: list[Block],
    sigs: list[BlockSig],
    exact: dict[int, int],
    config: Config,
    gone: frozenset[int] = frozenset(),
) -> list[Finding]:
    """Blocks that nearly repeat, or are contained in, a more complete block of the same document (exact
    repeats, the keys of `exact`, left out).

    The more complete block (more shingles; the first on ties) is kept. Blocks
    in `gone` go for another reason (chrome): nothing is a repeat of them, as
    nothing is on the cleaned text, but they may still repeat a kept block.
    """
    found = _core.find_repeats([b.text for b in blocks], *_columns([signed_of(sigs)]), [len(blocks)], [True],
                               _params(config), (sorted(exact), sorted(gone)))[0]
    return [] if found is None else [_near_finding(doc_id, blocks, f) for f in found[1]]


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


def _span(lines: tuple[int, int]) -> str:
    return f"line {lines[0]}" if lines[0] == lines[1] else f"lines {lines[0]}-{lines[1]}"
