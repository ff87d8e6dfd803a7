"""Exit statuses, decided here alone: what each one means, and which one a run's outcome or error gets.

The CLI exits with `of_run(run)` after a run and `of_error(e)` when one
stopped it; `--help`, the README and the Makefile say what `HELP` says.
"""
from __future__ import annotations

import signal
from contextlib import contextmanager

from .errors import ConfigError, Terminated, UsageError

DONE = 0
#: Done, but some inputs could not be read (each is named on stderr and in summary.json).
SOME_UNREADABLE = 1
#: Usage or configuration error: nothing was written.
USAGE = 2
#: The run failed (internal error, disk full, cluster lost): OUT is marked incomplete.
FAILED = 3
#: 128 + the signal's number, as shells report a process a signal ended.
INTERRUPTED = 128 + signal.SIGINT
TERMINATED = 128 + signal.SIGTERM

HELP = (
    "Exit status: 0 done; 1 done, but some inputs could not be read; 2 usage or configuration error, "
    "nothing written; 3 the run failed (internal error, disk full, cluster lost), OUT is marked incomplete; "
    "130 / 143 interrupted (SIGINT / SIGTERM). After 3, 130 or 143, --resume finishes the run and --force "
    "starts it over."
)


def of_run(run) -> int:
    """The status of a run that finished: whether every input could be read."""
    return SOME_UNREADABLE if run.failed else DONE


def of_error(error: BaseException) -> int:
    """The status of a run that an error or a signal stopped."""
    if isinstance(error, Terminated):
        return TERMINATED
    if isinstance(error, KeyboardInterrupt):
        return INTERRUPTED
    if isinstance(error, (ConfigError, UsageError)):
        return USAGE
    return FAILED


@contextmanager
def sigterm_as_interrupt():
    """SIGTERM raises `Terminated` in the main thread, so that a run stops as on Ctrl-C: its cleanup runs.

    Outside the main thread (a library caller's worker thread) signals cannot be caught: nothing changes.
    """
    def stop(signum, frame):
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
