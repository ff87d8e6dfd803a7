"""A page whose trafilatura text is a small box beside what the whole-page detectors keep of it (a store's rewards
banner, a category's blurb, while the page's items are left out) is read as its whole text would be
(formats/html.py: `_small_share`)."""
from __future__ import annotations

import pytest

from dedupe import Config
from dedupe.formats import html as html_format
from dedupe.formats.html import SMALL_BOX_WORDS, SMALL_SHARE, SMALL_SHARE_RATIO, extract

from helpers import real_page, real_page_with_and_without

ITEMS = [f"Walnut desk number {k} with two drawers, solid oak legs and a cable tray" for k in range(40)]
BOX = "Members earn rewards on every order. Free shipping over fifty dollars."


def test_a_small_box_beside_the_kept_text_gives_the_kept_text(monkeypatch):
    calls = []
    kept = "\n".join(ITEMS)
    monkeypatch.setattr(html_format, "_kept_and_kind",
                        lambda page, config: calls.append(page) or (kept.split("\n"), "listing"))
    page = "\n".join(["Menu", "Cart", BOX, *ITEMS, "Copyright"])
    assert html_format._small_share(BOX, page, Config()) == kept
    assert calls == [page]


def test_no_detector_runs_for_a_text_that_is_a_large_share_or_long(monkeypatch):
    calls = []
    monkeypatch.setattr(html_format, "_kept_and_kind", lambda page, config: calls.append(page) or (ITEMS, "listing"))
    page = "\n".join([BOX, *ITEMS])
    # A share of the page's whole text above the ratio: not a small box, whatever the detectors would keep.
    big = "\n".join(ITEMS[: int(len(ITEMS) * SMALL_SHARE_RATIO * 2) + 1])
    assert html_format._small_share(big, page, Config()) is None
    # A long text, however small its share: an article beside a page of comments (slashdot's story).
    words = " ".join(["word"] * SMALL_BOX_WORDS)
    assert html_format._small_share(words, page + ("\n" + "filler " * 40) * 400, Config()) is None
    assert html_format._small_share("", page, Config()) is None
    assert calls == []


def test_a_threads_short_post_beside_its_replies_stays(monkeypatch):
    # A post and its replies: the detectors keep the replies, and trafilatura's short text is the post.
    replies = [f"I had the same problem with the {k}th release, and rolling back fixed it for me." for k in range(300)]
    monkeypatch.setattr(html_format, "_kept_and_kind", lambda page, config: ([BOX, *replies], "thread"))
    assert html_format._small_share(BOX, "\n".join([BOX, *replies]), Config()) is None
    monkeypatch.setattr(html_format, "_kept_and_kind", lambda page, config: ([BOX, *replies], "article"))
    assert html_format._small_share(BOX, "\n".join([BOX, *replies]), Config()) is not None


def test_a_small_box_beside_little_kept_text_stays(monkeypatch):
    # The whole text is large but the detectors keep little of it (menus, footers): trafilatura's box is the page.
    monkeypatch.setattr(html_format, "_kept_and_kind", lambda page, config: ([BOX, ITEMS[0]], "article"))
    page = "\n".join(["Menu item"] * 2000 + [BOX])
    assert html_format._small_share(BOX, page, Config()) is None


# Real collection and listing pages of four sites (webpages-types): trafilatura's text is a rewards banner
# (allenedmonds.com), a store's header lines (shoebank.com), a category's two-line blurb (officechairsusa.com),
# the programme's slogan (professional.mit.edu); the page's items, which their golds hold, are left out.
BOXED = ["allenedmonds.com__4296", "shoebank.com__4293", "officechairsusa.com__4468", "professional.mit.edu__0216"]


@pytest.mark.parametrize("name", BOXED)
def test_real_boxed_pages_are_read_as_their_whole_text(name):
    html, gold = real_page("webpages-types", name)
    text, _, whole = extract(html, Config())
    assert whole == SMALL_SHARE, name
    box = extract(html, Config(html_recover=False))[0]
    lines = [line.strip() for line in gold.split("\n") if len(line.strip()) > 20]
    found, before = (sum(1 for line in lines if line in t) for t in (text, box))
    assert found >= 3 * max(1, before) and found >= len(lines) / 2, (name, found, before, len(lines))


# Pages whose trafilatura text is short beside their whole text and is their content: slashdot's story beside its
# comment threads (train), a Chinese blog's first post (multi), a job board's cards (types).
KEPT = [("webpages-train", "developers.slashdot.org__0396"), ("webpages-multi", "joycode.com__54e89e4e"),
        ("webpages-types", "4dayweek.io__4359"), ("webpages-types", "dev.events__4361")]


@pytest.mark.parametrize("data,name", KEPT)
def test_real_pages_with_a_short_text_of_their_own_keep_it(data, name):
    html, _ = real_page(data, name)
    assert extract(html, Config())[2] is None, name


def test_the_check_changes_nothing_where_it_does_not_apply():
    # An article page: its text is the same with the check undone.
    gold, text, before = real_page_with_and_without("webpages-dev", "npr.org__4560", "_small_share",
                                                   lambda text, page, config, kept_and_kind=None: None)
    assert text == before and text.strip()


def test_reading_a_boxed_page_says_its_whole_text_was_cleaned_and_why(tmp_path):
    from dedupe.formats.html import read_html
    from helpers import SHARED

    page = SHARED / "data" / "webpages-types" / "pages" / "shoebank.com__4293.html"
    if not page.is_file():
        pytest.skip(f"webpages-types not found at {page.parent.parent} (it lives in ../shared beside the checkout)")
    (tmp_path / "page.html").write_bytes(page.read_bytes())
    docs, notices = read_html(tmp_path, "page.html", Config())
    assert [d.id for d in docs] == ["page.html"]
    assert [n.message for n in notices] == [f"{SMALL_SHARE}; its whole text was cleaned instead (the whole-page "
                                            "detectors' article)"]


def test_a_warc_file_counts_its_boxed_pages_among_those_read_whole(tmp_path):
    from helpers import SHARED, summary, write_tree
    from test_warc import gz, response, run, warcinfo

    page = SHARED / "data" / "webpages-types" / "pages" / "shoebank.com__4293.html"
    if not page.is_file():
        pytest.skip(f"webpages-types not found at {page.parent.parent} (it lives in ../shared beside the checkout)")
    src = write_tree(tmp_path / "in", {"crawl.warc.gz": gz([warcinfo(), response(1, "https://shoebank.example/",
                                                                                page.read_bytes())])})
    result = run("clean", src, tmp_path / "out")
    assert result.exit_code == 0, result.output
    messages = [w["message"] for w in summary(tmp_path / "out" / "_report")["warnings"]]
    assert any("pages read as their whole text (their extracted text was a small box beside it) (1)" in m
               for m in messages), messages


@pytest.mark.parametrize("name", BOXED)
def test_the_whole_page_detectors_run_once_a_boxed_page(name, monkeypatch):
    html, _ = real_page("webpages-types", name)
    runs, real = [], html_format._kept_and_kind
    monkeypatch.setattr(html_format, "_kept_and_kind", lambda whole, config: runs.append(1) or real(whole, config))
    assert extract(html, Config())[2] == SMALL_SHARE
    assert len(runs) == 1, name
