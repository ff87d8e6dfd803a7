"""Writing and the report: kept lines byte-for-byte, tidy blank lines, atomic files, a diff that applies."""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from dedupe import clean
from dedupe.config import Config
from dedupe.cut import Claim, cut
from dedupe.segment import segment, split_lines
from dedupe.write import atomic_write, output_path

from helpers import SAMPLES, removals, summary, tree_hashes, write_tree

P1 = ("The city council voted on Tuesday to expand the bike lane network by forty kilometres over the next "
      "three years, despite objections from some shop owners.")
P2 = ("Supporters said the plan would make cycling safer for children, while critics argued that the loss "
      "of parking spaces would hurt the shops.")
P3 = "The first stretch, along the river, is due to open next spring, the council said in a statement."
HIGHLIGHT = "- Critics argued that the loss of parking spaces would hurt the shops,"
REPEATS_ONLY = Config(only=("repeat", "near-repeat"))
CP1252_P = "“The café will close,” the owner said – and it did, after thirty years on the corner of the square."
CP1252_DOC = f"{CP1252_P}\r\n{P2}\r\n{CP1252_P}\r\n{P3}\r\n".encode("cp1252")


def keep_of(text: str, removed: set[int]) -> str:
    blocks = [b for b in segment(text) if b.index in removed]
    return cut("d.txt", text, [Claim(b.lines, "repeat", "repeats:exact", 1.0, None, 0) for b in blocks]).cleaned


# --- blank lines after a removal


def test_removing_a_middle_block_leaves_one_separator():
    assert keep_of("A one.\n\nB two.\n\nC three.\n", {1}) == "A one.\n\nC three.\n"


def test_removing_the_first_or_last_block_leaves_no_stray_blank_line():
    assert keep_of("A one.\n\nB two.\n\nC three.\n", {0}) == "B two.\n\nC three.\n"
    assert keep_of("A one.\n\nB two.\n\nC three.\n", {2}) == "A one.\n\nB two.\n"
    assert keep_of("\n\nA one.\n\n\nB two.\n\n", {0}) == "B two.\n\n"


def test_gaps_without_a_removal_are_left_exactly_as_they_were():
    text = "A one.\n\n\n\nB two.\n\nC three.\n \n\nD four.\n"
    assert keep_of(text, {2}) == "A one.\n\n\n\nB two.\n\nD four.\n"


def test_one_per_line_text_stays_without_blank_lines():
    assert keep_of("A one.\nB two.\nC three.\nD four.\n", {1, 2}) == "A one.\nD four.\n"


def test_removing_adjacent_blocks_and_whole_wrapped_paragraphs():
    text = "First para line one\nand line two here.\n\nSecond.\n\nThird.\n\nFourth.\n"
    blocks = segment(text)
    assert [b.lines for b in blocks] == [(1, 1), (2, 2), (4, 4), (6, 6), (8, 8)]
    assert keep_of(text, {2, 3}) == "First para line one\nand line two here.\n\nFourth.\n"


def test_removing_everything_leaves_an_empty_file():
    assert keep_of("A one.\n\nB two.\n", {0, 1}) == ""


# --- byte-for-byte


def clean_one(tmp_path, name: str, data: bytes, config: Config = REPEATS_ONLY) -> tuple[bytes, list[dict]]:
    src = write_tree(tmp_path / "in", {name: data})
    before = tree_hashes(src)
    clean(src, tmp_path / "out", config)
    assert tree_hashes(src) == before
    return (tmp_path / "out" / name).read_bytes(), removals(tmp_path / "out" / "_report")


def test_crlf_file_keeps_its_line_endings(tmp_path):
    text = f"{P1}\r\n\r\n{P2}\r\n\r\n{P1}\r\n\r\n{P3}\r\n"
    out, rem = clean_one(tmp_path, "crlf.txt", text.encode())
    assert out == f"{P1}\r\n\r\n{P2}\r\n\r\n{P3}\r\n".encode()
    assert [r["lines"] for r in rem] == [[5, 5]]
    assert rem[0]["text"] == P1  # no line ending in the report's text


def test_file_without_a_final_newline(tmp_path):
    out, _ = clean_one(tmp_path, "a.txt", f"{P1}\n\n{P2}\n\n{P1}".encode())
    assert out == f"{P1}\n\n{P2}\n".encode()
    out, _ = clean_one(tmp_path / "2", "a.txt", f"{P1}\n\n{P1}\n\n{P2}".encode())
    assert out == f"{P1}\n\n{P2}".encode()


