"""The command line: exit statuses, exact messages, every option, and what is (not) written."""
from __future__ import annotations

import json
import os
import re

import click
import pytest

from dedupe import __version__
from dedupe.cli import _LazyBar, main

from helpers import REPORT_FILES, SAMPLES, removals, summary, tree_hashes, write_tree

ARTICLE = (
    "The council approved the new budget on Tuesday after a long debate about school funding.\n\n"
    "Members argued for three hours over the share that should go to repairing older buildings.\n\n"
    "The council approved the new budget on Tuesday after a long debate about school funding.\n"
)
#: A second, different article: two files holding ARTICLE would be duplicate documents.
OTHER = (
    "The harbour reopened on Friday after engineers finished testing the repaired lock gates.\n\n"
    "Fishing boats queued from dawn, and the first trawler passed through shortly after eight.\n\n"
    "The harbour reopened on Friday after engineers finished testing the repaired lock gates.\n"
)


def error_line(result) -> str:
    """The `Error: ...` line click prints for a usage error."""
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert lines, result.stderr
    return lines[-1]


def assert_refused(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert error_line(result) == "Error: " + message
    assert result.stdout == ""


# --- paths that must be refused: exit 2, nothing written, a message saying what to do


def test_missing_input_is_refused(cli, tmp_path):
    result = cli("clean", tmp_path / "nope", tmp_path / "out")
    assert_refused(result, f"input folder {tmp_path / 'nope'} does not exist; check the path (IN must be an existing folder)")
    assert not (tmp_path / "out").exists()


def test_input_that_is_a_file_is_refused(cli, tmp_path):
    f = tmp_path / "doc.txt"
    f.write_text(ARTICLE)
    result = cli("clean", f, tmp_path / "out")
    assert_refused(result, f"input {f} is not a folder; put the file in a folder and pass the folder")
    assert not (tmp_path / "out").exists()


def test_output_equal_to_input_is_refused(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE})
    before = tree_hashes(src)
    result = cli("clean", src, src)
    assert_refused(result, f"output folder is the input folder ({src}); dedupe never modifies its input: pick another OUT")
    assert tree_hashes(src) == before


def test_output_inside_input_is_refused(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE})
    before = tree_hashes(src)
    result = cli("clean", src, src / "out")
    assert_refused(result, f"output folder {src / 'out'} is inside the input folder {src}; pick an OUT outside it")
    assert tree_hashes(src) == before


def test_input_inside_output_is_refused(cli, tmp_path):
    src = write_tree(tmp_path / "out" / "in", {"a.txt": ARTICLE})
    result = cli("clean", src, tmp_path / "out")
    assert_refused(result, f"input folder {src} is inside the output folder {tmp_path / 'out'}; pick an OUT outside it")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["in"]


def test_report_inside_input_is_refused(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE})
    result = cli("clean", src, tmp_path / "out", "--report", src / "rep")
    assert_refused(result, f"report folder {src / 'rep'} is inside the input folder {src}; pick another --report")
    assert not (tmp_path / "out").exists() and not (src / "rep").exists()


def test_output_that_is_a_file_is_refused(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE})
    (tmp_path / "out").write_text("x")
    result = cli("clean", src, tmp_path / "out")
    assert_refused(result, f"output {tmp_path / 'out'} exists and is not a folder; pick a folder path")


def test_non_empty_output_is_refused_without_force(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE})
    out = write_tree(tmp_path / "out", {"mine.txt": "keep me"})
    before = tree_hashes(out)
    result = cli("clean", src, out)
    assert_refused(
        result,
        f"output folder {out} is not empty; use --force to overwrite a previous dedupe output, "
        "or pick an empty or new folder",
    )
    assert tree_hashes(out) == before


def test_force_never_overwrites_a_folder_dedupe_did_not_write(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE})
    out = write_tree(tmp_path / "out", {"mine.txt": "keep me"})
    before = tree_hashes(out)
    result = cli("clean", src, out, "--force")
    assert_refused(
        result,
        f"output folder {out} is not empty and was not written by dedupe; "
        "--force only overwrites a previous dedupe output: pick an empty or new folder",
    )
    assert tree_hashes(out) == before


