"""Segmenting: one block per paragraph, whether paragraphs are one line each or hard-wrapped."""
from __future__ import annotations

import textwrap

import pytest

from dedupe.segment import looks_wrapped, segment, split_lines

from helpers import SAMPLES

# Public-domain prose (Jane Austen, Pride and Prejudice, 1813), as Project Gutenberg lays it out.
AUSTEN = [
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, "
    "must be in want of a wife.",
    "However little known the feelings or views of such a man may be on his first entering a "
    "neighbourhood, this truth is so well fixed in the minds of the surrounding families, that he "
    "is considered the rightful property of some one or other of their daughters.",
    "\u201cMy dear Mr. Bennet,\u201d said his lady to him one day, \u201chave you heard that Netherfield "
    "Park is let at last?\u201d",
    "Mr. Bennet replied that he had not.",
    "\u201cBut it is,\u201d returned she; \u201cfor Mrs. Long has just been here, and she told me all about it.\u201d",
    "Mr. Bennet made no answer.",
    "\u201cDo you not want to know who has taken it?\u201d cried his wife impatiently.",
    "\u201c_You_ want to tell me, and I have no objection to hearing it.\u201d",
    "This was invitation enough.",
    "\u201cWhy, my dear, you must know, Mrs. Long says that Netherfield is taken by a young man of large "
    "fortune from the north of England; that he came down on Monday in a chaise and four to see the "
    "place, and was so much delighted with it, that he agreed with Mr. Morris immediately; that he is "
    "to take possession before Michaelmas, and some of his servants are to be in the house by the end "
    "of next week.\u201d",
]


def spans(text: str) -> list[tuple[int, int]]:
    return [b.lines for b in segment(text)]


def test_split_lines_keeps_endings_and_splits_on_newline_only():
    assert split_lines("a\r\nb\x0cc\u2028d\ne") == ["a\r\n", "b\x0cc\u2028d\n", "e"]
    assert split_lines("a\n\n") == ["a\n", "\n"]
    assert split_lines("") == []


@pytest.mark.parametrize("path", sorted(SAMPLES.iterdir()), ids=lambda p: p.name[:3])
def test_samples_are_one_block_per_line(path):
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    blocks = segment(text)
    assert [b.lines for b in blocks] == [(i + 1, i + 1) for i, line in enumerate(lines) if line.strip()]
    assert [b.text for b in blocks] == [line.strip() for line in lines if line.strip()]


@pytest.mark.parametrize("width", [60, 70, 72, 79])
def test_gutenberg_style_text_wrapped_at_a_column_is_one_block_per_paragraph(width):
    text = "\n\n".join(textwrap.fill(p, width) for p in AUSTEN) + "\n"
    blocks = segment(text)
    assert [b.text for b in blocks] == AUSTEN
    first = textwrap.fill(AUSTEN[0], width).count("\n") + 1
    assert blocks[0].lines == (1, first)
    assert blocks[1].first_line == first + 2


def test_a_two_line_paragraph_whose_first_line_ends_a_sentence_is_still_one_paragraph():
    paragraph = "He waited at the station for nearly an hour in the cold and the rain. Nobody came for him."
    lines = textwrap.wrap(paragraph, 70)
    assert lines[0].endswith("rain.") and len(lines) == 2  # the wrap falls right after a sentence
    # On their own, two lines that each end a sentence read as two one-line paragraphs ...
    assert not looks_wrapped(lines)
    # ... but in a document wrapped at 70 columns they are one paragraph.
    doc = "\n\n".join(textwrap.fill(p, 70) for p in AUSTEN[:2] + AUSTEN[-1:]) + "\n\n" + "\n".join(lines) + "\n"
    last = segment(doc)[-1]
    assert last.text == paragraph
    assert last.last_line == last.first_line + 1


def test_a_paragraph_balanced_by_fmt_is_one_block():
    # GNU fmt -w 72 balances line lengths instead of filling each line greedily.
    text = (
        "\u201cWhy, my dear, you must know, Mrs. Long says that Netherfield is\n"
        "taken by a young man of large fortune from the north of England;\n"
        "that he came down on Monday in a chaise and four to see the place,\n"
        "and was so much delighted with it, that he agreed with Mr. Morris\n"
        "immediately; that he is to take possession before Michaelmas, and\n"
        "some of his servants are to be in the house by the end of next week.\u201d\n"
    )
    assert [b.text for b in segment(text)] == [AUSTEN[-1]]


