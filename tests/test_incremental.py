"""Duplicate clusters across runs and policies: --against (a run against earlier runs' saved signatures) and
--keep none (no member of a cluster survives)."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import dedupe
from dedupe import Config, UsageError
from dedupe.against import load_earlier, save_signatures
from dedupe.names import Names
from helpers import ROOT, SAMPLES, removals, summary, synthetic_corpus

HEADER = ["The Valley Courier", "Home | News | Sport | Business", "By Staff Writer | 3 May 2024"]
FOOTER = ["Sign up for the Valley Courier newsletter.", "© 2024 Valley Courier. All rights reserved."]


def syndicate(folder: Path, edit: int) -> Path:
    """Each sample republished by another site (its own header and footer) with one edit, under folder."""
    folder.mkdir(parents=True)
    for i, path in enumerate(sorted(SAMPLES.iterdir())):
        paras = [p for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
        if (i + edit) % 2:
            del paras[len(paras) // 2]  # a paragraph dropped
        else:
            words = paras[3].split()
            words[2] = "reportedly"  # a word changed
            paras[3] = " ".join(words)
        (folder / path.name).write_text("\n\n".join(HEADER + paras + FOOTER) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def earlier(tmp_path: Path) -> Path:
    """The samples cleaned into OUT1; then their input and OUT1's cleaned copies deleted: only the report is left."""
    src = tmp_path / "may"
    shutil.copytree(SAMPLES, src)
    out = tmp_path / "out-may"
    dedupe.clean(src, out, jobs=1)
    shutil.rmtree(src)
    for p in out.iterdir():
        if p.name != "_report":
            p.unlink()
    return out


def dropped(report: Path) -> dict[str, dict]:
    return {r["file"]: r["duplicate_of"] for r in removals(report) if r["category"] == "duplicate-document"}


# --- --against ------------------------------------------------------------------------------------


def test_a_new_run_drops_copies_of_an_earlier_run_without_its_corpus(cli, tmp_path, earlier):
    new = syndicate(tmp_path / "june", 0)
    result = cli("clean", new, tmp_path / "out-june", "--against", earlier)
    assert result.exit_code == 0, result.output
    report = tmp_path / "out-june" / "_report"
    assert dropped(report) == {p.name: {"file": p.name, "lines": [1, len(p.read_text().splitlines())],
                                        "run": str(earlier)} for p in sorted(SAMPLES.iterdir())}
    assert "5 duplicate documents dropped" in result.stdout
    assert not [p for p in (tmp_path / "out-june").iterdir() if p.suffix == ".txt"]
    s = summary(report)
    assert s["against"] == [str(earlier)]
    assert s["corpus"]["earlier_documents"] == 5 and s["corpus"]["duplicates_of_earlier"] == 5
    assert sorted((c["kept"], c["run"], [m["file"] for m in c["members"]]) for c in s["duplicate_clusters"]) == [
        (p.name, str(earlier), [p.name]) for p in sorted(SAMPLES.iterdir())]
    page = (report / "index.html").read_text(encoding="utf-8")
    assert f"(run {earlier})" in page  # the earlier document is named with its run, not linked to this run's file


def test_against_takes_the_report_folder_too_and_several_runs(cli, tmp_path, earlier):
    # A second earlier run, of the syndicated copies, against the first: nothing of it is kept...
    other = syndicate(tmp_path / "june", 0)
    assert cli("clean", other, tmp_path / "out-june", "--against", earlier / "_report").exit_code == 0
    assert len(dropped(tmp_path / "out-june" / "_report")) == 5
    # ...and a third run, against both, names the document of the run it matches best.
    new = syndicate(tmp_path / "july", 1)
    result = cli("clean", new, tmp_path / "out-july", "--against", earlier, "--against", tmp_path / "out-june")
    assert result.exit_code == 0, result.output
    found = dropped(tmp_path / "out-july" / "_report")
    assert sorted(found) == sorted(p.name for p in SAMPLES.iterdir())
    assert {d["run"] for d in found.values()} <= {str(earlier), str(tmp_path / "out-june")}


def test_documents_that_are_new_are_kept(cli, tmp_path, earlier):
    new = tmp_path / "june"
    new.mkdir()
    (new / "other.txt").write_text("\n\n".join(HEADER + [
        "A completely different story about the harbour festival, which drew thousands of visitors this weekend "
        "despite the rain that fell on Saturday afternoon and evening.",
        "Organisers said the fireworks would be moved to next Friday, when the weather is expected to clear up."]
        + FOOTER) + "\n", encoding="utf-8")
    result = cli("clean", new, tmp_path / "out-june", "--against", earlier)
    assert result.exit_code == 0, result.output
    assert dropped(tmp_path / "out-june" / "_report") == {}
    assert (tmp_path / "out-june" / "other.txt").is_file()


