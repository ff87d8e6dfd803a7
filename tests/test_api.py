"""The library's calls on data in memory (dedupe.clean_text, dedupe.clean_records) and settings as keywords."""
from __future__ import annotations

import json

import pytest

import dedupe
from dedupe import ConfigError, UsageError
from helpers import SAMPLES

TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.iterdir())]


def test_clean_text_gives_what_a_folder_run_gives_for_the_file(tmp_path):
    run_dir = tmp_path / "in"
    run_dir.mkdir()
    (run_dir / "a.txt").write_text(TEXTS[2], encoding="utf-8")
    dedupe.clean(run_dir, tmp_path / "out", jobs=1)
    result = dedupe.clean_text(TEXTS[2], name="a.txt")
    assert result.cleaned == (tmp_path / "out" / "a.txt").read_text(encoding="utf-8")
    report = (tmp_path / "out" / "_report" / "removals.jsonl").read_text(encoding="utf-8")
    assert [r.to_json() for r in result.removals] == [json.loads(line) for line in report.splitlines()]


def test_settings_are_checked_by_name():
    with pytest.raises(ConfigError, match=r"^settings: unknown setting 'min_repeat_word' \(did you mean 'min_repeat_words'\?\)"):
        dedupe.clean_text("x", min_repeat_word=3)
    with pytest.raises(ConfigError, match=r"^settings: keep must be one of first, longest, none, not 'last'$"):
        dedupe.clean_records([], keep="last")
    assert dedupe.clean_text(TEXTS[3], skip=("repeat",)).removals[0].category != "repeat"


def test_clean_records_cleans_drops_and_passes_bad_records_through():
    records = [{"text": t, "n": i} for i, t in enumerate(TEXTS)] + [{"text": TEXTS[0]}, {"body": "no text"}, "str"]
    results = list(dedupe.clean_records(records))
    assert len(results) == 8
    assert [r.dropped for r in results] == [False] * 5 + [True, False, False]
    assert results[5].removals[0].duplicate_of.file == "#0"
    assert results[6].problem == "no 'text' field; fields: body (set text_field=...); given back unchanged"
    assert results[6].record is records[6] and results[7].problem == "not a dict (a str); given back unchanged"
    assert results[2].record["n"] == 2 and results[2].record is not records[2]
    assert records[2]["text"] == TEXTS[2]  # the input is not modified
    # The cleaned text is what clean_text gives (the corpus adds nothing here), without a line ending it never had.
    assert not TEXTS[3].endswith("\n") and dedupe.clean_text(TEXTS[3]).cleaned.endswith("\n")
    assert results[3].record["text"] == dedupe.clean_text(TEXTS[3]).cleaned.rstrip("\n")


def test_ids_name_records_and_a_repeated_id_falls_back_to_the_position():
    records = [{"id": "x", "text": TEXTS[0]}, {"id": "x", "text": TEXTS[0]}]
    results = list(dedupe.clean_records(records, id_field="id"))
    assert results[1].removals[0].file == "#1" and results[1].removals[0].duplicate_of.file == "x"


def test_one_shot_iterators_and_changing_sources_are_refused():
    gen = ({"text": t} for t in TEXTS)
    with pytest.raises(UsageError) as e:
        dedupe.clean_records(gen)
    assert str(e.value) == (
        "clean_records reads the records twice (as a folder run reads its files), and a one-shot iterator "
        "(generator) can be read once: pass a list, a datasets.Dataset, or a function that returns a new iterator "
        "each call (e.g. lambda: read_my_records(path))")
    calls = []

    def changing():
        calls.append(1)
        return [{"text": t + ("changed\n" if len(calls) > 1 else "")} for t in TEXTS]

    with pytest.raises(UsageError, match="^record 0 changed between the two passes over the records"):
        list(dedupe.clean_records(changing))

    def shrinking():
        calls.append(1)
        return [{"text": t} for t in TEXTS[: 5 if len(calls) < 4 else 3]]

    with pytest.raises(UsageError, match="^the second pass over the records gave 3 documents, the first 5"):
        list(dedupe.clean_records(shrinking))
    calls.clear()

    def growing():
        calls.append(1)
        return [{"text": t} for t in TEXTS[: 3 if len(calls) < 2 else 5]]

    with pytest.raises(UsageError, match="^the second pass over the records gave more than the first's 3"):
        list(dedupe.clean_records(growing))


def test_clean_records_reads_dotted_text_and_id_paths_as_the_cli_does(tmp_path):
    from helpers import synthetic_corpus

    tree = synthetic_corpus(tmp_path / "tree", 240, seed=5)
    records = []
    for path in sorted(tree.rglob("*.txt")):
        rel = path.relative_to(tree).as_posix()
        site, _, name = rel.partition("/")
        # The url's host is the source whose template text is counted, as a folder is for a .txt tree.
        records.append({"url": f"https://{site}.example/{name}", "meta": {"id": rel, "lang": "xx"},
                        "content": {"text": path.read_text(encoding="utf-8"), "words": 0}})
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "all.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    run = dedupe.clean(folder, tmp_path / "out", jobs=1, text_field="content.text", id_field="meta.id")
    assert run.exit_code == 0
    cli = [json.loads(line) for line in (tmp_path / "out" / "_report" / "removals.jsonl").open(encoding="utf-8")]
    cli_kept = [json.loads(line) for line in (tmp_path / "out" / "all.jsonl").open(encoding="utf-8")]

    def named(removal: dict) -> tuple:
        dup = removal["duplicate_of"]
        return (removal["file"].removeprefix("all.jsonl#"), tuple(removal["lines"]), removal["category"],
                dup and dup["file"].removeprefix("all.jsonl#"), removal["text"])

    before = json.dumps(records)
    results = list(dedupe.clean_records(records, text_field="content.text", id_field="meta.id"))
    assert json.dumps(records) == before  # the input, nested dicts included, is not modified
    assert {named(r.to_json()) for x in results for r in x.removals} == {named(r) for r in cli}
    assert {r["category"] for r in cli} >= {"corpus-repeat", "duplicate-document"}
    assert [r.record for r in results if not r.dropped] == cli_kept
    i, changed = next((i, r) for i, r in enumerate(results) if r.removals and not r.dropped)
    assert changed.record["meta"] == records[i]["meta"] and changed.record["content"]["words"] == 0
    assert changed.record["content"]["text"] != records[i]["content"]["text"]


def test_clean_records_reaches_a_field_whose_name_holds_a_dot_and_says_what_a_record_lacks():
    records = [{"meta.text": t, "meta": {"id": f"d{i}"}} for i, t in enumerate(TEXTS)] + [{"meta": {"text": "x"}}]
    results = list(dedupe.clean_records(records + [dict(records[1])], text_field="meta\\.text", id_field="meta.id"))
    assert results[-1].dropped and results[-1].removals[0].duplicate_of.file == "d1"
    assert results[3].record["meta.text"] == dedupe.clean_text(TEXTS[3]).cleaned.rstrip("\n")
    assert results[5].problem == "no 'meta\\\\.text' field; fields: meta (set text_field=...); given back unchanged"
    bad = list(dedupe.clean_records([{"meta": {"body": "x"}}, {"meta": "x"}], text_field="meta.text"))
    assert bad[0].problem == "no 'meta.text' field; fields in 'meta': body (set text_field=...); given back unchanged"
    assert bad[1].problem == "'meta' is not an object (a str), so it has no 'meta.text'; given back unchanged"
