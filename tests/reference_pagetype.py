"""The reference model of the page kind (crates/dedupe-core/src/pagetype.rs), as pagetype.py had it in Python:
`page_type`, `item_runs`, `looks_like_code`, `holds_code` and `folded`, which the core must answer alike
(tests/test_core_fuzz.py)."""
from __future__ import annotations

import re
from collections import Counter

from dedupe.detect.pagetype import ARTICLE, DOCS, LISTING, OTHER, THREAD, PageType
from helpers import reference_has_stamp


#: A date or a time as digits, in the usual orders (2024-01-05, 05/01/2024, 5.1.24, 09:14, "Oct 17, 2010",
#: "17 Oct 2010", 2019年2月23日): digits and separators, so any language's month names pass. A day.month.year is
#: not part of a longer dotted number: 10.10.1.10 (an address) and 2.10.1.12 (a version) hold no date 10.1.10.
#: The compiled core reads them (`has_stamp`, crates/dedupe-core/src/pagetype.rs).
#: A post header is short: a name, a date, a counter or two.
STAMP_MAX_WORDS = 14
#: A post header that reads as a short sentence ("Tuesday at 4:27 AM") is little more than its stamp: at most
#: this many of its words hold a letter.
STAMP_LETTERED = 3
#: Posts a thread holds at least (a stamp with prose after it, before the next stamp).
MIN_POSTS = 3
#: In an article with comments, one stretch (the prose before the first stamped post, or one post: the article
#: under its dated byline) holds at least this share of the page's prose; in a thread no post does.
ARTICLE_LEAD_SHARE = 0.5

#: The characters of code: brackets, operators, sigils.
_CODE_CHARS = frozenset("{}[]()<>;=$#\\|&*`")
#: A call, an assignment, an access or a statement end, as code writes them. A call's or an assignment's name is
#: an identifier of ASCII letters, digits and underscores, as code spells them in every language: a word of another
#: script before a bracket is prose's aside ("严重(图)", "营地(2)", "分享(原创)", a title's "(写真)"), not a call.
_CODE_SHAPE = re.compile(r"(?a:\w)\(|[=!<>]=|=>|->|::|;\s*$|^\s*\$\s+[a-z]|^\s*(?://|/\*|--)\s|\{\s*$|^\s*\}|"
                         r"(?a:\w)\s*=\s*\S")
#: Code-like blocks a page holds at least to be documentation with code.
MIN_CODE_BLOCKS = 3

#: A listing's items are lines of a few words; it has many and little prose.
ITEM_MIN, ITEM_MAX = 2, 16
MIN_ITEMS = 12
#: At most this share of the page's words is prose in a listing (an article's is most of them).
LISTING_PROSE_SHARE = 0.35
#: Or runs of items (`item_runs`) hold this share of the page's prose and lines of more than ITEM_MIN words.
#: (0.5 reads one more coupon page as a list, webpages-types listing dumps +0.007, but a webpages-dev page,
#: bokun.io, then reads as a list only once cleaned, and a second run removes a heading.)
ITEMS_HELD = 0.6
#: ...and less than this share of the prose in them lies in paragraphs longer than a teaser's.
TEASER_MAX = 40
LONG_TEASERS = 0.4
#: Or, its items' own prose aside, it has less prose than an introduction of a paragraph or two.
INTRO_MAX = 150


def looks_like_code(text: str) -> bool:
    """Whether a block reads as code: a share of code symbols, and a call, assignment or statement shape."""
    stripped = text.strip()
    if len(stripped) < 4:
        return False
    symbols = sum(c in _CODE_CHARS for c in stripped)
    return symbols >= 3 and symbols * 10 >= len(stripped) and _CODE_SHAPE.search(text) is not None


def holds_code(text: str) -> bool:
    """Whether a block is code or quotes code's interpolation (`...${x}...`, "${HOME}/bin") amid prose."""
    # A paragraph that runs a snippet into the prose around it ("Here is the call: const r = ...") holds too
    # few code symbols to read as code; a server's unfilled placeholder is bare text, never in quotes.
    return looks_like_code(text) or _QUOTED_INTERPOLATION.search(text) is not None


#: An interpolation inside quotes or backquotes, as JavaScript, shells and build files write them.
_QUOTED_INTERPOLATION = re.compile(r"([`\"])[^`\"]*\$\{[^}]*\}[^`\"]*\1")


