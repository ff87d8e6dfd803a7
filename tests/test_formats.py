"""Input formats: HTML pages and JSONL corpora go through the same pipeline as text files.

Each test builds a small input folder, runs `dedupe clean` through the CLI (or
calls one format function), and states exactly what comes out.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe import Config, ConfigError
from dedupe.cli import main
from dedupe.detect.corpus import source_of
from dedupe.formats import format_of, output_rel, refuse_collisions, selected
from dedupe.formats.html import declared_charset
from dedupe.formats.jsonl import replace_field, write_jsonl
from dedupe.records import DocResult, Document
from helpers import REPORT_FILES


def cleaned_files(out: Path) -> list[str]:
    """OUT's cleaned copies, without the report and the marker."""
    return [f for f in files_under(out) if not f.startswith(("_report/", ".dedupe-output"))]

DATA = Path(__file__).parent / "data" / "formats"
PAGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "webpages-dev" / "pages"
#: The trafilatura version that produced the expected text of the real page.
EXPECTED_TRAFILATURA = "2.3.1"

ARTICLE = (
    "The river rose three metres overnight and flooded the lower town, officials said on Monday morning.",
    "Hundreds of residents were moved to the school gym, where volunteers served soup until late in the evening.",
    "Engineers will inspect the old stone bridge on Tuesday before any traffic is allowed to cross it again.",
)


