"""Detect: every detector that needs only one document, plus lookups into the corpus step's results."""
from __future__ import annotations

import re
from collections import Counter
from itertools import chain

from ..config import Config
from ..records import Block, Finding
from ..sign import BlockSig, SignedText
from .chrome import block_rows, find_chrome, keep_copy_outside_chrome, page_kind
from .pagetype import THREAD, has_stamp
from .repeats import (LABEL_MAX, LABEL_TIMES, RECURRING_ITEMS, copied_runs, find_repeats, keep_recurring_content,
                      repeats_batch)


def detect(
    doc_id: str, blocks: list[Block], sigs: list[BlockSig], config: Config, whole_page: bool = True,
    rows: list[tuple] | None = None,
) -> list[Finding]:
    """Findings of the within-document detectors, ordered by block (see `detect_page`)."""
    return detect_page(doc_id, blocks, sigs, config, whole_page, rows)[0]


def detect_page(
    doc_id: str, blocks: list[Block], sigs: list[BlockSig], config: Config, whole_page: bool = True,
    rows: list[tuple] | None = None, found: list[Finding] | None = None,
) -> tuple[list[Finding], str]:
    """Findings of the within-document detectors, ordered by block, and the kind the page was read as.

    whole_page: the text is a whole page's (plain-text dumps), not an
    extractor's article text (HTML through trafilatura); see find_chrome.
    rows: the chrome step's block profiles and rule matches (`block_rows`,
    made for a whole batch at once by `detect_batch`; found here if None).
    found: the page's repeats (`find_repeats`, likewise made for a batch).
    """
    if rows is None:
        rows = block_rows([[b.text for b in blocks]], [[s.n_words for s in sigs]])[0]
    kind = page_kind(blocks, sigs, rows)
    if found is None:
        found = find_repeats(doc_id, blocks, sigs, config, whole_page)
    repeats = found
    if found:

        def content_kept(kind: str) -> list[Finding]:
            kept = keep_recurring_content(found, blocks, sigs, kind, whole_page)
            if whole_page:
                return kept
            kept = keep_restated_titles(keep_item_fields(kept, blocks, sigs, kind), blocks, sigs, kind)
            return keep_identifier_lines(keep_recurring_entries(kept, blocks, sigs, kind), blocks, kind)

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
    """`detect_page` for each document of a batch signed together: the chrome step's block profiles and the
    repeats come from one call into the compiled core each for the whole batch."""
    texts = [[b.text for b in blocks] for blocks in block_lists]
    rows = block_rows(texts, [[s.n_words for s in doc.sigs] for doc in signed])
    found = repeats_batch(doc_ids, block_lists, signed, config, whole_pages, list(chain.from_iterable(texts)))
    return [detect_page(*args) for args in zip(doc_ids, block_lists, (s.sigs for s in signed), [config] * len(signed),
                                           whole_pages, rows, found)]


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
    if kind == THREAD:
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
    still go); so does a thread's recurring post header (see
    `keep_item_fields`).
    """
    if kind == THREAD:
        return repeats
    hashes = [s.hash if s.n_words else None for s in sigs]
    block_at = {b.first_line: b.index for b in blocks}
    exact = {f.block: block_at[f.duplicate_of.lines[0]] for f in repeats if f.category == "repeat"}
    copied = copied_runs(hashes, exact.keys())
    worded = [k for k, h in enumerate(hashes) if h is not None]
    at = {k: i for i, k in enumerate(worded)}

    def around(k: int) -> tuple:
        i = at[k]
        return (hashes[worded[i - 1]] if i else None, hashes[worded[i + 1]] if i + 1 < len(worded) else None)

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
    worded = [k for k, s in enumerate(sigs) if s.n_words]
    at = {k: i for i, k in enumerate(worded)}

    def entry(j: int | None, k: int) -> bool:
        return j is not None and sigs[j].n_words >= ENTRY_WORDS and sigs[j].hash != sigs[k].hash

    def among_entries(k: int) -> bool:
        i = at[k]
        return entry(worded[i - 1] if i else None, k) and entry(worded[i + 1] if i + 1 < len(worded) else None, k)

    by_hash: dict[int, list[int]] = {}
    for k in worded:
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
    recurring post header still goes (see `keep_item_fields`).
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
