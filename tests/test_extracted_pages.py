"""Pages that are not articles, as an extractor's main text (HTML) and as whole-page text: code lines, FAQ answers
and restated item titles are content (issue 14). Each page is shaped like a different kind of site."""
from __future__ import annotations

import pytest

from dedupe.config import Config
from dedupe.detect import detect
from dedupe.segment import segment
from dedupe.sign import sign_blocks


def _removals(lines: list[str], whole_page: bool) -> list[tuple[int, str]]:
    """(line index, category) of each block the within-document detectors remove from a text of one block per line."""
    blocks = segment("\n\n".join(lines) + "\n")
    assert [b.text for b in blocks] == [line.strip() for line in lines]
    config = Config()
    findings = detect("t.html", blocks, sign_blocks(blocks, config.shingle_size), config, whole_page)
    return [(f.block, f.category) for f in findings if f.score >= config.chrome_threshold]


def _removed(lines: list[str], whole_page: bool) -> dict[str, str]:
    """{text: category} of what the within-document detectors remove from a text of one block per line."""
    return {lines[k].strip(): category for k, category in _removals(lines, whole_page)}


# --------------------------------------------------------------------------- code neighbourhoods

#: A Python validation library's page: a model with a stack of decorators over a method.
PYTHON_MODEL = [
    "Computed fields are included when a model is serialized, and in its schema in serialization mode.",
    "class Box(BaseModel):",
    "    width: float",
    "    depth: float",
    "    @cached",
    "    @property",
    "    def volume(self) -> float:",
    "        return self.width * self.depth",
    "The decorator takes the same arguments as a field, and the property stays read-only.",
]
#: A web framework's tutorial: a route decorator's bare form and a view under it.
WEB_ROUTE = [
    "Each view is a function, and the application calls it for the paths it is registered for.",
    "app = Flask(__name__)",
    "@login_required",
    "def dashboard(request):",
    "    return render(request, 'dashboard.html', {'user': request.user})",
    "Views that need a signed-in user are wrapped in the decorator above, which redirects the others.",
]
#: A standard library's reference: an interactive session printing a special value.
REPL_SESSION = [
    "Values outside the JSON grammar are accepted when parsing, and turned into floats.",
    ">>> json.loads('NaN')",
    "nan",
    ">>> json.loads('[1, null]')",
    "[1, None]",
    "The serializer writes them back unless strict output is asked for.",
]


@pytest.mark.parametrize("whole_page", [True, False])
@pytest.mark.parametrize("page", [PYTHON_MODEL, WEB_ROUTE, REPL_SESSION], ids=["model", "route", "repl"])
def test_a_decorator_or_a_printed_value_beside_code_is_code(page, whole_page):
    removed = _removed(page, whole_page)
    assert not [t for t, c in removed.items() if c in ("chrome:social", "chrome:template-error")]


@pytest.mark.parametrize("whole_page", [True, False])
def test_a_handle_or_an_unfilled_value_among_prose_still_goes(whole_page):
    lines = [
        "The festival opens on Friday with a parade through the old town and a concert by the river.",
        "@riverfestival",
        "Tickets for the concert are free, but the organisers ask visitors to register in advance.",
        "undefined",
        "Buses will run every ten minutes between the station and the park until midnight.",
    ]
    removed = _removed(lines, whole_page)
    assert removed.get("@riverfestival") == "chrome:social"
    assert removed.get("undefined") == "chrome:template-error"


def test_a_share_button_under_a_code_sample_is_still_a_button():
    lines = [
        "The answer is to gather the tasks and await them together, which runs them concurrently.",
        "results = await asyncio.gather(*tasks)",
        "Share",
        "Follow",
    ]
    assert _removed(lines, False).get("Share") == "chrome:social"


# --------------------------------------------------------------------------- FAQ answers

