"""Article text trafilatura leaves out, put back from the page's whole text (formats/html.py: page_text, recover)."""
from __future__ import annotations

from lxml import html as lxml_html

from dedupe import Config
from dedupe._core import page_lines
from dedupe.formats.html import _marked_in_place, page_text, recover

MENU = "Home\nNews\nSports\nBusiness\nOpinion\nAbout us\nContact"
FOOTER = "Privacy policy\nTerms of use\nCookie settings\n© 2026 The Site. All rights reserved."

# Three sites' shapes: each page's whole text (a dump), what trafilatura extracted of it (the first and last
# paragraphs, the middle one dropped: a table, a quote box, a section it judged apart), and the dropped block.
SITES = {
    "news": (
        "Town council approves the new bridge after two years of debate",
        ["The council voted seven to two on Tuesday night to fund the bridge across the river, ending a dispute that "
         "began when the old crossing was closed for repairs in the spring of last year.",
         "Residents on both banks had asked for a crossing that buses and bicycles could share, and the engineers "
         "said the design now approved carries both without widening the road on either side.",
         "Work starts in March and should finish before the winter, the mayor said, adding that the ferry would run "
         "free of charge for as long as the works keep the road closed to traffic."],
        "Related stories\nCouncil budget passes\nNew school opens\nFerry timetable changes",
    ),
    "recipe": (
        "How to bake a sourdough loaf at home",
        ["Feed your starter the night before, so that it is lively and bubbling by the time you mix the dough in "
         "the morning; a starter that has just peaked gives the most even rise.",
         "Mix the flour, water and starter, rest the dough for an hour, then add the salt and fold it every half "
         "hour for the next three hours until it feels smooth and holds its shape.",
         "Shape the loaf, proof it overnight in the fridge, and bake it in a covered pot for twenty minutes, then "
         "uncovered until the crust is deep brown and sounds hollow when tapped."],
        "You may also like\nBanana bread\nPizza dough\nRye crackers",
    ),
    "chinese": (
        "城市公园改造工程今日正式启动",
        ["今天上午，市政府宣布城市中心公园的改造工程正式启动，预计工期为十个月，完工后公园面积将扩大三分之一。",
         "改造方案包括新建儿童游乐区、健身步道和一座可容纳两百人的露天剧场，同时保留园内所有的古树和原有的湖泊景观。",
         "市民可以在施工期间通过东门和南门进入公园的开放区域，北部区域将暂时关闭，具体安排请关注官方公告。"],
        "相关阅读\n地铁新线开通\n图书馆延长开放时间\n周末天气预报",
    ),
}


def whole(title, paragraphs, related):
    return "\n\n".join([MENU, title, *paragraphs, related, FOOTER]) + "\n"


def test_a_paragraph_trafilatura_dropped_between_two_it_kept_comes_back_in_its_place():
    for site, (title, paragraphs, related) in SITES.items():
        extracted = "\n".join([title, paragraphs[0], paragraphs[2]]) + "\n"
        got = recover(extracted, whole(title, paragraphs, related), Config())
        assert got == "\n".join([title, *paragraphs]) + "\n", site


def test_chrome_around_the_article_and_short_lines_inside_it_stay_out():
    for site, (title, paragraphs, related) in SITES.items():
        extracted = "\n".join([title, *paragraphs]) + "\n"
        # A button and a caption-like line inside the article, which trafilatura dropped: too short to come back.
        page = whole(title, [paragraphs[0], "Share this\nPhoto: archive", *paragraphs[1:]], related)
        got = recover(extracted, page, Config())
        assert got == extracted, site
        for line in (*MENU.split("\n"), *related.split("\n"), *FOOTER.split("\n"), "Share this"):
            assert line not in got.split("\n"), (site, line)


