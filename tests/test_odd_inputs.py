"""Odd inputs a crawl may hold: each gets its exit status and a message, and never a wrong output."""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.read import walk
from dedupe.text import quote_path, visible

from helpers import summary, write_tree

P1 = "The council approved the new budget on Tuesday after a long debate about school funding and repairs."
P2 = "Members argued for three hours over the share that should go to repairing older buildings in town."
Q1 = "The harbour reopened on Friday after engineers finished testing the repaired lock gates downstream."
Q2 = "Fishing boats queued from dawn, and the first trawler passed through shortly after eight o'clock."
ARTICLE = f"{P1}\n\n{P2}\n\n{P1}\n"  # its last paragraph repeats its first: one removal


def test_a_tree_a_thousand_folders_deep_is_walked(cli, tmp_path):
    src = deep = tmp_path / "in"
    src.mkdir()
    for _ in range(1000):  # a 2,000-character path: os.walk (Python 3.11) recursed past its limit
        deep = deep / "d"
        deep.mkdir()
    (deep / "a.txt").write_text(ARTICLE)
    result = cli("clean", src, tmp_path / "out", "-q")
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "out" / deep.relative_to(src) / "a.txt"
    try:
        assert out.read_text() == f"{P1}\n\n{P2}\n"
    finally:  # shutil.rmtree (pytest's cleanup) recurses too: take the trees down from the bottom
        for top in (src, tmp_path / "out"):
            for here, _folders, files, _errors in reversed(list(walk(top))):
                for name in files:
                    os.unlink(os.path.join(here, name))
                if here != str(top):
                    os.rmdir(here)


@pytest.mark.parametrize("name", ["new\nline.txt", 'quote".txt', "back\\slash.txt", "esc\x1b[31m.txt",
                                  "\u202egnp.txt"])
def test_odd_names_are_quoted_in_the_diff_as_git_does_and_shown_escaped(cli, tmp_path, name):
    src = write_tree(tmp_path / "in", {name: ARTICLE, "other.txt": f"{Q1}\n\n{Q2}\n"})
    result = cli("clean", src, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    diff = (tmp_path / "out" / "_report" / "changes.diff").read_text(encoding="utf-8")
    header = diff.splitlines()[0]
    assert header == f"--- {quote_path('a/' + name)}"
    assert len([line for line in diff.splitlines() if line.startswith("@@")]) == 1  # no forged hunk
    assert (tmp_path / "out" / name).read_text() == f"{P1}\n\n{P2}\n"


def test_the_review_page_shows_names_as_the_terminal_does(tmp_path):
    # The page's script draws file names through vis(): the same escapes as dedupe.text.visible.
    import shutil
    import subprocess

    from dedupe.report.html import _SCRIPT

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the page's vis() is not run here (the browser tests run the page)")
    start = _SCRIPT.index("  function vis(t) {")
    end = _SCRIPT.index("\n  }\n", start) + 4
    names = ["plain.txt", "\u202egnp.txt", "esc\x1b[31m.txt", "new\nline\t.txt", "c1\x85.txt", "caf\u00e9.txt"]
    script = _SCRIPT[start:end] + f"\nprocess.stdout.write(JSON.stringify({json.dumps(names)}.map(vis)));"
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [visible(n) for n in names]
    assert visible("\u202egnp.txt") == "\\u202egnp.txt"


def test_git_quoting_matches_git(tmp_path):
    # What `git diff` prints for these names (core.quotePath=false): C escapes, octal for other bytes.
    assert quote_path("a/plain.txt") == "a/plain.txt"
    assert quote_path("a/café.txt") == "a/café.txt"
    assert quote_path("a/new\nline.txt") == '"a/new\\nline.txt"'
    assert quote_path('a/q"t\\.txt') == '"a/q\\"t\\\\.txt"'
    assert quote_path("a/esc\x1b.txt") == '"a/esc\\033.txt"'
    assert quote_path("a/\u202egnp.txt") == '"a/\\342\\200\\256gnp.txt"'


def test_control_characters_in_names_reach_the_terminal_escaped(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"ok.txt": ARTICLE})
    (src / "bad\x1b]0;pwned\x07.txt").write_bytes(b"\x00\x01binary")
    result = cli("clean", src, tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == "error: bad\\x1b]0;pwned\\x07.txt: binary file (it contains NUL bytes); skipped\n"
    assert visible("a\u202eb\nc") == "a\\u202eb\\nc"


def test_a_symlink_leading_outside_in_is_skipped_with_a_warning_unless_followed(cli, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text(f"{Q1}\n\n{Q2}\n")
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE})
    (src / "link.txt").symlink_to(outside)
    (src / "b.txt").write_text(f"{Q2}\n\n{Q1} Again.\n")
    (src / "sub").mkdir()
    (src / "sub" / "inside.txt").symlink_to(src / "b.txt")  # inside IN: read as before
    result = cli("clean", src, tmp_path / "out")
    assert result.exit_code == 0
    assert ("warning: link.txt: symlink to a file outside the input folder; skipped (pass --follow-symlinks to "
            "read it)") in result.stderr
    assert not (tmp_path / "out" / "link.txt").exists()
    # The link inside IN was read: it is b.txt again, so a duplicate document of it.
    assert summary(tmp_path / "out" / "_report")["files"]["sub/inside.txt"]["removed"] == {"duplicate-document": 1}
    followed = cli("clean", src, tmp_path / "out2", "--follow-symlinks", "-q")
    assert followed.exit_code == 0
    assert (tmp_path / "out2" / "link.txt").read_text() == f"{Q1}\n\n{Q2}\n"


