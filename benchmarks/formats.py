"""The same documents as a .txt tree, JSONL shards, JSON arrays, Parquet files, an Arrow dataset folder and WET
files: the same removals and duplicate clusters in all (names aside), and each one's throughput and peak memory.

    python benchmarks/formats.py --docs 20000 [--jobs 2] [--shard-docs 400] [--row-group 100] [--work DIR]
    python benchmarks/formats.py --corpus TREE ...      # an existing make_corpus.py tree
    python benchmarks/formats.py --docs 100000 --runs 3 --only txt jsonl parquet arrow --work /work/tmp-fmt

With --runs N the layouts are run in turn N times (txt, jsonl, ..., txt, jsonl, ...), so that a slower
minute of a shared machine falls on every layout alike, and each layout's median is printed with its
ratio to the first layout's median (the .txt tree's).

Each record is {"id": the .txt file's relative path, "url": https://SITE.example/NAME, "text": its text}:
records are named by --id-field id, and the URL's host stands for the site
folder a .txt file's source is, so every detector sees the same corpus. The
records keep the tree's sorted order across shards, so "the first by path"
is the same document in every layout. A WET shard (`shard-N.warc.wet.gz`, a
gzip member a record, as Common Crawl's) holds the same records as conversion
records: the .txt path as its WARC-Record-ID (a name, as the JSONL id is) and
the URL as its WARC-Target-URI. Needs pyarrow.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The flags each layout is cleaned with (records named by their id: the .txt file's path).
FLAGS = {"txt": [], "jsonl": ["--id-field", "id"], "json": ["--id-field", "id"], "parquet": ["--id-field", "id"],
         "arrow": ["--id-field", "id"], "wet": []}
#: The record layouts `make_layouts` writes.
LAYOUTS = ("jsonl", "json", "parquet", "arrow", "wet")


def tree_records(tree: Path) -> list[dict]:
    """One record per .txt file under tree, in sorted path order."""
    out = []
    for path in sorted(p for p in tree.rglob("*.txt") if p.is_file()):
        rel = path.relative_to(tree).as_posix()
        site, _, name = rel.partition("/")
        out.append({"id": rel, "url": f"https://{site}.example/{name}", "text": path.read_text(encoding="utf-8")})
    return out


def make_layouts(tree: Path, work: Path, shard_docs: int = 400, row_group: int = 100) -> dict[str, Path]:
    """The tree's documents in every record layout under work; {layout: its folder}, the tree itself as 'txt'."""
    import pyarrow as pa
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    recs = tree_records(tree)
    shards = [recs[i : i + shard_docs] for i in range(0, len(recs), shard_docs)]
    folders = {name: work / name for name in LAYOUTS}
    for folder in folders.values():
        folder.mkdir(parents=True)
    names = []
    for n, shard in enumerate(shards):
        stem = f"shard-{n:05d}"
        with open(folders["jsonl"] / f"{stem}.jsonl", "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in shard)
        (folders["json"] / f"{stem}.json").write_text(json.dumps(shard, ensure_ascii=False, indent=1), encoding="utf-8")
        table = pa.Table.from_pylist(shard)
        pq.write_table(table, folders["parquet"] / f"{stem}.parquet", compression="zstd", row_group_size=row_group)
        name = f"data-{n:05d}-of-{len(shards):05d}.arrow"
        names.append(name)
        with ipc.new_stream(folders["arrow"] / name, table.schema) as w:  # as datasets' save_to_disk writes
            w.write_table(table, max_chunksize=row_group)
        (folders["wet"] / f"{stem}.warc.wet.gz").write_bytes(wet_file(shard))
    (folders["arrow"] / "state.json").write_text(json.dumps({"_data_files": [{"filename": n} for n in names]}, indent=2))
    (folders["arrow"] / "dataset_info.json").write_text(json.dumps({"features": {}}, indent=2))
    return {"txt": tree, **folders}


def wet_file(recs: list[dict]) -> bytes:
    """Records as a WET file compressed a gzip member a record, as Common Crawl writes them: a warcinfo record,
    then a conversion record of text/plain each (its WARC-Record-ID the record's id)."""
    import gzip

    from dedupe.formats.warc import digest_of

    def record(kind: str, block: bytes, headers: list[tuple[str, str]]) -> bytes:
        lines = [("WARC-Type", kind), *headers, ("WARC-Date", "2024-03-01T12:00:00Z"),
                 ("WARC-Block-Digest", digest_of(block)), ("Content-Length", str(len(block)))]
        head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in lines) + "\r\n"
        return gzip.compress(head.encode("utf-8") + block + b"\r\n\r\n", 6, mtime=0)

    out = [record("warcinfo", b"software: dedupe benchmarks/formats.py\r\n",
                  [("WARC-Record-ID", "<urn:dedupe:warcinfo>"), ("Content-Type", "application/warc-fields")])]
    for r in recs:
        out.append(record("conversion", r["text"].encode("utf-8"), [
            ("WARC-Target-URI", r["url"]), ("WARC-Record-ID", f"<{r['id']}>"), ("Content-Type", "text/plain")]))
    return b"".join(out)