def test_byte_order_mark_stays_at_the_head_even_when_the_first_line_goes(tmp_path):
    data = f"\ufeff{HIGHLIGHT}\n{P1}\n{P2}\n".encode()
    out, rem = clean_one(tmp_path, "bom.txt", data)
    assert [(r["lines"], r["category"]) for r in rem] == [([1, 1], "near-repeat")]
    assert rem[0]["text"] == HIGHLIGHT  # the mark is not text
    assert out == f"\ufeff{P1}\n{P2}\n".encode()


def test_cp1252_file_is_written_back_in_cp1252(tmp_path):
    p1 = "“The café will close,” the owner said – and it did, after thirty years on the corner of the square."
    text = f"{p1}\r\n{P2}\r\n{p1}\r\n{P3}\r\n"
    out, rem = clean_one(tmp_path, "w.txt", text.encode("cp1252"))
    assert out == f"{p1}\r\n{P2}\r\n{P3}\r\n".encode("cp1252")
    assert rem[0]["text"] == p1
    s = summary(tmp_path / "out" / "_report")
    assert s["warnings"] == [
        {"file": "w.txt", "message": "not valid UTF-8 (byte 0x93 at offset 0); decoded as cp1252 and written back as cp1252"}
    ]


def test_stray_carriage_returns_and_form_feeds_stay_inside_their_lines(tmp_path):
    data = f"{P1}\r\n\x0c\n{P2}\rstill line three\n{P1}\n".encode()
    out, _ = clean_one(tmp_path, "odd.txt", data)
    assert out == f"{P1}\r\n\x0c\n{P2}\rstill line three\n".encode()


# --- atomic writes


def test_atomic_write_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "f.txt"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.txt"]
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


def test_a_failed_write_keeps_the_old_file_and_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "f.txt"
    target.write_bytes(b"old")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]


def test_output_path_never_leaves_the_output_folder(tmp_path):
    assert output_path(tmp_path, "a/b.txt") == tmp_path / "a" / "b.txt"
    with pytest.raises(ValueError):
        output_path(tmp_path, "../escape.txt")


# --- the report


def apply_diff(diff: str, originals: dict[str, str]) -> dict[str, str]:
    """A small unified-diff applier for dedupe's zero-context, removal-only hunks; checks every removed line."""
    out = {}
    lines = split_lines(diff)  # on \n only: removed lines keep their \r
    i = 0
    while i < len(lines):
        assert lines[i].startswith("--- a/"), lines[i]
        rel = lines[i][6:].rstrip("\n")
        assert lines[i + 1] == f"+++ b/{rel}\n"
        src = split_lines(originals[rel])
        keep = [True] * len(src)
        i += 2
        while i < len(lines) and lines[i].startswith("@@ "):
            m = re.match(r"@@ -(\d+),(\d+) \+(\d+),0 @@ \S", lines[i])
            assert m, lines[i]
            start, count, before = map(int, m.groups())
            assert sum(keep[: start - 1]) == before  # the new-file position agrees with the removals so far
            i += 1
            for k in range(start - 1, start - 1 + count):
                assert lines[i][0] == "-"
                removed = lines[i][1:]
                if i + 1 < len(lines) and lines[i + 1] == "\\ No newline at end of file\n":
                    removed = removed[:-1]
                    i += 1
                assert removed == src[k]
                keep[k] = False
                i += 1
        out[rel] = "".join(line for line, k in zip(src, keep) if k)
    return out


def test_changes_diff_reproduces_the_cleaned_files(tmp_path, samples_copy):
    extra = {
        "cp1252.txt": CP1252_DOC,
        "crlf.txt": f"{P1}\r\n\r\n{P2}\r\n\r\n{P1}\r\n".encode(),
        "tail.txt": f"{P1}\n{P2}\n{P1}".encode(),
        "nested/dir/same.txt": f"{P3}\n".encode(),
    }
    write_tree(samples_copy, extra)
    out = tmp_path / "out"
    clean(samples_copy, out)
    # Like `diff -u`, the diff holds each file's own bytes: read everything as bytes in a str.
    diff = (out / "_report" / "changes.diff").read_bytes().decode("utf-8", "surrogateescape")
    originals = {
        p.relative_to(samples_copy).as_posix(): p.read_bytes().decode("utf-8", "surrogateescape")
        for p in samples_copy.rglob("*")
        if p.is_file()
    }
    applied = apply_diff(diff, originals)
    assert set(applied) == {r["file"] for r in removals(out / "_report")}
    assert "cp1252.txt" in applied
    dropped = {r["file"] for r in removals(out / "_report") if r["category"] == "duplicate-document"}
    assert dropped == {"tail.txt"}  # the same paragraphs as crlf.txt: a duplicate document, not written
    for rel, text in applied.items():
        # A dropped duplicate's hunk removes every line: the patched file is empty.
        written = b"" if rel in dropped else (out / rel).read_bytes()
        assert written == text.encode("utf-8", "surrogateescape"), rel
    assert "nested/dir/same.txt" not in applied  # an unchanged file has no hunk


