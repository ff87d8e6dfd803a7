"""Site chrome: what each kind catches, what article text it leaves alone, and how blocks take their context."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dedupe.config import CHROME_KINDS, Config
from dedupe import _core
from dedupe.detect import chrome, pagetype
from dedupe.detect.chrome import FAMILIES, find_chrome, match_rules
from dedupe.records import Block
from dedupe.segment import segment
from dedupe.sign import sign_blocks, sign_text
from helpers import SHARED, reference_block_row, reference_family, reference_is_english

# Phrasings of every kind; none of them occurs in samples/.
CHROME = {
    "paywall": [
        "You have reached your monthly limit of free stories.",
        "Subscribe today to keep reading this article.",
        "This story is available to subscribers only.",
        "Already a member? Sign in",
        "Become a member to keep reading",
        "Unlock unlimited access to every story",
    ],
    "subscription": [
        "Choose your plan",
        "Select a subscription:",
        "Annual",
        "Subscribe today",
        "Best value",
    ],
    "caption": [
        "Photo: Jane Doe/AFP via Getty Images",
        "A protester holds a sign outside parliament. (AP Photo/Evan Vucci)",
        "Image credit: NASA/JPL-Caltech",
        "Firefighters battle the blaze on Sunday. Jane Doe/Bloomberg",
        "Photo by Sam Lee on Unsplash",
        "Open image caption",
        "My bedroom is painted a neutral blue, which looks gray on the chip. Photo: Greenhouse Studio",
        "The pressure ring lets you know when you're brushing too hard. Credit: Natalie Rivera",
        "Transaera's air conditioners use a sponge-like material to cool the air. Photo credit: Transaera",
        "A beautiful green and black gallery wall in an artist's studio | Image credit: Margo Huber",
        "Guests pick their pastries from glass-enclosed cabinets. | Photo by Lisa Jennings",
        "The restaurant earned its first Michelin star this year. Photo by Ben Hon for Resy",
        "Yayoi Kusama's Pumpkin on Naoshima Island (Image via Unsplash)",
        "Image by Peter Carvill via One Fab Day",
        "Photo courtesy of Building Design + Construction",
    ],
    "related": [
        "You might also like",
        "More stories from Business",
        "Read more: Why the central bank held rates steady",
        "Most popular",
        "Editor’s picks",
        "Up next",
        "Suggested articles",
        "Other popular Blogs",
        "You Might also like...",
        "More Videos",
        "Read This Next",
        "Related articles that may interest you",
        "【関連記事】",
        "あわせて読みたい",
        "관련 기사",
        "함께 보면 좋은 글",
    ],
    "social": [
        "Share on LinkedIn",
        "Follow us on Instagram",
        "Instagram: @newsdesk",
        "Facebook Twitter WhatsApp Email",
        "Click to share on Reddit (Opens in new window)",
        "Share Tweet Pin",
        "@metro_desk",
        "Was this article helpful?",
        "Was this page helpful to you? Yes No",
        "How useful was this post?",
        "Did you find the article helpful?",
        "Click on a star to rate it!",
        "War dieser Artikel hilfreich?",
        "Cet article vous a-t-il été utile ?",
        "这篇文章对您有帮助吗？",
    ],
    "tags": [
        "Tags: inflation, central banks",
        "Filed under: Politics, Europe",
        "Topics:",
        "Posted in Recipes, Baking",
    ],
    "template-error": [
        "{{ article.author_name }}",
        "Warning: Undefined variable $title in /var/www/html/index.php on line 42",
        "Please enable JavaScript to view the comments.",
        "%%SUBTITLE%%",
        "Written by ${author}",
        "[object Object]",
        "Loading comments...",
    ],
    "disclaimer": [
        "This article originally appeared on The Conversation.",
        "The views expressed here are those of the author and do not necessarily reflect ours.",
        "We may earn a commission when you buy through links on our site.",
        "This content is for informational purposes only and is not intended as financial advice.",
        "Prices were accurate at the time of publishing.",
    ],
    "newsletter": [
        "Sign up for our weekly briefing",
        "Subscribe to our newsletter",
        "For daily tips, sign up for the Garden Club newsletter.",
        "Join 5,000 readers getting our best recipes in our free newsletter.",
        "Get the best of the week delivered straight to your inbox.",
        "Enter your email address",
        "By subscribing, you agree to our Terms and Privacy Policy.",
        "Thanks for signing up!",
        "Email address *",
    ],
    "cookie": [
        "This website uses cookies to improve your experience.",
        "Accept all",
        "Manage cookie preferences",
        "We and our 200 partners store and/or access information on a device.",
        "Strictly necessary cookies",
    ],
    "navigation": [
        "Skip to main content",
        "Home > Business > Markets",
        "Back to top",
        "Previous article",
        "Table of contents",
        "Toggle navigation",
    ],
    "advertising": [
        "Advertisement",
        "Story continues below advertisement",
        "Sponsored content",
        "This content is provided by our sponsor.",
    ],
    "credits": [
        "(Reporting by Jane Roe in Lagos; Editing by John Doe)",
        "Written by Maria Lopez",
        "By Ana Silva and Tom Green",
        "About the author",
        "5 min read",
        "About Us",
        "About NPR",
        "About DataFeedWatch",
        "About me",
    ],
    "legal": [
        "© 2025 Example Media Group. All rights reserved.",
        "Privacy Policy",
        "Terms of Service",
        "Copyright 2024 ACME Corp",
        "Example and the Example logo are registered trademarks of Example Inc.",
    ],
    "comments": [
        "12 Comments",
        "《播客热潮迅速蔓延 挑逗传统传媒业》已有1件评论",
        "更多评论 共 4 条评论",
        "Leave a Reply",
        "Join the discussion",
        "Jane Doe says:",
        # (a reply's header: a handle, a name in any script, its time before it)
        "jsmith_88 wrote:",
        "Иван Петров says:",
        "16 minutes ago, Kerbart said:",
        "On 6/14/2024 at 9:14 AM, Lisias said:",
        "Your email address will not be published. Required fields are marked *",
        "Reply",
        "octocat commented Mar 3, 2025",
    ],
}

# Phrasings that are weak evidence: chrome outside the article, article text inside it.
WEAK = {
    "subscription": [
        "€9.99/month",
        "$49 per year",
        "12 months",
        "Start your 14-day free trial",
        "Billed annually. Cancel anytime.",
        "Compare our digital subscription options",
    ],
    "cookie": [
        "_ga 2 years Google Analytics sets this cookie to store information on how visitors use the site; "
        "these cookies collect data for analytics.",
        "Necessary cookies are absolutely essential for the website to function properly and do not store personal data.",
    ],
    "caption": ["Source: Bureau of Labor Statistics"],
    "social": ["Mastodon", "Bluesky", "Discord"],
    "credits": [
        "Maria Lopez is a staff writer at The Example Times covering health.",
        "Hi, I’m Sam, a food writer and recipe developer based in Leeds.",
        "Elaine Chen covers biotech and co-hosts the weekly science podcast.",
    ],
}

# Article sentences that talk about the things chrome talks about.
ARTICLE = [
    "Was the new policy useful to small businesses, the survey asked.",
    "About 40 people attended.",
    "该节目共有3条评论指出了问题，编辑部随后作出了回应。",
    "“Home gyms grew as people lacked time and childcare.” – Source: Gitnux",
    "Source: Construction Coverage analysis of Redfin data | Image Credit: Construction Coverage",
    "The agency said the photo was taken in 2019. Its source: a former employee.",
    "Animals: 1,419 Copyright-Free Illustrations by Jim Harter",
    "Exporting Images from Photoshop",
    "関連する研究によると、新しい治療法は効果があった。",
    "관련 법률에 따라 개인정보는 안전하게 처리됩니다.",
    "About authentication and authorization",
    "About this item",
    "Other studies of older patients found the same effect.",
    "More videos of the flood were shared by residents overnight.",
    "Did you find the key under the mat, she asked him twice.",
    "“I deleted my Twitter account years ago,” she told reporters on Friday, adding that she now reads the news on paper.",
    "Digital subscriptions to the newspaper rose 12 percent last year, helping offset a decline in print advertising.",
    "Let the cookies cool on the baking sheet for five minutes before moving them to a wire rack.",
    "We use cookies from a local bakery in every gift box.",
    "The bakery sells cookies to visitors from across the state.",
    "A photo of the scene, taken by a bystander, circulated widely on social media within hours.",
    "The company said its newsletter, which reaches 2 million readers, would start charging a monthly fee.",
    "The number of readers who subscribe to the newsletter grew 20 percent last year.",
    "By contrast, many economists expect the central bank to keep rates on hold until next year.",
    "By Monday, the storm had passed.",
    "Share prices fell 3 percent in early trading after the announcement.",
    "Save the date: the festival returns in June.",
    "He was already a member of the board when the merger was announced.",
    "Scientists hope to unlock the full potential of the drug.",
    "The drug will begin a trial next year.",
    "Copyright law has changed little since 1976.",
    "Phishing sites ask you to enter your email and password.",
    "Keep reading to find out which varieties grow best in shade.",
    "They will not accept all of the terms, a spokesman said.",
    "More than 200 people were evacuated from the building.",
    "Search and rescue teams worked through the night.",
    "Home prices rose 5 percent in March.",
    "The report was published in the journal Nature on Wednesday.",
    "Customers can choose a plan that suits them, the regulator said.",
    "Follow the recipe closely the first time you make it.",
    "The minister said the tariffs would stay.",
    "Prep time",
    "15 minutes",
    "2 cups all-purpose flour",
    "Q: What did the court decide?",
    "A: It sent the case back to the lower court.",
    "Hiking pants (Men’s / Women’s) & shorts (Men’s / Women’s)",
    "5. Google Cloud (Pub/Sub, Dataflow and BigQuery)",
    "Recommended Books for Managers",
    "Latest Industry Trends and Standards in 2027",
    "Popular back-end development languages include:",
    "Unbeatable playback interface Birds-eye view of motion detection Affordable subscription plan",
]


def _kind(text: str) -> str | None:
    family = match_rules(text)
    return family.kind if family is not None and not family.weak else None


@pytest.mark.parametrize("kind, text", [(k, t) for k, ts in CHROME.items() for t in ts])
def test_each_kind_catches_phrasings_beyond_the_samples(kind, text):
    assert _kind(text) == kind


@pytest.mark.parametrize("kind, text", [(k, t) for k, ts in WEAK.items() for t in ts])
def test_weak_phrasings_are_only_evidence(kind, text):
    family = match_rules(text)
    assert family is not None and family.kind == kind and family.weak


@pytest.mark.parametrize("text", ARTICLE)
def test_article_sentences_on_the_same_subjects_are_not_chrome(text):
    assert _kind(text) is None


def test_every_kind_of_the_docstring_is_a_known_category_and_has_three_phrasings():
    kinds = {f.kind for f in FAMILIES} | {"outside"}
    assert kinds == set(CHROME_KINDS)
    for kind in kinds - {"outside"}:
        assert f"``{kind}``" in chrome.__doc__
        assert len(CHROME.get(kind, [])) + len(WEAK.get(kind, [])) >= 3, kind


def test_a_family_without_trigger_words_is_refused():
    with pytest.raises(ValueError, match="trigger"):
        chrome._family("legal", 5, r"^imprint$")


def test_long_blocks_escape_short_rules():
    sentence = "Share " + "the story of the town that rebuilt its library after the flood " * 2
    assert _kind(sentence.strip()) is None


# --------------------------------------------------------------------------- whole documents

ARTICLE_PARAGRAPHS = [
    "The city council voted on Tuesday to expand the bus network, adding six routes that will connect the "
    "eastern suburbs with the hospital and the university for the first time since the service began.",
    "Officials said the new routes would cost about 4 million dollars a year to run, most of it paid from a "
    "regional transport grant that was approved by the state legislature in the spring.",
    "Residents who spoke at the meeting were mostly in favour, although several shop owners on the high street "
    "worried that the new stops would take away parking spaces their customers depend on.",
    "The first buses are expected to run in September, and the council has promised to review the timetable "
    "after six months, once it has figures on how many people actually use the routes.",
]


def _removed(lines: list[str]) -> dict[int, str]:
    """Cleans a document of one block per line; returns {line index: category} of what chrome removes."""
    blocks = segment("\n\n".join(lines) + "\n")
    assert [b.text for b in blocks] == lines
    config = Config()
    findings = find_chrome("doc.txt", blocks, sign_blocks(blocks, config.shingle_size), config)
    return {f.block: f.category for f in findings if f.score >= config.chrome_threshold}


def test_a_page_keeps_its_article_and_loses_menus_before_and_footer_after():
    menu = ["Skip to content", "Home", "News", "Sport", "Culture", "Newsletters", "Podcasts", "Weather"]
    footer = ["Related articles", "Bus fares to rise in January", "New bridge opens to cyclists",
              "© 2025 Example News", "Privacy Policy", "Contact Us"]
    lines = menu + ["Council expands bus network to eastern suburbs"] + ARTICLE_PARAGRAPHS + footer
    removed = _removed(lines)
    article = range(len(menu) + 1, len(menu) + 1 + len(ARTICLE_PARAGRAPHS))
    assert not any(i in removed for i in article)
    assert all(i in removed for i in range(len(menu)))
    assert all(i in removed for i in range(len(lines) - len(footer), len(lines)))
    # A run of menu items is navigation, even where one item names a newsletter.
    assert removed[menu.index("Newsletters")] == "chrome:navigation"
    assert removed[menu.index("Podcasts")] == "chrome:navigation"
    # Teaser headlines under a related header are related; the footer lines are legal.
    assert removed[lines.index("Bus fares to rise in January")] == "chrome:related"
    assert removed[lines.index("Privacy Policy")] == "chrome:legal"


def test_a_text_that_starts_with_its_article_keeps_headline_and_byline():
    lines = ["Council expands bus network", "By Jane Roe, City Desk"] + ARTICLE_PARAGRAPHS
    removed = _removed(lines)
    assert 0 not in removed
    assert removed.get(1) in (None, "chrome:credits")


def test_recipe_ingredients_and_steps_between_paragraphs_stay():
    lines = ARTICLE_PARAGRAPHS[:2] + [
        "Ingredients",
        "2 cups all-purpose flour",
        "1 teaspoon baking soda",
        "1 cup unsalted butter, softened",
        "3/4 cup brown sugar",
        "2 large eggs",
        "Prep time",
        "15 minutes",
        "Instructions",
    ] + ARTICLE_PARAGRAPHS[2:]
    assert _removed(lines) == {}


def test_questions_and_answers_and_a_transcript_stay():
    lines = ARTICLE_PARAGRAPHS[:1] + [
        "Q: What did the council decide?",
        "A: It approved six new routes.",
        "MAYOR: We listened to the residents.",
        "REPORTER: And the parking spaces?",
        "MAYOR: We will find them elsewhere.",
    ] + ARTICLE_PARAGRAPHS[1:]
    assert _removed(lines) == {}


def test_a_quote_about_twitter_and_a_photo_sentence_inside_an_article_stay():
    lines = ARTICLE_PARAGRAPHS[:2] + [
        "“I read about it on Twitter before the council told us anything,” said one shop owner.",
        "A photo of the packed meeting room was shared widely online.",
    ] + ARTICLE_PARAGRAPHS[2:]
    assert _removed(lines) == {}


def test_a_paywall_and_the_plan_table_after_it_go():
    lines = ARTICLE_PARAGRAPHS + [
        "You’ve reached your limit of 5 free articles this month.",
        "Subscribe to continue reading",
        "Digital Basic",
        "€7.99/month",
        "Digital Plus",
        "€12.99/month",
        "Cancel anytime",
        "What you get",
        "Unlimited articles on any device",
        "The daily crossword and puzzles",
    ]
    removed = _removed(lines)
    tail = range(len(ARTICLE_PARAGRAPHS), len(lines))
    assert set(removed) == set(tail)
    assert removed[lines.index("€7.99/month")] == "chrome:subscription"
    assert removed[lines.index("Digital Basic")] in ("chrome:paywall", "chrome:subscription")


def test_a_sentence_that_introduces_a_quote_is_no_reply_header():
    # A testimonial page (a parent quoting a son), a mail quoted in an article, a quote in a story.
    for lead in ("Here is what my son says:", "To which he simply replied:", "As my grandmother always said:"):
        assert _kind(lead) is None, lead
        lines = ARTICLE_PARAGRAPHS[:2] + [lead, "\u201c" + ARTICLE_PARAGRAPHS[2] + "\u201d"] + ARTICLE_PARAGRAPHS[3:]
        assert _removed(lines) == {}, lead


def test_comments_after_the_article_go_as_comments():
    lines = ARTICLE_PARAGRAPHS + [
        "3 Comments",
        "Sam Doe says:",
        "I have taken the number 12 bus for years and this is the best news I have heard in a long time.",
        "Reply",
        "Kim Lee says:",
        "Will the new routes run on Sundays as well, or only on weekdays when the offices are open?",
        "Reply",
    ]
    removed = _removed(lines)
    assert set(removed) == set(range(len(ARTICLE_PARAGRAPHS), len(lines)))
    assert removed[len(ARTICLE_PARAGRAPHS) + 2] == "chrome:comments"


def test_a_weak_phrasing_inside_the_article_stays_and_outside_it_goes():
    lines = ARTICLE_PARAGRAPHS[:2] + ["Discord"] + ARTICLE_PARAGRAPHS[2:] + [
        "Share this article", "Facebook", "Mastodon", "Bluesky"]
    removed = _removed(lines)
    assert 2 not in removed
    assert removed[lines.index("Mastodon")] == "chrome:social"


def test_a_list_or_a_poem_alone_is_not_chrome():
    lines = ["Roses are red", "Violets are blue", "Sugar is sweet", "And so are you"]
    assert _removed(lines) == {}


def test_text_in_other_languages_and_scripts_is_kept():
    german = [
        "Der Stadtrat hat am Dienstag beschlossen, das Busnetz um sechs Linien zu erweitern, die die östlichen "
        "Vororte zum ersten Mal mit dem Krankenhaus und der Universität verbinden.",
        "Die neuen Linien sollen im September starten, und der Rat will den Fahrplan nach sechs Monaten prüfen.",
    ]
    korean = [
        "시의회는 화요일에 동부 교외와 병원, 대학교를 처음으로 연결하는 여섯 개의 새 버스 노선을 추가하기로 의결했다. "
        "관계자들은 새 노선의 운영비가 연간 약 400만 달러가 될 것이라고 밝혔다.",
        "첫 버스는 9월에 운행을 시작할 예정이며, 시의회는 6개월 후 실제 이용객 수를 확인한 뒤 시간표를 다시 검토하겠다고 약속했다.",
    ]
    for lines in (german, korean):
        assert _removed(["Home", "Menu"] + lines) == {0: "chrome:navigation", 1: "chrome:navigation"}


def test_cleaning_the_cleaned_text_removes_nothing_more():
    from dedupe.pipeline import clean_document
    from dedupe.records import Document

    pages = [
        ["Skip to content", "Home", "News", "Newsletters", "Council expands bus network"] + ARTICLE_PARAGRAPHS
        + ["Related articles", "Bus fares to rise in January", "© 2025 Example News"],
        ARTICLE_PARAGRAPHS + ["Subscribe to continue reading", "Digital Basic", "€7.99/month", "Cancel anytime"],
        ARTICLE_PARAGRAPHS[:2] + ["Advertisement", "2 cups flour", "1 egg"] + ARTICLE_PARAGRAPHS[2:]
        + ["3 Comments", "Sam says:", "Great news for the suburbs, finally a bus that goes where we need it.", "Reply"],
    ]
    for lines in pages:
        first, _ = clean_document(Document("page.txt", "\n\n".join(lines) + "\n"), Config())
        assert first.removals
        second, _ = clean_document(Document("page.txt", first.cleaned), Config())
        assert second.removals == [], [r.text for r in second.removals]


def test_a_paragraph_repeated_in_a_teaser_above_the_article_survives_in_the_article():
    from dedupe.pipeline import clean_document
    from dedupe.records import Document

    teaser = ARTICLE_PARAGRAPHS[0]
    menu = ["News", "Sport", "Weather", "Culture", "Opinion", "Business", "Travel", "Food", "Science", "Health",
            "Video", "Podcasts", "Puzzles", "Events", "Jobs", "Shop", "About", "Contact", "Careers", "Archive"]
    lines = ["Most popular", teaser] + menu + ARTICLE_PARAGRAPHS + ["© 2025 Example News"]
    result, _ = clean_document(Document("page.txt", "\n\n".join(lines) + "\n"), Config())
    kept = [line for line in result.cleaned.split("\n") if line]
    assert kept == ARTICLE_PARAGRAPHS
    removed_teaser = [r for r in result.removals if r.text == teaser]
    assert len(removed_teaser) == 1 and removed_teaser[0].lines == (3, 3)


def test_a_headline_repeated_above_the_article_weighs_once_so_a_second_run_removes_nothing():
    # The headline opens the page (in the menu, so it goes as chrome) and comes twice more above the article.
    # Its third copy goes as a repeat; had its weight held the byline lines inside the article, the cleaned
    # text (which holds the headline once) would lose them on a second run.
    from dedupe.pipeline import clean_document
    from dedupe.records import Document

    headline = "How accurate is the new bus timetable for commuters?"
    menu = ["Home", "News", "Sport", "Weather", "Culture", "Opinion", "Business", "Travel"]
    lines = [headline] + menu + [headline, "NEWS CITY TRANSPORT COUNCIL", headline, "20:10",
                                 "Last Updated: December 2025."] + ARTICLE_PARAGRAPHS
    first, _ = clean_document(Document("page.txt", "\n\n".join(lines) + "\n"), Config())
    assert all(p in first.cleaned for p in ARTICLE_PARAGRAPHS)
    assert first.cleaned.count(headline) <= 1
    second, _ = clean_document(Document("page.txt", first.cleaned), Config())
    assert second.removals == [], [r.text for r in second.removals]


@pytest.mark.parametrize(
    "top, above",
    [
        # The page title above the menu goes as chrome; of the two copies above the article, one contains the other.
        ("Council expands the bus network to the eastern suburbs this year - Example News",
         ["Council expands the bus network to the eastern suburbs this year",
          "Home » Council expands the bus network to the eastern suburbs this year"]),
        # The page title goes as chrome; its exact copy above the article is kept instead, and the headline
        # under it is contained in that copy.
        ("Council expands the bus network to the eastern suburbs | City | Example News",
         ["Council expands the bus network to the eastern suburbs | City | Example News",
          "Council expands the bus network to the eastern suburbs"]),
    ],
)
def test_near_repeats_of_a_block_that_goes_as_chrome_are_settled_among_themselves(top, above):
    from dedupe.pipeline import clean_document
    from dedupe.records import Document

    menu = ["Home", "News", "Sport", "Weather", "Culture", "Opinion", "Business", "Travel"]
    lines = [top] + menu + above + ARTICLE_PARAGRAPHS
    first, _ = clean_document(Document("page.txt", "\n\n".join(lines) + "\n"), Config())
    assert all(p in first.cleaned for p in ARTICLE_PARAGRAPHS)
    second, _ = clean_document(Document("page.txt", first.cleaned), Config())
    assert second.removals == [], [r.text for r in second.removals]


def test_article_text_from_an_extractor_gets_the_phrasing_rules_only():
    """HTML comes out of trafilatura as the article alone: no extent or neighbour step cuts into it."""
    from dedupe.detect.chrome import find_chrome
    from dedupe.segment import segment
    from dedupe.sign import sign_blocks

    text = "\n".join(
        [
            "The river rose two metres overnight and the town's lower streets were closed before dawn.",
            "Volunteers filled sandbags at the fire station until the water began to fall on Sunday.",
            "Supplies the shelter still needs",
            "Blankets",
            "Bottled water",
            "Torches",
            "Sign up for our newsletter",
        ]
    ) + "\n"
    blocks = segment(text)
    sigs = sign_blocks(blocks, Config().shingle_size)
    page = {f.block for f in find_chrome("a", blocks, sigs, Config())}
    article = {f.block: f.detector for f in find_chrome("a", blocks, sigs, Config(), whole_page=False)}
    assert {3, 4, 5} <= page  # on a whole page, the short lines after the prose lie outside the article
    assert article == {6: "chrome:rule:newsletter"}  # in extracted article text only the rule match goes


# --------------------------------------------------------------------------- document-level fast paths

#: Blocks that stress the document-level word split: punctuation runs, non-ASCII symbols and letters,
#: a final sigma, white space that str.split knows and bytes.split does not, a line break inside a
#: block, a lone surrogate, code characters, trigger characters, and a block longer than HEAD.
TRICKY_BLOCKS = [
    "Home › News — World’s “best” café, 2024 © Example Media. All rights reserved.",
    "ΟΔΥΣΣΕΥΣ and ΟΔΥΣΣΕΎΣ: Σ alone, İstanbul and the Kelvin sign \u212a",
    "tab\there\x1cfile\x1dgroup\x1erecord\x1funit and\u00a0no-break\u2028line\u3000ideographic",
    "a block\nwith a line break inside, as a test may build one",
    "broken \ud800 surrogate; {{ free_limit }} and ${name} and %%TITLE%% and <!--#include",
    "Photo: Jane Doe/AFP via Getty Images",
    "Price: $4.99/month or ₹900 a year",
    "Share Tweet Pin Email",
    "snake_case_name and CamelCase and ALLCAPS and x_Y",
    "",
    "The river rose two metres overnight, and the town closed its lower streets. " * 20,
]


def test_block_rows_are_their_definition():
    """The core's block features and the rule matched equal their plain `re`/`str` definition, block by block,
    on tricky blocks and seeded text (stop and trigger words in every case, punctuation between and inside
    words, blocks around HEAD characters)."""
    texts = _feature_test_blocks()
    sigs = sign_blocks([Block(i, i + 1, i + 1, t) for i, t in enumerate(texts)], 3)
    counts = [s.n_words for s in sigs]
    for text, k, row in zip(texts, counts, chrome._blocks(texts, counts)):
        assert row == reference_block_row(text, k), text
    # Given other word counts (a caller's own), as the definition gives for those counts.
    for k in (0, 1, 5, 40):
        assert chrome._blocks(texts, [k] * len(texts)) == [reference_block_row(t, k) for t in texts]


def test_the_phrase_rules_answer_as_pythons_re_on_real_pages():
    """Every block of the samples and of webpages-dev's 200 whole-page dumps (50,017 blocks, 4,102 of them
    that a family matches): the core's phrase rules (PCRE2) name the family their definition in Python's `re`
    names, block for block."""
    dumps = SHARED / "data" / "webpages-dev" / "dumps"
    if not dumps.is_dir():
        pytest.skip(f"webpages-dev not found at {dumps} (it lives in ../shared beside the checkout)")
    files = sorted(Path(__file__).resolve().parent.parent.joinpath("samples").iterdir()) + sorted(dumps.glob("*.txt"))
    matched = 0
    for path in files:
        blocks = segment(path.read_text(encoding="utf-8", errors="replace"))
        counts = [s.n_words for s in sign_blocks(blocks, 3)]
        texts = [b.text for b in blocks]
        for text, k, family in zip(texts, counts, chrome.block_columns(texts, counts)[1]):
            words = set(re.sub(r"[^\w\s]+", " ", text[: chrome.HEAD]).lower().split())
            assert family is reference_family(text, words, k), (path.name, text)
            matched += family is not None
    assert matched > 1000


def test_every_ascii_character_counts_as_the_word_split_counts_it():
    """One block per ASCII character between two words: the core splits each as the definition does."""
    texts = [f"Alpha{chr(c)}beta gamma{chr(c)}" for c in range(128) if chr(c) != "\n"]
    for text, row in zip(texts, chrome._blocks(texts, [2] * len(texts))):
        assert row == reference_block_row(text, 2), repr(text)


def test_a_trigger_character_marks_only_the_blocks_that_hold_it():
    texts = ["no symbol here", "© 2024 Example", "plain", "{{ x }} and ©", "{ alone"]
    masks = chrome.LEXICON.features(texts, [3] * len(texts))[8]
    names = [sorted({f.kind for i, f in enumerate(chrome.FAMILIES) if m >> i & 1}) or None for m in masks]
    assert names == [None, ["legal"], None, ["legal", "template-error"], None]


def _feature_test_blocks() -> list[str]:
    """TRICKY_BLOCKS and seeded text: stop and trigger words in every case, punctuation and symbols
    between and inside words ("sign-up", "it's", "e_mail"), and blocks around HEAD characters."""
    import random

    rng = random.Random(11)
    # (ASCII words, then two that are not, which only a quarter of the blocks draw from)
    vocabulary = sorted(w for w in chrome.STOP_WORDS | chrome.MATCHER.trigger_words if w.isascii())
    vocabulary += ["Zebra", "x1", "2024", "für", "naïve", "ÉTÉ", "Über", "ΟΔΥΣΣΕΥΣ", "日本語の文章です", "2018年2月",
                   "新线路开通", "(图)"]
    glue = [" ", " ", " ", ", ", ". ", "-", "'", "_", "/", " & ", "\t", ":", "…", " — ", "’", "。", "\x1c", "©",
            "，", "」"]
    texts = list(TRICKY_BLOCKS)
    for k in range(300):
        # (most blocks plain ASCII; a quarter with the other glue or words)
        words, seps = (vocabulary, glue) if k % 4 == 0 else (vocabulary[:-7], glue[:7] + glue[8:12])
        words = [rng.choice(words) for _ in range(rng.randrange(1, 40))]
        words = [w.upper() if rng.random() < 0.1 else w.title() if rng.random() < 0.2 else w for w in words]
        texts.append("".join(w + rng.choice(seps) for w in words).strip())
    texts += ["the " * 249 + "end", "the " * 250 + "themselves", "Sign up for our newsletter " * 40]
    return texts


def test_block_rows_of_a_batch_are_cut_per_document():
    """`block_rows` of a batch equals that of each document alone, empty blocks and documents included."""
    docs = [["Sign up for our newsletter", "", "the end of it"], [], ["", "Privacy Policy"], ["Menu"]]
    counts = [[len(t.split()) for t in doc] for doc in docs]
    batch = chrome.block_rows(docs, counts)
    assert batch == [chrome.block_rows([d], [c])[0] for d, c in zip(docs, counts)]
    assert [len(rows) for rows in batch] == [3, 0, 2, 1] and batch[2][1][8].kind == "legal"


# Where the article ends, and text in every script (issue 15).

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _teasers(n: int) -> list[str]:
    """Teaser headlines, each with its one-sentence summary."""
    out = []
    for i in range(n):
        out += [f"Harbour Ferry Timetable Changes Announced For Route {i}",
                f"The ferry operator said on Monday that crossings on route {i} would run every half hour from March."]
    return out


def test_a_related_header_after_most_of_the_prose_ends_the_article():
    """Teasers' summaries read as prose; without the header's close the article ran on through them."""
    lines = ["Council expands bus network"] + ARTICLE_PARAGRAPHS * 3 + ["More from Example News"] + _teasers(4)
    removed = _removed(lines)
    header = lines.index("More from Example News")
    assert not any(i in removed for i in range(1, header))
    assert all(i in removed for i in range(header, len(lines)))


@pytest.mark.parametrize("header", ["You Might also like...", "Other popular Blogs", "Suggested articles", "More Videos",
                                    "Was this article helpful?", "How useful was this post?", "About Us",
                                    "About Lemonlight"])
def test_a_reading_list_or_a_rating_prompt_after_the_prose_ends_the_article(header):
    """Headers the related, rating and site-box rules name (found after the article on webpages-dev and -train:
    yeti.co, business.booking.com, affordablecollegesonline.org, camphouse.io, cathyhorvathbuchanan.com,
    datafeedwatch.com, lemonlight.com, siliconangle.com, ...): what follows them is the site's, not the article's."""
    lines = ["Council expands bus network"] + ARTICLE_PARAGRAPHS * 3 + [header] + _teasers(3)
    removed = _removed(lines)
    at = lines.index(header)
    assert not any(i in removed for i in range(1, at))
    assert all(i in removed for i in range(at, len(lines)))


def test_a_read_more_lead_in_and_an_early_related_box_do_not_end_the_article():
    """'READ MORE: headline' points to another story mid-article; a related box above half the prose is a box."""
    lead_in = "READ MORE: Bus fares to rise in January as fuel costs climb"
    lines = ARTICLE_PARAGRAPHS * 3 + [lead_in] + ARTICLE_PARAGRAPHS[:2]
    removed = _removed(lines)
    assert not any(i in removed for i in range(len(lines)) if i != lines.index(lead_in))
    lines = ARTICLE_PARAGRAPHS * 2 + ["Related articles", "Bus fares to rise in January"] + ARTICLE_PARAGRAPHS * 2
    removed = _removed(lines)
    assert not any(i in removed for i in range(len(lines)) if lines[i] in ARTICLE_PARAGRAPHS)


def test_unspaced_scripts_are_measured_in_characters():
    """A run of Han, kana or Thai is one word to the word split: its size counts its characters."""
    per_word = chrome.UNSPACED_CHARS_PER_WORD

    def profile(text):
        block = Block(0, 1, 1, text)
        return chrome.profile(text, sign_blocks([block], 3)[0].n_words)

    chinese = "距墨尔本西北约一百公里处是当年澳大利亚发现第一块天然黄金的地方，如今这里仍然保留着淘金时代的小镇风貌。"
    assert profile(chinese).size == -(-(len(chinese) - 2) // per_word)
    japanese = ("トレンドマイクロは3月9日、Wi-Fi利用時の通信を暗号化し保護するアプリ「フリーWi-Fiプロテクション」を"
                "App StoreとGoogle Playで発売した。公衆無線LANを狙う攻撃が増えていることに対応するという。")
    p = profile(japanese)
    assert p.unspaced and p.size >= chrome.GOOD_MIN
    # Its Latin names do not make it a run of capitalised names: it is prose.
    assert chrome.classify(p, english=False) == chrome.GOOD
    thai = "กรุงเทพมหานครเป็นเมืองหลวงและนครที่มีประชากรมากที่สุดของประเทศไทย"
    assert profile(thai).unspaced and profile(thai).size >= len(thai) // (2 * per_word)
    # A headline without end punctuation is a list item, not a short sentence; with it, a sentence.
    headline = "澳大利亚淘金小镇的周末旅行指南与住宿推荐以及当地美食和交通方式"
    assert chrome.classify(profile(headline), english=False) == chrome.ITEM
    assert chrome.classify(profile(headline + "。"), english=False) == chrome.NEAR
    # A spaced script is counted in words, as before.
    assert not profile("Der Rat der Stadt hat am Dienstag beschlossen, das Busnetz zu erweitern.").unspaced


def _zh_profile(text):
    return chrome.profile(text, sign_blocks([Block(0, 1, 1, text)], 3)[0].n_words)


@pytest.mark.parametrize("text", [
    "· 市民排队领取新版交通卡 首日发放3万张(图) （2021-04-01 15:57）",   # a portal's teaser with its date
    "[社会] 老街改造工程启动 预计12月完工(组图)",                      # a teaser with its topic and photo mark
    "海邊露營地(3)_與星空有約 (2021/07/14)",                           # a blog's post title in traditional script
    "新駅ビル3月開業 初日は2万人(写真) 3/9(木) 18:45",                  # a Japanese headline with its time
])
def test_short_runs_between_digits_and_brackets_are_still_unspaced_text(text):
    """A headline of short phrases among dates and brackets is written without spaces, though each run counts
    no more than a word of the split: without end or clause punctuation it is a neutral list item, not a short
    sentence that carries the article's extent over a teaser list (webpages-multi: yahoo.com, 163.com, cnr.cn)."""
    p = _zh_profile(text)
    assert p.unspaced
    assert chrome.classify(p, english=False) == chrome.ITEM


