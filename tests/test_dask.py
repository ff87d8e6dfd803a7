"""The same `clean` on a Dask cluster: byte-identical to the local run, even when a worker dies.

The tests start LocalClusters of two worker processes (one thread each, as a
real cluster's workers would be separate processes) and point `dedupe.clean`
or the CLI at them, then compare every output and report file with a local
run. The corpus is the five samples plus a seeded synthetic corpus with
syndicated copies and site templates (benchmarks/make_corpus.py), so the
corpus step has duplicates and template text to agree on.
"""
from __future__ import annotations

import contextlib
import json
import os
import warnings
from pathlib import Path

import pytest
from helpers import mixed_corpus
from click.testing import CliRunner

distributed = pytest.importorskip("distributed", reason="the Dask engine needs the dask extra: pip install -e '.[dask]'")
import dask  # noqa: E402
from distributed import Client, LocalCluster, WorkerPlugin  # noqa: E402

import dedupe  # noqa: E402
from dedupe import cli  # noqa: E402
from dedupe.config import Config  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@contextlib.contextmanager
def two_worker_cluster():
    """A LocalCluster of two worker processes, one thread each, closed without failing the test on a slow host.

    A nanny waits a fixed 5 s for its worker process to exit when the cluster
    closes (not configurable). After a test has killed a worker, its
    replacement may still be starting, and on a loaded host the join outlasts
    those 5 s: `close` raises TimeoutError although every assertion passed.
    How the cluster shuts down is not what these tests check, so that timeout
    becomes a visible warning; the nanny has already sent SIGKILL by then.
    """
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    try:
        yield cluster
    finally:
        try:
            cluster.close(timeout=120)
        except TimeoutError as e:  # asyncio.TimeoutError is TimeoutError on 3.11
            warnings.warn(f"the test's LocalCluster did not close in time ({e!r}); its workers were killed", stacklevel=3)


