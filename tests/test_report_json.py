"""The report's per-removal lines and page rows, written by the core (`cut.cut`), are the JSON json.dumps
writes; the cleaned copy keeps the lines the blank-line rule says, and the diff and the page's context come
out of the same cuts."""
from __future__ import annotations

import json
import math
from array import array
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.cut import Claim, cut, diff_str
from dedupe.records import Allowed, Block, Ref, Removal
from dedupe.report.html import CONTEXT_CHARS, CONTEXT_LINES, NO_KEY, TEXT_LIMIT

AWKWARD = [
    "",
    "Home | World | Sport",
    'A "quoted" word, a back\\slash and a tab\there',
    "control \x00\x01\x1f and \x7f, line\nbreak\r\nand a form\x0cfeed",
    "line separators \u2028 and \u2029 stay as they are",
    "café – “quotes” – 漢字 – emoji 🙂",
    "undecodable byte kept as a surrogate escape: \udce9",
    "x" * (TEXT_LIMIT + 10),
]
SCORES = [0.975, 0.1 + 0.2, 1e-7, 123456789.123456, 0.0, -0.5, 1, np.float64(0.7), math.nan, math.inf, -math.inf,
          0.03125, 0.00005, 2.5e17, True]


def claims() -> list[tuple[str, Claim]]:
    """(document text, its one removal: every line after the first) for each awkward text and score."""
    out = []
    for i, text in enumerate(AWKWARD):
        doc = "kept first line\n" + text + "\n"
        n = doc.count("\n")
        for j, score in enumerate(SCORES):
            ref = None if j % 3 == 0 else Ref(["a.txt", "dir/ü \"b\".txt"][j % 2], (i + 1, i + j + 1),
                                              "earlier run" if j % 5 == 1 else "")
            out.append((doc, Claim((2, n), ["chrome:credits", "repeat"][j % 2], "chrome:rule:credits", score, ref,
                                   (2**64 - 1) // (i * 20 + j + 1))))
    return out


def test_a_removal_line_is_the_json_of_its_record():
    for n, (doc, c) in enumerate(claims()):
        rel = f"site/doc {n}\u2028.txt"
        done = cut(rel, doc, [c], [c._replace(entry="allow.txt:3")], records=True)
        (r,), ((a, entry),) = done.removals, done.allowed
        assert r == Removal(rel, c.lines, c.category, c.detector, c.score, c.duplicate_of,
                            doc.split("\n", 1)[1].rstrip("\r\n"))
        assert done.report[0] == (json.dumps(r.to_json(), ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")
        allowed_line = json.dumps(Allowed(a, entry).to_json(), ensure_ascii=False) + "\n"
        assert done.report[1] == allowed_line.encode("utf-8", "surrogatepass")
        assert done.report[4] == ([(c.category, 1, len(r.text))], array("Q", [c.hash]).tobytes(), b"\0")


def expected_item(r: Removal, h: int, entry: str | None = None) -> dict:
    """A page item as the page's script reads it."""
    item = {"l": list(r.lines), "c": r.category, "d": r.detector, "s": round(r.score, 4), "k": f"xxh3:{h:016x}",
            "t": r.text if len(r.text) <= TEXT_LIMIT else r.text[: TEXT_LIMIT - 1] + "…"}
    if len(r.text) > TEXT_LIMIT:
        item["n"] = len(r.text)
    if r.duplicate_of is not None:
        ref = r.duplicate_of
        item["o"] = [f"{ref.file} (run {ref.run})" if ref.run else ref.file, *ref.lines]
    if entry is not None:
        item["e"] = entry
    return item


def test_a_page_row_is_the_compact_json_of_its_items():
    for doc, c in claims():
        done = cut("site/doc.txt", doc, [c], [c._replace(entry="allow.txt:1")], records=True)
        (r,), ((a, entry),) = done.removals, done.allowed
        expected = {"f": "site/doc.txt", "r": [expected_item(r, c.hash)], "a": [expected_item(a, c.hash, entry)],
                    "h": [[list(c.lines), [[1, "kept first line"]], []]]}
        row = json.dumps(expected, ensure_ascii=False, separators=(",", ":")) + "\n"
        assert done.report[2] == row.encode("utf-8", "surrogatepass")
    assert cut("e.txt", "text\n", []).report[2] == b""


def test_a_whole_documents_key_is_the_normalized_hash_of_its_text_and_its_cut_the_whole_file():
    from dedupe.sign import normalize, text_hash

    texts = ["", "\n\n", "one line",
             "Ünïcode — “quoted” line\nplain ASCII line\n\n© 2020 ﬁne ligature\r\nÅ\u030a",
             "e\n\u0301 combining mark after a line break", "ǅ title case\nΣ final sigma ΣΑΣ\nstraße"]
    for path in sorted((Path(__file__).parent.parent / "samples").glob("*.txt")):
        texts.append(path.read_text(encoding="utf-8"))
    dumps = Path(__file__).parent.parent.parent / "shared" / "data" / "webpages-dev" / "dumps"
    texts += [p.read_text(encoding="utf-8", errors="surrogateescape") for p in sorted(dumps.glob("*.txt"))[:60]]
    assert len(texts) > 8
    texts.append("a lone surrogate \udce9 and\nanother \ud800 line\n")
    for text in texts:
        n = max(text.count("\n") + (not text.endswith("\n")), 1)
        whole = cut("d.txt", text, [Claim((1, n), "duplicate-document", "d", 1.0, None, None)])
        assert whole.report[4][1:] == (bytes(8), bytes([NO_KEY]))  # no block key: counted as a whole document
        key = json.loads(whole.report[2])["r"][0]["k"]
        assert key == f"xxh3:{text_hash(normalize(text)):016x}"
    whole = cut("d.txt", "a\n\nb\n", [Claim((1, 3), "duplicate-document", "duplicate-document:jaccard", 0.9,
                                             Ref("o.txt", (1, 2)), 7)])
    assert whole.cleaned == "" and whole.out_chars == 0
    assert json.loads(whole.report[2])["h"] == [[[1, 3], [], []]]
    assert whole.diff == b"--- a/d.txt\n+++ b/d.txt\n@@ -1,3 +0,0 @@ duplicate of o.txt lines 1-2\n-a\n-\n-b\n"


def reference_kept_lines(blank: list[bool], removed_lines: set[int]) -> list[bool]:
    """The blank-line rule, line by line: every gap (run of blank or removed lines) holding a removed line goes,
    but for its first blank run when it lies between two kept lines."""
    n = len(blank)
    keep = [i not in removed_lines for i in range(n)]
    i = 0
    while i < n:
        if keep[i] and not blank[i]:
            i += 1
            continue
        j = i
        while j < n and not (keep[j] and not blank[j]):
            j += 1
        if any(not keep[k] for k in range(i, j)):
            first_blank = next((k for k in range(i, j) if blank[k]), j)
            for k in range(i, j):
                keep[k] = False
            if i > 0 and j < n:
                k = first_blank
                while k < j and blank[k]:
                    keep[k] = True
                    k += 1
        i = j
    return keep


@st.composite
def documents(draw):
    """Lines (some blank) cut into one-line and several-line blocks, and a set of removed blocks."""
    kinds = draw(st.lists(st.sampled_from(["text\n", "\n", "  \n"]), min_size=0, max_size=30))
    blank = [not k.strip() for k in kinds]
    blocks, i = [], 0
    while i < len(kinds):
        if blank[i]:
            i += 1
            continue
        j = i + 1
        while j < len(kinds) and not blank[j] and draw(st.booleans()):
            j += 1
        blocks.append(Block(len(blocks), i + 1, j, ""))
        i = j
    removed = draw(st.sets(st.sampled_from(range(len(blocks))))) if blocks else set()
    return kinds, blank, blocks, removed


def reference_context(hunks: list[tuple[int, int, int]], kept: list[str]) -> list[list]:
    """The page's context: per cut [first, last] and up to CONTEXT_LINES non-blank kept lines a side (blank
    ones ride along as ""), looking at most 50 lines away, each cut to CONTEXT_CHARS."""
    def shown(line: str) -> str:
        text = line.strip("\r\n")
        return "" if not line.strip() else text if len(text) <= CONTEXT_CHARS else text[: CONTEXT_CHARS - 1] + "…"

    out = []
    for h, (start, count, k) in enumerate(hunks):
        low, high = hunks[h - 1][2] if h else 0, hunks[h + 1][2] if h + 1 < len(hunks) else len(kept)
        before, after = [], []
        o = k - 1
        while o >= low and sum(t != "" for _, t in before) < CONTEXT_LINES and k - o <= 50:
            before.insert(0, [start - (k - o), shown(kept[o])])
            o -= 1
        o = k
        while o < high and sum(t != "" for _, t in after) < CONTEXT_LINES and o - k < 50:
            after.append([start + count + (o - k), shown(kept[o])])
            o += 1
        out.append([[start, start + count - 1], before, after])
    return out


def reference_hunks(keep: list[bool]) -> list[tuple[int, int, int]]:
    """Each run of removed lines: (first line, count, kept lines before it)."""
    out = []
    for i, k in enumerate(keep):
        if not k and (i == 0 or keep[i - 1]):
            j = i
            while j < len(keep) and not keep[j]:
                j += 1
            out.append((i + 1, j - i, sum(keep[:i])))
    return out


@settings(max_examples=300, deadline=None)
@given(documents())
def test_the_cut_keeps_the_lines_of_the_blank_line_rule_and_shows_its_context(doc):
    lines, blank, blocks, removed = doc
    lines = [f"line {n}\n" if line == "text\n" else line for n, line in enumerate(lines, 1)]
    removed_lines = {k for b in blocks if b.index in removed for k in range(b.first_line - 1, b.last_line)}
    keep = reference_kept_lines(blank, removed_lines)
    chosen = [Claim(b.lines, "repeat", "repeats:exact", 1.0, None, 0) for b in blocks if b.index in removed]
    done = cut("d.txt", "".join(lines), chosen)
    kept = [line for line, k in zip(lines, keep) if k]
    assert done.cleaned == "".join(kept if chosen else lines)
    hunks = reference_hunks(keep) if chosen else []
    assert [(int(h[0]), int(h[1]), int(h[2])) for h in
            (x.split(" ")[1][1:].split(",") + [x.split(" ")[2][1:].split(",")[0]]
             for x in diff_str(done.diff, "utf-8").splitlines() if x.startswith("@@"))] == hunks
    removed_text = [line for line, k in zip(lines, keep) if not k] if chosen else []
    assert [x[1:] + "\n" for x in diff_str(done.diff, "utf-8").splitlines() if x.startswith("-") and not x.startswith("---")] == \
        removed_text
    if chosen:
        assert json.loads(done.report[2])["h"] == reference_context(hunks, kept)


def test_the_run_id_is_the_summarys_text_but_for_what_differs_between_runs_of_the_same_result(tmp_path):
    from dedupe.report.html import _run_id

    def run_id(summary):
        path = tmp_path / "summary.json"
        path.write_text(summary_text(summary), encoding="utf-8")
        return _run_id(path, summary)

    files = {f"{n} \"é\".txt": {"removed": {"repeat": n}, "in_chars": 5} for n in (3, 1, 2, 10, 0)}
    summary = {"version": "0.1", "input": {"folder": "/a", "files": 5}, "output": {"folder": "/b", "files": 4},
               "files": files, "duplicate_clusters": [{"kept": "a", "members": [["b", 0.9]]}],
               "timings": {"read": 0.5}, "config": {"jobs": 2, "num_perm": 128}, "engine": {"name": "local"},
               "exit_status": 0}
    first = run_id(summary)
    for chunk in (1, 3, 5, 64):  # (read a chunk at a time: a key line cut anywhere)
        assert _run_id(tmp_path / "summary.json", summary, chunk) == first
    same = {**summary, "input": {"folder": "/elsewhere", "files": 5}, "output": {"folder": "/c", "files": 4},
            "timings": {"read": 9.0}, "engine": {"name": "dask"}, "config": {"jobs": 8, "num_perm": 128}}
    assert run_id(same) == first
    for changed in ({"files": {**files, "new.txt": {"removed": {"repeat": 1}}}}, {"exit_status": 1},
                    {"input": {"folder": "/a", "files": 6}}, {"config": {"jobs": 2, "num_perm": 64}},
                    {"duplicate_clusters": []}, {"version": "0.2"}):
        assert run_id({**summary, **changed}) != first, changed
    # A key holding a quote and a colon is read whole.
    assert run_id({**summary, 'odd ": key': 1}) != run_id({**summary, 'odd ": kez': 1})


def summary_text(summary: dict) -> str:
    import io

    from dedupe.report import write_summary

    f = io.StringIO()
    write_summary(f, summary)
    return f.getvalue()


@given(st.dictionaries(st.sampled_from(AWKWARD[:7]), st.dictionaries(st.sampled_from(["removed", "in_chars"]),
                                                                     st.integers(0, 10**6)), max_size=5),
       st.lists(st.dictionaries(st.sampled_from(["kept", "members"]), st.sampled_from(AWKWARD[:7])), max_size=4))
@settings(max_examples=60, deadline=None)
def test_summary_json_holds_what_json_dump_writes_with_an_entry_a_line_for_files_and_clusters(files, clusters):
    summary = {"version": "0.1", "input": {"folder": AWKWARD[5], "files": len(files)}, "files": files,
               "failed": [], "duplicate_clusters": clusters, "config": {"only": [], "x": 0.5}, "exit_status": 0}
    text = summary_text(summary)
    assert json.loads(text) == summary
    assert text.endswith("}\n")
    lines = text.split("\n")  # not splitlines(): U+2028 in a text is no line break in a file
    # One line per file and per cluster, between its section's opening and closing lines.
    for key, entries, closing in (("files", files, "  },"), ("duplicate_clusters", clusters, "  ],")):
        if entries:
            start = lines.index(f'  "{key}": ' + ("{" if key == "files" else "["))
            assert lines[start + len(entries) + 1] == closing


@pytest.mark.parametrize("copy", ["kernel", "short", "none"])
def test_a_batchs_report_part_merged_is_the_report_of_its_documents_added_one_by_one(tmp_path, monkeypatch, copy):
    """The workers count their batches (`ReportPart`) and the main process merges them: every report file is the
    one that adding the same documents one by one, in the same order, writes; so is a part whose documents were
    added several at once (`add_many`, as pass 2 adds a batch's plain-text files), between others added alone,
    and a part whose lines were written to a file (`spill`) that the merge copies in the kernel, a few bytes a
    call ("short"), or reads where it cannot ("none")."""
    import os
    import pickle

    from dedupe.config import Config
    from dedupe.records import DocResult
    from dedupe.report import ReportPart, RunReport

    docs = []
    # (Not the text with a lone surrogate: no run writes one into its report. A file name must be UTF-8 to be
    # listed, and a JSON text that escapes one fails in pass 1.)
    for n, (doc, c) in enumerate((doc, c) for doc, c in claims() if "\udce9" not in doc):
        rel = f"site{n % 3}/doc {n}.txt"
        page = ("article", "", "listing")[n % 3]
        removals = [c] if n % 5 else []
        allowed = [c._replace(entry="allow.txt:2")] if n % 4 == 0 else []
        done = cut(rel, doc, removals, allowed, page=page)
        docs.append((DocResult(file=rel, in_chars=len(doc), out_chars=done.out_chars, in_blocks=2,
                               dropped=n % 7 == 0, report=done.report, page=page), done.diff))
    real = os.copy_file_range
    if copy == "short":
        monkeypatch.setattr(os, "copy_file_range", lambda src, dst, n, at: real(src, dst, min(n, 7), at))
    elif copy == "none":
        def refused(*args):
            raise OSError(18, "Invalid cross-device link")
        monkeypatch.setattr(os, "copy_file_range", refused)
    one, merged, many = (RunReport(tmp_path / name) for name in ("one", "merged", "many"))
    for result, diff in docs:
        one.add(result, diff)
    for start in range(0, len(docs), 17):  # batches of 17, across the process boundary (pickled)
        part, part_many = ReportPart(), ReportPart()
        for result, diff in docs[start : start + 17]:
            part.add(result, diff)
        batch = docs[start : start + 17]
        for n, at in enumerate(range(0, len(batch), 5)):  # runs of 5 added at once, every third document alone
            if n % 3 == 2:
                part_many.add(*batch[at])
                at += 1
            part_many.add_many([(r.file, r.in_chars, r.out_chars, r.in_blocks, r.dropped, r.page, *r.report, diff)
                                for r, diff in batch[at : at + 5 - (n % 3 == 2)]])
        merged.merge(pickle.loads(pickle.dumps(part.sealed())))
        part_many = part_many.sealed()
        if start % 34 == 0:  # (every other batch's lines in a file, as a pool worker's are)
            part_many = part_many.spill(tmp_path / f"part-{start}.bytes")
            assert not part_many.removals and sum(part_many.spilled[1]) > 1000
        many.merge(pickle.loads(pickle.dumps(part_many)))
    runs = (one, merged, many)
    scans = [(list(run.scan.order), run.scan.targets, run.scan.by_source, list(run.scan.keys),
              [None if k == 255 else run.scan.cat_names[k] for k in run.scan.key_cats], run.scan.removals,
              run.scan.allowed, run.scan.categories) for run in runs]
    assert scans[0] == scans[1] == scans[2] and scans[0][1]  # (what the page counts, its files pointing at others)
    summaries = [run.summary(Config(), "test", Path("in"), Path("out"), False) for run in runs]
    assert summaries[0]["removed"]["blocks"] > 50 and summaries[0]["allowed"]["blocks"] > 10
    for run, summary in zip(runs, summaries):
        run.finish(summary)
    for spilled in tmp_path.glob("part-*.bytes"):
        spilled.unlink()
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert "index.html" in names
    for other in ("merged", "many"):
        assert names == sorted(p.name for p in (tmp_path / other).iterdir())
        for name in names:
            assert (tmp_path / "one" / name).read_bytes() == (tmp_path / other / name).read_bytes(), (other, name)
