"""The allow-list: its format, its errors, and a run honouring it (no browser needed)."""
from __future__ import annotations

import json
from array import array
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedupe import clean
from dedupe.allow import AllowList, AllowListError, block_key, entry_line
from dedupe.cli import main
from dedupe.config import Config
from dedupe.cut import Claim, cut
from dedupe.report.html import CONTEXT_LINES, ReportError, Scan, _lines_at, render_report
from helpers import page_data

SAMPLES = Path(__file__).parent / "data" / "samples"
if not SAMPLES.is_dir():
    SAMPLES = Path(__file__).parent.parent / "samples"


def removals(report: Path) -> list[dict]:
    return [json.loads(line) for line in (report / "removals.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    clean(SAMPLES, out)
    return out


def test_the_key_of_a_removed_block_is_its_normalized_hash_so_case_and_punctuation_do_not_matter():
    assert block_key("Sign up for our newsletter!") == block_key("sign up  for OUR\nnewsletter")
    assert block_key("Sign up for our newsletter") != block_key("Sign up for their newsletter")
    assert re.fullmatch(r"xxh3:[0-9a-f]{16}", block_key("x"))


def test_entries_by_hash_or_text_match_their_category_chrome_or_any(tmp_path):
    key = block_key("Subscribe now")
    f = tmp_path / "allow.txt"
    f.write_text(
        "# reviewer's list\n\n"
        f"chrome:paywall {key}  # Subscribe now\n"
        "repeat text: The Same Words, again.\n"
        f"chrome {block_key('Share this')}\n"
        f"* {block_key('Anything')}\n",
        encoding="utf-8",
    )
    allow = AllowList.load(f)
    h = lambda text: int(block_key(text)[5:], 16)  # noqa: E731
    assert allow.match("chrome:paywall", h("subscribe NOW")) == f"{f}:3"
    assert allow.match("chrome:subscription", h("Subscribe now")) is None
    assert allow.match("repeat", h("the same words again")) == f"{f}:4"
    assert allow.match("chrome:social", h("Share this")) == f"{f}:5"
    assert allow.match("repeat", h("Share this")) is None
    assert allow.match("corpus-repeat", h("anything")) == f"{f}:6"
    assert len(allow) == 4


@pytest.mark.parametrize(
    "line, message",
    [
        ("chrom:paywall xxh3:0123456789abcdef", "allow.txt:2: unknown category 'chrom:paywall' (did you mean 'chrome:paywall'?)"),
        ("repeat 0123456789abcdef", "allow.txt:2: expected 'CATEGORY xxh3:<16 hex digits> [# note]' or 'CATEGORY text: BLOCK TEXT'"),
        ("repeat xxh3:0123", "allow.txt:2: expected 'CATEGORY xxh3:<16 hex digits>"),
        ("repeat text: !!!", "allow.txt:2: 'text:' is followed by no words"),
        ("repeat xxh3:0123456789abcdef trailing words", "allow.txt:2: expected"),
    ],
)
def test_a_malformed_line_is_named_by_file_and_line_with_the_fix(tmp_path, line, message):
    f = tmp_path / "allow.txt"
    f.write_text("# ok\n" + line + "\n", encoding="utf-8")
    with pytest.raises(AllowListError) as e:
        AllowList.load(f)
    assert message in str(e.value)
    assert str(tmp_path) in str(e.value)


def test_an_unreadable_or_non_utf8_allow_list_is_a_config_error(tmp_path):
    with pytest.raises(AllowListError, match="cannot read allow-list .*missing.txt"):
        AllowList.load(tmp_path / "missing.txt")
    f = tmp_path / "latin.txt"
    f.write_bytes(b"# ok\nrepeat text: caf\xe9\n")
    with pytest.raises(AllowListError, match=r"latin.txt:2: not UTF-8 text"):
        AllowList.load(f)


def test_a_note_cannot_smuggle_a_second_entry_onto_a_new_line(tmp_path):
    hostile = "keep me\n* text: the whole article\u2028repeat text: more\x1e\r chrome text: x"
    f = tmp_path / "allow.txt"
    f.write_text(entry_line("chrome:paywall", block_key(hostile), hostile) + "\n", encoding="utf-8")
    allow = AllowList.load(f)
    assert len(allow) == 1
    assert f.read_text(encoding="utf-8").count("\n") == 1


def test_the_cli_refuses_a_bad_allow_list_before_writing_anything(tmp_path):
    bad = tmp_path / "allow.txt"
    bad.write_text("repeat nonsense\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(SAMPLES), str(tmp_path / "out"), "--allow", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:1: expected 'CATEGORY xxh3:<16 hex digits> [# note]'" in result.output
    assert not (tmp_path / "out").exists()


def test_an_allowed_block_is_kept_recorded_and_counted(sample_run, tmp_path):
    before = removals(sample_run / "_report")
    target = next(r for r in before if r["category"] == "chrome:caption")
    allow = tmp_path / "allow.txt"
    allow.write_text("# kept after review\n" + entry_line(target["category"], block_key(target["text"]), target["text"]) + "\n",
                     encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["clean", str(SAMPLES), str(out), "--allow", str(allow), "-q"])
    assert result.exit_code == 0, result.output
    report = out / "_report"
    after = removals(report)
    assert [r for r in before if r is not target] == after
    allowed = [json.loads(line) for line in (report / "allowed.jsonl").read_text(encoding="utf-8").splitlines()]
    assert allowed == [{**target, "allow": f"{allow}:2"}]
    assert target["text"] in (out / target["file"]).read_text(encoding="utf-8")
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    assert summary["allowed"] == {"blocks": 1, "by_category": {"chrome:caption": 1}}
    assert summary["config"]["allow"] == str(allow)


def test_an_entry_for_another_category_does_not_keep_the_block(sample_run, tmp_path):
    target = next(r for r in removals(sample_run / "_report") if r["category"] == "chrome:caption")
    allow = tmp_path / "allow.txt"
    allow.write_text(f"repeat {block_key(target['text'])}\n", encoding="utf-8")
    run = clean(SAMPLES, tmp_path / "out", Config(allow=str(allow)))
    assert run.by_category == Counter_of(removals(sample_run / "_report"))
    assert (tmp_path / "out" / "_report" / "allowed.jsonl").read_text() == ""


def Counter_of(rows):  # noqa: N802 - reads as a noun in the assertion
    from collections import Counter

    return Counter(r["category"] for r in rows)


def test_every_clean_writes_the_page_and_dedupe_report_renders_the_same_bytes(sample_run):
    report = sample_run / "_report"
    page = (report / "index.html").read_bytes()
    result = CliRunner().invoke(main, ["report", str(report)])
    assert result.exit_code == 0, result.output
    assert result.output == f"review page: {report / 'index.html'}\n"
    assert (report / "index.html").read_bytes() == page


def test_the_page_is_byte_identical_run_to_run(tmp_path):
    import shutil

    clean(SAMPLES, tmp_path / "out")
    first = (tmp_path / "out" / "_report" / "index.html").read_bytes()
    shutil.rmtree(tmp_path / "out")
    clean(SAMPLES, tmp_path / "out")
    assert (tmp_path / "out" / "_report" / "index.html").read_bytes() == first


def test_the_page_pins_its_one_script_and_style_by_hash_and_loads_nothing(sample_run):
    import base64
    import hashlib

    text = (sample_run / "_report" / "index.html").read_text(encoding="utf-8")
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text).group(1)
    scripts = re.findall(r"<script>(.*?)</script>", text, re.S)
    styles = re.findall(r"<style>(.*?)</style>", text, re.S)
    assert len(scripts) == 1 and len(styles) == 1

    def pin(s):
        return "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"

    assert csp == f"default-src 'none'; script-src {pin(scripts[0])}; style-src {pin(styles[0])}; base-uri 'none'; form-action 'none'"
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", text)
    data = re.search(r'<script type="application/json" id=data>(.*?)</script>', text, re.S).group(1)
    rows = re.search(r'<script type="application/x-ndjson" id=rows>(.*?)</script>', text, re.S).group(1)
    assert not set("<>&") & set(data + rows)
    assert len(page_data(text)["files"]) == 5


def test_pages_split_the_files_and_every_page_counts_the_whole_run(sample_run, tmp_path):
    import shutil

    report = tmp_path / "_report"
    shutil.copytree(sample_run / "_report", report)
    pages = render_report(report, page_files=2)
    assert [p.name for p in pages] == ["index.html", "index-2.html", "index-3.html"]
    files = []
    n_removed = len(removals(report))
    for p in pages:
        text = p.read_text(encoding="utf-8")
        assert f"<b>{n_removed}</b><span>blocks removed</span>" in text
        files += [f["f"] for f in page_data(text)["files"]]
    assert files == sorted({r["file"] for r in removals(report)})
    (report / "index-notes.html").write_text("a reviewer's own file", encoding="utf-8")
    render_report(report)  # one page again: the other pages go, nothing else
    assert sorted(p.name for p in report.glob("index*.html")) == ["index-notes.html", "index.html"]


def test_pages_drawn_from_rows_with_blank_lines_and_crlf_are_the_pages_of_the_plain_rows(sample_run, tmp_path):
    """A run's page copies its rows from context.jsonl as the core wrote them (made safe for the page's script);
    a folder read back is read row by row, past blank lines and CR LF line ends, and its rows made safe (an
    earlier version wrote `<`, `>` and `&` as they are): the pages are the same. A row that is not UTF-8 is
    named."""
    import shutil

    plain, odd = tmp_path / "plain", tmp_path / "odd"
    shutil.copytree(sample_run / "_report", plain)
    shutil.copytree(sample_run / "_report", odd)
    rows = (plain / "context.jsonl").read_bytes().splitlines()
    assert len(rows) >= 3 and not any(set(b"<>&") & set(r) for r in rows)
    unsafe = [r.replace(b"\\u003c", b"<").replace(b"\\u003e", b">").replace(b"\\u0026", b"&") for r in rows]
    assert unsafe != rows  # (rows to make safe again)
    (odd / "context.jsonl").write_bytes(b"\n" + b"\r\n\n".join(unsafe) + b"\r\n\n")
    run_page = (plain / "index.html").read_bytes()  # copied by the run
    assert [p.read_bytes() for p in render_report(plain)] == [run_page]  # read back
    for page_files in (2, 1000):
        pages = [p.read_bytes() for p in render_report(plain, page_files=page_files)]
        assert [p.read_bytes() for p in render_report(odd, page_files=page_files)] == pages
    scan = Scan.read(plain)
    for report in (plain, odd):
        with open(report / "context.jsonl", "ab") as f:
            f.write(rows[0][:-3] + b'\xff"}\n')
        with pytest.raises(ReportError, match=r"context.jsonl: a row is not UTF-8 .*run dedupe clean again"):
            render_report(report, scan=scan)


def test_a_runs_pages_copy_their_rows_by_the_offsets_it_counted(sample_run, tmp_path):
    """Where the scan counted the rows' sizes as the run wrote them, each page's rows are copied from
    context.jsonl by their byte range and the top blocks' examples found by counting line ends: the same pages
    as reading the folder back, whatever the page size."""
    import shutil
    from itertools import accumulate

    report = tmp_path / "_report"
    shutil.copytree(sample_run / "_report", report)
    rows = (report / "context.jsonl").read_bytes().splitlines(keepends=True)
    for page_files in (1, 2, 3, 1000):
        read_back = [p.read_bytes() for p in render_report(report, page_files=page_files)]
        counted = Scan.read(report)
        counted.ends = array("Q", accumulate(map(len, rows)))
        assert [p.read_bytes() for p in render_report(report, page_files=page_files, scan=counted)] == read_back
        # A file of another size than counted (changed since) is read back, not copied.
        counted.ends[-1] += 1
        assert [p.read_bytes() for p in render_report(report, page_files=page_files, scan=counted)] == read_back


def test_lines_are_found_by_their_numbers_whatever_the_chunks():
    import io
    import random

    rng = random.Random(7)
    for trial in range(200):
        lines = [bytes(rng.choice(b"ab{}") for _ in range(rng.choice([0, 1, 3, 9, 40]))) for _ in range(rng.randint(1, 30))]
        data = b"\n".join(lines) + (b"\n" if rng.random() < 0.7 else b"")
        lines = data.splitlines()  # (a last empty line without its line end is no line)
        if not lines:
            continue
        numbers = sorted(rng.sample(range(1, len(lines) + 1), rng.randint(1, len(lines))))
        if rng.random() < 0.3:
            numbers = sorted(numbers + numbers[:2])  # asked twice
        want = [(n, lines[n - 1]) for n in sorted(set(numbers))]
        for chunk in (1, 2, 5, 64, 1 << 16):
            assert list(_lines_at(io.BytesIO(data), numbers, chunk)) == want, (trial, chunk)
    assert list(_lines_at(io.BytesIO(b"a\nb\n"), [3])) == []


def test_a_damaged_report_file_is_named_with_its_line(sample_run, tmp_path):
    import shutil

    report = tmp_path / "_report"
    shutil.copytree(sample_run / "_report", report)
    # The page is drawn from context.jsonl (one row per changed file): a damaged row is named with its line.
    bad_line = len((report / "context.jsonl").read_text(encoding="utf-8").splitlines()) + 1
    with open(report / "context.jsonl", "a", encoding="utf-8") as f:
        f.write("{not json\n")
    with pytest.raises(ReportError, match=rf"context.jsonl:{bad_line}: not valid JSON .*run dedupe clean again"):
        render_report(report)
    (report / "context.jsonl").unlink()
    with pytest.raises(ReportError, match=r"context.jsonl is missing; run dedupe clean again"):
        render_report(report)
    result = CliRunner().invoke(main, ["report", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "nowhere/summary.json is missing; is" in result.output


def test_context_comes_from_the_cleaned_text_around_each_cut():
    original = ["a\n", "\n", "cut 1\n", "\n", "b\n", "c\n", "d\n", "cut 2\n", "cut 3\n", "e\n"]
    removed = [Claim((3, 3), "repeat", "repeats:exact", 1.0, None, 0), Claim((8, 9), "repeat", "repeats:exact", 1.0,
                                                                            None, 0)]
    done = cut("x", "".join(original), removed)
    assert done.cleaned == "a\n\nb\nc\nd\ne\n"
    assert CONTEXT_LINES == 1  # one non-blank kept line a side (blank lines ride along as "")
    assert json.loads(done.report[2])["h"] == [
        [[3, 4], [[1, "a"], [2, ""]], [[5, "b"]]],
        [[8, 9], [[7, "d"]], [[10, "e"]]],
    ]


def page_files(pages: list[Path]) -> list[dict]:
    rows = []
    for p in pages:
        rows += page_data(p.read_text(encoding="utf-8"))["files"]
    return rows


def test_a_file_with_only_allowed_blocks_is_paged_with_the_others(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    para = "A paragraph that the writer of {} repeated twice, long enough to count as a repeat."
    for name in ("a.txt", "b.txt", "c.txt"):
        # Every line names its file: lines shared by all three would be template text (corpus-repeat).
        (src / name).write_text(f"Title of {name}\n" + para.format(name) + f"\nIn the middle of {name} stands a sentence of its own, which the article needs.\n" + para.format(name) + "\n",
                                encoding="utf-8")
    allow = tmp_path / "allow.txt"
    allow.write_text("repeat text: " + para.format("b.txt") + "\n", encoding="utf-8")
    clean(src, tmp_path / "out", Config(allow=str(allow)))
    report = tmp_path / "out" / "_report"
    shown = [("a.txt", 1, 0), ("b.txt", 0, 1), ("c.txt", 1, 0)]
    rows = page_files(render_report(report, page_files=1))
    assert [(f["f"], len(f["r"]), len(f["a"])) for f in rows] == shown  # run order, from context.jsonl
    assert [len(f["h"]) for f in rows] == [1, 0, 1]

