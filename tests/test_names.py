"""What the main process holds per document: names in one buffer (dedupe.names), the report's per-file counts
(report.FileCounts) and a large file's taken names (pipeline._Taken), each answering as the list, dict or set
it replaced."""
from __future__ import annotations

import json
from collections import Counter
from io import StringIO

from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.names import Names
from dedupe.pipeline import _Taken
from dedupe.report import FileCounts, write_summary

#: Names as records and files have them: any code point, lone surrogates (a JSON id may escape one, a file
#: name may hold surrogateescape's) and the empty string included.
NAME = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=()), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(NAME, max_size=40))
def test_names_give_back_every_string_and_sort_as_the_strings_do(strings: list[str]):
    names = Names(strings)
    assert len(names) == len(strings)
    assert list(names) == strings and [names[i] for i in range(len(strings))] == strings
    assert names[1:4] == strings[1:4] and names == strings
    assert names[-3:] == strings[-3:] and names[::2] == strings[::2] and names[5:2] == [] and names[:] == strings
    assert names.raws() == [s.encode("utf-8", "surrogatepass") for s in strings]
    if strings:
        assert names[-1] == strings[-1] and names[-len(strings)] == strings[0]
    assert [names[i] for i in names.sorted_indices()] == sorted(strings)
    assert names.sorted_indices() == sorted(range(len(strings)), key=lambda i: (strings[i], i))
    picked = list(range(len(strings)))[::-1] + list(range(0, len(strings), 3))
    assert names.strings(picked) == [strings[i] for i in picked]


@settings(max_examples=100, deadline=None)
@given(st.lists(NAME, max_size=20), st.lists(NAME, max_size=20))
def test_names_extended_by_names_are_those_extended_by_their_strings(first: list[str], then: list[str]):
    by_names, by_strings = Names(first), Names(first)
    by_names.extend(Names(then))
    by_strings.extend(then)
    assert by_names == by_strings == first + then
    by_names.append("after")
    assert by_names[-1] == "after" and len(by_names) == len(first) + len(then) + 1


def test_names_truncated_are_the_names_of_their_first_part_and_go_on_from_there():
    strings = [f"shard-{i % 7}.jsonl#{i}" for i in range(1000)] + ["\udc80é#\ud800", "", "日本語#1"]
    whole, short = Names(strings), Names(strings[:500])
    whole.truncate(500)
    assert whole == short and whole[-1] == strings[499]
    whole.append("again")
    short.append("again")
    assert whole == short and whole[500] == "again" and len(whole) == 501


def test_names_hold_a_name_in_its_bytes_and_eight_more():
    names = Names(f"site_{i % 1000:04d}/doc{i:07d}.txt" for i in range(10000))
    assert names.nbytes == sum(len(f"site_{i % 1000:04d}/doc{i:07d}.txt") for i in range(10000)) + 8 * 10000


def _summary_text(files) -> str:
    f = StringIO()
    write_summary(f, {"version": "x", "files": files, "duplicate_clusters": []})
    return f.getvalue()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(NAME, st.dictionaries(st.sampled_from(["repeat", "chrome:x", "corpus-repeat", "b"]),
                                                st.integers(1, 9), min_size=1),
                          st.integers(0, 10**12), st.integers(0, 10**12), st.sampled_from(["", "article", "ünï \"q\""])),
                max_size=30))
def test_file_counts_write_the_files_section_of_the_dict_they_replace(entries):
    counts, plain = FileCounts(), {}
    for name, cats, i, o, page in entries:
        removed = tuple(sorted(Counter(cats).items()))
        counts.add(name, removed, i, o, page)
        # (a name again replaces it; the page kind is left out when none was read)
        plain[name] = {"removed": dict(removed), "in_chars": i, "out_chars": o, **({"page": page} if page else {})}
    plain = dict(sorted(plain.items()))
    assert len(counts) == len(plain) and list(counts) == list(plain) and dict(counts.items()) == plain
    assert _summary_text(counts) == _summary_text(plain)
    assert json.loads(_summary_text(counts))["files"] == plain
    for name in list(plain)[:3]:
        assert counts[name] == plain[name]


def test_file_counts_write_the_dict_they_replace_past_a_chunk_of_names():
    counts, plain = FileCounts(), {}
    for i in range(5000):  # more than one chunk of 4096 names decoded (`FileCounts._named`)
        name = f"f{(i * 7919) % 5000}.txt"
        page = ("", "article", "é \"q\"</")[i % 3]
        counts.add(name, (("repeat", i % 3 + 1),) + ((("chrome:x", 2),) if i % 5 else ()), i, i // 2, page)
        plain[name] = {"removed": {"repeat": i % 3 + 1, **({"chrome:x": 2} if i % 5 else {})}, "in_chars": i,
                       "out_chars": i // 2, **({"page": page} if page else {})}
    assert _summary_text(counts) == _summary_text(dict(sorted(plain.items())))


def test_taken_names_answer_as_a_set_across_a_files_pieces(monkeypatch):
    monkeypatch.setattr(_Taken, "RECENT", 16)  # the sorted array is used, not only the recent set
    names = Names(["other.jsonl#1", "other.jsonl#2"])  # another file's names: not this file's
    taken, plain = _Taken(names, len(names)), set()
    for i in range(300):
        name = f"big.jsonl#{i * 37 % 120}"
        for k in range(2, 5):  # what _PiecesOfFile does: the next free suffix
            if (name in taken) != (name in plain):
                raise AssertionError(name)
            if name not in plain:
                break
            name = f"big.jsonl#{i * 37 % 120}@{k}"
        assert "other.jsonl#1" not in taken
        taken.add(name)
        plain.add(name)
        names.append(name)
    assert taken.exact is not None  # ids repeated: the names themselves were compared
    assert all(n in taken for n in plain) and "big.jsonl#nope" not in taken


def test_taken_names_hold_hashes_only_while_no_two_are_equal(monkeypatch):
    monkeypatch.setattr(_Taken, "RECENT", 64)
    names = Names()
    taken = _Taken(names, 0)
    for i in range(1000):
        name = f"big.parquet#{i}"
        assert name not in taken
        taken.add(name)
        names.append(name)
    assert taken.exact is None and len(taken.sorted) + len(taken.recent) == 1000
    assert "big.parquet#999" in taken and "big.parquet#1000" not in taken


def test_names_hand_out_their_buffer_and_ends_without_a_copy():
    strings = ["a.jsonl#1", "", "日本語#2", "\udc80é"]
    names = Names(strings)
    data, ends = names.buffers()
    encoded = [s.encode("utf-8", "surrogatepass") for s in strings]
    assert bytes(data) == b"".join(encoded)
    assert list(ends) == [sum(len(e) for e in encoded[: i + 1]) for i in range(len(encoded))]
