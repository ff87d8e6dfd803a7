"""Detect: every detector that needs only one document, plus lookups into the corpus step's results."""
from __future__ import annotations

import re
from collections import Counter
from functools import cache
from itertools import accumulate, islice

from ..config import Config
from ..decide import Found, found_of
from ..records import Block, Finding
from ..segment import Segmented
from ..sign import BlockSig, SignedBatch, signed_of
from .chrome import (block_columns, block_rows, chrome_pages, ends_sentence, find_chrome, keep_copy_outside_chrome,
                     page_kind)
from .pagetype import DOCS, THREAD, has_stamp
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
    rows: list[tuple] | None = None, found: Repeats | tuple = None, shown_template: bool = False,
) -> tuple[list[Finding], str]:
    """Findings of the within-document detectors, ordered by block, and the kind the page was read as.

    whole_page: the text is a whole page's (plain-text dumps), not an
    extractor's article text (HTML through trafilatura); see find_chrome.
    rows: the chrome step's block profiles and rule matches (`block_rows`,
    made for a whole batch at once by `detect_batch`; found here if None).
    found: the page's repeats as the core gives them (`repeats_batch`,
    likewise made for a batch; NO_REPEATS when it has none; found here if
    None).
    shown_template: the page is known to show a site's template (see find_chrome).
    """
    if rows is None:
        rows = block_rows([[b.text for b in blocks]], [[s.n_words for s in sigs]])[0]
    kind = read_as = page_kind(blocks, sigs, rows)
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
            return keep_identifier_lines(keep_restated_steps(kept, blocks, sigs, kind), blocks, kind)

        def kind_without(gone: frozenset[int]) -> str:
            # (a page whose gates keep every repeat is the page already read: 29 of the 172 readings after the
            # first on webpages-dev's pages)
            return page_kind(blocks, sigs, rows, gone) if gone else read_as

        repeats = content_kept(kind)
        # The kind of the page the cleaned copy is (which a second run reads), without the repeats that go.
        cleaned = kind_without(_going(repeats, config))
        if kind in RECURRING_ITEMS and cleaned not in RECURRING_ITEMS:
            # The page read as a list only through its repeated blocks (two paragraphs each pasted twice make
            # a unit that recurs): the cleaned copy is no list, and a second run, reading it as what it is,
            # would remove the items spared here. Repeats are judged on the page the cleaned copy is.
            repeats = content_kept(cleaned)
            cleaned = kind_without(_going(repeats, config))
        kind = cleaned
    chrome = _chrome_kept(find_chrome(doc_id, blocks, sigs, config, repeats, whole_page, rows, kind,
                                      shown_template), blocks, sigs,
                          kind, whole_page)
    if not repeats:  # (the usual page) chrome findings come ordered by block, one a block
        return chrome, kind
    repeats = keep_copy_outside_chrome(doc_id, blocks, sigs, repeats, chrome, config, whole_page)
    # (after the chrome step, which read every repeat: a sentence spared here is kept where the article is,
    # and the article's extent is the same as without it; a thread as the page reads with its repeats: a post's
    # quote of another goes, but offers' terms that read as posts without their repeats come back)
    repeats = keep_variant_sections(repeats, blocks, sigs, read_as)
    return sorted(repeats + chrome, key=lambda f: (f.block, f.category, f.detector)), kind