def test_a_long_line_without_a_sentence_end_inside_the_article_stays_out():
    # A grid's product name, a filter banner, a spec line: long enough to weigh, but no sentence.
    lines = {
        "news": "BlackVue DR970X 2CH Plus II Dual Lens 4K GPS WiFi Cloud Dash Cam for Front and Rear",
        "recipe": "Free shipping in the U.S. on all orders over one hundred dollars | Browse by price, brand and more",
        "chinese": "产品尺寸 宽二百二十厘米 深九十八厘米 高八十三厘米 座宽一百九十厘米 座深六十厘米 重量四十五公斤",
    }
    for site, (title, paragraphs, related) in SITES.items():
        extracted = "\n".join([title, paragraphs[0], paragraphs[2]]) + "\n"
        page = whole(title, [paragraphs[0], lines[site], paragraphs[1], paragraphs[2]], related)
        got = recover(extracted, page, Config()).split("\n")
        assert lines[site] not in got, site
        assert paragraphs[1] in got, site  # (the paragraph beside it still comes back)


def test_text_trafilatura_kept_whole_or_a_page_without_the_article_is_left_as_it_is():
    title, paragraphs, related = SITES["news"]
    extracted = "\n".join([title, paragraphs[0], paragraphs[2]]) + "\n"
    assert recover(extracted, "\n\n".join([MENU, FOOTER]) + "\n", Config()) == extracted
    assert recover("Something else entirely, said once.\n", whole(title, paragraphs, related), Config()) == \
        "Something else entirely, said once.\n"


BRIDGE = SITES["news"][1] + [
    "The bridge will be the first new crossing in the town for fifty years, and its cost will be shared between "
    "the town, the county and a national fund for local transport projects.",
    "Work starts in April on the approach roads, which close one lane at a time so that the buses keep running "
    "through the works and the market keeps its Saturday parking.",
]
# trafilatura leaves out a paragraph in a share box and one in an <aside>, both inside the article.
BRIDGE_PAGE = (
    "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Town council approves the "
    f"bridge</h1><p>{BRIDGE[0]}</p><div class='share-box'><p>{BRIDGE[1]}</p></div><p>{BRIDGE[2]}</p>"
    f"<aside><p>{BRIDGE[3]}</p></aside><p>{BRIDGE[4]}</p></article><footer>Privacy policy</footer></body></html>"
)


def test_a_page_read_with_the_setting_gets_back_what_trafilatura_left_out_and_only_with_it(tmp_path):
    from click.testing import CliRunner

    from dedupe.cli import main
    from dedupe.formats.html import extract

    off, on = extract(BRIDGE_PAGE, Config(html_recover=False))[0], extract(BRIDGE_PAGE, Config(html_recover=True))[0]
    assert BRIDGE[1] not in off and BRIDGE[3] not in off
    assert on == "\n".join(["Town council approves the bridge", *BRIDGE]) + "\n"
    assert extract(BRIDGE_PAGE, Config())[0] == on  # on by default (its cost: docs/article-end.md)
    src = tmp_path / "in"
    src.mkdir()
    (src / "bridge.html").write_text(BRIDGE_PAGE, encoding="utf-8")
    for flag, want in (("--html-recover", True), ("--no-html-recover", False)):
        result = CliRunner().invoke(main, ["clean", str(src), str(tmp_path / flag), flag, "--quiet"])
        assert result.exit_code == 0, result.output
        assert (BRIDGE[3] in (tmp_path / flag / "bridge.txt").read_text(encoding="utf-8")) is want


def test_the_whole_text_of_a_page_has_a_line_per_block_and_nothing_a_reader_does_not_see():
    page = lxml_html.fromstring(
        "<html><head><title>T</title><style>p {}</style></head><body>"
        "<div>Menu <a href='/'>Home</a></div><script>var x = 1;</script><!-- a comment -->"
        "<p>First <b>bold</b> paragraph.</p><p>Second<br>line</p>"
        "<ul><li>one</li><li>two</li></ul><table><tr><td>a</td><td>b</td></tr></table>"
        "<noscript>enable JavaScript</noscript>tail text</body></html>"
    )
    want = "Menu Home\n\nFirst bold paragraph.\n\nSecond\nline\n\none\ntwo\n\na\nb\ntail text\n"
    assert page_text(page) == want
    # The serialisation a page too deep for libxslt gets (the tree marked in place) gives the same text.
    assert page_lines(_marked_in_place(page.find("body")).encode()) == want


