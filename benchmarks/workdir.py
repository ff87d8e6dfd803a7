"""A benchmark's work folder: the one given (kept afterwards), or a temporary one removed at the end."""
from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def work_folder(given: Path | None, prefix: str) -> Iterator[Path]:
    """`given`, or a new temporary folder named `prefix`... that is deleted once the block ends."""
    if given is not None:
        yield given
        return
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