def run(*args: str):
    """`dedupe ARGS` through click's test runner, stderr apart from stdout."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def page(title: str, paragraphs, extra: str = "", charset: str = "utf-8") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article>{body}{extra}</article>"
        f"<footer>&copy; 2024 Example Media. All rights reserved.</footer></body></html>"
    )


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


# --- HTML -----------------------------------------------------------------


def test_a_real_page_from_the_data_set_comes_out_as_its_cleaned_main_text(tmp_path):
    import trafilatura

    source = PAGES / "statnews.com__0221.html"
    if not source.is_file():
        pytest.skip(f"the shared data set is not beside the checkout ({source} is missing)")
    if trafilatura.__version__ != EXPECTED_TRAFILATURA:
        pytest.skip(f"expected text was made with trafilatura {EXPECTED_TRAFILATURA}, this is {trafilatura.__version__}")
    src = tmp_path / "in"
    src.mkdir()
    (src / source.name).write_bytes(source.read_bytes())
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        "1 files read, 1 written, 0 failed; 1 documents, 3 blocks removed",
        "  chrome:paywall                 3",
    ]
    assert files_under(tmp_path / "out") == [
        ".dedupe-output.json",
        *(f"_report/{name}" for name in REPORT_FILES),
        "statnews.com__0221.txt",
    ]
    out = (tmp_path / "out" / "statnews.com__0221.txt").read_text(encoding="utf-8")
    assert out == (DATA / "statnews.com__0221.expected.txt").read_text(encoding="utf-8")
    removals = (tmp_path / "out" / "_report" / "removals.jsonl").read_text(encoding="utf-8")
    assert removals == (DATA / "statnews.com__0221.removals.jsonl").read_text(encoding="utf-8")
    assert (src / source.name).read_bytes() == source.read_bytes()  # the input is never touched


RUSSIAN = (
    "Ночью река поднялась на три метра и затопила нижний город, сообщили в понедельник утром представители властей.",
    "Сотни жителей перевезли в школьный спортзал, где волонтёры до позднего вечера раздавали горячий суп.",
    "Во вторник инженеры осмотрят старый каменный мост, прежде чем по нему снова разрешат движение транспорта.",
)


def test_an_html_page_is_extracted_once_and_what_its_reading_said_is_reported_once(tmp_path, monkeypatch):
    # Pass 2 takes pass 1's extracted text from the scratch file: trafilatura runs once a page, not twice.
    import dedupe
    from dedupe.formats import html

    src = tmp_path / "in"
    src.mkdir()
    (src / "flood.html").write_text(page("Flood in the lower town", ARTICLE), encoding="utf-8")
    # Valid UTF-8 under another declared charset (a warning), and a page with no article (a notice, no copy).
    (src / "ru.html").write_bytes(page("Паводок", RUSSIAN, charset="windows-1251")
                                  .encode("utf-8"))
    (src / "menu.html").write_text("<html><head><title>Menu</title></head><body></body></html>", encoding="utf-8")
    calls = []
    extract = html.extract
    monkeypatch.setattr(html, "extract", lambda text, config: (calls.append(1), extract(text, config))[1])
    run = dedupe.clean(src, tmp_path / "out", Config(jobs=1))
    assert run.exit_code == 0 and len(calls) == 3
    said = sorted((n.file, n.message.split(":")[0].split(" (")[0]) for n in run.notices)
    assert said == [("menu.html", "no main content"), ("ru.html", "declares charset cp1251 but is valid UTF-8; read as UTF-8")]
    assert sorted(p.name for p in (tmp_path / "out").glob("*.txt")) == ["flood.txt", "ru.txt"]
    assert (tmp_path / "out" / "flood.txt").read_text(encoding="utf-8") == "\n".join(ARTICLE) + "\n"


def test_html_text_goes_through_the_detectors_and_keeps_the_page_url(tmp_path):
    from dedupe.formats.html import read_html

    src = tmp_path / "in"
    src.mkdir()
    extra = "<p>Sign up for our newsletter</p>"
    canonical = '<link rel="canonical" href="https://News.Example.org/2024/flood">'
    (src / "flood.html").write_text(page("Flood in the lower town", ARTICLE, extra).replace("</head>", canonical + "</head>"),
                                    encoding="utf-8")
    docs, notices = read_html(src, "flood.html", Config())
    assert notices == []
    assert docs[0].id == "flood.html" and docs[0].format == "html"
    # The URL's host is the page's source for the corpus step; nothing reads a title or a date.
    assert docs[0].meta == (("url", "https://news.example.org/2024/flood"), ("host", "example.org"))
    assert source_of(docs[0]) == "example.org"  # trafilatura names the site by its domain
    assert "Sign up for our newsletter" in docs[0].text  # trafilatura keeps it...
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 0
    out = (tmp_path / "out" / "flood.txt").read_text(encoding="utf-8")
    assert out == "\n".join(ARTICLE) + "\n"  # ...the newsletter detector does not
    removal = json.loads((tmp_path / "out" / "_report" / "removals.jsonl").read_text(encoding="utf-8"))
    assert (removal["file"], removal["category"], removal["text"]) == (
        "flood.html", "chrome:newsletter", "Sign up for our newsletter"
    )


def test_the_page_url_is_the_one_trafilatura_s_metadata_finds():
    from trafilatura.metadata import examine_meta, extract_url
    from trafilatura.utils import load_html

    from dedupe.formats.html import _page_url

    head = [
        '<meta property="og:url" content="https://og.example.org/a">',
        '<meta property="og:url" content="not a url">',
        '<meta name="twitter:url" content="https://tw.example.org/b">',
        '<meta name="Twitter:URL" content="  <b>https://tw2.example.org/c</b> ">',
        '<meta name="twitter:url" content="no url">',
        '<meta name="twitter:url" property="og:type" content="https://prop.example.org/d">',
        '<meta name="twitter:url" content="">',
        '<link rel="canonical" href="https://canonical.example.org/e">',
    ]
    body = "<body><p>" + "A paragraph of the page's text. " * 5 + "</p></body>"
    # Every order of a few of the tags: the OpenGraph URL first, then the first valid twitter:url without a
    # property, then the canonical link, as trafilatura's metadata reads them.
    pages = [[]] + [[a] for a in head] + [[a, b] for a in head for b in head if a != b]
    pages += [[c, b, a] for a in head for b in head for c in head if len({a, b, c}) == 3][::7]
    for tags in pages:
        tree = load_html(f"<html><head>{''.join(tags)}</head>{body}</html>")
        assert _page_url(tree) == (examine_meta(tree).url or extract_url(tree)), tags
    # ...and on every page of webpages-dev, where it is beside the checkout.
    from helpers import SHARED

    for path in sorted((SHARED / "data" / "webpages-dev" / "pages").glob("*.htm*")):
        tree = load_html(path.read_bytes().decode("utf-8", errors="replace"))
        if tree is not None:
            assert _page_url(tree) == (examine_meta(tree).url or extract_url(tree)), path.name


def test_a_page_with_no_main_content_is_reported_under_its_own_reason(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shell = "<html><head><title>App</title></head><body><script>render()</script></body></html>"
    (src / "app.html").write_text(shell, encoding="utf-8")
    (src / "flood.html").write_text(page("Flood", ARTICLE), encoding="utf-8")
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 0
    assert not (tmp_path / "out" / "app.txt").exists()
    assert (tmp_path / "out" / "flood.txt").is_file()
    summary = json.loads((tmp_path / "out" / "_report" / "summary.json").read_text(encoding="utf-8"))
    assert summary["warnings"] == [
        {
            "file": "app.html",
            "message": f"no main content: trafilatura found no article text in this page ({len(shell)} bytes of HTML); "
            "neither did the whole-page detectors in its whole text; no cleaned copy written",
        }
    ]
    assert summary["input"]["files"] == 2 and summary["output"]["files_written"] == 1


@pytest.mark.parametrize(
    "charset, codec, text",
    [
        ("windows-1251", "cp1251", "Москва — столица России, крупнейший по численности населения город страны."),
        ("Shift_JIS", "cp932", "東京は日本の首都であり、世界有数の大都市です。人口は約千四百万人で、政治と経済の中心地です。"),
        ("ISO-8859-1", "cp1252", "Über die Brücke fährt man nicht mehr, seit das Hochwasser die Straße überspült hat."),
    ],
)
def test_a_page_in_its_declared_non_utf8_charset_decodes_correctly(tmp_path, charset, codec, text):
    src = tmp_path / "in"
    src.mkdir()
    paragraphs = [text + f" Absatz {i}." for i in range(3)]
    (src / "p.html").write_bytes(page("T", paragraphs, charset=charset).encode(codec))
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 0
    out = (tmp_path / "out" / "p.txt").read_text(encoding="utf-8")
    assert out == "\n".join(paragraphs) + "\n"


def test_a_charset_declaration_that_the_bytes_contradict_is_overruled_by_valid_utf8(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    paragraphs = [p.replace("river", "river’s edge") for p in ARTICLE]
    (src / "p.html").write_bytes(page("T", paragraphs, charset="ISO-8859-1").encode("utf-8"))
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 0
    assert (tmp_path / "out" / "p.txt").read_text(encoding="utf-8") == "\n".join(paragraphs) + "\n"
    summary = json.loads((tmp_path / "out" / "_report" / "summary.json").read_text(encoding="utf-8"))
    assert summary["warnings"] == [
        {"file": "p.html", "message": "declares charset cp1252 but is valid UTF-8; read as UTF-8"}
    ]


def test_declared_charsets_are_read_as_browsers_read_them():
    assert declared_charset(b'<meta charset="shift_jis">') == "cp932"
    assert declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">') == "cp1251"
    assert declared_charset(b'<?xml version="1.0" encoding="ISO-8859-1"?><html>') == "cp1252"
    assert declared_charset(b'<meta charset="utf-16">') == "utf-8"
    assert declared_charset(b'<meta charset="no-such-codec">') is None
    assert declared_charset(b"<html><p>charset=koi8-r in the text</p>") is None


def test_identical_pages_are_both_extracted_in_full_whatever_their_order(tmp_path):
    """trafilatura's own deduplication is off: its cache would empty whichever copy came second."""
    html = page("Flood", ARTICLE)
    outputs = []
    for order in (("a.html", "b.html"), ("b.html", "a.html")):
        src = tmp_path / f"in-{order[0]}"
        src.mkdir()
        for name in order:
            (src / name).write_text(html, encoding="utf-8")
        out = tmp_path / f"out-{order[0]}"
        assert run("clean", str(src), str(out), "--skip", "duplicate-document").exit_code == 0
        outputs.append({name: (out / name.replace(".html", ".txt")).read_bytes() for name in order})
    expected = ("\n".join(ARTICLE) + "\n").encode()
    assert outputs[0] == outputs[1] == {"a.html": expected, "b.html": expected}