#: Items of a list repeat one shape: a run of items is at least this many units of blocks...
MIN_RUN_ITEMS = 4
#: ...of at most this many blocks each (a title, a tag, a summary, a date, a price, a "Read more").
MAX_ITEM_BLOCKS = 8
#: A block text (digits folded) or a "label:" recurring this many times on the page is a field of its items.
FIELD_RECURS = 3
#: A card of a grid anchored on a field is at most this many blocks.
MAX_CARD_BLOCKS = 12
#: A "label: value" field (`Length: 5 miles`, `价格：12元`): a label of a few characters before a colon.
_LABEL = re.compile(r"\s*([^\W\d][^:：]{0,24})[:：]\s*\S")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def folded(text: str) -> str:
    """A block's text as its copies share it: lower case, its numbers as 0 (a date, a count, a price)."""
    return _DIGITS.sub("0", text.strip().lower())


def _tokens(texts: list[str], sizes: list[int], prose: list[bool], named: list[bool]) -> list[tuple]:
    """Each block's token in a list's shape: a field (a rule's line, a recurring "label:", a text recurring with
    its digits folded), a text of its own or a word."""
    n = len(texts)
    folds = list(map(folded, texts))
    labels = [_LABEL.match(t) for t in texts]
    label_counts = Counter(m.group(1).lower() for m in labels if m)
    text_counts = Counter(folds)
    tokens: list[tuple] = []
    for k in range(n):
        label = labels[k].group(1).lower() if labels[k] else None
        if named[k]:
            tokens.append(("field", "rule"))
        elif label is not None and label_counts[label] >= FIELD_RECURS:
            tokens.append(("field", "label", label))
        elif text_counts[folds[k]] >= FIELD_RECURS:
            tokens.append(("field", folds[k]))
        else:
            # (a title reads as a sentence as often as not: an item's title and its summary are both its text)
            tokens.append(("text",) if prose[k] or sizes[k] > ITEM_MIN + 1 else ("word",))
    return tokens


def item_runs(texts: list[str], sizes: list[int], prose: list[bool], named: list[bool]) -> list[bool]:
    """Which blocks lie in a run of list items: units of a few blocks repeated with one shape, at least
    `MIN_RUN_ITEMS` times, each unit holding a field that recurs from item to item (a "label:", a text that
    recurs with its digits folded, a line a rule names: "Posts", "By NAME", "View map", "3 days ago") and
    content of its own (prose, or a line of a few words: a title).

    An article's sections (a heading, then paragraphs) repeat a shape too, but their headings are all
    different: without a recurring field there is no item. named marks the blocks a phrasing rule names.
    """
    n = len(texts)
    tokens = _tokens(texts, sizes, prose, named)
    inside = [False] * n
    for period in range(2, MAX_ITEM_BLOCKS + 1):
        same = [tokens[k] == tokens[k + period] for k in range(n - period)]
        k = 0
        while k < len(same):
            if not same[k]:
                k += 1
                continue
            # One unit may differ once per item (an item without its tag, a "View map" worded "Visit map").
            end, miss, j = k, -period, k
            while j < len(same):
                if same[j]:
                    end = j
                elif j - miss < period:
                    break
                else:
                    miss = j
                j += 1
            unit = tokens[k : k + period]
            if (end + 1 - k >= (MIN_RUN_ITEMS - 1) * period and any(t[0] == "field" for t in unit)
                    and any(t[0] == "text" or t[1:2] == ("label",) for t in unit)):
                inside[k : end + 1 + period] = [True] * (end + 1 + period - k)
            k = end + 1
    _anchored_runs(texts, tokens, sizes, inside)
    return inside


def card_runs(texts: list[str], sizes: list[int], prose: list[bool], named: list[bool]) -> list[bool]:
    """Which blocks lie in a grid of cards anchored on a field whose value varies (`_anchored_runs` alone)."""
    tokens = _tokens(texts, sizes, prose, named)
    inside = [False] * len(texts)
    _anchored_runs(texts, tokens, sizes, inside)
    return inside