def keep_variant_sections(repeats: list[Finding], blocks: list[Block], sigs: list[BlockSig],
                          kind: str) -> list[Finding]:
    """Repeats less the sentences that a section under a heading of its own says again.

    A page that states the same terms for each of its offers, plans or
    regions ("Medallion Members Offer Terms" and "SkyMiles Members Offer
    Terms", "US" and "UK:" over the same paragraph with other prices), the
    same warm-up under each day of a training plan, or the same description
    under each city an event visits, repeats sentences on purpose: each copy
    stands in a section headed by a line the page holds once, and a new one
    began between the first copy and this one. A body pasted twice has no
    heading of its own between its copies (a heading pasted with it is a
    repeat too), and a menu, a label or a headline restated ends no sentence:
    all of these still go.
    """
    if kind == THREAD or not repeats:
        return repeats
    block_at = {b.first_line: b.index for b in blocks}
    pairs = {}  # (a sentence and the one it repeats; most pages with repeats repeat none, and nothing else is read)
    for f in repeats:
        if f.category in ("repeat", "near-repeat") and f.duplicate_of is not None:
            first = block_at.get(f.duplicate_of.lines[0])
            if (first is not None and first != f.block and ends_sentence(blocks[f.block].text)
                    and ends_sentence(blocks[first].text)):
                pairs[f.block] = (first, f.category == "repeat")
    if not pairs:
        return repeats
    times = Counter(s.hash for s in sigs if s.n_words)

    @cache
    def heading(k: int) -> bool:
        return (0 < sigs[k].n_words <= TITLE_MAX and times[sigs[k].hash] == 1
                and not blocks[k].text.rstrip().endswith(_SENTENCE_END))

    def head(k: int, stop: int = -1) -> int | None:
        """The nearest heading before block k, after block `stop`."""
        return next((j for j in range(k - 1, stop, -1) if heading(j)), None)

    @cache
    def own(h: int) -> bool:
        # A section says something of its own: a sentence the page holds once (a body pasted again under a
        # heading says nothing new there).
        for j in range(h + 1, len(blocks)):
            if heading(j):
                return False
            if sigs[j].n_words and times[sigs[j].hash] == 1 and ends_sentence(blocks[j].text):
                return True
        return False

    def restated(k: int, first: int, exact: bool) -> bool:
        a, b = min(k, first), max(k, first)
        new, old = head(b, a), head(a)
        return new is not None and old is not None and (not exact or (own(old) and own(new)))

    spared = {k for k, (first, exact) in pairs.items() if restated(k, first, exact)}
    return [f for f in repeats if f.block not in spared] if spared else repeats


def _going(repeats: list[Finding], config: Config) -> frozenset[int]:
    """The blocks the repeat findings remove."""
    return frozenset(f.block for f in repeats if config.wants(f.category))


def _chrome_kept(chrome: list[Finding], blocks: list[Block], sigs: list[BlockSig], kind: str,
                 whole_page: bool) -> list[Finding]:
    """The chrome findings less the gates on an extractor's text (a list of keywords, the text's own sections)."""
    if whole_page:
        return chrome
    return keep_own_sections(keep_keyword_lists(chrome, blocks), blocks, sigs, kind)


def detect_batch(
    doc_ids: list[str], block_lists: Segmented, signed: SignedBatch, config: Config, whole_pages: list[bool],
    shown: list[bool] | None = None,
) -> list[tuple[Found, str, bool]]:
    """`detect_page` for each document of a batch signed together, its findings as the columns pass 2 reads: the
    chrome step's block profiles, the repeats, and, for the pages without repeats (the usual page), the page's kind
    and the chrome findings come from one call into the compiled core each for the whole batch (a whole page's
    findings as columns straight from the core's codes); a page with repeats goes through `detect_page`.

    Per document: its findings, its page's kind, and whether it has repeats (kept or not: the second look reads
    it, `pipeline._second_looks`). shown: per document whether it is known to show a site's template (the
    second look's copies, see `find_chrome`); None: none is."""
    # (the blocks' texts, words and hashes from the batch's columns: no `BlockSig` is made for the usual page)
    flat = block_lists.texts
    bounds = [0, *accumulate(block_lists.counts)]
    texts = [flat[b:e] for b, e in zip(bounds, bounds[1:])]
    block_hashes, lengths = signed.columns[:2]
    n_words = lengths.tolist()
    features, families = block_columns(flat, n_words)
    found = [NO_REPEATS if r is None else r for r in repeats_batch(block_lists, signed, config, whole_pages, flat)]
    shown = [False] * len(doc_ids) if shown is None else shown
    plain = chrome_pages(texts, flat, features, families, block_hashes.tolist(), whole_pages, shown,
                         [f is not NO_REPEATS for f in found])
    out = []
    for i, (doc_id, doc, whole_page, repeats, page) in enumerate(zip(doc_ids, signed, whole_pages, found, plain)):
        # (a document's `Block`s are made only here: the usual page is read as the batch's columns)
        if page is None:
            at, hi = bounds[i], bounds[i + 1]
            rows = list(zip(n_words[at:hi], *(column[at:hi] for column in features), families[at:hi]))
            findings, kind = detect_page(doc_id, block_lists[i], doc.sigs, config, whole_page, rows, repeats,
                                         shown[i])
            page = found_of(findings), kind
        elif not whole_page:
            page = found_of(_chrome_kept(page[0], block_lists[i], doc.sigs, page[1], whole_page)), page[1]
        out.append((*page, repeats is not NO_REPEATS))
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

    def title(k: int) -> bool:
        # (a date restated is a post's or an entry's header)
        return (sigs[k].n_words <= TITLE_MAX and not has_stamp(blocks[k].text)
                and not blocks[k].text.rstrip().endswith(_SENTENCE_END))

    spared = {k for k in _restated_elsewhere(repeats, blocks, sigs) if title(k)}
    # One title restated is most often the page's own name again (a product's name over its gallery and its
    # details); a section per item restates several names. A line with a number is not counted as one: a date
    # or a count restated is a post's or an entry's header ("June 15, 2024 1 yr").
    if len({hashes[k] for k in spared if not _DIGIT.search(blocks[k].text)}) < TITLES_RESTATED:
        return repeats
    return [f for f in repeats if f.block not in spared]