def test_an_html_page_and_a_text_file_that_would_share_an_output_name_are_refused_clearly(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "page.html").write_text(page("Flood", ARTICLE), encoding="utf-8")
    (src / "page.htm").write_text(page("Flood", ARTICLE), encoding="utf-8")
    (src / "page.txt").write_text("A plain text file that keeps its own name.\n", encoding="utf-8")
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: page.htm: its cleaned copy would be page.txt, which is the cleaned copy of page.txt; "
        "skipped: rename one of them, or leave one out with --exclude",
        "error: page.html: its cleaned copy would be page.txt, which is the cleaned copy of page.txt; "
        "skipped: rename one of them, or leave one out with --exclude",
    ]
    assert (tmp_path / "out" / "page.txt").read_text(encoding="utf-8") == "A plain text file that keeps its own name.\n"


def test_between_two_pages_with_the_same_output_name_the_first_by_path_wins():
    kept, refused = refuse_collisions(["a/page.htm", "a/page.html", "b/page.html"])
    assert kept == ["a/page.htm", "b/page.html"]
    assert [(n.file, n.failed) for n in refused] == [("a/page.html", True)]
    assert "which is the cleaned copy of a/page.htm" in refused[0].message


# --- JSONL ----------------------------------------------------------------

JSONL_IN = (
    '{"id": "a1", "text": "River floods the lower town\\nThe river rose three metres overnight and flooded the lower town, '
    'officials said.\\nShare on Facebook", "score": 1.50, "meta": {"lang":"en", "tags": ["news"]}, "n": 1e5}\n'
    '{"text": "Nothing to remove in this one: it is a single sentence of ordinary article prose.", "id": "b2",  "x": null}\n'
    '{"id": "c3", "text": "caf\\u00e9 society meets on Fridays at the old hall by the market square.\\nSign up for our newsletter"}\n'
)
JSONL_OUT = (
    '{"id": "a1", "text": "River floods the lower town\\nThe river rose three metres overnight and flooded the lower town, '
    'officials said.", "score": 1.50, "meta": {"lang":"en", "tags": ["news"]}, "n": 1e5}\n'
    '{"text": "Nothing to remove in this one: it is a single sentence of ordinary article prose.", "id": "b2",  "x": null}\n'
    '{"id": "c3", "text": "caf\\u00e9 society meets on Fridays at the old hall by the market square."}\n'
)


