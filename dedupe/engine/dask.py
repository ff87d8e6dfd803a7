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

The band-key shuffle. The driver gathers pass 1's DocSigs (it confirms and
clusters candidate pairs on their signatures), but not their band keys: each
pass-1 task also splits its documents' band keys into P buckets by key
(`corpus.band_buckets`), and these stay in the workers' memory. P grouping
tasks each take their bucket from every pass-1 task (an all-to-all shuffle in
the task graph: the bucket pieces are tiny tasks next to the pass-1 task that
made them, so only the grouping tasks move data between workers), sort it and
return its candidate pairs (`corpus.bucket_pairs`); the driver only maps
(batch, position) to pass-1 indices (`corpus.merge_pairs`). A worker lost
during the shuffle costs the recomputation of the pass-1 tasks whose buckets
it held: Dask knows them from the graph.
"""
from __future__ import annotations

import logging
import os
import pickle
import threading
import time
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from distributed import Client, LocalCluster, as_completed
from distributed.comm import CommClosedError

from ..errors import UsageError
from ..fs import is_url, make_folder, move_files, remove_tree, visible
from ..resume import RunState, save
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
#: The stage name of a batch's result left in the scratch folder for the driver (`_run_batch`).
SPILLED = "result"
#: After a failure, how long to wait for the run's batches still running elsewhere before deleting the staging.
DRAIN_TIMEOUT = 120

#: The environment of the workers of a LocalCluster this engine starts. Dask's nanny sets glibc's
#: MALLOC_TRIM_THRESHOLD_ (64 KB) so that freed memory goes back to the system, which also fixes the size
#: above which an allocation is its own mmap at 128 KB: a batch's arrays and byte strings (about 15 MB) were
#: then mapped, faulted in and unmapped again batch after batch, 164,000 page faults and 0.2 s of system
#: time a worker on the 10k corpus. Allocations up to 16 MB now come from the heap, which is still trimmed
#: (64,000-72,000 faults, 0.46-0.50 s of system time against 0.66-0.73). docs/dask.md gives the same
#: setting for a cluster of one's own.
WORKER_ENV = {"MALLOC_MMAP_THRESHOLD_": str(16 << 20)}

# The pipeline's worker functions read their per-run state from a module global (that is how the process
# pool hands it over); a worker with several threads must not switch it under a running batch.
_STATE_LOCK = threading.Lock()


def _state(state: dict) -> dict:
    """The run's state, as a task: workers fetch it from each other, and the scheduler can recompute it."""
    return state


def _run_batch(fn: Callable, batch: list, state: dict, spill: bool = False):
    """Run one batch on a worker with the run's state installed (the same call the local pool makes).

    spill: the result goes to the run's scratch folder, which the driver reads (`_spilled`), and the task
    returns None. Pass 2's results (the report's lines and hunks, 5.4 KB a document on the benchmark corpus)
    then cost a file write rather than Dask's serializing and sending them from the worker's event loop,
    which holds the GIL the next batch needs.
    """
    from .. import pipeline

    with _STATE_LOCK:
        if pipeline._STATE is not state:  # the run's first batch on this worker (the state is one object per worker)
            pipeline._init_worker(state)
        # The collector as the local pool's workers have it: a Dask worker holds far more long-lived objects
        # than a forked pool worker, which the default collector traverses again and again under a batch's
        # young garbage.
        with pipeline._collector_for_batches():
            result = fn(batch)
    if not spill:
        return result
    save(state["scratch"], SPILLED, batch[0], result)
    return None


def _spilled(scratch, number: int):
    """A batch's result that `_run_batch` left in the scratch folder, read once (the file goes)."""
    path = RunState(scratch).path(SPILLED, number)
    result = pickle.loads(path.read_bytes())
    path.unlink()
    return result


