"""Modal windows and photos' captions are not the page's text: formats/html.py drops them before trafilatura reads it."""
from __future__ import annotations

import pytest

from dedupe import Config
from dedupe.formats.html import extract

from helpers import gold_sentences, real_page, real_page_with_and_without

STORY = [
    "The council voted seven to two on Tuesday night to fund the bridge across the river, ending a dispute that "
    "began when the old crossing was closed for repairs in the spring of last year.",
    "Residents on both banks had asked for a crossing that buses and bicycles could share, and the engineers said "
    "the design now approved carries both without widening the road on either side.",
    "Work starts in March and should finish before the winter, the mayor said, adding that the ferry would run "
    "free of charge for as long as the works keep the road closed to traffic.",
]
COOKIES = ("We use cookies to improve your experience on our website, to analyse our traffic and to show you "
           "personalised advertising; you can change your choices at any time in the settings.")
REPUBLISH = ("You may republish this story for free under our licence, provided that you credit the author and "
             "link back to the original article on our website, and that you do not edit it.")
SIGN_UP = "Sign up for our weekly letter and get the best of our journalism in your inbox every Friday morning."


def page(article: str, *after: str) -> str:
    return ("<html><head><title>Bridge</title></head><body><nav><a href='/'>Home</a></nav><article>"
            f"<h1>Town council approves the bridge</h1>{article}</article>{''.join(after)}"
            "<footer>Privacy policy</footer></body></html>")


def paragraphs(texts) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def test_the_text_of_a_modal_window_is_left_out_and_the_article_kept():
    windows = [
        f"<div role='dialog' class='cookie-panel'><p>{COOKIES}</p><button>Accept</button></div>",
        f"<div role='alertdialog' aria-modal='true'><p>{SIGN_UP}</p></div>",
        f"<dialog open><h2>Republish this story</h2><p>{REPUBLISH}</p></dialog>",
    ]
    for window in windows:
        # Inside the article (a box the site puts in its body) and after it.
        for html in (page(paragraphs(STORY[:2]) + window + paragraphs(STORY[2:])), page(paragraphs(STORY), window)):
            for recover in (True, False):
                text = extract(html, Config(html_recover=recover))[0]
                assert all(p in text for p in STORY), (window, recover)
                assert COOKIES not in text and SIGN_UP not in text and REPUBLISH not in text, (window, recover)


def test_a_panel_that_says_it_is_not_modal_stays():
    # A product page's description in a sheet the page shows in place (aria-modal="false").
    html = page(paragraphs(STORY[:1]) + f"<div role='dialog' aria-modal='false'>{paragraphs(STORY[1:])}</div>")
    text = extract(html, Config())[0]
    assert all(p in text for p in STORY)


@pytest.mark.parametrize("menu_items, inside", [
    # A story opened over its section page, whose menu holds two fifths of the page's text: an article element.
    (14, "<article><h1>Town council approves the bridge</h1>{}</article>"),
    # No article element, but the dialog holds most of the page: dropping it would leave the menu.
    (4, "<h1>Town council approves the bridge</h1>{}"),
])
def test_a_page_that_is_its_dialog_is_still_read(menu_items, inside):
    menu = "".join(f"<li><a href='/s{i}'>Section number {i} of the site</a></li>" for i in range(menu_items))
    html = (f"<html><body><nav><ul>{menu}</ul></nav><div role='dialog' aria-modal='true'>"
            f"{inside.format(paragraphs(STORY))}</div></body></html>")
    text = extract(html, Config())[0]
    assert all(p in text for p in STORY)


# Real pages of three sites, one per data set: what their modal windows held (a "republish this story" box and a
# cookie panel, a site's search and menu panels, a cookie consent window that trafilatura took for the page).
REAL = [
    ("webpages-dev", "modernfarmer.com__0329", ["Want to republish a Modern Farmer story?",
                                                "Necessary cookies are absolutely essential"]),
    ("webpages-train", "inria.fr__0485", ["Improve your search"]),
    ("webpages-types", "forum.corsair.com__0543", []),
]


def test_real_pages_lose_their_modal_windows_and_keep_their_text():
    for data, name, gone in REAL:
        html, gold = real_page(data, name)
        text = extract(html, Config())[0]
        assert not any(line in text for line in gone), name
        # Most of the gold's lines are in the text (forum.corsair's was a cookie window's before).
        lines = gold_sentences(gold)
        assert sum(line in text for line in lines) >= 0.8 * len(lines), name


PHOTO = "Above: the old crossing in the spring, before the repairs. Photograph by Jane Doe for The Site."
FIGURE = "Figure 2. Traffic on the old crossing by hour of the day, before and after the repairs, in vehicles."
QUOTE = ("The new crossing will change how the whole town moves, from the school run to the market on Saturday "
         "mornings, and it is about time.")


def test_a_photos_caption_is_dropped_and_a_numbered_figures_or_a_quotes_attribution_kept():
    from lxml import html as lxml_html

    from dedupe.formats.html import _drop_captions

    tree = lxml_html.fromstring(page(
        paragraphs(STORY[:2])
        + f"<figure><img src='a.jpg'><figcaption>{PHOTO}</figcaption></figure>"
        + f"<figure><img src='b.png'><figcaption>{FIGURE}</figcaption></figure>"
        + f"<figure><blockquote><p>{QUOTE}</p></blockquote><figcaption>— Anne Smith, mayor</figcaption></figure>"
        + "<figure><img src='c.png'><figcaption>图 3：大桥的设计方案</figcaption></figure>"
        + paragraphs(STORY[2:]))).getroottree()
    _drop_captions(tree)
    text = tree.getroot().text_content()
    assert PHOTO not in text
    assert FIGURE in text and "Anne Smith" in text and "图 3" in text and all(p in text for p in STORY)


# Real pages of three sites: their photos' captions go, their article stays.
CAPTIONED = [
    ("webpages-dev", "greenhousestudio.co__0011", "This slipcovered sofa from Serena & Lily comes in dozens"),
    ("webpages-dev", "houstoniamag.com__4628", "The White Oak Bayou trail provides stunning views of downtown."),
    # (a caption without a credit at its end: those with one, "... Photograph by Richard Hayden.", now go by the
    # caption rule on the text too)
    ("webpages-train", "gardenista.com__0400", "Above: “Plants abstracted in this collage include Salix humilis"),
]


@pytest.mark.parametrize("data, name, caption", CAPTIONED)
def test_real_pages_lose_their_photo_captions(data, name, caption):
    gold, text, before = real_page_with_and_without(data, name, "_drop_captions", lambda tree: None)
    assert caption not in text and caption not in gold and caption in before
    lines = [line[:60] for line in gold_sentences(gold)]
    assert sum(line in text for line in lines) >= sum(line in before for line in lines)
