"""The Dask engine: the pipeline's batches as tasks of a `dask.distributed` cluster.

Each batch of files is one task running the very function the local pool runs
(`pipeline._sign_batch` in pass 1, `pipeline._clean_batch` in pass 2). The
run's state (paths, config, MinHash permutations, then the corpus step's
answers) is itself a task, so a worker that dies takes no data the scheduler
cannot make again. Results come back to the driver in batch order, which is
what makes the report byte-identical to a local run.

Failures: a task whose worker dies is rescheduled by Dask (up to
`distributed.scheduler.allowed-failures` deaths, 3 by default); a task that
raises is retried `RETRIES` times. Past that the run stops with `EngineError`,
and pass 2's cleaned copies, written to a staging folder inside OUT, are
deleted: OUT receives cleaned copies, marker and report only once every task
has succeeded.

Inputs and outputs must be on a filesystem every worker sees at the same path
(NFS, Lustre, a bucket mounted with s3fs/gcsfuse...), or be fsspec URLs
(s3://bucket/prefix: `dedupe.fs`) that every worker can open; the engine checks
that every worker sees IN and OUT before it starts.
"""
from __future__ import annotations

import logging
import os
import threading
import time
import uuid
import warnings
from pathlib import Path
from typing import Callable, Iterator

from distributed import Client, LocalCluster, as_completed

from ..errors import UsageError
from ..fs import is_url, make_folder, move_files, remove_tree, visible
from . import EngineError

log = logging.getLogger(__name__)

#: Extra attempts for a task that raises (an NFS hiccup, a full /tmp on one node). Deaths are counted apart.
RETRIES = 2
#: How long to wait for the scheduler to answer, and for its first worker to join.
CONNECT_TIMEOUT = "20s"
WORKER_TIMEOUT = 120
STAGING = ".dedupe-staging"
#: Pass 1's findings, one file per batch, until pass 2 has read them (the pipeline deletes the folder).
SCRATCH = ".dedupe-scratch"
#: After a failure, how long to wait for the run's batches still running elsewhere before deleting the staging.
DRAIN_TIMEOUT = 120

# The pipeline's worker functions read their per-run state from a module global (that is how the process
# pool hands it over); a worker with several threads must not switch it under a running batch.
_STATE_LOCK = threading.Lock()


def _state(state: dict) -> dict:
    """The run's state, as a task: workers fetch it from each other, and the scheduler can recompute it."""
    return state


def _run_batch(fn: Callable, batch: list, state: dict):
    """Run one batch on a worker with the run's state installed (the same call the local pool makes)."""
    from .. import pipeline

    with _STATE_LOCK:
        pipeline._init_worker(state)
        return fn(batch)


