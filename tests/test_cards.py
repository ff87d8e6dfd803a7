"""Grids of cards that differ in shape (issue 15): a shop's, a furniture store's and a directory's cards, each a
title and a few fields, some with a line the others lack. The runs of one shape (`item_runs`' periodic units)
miss them; a field whose value changes from card to card (a price, a count, a phone number: the same text with
other numbers) anchors them (`card_runs`, and `item_runs` on a page read as a list)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from dedupe.config import Config
from dedupe.detect.chrome import page_kind
from dedupe.detect.pagetype import ARTICLE, card_runs, item_runs
from dedupe.pipeline import clean_document
from dedupe.records import Document
from dedupe.segment import segment
from dedupe.sign import sign_blocks

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"

_MENU = ["Home", "Shop", "Gifts", "Sale", "About us", "Contact", ""]
_FOOTER = ["", "Privacy", "Terms", "Careers", "Copyright 2025 The Site"]
_NAMES = ["Alder", "Birch", "Cedar", "Dove", "Elm", "Fox", "Glen"]


def _shop() -> list[str]:
    """A shop's search results: a long title, maybe a seller, a count of reviews, one or two price lines, maybe
    "FREE shipping" (4 to 6 lines a card)."""
    lines = []
    for i, name in enumerate(_NAMES):
        lines += [f"Personalised {name} Wallet, Genuine Soft Leather Wallet, Engraved Gift for Him, Dad, Husband"]
        if i % 3 != 2:
            lines += [f"ad by seller {name}Goods from shop {name}Goods"]
        lines += [f"({(i + 2) * 37})"]
        if i % 2 == 0:
            lines += [f"Sale Price USD {40 + i}.25 USD {40 + i}.25", f"USD {60 + i}.65 Original Price USD {60 + i}.65"]
        else:
            lines += [f"USD {50 + i}.00"]
        if i % 3 == 0:
            lines += ["FREE shipping"]
    return lines


def _furniture() -> list[str]:
    """A furniture store's grid: a name, a price, a count of reviews, maybe a firmness, maybe more options."""
    lines = []
    for i, name in enumerate(_NAMES):
        lines += [f"{name.upper()} Sofa, Knisa dark gray", f"$ {199 + 100 * i}. 00 Price $ {199 + 100 * i}.00",
                  f"({(i + 3) * 11})"]
        if i % 2:
            lines += ["Soft" if i % 4 == 1 else "Firm"]
        if i % 3 != 1:
            lines += [f"More options {name.upper()}", f"Option: {name.upper()}, Sofa, Knisa light beige"]
    return lines


def _directory() -> list[str]:
    """A list of clinics: a name, an address, a phone number, the services, maybe the fees."""
    lines = []
    for i, name in enumerate(_NAMES):
        lines += [f"{name} Institute for Psychological Services", f"{110 + i} Gough St. Suite {301 + i}",
                  f"(415) {861 + i}-{5449 + i}", "Psychotherapy" if i % 2 else "Psychotherapy & Medication"]
        if i % 3 == 0:
            lines += ["Fees based on income"]
    return lines


def _flags(lines: list[str], runs=item_runs) -> tuple[list[str], list[bool]]:
    texts = [t for t in lines if t]
    prose = [len(t.split()) >= 10 and t.rstrip().endswith(".") for t in texts]
    return texts, runs(texts, [len(t.split()) for t in texts], prose, [False] * len(texts))


@pytest.mark.parametrize("runs", [item_runs, card_runs])
@pytest.mark.parametrize("make", [_shop, _furniture, _directory])
def test_cards_of_varying_shape_are_a_run(make, runs):
    # Before, only units of one shape repeated (one line differing per unit) were items: none of these grids.
    cards = make()
    texts, flags = _flags(_MENU + cards + _FOOTER, runs)
    inside = [t for t, f in zip(texts, flags) if f]
    # Every card's title, from the first card's to the last's, and none of the menu or footer lines.
    for name in _NAMES:
        assert any(name in t or name.upper() in t for t in inside), name
    assert not set(inside) & set(_MENU + _FOOTER)


def test_a_line_repeated_as_it_is_anchors_no_card():
    # A menu's groups, each after a "Back" line: the same text each time, no value that changes from card to card.
    lines = []
    for name in _NAMES:
        lines += ["Back", f"{name} Disorders", f"What Are {name} Disorders?", f"Expert Q&A: {name} Disorders"]
    assert not any(_flags(lines, card_runs)[1])


