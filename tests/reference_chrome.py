"""The chrome detector's body as it was written in Python before it moved into the core (`chrome.rs`), kept as the
fuzz's oracle (tests/test_core_fuzz.py): `find_chrome` with the extent step, the teasers, the closing rules, the
sections and the neighbours, as they stood at main 36d6744. Not used by the package.
"""
from __future__ import annotations

import re
from collections import Counter
from operator import attrgetter, itemgetter

from dedupe.config import Config
from dedupe.records import Block, Finding
from dedupe.sign import BlockSig
from dedupe.detect.chrome import (BAD, CHROME, CODE, FAMILIES, GOOD, ITEM, NEAR, SHORT, WEAK, _blocks, block_classes,
                                  ends_sentence, page_kind)
from dedupe.detect.pagetype import (ARTICLE, DOCS, ITEM_MIN, LISTING, OTHER, STAMP_MAX_WORDS, THREAD, card_runs, folded,
                                    has_stamp, holds_code, item_runs)
from dedupe.detect.repeats import _list_item
from helpers import reference_link_bar

#: The byline family ("By NAME", "5 min read"): one under each item of a list in an extractor's main text.
_BYLINE = next(f for f in FAMILIES if f.kind == "credits" and "by" in f.words)
#: Bylines an extractor's main text holds at least to be a list's, one under each item (see `find_chrome`).
BYLINES_LISTED = 3
#: The families that name, in sentences, what a site says of itself (a disclosure, a newsletter's or a paywall's
#: prompt), which an article about affiliate programs, newsletters or subscribers says of its topic too: a list
#: item they match is the article's (`find_chrome`).
POINT_KINDS = frozenset({"disclaimer", "newsletter", "paywall"})

W_NEAR = 0.5
W_SHORT = 3.0
W_BAD = 1.0
W_CHROME = 2.0
W_ITEM = 0.0
W_CODE = 0.0
#: A link list or a chrome block counts against the article for this many words at most, so that a
#: table, a code listing or a newsletter prompt between two paragraphs does not cut the article in two.
PENALTY_CAP = 40
#: A second stretch of article is kept when it weighs this share of the best one.
SECOND_STRETCH = 0.3
#: ...and at least this many words.
MIN_STRETCH = 30
#: The article's extent must hold this share of the page's prose words, or the page has no article (a list,
#: a grid, a thread whose replies the extent left out) and only the phrasing rules remove its blocks; on a page
#: whose structure reads as a list of items (see pagetype.py), this larger share. (webpages-dev articles: the
#: extent holds 0.49 of the prose at the least, 0.9 at the median.)
ARTICLE_HELD = 0.35
LISTING_HELD = 0.6
#: Before a footer, the page's content is at least this share of the prose of a window after it (less, and the
#: legal links are a header's, with only menus above them; webpages-train: two articles under such a header, 0.04
#: and 0.09; webpages-types: a recipe index and a service page under a window, 0.39 and 0.38).
FOOTER_CONTENT = 0.25
#: A comments header after this many words of article closes the article.
COMMENTS_AFTER = 100
#: A related header closes the article once this share of the page's prose lies above it.
CLOSE_SHARE = 0.8
#: A short header the page holds once closes it once this share lies above it, when the prose below is loose
#: (`_loose_after`): a header of at most LOOSE_HEADER_WORDS words.
LOOSE_SHARE = 0.5
LOOSE_HEADER_WORDS = 4


def _weight(cls: int, size: int) -> float:
    if cls == GOOD:
        return float(size)
    if cls == NEAR:
        return W_NEAR * size
    if cls == SHORT:
        return -W_SHORT
    if cls == BAD:
        return -W_BAD * min(size, PENALTY_CAP)
    if cls == ITEM:
        return -W_ITEM
    if cls == CODE:
        return W_CODE * size
    return -W_CHROME * min(size + 2, PENALTY_CAP)


def _best_stretch(weights: list[float], lo: int, hi: int) -> tuple[float, int, int]:
    """The stretch [start, end) of weights[lo:hi] with the largest sum (Kadane), as (sum, start, end)."""
    best, start, end = 0.0, -1, -1
    run, run_start = 0.0, lo
    for i, weight in enumerate(weights[lo:hi], lo):
        if run <= 0:
            run, run_start = 0.0, i
        run += weight
        if run > best:
            best, start, end = run, run_start, i + 1
    return best, start, end


def article_extent(weights: list[float]) -> list[bool]:
    """Which blocks are inside the article: the strongest stretch, plus any other nearly as strong."""
    n = len(weights)
    inside = [False] * n
    whole = _best_stretch(weights, 0, n)
    best = whole[0]
    # The best stretch always passes; others must weigh a share of it.
    floor = min(best, max(MIN_STRETCH, SECOND_STRETCH * best))
    pending = [(0, n)]
    while pending:
        lo, hi = pending.pop()
        # (the first range is the whole text, whose best stretch is known)
        value, start, end = whole if (lo, hi) == (0, n) else _best_stretch(weights, lo, hi)
        if start < 0 or value <= 0 or value < floor:
            continue
        inside[start:end] = [True] * (end - start)
        pending += [(lo, start), (end, hi)]
    return inside


#: A menu: this many short lines in a row (at most MENU_WORDS words and MENU_CHARS characters, no sentence's end).
MENU_RUN, MENU_WORDS, MENU_CHARS = 8, 3, 40
#: A trail of the site's sections ("Home > News > Politics") is a bar of this many links.
TRAIL_LINKS = 3


def _shows_template(families: list, sizes: list[int], texts: list[str]) -> bool:
    """Whether a page shows a site's template around its text: a line a rule names (a weak family's, which only
    steers where the article ends, says nothing of a template), a menu or a trail."""
    if any(f is not None and not f.weak for f in families):
        return True
    if any(reference_link_bar(t, False, TRAIL_LINKS) for t in texts):
        return True
    run = 0
    for size, text in zip(sizes, texts):
        run = run + 1 if 1 <= size <= MENU_WORDS and len(text) <= MENU_CHARS and not ends_sentence(text) else 0
        if run >= MENU_RUN:
            return True
    return False