#: An accounting app's pricing FAQ: one answer reads like a newsletter's unsubscribe line.
ACCOUNTING_FAQ = [
    "Is the starter plan free?",
    "Yes, invoicing and bookkeeping stay free for as long as you keep your account, with no trial period.",
    "Can I cancel after I subscribe to a paid plan?",
    "Yes, you can unsubscribe at any time, and the cancellation takes effect at the end of the billing period.",
    "Can I import data from another app?",
    "Most apps export a file that the import screen reads, and our guide walks through each of them.",
]
#: A legal aid service's forms page: an answer names what its advisers do not give.
LEGAL_FAQ = [
    "Who can use these forms?",
    "Anyone filing without a lawyer in the state's district courts can use them, whatever their income.",
    "Can the chat staff tell me what to write?",
    "The chat staff help you find a form, but the chat does not provide legal advice on what to answer in it.",
    "Where do I file the form once it is filled?",
    "At the clerk's office of the court that handles your case, in person or by post, with the fee if any.",
]
#: An analytics tool's FAQ (one question marked as East Asian text marks it): an answer says where reports arrive.
PUBLISHING_FAQ = [
    "Where do the monthly reports go？",
    "Each report is sent straight to your inbox on the first of the month, with the figures for every campaign.",
    "Can I import my list from another platform?",
    "Upload the file your old platform exports, and every address keeps the date its reader signed up on.",
    "Do I keep the rights to what I write?",
    "Everything you publish stays yours, and you can take your posts and your list with you whenever you leave.",
]


@pytest.mark.parametrize("page", [ACCOUNTING_FAQ, LEGAL_FAQ, PUBLISHING_FAQ], ids=["accounting", "legal", "publishing"])
def test_the_answers_of_a_faq_are_content_whatever_their_phrasing(page):
    assert _removed(page, False) == {}


def test_one_question_before_a_prompt_is_a_hook_not_a_faq():
    lines = [
        "The new line opens in spring, and the first trains will run every twelve minutes at peak hours.",
        "Want the best of our reporting in your inbox?",
        "Sign up for our newsletter and get the week's most important stories every Friday morning.",
    ]
    assert set(_removed(lines, False).values()) == {"chrome:newsletter"}


# --------------------------------------------------------------------------- restated titles

#: A travel site's offers: a grid of hotels and their savings, then each hotel's terms under its name again.
HOTEL_GRID = ["Harbour View Resort and Spa", "Up to 30% off rooms", "Book by March 31",
              "Old Town Inn, Curio Collection", "Free breakfast for two", "Book by April 15",
              "Lagoon Palace Hotel & Beach Club", "A fourth night free", "Book by May 1"]
HOTEL_TERMS = ["Offer terms",
               "Harbour View Resort and Spa", "Savings apply to the room rate of stays of three nights or more only.",
               "Old Town Inn, Curio Collection", "Breakfast is served in the restaurant and cannot be taken as a credit.",
               "Lagoon Palace Hotel & Beach Club", "The free night is the cheapest of the stay and goes with the others."]
#: A career service's packages: plan names in a comparison table, then each plan's details.
PLAN_TABLE = ["Resume packages", "The Professional Growth package", "The Career Evolution package",
              "The Executive Priority package", "Each package includes a writer matched to your field."]
PLAN_DETAILS = ["The Professional Growth package", "A keyword-optimized resume written by a specialist in your field.",
                "The Career Evolution package", "Everything above, with a cover letter written to match the resume.",
                "The Executive Priority package", "A resume, a cover letter and a profile rewrite by a senior writer."]
#: A marketing agency's services: a menu of its services, then a section for each.
SERVICE_MENU = ["What we do", "Campaign Strategy and Development", "Creative Content and Design",
                "Performance Analysis and Optimization", "Our clients come to us for one of these, and stay for all."]
SERVICE_SECTIONS = ["Campaign Strategy and Development", "We start from what the campaign should change, and plan back.",
                    "Creative Content and Design", "Our studio writes, shoots and designs every piece in house.",
                    "Performance Analysis and Optimization", "Every campaign reports weekly, and moves money to what works."]


@pytest.mark.parametrize("page", [HOTEL_GRID + HOTEL_TERMS, PLAN_TABLE + PLAN_DETAILS, SERVICE_MENU + SERVICE_SECTIONS],
                         ids=["hotels", "plans", "services"])
def test_titles_restated_where_their_own_sections_start_stay_in_extracted_text(page):
    assert _removed(page, False) == {}


def test_a_menu_the_extractor_kept_twice_still_goes():
    menu = ["Campaign Strategy and Development", "Creative Content and Design", "Performance Analysis and Optimization"]
    page = ["What we do"] + menu + ["Our clients come to us for one of these, and stay for all of them."] + menu
    assert _removals(page, False) == [(5, "repeat"), (6, "repeat"), (7, "repeat")]