def test_gnu_patch_applies_changes_diff(tmp_path, samples_copy):
    if shutil.which("patch") is None:
        pytest.skip("GNU patch is not installed; the pure-Python applier test covers the diff")
    write_tree(
        samples_copy,
        {
            "cp1252.txt": CP1252_DOC,
            "crlf.txt": f"{P1}\r\n\r\n{P2}\r\n\r\n{P1}\r\n".encode(),
            "tail.txt": f"{P1}\n{P2}\n{P1}".encode(),
        },
    )
    out = tmp_path / "out"
    clean(samples_copy, out)
    patched = tmp_path / "patched"
    shutil.copytree(samples_copy, patched)
    proc = subprocess.run(
        ["patch", "-p1", "--batch", "--forward", "-d", str(patched), "-i", str(out / "_report" / "changes.diff")],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for p in sorted(patched.iterdir()):
        if p.suffix in (".orig", ".rej"):
            continue
        # tail.txt repeats crlf.txt: a dropped duplicate document, which the diff empties.
        written = (out / p.name).read_bytes() if (out / p.name).exists() else b""
        assert p.read_bytes() == written, p.name
    assert not (out / "tail.txt").exists()


def test_hunk_headers_name_the_reason(tmp_path, samples_copy):
    out = tmp_path / "out"
    clean(samples_copy, out)
    diff = (out / "_report" / "changes.diff").read_text(encoding="utf-8")
    assert "@@ -22,16 +18,0 @@ repeat of lines 6-21\n" in diff  # 002's body, pasted twice
    assert "@@ -3,4 +2,0 @@ repeat of line 1\n" in diff  # 003's headline, three times
    # 002's highlight bullets, which the body says again (the page shows no site's template: its "Highlights"
    # heading is not cut as a menu outside the article)
    assert "@@ -2,3 +1,0 @@ near repeat of lines 6, 7, 13\n" in diff
    # 004's credit line, then its paywall, plans and newsletters
    assert "@@ -1,1 +0,0 @@ chrome:credits\n" in diff
    for header in re.findall(r"^@@ .*$", diff, flags=re.M):
        assert re.fullmatch(r"@@ -\d+,\d+ \+\d+,0 @@ \S.*", header), header


def test_removals_jsonl_objects_have_exactly_the_contract_keys(tmp_path, samples_copy):
    out = tmp_path / "out"
    clean(samples_copy, out)
    rows = removals(out / "_report")
    assert rows
    sources = {p.name: p.read_text(encoding="utf-8").split("\n") for p in samples_copy.iterdir()}
    for r in rows:
        assert set(r) == {"file", "lines", "category", "detector", "score", "duplicate_of", "text"}
        first, last = r["lines"]
        assert 1 <= first <= last
        assert r["text"] == "\n".join(sources[r["file"]][first - 1 : last])
        assert isinstance(r["score"], float) and 0 <= r["score"] <= 1
        if r["duplicate_of"] is not None:
            assert set(r["duplicate_of"]) == {"file", "lines"}
    assert [(r["file"], r["lines"]) for r in rows] == sorted((r["file"], r["lines"]) for r in rows)


def test_summary_json_fields(tmp_path, samples_copy):
    out = tmp_path / "out"
    run = clean(samples_copy, out, Config(near_threshold=0.85))
    s = summary(out / "_report")
    from dedupe import __version__

    assert set(s) >= {"version", "input", "output", "removed", "files", "failed", "warnings", "timings", "config", "exit_status"}
    assert s["version"] == __version__
    assert s["config"]["near_threshold"] == 0.85
    assert s["input"]["files"] == 5 and s["output"]["files_written"] == 5
    total_in = sum(len(p.read_text(encoding="utf-8")) for p in samples_copy.iterdir())
    total_out = sum(len((out / p.name).read_text(encoding="utf-8")) for p in samples_copy.iterdir())
    assert (s["input"]["chars"], s["output"]["chars"]) == (total_in, total_out)
    rows = removals(out / "_report")
    by_cat: dict[str, int] = {}
    for r in rows:
        by_cat[r["category"]] = by_cat.get(r["category"], 0) + 1
    assert {k: v["count"] for k, v in s["removed"]["by_category"].items()} == by_cat
    assert s["removed"]["blocks"] == len(rows) == sum(sum(f["removed"].values()) for f in s["files"].values())
    assert {"read", "segment", "sign", "detect", "decide", "write", "total"} <= set(s["timings"])
    assert s["exit_status"] == run.exit_code == 0


def test_a_cleaned_copy_never_lands_outside_out(tmp_path: Path):
    from dedupe.write import forget_folders, output_path

    forget_folders()
    out = tmp_path / "out"
    (out / "site").mkdir(parents=True)
    assert output_path(out, "site/a.txt") == out / "site" / "a.txt"
    for rel in ("../a.txt", "site/../../a.txt", str(tmp_path / "abs.txt"), ""):
        with pytest.raises(ValueError, match="outside the output folder"):
            output_path(out, rel)
    # A folder in OUT that is a symlink to somewhere else must not redirect the copy.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "linked").symlink_to(elsewhere)
    with pytest.raises(ValueError, match="outside the output folder"):
        output_path(out, "linked/a.txt")


def test_atomic_write_leaves_no_temporary_file_and_remakes_a_folder_that_went_away(tmp_path: Path):
    import shutil

    from dedupe.write import atomic_write

    target = tmp_path / "d" / "f.txt"
    atomic_write(target, b"one")
    shutil.rmtree(tmp_path / "d")
    atomic_write(target, b"two")  # this process had seen the folder: it is made again
    assert target.read_bytes() == b"two"
    assert [p.name for p in (tmp_path / "d").iterdir()] == ["f.txt"]


def test_the_page_keys_carried_from_pass_one_equal_the_keys_of_the_removed_texts(tmp_path: Path):
    """A removed block's key on the review page is its pass-1 hash; it must be the hash of its text, or the
    allow-list made from the page would not match (indentation, line breaks and case do not count)."""
    from dedupe.allow import block_key

    src = tmp_path / "in"
    src.mkdir()
    text = f"  {P1}\n\n{P2}\nMenu | Home\n\n{P1.upper()}\n   \n  {P1}\n"
    (src / "a.txt").write_text(text, encoding="utf-8")
    shutil.copytree(SAMPLES, src / "samples")
    clean(src, tmp_path / "out")
    report = tmp_path / "out" / "_report"
    rows = [json.loads(line) for line in (report / "context.jsonl").read_text(encoding="utf-8").splitlines()]
    items = [i for row in rows for i in row["r"]]
    texts = [r["text"] for r in removals(report)]
    assert len(items) == len(texts) > 5
    assert [i["k"] for i in items] == [block_key(t) for t in texts]


def test_a_write_told_not_to_make_its_folder_fails_once_the_folder_is_gone(tmp_path: Path):
    """Pass 1's scratch files: a late task must not bring back a scratch folder its run has deleted."""
    from dedupe.write import atomic_write

    folder = tmp_path / "scratch"
    folder.mkdir()
    atomic_write(folder / "a.pickle", b"1", make_folder=False)
    shutil.rmtree(folder)
    with pytest.raises(FileNotFoundError):
        atomic_write(folder / "b.pickle", b"2", make_folder=False)
    assert not folder.exists()


def test_a_finding_is_eligible_as_only_skip_and_the_chrome_threshold_say():
    """The core removes a block by a finding as the per-category floor (`decide.floor_of`, from
    Config.score_floors) says; it answers as the rule it stands for, for known and unknown categories, at and
    around the threshold, NaN included, and after a pickle."""
    import math
    import pickle

    from dedupe.decide import decide, found_of
    from dedupe.records import Finding

    configs = [Config(), Config(only=("chrome",)), Config(skip=("repeat", "chrome:social")),
               Config(chrome_threshold=0.7), pickle.loads(pickle.dumps(Config(chrome_threshold=0.65)))]
    for config in configs:
        for category in ("repeat", "near-repeat", "corpus-repeat", "chrome:social", "chrome:legal", "other"):
            for score in (0.0, 0.5, 0.6, 0.65, 0.7, 0.9, 1.0, math.nan):
                below = category.startswith("chrome:") and score < config.chrome_threshold
                rule = config.wants(category) and not below
                got = decide(found_of([Finding(0, category, "x", score)]), config)
                assert got == ({0: category} if rule else {}), (category, score)


@pytest.mark.parametrize("step", [None, 1, 5, 64])
def test_parts_written_atomically_are_the_parts_end_to_end_whatever_each_write_takes(tmp_path: Path, monkeypatch,
                                                                                      step):
    # (a write may take fewer bytes than it was given: what is left goes in the next one)
    from dedupe.write import atomic_write_parts

    real = os.writev
    if step is not None:
        def writev(fd, views):
            taken, out = step, []
            for v in views:
                out.append(v[:taken])
                taken -= len(out[-1])
            return real(fd, [v for v in out if len(v)])

        monkeypatch.setattr(os, "writev", writev)
    parts = [b"first part\n", b"", "caf\u00e9 \u65e5\n".encode(), bytes(range(256)) * 3, b"end"]
    atomic_write_parts(tmp_path / "out.bytes", parts)
    assert (tmp_path / "out.bytes").read_bytes() == b"".join(parts)
    assert [p.name for p in tmp_path.iterdir()] == ["out.bytes"]


# --- writes relative to their folder (a batch's cleaned copies)


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts this process's descriptors in /proc")
def test_writes_in_folders_are_renamed_in_their_folder_and_leave_no_descriptor_open(tmp_path, monkeypatch):
    from dedupe.write import in_folders

    renames, real = [], os.rename
    monkeypatch.setattr(os, "rename", lambda *a, **k: (renames.append(k), real(*a, **k))[1])
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "old.txt").write_bytes(b"old")
    before = _open_descriptors()
    rels = ["a/old.txt", "a/new.txt", "b/c/one.txt", "a/again.txt"]
    with in_folders():
        for rel in rels:
            atomic_write(tmp_path / rel, rel.encode())
        assert _open_descriptors() == before + 1  # the last folder's, one at a time
    assert _open_descriptors() == before
    assert [(tmp_path / rel).read_bytes() for rel in rels] == [rel.encode() for rel in rels]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == sorted(rels)
    assert len(renames) == 4 and all(k.get("src_dir_fd") is not None for k in renames)


