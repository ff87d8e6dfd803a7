"""HTML pages: the main text as trafilatura extracts it, then every detector; the cleaned copy is text.

trafilatura is called with its deduplication off (its cache is module-wide, so
what it drops would depend on which pages came first) and comment sections off
unless asked for. Its output still carries chrome (teasers, newsletter
prompts, captions, repeated titles), which is why the text goes on through
every detector like any other document.

trafilatura also drops article text (paragraphs of a section it judged apart,
a table, a quote box): the page's whole text (`page_text`) goes through the
whole-page detectors, and a block they keep, that trafilatura left out and
that stands between two blocks trafilatura kept, comes back in its place
(`recover`; docs/article-end.md, branch article8). A page trafilatura finds
nothing in, gives only its layout tables' rows of, or gives a small box of
beside what the whole-page detectors keep, is read as its whole text
(`_layout_rows`, `_small_share`); and the text ends before a last run of the site's own
links (`drop_trailing_links`). Modal windows and photos' captions are taken out
of the tree before trafilatura reads it (`_drop_dialogs`, `_drop_captions`).

The page's bytes are decoded here, not by trafilatura, which guesses a
non-UTF-8 page's encoding from statistics and ignores what the page declares.
"""
from __future__ import annotations

import codecs
import logging
import re
from collections import Counter
from pathlib import Path
from typing import Callable

from lxml import etree

from .. import _core
from ..config import Config
from ..errors import InputError
from ..records import DocResult, Document, Notice
from ..write import atomic_write, output_file
from . import output_rel
from .source import compress, read_content

log = logging.getLogger(__name__)

#: How far into a page a charset declaration is looked for (the HTML standard's prescan reads 1024 bytes;
#: real pages put long scripts and comments first, so look further).
PRESCAN = 8192
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]+)""", re.IGNORECASE
)
_XML_DECL = re.compile(rb"""^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9_:.+-]+)["']""", re.IGNORECASE)
_XML_DECL_TEXT = re.compile(r"^\s*<\?xml\b[^>]*\?>", re.IGNORECASE)
#: Labels whose Python codec is stricter than what browsers (and the pages written for them) use.
_BROWSER_CODEC = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc-kr": "cp949",
    "tis-620": "cp874",
    "iso-8859-9": "cp1254",
    "big5": "big5hkscs",
}


def declared_charset(data: bytes) -> str | None:
    """The Python codec a page declares in a <meta> tag or XML declaration, or None."""
    head = data[:PRESCAN]
    m = _XML_DECL.match(head) or _META_CHARSET.search(head)
    return codec_of(m.group(1).decode("ascii")) if m else None


def codec_of(label: str) -> str | None:
    """The Python codec a browser reads a charset label as ("windows-1252", "Shift_JIS", "gb2312"), or None for a
    label it does not know."""
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    codec = _BROWSER_CODEC.get(label) or _BROWSER_CODEC.get(name) or name
    # A page whose bytes are ASCII-compatible cannot really be UTF-16, whatever it says.
    return "utf-8" if codec.startswith("utf-16") or codec.startswith("utf-32") else codec