def reference_find_chrome(
    doc_id: str,
    blocks: list[Block],
    sigs: list[BlockSig],
    config: Config,
    repeats: list[Finding] = (),
    whole_page: bool = True,
    rows: list[tuple] | None = None,
    kind: str | None = None,
    shown_template: bool = False,
) -> list[Finding]:
    """Chrome findings for one document: rule matches, the article's extent, then neighbours.

    whole_page is False for text an extractor already cut down to the article
    (HTML through trafilatura): there the extent and the neighbour steps, made
    for the whole page's text, would only cut into the article (measured on
    webpages-dev pages: recall -0.015 with them, -0.009 without, against
    trafilatura alone), so only the phrasing rules run.

    repeats are the repeat detectors' findings: a repeat of a block inside the
    article weighs nothing in the extent, so that cleaning the cleaned text
    again finds the same article.

    rows, the document's `block_rows` (made for the whole batch at once), are found here when not given.

    kind is the page's kind (`page_kind`; found here when not given): a
    thread's reply headers do not end it, and a page whose prose the extent
    does not mostly hold has no article to cut around (see `_article_shaped`).
    """
    n = len(blocks)
    page_whole = whole_page
    texts = list(map(_TEXT, blocks))
    if rows is None:
        rows = _blocks(texts, list(map(_N_WORDS, sigs)))
    sizes, families = (list(map(itemgetter(j), rows)) for j in (1, 8))
    if any(f is not None and f.kind == "template-error" for f in families):
        # `${count}` in a code sample is the sample's own syntax, not a template the server failed to fill; so is
        # `${DISTDIR}` in a help text's option, which segmenting leaves with no code shape of its own but between
        # lines laid out in columns.
        families = [None if f is not None and f.kind == "template-error" and (holds_code(t) or _in_columns(k, texts))
                    else f for k, (f, t) in enumerate(zip(families, texts))]
    if any(f is not None and f.kind in _CODE_TOKEN_KINDS for f in families):
        # A decorator (`@property`, which the handle rule reads as a social account) or a value a sample prints
        # (`nan`, `null`) beside a code line is the code's own.
        families = [None if f is not None and f.kind in _CODE_TOKEN_KINDS and _beside_code(k, texts, f.kind) else f
                    for k, f in enumerate(families)]
    if any(f is not None and f.kind in POINT_KINDS for f in families):
        # An item of a list is one of the article's points, and its words are the topic's: "- Affiliate programs:
        # creators earn a commission on...", "- Follow the news: subscribe to the trade's newsletters".
        families = [None if f is not None and f.kind in POINT_KINDS and _list_item(t) else f
                    for f, t in zip(families, texts)]
    if any(f is not None for f in families):
        families = _faq_answers(families, texts, sizes)
    if not whole_page and sum(f is not None and f is _BYLINE for f in families) >= BYLINES_LISTED:
        # In an extractor's main text a byline under every title is the field of a list's items (a reading list's
        # "By NAME" under each entry), not the article's byline: the template around the list is already gone.
        families = [None if f is _BYLINE else f for f in families]
    # Each distinct block counts once in the page's language: the cleaned copy keeps one copy of a repeated
    # block, and a second run must reach the same verdict (a headline pasted twice tipped it).
    classes = block_classes(rows, texts, None, list(map(_HASH, sigs)))
    if not whole_page and any(f is not None and f.kind == "disclaimer" for f in families):
        # In an extractor's main text, a notice between two paragraphs of prose is the text's own sentence about
        # its subject (a legal aid page's "the chat does not provide legal advice", a comparison service's
        # affiliate note between its steps): a notice the page adds stands at its start or its end.
        families = [None if f is not None and f.kind == "disclaimer" and _between_prose(k, classes) else f
                    for k, f in enumerate(families)]
    # Step 2: the article's extent, where the page has one.
    prose = [c == GOOD or c == NEAR for c in classes]
    if kind is None and whole_page:
        kind = page_kind(blocks, sigs, rows)
    weights = list(map(_weight, classes, sizes))
    items = item_runs(texts, sizes, prose, [c == CHROME for c in classes]) if whole_page and kind == LISTING else [False] * n
    if any(items):
        # In a run of items, a title, a tag or a "By NAME" between two teasers does not weigh against them.
        weights = [max(w, 0.0) if item else w for w, item in zip(weights, items)]
    # A grid of cards on a page not read as a list: an extent that leaves out more of its titles than the prose it
    # holds finds no article (`_article_shaped`).
    cards = card_runs(texts, sizes, prose, [c == CHROME for c in classes]) if whole_page and kind in (ARTICLE, OTHER) \
        else [False] * n
    # On an article, other stories' teasers are never the article, wherever they stand: they weigh as chrome,
    # and where they hold most of the page's prose (a page of teasers) the extent finds no article to cut
    # around. (On a page that reads as a list they are its items, above; threads and docs have no teasers.)
    teasers = _teaser_runs(classes, sizes, texts) if whole_page and kind not in (THREAD, DOCS, LISTING) \
        else frozenset()
    for k in teasers:
        weights[k] = -W_CHROME * min(sizes[k] + 2, PENALTY_CAP)
    unclosed = weights[:]
    end = n  # the prose the article's extent should hold lies before this block
    if kind == THREAD:
        # Reply markers ("Reply", "name said:", "Add a comment", "9 Comments" under an answer) start or end a
        # post; only a comments section's count, alone on the page ("109 Comments"), ends an article that
        # stamped comments follow, and the comments under it are not prose the article should hold. A related,
        # author, share or newsletter header after most of the posts ends a thread as it ends an article (a short
        # article over dated teasers reads as a thread too), if it occurs once: a "Share" under every post is a
        # post's button (with it, two webpages-types forums lost 0.088 and 0.053, their last replies cut).
        # webpages-train F1 0.934 -> 0.935, webpages-dev 2 pages gained, webpages-types forums 0.787 -> 0.796,
        # none lost.
        tallies = [k for k, f in enumerate(families) if f is not None and f.kind == "comments" and texts[k][:1].isdigit()]
        times = Counter(texts)
        headers = [f if f is not None and f.closes and f.kind != "comments" and times[t] == 1 else None
                   for f, t in zip(families, texts)]
        if len(tallies) == 1:
            headers[tallies[0]] = families[tallies[0]]
        end = _close_article(weights, headers, classes, sizes, texts)
    elif kind != DOCS:  # (in documentation, "response:" or "Replies" names a field or a section)
        end = _close_article(weights, families, classes, sizes, texts, teasers, _first_post_footer(classes, sizes, texts))
    if kind in (THREAD, LISTING):
        # The lines a rule names between a thread's posts or a list's teasers ("By NAME", "Quote", "Reply") go
        # whatever the extent is, and a second run does not see them: they do not cut the page into one post or
        # one teaser per stretch either (as `_article_shaped` already reads the page). On articles they still do:
        # there they mostly mark where the article ends (webpages-dev F1 0.931 -> 0.927 when they did not).
        weights = [0.0 if c == CHROME and k != end else w for k, (w, c) in enumerate(zip(weights, classes))]
    inside = _whole_runs(article_extent(weights), items) if GOOD in classes and whole_page else [True] * n
    gone = {f.block for f in repeats if config.wants(f.category)} if repeats else set()
    # A stretch of prose after the page's footer is a dialog its scripts add (a consent, a sign-up or an offer
    # window), not its article; the footer's legal lines stay, so that a second run sees the footer too.
    dialog = whole_page and _after_footer(unclosed, classes, sizes, prose, gone, families)
    if whole_page and (GOOD not in classes or dialog
                       or not (shown_template or teasers or _shows_template(families, sizes, texts))
                       or not _article_shaped(kind, unclosed, classes, sizes, prose, end, gone, items, cards)):
        # No article holds the page's prose (a list of items, posts, sections; a table of scores without a
        # sentence): what lies outside the best stretch, or between two chrome blocks, is content too, so only
        # what a rule names goes.
        whole_page = False
        inside = [True] * n
    if repeats and whole_page:
        inside = _count_repeats_once(blocks, sigs, config, repeats, weights, inside, items)
    if whole_page:
        _article_sections(inside, classes, sizes, texts, end)
    _keep_lead(inside, classes, families)
    if page_whole:
        at = _headline(texts, sizes, [s if c == GOOD else 0 for c, s in zip(classes, sizes)])
        if at is not None:
            inside[:at] = [False] * at
    outside_kind = _outside_kinds(families, classes, sizes, inside)
    kinds: list[str | None] = [None] * n
    findings: list[Finding] = []
    for k, f in enumerate(families):
        if dialog and f is not None and f.kind == "legal":
            continue
        if f is not None and not f.weak and (inside[k] or outside_kind[k] == f.kind):
            kinds[k] = f.kind
            findings.append(Finding(k, f"chrome:{f.kind}", f"chrome:rule:{f.kind}", 0.9, None, f"{f.kind} phrasing"))
        elif not inside[k]:
            kinds[k] = kind = outside_kind[k]
            note = "outside the article" if f is None else f"{f.kind} phrasing outside the article" if f.weak else "menu item"
            findings.append(Finding(k, f"chrome:{kind}", f"chrome:outside:{kind}", 0.7, None, note))
    # Step 3: neighbours inside the article.
    prose = list(map(_PROSE.__contains__, classes))
    i = 0 if whole_page else n
    while i < n:
        if kinds[i] is not None or prose[i]:
            i += 1
            continue
        j = i
        while j < n and kinds[j] is None and not prose[j]:
            j += 1
        before = kinds[i - 1] if i > 0 else None
        after = kinds[j] if j < n else None
        if before is not None and after is not None:
            kind = before
            for k in range(i, j):
                findings.append(Finding(k, f"chrome:{kind}", f"chrome:context:{kind}", 0.6, None, f"between {kind} blocks"))
        i = j
    return sorted(findings, key=attrgetter("block"))



