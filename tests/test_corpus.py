"""Corpus-wide detection: duplicate documents and template text across documents.

Each test builds a small corpus in a temporary folder, runs `dedupe.clean` on
it and reads the cleaned tree and the report, as a user would.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import xxhash

import dedupe
from dedupe import pipeline
from dedupe.config import Config
from dedupe.detect.corpus import DocSig, similarity
from dedupe.sign import MinHasher, shingle_base_hash, shingles

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
WORDS = (
    "minister government council budget river harbour market school hospital police court election village "
    "farmers storm bridge railway museum festival teacher doctor company workers union strike price energy "
    "water forest coast island mountain city mayor report study science students museum library weather "
    "winter summer spring autumn morning evening week month year road traffic airport tourism fishing "
    "football season club coach player match goal victory defeat plan project funding tax housing rent"
).split()


def article(rng: random.Random, paragraphs: int = 8) -> list[str]:
    """Paragraphs of made-up but sentence-shaped prose (25-60 words each)."""
    out = []
    for _ in range(paragraphs):
        sentences = []
        for _ in range(rng.randint(2, 3)):
            w = [rng.choice(WORDS) for _ in range(rng.randint(12, 20))]
            sentences.append(" ".join(w).capitalize() + ".")
        out.append(" ".join(sentences))
    return out


def page(header: list[str], paras: list[str], footer: list[str]) -> str:
    return "\n\n".join(header + paras + footer) + "\n"


def write(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


def removals(out: Path) -> list[dict]:
    with open(out / "_report" / "removals.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def duplicates(out: Path) -> dict[str, str]:
    return {r["file"]: r["duplicate_of"]["file"] for r in removals(out) if r["category"] == "duplicate-document"}


def jaccard(a: str, b: str, k: int = 5) -> float:
    sa, sb = set(shingles(dedupe.sign.words(a), k)), set(shingles(dedupe.sign.words(b), k))
    return len(sa & sb) / len(sa | sb)


# --- signatures -----------------------------------------------------------------------------------


def test_minhash_equals_datasketch_value_for_value():
    datasketch = pytest.importorskip("datasketch")
    grams = shingles("the quick brown fox jumps over the lazy dog and runs far away".split(), 5)
    theirs = datasketch.MinHash(num_perm=128, seed=1, hashfunc=xxhash.xxh32_intdigest)
    theirs.update_batch(grams)
    hasher = MinHasher(128, 1)
    ours = hasher.signature(hasher.hashes(grams))
    assert np.array_equal(ours, theirs.hashvalues)
    assert hasher.lean(ours).jaccard(datasketch.LeanMinHash(theirs)) == 1.0
    # Documents are signed from token hashes; the values are datasketch's with shingle_base_hash as its hashfunc.
    tokens = "the quick brown fox jumps over the lazy dog and runs far away".split()
    theirs = datasketch.MinHash(num_perm=128, seed=1, hashfunc=shingle_base_hash)
    theirs.update_batch(grams)
    assert np.array_equal(hasher.signature(hasher.token_base_hashes(" ".join(tokens), 5)), theirs.hashvalues)


# --- duplicate documents --------------------------------------------------------------------------


@pytest.fixture
def syndicated(tmp_path: Path) -> Path:
    """Each sample republished by another site: other header and footer, and an edit each."""
    src = tmp_path / "in"
    shutil.copytree(SAMPLES, src / "origin")
    header = ["The Valley Courier", "Home | News | Sport | Business", "By Staff Writer | 3 May 2024"]
    footer = ["Sign up for the Valley Courier newsletter.", "© 2024 Valley Courier. All rights reserved."]
    for i, path in enumerate(sorted(SAMPLES.iterdir())):
        paras = [p for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
        edit = i % 4
        if edit == 0:  # a few words changed
            words = paras[3].split()
            words[2] = "reportedly"
            paras[3] = " ".join(words)
        elif edit == 1:  # a paragraph dropped
            del paras[len(paras) // 2]
        elif edit == 2:  # truncated: the first 70% of paragraphs
            paras = paras[: max(3, int(len(paras) * 0.7))]
        write(src, {f"syndicated/{path.name}": page(header, paras, footer)})
    return src


def test_syndicated_copies_are_found_and_the_samples_are_not_merged(syndicated: Path, tmp_path: Path):
    out = tmp_path / "out"
    dedupe.clean(syndicated, out, Config(jobs=1))
    found = duplicates(out)
    # 002 holds its body twice: the copy's edits and dedupe's own repeat removal still leave it a duplicate.
    assert found == {f"syndicated/{p.name}": f"origin/{p.name}" for p in sorted(SAMPLES.iterdir())}
    for rel in found:
        assert not (out / rel).exists()  # a removed duplicate is not written
    for p in SAMPLES.iterdir():
        assert (out / "origin" / p.name).exists()
    # The clusters reach summary.json and the review page.
    summary = json.loads((out / "_report" / "summary.json").read_text(encoding="utf-8"))
    assert {m["file"] for c in summary["duplicate_clusters"] for m in c["members"]} == set(found)
    page = (out / "_report" / "index.html").read_text(encoding="utf-8")
    assert f"{len(summary['duplicate_clusters'])} clusters; the largest" in page


def test_a_duplicate_removal_spans_the_whole_file_and_names_the_kept_document(syndicated: Path, tmp_path: Path):
    out = tmp_path / "out"
    dedupe.clean(syndicated, out, Config(jobs=1))
    name = sorted(SAMPLES.iterdir())[1].name
    (r,) = [r for r in removals(out) if r["file"] == f"syndicated/{name}"]
    text = (syndicated / "syndicated" / name).read_text(encoding="utf-8")
    kept_lines = len((syndicated / "origin" / name).read_text(encoding="utf-8").splitlines())
    assert r["category"] == "duplicate-document"
    assert r["lines"] == [1, text.count("\n")]
    assert r["duplicate_of"] == {"file": f"origin/{name}", "lines": [1, kept_lines]}
    assert r["text"] == text.rstrip("\n")
    summary = json.loads((out / "_report" / "summary.json").read_text())
    cluster = [c for c in summary["duplicate_clusters"] if c["kept"] == f"origin/{name}"]
    assert cluster and cluster[0]["members"][0]["file"] == f"syndicated/{name}"
    assert 0.8 <= cluster[0]["members"][0]["similarity"] <= 1.0
    assert summary["removed"]["documents"] == len(sample_names())
    diff = (out / "_report" / "changes.diff").read_text(encoding="utf-8")
    assert f"duplicate of origin/{name} lines 1-{kept_lines}" in diff


def sample_names() -> list[str]:
    """File names of the five samples."""
    return sorted(p.name for p in SAMPLES.iterdir())


def test_keep_longest_keeps_the_complete_copy_of_a_truncated_one(tmp_path: Path):
    rng = random.Random(5)
    full = article(rng, 10)
    src = write(tmp_path / "in", {"a/short.txt": page([], full[:7], []), "b/full.txt": page([], full, [])})
    first, longest = tmp_path / "first", tmp_path / "longest"
    dedupe.clean(src, first, Config(jobs=1))
    dedupe.clean(src, longest, Config(jobs=1, keep="longest"))
    assert duplicates(first) == {"b/full.txt": "a/short.txt"}
    assert duplicates(longest) == {"a/short.txt": "b/full.txt"}
    (r,) = [r for r in removals(longest) if r["category"] == "duplicate-document"]
    assert r["detector"] == "duplicate-document:containment"


def test_unrelated_documents_and_many_short_ones_are_never_merged(tmp_path: Path):
    rng = random.Random(11)
    files = {f"long/{i:03d}.txt": page([], article(rng, 6), []) for i in range(40)}
    shorts = set()
    while len(shorts) < 300:
        shorts.add(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))))
    files.update({f"short/{i:03d}.txt": s + "\n" for i, s in enumerate(sorted(shorts))})
    files.update({f"empty/{i}.txt": "" for i in range(5)})
    files.update({f"blank/{i}.txt": "\n\n" for i in range(5)})
    src = write(tmp_path / "in", files)
    out = tmp_path / "out"
    dedupe.clean(src, out, Config(jobs=1))
    assert duplicates(out) == {}


def test_identical_short_documents_are_duplicates_of_each_other_only(tmp_path: Path):
    src = write(tmp_path / "in", {"a.txt": "Page not found\n", "b.txt": "Page not found\n", "c.txt": "Not found\n"})
    out = tmp_path / "out"
    dedupe.clean(src, out, Config(jobs=1))
    assert duplicates(out) == {"b.txt": "a.txt"}


def test_a_chain_of_near_matches_does_not_merge_its_dissimilar_ends(tmp_path: Path):
    rng = random.Random(2)
    base = [w for p in article(rng, 12) for w in p.split()]

    def edited(words: list[str], start: int) -> list[str]:
        out = list(words)
        for i in range(start, len(out), 60):  # one word in 60: about 8% of the 5-word shingles
            out[i] = "zzz" + out[i]
        return out

    a = base
    b = edited(a, 0)
    c = edited(b, 30)
    d = edited(c, 15)
    texts = {f"{n}.txt": " ".join(t) + "\n" for n, t in zip("abcd", (a, b, c, d))}
    # The corpus is what the test says: neighbours alike, the ends not.
    assert jaccard(texts["a.txt"], texts["b.txt"]) >= 0.8 and jaccard(texts["b.txt"], texts["c.txt"]) >= 0.8
    assert jaccard(texts["a.txt"], texts["c.txt"]) < 0.8 and jaccard(texts["a.txt"], texts["d.txt"]) < 0.7
    src = write(tmp_path / "in", texts)
    out = tmp_path / "out"
    dedupe.clean(src, out, Config(jobs=1, doc_containment=1.0))
    found = duplicates(out)
    assert found.get("b.txt") == "a.txt"
    assert "c.txt" in found or (out / "c.txt").exists()
    for dup, kept in found.items():  # every removal is confirmed against the very document kept
        assert jaccard(texts[dup], texts[kept]) >= 0.7, (dup, kept)
    assert found.get("d.txt") != "a.txt" and found.get("c.txt") != "a.txt"


def test_similarity_confirms_containment_only_for_copies_of_comparable_size():
    config = Config()
    sig = np.arange(128, dtype=np.uint32)
    other = sig.copy()
    other[:64] += 1000  # estimated Jaccard 0.5
    # A copy holding 2/3 of the longer one: contained (J 0.5 means all of the smaller set is shared).
    _, how, ok = similarity(sig, other, np.array(200), np.array(100), config)
    assert ok and how == 1
    # A brief with a fifth of the article's length is not a copy of it, even if contained.
    _, _, ok = similarity(sig, other, np.array(1000), np.array(200), config)
    assert not ok


# --- template text across documents ------------------------------------------------------------------


TRAIN = ROOT.parent / "shared" / "data" / "webpages-train" / "dumps"


@pytest.mark.skipif(not TRAIN.is_dir(), reason="needs ../shared/data/webpages-train (the real pages)")
def test_a_folder_of_real_pages_cleaned_again_loses_nothing_more(tmp_path: Path):
    # webpages-train's 412 dumps as one folder (one source): a number alone on its line ("1", "2", a count) folded
    # to the key every number alone folds to, found on most pages, so a slideshow's numbers went as template text
    # and left its "of 15" lines behind, which a second clean removed as repeats (treehugger.com). Only lines
    # with a letter have a digits-folded key now.
    dedupe.clean(TRAIN, tmp_path / "out", Config(jobs=2))
    dedupe.clean(tmp_path / "out", tmp_path / "again", Config(jobs=2))
    assert removals(tmp_path / "again") == []


PLACES = ["Northport", "Eastwick", "Southend", "Westbay", "Highcliff", "Lowmoor", "Redhill", "Greendale"]


def test_template_lines_go_and_a_quote_shared_by_two_articles_stays(tmp_path: Path):
    rng = random.Random(8)
    quote = "“We will not close the harbour while I am mayor,” she told the council on Tuesday evening."
    header = ["The Harbour Gazette", "Independent news for the bay since 1892"]
    files = {}
    for i in range(8):
        paras = article(rng, 5)
        if i in (2, 5):
            paras.insert(2, quote)
        footer = [f"The Harbour Gazette is published by Bay Media Group, Harbour Street {i % 2 + 1}.",
                  f"Follow the Harbour Gazette for the latest local news and updates from {PLACES[i]}",
                  f"Copyright {2017 + i} Bay Media Group"]
        files[f"gazette/{i:02d}.txt"] = page(header, paras, footer)
    src = write(tmp_path / "in", files)
    out = tmp_path / "out"
    dedupe.clean(src, out, Config(jobs=1))
    template = [r for r in removals(out) if r["category"] == "corpus-repeat"]
    removed_text = {r["text"] for r in template}
    assert "The Harbour Gazette" in removed_text
    assert "Independent news for the bay since 1892" in removed_text
    assert {"corpus-repeat:exact", "corpus-repeat:digits"} <= {r["detector"] for r in template}
    assert any(t.startswith("Copyright 2017") for t in removed_text)  # a year apart, the same template line
    assert any(t.startswith("The Harbour Gazette is published") for t in removed_text)
    # A line that differs in one word on every page: found through the band keys of its MinHash.
    near = [r for r in template if r["text"].startswith("Follow the Harbour Gazette")]
    assert len(near) >= 6 and {r["detector"] for r in near} == {"corpus-repeat:near"}
    for i in (2, 5):
        assert quote in (out / f"gazette/{i:02d}.txt").read_text(encoding="utf-8")
    assert duplicates(out) == {}


def test_a_stock_sentence_inside_some_articles_stays_while_inline_template_text_goes(tmp_path: Path):
    rng = random.Random(12)
    stock = "The company did not respond to a request for comment."
    files = {}
    for i in range(8):
        paras = article(rng, 6)
        paras.insert(3, "Advertisement")  # in every page, between two paragraphs
        if i % 3 == 0:
            paras.insert(2, stock)  # in 3 of 8 articles, between two paragraphs
        files[f"news/{i}.txt"] = page([], paras, [])
    src = write(tmp_path / "in", files)
    out = tmp_path / "out"
    dedupe.clean(src, out, Config(jobs=1))
    removed = {r["text"] for r in removals(out) if r["category"] == "corpus-repeat"}
    assert removed == {"Advertisement"}
    assert stock in (out / "news/0.txt").read_text(encoding="utf-8")


def test_template_text_is_counted_per_source(tmp_path: Path):
    rng = random.Random(9)
    files = {f"one/{i}.txt": page(["Menu of site one only"], article(rng, 4), []) for i in range(10)}
    files.update({f"two/{i}.txt": page(["Menu of site one only"] if i == 0 else [], article(rng, 4), [])
                  for i in range(40)})
    src = write(tmp_path / "in", files)
    out = tmp_path / "out"
    dedupe.clean(src, out, Config(jobs=1, min_corpus_share=0.2))
    hits = {r["file"].split("/")[0] for r in removals(out) if r["category"] == "corpus-repeat"}
    assert hits == {"one"}  # in every page of one/, in 1 of 40 of two/


def test_copies_of_one_article_do_not_make_its_paragraphs_template_text(tmp_path: Path):
    rng = random.Random(4)
    paras = article(rng, 3)
    short = "The council meets again on Friday."
    files = {f"site{i}/story.txt": page([], paras + [short], []) for i in range(6)}
    src = write(tmp_path / "in", files)
    out = tmp_path / "out"
    dedupe.clean(src, out, Config(jobs=1, skip=("duplicate-document",)))
    assert [r for r in removals(out) if r["category"] == "corpus-repeat"] == []


# --- determinism ---------------------------------------------------------------------------------------


def tree(folder: Path) -> dict[str, bytes]:
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            if p.name == "summary.json":
                summary = json.loads(data)
                summary.pop("timings")
                summary["input"].pop("folder")
                summary["output"].pop("folder")
                summary["config"].pop("jobs")  # the one setting that differs between the runs
                summary.pop("engine")  # ...and so the engine's worker count
                data = json.dumps(summary, sort_keys=True).encode()
            out[p.relative_to(folder).as_posix()] = data
    return out


def test_output_is_the_same_for_any_number_of_workers_and_any_file_order(syndicated: Path, tmp_path: Path):
    rng = random.Random(6)
    extra = {f"site/{i:03d}.txt": page(["Site header line here", "Home | About"], article(rng, 3),
                                          ["© 2024 Site. All rights reserved."]) for i in range(150)}
    write(syndicated, extra)
    # The same files created in another order (directory order on disk differs).
    shuffled = tmp_path / "shuffled"
    names = sorted(p.relative_to(syndicated).as_posix() for p in syndicated.rglob("*") if p.is_file())
    rng.shuffle(names)
    for rel in names:
        (shuffled / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(syndicated / rel, shuffled / rel)
    runs = {}
    for name, src, jobs in (("one", syndicated, 1), ("two", syndicated, 2), ("shuffled", shuffled, 2)):
        out = tmp_path / f"out-{name}"
        dedupe.clean(src, out, Config(jobs=jobs))
        runs[name] = tree(out)
    assert runs["one"] == runs["two"] == runs["shuffled"]
    assert any(b'"corpus-repeat"' in v for v in runs["one"].values())


def _noting_pid(fn, where: Path):
    """fn, noting the process that runs each call in `where` (one line a call); pickled by fn's name, as a pool
    sends it."""
    def noted(batch):
        with open(where, "a") as f:
            f.write(f"{os.getpid()}\n")
        return fn(batch)

    noted.__module__, noted.__qualname__, noted.__name__ = fn.__module__, fn.__qualname__, fn.__name__
    return noted


def test_both_passes_run_in_one_pool_and_the_run_leaves_no_worker_behind(syndicated: Path, tmp_path: Path,
                                                                        monkeypatch):
    """Pass 2's batches run in the workers forked for pass 1, which are sent the corpus step's answers (a pool
    forked again after the corpus step paid its workers' copy-on-write faults a second time)."""
    import multiprocessing

    rng = random.Random(7)
    write(syndicated, {f"site/{i:03d}.txt": page(["Site header line here"], article(rng, 3), ["© 2024 Site."])
                       for i in range(150)})
    for name in ("_sign_batch", "_clean_batch"):
        monkeypatch.setattr(pipeline, name, _noting_pid(getattr(pipeline, name), tmp_path / name))
    out = tmp_path / "out"
    dedupe.clean(syndicated, out, Config(jobs=2))
    sign, clean = ({int(pid) for pid in (tmp_path / name).read_text().split()} for name in ("_sign_batch",
                                                                                            "_clean_batch"))
    assert os.getpid() not in sign and clean and clean <= sign
    assert multiprocessing.active_children() == []
    assert duplicates(out) == {f"syndicated/{name}": f"origin/{name}" for name in sample_names()}


def test_output_does_not_depend_on_how_files_are_cut_into_batches(syndicated: Path, tmp_path: Path, monkeypatch):
    # A batch is signed in one numpy pass; batches grow with the corpus (pipeline._batches).
    runs = {}
    for name, size in (("default", None), ("one-file batches", 1), ("odd batches", 7)):
        if size is not None:
            monkeypatch.setattr(pipeline, "BATCH", size)
            monkeypatch.setattr(pipeline, "BATCH_MAX", size)
        out = tmp_path / name
        dedupe.clean(syndicated, out, Config(jobs=1))
        runs[name] = tree(out)
    assert runs["default"] == runs["one-file batches"] == runs["odd batches"]
    assert any(b'"duplicate-document"' in v for v in runs["default"].values())


def test_the_collector_is_set_for_the_batches_and_put_back_after_the_run(syndicated: Path, tmp_path: Path,
                                                                        monkeypatch):
    import gc

    seen = []
    sign = pipeline._sign_batch
    monkeypatch.setattr(pipeline, "_sign_batch", lambda batch: (seen.append(gc.get_threshold()), sign(batch))[1])
    before = gc.get_threshold(), gc.get_freeze_count()
    dedupe.clean(syndicated, tmp_path / "out", Config(jobs=1))
    assert seen and all(t[0] > before[0][0] for t in seen)  # young objects collected less often
    assert (gc.get_threshold(), gc.get_freeze_count()) == before  # a library caller's process as it was


def test_batches_grow_with_the_corpus_and_every_worker_gets_several():
    assert [len(b) for _, b in pipeline._batches(list(range(130)), 2)] == [64, 64, 2]
    sizes = [len(b) for _, b in pipeline._batches(list(range(10_000)), 2)]
    assert sizes[0] == pipeline.BATCH_MAX and sum(sizes) == 10_000 and len(sizes) >= 16
    assert [n for n, _ in pipeline._batches(list(range(1000)), 4)] == list(range(16))


def test_the_last_batches_shrink_so_that_the_workers_end_a_pass_together():
    """With several workers the batches end in smaller ones (each a quarter of what is left, for two workers,
    down to BATCH); one worker runs every batch at full size."""
    sizes = [len(b) for _, b in pipeline._batches(list(range(10_000)), 2)]
    assert sizes[:-8] == [pipeline.BATCH_MAX] * (len(sizes) - 8)
    assert sizes[-8:] == [196, 147, 111, 83, 64, 64, 64, 55]  # the last 784 items, each a quarter of what is left
    assert [len(b) for _, b in pipeline._batches(list(range(10_000)), 1)] == [256] * 39 + [16]
    # A file batched alone keeps its own batch; the shrinking counts the other items only.
    cut = pipeline._batches(list(range(600)) + ["big.jsonl"] + list(range(600, 1200)), 2, {"big.jsonl"})
    assert ["big.jsonl"] in [b for _, b in cut] and sum(len(b) for _, b in cut) == 1201


# --- the samples --------------------------------------------------------------------------------------


def test_the_samples_still_score_perfectly(tmp_path: Path):
    out = tmp_path / "out"
    dedupe.clean(SAMPLES, out, Config())
    assert duplicates(out) == {}  # five articles on one topic, none a copy of another
    score = subprocess.run(
        [sys.executable, str(ROOT / "tests/data/score_lines.py"), str(SAMPLES), str(out),
         str(ROOT / "tests/data/gold.json")],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "TOTAL remove_recall=1.000 keep_rate=1.000 wrongly_removed=0 altered=0" in score


def test_a_file_that_cannot_be_read_loses_nothing_else(syndicated: Path, tmp_path: Path):
    (syndicated / "origin" / "0000_binary.txt").write_bytes(b"\x00\x01binary")
    (syndicated / "syndicated" / "0000_binary.txt").write_bytes(b"\x00\x02binary")
    out = tmp_path / "out"
    run = dedupe.clean(syndicated, out, Config(jobs=2))
    assert run.exit_code == 1
    assert sorted(n.file for n in run.failed) == ["origin/0000_binary.txt", "syndicated/0000_binary.txt"]
    assert duplicates(out) == {f"syndicated/{name}": f"origin/{name}" for name in sample_names()}


def test_a_dry_run_writes_the_report_only(syndicated: Path, tmp_path: Path):
    out, report = tmp_path / "out", tmp_path / "report"
    dedupe.clean(syndicated, out, Config(jobs=1), report=report, dry_run=True)
    assert not out.exists() or not any(p.suffix == ".txt" for p in out.rglob("*"))
    with open(report / "removals.jsonl", encoding="utf-8") as f:
        assert sum('"duplicate-document"' in line for line in f) == len(sample_names())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_the_ascii_fast_path_of_normalize_agrees_with_the_unicode_path(text):
    import re
    import unicodedata

    slow = re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()
    assert dedupe.sign.normalize(text) == slow


def test_word_hashes_in_one_pass_equal_word_by_word_hashes_in_short_and_very_long_texts():
    from dedupe.sign import token_hash, token_hashes

    for text in ("héllo wörld ß 3", " ".join(["über", "naïve", "x", "2024"] * 20000)):  # the second is > 64 KiB
        assert token_hashes(text).tolist() == [token_hash(w.encode("utf-8")) for w in text.split()]


def test_the_page_counted_during_the_run_equals_the_page_drawn_back_from_the_report(tmp_path):
    """The run feeds the page's counts as it goes; `dedupe report` reads them back: same bytes, every page."""
    from dedupe.report.html import render_report

    src = tmp_path / "in"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), str(src), "--docs", "240",
                    "--seed", "5"], check=True, capture_output=True)
    out = tmp_path / "out"
    dedupe.clean(src, out, Config(jobs=2))
    report = out / "_report"
    pages = {p.name: p.read_bytes() for p in report.glob("index*.html")}
    assert b"corpus-repeat" in pages["index.html"]  # template lines across the sites' pages: top blocks to show
    assert [p.name for p in render_report(report)] == sorted(pages, key=lambda n: (n != "index.html", n))
    assert {p.name: p.read_bytes() for p in report.glob("index*.html")} == pages