def decode_html(rel: str, data: bytes, config: Config, transport: str | None = None) -> tuple[str, str | None]:
    """A page's text and a warning if its encoding had to be guessed or repaired.

    In order: a byte-order mark, --encoding, UTF-8 if the bytes are valid
    UTF-8, the charset the page was sent with (`transport`: the label of its
    HTTP Content-Type's charset, which a browser reads before the page's own),
    the charset the page declares, then charset_normalizer's best guess.
    """
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace"), None
    if b"\x00" in data[:PRESCAN]:
        raise InputError(rel, "binary file (it contains NUL bytes); skipped")
    if config.encoding:
        try:
            return data.decode(config.encoding), None
        except UnicodeDecodeError as e:
            raise InputError(rel, f"not valid {config.encoding} (byte {e.start}); skipped: try another --encoding") from None
    declared = (codec_of(transport) if transport else None) or declared_charset(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad = f"byte 0x{data[e.start]:02x} at offset {e.start}"
    else:
        # Non-ASCII bytes that happen to form valid UTF-8 are UTF-8: saved and
        # re-encoded pages often keep a declaration that no longer holds.
        if declared not in (None, "utf-8") and not data.isascii():
            return text, f"declares charset {declared} but is valid UTF-8; read as UTF-8"
        return text, None
    if declared:
        try:
            return data.decode(declared), None
        except UnicodeDecodeError as e:
            bad = f"byte 0x{data[e.start]:02x} at offset {e.start}"
            return data.decode(declared, errors="replace"), f"not valid {declared}, its declared charset ({bad}); bad bytes replaced"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    codec = best.encoding if best is not None else "cp1252"
    return data.decode(codec, errors="replace"), f"no charset declared and not UTF-8 ({bad}); guessed {codec}"


def trafilatura_options(config: Config) -> dict:
    """The keyword arguments dedupe passes to trafilatura (the benchmark uses the very same)."""
    return {
        "favor_precision": config.html_favor == "precision",
        "favor_recall": config.html_favor == "recall",
        "include_comments": config.html_comments,
        "include_tables": True,
        "deduplicate": False,
    }


#: Why a page's whole text was read instead of trafilatura's (the notices a run gives say so).
NO_ARTICLE = "trafilatura found no article text in this page"
LAYOUT_ROWS = "trafilatura's text of this page is the rows of its layout tables, without a sentence"
SMALL_SHARE = "trafilatura's text of this page is a small box beside what the whole-page detectors keep of it"
#: How a run's counts of pages read whole name each reason (`warc.py`).
_WHOLE_WHY = {NO_ARTICLE: " (no article found)", LAYOUT_ROWS: " (their article was layout tables)",
              SMALL_SHARE: " (their extracted text was a small box beside it)"}
#: A page's trafilatura text (recovered lines included) is a small box beside its article (`_small_share`) when it
#: weighs less than SMALL_BOX_WORDS (the extent step's words: a run of an unspaced script counts by its
#: characters) and is shorter than SMALL_SHARE_RATIO of the whole-page detectors' text of the page, in characters.
SMALL_BOX_WORDS, SMALL_SHARE_RATIO = 200, 0.08


def extract(html: str, config: Config) -> tuple[str, str | None, str | None]:
    """trafilatura's main text of one page ('' if it found none), the page's URL (None if it names none), and,
    where the text is instead the page's whole text as the whole-page detectors keep it, why (else None).

    With `html_recover` on, a page where trafilatura finds no article text is read as a dump would be: its
    whole text (`page_text`) through the whole-page detectors, whose extent step finds the article in it
    (trafilatura's balanced setting returns nothing on some pages that hold one: a page whose article sits
    beside a large newsletter form; dropping such a page loses its article, and what trafilatura did not
    find is what the dumps path is for). So is a page whose trafilatura text is its layout tables' rows
    (`_layout_rows`), or a small box beside what the detectors keep of the page (`_small_share`). A page the
    detectors keep nothing of still has no main content.

    Either text ends before a last run of the site's own links (`drop_trailing_links`).

    Only the URL of trafilatura's metadata is read (its host is the page's
    source for the corpus step): its metadata extraction, a date search
    through the whole page among it, took 0.3 of the extraction's time
    (webpages-dev), for a title, date and site name that nothing used. The
    URL comes from the very functions trafilatura's metadata takes it from,
    in the same order, on the same parsed tree.
    """
    import trafilatura
    from trafilatura.utils import load_html

    # A str that still carries an XML encoding declaration makes lxml re-parse it as
    # bytes under that (now wrong) encoding; the text is already decoded, so drop it.
    tree = load_html(_XML_DECL_TEXT.sub("", html, count=1))
    if tree is None:
        return "", None, None
    url = _page_url(tree)
    _drop_dialogs(tree)
    _drop_captions(tree)
    # Given a tree, trafilatura extracts from a copy of it: parsed once, for the URL and the text.
    found = trafilatura.bare_extraction(tree, with_metadata=False, **trafilatura_options(config))
    text = (found.text or "") if found is not None else ""
    whole = None
    if config.html_recover:
        if not text.strip():
            whole = NO_ARTICLE
        elif _layout_rows(text, tree):
            whole = LAYOUT_ROWS
        if whole is None:
            # (both asked only of a page with lines to put back; a page whose HTML never says "comment" has no
            # comment section: the search costs a third of the walk)
            comments = (lambda: ()) if config.html_comments else (
                lambda: comment_texts(tree) if "omment" in html else ())
            page = page_text(tree)
            # (the whole-page detectors run at most once a page, for the recovery and the small-box test both)
            detected: list[tuple[list[str], str]] = []

            def kept_and_kind(whole: str, config: Config) -> tuple[list[str], str]:
                if not detected:
                    detected.append(_kept_and_kind(whole, config))
                return detected[0]

            text = recover(text, page, config, lambda wanted: structural_lines(tree, wanted), comments,
                           lambda whole, config: kept_and_kind(whole, config)[0])
            kept = _small_share(text, page, config, kept_and_kind)
            if kept is not None:
                whole, text = SMALL_SHARE, kept
        else:
            kept = [line.strip() for line in _kept_lines(page_text(tree), config)]
            text = "\n".join(line for line in kept if line)
    if text.strip():
        text = drop_trailing_links(text, _site_link(tree, url))
    return text, url, whole


def _small_share(text: str, page: str, config: Config,
                 kept_and_kind: Callable[[str, Config], tuple[list[str], str]] | None = None) -> str | None:
    """The whole-page detectors' text of the page (its kept lines) when trafilatura's `text` is a small box beside
    it (SMALL_SHARE_RATIO, SMALL_BOX_WORDS); else None.

    On a collection or listing page trafilatura sometimes settles on a box (a store's rewards banner or header
    lines, a category's two-line blurb, a programme's slogan) and leaves the page's items out: webpages-types'
    allenedmonds.com, shoebank.com, officechairsusa.com and professional.mit.edu, trafilatura's text 2.5-7.2% of
    what the whole-page detectors keep (the nearest pages whose text is their content: 8.3-10.6%). A short text
    is asked first, and the detectors run only for one whose share of the page's whole text is that small
    already (their text is part of the whole text): no -dev page. Neither a long text nor a thread's post is a
    box: slashdot's story (479 words) beside its comment threads, a blog's first post (joycode.com) beside its
    replies, which the detectors keep; a short news brief over a long comment section would be the same.
    """
    if not text.strip() or len(text.strip()) >= SMALL_SHARE_RATIO * len(page.strip()):
        return None
    from ..detect.chrome import LEXICON
    from ..detect.pagetype import THREAD
    from ..sign import words

    blocks = [b for b in text.split("\n") if b.strip()]
    if sum(LEXICON.features(blocks, [len(words(b)) for b in blocks])[0]) >= SMALL_BOX_WORDS:
        return None
    lines, kind = (kept_and_kind or _kept_and_kind)(page, config)
    if kind == THREAD:  # (a post and its replies: trafilatura's text is the post, the replies make the rest)
        return None
    kept = "\n".join(line for line in map(str.strip, lines) if line)
    return kept if len(text.strip()) < SMALL_SHARE_RATIO * len(kept) else None


#: Tables inside tables: a page laid out with tables (the web of the 2000s; Chinese portals, forums) rather than
#: one holding a table of data.
_NESTED_TABLES = etree.XPath("count(//table//table)")


def _layout_rows(text: str, tree) -> bool:
    """Whether trafilatura's text is a layout table read as data: half its blocks or more are table rows ("| a | b
    |"), none of its blocks is a sentence of more than RECOVER_MIN_WORDS (`_recoverable`), and the page nests
    tables twice or more. trafilatura then gives the layout's cells, menus and ads beside the article row by row
    (yahoo.com's, 163.com's and wenxuecity.com's 2005 pages in webpages-multi); the page's whole text through the
    whole-page detectors finds the article as a dump's (-multi HTML F1 0.921 -> 0.948; without the sentence test
    0.955, but a -types service page whose table rows hold its text fell 0.227; docs/article-end.md, "Layout
    tables").
    """
    if "|" not in text and text.strip():  # (no row, and a block: most pages, told without splitting the text)
        return False
    blocks = [b for b in text.split("\n") if b.strip()]
    rows = sum(1 for b in blocks if b.lstrip().startswith("|"))
    return 2 * rows >= len(blocks) and _NESTED_TABLES(tree) >= 2 and not any(_recoverable(blocks))


#: Modal windows, which a reader sees over the page and never in it: a cookie or consent panel, a sign-up form,
#: a "republish this story" box, a site's search or menu panel (ARIA's dialog roles and the <dialog> element; not
#: one that says it is not modal, a product's description in a sheet, nor one that holds an article or the
#: page's main element, a story opened over its section page). Their text in what dedupe kept of webpages-dev,
#: -train, -types and -multi HTML before they were dropped: 2,901 words the gold does not hold against 26 it does.
# (Found from the attributes: a third of the time of a test on every element. The document's elements as
# `/descendant::*`, not `//`: libxml2 makes `//x` a node set of every node of the page, then reads each one's
# children; the same elements, 0.22 -> 0.16 G instructions on webpages-dev's 200 pages.)
_DIALOG_MARKS = etree.XPath("/descendant::*/@role[. = 'dialog' or . = 'alertdialog']/.. | "
                            "/descendant::*/@aria-modal[. = 'true']/.. | /descendant::dialog")
_HOLDS_CONTENT = etree.XPath("boolean(.//article or .//main or .//*[@role = 'main'])")


def _dialogs(tree) -> list:
    """The page's modal windows, as `_drop_dialogs` would drop them."""
    return [el for el in _DIALOG_MARKS(tree) if el.get("aria-modal") != "false" and not _HOLDS_CONTENT(el)]


#: ...and none while they hold this share of the page's text or more: then the page is its dialog. webpages-train's
#: inria.fr has a search panel of 0.55 of its text, no page of the four data sets more.
DIALOG_MAX_SHARE = 0.8
_TEXT_LENGTH = etree.XPath("string-length(normalize-space(.))")


def _drop_dialogs(tree) -> None:
    """Drop the page's modal windows from its tree (what follows each stays)."""
    dialogs = _dialogs(tree)
    if not dialogs:
        return
    body = tree.find(".//body")
    whole = _TEXT_LENGTH(body if body is not None else tree.getroot())
    if sum(_TEXT_LENGTH(el) for el in dialogs) >= DIALOG_MAX_SHARE * whole:
        return
    for el in dialogs:
        _drop(el)


#: A picture's caption (`<figcaption>`): a description of the photo, its credit ("Above: ...", "Photo by ..."),
#: which the issue counts as chrome and webpages-dev's and -train's golds leave out (of the captions' words in what
#: dedupe kept of them: 32 and 155 gold, 467 and 1,027 not). Not a figure's caption that numbers it ("Figure 3.",
#: "Table 2", "图 1": a technical article's figures are its content), nor a quote's attribution (a figure holding a
#: blockquote: "— Abbie Y").
# (`/descendant::`, not `//`: see _DIALOG_MARKS; 94 -> 32 M instructions on webpages-dev's 200 pages)
_CAPTIONS = etree.XPath("/descendant::figcaption[not(ancestor::figure[.//blockquote])]")
_NUMBERED = re.compile(r"\W*\w{1,12}\.?\s*\d")


def _drop_captions(tree) -> None:
    """Drop the page's picture captions from its tree (what follows each stays)."""
    for el in _CAPTIONS(tree):
        if not _NUMBERED.match(el.text_content()):
            _drop(el)


#: Elements whose text a reader never sees as the page's text.
_UNSEEN = frozenset(("script", "style", "noscript", "template", "head", "svg", "iframe", "object", "select"))
#: Elements that start a new line, and those that stand apart as paragraphs (a blank line around them).
_LINE_TAGS = frozenset(("article", "aside", "br", "dd", "details", "div", "dt", "fieldset", "figcaption", "footer",
                        "form", "header", "hr", "legend", "li", "main", "nav", "table", "tr", "section", "summary",
                        "td", "th", "address", "caption"))
_PARA_TAGS = frozenset(("blockquote", "dl", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "ol", "p", "pre", "title",
                        "ul"))


def page_text(tree) -> str:
    """Everything a reader sees of a parsed page, one line per block element, a blank line around paragraphs."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    try:
        result = _MARKED(root)
    except etree.XSLTApplyError:  # (libxslt's depth limit on a page nested deeper than any libxml2 parse here)
        return _core.page_lines(_marked_in_place(root).encode())
    # The serialisation as libxslt wrote it, in UTF-8, for the core (`dedupe_core::recover::page_lines`: the
    # lines between the marks): its `str` decoded it only for the core to encode it again (0.17 G instructions
    # on webpages-dev's 200 pages, the marks making it UCS-2). lxml's `str` also drops the encoding of an XML
    # declaration the text starts with (`_stripEncodingDeclaration`): such a text is read as `str` gives it.
    marked = bytes(result)
    return _core.page_lines(str(result).encode() if marked.startswith(b"<?xml") else marked)


#: Line and paragraph marks in the serialised text (private-use characters: a page's own are read as marks too).
_LINE, _PARA = "\ue000", "\ue001"


def _tags(tags: frozenset[str]) -> str:
    return "|".join(sorted(tags))


# The page's text with a mark at each edge of its block elements and nothing of its unseen ones, from its
# root's children (the root itself is read whatever its tag), serialised by libxslt in one pass in C without
# touching the tree. Marking the elements in place through lxml and serialising the tree's text cost 0.3 s
# per 200 webpages-dev pages, and joining the words and splitting at the marks in Python another 0.15 s;
# this and `page_lines` take 0.1 s (the same text on all 890 pages of the four webpages data sets).
_MARKED = etree.XSLT(etree.XML(f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="utf-8"/>
<xsl:template match="/"><xsl:apply-templates select="*/node()"/></xsl:template>
<xsl:template match="{_tags(_UNSEEN)}|comment()|processing-instruction()"/>
<xsl:template match="{_tags(_LINE_TAGS)}">{_LINE}<xsl:apply-templates/>{_LINE}</xsl:template>
<xsl:template match="{_tags(_PARA_TAGS)}">{_PARA}<xsl:apply-templates/>{_PARA}</xsl:template>
</xsl:stylesheet>"""))


