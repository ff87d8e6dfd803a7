"""Reading: which files are inputs, in what order, and how bytes become text (or a clear refusal)."""
from __future__ import annotations

import os

import pytest

from dedupe.config import Config
from dedupe.errors import InputError
from dedupe.read import MARKER, decode, list_inputs, read_bytes, read_file

from helpers import write_tree

TEXT = "Prices rose again in March, the third monthly rise in a row.\n"


def test_every_regular_file_recursively_in_sorted_order(tmp_path):
    src = write_tree(tmp_path, {"b.txt": TEXT, "a/z.txt": TEXT, "a/b/c.md": TEXT, "A.txt": TEXT, ".hidden": TEXT})
    assert list(list_inputs(src)) == [".hidden", "A.txt", "a/b/c.md", "a/z.txt", "b.txt"]


def test_a_previous_report_and_marker_are_skipped_at_the_top_only(tmp_path):
    src = write_tree(
        tmp_path,
        {
            "doc.txt": TEXT,
            "_report/summary.json": "{}",
            "_report/changes.diff": "",
            MARKER: "{}",
            "sub/_report/summary.json": "{}",
            "sub/" + MARKER: "{}",
        },
    )
    assert list(list_inputs(src)) == ["doc.txt", "sub/.dedupe-output.json", "sub/_report/summary.json"]


def test_a_folder_named_report_without_a_summary_is_input(tmp_path):
    src = write_tree(tmp_path, {"_report/notes.txt": TEXT})
    assert list(list_inputs(src)) == ["_report/notes.txt"]


def test_utf8_is_read_as_is():
    assert decode("a.txt", "Café “quoted”\n".encode(), Config()) == ("Café “quoted”\n", "utf-8", None)


def test_utf8_with_a_byte_order_mark_keeps_the_mark_out_of_the_text():
    text, codec, warning = decode("a.txt", b"\xef\xbb\xbfHello\n", Config())
    assert (text, codec, warning) == ("Hello\n", "utf-8-sig", None)
    assert text.encode(codec) == b"\xef\xbb\xbfHello\n"


def test_cp1252_fallback_round_trips_and_is_named():
    data = "“Smart quotes” and a café – in Windows-1252\r\n".encode("cp1252")
    text, codec, warning = decode("w.txt", data, Config())
    assert codec == "cp1252" and text.startswith("“Smart quotes”")
    assert warning == "not valid UTF-8 (byte 0x93 at offset 0); decoded as cp1252 and written back as cp1252"
    assert text.encode(codec) == data


def test_latin1_fallback_when_cp1252_cannot_decode():
    data = b"abc \x81 def \xe9\n"  # 0x81 is undefined in cp1252
    text, codec, warning = decode("l.txt", data, Config())
    assert codec == "latin-1" and text.encode(codec) == data
    assert warning == "not valid UTF-8 (byte 0x81 at offset 4); decoded as latin-1 and written back as latin-1"


def test_binary_file_is_refused():
    with pytest.raises(InputError, match=r"^img.png: binary file \(it contains NUL bytes\); skipped$"):
        decode("img.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", Config())


def test_utf16_is_named_with_the_fix():
    data = "Hello\n".encode("utf-16")
    with pytest.raises(InputError) as e:
        decode("u.txt", data, Config())
    assert e.value.message == (
        "UTF-16 text (it starts with a UTF-16 byte-order mark); skipped: convert it to UTF-8, or pass --encoding utf-16"
    )
    assert decode("u.txt", data, Config(encoding="utf-16")) == ("Hello\n", "utf-16", None)


def test_forced_encoding_that_does_not_fit_is_refused():
    with pytest.raises(InputError) as e:
        decode("a.txt", b"caf\xe9\n", Config(encoding="utf-8"))
    assert e.value.message == "not valid utf-8 (byte 3); skipped: try another --encoding"
    assert decode("a.txt", b"caf\xe9\n", Config(encoding="latin-1")) == ("café\n", "latin-1", None)


def test_symlinks(tmp_path):
    src = write_tree(tmp_path, {"real.txt": TEXT})
    os.symlink("real.txt", src / "link.txt")
    os.symlink("link2", src / "link1")
    os.symlink("link1", src / "link2")
    os.symlink("gone.txt", src / "dangling")
    assert read_bytes(src, "link.txt") == TEXT.encode()
    with pytest.raises(InputError, match=r"^link1: symlink loops \(it points back to itself\); skipped$"):
        read_bytes(src, "link1")
    with pytest.raises(InputError, match=r"^dangling: broken symlink to gone.txt; skipped$"):
        read_bytes(src, "dangling")