def test_mismatched_settings_are_refused(cli, tmp_path, earlier):
    new = syndicate(tmp_path / "june", 0)
    (tmp_path / "c.toml").write_text("num_perm = 64\ndoc_band_rows = 2\n")
    result = cli("clean", new, tmp_path / "out-june", "--against", earlier, "--config", tmp_path / "c.toml")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: --against {earlier}: its signatures were made with num_perm=128, this run has num_perm=64; "
        f"run with the same num_perm (--config), or without --against")
    assert not (tmp_path / "out-june").exists()


def test_what_is_not_an_earlier_run_is_refused(cli, tmp_path, earlier):
    new = syndicate(tmp_path / "june", 0)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("clean", new, tmp_path / "o1", "--against", empty)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: --against {empty}: no dedupe signatures there (signatures.json); pass an earlier run's OUT "
        f"folder or its report folder")
    result = cli("clean", new, earlier, "--force", "--against", earlier)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: --against {earlier} is this run's own output or report folder; clean into a new OUT and pass "
        f"the earlier one to --against")
    (earlier / "_report" / "signatures.npz").write_bytes(b"not a zip")
    result = cli("clean", new, tmp_path / "o2", "--against", earlier)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: --against {earlier}: its signatures are damaged (signatures.npz is not a zip of .npy arrays); clean that run's "
        f"input again to make them anew")
    (earlier / "_report" / "summary.json").unlink()
    result = cli("clean", new, tmp_path / "o3", "--against", earlier)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: --against {earlier}: that run did not finish (no summary.json in {earlier / '_report'}); "
        f"run it again to the end first")
    result = cli("clean", new, tmp_path / "o4", "--against", "s3://bucket/out-may")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: --against s3://bucket/out-may: an earlier run must be a local folder; copy its report folder "
        "(at least signatures.npz, signatures.json and summary.json) here and pass that")
    assert not any((tmp_path / n).exists() for n in ("o1", "o2", "o3", "o4"))


@pytest.mark.parametrize("strings", [
    ["a/1.txt", "b.jsonl#7", "日本語/ページ.txt", ""],
    ["a/1.txt", "b\udc80\udcff.txt", "c.txt"],  # a file name with bytes that are not UTF-8 (surrogateescape)
])
def test_signatures_saved_from_the_names_buffer_are_those_saved_from_strings(tmp_path, strings):
    """The corpus table's names are saved from their one buffer; the file holds the same bytes as names
    encoded one by one (a surrogateescape name as its own byte), and reads back as the same names."""
    n = len(strings)
    rng = np.random.default_rng(4)
    arrays = (rng.integers(1, 40, n).astype(np.uint32), rng.integers(1, 900, n).astype(np.uint32),
              rng.integers(0, 2**32, (n, 128), dtype=np.uint32), rng.integers(0, 2, n).astype(bool))
    for name, ids in (("list", strings), ("names", Names(strings))):
        (tmp_path / name).mkdir()
        save_signatures(tmp_path / name, Config(), ids, *arrays)
        (tmp_path / name / "summary.json").write_text("{}")
    assert (tmp_path / "list" / "signatures.npz").read_bytes() == (tmp_path / "names" / "signatures.npz").read_bytes()
    assert load_earlier([tmp_path / "names"], Config()).ids == strings


def test_saved_signatures_read_with_numpy_and_do_not_depend_on_workers(tmp_path):
    src = syndicate(tmp_path / "in" / "syndicated", 0).parent
    shutil.copytree(SAMPLES, src / "origin")
    one = dedupe.clean(src, tmp_path / "one", jobs=1)
    dedupe.clean(src, tmp_path / "two", jobs=2)
    a, b = (tmp_path / n / "_report" for n in ("one", "two"))
    assert (a / "signatures.npz").read_bytes() == (b / "signatures.npz").read_bytes()
    assert (a / "signatures.json").read_bytes() == (b / "signatures.json").read_bytes()
    header = json.loads((a / "signatures.json").read_text())
    assert header["documents"] == 10 and header["settings"]["num_perm"] == 128
    with np.load(a / "signatures.npz") as z:
        ids = [bytes(z["id_bytes"][i:j]).decode() for i, j in zip(z["id_offsets"][:-1], z["id_offsets"][1:])]
        assert ids == sorted(f"{d}/{p.name}" for d in ("origin", "syndicated") for p in SAMPLES.iterdir())
        assert z["signatures"].shape == (10, 128) and z["signatures"].dtype == np.uint32
        assert z["dropped"].tolist() == [False] * 5 + [True] * 5
        assert z["lines"].tolist()[:5] == [len(p.read_text().splitlines()) for p in sorted(SAMPLES.iterdir())]
    # A few hundred bytes a document (the 512-byte MinHash, sizes, the name).
    assert (a / "signatures.npz").stat().st_size / 10 < 800
    assert one.exit_code == 0
    earlier = load_earlier([tmp_path / "one"], Config())
    assert earlier.ids == ids and earlier.runs == (str(tmp_path / "one"),)
    with pytest.raises(UsageError, match="its signatures were made with seed=1, this run has seed=2"):
        load_earlier([tmp_path / "one"], Config(seed=2))