def _marked_in_place(root) -> str:
    """`_MARKED`'s text made by marking the tree in place (its unseen elements dropped): for a page whose depth
    libxslt refuses."""
    for el in list(root.iter(*_UNSEEN, etree.Comment, etree.ProcessingInstruction)):
        if el is not root:
            _drop(el)
    for tags, mark in ((_LINE_TAGS, _LINE), (_PARA_TAGS, _PARA)):
        for el in root.iter(*tags):
            el.text = mark + (el.text or "")
            el.tail = mark + (el.tail or "")
    return etree.tostring(root, method="text", encoding="unicode", with_tail=False)


def _drop(el) -> None:
    """Remove an element and what it holds, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


#: A recovered block weighs more than this many words (profile's size: in scripts without spaces, characters
#: count as words): shorter lines trafilatura drops inside the article are mostly its buttons, labels and
#: captions (webpages-dev: blocks of at most 8 words gave back 702 gold 4-gram shingles against 4874 others).
RECOVER_MIN_WORDS = 8
# ...and ends a sentence (in any script: `ends_sentence`). The lines without one that came back were mostly a
# grid's product names, filter and shipping banners, specs and sidebar questions: with them, 31 of
# webpages-dev's 200 pages and 35 of webpages-types' 239 scored below trafilatura alone, against 15 and 23
# with sentences only (dev F1 0.943 -> 0.944, -train 0.946 either way, -multi 0.919 -> 0.921, -types 0.776 ->
# 0.772: listings, whose items came back, 0.685 -> 0.655, still above trafilatura's 0.627).
# Finding a block in trafilatura's text is the core's (`dedupe_core::recover`): the text as one string of
# normalized words and the set of its word 3-grams; a block is in it when its whole text is or half of its
# 3-grams are, a block of one or two words only as a whole line of it (a "Share" or a "Home" would be found
# inside the article's sentences). In Python (a set of n-gram strings and a substring search per block) the
# matching was about half of the recovery's CPU on webpages-dev's 200 pages (0.8-1.0 of 1.6-2.0 s), in the
# core 0.35-0.5 s; the rest is the whole-page detectors (`_kept_lines`).


#: Where a list item or a heading is the site's and not the article's: its menus, masthead, footer and sidebars.
_CHROME_TAGS = ("nav", "header", "footer", "aside")
_ITEM_TAGS = ("li", "h2", "h3", "h4", "h5", "h6")


def structural_lines(tree, wanted: set[str] | None = None) -> frozenset[str]:
    """The texts (whitespace collapsed) of the page's list items and section headings (h2-h6) that stand outside
    its menus, masthead, footer and sidebars, hold a letter (not a rating's "4" or a pager's "2") and are not all
    link text (a related story's headline, a table of contents' entry); given `wanted` (texts, whitespace
    collapsed), only those among them (the letter and the links are then read only of an item that is one).

    trafilatura leaves such items out of some pages whose paragraphs it keeps (its fallback extractors keep
    paragraphs only): a list's items and the section headings between two paragraphs it kept. `recover` puts
    them back where the whole-page detectors keep all of their gap.
    """
    site = {el for chrome in tree.iter(*_CHROME_TAGS) for el in chrome.iter(*_ITEM_TAGS)}
    found = set()
    for el in tree.iter(*_ITEM_TAGS):
        if el in site:
            continue
        text = " ".join(el.text_content().split())
        if (wanted is not None and text not in wanted) or not any(c.isalpha() for c in text):
            continue
        linked = sum(len("".join(a.text_content().split())) for a in el.iter("a"))
        if linked < len(text) - text.count(" "):
            found.add(text)
    return frozenset(found)


#: A comment section as trafilatura names those it leaves out when it is not to include comments (its
#: `REMOVE_COMMENTS_XPATH`, read here in one walk: its XPath cost twice as much), those whose names say
#: "comment": a div, section, list or details whose id starts with "comment" (not "commentary") or "dsq-comments",
#: or whose class starts with "comment" or holds "article-comments" or "post-comments".
_COMMENT_ID = re.compile(r"[Cc]omment(?!ary)|dsq-comments")
_COMMENT_CLASS = re.compile(r"^[Cc]omment(?!ary)|(?:article|post)-comments")
_COMMENT_TAGS = ("div", "section", "details", "ul", "ol")


def comment_texts(tree) -> tuple[str, ...]:
    """The texts (whitespace collapsed) of the page's comment sections, as trafilatura finds the sections it
    leaves out when it is not to include comments (`_COMMENT_ID`, `_COMMENT_CLASS`).

    `recover` brings none of their lines back: with comments left out (`--html-comments` off, the default), the
    recovery put a question's comments back between the question and its answers, since they are sentences
    the whole-page detectors keep there.
    """
    found = []
    for el in tree.iter(*_COMMENT_TAGS):
        name, kind = el.get("id"), el.get("class")
        if (name and _COMMENT_ID.match(name)) or (kind and _COMMENT_CLASS.search(kind)):
            found.append(" ".join(el.text_content().split()))
    return tuple(found)


_DIGITS = re.compile(r"\d+")


def recover(text: str, whole: str, config: Config,
            structural: Callable[[set[str]], frozenset[str]] = lambda wanted: frozenset(),
            comments: Callable[[], tuple[str, ...]] = tuple,
            kept_of: Callable[[str, Config], list[str]] | None = None) -> str:
    """trafilatura's text with the blocks of the page's whole text that it left out and the whole-page
    detectors keep, each where it stands, when it stands between two blocks trafilatura kept.

    The whole-page detectors place the article's extent on the whole text (a dump read as text): a block
    they keep lies inside it. trafilatura's own choice bounds what comes back, so the site's chrome around
    the article it found does not: only what lies between its first and last block.

    A block comes back when it weighs more than RECOVER_MIN_WORDS and ends a sentence, or when it is one of
    `structural(wanted)` (`structural_lines`: the list items and headings of the page, outside its menus and
    sidebars, among the texts `wanted`, whitespace collapsed) and the detectors keep every line of its gap, the
    lines between the two blocks of trafilatura's around it (a related list's header or a caption they remove
    there keeps the whole gap out). No line of the comment sections `comments()` gives (`comment_texts`, asked
    only of a page with a line to put back) comes back. `kept_of(whole, config)` gives the lines the detectors
    keep (`_kept_lines`; `extract` passes one that runs them once a page for the small-box test as well).
    """
    out = text.rstrip("\n").split("\n")
    seen = _core.Seen(out)  # (dedupe_core::recover: the text's words and word n-grams, to find blocks in)
    lines = [line for line in map(str.strip, whole.split("\n")) if line]
    # Which blocks could come back is known before the detectors run (they only take blocks away): a page
    # with none is spared them (68 of webpages-dev's 200). Only the lines between trafilatura's first and
    # last block can come back (a block outside them has no kept block of trafilatura's after or before
    # it), and of those only the ones trafilatura's text does not hold are weighed.
    held = seen.covers(lines)
    start = next((k for k, h in enumerate(held) if h), None)
    if start is None:
        return text
    end = next(k for k in range(len(lines) - 1, start - 1, -1) if held[k])
    left_out = [line for line, h in zip(lines[start + 1 : end], held[start + 1 : end]) if not h]
    recoverable = {line for line, able in zip(left_out, _recoverable(left_out)) if able}

    def items_of(lines_in: set[str]) -> set[str]:
        # The lines that are list items or headings of the page (`structural`), but not one whose text, digits
        # aside, the lines left out hold three times or more: a card's "Add to cart", a job board's "100% salary",
        # "Open media 3 in modal". (Both read only for lines that could come back as one.)
        listed = structural({" ".join(line.split()) for line in lines_in}) if lines_in else frozenset()
        found = {line for line in lines_in if " ".join(line.split()) in listed}
        if found:
            shape = {line: _DIGITS.sub("0", line) for line in left_out}
            times = Counter(shape[line] for line in left_out)
            found = {line for line in found if times[shape[line]] < 3}
        return found

    # With no recoverable line, the page's items are asked first (the whole-page detectors cost ten times their
    # reading); with some, the detectors run anyway, and the items are read only for the lines of the gaps they
    # keep whole (on most of webpages-dev's pages with lines to put back, none is an item).
    items = set() if recoverable else items_of(set(left_out))
    if not recoverable and not items:
        return text
    kept = [b for b in map(str.strip, (kept_of or _kept_lines)(whole, config)) if b]
    if items or len(recoverable) < len(left_out):
        # Short lines inside the article are mostly its buttons, labels and captions (RECOVER_MIN_WORDS), but
        # a list item or a heading is the article's when nothing in its gap is chrome to the detectors:
        # webpages-dev HTML F1 0.944 -> 0.947, -train 0.947 -> 0.950, -types 0.772 -> 0.784, -multi 0.921
        # either way (dumps_quality.py --html; docs/article-end.md, "List items and headings trafilatura left out").
        kept_set = set(kept)
        whole_gaps = []
        k = start + 1
        while k < end:
            if held[k]:
                k += 1
                continue
            j = k
            while j < end and not held[j]:
                j += 1
            if all(lines[i] in kept_set for i in range(k, j)):
                whole_gaps.append((k, j))
            k = j
        if recoverable:
            items = items_of({lines[i] for k, j in whole_gaps for i in range(k, j)} - recoverable)
        for k, j in whole_gaps:
            recoverable.update(lines[i] for i in range(k, j) if lines[i] in items)
        if not recoverable:
            return text
    # Only a block in trafilatura's text moves the anchor (`covers` is whether `place_run` finds it), and only a
    # recoverable one comes back: the others are not looked for.
    in_text = dict(zip(lines, held))
    kept = [b for b in kept if in_text.get(b, True) or b in recoverable]
    anchor, first, pending, inserts = -1, None, [], {}
    for block, at in zip(kept, seen.place_run(kept)):
        if at is not None:
            anchor = at
            if first is None:
                first = anchor
            elif pending:
                inserts.setdefault(pending[0][0], []).extend(b for _, b in pending)
            pending = []
        elif first is not None and block in recoverable:
            pending.append((anchor, block))
    if inserts and (sections := comments()):  # (trafilatura left them out: `comment_texts`)
        inserts = {at: kept for at, blocks in inserts.items()
                   if (kept := [b for b in blocks if not any(" ".join(b.split()) in c for c in sections)])}
    if not inserts:
        return text
    merged = []
    for i, line in enumerate(out):
        merged.append(line)
        merged.extend(inserts.get(i, ()))
    return "\n".join(merged) + "\n"


def _kept_lines(whole: str, config: Config) -> list[str]:
    """The lines of the page's whole text that the whole-page detectors keep (`_kept_and_kind`)."""
    return _kept_and_kind(whole, config)[0]