def test_a_single_title_restated_is_the_page_name_again_and_goes():
    page = ["Plant-Based Food Colours", "Colours made from vegetables and spices, for icing and baking at home.",
            "Each bottle holds enough for about forty cupcakes, and keeps for a year once opened.",
            "Plant-Based Food Colours", "Shipping within two days, and free on orders over the threshold."]
    assert _removed(page, False) == {"Plant-Based Food Colours": "repeat"}


def test_dates_and_counts_restated_are_entry_headers_not_titles():
    # Three names restated make sections of their own; three stamps or counts restated do not (an entry's date
    # over each reply quoting it).
    names = ["North Ridge Trail", "Lake Loop", "Summit Path"]
    stamps = ["Entry 15 of the 2024 log", "Entry 16 of the 2024 log", "Entry 17 of the 2024 log"]
    for heads, kept in ((names, True), (stamps, False)):
        page = [x for h in heads for x in (h, f"A first note about {h}, written when it opened to walkers.")]
        page += [x for h in heads for x in (h, f"A later note on {h}, after the bridge was repaired in spring.")]
        removed = _removed(page, False)
        assert (removed == {}) == kept, (heads, removed)


# --------------------------------------------------------------------------- a list's recurring entry

def _teasers(subjects: list[str]) -> list[str]:
    return [f"Our reporter looked at {s} this week, and what it means for the bills of households across the country."
            for s in subjects]


#: A TV guide's news index that runs its deals column's standing teaser under each issue.
DEALS = "Stop overpaying! Our deals expert finds the week's deepest internet, TV and phone discounts in one place."
#: A city magazine's events list whose weekly market listing recurs.
MARKET = "Saturday market on the harbour square, with farmers, bakers and cheese makers from across the region, 8 to 1."
#: A software blog's index with its release notes teaser under each version.
RELEASES = "Release notes: what changed in this version, what was fixed, and what to check before you upgrade your servers."


@pytest.mark.parametrize("entry", [DEALS, MARKET, RELEASES], ids=["deals", "market", "releases"])
def test_an_entry_a_list_runs_again_among_other_entries_stays(entry):
    news = _teasers(["the cable merger", "the new sports channel", "streaming prices", "the carriage dispute",
                     "the fibre rollout", "satellite dishes"])
    page = [news[0], entry, news[1], news[2], entry, news[3], news[4], entry, news[5]]
    assert _removed(page, False) == {}


def test_a_promotion_between_a_grids_cards_and_a_pull_quote_still_go():
    promo = "Sign up for a refill plan, the smart ink service, and enjoy printing for less with every order we ship."
    cards = []
    for name, price in (("Laser printer L2350", "$149.99"), ("Inkjet printer J1010", "$89.99"),
                        ("Photo printer P300", "$199.99")):
        cards += [name, price, promo]
    assert _removals(cards, False) == [(5, "repeat"), (8, "repeat")]
    quote = _teasers(["the fibre rollout"])[0]
    article = _teasers(["the cable merger", "the new sports channel"]) + [quote] + _teasers(["streaming prices"]) + [quote]
    assert _removals(article, False) == [(4, "repeat")]


# --------------------------------------------------------------------------- identifiers a documentation page shows again

#: An init system's wiki: a unit file's setting shown in a sample, then quoted on its own line where the text explains it.
UNIT_FILE = [
    "To start a service once the network is up, give it two dependencies in its unit file.",
    "After=network-online.target",
    "Wants=network-online.target",
    "The second line pulls the target in; without it the ordering alone waits for nothing.",
    "Wants=network-online.target",
    "Enable the wait service of the network manager in use, or the target is reached at once.",
]
#: A kernel's patch guidelines: a commit tag naming a function, shown in the template and again in an example.
PATCH_TAGS = [
    "A patch that fixes a bug in an earlier commit names that commit with a tag in its message.",
    'Fixes: 1f2e3d4c5b6a ("net: hold a reference in sock_release_slot")',
    "The tag gives the first twelve characters of the commit id and its subject, quoted.",
    'Fixes: 1f2e3d4c5b6a ("net: hold a reference in sock_release_slot")',
    "Reviewers use it to decide which stable branches the fix is carried to.",
]
#: A version control book: a line of a history's log, shown in two outputs of the command.
LOG_LINE = [
    "The log shows each commit on one line, its id shortened, when asked for the compact form.",
    "9fc0b2e Add a parser for dates in the config",
    "After the rebase the same commit appears on top of the other branch, with its id unchanged.",
    "9fc0b2e Add a parser for dates in the config",
    "Its parent is now the last commit of the branch it was moved onto.",
]
#: A build tool's manual: a source path that a step edits, named in two steps.
SOURCE_PATH = [
    "Open the module's entry point and add the new route to the table it builds.",
    "src/server/routes.ts",
    "Then register the handler, which the build picks up without a restart.",
    "src/server/routes.ts",
    "Run the tests again; the new route answers with the page you wrote.",
]