def _name(file: str) -> str:
    """A report name without its shard: the .txt path a record stands for."""
    return file.split("#", 1)[1] if "#" in file else file


def removal_set(out: Path) -> set[tuple]:
    """Every removal of a run as (document, lines, category, what it duplicates, text), shard names taken off."""
    found = set()
    with open(out / "_report" / "removals.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            dup = r["duplicate_of"]
            found.add((_name(r["file"]), tuple(r["lines"]), r["category"],
                       _name(dup["file"]) if dup else None, r["text"]))
    return found


def cluster_set(out: Path) -> set[tuple]:
    """Every duplicate cluster of a run as (kept or first document, its members and their similarity), shard
    names taken off."""
    with open(out / "_report" / "summary.json", encoding="utf-8") as f:
        clusters = json.load(f)["duplicate_clusters"]
    return {(_name(c.get("kept") or c.get("first") or ""),
             tuple(sorted((_name(m["file"]), m["similarity"]) for m in c["members"]))) for c in clusters}


def measure(folder: Path, out: Path, flags: list[str], jobs: int) -> dict:
    """Wall time and the largest process's peak memory of one `dedupe clean` (in a wrapper of its own)."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "dedupe", "clean", str(folder), str(out), "-q", "--jobs", str(jobs), *flags]
    # ru_maxrss of RUSAGE_CHILDREN grows over a process's life: each run is measured from a wrapper of its own.
    wrapper = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"dedupe clean failed ({done.returncode}): {done.stderr}")
    return {"wall": wall, "peak_mb": int(done.stdout.split()[-1]) / 1024}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--corpus", type=Path, help="an existing make_corpus.py tree (else one is made)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--shard-docs", type=int, default=400)
    ap.add_argument("--row-group", type=int, default=100)
    ap.add_argument("--work", type=Path, help="where the layouts and outputs go (default: a temporary folder)")
    ap.add_argument("--only", nargs="*", default=list(FLAGS), help="layouts to run")
    ap.add_argument("--runs", type=int, default=1, help="runs of each layout, in turn (medians printed)")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="dedupe-formats-"))
    tree = args.corpus
    if tree is None:
        tree = work / "tree"
        sys.path.insert(0, str(Path(__file__).parent))
        import make_corpus

        make_corpus.main([str(tree), "--docs", str(args.docs), "--seed", str(args.seed)])
    if (work / "layouts").is_dir():  # made by an earlier run in this work folder (same --shard-docs, --row-group)
        layouts = {"txt": tree, **{name: work / "layouts" / name for name in LAYOUTS}}
    else:
        layouts = make_layouts(tree, work / "layouts", args.shard_docs, args.row_group)
    docs = len(tree_records(tree))
    base = None
    walls: dict[str, list[float]] = {name: [] for name in args.only}
    peaks: dict[str, list[float]] = {name: [] for name in args.only}
    for turn in range(args.runs):
        for name in args.only:
            out = work / f"out-{name}"
            r = measure(layouts[name], out, FLAGS[name], args.jobs)
            walls[name].append(r["wall"])
            peaks[name].append(r["peak_mb"])
            found = removal_set(out), cluster_set(out)
            base = base if base is not None else found
            same = (f"same removals and clusters as {args.only[0]}" if found == base else
                    f"DIFFERENT removals ({len(found[0] ^ base[0])}) or clusters ({len(found[1] ^ base[1])})")
            print(f"run {turn + 1} {name:8s} {docs / r['wall']:7.0f} docs/s  {r['wall']:6.1f} s  peak "
                  f"{r['peak_mb']:6.0f} MB (largest process)  {len(found[0])} removals, "
                  f"{sum(1 for x in found[0] if x[2] == 'duplicate-document')} duplicate documents, "
                  f"{len(found[1])} clusters; {same}", flush=True)
    if args.runs > 1:
        median = {name: statistics.median(w) for name, w in walls.items()}
        first = median[args.only[0]]
        for name in args.only:
            rates = sorted(docs / w for w in walls[name])
            print(f"median of {args.runs} {name:8s} {docs / median[name]:7.0f} docs/s ({rates[0]:.0f}-{rates[-1]:.0f}), "
                  f"{first / median[name]:.2f}x {args.only[0]}'s; peak {max(peaks[name]):.0f} MB", flush=True)
    print(f"work folder: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