def _restated_elsewhere(repeats: list[Finding], blocks: list[Block], sigs: list[BlockSig]) -> dict[int, int]:
    """The exact repeats (block -> the block it repeats) that stand with other worded neighbours on both sides than
    their first occurrence, outside a run copied in order: a text restated where something else is said, not a
    passage, a menu or a carousel the extractor kept twice."""
    hashes = [s.hash if s.n_words else None for s in sigs]
    block_at = {b.first_line: b.index for b in blocks}
    exact = {f.block: block_at[f.duplicate_of.lines[0]] for f in repeats if f.category == "repeat"}
    copied = copied_runs(hashes, exact.keys())
    before, after = _worded_neighbours(sigs)

    def around(k: int) -> tuple:
        return tuple(None if j is None else hashes[j] for j in (before[k], after[k]))

    def moved(k: int) -> bool:
        (now_before, now_after), (was_before, was_after) = around(k), around(exact[k])
        return now_before != was_before and now_after != was_after

    return {k: first for k, first in exact.items() if sigs[k].n_words and k not in copied and moved(k)}


#: A step of a procedure is one sentence of at most this many words, among other steps of one sentence each.
STEP_MAX = 25
#: A sentence's end inside a block (not the dots of an ellipsis, "the Radius... prompt"; a full-width stop needs
#: no space after it): the block holds more than one sentence.
_INNER_END = re.compile(r"(?<![.…])[.!?][\"'”’)\]]*\s|[。！？](?=.)")


def keep_restated_steps(repeats: list[Finding], blocks: list[Block], sigs: list[BlockSig],
                        kind: str) -> list[Finding]:
    """Exact repeats in an extractor's main text, without a procedure's step given again in another procedure.

    A tutorial's steps are one short sentence a line, and two procedures
    share some ("At the next prompt, press Enter.", "Stir until smooth.",
    "Click Next."): each copy stands among other steps of one sentence each,
    with other steps on both sides than the first. A pull quote or a prompt
    repeated between paragraphs stands among paragraphs, a block copied with
    its neighbours recurs beside the same ones or in a copied run: all of
    these still go.
    """
    if kind == THREAD:
        return repeats
    before, after = _worded_neighbours(sigs)

    def step(k: int | None) -> bool:
        text = None if k is None else blocks[k].text.strip()
        return (bool(text) and 3 <= sigs[k].n_words <= STEP_MAX and text.endswith(_SENTENCE_END)
                and not _INNER_END.search(text))

    def among_steps(k: int) -> bool:
        return step(k) and step(before[k]) and step(after[k])

    if not any(f.category == "repeat" and step(f.block) for f in repeats):
        return repeats  # (the usual page: no sentence repeated)
    spared = {k for k, first in _restated_elsewhere(repeats, blocks, sigs).items()
              if among_steps(k) and among_steps(first)}
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
    return [f for f in repeats if f.category != "repeat"
            or not (names_identifier(blocks[f.block].text) or _frames_sample(blocks, f.block))]