@pytest.mark.parametrize("page", [UNIT_FILE, PATCH_TAGS, LOG_LINE, SOURCE_PATH],
                         ids=["unit-file", "patch-tag", "log-line", "source-path"])
def test_an_identifier_line_a_documentation_page_shows_again_stays(page):
    assert _removed(page, False) == {}
    # The same page with the line's identifier written as prose: the repeat goes, so the identifier is what keeps it.
    line = next(t for t in page if page.count(t) == 2)
    plain = "Read the next section before you go on with the steps"
    assert _removed([plain if t == line else t for t in page], False) == {plain: "repeat"}


@pytest.mark.parametrize("line", [
    "Follow us at instagram.com/riverside/posts",      # a web address, however written
    "Write to help_desk@riverside.example",             # an e-mail address
    "UI/UX design and branding for growing teams",      # a slash between words
    "Rated 4.5/5 by our customers",                     # a score
])
def test_a_repeated_line_with_an_address_or_a_placeholder_still_goes(line):
    page = ["The shop opens at nine on weekdays, and at ten on Saturdays and Sundays.", line,
            "Orders placed before noon leave the warehouse on the same day.", line,
            "Returns are free within thirty days of delivery, in the original box."]
    assert _removed(page, False) == {line: "repeat"}


def test_names_identifier():
    from dedupe.detect import names_identifier
    named = ["/etc/tmpfiles.d/usb.conf", "Type=simple", "call sock_release_slot first", "std::collections::HashMap",
             "commit 4b2e1d9", "docs/guide/intro.md", "~/.config/app/settings.toml"]
    prose = ["and/or", "1/2 cup of sugar", "a decade faded", "Model L6SK3", "www.example.com/shop",
             "https://example.com/a/b", "Mr_E.", "Home / Shop / Shoes",
             "[CTA_MODULE]"]
    assert [t for t in named if not names_identifier(t)] == []
    assert [t for t in prose if names_identifier(t)] == []


#: A package manager's help text: an option's help wraps onto a line of its own, between options laid out in columns.
HELP_TEXT = [
    "For a summary of the command's options:",
    "-h, --help            show this help message and exit",
    "--force               regenerate the digests of every file of the package;",
    "                      files that are not yet in ${DISTDIR} are fetched first.",
    "--debug               show debug output",
    "The manual page describes each option at length.",
]


@pytest.mark.parametrize("whole_page", [True, False])
def test_a_placeholder_in_a_listing_laid_out_in_columns_is_the_listings_own(whole_page):
    assert "template-error" not in "".join(_removed(HELP_TEXT, whole_page).values())


@pytest.mark.parametrize("whole_page", [True, False])
def test_an_unfilled_placeholder_between_sentences_still_goes(whole_page):
    lines = ["The sale ends on Sunday at midnight, and every order ships free until then.",
             "Only ${remaining} left in stock",
             "Gift wrapping is offered at the checkout for a small fee."]
    assert _removed(lines, whole_page).get("Only ${remaining} left in stock") == "chrome:template-error"


def test_a_decorator_over_a_definition_the_core_does_not_read_as_code_is_code():
    # "def name(self):" alone has too few code symbols for the core's code shape; the call shape marks it.
    lines = ["The last method of the model is a property, read without brackets.", "@property",
             "def full_name(self):", "return self.first_name", "Properties cannot take arguments."]
    assert "chrome:social" not in _removed(lines, False).values()


# --------------------------------------------------------------------------- a sample's frame, steps, keywords, sections

