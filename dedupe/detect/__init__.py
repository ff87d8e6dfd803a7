"""Detect: every detector that needs only one document, plus lookups into the corpus step's results."""
from __future__ import annotations

from itertools import chain

from ..config import Config
from ..records import Block, Finding
from ..sign import BlockSig, SignedText, signed_of
from .chrome import block_rows, find_chrome, keep_copy_outside_chrome, page_kind
from .repeats import RECURRING_ITEMS, Repeats, findings_of, keep_content, repeats_batch


#: `detect_page`'s found for a page the core found no repeat on (None there means: find them).
NO_REPEATS = ()


def detect(
    doc_id: str, blocks: list[Block], sigs: list[BlockSig], config: Config, whole_page: bool = True,
    rows: list[tuple] | None = None,
) -> list[Finding]:
    """Findings of the within-document detectors, ordered by block (see `detect_page`)."""
    return detect_page(doc_id, blocks, sigs, config, whole_page, rows)[0]


def detect_page(
    doc_id: str, blocks: list[Block], sigs: list[BlockSig], config: Config, whole_page: bool = True,
    rows: list[tuple] | None = None, found: Repeats | tuple = None,
) -> tuple[list[Finding], str]:
    """Findings of the within-document detectors, ordered by block, and the kind the page was read as.

    whole_page: the text is a whole page's (plain-text dumps), not an
    extractor's article text (HTML through trafilatura); see find_chrome.
    rows: the chrome step's block profiles and rule matches (`block_rows`,
    made for a whole batch at once by `detect_batch`; found here if None).
    found: the page's repeats as the core gives them (`repeats_batch`,
    likewise made for a batch; NO_REPEATS when it has none; found here if
    None).
    """
    if rows is None:
        rows = block_rows([[b.text for b in blocks]], [[s.n_words for s in sigs]])[0]
    if found is None:
        found = repeats_batch([blocks], [signed_of(sigs)], config, [whole_page])[0]
    kind = page_kind(blocks, sigs, rows)
    repeats = []
    if found:  # (None from the core, or NO_REPEATS from `detect_batch`: the usual page)
        kept = keep_content(found, blocks, sigs, kind, whole_page)
        # The kind of the page the cleaned copy is (which a second run reads), without the repeats that go.
        cleaned = page_kind(blocks, sigs, rows, _going(kept, config))
        if kind in RECURRING_ITEMS and cleaned not in RECURRING_ITEMS:
            # The page read as a list only through its repeated blocks (two paragraphs each pasted twice make
            # a unit that recurs): the cleaned copy is no list, and a second run, reading it as what it is,
            # would remove the items spared here. Repeats are judged on the page the cleaned copy is.
            kept = keep_content(found, blocks, sigs, cleaned, whole_page)
            cleaned = page_kind(blocks, sigs, rows, _going(kept, config))
        kind = cleaned
        repeats = findings_of(doc_id, blocks, kept)
    chrome = find_chrome(doc_id, blocks, sigs, config, repeats, whole_page, rows, kind)
    if not repeats:  # (the usual page) chrome findings come ordered by block, one a block
        return chrome, kind
    repeats = keep_copy_outside_chrome(doc_id, blocks, sigs, repeats, chrome, config, whole_page)
    return sorted(repeats + chrome, key=lambda f: (f.block, f.category, f.detector)), kind


def _going(repeats: Repeats, config: Config) -> frozenset[int]:
    """The blocks the repeats remove (those of the categories the configuration wants)."""
    exact, near = repeats
    return frozenset(([i for i, _ in exact] if config.wants("repeat") else [])
                     + ([f[0] for f in near] if config.wants("near-repeat") else []))


def detect_batch(
    doc_ids: list[str], block_lists: list[list[Block]], signed: list[SignedText], config: Config,
    whole_pages: list[bool],
) -> list[tuple[list[Finding], str]]:
    """`detect_page` for each document of a batch signed together: the chrome step's block profiles and the
    repeats come from one call into the compiled core each for the whole batch."""
    texts = [[b.text for b in blocks] for blocks in block_lists]
    rows = block_rows(texts, [[s.n_words for s in doc.sigs] for doc in signed])
    found = [NO_REPEATS if r is None else r
             for r in repeats_batch(block_lists, signed, config, whole_pages, list(chain.from_iterable(texts)))]
    return [detect_page(*args) for args in zip(doc_ids, block_lists, (s.sigs for s in signed), [config] * len(signed),
                                           whole_pages, rows, found)]