def test_components_equal_a_plain_union_find_and_survive_long_chains():
    from dedupe.detect.corpus import components

    def union_find(n, a, b):
        parent = list(range(n))

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for x, y in zip(a.tolist(), b.tolist()):
            rx, ry = find(x), find(y)
            if rx != ry:
                parent[max(rx, ry)] = min(rx, ry)
        return [find(i) for i in range(n)]

    rng = np.random.default_rng(3)
    for _ in range(100):
        n, e = int(rng.integers(1, 200)), int(rng.integers(0, 300))
        a, b = rng.integers(0, n, e), rng.integers(0, n, e)
        assert components(n, a, b).tolist() == union_find(n, a, b)
    # A chain of near-duplicates in shuffled order: one component, labelled by its smallest node.
    order = rng.permutation(20000)
    assert (components(20000, order[:-1], order[1:]) == 0).all()


def _cluster_member_by_member(n, left, right, sigs, n_shingles, priority, config, whole):
    """The star clusters as `cluster` made them before pairs went in one call: every member against the kept."""
    from dedupe.detect.corpus import components, distinct

    dup_of, dup_score, dup_how = np.full(n, -1, np.int64), np.zeros(n, np.float32), np.zeros(n, np.uint8)
    nodes = distinct(np.concatenate([left, right]))
    roots = components(len(nodes), np.searchsorted(nodes, left), np.searchsorted(nodes, right))
    order = np.lexsort((priority[nodes], roots))
    for members in np.split(nodes[order], np.flatnonzero(np.diff(roots[order])) + 1):
        kept = []
        for m in members.tolist():
            if kept:
                k = np.array(kept)
                score, how, ok = similarity(sigs[k], sigs[m][None, :], n_shingles[k],
                                            np.full(len(k), n_shingles[m]), config, whole[k] | whole[m])
                if ok.any():
                    best = int(np.flatnonzero(ok)[np.argmax(score[ok])])
                    dup_of[m], dup_score[m], dup_how[m] = kept[best], score[best], how[best]
                    continue
            kept.append(m)
    return dup_of, dup_score, dup_how