def test_force_replaces_a_previous_output(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, "old/gone.txt": OTHER})
    out = tmp_path / "out"
    assert cli("clean", src, out).exit_code == 0
    assert (out / "old" / "gone.txt").is_file()
    (src / "old" / "gone.txt").unlink()
    result = cli("clean", src, out, "--force")
    assert result.exit_code == 0, result.output
    # the previous run's copy of a file no longer in IN is gone, not left stale, and so is its emptied folder
    assert sorted(p.name for p in out.iterdir()) == [".dedupe-output.json", "_report", "a.txt"]
    assert [r["file"] for r in removals(out / "_report")] == ["a.txt"]


def test_non_empty_report_folder_is_refused(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE})
    rep = write_tree(tmp_path / "rep", {"notes.md": "mine"})
    result = cli("clean", src, tmp_path / "out", "--report", rep)
    assert_refused(
        result,
        f"report folder {rep} is not empty; use --force to overwrite a previous dedupe output, "
        "or pick an empty or new folder",
    )
    assert not (tmp_path / "out").exists()


# --- inputs that cannot be read: named on stderr and in summary.json, the others written, exit 1


def test_unreadable_inputs_are_named_and_the_run_goes_on(cli, tmp_path):
    src = write_tree(
        tmp_path / "in",
        {"a.txt": ARTICLE, "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "sub/b.txt": OTHER},
    )
    os.symlink("self", src / "self")  # a symlink that points at itself
    os.symlink("b", src / "a_loop")  # two symlinks that point at each other
    os.symlink("a_loop", src / "b")
    os.symlink("missing.txt", src / "broken")
    result = cli("clean", src, tmp_path / "out")
    assert result.exit_code == 1
    expected = [
        ("a_loop", "symlink loops (it points back to itself); skipped"),
        ("b", "symlink loops (it points back to itself); skipped"),
        ("broken", "broken symlink to missing.txt; skipped"),
        ("image.png", "binary file (it contains NUL bytes); skipped"),
        ("self", "symlink loops (it points back to itself); skipped"),
    ]
    assert result.stderr.splitlines() == [f"error: {f}: {m}" for f, m in expected]
    s = summary(tmp_path / "out" / "_report")
    assert s["failed"] == [{"file": f, "message": m} for f, m in expected]
    assert s["exit_status"] == 1
    assert (tmp_path / "out" / "a.txt").is_file() and (tmp_path / "out" / "sub" / "b.txt").is_file()
    assert "5 failed" in result.stdout


def test_unreadable_file_is_named(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, "locked.txt": ARTICLE})
    os.chmod(src / "locked.txt", 0)
    try:
        if os.access(src / "locked.txt", os.R_OK):
            pytest.skip("running as root (as in CI): chmod 000 does not stop root from reading a file")
        result = cli("clean", src, tmp_path / "out")
    finally:
        os.chmod(src / "locked.txt", 0o644)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["error: locked.txt: permission denied; skipped (check the file's permissions)"]
    assert (tmp_path / "out" / "a.txt").is_file()


def test_permission_error_is_reported_whoever_runs_the_tests(cli, tmp_path, monkeypatch):
    """Simulated, so that it runs as root too: reading one file raises PermissionError."""
    import os

    from dedupe.formats import source

    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, "locked.txt": ARTICLE})
    real = os.open

    def opener(path, flags, *args, **kwargs):
        if str(path).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", opener)
    # The batch read in the core does not go through os.open, and leaves a file it cannot open to read_bytes
    # (tests/test_read.py): here it leaves every file, so that the simulated refusal is met.
    monkeypatch.setattr(source, "PREFETCH_FILE_BYTES", 0)
    result = cli("clean", src, tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["error: locked.txt: permission denied; skipped (check the file's permissions)"]
    assert summary(tmp_path / "out" / "_report")["failed"] == [
        {"file": "locked.txt", "message": "permission denied; skipped (check the file's permissions)"}
    ]
    assert (tmp_path / "out" / "a.txt").is_file() and not (tmp_path / "out" / "locked.txt").exists()


def test_empty_and_non_utf8_files_are_warnings_not_failures(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, "empty.txt": b"", "menu.txt": "Caf\xe9 cr\xe8me\n".encode("cp1252")})
    result = cli("clean", src, tmp_path / "out")
    assert result.exit_code == 0
    warnings = [
        ("empty.txt", "empty file (no text); copied as is"),
        ("menu.txt", "not valid UTF-8 (byte 0xe9 at offset 3); decoded as cp1252 and written back as cp1252"),
    ]
    assert result.stderr.splitlines() == [f"warning: {f}: {m}" for f, m in warnings]
    assert summary(tmp_path / "out" / "_report")["warnings"] == [{"file": f, "message": m} for f, m in warnings]
    assert (tmp_path / "out" / "menu.txt").read_bytes() == (src / "menu.txt").read_bytes()
    assert (tmp_path / "out" / "empty.txt").read_bytes() == b""


