"""Detect: every detector that needs only one document, plus lookups into the corpus step's results."""
from __future__ import annotations

import re
from collections import Counter
from itertools import chain

from ..config import Config
from ..records import Block, Finding
from ..sign import BlockSig, SignedText, signed_of
from .chrome import block_columns, block_rows, chrome_pages, find_chrome, keep_copy_outside_chrome, page_kind
from .pagetype import THREAD, has_stamp
from .repeats import LABEL_MAX, RECURRING_ITEMS, Repeats, copied_runs, findings_of, keep_content, repeats_batch


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
    kind = page_kind(blocks, sigs, rows)
    if found is None:
        found = repeats_batch([blocks], [signed_of(sigs)], config, [whole_page])[0]
    repeats = []
    if found:  # (None from the core, or NO_REPEATS from `detect_batch`: the usual page)

        def content_kept(kind: str) -> list[Finding]:
            # (the core's gates first, content recurring by design and the fields of an extractor's items, so
            # that no finding is made for what they keep)
            kept = findings_of(doc_id, blocks, keep_content(found, blocks, sigs, kind, whole_page))
            if whole_page:
                return kept
            kept = keep_recurring_entries(keep_restated_titles(kept, blocks, sigs, kind), blocks, sigs, kind)
            return keep_identifier_lines(kept, blocks, kind)

        repeats = content_kept(kind)
        # The kind of the page the cleaned copy is (which a second run reads), without the repeats that go.
        cleaned = page_kind(blocks, sigs, rows, _going(repeats, config))
        if kind in RECURRING_ITEMS and cleaned not in RECURRING_ITEMS:
            # The page read as a list only through its repeated blocks (two paragraphs each pasted twice make
            # a unit that recurs): the cleaned copy is no list, and a second run, reading it as what it is,
            # would remove the items spared here. Repeats are judged on the page the cleaned copy is.
            repeats = content_kept(cleaned)
            cleaned = page_kind(blocks, sigs, rows, _going(repeats, config))
        kind = cleaned
    chrome = find_chrome(doc_id, blocks, sigs, config, repeats, whole_page, rows, kind)
    if not repeats:  # (the usual page) chrome findings come ordered by block, one a block
        return chrome, kind
    repeats = keep_copy_outside_chrome(doc_id, blocks, sigs, repeats, chrome, config, whole_page)
    return sorted(repeats + chrome, key=lambda f: (f.block, f.category, f.detector)), kind


def _going(repeats: list[Finding], config: Config) -> frozenset[int]:
    """The blocks the repeat findings remove."""
    return frozenset(f.block for f in repeats if config.wants(f.category))


def detect_batch(
    doc_ids: list[str], block_lists: list[list[Block]], signed: list[SignedText], config: Config,
    whole_pages: list[bool],
) -> list[tuple[list[Finding], str]]:
    """`detect_page` for each document of a batch signed together: the chrome step's block profiles, the repeats,
    and, for the pages without repeats (the usual page), the page's kind and the chrome findings come from one
    call into the compiled core each for the whole batch; a page with repeats goes through `detect_page`."""
    texts = [[b.text for b in blocks] for blocks in block_lists]
    flat = list(chain.from_iterable(texts))
    n_words = [s.n_words for doc in signed for s in doc.sigs]
    features, families = block_columns(flat, n_words)
    found = [NO_REPEATS if r is None else r for r in repeats_batch(block_lists, signed, config, whole_pages, flat)]
    plain = chrome_pages(texts, features, families, [s.hash for doc in signed for s in doc.sigs], whole_pages,
                         [f is not NO_REPEATS for f in found])
    out, at = [], 0
    for doc_id, blocks, doc, whole_page, repeats, page in zip(doc_ids, block_lists, signed, whole_pages, found, plain):
        if page is None:
            hi = at + len(blocks)
            rows = list(zip(n_words[at:hi], *(column[at:hi] for column in features), families[at:hi]))
            page = detect_page(doc_id, blocks, doc.sigs, config, whole_page, rows, repeats)
        out.append(page)
        at += len(blocks)
    return out


#: A title restated is a line of at most this many words, without a sentence's end.
TITLE_MAX = LABEL_MAX
#: A page restates at least this many distinct titles when each item has a section of its own further on.
TITLES_RESTATED = 3
_DIGIT = re.compile(r"\d")
_SENTENCE_END = (".", "!", "?", "。", "！", "？")


def keep_restated_titles(repeats: list[Finding], blocks: list[Block], sigs: list[BlockSig], kind: str) -> list[Finding]:
    """Exact repeats in an extractor's main text, without the titles restated where their own section starts.

    A short title (an offer's hotel, a plan's name, a service) that recurs
    with other neighbours on both sides than where it first stood heads
    text of its own: the terms of the offer a grid listed above, the details
    of the plan a table named. A menu or a carousel the extractor kept
    twice recurs with the same neighbours, or in a run copied in order (both
    still go); so does a thread's recurring post header (see the core's
    `repeats/content.rs`).
    """
    if kind == THREAD:
        return repeats
    hashes = [s.hash if s.n_words else None for s in sigs]
    block_at = {b.first_line: b.index for b in blocks}
    exact = {f.block: block_at[f.duplicate_of.lines[0]] for f in repeats if f.category == "repeat"}
    copied = copied_runs(hashes, exact.keys())
    before, after = _worded_neighbours(sigs)

    def around(k: int) -> tuple:
        return tuple(None if j is None else hashes[j] for j in (before[k], after[k]))

    def restated(k: int) -> bool:
        if k in copied or not sigs[k].n_words or sigs[k].n_words > TITLE_MAX or has_stamp(blocks[k].text):
            return False  # (a date restated is a post's or an entry's header)
        if blocks[k].text.rstrip().endswith(_SENTENCE_END):
            return False
        (before, after), (was_before, was_after) = around(k), around(exact[k])
        return before != was_before and after != was_after

    spared = {f.block for f in repeats if f.category == "repeat" and restated(f.block)}
    # One title restated is most often the page's own name again (a product's name over its gallery and its
    # details); a section per item restates several names. A line with a number is not counted as one: a date
    # or a count restated is a post's or an entry's header ("June 15, 2024 1 yr").
    if len({hashes[k] for k in spared if not _DIGIT.search(blocks[k].text)}) < TITLES_RESTATED:
        return repeats
    return [f for f in repeats if f.block not in spared]