def test_jsonl_records_are_cleaned_in_place_with_every_other_field_untouched(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "corpus.jsonl").write_text(JSONL_IN, encoding="utf-8")
    result = run("clean", str(src), str(tmp_path / "out"), "--id-field", "id")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "corpus.jsonl").read_text(encoding="utf-8") == JSONL_OUT
    removals = [json.loads(x) for x in (tmp_path / "out" / "_report" / "removals.jsonl").read_text().splitlines()]
    assert [(r["file"], r["lines"], r["category"]) for r in removals] == [
        ("corpus.jsonl#a1", [3, 3], "chrome:social"),
        ("corpus.jsonl#c3", [2, 2], "chrome:newsletter"),
    ]


def test_jsonl_documents_are_named_by_line_without_an_id_field(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "corpus.jsonl").write_text(JSONL_IN, encoding="utf-8")
    assert run("clean", str(src), str(tmp_path / "out")).exit_code == 0
    diff = (tmp_path / "out" / "_report" / "changes.diff").read_text(encoding="utf-8")
    assert [line for line in diff.splitlines() if line.startswith("---")] == ["--- a/corpus.jsonl#1", "--- a/corpus.jsonl#3"]


def test_malformed_jsonl_lines_are_reported_by_line_and_nothing_else_is_lost(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    lines = JSONL_IN.splitlines(keepends=True)
    broken = [lines[0], '{"id": "x", "text": "unterminated\n', "\n", "[1, 2]\n", lines[1], b"\xff\xfe not utf-8\n".decode("latin-1"), lines[2]]
    (src / "corpus.jsonl").write_bytes("".join(broken).encode("latin-1") if False else b"".join(
        x.encode("latin-1") if x.startswith("\xff") else x.encode("utf-8") for x in broken
    ))
    (src / "other.txt").write_text("An unrelated text file that must still be written.\n", encoding="utf-8")
    result = run("clean", str(src), str(tmp_path / "out"), "--id-field", "id")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: corpus.jsonl: line 2: not valid JSON (Unterminated string starting at column 21); copied unchanged, not cleaned",
        "error: corpus.jsonl: line 4: not a JSON object (a list); copied unchanged, not cleaned",
        "error: corpus.jsonl: line 6: not UTF-8 (byte 0xff at column 1); copied unchanged, not cleaned",
    ]
    out = (tmp_path / "out" / "corpus.jsonl").read_bytes().splitlines(keepends=True)
    expected = JSONL_OUT.encode().splitlines(keepends=True)
    assert out == [expected[0], broken[1].encode(), b"\n", b"[1, 2]\n", expected[1], b"\xff\xfe not utf-8\n", expected[2]]
    assert (tmp_path / "out" / "other.txt").is_file()


