"""Benchmark `dedupe clean` on a synthetic corpus against a plain datasketch MinHashLSH baseline.

    python benchmarks/run.py --docs 10000            # generate (once) and run
    python benchmarks/run.py --corpus /tmp/bc10k     # an existing corpus (its .truth.json beside it)
    python benchmarks/run.py --docs 10000 --runs 3   # three runs in turn, and their medians

Prints, for the whole `dedupe clean` run (reading, every detector, cleaned
copies, report): documents/s, MB/s, wall time, peak memory (the largest single
process, and the sum over the process tree sampled every 0.2 s), the corpus
step's bytes per document, and duplicate-document precision and recall
against the generator's ground truth; then the same precision/recall and the
detection-only throughput of a plain datasketch MinHashLSH script (batch
updates, xxhash, one core) on the same corpus, and the ratio of the two
throughputs.

Both sides read the corpus from a warm page cache: each reads every file once, untimed, just before its timer
starts (`warm`; `--cold` leaves that out). On this project's machines a file read again a few seconds after its
last read costs several times more (docs/core.md, "A corpus read warm"), and without it the clean, run first,
read the corpus cold while the baseline read it right after the clean had.

Precision and recall are per removed document: a removal is right when the
document and the one it names as kept are copies of the same article;
recall is over every copy beyond the first of each article.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def tree_rss(pid: int) -> int:
    """Resident memory in bytes of a process and all its descendants (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total


def watch(proc: subprocess.Popen, probe, every: float = 0.2) -> tuple[list, object]:
    """Wait for proc, sampling probe(pid) (a tuple of figures) every `every` s: the largest value of each, and
    proc's resource use (`os.wait4`'s).

    Returns as soon as proc ends: the sampler's sleep is cut short then (it slept its whole 0.2 s before, which
    added 0 to 0.2 s to every timed run, 0.1 on average: the 10k run's wall times came in steps of 0.2 s)."""
    peak: list = []
    ended = threading.Event()

    def sample():
        # (not proc.poll(): a poll that reaps the child would leave wait4 below without it)
        while not ended.is_set():
            now = probe(proc.pid)
            peak[:] = [max(a, b) for a, b in zip(peak, now)] if peak else list(now)
            ended.wait(every)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    # This child's own resource use (its peak RSS counts the children it waited for): RUSAGE_CHILDREN's peak is
    # the largest of every child this process ever waited for, an earlier run's or the baseline's included. (Its
    # peak also counts this process's RSS when it was started, which Linux keeps across the exec: keep it small.)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    ended.set()
    t.join()
    return (peak or [0] * len(probe(proc.pid))), usage


def file_system(path: Path) -> str:
    """The file system a path lies on, as /proc/mounts names it ('tmpfs', 'ext4 /dev/vda'), and a warning
    where its figures mean something else than dedupe's work."""
    path = path.resolve()
    best, fs = "", "unknown"
    try:
        with open("/proc/mounts") as f:
            for line in f:
                dev, point, kind = line.split()[:3]
                if path.is_relative_to(point) and len(point) > len(best):
                    best, fs = point, kind if kind == "tmpfs" else f"{kind} {dev}"
    except OSError:
        return fs
    name = os.path.basename(os.path.realpath(fs.split()[-1]))  # /dev/mapper/x -> dm-0, as jbd2 names it
    if fs.startswith("ext4 ") and not any(Path("/proc/fs/jbd2").glob(f"{name}-*")):
        # ext4 without a journal skips inodes freed in the last 60-300 s when it makes a file (ialloc.c's
        # recently_deleted): right after a previous OUT was deleted, each new file costs about 1 ms of kernel time.
        fs += " (no journal: files deleted in the last 5 minutes slow every file made now; see benchmarks/README.md)"
    return fs


def warm(corpus: Path) -> int:
    """Read every file under corpus once (what a timed side then reads comes from a warm page cache); bytes read."""
    buffer, total = bytearray(1 << 20), 0
    for folder, _, names in os.walk(corpus):
        for name in names:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                while n := os.readv(fd, [buffer]):
                    total += n
            finally:
                os.close(fd)
    return total


def run_clean(corpus: Path, out: Path, extra: list[str], cold: bool = False) -> dict:
    """Run the dedupe CLI as a child process; wall time and memory. The corpus is read once first, untimed,
    unless `cold`."""
    # A fresh OUT, as a first run has: replacing a previous output (--force) adds deleting every old file.
    shutil.rmtree(out, ignore_errors=True)
    if not cold:
        warm(corpus)
    cmd = [sys.executable, "-m", "dedupe", "clean", str(corpus), str(out), "-q", *extra]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    peak, usage = watch(proc, lambda pid: (tree_rss(pid),))
    code = proc.returncode
    wall = time.perf_counter() - start
    if code not in (0, 1):
        raise SystemExit(f"dedupe clean failed with exit status {code}: {' '.join(cmd)}")
    # The child's rusage from wait4: its peak RSS is the largest of it and the workers it waited for (in KB on
    # Linux), its CPU theirs together.
    largest = usage.ru_maxrss * 1024
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall": wall, "cpu": cpu, "peak_tree_rss": peak[0], "peak_process_rss": largest}


def truth_clusters(truth: dict) -> dict[str, int]:
    return {doc: i for i, cluster in enumerate(truth["clusters"]) for doc in cluster}


def score(pairs: list[tuple[str, str]], truth: dict) -> dict:
    """Precision and recall of (removed, kept) document pairs against the true clusters."""
    of = truth_clusters(truth)
    expected = sum(max(len(c) - 1, 0) for c in truth["clusters"])  # a cluster cut off by --baseline-seconds may be empty
    right = sum(1 for a, b in pairs if a in of and of.get(a) == of.get(b))
    return {
        "removed": len(pairs),
        "right": right,
        "expected": expected,
        "precision": right / len(pairs) if pairs else 1.0,
        "recall": right / expected if expected else 1.0,
    }


def dedupe_pairs(report: Path) -> list[tuple[str, str]]:
    out = []
    with open(report / "removals.jsonl", encoding="utf-8") as f:
        for line in f:
            if '"duplicate-document"' in line:
                r = json.loads(line)
                if r["category"] == "duplicate-document":
                    out.append((r["file"], r["duplicate_of"]["file"]))
    return out


def baseline(corpus: Path, threshold: float, num_perm: int, shingle: int, limit: float | None,
             cold: bool = False) -> dict:
    """The plain script: per document read, shingle, MinHash (batch update, xxhash), query, insert. The corpus
    is read once first, untimed, unless `cold` (as `run_clean` does)."""
    import re

    import xxhash
    from datasketch import MinHash, MinHashLSH

    files = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file())
    word = re.compile(r"\w+")
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    pairs = []
    if not cold:
        warm(corpus)
    start, cpu = time.perf_counter(), time.process_time()
    done = 0
    for rel in files:
        tokens = word.findall((corpus / rel).read_text(encoding="utf-8").lower())
        grams = [" ".join(tokens[i : i + shingle]).encode() for i in range(max(1, len(tokens) - shingle + 1))]
        m = MinHash(num_perm=num_perm, hashfunc=xxhash.xxh32_intdigest)
        m.update_batch(grams)
        hits = lsh.query(m)
        if hits:
            pairs.append((rel, min(hits)))
        else:
            lsh.insert(rel, m)
        done += 1
        if limit and time.perf_counter() - start > limit:
            break
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"docs": done, "wall": wall, "cpu": cpu, "docs_per_s": done / wall, "pairs": pairs}