def test_folder_symlinks_are_not_followed(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, "sub/b.txt": ARTICLE})
    os.symlink(".", src / "sub" / "loop")  # following it would never end
    result = cli("clean", src, tmp_path / "out")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == ["warning: sub/loop: symlink to a folder: not followed"]


# --- the normal run


def test_clean_samples(cli, tmp_path, samples_copy):
    before = tree_hashes(samples_copy)
    out = tmp_path / "out"
    result = cli("clean", samples_copy, out)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    first = result.stdout.splitlines()[0]
    assert re.fullmatch(r"5 files read, 5 written, 0 failed; 5 documents, \d+ blocks removed", first)
    assert result.stdout.splitlines()[-1] == f"report: {out / '_report'}"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [".dedupe-output.json", "_report"] + [p.name for p in SAMPLES.iterdir()]
    )
    assert sorted(p.name for p in (out / "_report").iterdir()) == list(REPORT_FILES)
    assert tree_hashes(samples_copy) == before


def test_quiet_prints_nothing_but_errors(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, "b.bin": b"\x00\x01", "c.txt": b"caf\xe9\n"})
    result = cli("clean", src, tmp_path / "out", "--quiet")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: b.bin: binary file (it contains NUL bytes); skipped\n"


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"dedupe, version {__version__}\n"


def test_report_option_puts_the_report_elsewhere(cli, tmp_path, samples_copy):
    out, rep = tmp_path / "out", tmp_path / "review"
    result = cli("clean", samples_copy, out, "--report", rep)
    assert result.exit_code == 0
    assert not (out / "_report").exists()
    assert sorted(p.name for p in rep.iterdir()) == list(REPORT_FILES)
    assert result.stdout.splitlines()[-1] == f"report: {rep}"


def test_dry_run_writes_the_report_only(cli, tmp_path, samples_copy):
    out = tmp_path / "out"
    result = cli("clean", samples_copy, out, "--dry-run")
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["_report"]
    assert result.stdout.splitlines()[0].startswith("5 files read, 0 written, 0 failed")
    assert result.stdout.splitlines()[-1] == f"report: {out / '_report'} (dry run: no cleaned copies written)"
    assert summary(out / "_report")["output"]["dry_run"] is True
    assert removals(out / "_report")  # the samples have removals, and a dry run still reports them
    # a dry run's output is a dedupe output: --force may replace it
    assert cli("clean", samples_copy, out, "--force").exit_code == 0


def test_only_and_skip_select_categories(cli, tmp_path, samples_copy):
    cli("clean", samples_copy, tmp_path / "all")
    everything = {r["category"] for r in removals(tmp_path / "all" / "_report")}
    assert {"repeat", "near-repeat"} <= everything and any(c.startswith("chrome:") for c in everything)

    cli("clean", samples_copy, tmp_path / "only", "--only", "repeat,near-repeat")
    assert {r["category"] for r in removals(tmp_path / "only" / "_report")} == {"repeat", "near-repeat"}

    cli("clean", samples_copy, tmp_path / "skip", "--skip", "chrome", "--skip", "near-repeat")
    assert {r["category"] for r in removals(tmp_path / "skip" / "_report")} == {"repeat"}

    cli("clean", samples_copy, tmp_path / "one", "--only", "chrome:paywall")
    assert {r["category"] for r in removals(tmp_path / "one" / "_report")} == {"chrome:paywall"}


def test_unknown_category_is_rejected_with_a_suggestion(cli, tmp_path, samples_copy):
    result = cli("clean", samples_copy, tmp_path / "out", "--only", "chrome:paywal")
    assert result.exit_code == 2
    assert error_line(result).startswith("Error: only: unknown category 'chrome:paywal' (did you mean 'chrome:paywall'?); known: chrome, repeat, ")
    assert not (tmp_path / "out").exists()
    result = cli("clean", samples_copy, tmp_path / "out", "--skip", "ads")
    assert result.exit_code == 2
    assert error_line(result).startswith("Error: skip: unknown category 'ads'")