def _run_sign_batch(fn: Callable, batch: list, state: dict, parts: int):
    """Pass 1 of one batch, its keys kept apart: (driver's part, band-key buckets, block keys and their owners).

    The driver's part is the result without block keys, the batch's document
    count and its block-key count.
    """
    from .. import pipeline
    from ..detect.corpus import band_buckets

    result = _run_batch(fn, batch, state)
    bare, sigs = pipeline._split_keys(result)
    config = state["config"]
    matrix = np.stack([s.signature for s in sigs]) if sigs else np.empty((0, config.num_perm), np.uint32)
    n_shingles = np.array([s.n_shingles for s in sigs], dtype=np.int64)
    keys = np.concatenate([s.keys for s in sigs]) if sigs else np.empty(0, np.uint64)
    owners = np.repeat(np.arange(len(sigs), dtype=np.uint32), [len(s.keys) for s in sigs])
    return (bare, len(sigs), len(keys)), band_buckets(matrix, n_shingles, config.doc_band_rows, parts), (keys, owners)


def _part(out: tuple, *path: int):
    """out[i][j]... as a task of its own, next to out: the driver or the next task fetches only what it needs."""
    for i in path:
        out = out[i]
    return out


def _group(*pieces: tuple) -> tuple:
    """One bucket from every pass-1 task, grouped by sorting: its candidate pairs as (batch, position) pairs."""
    from ..detect.corpus import bucket_pairs

    return bucket_pairs(list(pieces))


def _key_buckets(blocks: tuple, first: int, source_ids: np.ndarray, dup_pos: np.ndarray, dup_rep: np.ndarray,
                 parts: int) -> list[tuple]:
    """One batch's block keys in `parts` buckets, once the driver has told it its sources and duplicates."""
    from ..detect.corpus import key_buckets

    keys, owners = blocks
    reps = np.arange(first, first + len(source_ids), dtype=np.int64)
    reps[dup_pos] = dup_rep  # a duplicate's keys count for the kept document of its cluster
    return key_buckets(keys, owners, source_ids, reps, parts)


def _count(source_docs: np.ndarray, config, *pieces: tuple) -> tuple:
    """One bucket of block keys from every batch, counted: its frequent keys and their cluster counts."""
    from ..detect.corpus import count_source_keys

    if not pieces:
        return np.empty(0, np.uint64), np.empty(0, np.uint32)
    cols = [np.concatenate(c) for c in zip(*pieces)]
    return count_source_keys(*cols, source_docs, config)


