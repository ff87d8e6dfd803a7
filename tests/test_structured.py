"""Structured inputs: JSON files, Parquet and Arrow through pyarrow, nested field paths, and the files dedupe
does not read.

Each test builds a small input folder, runs `dedupe clean` through the CLI and
states what comes out: the cleaned copy's shape, schema, codec, untouched
columns and row order, the report's names, and the message for a bad input.
"""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedupe import Config, ConfigError
from dedupe.cli import main
from dedupe.formats import fields
from dedupe.formats.jsonl import replace_field
from helpers import PROSE, write_tree

pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed: pip install -e '.[test]' brings it")
import pyarrow.ipc as ipc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

#: A page with a share prompt at its end, the same article without it (a duplicate), another with a sign-up line.
SHARED_TEXT = "\n".join(PROSE) + "\nShare on Facebook\n"
COPY_TEXT = "\n".join(PROSE) + "\n"
OTHER_TEXT = ("A completely different story about the city council approving a new budget for public parks "
              "and libraries this year.\nSign up for our newsletter\n")
CLEAN_SHARED = "\n".join(PROSE) + "\n"
CLEAN_OTHER = OTHER_TEXT.split("Sign up")[0]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def removals(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "_report" / "removals.jsonl").read_text(encoding="utf-8").splitlines()]


def summary(out: Path) -> dict:
    return json.loads((out / "_report" / "summary.json").read_text(encoding="utf-8"))


def records(nested: bool = False) -> list[dict]:
    """Three records: a page, its copy (a duplicate document) and another page; `nested`: text under content."""
    texts = (SHARED_TEXT, COPY_TEXT, OTHER_TEXT)
    out = []
    for i, (rid, text) in enumerate(zip(("a", "b", "c"), texts)):
        rec = {"id": rid, "score": 0.5 + i, "tags": ["x", str(i)]}
        rec.update({"content": {"text": text, "lang": "en"}} if nested else {"text": text})
        out.append(rec)
    return out


# --- field paths ------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec, path", [
    ("text", ("text",)),
    ("content.text", ("content", "text")),
    ("meta\\.text", ("meta.text",)),
    ("a\\\\b.c", ("a\\b", "c")),
    ("a.b\\.c.d", ("a", "b.c", "d")),
])
def test_a_field_path_is_names_joined_by_dots_with_a_dot_in_a_name_escaped(spec, path):
    assert fields.parse(spec) == path
    assert fields.show(path) == spec


@pytest.mark.parametrize("spec, message", [
    ("a..b", "text_field: 'a..b': an empty field name (a dot at the start, at the end or doubled); "
             "write a dot inside a field's name as '\\.'"),
    (".a", "text_field: '.a': an empty field name (a dot at the start, at the end or doubled); "
           "write a dot inside a field's name as '\\.'"),
    ("a\\b", "text_field: 'a\\\\b': a backslash at column 2 must be followed by '.' (a dot inside a field's name) "
             "or by another backslash (a backslash inside a name)"),
])
def test_a_malformed_field_path_is_a_config_error_that_says_how_to_write_it(spec, message):
    with pytest.raises(ConfigError) as e:
        Config(text_field=spec)
    assert str(e.value) == message


def test_replacing_a_nested_value_keeps_every_other_byte():
    raw = b'{"id": 1, "content": {"lang": "en",  "text": "old \\u00e9", "n": [1,2]}, "text": "top"}\n'
    new = replace_field(raw, ("content", "text"), "new \u00e9")
    assert new == b'{"id": 1, "content": {"lang": "en",  "text": "new \\u00e9", "n": [1,2]}, "text": "top"}\n'