def baseline_apart(corpus: Path, threshold: float, num_perm: int, shingle: int, limit: float | None,
                   cold: bool = False) -> dict:
    """`baseline` in a child process of its own, its figures read back.

    Run here, its index and MinHashes stayed in this process, and the next clean's child took this process's
    high-water RSS with it (Linux keeps a process's peak across the exec that starts the child, and
    `RUSAGE_CHILDREN` reports the largest child ever waited for): with --runs, every clean after the first
    showed 124-128 MB as its largest process where the first showed 73."""
    cmd = [sys.executable, __file__, "--baseline-json", json.dumps([str(corpus), threshold, num_perm, shingle, limit, cold])]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def main(argv=None) -> int:
    if argv is None and sys.argv[1:2] == ["--baseline-json"]:  # (the child `baseline_apart` starts)
        corpus, threshold, num_perm, shingle, limit, cold = json.loads(sys.argv[2])
        print(json.dumps(baseline(Path(corpus), threshold, num_perm, shingle, limit, cold)))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10000, help="corpus size to generate (ignored with --corpus)")
    ap.add_argument("--corpus", type=Path, help="an existing corpus made by make_corpus.py")
    ap.add_argument("--work", type=Path, default=Path("/tmp/dedupe-bench"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--baseline-seconds", type=float, default=None,
                    help="stop the baseline after this many seconds (its throughput is still measured; "
                         "its precision/recall then cover only the documents it saw)")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--runs", type=int, default=1,
                    help="run the clean and then the baseline this many times in turn, and print the medians (the "
                         "ratio's median is of each run's ratio: a clean against the baseline run just after it)")
    ap.add_argument("--cold", action="store_true",
                    help="do not read the corpus once, untimed, before each side (each then reads it as the "
                         "previous side left it: the clean after the baseline's run, the baseline just after the "
                         "clean's)")
    ap.add_argument("dedupe_args", nargs="*", help="extra arguments for dedupe clean (after --)")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    corpus = args.corpus or args.work / f"corpus{args.docs}"
    if not corpus.exists():
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), str(corpus), "--docs", str(args.docs),
                        "--seed", str(args.seed)], check=True)
    truth = json.loads(Path(str(corpus).rstrip("/") + ".truth.json").read_text())
    n, size = truth["docs"], truth["bytes"]
    out = args.work / (corpus.name + "-out")
    print(f"corpus {corpus}: {n} documents, {size / 1e6:.1f} MB, {len(truth['clusters'])} articles with copies, "
          f"{sum(len(c) - 1 for c in truth['clusters'])} copies")
    print("each side reads the corpus as the other left it (--cold)" if args.cold else
          "the corpus read once, untimed, just before each side (a warm page cache for both; --cold to leave out)")
    runs = []
    for k in range(args.runs):
        if args.runs > 1:
            print(f"run {k + 1} of {args.runs}")
        runs.append(one_run(corpus, out, truth, args))
    if args.runs > 1:
        print_medians(runs)
    return 0


