"""Faults: a run killed (SIGKILL), terminated (SIGTERM) or out of disk never leaves a wrong answer behind.

Each run here is a real `dedupe clean` process over a few thousand synthetic
documents, stopped at a point of its run seen from outside (the completion
markers its batches leave in OUT/.dedupe-run); then `--resume` must give the
very output of an uninterrupted run, and `--force` must start over leaving
nothing stale.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import dedupe
from dedupe import pipeline
from dedupe.config import Config

from helpers import mixed_corpus, tree_hashes

DOCS = 2000
JOBS = "2"


def dedupe_cmd(*args) -> list[str]:
    return [sys.executable, "-m", "dedupe", "clean", *map(str, args), "--jobs", JOBS, "-q"]


def run(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(dedupe_cmd(*args), capture_output=True, text=True, env=env, timeout=300)


def comparable(out: Path) -> dict[str, object]:
    """An output tree's files by hash, summary.json without its timings (the one thing a rerun may change) and
    OUT's name (each test writes its own)."""
    files = tree_hashes(out)
    summary = json.loads((out / "_report" / "summary.json").read_text(encoding="utf-8"))
    summary.pop("timings")
    assert summary["output"].pop("folder") == str(out)
    files["_report/summary.json"] = summary
    return files


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return mixed_corpus(tmp_path_factory.mktemp("faults") / "in", DOCS, 5)


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> dict:
    """The output of a run nobody stopped."""
    out = tmp_path_factory.mktemp("reference") / "out"
    done = run(corpus, out)
    assert done.returncode == 0, done.stderr
    return comparable(out)