def test_jsonl_with_a_nested_text_field_and_id_is_cleaned_in_place(tmp_path):
    recs = records(nested=True)
    for rec in recs:
        rec["meta"] = {"url": f"https://example.org/{rec['id']}"}
    data = "".join(json.dumps(r) + "\n" for r in recs)
    src = write_tree(tmp_path / "in", {"c.jsonl": data})
    result = run("clean", str(src), str(tmp_path / "out"), "--text-field", "content.text", "--id-field", "meta.url")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in (tmp_path / "out" / "c.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["content"]["text"] for r in out] == [CLEAN_SHARED, CLEAN_OTHER]
    assert [{k: v for k, v in r.items() if k != "content"} for r in out] == [
        {k: v for k, v in r.items() if k != "content"} for r in (recs[0], recs[2])]
    assert [(r["file"], r["category"]) for r in removals(tmp_path / "out")] == [
        ("c.jsonl#https://example.org/a", "chrome:social"),
        ("c.jsonl#https://example.org/b", "duplicate-document"),
        ("c.jsonl#https://example.org/c", "chrome:newsletter"),
    ]


def test_a_field_whose_name_holds_a_dot_is_reached_escaped_and_the_unescaped_path_says_how(tmp_path):
    data = json.dumps({"meta.text": OTHER_TEXT, "id": 1}) + "\n"
    src = write_tree(tmp_path / "in", {"c.jsonl": data})
    result = run("clean", str(src), str(tmp_path / "out"), "--text-field", "meta.text")
    assert result.exit_code == 1
    assert "error: c.jsonl: line 1: no 'meta.text' field; fields: id, meta.text; the field named 'meta.text' is " \
           "written 'meta\\\\.text'; copied unchanged, not cleaned" in result.output
    result = run("clean", str(src), str(tmp_path / "out2"), "--text-field", "meta\\.text")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out2" / "c.jsonl").read_text(encoding="utf-8"))["meta.text"] == CLEAN_OTHER


def test_a_nested_path_through_a_value_that_is_not_an_object_is_named(tmp_path):
    data = json.dumps({"content": "flat text", "id": 1}) + "\n"
    src = write_tree(tmp_path / "in", {"c.jsonl": data})
    result = run("clean", str(src), str(tmp_path / "out"), "--text-field", "content.text")
    assert result.exit_code == 1
    assert ("error: c.jsonl: line 1: 'content' is not an object (a str), so it has no 'content.text'; "
            "copied unchanged, not cleaned") in result.output
    assert (tmp_path / "out" / "c.jsonl").read_text(encoding="utf-8") == data


# --- JSON files ------------------------------------------------------------------------------------------


def test_a_json_array_is_cleaned_record_by_record_and_stays_json_of_the_same_shape(tmp_path):
    text = json.dumps(records(nested=True), indent=2, ensure_ascii=False)
    src = write_tree(tmp_path / "in", {"arr.json": text})
    result = run("clean", str(src), str(tmp_path / "out"), "--text-field", "content.text")
    assert result.exit_code == 0, result.output
    out = (tmp_path / "out" / "arr.json").read_text(encoding="utf-8")
    expected = records(nested=True)
    expected[0]["content"]["text"] = CLEAN_SHARED
    expected[2]["content"]["text"] = CLEAN_OTHER
    # The duplicate's element is cut out with its comma; every other byte is the input's (indentation too).
    assert out == json.dumps([expected[0], expected[2]], indent=2, ensure_ascii=False)
    assert [(r["file"], r["category"]) for r in removals(tmp_path / "out")] == [
        ("arr.json#1", "chrome:social"), ("arr.json#2", "duplicate-document"), ("arr.json#3", "chrome:newsletter"),
    ]


def test_a_compact_json_array_loses_a_dropped_element_and_its_separator_only(tmp_path):
    recs = records()
    recs.insert(0, {"id": "first", "text": CLEAN_OTHER.replace("city", "town")})  # a document kept whole
    text = json.dumps(recs, separators=(",", ":"))
    src = write_tree(tmp_path / "in", {"a.json": text})
    assert run("clean", str(src), str(tmp_path / "out")).exit_code == 0
    out = json.loads((tmp_path / "out" / "a.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in out] == ["first", "a", "c"]
    assert (tmp_path / "out" / "a.json").read_text(encoding="utf-8").startswith(text[: text.index(',{"id":"a"')])


def test_a_json_file_of_one_object_a_line_is_read_as_jsonl(tmp_path):
    data = "".join(json.dumps(r) + "\n" for r in records())
    src = write_tree(tmp_path / "in", {"lines.json": data})
    assert run("clean", str(src), str(tmp_path / "out")).exit_code == 0
    out = [json.loads(x) for x in (tmp_path / "out" / "lines.json").read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in out] == [CLEAN_SHARED, CLEAN_OTHER]
    assert {r["file"] for r in removals(tmp_path / "out")} == {"lines.json#1", "lines.json#2", "lines.json#3"}


def test_a_json_object_that_is_not_a_record_is_copied_unchanged_with_a_warning(tmp_path):
    info = json.dumps({"description": "", "features": {"text": {"dtype": "string"}}}, indent=2)
    src = write_tree(tmp_path / "in", {"dataset_info.json": info, "one.json": json.dumps({"text": OTHER_TEXT})})
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "dataset_info.json").read_text(encoding="utf-8") == info
    assert json.loads((tmp_path / "out" / "one.json").read_text(encoding="utf-8")) == {"text": CLEAN_OTHER}
    assert summary(tmp_path / "out")["warnings"] == [{
        "file": "dataset_info.json",
        "message": "one JSON object, not a record with a text (no 'text' field; fields: description, features "
                   "(try --text-field)); copied unchanged",
    }]


def test_a_broken_json_array_is_refused_by_line_and_column_and_the_other_files_are_written(tmp_path):
    broken = '[\n  {"text": "one"},\n  {"text": "two",}\n]\n'
    src = write_tree(tmp_path / "in", {"bad.json": broken, "ok.txt": OTHER_TEXT})
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 1
    error = next(x for x in result.output.splitlines() if x.startswith("error: bad.json"))
    # (Python's own words for the fault vary with its version; the place and the advice are dedupe's.)
    assert error.startswith("error: bad.json: not valid JSON (") and " at line 3 column " in error
    assert error.endswith("; skipped: fix the file, or give it the .jsonl suffix if it holds one record a line")
    assert not (tmp_path / "out" / "bad.json").exists()
    assert (tmp_path / "out" / "ok.txt").read_text(encoding="utf-8") == CLEAN_OTHER


def test_array_elements_that_are_not_documents_are_named_and_kept(tmp_path):
    text = json.dumps([{"text": OTHER_TEXT}, 5, {"body": "x"}])
    src = write_tree(tmp_path / "in", {"a.json": text})
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "error: a.json: record 2 (line 1): not a JSON object (an int); copied unchanged, not cleaned" in result.output
    assert ("error: a.json: record 3 (line 1): no 'text' field; fields: body (try --text-field); "
            "copied unchanged, not cleaned") in result.output
    assert json.loads((tmp_path / "out" / "a.json").read_text(encoding="utf-8")) == [
        {"text": CLEAN_OTHER}, 5, {"body": "x"}]


def _skipped(tmp_path, name: str, data: str | bytes, what: str, fix: str):
    """IN holding `name` (data) beside a text file, cleaned: the file is named on stderr as `what`, with `fix`,
    and not written; the text file is. Returns IN."""
    src = write_tree(tmp_path / "in", {name: data, "ok.txt": OTHER_TEXT})
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert (f"error: {name}: {what}, which dedupe does not read (cleaning it as text would break it); skipped: "
            f"{fix}leave it out with --exclude\n") in result.output
    assert not (tmp_path / "out" / name).exists()
    assert (tmp_path / "out" / "ok.txt").is_file()
    return src


@pytest.mark.parametrize("name, what", [
    ("t.csv", "a CSV table"), ("t.tsv", "a TSV table"), ("b.xlsx", "an Excel workbook"),
    ("d.sqlite", "an SQLite database"), ("x.csv.gz", "a CSV table"),
])
def test_structured_files_dedupe_does_not_read_are_skipped_with_a_notice_never_cleaned_as_text(tmp_path, name, what):
    src = _skipped(tmp_path, name, "id,text\n1,Share on Facebook\n1,Share on Facebook\n", what,
                   "convert it to JSONL or Parquet, or ")
    assert run("clean", str(src), str(tmp_path / "out2"), "--exclude", name).exit_code == 0


@pytest.mark.parametrize("name, what, fix", [
    ("CC-MAIN-1.warc.wat.gz", "a WAT archive (WARC records of metadata: links and headers, no page text)",
     "clean the crawl's WET or WARC files instead, or "),
    ("crawl/index.cdx.gz", "a CDX index of a web archive (no page text)", "clean the crawl's WET or WARC files instead, or "),
    ("old/a.arc.gz", "an ARC web archive (the format before WARC)",
     "convert it to WARC (warcio recompress IN.arc.gz OUT.warc.gz) and clean that, or "),
])
def test_web_archives_without_page_text_are_skipped_with_a_notice_never_cleaned_as_one_text(tmp_path, name, what, fix):
    """WAT and CDX files hold no page text and ARC files are read once converted; WARC and WET files are read
    (tests/test_warc.py)."""
    record = ("WARC/1.0\r\nWARC-Type: metadata\r\nContent-Length: 18\r\n\r\nShare on Facebook\n\r\n\r\n") * 3
    data = gzip.compress(record.encode()) if name.endswith(".gz") else record
    _skipped(tmp_path, name, data, what, fix)


#: A stylesheet, a script and a program as a web mirror or a repository holds them: the page detectors read them
#: as pages (a Rust file's test module went as what follows an article, a Python field named `category` as a tag
#: line), so they are not read, as a table is not.
PROGRAM = "\n".join(["/* Share on Facebook */", ".share { color: red; }", "def category(self):", "    return 1",
                      "// Related articles", "fn main() {}", "Share on Facebook"] * 2) + "\n"


@pytest.mark.parametrize("name, what", [
    ("site/css/style.css", "CSS source"), ("site/js/app.js", "JavaScript source"), ("pkg/m.py", "Python source"),
    ("src/lib.rs", "Rust source"), ("n.ipynb", "a Jupyter notebook (JSON)"), ("site/app.js.gz", "JavaScript source"),
])
def test_code_is_skipped_with_a_notice_never_cleaned_as_text(tmp_path, name, what):
    _skipped(tmp_path, name, PROGRAM, what, "")


def test_text_of_other_kinds_is_read_as_text_whatever_its_name(tmp_path):
    # Notes, Markdown, a README without a suffix.
    src = write_tree(tmp_path / "in", {"notes.md": OTHER_TEXT, "README": COPY_TEXT})
    assert run("clean", str(src), str(tmp_path / "out")).exit_code == 0
    assert (tmp_path / "out" / "notes.md").is_file() and (tmp_path / "out" / "README").is_file()


# --- Parquet ------------------------------------------------------------------------------------------------


def parquet_table(nested: bool = False):
    recs = records(nested) + [{**records(nested)[2], "id": "d"}]  # a fourth row: another copy, in row group 2
    table = pa.Table.from_pylist(recs)
    return table.replace_schema_metadata({b"huggingface": b'{"info": {"features": {}}}'})


def clean_parquet(tmp_path: Path, table, flags: tuple[str, ...], **write_options):
    """IN holding the table as p.parquet, cleaned with `flags`; the cleaned copy, opened."""
    src = tmp_path / "in"
    src.mkdir()
    pq.write_table(table, src / "p.parquet", **write_options)
    result = run("clean", str(src), str(tmp_path / "out"), *flags)
    assert result.exit_code == 0, result.output
    return pq.ParquetFile(tmp_path / "out" / "p.parquet")


def test_parquet_is_cleaned_row_by_row_with_its_schema_codec_row_groups_and_other_columns_kept(tmp_path):
    table = parquet_table()
    out = clean_parquet(tmp_path, table, ("--id-field", "id"), compression="zstd", row_group_size=2)
    assert out.schema_arrow == table.schema and out.schema_arrow.metadata == table.schema.metadata
    meta = out.metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [1, 1]  # b and d dropped
    assert {meta.row_group(i).column(j).compression for i in range(2) for j in range(meta.num_columns)} == {"ZSTD"}
    got = out.read().to_pylist()
    assert [r["id"] for r in got] == ["a", "c"]
    assert [r["text"] for r in got] == [CLEAN_SHARED, CLEAN_OTHER]
    assert [{k: v for k, v in r.items() if k != "text"} for r in got] == [
        {k: v for k, v in r.items() if k != "text"} for r in (table.to_pylist()[0], table.to_pylist()[2])]
    assert [(r["file"], r["category"], (r["duplicate_of"] or {}).get("file")) for r in removals(tmp_path / "out")] == [
        ("p.parquet#a", "chrome:social", None),
        ("p.parquet#b", "duplicate-document", "p.parquet#a"),
        ("p.parquet#c", "chrome:newsletter", None),
        ("p.parquet#d", "duplicate-document", "p.parquet#c"),
    ]


def test_parquet_rows_are_named_by_row_number_and_a_nested_struct_field_is_cleaned(tmp_path):
    table = parquet_table(nested=True)
    out = clean_parquet(tmp_path, table, ("--text-field", "content.text"), compression="snappy", row_group_size=3)
    assert out.schema_arrow == table.schema
    assert out.metadata.row_group(0).column(0).compression == "SNAPPY"
    got = out.read().to_pylist()
    assert [(r["id"], r["content"]) for r in got] == [
        ("a", {"text": CLEAN_SHARED, "lang": "en"}), ("c", {"text": CLEAN_OTHER, "lang": "en"})]
    assert [r["file"] for r in removals(tmp_path / "out")] == ["p.parquet#1", "p.parquet#2", "p.parquet#3",
                                                               "p.parquet#4"]


def test_parquet_where_nothing_changes_is_copied_byte_for_byte(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    pq.write_table(pa.table({"text": [CLEAN_OTHER], "n": [1]}), src / "p.parquet")
    assert run("clean", str(src), str(tmp_path / "out")).exit_code == 0
    assert (tmp_path / "out" / "p.parquet").read_bytes() == (src / "p.parquet").read_bytes()


def test_parquet_null_texts_and_a_missing_column_are_named_and_copied_unchanged(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    pq.write_table(pa.table({"text": [OTHER_TEXT, None], "n": [1, 2]}), src / "nulls.parquet")
    pq.write_table(pa.table({"body": [OTHER_TEXT], "n": [1]}), src / "nocol.parquet")
    pq.write_table(pa.table({"text": [1, 2]}), src / "ints.parquet")
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "error: nulls.parquet: row 2: 'text' is null; copied unchanged, not cleaned" in result.output
    assert ("error: nocol.parquet: no 'text' column (columns: body, n; try --text-field); copied unchanged, "
            "not cleaned") in result.output
    assert "error: ints.parquet: 'text' is a column of int64, not text; try --text-field; copied unchanged, " \
           "not cleaned" in result.output
    assert pq.read_table(tmp_path / "out" / "nulls.parquet").to_pylist() == [
        {"text": CLEAN_OTHER, "n": 1}, {"text": None, "n": 2}]
    for name in ("nocol.parquet", "ints.parquet"):
        assert (tmp_path / "out" / name).read_bytes() == (src / name).read_bytes()


def test_a_truncated_parquet_file_is_refused_by_name_and_the_others_are_written(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    pq.write_table(pa.table({"text": [OTHER_TEXT]}), src / "whole.parquet")
    (src / "cut.parquet").write_bytes((src / "whole.parquet").read_bytes()[:-20])
    (src / "fake.arrow").write_bytes(b"this is not arrow at all")
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 1
    lines = [x for x in result.output.splitlines() if x.startswith("error:")]
    assert [x.split(":")[1].strip() for x in lines] == ["cut.parquet", "fake.arrow"]
    assert "not a readable Parquet file (" in lines[0] and "skipped: check that it is whole" in lines[0]
    assert "not a readable Arrow IPC file (" in lines[1]
    assert pq.read_table(tmp_path / "out" / "whole.parquet").to_pylist() == [{"text": CLEAN_OTHER}]


def test_without_pyarrow_a_parquet_file_is_skipped_with_a_message_naming_the_extra(tmp_path, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    pq.write_table(pa.table({"text": [OTHER_TEXT]}), src / "p.parquet")
    (src / "ok.txt").write_text(OTHER_TEXT, encoding="utf-8")
    for name in [m for m in sys.modules if m == "pyarrow" or m.startswith("pyarrow.")]:
        monkeypatch.setitem(sys.modules, name, None)  # import pyarrow now raises ImportError
    result = run("clean", str(src), str(tmp_path / "out"), "--jobs", "1")
    assert result.exit_code == 1
    assert ("error: p.parquet: a Parquet file needs pyarrow, which is not installed; skipped: "
            "pip install 'dedupe[parquet]'") in result.output
    assert (tmp_path / "out" / "ok.txt").is_file()


# --- Arrow IPC and datasets folders ----------------------------------------------------------------------


@pytest.mark.parametrize("form", ["stream", "file"])
@pytest.mark.parametrize("codec", [None, "lz4", "zstd"])
def test_arrow_ipc_keeps_its_form_schema_batches_and_buffer_compression(tmp_path, form, codec):
    table = parquet_table()
    src = tmp_path / "in"
    src.mkdir()
    opener = ipc.new_stream if form == "stream" else ipc.new_file
    with opener(src / "d.arrow", table.schema, options=ipc.IpcWriteOptions(compression=codec)) as w:
        w.write_table(table, max_chunksize=2)
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    path = tmp_path / "out" / "d.arrow"
    reader = ipc.open_stream(path) if form == "stream" else ipc.open_file(path)
    got = reader.read_all()
    assert got.schema == table.schema and got.schema.metadata == table.schema.metadata
    assert got.column("id").to_pylist() == ["a", "c"]
    assert got.column("text").to_pylist() == [CLEAN_SHARED, CLEAN_OTHER]
    assert [len(b) for b in got.to_batches()] == [1, 1]
    from dedupe.formats.columnar import _ipc_codec

    assert _ipc_codec(pa, str(path)) == codec
    assert path.read_bytes().startswith(b"ARROW1") == (form == "file")


def write_dataset_folder(folder: Path, table, shards: int = 2) -> None:
    """A folder as `datasets.Dataset.save_to_disk` lays it out: Arrow streams, state.json, dataset_info.json."""
    folder.mkdir(parents=True)
    rows = table.num_rows
    names = [f"data-{i:05d}-of-{shards:05d}.arrow" for i in range(shards)]
    for i, name in enumerate(names):
        part = table.slice(i * rows // shards, (i + 1) * rows // shards - i * rows // shards)
        with ipc.new_stream(folder / name, table.schema) as w:
            w.write_table(part)
    (folder / "state.json").write_text(json.dumps(
        {"_data_files": [{"filename": n} for n in names], "_fingerprint": "0123", "_format_type": None}, indent=2))
    (folder / "dataset_info.json").write_text(json.dumps({"citation": "", "features": {}}, indent=2))


def test_a_datasets_folder_is_read_through_its_arrow_files_and_its_metadata_copied(tmp_path):
    src = tmp_path / "in"
    write_dataset_folder(src / "train", parquet_table())
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    out = tmp_path / "out" / "train"
    got = [ipc.open_stream(out / n).read_all().to_pylist() for n in ("data-00000-of-00002.arrow",
                                                                     "data-00001-of-00002.arrow")]
    assert [[r["id"] for r in part] for part in got] == [["a"], ["c"]]
    for name in ("state.json", "dataset_info.json"):
        assert (out / name).read_bytes() == (src / "train" / name).read_bytes()


def test_a_folder_saved_by_datasets_is_cleaned_and_still_loads(tmp_path):
    datasets = pytest.importorskip("datasets", reason="the datasets package is not installed (not a test "
                                   "dependency: the folder layout it writes is tested above without it)")
    src = tmp_path / "in"
    datasets.Dataset.from_list(parquet_table().to_pylist()).save_to_disk(str(src / "train"))
    result = run("clean", str(src), str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert datasets.load_from_disk(str(tmp_path / "out" / "train"))["id"] == ["a", "c"]


# --- the same documents in every format ---------------------------------------------------------------------


def test_every_record_format_gives_the_same_removals_as_the_text_tree_and_any_worker_count_the_same_bytes(tmp_path):
    import importlib.util

    from helpers import ROOT, synthetic_corpus, tree_hashes

    spec = importlib.util.spec_from_file_location("formats_bench", ROOT / "benchmarks" / "formats.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    tree = synthetic_corpus(tmp_path / "tree", 240, seed=3)
    layouts = bench.make_layouts(tree, tmp_path / "layouts", shard_docs=50, row_group=20)
    results = {}
    for name, folder in layouts.items():
        out = tmp_path / f"out-{name}"
        args = ["clean", str(folder), str(out), "--jobs", "2"] + bench.FLAGS[name]
        result = run(*args)
        assert result.exit_code == 0, (name, result.output)
        results[name] = bench.removal_set(out), bench.cluster_set(out)
    assert len(results["txt"][0]) > 100
    assert sum(1 for r in results["txt"][0] if r[2] == "duplicate-document") > 10
    assert len(results["txt"][1]) > 5
    for name, found in results.items():
        assert found == results["txt"], name
    one = tmp_path / "one-parquet"
    assert run("clean", str(layouts["parquet"]), str(one), "--jobs", "1", *bench.FLAGS["parquet"]).exit_code == 0
    assert {k: v for k, v in tree_hashes(one).items() if not k.startswith("_report")} == {
        k: v for k, v in tree_hashes(tmp_path / "out-parquet").items() if not k.startswith("_report")}


# --- records, not files, as the unit of work ----------------------------------------------------------------


def cleaned_and_report(out: Path) -> dict[str, bytes]:
    """OUT's cleaned copies and the report's removals and diff (the parts that hold no timings)."""
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    return {k: v for k, v in files.items()
            if not k.startswith("_report/") or k in ("_report/removals.jsonl", "_report/changes.diff")}


def test_large_record_files_are_cut_into_pieces_that_give_the_output_of_the_whole_files(tmp_path, monkeypatch):
    import importlib.util

    from dedupe.formats import pieces
    from helpers import ROOT, synthetic_corpus

    spec = importlib.util.spec_from_file_location("formats_bench", ROOT / "benchmarks" / "formats.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    tree = synthetic_corpus(tmp_path / "tree", 240, seed=5)
    layouts = bench.make_layouts(tree, tmp_path / "layouts", shard_docs=120, row_group=10)
    for name in ("jsonl", "parquet", "arrow"):
        flags = bench.FLAGS[name]
        monkeypatch.setattr(pieces, "PIECE_BYTES", 1 << 40)
        monkeypatch.setattr(pieces, "PIECE_ROWS", 1 << 40)
        assert all(isinstance(u, str) for u in pieces.plan(layouts[name], sorted(
            p.name for p in layouts[name].iterdir()), Config()))
        assert run("clean", str(layouts[name]), str(tmp_path / f"{name}-whole"), "--jobs", "1", *flags).exit_code == 0
        monkeypatch.setattr(pieces, "PIECE_BYTES", 40_000)
        monkeypatch.setattr(pieces, "PIECE_ROWS", 25)
        units = pieces.plan(layouts[name], sorted(p.name for p in layouts[name].iterdir()), Config())
        assert sum(isinstance(u, pieces.Piece) for u in units) >= 6, units  # two shards, three pieces or more each
        whole = cleaned_and_report(tmp_path / f"{name}-whole")
        for jobs in ("1", "2"):
            out = tmp_path / f"{name}-pieces-{jobs}"
            result = run("clean", str(layouts[name]), str(out), "--jobs", jobs, *flags)
            assert result.exit_code == 0, result.output
            assert cleaned_and_report(out) == whole, (name, jobs)
        assert not list((tmp_path / f"{name}-pieces-2").rglob("*.part"))


def test_an_id_repeated_in_two_pieces_of_a_file_names_two_documents(tmp_path, monkeypatch):
    from dedupe.formats import pieces

    monkeypatch.setattr(pieces, "PIECE_BYTES", 300)
    texts = [OTHER_TEXT.replace("city", f"city {i}") for i in range(4)]
    data = "".join(json.dumps({"id": "same" if i in (0, 3) else str(i), "text": t}) + "\n" for i, t in enumerate(texts))
    src = write_tree(tmp_path / "in", {"c.jsonl": data})
    units = pieces.plan(src, ["c.jsonl"], Config())
    assert units[0].first == 1 and units[-1].first == 4  # line 1 and line 4 in two pieces
    assert run("clean", str(src), str(tmp_path / "out"), "--id-field", "id", "--jobs", "1").exit_code == 0
    names = list(dict.fromkeys(r["file"] for r in removals(tmp_path / "out")))
    assert names == ["c.jsonl#same", "c.jsonl#1", "c.jsonl#2", "c.jsonl#same@2"]


def test_a_piece_that_cannot_be_read_skips_its_whole_file_and_the_others_are_written(tmp_path, monkeypatch):
    from dedupe import pipeline
    from dedupe.errors import InputError
    from dedupe.formats import pieces

    monkeypatch.setattr(pieces, "PIECE_BYTES", 300)
    data = "".join(json.dumps({"text": OTHER_TEXT.replace("city", f"city {i}")}) + "\n" for i in range(4))
    src = write_tree(tmp_path / "in", {"c.jsonl": data, "ok.txt": OTHER_TEXT})
    real = pipeline.read_piece

    def failing(src_, piece, config):
        if piece.index == 1:
            raise InputError(piece.rel, "cannot read: Input/output error; skipped")
        return real(src_, piece, config)

    monkeypatch.setattr(pipeline, "read_piece", failing)
    result = run("clean", str(src), str(tmp_path / "out"), "--jobs", "1")
    assert result.exit_code == 1
    assert "error: c.jsonl: cannot read: Input/output error; skipped" in result.output
    assert not (tmp_path / "out" / "c.jsonl").exists()
    assert (tmp_path / "out" / "ok.txt").is_file()
    assert {r["file"] for r in removals(tmp_path / "out")} == {"ok.txt"}


def test_pieces_and_large_record_files_read_whole_are_batches_of_their_own(tmp_path):
    from dedupe import pipeline
    from dedupe.formats import pieces

    src = write_tree(tmp_path / "in", {"big.json": "[" + " " * (pieces.ALONE_BYTES) + "]", "small.json": "[]",
                                       "a.txt": "x" * pieces.ALONE_BYTES})
    assert pieces.alone(src, ["a.txt", "big.json", "small.json"]) == {"big.json"}
    piece = pieces.Piece("p.parquet", 0, 2, 0, 1, 1)
    items = ["a.txt", "big.json", "c.txt", piece, "d.txt"]
    assert [b for _, b in pipeline._batches(items, 2, {"big.json"})] == [
        ["a.txt"], ["big.json"], ["c.txt"], [piece], ["d.txt"]]


def test_cleaning_cleaned_parquet_arrow_and_json_removes_nothing_more(tmp_path):
    table = parquet_table(nested=True)
    src = tmp_path / "in"
    src.mkdir()
    pq.write_table(table, src / "p.parquet", compression="zstd", row_group_size=2)
    with ipc.new_file(src / "d.feather", table.schema) as w:
        w.write_table(table)
    (src / "a.json").write_text(json.dumps(records(nested=True), indent=1), encoding="utf-8")
    flags = ("--text-field", "content.text")
    assert run("clean", str(src), str(tmp_path / "out"), *flags).exit_code == 0
    result = run("clean", str(tmp_path / "out"), str(tmp_path / "again"), *flags)
    assert result.exit_code == 0, result.output
    # (The first run dropped every row of d.feather, copies of a.json's: its copy is a valid file of no rows.)
    first = next(line for line in result.output.splitlines() if " files read, " in line)
    assert first == "3 files read, 3 written, 0 failed; 2 documents, 0 blocks removed"
    for name in ("p.parquet", "d.feather", "a.json"):
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()


# --- --annotate on structured files -----------------------------------------------------------------------


def test_annotate_adds_a_dedupe_struct_column_to_parquet_and_keeps_every_row_and_text(tmp_path):
    table = parquet_table()
    out = clean_parquet(tmp_path, table, ("--annotate", "--id-field", "id"), compression="zstd", row_group_size=2)
    assert out.schema_arrow.names == table.schema.names + ["dedupe"]
    assert out.metadata.row_group(0).column(0).compression == "ZSTD"
    got = out.read()
    assert got.drop_columns(["dedupe"]).to_pylist() == table.to_pylist()
    notes = got.column("dedupe").to_pylist()
    assert [n["drop"] for n in notes] == [False, True, False, True]
    assert [n["kept"] for n in notes] == ["p.parquet#a", "p.parquet#a", "p.parquet#c", "p.parquet#c"]
    assert [[r["category"] for r in n["removals"]] for n in notes] == [
        ["chrome:social"], ["duplicate-document"], ["chrome:newsletter"], ["duplicate-document"]]
    assert notes[1]["removals"][0]["duplicate_of"] == {"file": "p.parquet#a", "lines": [1, 4], "run": None}


def test_annotate_adds_a_dedupe_field_to_every_record_of_a_json_array(tmp_path):
    text = json.dumps(records(), indent=2)
    src = write_tree(tmp_path / "in", {"a.json": text})
    result = run("clean", str(src), str(tmp_path / "out"), "--annotate")
    assert result.exit_code == 0, result.output
    got = json.loads((tmp_path / "out" / "a.json").read_text(encoding="utf-8"))
    assert [{k: v for k, v in r.items() if k != "dedupe"} for r in got] == records()
    assert [r["dedupe"]["drop"] for r in got] == [False, True, False]