def test_paragraphs_between_numbered_captions_are_no_cards():
    # An article's paragraphs between photo captions ("Photo 3 of 12"): a field whose number changes, but the
    # paragraphs are longer than a teaser's.
    lines = []
    for i, name in enumerate(_NAMES):
        lines += [f"Photo {i + 1} of 7",
                  f"In {name} the council met for {i + 2} hours and heard from the ferrymen, the shopkeepers and the "
                  f"school, then voted to spend the reserve on the crossing; the mayor said the town had waited for "
                  f"this since the bridge closed, and that the work would start once the river fell in spring."]
    assert not any(_flags(lines, card_runs)[1])


def _article_with_related() -> str:
    """An article, then other stories' teasers: a title, a date and a "Read more" under each."""
    body = [f"The council of {name} met on Tuesday and voted to reopen the ferry crossing after {i + 3} years, a "
            f"decision that the shopkeepers along the river had asked for since the bridge closed, and that the "
            f"school says will shorten the children's way by half an hour each morning." for i, name in
            enumerate(_NAMES)]
    related = []
    for i, name in enumerate(_NAMES[:6]):
        related += [f"{name} Opens Its New Library After Three Years of Work", f"March {i + 3}, 2024", "Read more"]
    return "\n\n".join(_MENU + ["River towns vote to bring back the ferry"] + body + ["Related stories"] + related
                       + _FOOTER)


def test_an_article_followed_by_dated_teasers_stays_an_article():
    # The teasers anchor on their dates (the same text, other numbers), but their titles weigh less than the
    # article's prose: the page is still an article, and its body is kept whole.
    text = _article_with_related()
    blocks = segment(text)
    assert page_kind(blocks, sign_blocks(blocks, Config().shingle_size)) == ARTICLE
    result, _ = clean_document(Document("article.txt", text), Config())
    for name in _NAMES:
        assert f"The council of {name} met on Tuesday" in result.cleaned
    assert "Copyright 2025" not in result.cleaned


def _directory_page() -> str:
    """A directory of clinics under a heading, and a consent window before the page's menu whose two paragraphs are
    the page's only prose: the page reads as a list, but without its cards read as items the extent held the
    window and cut every clinic."""
    window = ["We use cookies and similar technologies to give you a better experience, to remember your preferences "
              "and to understand how the site is used by our many visitors from all over the region.",
              "Some of these technologies are necessary for the site to work, and others help us improve the "
              "content and the services we offer to everyone who visits and reads our pages each week.",
              "Accept", "Settings"]
    return "\n\n".join(window + _MENU + ["Low-cost counseling in the city"] + _directory() + _FOOTER)


def test_a_directory_under_a_consent_window_keeps_its_cards():
    result, _ = clean_document(Document("clinics.txt", _directory_page()), Config())
    for name in _NAMES:
        assert f"{name} Institute for Psychological Services" in result.cleaned
    again, _ = clean_document(Document("clinics.txt", result.cleaned), Config())
    assert again.cleaned == result.cleaned


def _dump(data: str, name: str) -> tuple[str, str, object]:
    folder = SHARED / data
    if not (folder / "score.py").is_file():
        pytest.skip(f"{data} not found at {folder} (it lives in ../shared beside the checkout)")
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"score_{data}", folder / "score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    gold = json.loads((folder / "gold" / f"{name}.json").read_text(encoding="utf-8"))["main_content"]
    return (folder / "dumps" / f"{name}.txt").read_text(encoding="utf-8"), gold, scorer


@pytest.mark.parametrize("data, name, floor", [
    # (F1 before: 0.213, 0.368, 0.319; after: 0.355, 0.475, 0.753)
    ("webpages-types", "walmart.com__4203", 0.33),
    ("webpages-types", "thebushcompanyusa.com__4544", 0.45),
    ("webpages-train", "myusf.usfca.edu__0313", 0.70),
])
def test_real_grids_of_cards_are_kept(data, name, floor):
    text, gold, scorer = _dump(data, name)
    result, _ = clean_document(Document(f"{name}.txt", text), Config())
    assert scorer.doc_prf(gold, result.cleaned)[2] >= floor