def _two_samples(intro: str, header: str, shared: str, first: str, second: str) -> list[str]:
    """A page showing two versions of one configuration file: the same section header, an elision mark and a
    shared setting, then a setting of each version's own (the extractor keeps each sample line a block)."""
    return [intro, header, "...", shared, first, "...", "The second version adds one setting to the first.",
            header, "...", shared, second, "..."]


#: An init system's wiki: a unit file's drop-ins.
UNIT_DROP_INS = _two_samples("A drop-in file gives the service its dependencies.", "[Unit]",
                             "Wants=network-online.target", "After=network-online.target", "After=nss-lookup.target")
#: A desktop environment's guide: an application's launcher file.
DESKTOP_ENTRY = _two_samples("The launcher file names the program and its icon.", "[Desktop Entry]",
                             "Exec=/usr/bin/editor", "Icon=editor", "Terminal=false")
#: A version control tool's manual: a user file pulling in others.
GIT_INCLUDE = _two_samples("The user file can pull in another file.", "[include]", "path=~/.config/git/local.inc",
                           "path=~/.config/git/work.inc", "path=~/.config/git/home.inc")


@pytest.mark.parametrize("page", [UNIT_DROP_INS, DESKTOP_ENTRY, GIT_INCLUDE], ids=["unit", "launcher", "git"])
def test_a_section_header_over_settings_and_an_elision_are_a_samples_own(page):
    assert _removed(page, False) == {}


def test_a_bracketed_word_over_prose_still_goes():
    # The same page with prose under the bracketed word: a wiki's "[edit]" over a sentence it repeats.
    page = _two_samples("The river rises in the hills north of the town.", "[edit]",
                        "Its course was straightened in the last century.", "A mill stood by the weir.",
                        "Floods are rarer since the dam was built.")
    assert _removed(page, False) == {"[edit]": "repeat", "...": "repeat",
                                     "Its course was straightened in the last century.": "repeat"}


#: A 3D modelling tutorial: a prompt's answer given in two procedures.
MODELLING_STEPS = [
    "On the Curve menu, click Circle.", "At the Center prompt, type 0, and press Enter.",
    "At the Radius prompt, press Enter.", "Select the circle at the top.",
    "On the Solid menu, click Pipe.", "At the Start radius prompt, type 2.",
    "At the Radius prompt, press Enter.", "Select the curve at the bottom.",
]
#: A recipe: the same instruction in two of its parts.
RECIPE_STEPS = [
    "Whisk the flour and the milk in a bowl.", "Add the eggs one at a time.", "Stir until the batter is smooth.",
    "Leave it to rest for an hour.", "Melt the chocolate over a pan of water.", "Pour in the warm cream.",
    "Stir until the batter is smooth.", "Let it cool before you fill the crêpes.",
]
#: A software installer's guide: the same button clicked in two wizards.
INSTALL_STEPS = [
    "Run the installer you downloaded.", "Accept the licence agreement.", "Click Next to keep the default folder.",
    "Choose the components you need.", "Start the driver installer from the same folder.", "Pick your language.",
    "Click Next to keep the default folder.", "Restart the computer when asked.",
]


@pytest.mark.parametrize("page", [MODELLING_STEPS, RECIPE_STEPS, INSTALL_STEPS], ids=["modelling", "recipe", "install"])
def test_a_step_given_again_in_another_procedure_stays(page):
    assert _removed(page, False) == {}


def test_a_sentence_repeated_between_paragraphs_still_goes():
    quote = "The river is the town's memory."
    paragraph = ("The old mill stood by the water for two centuries, and its wheel turned until the flood of the "
                 "winter took the weir away. The owners rebuilt it twice. Then they sold it to the town.")
    page = [paragraph, quote, paragraph.replace("mill", "bridge"), quote, paragraph.replace("mill", "inn")]
    assert _removed(page, False) == {quote: "repeat"}


#: A database's reference: row lock modes, one a line.
LOCK_MODES = ["where the lock strength can be one of", "UPDATE", "NO KEY UPDATE", "SHARE", "KEY SHARE",
              "Each mode is described in the chapter on explicit locking."]
#: A message broker's commands of its publish/subscribe group.
PUBSUB_COMMANDS = ["The commands of the group are", "PUBLISH", "SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE",
                   "Each one returns the number of channels the client is subscribed to."]
#: An old language's manual: its statements for input and output.
BASIC_STATEMENTS = ["The statements for input and output are", "INPUT", "PRINT", "PRINT USING", "LINE INPUT",
                    "PRINT writes to the screen unless a channel number is given."]


