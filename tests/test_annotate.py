"""--annotate: every document written back with its text unchanged, and what cleaning would do beside it."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import dedupe
from dedupe.annotate import set_field
from helpers import PROSE, SAMPLES, removals, tree_hashes, write_tree

CHROME = "Share on Facebook"


def removals_by_file(report: Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in removals(report):
        out.setdefault(r["file"], []).append(
            {k: v for k, v in r.items() if k not in ("file", "text")})
    return out


def test_text_files_are_copied_unchanged_with_a_sidecar(cli, tmp_path):
    src = tmp_path / "in"
    shutil.copytree(SAMPLES, src / "origin")
    shutil.copytree(SAMPLES, src / "syndicated")  # exact copies: each a duplicate of its origin
    result = cli("clean", src, tmp_path / "out", "--annotate")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "annotated: every document was written whole; the counts above are what cleaning would remove")
    out = tmp_path / "out"
    hashes_in, hashes_out = tree_hashes(src), tree_hashes(out)
    for rel, digest in hashes_in.items():
        assert hashes_out[rel] == digest, rel  # every file, duplicates too, byte for byte
    report = removals_by_file(out / "_report")
    for p in sorted(SAMPLES.iterdir()):
        origin = json.loads((out / "origin" / (p.name + ".dedupe.json")).read_text(encoding="utf-8"))
        assert origin == {"drop": False, "removals": report[f"origin/{p.name}"],
                          "cluster": f"origin/{p.name}", "kept": f"origin/{p.name}"}
        copy = json.loads((out / "syndicated" / (p.name + ".dedupe.json")).read_text(encoding="utf-8"))
        assert copy["drop"] is True and copy["cluster"] == copy["kept"] == f"origin/{p.name}"
        assert copy["removals"] == report[f"syndicated/{p.name}"]
        assert copy["removals"][0]["category"] == "duplicate-document"
    # The annotations hold line spans and categories of what a cleaning run removes (samples: 64 blocks).
    assert sum(len(json.loads(f.read_text())["removals"]) for f in (out / "origin").glob("*.dedupe.json")) == 64


def test_jsonl_records_get_a_dedupe_field_and_keep_their_text(tmp_path):
    text = "\n".join(PROSE + (CHROME,))
    lines = [
        json.dumps({"id": "a", "text": text, "n": 1}),
        '{"text": ' + json.dumps(text) + ', "id":"b" , "dedupe": "old"}',  # spacing kept, old field replaced
        json.dumps({"id": "c", "text": "Nothing to see here, only a short line."}),
        "not json",
    ]
    src = write_tree(tmp_path / "in", {"r.jsonl": "\n".join(lines) + "\n"})
    run = dedupe.clean(src, tmp_path / "out", annotate=True, id_field="id", jobs=1)
    assert run.exit_code == 1  # the bad line is reported, and copied
    got = (tmp_path / "out" / "r.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(got) == 4 and got[3] == "not json"
    records = [json.loads(line) for line in got[:3]]
    assert [r["text"] for r in records] == [text, text, "Nothing to see here, only a short line."]
    a, b, c = (r["dedupe"] for r in records)
    assert a["drop"] is False and a["cluster"] == a["kept"] == "r.jsonl#a"
    assert [(x["lines"], x["category"]) for x in a["removals"]] == [([4, 4], "chrome:social")]
    assert b == {"drop": True, "removals": [{"lines": [1, 4], "category": "duplicate-document",
                                             "detector": "duplicate-document:jaccard", "score": 1.0,
                                             "duplicate_of": {"file": "r.jsonl#a", "lines": [1, 4]}}],
                 "cluster": "r.jsonl#a", "kept": "r.jsonl#a"}
    assert c == {"drop": False, "removals": [], "cluster": None, "kept": None}
    # Every other byte of a record is its own: the field is added after the last one, or replaces its value.
    assert got[0] == lines[0][:-1] + ', "dedupe": ' + json.dumps(a, ensure_ascii=False) + "}"
    assert got[1] == '{"text": ' + json.dumps(text) + ', "id":"b" , "dedupe": ' + json.dumps(b) + "}"


def test_annotate_with_keep_none_names_no_kept_document(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(SAMPLES, src / "origin")
    shutil.copytree(SAMPLES, src / "syndicated")
    dedupe.clean(src, tmp_path / "out", annotate=True, keep="none", jobs=1)
    name = sorted(p.name for p in SAMPLES.iterdir())[0]
    head = json.loads((tmp_path / "out" / "origin" / (name + ".dedupe.json")).read_text())
    assert (head["drop"], head["cluster"], head["kept"]) == (True, f"origin/{name}", None)
    assert head["removals"][0]["detector"] == "duplicate-document:keep-none"


def test_an_html_page_is_written_as_its_whole_extracted_text_with_a_sidecar(tmp_path):
    body = "".join(f"<p>{p}</p>" for p in PROSE + (CHROME,))
    src = write_tree(tmp_path / "in", {"p.html": f"<html><body><article>{body}</article></body></html>"})
    dedupe.clean(src, tmp_path / "out", annotate=True, jobs=1)
    text = (tmp_path / "out" / "p.txt").read_text(encoding="utf-8")
    assert CHROME in text and PROSE[0] in text
    note = json.loads((tmp_path / "out" / "p.txt.dedupe.json").read_text(encoding="utf-8"))
    assert note["drop"] is False and note["removals"] == removals_by_file(tmp_path / "out" / "_report").get("p.html", [])


def test_set_field_keeps_every_other_byte():
    assert set_field(b'{"a": 1}\n', "dedupe", "{}") == b'{"a": 1, "dedupe": {}}\n'
    assert set_field(b'{ }\r\n', "dedupe", "2") == b'{"dedupe": 2 }\r\n'
    assert set_field(b'{"a":1 ,"dedupe" :[1, 2]}', "dedupe", "3") == b'{"a":1 ,"dedupe" :3}'
    assert set_field('\ufeff{"é": "x"}'.encode("utf-8"), "dedupe", "null") == '\ufeff{"é": "x", "dedupe": null}'.encode()


def test_the_annotations_are_listed_and_force_removes_them(cli, tmp_path):
    src = tmp_path / "in"
    shutil.copytree(SAMPLES, src)
    assert cli("clean", src, tmp_path / "out", "--annotate").exit_code == 0
    marker = json.loads((tmp_path / "out" / ".dedupe-output.json").read_text())
    assert sorted(marker["files"]) == sorted([p.name for p in SAMPLES.iterdir()] +
                                             [p.name + ".dedupe.json" for p in SAMPLES.iterdir()])
    assert cli("clean", src, tmp_path / "out", "--force").exit_code == 0
    assert not list((tmp_path / "out").glob("*.dedupe.json"))