def one_run(corpus: Path, out: Path, truth: dict, args) -> dict:
    """One clean, then (unless --no-baseline) the baseline on the same corpus; prints both, returns the figures."""
    n, size = truth["docs"], truth["bytes"]
    r = run_clean(corpus, out, args.dedupe_args, args.cold)
    summary = json.loads((out / "_report" / "summary.json").read_text())
    s = score(dedupe_pairs(out / "_report"), truth)
    c = summary.get("corpus", {})
    corpus_bytes = sum(c.get("bytes", {}).values())
    print(f"OUT {out} on {file_system(out)}")
    print(f"dedupe clean: {r['wall']:.1f} s, {n / r['wall']:.0f} docs/s, {size / 1e6 / r['wall']:.2f} MB/s, "
          f"peak memory {r['peak_process_rss'] / 2**20:.0f} MB (largest process), "
          f"{r['peak_tree_rss'] / 2**20:.0f} MB (process tree, sampled); "
          f"CPU {r['cpu']:.1f} s, {r['cpu'] * 1e6 / n:.0f} µs/document over all its processes")
    print(f"  corpus step: {corpus_bytes / max(n, 1):.0f} bytes/document held ({c.get('bytes')}), "
          f"{c.get('candidate_pairs')} candidate pairs, {c.get('confirmed_pairs')} confirmed, "
          f"{summary['timings'].get('corpus', 0):.2f} s")
    print(f"  stage seconds (summed over workers): {summary['timings']}")
    print(f"  duplicates: precision {s['precision']:.4f}, recall {s['recall']:.4f} "
          f"({s['right']} right of {s['removed']} removed, {s['expected']} expected)")
    cats = summary["removed"]["by_category"]
    print("  removed: " + ", ".join(f"{k} {v['count']}" for k, v in cats.items()))
    figures = {"docs_per_s": n / r["wall"], "cpu_us": r["cpu"] * 1e6 / n, "precision": s["precision"],
               "recall": s["recall"], "largest_mb": r["peak_process_rss"] / 2**20}
    if args.no_baseline:
        return figures
    b = baseline_apart(corpus, summary["config"]["doc_threshold"], summary["config"]["num_perm"],
                       summary["config"]["doc_shingle_size"], args.baseline_seconds, args.cold)
    seen = truth
    if b["docs"] < n:
        files = set(sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file())[: b["docs"]])
        seen = {"clusters": [[d for d in cl if d in files] for cl in truth["clusters"]]}
    bs = score(b["pairs"], seen)
    print(f"baseline datasketch MinHashLSH (detection only, 1 core): {b['docs']} docs in {b['wall']:.1f} s, "
          f"{b['docs_per_s']:.0f} docs/s; precision {bs['precision']:.4f}, recall {bs['recall']:.4f}")
    print(f"  baseline CPU {b['cpu']:.1f} s, {b['cpu'] * 1e6 / b['docs']:.0f} µs/document")
    ratio = (n / r["wall"]) / b["docs_per_s"]
    print(f"ratio: dedupe clean throughput / baseline detection throughput = {ratio:.2f}x "
          f"(CPU per document: dedupe {r['cpu'] / n / (b['cpu'] / b['docs']):.2f}x the baseline's)")
    return {**figures, "baseline_docs_per_s": b["docs_per_s"], "ratio": ratio}


def print_medians(runs: list[dict]) -> None:
    """The median and range of each figure over the runs (the ratio's: of each run's own ratio)."""
    def line(key: str, fmt: str, unit: str = "") -> str:
        values = sorted(r[key] for r in runs)
        return f"{format(statistics.median(values), fmt)}{unit} ({format(values[0], fmt)}-{format(values[-1], fmt)})"

    print(f"median of {len(runs)} runs (range): dedupe clean {line('docs_per_s', '.0f', ' docs/s')}, "
          f"CPU {line('cpu_us', '.0f', ' µs/document')}, largest process {line('largest_mb', '.0f', ' MB')}; "
          f"duplicates precision {line('precision', '.4f')}, recall {line('recall', '.4f')}")
    if "ratio" in runs[0]:
        print(f"  baseline {line('baseline_docs_per_s', '.0f', ' docs/s')}; ratio {line('ratio', '.2f', 'x')}")


if __name__ == "__main__":
    sys.exit(main())
