"""A page laid out with tables, whose trafilatura text is the layout's rows, is read as its whole text would be
(formats/html.py: `_layout_rows`)."""
from __future__ import annotations

import pytest
import trafilatura

from dedupe import Config
from dedupe.formats.html import LAYOUT_ROWS, extract, trafilatura_options

from helpers import real_page
from test_html_links import STORY, STORY_ZH

MENU = ["Home", "News", "Sports", "Finance", "Travel"]
ADS = ["Cheap flights to anywhere", "Lose weight fast now", "Best loans online today"]


def layout_page(story: list[str], nested: bool = True) -> str:
    """A 2005 portal's page: a table for the page, tables in its cells for the menu, the story and the ads."""
    def cell(rows: list[str]) -> str:
        rows_html = "".join(f"<tr><td>{row}</td></tr>" for row in rows)
        return f"<table>{rows_html}</table>" if nested else "<br>".join(rows)

    links = [f"<a href='/s{k}'>{text}</a>" for k, text in enumerate(MENU)]
    ads = [f"<a href='/ad{k}'>{text}</a>" for k, text in enumerate(ADS)]
    return ("<html><head><title>Bridge</title></head><body><table width='760'>"
            f"<tr><td colspan='3'>{' | '.join(links)}</td></tr>"
            f"<tr><td width='150'>{cell(links)}</td>"
            f"<td width='460'>{cell(['<b>Town council approves the bridge</b>', '2005-04-05 06:40', '<br><br>'.join(story)])}</td>"
            f"<td width='150'>{cell(ads)}</td></tr>"
            "<tr><td colspan='3'>Copyright 2005 Example</td></tr></table></body></html>")


@pytest.mark.parametrize("story", [STORY, STORY_ZH])
def test_a_layout_tables_rows_are_read_as_the_pages_whole_text(story):
    html = layout_page(story)
    rows = trafilatura.bare_extraction(html, with_metadata=False, **trafilatura_options(Config())).text
    assert rows.lstrip().startswith("|")
    text, _, whole = extract(html, Config())
    assert whole == LAYOUT_ROWS
    assert all(p in text for p in story)
    assert not any(ad in text for ad in ADS) and "Copyright" not in text and "Finance" not in text
    # Without the recovery, the whole-page detectors are not run: trafilatura's rows stay.
    text, _, whole = extract(html, Config(html_recover=False))
    assert whole is None and text.lstrip().startswith("|")


def test_a_tables_rows_stay_trafilaturas_where_the_page_nests_no_tables_or_they_hold_a_sentence():
    # One table of data, not a layout of tables in tables.
    text, _, whole = extract(layout_page(STORY, nested=False), Config())
    assert whole is None
    # trafilatura's text holds a sentence of its own beside the rows: the article is in it.
    html = layout_page(STORY).replace("<body>", "<body><p>" + STORY[0] + "</p><p>" + STORY[1] + "</p>")
    rows = trafilatura.bare_extraction(html, with_metadata=False, **trafilatura_options(Config())).text
    assert any(not line.startswith("|") and line.strip() for line in rows.split("\n"))
    assert extract(html, Config())[2] is None


# Real pages of three sites (webpages-multi, 2005): trafilatura gives their layout tables' rows, menus and ads
# among them; the whole-page detectors keep their article's lines and little else.
LAID_OUT = ["yahoo.com__2bac7fb2", "163.com__5acac71b", "qianlong.com__6820ebe7"]


@pytest.mark.parametrize("name", LAID_OUT)
def test_real_laid_out_pages_keep_their_article_and_lose_the_layouts_cells(name):
    html, gold = real_page("webpages-multi", name)
    text, _, whole = extract(html, Config())
    rows = extract(html, Config(html_recover=False))[0]
    assert whole == LAYOUT_ROWS, name
    lines = [line.strip() for line in gold.split("\n") if len(line.strip()) > 20]
    assert all(line in text for line in lines if line in rows), name
    kept_chrome = [line for line in text.split("\n") if line.strip() and line.strip() not in gold]
    rows_chrome = [line for line in rows.split("\n") if line.strip() and line.strip() not in gold]
    assert len(" ".join(kept_chrome)) < len(" ".join(rows_chrome)) / 2, name


def test_reading_a_laid_out_page_says_its_whole_text_was_cleaned_and_why(tmp_path):
    from dedupe.formats.html import read_html

    (tmp_path / "page.html").write_text(layout_page(STORY), encoding="utf-8")
    docs, notices = read_html(tmp_path, "page.html", Config())
    assert [d.id for d in docs] == ["page.html"] and all(p in docs[0].text for p in STORY)
    assert [n.message for n in notices] == [f"{LAYOUT_ROWS}; its whole text was cleaned instead (the whole-page "
                                            "detectors' article)"]
    assert not any(n.failed for n in notices)


def test_a_laid_out_page_the_whole_page_detectors_keep_nothing_of_says_so(tmp_path, monkeypatch):
    from dedupe.formats import html as html_format

    monkeypatch.setattr(html_format, "_kept_lines", lambda whole, config: [])
    (tmp_path / "page.html").write_text(layout_page(STORY), encoding="utf-8")
    docs, notices = html_format.read_html(tmp_path, "page.html", Config())
    assert docs == [] and [n.message.split(" (")[0] for n in notices] == [f"no main content: {LAYOUT_ROWS}"]
    assert notices[0].message.endswith("; the whole-page detectors kept nothing of its whole text; no cleaned copy "
                                       "written")
