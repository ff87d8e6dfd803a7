"""Peak memory of a run over one large document, as a multiple of the document's size.

    python benchmarks/doc_memory.py --mb 47                  # one line of 47 MB of sentences
    python benchmarks/doc_memory.py --mb 60 --shape repeated # a .gz of 60 MB: 40 paragraphs repeated in order

Writes the document into a fresh folder, then runs `dedupe clean IN OUT --jobs 1 -q` in a child process that
reports its own peak RSS (VmHWM) and its RSS once dedupe is imported (the interpreter and the modules);
prints both and (peak - base) / size. `one-line`: one block of random words in sentences (what segmenting,
word hashes and the chrome rules hold per word); `repeated`: tens of thousands of blocks, nearly all removed as
repeats (what per-block records and the report, which holds the removed text, cost).
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

from workdir import work_folder

#: Run in the child: dedupe's CLI in-process, then its peak RSS and its RSS before the run, in KB. VmHWM, not
#: ru_maxrss: Linux keeps ru_maxrss across exec, so a child of a large process (a test session) starts at its size.
_CHILD = """
import json, sys
from dedupe import cli, pipeline
def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key + ":"))
base = status("VmRSS")
try:
    cli.main(sys.argv[1:])
except SystemExit as e:
    code = e.code
print(json.dumps({"base_kb": base, "peak_kb": status("VmHWM"), "status": code}))
"""


def make_document(folder: Path, mb: float, shape: str, seed: int = 7) -> tuple[Path, int]:
    """One document of about `mb` MB in `folder`: its path and its size once decompressed."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10)))
             for _ in range(20000)]
    size = int(mb * 1_000_000)
    folder.mkdir(parents=True, exist_ok=True)
    if shape == "one-line":
        parts, n = [], 0
        while n < size:
            s = " ".join(rng.choice(vocab) for _ in range(rng.randint(8, 25))).capitalize() + ". "
            parts.append(s)
            n += len(s)
        data = "".join(parts).encode()
        path = folder / "big.txt"
        path.write_bytes(data)
        return path, len(data)
    paras = [" ".join(rng.choice(vocab) for _ in range(rng.randint(20, 80))).capitalize() + "." for _ in range(40)]
    unit = "\n".join(paras) + "\n"
    data = (unit * max(1, size // len(unit))).encode()
    path = folder / "big.txt.gz"
    path.write_bytes(gzip.compress(data, 9))
    return path, len(data)


def measure(src: Path, out: Path, *args: str) -> dict:
    """Run dedupe over src in a child process: its base and peak RSS in KB, and its exit status."""
    shutil.rmtree(out, ignore_errors=True)
    done = subprocess.run([sys.executable, "-c", _CHILD, "clean", str(src), str(out), "--jobs", "1", "-q", *args],
                          capture_output=True, text=True, check=False)
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise SystemExit(f"the run failed:\n{done.stdout}\n{done.stderr}") from None


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=47, help="the document's size once decompressed, in MB")
    ap.add_argument("--shape", choices=("one-line", "repeated"), default="one-line")
    ap.add_argument("--work", type=Path, default=None, help="folder for IN and OUT (default: a temporary one)")
    args = ap.parse_args(argv)
    with work_folder(args.work, "dedupe-docmem-") as work:
        _, size = make_document(work / "in", args.mb, args.shape)
        got = measure(work / "in", work / "out")
    extra = (got["peak_kb"] - got["base_kb"]) * 1024
    print(f"{args.shape}: {size / 1e6:.1f} MB document, status {got['status']}; RSS base "
          f"{got['base_kb'] >> 10} MB, peak {got['peak_kb'] >> 10} MB: {extra / size:.1f} x its size above base")


if __name__ == "__main__":
    main()