def test_a_folder_removed_between_writes_in_folders_is_made_again_or_fails_as_told(tmp_path):
    from dedupe.write import in_folders

    with in_folders():
        atomic_write(tmp_path / "d" / "f.txt", b"one")
        shutil.rmtree(tmp_path / "d")
        atomic_write(tmp_path / "d" / "f.txt", b"two")  # (its descriptor names a folder that is gone)
        assert [p.name for p in (tmp_path / "d").iterdir()] == ["f.txt"]
        assert (tmp_path / "d" / "f.txt").read_bytes() == b"two"
        (tmp_path / "scratch").mkdir()
        atomic_write(tmp_path / "scratch" / "a.pickle", b"1", make_folder=False)
        shutil.rmtree(tmp_path / "scratch")
        with pytest.raises(FileNotFoundError):
            atomic_write(tmp_path / "scratch" / "b.pickle", b"2", make_folder=False)
    assert not (tmp_path / "scratch").exists()


def test_a_failed_write_in_folders_keeps_the_old_file_and_cleans_up(tmp_path, monkeypatch):
    from dedupe.write import in_folders

    target = tmp_path / "f.txt"
    target.write_bytes(b"old")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", boom)
    with in_folders(), pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]


def test_a_write_in_another_folder_inside_one_in_folders_leaves_the_first_its_folder(tmp_path):
    """A file being written keeps its folder's descriptor: a write into another folder meanwhile goes by its path
    (closing the first folder's descriptor would have renamed the first file wherever its number went next)."""
    from dedupe.write import atomic_stream, in_folders

    with in_folders():
        with atomic_stream(tmp_path / "a" / "outer.txt") as out:
            out.write(b"outer")
            atomic_write(tmp_path / "a" / "beside.txt", b"beside")
            atomic_write(tmp_path / "b" / "inner.txt", b"inner")
        atomic_write(tmp_path / "b" / "after.txt", b"after")
    files = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert files == {"a/outer.txt": b"outer", "a/beside.txt": b"beside", "b/inner.txt": b"inner",
                     "b/after.txt": b"after"}