def _against_benchmark():
    spec = importlib.util.spec_from_file_location("against_bench", ROOT / "benchmarks" / "against.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_corpus_split_in_two_finds_the_copies_across_the_split(tmp_path):
    """Issue 18's measure, small: the second half against the first, whose files are gone."""
    bench = _against_benchmark()
    corpus = synthetic_corpus(tmp_path / "corpus", 1500, 11)
    truth = json.loads((tmp_path / "corpus.truth.json").read_text())
    halves = bench.split_corpus(corpus, tmp_path / "first", tmp_path / "second", seed=3)
    dedupe.clean(tmp_path / "first", tmp_path / "out1", jobs=2)
    shutil.rmtree(tmp_path / "first")
    for p in (tmp_path / "out1").iterdir():
        if p.name != "_report":
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    dedupe.clean(tmp_path / "second", tmp_path / "out2", against=[tmp_path / "out1"], jobs=2)
    result = bench.score(truth, *halves, removals(tmp_path / "out2" / "_report"))
    assert result["cross_copies"] >= 50
    assert result["precision"] >= 0.99, result
    assert result["recall"] >= 0.95, result


#: Paths opened or listed while set to a list (an audit hook cannot be removed: it does nothing when None).
_OPENED: list | None = None


def _audit(event: str, args: tuple) -> None:
    if _OPENED is not None and event in ("open", "os.listdir", "os.scandir") and args:
        if isinstance(args[0], (str, bytes, Path)):
            _OPENED.append(Path(os.fsdecode(args[0])).resolve())


def test_a_run_against_an_earlier_one_opens_only_its_signatures(tmp_path):
    """The earlier half's files all stay in place, and every file this process opens or folder it lists is
    watched (an audit hook; jobs=1 runs in this process): none of the first half's is, of the earlier OUT only
    its two signature files, while the copies across the split are still found."""
    global _OPENED
    bench = _against_benchmark()
    corpus = synthetic_corpus(tmp_path / "corpus", 400, 13)
    truth = json.loads((tmp_path / "corpus.truth.json").read_text())
    halves = bench.split_corpus(corpus, tmp_path / "first", tmp_path / "second", seed=5)
    dedupe.clean(tmp_path / "first", tmp_path / "out1", jobs=1)
    sys.addaudithook(_audit)
    first, out1 = (tmp_path / "first").resolve(), (tmp_path / "out1").resolve()
    _OPENED = []
    try:
        (first / sorted(halves[0])[0]).read_bytes()  # the hook sees a read of the first half
        assert _OPENED and _OPENED[-1].is_relative_to(first)
        _OPENED = []
        dedupe.clean(tmp_path / "second", tmp_path / "out2", against=[tmp_path / "out1"], jobs=1)
        seen = list(_OPENED)
    finally:
        _OPENED = None
    assert [p for p in seen if p.is_relative_to(tmp_path / "second")]  # the hook saw this run's reads
    assert not [p for p in seen if p.is_relative_to(first)]
    assert sorted({p.relative_to(out1).as_posix() for p in seen if p.is_relative_to(out1)}) == [
        "_report/signatures.json", "_report/signatures.npz"]
    result = bench.score(truth, *halves, removals(tmp_path / "out2" / "_report"))
    assert result["cross_copies"] >= 10 and result["precision"] >= 0.99 and result["recall"] >= 0.95, result


# --- --keep none ----------------------------------------------------------------------------------


def test_keep_none_drops_every_member_of_a_cluster_and_names_it(cli, tmp_path):
    src = syndicate(tmp_path / "in" / "syndicated", 0).parent
    shutil.copytree(SAMPLES, src / "origin")
    (src / "alone.txt").write_text("A short note that nothing else in the corpus repeats, kept as it is.\n")
    result = cli("clean", src, tmp_path / "out", "--keep", "none")
    assert result.exit_code == 0, result.output
    assert "10 duplicate documents dropped" in result.stdout
    report = tmp_path / "out" / "_report"
    got = {r["file"]: (r["detector"], r["duplicate_of"]["file"]) for r in removals(report)
           if r["category"] == "duplicate-document"}
    want = {}
    for p in sorted(SAMPLES.iterdir()):
        want[f"syndicated/{p.name}"] = (got[f"syndicated/{p.name}"][0], f"origin/{p.name}")  # names the cluster's head
        want[f"origin/{p.name}"] = ("duplicate-document:keep-none", f"syndicated/{p.name}")  # the head: its first copy
    assert got == want
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.txt")) == [
        "alone.txt"]
    clusters = summary(report)["duplicate_clusters"]
    assert [(c["kept"], c["first"], [m["file"] for m in c["members"]]) for c in clusters] == [
        (None, f"origin/{p.name}", [f"syndicated/{p.name}"]) for p in sorted(SAMPLES.iterdir())]
    assert "(dropped too: --keep none)" in (report / "index.html").read_text(encoding="utf-8")


