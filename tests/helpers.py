"""Helpers the tests share: paths of the test data, a tree builder, hashes, report readers."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared"


def write_tree(root: Path, files: dict[str, bytes | str]) -> Path:
    """Create files (relative path -> bytes or UTF-8 text) under root; returns root."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return root


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every regular file under root (symlinks by their target text), by relative path."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                out[rel] = "link:" + os.readlink(path)
            else:
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def removals(report: Path) -> list[dict]:
    """The objects of removals.jsonl in a report folder."""
    text = (report / "removals.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def summary(report: Path) -> dict:
    return json.loads((report / "summary.json").read_text(encoding="utf-8"))




#: The files every run writes to its report folder.
REPORT_FILES = ("allowed.jsonl", "changes.diff", "context.jsonl", "index.html", "removals.jsonl", "summary.json")