_TEXT = attrgetter("text")
_N_WORDS = attrgetter("n_words")
_HASH = attrgetter("hash")
#: Classes that hold a block inside the article for the neighbour step.
_PROSE = frozenset((GOOD, NEAR, WEAK))


def _count_repeats_once(blocks, sigs, config, repeats, weights, inside, items) -> list[bool]:
    """The article's extent once prose the document holds twice counts once, where the cleaned text keeps it.

    A second run, on the cleaned text, sees one copy of each repeated block: the
    one this run keeps. Every other copy inside the article goes, so its weight
    must not hold the article together here either, or the second run would
    find a shorter article (a headline repeated under the menu and again under
    the byline would carry the byline into the article once, and not twice).
    The copy kept is the first one inside the article (the cleaned text keeps
    the first copy that chrome does not remove); choosing it may move the
    article's edge, so this repeats until no further copy is set to nothing.
    Weights only ever drop to nothing, so it ends. Near repeats count only
    against a longer block inside the article: when that block goes as chrome,
    they stay (see `keep_copy_outside_chrome`).
    """
    block_at = {b.first_line: b.index for b in blocks}
    groups: dict[int, set[int]] = {}
    near: dict[int, int] = {}
    for f in repeats:
        # Only repeats that will go: one the reviewer's allow-list keeps is article text again.
        if not config.wants(f.category) or config.allowed(f.category, sigs[f.block].hash):
            continue
        original = block_at[f.duplicate_of.lines[0]]
        if f.category == "repeat":
            groups.setdefault(original, {original}).add(f.block)
        else:
            near[f.block] = original
    while True:
        dropped = {k for k, original in near.items() if inside[original] and weights[k] > 0}
        for members in groups.values():
            # No copy inside the article: the first keeps its weight (the cleaned text keeps it, unless it
            # goes as chrome with the others), so that a second run weighs the same block the same.
            keeper = min((k for k in members if inside[k]), default=min(members))
            dropped.update(k for k in members if k != keeper and weights[k] > 0)
        if not dropped:
            return inside
        for k in dropped:
            weights[k] = 0.0
        inside = _whole_runs(article_extent(weights), items)