def _kept_and_kind(whole: str, config: Config) -> tuple[list[str], str]:
    """The lines of the page's whole text that the whole-page detectors keep, and the kind of page they read it as
    (`detect.pagetype`).

    Only which blocks stay is needed: the detectors and `decide`, not a cleaned copy, its diff and its report
    lines (`clean_document` cost about a third more here). The page is read once, as a first run reads it: its
    cleaned copy is not looked at again (`pipeline._second_looks`, which a text cleaned twice needs, and which
    cost a third of this here).
    """
    from ..cut import cut_found
    from ..decide import decide
    from ..pipeline import within_found

    found, spans, hashes, kind = within_found(Document("page", whole), config)
    if config.allow:  # (the allow-list keeps blocks `decide` removes: the cut says which)
        return cut_found("page", whole, found, spans, hashes, config).cleaned.split("\n"), kind
    removed = decide(found, config)
    lines = whole.split("\n")
    return [line for b, (first, last) in enumerate(spans) if b not in removed for line in lines[first - 1 : last]], kind


def _recoverable(blocks: list[str]) -> list[bool]:
    """Whether each block may come back: it weighs more than RECOVER_MIN_WORDS words, as the extent step
    measures it (its profile's size, from one call into the compiled core for all of them), and ends a
    sentence."""
    from ..detect.chrome import LEXICON, ends_sentences
    from ..sign import words

    if not blocks:
        return []
    sizes = LEXICON.features(blocks, [len(words(b)) for b in blocks])[0]
    # (the sentence ends of the blocks heavy enough, in one call into the core)
    heavy = [b for b, size in zip(blocks, sizes) if size > RECOVER_MIN_WORDS]
    ends = iter(ends_sentences(heavy))
    return [size > RECOVER_MIN_WORDS and next(ends) for size in sizes]


