"""`--extracted`: a corpus of main text already extracted from its pages is not read as whole pages.

The whole-page detectors look for where an article starts and ends among a page's menus and footers; on text
that is the article alone they cut its own headings, tables and closing lines. Cleaning the golds of the data
sets (articles with nothing around them) as whole pages removed 1.8% of webpages-dev's characters, 10% of
webpages-types' and 9% of webpages-multi's; read as extracted text, 0.4%, 1.1% and 0.02% (repeats and
phrasing rules, which still run).
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dedupe import Config, ConfigError
from dedupe.cli import main

from helpers import removals, write_tree

SCHEDULE = ["Schedule", *(f"March {d}        6pm - 7pm     Room 112      Dana Ortiz" for d in (3, 10, 17, 24))]
COURSE = [
    "Over six evenings the course walks through the basics of bread: flour, water, salt and time. No experience "
    "is needed, and every session ends with a loaf to take home. We start with a plain white dough and move on "
    "to whole grains, then to a starter that participants keep feeding between the sessions.",
    "Each evening has a short demonstration followed by practice at the benches. Aprons and scrapers are "
    "provided, but bring a container for the dough you take home, since some of it will need to rest overnight.",
    "Teacher: Dana Ortiz",
    "Dana Ortiz has baked for twenty years and ran a neighbourhood bakery before teaching. Questions about the "
    "course can go to her by email before the first session.",
]
#: An event page's main text as an extractor gives it: the schedule's table, then the description, then its tags.
TAGS = "Tags: bread, baking"
EXTRACTED = "\n\n".join([*SCHEDULE, *COURSE, TAGS]) + "\n"
#: What cleaning it as extracted text keeps: all but its tags.
KEPT = "\n\n".join(SCHEDULE + COURSE) + "\n"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_extracted_text_keeps_what_a_whole_page_would_lose(tmp_path):
    src = write_tree(tmp_path / "in", {"course.txt": EXTRACTED})
    # Read as a whole page (a line a rule names shows a site's template), the schedule before the prose is taken
    # for the menu above an article.
    assert run("clean", str(src), str(tmp_path / "page")).exit_code == 0
    assert {r["text"] for r in removals(tmp_path / "page" / "_report")} >= {*SCHEDULE, TAGS}
    # Read as extracted text, only what a rule names goes.
    assert run("clean", str(src), str(tmp_path / "out"), "--extracted").exit_code == 0
    assert (tmp_path / "out" / "course.txt").read_text(encoding="utf-8") == KEPT
    assert [r["text"] for r in removals(tmp_path / "out" / "_report")] == [TAGS]
    # OUT's marker names the file an extracted article, so cleaning OUT again reads it so without the flag.
    marker = json.loads((tmp_path / "out" / ".dedupe-output.json").read_text(encoding="utf-8"))
    assert marker["articles"] == ["course.txt"]
    assert run("clean", str(tmp_path / "out"), str(tmp_path / "again")).exit_code == 0
    assert removals(tmp_path / "again" / "_report") == []


def test_extracted_text_still_loses_its_repeats_chrome_lines_and_duplicates(tmp_path):
    pasted_twice = "\n\n".join(COURSE + [COURSE[0], "Share on Facebook"]) + "\n"
    src = write_tree(tmp_path / "in", {"a.txt": pasted_twice, "b.txt": pasted_twice})
    assert run("clean", str(src), str(tmp_path / "out"), "--extracted").exit_code == 0
    found = {(r["file"], r["category"]) for r in removals(tmp_path / "out" / "_report")}
    assert found == {("a.txt", "repeat"), ("a.txt", "chrome:social"), ("b.txt", "duplicate-document")}


def test_extracted_is_a_setting_too(tmp_path):
    assert Config(extracted=True).extracted is True
    with pytest.raises(ConfigError, match="extracted must be true or false"):
        Config(extracted="yes")
    config = tmp_path / "c.toml"
    config.write_text("extracted = true\n", encoding="utf-8")
    src = write_tree(tmp_path / "in", {"course.txt": EXTRACTED})
    assert run("clean", str(src), str(tmp_path / "out"), "--config", str(config)).exit_code == 0
    assert (tmp_path / "out" / "course.txt").read_text(encoding="utf-8") == KEPT


def _reviews() -> dict[str, str]:
    """Four extracted reviews of one site, each with a "Pros" and a "Cons" label over every product's lines."""
    parts = ("battery", "screen", "camera", "speaker", "keyboard", "hinge", "charger", "strap")
    texts = {}
    for d in range(4):
        lines = [f"Review {chr(65 + d)}: we tested these gadgets for a month at home and at the office, and here is "
                 f"what we found about each of them in daily use, good and bad."]
        for i in range(4):
            a, b = parts[(d + i) % 8], parts[(d + 2 * i + 3) % 8]
            lines += [f"Gadget {d}-{i} with the {a}", "Pros",
                      f"The {a} of model {d}{i} lasted longer than we expected during the {i + 2} weeks of testing.",
                      "Cons", f"The {b} of model {d}{i} felt loose after it had been used a few dozen times."]
        texts[f"site/review{d}.txt"] = "\n\n".join(lines) + "\n"
    return texts