def stop_at(corpus: Path, out: Path, stage: str, count: int, sig: int, env=None) -> subprocess.CompletedProcess:
    """Start a run, send it `sig` once `count` batches of `stage` ('sign', 'clean') are complete."""
    proc = subprocess.Popen(dedupe_cmd(corpus, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)
    state = out / ".dedupe-run"
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if len(list(state.glob(f"{stage}-*.pickle"))) >= count:
            # The whole group, as a scheduler does: the pool's workers too.
            os.killpg(proc.pid, sig)
            break
        time.sleep(0.002)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode != 0, f"the run ended before {count} '{stage}' batches were complete: make DOCS larger"
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


POINTS = [("sign", 1), ("sign", 6), ("clean", 1), ("clean", 8)]


@pytest.mark.parametrize("stage,count", POINTS, ids=[f"{s}-{c}" for s, c in POINTS])
def test_sigkill_then_resume_gives_the_uninterrupted_output(corpus, reference, tmp_path, stage, count):
    out = tmp_path / "out"
    killed = stop_at(corpus, out, stage, count, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    marker = json.loads((out / ".dedupe-output.json").read_text())
    assert marker["complete"] is False and not (out / "_report" / "summary.json").exists()  # nothing claims success
    resumed = run(corpus, out, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert comparable(out) == reference


@pytest.mark.parametrize("stage,count", POINTS[1:3], ids=[f"{s}-{c}" for s, c in POINTS[1:3]])
def test_sigkill_then_force_starts_over_and_leaves_nothing_stale(corpus, reference, tmp_path, stage, count):
    out = tmp_path / "out"
    stop_at(corpus, out, stage, count, signal.SIGKILL)
    refused = run(corpus, out)
    assert refused.returncode == 2 and "use --force" in refused.stderr
    again = run(corpus, out, "--force")
    assert again.returncode == 0, again.stderr
    assert comparable(out) == reference  # not a file more: no copy, temporary file or state left from before


def test_force_after_a_kill_removes_the_copies_it_had_written_even_with_fewer_inputs(corpus, tmp_path):
    out = tmp_path / "out"
    stop_at(corpus, out, "clean", 4, signal.SIGKILL)
    written = [p for p in out.rglob("*.txt") if ".dedupe-run" not in p.parts]
    assert written  # pass 2 had written copies: the marker does not list them yet
    fewer = tmp_path / "fewer"
    (fewer / "one").mkdir(parents=True)
    (fewer / "one" / "a.txt").write_text("A single short document about nothing in particular at all.\n")
    again = run(fewer, out, "--force")
    assert again.returncode == 0, again.stderr
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert [p for p in left if not p.startswith("_report/")] == [".dedupe-output.json", "one/a.txt"]


def test_sigterm_says_so_exits_143_leaves_no_scratch_and_resumes(corpus, reference, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    out = tmp_path / "out"
    stopped = stop_at(corpus, out, "clean", 2, signal.SIGTERM, env)
    assert stopped.returncode == 143, stopped.stderr
    assert stopped.stderr.splitlines()[-1] == (
        f"terminated (SIGTERM): {out} is incomplete: run again with --resume to finish it, or with --force to "
        f"start over")
    assert "Traceback" not in stopped.stderr  # neither the main process nor a pool worker printed one
    assert list(scratch.iterdir()) == []
    assert not (out / "_report").exists()  # no half report, no temporary file: the folder it made went too
    resumed = run(corpus, out, "--resume", env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert comparable(out) == reference
    assert not (out / ".dedupe-run").exists() and json.loads((out / ".dedupe-output.json").read_text())["complete"]


def test_a_resume_redoes_only_the_batches_that_were_not_complete(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    stop_at(corpus, out, "clean", 3, signal.SIGKILL)
    signed = len(list((out / ".dedupe-run").glob("sign-*.pickle")))
    cleaned = len(list((out / ".dedupe-run").glob("clean-*.pickle")))
    batches = len(json.loads((out / ".dedupe-run" / "run.json").read_text())["batches"])
    calls = {"sign": 0, "clean": 0}
    sign, clean = pipeline._sign_batch, pipeline._clean_batch

    def counted(stage, fn):
        def call(batch):
            calls[stage] += 1
            return fn(batch)
        return call

    monkeypatch.setattr(pipeline, "_sign_batch", counted("sign", sign))
    monkeypatch.setattr(pipeline, "_clean_batch", counted("clean", clean))
    run_report = dedupe.clean(corpus, out, Config(jobs=1), resume=True)  # in this process: the calls are seen
    assert run_report.exit_code == 0
    assert calls == {"sign": batches - signed, "clean": run_report_batches(batches) - cleaned}


def run_report_batches(batches: int) -> int:
    """Pass 2 runs one batch per pass-1 batch that has a readable file (every batch, in this corpus)."""
    return batches


def test_a_resume_with_other_settings_or_changed_inputs_is_refused_naming_them(corpus, tmp_path):
    import shutil

    src = tmp_path / "in"
    shutil.copytree(corpus, src)
    out = tmp_path / "out"
    stop_at(src, out, "clean", 1, signal.SIGKILL)
    other = run(src, out, "--resume", "--near-threshold", "0.9")
    assert other.returncode == 2
    assert ("--resume refused: the interrupted run differs: other settings (near_threshold 0.8 -> 0.9); use the "
            "same ones; or use --force to start over") in other.stderr
    # A build whose batch files have another layout (same version: a development build) does not read them.
    state = out / ".dedupe-run" / "run.json"
    saved = state.read_bytes()
    state.write_text(json.dumps({**json.loads(saved), "state": 1}))
    older = run(src, out, "--resume")
    assert older.returncode == 2
    assert "its batch files have another layout (1, this build writes " in older.stderr
    state.write_bytes(saved)
    (src / "samples" / "001_5a2a2c05d5ea1b06.txt").write_text("changed\n") if (
        src / "samples" / "001_5a2a2c05d5ea1b06.txt").exists() else None
    first = sorted((src / "samples").iterdir())[0]
    with open(first, "a") as f:
        f.write("one more line\n")
    changed = run(src, out, "--resume")
    assert changed.returncode == 2
    assert f"the input files changed since (samples/{first.name} modified)" in changed.stderr
    assert (out / ".dedupe-run" / "run.json").is_file()  # a refused resume keeps the state for the right one


def test_the_inputs_fingerprint_is_each_files_os_stat(tmp_path):
    """A resume compares the inputs' sizes and times with the run's: stat'ed in the core, they are `os.stat`'s
    (symlinks followed; -1s for a file that is gone, a dangling link, a name with undecodable bytes missing)."""
    from dedupe.resume import fingerprint

    src = tmp_path / "in"
    (src / "sub dir").mkdir(parents=True)
    (src / "sub dir" / "été.txt").write_text("a\n", encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    os.utime(src / "empty.txt", ns=(1, -1_500_000_001))  # before 1970, nanoseconds and all
    os.symlink("empty.txt", src / "link")
    os.symlink("gone", src / "dangling")
    files = ["empty.txt", "link", "dangling", "missing.txt", "sub dir/été.txt", "x\udcff.txt", "empty.txt"]

    def plain(rel: str) -> list:
        try:
            st = os.stat(os.path.join(src, rel))
        except OSError:
            return [rel, -1, -1]
        return [rel, st.st_size, st.st_mtime_ns]

    assert fingerprint(src, files) == [plain(rel) for rel in files]
    assert fingerprint(src, files)[0][2] == -1_500_000_001 and fingerprint(src, []) == []


def test_resume_needs_an_interrupted_run(corpus, tmp_path, cli):
    from helpers import SAMPLES

    out = tmp_path / "out"
    assert cli("clean", SAMPLES, out, "-q").exit_code == 0
    result = cli("clean", SAMPLES, out, "--resume")
    assert result.exit_code == 2
    assert f"--resume: {out} holds a finished run: nothing to resume" in result.stderr
    result = cli("clean", SAMPLES, out, "--resume", "--force")
    assert result.exit_code == 2 and "--resume cannot be used with --force" in result.stderr


# --- out of disk ----------------------------------------------------------------------------------------


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 1 MB tmpfs: needs root (mount) on Linux."""
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root on Linux; run the suite as root (as CI does) to test a full disk")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}): a full disk is not tested")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_exits_3_and_nothing_claims_success(corpus, small_tmpfs):
    out = small_tmpfs / "out"
    failed = run(corpus, out)
    assert failed.returncode == 3, failed.stderr
    last = failed.stderr.splitlines()[-1]
    assert "No space left on device; the run failed:" in last and "--resume" in last
    assert "Traceback" not in failed.stderr
    assert not (out / "_report" / "summary.json").exists()
    marker = json.loads((out / ".dedupe-output.json").read_text())
    assert marker["complete"] is False


def test_the_outputs_a_killed_run_names_are_every_file_pass_2_may_write():
    # `_outputs` (sorted, then made distinct) against its definition: the set of `_may_write` of every input,
    # sorted. Names of every format, compressed or not, in and out of order, and inputs whose copies share a
    # name (a.html and a.txt both write a.txt; a .warc file names its JSONL copy and itself).
    import random

    gen = random.Random(20)
    stems = ["a", "b/c", "b/d", "site_0001/00000001", "z"]
    suffixes = [".txt", ".html", ".htm", ".jsonl", ".json", ".warc", ".warc.gz", ".wet", ".txt.gz", ".md", ""]
    for annotate in (False, True):
        config = Config(annotate=annotate)
        for _ in range(300):
            rels = [gen.choice(stems) + gen.choice(suffixes) for _ in range(gen.randrange(0, 12))]
            if gen.random() < 0.5:
                rels.sort()
            expected = sorted({out for rel in rels for out in pipeline._may_write(rel, config)})
            assert pipeline._outputs(rels, config) == expected, rels
