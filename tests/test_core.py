"""The compiled core (`dedupe._core`): its values pinned to what they replace, and its batch boundary.

A panic inside the core must become that file's error, reported like an unreadable file, never a dead
process: the binding catches it and raises `CoreError`, and the pipeline retries the batch file by file.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe import Config, _core, clean, pipeline
from dedupe.errors import CoreError
from helpers import write_tree


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600) | st.text(max_size=300).map(str.encode))
def test_text_hash_is_xxhash_xxh3_64_bit_for_bit(data: bytes):
    # Allow-list files store these values (`xxh3:` keys): they may never change.
    assert _core.text_hash(data) == xxhash.xxh3_64_intdigest(data)


def test_a_panic_in_the_core_is_a_core_error_not_a_dead_process():
    with pytest.raises(CoreError, match="the compiled core failed: boom"):
        _core._panic_inside_guard("boom")
    assert _core.text_hash(b"still alive") == xxhash.xxh3_64_intdigest(b"still alive")


def test_a_panic_on_one_document_skips_that_file_and_the_run_completes(tmp_path: Path, monkeypatch):
    real = pipeline.segment_batch

    def segment_batch(texts: list[str]):
        if any("TRIGGER" in text for text in texts):
            _core._panic_inside_guard("a document the core cannot take")
        return real(texts)

    monkeypatch.setattr(pipeline, "segment_batch", segment_batch)
    notices = _clean_with_one_broken_file(tmp_path, "TRIGGER this one breaks the core.\n")
    assert "b.txt" in json.dumps(notices)
    assert "CoreError" in json.dumps(notices)


def _clean_with_one_broken_file(tmp_path: Path, broken: str) -> dict:
    """summary.json of a run over three files, b.txt holding `broken`, once it checked b.txt alone was lost."""
    src = write_tree(tmp_path / "in", {
        "a.txt": "A first document about rivers, long enough to read as prose on its own line.\n",
        "b.txt": broken,
        "c.txt": "A third document about bridges, long enough to read as prose on its own line.\n",
    })
    run = clean(src, tmp_path / "out", Config(jobs=1))
    assert run.exit_code == 1
    assert sorted(p.name for p in (tmp_path / "out").glob("*.txt")) == ["a.txt", "c.txt"]
    return json.loads((tmp_path / "out" / "_report" / "summary.json").read_text())


def test_a_panic_while_cutting_one_document_skips_that_file_in_pass_2_and_the_run_completes(tmp_path: Path,
                                                                                             monkeypatch):
    import dedupe.cut

    class Core:
        """The core, but for `decide_finish` and its batch calls, which panic inside the guard on one document
        (the batch's: on a batch that holds it, which is then cut document by document)."""

        def __getattr__(self, name):
            return getattr(_core, name)

        def decide_finish(self, rel, heads, text, *rest):
            if b"TRIGGER" in text:
                _core._panic_inside_guard("a document the core cannot cut")
            return _core.decide_finish(rel, heads, text, *rest)

        def decide_finish_batch(self, docs):
            if any(b"TRIGGER" in text for _, _, text, *_ in docs):
                _core._panic_inside_guard("a batch the core cannot cut")
            return _core.decide_finish_batch(docs)

        def plain_batch(self, docs, *rest):
            if any(b"TRIGGER" in data for _, data, *_ in docs):
                _core._panic_inside_guard("a batch the core cannot cut from its bytes")
            return _core.plain_batch(docs, *rest)

    monkeypatch.setattr(dedupe.cut, "_core", Core())
    broken = "TRIGGER this one breaks the core.\n\nTRIGGER this one breaks the core.\n"
    summary = _clean_with_one_broken_file(tmp_path, broken)
    assert [f["file"] for f in summary["failed"]] == ["b.txt"] and "CoreError" in summary["failed"][0]["message"]


@pytest.mark.parametrize("changed", ["A second document, written again between the passes.\n", "caf\u00e9 \u65e5\n", ""])
def test_a_plain_file_changed_between_the_passes_is_reported_and_the_others_are_written(tmp_path: Path, monkeypatch,
                                                                                      changed: str):
    # Pass 2 cuts a plain file from the bytes it reads again only when they are those pass 1 signed (its digest).
    real = pipeline.build_corpus

    def build_corpus(*args, **kwargs):
        (tmp_path / "in" / "b.txt").write_text(changed, encoding="utf-8")
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build_corpus", build_corpus)
    summary = _clean_with_one_broken_file(tmp_path, "A second document about lakes, long enough to read as prose.\n")
    assert [f["file"] for f in summary["failed"]] == ["b.txt"]
    assert "changed while it was being cleaned" in summary["failed"][0]["message"]


@pytest.mark.parametrize("module, entry", [("dedupe.detect.chrome", "page_kind"),
                                           ("dedupe.detect.repeats", "keep_content"),
                                           ("dedupe.detect.chrome", "chrome_batch"),
                                           ("dedupe.detect.chrome", "find_chrome")])
def test_a_panic_in_the_page_kind_or_the_gates_on_one_document_skips_that_file(tmp_path: Path, monkeypatch, module,
                                                                              entry):
    import importlib

    class Core:
        """The core, but for one entry point, which panics inside the guard on one document."""

        def __getattr__(self, name):
            return getattr(_core, name)

    def broken(*args):
        # (the blocks' texts: a list of str, or a batch's `_core.Texts`)
        texts = next(a for a in args if isinstance(a, (list, _core.Texts)) and len(a) and isinstance(a[0], str))
        if any("TRIGGER" in t for t in texts):
            _core._panic_inside_guard(f"a document the core's {entry} cannot take")
        return getattr(_core, entry)(*args)

    core = Core()
    setattr(core, entry, broken)
    monkeypatch.setattr(importlib.import_module(module), "_core", core)
    # (a block pasted twice, so that the gates on repeats run too)
    summary = _clean_with_one_broken_file(tmp_path, "TRIGGER this one breaks the core, a line of prose.\n" * 2)
    assert [f["file"] for f in summary["failed"]] == ["b.txt"] and "CoreError" in summary["failed"][0]["message"]


def test_the_chrome_body_refuses_inputs_that_do_not_fit_with_a_message():
    from dedupe.detect.chrome import _FAMILY_TABLE, LEXICON

    with pytest.raises(ValueError, match="give one of each per block"):
        _core.find_chrome(LEXICON, _FAMILY_TABLE, ["a", "b"], [1], [0, 0], [-1, -1], "article", True)
    with pytest.raises(ValueError, match="is no page kind"):
        _core.find_chrome(LEXICON, _FAMILY_TABLE, ["a"], [1], [0], [-1], "blog", True)
    with pytest.raises(ValueError, match="no family 999"):
        _core.find_chrome(LEXICON, _FAMILY_TABLE, ["a"], [1], [0], [999], "article", True)
    with pytest.raises(ValueError, match="names block 3, but the page has 1 blocks"):
        _core.find_chrome(LEXICON, _FAMILY_TABLE, ["a"], [1], [0], [-1], "article", True, [], [(3, 0)], [])
    features = ([1], [1], [0], [0], [False], [0], [False])
    with pytest.raises(ValueError, match="counts that add up to the blocks"):
        _core.chrome_batch(LEXICON, _FAMILY_TABLE, ["a"], features, [-1], [7], [2], [True], [False], [False],
                          [0.9, 0.7, 0.6])
    with pytest.raises(ValueError, match="one of each per family"):
        _core.ChromeFamilies([0, 1], [False], [False, False], [False, False])


def test_the_page_kind_and_the_gates_refuse_inputs_that_do_not_fit_with_a_message():
    with pytest.raises(ValueError, match="one size, prose flag"):
        _core.page_type(["a", "b"], [1], [True, False])
    with pytest.raises(ValueError, match="names block 5, but the page has 2 blocks"):
        _core.keep_content([(1, 5)], [], ["a", "b"], [1, 2], [1, 1], "article", True)
    with pytest.raises(ValueError, match="is no page kind"):
        _core.keep_content([], [], ["a"], [1], [1], "blog", True)


def test_segmenting_reads_white_space_digits_and_case_as_python_does():
    from dedupe.segment import segment

    # \x1c-\x1f and U+3000 are white space to Python's str.strip (not to Rust's char::is_whitespace).
    assert [b.text for b in segment("\x1c menu \x1f\n\u3000item\u3000\n")] == ["menu", "item"]
    # A Devanagari number is a list item as \d reads it: the run is a list, one block per line.
    wrapped = ("a long line of prose that is wrapped at a column close to sixty,\n"
               "and goes on here on the next line until the paragraph ends.\n")
    assert len(segment(wrapped)) == 1
    listed = wrapped.replace("and goes", "\u0967. goes")
    assert len(segment(listed)) == 2


def test_a_lone_surrogate_is_one_character_and_stays_in_its_block():
    from dedupe.segment import segment

    # JSON input may escape a lone surrogate; it is not UTF-8, yet its document segments as any other and
    # its block keeps it (one character wide, so wrapping is measured as before).
    line = "a long line of prose with a lone \ud800 surrogate, wrapped at a column close to sixty,"
    blocks = segment(line + "\nand goes on here on the next line until the paragraph ends.\n\nNext.\n")
    assert [(b.first_line, b.last_line) for b in blocks] == [(1, 2), (4, 4)]
    assert blocks[0].text.startswith(line + " and goes") and "\ud800" in blocks[0].text


def test_findings_that_do_not_fit_their_document_are_a_value_error_not_a_panic():
    from dedupe.decide import found_of
    from dedupe.records import Finding

    found = found_of([Finding(3, "repeat", "repeat:exact", 1.0)])
    args = ("d.txt", ("a/d.txt", "b/d.txt"), b"a\n", None, found.labels, list(found.labels), [0.0, None])
    with pytest.raises(ValueError, match="block 3 of a document of 1 blocks"):
        _core.decide_finish(*args, (found.ints, found.scores, None), [(1, 1)], [7], "")
    with pytest.raises(ValueError, match="eight integers and one score"):
        _core.decide_finish(*args, (found.ints[:8], found.scores, None), [(1, 1)], [7], "")
    bad = found_of([Finding(0, "repeat", "repeat:exact", 1.0)])._replace(labels=("repeat",))
    with pytest.raises(ValueError, match="label 1 is not one of the 1 labels"):
        _core.decide(bad.labels, [0.0], bad.ints, bad.scores)


@pytest.mark.parametrize("limit, settings", [(-1, {}), (0, {}), (-1, {"skip": ("duplicate-document",)}),
                                             (-1, {"keep": "none"})])
def test_pass_2_cuts_a_batchs_plain_text_files_in_one_call_as_it_cuts_them_one_by_one(tmp_path: Path, monkeypatch,
                                                                                       limit: int, settings: dict):
    """A batch's plain-text files are cut in one core call (`pipeline._cut_plain`) up to PLAIN_BYTES of text, the
    rest file by file: every output file is the same either way (-1: none in the call; 0: only the first), a
    duplicate kept by --skip or removed with its head by --keep none as well."""
    import shutil

    src = tmp_path / "in"
    shutil.copytree(Path(__file__).parent.parent / "samples", src / "samples")
    shutil.copytree(Path(__file__).parent / "cases" / "mixed-encodings" / "input", src / "encodings")
    shutil.copy(src / "samples" / "002_a9c1d9645ce3d0de.txt", src / "samples" / "002-copy.txt")  # a duplicate
    outs = []
    for name, bound in (("one-call", pipeline.PLAIN_BYTES), ("by-file", limit)):
        monkeypatch.setattr(pipeline, "PLAIN_BYTES", bound)
        run = clean(src, tmp_path / name, Config(jobs=1, **settings))
        assert run.documents_dropped >= (0 if settings.get("skip") else 1)
        files = {}
        for path in sorted((tmp_path / name).rglob("*")):
            if path.is_file() and ".dedupe-run" not in path.parts:
                data = path.read_bytes()
                if path.name == "summary.json":
                    summary = json.loads(data)
                    del summary["timings"], summary["output"]["folder"]
                    data = json.dumps(summary)
                files[path.relative_to(tmp_path / name)] = data
        outs.append(files)
    assert outs[0] == outs[1] and len(outs[0]) > 10


def test_a_file_whose_batch_arguments_fail_is_cut_alone_and_nothing_is_lost(tmp_path: Path, monkeypatch):
    # (`_cut_plain` leaves it to `_clean_file`, which cuts it with the same rules and reports it if it fails.)
    real = pipeline.found_args

    def found_args(rel, *rest):
        if rel == "b.txt":
            raise RuntimeError("arguments that cannot be made")
        return real(rel, *rest)

    def tree(root: Path):
        return write_tree(root, {
            "a.txt": "A first document about rivers, long enough to read as prose on its own line.\n",
            "b.txt": "A second document, its paragraph pasted twice.\n\nA second document, its paragraph pasted "
                     "twice.\n",
            "c.txt": "A third document about mountains, long enough to read as prose on its own line.\n"})

    clean(tree(tmp_path / "in"), tmp_path / "plain", Config(jobs=1))
    monkeypatch.setattr(pipeline, "found_args", found_args)
    run = clean(tree(tmp_path / "in2"), tmp_path / "out", Config(jobs=1))
    assert run.exit_code == 0 and run.by_category["repeat"] == 1
    for name in ("a.txt", "b.txt", "c.txt", "_report/removals.jsonl", "_report/changes.diff"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()


# --- _core.Texts: a batch's block texts in one buffer -----------------------------------------------------------

def _block_texts(texts: list[str]):
    return _core.segment_batch(texts)[2]


def test_block_texts_read_as_a_sequence_of_str():
    held = _block_texts(["a\n\nb c\n", "x\ny  \n\n日本語 の 文", ""])
    want = ["a", "b c", "x", "y", "日本語 の 文"]
    assert len(held) == 5 and list(held) == want and [held[i] for i in range(5)] == want
    assert held[-1] == "日本語 の 文" and held[-5] == "a"
    for bad in (5, -6):
        with pytest.raises(IndexError):
            held[bad]
    with pytest.raises(TypeError):
        held["1"]
    view = held[1:4]  # a view of the same buffer
    assert isinstance(view, _core.Texts) and list(view) == want[1:4] and view[-1] == "y" and len(view[5:]) == 0
    assert list(view[1:]) == want[2:4] and held[::2] == want[::2] and held[::-1] == want[::-1]
    assert held == want and want == held and held == tuple(want) and held == held[0:5]
    assert held != want[:4] and held != [*want[:4], "z"] and held != "abc" and view != held
    import copy
    import pickle

    assert pickle.loads(pickle.dumps(view)) == want[1:4] and copy.deepcopy(view) == want[1:4]


def test_the_core_reads_block_texts_in_place_as_it_reads_a_list():
    """Each core call that takes a batch's block texts gives the same answer for the `Texts` and for the list of
    the same strings (and a list still works: an extractor's text, the API)."""
    from dedupe.detect.chrome import LEXICON

    docs = ["Home | News | Sport\n\nA long paragraph of prose about the river, which ran high this spring.\n\n"
            "Subscribe to our newsletter\n\nA long paragraph of prose about the river, which ran high this spring.\n",
            "Ünïcödé wörds hére\n\n日本語の文章です。\n\n\n"]
    held = _block_texts(docs)
    plain = list(held)
    signed_held, signed_plain = _core.sign_blocks(held, 5), _core.sign_blocks(plain, 5)
    assert isinstance(signed_held[0], _core.Texts)
    assert list(signed_held[0]) == list(signed_plain[0]) and signed_held[1:] == signed_plain[1:]
    words = [len(n.split()) for n in signed_held[0]]
    assert LEXICON.features(held, words) == LEXICON.features(plain, words)
    assert LEXICON.features(held, words, False)[:7] == LEXICON.features(plain, words)[:7]
    assert LEXICON.features(held, words, False)[7:10] == ([], [], [])
    with pytest.raises(TypeError):
        _core.sign_blocks([b"bytes are not texts"], 5)


def test_a_text_with_a_lone_surrogate_has_its_blocks_as_a_list_of_its_own_lines():
    from dedupe.segment import segment_batch

    seg = segment_batch(["fine\n\nline \udc80 here\n", "other"])
    assert isinstance(seg.texts, list) and seg.texts == ["fine", "line \udc80 here", "other"]
    assert isinstance(segment_batch(["fine\n\nother"]).texts, _core.Texts)


def test_a_text_given_as_its_utf8_bytes_is_segmented_as_the_text():
    from dedupe.pipeline import _line_count

    texts = ["a\n\nb c\n", "x\r\ny  \n\n日本語 の 文", "", "\n", "no end"]
    as_str, as_bytes = _core.segment_batch(texts), _core.segment_batch([t.encode() for t in texts])
    assert as_str == as_bytes  # (the texts compared as `Texts`, the rest as lists)
    assert as_str[5] == [_line_count(t) for t in texts] == [3, 4, 0, 1, 1]
    with pytest.raises(ValueError, match="text 1 is not UTF-8"):
        _core.segment_batch(["fine", b"caf\xe9"])


def test_pass_one_given_the_files_bytes_packs_what_it_packs_from_the_texts():
    from dedupe.pipeline import _analyze
    from dedupe.records import Document
    from dedupe.sign import MinHasher

    config = Config()
    hashers = (MinHasher(config.num_perm, config.seed), MinHasher(config.block_num_perm, config.seed))
    texts = ["Home | News\n\nA paragraph of prose, long enough to be read as one, about the weather today.\n",
             "Ünïcödé wörds hére\n\n日本語の文章です。\n", "plain"]
    docs = [Document(id=f"{i}.txt", text=t) for i, t in enumerate(texts)]
    given = [t.encode() for t in texts[:2]] + [None]
    assert _analyze(docs, config, hashers, utf8=given).packed() == _analyze(docs, config, hashers).packed()