@pytest.mark.parametrize("page", [LOCK_MODES, PUBSUB_COMMANDS, BASIC_STATEMENTS], ids=["sql", "broker", "basic"])
def test_a_keyword_among_keywords_in_capitals_is_not_a_button(page):
    assert _removed(page, False) == {}


def test_a_share_bar_or_a_menu_in_capitals_still_goes():
    page = ["The council approved the budget on Tuesday after a long debate.", "SHARE", "TWEET", "EMAIL",
            "The vote was seven to two."]
    assert set(_removed(page, False)) == {"SHARE", "TWEET", "EMAIL"}
    menu = ["The skillet is cast in one piece and seasoned with oil before it ships.", "HOME", "SHOP", "BLOG",
            "CONTACT US", "SHARE", "It holds heat evenly across its surface."]
    assert set(_removed(menu, False)) == {"HOME", "CONTACT US", "SHARE"}


def _spec(group: str, columns: str) -> list[str]:
    """A specification whose field groups each have a heading, a sentence and a table with the same columns."""
    lines = []
    for heading, field in (("Basic data", "id"), ("Pricing", "price"), (group, "related_id")):
        lines += [heading, f"The fields of this group describe the item's {heading.lower()}.", columns,
                  "|---|---|---|", f"| {field} | String | Required for every item |"]
    return lines


@pytest.mark.parametrize("group,columns", [
    ("Related products", "| Attribute | Data Type | Description |"),       # a product feed's specification
    ("Related content", "| Field | Type | Notes |"),                       # an API's object reference
    ("Related items", "| Column | Format | Meaning |"),                     # a data export's dictionary
], ids=["feed", "api", "export"])
def test_a_related_group_of_a_specification_is_a_section(group, columns):
    assert group not in _removed(_spec(group, columns), False)


def test_a_related_products_table_of_a_shop_still_goes():
    # A table of its own columns under the header: a box of other products, not a group of the page's fields.
    page = ["The skillet is cast in one piece and seasoned with vegetable oil before it ships.",
            "Pre-seasoned and ready to use, it holds heat evenly across its whole surface.", "Related products",
            "| Product | Price |", "|---|---|", "| Dutch oven | $79.90 |", "| Grill pan | $39.90 |"]
    assert _removed(page, False).get("Related products") == "chrome:related"


#: A web platform's reference: its further pages after the last paragraph, under its code samples.
REFERENCE_END = ["A promise's handlers run as microtasks, after the current script.",
                 "const p = Promise.resolve(1);", "p.then((v) => console.log(v));",
                 "queueMicrotask(() => log('tick'));", "setTimeout(() => log('task'), 0);",
                 "await p.finally(() => done());",
                 "Microtasks run before the next task, so a long chain of them delays rendering.", "See also",
                 "- Promise", "- async function", "- queueMicrotask()"]
#: A distribution's wiki: its related pages after a configuration sample.
WIKI_END = ["The package manager reads its folders from the global settings file.", "/etc/portage/make.conf",
            'distdir="/var/cache/distfiles"', 'pkgdir="/var/cache/binpkgs"',
            "The binary packages go to the folder the last setting names.",
            "See also", "- /etc/portage — the main configuration folder", "- make.conf — the global settings"]
#: A language's tutorial: related topics near its start, then its commands.
TUTORIAL_START = ["This topic describes how to manage the dependencies your code takes on.", "See also",
                  "- If you are new to modules, the getting started tutorial introduces them.",
                  "- Adding a dependency explains how the tool chooses a version.",
                  "The tool records each requirement in the module's file, and the code lies under its folder.",
                  "/usr/local/go/bin", "example_module/internal/cache", "cache/internal/lru.go"]


@pytest.mark.parametrize("page", [REFERENCE_END, WIKI_END, TUTORIAL_START], ids=["reference", "wiki", "tutorial"])
def test_a_see_also_after_the_body_and_over_a_list_is_a_section(page):
    assert "See also" not in _removed(page, False)


def test_a_news_pages_related_articles_over_headlines_still_go():
    # The same shape on a page that shows no code: a news page's box of other stories.
    page = ["The council approved the budget on Tuesday after a long debate.",
            "The vote was seven to two, and the new rates apply from January.", "More stories",
            "- Bridge repairs to start in spring after years of delay", "- Library extends its opening hours"]
    assert _removed(page, False).get("More stories") == "chrome:related"