def test_keep_option(cli, tmp_path, samples_copy):
    result = cli("clean", samples_copy, tmp_path / "out", "--keep", "longest")
    assert result.exit_code == 0
    assert summary(tmp_path / "out" / "_report")["config"]["keep"] == "longest"
    result = cli("clean", samples_copy, tmp_path / "out2", "--keep", "last")
    assert result.exit_code == 2
    assert "Invalid value for '--keep': 'last' is not one of 'first', 'longest', 'none'." in result.stderr


def test_threshold_flags_reach_the_config(cli, tmp_path, samples_copy):
    result = cli(
        "clean", samples_copy, tmp_path / "out",
        "--near-threshold", "0.9", "--min-repeat-words", "6", "--containment-threshold", "0.95",
    )
    assert result.exit_code == 0
    config = summary(tmp_path / "out" / "_report")["config"]
    assert (config["near_threshold"], config["min_repeat_words"], config["containment_threshold"]) == (0.9, 6, 0.95)


def test_threshold_out_of_range_is_rejected(cli, tmp_path, samples_copy):
    result = cli("clean", samples_copy, tmp_path / "out", "--near-threshold", "1.5")
    assert result.exit_code == 2
    assert error_line(result) == "Error: near_threshold must be between 0.1 and 1.0, not 1.5"
    assert not (tmp_path / "out").exists()