@pytest.mark.parametrize("options,data", [
    ((), b"\xef\xbb\xbfShare on Facebook\n" + P1.encode() + b"\n" + P2.encode() + b"\n"),
    (("--encoding", "utf-8"), b"\xef\xbb\xbfShare on Facebook\n" + P1.encode() + b"\n" + P2.encode() + b"\n"),
    ((), b"\xef\xbb\xbfShare on Facebook\n" + P1.encode() + b" caf\xe9\n" + P2.encode() + b"\n"),  # read as cp1252
], ids=["utf-8-sig", "--encoding utf-8", "cp1252"])
def test_the_byte_order_mark_stays_when_its_line_goes(cli, tmp_path, options, data):
    src = write_tree(tmp_path / "in", {"a.txt": data})
    result = cli("clean", src, tmp_path / "out", "-q", *options)
    assert result.exit_code == 0, result.stderr
    out = (tmp_path / "out" / "a.txt").read_bytes()
    assert out == b"\xef\xbb\xbf" + data.split(b"\n", 1)[1]  # the first line went, its mark did not


def test_a_file_larger_than_max_doc_mb_once_decompressed_is_skipped_unread(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, "big.txt": "x" * (2 << 20)})
    (src / "bomb.txt.gz").write_bytes(gzip.compress(b"y " * (3 << 20)))  # 6 MB from a few KB
    (tmp_path / "cfg.toml").write_text("max_doc_mb = 1\n")
    result = cli("clean", src, tmp_path / "out", "--config", tmp_path / "cfg.toml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: big.txt: larger than 1 MB; skipped: raise max_doc_mb (--config) to read it, or split the file",
        "error: bomb.txt.gz: larger than 1 MB once decompressed; skipped: raise max_doc_mb (--config) to read it, "
        "or split the file",
    ]
    assert sorted(f["file"] for f in summary(tmp_path / "out" / "_report")["failed"]) == ["big.txt", "bomb.txt.gz"]
    assert (tmp_path / "out" / "a.txt").exists()


def _codecs() -> list[str]:
    """The compressions to try: zstd only with its package."""
    try:
        import zstandard  # noqa: F401
    except ImportError:
        return [".gz", ".bz2", ".xz"]
    return [".gz", ".bz2", ".xz", ".zst"]


def _bomb(kind: str, head: bytes = b"", tail: bytes = b"", members: int = 64) -> bytes:
    """A real small bomb: `members` compressed members (streams, frames) of 1 MB each, a few KB in all."""
    from dedupe.formats.source import compress

    one = compress("x" + kind, b"a" * (1 << 20))
    return compress("x" + kind, head) + one * members + compress("x" + kind, tail)