@pytest.mark.parametrize("seed", range(5))
def test_clusters_with_their_pairs_in_one_call_equal_member_by_member_clusters(seed):
    from dedupe.detect.corpus import cluster

    rng = np.random.default_rng(seed)
    config, n, perm = Config(), 400, 64
    sigs = rng.integers(0, 1 << 32, (n, perm), dtype=np.uint64)
    left, right = [], []
    for a in range(0, n - 4, 5):  # components of 1 to 4 documents, copies near and far, some only contained
        for b in range(a + 1, a + int(rng.integers(1, 5))):
            sigs[b] = np.where(rng.random(perm) < rng.random(), sigs[a], sigs[b])
            left.append(a)
            right.append(b)
    n_shingles = rng.integers(5, 400, n)
    priority = rng.permutation(n)
    whole = rng.random(n) < 0.2
    args = (np.array(left), np.array(right), sigs, n_shingles, priority, config, whole)
    got, want = cluster(n, *args), _cluster_member_by_member(n, *args)
    assert (got[0] >= 0).sum() >= 10 and (got[2] == 1).any()  # copies found, some by containment
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.tobytes() == w.tobytes()


@pytest.mark.parametrize("seed", range(4))
def test_clusters_of_many_members_equal_member_by_member_clusters(seed):
    """Components of 3 to 40 documents: those of up to `_STAR_MEMBERS` read every pair of theirs from one call,
    larger ones compare each member with the survivors so far; both are the member-by-member clusters."""
    from dedupe.detect.corpus import _STAR_MEMBERS, cluster

    rng = np.random.default_rng(seed)
    config, perm = Config(), 64
    sizes = [3, 4, 7, _STAR_MEMBERS, _STAR_MEMBERS + 1, 40] + rng.integers(3, 12, 8).tolist()
    n = sum(sizes) + 10
    sigs = rng.integers(0, 1 << 32, (n, perm), dtype=np.uint64)
    left, right, a = [], [], 5
    for size in sizes:  # each a chain of copies of its first, near and far (some of each other only)
        for b in range(a + 1, a + size):
            base = a if rng.random() < 0.6 else b - 1
            sigs[b] = np.where(rng.random(perm) < rng.random() * 0.8 + 0.2, sigs[base], sigs[b])
            left.append(base)
            right.append(b)
        a += size
    n_shingles = rng.integers(5, 400, n)
    priority = rng.permutation(n)
    whole = rng.random(n) < 0.1
    args = (np.array(left), np.array(right), sigs, n_shingles, priority, config, whole)
    got, want = cluster(n, *args), _cluster_member_by_member(n, *args)
    assert (got[0] >= 0).sum() >= 30 and len(set(got[0][got[0] >= 0].tolist())) > len(sizes)  # several stars
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.tobytes() == w.tobytes()