def test_min_repeat_words_flag_changes_what_is_removed(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": "Breaking news today\n\nA long paragraph about the weather.\n\nBreaking news today\n"})
    cli("clean", src, tmp_path / "default")
    assert removals(tmp_path / "default" / "_report") == []
    cli("clean", src, tmp_path / "three", "--min-repeat-words", "3")
    assert [r["lines"] for r in removals(tmp_path / "three" / "_report")] == [[5, 5]]


def test_config_file_toml_and_json(cli, tmp_path, samples_copy):
    toml = tmp_path / "c.toml"
    toml.write_text('near_threshold = 0.9\nskip = ["chrome"]\nkeep = "longest"\n')
    result = cli("clean", samples_copy, tmp_path / "t", "--config", toml)
    assert result.exit_code == 0, result.output
    config = summary(tmp_path / "t" / "_report")["config"]
    assert (config["near_threshold"], config["skip"], config["keep"]) == (0.9, ["chrome"], "longest")
    assert not any(r["category"].startswith("chrome:") for r in removals(tmp_path / "t" / "_report"))

    js = tmp_path / "c.json"
    js.write_text(json.dumps({"min-repeat-words": 5, "only": ["repeat"]}))
    # a flag overrides the file
    result = cli("clean", samples_copy, tmp_path / "j", "--config", js, "--min-repeat-words", "7")
    assert result.exit_code == 0, result.output
    config = summary(tmp_path / "j" / "_report")["config"]
    assert (config["min_repeat_words"], config["only"]) == (7, ["repeat"])
    assert {r["category"] for r in removals(tmp_path / "j" / "_report")} == {"repeat"}


def test_config_written_in_summary_reads_back(cli, tmp_path, samples_copy):
    cli("clean", samples_copy, tmp_path / "a", "--near-threshold", "0.85")
    saved = tmp_path / "used.json"
    saved.write_text(json.dumps(summary(tmp_path / "a" / "_report")["config"]))
    cli("clean", samples_copy, tmp_path / "b", "--config", saved)
    assert summary(tmp_path / "b" / "_report")["config"] == summary(tmp_path / "a" / "_report")["config"]


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("c.toml", "near_treshold = 0.9\n",
         "unknown setting 'near_treshold' (did you mean 'near_threshold'?); known settings: allow, annotate, block_band_rows, "),
        ("c.json", '{"shingle_size": 0}', "shingle_size must be between 1 and 10, not 0"),
        ("c.toml", "near_threshold = 2.0\n", "near_threshold must be between 0.1 and 1.0, not 2.0"),
        ("c.toml", 'keep = "newest"\n', "keep must be one of first, longest, none, not 'newest'"),
        ("c.toml", 'min_repeat_words = "four"\n', "min_repeat_words must be a number, not 'four'"),
        ("c.toml", "min_repeat_words = 2.5\n", "min_repeat_words must be a whole number, not 2.5"),
        ("c.toml", "near_threshold = nan\n", "near_threshold must be between 0.1 and 1.0, not nan"),
        ("c.toml", "encoding = 8\n", "encoding must be a string, not 8"),
        ("c.toml", 'encoding = "klingon"\n', "encoding: unknown codec 'klingon' (try utf-8 or latin-1)"),
        ("c.json", "[1, 2]", "expected a table of settings at the top level"),
    ],
)
def test_bad_config_file_is_rejected_by_name(cli, tmp_path, samples_copy, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    result = cli("clean", samples_copy, tmp_path / "out", "--config", path)
    assert result.exit_code == 2
    assert error_line(result).startswith(f"Error: {path}: {message}")
    assert not (tmp_path / "out").exists()


def test_unparsable_and_missing_config_files(cli, tmp_path, samples_copy):
    bad = tmp_path / "c.toml"
    bad.write_text("near_threshold = \n")
    result = cli("clean", samples_copy, tmp_path / "out", "--config", bad)
    assert result.exit_code == 2
    assert error_line(result).startswith(f"Error: {bad}: not valid TOML: ")
    result = cli("clean", samples_copy, tmp_path / "out", "--config", tmp_path / "none.toml")
    assert result.exit_code == 2
    assert error_line(result) == f"Error: cannot read config file {tmp_path / 'none.toml'}: No such file or directory"
    assert not (tmp_path / "out").exists()


def test_every_command_has_help_with_an_example(cli):
    def commands(group, prefix=()):
        yield prefix
        for name, cmd in getattr(group, "commands", {}).items():
            yield from commands(cmd, prefix + (name,))

    seen = list(commands(main))
    assert ("clean",) in seen
    for path in seen:
        result = cli(*path, "--help")
        assert result.exit_code == 0
        assert "Example" in result.stdout, f"`dedupe {' '.join(path)} --help` has no example"
        cmd = main
        for name in path:
            cmd = cmd.commands[name]
        assert cmd.help and cmd.help.strip(), f"`dedupe {' '.join(path)}` has no help text"
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"option {param.opts} of `dedupe {' '.join(path)}` has no help"


# --- the progress bar appears only for long runs


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_progress_bar_stays_hidden_on_short_runs(capsys):
    clock = FakeClock()
    bar = _LazyBar(quiet=False, clock=clock, delay=2.0, terminal=True)
    for done in range(1, 11):
        clock.now += 0.1
        bar.update(done, 10)
    bar.close()
    assert bar.bar is None
    assert capsys.readouterr().err == ""


def test_progress_bar_appears_once_a_run_is_slow(capsys):
    clock = FakeClock()
    bar = _LazyBar(quiet=False, clock=clock, delay=2.0, terminal=True)
    bar.update(1, 10)
    assert bar.bar is None
    clock.now += 2.5
    bar.update(2, 10)
    assert bar.bar is not None
    for done in range(3, 11):
        bar.update(done, 10)
    assert bar.bar.pos == 10
    bar.close()
    assert "cleaning" in capsys.readouterr().err


def test_progress_bar_never_appears_when_quiet_or_finished(capsys):
    clock = FakeClock()
    quiet = _LazyBar(quiet=True, clock=clock, delay=2.0, terminal=True)
    clock.now += 10
    quiet.update(1, 10)
    assert quiet.bar is None
    done = _LazyBar(quiet=False, clock=clock, delay=2.0, terminal=True)
    clock.now += 10
    done.update(10, 10)  # the last file: nothing left to show progress for
    assert done.bar is None
    assert capsys.readouterr().err == ""


def test_without_a_terminal_progress_is_a_line_every_ten_seconds_at_most(capsys):
    clock = FakeClock()
    log = _LazyBar(quiet=False, clock=clock, terminal=False)
    for done in range(1, 21):  # 20 steps (10 JSONL files of 30 documents, two passes), 3 s each
        clock.now += 3
        log.update(done, 20, 30 * done)
    log.close()
    assert capsys.readouterr().err.splitlines() == [
        "cleaning: pass 1, 4 of 10 files, 10 documents/s, about 48 s left",
        "cleaning: pass 1, 8 of 10 files, 10 documents/s, about 36 s left",
        "cleaning: pass 2, 2 of 10 files, 10 documents/s, about 24 s left",
        "cleaning: pass 2, 6 of 10 files, 10 documents/s, about 12 s left",
    ]
    quiet = _LazyBar(quiet=True, clock=clock, terminal=False)
    clock.now += 60
    quiet.update(1, 20, 30)
    assert capsys.readouterr().err == ""


def test_progress_lines_of_a_long_run_say_minutes_left_and_whole_documents_per_second(capsys):
    clock = FakeClock()
    log = _LazyBar(quiet=False, clock=clock, terminal=False)
    clock.now += 12
    log.update(100, 20_000, 2_450)  # 100 files of 24.5 documents in 12 s: 19,900 steps left at 8.3 a second
    assert capsys.readouterr().err.splitlines() == ["cleaning: pass 1, 100 of 10000 files, 204 documents/s, about 40 min left"]


def test_the_pipeline_tells_progress_the_documents_read_and_still_calls_two_argument_callbacks(tmp_path):
    import dedupe

    src = write_tree(tmp_path / "in", {"a.jsonl": "".join(json.dumps({"text": f"{t}\n"}) + "\n" for t in
                                                          ("Alpha beta gamma delta.", "Epsilon zeta eta theta.",
                                                           "Iota kappa lambda mu.")),
                                       "b.txt": ARTICLE})
    seen, old = [], []
    dedupe.clean(src, tmp_path / "o1", jobs=1, progress=lambda done, total, documents: seen.append((done, total, documents)))
    dedupe.clean(src, tmp_path / "o2", jobs=1, progress=lambda done, total: old.append((done, total)))
    assert seen[-1] == (4, 4, 8)  # 2 files, 4 documents, each read by both passes
    assert old == [(done, total) for done, total, _ in seen]


def test_a_file_name_that_is_not_utf8_is_named_and_skipped(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE})
    with open(os.fsencode(src) + b"/caf\xe9.txt", "wb") as f:
        f.write(ARTICLE.encode())
    result = cli("clean", src, tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["error: caf\\xe9.txt: file name is not valid UTF-8; skipped: rename the file"]
    assert summary(tmp_path / "out" / "_report")["failed"] == [
        {"file": "caf\\xe9.txt", "message": "file name is not valid UTF-8; skipped: rename the file"}
    ]
    assert (tmp_path / "out" / "a.txt").is_file()


@pytest.mark.parametrize("own", ["_report/notes.txt", "_report"])
def test_an_input_folder_with_its_own_report_folder_needs_report_elsewhere(cli, tmp_path, own):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, own: ARTICLE})
    result = cli("clean", src, tmp_path / "out")
    assert_refused(
        result,
        f"input folder {src} has a _report of its own, where the report would go; "
        "pass --report DIR to put the report elsewhere",
    )
    assert not (tmp_path / "out").exists()
    result = cli("clean", src, tmp_path / "out", "--report", tmp_path / "rep")
    assert result.exit_code == 0
    assert (tmp_path / "out" / own).is_file()


