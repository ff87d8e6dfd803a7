"""Write: cleaned copies and report files, each atomically (temporary file, then rename)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: mkstemp makes files readable by their owner only; a cleaned copy gets the usual mode instead.
FILE_MODE = 0o666 & ~_umask()


def atomic_write(path: Path, data: bytes) -> None:
    """Write bytes to path so that a reader sees either the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            os.fchmod(f.fileno(), FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def output_path(dst: Path, rel: str) -> Path:
    """Where the cleaned copy of input file `rel` goes; refuses anything that would leave dst."""
    target = (dst / rel).resolve()
    if not target.is_relative_to(dst.resolve()):
        raise ValueError(f"refusing to write {rel!r} outside the output folder")
    return dst / rel