def _source_key_counts_by_lexsort(skeys, rep, src, source_docs, config):
    """`count_source_keys` as numpy made it before the core sorted the rows: a lexsort and its runs."""
    order = np.lexsort((rep, skeys))
    sk, rp = skeys[order], rep[order]
    first = np.concatenate(([True], (sk[1:] != sk[:-1]) | (rp[1:] != rp[:-1])))
    sk, sources = sk[first], src[order][first]
    starts = np.flatnonzero(np.concatenate(([True], sk[1:] != sk[:-1])))
    df = np.diff(np.append(starts, len(sk)))
    ukeys, usrc = sk[starts], sources[starts]
    ok = (df >= config.min_corpus_docs) & (df >= config.min_corpus_share * source_docs[usrc])
    return ukeys[ok], df[ok].astype(np.uint32)


@pytest.mark.parametrize("seed", range(6))
def test_source_keys_counted_in_the_core_are_the_lexsorts_counts(seed):
    """The rows sorted by (key, representative, row) in the core give numpy's lexsort counts: per key its
    distinct clusters, and the source of its first row (a key shared across sources too, which only a hash
    collision makes, takes its lowest representative's)."""
    from dedupe.detect.corpus import count_source_keys

    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 5000))
    distinct_keys = rng.integers(0, 2**64, max(1, n // 4), dtype=np.uint64)
    skeys = distinct_keys[rng.integers(0, len(distinct_keys), n)]  # keys in several rows
    rep = rng.integers(0, max(1, n // 3), n).astype(np.uint32)
    src = rng.integers(0, 5, n).astype(np.int32)
    source_docs = rng.integers(5, 60, 5)  # (a share of 0.15: 1 to 9 clusters, as the keys hold)
    config = Config(min_corpus_docs=2, min_corpus_share=0.15)
    got, want = count_source_keys(skeys, rep, src, source_docs, config), \
        _source_key_counts_by_lexsort(skeys, rep, src, source_docs, config)
    assert n < 100 or len(want[0]) > 10
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.tobytes() == w.tobytes()


def test_one_documents_keys_are_mixed_with_its_source_as_the_corpus_step_mixes_them():
    """Pass 2 looks a document's block keys up among the corpus step's: both must mix a key and a source alike."""
    from dedupe.detect.corpus import _mix_source
    from helpers import reference_source_keys

    keys = np.array([0, 1, 2**63, 2**64 - 1, 0x9E3779B97F4A7C15, 12345678901234567890], dtype=np.uint64)
    for source in (0, 1, 7, 2**31 - 1):
        assert np.array_equal(reference_source_keys(keys, source),
                              _mix_source(keys, np.full(len(keys), source, np.int32)))


def check_templates_of(seed: int) -> None:
    """A batch's template findings looked up at once equal each document's own, by its plain-loop definition."""
    from types import SimpleNamespace

    from dedupe.decide import INTS, Found
    from dedupe.detect.corpus import Corpus, _mix_source
    from helpers import reference_templates

    rng = np.random.default_rng(seed)
    n_sources, n_docs = int(rng.integers(1, 5)), int(rng.integers(1, 12))
    source_ids = rng.integers(0, n_sources, n_docs).astype(np.int32)
    pool = rng.integers(0, 2**64, 40, dtype=np.uint64)  # the keys documents are made of
    chosen = rng.choice(len(pool), int(rng.integers(0, 30)))
    freq_src = rng.integers(0, n_sources, len(chosen))
    freq = np.unique(_mix_source(pool[chosen], freq_src))
    config = Config(corpus_inline_share=float(rng.choice([0.0, 0.3, 0.5, 1.0])))
    corpus = Corpus(config, [f"d{i}" for i in range(n_docs)], np.ones(n_docs, np.int64), np.full(n_docs, -1),
                    np.zeros(n_docs, np.float32), np.zeros(n_docs, np.uint8), {str(s): s for s in range(n_sources)},
                    rng.integers(0, 9, n_sources), freq, rng.integers(1, 12, len(freq)).astype(np.uint32), [], {},
                    source_ids=source_ids)
    analyses = []
    for _ in range(n_docs):
        n_blocks = int(rng.integers(0, 8))
        per_block = rng.integers(0, 4, n_blocks) if n_blocks else np.zeros(0, np.int64)
        owner = np.repeat(np.arange(n_blocks), per_block).astype(np.int32)
        analyses.append(SimpleNamespace(
            keys=pool[rng.integers(0, len(pool), len(owner))], owner=owner,
            kind=rng.integers(0, 3, len(owner)).astype(np.uint8), long=tuple(rng.random(n_blocks) < 0.6),
            findings=Found(tuple(f"l{i}" for i in range(int(rng.integers(0, 4)))), b"", b"")))
    indices = rng.permutation(n_docs)[: int(rng.integers(0, n_docs + 1))].tolist()
    got = corpus.templates_of(indices, [analyses[i] for i in indices], config)
    assert len(got) == len(indices)
    for index, found in zip(indices, got):
        offset = len(analyses[index].findings.labels)
        ints = np.frombuffer(found.ints, "<i8").reshape(-1, INTS).tolist()
        made = [(b, found.labels[det - offset], score)
                for (b, cat, det, is_int, *ref), score in zip(ints, np.frombuffer(found.scores, "<f8").tolist())
                if cat == offset and is_int == 0 and ref == [-1, 0, 0, 0]]
        assert len(made) == len(ints) and found.labels[0] == "corpus-repeat"
        assert made == reference_templates(corpus, index, analyses[index], config)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_which_documents_of_a_batch_are_removed_duplicates_is_what_duplicate_says_of_each(seed):
    from types import SimpleNamespace

    from dedupe.detect.corpus import Corpus

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 12))
    heads = rng.integers(-1, n, n)
    dup_of = np.where(heads < np.arange(n), heads, -1)  # (a copy names an earlier document)
    keep = str(rng.choice(["first", "none"]))
    earlier = SimpleNamespace(ids=["e0", "e1"], n_lines=np.array([3, 4]), run_of=lambda e: "run")
    match = (rng.integers(-1, 2, n), rng.random(n), rng.integers(0, 2, n)) if rng.random() < 0.5 else None
    corpus = Corpus(Config(keep=keep), [f"d{i}" for i in range(n)], np.ones(n, np.int64), dup_of,
                    rng.random(n).astype(np.float32), np.zeros(n, np.uint8), {}, np.zeros(0, np.int64),
                    np.zeros(0, np.uint64), np.zeros(0, np.uint32), [], {}, earlier if match else None, match)
    indices = rng.permutation(n)[: int(rng.integers(0, n + 1))].tolist()
    assert corpus.duplicated(indices) == [corpus.duplicate(i) is not None for i in indices]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_a_batchs_template_findings_equal_each_documents_own(seed):
    check_templates_of(seed)


# --- what a page is about: listing pages of one template, derived copies, cleaning twice ------------------


def grid(rng: random.Random, blurb: list[str], items: int = 40) -> str:
    """A shop's category page as a text dump shows it: a grid of items (name, price, reviews, a tag) around the
    category's prose blurb, a menu above and a footer below."""
    cards = []
    for _ in range(items):
        price = rng.randint(49, 2999)
        card = [f"{rng.choice(WORDS).upper()} {rng.choice(WORDS)}, {rng.choice(WORDS)} {rng.choice(WORDS)}", "",
                f"$ {price}. 00 Price $ {price}.00", f"({rng.randint(2, 400)})"]
        if rng.random() < 0.4:
            card.append(rng.choice(["Firm", "Medium firm", "Soft", "New", "Last chance"]))
        cards.append("\n".join(card))
    return page(["Products", "Rooms", "Deals"], cards[:20] + blurb + cards[20:], ["Privacy policy", "Cookie settings"])


def test_category_pages_sharing_their_prose_are_not_copies_unless_the_whole_page_is(tmp_path: Path):
    # Three shops, each with two category pages that share the category's blurb and most of their grid (four
    # items changed), read as extracted text: the blurb is under doc_min_share of what either keeps, so each
    # signs whole and is a copy only at doc_page_threshold; at the usual threshold each pair was a copy (the
    # rule off). The same page twice still is one.
    rng = random.Random(14)
    files = {}
    shops = ("shop-a", "shop-b", "shop-c")
    for site in shops:
        first = grid(rng, article(rng, 3)).split("\n\n")
        second = first[:]
        for k in rng.sample([k for k, b in enumerate(first) if b.split(" ")[0].isupper() and "," in b], 4):
            second[k] = f"{rng.choice(WORDS).upper()} {rng.choice(WORDS)}, {rng.choice(WORDS)} {rng.choice(WORDS)}"
        files[f"{site}/list-1.txt"] = "\n\n".join(first)
        files[f"{site}/list-2.txt"] = files[f"{site}/list-3.txt"] = "\n\n".join(second)
    src = write(tmp_path / "in", files)
    dedupe.clean(src, tmp_path / "out", Config(jobs=1, extracted=True))
    assert duplicates(tmp_path / "out") == {f"{s}/list-3.txt": f"{s}/list-2.txt" for s in shops}
    dedupe.clean(src, tmp_path / "loose", Config(jobs=1, extracted=True, doc_min_share=0.0))  # the rule off
    assert {k: v for k, v in duplicates(tmp_path / "loose").items() if k.endswith("-2.txt")} == {
        f"{s}/list-2.txt": f"{s}/list-1.txt" for s in shops}


def test_a_page_signs_as_its_cleaned_copy_so_cleaning_the_copies_again_finds_no_copy(tmp_path: Path):
    # Read as whole pages, the same shops' grids lie outside the blurb's extent and go as chrome: each cleaned
    # copy is the blurb and a card or two, and the two pages of a shop are copies in what is left. Signed by
    # the page they were before (their grids counted), the first run kept both and a second run over the
    # cleaned copies dropped one of each pair.
    rng = random.Random(14)
    files = {}
    shops = ("shop-a", "shop-b", "shop-c")
    for site in shops:
        # (a blurb that outweighs the cards' titles, as ikea's category text does: a grid whose titles and price
        # lines outweigh the prose beside it is the page's content, `card_runs`, and is kept)
        blurb = article(rng, 12)
        files[f"{site}/list-1.txt"] = grid(rng, blurb)
        files[f"{site}/list-2.txt"] = grid(rng, blurb)
    src = write(tmp_path / "in", files)
    dedupe.clean(src, tmp_path / "out", Config(jobs=1))
    assert duplicates(tmp_path / "out") == {f"{s}/list-2.txt": f"{s}/list-1.txt" for s in shops}
    run = dedupe.clean(tmp_path / "out", tmp_path / "again", Config(jobs=1))
    assert run.by_category == {}


TYPES = ROOT.parent / "shared" / "data" / "webpages-types" / "dumps"


@pytest.mark.skipif(not TYPES.is_dir(), reason="needs ../shared/data/webpages-types (the real pages)")
def test_two_real_category_pages_cleaned_to_the_same_text_are_copies(tmp_path: Path):
    # Two ikea.com sofa category pages (two crawls of one: the grids differ in their review counts), the same
    # category text above the grid. Whole pages, their grids go as chrome and their cleaned copies are the same
    # text: one goes as a copy, as cleaning the cleaned copies again would find (the first run kept both when
    # the pages signed with their grids). Read as extracted text, both grids stay, and still nearly equal.
    names = ("ikea.com__0648.txt", "ikea.com__2927.txt")
    src = write(tmp_path / "in", {f"ikea.com/{n}": (TYPES / n).read_text(encoding="utf-8") for n in names})
    merged = {f"ikea.com/{names[1]}": f"ikea.com/{names[0]}"}
    dedupe.clean(src, tmp_path / "out", Config(jobs=1))
    assert duplicates(tmp_path / "out") == merged
    assert dedupe.clean(tmp_path / "out", tmp_path / "again", Config(jobs=1)).by_category == {}
    dedupe.clean(src, tmp_path / "extracted", Config(jobs=1, extracted=True))
    assert duplicates(tmp_path / "extracted") == merged


def short_texts(rng: random.Random) -> dict[str, str]:
    """Per topic: a source, a cut-and-paste copy of it (four of its nine paragraphs, two of its own), an unrelated text."""
    files = {}
    for topic in range(3):
        source = article(rng, 9)
        copy = [p for i, p in enumerate(source) if i % 2] + article(rng, 2)
        files[f"t{topic}-copy.txt"] = "\n".join(copy) + "\n"
        files[f"t{topic}-other.txt"] = "\n".join(article(rng, 6)) + "\n"
        files[f"t{topic}-source.txt"] = "\n".join(source) + "\n"
    return files


def test_a_derived_copy_goes_as_a_copy_of_its_source_and_unrelated_texts_stay(tmp_path: Path):
    rng = random.Random(15)
    src = write(tmp_path / "in", short_texts(rng))
    dedupe.clean(src, tmp_path / "off", Config(jobs=1))
    assert duplicates(tmp_path / "off") == {}  # off by default: such copies are below both duplicate thresholds
    dedupe.clean(src, tmp_path / "on", Config(jobs=1, derived_containment=0.45))
    # A copy goes, though it comes first by path: a derived copy's source stays whatever the keep policy. The
    # 3-gram containment is estimated from 128 MinHash values (t2's copy: 0.37 estimated, about 0.55 exact), so
    # one of three may stay; an unrelated text on the same words never goes.
    found = duplicates(tmp_path / "on")
    assert len(found) >= 2 and all(found[c] == c.replace("copy", "source") and "copy" in c for c in found)
    assert {r["detector"] for r in removals(tmp_path / "on")} >= {"duplicate-document:derived"}


def test_cleaning_the_cleaned_tree_again_removes_no_document_and_no_template_text(syndicated: Path, tmp_path: Path):
    # The corpus step signs what the cleaned copy keeps, so a second pass finds no new copy nor template line.
    # (The within-document chrome rules may still act: README, "Cleaning twice".)
    dedupe.clean(syndicated, tmp_path / "once", Config(jobs=1, derived_containment=0.45))
    dedupe.clean(tmp_path / "once", tmp_path / "twice", Config(jobs=1, derived_containment=0.45))
    again = [r for r in removals(tmp_path / "twice") if not r["category"].startswith("chrome:")]
    assert again == []


DEV_PAGES = ROOT.parent / "shared" / "data" / "webpages-dev" / "pages"


@pytest.mark.skipif(not DEV_PAGES.is_dir(), reason="needs ../shared/data/webpages-dev (the real pages)")
def test_text_a_run_wrote_from_html_is_cleaned_again_as_an_article_not_a_whole_page(tmp_path: Path):
    # Cleaned again, the text of an HTML page went through the whole-page rules (its items' repeats, a short line
    # now at its top read as outside the article): 365 blocks in 41 of webpages-dev's 200 pages (measured at
    # f5e9cdb). OUT's marker names the files made from HTML, and cleaning OUT again reads them as
    # articles. Three pages of three sites where that happened.
    names = ("energysage.com__4193", "accounting.com__0026", "reviewed.com__4430")
    src = write(tmp_path / "in", {f"{n}.html": (DEV_PAGES / f"{n}.html").read_text(encoding="utf-8") for n in names})
    once, twice = tmp_path / "once", tmp_path / "twice"
    dedupe.clean(src, once, Config(jobs=1))
    marker = json.loads((once / ".dedupe-output.json").read_text(encoding="utf-8"))
    assert marker["articles"] == sorted(f"{n}.txt" for n in names)
    dedupe.clean(once, twice, Config(jobs=1))
    assert removals(twice) == []
    assert json.loads((twice / ".dedupe-output.json").read_text(encoding="utf-8"))["articles"] == marker["articles"]
    # Without the marker the same texts are whole pages, and the whole-page rules cut each of them again.
    (once / ".dedupe-output.json").unlink()
    dedupe.clean(once, tmp_path / "plain", Config(jobs=1))
    assert {r["file"] for r in removals(tmp_path / "plain")} == {f"{n}.txt" for n in names}


def test_a_sig_table_truncated_is_the_table_of_its_first_documents():
    from dedupe.detect.corpus import DocSig, SigTable

    rng = np.random.default_rng(3)

    def sig(i: int) -> DocSig:
        return DocSig(f"d{i}", f"s{i % 7}", i % 50 + 1, i % 300, i % 90, rng.integers(0, 2**32, 8, dtype=np.uint32),
                      rng.integers(0, 2**63, i % 4, dtype=np.uint64))

    sigs = [sig(i) for i in range(10000)]  # parts of 4096 documents: the cut falls inside the second
    whole, short = SigTable(8), SigTable(8)
    for s in sigs:
        whole.add(s)
    for s in sigs[:5000]:
        short.add(s)
    whole.truncate(5000)
    whole.add(sigs[0], "again")  # and it goes on from there
    short.add(sigs[0], "again")
    assert whole.ids == short.ids and whole.sources == short.sources
    for a, b in zip(whole.arrays(), short.arrays()):
        assert np.array_equal(a, b)


def test_a_second_pass_can_only_find_a_copy_of_a_short_article_that_its_sites_taglines_hid(tmp_path: Path):
    """What cleaning a cleaned tree can still remove, pinned (docs/duplicates.md, "Cleaning twice"): a copy of
    a short article on another site whose pass-1 signature held each site's tagline, a prose line that the
    corpus step finds on every page of its site only after pass 1 has signed the pages. Cleaned, the two copies
    are equal, and the second pass drops one. Nothing else acts again: no block, no other document."""
    rng = random.Random(5)
    short = article(rng, 4)[:4]
    short = [" ".join(p.split()[:18]) + "." for p in short]  # four paragraphs of 18 words: a brief
    files = {}
    for site, name in (("a", "The Valley Courier"), ("b", "Harbour Evening Post")):
        tagline = f"{name} is the {rng.choice(WORDS)} paper of record for the {rng.choice(WORDS)} and its people."
        for n in range(12):
            paras = short if n == 0 else article(rng, 5)
            header = [name, "Home | News | Sport | Business", f"Story {n} of the day"]
            files[f"{site}/{n:02d}.txt"] = page(header, paras, [tagline, f"© 2024 {name}. All rights reserved."])
    src = write(tmp_path / "in", files)
    once, twice = tmp_path / "once", tmp_path / "twice"
    dedupe.clean(src, once, Config(jobs=1))
    assert "b/00.txt" not in duplicates(once)  # pass 1 missed the copy: each signature held its site's tagline
    assert {r["text"].split(" is the ")[0] for r in removals(once) if r["category"] == "corpus-repeat"} >= {
        "The Valley Courier", "Harbour Evening Post"}
    assert (once / "a" / "00.txt").read_text(encoding="utf-8") == (once / "b" / "00.txt").read_text(encoding="utf-8")
    dedupe.clean(once, twice, Config(jobs=1))
    assert [(r["file"], r["category"], r["duplicate_of"]["file"]) for r in removals(twice)] == [
        ("b/00.txt", "duplicate-document", "a/00.txt")]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 60), st.integers(1, 4), st.integers(0, 2**31))