def test_a_run_interrupted_once_pass_2_has_written_files_stops_as_interrupted(tmp_path):
    """Ctrl-C (or SIGTERM) once pass 2 has written a copy: the run's cleanup took the written files' names for
    the folders it had made, failed on them (AttributeError), and the run exited 3 as an internal error."""
    from dedupe import clean

    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, "b.txt": OTHER})

    def interrupt(done, total):  # Ctrl-C once pass 2 has written a file (steps 3 and 4 of 4)
        if done > total // 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        clean(src, tmp_path / "out", jobs=1, progress=interrupt)
    assert json.loads((tmp_path / "out" / ".dedupe-output.json").read_text())["complete"] is False


def test_an_interrupted_run_can_be_replaced_with_force(cli, tmp_path):
    from dedupe import clean

    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, "b.txt": OTHER})

    def interrupt(done, total):  # Ctrl-C after the first file
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        clean(src, tmp_path / "out", progress=interrupt)
    # no half report under the real names (the empty report folder is gone too)
    assert not (tmp_path / "out" / "_report").exists()
    result = cli("clean", src, tmp_path / "out")
    assert result.exit_code == 2
    result = cli("clean", src, tmp_path / "out", "--force")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".dedupe-output.json", "_report", "a.txt", "b.txt"]


def test_report_in_the_output_folder_itself_is_refused(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE})
    result = cli("clean", src, tmp_path / "out", "--report", tmp_path / "out")
    assert_refused(
        result,
        f"report folder {tmp_path / 'out'} is the output folder; leave out --report "
        "(the report then goes to OUT/_report) or pick another folder",
    )
    assert not (tmp_path / "out").exists()


def test_output_under_a_file_is_refused(cli, tmp_path):
    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE})
    (tmp_path / "file.txt").write_text("x")
    result = cli("clean", src, tmp_path / "file.txt" / "out")
    assert_refused(
        result,
        f"cannot create output folder {tmp_path / 'file.txt' / 'out'}: {tmp_path / 'file.txt'} is a file; pick a folder path",
    )


