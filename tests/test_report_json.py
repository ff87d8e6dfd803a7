"""The report's per-removal lines, written field by field, are the JSON json.dumps writes; the page's context
and the cleaned copy's lines come out of the removed-line flags the same as out of the diff and the blocks."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.decide import kept_lines
from dedupe.records import Allowed, Removal, Ref, Span
from dedupe.report.diff import cuts, file_diff
from dedupe.report.html import TEXT_LIMIT, cut_context, hunk_context, page_row
from dedupe.report.jsontext import Fields, removal_line

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
SCORES = [0.975, 0.1 + 0.2, 1e-7, 123456789.123456, 0.0, -0.5, 1, np.float64(0.7), math.nan, math.inf, -math.inf]


def removals() -> list[Removal]:
    out = []
    for i, text in enumerate(AWKWARD):
        for j, score in enumerate(SCORES):
            ref = None if j % 3 == 0 else Ref(["a.txt", "dir/ü \"b\".txt"][j % 2], (i + 1, i + j + 1))
            out.append(Removal(f"site/doc {i}\u2028.txt", (i + 1, i + j + 2), ["chrome:credits", "repeat"][j % 2],
                               "chrome:rule:credits", score, ref, text))
    return out


def test_a_removal_line_is_the_json_of_its_record():
    for r in removals():
        assert removal_line(Fields.of(r)) == json.dumps(r.to_json(), ensure_ascii=False)
        allowed = Allowed(r, "allow.txt:3").to_json()
        assert removal_line(Fields.of(r), "allow.txt:3") == json.dumps(allowed, ensure_ascii=False)


def expected_item(r: Removal, h: int, entry: str | None = None) -> dict:
    """A page item as the page's script reads it."""
    item = {"l": list(r.lines), "c": r.category, "d": r.detector, "s": round(r.score, 4), "k": f"xxh3:{h:016x}",
            "t": r.text if len(r.text) <= TEXT_LIMIT else r.text[: TEXT_LIMIT - 1] + "…"}
    if len(r.text) > TEXT_LIMIT:
        item["n"] = len(r.text)
    if r.duplicate_of is not None:
        item["o"] = [r.duplicate_of.file, *r.duplicate_of.lines]
    if entry is not None:
        item["e"] = entry
    return item


def test_a_page_row_is_the_compact_json_of_its_items():
    rs = removals()
    allowed = [Allowed(r, f"allow.txt:{n}") for n, r in enumerate(rs[:5], 1)]
    hashes = [(2**64 - 1) // (n + 1) for n in range(len(rs) + len(allowed))]
    hunks = [[[1, 2], [], [[3, "kept \"line\" \u2028"]]], [[7, 7], [[6, ""]], []]]
    expected = {"f": "site/doc.txt", "r": [expected_item(r, h) for r, h in zip(rs, hashes)],
                "a": [expected_item(a.removal, h, a.entry) for a, h in zip(allowed, hashes[len(rs):])], "h": hunks}
    row = page_row("site/doc.txt", [Fields.of(r) for r in rs], [(Fields.of(a.removal), a.entry) for a in allowed],
                   hunks, hashes)
    assert row == json.dumps(expected, ensure_ascii=False, separators=(",", ":"))
    assert page_row("e.txt", [], [], [], []) == '{"f":"e.txt","r":[],"a":[],"h":[]}'


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
        blocks.append(Span(len(blocks), i + 1, j))
        i = j
    removed = draw(st.sets(st.sampled_from(range(len(blocks))))) if blocks else set()
    return kinds, blank, blocks, removed


@settings(max_examples=300, deadline=None)
@given(documents())
def test_kept_lines_follows_the_blank_line_rule(doc):
    lines, blank, blocks, removed = doc
    removed_lines = {k for b in blocks if b.index in removed for k in range(b.first_line - 1, b.last_line)}
    assert kept_lines(len(lines), blank, blocks, removed) == reference_kept_lines(blank, removed_lines)


@settings(max_examples=300, deadline=None)
@given(documents())
def test_the_context_from_the_cuts_is_the_context_from_the_diff(doc):
    lines, blank, blocks, removed = doc
    lines = [f"line {n}\n" if line == "text\n" else line for n, line in enumerate(lines, 1)]
    keep = kept_lines(len(lines), blank, blocks, removed)
    chosen = [b for b in blocks if b.index in removed]
    rs = [Removal("d.txt", b.lines, "repeat", "repeats:exact", 1.0, None, "x") for b in chosen]
    kept = [line for line, k in zip(lines, keep) if k]
    diff = file_diff("d.txt", lines, keep, rs)
    assert file_diff("d.txt", lines, keep, rs, hunks=cuts(keep)) == diff
    assert cut_context(cuts(keep), kept) == hunk_context(diff, "".join(kept))


def test_cuts_are_the_hunk_headers():
    keep = [True, False, False, True, True, False]
    assert cuts(keep) == [(2, 2, 1), (6, 1, 3)]
    assert cuts([True, True]) == [] and cuts([]) == []


def test_a_whole_dropped_document_has_one_cut_and_no_context():
    assert cut_context([(1, 4, 0)], []) == [[[1, 4], [], []]]


def test_the_run_id_hashes_the_sorted_json_of_the_summary_piece_by_piece():
    from dedupe.report.html import _sorted_json

    summary = {"files": {f"{n} \"é\".txt": {"removed": {"repeat": n}, "in_chars": 5} for n in (3, 1, 2, 10, 0)},
               "duplicate_clusters": [{"kept": "a", "members": [["b", 0.9]]}, [], {"z": 1, "a": (2,)}, None, "x"],
               "corpus": {}, "n": 3, "z": None, "list": (1, 2.5, "x"), "nan": math.nan, "ints": {1: "one", 2: "two"},
               "empty": [], "files_2": {"b": 1, "a": 2}}
    for chunk in (1, 2, 3, 1000):
        assert "".join(_sorted_json(summary, chunk)) == json.dumps(summary, sort_keys=True)
    assert "".join(_sorted_json({1: "not a string key"})) == json.dumps({1: "not a string key"}, sort_keys=True)


def test_a_whole_documents_key_is_its_normalized_hash():
    from dedupe.report import _text_key
    from dedupe.sign import normalize, text_hash

    texts = ["", "\n\n", "one line",
             "Ünïcode — “quoted” line\nplain ASCII line\n\n© 2020 ﬁne ligature\r\nÅ\u030a",
             "e\n\u0301 combining mark after a line break", "ǅ title case\nΣ final sigma ΣΑΣ\nstraße"]
    for path in sorted((Path(__file__).parent.parent / "samples").glob("*.txt")):
        texts.append(path.read_text(encoding="utf-8"))
    dumps = Path(__file__).parent.parent.parent / "shared" / "data" / "webpages-dev" / "dumps"
    texts += [p.read_text(encoding="utf-8", errors="surrogateescape") for p in sorted(dumps.glob("*.txt"))[:60]]
    assert len(texts) > 8
    for text in texts:
        assert _text_key(text) == text_hash(normalize(text))


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