class KillOnce(WorkerPlugin):
    """Kills the worker process (no cleanup, as the OOM killer would) when it starts a task of `stage`.

    `marker` is a file both workers see: the first worker to start such a task
    creates it and dies; every later attempt finds it and runs normally.
    """

    def __init__(self, stage: str, marker: str):
        self.stage = stage
        self.marker = marker

    def transition(self, key, start, finish, **kwargs):
        name = key if isinstance(key, str) else str(key)
        if finish != "executing" or f"-{self.stage}-" not in name or name.endswith("-state"):
            return
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(fd, name.encode())
        os.close(fd)
        os._exit(1)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Samples plus 300 synthetic news pages over 10 sites, 15% of them edited copies."""
    return mixed_corpus(tmp_path_factory.mktemp("corpus") / "in", 300, 11)


@pytest.fixture(scope="module")
def local_run(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    run = dedupe.clean(corpus, out, Config(jobs=1))
    assert run.exit_code == 0
    return out


@pytest.fixture(scope="module")
def cluster():
    with two_worker_cluster() as c:
        yield c


def tree(out: Path) -> dict[str, bytes]:
    """Every file under out, by relative path; summary.json without what may differ (timings, engine, folder)."""
    files = {}
    for p in sorted(out.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if p.name == "summary.json":
            summary = json.loads(data)
            summary.pop("timings")
            summary.pop("engine")
            summary["output"].pop("folder")
            data = json.dumps(summary, indent=2).encode()
        files[p.relative_to(out).as_posix()] = data
    return files


def engine_of(out: Path) -> dict:
    return json.loads((out / "_report" / "summary.json").read_text())["engine"]


def test_the_corpus_gives_the_corpus_step_something_to_agree_on(local_run):
    summary = json.loads((local_run / "_report" / "summary.json").read_text())
    assert summary["removed"]["documents"] >= 20
    assert summary["removed"]["by_category"]["corpus-repeat"]["count"] >= 100
    assert engine_of(local_run) == {"name": "local", "workers": 1}
    assert (local_run / "web" / "flood.txt").is_file() and (local_run / "web" / "records.jsonl.gz").is_file()


def test_two_dask_workers_write_the_local_output_and_report_byte_for_byte(corpus, local_run, cluster, tmp_path):
    out = tmp_path / "out"
    run = dedupe.clean(corpus, out, Config(jobs=1), scheduler=cluster.scheduler_address)
    assert run.exit_code == 0
    assert tree(out) == tree(local_run)
    assert engine_of(out) == {"name": "dask", "scheduler": cluster.scheduler_address, "workers": 2}
    assert not (out / ".dedupe-staging").exists()


def test_scheduler_local_with_one_worker_writes_the_local_output_byte_for_byte(corpus, local_run, tmp_path):
    # One worker runs every batch (the corpus makes several) in turn: same output as two, and as the pool.
    run = dedupe.clean(corpus, tmp_path / "out", Config(jobs=1), scheduler="local")
    assert run.exit_code == 0
    assert tree(tmp_path / "out") == tree(local_run)
    assert engine_of(tmp_path / "out") == {"name": "dask", "scheduler": "local", "workers": 1}


def test_annotate_keep_none_and_against_on_dask_write_the_local_output(corpus, cluster, tmp_path):
    earlier = tmp_path / "earlier"
    dedupe.clean(SAMPLES, earlier, Config(jobs=1))
    config = Config(jobs=1, annotate=True, keep="none")
    local = dedupe.clean(corpus, tmp_path / "local", config, against=[earlier])
    run = dedupe.clean(corpus, tmp_path / "dask", config, against=[earlier], scheduler=cluster.scheduler_address)
    assert run.exit_code == local.exit_code == 0
    got, want = tree(tmp_path / "dask"), tree(tmp_path / "local")
    assert got == want
    assert len([rel for rel in got if rel.endswith(".dedupe.json")]) >= 300  # the annotations were moved into OUT
    assert json.loads(got["samples/000_4cdd96cd85059c34.txt.dedupe.json"])["run"] == str(earlier)


def test_a_worker_killed_while_signing_is_replaced_and_the_output_is_still_identical(
    corpus, local_run, cluster, tmp_path
):
    marker = tmp_path / "killed"
    with Client(cluster, set_as_default=False) as client:
        client.register_plugin(KillOnce("sign", str(marker)), name="kill-once")
        try:
            run = dedupe.clean(corpus, tmp_path / "out", Config(jobs=1), scheduler=cluster.scheduler_address)
        finally:
            client.unregister_worker_plugin("kill-once")
    assert marker.read_text().split("-")[2] == "sign"  # a worker did die, in pass 1
    assert run.exit_code == 0
    assert tree(tmp_path / "out") == tree(local_run)


def test_a_failure_retries_cannot_fix_exits_3_and_leaves_out_as_it_was(corpus, tmp_path):
    # No worker death allowed: the first one is final, as a task that kills every worker it meets would be.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with two_worker_cluster() as c:
            with Client(c, set_as_default=False) as client:
                # Pass 2: the other worker has written cleaned copies by the time this one dies.
                client.register_plugin(KillOnce("clean", str(tmp_path / "killed")), name="kill-once")
                result = CliRunner().invoke(
                    cli.main, ["clean", str(corpus), str(tmp_path / "out"), "--scheduler", c.scheduler_address, "-q"]
                )
    assert result.exit_code == 3
    last = result.stderr.splitlines()[-1]  # (after any progress lines)
    assert last.startswith("error: the Dask cluster could not finish pass 2 (cleaning and writing) of files ")
    assert "KilledWorker" in result.stderr and "nothing was written to OUT" in result.stderr
    assert not (tmp_path / "out").exists()  # no empty _report/ left to block the next run


def test_scheduler_local_starts_a_local_cluster_of_jobs_workers(tmp_path):
    local = tmp_path / "local"
    dedupe.clean(SAMPLES, local, Config(jobs=2))
    result = CliRunner().invoke(
        cli.main, ["clean", str(SAMPLES), str(tmp_path / "out"), "--scheduler", "local", "--jobs", "2", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "out") == tree(local)
    assert engine_of(tmp_path / "out") == {"name": "dask", "scheduler": "local", "workers": 2}


def _malloc_env() -> dict:
    return {k: v for k, v in os.environ.items() if k.startswith("MALLOC_")}


def test_a_local_cluster_s_workers_take_a_batch_s_arrays_from_the_heap():
    # Dask's nanny fixes glibc's mmap threshold at 128 KB (it sets MALLOC_TRIM_THRESHOLD_); the engine's own
    # LocalCluster raises it for its workers, and keeps the nanny's trimming.
    from dedupe.engine.dask import DaskEngine

    engine = DaskEngine.open("local", 1)
    try:
        (env,) = engine.client.run(_malloc_env).values()
    finally:
        engine.close()
    assert env["MALLOC_MMAP_THRESHOLD_"] == str(16 << 20)
    assert "MALLOC_TRIM_THRESHOLD_" in env


def test_an_unreachable_scheduler_is_a_usage_error_and_nothing_is_written(tmp_path, monkeypatch):
    import dedupe.engine.dask as engine

    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", "1s")
    result = CliRunner().invoke(
        cli.main, ["clean", str(SAMPLES), str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:1"]
    )
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in result.stderr
    assert "use --scheduler local" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_scheduler_that_is_not_an_address_is_refused(tmp_path):
    result = CliRunner().invoke(cli.main, ["clean", str(SAMPLES), str(tmp_path / "out"), "--scheduler", "myhost"])
    assert result.exit_code == 2
    assert "--scheduler 'myhost' is not a scheduler address: use tcp://HOST:PORT, or local" in result.stderr
    assert not (tmp_path / "out").exists()


def test_workers_that_cannot_see_the_input_are_refused_before_anything_is_written(cluster, tmp_path, monkeypatch):
    import dedupe.engine.dask as engine

    # A LocalCluster's workers share this machine; pretend they are elsewhere and see no folder at all.
    monkeypatch.setattr(engine, "_sees_all", lambda folders: [False] * len(folders))
    result = CliRunner().invoke(
        cli.main, ["clean", str(SAMPLES), str(tmp_path / "out"), "--scheduler", cluster.scheduler_address]
    )
    assert result.exit_code == 2
    assert f"cannot see {SAMPLES}" in result.stderr
    assert "IN and OUT must be on a filesystem every worker mounts at the same path" in result.stderr
    assert not (tmp_path / "out").exists()



def test_a_dask_task_runs_its_batch_with_the_run_state_and_the_pool_workers_collector():
    # A Dask worker holds many long-lived objects of its own: the default collector traversed them again and
    # again under each batch's young garbage (a fifth of the worker's CPU time on 10k documents).
    import gc

    from dedupe import pipeline
    from dedupe.engine.dask import _run_batch

    state = {"config": Config()}
    before = gc.get_threshold()
    seen = [_run_batch(lambda batch: (gc.get_threshold(), pipeline._STATE, batch), (n, []), state) for n in (0, 1)]
    assert all(threshold[0] > before[0] for threshold, _, _ in seen)
    assert [(s is state, batch) for _, s, batch in seen] == [(True, (0, [])), (True, (1, []))]
    assert gc.get_threshold() == before


def test_a_spilled_batch_result_crosses_through_the_scratch_folder_once(tmp_path):
    # Pass 2's results go to the driver as a file in the run's scratch folder, not through Dask: the task
    # returns None, the driver reads the result back whole, and the file goes.
    from dedupe.engine.dask import _run_batch, _spilled

    state = {"config": Config(), "scratch": tmp_path}
    result = ([("a.txt", 1, [], "a.txt")], {"write": 0.5}, b"\xff" * 100_000)
    assert _run_batch(lambda batch: result, (7, []), state, spill=True) is None
    assert [p.name for p in tmp_path.iterdir()] == ["result-0000007.pickle"]
    assert _spilled(tmp_path, 7) == result
    assert list(tmp_path.iterdir()) == []
    assert _run_batch(lambda batch: result, (8, []), state) == result  # (pass 1: through Dask, as before)
    assert list(tmp_path.iterdir()) == []


def test_a_lost_scheduler_is_one_line_status_3_and_out_left_as_found(tmp_path):
    """A scheduler of its own process, killed (SIGKILL) once pass 1 has written a batch: the run waits for the
    client's reconnect window (20 s), then says so in one line, with no traceback, and exits 3."""
    import signal
    import subprocess
    import sys
    import time

    dask_cli = Path(sys.executable).parent / "dask"
    if not dask_cli.exists():
        pytest.skip("the `dask` command (dask's CLI) is not installed beside this Python")
    corpus = mixed_corpus(tmp_path / "in", 2000, 13)
    where = tmp_path / "scheduler.json"
    out = tmp_path / "out"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
    scheduler = subprocess.Popen([str(dask_cli), "scheduler", "--port", "0", "--scheduler-file", str(where),
                                  "--dashboard-address", ":0"], **quiet)
    workers = None
    try:
        deadline = time.monotonic() + 60
        while not where.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # (written whole before the scheduler listens? read it once it has settled)
        address = json.loads(where.read_text())["address"]
        workers = subprocess.Popen([str(dask_cli), "worker", address, "--nthreads", "1", "--nworkers", "2",
                                    "--no-dashboard"], **quiet)
        run = subprocess.Popen([sys.executable, "-m", "dedupe", "clean", str(corpus), str(out), "--scheduler", address],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while not list(out.glob(".dedupe-scratch-*/*")) and run.poll() is None:
            time.sleep(0.02)
        assert run.poll() is None, "the run ended before pass 1 had written a batch: make the corpus larger"
        os.killpg(scheduler.pid, signal.SIGKILL)
        stdout, stderr = run.communicate(timeout=180)
    finally:
        for process in (scheduler, workers):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert run.returncode == 3
    said = [line for line in stderr.splitlines() if not line.startswith("cleaning: pass ")]
    assert said == [f"error: lost the Dask scheduler at {address} (the client could not reconnect within 20s); "
                    f"nothing was written to OUT. Restart the scheduler and its workers, then run again"], stderr
    assert not out.exists()


def test_the_drain_waits_for_the_batches_a_worker_may_still_start():
    # A bucket lost with a killed worker is signed again on another: the batch may sit queued on that worker
    # (not running yet) when the run fails and cancels it. Waiting only for the running ones let it start after
    # the scratch folder was deleted (a rare failure of test_shuffle's grouping-failure test under load).
    from types import SimpleNamespace

    from dedupe.engine.dask import _executing

    states = {"dedupe-r-sign-0": "executing", "dedupe-r-sign-1": "ready", "dedupe-r-sign-2": "waiting",
              "dedupe-r-sign-3": "cancelled", "dedupe-r-state": "memory", "dedupe-r-bucket-0-1": "flight",
              "dedupe-r-sign-4": "released"}
    tasks = {key: SimpleNamespace(state=state) for key, state in states.items()}
    worker = SimpleNamespace(state=SimpleNamespace(tasks=tasks))
    assert _executing(worker) == ["dedupe-r-sign-0", "dedupe-r-sign-1", "dedupe-r-sign-2", "dedupe-r-sign-3"]
