"""Repeats inside one document: exact (normalized hash) and near (shingle Jaccard and containment).

Near repeats are found on the blocks' exact word-shingle sets rather than on
MinHash estimates: inside one document the sets are small, so candidate pairs
come from sorting (shingle, block) pairs and every pair is scored on the real
sets. That finds a short block contained in a long one however different
their sizes, which banded MinHash misses; MinHash is kept for the corpus step,
where sets cannot all be held.

The detectors run in the compiled core (`crates/dedupe-core/src/repeats.rs`),
one call per batch over the columns signing made, and so do the gates that keep
the repeats that are content recurring by design (`keep_content`,
`repeats/content.rs`); here are the findings made of what they leave.
"""
from __future__ import annotations

import numpy as np

from .. import _core
from ..config import Config
from ..records import Block, Finding, Ref
from ..segment import Segmented
from ..sign import BlockSig, SignedText, signed_of

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


#: A document's repeats as the core gives them: None (the usual page), or its exact repeats (block, first
#: occurrence) and its near ones (block, how, score, the block it repeats, a composite's parts).
Repeats = "tuple[list[tuple[int, int]], list[tuple]] | None"


def repeats_batch(block_lists: list[list[Block]], signed: list[SignedText], config: Config,
                  whole_pages: list[bool], texts: list[str] | None = None) -> list[Repeats]:
    """The repeats of every document of a batch signed together, in one core call (texts: the blocks' texts end to
    end, when the caller has them), as the core gives them: findings are made (`findings_of`) only of those the
    gates leave (`keep_content`)."""
    if texts is None:
        texts = [b.text for blocks in block_lists for b in blocks]
    # (a batch as `segment_batch` made it: its counts of blocks, no block read)
    counts = block_lists.counts if isinstance(block_lists, Segmented) else [len(blocks) for blocks in block_lists]
    return _core.find_repeats(texts, *_columns(signed), counts, list(whole_pages), _params(config))


def findings_of(doc_id: str, blocks: list[Block], repeats: Repeats) -> list[Finding]:
    """The findings of a document's repeats (exact ones first)."""
    if repeats is None:
        return []
    exact, near = repeats
    return ([Finding(i, "repeat", "repeat:exact", 1.0, Ref(doc_id, blocks[j].lines), f"repeat of {_span(blocks[j].lines)}")
             for i, j in exact] + [_near_finding(doc_id, blocks, f) for f in near])


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
    return findings_of(doc_id, blocks, repeats_batch([blocks], [signed_of(sigs)], config, [whole_page])[0])


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


#: The gates' limits the Python gates share (detect/__init__.py): a label is a block of at most LABEL_MAX words;
#: COPIED_RUN blocks repeated in order are a copy of a passage (their reasons are in `repeats/content.rs`).
LABEL_MAX, LABEL_TIMES, COPIED_RUN = (_core.REPEAT_GATES[k] for k in ("LABEL_MAX", "LABEL_TIMES", "COPIED_RUN"))


def copied_runs(keys: list[int | None], repeated) -> set[int]:
    """The blocks that lie in COPIED_RUN consecutive `repeated` blocks whose keys (a hash, or None) occurred in that
    order earlier: a passage copied in order (in the core)."""
    return set(_core.copied_runs(keys, sorted(repeated)))


#: Whether a block is an item of a list or a table row (a marker first: "- ", "• ", "| ", "3. "), asked of many
#: blocks: the core's function itself.
_list_item = _core.list_item


#: Kinds of page whose short items legitimately recur: a card title in a grid and again in a carousel, a
#: parameter name in a reference table and again in an example (`repeats::content::recurring_items`).
RECURRING_ITEMS = frozenset(_core.RECURRING_KINDS)


def keep_content(repeats: Repeats, blocks: list[Block], sigs: list[BlockSig], kind: str,
                 whole_page: bool = True) -> Repeats:
    """A document's repeats without those on content that recurs by design, on a page of this kind, in one core
    call (`repeats/content.rs`): code shown twice in a tutorial, the short items of a list, a grid or a reference
    page, a long list item that recurs as a list item among other neighbours; in an extractor's main text (not
    whole_page) also code and list items wherever they recur, what a documentation page repeats, and the fields
    and labels of the article's items. A run of blocks repeated in order is a copy and stays a repeat."""
    if repeats is None:
        return None
    exact, near = repeats
    keep = _core.keep_content(exact, [(f[0], f[3]) for f in near], [b.text for b in blocks], [s.hash for s in sigs],
                              [s.n_words for s in sigs], kind, whole_page)
    return [e for e, k in zip(exact, keep) if k], [f for f, k in zip(near, keep[len(exact):]) if k]


def _span(lines: tuple[int, int]) -> str:
    return f"line {lines[0]}" if lines[0] == lines[1] else f"lines {lines[0]}-{lines[1]}"