#: A configuration file's section header: a bracketed name alone on its line ("[Unit]", "[Desktop Entry]",
#: "[remote "origin"]", "[tool.poetry]", a TOML table array's "[[bin]]").
_SECTION = re.compile(r"^\[\[?[\w.-]+(?:[ \w.-]*| \"[^\"]*\")\]\]?$")
#: A setting: a key, an equals sign, a value ("Type=oneshot", "name = Ada", "version = \"1.0\"").
_SETTING = re.compile(r"^[A-Za-z_][\w.-]*\s*=\s*\S")
#: The mark of lines a sample leaves out: dots or an ellipsis alone on its line.
_ELISION = re.compile(r"^(?:\.{2,}|…+)$")


def _frames_sample(blocks: list[Block], k: int) -> bool:
    """Whether a line frames a sample's lines rather than saying anything: a section header over settings, the
    elision mark between them.

    A bracketed word over `key=value` lines is a configuration file's
    section ("[Unit]" over "Wants=...", "[include]" over "path=..."), not a
    wiki's "[edit]" link, which stands by a heading and prose. Dots alone on
    a line beside such lines are the lines the sample leaves out.
    """
    def text(j: int) -> str:
        return blocks[j].text.strip() if 0 <= j < len(blocks) else ""

    def section(j: int) -> bool:
        if not _SECTION.match(text(j)):
            return False
        j += 1
        while _ELISION.match(text(j)):
            j += 1
        return bool(_SETTING.match(text(j)))

    def sample(j: int) -> bool:
        return bool(_SETTING.match(text(j))) or names_identifier(text(j))

    if _ELISION.match(text(k)):
        return any(section(j) or sample(j) for j in (k - 1, k + 1))
    return section(k)


def names_identifier(text: str) -> bool:
    """Whether a text holds an identifier as code writes it (see `_IDENTIFIER`), outside a web or mail address."""
    for token in text.split():
        token = token.strip(_WRAPPING).rstrip(".")
        if "@" in token or "://" in token or token.startswith("www."):
            continue
        if _LOWER.search(token) and _IDENTIFIER.match(token):
            return True
    return False


#: A keyword of a list is written in capitals among at least this many other capitalized lines, none of which a
#: rule names.
KEYWORD_NEIGHBOURS = 2
#: ...each of at most this many words.
KEYWORD_WORDS = 4


def keep_keyword_lists(chrome: list[Finding], blocks: list[Block]) -> list[Finding]:
    """Chrome findings in an extractor's main text, without a rule's word that is a keyword in a list of keywords.

    Documentation lists a language's keywords one a line in capitals (a
    lock mode "SHARE" among "UPDATE" and "KEY SHARE", a command
    "SUBSCRIBE" among "PUBLISH" and "PSUBSCRIBE", a statement "PRINT"
    among "INPUT" and "GOTO"): a button's word there is one of the list's,
    and the only line of the list a rule names. A share bar or a menu
    written in capitals holds several lines the rules name ("SHARE",
    "TWEET"; "HOME", "CONTACT US"), and they still go.
    """
    ruled = {f.block for f in chrome if f.detector.startswith("chrome:rule:")}
    words = [k for k in ruled if _capitalized(blocks[k].text)]
    if not words:  # (the usual page: no rule's line in capitals)
        return chrome
    spared = set()
    for k in words:
        run = [k]
        for step in (-1, 1):
            j = k + step
            while 0 <= j < len(blocks) and _capitalized(blocks[j].text):
                run.append(j)
                j += step
        # (the one line of the run a rule names: a menu or a share bar in capitals holds several, "HOME" and
        # "CONTACT US", "SHARE" and "TWEET")
        if len(run) > KEYWORD_NEIGHBOURS and all(j not in ruled for j in run if j != k):
            spared.add(k)
    return [f for f in chrome if f.block not in spared or not f.detector.startswith("chrome:rule:")]