def test_a_pipe_is_not_a_regular_file(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    assert list(list_inputs(tmp_path)) == ["pipe"]
    with pytest.raises(InputError, match=r"^pipe: not a regular file \(device, socket or pipe\); skipped$"):
        read_bytes(tmp_path, "pipe")


def test_a_file_gone_since_the_listing_is_named(tmp_path):
    with pytest.raises(InputError, match=r"^gone.txt: cannot read: No such file or directory; skipped$"):
        read_bytes(tmp_path, "gone.txt")


def test_empty_and_blank_files_are_documents_with_a_warning(tmp_path):
    src = write_tree(tmp_path, {"empty.txt": b"", "blank.txt": b"\n \n\t\n"})
    for name in ("empty.txt", "blank.txt"):
        docs, notices = read_file(src, name, Config())
        assert [d.id for d in docs] == [name]
        assert [(n.file, n.message, n.failed) for n in notices] == [(name, "empty file (no text); copied as is", False)]


def test_unreadable_folder_is_named(tmp_path):
    src = write_tree(tmp_path, {"ok.txt": TEXT, "closed/x.txt": TEXT})
    os.chmod(src / "closed", 0)
    try:
        if os.access(src / "closed", os.R_OK):
            pytest.skip("running as root (as in CI): chmod 000 does not stop root from listing a folder")
        items = list(list_inputs(src))
    finally:
        os.chmod(src / "closed", 0o755)
    assert items[0].file == "closed" and items[0].message == "cannot list folder: Permission denied"
    assert items[1] == "ok.txt"


def test_a_prefetched_batch_is_read_at_once_and_what_it_cannot_read_is_left_to_read_bytes(tmp_path, monkeypatch):
    # `prefetched` reads the batch's regular files in one core call; read_bytes takes them from it (no open
    # of its own), and reads the rest itself, with the same bytes and the same errors as read_bytes alone. A
    # FIFO with no writer must not hang it, and no descriptor stays open after the block.
    from dedupe.formats import source

    (tmp_path / "a.txt").write_bytes(b"alpha\n")
    (tmp_path / "b.txt").write_bytes(b"beta\n")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "unread.txt").write_bytes(b"never read\n")
    (tmp_path / "large.txt").write_bytes(b"x" * 100)
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "pipe")
    os.symlink(tmp_path / "gone", tmp_path / "dangling")
    monkeypatch.setattr(source, "PREFETCH_FILE_BYTES", 50)
    fds_before = set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    opened = []
    real_open = os.open
    rels = ["a.txt", "b.txt", "empty.txt", "unread.txt", "large.txt", "folder", "pipe", "dangling", "missing.txt"]
    with source.prefetched(tmp_path, rels):
        assert sorted(source._HELD.files[1]) == ["a.txt", "b.txt", "empty.txt", "unread.txt"]  # the usual files
        monkeypatch.setattr(os, "open", lambda *a: (opened.append(os.path.basename(a[0])), real_open(*a))[1])
        assert read_bytes(tmp_path, "a.txt") == b"alpha\n"
        assert read_bytes(tmp_path, "b.txt", 100) == b"beta\n"
        assert read_bytes(tmp_path, "empty.txt") == b""
        with pytest.raises(InputError, match="larger than"):
            read_bytes(tmp_path, "unread.txt", 3)  # the limit holds for a prefetched file too
        assert read_bytes(tmp_path, "large.txt") == b"x" * 100
        with pytest.raises(InputError, match="not a regular file"):
            read_bytes(tmp_path, "pipe")
        with pytest.raises(InputError, match="broken symlink"):
            read_bytes(tmp_path, "dangling")
        with pytest.raises(InputError, match="cannot read"):
            read_bytes(tmp_path, "missing.txt")
        assert read_bytes(tmp_path, "a.txt") == b"alpha\n"  # read again: opened this time
        monkeypatch.undo()
        assert opened == ["large.txt", "pipe", "dangling", "missing.txt", "a.txt"]
    assert source._HELD.files is None
    if fds_before is not None:
        assert set(os.listdir("/proc/self/fd")) == fds_before