def test_a_write_failure_mid_run_is_an_error_naming_the_file(cli, tmp_path, monkeypatch):
    from dedupe import cli as cli_module

    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE})

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "out" / "a.txt"))

    monkeypatch.setattr(cli_module, "run_clean", full)
    result = cli("clean", src, tmp_path / "out")
    assert result.exit_code == 3
    assert result.stderr == (f"error: cannot write {tmp_path / 'out' / 'a.txt'}: No space left on device; the run failed: "
                             f"nothing was written to {tmp_path / 'out'}\n")


def test_ctrl_c_says_the_output_is_incomplete(cli, tmp_path, monkeypatch):
    from dedupe import cli as cli_module

    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE})

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "run_clean", interrupted)
    result = cli("clean", src, tmp_path / "out")
    assert result.exit_code == 130
    assert result.stderr == f"interrupted: nothing was written to {tmp_path / 'out'}\n"


def test_the_program_ends_with_the_runs_status_and_all_its_output(cli, tmp_path):
    """`python -m dedupe` (`cli.entry`, which freezes the run's objects before the interpreter ends): its exit
    status is the command's, and what it printed to a pipe is what CliRunner sees."""
    import subprocess
    import sys

    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, "b.txt": OTHER, "b.bin": b"\x00\x01"})
    ran = subprocess.run([sys.executable, "-m", "dedupe", "clean", str(src), str(tmp_path / "out")],
                         capture_output=True, text=True)
    seen = cli("clean", src, tmp_path / "again")
    assert ran.returncode == seen.exit_code == 1  # done, one input unreadable
    assert ran.stdout.replace(str(tmp_path / "out"), str(tmp_path / "again")) == seen.stdout
    assert ran.stdout.count("\n") > 3 and "b.bin" in ran.stderr
    ran = subprocess.run([sys.executable, "-m", "dedupe", "clean", str(tmp_path / "nowhere"), str(tmp_path / "x")],
                         capture_output=True, text=True)
    assert ran.returncode == 2 and "Error: input folder" in ran.stderr and ran.stdout == ""


def test_the_program_ends_at_once_but_runs_the_exit_handlers_and_lets_a_profiler_write(cli, tmp_path):
    """`cli.entry` ends the process without the interpreter's teardown (`_end_now`): the atexit handlers still
    run, in their order, with the status kept; under a profiler (`python -m cProfile -m dedupe`, which writes
    after the program returns) the interpreter ends as usual."""
    import pstats
    import subprocess
    import sys

    src = write_tree(tmp_path / "in", {"a.txt": ARTICLE, "b.txt": OTHER, "b.bin": b"\x00\x01"})
    program = ("import atexit, runpy, sys\n"
               "atexit.register(print, 'second handler', flush=True)\n"
               "atexit.register(print, 'first handler', flush=True)\n"
               "sys.argv = ['dedupe'] + sys.argv[1:]\n"
               "runpy.run_module('dedupe', run_name='__main__')\n")
    ran = subprocess.run([sys.executable, "-c", program, "clean", str(src), str(tmp_path / "out"), "-q"],
                         capture_output=True, text=True)
    assert ran.returncode == 1 and ran.stdout.endswith("first handler\nsecond handler\n"), ran
    ran = subprocess.run([sys.executable, "-c", program, "clean", str(tmp_path / "nowhere"), str(tmp_path / "x")],
                         capture_output=True, text=True)
    assert ran.returncode == 2 and ran.stdout == "first handler\nsecond handler\n"
    profile = tmp_path / "run.prof"
    ran = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "dedupe", "clean", str(src),
                          str(tmp_path / "profiled"), "-q"], capture_output=True, text=True)
    # (cProfile drops the program's status: its own code is 0)
    assert ran.returncode == 0 and "b.bin" in ran.stderr
    assert any(f[2] == "_end_now" for f in pstats.Stats(str(profile)).stats)  # (it ran, and returned)
    # Its summary into a pipe closed at once: the run's status, and no traceback.
    piped = subprocess.Popen([sys.executable, "-m", "dedupe", "clean", str(src), str(tmp_path / "piped")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    piped.stdout.close()
    err = piped.stderr.read().decode()
    assert piped.wait() == 1 and err == "error: b.bin: binary file (it contains NUL bytes); skipped\n", err
