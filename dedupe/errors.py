"""Typed exceptions: the library raises these, the CLI turns them into messages and exit codes."""
from __future__ import annotations


class DedupeError(Exception):
    """Base class of every error dedupe raises on purpose."""


class ConfigError(DedupeError):
    """A configuration value or option is wrong; nothing has been written."""


class UsageError(DedupeError):
    """The paths given cannot be used as they are (OUT inside IN, OUT not empty...)."""


class InputError(DedupeError):
    """One input file cannot be read; the run goes on without it."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class CoreError(Exception):
    """The compiled core failed on a batch (a bug, caught at its boundary); its files are retried one by one."""