def drop_trailing_links(text: str, site_link: Callable[[str], bool]) -> str:
    """`text` without its last lines while each is the whole text of a link within the page's site (`site_link`,
    given a line with its spaces collapsed): a call to act ("Book a demo", "Sign up for free"), the way back to an
    index, a list of the site's other stories or of its city pages after the article. trafilatura keeps such a run
    when it stands in the article's container (its fallback extractors do). A text that is nothing but such lines
    is left whole (a site map, a section's list of links is the page).

    Only the site's own links: a list of external links closing an article is its sources, which the golds hold
    (with any link counted, webpages-dev, -train and -types HTML F1 moved by less than 0.0001, and three pages lost
    recall; docs/article-end.md, "The site's own links after the article").
    """
    lines = text.rstrip("\n").split("\n")
    k = len(lines)
    while k > 0 and (not lines[k - 1].strip() or site_link(_XML_SPACE.sub(" ", lines[k - 1]).strip())):
        k -= 1
    if k == 0 or k == len(lines):
        return text
    return "\n".join(lines[:k]) + "\n"


# What XPath's normalize-space() collapses.
_XML_SPACE = re.compile(r"[ \t\r\n]+")
# (Every link's address is an `@href`: a link without one gives none. `/descendant::`, not `//`: see
# _DIALOG_MARKS; the 268 queries of webpages-dev's 200 pages 361 -> 216 M instructions.)
_LINKS_NAMED = etree.XPath("/descendant::a[normalize-space(.) = $text]/@href")