def test_a_record_whose_text_holds_a_lone_surrogate_is_copied_unchanged_with_a_clear_error(tmp_path):
    # JSON's "\\ud800" escape decodes to half of a UTF-16 pair: no character, not UTF-8. Before, it failed its
    # whole file as an internal error in pass 1.
    src = tmp_path / "in"
    src.mkdir()
    lone = '{"id": "s", "text": "half a pair \\ud800 here"}\n'
    lines = JSONL_IN.splitlines(keepends=True)
    (src / "corpus.jsonl").write_text(lines[0] + lone + lines[1], encoding="utf-8")
    (src / "records.json").write_text('[{"text": "low half \\udc00"}]', encoding="utf-8")
    result = run("clean", str(src), str(tmp_path / "out"), "--id-field", "id")
    assert result.exit_code == 1
    assert sorted(result.stderr.splitlines()) == [
        "error: corpus.jsonl: line 2: its text holds a lone UTF-16 surrogate (U+D800 at character 13), which is not "
        "a character; fix the escape in the producer; copied unchanged, not cleaned",
        "error: records.json: record 1 (line 1): its text holds a lone UTF-16 surrogate (U+DC00 at character 10), "
        "which is not a character; fix the escape in the producer; copied unchanged, not cleaned",
    ]
    out = (tmp_path / "out" / "corpus.jsonl").read_bytes().splitlines(keepends=True)
    expected = JSONL_OUT.encode().splitlines(keepends=True)
    assert out == [expected[0], lone.encode(), expected[1]]
    assert (tmp_path / "out" / "records.json").read_bytes() == (src / "records.json").read_bytes()


def test_a_jsonl_file_without_the_text_field_says_which_fields_it_has(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    records = [{"url": "https://example.com/a", "body": ARTICLE[0]}, {"url": "https://example.com/b", "body": ARTICLE[1]}]
    data = "".join(json.dumps(r) + "\n" for r in records)
    (src / "c.jsonl").write_text(data, encoding="utf-8")
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: c.jsonl: line {n}: no 'text' field; fields: body, url (try --text-field); copied unchanged, not cleaned"
        for n in (1, 2)
    ]
    assert (tmp_path / "out" / "c.jsonl").read_text(encoding="utf-8") == data
    result = run("clean", str(src), str(tmp_path / "out2"), "--text-field", "body")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.output.startswith("1 files read, 1 written, 0 failed; 2 documents, 0 blocks removed")