#: A keyword: words alone, no punctuation ("KEY SHARE", "SKIP_LOCKED"; not a message's "THANK YOU,").
_KEYWORD = re.compile(r"^\w+(?: \w+)*$")


def _capitalized(text: str) -> bool:
    """Whether a line is a short keyword written in capitals (no lower-case letter, no punctuation)."""
    text = text.strip()
    return (len(text.split()) <= KEYWORD_WORDS and bool(_KEYWORD.match(text)) and any(c.isupper() for c in text)
            and not any(c.islower() for c in text))


#: A related header heads one of the page's sections when a table follows within this many blocks...
SPEC_REACH = 3
#: A heading is a line of words alone (a mark such as a permalink's "¶" or a colon may close it).
_HEADING = re.compile(r"^[^\W\d_][\w'’&,. -]*[^\w\s]?$")


#: A page shows code or configuration when it reads as docs, or when at least this many of its lines name an
#: identifier (a wiki's or a tutorial's page read as an article: paths, settings, snake_case names).
CODE_LINES = 3


def keep_own_sections(chrome: list[Finding], blocks: list[Block], sigs: list[BlockSig], kind: str) -> list[Finding]:
    """Chrome findings in an extractor's main text, without a related header that heads a section of the text.

    Two shapes, each the text's own section rather than a box of links:
    - a specification gives each group of its fields a section of one
      shape, a heading, a sentence and a table with the same columns: a
      group named "Related products" or "Related content" is one of them
      when its table has the header row of another table of the page;
    - on a page that shows code or configuration, a "See also" alone on
      its line, after the body's paragraphs or code and over a list, is
      the page's last section (a wiki's, a reference's further pages); a
      news page's "Related articles" over its headlines shows none, and
      still goes. Right under another heading it is a note box's label
      (Sphinx's "seealso" under "Other resources"), after a list the header
      of another box (a carousel after a grid), and with a colon or a title
      after it a teaser ("Read more: TITLE"): these still go.
    """
    related = [f.block for f in chrome if f.category == "chrome:related" and f.detector.startswith("chrome:rule:")]
    if not related:
        return chrome

    @cache
    def rows() -> Counter:
        # (a table row as the extractor writes it: "| a | b |")
        return Counter(s.hash for b, s in zip(blocks, sigs) if s.n_words and b.text.startswith("|"))

    @cache
    def neighbours() -> tuple[dict, dict]:
        return _worded_neighbours(sigs)

    def header(k: int) -> bool:
        # (a header alone: with a colon and a title after it, it is a teaser, "RELATED: TITLE")
        return ":" not in blocks[k].text and "：" not in blocks[k].text

    def heads_spec(k: int) -> bool:
        for j in range(k + 1, min(k + 1 + SPEC_REACH, len(blocks))):
            if blocks[j].text.startswith("|"):
                return sigs[j].n_words > 0 and rows()[sigs[j].hash] >= 2
        return False

    def heads_list(k: int) -> bool:
        before, after = neighbours()
        above, below = before.get(k), after.get(k)
        if above is None or below is None:
            return False
        # (under another list, it heads a box of its own: a carousel's "Trending now" after a grid)
        return (blocks[below].text.lstrip().startswith(_LIST_MARKS) and not _heading(blocks[above].text)
                and not blocks[above].text.lstrip().startswith(_LIST_MARKS))

    @cache
    def shows_code() -> bool:
        # (counted until there are enough: a reference page names hundreds)
        named = (k for k, b in enumerate(blocks) if names_identifier(b.text))
        return kind == DOCS or next(islice(named, CODE_LINES - 1, None), None) is not None

    spared = {k for k in related if header(k) and (heads_spec(k) or (heads_list(k) and shows_code()))}
    return [f for f in chrome if f.block not in spared or f.category != "chrome:related"]


#: The markers of a list item as an extractor writes them.
_LIST_MARKS = ("- ", "* ", "• ")


def _heading(text: str) -> bool:
    """Whether a line reads as a heading: a few words alone, no sentence's end, no list marker, no code."""
    text = text.strip()
    return (len(text.split()) <= TITLE_MAX and not text.endswith(_SENTENCE_END)
            and not text.startswith(_LIST_MARKS) and bool(_HEADING.match(text)))