def test_candidate_pairs_made_distinct_band_by_band_are_every_bands_pairs(n, values, seed):
    """candidate_pairs keeps only the distinct pairs found so far as it goes band by band; the result is the
    plain definition's: per band, each document sharing a key with the run's first and with its predecessor."""
    from dedupe.detect.corpus import candidate_pairs

    rng = np.random.default_rng(seed)
    rows = 2
    sigs = rng.integers(0, values, (n, 12), dtype=np.uint32)  # few values: keys shared in many bands
    n_shingles = rng.integers(0, 3, n).astype(np.uint32)  # an empty body (0) is never paired
    want = set()
    for b in range(12 // rows):
        runs: dict[tuple, list[int]] = {}
        for d in np.flatnonzero(n_shingles > 0).tolist():
            runs.setdefault(tuple(sigs[d, b * rows : (b + 1) * rows].tolist()), []).append(d)
        for docs in runs.values():
            want |= {(docs[0], d) for d in docs[1:]} | set(zip(docs, docs[1:]))
    got = candidate_pairs(sigs, n_shingles, rows)
    assert got.dtype == np.uint64 and np.all(got[1:] > got[:-1])
    assert [(int(p >> 32), int(p & 0xFFFFFFFF)) for p in got] == sorted((a, b) for a, b in want if a != b)


@pytest.mark.parametrize("block_bytes", [1000, 64 << 20])
@pytest.mark.parametrize("cut", [0, 31, 4096, 5000, 9999])
def test_a_sig_tables_columns_in_blocks_are_its_documents_in_order(monkeypatch, block_bytes, cut):
    """The signatures and block keys are held in large blocks filled in place (freed whole, so their memory
    goes back to the system); joined, they are every document's values in order, also after a truncation
    that falls inside a block or on its edge."""
    from dedupe.detect import corpus as corpus_step

    monkeypatch.setattr(corpus_step._Blocks, "BLOCK_BYTES", block_bytes)  # 1000: 31 signatures, 125 keys a block
    rng = np.random.default_rng(cut)
    sigs = [corpus_step.DocSig(f"d{i}", "s", 3, 40, 9, rng.integers(0, 2**32, 8, dtype=np.uint32),
                               rng.integers(0, 2**63, i % 5, dtype=np.uint64)) for i in range(10000)]
    table = corpus_step.SigTable(8)
    for s in sigs:
        table.add(s)
    table.truncate(cut)
    for s in sigs[:7]:
        table.add(s)
    kept = sigs[:cut] + sigs[:7]
    *_, derived, signatures, keys, key_counts = table.arrays()
    assert derived.shape == (len(kept), 0)
    assert np.array_equal(signatures, np.stack([s.signature for s in kept]))
    assert np.array_equal(keys, np.concatenate([s.keys for s in kept]))
    assert key_counts.tolist() == [len(s.keys) for s in kept]


@pytest.mark.parametrize("derived", [None, np.arange(4, dtype=np.uint32)])
def test_a_docsig_pickles_its_arrays_as_bytes_and_loads_every_field_back(derived):
    """DocSig's own pickling (raw array bytes) gives back every field, with the arrays' types, writable."""
    import dataclasses
    import pickle

    sig = DocSig(id="a/b.txt", source="a", n_lines=3, size=40, n_shingles=36,
                 signature=np.array([5, 1, 2**32 - 1, 7], dtype=np.uint32),
                 keys=np.array([2**64 - 1, 3], dtype=np.uint64), whole=True, derived=derived, n_derived=9)
    back = pickle.loads(pickle.dumps(sig, protocol=pickle.HIGHEST_PROTOCOL))
    assert set(back.__dict__) == {f.name for f in dataclasses.fields(DocSig)}
    for f in dataclasses.fields(DocSig):
        a, b = getattr(sig, f.name), getattr(back, f.name)
        if isinstance(a, np.ndarray):
            assert b.dtype == a.dtype and b.tolist() == a.tolist() and b.flags.writeable
        else:
            assert b == a


@pytest.mark.parametrize("derived", [False, True])
def test_a_batchs_sig_columns_cross_pickled_and_fill_the_table_as_its_docsigs_one_by_one(derived):
    """A pass-1 batch's DocSigs cross to the main process as columns (`SigColumns`), each file's as a run of them
    (`SigRun`): pickled and loaded, each run gives back its DocSigs field for field, and a table extended by the
    runs (a file read one by one between them, a failed file's empty run) holds what adding each DocSig holds."""
    import dataclasses
    import pickle

    from dedupe.detect.corpus import SigColumns, SigRun, SigTable

    rng = np.random.default_rng(int(derived))
    sigs = [DocSig(f"s{i % 3}/d{i}.txt", f"s{i % 3}", i % 4 + 1, 40 + i, 9 + i % 2,
                   rng.integers(0, 2**32, 8, dtype=np.uint32), np.sort(rng.integers(0, 2**63, i % 5, dtype=np.uint64)),
                   whole=i % 7 == 0, derived=rng.integers(0, 2**32, 8, dtype=np.uint32) if derived else None,
                   n_derived=i % 6 if derived else 0) for i in range(40)]
    batch = pickle.loads(pickle.dumps(SigColumns.of(sigs[:30]), protocol=pickle.HIGHEST_PROTOCOL))
    runs = [SigRun(batch, a, b) for a, b in ((0, 4), (4, 4), (4, 17), (17, 30))]
    assert [len(r) for r in runs] == [4, 0, 13, 13] and runs[2][-1].id == sigs[16].id and len(runs[2][3:]) == 10
    for got, want in zip((s for r in runs for s in r), sigs[:30]):
        assert set(got.__dict__) == {f.name for f in dataclasses.fields(DocSig)}
        for f in dataclasses.fields(DocSig):
            a, b = getattr(want, f.name), getattr(got, f.name)
            assert (b.dtype == a.dtype and b.tolist() == a.tolist()) if isinstance(a, np.ndarray) else b == a
    one, columns = SigTable(8), SigTable(8)
    for s in sigs[30:35] + sigs[:4] + sigs[35:] + sigs[4:30]:
        one.add(s)
    columns.extend([sigs[30:35], runs[0], runs[1]])
    columns.extend([sigs[35:], runs[2], runs[3]])
    assert list(one.ids) == list(columns.ids) and one.source_numbers()[0] == columns.source_numbers()[0]
    for a, b in zip(one.arrays(), columns.arrays()):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("n_docs", [0, 1, 7, 300])
def test_a_batchs_docsigs_hold_each_documents_distinct_keys_in_order(n_docs):
    """`doc_sigs` makes every document's block keys distinct and sorted in one sort for the batch (keys repeated
    within a document and across documents, documents without keys, more documents than a byte counts)."""
    from dedupe.detect.corpus import doc_sigs
    from dedupe.records import Document

    rng = np.random.default_rng(n_docs)
    pool = rng.integers(0, 2**64, 40, dtype=np.uint64)
    keys = [rng.choice(pool, rng.integers(0, 30)) for _ in range(n_docs)]
    docs = [Document(f"site/{i}.txt", "a\nb") for i in range(n_docs)]
    sigs = doc_sigs(docs, np.zeros((n_docs, 4), np.uint32), [1] * n_docs, [2] * n_docs, keys, [False] * n_docs)
    assert [s.keys.tolist() for s in sigs] == [np.unique(k).tolist() for k in keys]
    assert all(s.keys.dtype == np.uint64 for s in sigs)


@pytest.mark.parametrize("n_docs", [0, 1, 7, 300])
def test_a_batchs_signature_columns_are_its_docsigs_columns(n_docs):
    """Pass 1 makes a batch's `SigColumns` from its arrays (`doc_columns`), with no DocSig made: they pickle as the
    columns of the DocSigs made one by one (`doc_sig`, as it stood: the fields written out), in their order."""
    import pickle

    from dedupe.detect.corpus import DocSig, SigColumns, doc_columns, source_of
    from dedupe.records import Document

    rng = np.random.default_rng(n_docs)
    pool = rng.integers(0, 2**64, 40, dtype=np.uint64)
    keys = [rng.choice(pool, rng.integers(0, 30)) for _ in range(n_docs)]
    texts = ["", "a\nb", "a\nb\n", "\n\n", "one line"]
    docs = [Document(f"site{i % 3}/{i}.txt" if i % 4 else f"{i}.txt", texts[i % 5]) for i in range(n_docs)]
    signatures = rng.integers(0, 2**32, (n_docs, 8), dtype=np.uint64).astype(np.uint32)
    n_shingles, sizes = rng.integers(0, 500, n_docs), rng.integers(0, 900, n_docs)
    whole = (rng.random(n_docs) < 0.3).tolist()
    columns = doc_columns(docs, signatures, n_shingles, sizes, keys, whole)
    sigs = []
    for i, d in enumerate(docs):
        sig = object.__new__(DocSig)
        sig.__dict__.update(id=d.id, source=source_of(d), n_lines=len(d.text.splitlines()), size=int(sizes[i]),
                            n_shingles=int(n_shingles[i]), signature=signatures[i], keys=np.unique(keys[i]),
                            whole=bool(whole[i]), derived=None, n_derived=0)
        sigs.append(sig)
    assert pickle.dumps(columns) == pickle.dumps(SigColumns.of(sigs))
    assert pickle.dumps([columns.doc_sig(i) for i in range(n_docs)]) == pickle.dumps(sigs)


def test_the_labels_of_an_articles_items_stay_though_every_page_of_its_site_holds_them(tmp_path):
    """A review's "Pros" and "Cons" under each product recur on every review of the site, as its template does,
    but each article holds them three times: in extracted text they are its items' labels (the within-document
    rule's LABEL_TIMES), and only the template's own line, once a page, goes."""
    import random

    from dedupe import Config, clean

    rng = random.Random(3)
    words = "bridge river council town road market school budget plan engineer crossing ferry winter works".split()

    def sentence(n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."

    for site in ("news", "shop", "blog"):
        for i in range(6):
            parts = [f"<h1>{sentence(5)}</h1>", f"<p>{sentence(30)} {sentence(25)}</p>"]
            for _ in range(3):
                parts += [f"<h2>{sentence(4)}</h2>", f"<p>{sentence(30)} {sentence(20)}</p>",
                          "<h3>Pros</h3>", f"<ul><li>{sentence(6)}</li><li>{sentence(5)}</li></ul>",
                          "<h3>Cons</h3>", f"<ul><li>{sentence(6)}</li></ul>", f"<p>{sentence(28)} {sentence(22)}</p>"]
            parts += [f"<p>{sentence(30)}</p>", "<p>Who curated this article for you today?</p>"]
            folder = tmp_path / "in" / site
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"review{i}.html").write_text(f"<html><body><article>{''.join(parts)}</article></body></html>")
    clean(tmp_path / "in", tmp_path / "out", Config())
    for site in ("news", "shop", "blog"):
        for i in range(6):
            lines = (tmp_path / "out" / site / f"review{i}.txt").read_text().split("\n")
            assert lines.count("Pros") == 3 and lines.count("Cons") == 3, (site, i)
            assert "Who curated this article for you today?" not in lines, (site, i)


def test_candidate_pairs_a_few_bands_a_call_are_those_of_one_call(monkeypatch):
    """The corpus step hands the core a few bands' columns a call (its copies of the whole signature table cost
    1 GB at 1M documents): the pairs are the same, whatever the bands a call."""
    from dedupe.detect import corpus

    rng = np.random.default_rng(7)
    for n, p, rows in ((300, 128, 4), (200, 64, 5), (40, 9, 2)):
        sigs = rng.integers(0, 3, (n, p), dtype=np.uint32)
        n_shingles = rng.integers(0, 3, n)
        whole = corpus.candidate_pairs(sigs, n_shingles, rows)
        assert len(whole)
        for small in (1, n * 4 * rows, 3 * n * 4 * rows):
            monkeypatch.setattr(corpus, "_PAIR_BYTES", small)
            assert np.array_equal(corpus.candidate_pairs(sigs, n_shingles, rows), whole), (n, p, rows, small)
        monkeypatch.undo()