@pytest.mark.parametrize("above", ["Other resources", "- An item of the list above"], ids=["heading", "list"])
def test_a_see_also_under_a_heading_or_a_list_and_a_teaser_still_go(above):
    page = ["The handlers are imported only when they are used.", above, "See also", "- Module logging",
            "- Logging cookbook"]
    assert _removed(page, False).get("See also") == "chrome:related"
    teaser = ["The handlers are imported only when they are used.", "Related: The logging cookbook",
              "| Week | Monday |", "| Week | Monday |"]
    assert _removed(teaser, False).get("Related: The logging cookbook") == "chrome:related"


# --------------------------------------------------------------------------- notices inside the main text

#: A legal aid page: a sentence about its chat service between the page's instructions.
LEGAL_AID = [
    "These interactive forms are a free service, and the interview fills out the documents your case needs.",
    "Find the chat link at the bottom of this page if you cannot locate a form; the chat does not provide legal "
    "advice and cannot tell you what to answer.",
    "The chat is open on weekdays during office hours, and you can leave a message when nobody is available.",
]
#: A pet insurance comparison: its affiliate note between its steps.
COMPARISON = [
    "Choose from a range of plans to find the best price from each provider, and get your pet covered today.",
    "We have affiliate relationships, so we may receive compensation if you make a purchase through the site.",
    "Plans are sold and underwritten by independent insurance providers, which set their own prices and terms.",
]
#: A tax office's guide: a note on its own advisers' role between two paragraphs of the guide.
TAX_GUIDE = [
    "Self-employed people file their return by the end of January, and pay what they owe on the same day.",
    "Our phone line explains the forms, but the line does not provide tax advice on your own situation.",
    "An accountant can work out what you can claim, and file the return for you with the right schedules.",
]


@pytest.mark.parametrize("page", [LEGAL_AID, COMPARISON, TAX_GUIDE], ids=["legal", "comparison", "tax"])
def test_a_notice_between_paragraphs_of_the_main_text_is_the_texts_own(page):
    assert _removed(page, False) == {}


def test_a_notice_at_the_end_of_the_main_text_still_goes():
    page = LEGAL_AID[:1] + LEGAL_AID[2:] + [
        "This page is for informational purposes only and does not constitute legal advice."]
    assert set(_removed(page, False).values()) == {"chrome:disclaimer"}


# --------------------------------------------------------------------------- phrasings

@pytest.mark.parametrize("text", [
    "With your consent, we and named third-party partners use cookies, pixels or other tracking technologies to "
    "collect and process personal data, such as your IP address and the pages you visit, to show you content and "
    "ads that match your interests, to measure them, and to develop and improve our products and services over time.",
    "We and selected third parties use cookies or similar technologies for technical purposes and, with your "
    "consent, for experience, measurement and marketing, as the notice linked below explains in full for each of "
    "them, together with the period for which each of them keeps what it has collected about you and your device.",
    "You can withdraw your consent or object to legitimate interest at any time from the settings of this site.",
])
def test_a_consent_managers_notice_is_a_cookie_notice(text):
    from dedupe.detect.chrome import match_rules
    f = match_rules(text)
    assert f is not None and f.kind == "cookie" and not f.weak  # (a weak match is evidence only, and removes nothing)


@pytest.mark.parametrize("text", [
    "Regulators said companies and their partners must ask before they set tracking cookies on a device.",
    "The court held that a legitimate interest could not justify processing the data of the bank's customers.",
    "Mercer has started approaching clients with a joint offering developed in partnership with a Vienna firm.",
])
def test_news_on_data_law_and_partnerships_is_not_chrome(text):
    assert _removed(["The week in business news, from the courts to the trading floor.", text,
                     "Markets closed higher on Friday after the central bank held its rate."], False) == {}


def test_a_partnership_credit_line_is_advertising():
    assert match_kind("Developed in partnership with the Example Tourism Board") == "advertising"
    assert match_kind("This series was developed in partnership with Example Bank") == "advertising"


def match_kind(text: str) -> str | None:
    from dedupe.detect.chrome import match_rules
    f = match_rules(text)
    return f.kind if f is not None else None
