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
    assert results[6].problem == "no 'text' field; given back unchanged (set text_field=...)"
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