def test_a_page_whose_text_starts_with_an_xml_declaration_reads_as_lxml_str_gives_it():
    # (lxml's `str` of an XSLT result drops the encoding of an XML declaration its text starts with)
    page = lxml_html.fromstring("<html><body>&lt;?xml version='1.0' encoding='latin-1'?&gt;"
                                "<p>A paragraph.</p></body></html>")
    assert page_text(page) == "<?xml version='1.0'?>\n\nA paragraph.\n"


def test_a_page_nested_deeper_than_the_recursion_limit_is_read():
    page = lxml_html.fromstring("<html><body></body></html>")
    node = page.find("body")
    for _ in range(5000):  # (an HTML parser stops nesting earlier; a tree built otherwise need not)
        node = lxml_html.Element("div") if node is None else node.makeelement("div", {})
        page.find("body") if False else None
    node = page.find("body")
    for _ in range(5000):
        child = node.makeelement("div", {})
        node.append(child)
        node = child
    node.text = "deep text"
    assert page_text(page).strip().endswith("deep text")


def popup(body_html: str) -> str:
    """A page whose whole body sits in a newsletter overlay (an <aside>): trafilatura drops the aside, and with
    it everything (ecocult.com's pages are built so)."""
    return ("<html><body><aside class='popup-overlay popup-newsletter'><div class='wrapper'>"
            f"<p>Sign up for our newsletter</p>{body_html}</div></aside></body></html>")


CHINESE_TITLE, CHINESE, CHINESE_RELATED = SITES["chinese"]
PAGES_TRAFILATURA_FINDS_NOTHING_IN = {
    "news": (popup(BRIDGE_PAGE.split("<body>")[1].split("</body>")[0]), ["Town council approves the bridge", *BRIDGE]),
    "chinese": (popup("<nav><a href='/'>首页</a> <a href='/news'>新闻</a></nav><article>"
                      f"<h1>{CHINESE_TITLE}</h1>" + "".join(f"<p>{p}</p>" for p in CHINESE) + "</article>"
                      "<footer>隐私政策</footer>"), [CHINESE_TITLE, *CHINESE]),
}


def test_a_page_trafilatura_finds_no_article_in_is_read_as_its_whole_text_is():
    import trafilatura

    from dedupe.formats.html import extract

    for site, (page, article) in PAGES_TRAFILATURA_FINDS_NOTHING_IN.items():
        assert not trafilatura.extract(page), site
        text, _, whole = extract(page, Config())
        lines = text.split("\n")
        # The article's paragraphs, in order (its headline is the detectors' to judge), and none of the chrome.
        assert whole and [line for line in lines if line in article[1:]] == article[1:], site
        assert not {"Sign up for our newsletter", "Home News", "首页 新闻", "Privacy policy", "隐私政策"} & set(lines)
        assert extract(page, Config(html_recover=False)) == ("", None, None), site


def test_a_run_says_which_pages_it_read_whole_and_without_the_setting_writes_none_of_them(tmp_path):
    import json

    from click.testing import CliRunner

    from dedupe.cli import main

    src = tmp_path / "in"
    src.mkdir()
    page, article = PAGES_TRAFILATURA_FINDS_NOTHING_IN["news"]
    (src / "bridge.html").write_text(page, encoding="utf-8")
    for flag, copy in (("--html-recover", True), ("--no-html-recover", False)):
        result = CliRunner().invoke(main, ["clean", str(src), str(tmp_path / flag), flag, "--quiet"])
        assert result.exit_code == 0, result.output
        out = tmp_path / flag / "bridge.txt"
        assert out.is_file() is copy
        if copy:
            assert out.read_text(encoding="utf-8") == "\n".join(article) + "\n"
        warnings = json.loads((tmp_path / flag / "_report" / "summary.json").read_text(encoding="utf-8"))["warnings"]
        said = [w["message"].split(";")[0] for w in warnings if w["file"] == "bridge.html"]
        assert said == (["trafilatura found no article text in this page"] if copy else
                        [f"no main content: trafilatura found no article text in this page ({len(page)} bytes of HTML)"])