def _whole_runs(inside: list[bool], items: list[bool]) -> list[bool]:
    """The extent with every run of items it reaches held whole: a list's items stand or fall together (its last
    titles, without a summary to weigh for them, are no less items than the first)."""
    k, n = 0, len(items)
    while k < n:
        if not items[k]:
            k += 1
            continue
        j = k
        while j < n and items[j]:
            j += 1
        if any(inside[k:j]):
            inside[k:j] = [True] * (j - k)
        k = j
    return inside


def _article_shaped(kind, weights, classes, sizes, prose, end, gone, items, cards) -> bool:
    """Whether the extent finds an article: it holds most of the page's prose before `end`, the comments header
    that ends it if one does (less is asked of a page whose structure reads as an article or an unknown kind
    than of one that reads as a list of items, whose items' titles it must not leave out for less prose).

    The extent is taken as on the text cleaned by the rules and the repeat detectors alone: without the blocks
    a rule removes (their weight made nothing), the comments header among them, nor those in `gone`, so that cleaning the cleaned text again reaches the
    same verdict (with the menus gone, a list page's stretches would join into one that holds its prose, and
    the second run would cut what the first kept).
    """
    extent = _whole_runs(article_extent([0.0 if c == CHROME or k in gone else w
                                         for k, (w, c) in enumerate(zip(weights, classes))]), items)
    def titles(runs: list[bool]) -> int:
        return sum(s for k, (s, run, c, e) in enumerate(zip(sizes, runs, classes, extent))
                   if run and not e and s > ITEM_MIN + 1 and c != CHROME and k not in gone)

    held_prose = sum(s for k, (s, p, e) in enumerate(zip(sizes, prose, extent)) if p and e and k not in gone)
    # On a page of another kind, a grid of cards (see `card_runs`) the extent leaves out more of than the prose it
    # holds: the extent is a dialog or a footer's blurb beside the grid (a directory of clinics, each a name, an
    # address and a phone number, under a short introduction).
    if kind != LISTING and any(cards) and titles(cards) > held_prose:
        return False
    if kind == LISTING:
        # The items' titles the extent leaves out, wherever they stand (before or after `end`), against the prose
        # it holds: an extent that leaves out more of them than it holds is a dialog or a prompt beside the list
        # (infoq: a consent and a sign-in prompt over its news, the "Trending" list after a header that closed
        # the extent; F1 0.04, 0.28 untouched). Titles only (more than ITEM_MIN + 1 words, as `item_runs` reads
        # text): a list of names or counters after an article is not what its page is about (apnic's authors).
        if titles(items) > held_prose:
            return False
        # A list's items are its content as prose is an article's (a list of trails, each a name and its fields,
        # under one sentence of introduction): an extent without them holds no article.
        prose = [p or (item and c != CHROME) for p, item, c in zip(prose, items, classes)]
    total = sum(s for k, (s, p) in enumerate(zip(sizes[:end], prose[:end])) if p and k not in gone)
    held = sum(s for k, (s, p, i) in enumerate(zip(sizes[:end], prose[:end], extent[:end])) if p and i and k not in gone)
    return held >= (LISTING_HELD if kind == LISTING else ARTICLE_HELD) * total


def _after_footer(weights, classes, sizes, prose, gone, families) -> bool:
    """Whether the extent lies after the page's footer: all of it after the page's last legal line ("Privacy
    Policy", "© 2024 ..."), with content before that line (see `FOOTER_CONTENT`).

    html-text dumps follow the document's order, and a consent, sign-up or offer window that a page's scripts
    open is most often the last element of its body: its prose comes after the footer, and the extent, made for
    articles, would hold it and cut the page's list or sections above as chrome (a recipe index under a consent
    window: F1 0.00, 0.23 untouched; a service page under an offer window: 0.00). The content before the footer
    (prose and lines of more than ITEM_MIN + 1 words that no rule names; a stretch's worth at least) tells a
    footer from legal links in a header, with only menus and a line or two above them. Read, as in
    `_article_shaped`, without the blocks the rules and the repeats remove: a second run, which keeps the legal
    lines that this verdict spares, reads the same.
    """
    legal = [k for k, f in enumerate(families) if f is not None and f.kind == "legal" and classes[k] == CHROME]
    if not legal:
        return False
    footer = legal[-1]
    extent = article_extent([0.0 if c == CHROME or k in gone else w for k, (w, c) in enumerate(zip(weights, classes))])
    if not any(extent[footer:]) or any(extent[:footer]):
        return False
    content = sum(s for k, (s, p, c) in enumerate(zip(sizes[:footer], prose, classes))
                  if c != CHROME and k not in gone and (p or s > ITEM_MIN + 1))
    held = sum(s for k, (s, p, e) in enumerate(zip(sizes, prose, extent)) if p and e and k not in gone)
    return content >= max(MIN_STRETCH, FOOTER_CONTENT * held)