def test_keep_none_in_the_library_and_the_config(tmp_path):
    src = syndicate(tmp_path / "in" / "syndicated", 0).parent
    shutil.copytree(SAMPLES, src / "origin")
    run = dedupe.clean(src, tmp_path / "out", keep="none", jobs=1)
    assert run.documents_dropped == 10
    assert summary(tmp_path / "out" / "_report")["config"]["keep"] == "none"


def test_a_cluster_whose_head_copies_an_earlier_document_is_that_documents():
    from dedupe.against import Earlier
    from dedupe.detect.corpus import Corpus

    earlier = Earlier(("may",), ["e.txt"], np.array([3]), np.array([0]))
    # a.txt copies e.txt (the earlier run's); b.txt copies a.txt but not e.txt; c.txt heads a cluster of its own.
    corpus = Corpus(Config(), ["a.txt", "b.txt", "c.txt", "d.txt"], np.array([3, 3, 4, 4]), np.array([-1, 0, -1, 2]),
                    np.array([0, 0.9, 0, 0.95], np.float32), np.zeros(4, np.uint8), {}, np.zeros(0, np.int64),
                    np.empty(0, np.uint64), np.empty(0, np.uint32), [], {}, earlier,
                    (np.array([0, -1, -1, -1]), np.array([0.85, 0, 0, 0], np.float32), np.zeros(4, np.uint8)))
    for doc in (0, 1):
        assert corpus.cluster_of(doc) == {"name": "e.txt", "kept": "e.txt", "run": "may"}
    assert corpus.cluster_of(2) == corpus.cluster_of(3) == {"name": "c.txt", "kept": "c.txt"}
    assert corpus.duplicate(0).run == "may" and corpus.duplicate(1).kept == "a.txt"


def test_signatures_of_a_run_killed_outright_are_pending_and_force_removes_them(tmp_path):
    from dedupe.remote import remove_previous_output

    report = tmp_path / "out" / "_report"
    report.mkdir(parents=True)
    (report / "summary.json").write_text("{}")  # an earlier run's, say; the run killed after its corpus step
    for name in (".pending-signatures.npz", ".pending-signatures.json"):
        (report / name).write_bytes(b"left by a run killed after its corpus step")
    with pytest.raises(UsageError, match="that run saved no signatures"):  # pending names are not signatures
        load_earlier([tmp_path / "out"], Config())
    remove_previous_output(tmp_path / "out", report)  # what --force does first
    assert not report.exists()


@pytest.mark.parametrize("array", [
    np.arange(24, dtype=np.uint32).reshape(4, 6),
    np.arange(24, dtype=np.uint32).reshape(4, 6)[:, 1],  # (not contiguous: a column)
    np.zeros((0, 128), np.uint32),
    np.array([True, False, True]),
    np.arange(5, dtype=np.uint64),
    np.frombuffer("日本".encode(), np.uint8),
])
def test_an_array_is_saved_as_numpy_saves_it(array):
    """The signatures' arrays go into their zip member from their own memory, not through numpy's copy of
    them: the bytes are numpy's own."""
    import io

    from dedupe.against import _write_npy

    ours, numpys = io.BytesIO(), io.BytesIO()
    _write_npy(ours, array)
    np.lib.format.write_array(numpys, array, allow_pickle=False)
    assert ours.getvalue() == numpys.getvalue()