def _site_link(tree, url: str | None) -> Callable[[str], bool]:
    """Whether a text (spaces collapsed) is the text of a link of the page, each of whose links with that text leads
    within the page's site: a relative link, or one to the page's host, a host of which it is a subdomain, or one
    of its own subdomains (a page whose URL is not known, or malformed, has only its relative links within). A
    line's links are looked for by lxml, one query a line (0.5 ms a page on the four HTML sets' 890 pages; reading
    every link's text and address in Python took 1-3 ms)."""
    from urllib.parse import urljoin, urlsplit

    def host(name: str | None) -> str:
        name = (name or "").lower()
        return name[4:] if name.startswith("www.") else name

    try:
        site = host(urlsplit(url).hostname) if url else ""
    except ValueError:  # (the page's own address is malformed: only its relative links are known to be within)
        url, site = None, ""

    def within(href: str) -> bool:
        try:
            target = urlsplit(urljoin(url or "", href.strip()))
            to = host(target.hostname)
        except ValueError:  # (a malformed address, "http://[bad": not within the site)
            return False
        return target.scheme in ("", "http", "https") and (
            to in ("", site) or (site != "" and (to.endswith("." + site) or site.endswith("." + to))))

    def site_link(text: str) -> bool:
        try:
            hrefs = _LINKS_NAMED(tree, text=text)
        except (ValueError, UnicodeError):  # (a control character or a lone surrogate: no link's text in a tree)
            return False
        return bool(hrefs) and all(within(str(href)) for href in hrefs)

    return site_link


