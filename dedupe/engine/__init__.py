"""Engines: where the batches of the two passes run.

The pipeline (`dedupe.pipeline.clean`) owns what a run does: pass 1 signs each
batch of files, the corpus step runs in the calling process, pass 2 cleans and
writes each batch. An engine only decides where a batch runs and hands the
results back in batch order, so that the report comes out the same whichever
engine ran it. An engine may also group and count pass 1's band keys and
block keys where they were made (`shuffled`), so that the calling process
never holds them.

- no engine: in this process, or in a local process pool (`--jobs`);
- `DaskEngine` (`dedupe.engine.dask`, `--scheduler tcp://HOST:PORT|local`): as
  tasks of a Dask cluster. Dask is an optional extra; nothing here imports it
  until a scheduler is asked for.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator, Protocol

from ..errors import DedupeError, UsageError


class EngineError(DedupeError):
    """The engine could not finish the run (a task failed after its retries, the cluster went away)."""


class Engine(Protocol):
    """What the pipeline needs from an engine."""

    name: str
    workers: int

    def map(self, fn: Callable, batches: list, state: dict, stage: str) -> Iterator:
        """fn(batch) for every batch, with the pipeline's per-run `state` installed; results in batch order."""

    def scratch(self, dst: Path) -> Path:
        """A new folder every worker can write and read, for pass 1's findings (the pipeline deletes it)."""

    def shuffled(self) -> tuple:
        """If the engine kept pass 1's keys where they were made: (candidate pairs, block-key counter), else (None, None).

        The counter is `build_corpus`'s `count_keys`.
        """

    def staging(self, dst: Path) -> Path:
        """Where pass 2 writes its cleaned copies until `commit` moves them into dst."""

    def check_paths(self, *folders: Path) -> None:
        """Refuse folders the workers cannot see (raises UsageError)."""

    def commit(self, written: list[str]) -> None:
        """Move the staged cleaned copies (relative paths) into place, once every task has succeeded."""

    def discard(self) -> None:
        """Delete the staged copies of a run that did not finish."""

    def describe(self) -> dict:
        """The engine's entry in summary.json."""

    def close(self) -> None:
        """Release the cluster (and stop it if this engine started it)."""


def open_engine(scheduler: str, jobs: int) -> Engine:
    """The engine for `--scheduler`: 'local' starts a LocalCluster of `jobs` workers, else a scheduler address."""
    try:
        from .dask import DaskEngine
    except ImportError as e:
        raise UsageError(
            f"--scheduler needs Dask, which is not installed ({e}); install it with: pip install 'dedupe[dask]'"
        ) from None
    return DaskEngine.open(scheduler, jobs)