class DaskEngine:
    """Runs the pipeline's batches on a Dask cluster: an existing scheduler, or a LocalCluster it starts."""

    name = "dask"

    def __init__(self, client: Client, scheduler: str, cluster: LocalCluster | None = None):
        self.client = client
        self.scheduler = scheduler
        self.cluster = cluster
        self.workers = len(client.scheduler_info()["workers"])
        self.run_id = uuid.uuid4().hex[:8]
        self._stage: Path | None = None
        self._dst: Path | None = None

    @classmethod
    def open(cls, scheduler: str, jobs: int) -> "DaskEngine":
        """Connect to `scheduler` ('local': start a LocalCluster of `jobs` worker processes, one thread each)."""
        if scheduler == "local":
            n = jobs or os.cpu_count() or 1
            # One thread per worker: the stages are Python code holding the GIL, and processes are what scale.
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0")
            return cls(Client(cluster, set_as_default=False), "local", cluster)
        if "://" not in scheduler:
            raise UsageError(f"--scheduler {scheduler!r} is not a scheduler address: use tcp://HOST:PORT, or local")
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as e:
            raise UsageError(
                f"cannot reach the Dask scheduler at {scheduler} ({e}); check the address and that the scheduler "
                f"is running, or use --scheduler local"
            ) from None
        try:
            client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
        except (OSError, TimeoutError):
            client.close()
            raise UsageError(
                f"the Dask scheduler at {scheduler} has no workers (waited {WORKER_TIMEOUT}s); start some with "
                f"`dask worker {scheduler} --nthreads 1`"
            ) from None
        return cls(client, scheduler)

    def check_paths(self, *folders: Path) -> None:
        """Refuse folders the workers cannot see: IN and OUT must be on a filesystem they all share."""
        if self.cluster is not None:
            return  # a LocalCluster's workers share this machine's filesystem
        seen = self.client.run(_sees_all, [str(f) for f in folders])
        for worker, ok in sorted(seen.items()):
            for folder, sees in zip(folders, ok):
                if not sees and is_url(str(folder)):
                    raise UsageError(
                        f"Dask worker {worker} cannot open {folder}; every worker needs fsspec and the URL's "
                        f"package (pip install 'dedupe[remote]' s3fs...), and the same credentials and settings "
                        f"(AWS_*, FSSPEC_* variables) as this machine"
                    )
                if not sees:
                    raise UsageError(
                        f"Dask worker {worker} cannot see {folder}; IN and OUT must be on a filesystem every "
                        f"worker mounts at the same path"
                    )

    def map(self, fn: Callable, batches: list, state: dict, stage: str) -> Iterator:
        """fn(batch) for every batch as Dask tasks; results in batch order, as soon as their turn comes."""
        if not batches:
            return
        with warnings.catch_warnings():
            # The state rides in the graph on purpose (see the module docstring); Dask warns about its size.
            warnings.filterwarnings("ignore", message=".*Large object.*")
            shared = self.client.submit(_state, state, key=f"dedupe-{self.run_id}-{stage}-state", pure=False)
        # Every worker gets a copy first: otherwise the scheduler keeps the batches where the state is (data
        # locality) and the other workers wait for work stealing. Pass 1 ran on one worker of two without this.
        self.client.replicate([shared])  # waits for the state task first
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Large object.*")
            keys = [f"dedupe-{self.run_id}-{stage}-{i}" for i in range(len(batches))]
            futures = self.client.map(_run_batch, [fn] * len(batches), batches, [shared] * len(batches),
                                      key=keys, retries=RETRIES, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        ready: dict[int, object] = {}
        head = 0
        try:
            for future in as_completed(futures, loop=self.client.loop):
                i = index[future.key]
                try:
                    ready[i] = future.result()
                except Exception as e:  # noqa: BLE001 - whatever the task died of, the run cannot be complete
                    raise EngineError(_failure(stage, batches[i], e)) from e
                future.release()
                while head in ready:
                    yield ready.pop(head)
                    head += 1
        finally:
            for future in futures:
                future.cancel()
            shared.cancel()

    def scratch(self, dst: Path) -> Path:
        """Where pass 1 leaves its findings for pass 2: a folder inside OUT, which every worker sees."""
        folder = dst.resolve() / f"{SCRATCH}-{self.run_id}"
        make_folder(folder)
        self.check_paths(folder)
        return folder

    def staging(self, dst: Path) -> Path:
        """Pass 2 writes under OUT/.dedupe-staging; `commit` moves the copies into OUT."""
        self._dst = dst.resolve()
        self._stage = self._dst / STAGING
        remove_tree(self._stage)  # a previous run's driver died before it could clean up
        make_folder(self._stage)
        self.check_paths(self._stage)
        return self._stage

    def commit(self, written: list[str]) -> None:
        """Move the cleaned copies pass 2 reported into OUT, then drop the staging folder and its leftovers."""
        if self._stage is None:
            return
        move_files(self._stage, self._dst, sorted(written))
        self.discard()

    def discard(self) -> None:
        """Delete the staging folder (a killed worker may have left a temporary file there too).

        Cancelling a task does not stop it where it already runs: wait for this
        run's running batches to end first, or they would write into the folder
        again after it is gone.
        """
        if self._stage is None:
            return
        prefix = f"dedupe-{self.run_id}-"
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while time.monotonic() < deadline:
            try:
                running = [k for keys in self.client.run(_executing, on_error="ignore").values() for k in keys if k.startswith(prefix)]
            except OSError:
                break  # the scheduler is gone: so are its tasks
            if not running:
                break
            time.sleep(0.2)
        remove_tree(self._stage)
        self._stage = None

    def describe(self) -> dict:
        """summary.json's engine entry: which engine, where, how many workers."""
        return {"name": self.name, "scheduler": self.scheduler, "workers": self.workers}

    def close(self) -> None:
        """Disconnect; stop the LocalCluster if this engine started it."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _executing(dask_worker=None) -> list[str]:
    """Keys of the tasks a worker is running now (the scheduler forgets a cancelled task before it ends)."""
    return [str(ts.key) for ts in dask_worker.state.executing]


def _sees_all(folders: list[str]) -> list[bool]:
    return [visible(f) for f in folders]


def _failure(stage: str, batch: tuple[int, list], error: Exception) -> str:
    batch = batch[1]  # (number, files)
    first = batch[0][0] if isinstance(batch[0], tuple) else batch[0]
    last = batch[-1][0] if isinstance(batch[-1], tuple) else batch[-1]
    what = {"sign": "pass 1 (reading and signing)", "clean": "pass 2 (cleaning and writing)"}.get(stage, stage)
    return (
        f"the Dask cluster could not finish {what} of files {first} .. {last}: {type(error).__name__}: {error} "
        f"(after {RETRIES} retries and Dask's allowed worker deaths); nothing was written to OUT. "
        f"Check the workers' logs, then run again"
    )