def _page_url(tree) -> str | None:
    """The page's URL as trafilatura's metadata finds it (`examine_meta(tree).url or extract_url(tree)`): its
    OpenGraph URL, else the first valid URL of a `twitter:url` meta tag, else the canonical link.

    Only the URL is read, in `examine_meta`'s order: the rest of its reading (a title, authors, a description,
    tags and a site name from every meta tag) cost 0.1 G instructions on webpages-dev's 200 pages, for nothing.
    (A meta tag with a property is read as one, whatever its name: `examine_meta` looks at the name only
    without one.)"""
    from trafilatura.metadata import HTML_STRIP_TAGS, extract_opengraph, extract_url, is_valid_url

    url = extract_opengraph(tree)["url"]
    if not url:
        for elem in tree.iterfind(".//head/meta[@content]"):
            if "property" not in elem.attrib and (elem.get("name") or "").lower() == "twitter:url":
                content = HTML_STRIP_TAGS.sub("", elem.get("content", "")).strip()
                if content and is_valid_url(content):
                    url = content
                    break
    return url or extract_url(tree)


def read_html(src: Path, rel: str, config: Config) -> tuple[list[Document], list[Notice]]:
    """One page as one document: its main text, with its URL and host as metadata (the corpus step's source)."""
    data = read_content(src, rel, config.max_doc_mb << 20)
    html, warning = decode_html(rel, data, config)
    notices = [Notice(rel, warning, failed=False)] if warning else []
    text, url, whole = extract(html, config) if html.strip() else ("", None, None)
    if not text.strip():
        kept = ""
        if config.html_recover and html.strip():
            kept = ("; neither did the whole-page detectors in its whole text" if whole == NO_ARTICLE else
                    "; the whole-page detectors kept nothing of its whole text")
        notices.append(
            Notice(
                rel,
                f"no main content: {whole or NO_ARTICLE} ({len(data)} bytes of HTML){kept}; no cleaned copy written",
                failed=False,
            )
        )
        return [], notices
    if whole:
        notices.append(Notice(rel, f"{whole}; its whole text was cleaned instead (the whole-page detectors' article)",
                              failed=False))
    meta = tuple((key, _one_line(value)) for key, value in (("url", url), ("host", _host(url)))
                 if isinstance(value, str) and value.strip())
    return [Document(id=rel, text=text.rstrip("\n") + "\n", format="html", encoding="utf-8", meta=meta)], notices


def _host(url: str | None) -> str | None:
    """A URL's host name as trafilatura's metadata gives it."""
    if not url:
        return None
    from courlan import extract_domain

    return extract_domain(url, fast=True)


def write_html(
    src: Path, dst: Path, rel: str, docs: list[Document], results: list[DocResult], config: Config
) -> str | None:
    """The cleaned text of a page, as page.txt (compressed again if the page was)."""
    if not docs or results[0].dropped:
        return None
    out = output_rel(rel)
    atomic_write(output_file(dst, out), compress(out, results[0].cleaned.encode("utf-8")))
    return out


def _one_line(value: str) -> str:
    """Metadata as one line of printable text (it comes from the page, so it is untrusted)."""
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())