def test_a_real_page_trafilatura_finds_nothing_in_keeps_its_article():
    import json
    import re
    from pathlib import Path

    import pytest

    from dedupe.formats.html import read_html

    data = Path(__file__).resolve().parents[2] / "shared" / "data" / "webpages-train"
    name = "ecocult.com__4111"
    if not (data / "pages" / f"{name}.html").is_file():
        pytest.skip(f"needs ../shared/data/webpages-train beside the checkout (CI has it): {name}.html")
    docs, notices = read_html(data / "pages", f"{name}.html", Config())
    assert [n.message.split(";")[0] for n in notices] == ["trafilatura found no article text in this page"]
    gold = json.loads((data / "gold" / f"{name}.json").read_text(encoding="utf-8"))["main_content"]
    paragraphs = [p for p in gold.split("\n") if len(p) > 200]
    words = lambda text: " ".join(re.findall(r"\w+", text))  # (the gold writes ' where the page has ’)
    text = words(docs[0].text)
    held = sum(words(p) in text for p in paragraphs)
    assert len(paragraphs) > 10 and held >= 0.9 * len(paragraphs)
    assert "Signup for Substack" not in docs[0].text and "Search for:" not in docs[0].text


# A section heading and a list trafilatura dropped between two paragraphs it kept (its fallback extractors keep
# paragraphs only), in each site's shape.
SECTIONS = {
    "news": ("What the vote decides", ["A crossing for buses and bicycles", "Two lanes of road traffic",
                                        "A footpath on each side"]),
    "recipe": ("What you need", ["Five hundred grams of bread flour", "Three hundred and fifty grams of water",
                                 "One hundred grams of starter"]),
    "chinese": ("改造内容", ["新建儿童游乐区", "修建健身步道", "建设露天剧场"]),
}


def test_a_list_and_a_heading_trafilatura_dropped_between_its_paragraphs_come_back_in_their_place():
    for site, (title, paragraphs, related) in SITES.items():
        heading, items = SECTIONS[site]
        extracted = "\n".join([title, *paragraphs]) + "\n"
        page = whole(title, [paragraphs[0], heading, "\n".join(items), *paragraphs[1:]], related)
        got = recover(extracted, page, Config(), lambda wanted: frozenset([heading, *items]))
        assert got == "\n".join([title, paragraphs[0], heading, *items, *paragraphs[1:]]) + "\n", site
        # Lines that are no list item or heading of the page stay out, as before.
        assert recover(extracted, page, Config()) == extracted, site
        assert recover(extracted, page, Config(), lambda wanted: frozenset(["Something else"])) == extracted, site


def test_list_items_of_one_shape_repeated_three_times_stay_out():
    # A card grid's buttons and a job board's tags are list items too: their text, digits aside, recurs.
    for site, (title, paragraphs, related) in SITES.items():
        heading, items = SECTIONS[site]
        extracted = "\n".join([title, *paragraphs]) + "\n"
        shapes = [["Add to cart"] * 3, [f"Open media {n} in modal" for n in (1, 2, 3)]] if site != "chinese" else \
            [["加入购物车"] * 3, [f"查看第{n}张图片" for n in (1, 2, 3)]]
        for repeated in shapes:
            page = whole(title, [paragraphs[0], heading, "\n".join(items + repeated), *paragraphs[1:]], related)
            got = recover(extracted, page, Config(), lambda wanted: frozenset([heading, *items, *repeated]))
            assert not set(repeated) & set(got.split("\n")), (site, repeated)
            if site != "chinese":  # (there the detectors remove the cart buttons, so the whole gap stays out)
                assert got == "\n".join([title, paragraphs[0], heading, *items, *paragraphs[1:]]) + "\n", site