def _anchored_runs(texts: list[str], tokens: list[tuple], sizes: list[int], inside: list[bool]) -> None:
    """Cards of a grid that differ in shape: records anchored on a field whose value changes from card to card (a
    text recurring with other numbers), every 2 to MAX_ITEM_BLOCKS blocks, at least MIN_RUN_ITEMS times in a row,
    each stretch between two occurrences holding a text of its own and no paragraph longer than a teaser; the run
    reaches before the first occurrence and after the last as far as the blocks there repeat, token for token,
    those before the second and after the one before the last."""
    n = len(tokens)
    places: dict[tuple, list[int]] = {}
    for k, t in enumerate(tokens):
        if t[0] == "field" and len(t) == 2 and t[1] != "rule":  # (a text field, not a "label:" nor a rule's line)
            places.setdefault(t, []).append(k)
    for ps in places.values():
        if len(ps) < MIN_RUN_ITEMS:
            continue
        i = 0
        while i + 1 < len(ps):
            j = i
            while j + 1 < len(ps):
                a, b = ps[j], ps[j + 1]
                if (b - a > MAX_CARD_BLOCKS or not any(tokens[k] == ("text",) for k in range(a + 1, b))
                        or any(sizes[k] > TEASER_MAX for k in range(a + 1, b))):
                    break
                j += 1
            # (a line the page repeats as it is, "Back" between a menu's groups, anchors no card)
            varies = any(texts[k].strip().lower() != texts[ps[i]].strip().lower() for k in ps[i + 1 : j + 1])
            if j + 1 - i >= MIN_RUN_ITEMS and varies:
                p, q = ps[i], ps[i + 1]
                before = 0
                while (before + 1 < q - p and before + 1 <= p and sizes[p - before - 1] <= TEASER_MAX
                       and tokens[p - before - 1] == tokens[q - before - 1]):
                    before += 1
                p, q = ps[j - 1], ps[j]
                after = 0
                while (after + 1 < q - p and q + after + 1 < n and sizes[q + after + 1] <= TEASER_MAX
                       and tokens[q + after + 1] == tokens[p + after + 1]):
                    after += 1
                first, last = ps[i] - before, ps[j] + after
                inside[first : last + 1] = [True] * (last + 1 - first)
            i = max(j, i + 1)

def lettered_words(text: str) -> int:
    """The words of a text (runs of word characters) that hold a letter, not digits alone."""
    return sum(1 for w in re.findall(r"\w+", text) if not re.fullmatch(r"[\d_]+", w))


def page_type(texts: list[str], sizes: list[int], prose: list[bool]) -> PageType:
    """The kind of a whole page from its blocks: their texts, sizes in words, and which are prose."""
    n = len(texts)
    total = sum(sizes) or 1
    prose_words = sum(s for s, p in zip(sizes, prose) if p)
    share = prose_words / total
    # Posts: a short stamped header, then the prose up to the next one.
    posts: list[int] = []
    first_post, header = None, False
    for k in range(n):
        if (sizes[k] <= STAMP_MAX_WORDS and (not prose[k] or lettered_words(texts[k]) <= STAMP_LETTERED)
                and reference_has_stamp(texts[k])):
            header = True
            continue
        elif prose[k] and header:
            posts.append(0)
            first_post = k if first_post is None else first_post
            header = False
        if prose[k] and posts and first_post is not None:
            posts[-1] += sizes[k]
    code = sum(1 for k in range(n) if not prose[k] and looks_like_code(texts[k]))
    items = sum(1 for k in range(n) if not prose[k] and ITEM_MIN <= sizes[k] <= ITEM_MAX)
    if len(posts) >= MIN_POSTS:
        lead = sum(s for s, p in zip(sizes[:first_post], prose[:first_post]) if p)
        # An article with comments holds most of its prose in one stretch: before the stamps, or after its own
        # dated byline; a thread's prose is spread over its posts.
        if max(lead, *posts) < ARTICLE_LEAD_SHARE * prose_words:
            return PageType(THREAD, len(posts), code, items, share)
    if code >= MIN_CODE_BLOCKS:
        return PageType(DOCS, len(posts), code, items, share)
    if items >= MIN_ITEMS and share < LISTING_PROSE_SHARE:
        return PageType(LISTING, len(posts), code, items, share)
    # A list of teasers has prose (each item's summary), but the items hold it: a run of units repeating one
    # shape with a field recurring in each (see `item_runs`) holds most of the page's words that say something.
    # An article's sections under labelled headings repeat too, but their paragraphs are long; a teaser is a
    # sentence or two.
    runs = item_runs(texts, sizes, prose, [False] * n)
    said = [prose[k] or sizes[k] > ITEM_MIN for k in range(n)]
    held = sum(s for s, r, w in zip(sizes, runs, said) if r and w)
    teasers = [s for s, r, p in zip(sizes, runs, prose) if r and p]
    # Or the first rule again, the items' own prose (titles and teasers in runs) counted as items, not as prose.
    loose = sum(s for s, r, p in zip(sizes, runs, prose) if p and not r)
    introduced = items >= MIN_ITEMS and loose < INTRO_MAX and loose < LISTING_PROSE_SHARE * total
    if (held >= ITEMS_HELD * (sum(s for s, w in zip(sizes, said) if w) or 1) or introduced) and \
            sum(s for s in teasers if s > TEASER_MAX) < LONG_TEASERS * (sum(teasers) or 1):
        return PageType(LISTING, len(posts), code, items, share)
    return PageType(ARTICLE if share >= LISTING_PROSE_SHARE else OTHER, len(posts), code, items, share)