def _worded_neighbours(sigs: list[BlockSig]) -> tuple[dict[int, int | None], dict[int, int | None]]:
    """For each block with words, the block with words before it and the one after it (None at the ends)."""
    worded = [k for k, s in enumerate(sigs) if s.n_words]
    return dict(zip(worded, [None, *worded[:-1]])), dict(zip(worded, [*worded[1:], None]))


#: An entry of a teaser list is a paragraph of at least this many words...
ENTRY_WORDS = 12
#: ...and one that recurs this many times, each time between other entries, is an entry the list runs again.
ENTRY_TIMES = 3


def keep_recurring_entries(repeats: list[Finding], blocks: list[Block], sigs: list[BlockSig],
                           kind: str) -> list[Finding]:
    """Exact repeats in an extractor's main text, without a list's entry that recurs among other entries.

    A list of teasers that runs a column's standing teaser under each of its
    issues ("Stop overpaying! Our deals expert finds the week's...") holds it
    ENTRY_TIMES times or more, each time between two other paragraphs (other
    entries): each copy is an entry of the list. A promotion
    repeated between a grid's cards stands between short titles and prices,
    a carousel's slides recur in a run copied in order, and a paragraph
    quoted again as a pull quote recurs once: all of these still go.
    """
    if kind == THREAD:
        return repeats
    times = Counter(s.hash for s in sigs if s.n_words)
    exact = {f.block for f in repeats if f.category == "repeat"}
    if not exact:
        return repeats
    copied = copied_runs([s.hash if s.n_words else None for s in sigs], exact)
    before, after = _worded_neighbours(sigs)

    def entry(j: int | None, k: int) -> bool:
        return j is not None and sigs[j].n_words >= ENTRY_WORDS and sigs[j].hash != sigs[k].hash

    def among_entries(k: int) -> bool:
        return entry(before[k], k) and entry(after[k], k)

    by_hash: dict[int, list[int]] = {}
    for k in before:
        if times[sigs[k].hash] >= ENTRY_TIMES:
            by_hash.setdefault(sigs[k].hash, []).append(k)
    spared = {k for ks in by_hash.values()
              if sigs[ks[0]].n_words >= ENTRY_WORDS and not any(k in copied for k in ks) and all(map(among_entries, ks))
              for k in ks}
    return [f for f in repeats if f.block not in spared]


#: An identifier as code and configuration write it, in lower case: a path (a leading slash, two slashes or a file
#: name after one: "/etc/x.d/y.conf", "src/main.rs"; a host name first reads as a web address, "shop.example/deals",
#: and is not one), a setting (key=value, no spaces), a snake_case or a qualified (a::b) name, a commit's or an
#: object's hex id (digits and the letters a to f, both).
_IDENTIFIER = re.compile(
    r"^(?:[~.]{0,2}/[a-z0-9_.-]+(?:/[a-z0-9_.-]*)*|[a-z0-9_-]+/[a-z0-9_.-]+/[a-z0-9_./-]*"
    r"|[a-z0-9_-]+/[a-z0-9_-]*\.[a-z0-9_./-]+"
    r"|[A-Za-z][\w.-]*=[^\s=]+|[a-z][a-z0-9_.]*_[a-z0-9_.]*[a-z0-9]|\w+::\w[\w:]*"
    r"|(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{5,40})$")
_LOWER = re.compile(r"[a-z]")
#: What wraps a token in prose or a sample: quotes, brackets, a trailing comma or colon.
_WRAPPING = "\"'`()[]{}<>,;:"


def keep_identifier_lines(repeats: list[Finding], blocks: list[Block], kind: str) -> list[Finding]:
    """Exact repeats in an extractor's main text, without the lines that name an identifier of code.

    Documentation shows a sample line again where its text explains it
    (a unit file's `Wants=` setting, a path a step edits, a commit's
    `Fixes:` tag naming a function), and once segmented such a line can
    stand between sentences with no code block beside it to read it by.
    A path, a key=value setting, a snake_case or qualified name written in
    lower case is code's own vocabulary: a template's menu, a share bar or
    a promotion does not hold one (a web address, an e-mail and an upper
    case placeholder such as `[CTA_MODULE]` are not counted). A thread's
    recurring post header still goes (see the core's `repeats/content.rs`).
    """
    if kind == THREAD:
        return repeats
    return [f for f in repeats if f.category != "repeat" or not names_identifier(blocks[f.block].text)]


def names_identifier(text: str) -> bool:
    """Whether a text holds an identifier as code writes it (see `_IDENTIFIER`), outside a web or mail address."""
    for token in text.split():
        token = token.strip(_WRAPPING).rstrip(".")
        if "@" in token or "://" in token or token.startswith("www."):
            continue
        if _LOWER.search(token) and _IDENTIFIER.match(token):
            return True
    return False