def test_a_list_in_a_gap_that_also_holds_chrome_stays_out():
    # The whole-page detectors remove a related list's header and a sign-up prompt inside the article: the list
    # beside them is taken for the same box, whatever its tags.
    for site, (title, paragraphs, related) in SITES.items():
        heading, items = SECTIONS[site]
        extracted = "\n".join([title, *paragraphs]) + "\n"
        for chrome in ("Related stories", "Sign up for our newsletter"):
            page = whole(title, [paragraphs[0], chrome, "\n".join(items), *paragraphs[1:]], related)
            got = recover(extracted, page, Config(), lambda wanted: frozenset([heading, *items, chrome]))
            assert got == extracted, (site, chrome)


def test_the_page_s_items_are_read_only_where_one_could_come_back():
    # With a paragraph to put back, the page's list items and headings are asked for only when a short line left
    # out stands in a gap the whole-page detectors keep whole: here a related list's header keeps the gap out.
    for site, (title, paragraphs, related) in SITES.items():
        heading, items = SECTIONS[site]
        extracted = "\n".join([title, paragraphs[0], paragraphs[2]]) + "\n"
        asked = []

        def structural(wanted):
            asked.append(1)
            return frozenset([heading, *items])

        page = whole(title, [paragraphs[0], "Related stories", "\n".join(items), *paragraphs[1:]], related)
        got = recover(extracted, page, Config(), structural)
        assert got == "\n".join([title, *paragraphs]) + "\n" and not asked, site
        # Without the header the gap is kept whole, and its heading and items come back with the paragraph.
        page = whole(title, [paragraphs[0], heading, "\n".join(items), *paragraphs[1:]], related)
        got = recover(extracted, page, Config(), structural)
        assert got == "\n".join([title, paragraphs[0], heading, *items, *paragraphs[1:]]) + "\n", site
        assert len(asked) == 1, site


def test_structural_lines_are_the_articles_items_and_headings_not_the_sites():
    from lxml import html as lxml_html

    from dedupe.formats.html import structural_lines

    page = lxml_html.fromstring(
        "<html><body><header><h2>The Site</h2></header><nav><ul><li>Home</li><li>News</li></ul></nav><main>"
        "<h1>Title</h1><p>Text.</p><h2>Why   it\nmatters</h2><ol><li>First <b>point</b></li><li>4</li>"
        "<li>Second point</li><li><a href='/x'>A related   story</a></li><li>See <a href='/y'>the report</a></li></ol>"
        "<h3>第二部分</h3></main><aside><h3>Popular</h3><ul><li>Other story</li></ul>"
        "</aside><footer><li>Privacy</li></footer></body></html>").getroottree()
    assert structural_lines(page) == {"Why it matters", "First point", "Second point", "See the report", "第二部分"}
    # ...and among the texts asked for, only those.
    assert structural_lines(page, {"First point", "Home", "A related story", "Nothing"}) == {"First point"}


# Real pages of three sites (one per data set) where trafilatura keeps the paragraphs and drops the lists and
# headings between them; what comes back is the gold's, and nothing of the site's menus.
REAL = [
    ("webpages-dev", "hamy.xyz__0488", ["Big Languages have a virtuous cycle", "Lots of jobs are available in them"]),
    ("webpages-train", "levitate.ai__4857", ["Why Choosing the Right Website Builder Matters",
                                             "Scale as your business grows"]),
    ("webpages-types", "digitalocean.com__2835", ["Customers growing with DigitalOcean",
                                                  "Frustration-free support from real people"]),
]