def _close_article(weights, families, classes, sizes, texts=None, teasers=frozenset(), footer=None) -> int:
    """End the article where its prose ends: nothing after the first closing block counts as article. Where it
    ends (the closing block's index; the number of blocks if none does).

    A comments header closes it once COMMENTS_AFTER words of prose came
    before. Given the blocks' texts, once CLOSE_SHARE of the page's prose came
    before as well, so does a block of a family that `closes`: a header of the
    related kind ("Related articles", "More from X", "You may also like",
    "相关报道"), an author box's header ("About the author"), a share or follow
    line, a newsletter prompt; but not a lead-in such as "READ MORE:
    headline", which mid-article points to another story. What follows such a
    block is other stories, promotions, bios and comments, whose summaries
    read as prose and would otherwise carry the article on to the page's
    footer (share lines, newsletter prompts and author headers closing too:
    webpages-train F1 0.931 -> 0.934, webpages-dev 0.931 -> 0.932). Below that share the header is often a box inside the
    article, with more of the article after it (at a share of 0.5,
    webpages-dev's recall fell from 0.960 to 0.950, its F1 from 0.928 to
    0.925; at 0.8 F1 rose to 0.931). That share is of the article's own
    prose: neither readers' comments after the comments header nor the
    summaries of a teaser run (`_teaser_runs`, which weigh as chrome wherever
    they stand) count in it, or a long comment section kept the header of a
    reading list above it from closing (webpages-train F1 0.933 -> 0.934,
    webpages-dev 0.933 -> 0.934, with the teaser runs).

    Below that share, a header closes too when no paragraph after it is as
    long as the median paragraph of the prose above it (`_short_after`): what
    follows is teasers' summaries, testimonials, a bio or a form, not more of
    the article, whose paragraphs are the article's length.

    A closing header ending in a colon ("Related articles:", "Related:")
    closes at neither when the article's prose resumes under its list
    (`_prose_resumes`): a box inside the article, not the list after it
    (webpages-dev dumps F1 0.9354 -> 0.9359, webpages-train 0.9362 ->
    0.9363, no page of any set lost; without it, fixing the header's colon
    alone lost 0.062 and 0.024 on two train pages whose article goes on).

    The footer of a page's first post (`_first_post_footer`) closes it too, after any prose.
    """
    prose = [size if cls == GOOD and k not in teasers else 0 for k, (cls, size) in enumerate(zip(classes, sizes))]
    comments = [f is not None and f.kind == "comments" for f in families]
    closing = [comments[k] or f is not None and f.closes and texts is not None and not _LEAD_IN.search(texts[k])
               for k, f in enumerate(families)]
    total = _prose_before_comments(comments, prose)
    short_after = _short_after(closing, prose, texts) if texts is not None and any(closing) else closing
    resumes = _prose_resumes(closing, prose, families, classes, texts) if texts is not None and any(closing) else closing
    loose = _loose_after(closing, classes, sizes, texts) if texts is not None and any(closing) else closing
    seen = 0.0
    for i, f in enumerate(families):
        closes = seen >= CLOSE_SHARE * total or short_after[i] or loose[i] and seen >= LOOSE_SHARE * total
        if i == footer and seen > 0 or seen >= COMMENTS_AFTER and (
            comments[i] or texts is not None and closing[i] and not resumes[i] and closes
        ):
            for k in range(i, len(weights)):
                if weights[k] > 0:
                    weights[k] = 0.0
            weights[i] = -float(seen)
            return i
        seen += prose[i]
    return len(weights)


