"""A last run of the site's own links is not the article: formats/html.py drops it from the extracted text."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from dedupe import Config
from dedupe.formats.html import _site_link, drop_trailing_links, extract

from helpers import gold_sentences, real_page_with_and_without

STORY = [
    "The council voted seven to two on Tuesday night to fund the bridge across the river, ending a dispute that "
    "began when the old crossing was closed for repairs in the spring of last year.",
    "Residents on both banks had asked for a crossing that buses and bicycles could share, and the engineers said "
    "the design now approved carries both without widening the road on either side.",
    "Work starts in March and should finish before the winter, the mayor said, adding that the ferry would run "
    "free of charge for as long as the works keep the road closed to traffic.",
]
STORY_ZH = [
    "市议会星期二晚上以七票对两票通过了为跨河大桥拨款的决定，结束了自去年春天旧桥因维修关闭以来的争议。",
    "两岸居民都希望新桥能让公共汽车和自行车共用，工程师表示，获批的设计可以同时满足两者，而不必拓宽两侧道路。",
    "市长说，工程将于三月开工，冬天之前完工，在道路封闭期间，渡轮将一直免费运行。",
]
RELATED = ["Average rents in Springfield", "Average rents in Shelbyville", "Average rents in Capital City"]
RELATED_ZH = ["春田市的平均房租", "谢尔比维尔的平均房租", "首府市的平均房租"]


def page(story: list[str], links: list[str], href: str) -> str:
    items = "".join(f"<p><a href='{href}{k}'><strong>{text}</strong></a></p>" for k, text in enumerate(links))
    return ("<html><head><title>Bridge</title><link rel='canonical' href='https://www.example.org/news/bridge'>"
            "</head><body><nav><a href='/'>Home</a></nav><article><h1>Town council approves the bridge</h1>"
            + "".join(f"<p>{p}</p>" for p in story) + f"{items}</article>"
            "<footer>Privacy policy</footer></body></html>")


def test_drop_trailing_links_drops_the_last_run_of_link_lines_only():
    links = {"Book a demo", "Rents in Springfield"}.__contains__
    text = "A paragraph.\nRents in Springfield\nAnother paragraph.\nRents in Springfield\n\n Book a  demo\n"
    # Only the last run goes (blank lines and spacing aside); the link line inside the text stays.
    assert drop_trailing_links(text, links) == "A paragraph.\nRents in Springfield\nAnother paragraph.\n"
    assert drop_trailing_links("A paragraph.\nBook a demo\nThe end.\n", links) == "A paragraph.\nBook a demo\nThe end.\n"
    # A text that is nothing but the site's links is the page (a site map): left whole.
    assert drop_trailing_links("Book a demo\nRents in Springfield\n", links) == "Book a demo\nRents in Springfield\n"
    assert drop_trailing_links(text, lambda line: False) == text


def test_a_site_link_is_a_text_whose_every_link_stays_on_the_site():
    tree = lxml_html.fromstring(
        "<html><body>"
        "<a href='/about'>Relative</a><a href='https://example.org/x'>Same host</a>"
        "<a href='https://blog.example.org/y'>Subdomain</a><a href='#top'>Back to top</a>"
        "<a href='https://other.net/z'>Elsewhere</a><a href='mailto:desk@example.org'>Write to us</a>"
        "<a href='/a'>Both</a><a href='https://other.net/b'>Both</a><a>No address</a>"
        "<a href='http://[bad'>Broken</a><a href='/ok'>  Spaced \n  <b>text</b> </a><a href='/zh'>相关文章</a>"
        "</body></html>")
    texts = ["Relative", "Same host", "Subdomain", "Back to top", "Elsewhere", "Write to us", "Both", "No address",
             "Broken", "Spaced text", "相关文章", "Not a link", "Rel\x00ative", "Rel\x0bative", "\ud800"]
    site_link = _site_link(tree, "https://www.example.org/news/story")
    assert [t for t in texts if site_link(t)] == ["Relative", "Same host", "Subdomain", "Back to top", "Spaced text",
                                                 "相关文章"]
    # Without the page's URL, or with a malformed one, only its relative links are known to stay on the site.
    for url in (None, "http://[bad/story"):
        site_link = _site_link(tree, url)
        assert [t for t in texts if site_link(t)] == ["Relative", "Back to top", "Spaced text", "相关文章"], url


@pytest.mark.parametrize("story, related", [(STORY, RELATED), (STORY_ZH, RELATED_ZH)])
@pytest.mark.parametrize("recover", [True, False])
def test_a_list_of_the_sites_pages_after_the_article_goes_and_its_sources_stay(story, related, recover, monkeypatch):
    import trafilatura

    # trafilatura itself drops such paragraphs on a page this small (its link density test); on real pages its
    # fallback extractors keep them (the real pages below). Here it keeps them, as those do.
    class Found:
        text = "\n".join(story + related)

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda tree, **options: Found())
    config = Config(html_recover=recover)
    text = extract(page(story, related, "/rents/"), config)[0]
    assert all(p in text for p in story)
    assert not any(line in text for line in related)
    # The same list leading to other sites is the article's sources.
    text = extract(page(story, related, "https://archive.other.net/"), config)[0]
    assert all(p in text for p in story) and all(line in text for line in related)


# Real pages of three sites: the last lines trafilatura kept are links to the site's other pages (a list of its
# city pages, a teaser, an index of its sections), which their gold leaves out.
TRAILING = [
    ("webpages-dev", "cleaningservicesseattle.me__0159", "Average Costs for Cleaning Services in Virginia Beach"),
    ("webpages-train", "councilforrelationships.org__0156", "Managing Anxiety & Burnout: Mental Health Tips"),
    ("webpages-types", "seriouseats.com__2974", "Salad Dressing"),
]


@pytest.mark.parametrize("data, name, last", TRAILING)
def test_real_pages_lose_their_last_run_of_site_links(data, name, last):
    gold, text, before = real_page_with_and_without(data, name, "drop_trailing_links", lambda text, site_link: text)
    assert last in before.strip().split("\n")[-1] and last not in gold
    assert last not in text and before.startswith(text.rstrip("\n"))
    assert sum(line in text for line in gold_sentences(gold)) == sum(line in before for line in gold_sentences(gold))


_WORDS = st.text(alphabet=st.sampled_from("ab 相\t\n\x00\x0b\u00a0'\"<&"), max_size=8)


@settings(max_examples=300, deadline=None)
@given(links=st.lists(st.tuples(_WORDS, st.sampled_from(["/x", "https://example.org/y", "https://other.net/z",
                                                          "http://[bad", "mailto:a@b.c", "#top", ""])), max_size=6),
       lines=st.lists(_WORDS, max_size=8))
def test_any_text_loses_only_a_last_run_of_site_links_and_never_fails(links, lines):
    """Whatever the page's links and the text's lines (quotes, control characters, markup characters, spaces of
    every kind): the text comes back whole or cut before a last run of lines that are the site's links."""
    from html import escape

    body = "".join(f"<a href='{escape(href)}'>{escape(text)}</a>" for text, href in links)
    tree = lxml_html.fromstring(f"<html><body><p>Story</p>{body}</body></html>")
    site_link = _site_link(tree, "https://www.example.org/news/story")
    text = "\n".join(lines) + "\n"
    out = drop_trailing_links(text, site_link)
    assert text.startswith(out.rstrip("\n"))
    dropped = text[len(out.rstrip("\n")):].split("\n") if out != text else []
    assert all(not line.strip() or site_link(re.sub(r"[ \t\r\n]+", " ", line).strip()) for line in dropped)