def test_real_pages_get_their_lists_and_headings_back():
    from helpers import real_page, real_page_with_and_without

    from dedupe.formats.html import extract

    for data, name, lines in REAL:
        gold, got, before = real_page_with_and_without(data, name, "structural_lines",
                                                       lambda tree, wanted=None: frozenset())
        got, before = got.split("\n"), before.split("\n")
        off = extract(real_page(data, name)[0], Config(html_recover=False))[0].split("\n")
        for line in lines:
            assert line in got and line not in off and line in gold, (name, line)
        added = [line for line in got if line and line not in before]
        assert added and all(line in gold for line in added), (name, [line for line in added if line not in gold])


def qa_page(question: list[str], comments: list[str], answer: list[str], section: str) -> str:
    """A question, its comments in a comment section (`section`: the container's attributes), then an answer: a
    Q&A site's page as its HTML lays it out."""
    return ("<html><body><nav><a href='/'>Home</a> <a href='/q'>Questions</a></nav><main><h1>How do I renew a "
            "visa abroad?</h1><div class='question'>" + "".join(f"<p>{p}</p>" for p in question)
            + f"<div {section}><ul>" + "".join(f"<li class='item'><span>{c}</span> <a href='/u/1'>alex</a></li>"
                                              for c in comments)
            + "</ul></div></div><div class='answer'>" + "".join(f"<p>{p}</p>" for p in answer)
            + "</div></main><footer>Privacy policy</footer></body></html>")


QUESTION = ["I have lived in Lisbon for three years on a work visa, and it expires while I am on a long assignment "
            "in Brazil for my employer next spring.",
            "Can the consulate in Sao Paulo renew it, or do I have to fly back to Portugal before the date on the "
            "card to keep my right to stay?"]
ANSWER = ["The consulate cannot renew a residence permit: only the immigration service in Portugal can, and it "
          "accepts the renewal online up to thirty days before the card expires.",
          "Book the online renewal before you leave, keep the receipt it sends you, and the permit stays valid "
          "while the request is open, wherever you are when the date passes."]
COMMENTS = ["This looks more like a question for the travel site than for this one, since it is about a single trip.",
            "I disagree: a residence permit is exactly what this site is about, and the answer may help others.",
            "Have you asked your employer's relocation team, who usually deal with this kind of paperwork?"]


def test_a_question_s_comments_left_out_do_not_come_back_and_with_the_setting_they_stay():
    from dedupe.formats.html import extract

    # Comment sections as three sites' software names them (an id, a class, a post's comments), as trafilatura
    # finds the sections it leaves out when it is not to include comments.
    for section in ("id='comments-1812'", "class='comments js-comments'", "class='post-comments'"):
        page = qa_page(QUESTION, COMMENTS, ANSWER, section)
        got = extract(page, Config())[0].split("\n")
        assert all(p in got for p in QUESTION + ANSWER), section
        assert not any(c in line for c in COMMENTS for line in got), (section, got)
        # (the same text in a section that is no comment section is the page's: trafilatura keeps it)
        plain = extract(qa_page(QUESTION, COMMENTS, ANSWER, "class='notes'"), Config())[0]
        assert all(c in plain for c in COMMENTS)
        # With comments asked for, they are in the text.
        with_comments = extract(page, Config(html_comments=True))[0]
        assert all(c in with_comments for c in COMMENTS), section


def test_real_pages_get_no_comments_back():
    from helpers import real_page_with_and_without

    # A question's comments on three Stack Exchange sites and the comments under a Slashdot story: each page's
    # gold leaves them out, trafilatura left them out, and the recovery put them back.
    for data, name in (("webpages-types", "serverfault.com__0566"), ("webpages-types", "askubuntu.com__0567"),
                       ("webpages-types", "expatriates.stackexchange.com__0360"),
                       ("webpages-train", "developers.slashdot.org__0396")):
        gold, got, before = real_page_with_and_without(data, name, "comment_texts", lambda tree: ())
        dropped = [line for line in before.split("\n") if line and line not in got.split("\n")]
        assert dropped and not any(line in gold for line in dropped), (name, dropped[:3])
        added = [line for line in got.split("\n") if line and line not in before.split("\n")]
        assert not added, name