def _short_after(closing, prose, texts) -> list[bool]:
    """Which closing blocks are headers with only short prose after them: no paragraph below is as long as the
    median paragraph above (in the sizes the extent weighs: words, or characters over five in unspaced scripts).

    A header ending in a colon leads into a list of the article's own (further
    reading, references, which the article's readers keep), and a line that
    recurs on the page ("Read more" under each teaser of a list) is a link, not
    a header: neither closes here. Measured on whole pages (webpages-train F1
    0.935 -> 0.936: 3 pages gained, none lost; webpages-dev 1 page gained, none
    lost; webpages-types and webpages-multi unchanged); without the colon and
    recurrence conditions webpages-dev lost 0.294 on a page whose reading list
    the gold keeps, and a list of teasers each under "Read more" lost 0.228.
    """
    n = len(prose)
    longest = [0] * (n + 1)  # the longest paragraph from each block on
    for k in range(n - 1, -1, -1):
        longest[k] = max(longest[k + 1], prose[k])
    times = Counter(texts)
    out = [False] * n
    above: list[int] = []
    for i in range(n):
        if closing[i] and above and times[texts[i]] == 1 and not texts[i].rstrip().endswith((":", "：")):
            out[i] = longest[i] < sorted(above)[len(above) // 2]
        if prose[i]:
            above.append(prose[i])
    return out


def _loose_after(closing, classes, sizes, texts) -> list[bool]:
    """Which closing blocks are short headers (LOOSE_HEADER_WORDS), once on the page, below which no paragraph
    directly follows another: such a header closes the article from LOOSE_SHARE of the prose on. What follows it
    is other stories' summaries under their titles, testimonials over their names, a form's notes: prose in
    pieces, one under each short line, where an article going on below a box has paragraphs in a row. The summaries can be as long as the article's paragraphs (which `_short_after` asks
    them not to be) and weigh more than a fifth of the page's prose (which CLOSE_SHARE asks).

    Measured on whole pages (4-gram F1, pages gained / lost): webpages-dev 0.9396 -> 0.9403 (2 / 1: a portfolio
    page whose gold is its filter menu and a call to action lost 0.069), webpages-train 0.9391 -> 0.9393 (1 / 0),
    webpages-types 0.7899 -> 0.7913 (4 / 1: -0.012), webpages-multi 0.9136 -> 0.9145 (1 / 1: a post whose gold
    holds the recommended story under "推荐文章" lost 0.082). From a share of 0.2 a service page lost its product
    blurbs under "Read more"; a longer header ("Share with your partner - assign tasks") is a list's item; a line
    that recurs is a link under each teaser.
    """
    n = len(classes)
    last_run = next((j for j in range(n - 1, 0, -1) if classes[j] == GOOD and classes[j - 1] == GOOD), None)
    times = Counter(texts)
    return [closing[i] and sizes[i] <= LOOSE_HEADER_WORDS and times[texts[i]] == 1
            and (last_run is None or last_run < i + 2) for i in range(n)]


#: Named blocks an article carries inside it (a promotion between its paragraphs): they do not end a box's run.
INLINE_KINDS = frozenset({"subscription", "advertising"})


def _prose_resumes(closing, prose, families, classes, texts) -> list[bool]:
    """Which closing headers ending in a colon lead into a box inside the article: after the header, a
    paragraph as long as the median paragraph above comes before any block a rule names or the classifier
    calls chrome (the article's prose resumes under the box's few headlines, where after a closing list come
    tags, a byline, a newsletter prompt or more related links)."""
    n = len(prose)
    out = [False] * n
    above: list[int] = []
    for i in range(n):
        if closing[i] and above and families[i].kind != "comments" and texts[i].rstrip().endswith((":", "：")):
            median = sorted(above)[len(above) // 2]
            for k in range(i + 1, n):
                f = families[k]
                if f is not None and f.kind not in INLINE_KINDS or f is None and classes[k] == CHROME:
                    break
                if prose[k] >= median:
                    out[i] = True
                    break
        if prose[i]:
            above.append(prose[i])
    return out


def _prose_before_comments(comments, prose) -> int:
    """The page's prose words before the comments header that ends the article (all of them if none does):
    readers' comments are not prose the article's share is measured against (nor are teasers' summaries,
    which `prose` leaves out)."""
    total = 0
    for is_comments, words in zip(comments, prose):
        if is_comments and total >= COMMENTS_AFTER:
            break
        total += words
    return total


#: A blog's page of posts closes each with the same footer (a byline, a stamp, counts): at least this many.
FOOTER_POSTS = 3
_DIGIT = re.compile(r"\d")


def _first_post_footer(classes, sizes, texts) -> int | None:
    """Where the first post of a page of posts ends: the first of a footer's copies, or None.

    A footer is a short stamped line that recurs, digits folded ("by NAME @ 2005-03-21 01:20 (359) 3 comments"),
    FOOTER_POSTS times or more, with prose before each copy and less prose after the last copy than under any
    post: posts closed by it, not opened (a header, a live blog's "Updated 10:15", has its post after it). Such a
    page is a blog's front page, whose article is its first post (the webpages-multi gold of the CleanEval
    pages); the others are teasers of it. Single posts with comments under them end at their comments header
    first; threads, whose posts are all content, never come here (forums lost their replies when they did:
    webpages-types forum F1 0.787 -> 0.773).
    """
    copies: dict[str, list[int]] = {}
    for k, (c, size, t) in enumerate(zip(classes, sizes, texts)):
        if c != GOOD and c != CHROME and size <= STAMP_MAX_WORDS and _DIGIT.search(t):
            copies.setdefault(folded(t), []).append(k)
    prose = [size if c == GOOD else 0 for c, size in zip(classes, sizes)]
    first = None
    for ks in copies.values():
        # (the copies share their text but for digits: one holds a stamp if all do)
        if len(ks) < FOOTER_POSTS or not has_stamp(texts[ks[0]]):
            continue
        posts = [sum(prose[a + 1 : b]) for a, b in zip(ks, ks[1:])]
        if min(posts) > 0 and sum(prose[: ks[0]]) > 0 and sum(prose[ks[-1] + 1 :]) < min(posts):
            first = ks[0] if first is None else min(first, ks[0])
    return first


#: A teaser run holds at least this many teasers in a row...
TEASER_MIN = 3
#: ...each at most this many short lines (a headline, a date, a category) and then one summary of at most
#: TEASER_WORDS words.
TEASER_LINES = 3
TEASER_WORDS = 80


def _teaser_runs(classes, sizes, texts) -> frozenset[int]:
    """The blocks of runs of teasers of other stories.

    A teaser is a few short lines (a headline, a date, a category) and one
    short paragraph (its summary); a run is TEASER_MIN teasers or more in a
    row of one shape: the same sequence of short lines, each holding a date
    where the first teaser's does, and in each a headline beside a date, or a
    headline written twice (the link on the picture and the link on the
    title). An article's own sections (a heading, then paragraphs of any
    number), a FAQ (a question, then its answer) and a timeline (a date, then
    what happened) have neither; a run of one shape without that evidence
    (reviews: a name, a title, the text) is left to the extent, as a broader
    rule cost more article sections than it found teasers (webpages-train F1
    0.933 -> 0.932, webpages-dev 0.934 -> 0.932).
    """
    n = len(classes)
    k = 0
    runs: set[int] = set()
    while k < n:
        run_start, shape, count, j = k, None, 0, k
        while True:
            unit = _teaser_at(j, classes, sizes, texts)
            if unit is None or shape is not None and unit[1] != shape:
                break
            shape, count, j = unit[1], count + 1, unit[0]
        if count >= TEASER_MIN and ("R" in shape or "D" in shape and "H" in shape):
            runs.update(range(run_start, j))
            k = j
        else:
            k += 1
    return frozenset(runs)


def _teaser_at(k, classes, sizes, texts):
    """The teaser that starts at block k, as (the block after it, its shape), or None."""
    n = len(classes)
    tags = []
    j = k
    while j < n and len(tags) <= TEASER_LINES and classes[j] not in (GOOD, CODE):
        if classes[j] == NEAR and ends_sentence(texts[j]):
            break  # (a short sentence: the summary; a headline in sentence case does not end as one)
        date = sizes[j] <= STAMP_MAX_WORDS and has_stamp(texts[j])
        tags.append("D" if date else "R" if j > k and texts[j] == texts[j - 1] else "H")
        j += 1
    if not tags or len(tags) > TEASER_LINES or j >= n:
        return None
    if classes[j] not in (GOOD, NEAR) or sizes[j] > TEASER_WORDS:
        return None
    return j + 1, "".join(tags)




#: A heading is a line of at most this many words directly followed by prose.
HEADING_WORDS = 8
#: The article's headings carry a common mark when at least this many of them inside the article do (a lone
#: heading's brackets are its own: "Notes (PDF)").
HEADING_MARKS = 3
#: A mark: a bracketed label at a heading's start or end ("History [ edit ]", "简介 [编辑]", "[edit | edit source]").
_MARK = re.compile(r"^\s*([\[(（【［][^\[\]()（）【】［］]{1,24}[\])）】］])|([\[(（【［][^\[\]()（）【】［］]{1,24}[\])）】］])\s*$")


def _heading_marks(text: str) -> set[str]:
    """The bracketed labels at a heading's start or end, spaces left out, that hold a letter (not "(2)")."""
    marks = set()
    for m in _MARK.finditer(text):
        label = "".join((m.group(1) or m.group(2)).split())
        if any(c.isalpha() for c in label) and len(label) < len(text.strip()):
            marks.add(label)
    return marks


def _article_sections(inside, classes, sizes, texts, end) -> None:
    """Hold inside the article its own sections after its prose: headings of the mark the article's headings
    share, with what lies between them and the section under the last one (a discography's albums, a table of
    shows, the references), none of it prose the extent could weigh.

    The article's headings are its short lines directly followed by prose; a mark is a bracketed label
    several of them carry ("[ edit ]" after a wiki's titles), never words alone: related stories' headlines
    share words ("How to"), an address's headings a ", CA", a shop's a "Reviews:", not a label in brackets. The last section runs on until a line a rule names, two
    single words in a row (a menu, a navigation box's "v t e") or the block that closes the article (end).
    """
    n = len(inside)
    heads = [k for k in range(n - 1) if inside[k] and sizes[k] <= HEADING_WORDS and classes[k] in (SHORT, ITEM, BAD)
             and classes[k + 1] in (GOOD, NEAR) and not ends_sentence(texts[k])]
    if len(heads) < HEADING_MARKS:
        return
    counts: dict[str, int] = {}
    for k in heads:
        for mark in _heading_marks(texts[k]):
            counts[mark] = counts.get(mark, 0) + 1
    marks = {m for m, c in counts.items() if c >= HEADING_MARKS}
    if not marks:
        return
    last_inside, last_head = -1, -1
    for k in range(min(end, n)):
        if inside[k]:
            last_inside = k
        elif last_inside >= 0 and sizes[k] <= HEADING_WORDS and _heading_marks(texts[k]) & marks:
            inside[last_inside : k + 1] = [True] * (k + 1 - last_inside)
            last_inside = last_head = k
    if last_head < 0:
        return
    k = last_head + 1
    while k < min(end, n) and not inside[k]:
        # (a title of a few capitalised words is a track or a book in a list, a lone word twice a menu's start)
        if classes[k] == CHROME or sizes[k] <= 1 and k + 1 < n and sizes[k + 1] <= 1:
            break
        inside[k] = True
        k += 1


#: A header's text going on after a colon or an arrow: a lead-in naming another story, not a section.
_LEAD_IN = re.compile(r"[:|»›>]\s*\w")


def _keep_lead(inside, classes, families) -> None:
    """A text that starts with its article keeps its headline and byline: the blocks before it, if all plain."""
    first = next((k for k, v in enumerate(inside) if v), None)
    if first is None or first > 3:
        return
    if all(families[k] is None or families[k].kind == "credits" for k in range(first)):
        for k in range(first):
            inside[k] = True


#: Prose before the headline, at most this share of the page's; a first line of more words is no title.
HEADLINE_PROSE = 0.05
TITLE_MAX_WORDS = 40
#: Up to this share in short paragraphs none of which follows another, the prose above the headline is a menu's.
MENU_PROSE = 0.3
MENU_PARAGRAPH_WORDS = 60


def _title_parts(title: str) -> list[str]:
    """A title's parts, lower case, spaces squeezed: split at a bar or an underscore, a doubled hyphen, or a dash,
    colon, dot, chevron or slash with a space on each side."""
    parts, part, i = [], [], 0
    while i < len(title):
        c = title[i]
        spaced = 0 < i < len(title) - 1 and title[i - 1].isspace() and title[i + 1].isspace()
        doubled = title.startswith("--", i)
        if c in "|｜_" or doubled or (spaced and c in "-–—:·»/"):
            parts.append("".join(part))
            part = []
            i += 2 if doubled else 1
        else:
            part.append(c)
            i += 1
    parts.append("".join(part))
    return [q for q in (" ".join(p.lower().split()) for p in parts) if q]


def _headline(texts, sizes, prose) -> int | None:
    """The block where the article's headline stands, read from the page's title line (see `extent::headline`)."""
    n = len(texts)
    if n < 2 or sizes[0] > TITLE_MAX_WORDS:
        return None
    parts = _title_parts(texts[0])
    if len(parts) < 2:
        return None
    longest = max(parts, key=len)
    at = next((k for k in range(1, n) if sizes[k] >= 3 and " ".join(texts[k].lower().split()) == longest), None)
    if at is None:
        return None
    total, before = sum(prose), sum(prose[:at])
    menu = (before <= MENU_PROSE * total and all(p <= MENU_PARAGRAPH_WORDS for p in prose[:at])
            and not any(prose[k] > 0 and prose[k - 1] > 0 for k in range(1, at)))
    return at if total > 0 and (before <= HEADLINE_PROSE * total or menu) else None


#: Kinds whose header line names the section below it (the teasers under "Related articles", the
#: comments under "12 Comments"); other kinds name their own line only.
SECTION_KINDS = frozenset({"related", "tags", "comments", "paywall", "newsletter", "cookie"})
#: Sections made of short items (teaser headlines, tags, plan names, commenters' names); under a newsletter
#: or cookie header, a short capitalised line is a menu item, not part of the prompt.
LIST_SECTIONS = frozenset({"related", "tags", "comments", "paywall", "subscription"})
#: A section header names at most this many blocks after the last line of its kind.
SECTION_REACH = 10


def _menu_item(k: int, families, classes, inside) -> bool:
    """Whether block k is an unmatched short line outside the article, like an item of a menu."""
    return 0 <= k < len(inside) and not inside[k] and families[k] is None and classes[k] in (SHORT, ITEM)


def _outside_kinds(families, classes, sizes, inside) -> list[str]:
    """The kind of each block outside the article.

    A block takes the kind of the section header above it (a "Related
    articles" line, a "Comments" header) when one heads its run; otherwise a
    menu item, or anything before the article, is navigation, and the rest
    (a promotion, a site blurb) is `outside`.
    """
    n = len(inside)
    out = ["outside"] * n
    section: str | None = None
    last = 0
    seen_article = False
    for k in range(n):
        if inside[k]:
            section, seen_article = None, True
            continue
        f = families[k]
        if f is not None:
            out[k] = f.kind
            # A header is a short line of its own, not an item in a run of menu items.
            in_menu = k > 0 and _menu_item(k - 1, families, classes, inside)
            if section is None and f.kind in SECTION_KINDS and sizes[k] <= 3 and in_menu:
                if _menu_item(k + 1, families, classes, inside):
                    out[k] = "navigation"  # "Newsletters" between "Sport" and "Podcasts" is a link in a menu
                    continue
            header = f.kind in SECTION_KINDS and sizes[k] <= 8 and not in_menu
            if section in ("paywall", "subscription") and f.kind in ("paywall", "subscription", "newsletter"):
                # A paywall's section runs on through its plan table and the features it lists.
                section = section if f.kind == "newsletter" else f.kind
            elif header:
                section = f.kind
            elif f.kind != section:
                section = None
            last = k
        elif section is not None and k - last <= SECTION_REACH and (section in LIST_SECTIONS or classes[k] != SHORT):
            out[k] = section
        elif classes[k] in (SHORT, ITEM) or not seen_article:
            out[k] = "navigation"
    return out


def _between_prose(k: int, classes: list[int]) -> bool:
    """Whether the blocks on both sides of block k are prose."""
    return 0 < k < len(classes) - 1 and classes[k - 1] in (GOOD, NEAR) and classes[k + 1] in (GOOD, NEAR)


#: Rule kinds whose lone-token lines ("@name", "nan", "undefined") are code's own when code stands beside them.
_CODE_TOKEN_KINDS = frozenset({"social", "template-error"})
#: A call or a definition's head: a name with its arguments in brackets, no space between ("def area(self):",
#: "render(request)"), which a sample line holds and a button or a sentence does not.
_CALL = re.compile(r"[A-Za-z_]\w*\([^()]*\)")
#: A lone token: a decorator or handle, a word, a value.
_TOKEN_LINE = re.compile(r"^@?[\w.]+$")


def _beside_code(k: int, texts: list[str], kind: str) -> bool:
    """Whether block k is a lone token whose nearest other line, before or after it (past other lone tokens and
    decorators: a stack of them over a definition), holds code or a call; of the social rule's lines, only a
    handle (a "Share" button under a code sample is still a button)."""
    if not _TOKEN_LINE.match(texts[k]) or kind == "social" and not texts[k].startswith("@"):
        return False
    for step in (-1, 1):
        j = k + step
        while 0 <= j < len(texts) and (_TOKEN_LINE.match(texts[j]) or texts[j].startswith("@")):
            j += step
        if 0 <= j < len(texts) and (holds_code(texts[j]) or _CALL.search(texts[j])):
            return True
    return False


#: Text laid out in columns: a run of at least three spaces between two words (an option and its help, a table's
#: cells in a preformatted listing), which prose and a page's template do not hold.
_COLUMNS = re.compile(r"\S {3,}\S")


def _in_columns(k: int, texts: list[str]) -> bool:
    """Whether a block next to block k is laid out in columns: k is a line of a preformatted listing."""
    return any(0 <= j < len(texts) and _COLUMNS.search(texts[j]) for j in (k - 1, k + 1))


#: A page's questions make a FAQ when at least this many are each answered by a block that is no question.
FAQ_QUESTIONS = 3
#: An answer is a sentence of at least this many words (a "Reply" or "Subscribe" button under a question is not).
FAQ_ANSWER_WORDS = 8
#: A question is a line of at most this many words that ends with a question mark.
FAQ_QUESTION_WORDS = 30
_QUESTION_END = ("?", "？")


def _faq_answers(families: list, texts: list[str], sizes: list[int]) -> list:
    """The rule matches without the answers of a FAQ: a block of a sentence or more right after a question, on a
    page that asks FAQ_QUESTIONS such questions, is the answer ("Can I cancel? Yes, you can unsubscribe at any
    time..."), not the prompt or the notice its phrasing resembles. One question before a prompt ("Want more?
    Sign up for our newsletter") is a hook, not a FAQ."""
    answers = [k + 1 for k in range(len(texts) - 1)
               if families[k] is None and texts[k].rstrip().endswith(_QUESTION_END) and sizes[k] <= FAQ_QUESTION_WORDS
               and not texts[k + 1].rstrip().endswith(_QUESTION_END) and sizes[k + 1] >= FAQ_ANSWER_WORDS]
    if len(answers) < FAQ_QUESTIONS:
        return families
    out = list(families)
    for k in answers:
        out[k] = None
    return out