@pytest.mark.parametrize("kind", _codecs())
def test_a_decompression_bomb_is_read_only_up_to_the_limit(kind):
    """Streamed: reading stops just past the limit, whatever the file would expand to (64 MB here)."""
    import tracemalloc

    from dedupe.errors import InputError
    from dedupe.formats.source import decompress

    bomb = _bomb(kind)
    assert len(bomb) < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="larger than 1 MB once decompressed"):
            decompress("bomb.txt" + kind, bomb, 1 << 20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20  # (xz's own dictionary takes 8 MB); decompressed whole, then checked: 64 MB
    assert decompress("ok.txt" + kind, _bomb(kind, members=2), 2 << 20) == b"a" * (2 << 20)  # at the limit: read


def test_bombs_of_every_compression_and_record_format_are_skipped_and_nothing_else_is_lost(cli, tmp_path):
    from dedupe.formats.source import compress

    other = f"{Q1}\n\n{Q2}\n\n{Q1}\n"
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, "small.jsonl": json.dumps({"text": other}) + "\n"})
    (src / "b.jsonl.gz").write_bytes(compress("b.jsonl.gz", (json.dumps({"text": Q2 + " " + P2}) + "\n").encode()))
    bombs = []
    for kind in _codecs():
        for name, head, tail in (("bomb.txt", b"", b""), ("bomb.jsonl", b'{"text": "', b'"}\n'),
                                 ("bomb.json", b'[{"text": "', b'"}]')):
            (src / (name + kind)).write_bytes(_bomb(kind, head, tail))
            bombs.append(name + kind)
    (tmp_path / "cfg.toml").write_text("max_doc_mb = 1\n")
    result = cli("clean", src, tmp_path / "out", "--config", tmp_path / "cfg.toml", "--jobs", "1")
    assert result.exit_code == 1
    assert sorted(result.stderr.splitlines()) == sorted(
        f"error: {b}: larger than 1 MB once decompressed; skipped: raise max_doc_mb (--config) to read it, "
        f"or split the file" for b in bombs)
    assert sorted(f["file"] for f in summary(tmp_path / "out" / "_report")["failed"]) == sorted(bombs)
    out = tmp_path / "out"
    assert (out / "a.txt").read_text() == f"{P1}\n\n{P2}\n"
    assert json.loads((out / "small.jsonl").read_text())["text"] == f"{Q1}\n\n{Q2}\n"
    assert gzip.decompress((out / "b.jsonl.gz").read_bytes()) == (json.dumps({"text": Q2 + " " + P2}) + "\n").encode()
    assert not any((out / b).exists() for b in bombs)


def test_a_jsonl_line_past_the_limit_in_a_file_read_in_pieces_is_skipped_unread(cli, tmp_path):
    from dedupe.formats.pieces import PIECE_BYTES

    record = json.dumps({"text": ARTICLE}) + "\n"
    lines = record * (PIECE_BYTES // len(record) + 10) + json.dumps({"text": "z " * (2 << 20)}) + "\n" + record
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, "big.jsonl": lines})
    (tmp_path / "cfg.toml").write_text("max_doc_mb = 1\n")
    result = cli("clean", src, tmp_path / "out", "--config", tmp_path / "cfg.toml", "--jobs", "1")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: big.jsonl: holds a line larger than 1 MB (after byte ")
    assert line.endswith("); skipped: raise max_doc_mb (--config) to read it, or split the record")
    assert (tmp_path / "out" / "a.txt").exists() and not (tmp_path / "out" / "big.jsonl").exists()


def test_zstd_under_the_limit_reads_every_frame(tmp_path):
    zstandard = pytest.importorskip("zstandard", reason="zstd needs the zstandard package")
    from dedupe.errors import InputError
    from dedupe.formats.source import decompress

    data = zstandard.ZstdCompressor().compress(b"a" * 100_000) + zstandard.ZstdCompressor().compress(b"b" * 10)
    assert decompress("x.zst", data, 200_000) == b"a" * 100_000 + b"b" * 10
    with pytest.raises(InputError, match="larger than 0 MB once decompressed"):
        decompress("x.zst", data, 50_000)


def test_the_run_state_of_an_interrupted_run_is_not_read_as_input(cli, tmp_path):
    from dedupe.read import list_inputs

    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, ".dedupe-run/run.json": "{}",
                                       ".dedupe-output.json": json.dumps({"complete": False})})
    assert list(list_inputs(src)) == ["a.txt"]


def test_a_large_one_line_document_takes_a_bounded_multiple_of_its_size(tmp_path):
    """A document of one 8 MB line (7% of max_doc_mb) peaks under 12 times its size above the interpreter's
    own memory (benchmarks/doc_memory.py: 9.7 at 47 MB; 13.3 when the chrome rules' word lookups ran on
    every word at once)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    from doc_memory import make_document, measure

    _, size = make_document(tmp_path / "in", 8, "one-line")
    got = measure(tmp_path / "in", tmp_path / "out")
    assert got["status"] == 0
    assert (got["peak_kb"] - got["base_kb"]) * 1024 < 12 * size


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from('ab/"\\\n\x1b\u202e\x85é. '), max_size=6), max_size=5))
def test_paths_need_quoting_in_a_diff_when_any_of_them_does(paths):
    """needs_quoting answers for many paths at once what quote_path would do to each."""
    from dedupe.text import needs_quoting

    assert needs_quoting(paths) == any(quote_path(p) != p for p in paths)