def test_a_latin_line_naming_a_place_in_han_is_spaced_text():
    assert not _zh_profile("The council met in 东京 and 大阪 on Monday to plan the new bus routes").unspaced


@pytest.mark.parametrize("text", [
    # a notice's lead paragraph ending in a colon before its articles (a government site)
    "为做好沿江防洪工程的前期建设，确保征地实物调查工作顺利进行，维护有关单位和群众的合法权益，根据有关法律法规，现通告如下：",
    # a news paragraph the page cut before its end (a portal)
    "2018年2月25日，市交通部门宣布新线路将在九月开通，沿线十二个车站将加装遮雨棚和电子站牌，方便老年乘客查看车辆到站时间",
    # a blog's line of travel notes in traditional script
    "營區內除了露營、民宿、餐飲，還有許多原木飾品，楓紅時期楓香樹由綠轉黃，再轉紅，層層疊疊，吸引許多攝影愛好者",
    # Japanese technical prose with full-width commas
    "本研究では，公衆無線LANの利用時に通信を暗号化する手法を提案し，その有効性を三つの実験で評価した結果を報告する",
])
def test_a_clause_mark_tells_unspaced_running_text_from_a_headline(text):
    """Text without spaces has no function words; a full-width comma or semicolon inside reads as running text,
    as a sentence end does (webpages-multi: jl.gov.cn, yahoo.com, pixnet.net lost or kept such paragraphs by
    the accident of their last character)."""
    p = _zh_profile(text)
    assert p.unspaced and p.terminal
    assert chrome.classify(p, english=False) == chrome.GOOD
    # The same words without the clause marks are a headline.
    bare = _zh_profile(text.replace("，", " ").replace("：", ""))
    assert not bare.terminal and chrome.classify(bare, english=False) != chrome.GOOD
    # A comma in a spaced script is no such sign.
    assert not chrome.profile("Sport, culture and more", 4).terminal


