"""Page types: what kind of page a whole-page text is, read from its shape before anything is cut.

A crawl holds more than articles, and what is content differs by kind: the
replies of a thread, the items of a grid or list, the code of a tutorial. The
extent step and the repeat detectors were made for articles; told the kind,
they leave such content alone (see `find_chrome` and `detect`).

The kind comes from the text's structure, never from site names or the words
of one language:

- ``thread``: posts, each under a short header that carries a date or time
  stamp, the posts' prose spread over the page rather than held in one stretch
  before the stamps (an article with reader comments under it holds most of
  its prose before them).
- ``docs``: documentation with code: several code-like blocks (a share of
  code symbols, and a call, an assignment or a statement end).
- ``listing``: a grid or list of items: many item-like lines of a few words
  and little prose.
- ``article``: the rest, prose being a good share of the page's words.
- ``other``: the rest, with less prose (a product page, a service page of
  sections under headings): the extent step runs as for an article, which
  removes the menus and footers around the sections, unless its stretch does
  not hold the page's prose (see `find_chrome`).

The signals are cheap counts over the blocks the chrome step has already
profiled (size, class). The compiled core reads them
(crates/dedupe-core/src/pagetype.rs, with the limits and their reasons):
`page_kind` is one call per document from the chrome step's rows; the
functions here are the core's answers for the other callers and the tests.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import _core

ARTICLE, THREAD, DOCS, LISTING, OTHER = "article", "thread", "docs", "listing", "other"

#: The limits the other detectors share with the page kind (their reasons are in pagetype.rs): a post header is
#: at most STAMP_MAX_WORDS words; a listing's items are lines of ITEM_MIN to ITEM_MAX words.
STAMP_MAX_WORDS, ITEM_MIN, ITEM_MAX = (_core.PAGE_TYPE[k] for k in ("STAMP_MAX_WORDS", "ITEM_MIN", "ITEM_MAX"))


@dataclass(frozen=True)
class PageType:
    """A page's kind, and the counts it was decided on."""

    kind: str
    posts: int = 0
    code: int = 0
    items: int = 0
    prose_share: float = 0.0


def page_type(texts: list[str], sizes: list[int], prose: list[bool]) -> PageType:
    """The kind of a whole page from its blocks: their texts, sizes in words, and which are prose (in the core)."""
    return PageType(*_core.page_type(texts, sizes, prose))


def item_runs(texts: list[str], sizes: list[int], prose: list[bool], named: list[bool]) -> list[bool]:
    """Which blocks lie in a run of list items: units of a few blocks repeated with one shape, each holding a field
    that recurs from item to item and content of its own (in the core); named marks the blocks a rule names."""
    return _core.item_runs(texts, sizes, prose, named)


def card_runs(texts: list[str], sizes: list[int], prose: list[bool], named: list[bool]) -> list[bool]:
    """Which blocks lie in a grid of cards anchored on a field whose value varies from card to card (a price, a
    count: the same text with other numbers), cards of varying shape (in the core)."""
    return _core.card_runs(texts, sizes, prose, named)


#: Asked of one block at a time by the other detectors, many times a page, so the core's functions themselves,
#: with no Python call between: whether a block holds a date or a time written in digits (`has_stamp`), reads as
#: code (`looks_like_code`), is code or quotes code's interpolation amid prose (`holds_code`: `...${x}...`,
#: "${HOME}/bin"), and its text as its copies share it, lower case and its numbers as 0 (`folded`).
has_stamp, looks_like_code, holds_code, folded = _core.has_stamp, _core.looks_like_code, _core.holds_code, _core.folded