class DaskEngine:
    """Runs the pipeline's batches on a Dask cluster: an existing scheduler, or a LocalCluster it starts."""

    name = "dask"
    #: False: no shuffle, the driver gets every key and groups them itself (as a local run; the benchmark compares).
    shuffle = True

    def __init__(self, client: Client, scheduler: str, cluster: LocalCluster | None = None):
        self.client = client
        self.scheduler = scheduler
        self.cluster = cluster
        self.workers = len(client.scheduler_info()["workers"])
        self.run_id = uuid.uuid4().hex[:8]
        self._stage: Path | None = None
        self._dst: Path | None = None
        #: Set by `map` in pass 1: the grouping tasks, the block keys left on the workers, per batch its
        #: (documents, block keys) counts, and the run's config.
        self._groups: list = []
        self._blocks: list = []
        self._counts: list[tuple[int, int]] = []
        self._config = None
        self.partitions = 0

    @classmethod
    def open(cls, scheduler: str, jobs: int) -> "DaskEngine":
        """Connect to `scheduler` ('local': start a LocalCluster of `jobs` worker processes, one thread each)."""
        if scheduler == "local":
            n = jobs or os.cpu_count() or 1
            # One thread per worker: the stages are Python code holding the GIL, and processes are what scale.
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                                   env=WORKER_ENV)
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

    @contextmanager
    def _guard(self):
        """Any error the client raises once its scheduler is gone becomes one EngineError saying so."""
        try:
            yield
        except EngineError:
            raise
        except Exception as e:  # noqa: BLE001 - whichever call met the loss (a cancelled future, a closed comm)
            if self._lost(e):
                raise self._lost_error() from None
            raise

    def _lost_error(self) -> EngineError:
        return EngineError(
            f"lost the Dask scheduler at {self.scheduler} (the client could not reconnect within {CONNECT_TIMEOUT}); "
            f"nothing was written to OUT. Restart the scheduler and its workers, then run again"
        )

    def _lost(self, error: Exception) -> bool:
        """Whether the scheduler is gone: the client closed after failing to reconnect, or said so."""
        return self.client.status not in ("running", "connecting") or "scheduler-connection-lost" in str(error) \
            or isinstance(error, CommClosedError)

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
        """fn(batch) for every batch as Dask tasks; results in batch order, as soon as their turn comes.

        Pass 1 (stage 'sign') also starts the band-key shuffle; `shuffled` collects its result.
        """
        with _quiet_logs(), self._guard():
            yield from self._map(fn, batches, state, stage)

    def _map(self, fn: Callable, batches: list, state: dict, stage: str) -> Iterator:
        self._cancel_shuffle()
        if not batches:
            return
        parts = 0
        spill = stage == "clean"
        if stage == "sign" and self.shuffle:
            parts = state["config"].shuffle_partitions or self.workers
            self.partitions = parts
        with warnings.catch_warnings():
            # The state rides in the graph on purpose (see the module docstring); Dask warns about its size.
            warnings.filterwarnings("ignore", message=".*Large object.*")
            shared = self.client.submit(_state, state, key=f"dedupe-{self.run_id}-{stage}-state", pure=False)
        # Every worker gets a copy first: otherwise the scheduler keeps the batches where the state is (data
        # locality) and the other workers wait for work stealing. Pass 1 ran on one worker of two without this.
        self.client.replicate([shared])  # waits for the state task first
        n = len(batches)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Large object.*")
            keys = [f"dedupe-{self.run_id}-{stage}-{i}" for i in range(n)]
            if parts:
                self._config = state["config"]
                signed = self.client.map(_run_sign_batch, [fn] * n, batches, [shared] * n, [parts] * n,
                                         key=keys, retries=RETRIES, pure=False)
                futures = self._split(signed, 0, "signed")
                # The shuffle: bucket p of every batch (a piece next to its batch), then one grouping task per bucket.
                pieces = self._buckets(signed, parts, "bucket", 1)
                self._groups = [
                    self.client.submit(_group, *pieces[p], key=f"dedupe-{self.run_id}-pairs-{p}", retries=RETRIES,
                                       pure=False)
                    for p in range(parts)
                ]
                # The block keys wait on the workers until clustering is done (`_count_keys`).
                self._blocks = self._split(signed, 2, "blocks")
                # Held by their dependents from here on: Dask frees each one once nothing needs it.
                for future in signed + [f for piece in pieces for f in piece]:
                    future.release()
                del signed, pieces
            else:
                futures = self.client.map(_run_batch, [fn] * n, batches, [shared] * n, [spill] * n,
                                          key=keys, retries=RETRIES, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        ready: dict[int, object] = {}
        head = 0
        finished = False
        try:
            for future in as_completed(futures, loop=self.client.loop):
                i = index[future.key]
                try:
                    ready[i] = future.result()
                    if spill:
                        ready[i] = _spilled(state["scratch"], batches[i][0])
                except Exception as e:  # noqa: BLE001 - whatever the task died of, the run cannot be complete
                    if self._lost(e):
                        raise self._lost_error() from None
                    raise EngineError(_failure(stage, batches[i], e)) from e
                future.release()
                while head in ready:
                    if parts:
                        result, docs, n_keys = ready.pop(head)
                        self._counts.append((docs, n_keys))
                        yield result
                    else:
                        yield ready.pop(head)
                    head += 1
            finished = True
        finally:
            if finished and parts:
                # Cancelling would cancel the shuffle's tasks too (they depend on it); releasing lets Dask
                # keep the state for as long as a lost bucket may have to be signed again.
                shared.release()
            else:
                for future in futures:
                    future.cancel()
                shared.cancel()
                self._cancel_shuffle()

    def shuffled(self) -> tuple:
        """(candidate pairs, block-key counter) of the last pass 1's shuffles; (None, None) if it ran without."""
        if not self._groups:
            return None, None
        from ..detect.corpus import merge_pairs

        with _quiet_logs(), self._guard():
            found = self._gather(self._groups, "the band-key grouping")
        self._groups = []
        return merge_pairs(found, self._offsets()), self._count_keys

    def _count_keys(self, dup_of: np.ndarray, source_ids: np.ndarray, source_docs: np.ndarray) -> tuple:
        """frequent_keys over the block keys the workers hold: a second shuffle, by source-mixed key."""
        with _quiet_logs(), self._guard():
            return self._count(dup_of, source_ids, source_docs)

    def _count(self, dup_of: np.ndarray, source_ids: np.ndarray, source_docs: np.ndarray) -> tuple:
        from ..detect.corpus import merge_keys

        parts, offsets = self.partitions, self._offsets()
        n_keys = sum(k for _, k in self._counts)
        per_batch = []
        for i, (first, (docs, _)) in enumerate(zip(offsets.tolist(), self._counts)):
            dup = dup_of[first : first + docs]
            pos = np.flatnonzero(dup >= 0)
            # Only what this batch needs: its documents' sources, and its duplicates' kept documents.
            per_batch.append(self.client.submit(
                _key_buckets, self._blocks[i], first, source_ids[first : first + docs].astype(np.int32), pos,
                dup[pos], parts, key=f"dedupe-{self.run_id}-tkeys-{i}", retries=RETRIES, pure=False))
        pieces = self._buckets(per_batch, parts, "tbucket")
        source_docs = np.asarray(source_docs, dtype=np.int64)
        counts = [
            self.client.submit(_count, source_docs, self._config, *pieces[p], key=f"dedupe-{self.run_id}-counts-{p}",
                               retries=RETRIES, pure=False)
            for p in range(parts)
        ]
        for future in per_batch + [f for piece in pieces for f in piece] + self._blocks:
            future.release()
        self._blocks = []
        del per_batch, pieces
        freq_keys, freq_df = merge_keys(self._gather(counts, "the template-key count"))
        self._counts = []
        return freq_keys, freq_df, n_keys

    def _split(self, futures: list, i: int, name: str) -> list:
        """Part i of each task's tuple, as tasks next to them."""
        n = len(futures)
        return self.client.map(_part, futures, [i] * n, pure=False,
                               key=[f"dedupe-{self.run_id}-{name}-{j}" for j in range(n)])

    def _buckets(self, futures: list, parts: int, name: str, *at: int) -> list[list]:
        """Per bucket p, bucket p of every task's buckets (at `at` in its result): what the all-to-all moves."""
        n = len(futures)
        return [
            self.client.map(_part, futures, *([i] * n for i in (*at, p)), pure=False,
                            key=[f"dedupe-{self.run_id}-{name}-{p}-{j}" for j in range(n)])
            for p in range(parts)
        ]

    def _gather(self, futures: list, what: str) -> list:
        """The results of a shuffle's grouping tasks, in bucket order; EngineError if one cannot finish."""
        try:
            found = []
            for p, future in enumerate(futures):
                try:
                    found.append(future.result())
                except Exception as e:  # noqa: BLE001 - as in map: the run cannot be complete
                    if self._lost(e):
                        raise self._lost_error() from None
                    raise EngineError(
                        f"the Dask cluster could not finish {what} (bucket {p} of {len(futures)}): "
                        f"{type(e).__name__}: {e} (after {RETRIES} retries and Dask's allowed worker deaths); nothing "
                        f"was written to OUT. Check the workers' logs, then run again"
                    ) from e
                future.release()
            return found
        except BaseException:
            for future in futures:
                future.cancel()
            self._cancel_shuffle()
            raise

    def _offsets(self) -> np.ndarray:
        """The pass-1 index of each batch's first document."""
        docs = np.array([d for d, _ in self._counts], dtype=np.int64)
        return np.concatenate(([0], np.cumsum(docs)))[:-1]

    def _cancel_shuffle(self) -> None:
        for future in self._groups + self._blocks:
            future.cancel()
        self._groups, self._blocks, self._counts = [], [], []

    def scratch(self, dst: Path) -> Path:
        """Where pass 1 leaves its findings for pass 2: a folder inside OUT, which every worker sees."""
        folder = dst.resolve() / f"{SCRATCH}-{self.run_id}"
        make_folder(folder)
        with _quiet_logs(), self._guard():
            self.check_paths(folder)
        return folder

    def staging(self, dst: Path) -> Path:
        """Pass 2 writes under OUT/.dedupe-staging; `commit` moves the copies into OUT."""
        self._dst = dst.resolve()
        self._stage = self._dst / STAGING
        remove_tree(self._stage)  # a previous run's driver died before it could clean up
        make_folder(self._stage)
        with _quiet_logs(), self._guard():
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

        Cancelling a task does not stop it where it already runs, nor always
        before a worker starts it: wait for this run's batches that run or may
        still start (`_executing`) to end first, or they would write into the
        folder (or pass 1's into the scratch folder, which the pipeline deletes
        next) again after it is gone.
        """
        prefix = f"dedupe-{self.run_id}-"
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while time.monotonic() < deadline:
            try:
                with _quiet_logs():
                    running = [k for keys in self.client.run(_executing, on_error="ignore").values() for k in keys
                               if k.startswith(prefix)]
            except Exception:  # noqa: BLE001 - the scheduler is gone (a closed client, a closed comm): so are its tasks
                break
            if not running:
                break
            time.sleep(0.2)
        if self._stage is not None:
            remove_tree(self._stage)
            self._stage = None

    def describe(self) -> dict:
        """summary.json's engine entry: which engine, where, how many workers."""
        return {"name": self.name, "scheduler": self.scheduler, "workers": self.workers}

    def close(self) -> None:
        """Disconnect; stop the LocalCluster if this engine started it."""
        with _quiet_logs():
            try:
                self._cancel_shuffle()
            except Exception:  # noqa: BLE001 - a lost scheduler: nothing left to cancel, and the run's error is said
                self._groups, self._blocks, self._counts = [], [], []
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


@contextmanager
def _quiet_logs():
    """Dask's own log lines held back for the run: losing the scheduler made its client print two tracebacks
    (a closed comm, a failed reconnect) before dedupe's message; `_lost` says what happened in one line."""
    # Each of Dask's loggers, not just their parent: its configuration sets some levels of their own.
    names = ["distributed"] + [n for n in list(logging.root.manager.loggerDict) if n.startswith("distributed.")]
    loggers = [logging.getLogger(n) for n in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


#: A worker's task states whose code runs or may still start: queued, waiting for its inputs, running, or
#: cancelled (or resumed) while it runs. (A result kept, a transfer, or nothing runs no code of the run's.)
_MAY_RUN = frozenset({"ready", "constrained", "waiting", "executing", "long-running", "cancelled", "resumed"})


def _executing(dask_worker=None) -> list[str]:
    """Keys of the tasks a worker is running now or may still start. The scheduler forgets a cancelled task before
    it ends, and a worker may start a queued task before the cancellation reaches it: a bucket lost with a killed
    worker is signed again, and that batch writes into the scratch folder."""
    return sorted(str(key) for key, ts in dask_worker.state.tasks.items() if ts.state in _MAY_RUN)


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