@pytest.mark.parametrize("text", ["他说：“我们明天再来。”", "会议在周二举行（详见附件。）", "「明日また来ます。」", "『終わり。』"])
def test_a_sentence_end_inside_full_width_closers_ends_the_sentence(text):
    assert _zh_profile(text).terminal


def test_words_mixing_digits_and_han_are_measured_in_characters():
    """"2018年2月25日，..." is one word of three runs to the split; each run was taken for a word and a sentence of
    two dozen characters weighed as three words, a headline's weight."""
    text = "2018年2月25日，新线路正式开通。"
    p = _zh_profile(text)
    unspaced = sum(any(lo <= ord(c) <= hi for lo, hi in chrome.UNSPACED) for c in text)
    assert p.size == -(-unspaced // chrome.UNSPACED_CHARS_PER_WORD)


def test_a_blog_post_written_line_by_line_ends_at_its_comments_header():
    """A post of lines without end punctuation (travel notes, a diary), then its comments under a header: the
    clause marks make the post prose, so the header ends it and the replies go (webpages-multi pixnet.net)."""
    post = ["一波波低溫寒流報到，已將山後一帶層層山巒披上嫣紅的彩衣，我們沿著產業道路蜿蜒而上，不久即抵達山上的營地",
            "營地主人換上了原木招牌，加上貓頭鷹原木創作，也充分發揮了裝飾藝術的功力，讓第一次來的朋友眼睛為之一亮",
            "楓紅時期楓香樹由綠轉黃，再轉紅，多種顏色多層次渲染，攝影班的學員穿梭其間，各自找尋自認為最好的拍攝角度",
            "入夜前雨絲終於漸漸緩和下來，雖然氣溫很低，卻沒感受到寒冷，營區裡的朋友熱情洋溢，暖化了山谷中不少寒意",
            "隔日睡到很晚才起床，不用拍日出晨光的營地，對我來說都是個幸福的睡眠，吃過早餐後收拾好裝備準備離開營地"] * 2
    replies = ["留言列表 (3)", "#1 小鳳 於 2013/12/28 10:28", "露營兼賞楓，好棒的生活", "謝謝小鳳的來訪！",
               "#2 阿蒯 於 2013/12/29 09:50", "這是一次令人感動的旅程，有你們真好！", "蒯兄嫂晚安：",
               "#3 訪客 於 2013/12/28 20:34", "您的文筆真是讚，照片也拍得很漂亮"]
    lines = post + replies
    removed = _removed(lines)
    assert not any(k in removed for k in range(len(post))), removed
    assert all(k in removed for k in range(len(post), len(lines))), removed


def test_function_words_of_other_languages_tell_their_prose_from_menus():
    """A German, Portuguese or French paragraph reads as running text; a menu in those languages does not."""
    prose = [
        "Der Rat der Stadt hat am Dienstag beschlossen, das Busnetz zu erweitern, und die ersten Busse fahren im "
        "September, wenn die Strecken zwischen dem Krankenhaus und der Universität fertig sind.",
        "A prefeitura aprovou na terça-feira a ampliação da rede de ônibus, com seis novas linhas que vão ligar os "
        "bairros do leste ao hospital e à universidade pela primeira vez.",
        "Le conseil municipal a voté mardi l'extension du réseau de bus, avec six nouvelles lignes qui relieront "
        "les quartiers de l'est à l'hôpital et à l'université pour la première fois.",
    ]
    for text in prose:
        p = chrome.profile(text, len(text.split()))
        assert reference_is_english([p.words], [p.stop]), text
        assert chrome.classify(p, english=True) == chrome.GOOD, text
        assert chrome.block_classes([(len(text.split()), *p, None)], [text]) == [chrome.GOOD], text
    menu = "Startseite Politik Wirtschaft Sport Kultur Wissen Reisen Auto Digital Panorama Karriere Gesundheit"
    assert chrome.classify(chrome.profile(menu, len(menu.split())), english=True) in (chrome.SHORT, chrome.BAD)


@pytest.mark.parametrize("name, share", [
    ("yahoo.co.jp__yahoo-4", 0.95),      # Japanese: 0.22 before, removed as navigation
    ("blogchina.com__ab65832c", 0.98),   # Chinese: 0.97 before
    ("163.com__b4c2eccd", 0.98),         # Chinese: 0.96 before
])
def test_articles_in_unspaced_scripts_keep_their_text(name, share):
    data = SHARED_DATA / "webpages-multi"
    if not (data / "dumps" / f"{name}.txt").is_file():
        pytest.skip(f"webpages-multi not found at {data} (it lives in ../shared beside the checkout)")
    assert _gold_recall(data, name) >= share


@pytest.mark.parametrize("name, precision", [
    ("163.com__5acac71b", 0.95),         # 0.79 before bars of links weighed as link lists
    ("people.com.cn__b26fbb82", 0.95),   # 0.92 before
    ("yahoo.com__c25d25c2", 0.95),       # 0.80 before
    # Chinese section headers close the article: "相关阅读" (0.77 before), "最新文章"/"发表评论" (0.41 before)
    ("51offer.com__d96c76b7", 0.95),
    ("chinesenewsnet.com__35687fb1", 0.5),
])
def test_unspaced_pages_lose_their_bars_of_links(name, precision):
    data = SHARED_DATA / "webpages-multi"
    if not (data / "dumps" / f"{name}.txt").is_file():
        pytest.skip(f"webpages-multi not found at {data} (it lives in ../shared beside the checkout)")
    assert _gold_scores(data, name)[0] >= precision


def _gold_recall(data: Path, name: str) -> float:
    """The data set's own 4-gram recall of the gold article in the page's cleaned text."""
    return _gold_scores(data, name)[1]


def _gold_scores(data: Path, name: str) -> tuple:
    """The data set's own 4-gram (precision, recall, F1) of the gold article in the page's cleaned text."""
    import importlib.util
    import json

    from dedupe.pipeline import clean_document
    from dedupe.records import Document

    spec = importlib.util.spec_from_file_location("score", data / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    gold = json.loads((data / "gold" / f"{name}.json").read_text(encoding="utf-8"))["main_content"]
    result, _ = clean_document(Document(f"{name}.txt", (data / "dumps" / f"{name}.txt").read_text(encoding="utf-8")),
                               Config())
    return score.doc_prf(gold, result.cleaned)


ZH_PARAGRAPHS = [
    "市政府周二宣布扩建公交网络，新增六条线路，首次把东部郊区与医院和大学连接起来。负责人表示，新线路每年的运营费用约为"
    "四百万元，大部分来自今年春天批准的区域交通补助资金。",
    "在听证会上发言的居民大多表示支持，但主街上的几位店主担心新设的车站会占用顾客停车的位置，希望政府在开通之前再听一听"
    "商户的意见。",
    "第一批公交车预计九月投入运营。市政府承诺在运行半年之后，根据实际乘客数量重新评估时刻表，并在网站上公布每条线路的"
    "客流数据。",
    "交通部门还表示，新线路全部采用电动公交车，沿线的十二个车站将加装遮雨棚和电子站牌，方便老年乘客查看车辆到站时间。",
]


@pytest.mark.parametrize("bar, unspaced_page", [
    ("首页 | 新闻 | 体育 | 财经 | 科技 | 娱乐 | 汽车 | 房产", False),          # pipes between short links
    ("本网首页 > 新闻中心 > 国内新闻 > 社会民生", False),                      # a breadcrumb
    ("ホーム ・ ニュース ・ スポーツ ・ エンタメ ・ 天気", False),             # dots with spaces around
    ("About us | Careers | Help center | Privacy | Accessibility", False),   # sentence case: no capital runs
    ("注册 登录 帮助中心 网站地图 联系我们 意见反馈", True),                   # spaces in an unspaced page
    ("#3 小李 于 2024/03/02 10:15 回复", True),                                  # a reply's number, name and date
])
def test_a_bar_of_short_links_is_told_by_its_separators(bar, unspaced_page):
    assert chrome.link_bar(bar, unspaced_page)


@pytest.mark.parametrize("line, unspaced_page", [
    ("The route - which opened in 2019 - now carries more riders than the two older lines together", False),
    ("新线路开通后 乘客明显增多 早高峰时段 仍然拥挤不堪。", True),              # ends a sentence
    ("新线路开通后，乘客明显增多 早高峰 仍然 拥挤", True),                     # clause punctuation: running text
    ("市政府宣布扩建公交网络 新增六条线路", True),                               # a headline in two halves
    ("2024-03-02 08:24 来源: 城市日报 记者 王明 编辑 李华", True),                # a dateline: label and value
    ("Radicals of the Kangxi dictionary (康熙部首)", False),                     # spaces in a spaced page
    ("Home | Where the council plans to extend the network next year | Contact", False),  # one long part
])
def test_prose_headlines_and_spaced_lines_are_not_bars(line, unspaced_page):
    assert not chrome.link_bar(line, unspaced_page)


def test_a_directory_of_names_is_a_bar_even_where_a_few_names_are_long():
    """A footer of a government's departments or of every province: dozens of names, a few of them long
    (webpages-multi nmg.gov.cn: two such lists weighed as 150 words of prose and kept the footer)."""
    departments = ("外交部 国防部 国家发展和改革委员会 教育部 科学技术部 工业和信息化部 民族事务委员会 公安部 民政部 司法部 "
                   "财政部 人力资源和社会保障部 自然资源部 生态环境部 住房和城乡建设部 交通运输部 水利部 农业农村部 商务部")
    assert chrome.link_bar(departments, True)
    japanese = " ・ ".join(["総務省", "法務省", "外務省", "財務省", "文部科学省", "厚生労働省", "農林水産省", "経済産業省",
                           "国土交通省", "環境省", "防衛省", "内閣官房", "デジタル庁", "こども家庭庁"])
    assert chrome.link_bar(japanese, True)
    spaced = " | ".join(["Home", "News", "Departments", "Ministry of Housing and Urban Development", "Education",
                         "Health", "Transport", "Justice", "Defence", "Finance", "Agriculture", "Energy", "Contact"])
    assert chrome.link_bar(spaced, False)
    # A line that spaces its clauses has a few parts, and its long clause is no name.
    assert not chrome.link_bar("一波又一波 寒流 接连报到 已把山后的层层山峦都披上了红色的外衣", True)
    # (a page with a trail of its site's sections above the article: a whole page, whose footer goes)
    lines = ["首页 > 新闻 > 国内", *ZH_PARAGRAPHS, "相关网站", departments]
    assert len(lines) - 1 in _removed(lines)


def test_menu_bars_of_an_unspaced_page_do_not_carry_the_article_over_them():
    """Measured in characters, a bar of Chinese links weighed as a sentence: the article's extent ran over the
    menus above it (webpages-multi: 163.com, people.com.cn, yahoo.com, qianlong.com, bilibili.com)."""
    head = ["城市日报网",
            "首页 | 新闻中心 | 体育频道 | 财经频道 | 科技频道 | 娱乐频道 | 汽车频道 | 房产频道 | 旅游频道 | 教育频道",
            "注册 登录 帮助中心 网站地图 联系我们 意见反馈 手机版 客户端 订阅 投稿 广告 招聘",
            "本网首页 > 新闻中心 > 国内新闻 > 社会民生 > 城市交通"]
    tail = ["关于我们 | 广告服务 | 招聘信息 | 隐私政策 | 联系方式 | 网站导航 | 友情链接 | 法律声明 | 意见反馈"]
    lines = head + ZH_PARAGRAPHS + tail
    removed = _removed(lines)
    assert all(k in removed for k in range(1, len(head))), removed
    assert len(lines) - 1 in removed
    assert not any(k in removed for k in range(len(head), len(head) + len(ZH_PARAGRAPHS)))


@pytest.mark.parametrize("header, kind", [
    ("相关文章", "related"), ("【相关报道】", "related"), ("相關文章", "related"), ("推荐阅读", "related"),
    ("猜你喜欢", "related"), ("您可能會有興趣的文章", "related"),
    ("评论", "comments"), ("网友评论 12 条", "comments"), ("留言列表 (42)", "comments"), ("·最新评论·", "comments"),
    ("发表評論", "comments"), ("我要评论(0)", "comments"),
])
def test_chinese_section_headers_are_named(header, kind):
    family = match_rules(header)
    assert family is not None and family.kind == kind


@pytest.mark.parametrize("line", [
    "评论文章",                                   # an opinion piece, not a comments header
    "相关部门表示新线路将在九月开通",              # a sentence that starts with the same characters
    "更多乘客选择在早高峰之前出发",
    "读者留言中有不少人支持扩建公交网络，也有人担心停车位减少。",
])
def test_chinese_prose_is_not_a_section_header(line):
    assert match_rules(line) is None


def test_a_chinese_related_header_after_the_article_ends_it():
    """A related header's teasers after the article go; the same header above most of the prose does not end it."""
    teasers = ["市区新建三座停车场 明年投入使用", "地铁四号线延长线通过验收", "老城区道路改造工程下月开工",
               "公交卡充值网点增加到一百个"]
    lines = ["城市日报网"] + ZH_PARAGRAPHS * 2 + ["相关报道："] + teasers
    removed = _removed(lines)
    header = lines.index("相关报道：")
    assert not any(k in removed for k in range(1, header))
    assert all(k in removed for k in range(header, len(lines)))
    lines = ["城市日报网"] + ZH_PARAGRAPHS[:1] + ["相关报道："] + teasers[:1] + ZH_PARAGRAPHS * 2
    removed = _removed(lines)
    assert not any(k in removed for k in range(len(lines)) if lines[k] in ZH_PARAGRAPHS)


@pytest.mark.parametrize("closer", ["About the author", "Share this article", "Sign up for our weekly newsletter"])
def test_an_author_header_a_share_line_or_a_newsletter_prompt_after_the_article_ends_it(closer):
    """What follows them (a bio, teasers with summaries) reads as prose; once most of the prose lies above, they
    close the article as a related header does."""
    bio = ("Jane Doe has covered transport and city politics for the paper since 2015, and before that she reported "
           "on housing and local elections for a regional radio station in the north.")
    lines = ["Council expands bus network"] + ARTICLE_PARAGRAPHS * 3 + [closer, bio] + _teasers(2)
    removed = _removed(lines)
    at = lines.index(closer)
    assert not any(i in removed for i in range(1, at))
    assert all(i in removed for i in range(at, len(lines)))


@pytest.mark.parametrize("closer", ["About the author", "Share this article", "Sign up for our weekly newsletter"])
def test_the_same_lines_above_most_of_the_prose_do_not_end_the_article(closer):
    lines = ["Council expands bus network"] + ARTICLE_PARAGRAPHS + [closer] + ARTICLE_PARAGRAPHS * 2
    removed = _removed(lines)
    assert not any(i in removed for i in range(len(lines)) if lines[i] in ARTICLE_PARAGRAPHS)


def test_bylines_under_the_titles_of_a_reading_list_do_not_end_it():
    """A byline is credits too, but not a header that closes: a list of essays carries one under each title."""
    lines = ["Essays on the city"]
    for i, paragraph in enumerate(ARTICLE_PARAGRAPHS * 2):
        lines += [f"Essay {i + 1}: On buses", f"By Jane Doe{'s' * i}", paragraph]
    removed = _removed(lines)
    assert not any(i in removed for i in range(len(lines)) if lines[i] in ARTICLE_PARAGRAPHS)


# Teaser runs: other stories' headlines, each with its date or its headline twice, and a one-paragraph summary.

def _dated_teasers(n: int) -> list[str]:
    """A blog's list of recent posts: headline, date, summary (as a shop's or a school's blog prints them)."""
    return [line for i in range(n) for line in (
        f"How to set up a quiet home office in room {i + 2}", f"March {i + 3}, 2025",
        f"Working from home is easier when the desk in room {i + 2} faces a window and the cables stay hidden.")]


def _twice_teasers(n: int) -> list[str]:
    """A gear site's more-guides list: each headline on the picture and again on the title, then its summary."""
    titles = [f"Best Lightweight Tents Of Season {i + 1}" for i in range(n)]
    return [line for i, title in enumerate(titles) for line in (
        title, title, f"We pitched {i + 5} tents in wind and rain to find the ones worth carrying this season.")]


def _german_teasers(n: int) -> list[str]:
    """A German news site's teasers: date, headline, summary."""
    return [f"{i // 3 + 10}.03.2025" if i % 3 == 0 else f"Neue Buslinie für den Stadtteil {i // 3 + 1}" if i % 3 == 1
            else f"Die Stadt hat am Montag beschlossen, dass die Linie {i // 3 + 1} ab März alle zehn Minuten fährt."
            for i in range(3 * n)]


@pytest.mark.parametrize("teasers", [_dated_teasers, _twice_teasers, _german_teasers])
def test_a_teaser_run_after_the_article_goes_without_a_header(teasers):
    """No related header above them: their summaries read as prose, and only their shape tells them."""
    run = teasers(4)
    lines = ["Council expands bus network"] + ARTICLE_PARAGRAPHS * 2 + run + ["© 2025 Example Media"]
    removed = _removed(lines)
    start = len(lines) - 1 - len(run)
    assert not any(i in removed for i in range(1, start))
    assert all(i in removed for i in range(start, len(lines)))


def test_a_teaser_run_inside_the_article_goes_and_the_article_after_it_stays():
    run = _dated_teasers(4)
    lines = ["Council expands bus network"] + ARTICLE_PARAGRAPHS * 2 + run + ARTICLE_PARAGRAPHS[:3]
    removed = _removed(lines)
    start = 1 + 2 * len(ARTICLE_PARAGRAPHS)
    assert all(i in removed for i in range(start, start + len(run)))
    assert not any(i in removed for i in range(len(lines)) if lines[i] in ARTICLE_PARAGRAPHS)


def test_a_faq_a_timeline_and_sections_of_one_paragraph_are_not_teasers():
    """Each is a run of one shape too, but without a date beside a headline, nor a headline written twice."""
    faq = []
    for i in range(4):
        faq += [f"How often will the buses on route {i + 1} run?",
                f"Buses on route {i + 1} will run every ten minutes at peak times and every twenty in the evening."]
    timeline = []
    for i in range(4):
        timeline += [f"March {i + 3}, 2025",
                     f"The council met on the {i + 3}rd and voted on the {i + 1}th stage of the plan for the new routes."]
    sections = []
    for i in range(4):
        sections += [f"Stage {i + 1}: The Eastern Suburbs",
                     f"The {i + 1}th stage adds stops in the eastern suburbs, where residents have waited years for them."]
    for run in (faq, timeline, sections):
        lines = ["Council expands bus network"] + ARTICLE_PARAGRAPHS * 2 + run
        removed = _removed(lines)
        assert not any(i in removed for i in range(1, len(lines))), run[0]


def test_comments_do_not_count_in_the_share_a_related_header_needs():
    """A long comment section below kept the header of a reading list above it from closing the article."""
    comments = ["2 Comments"]
    for name in ("Alice", "Bob"):
        comments += [f"{name} says:"] + ARTICLE_PARAGRAPHS[:3]
    bio = ("Jane Doe has covered transport and city politics for the paper since 2015, and before that she reported "
           "on housing and local elections for a regional radio station in the north.")
    lines = ["Council expands bus network"] + ARTICLE_PARAGRAPHS * 3 + ["More from Example News", bio] + comments
    removed = _removed(lines)
    header = lines.index("More from Example News")
    assert not any(i in removed for i in range(1, header))
    assert all(i in removed for i in range(header, len(lines)))


@pytest.mark.parametrize("teasers", [_dated_teasers, _twice_teasers, _german_teasers])
def test_a_page_of_teasers_alone_keeps_them(teasers):
    """A blog's index or a news site's section page: the teasers are the content, and with them weighing as
    chrome no article holds the page's prose, so only the phrasing rules act."""
    run = teasers(8)
    lines = ["City desk"] + run
    removed = _removed(lines)
    assert not any(i in removed for i in range(1, len(lines)))


#: Three kinds of post, one each: a board's (a poster's name, a stamp, the post), a mailing list archive's (who
#: wrote, when, the message), a question site's answer (the answer, then who answered when).
POSTS = {
    "board": lambda i: [f"rider{i}", f"2024-03-{i + 1:02d}, 08:1{i} PM",
                        f"I changed the chain on my bike after {i + 2} thousand kilometres and the gears shift much "
                        f"more smoothly now, though the rear derailleur still needs a small adjustment every few weeks."],
    "archive": lambda i: [f"From: Reader {i}", f"Date: 2024/03/{i + 3} 09:1{i}",
                          f"We planted the same tomato variety on the balcony in pot number {i} and it gave fruit "
                          f"until October, as long as we watered it every evening and kept the leaves off the soil."],
    "answers": lambda i: [f"Run the command with the verbose flag number {i} set, then read the log it writes: the "
                          f"line that starts with the word error names the package whose version does not match.",
                          f"answered Jan {i + 4}, 2023 at 10:1{i}"],
}


@pytest.mark.parametrize("posts, header", [
    ("board", "You may also like"), ("archive", "More posts like this"), ("answers", "Related Posts"),
])
def test_a_reading_list_after_a_thread_closes_it(posts, header):
    """On a page that reads as a thread, a related header after most of its posts ends it as on an article: the
    titles under it go, every post stays (only a comments tally used to end a thread)."""
    thread = [line for i in range(6) for line in POSTS[posts](i)]
    titles = ["Which tyres for winter commuting", "Best lights under fifty euros", "Tubeless or not",
              "How often to wax a chain"]
    lines = ["Forum › Board › Topic"] + thread + [header] + titles
    blocks = segment("\n\n".join(lines) + "\n")
    assert chrome.page_kind(blocks, sign_blocks(blocks, Config().shingle_size)) == pagetype.THREAD
    removed = _removed(lines)
    start = 1 + len(thread)
    assert all(i in removed for i in range(start, len(lines)))
    assert not any(i in removed for i, line in enumerate(thread, 1) if len(line.split()) > 12)
    # A "Share" under every post is the post's button: it ends nothing either.
    shared = [line for i in range(6) for line in POSTS[posts](i) + ["Share"]]
    removed = _removed(["Forum › Board › Topic"] + shared)
    assert not any(i in removed for i, line in enumerate(shared, 1) if len(line.split()) > 12)
    # Above most of the posts, the same header is a box inside the thread: it ends nothing.
    lines = ["Forum › Board › Topic"] + thread[:3] + [header] + titles[:1] + thread[3:]
    removed = _removed(lines)
    assert not any(i in removed for i, line in enumerate(lines) if len(line.split()) > 12)


#: What follows an article on three kinds of site, twelve items long: a clinic's reviews (a short quote, then who
#: wrote it), an author box and a sign-up form (a bio, then labelled fields), a studio's other projects (a name
#: and a one-sentence blurb each).
AFTER_ARTICLE = {
    "reviews": [line for i in range(12) for line in (
        f"The staff were kind to our son at visit {i} and the doctor explained every step clearly.",
        f"Parent {chr(65 + i)}.")],
    "bio and form": ["Jane Roe writes about transport for the paper and has covered the city council for nine years.",
                     "Before that she reported on housing for a regional radio station in the north of the country."]
                    + [f"Field {i} *" for i in range(12)] + ["Submit"],
    "projects": [line for i in range(12) for line in (
        f"Project {i}", f"A {i + 2}-storey library for a small town, built of timber and opened in spring.")],
}


@pytest.mark.parametrize("after, header", [
    ("reviews", "Recent Articles"), ("bio and form", "About the author"), ("projects", "Follow us"),
])
def test_a_header_with_only_short_prose_after_it_closes_the_article_below_the_share(after, header):
    """A closing header below CLOSE_SHARE of the prose still ends the article when nothing after it is as long as
    the article's median paragraph: reviews, a bio and a form, project cards are not more of the article."""
    tail = AFTER_ARTICLE[after]
    lines = ["Council expands bus network"] + ARTICLE_PARAGRAPHS + [header] + tail
    words = lambda part: sum(len(t.split()) for t in part if len(t.split()) >= 10)  # noqa: E731
    assert words(tail) > (1 - chrome.CLOSE_SHARE) * words(ARTICLE_PARAGRAPHS + tail)  # (below the share)
    removed = _removed(lines)
    start = 1 + len(ARTICLE_PARAGRAPHS)
    assert not any(i in removed for i in range(1, start))
    assert all(i in removed for i in range(start, len(lines)))


#: Loose prose after an article on three kinds of site, each piece under a short line of its own and as long as
#: the article's paragraphs: a blog's recent posts (a title, then its summary), a clinic's reviews under a share
#: line (a review, then who wrote it), a Spanish paper's related stories; with a longer header of the same kind
#: where the rules know one.
LOOSE_TAILS = {
    "blog": ("Recent Posts", "Recent posts from our newsroom", [line for i in range(5) for line in (
        f"How route {i} changed the morning commute",
        f"Riders on route {i} told us how the new timetable changed their mornings, from earlier starts at the "
        f"depot to shorter waits at the hospital stop, and what they would still like the council to fix next year.")]),
    "clinic": ("Share this page", "Share this page with your friends", [line for i in range(5) for line in (
        f"The nurses at the clinic were wonderful with our daughter on visit {i}, and the doctor took the time to "
        f"explain every step of the treatment to us and answered all of our questions without any hurry at all.",
        f"Parent {chr(65 + i)}.")]),
    "paper": ("Artículos relacionados", None, [line for i in range(5) for line in (
        f"La ruta {i} llega al puerto",
        f"Los vecinos del puerto esperaban desde hace años un autobús directo al centro, y la ruta {i} por fin lo "
        f"trae cada veinte minutos, con paradas nuevas junto al mercado, la escuela y la estación de tren.")]),
}


def _loose_page(site: str, tail: list[str] | None = None) -> tuple[list[str], int]:
    """A page of the site's article (twice its paragraphs), its header and loose tail; and where the header is."""
    header, _, pieces = LOOSE_TAILS[site]
    article = ES_PARAGRAPHS * 4 if site == "paper" else ARTICLE_PARAGRAPHS * 2
    lines = ["Council expands bus network"] + article + [header] + (pieces if tail is None else tail)
    return lines, 1 + len(article)


@pytest.mark.parametrize("site", sorted(LOOSE_TAILS))
def test_a_short_header_over_loose_prose_closes_the_article_past_half_of_it(site):
    """Past LOOSE_SHARE of the prose, a short header the page holds once ends the article when no two paragraphs
    follow each other below it, though the pieces there are as long as the article's paragraphs and weigh more
    than CLOSE_SHARE leaves (the rule `_short_after` and the share do not close it)."""
    lines, at = _loose_page(site)
    words = lambda part: sum(len(t.split()) for t in part if len(t.split()) >= 10)  # noqa: E731
    assert chrome.LOOSE_SHARE * words(lines) <= words(lines[:at]) < chrome.CLOSE_SHARE * words(lines)
    removed = _removed(lines)
    assert not any(i in removed for i in range(1, at))
    assert all(i in removed for i in range(at, len(lines)))


@pytest.mark.parametrize("site", sorted(LOOSE_TAILS))
def test_a_short_header_closes_nothing_where_paragraphs_follow_each_other_below_it(site):
    """Paragraphs in a row below the header are the article going on after a box; a header the page holds twice
    is a link; a longer line is an item of a list; below LOOSE_SHARE the header is a box inside the article."""
    header, longer, pieces = LOOSE_TAILS[site]

    def kept(lines: list[str], at: int) -> bool:
        removed = _removed(lines)
        return not any(i in removed for i in range(at + 1, len(lines)) if len(lines[i].split()) >= 10)

    going_on = ES_PARAGRAPHS if site == "paper" else ARTICLE_PARAGRAPHS[:2]
    lines, at = _loose_page(site, pieces[:4] + going_on + pieces[4:])
    assert kept(lines, at)
    lines, at = _loose_page(site, pieces + [header])
    assert kept(lines, at)
    if longer:
        lines, at = _loose_page(site)
        lines[at] = longer
        assert chrome.match_rules(longer).closes and len(longer.split()) > 4
        assert kept(lines, at)
    lines, at = _loose_page(site, pieces * 2)
    assert kept(lines, at)


def test_a_box_inside_the_article_or_a_lead_in_to_its_own_list_does_not_close_it():
    """With paragraphs of the article's length after it, a related header is a box inside the article; a header
    ending in a colon leads into the article's own list (further reading); a line that recurs is a link."""
    lines = ["Council expands bus network"] + ARTICLE_PARAGRAPHS[:2] + ["You may also like", "Bus fares to rise"] \
        + ARTICLE_PARAGRAPHS[2:] * 3
    removed = _removed(lines)
    assert not any(i in removed for i, line in enumerate(lines) if line in ARTICLE_PARAGRAPHS)
    reading = [f"Report {i}: how bus routes in city number {i} changed travel to work, 2019 to 2024." for i in range(12)]
    lines = ["Council expands bus network"] + ARTICLE_PARAGRAPHS + ["More from the council on buses:"] + reading
    removed = _removed(lines)
    # (the lead-in line itself goes by its phrasing, as it did before; the list it leads into stays)
    assert not any(i in removed for i in range(1, len(lines)) if lines[i] in ARTICLE_PARAGRAPHS + reading)
    lines = ["Council expands bus network"] + ARTICLE_PARAGRAPHS + ["More posts like this"] + reading
    assert all(i in _removed(lines) for i in range(1 + len(ARTICLE_PARAGRAPHS), len(lines)))


#: A related header ending in a colon and what follows it after the article, on three kinds of site: a gear
#: guide's teasers (a headline and its blurb on one line) then its tags and a bio; a blog's headlines then its
#: categories line and a byline; a school's headlines then a sign-up prompt.
CLOSING_LISTS = {
    "gear guide": ["Related articles:"] + [
        f"Best Trail Shoes For Wet Rock, Part {i} A look at grippy shoes for wet rock, tested over {i + 3} months."
        for i in range(3)] + ["Tagged: shoes, rock, rain, trails",
                              "Ann Lee tests gear for the site and has run trails in the Alps and the Rockies for "
                              "twenty years, most of them in shoes she later had to throw away."],
    "blog": ["Related Posts:"] + [f"How To Plan Route {i} Of The Network…" for i in range(5)]
    + ["Posted in Transport, City Tagged buses, council", "By Example News"],
    "school": ["Popular posts:"] + [f"Four rules for reading timetable {i}" for i in range(3)]
    + ["Newsletter", "Sign up for our newsletter"],
}
#: The same article's paragraphs in Spanish (a site whose related header is not English).
ES_PARAGRAPHS = [
    "El ayuntamiento votó el martes ampliar la red de autobuses, con seis rutas nuevas que unirán los barrios del "
    "este con el hospital y la universidad por primera vez desde que empezó el servicio.",
    "Los primeros autobuses circularán en septiembre, y el ayuntamiento revisará el horario al cabo de seis meses, "
    "cuando sepa cuántas personas usan de verdad las rutas nuevas.",
]
#: A related box inside the article past CLOSE_SHARE of its prose, with the prose before and after it, on three
#: kinds of site: an eco guide's two headlines then its next heading; an encyclopedia's topics and an inline
#: promotion then its next paragraph; a Spanish travel blog's headlines.
INSIDE_BOXES = {
    "eco guide": (ARTICLE_PARAGRAPHS * 3, ["Related:", "Five Ways To Ride The Bus More Often",
                                           "How To Read A Bus Timetable", "Weekends:"],
                  ARTICLE_PARAGRAPHS[3:] + ARTICLE_PARAGRAPHS[:1]),
    "encyclopedia": (ARTICLE_PARAGRAPHS * 3, ["Related Topics:", "bus", "timetable", "public transport",
                                              "(Show more)", "Explore Premium!", "SUBSCRIBE"],
                     ARTICLE_PARAGRAPHS[:1] + ARTICLE_PARAGRAPHS[3:]),
    "travel blog": (ES_PARAGRAPHS * 6, ["Artículos relacionados:", "Diez rutas de autobús por la costa",
                                        "Cómo leer un horario"], ES_PARAGRAPHS),
}


@pytest.mark.parametrize("site", sorted(CLOSING_LISTS))
def test_a_related_header_ending_in_a_colon_closes_the_article_when_chrome_follows_its_list(site):
    """"Related articles:" after the article, followed by its list and then tags, a byline or a sign-up prompt,
    ends the article (the header's colon once kept it from matching at all)."""
    tail = CLOSING_LISTS[site]
    lines = ["Council expands bus network"] + ARTICLE_PARAGRAPHS * 3 + tail
    assert chrome.match_rules(tail[0]).kind == "related"
    removed = _removed(lines)
    start = 1 + 3 * len(ARTICLE_PARAGRAPHS)
    assert not any(i in removed for i in range(1, start))
    assert all(i in removed for i in range(start, len(lines)))


@pytest.mark.parametrize("site", sorted(INSIDE_BOXES))
def test_a_related_box_ending_in_a_colon_inside_the_article_does_not_close_it(site):
    """Past CLOSE_SHARE of the prose, a colon header whose few headlines are followed by a paragraph of the
    article's length is a box inside the article: the paragraphs after it stay."""
    before, box, after = INSIDE_BOXES[site]
    lines = ["Council expands bus network"] + before + box + after
    words = lambda part: sum(len(t.split()) for t in part)  # noqa: E731
    assert words(before) >= chrome.CLOSE_SHARE * words(before + after)  # (past the share: it would close)
    removed = _removed(lines)
    assert not any(i in removed for i, line in enumerate(lines) if line in before + after)
    # A "READ MORE: headline" line there points to another story: it does not end the article either.
    lines = ["Council expands bus network"] + before + ["READ MORE: Bus fares to rise in January"] + after
    removed = _removed(lines)
    assert not any(i in removed for i, line in enumerate(lines) if line in before + after)


def _wiki_page(mark, heading, paragraphs: list[str], sections: list[list[str]], footer: list[str]) -> tuple:
    """A wiki-like page: the article's sections of prose under headings carrying a mark, then sections of short
    lines under headings of the same mark (a discography, a table, the references), then the site's footer.
    Returns the lines and the range of the sections after the prose."""
    lines = ["Main menu", "Search", "Log in"]
    for i, paragraph in enumerate(paragraphs):
        lines += [heading(f"{i + 1}", mark), paragraph]
    start = len(lines)
    for i, section in enumerate(sections):
        lines += [heading(f"{i + 10}", mark)] + section
    return lines + footer, range(start, len(lines))


# (albums, each its fields and track titles, then the references: a wiki's last section)
_DISCOGRAPHY = [[f"Released: {1990 + i}", f"Label: Wild {i} Records", f"Blue Lines {i}", f"Safe from harm {i}"]
                for i in range(3)] + [[f"^ Smith, J. ({2001 + i}). Route {i} and the city. City Press. Retrieved 2020."
                                       for i in range(3)]]
_ZH_DISCOGRAPHY = [[f"发行日期：{2001 + i}年12月14日", "语言：韩语", f"唱片公司：Synnara {i}", f"曾经爱过{i}", f"祝你幸福{i}"]
                   for i in range(3)] + [[f"^ 金鍾國台灣之家{i}. [2017-04-1{i}]. （原始内容存档于2019-07-01）." for i in range(3)]]
_FOOTER = ["Privacy policy", "About", "Disclaimers", "Contact", "Developers", "Cookie statement"]


@pytest.mark.parametrize("mark, heading, paragraphs, sections", [
    ("[ edit ]", lambda t, m: f"History part {t} {m}", ARTICLE_PARAGRAPHS, _DISCOGRAPHY),                 # a wiki
    ("[ 编辑 ]", lambda t, m: f"个人生活{t} {m}", ZH_PARAGRAPHS, _ZH_DISCOGRAPHY),                         # zh wiki
    ("[edit | edit source]", lambda t, m: f"Early years {t}{m}", ARTICLE_PARAGRAPHS, _DISCOGRAPHY),       # a fandom
])
def test_an_articles_own_sections_of_short_lines_after_its_prose_stay(mark, heading, paragraphs, sections):
    """A discography, a table or references under the article's own headings (known by the mark its headings
    inside share) are content though no line of them is prose; the footer's short lines after them still go."""
    lines, kept = _wiki_page(mark, heading, paragraphs, sections, _FOOTER)
    removed = _removed(lines)
    assert not any(k in removed for k in kept), [lines[k] for k in kept if k in removed]
    assert all(k in removed for k in range(len(lines) - len(_FOOTER), len(lines)))


def test_short_lines_after_the_article_without_its_headings_mark_still_go():
    """The same short lines under a heading of another shape (a site's "Popular" box), or headlines sharing only a
    word with the article's headings ("How to"), are not its sections."""
    lines, _ = _wiki_page("[ edit ]", lambda t, m: f"How to ride route {t} {m}", ARTICLE_PARAGRAPHS, [], [])
    tail = ["Popular", "How to renew a bus pass", "How to find a stop", "How to pay by phone", "How to report a fault"]
    lines += [line for section in _DISCOGRAPHY for line in section] + tail + _FOOTER
    removed = _removed(lines)
    assert all(k in removed for k in range(len(lines) - len(tail) - len(_FOOTER), len(lines)))


_PT_PARAGRAPHS = [
    "A prefeitura aprovou na terça-feira a ampliação da rede de ônibus, com seis novas linhas que vão ligar os bairros "
    "do leste ao hospital e à universidade pela primeira vez desde que o serviço começou.",
    "Segundo a secretaria, as novas linhas vão custar cerca de 4 milhões de reais por ano, pagos em grande parte por um "
    "fundo regional de transporte aprovado pela assembleia na primavera.",
    "Os moradores que falaram na audiência apoiaram a medida, mas comerciantes da rua principal temem que os novos pontos "
    "tirem as vagas de estacionamento de que seus clientes dependem.",
]
_CS_PARAGRAPHS = [
    "Zastupitelstvo v úterý schválilo rozšíření autobusové sítě o šest nových linek, které poprvé propojí východní "
    "předměstí s nemocnicí a univerzitou, uvedl mluvčí města.",
    "Provoz nových linek bude podle radnice stát zhruba čtyři miliony korun ročně a většinu nákladů pokryje regionální "
    "dopravní fond, který kraj schválil letos na jaře.",
    "Obyvatelé, kteří na jednání vystoupili, rozšíření většinou podpořili, ale několik obchodníků se obává, že nové "
    "zastávky zaberou parkovací místa jejich zákazníků.",
]
_FR_PARAGRAPHS = [
    "Le conseil municipal a voté mardi l'extension du réseau de bus, avec six nouvelles lignes qui relieront les quartiers "
    "de l'est à l'hôpital et à l'université pour la première fois.",
    "Selon la mairie, les nouvelles lignes coûteront environ quatre millions d'euros par an, payés pour l'essentiel par un "
    "fonds régional de transport voté au printemps par la région.",
    "Les habitants qui ont pris la parole lors de la réunion étaient plutôt favorables, mais plusieurs commerçants craignent "
    "de perdre les places de stationnement de leurs clients.",
]


@pytest.mark.parametrize("paragraphs, header, teasers", [
    (_PT_PARAGRAPHS, "Tópicos relacionados", ["Metrô terá nova estação em 2026", "Tarifa de ônibus sobe em janeiro",
                                              "Ciclovia da avenida central é inaugurada"]),          # a news site
    (_CS_PARAGRAPHS, "Související", ["Metro bude mít novou stanici", "Jízdné v autobusech od ledna zdraží",
                                     "Cyklostezka na nábřeží je otevřená"]),                         # a sports daily
    (_FR_PARAGRAPHS, "Sur le même sujet", ["Le métro aura une nouvelle station", "Le ticket de bus augmente en janvier",
                                           "La piste cyclable du centre est ouverte"]),              # a daily paper
])
def test_related_headers_of_other_spaced_languages_end_the_article(paragraphs, header, teasers):
    """Portuguese, Czech and French pages lost nothing to their related headers, which no family named, and kept
    the other stories' titles and summaries after them."""
    summaries = [f"{t}, {p[:80]}." for t, p in zip(teasers, paragraphs)]
    lines = ["Jornal da Cidade"] + paragraphs * 3 + [header] + [x for pair in zip(teasers, summaries) for x in pair]
    removed = _removed(lines)
    at = lines.index(header)
    assert not any(k in removed for k in range(1, at))
    assert all(k in removed for k in range(at, len(lines)))


@pytest.mark.parametrize("line", ["Relacionadas con el caso, las fuentes dijeron que no hubo heridos.",
                                  "Související kauzy policie zatím nevyšetřuje, řekl mluvčí.",
                                  "Les plus lus du mois sont les articles sur le réseau de bus."])
def test_those_words_in_a_sentence_are_no_header(line):
    assert match_rules(line) is None


def _blog_front_page(footer, posts: list[list[str]], archive: list[str]) -> list[str]:
    """A blog's front page: menus and an archive of date ranges, then posts (a title, paragraphs, a footer
    with the date: with a date above each post as well, three posts read as a thread, whose posts all stay)."""
    lines = ["Home | Archive | About | Contact"] + archive
    for i, post in enumerate(posts):
        lines += [f"Post number {i + 1}"] + post + [footer(i)]
    return lines + ["© 2005 Example Blogs"]


_ARCHIVE = [f"{m:02d}/01/2005 - {m + 1:02d}/01/2005" for m in range(1, 9)]


@pytest.mark.parametrize("footer, paragraphs, archive", [
    (lambda i: f"由海姑娘张贴 @ 2005-03-{21 - i:02d} 01:20:44 ({359 + i}) 共 {i + 3} 篇评论 发表评论 >>>", ZH_PARAGRAPHS, []),
    (lambda i: f"Posted by Jane Doe at {i + 9}:15 AM {i + 2} comments", ARTICLE_PARAGRAPHS, _ARCHIVE),    # a Blogger
    (lambda i: f"Publicado por Ana el 2005-03-{21 - i:02d} {i + 9}:15 | {i + 2} comentarios", _PT_PARAGRAPHS, []),
])
def test_a_blog_front_page_keeps_its_first_post(footer, paragraphs, archive):
    """Posts each closed by the same stamped footer: the page's article is the first post (as the gold of the
    CleanEval pages of webpages-multi has it), the others go as its teasers. (With dated lines above the first
    post too, an archive's, such a page reads as a thread, whose posts all stay: forums lost their replies when
    the footer closed threads too, webpages-types forum F1 0.787 -> 0.773.)"""
    posts = [paragraphs[i:] + paragraphs[:i] for i in range(3)]
    lines = _blog_front_page(footer, posts, archive)
    removed = _removed(lines)
    first = 1 + len(archive) + 1
    assert not any(k in removed for k in range(first, first + len(paragraphs))), removed
    assert all(k in removed for k in range(first + len(paragraphs), len(lines)))
    assert all(k in removed for k in range(1, 1 + len(archive)))


def test_a_line_without_a_letter_is_no_sentence():
    """An archive's date ranges or a row of scores read as short sentences where function words do not tell
    (other languages, scripts without spaces) and drew the article's extent up to them."""
    lines = ["12/01/2004 - 01/01/2005", "3 : 1 (2 : 0)", "2005.03.21 - 2005.04.21"]
    for unspaced_page_text in (ZH_PARAGRAPHS[0], _PT_PARAGRAPHS[0]):
        texts = [unspaced_page_text] + lines
        rows = chrome._blocks(texts, [len(t.split()) for t in texts])
        classes = chrome.block_classes(rows, texts)
        assert classes[0] == chrome.GOOD and all(c not in (chrome.GOOD, chrome.NEAR) for c in classes[1:]), classes


def test_stamped_headers_are_not_footers():
    """A live blog's entries open with their stamp: the prose after the last stamp is an entry, so nothing ends
    at the first one; nor does a footer seen twice."""
    live = []
    for i in range(4):
        live += [f"Updated {10 + i}:15", ARTICLE_PARAGRAPHS[i]]
    classes = [chrome.NEAR if k % 2 == 0 else chrome.GOOD for k in range(len(live))]
    sizes = [len(t.split()) for t in live]
    assert _core.first_post_footer(classes, sizes, live) is None
    closed = [x for i in range(2) for x in (ARTICLE_PARAGRAPHS[i], f"Posted by Jane at {i + 9}:15 AM")]
    assert _core.first_post_footer([chrome.GOOD, chrome.ITEM] * 2, [len(t.split()) for t in closed], closed) is None


# --------------------------------------------------------------------------- list items about disclosures

#: List articles of three kinds whose items use the words of a disclosure, a newsletter prompt or a paywall,
#: each with a real prompt of that kind beside the list.
POINT_PAGES = [
    (  # a creators' guide to earning from live video
        ["Streaming platforms reward regular broadcasters in different ways, and the rules change every year.",
         "Most creators combine several of the options below once their audience grows past a few hundred."],
        ["- Brand deals: a sponsor pays a fixed fee for a mention during the stream.",
         "- Affiliate programs: viewers buy through the creator's affiliate links and the creator earns a "
         "commission on each sale.",
         "- Paid memberships: subscribers pay monthly for badges and member-only streams."],
        "This post contains affiliate links, and we may earn a commission if you buy through them.",
    ),
    (  # a marketer's list of habits
        ["Keeping up with a fast-moving industry takes a little time every week, but it pays back quickly.",
         "These are the habits our team has kept for years, and new hires pick them up in their first month."],
        ["1. Read the trade press: subscribe to the newsletters of the three associations in your field.",
         "2. Talk to customers: one call a week tells you more than any survey.",
         "3. Track competitors: note every price change and every new product they announce."],
        "Subscribe to our newsletter for weekly tips delivered to your inbox.",
    ),
    (  # a comparison of publishing platforms
        ["Independent writers now have several ways to be paid directly by their readers.",
         "Each platform takes a different share and asks for a different amount of work in return."],
        ["• Paid tiers: subscribers unlock unlimited access to the archive and every new issue.",
         "• Tip jars: readers send a one-off amount, and nothing is locked behind a paywall.",
         "• Courses: a writer sells a series of lessons once and updates it each year."],
        "Already a subscriber? Log in to keep reading.",
    ),
]


@pytest.mark.parametrize("whole_page", [True, False], ids=["whole page", "extracted text"])
@pytest.mark.parametrize("intro, items, prompt", POINT_PAGES, ids=["creators", "marketer", "writers"])
def test_a_list_item_with_the_words_of_a_disclosure_or_a_prompt_is_the_articles_point(intro, items, prompt, whole_page):
    """An item of a list is one of the article's points, whose words are its topic's: no rule names it, and in an
    extractor's text (where only the rules run) it stays; the prompt above the article still goes."""
    lines = ["How to choose", prompt] + intro + items + ARTICLE_PARAGRAPHS
    blocks = segment("\n\n".join(lines) + "\n")
    config = Config()
    found = {f.block: f.detector for f in find_chrome("a", blocks, sign_blocks(blocks, config.shingle_size), config,
                                                      whole_page=whole_page)}
    first = 2 + len(intro)
    # Without its marker, an item reads as the prompt of its family, as the prompt above the article does.
    point = [k for k, item in enumerate(items) if match_rules(item.split(" ", 1)[1]) is not None]
    assert point and {match_rules(items[k].split(" ", 1)[1]).kind for k in point} <= chrome.POINT_KINDS
    assert match_rules(prompt).kind in chrome.POINT_KINDS
    assert not any(found.get(first + k, "").startswith("chrome:rule:") for k in range(len(items)))
    if not whole_page:
        assert found == {1: f"chrome:rule:{match_rules(prompt).kind}"}
    else:
        assert found[1] == f"chrome:rule:{match_rules(prompt).kind}"