@pytest.mark.parametrize("hostile", ["../../etc/x", "/etc/passwd", "a\x00b", "..", "C:\\Windows\\x", "line\nbreak"])
def test_hostile_ids_name_documents_in_the_report_and_never_become_paths(tmp_path, hostile):
    src = tmp_path / "in"
    src.mkdir()
    record = {"id": hostile, "url": f"https://example.com/{hostile}", "title": hostile,
              "text": f"{ARTICLE[0]}\nSign up for our newsletter"}
    (src / "c.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    before = files_under(tmp_path)
    result = run("clean", str(src), str(tmp_path / "out"), "--id-field", "id")
    assert result.exit_code == 0
    created = sorted(set(files_under(tmp_path)) - set(before))
    assert created == [
        "out/.dedupe-output.json", *(f"out/_report/{name}" for name in REPORT_FILES), "out/c.jsonl",
    ]
    removal = json.loads((tmp_path / "out" / "_report" / "removals.jsonl").read_text(encoding="utf-8"))
    shown = hostile.replace("\x00", "\\x00").replace("\n", "\\x0a")
    assert removal["file"] == f"c.jsonl#{shown}"
    diff = (tmp_path / "out" / "_report" / "changes.diff").read_text(encoding="utf-8")
    # quoted the way git quotes a name that holds a backslash (dedupe.text.quote_path)
    quoted = "\"{}/c.jsonl#" + shown.replace("\\", "\\\\") + "\"" if "\\" in shown else "{}/c.jsonl#" + shown
    assert diff.splitlines()[:2] == [f"--- {quoted.format('a')}", f"+++ {quoted.format('b')}"]


def test_duplicate_or_missing_ids_fall_back_to_unique_line_names(tmp_path):
    from dedupe.formats.jsonl import read_jsonl

    src = tmp_path / "in"
    src.mkdir()
    records = [{"id": "5", "text": "a"}, {"id": "5", "text": "b"}, {"text": "c"}, {"id": True, "text": "d"}, {"id": 3, "text": "e"}]
    (src / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    docs, notices = read_jsonl(src, "c.jsonl", Config(id_field="id"))
    assert [d.id for d in docs] == ["c.jsonl#5", "c.jsonl#2", "c.jsonl#3", "c.jsonl#4", "c.jsonl#5@5"]
    assert [(n.message, n.failed) for n in notices] == [
        ("4 records have no usable 'id' field (a string or number, unique in the file); named FILE#LINE instead", False)
    ]


def test_a_duplicate_documents_line_is_dropped_and_the_others_keep_their_order(tmp_path):
    src, dst = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    lines = ['{"text": "one", "k": 1}\n', '{"text": "two", "k": 2}\n', '{"text": "three", "k": 3}\n']
    (src / "c.jsonl").write_text("".join(lines), encoding="utf-8")
    docs = [Document(id=f"c.jsonl#{i}", text=t, format="jsonl", meta=(("line", str(i)),))
            for i, t in ((1, "one"), (2, "two"), (3, "three"))]
    results = [DocResult(file=d.id, cleaned=d.text) for d in docs]
    results[1].dropped = True
    results[2].cleaned = "THREE"
    assert write_jsonl(src, dst, "c.jsonl", docs, results, Config()) == "c.jsonl"
    assert (dst / "c.jsonl").read_text(encoding="utf-8") == lines[0] + '{"text": "THREE", "k": 3}\n'


@given(
    record=st.dictionaries(
        st.text(max_size=6),
        st.recursive(st.none() | st.booleans() | st.integers() | st.text(), lambda c: st.lists(c, max_size=3), max_leaves=5),
        max_size=5,
    ),
    text=st.text(),
    cleaned=st.text(),
    ascii_escapes=st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_replacing_the_text_field_changes_that_value_and_nothing_else(record, text, cleaned, ascii_escapes):
    record = {**record, "text": text}
    raw = (json.dumps(record, ensure_ascii=ascii_escapes) + "\n").encode("utf-8")
    new = replace_field(raw, ("text",), cleaned)
    assert json.loads(new) == {**record, "text": cleaned}
    assert new.endswith(b"\n")
    if cleaned == text:
        assert new == raw


# --- compression, selection, configuration ---------------------------------


def test_compressed_inputs_are_read_and_written_back_compressed_reproducibly(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "c.jsonl.gz").write_bytes(gzip.compress(JSONL_IN.encode(), mtime=12345))
    (src / "p.html.gz").write_bytes(gzip.compress(page("Flood", ARTICLE).encode()))
    assert run("clean", str(src), str(tmp_path / "out"), "--id-field", "id").exit_code == 0
    assert run("clean", str(src), str(tmp_path / "out2"), "--id-field", "id").exit_code == 0
    assert gzip.decompress((tmp_path / "out" / "c.jsonl.gz").read_bytes()).decode() == JSONL_OUT
    assert gzip.decompress((tmp_path / "out" / "p.txt.gz").read_bytes()).decode() == "\n".join(ARTICLE) + "\n"
    for name in ("c.jsonl.gz", "p.txt.gz"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "out2" / name).read_bytes()


def test_zstd_jsonl_round_trips(tmp_path):
    zstandard = pytest.importorskip("zstandard", reason="zstandard is not installed (pip install 'dedupe[zstd]')")
    src = tmp_path / "in"
    src.mkdir()
    (src / "c.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(JSONL_IN.encode()))
    assert run("clean", str(src), str(tmp_path / "out"), "--id-field", "id").exit_code == 0
    out = (tmp_path / "out" / "c.jsonl.zst").read_bytes()
    assert zstandard.ZstdDecompressor().decompressobj().decompress(out).decode() == JSONL_OUT


@pytest.mark.parametrize("name", ["c.jsonl.gz", "p.html.gz"])
def test_a_truncated_compressed_file_is_an_error_naming_it_and_the_others_are_written(tmp_path, name):
    src = tmp_path / "in"
    src.mkdir()
    data = gzip.compress((JSONL_IN if name.endswith("jsonl.gz") else page("Flood", ARTICLE)).encode() * 20)
    (src / name).write_bytes(data[: len(data) // 2])
    (src / "ok.txt").write_text("A text file beside it.\n", encoding="utf-8")
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {name}: truncated gzip file (it ends before its compressed stream does); skipped: "
        "re-download or re-compress it (gzip -t tests a file)\n"
    )
    assert files_under(tmp_path / "out")[-1] == "ok.txt"


def test_a_file_named_gz_that_is_not_gzip_is_refused(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "c.jsonl.gz").write_text(JSONL_IN, encoding="utf-8")
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.stderr == (
        "error: c.jsonl.gz: named .gz but not gzip data; skipped: rename it or re-compress it with gzip\n"
    )


def test_a_mixed_folder_reads_each_file_by_its_format_and_include_exclude_select(tmp_path):
    src = tmp_path / "in"
    (src / "web").mkdir(parents=True)
    (src / "web" / "p.html").write_text(page("Flood", ARTICLE), encoding="utf-8")
    (src / "web" / "draft.html").write_text(page("Draft", ARTICLE[:1]), encoding="utf-8")
    (src / "c.jsonl").write_text(JSONL_IN, encoding="utf-8")
    (src / "notes.txt").write_text("\n".join(ARTICLE) + "\nShare on Facebook\n", encoding="utf-8")
    # notes.txt and p.html carry the same article: keep both here, this test is about reading formats.
    result = run("clean", str(src), str(tmp_path / "out"), "--exclude", "draft.*", "--skip", "duplicate-document")
    assert result.exit_code == 0
    assert cleaned_files(tmp_path / "out") == ["c.jsonl", "notes.txt", "web/p.txt"]
    assert (tmp_path / "out" / "notes.txt").read_text(encoding="utf-8") == "\n".join(ARTICLE) + "\n"
    result = run("clean", str(src), str(tmp_path / "out2"), "--include", "*.html", "--exclude", "web/draft.html")
    assert result.exit_code == 0
    assert cleaned_files(tmp_path / "out2") == ["web/p.txt"]


def test_format_and_output_name_come_from_the_file_name_only():
    assert [format_of(n) for n in ("a.html", "a.HTM", "a.html.gz", "a.jsonl.zst", "a.json", "a.txt.gz", "html")] == [
        "html", "html", "html", "jsonl", "json", "txt", "txt",
    ]
    assert [output_rel(n) for n in ("d/a.html", "a.HTM", "a.html.gz", "a.jsonl.zst", "a.md")] == [
        "d/a.txt", "a.txt", "a.txt.gz", "a.jsonl.zst", "a.md",
    ]
    config = Config(include=("*.html", "keep/*"), exclude=("drafts/*",))
    assert [selected(n, config) for n in ("x/a.html", "keep/b.txt", "drafts/c.html", "d.txt")] == [True, True, False, False]


@pytest.mark.parametrize(
    "settings_, message",
    [
        ({"text_field": ""}, "text_field must be the name of a record's field (e.g. text), not ''"),
        ({"include": ("",)}, "include: every pattern must be a non-empty glob such as '*.html', not ('',)"),
        ({"html_favor": "both"}, "html_favor must be one of balanced, precision, recall, not 'both'"),
        ({"html_comments": "yes"}, "html_comments must be true or false, not 'yes'"),
    ],
)
def test_format_settings_are_checked(settings_, message):
    with pytest.raises(ConfigError) as e:
        Config(**settings_)
    assert str(e.value) == message


def test_format_flags_reach_the_config(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "c.jsonl").write_text('{"body": "Share on Facebook"}\n', encoding="utf-8")
    result = run("clean", str(src), str(tmp_path / "out"), "--text-field", "body", "--favor", "precision",
                 "--html-comments", "--include", "*.jsonl", "--exclude", "x*")
    assert result.exit_code == 0
    config = json.loads((tmp_path / "out" / "_report" / "summary.json").read_text())["config"]
    assert {k: config[k] for k in ("text_field", "id_field", "html_favor", "html_comments", "include", "exclude")} == {
        "text_field": "body", "id_field": "", "html_favor": "precision", "html_comments": True,
        "include": ["*.jsonl"], "exclude": ["x*"],
    }
    assert run("clean", str(src), str(tmp_path / "out3"), "--favor", "both").exit_code == 2


def test_cleaning_the_cleaned_tree_of_a_mixed_folder_removes_nothing_more(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "p.html").write_text(page("Flood", ARTICLE, "<p>Sign up for our newsletter</p>"), encoding="utf-8")
    (src / "c.jsonl").write_text(JSONL_IN, encoding="utf-8")
    assert run("clean", str(src), str(tmp_path / "out")).exit_code == 0
    result = run("clean", str(tmp_path / "out"), str(tmp_path / "again"))
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "2 files read, 2 written, 0 failed; 4 documents, 0 blocks removed"
    for name in ("p.txt", "c.jsonl"):
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()


def test_the_extraction_preference_and_comments_are_passed_to_trafilatura_with_its_dedup_off():
    from dedupe.formats.html import trafilatura_options

    assert trafilatura_options(Config()) == {
        "favor_precision": False, "favor_recall": False, "include_comments": False,
        "include_tables": True, "deduplicate": False,
    }
    assert trafilatura_options(Config(html_favor="precision", html_comments=True))["favor_precision"] is True
    assert trafilatura_options(Config(html_favor="recall"))["favor_recall"] is True


def test_a_pages_hostile_title_and_url_stay_metadata_and_never_become_paths(tmp_path):
    from dedupe.formats.html import read_html

    src = tmp_path / "in"
    src.mkdir()
    html = page("../../etc/x&#0;\n/abs", ARTICLE).replace(
        "<head>", '<head><link rel="canonical" href="file:///../../etc/passwd"><meta property="og:url" content="/../../x">'
    )
    (src / "p.html").write_text(html, encoding="utf-8")
    docs, _ = read_html(src, "p.html", Config())
    assert "\x00" not in "".join(v for _, v in docs[0].meta) and "\n" not in "".join(v for _, v in docs[0].meta)
    before = files_under(tmp_path)
    assert run("clean", str(src), str(tmp_path / "out")).exit_code == 0
    assert sorted(set(files_under(tmp_path)) - set(before)) == [
        "out/.dedupe-output.json", *(f"out/_report/{name}" for name in REPORT_FILES), "out/p.txt",
    ]


_NAME_PARTS = st.sampled_from([".", "a", "Z", "İ", "/", "gz", "GZ", "zst", "bz2", "xz", "html", "HTML", "jsonl", "json",
                               "parquet", "arrow", "pkl", "txt", "x.y"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_NAME_PARTS, max_size=8).map("".join))
def test_a_files_format_is_the_format_its_split_name_suffix_names(rel):
    """format_of reads the suffix as split_name cuts it (compression first, then the last dot), in whatever case."""
    from dedupe.formats import _FORMATS, split_name

    assert format_of(rel) == _FORMATS.get(split_name(rel)[1].lower(), "txt")


def test_a_utf8_text_file_is_handed_to_the_core_and_written_as_its_own_bytes(tmp_path):
    # Pass 2 reads a plain-text file's bytes once (`read_text_utf8`): only a file that holds exactly its text's
    # UTF-8 gives them, and cutting from them gives what cutting from the text gives, with the cleaned copy's
    # bytes beside it, so the copy written from those bytes is the one written from the text.
    from dedupe.config import Config
    from dedupe.formats.text import read_text_utf8, write_text
    from dedupe.pipeline import analyze_document, finish_document

    page = "Menu\nHome | News | Sport\n\nLe café ouvre à 8 h — tous les jours.\n\nLe café ouvre à 8 h — tous les jours.\n"
    (tmp_path / "in").mkdir()
    files = {"utf8.txt": page.encode("utf-8"), "bom.txt": b"\xef\xbb\xbf" + page.encode("utf-8"),
             "cp1252.txt": page.encode("cp1252")}
    for name, data in files.items():
        (tmp_path / "in" / name).write_bytes(data)
    config = Config()
    for name, data in files.items():
        (doc,), _, utf8 = read_text_utf8(tmp_path / "in", name, config)
        assert utf8 == (data if name == "utf8.txt" else None)
        analysis, _ = analyze_document(doc, config)
        plain, diff = finish_document(doc, analysis, config, records=False)
        fast, fast_diff = finish_document(doc, analysis, config, records=False, utf8=utf8)
        assert fast.cleaned == plain.cleaned != doc.text and (fast.report, fast_diff) == (plain.report, diff)
        assert fast.cleaned_utf8 == (None if utf8 is None else fast.cleaned.encode("utf-8"))
        for result, out in ((plain, "plain"), (fast, "fast")):
            write_text(tmp_path / "in", tmp_path / out, name, [doc], [result], config)
        assert (tmp_path / "fast" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()