def test_an_extracted_article_keeps_the_labels_of_its_items_that_recur_across_its_site(tmp_path):
    # As in HTML's extracted text: labels an article holds three times or more are its items' (a review's "Pros"
    # and "Cons"), not its site's template, though every review of the site has them. Read as whole pages, they
    # go as the site's template; this holds on every path pass 2 cuts a file by.
    src = write_tree(tmp_path / "in", _reviews())
    assert run("clean", str(src), str(tmp_path / "page")).exit_code == 0
    labels = {(r["file"], r["text"]) for r in removals(tmp_path / "page" / "_report") if r["text"] in ("Pros", "Cons")}
    assert len(labels) == 8  # (each file's "Pros" and "Cons")
    assert run("clean", str(src), str(tmp_path / "out"), "--extracted").exit_code == 0
    assert not [r for r in removals(tmp_path / "out" / "_report") if r["text"] in ("Pros", "Cons")]


def test_an_html_run_cleaned_again_keeps_the_labels_its_first_run_kept(tmp_path):
    # The first run reads the pages' extracted text and keeps the items' labels; OUT's marker names the files as
    # extracted articles, and the second run, pass 2 included, reads them so too.
    pages = {}
    for rel, text in _reviews().items():
        paras = "".join(f"<p>{p}</p>\n" for p in text.strip().split("\n\n"))
        pages[rel.replace(".txt", ".html")] = (
            "<html><head><title>Gadget review</title></head><body><nav><a href='/'>Home</a></nav><article>"
            f"<h1>Gadget review</h1>\n{paras}</article><footer>© 2024 Gadget Site</footer></body></html>")
    src = write_tree(tmp_path / "in", pages)
    assert run("clean", str(src), str(tmp_path / "out")).exit_code == 0
    assert not [r for r in removals(tmp_path / "out" / "_report") if r["text"] in ("Pros", "Cons")]
    assert run("clean", str(tmp_path / "out"), str(tmp_path / "again")).exit_code == 0
    assert not [r for r in removals(tmp_path / "again" / "_report") if r["text"] in ("Pros", "Cons")]


def test_a_text_that_shows_no_template_is_not_cut_as_a_page(tmp_path):
    # A text that shows nothing of a site's template (no line a rule names, no menu, no trail of sections) has no
    # article to cut out of one, even read as a whole page: its schedule stays. 79% of the articles of
    # webpages-dev, -train, -types and -multi read alone show none, and 88% of a Debian system's READMEs and licences.
    src = write_tree(tmp_path / "in", {"course.txt": KEPT})
    assert run("clean", str(src), str(tmp_path / "page")).exit_code == 0
    assert (tmp_path / "page" / "course.txt").read_text(encoding="utf-8") == KEPT
    assert removals(tmp_path / "page" / "_report") == []
    # With a menu above it (eight short lines in a row), the same text is a page: its menu and schedule go.
    menu = ["Home", "Courses", "Bread", "Pastry", "Teachers", "Calendar", "Gift cards", "Contact"]
    src = write_tree(tmp_path / "in2", {"course.txt": "\n\n".join(menu) + "\n\n" + KEPT})
    assert run("clean", str(src), str(tmp_path / "menu")).exit_code == 0
    assert {r["text"] for r in removals(tmp_path / "menu" / "_report")} >= {*menu, *SCHEDULE}
    assert (tmp_path / "menu" / "course.txt").read_text(encoding="utf-8").startswith(COURSE[0])


def test_a_run_whose_pages_were_mostly_not_cut_around_an_article_suggests_extracted(tmp_path):
    # 21 texts that show no template and 3 that do (their tags), whose schedule goes as outside the article:
    # whole pages nearly all lose something there, so the run says --extracted would keep it.
    texts = {f"t{i:02d}.txt": KEPT.replace("bread", f"bread {i}") for i in range(21)}
    texts.update({f"x{i}.txt": EXTRACTED.replace("bread", f"rye {i}") for i in range(3)})
    src = write_tree(tmp_path / "in", texts)
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 0
    hint = "only 3 of 24 documents read as whole pages lost blocks as outside their article"
    assert f"hint: {hint}" in result.output and "--extracted" in result.output
    assert json.loads((tmp_path / "out" / "_report" / "summary.json").read_text())["hints"][0].startswith(hint)
    assert f"<p class=hint><b>Hint</b> {hint}" in (tmp_path / "out" / "_report" / "index.html").read_text()
    # With --extracted no text is read as a whole page, and nothing is suggested.
    result = run("clean", str(src), str(tmp_path / "ext"), "--extracted")
    assert "hint:" not in result.output
    assert "hints" not in json.loads((tmp_path / "ext" / "_report" / "summary.json").read_text())


def test_pages_that_are_cut_around_their_article_suggest_nothing(tmp_path):
    menu = "\n\n".join(["Home", "Courses", "Bread", "Pastry", "Teachers", "Calendar", "Gift cards", "Contact"])
    src = write_tree(tmp_path / "in", {f"p{i:02d}.txt": menu + "\n\n" + KEPT.replace("bread", f"bread {i}")
                                       for i in range(24)})
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 0 and "hint:" not in result.output
    assert "hints" not in json.loads((tmp_path / "out" / "_report" / "summary.json").read_text())