def test_email_wrapped_at_72_with_greeting_list_and_signature():
    body = textwrap.fill(
        "Thanks for sending the draft over so quickly. I went through the budget section this morning and "
        "I think the numbers for the second quarter need another look before we share it with the board, "
        "mostly because the travel line still includes the trip that was cancelled in April.",
        72,
    )
    text = (
        "Hi Maria,\n\n"
        + body
        + "\n\nThree things to fix:\n\n"
        "- travel: remove the April trip\n"
        "- equipment: the laptops were ordered in March, not May\n"
        "- staffing: add the new analyst from June\n\n"
        "Best,\nTom\n--\nTom Becker | Finance | +49 30 1234567\n"
    )
    texts = [b.text for b in segment(text)]
    assert texts == [
        "Hi Maria,",
        " ".join(body.split("\n")),
        "Three things to fix:",
        "- travel: remove the April trip",
        "- equipment: the laptops were ordered in March, not May",
        "- staffing: add the new analyst from June",
        "Best,",
        "Tom",
        "--",
        "Tom Becker | Finance | +49 30 1234567",
    ]


def test_a_menu_of_short_lines_is_one_block_per_line():
    menu = "Home\nWorld\nBusiness\nMarkets\nTechnology\nOpinion\nSign in\n"
    assert spans(menu) == [(i, i) for i in range(1, 8)]


def test_a_list_of_similar_items_is_not_a_wrapped_paragraph():
    # From a web page dump: items of similar length, no punctuation, each starting with a capital.
    items = (
        "Users who need to create a website quickly\n"
        "Businesses with a good social media presence\n"
        "Service-based businesses that take bookings\n"
    )
    assert spans(items) == [(1, 1), (2, 2), (3, 3)]
    numbered = "1. Preheat the oven to 200 degrees and grease the tin\n2. Mix the flour, the sugar and the butter well\n"
    assert spans(numbered) == [(1, 1), (2, 2)]


def test_one_paragraph_per_line_without_blank_lines():
    text = "".join(p + "\n" for p in AUSTEN)
    assert [b.text for b in segment(text)] == AUSTEN
    assert spans(text) == [(i, i) for i in range(1, len(AUSTEN) + 1)]


def test_crlf_and_indented_wrapped_lines():
    wrapped = textwrap.fill(AUSTEN[1], 70, initial_indent="    ", subsequent_indent="    ")
    text = (wrapped + "\n\n" + AUSTEN[3] + "\n").replace("\n", "\r\n")
    blocks = segment(text)
    assert [b.text for b in blocks] == [AUSTEN[1], AUSTEN[3]]
    assert blocks[0].lines == (1, wrapped.count("\n") + 1)


def test_blank_lines_of_spaces_separate_blocks_and_spans_are_exact():
    text = "\n\n  First paragraph here.  \n \t \nSecond.\n\n\n"
    blocks = segment(text)
    assert [(b.index, b.lines, b.text) for b in blocks] == [(0, (3, 3), "First paragraph here."), (1, (5, 5), "Second.")]


def test_a_paragraph_pasted_twice_does_not_move_the_wrap_column():
    """Found by the cleaning-twice property: two copies of one wrapped paragraph shifted the column the page
    was wrapped at, so a short wrapped paragraph was cut into lines on the page and kept whole in its cleaned
    copy (which holds one copy): a second clean then found it as one block."""
    credits = ("(Additional reporting by Noel Randewich in San Francisco and Michael\n"
               "Martina and Ryan Woo in Beijing; Editing by James Dalgleish, Leslie\nAdler and Michael Perry)")
    para = ("A U.S. official said on Friday said that China's proposal was\ninterpreted as Beijing pledging to "
            "work to achieve Washington's $200\nbillion trade deficit reduction goal by 2020 - a demand "
            "presented to\nChinese officials two weeks ago in Beijing.")
    quote = ('"The two sides will expand areas of cooperation in services and\nincrease trade in services; '
             'expand mutual investment, and create a\nmore open, equitable, transparent and convenient '
             'investment\nenvironment," the embassy said.')
    once = segment("\n\n".join([credits, para, quote]) + "\n")
    twice = segment("\n\n".join([credits, para, quote, quote]) + "\n")
    assert [b.lines for b in once] == [b.lines for b in twice][: len(once)]
    assert once[0].lines == (1, 3)  # the credits are one wrapped paragraph on both
