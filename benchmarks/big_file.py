"""Peak memory of `dedupe clean` on one large record file: a single JSONL file and a single Parquet file of
the same documents (2.1 GB of JSONL at the default 600k documents), and the same documents as a .txt tree.

    python benchmarks/big_file.py --work /work/tmp-big [--docs 600000] [--jobs 2] [--row-group 1000] [--keep]
    python benchmarks/big_file.py --work /work/tmp-big --only txt jsonl parquet      # (the default)
    python benchmarks/big_file.py --work /work/tmp-big --corpus TREE                 # an existing make_corpus.py tree
    python benchmarks/big_file.py --work /work/tmp-big --corpus TREE --docs 600000   # its first documents by path

Put --work on disk, not on tmpfs (/dev/shm): the input, OUT and the scratch parts there would count against
the same RAM being measured. The synthetic corpus (`make_corpus.py`) is written as a .txt tree, streamed
into one JSONL file and one Parquet file (zstd, --row-group rows a group, written a row group at a time).
The tree is the reference: what the run holds for the same documents as small files (the corpus step's
signatures and the report's counts grow with the documents whatever the layout). Each layout is cleaned
alone (records named by `--id-field id`), and its process tree's memory is
sampled every 0.2 s from /proc: the sum of resident memory (VmRSS) over the `dedupe` process and every
descendant (the pool's workers), which counts a page shared by a forked worker and its parent twice (an
upper bound), and the sum of proportional set sizes (Pss in /proc/PID/smaps_rollup), which splits such a
page between them (what the tree holds of the RAM). The work folder is deleted unless --keep.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import watch  # noqa: E402 - benchmarks/run.py, beside this file


def tree_memory(pid: int) -> tuple[int, int, int]:
    """(sum of VmRSS, sum of Pss, the largest VmRSS) in bytes over a process and all its descendants."""
    rss = pss = largest = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                mine = next((int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:")), 0)
            with open(f"/proc/{p}/smaps_rollup") as f:
                pss += next((int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:")), 0)
            rss += mine
            largest = max(largest, mine)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue  # a worker that just ended
    return rss, pss, largest


def write_files(tree: Path, folder: Path, row_group: int, limit: int | None = None) -> dict[str, Path]:
    """The tree's documents (the first `limit` of them), in sorted path order, as folder/jsonl/all.jsonl and
    folder/parquet/all.parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    paths = {"jsonl": folder / "jsonl" / "all.jsonl", "parquet": folder / "parquet" / "all.parquet"}
    for p in paths.values():
        p.parent.mkdir(parents=True)
    schema = pa.schema([("id", pa.string()), ("url", pa.string()), ("text", pa.string())])
    rows: list[dict] = []
    with open(paths["jsonl"], "w", encoding="utf-8") as jl, pq.ParquetWriter(paths["parquet"], schema,
                                                                           compression="zstd") as pw:
        for path in sorted(p for p in tree.rglob("*.txt") if p.is_file())[:limit]:
            rel = path.relative_to(tree).as_posix()
            site, _, name = rel.partition("/")
            rec = {"id": rel, "url": f"https://{site}.example/{name}", "text": path.read_text(encoding="utf-8")}
            jl.write(json.dumps(rec, ensure_ascii=False) + "\n")
            rows.append(rec)
            if len(rows) == row_group:
                pw.write_table(pa.Table.from_pylist(rows, schema))
                rows = []
        if rows:
            pw.write_table(pa.Table.from_pylist(rows, schema))
    return paths


def tree_from_jsonl(jsonl: Path, tree: Path) -> None:
    """The .txt tree back from the JSONL file (each record's id is its path in the tree)."""
    with open(jsonl, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            path = tree / rec["id"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rec["text"], encoding="utf-8")


def measure(folder: Path, out: Path, jobs: int, flags: list[str]) -> dict:
    """Wall time and peak memory of the process tree of one `dedupe clean folder out`."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "dedupe", "clean", str(folder), str(out), "-q", "--jobs", str(jobs), *flags]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    (rss, pss, largest), usage = watch(proc, tree_memory)
    code = proc.returncode
    wall = time.perf_counter() - start
    if code not in (0, 1):
        raise SystemExit(f"dedupe clean failed with exit status {code}: {' '.join(cmd)}")
    # The kernel's own peak (VmHWM) of the largest process of the tree, exact where the samples can miss a
    # short peak: this child's ru_maxrss from wait4 (the largest of it and the workers it waited for; and of this
    # process's RSS when the child started, which Linux keeps across the exec: a corpus made here counts).
    return {"wall": wall, "rss": rss, "pss": pss, "largest": largest, "hwm": usage.ru_maxrss * 1024}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, required=True, help="a folder on disk (made; deleted at the end)")
    ap.add_argument("--docs", type=int, help="documents made (600000), or with --corpus taken from it (all)")
    ap.add_argument("--corpus", type=Path, help="an existing make_corpus.py tree (a sample of a corpus: its "
                    "clusters and templates cut where the sample ends)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--row-group", type=int, default=1000)
    ap.add_argument("--only", nargs="*", default=["txt", "jsonl", "parquet"])
    ap.add_argument("--keep", action="store_true", help="keep the work folder (files and outputs)")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    files = args.work / "files"
    try:
        if not files.is_dir():
            tree = args.corpus or args.work / "tree"
            if args.corpus is None:
                import make_corpus

                shutil.rmtree(tree, ignore_errors=True)
                make_corpus.main([str(tree), "--docs", str(args.docs or 600000), "--seed", str(args.seed)])
            start = time.perf_counter()
            write_files(tree, files, args.row_group, args.docs if args.corpus is not None else None)
            print(f"files written in {time.perf_counter() - start:.0f} s", flush=True)
            if args.corpus is None:
                tree.rename(files / "txt")
        whole = args.corpus is not None and args.docs is None  # the tree itself is the txt layout
        if whole:
            args.docs = sum(1 for _ in args.corpus.rglob("*.txt"))
        elif "txt" in args.only and not (files / "txt").is_dir():
            tree_from_jsonl(files / "jsonl" / "all.jsonl", files / "txt")
        if args.docs is None:
            args.docs = sum(1 for _ in open(files / "jsonl" / "all.jsonl", "rb"))
        for name in args.only:
            folder = args.corpus if name == "txt" and whole else files / name
            sizes = [p.stat().st_size for p in folder.rglob("*") if p.is_file()]
            what = f"one file of {sizes[0] / 1e9:.2f} GB" if len(sizes) == 1 else f"{len(sizes)} files, {sum(sizes) / 1e9:.2f} GB"
            r = measure(folder, args.work / f"out-{name}", args.jobs, [] if name == "txt" else ["--id-field", "id"])
            print(f"{name:8s} {what}, {args.docs} documents: {r['wall']:6.0f} s "
                  f"({args.docs / r['wall']:.0f} docs/s), peak memory of the process tree: "
                  f"{r['rss'] / 1e6:.0f} MB (sum of RSS), {r['pss'] / 1e6:.0f} MB (sum of PSS); "
                  f"largest process {r['largest'] / 1e6:.0f} MB (sampled), "
                  f"{'?' if r['hwm'] is None else round(r['hwm'] / 1e6)} MB (its VmHWM)", flush=True)
            shutil.rmtree(args.work / f"out-{name}", ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
