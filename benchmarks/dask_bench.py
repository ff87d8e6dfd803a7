"""Dask engine benchmark: throughput per worker count, bytes shipped and shuffled per document, the driver's cost.

    python benchmarks/make_corpus.py /tmp/c20k --docs 20000
    python benchmarks/dask_bench.py /tmp/c20k --workers 1 2          # full clean, per worker count
    python benchmarks/dask_bench.py /tmp/c1m --workers 2 --pass1     # pass 1 + corpus step only
    python benchmarks/dask_bench.py /tmp/c1m --workers 2 --pass1 --include '000*.txt'   # its first 100k
    python benchmarks/dask_bench.py /tmp/c100k --workers 1 2 --shuffle on off --repeat 3   # medians, both ways

Each measurement runs in a fresh process (the driver) against a real
cluster started for it: `dask scheduler` and `dask worker --nworkers N
--nthreads 1` as separate processes, so the driver's peak RSS is the
client's alone, as on a real cluster. Figures:

- docs/s: documents over the wall time of `dedupe.clean` (connecting included,
  cluster start-up not);
- bytes per document that reach the driver: pass 1's results (the
  signatures gathered to the driver), the run state each worker fetches once
  per pass (the corpus step's answers in pass 2), and pass 2's results (the
  removals and diff the driver writes into the report; the workers leave
  them in the run's scratch folder, which the driver reads, rather than send
  them through Dask); pickled sizes. With the shuffle, also what its
  grouping and counting tasks return (candidate pairs, frequent keys: Dask's
  own size estimate of each result);
- the shuffle's bytes per document: every bucket piece the pass-1 tasks
  leave on the workers for the grouping tasks (band keys) and for the
  counting tasks (block keys), by Dask's size estimate; all of it moves in an
  all-to-all, except the pieces a grouping task finds on its own worker. The
  bytes the workers sent (Dask's transfer counter, size estimates: to each
  other, the shuffle and the state copies, and to the driver) are printed
  beside it;
- the driver's peak RSS, and its RSS before the run (interpreter, dedupe,
  distributed), so the difference is what the run itself holds; the
  driver's CPU time per document (process time: its main thread and Dask's
  client threads), and the scheduler's (every task costs it some: the
  shuffle's many small tasks move central work from the driver to it);
- documents per worker CPU second and the load average: on a shared machine
  the wall-clock ratio between worker counts says little when other
  processes hold the cores; CPU time per document does not depend on them.

`--shuffle off` runs the Dask engine as it was before the shuffle (every key
goes to the driver, which groups and counts them itself), to compare.
`--repeat R` measures each (workers, shuffle) R times and prints medians:
the machine is shared and noisy.

`--local` also times `dedupe.clean` with one local process (`jobs=1`, no
engine) in a fresh process, the same way and in each round beside the Dask
runs (which are then timed without counting bytes: that costs their driver
time), and prints what issue 16 compares: one Dask worker's time over the
local process's, per round and their median. Both times hold what a run
costs whatever its size: connecting, sending the state and the shuffles'
round trips for Dask, and the workers' import of dedupe when the first task
arrives (0.45 s of the 0.87 s a run of 200 documents takes on fresh
workers). Neither holds the driver's own imports (`distributed` is imported
before the clock starts). `--warm` has the workers import dedupe first, as
a cluster that has run dedupe before holds it; `--tuned` sets the workers'
allocator as docs/dask.md recommends. `--marginal GLOB` runs each
measurement again on the files GLOB selects and divides the difference in
time by the difference in documents: the cost of one more document, which
is the throughput a long run sees once the fixed costs are paid.

`--pass1` stops after the corpus step: it is the part of the run whose driver
memory grows with the corpus (pass 2 streams the report to disk), and it lets
the driver be measured at sizes a full clean would take hours to reach here.
Runs with different worker counts or shuffle settings must give
byte-identical output; the script checks that and says so.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from distributed.diagnostics.plugin import SchedulerPlugin


def rss_mb() -> float:
    """This process's current resident memory, in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


class Cluster:
    """A scheduler and N single-threaded worker processes, started with Dask's own command-line tools."""

    def __init__(self, workers: int, work: Path, tuned: bool = False):
        bindir = Path(sys.executable).parent
        env = None
        if tuned:  # docs/dask.md's setting, in the workers' Dask configuration as a cluster's admin would put it
            (work / "config").mkdir()
            (work / "config" / "dedupe.yaml").write_text(
                "distributed:\n  nanny:\n    pre-spawn-environ:\n      MALLOC_MMAP_THRESHOLD_: 16777216\n")
            env = {**os.environ, "DASK_CONFIG": str(work / "config")}
        self.file = work / "scheduler.json"
        self.procs = [subprocess.Popen(
            [bindir / "dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", self.file], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        while not self.file.exists():
            time.sleep(0.1)
        time.sleep(0.3)
        self.address = json.loads(self.file.read_text())["address"]
        self.procs.append(subprocess.Popen(
            [bindir / "dask", "worker", "--scheduler-file", self.file, "--nworkers", str(workers), "--nthreads", "1",
             "--no-dashboard", "--memory-limit", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))

    def cpu_seconds(self) -> float:
        """CPU time used so far by the worker processes (nannies and workers), user + system."""
        import psutil

        total = 0.0
        for p in psutil.Process(self.procs[1].pid).children(recursive=True) + [psutil.Process(self.procs[1].pid)]:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    def scheduler_cpu_seconds(self) -> float:
        """CPU time used so far by the scheduler process: the other central process besides the driver."""
        import psutil

        t = psutil.Process(self.procs[0].pid).cpu_times()
        return t.user + t.system

    def close(self):
        for p in reversed(self.procs):
            p.terminate()
            p.wait()


def measure_map(shipped: dict):
    """Wrap DaskEngine.map to count the pickled bytes of each pass's state and results."""
    from dedupe.engine.dask import DaskEngine

    plain = DaskEngine.map

    def map(self, fn, batches, state, stage):
        shipped[f"{stage}_state"] += len(pickle.dumps(state, protocol=5))
        for result in plain(self, fn, batches, state, stage):
            shipped[f"{stage}_results"] += len(pickle.dumps(result, protocol=5))
            yield result

    DaskEngine.map = map


class Sizes(SchedulerPlugin):
    """On the scheduler: Dask's size estimate of every dedupe task result, summed by kind (sign, bucket, pairs...)."""

    name = "dedupe-sizes"

    def __init__(self):
        self.totals: dict[str, int] = {}
        self.scheduler = None

    async def start(self, scheduler):
        self.scheduler = scheduler

    def transition(self, key, start, finish, *args, **kwargs):
        if finish != "memory" or not isinstance(key, str) or not key.startswith("dedupe-") or self.scheduler is None:
            return
        ts = self.scheduler.tasks.get(key)
        kind = key.split("-")[2]
        self.totals[kind] = self.totals.get(kind, 0) + max(getattr(ts, "nbytes", 0) or 0, 0)


def _sizes(dask_scheduler=None) -> dict:
    return dict(dask_scheduler.plugins["dedupe-sizes"].totals)


def _import_pipeline() -> None:
    import dedupe.pipeline  # noqa: F401
    import dedupe.detect.corpus  # noqa: F401


def _sent(dask_worker=None) -> int:
    return dask_worker.transfer_outgoing_bytes_total


def child(args) -> dict:
    """One measurement, in this (fresh) process: the driver."""
    import dedupe
    from dedupe.config import Config
    from distributed import Client

    if args.local:  # one local process, no engine: what one Dask worker is compared with
        start = time.perf_counter()
        run = dedupe.clean(args.corpus, args.out, Config(jobs=1, include=tuple(args.include)))
        seconds = time.perf_counter() - start
        return {"workers": "local", "documents": run.documents, "seconds": round(seconds, 2),
                "docs_per_s": round(run.documents / seconds, 1), "exit_status": run.exit_code}

    from dedupe.engine.dask import DaskEngine

    DaskEngine.shuffle = args.shuffle == "on"
    base = rss_mb()
    work = Path(tempfile.mkdtemp(prefix="dask-bench-"))
    cluster = Cluster(args.workers, work, args.tuned)
    try:
        with Client(cluster.address, set_as_default=False) as c:
            c.wait_for_workers(args.workers, timeout=60)
            if not args.unsized:
                c.register_plugin(Sizes(), name=Sizes.name)
            if args.warm:  # as a cluster that has run dedupe before: its workers hold the modules imported
                c.run(_import_pipeline)
            base = max(base, rss_mb())
            shipped: Counter = Counter()
            if not args.unsized:  # (pickling every result to count its bytes costs the driver time)
                measure_map(shipped)
            config = Config(jobs=args.workers, include=tuple(args.include))
            sent0 = sum(c.run(_sent).values())
            load, cpu0, driver0 = os.getloadavg()[0], cluster.cpu_seconds(), time.process_time()
            scheduler0 = cluster.scheduler_cpu_seconds()
            start = time.perf_counter()
            if args.pass1:
                docs, extra = pass1(args.corpus, cluster.address, shipped, config)
            else:
                run = dedupe.clean(args.corpus, args.out, config, scheduler=cluster.address)
                docs, extra = run.documents, {"exit_status": run.exit_code}
            seconds = time.perf_counter() - start
            worker_cpu, driver_cpu = cluster.cpu_seconds() - cpu0, time.process_time() - driver0
            scheduler_cpu = cluster.scheduler_cpu_seconds() - scheduler0
            load = max(load, os.getloadavg()[0])
            sizes = {} if args.unsized else c.run_on_scheduler(_sizes)
            sent = sum(c.run(_sent).values()) - sent0
    finally:
        cluster.close()
        shutil.rmtree(work, ignore_errors=True)
    # Reaching the driver besides the pickled pass results: the shuffle's grouping and counting results.
    for kind in ("pairs", "counts"):
        if kind in sizes:
            shipped[f"shuffle_{kind}_results"] = sizes[kind]
    per_doc = max(docs, 1)
    return {
        "workers": args.workers, "shuffle": args.shuffle, "sized": not args.unsized, "documents": docs,
        "seconds": round(seconds, 2),
        "docs_per_s": round(docs / seconds, 1), "docs_per_worker_cpu_s": round(docs / max(worker_cpu, 1e-9), 1),
        "worker_cpu_s": round(worker_cpu, 1), "driver_cpu_s": round(driver_cpu, 1),
        "driver_cpu_us_per_doc": round(driver_cpu / per_doc * 1e6, 1), "load_avg_1min": round(load, 1),
        "scheduler_cpu_us_per_doc": round(scheduler_cpu / per_doc * 1e6, 1),
        "driver_rss_before_mb": round(base, 1),
        "driver_peak_mb": round(peak_mb(), 1),
        "bytes_per_doc": {k: round(v / per_doc, 1) for k, v in sorted(shipped.items())},
        "shuffle_bytes_per_doc": {"band_keys": round(sizes.get("bucket", 0) / per_doc, 1),
                                  "block_keys": round(sizes.get("tbucket", 0) / per_doc, 1)},
        "workers_sent_bytes_per_doc": round(sent / per_doc, 1),
        **extra,
    }


def pass1(corpus: Path, address: str, shipped: Counter, config) -> tuple[int, dict]:
    """Pass 1 on the cluster and the corpus step on the driver, as `clean` runs them; no pass 2."""
    from dedupe.detect.corpus import SigTable, build_corpus
    from dedupe.engine.dask import DaskEngine
    from dedupe.pipeline import _batches, _sign_batch
    from dedupe.read import list_inputs
    from dedupe.sign import MinHasher

    engine = DaskEngine.open(address, 0)
    scratch = None
    try:
        files = [f for f in list_inputs(corpus, config) if isinstance(f, str)]
        hashers = (MinHasher(config.num_perm, config.seed), MinHasher(config.block_num_perm, config.seed))
        # Pass 1 leaves its findings for pass 2 in a scratch folder (deleted below: there is no pass 2 here).
        scratch = Path(tempfile.mkdtemp(prefix="dedupe-bench-scratch-"))
        state = {"src": corpus.resolve(), "dst": None, "config": config, "hashers": hashers, "scratch": scratch}
        table = SigTable(config.num_perm)
        t = time.perf_counter()
        for out, _ in engine.map(_sign_batch, _batches(files), state, "sign"):
            for _rel, sigs, _failure in out:
                for sig in sigs:
                    table.add(sig)
        signed = time.perf_counter() - t
        gathered = rss_mb()
        t = time.perf_counter()
        pairs, count_keys = engine.shuffled()  # (None, None) without the shuffle, as in clean()
        result = build_corpus(table, config, pairs, count_keys)
        step = time.perf_counter() - t
        shipped["clean_state"] += len(pickle.dumps(result, protocol=5))
        return len(result.ids), {
            "pass1_seconds": round(signed, 1), "corpus_step_seconds": round(step, 1),
            "driver_rss_after_gather_mb": round(gathered, 1), "corpus_stats": result.stats,
        }
    finally:
        engine.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def tree(out: Path) -> dict[str, bytes]:
    files = {}
    for p in sorted(out.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            if p.name == "summary.json":
                s = json.loads(data)
                for k in ("timings", "engine"):
                    s.pop(k)
                s["output"].pop("folder")
                s["config"].pop("jobs")
                data = json.dumps(s).encode()
            files[p.relative_to(out).as_posix()] = data
    return files


def marginal(full: list[dict], subset: list[dict]) -> list[dict]:
    """Per round, the seconds one more document costs: the difference of two runs over their documents'."""
    return [{"seconds": (f["seconds"] - s["seconds"]) / max(f["documents"] - s["documents"], 1)}
            for f, s in zip(full, subset)]


def compared(what: str, local: list[dict], dask: list[dict]) -> str:
    """One Dask worker's seconds over the local process's, per round (run one after the other) and median."""
    ratios = [d["seconds"] / l["seconds"] for l, d in zip(local, dask)]
    medians = statistics.median(d["seconds"] for d in dask), statistics.median(l["seconds"] for l in local)
    return (f"one Dask worker against one local process, {what}: {statistics.median(ratios):.2f}x the local time "
            f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}; medians {medians[0]:.4g} against {medians[1]:.4g} s)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--shuffle", nargs="+", choices=("on", "off"), default=["on"],
                    help="with the band-key and template-key shuffles (on, the engine's default) or without (off)")
    ap.add_argument("--repeat", type=int, default=1, help="measurements per (workers, shuffle); medians are printed")
    ap.add_argument("--include", action="append", default=[], metavar="GLOB",
                    help="only these files of the corpus (as dedupe's --include), e.g. '000*.txt' for its first 100k")
    ap.add_argument("--pass1", action="store_true", help="pass 1 and the corpus step only (driver memory at scale)")
    ap.add_argument("--local", action="store_true",
                    help="also time one local process (jobs=1) in each round, and compare one Dask worker with it")
    ap.add_argument("--marginal", metavar="GLOB",
                    help="also run each measurement on the files GLOB selects: the cost of one more document")
    ap.add_argument("--unsized", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--tuned", action="store_true",
                    help="the workers' allocator set as docs/dask.md recommends (MALLOC_MMAP_THRESHOLD_)")
    ap.add_argument("--warm", action="store_true",
                    help="the workers import dedupe before the clock starts, as on a cluster that has run it before")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "dedupe-dask-bench")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        args.workers = args.workers[0]
        args.shuffle = args.shuffle[0]
        print(json.dumps(child(args)))
        return 0
    if args.marginal and (args.include or args.pass1):
        ap.error("--marginal selects its own files: not with --include or --pass1")
    results: dict[tuple, list[dict]] = {}
    subsets: dict[tuple, list[dict]] = {}  # --marginal: the same measurements on the files it selects
    outs = []
    runs = [(n, shuffle) for n in args.workers for shuffle in args.shuffle]
    if args.local:
        runs.insert(0, ("local", "-"))
    for r in range(args.repeat):
        for n, shuffle in runs:
            for subset in (False, True) if args.marginal else (False,):
                out = args.work / f"out-{n}-{shuffle}"
                shutil.rmtree(out, ignore_errors=True)
                cmd = [sys.executable, __file__, str(args.corpus), "--child", "--workers", "1" if n == "local" else str(n),
                       "--shuffle", "on" if n == "local" else shuffle, "--out", str(out)]
                if n == "local":
                    cmd.append("--local")
                elif args.local:  # timed as the local run is: without counting bytes
                    cmd.append("--unsized")
                cmd += [flag for flag, on in (("--warm", args.warm), ("--tuned", args.tuned)) if on]
                if args.pass1:
                    cmd.append("--pass1")
                for pattern in [args.marginal] if subset else args.include:
                    cmd += ["--include", pattern]
                proc = subprocess.run(cmd, capture_output=True, text=True)
                if proc.returncode:
                    sys.stderr.write(proc.stderr)
                    return 1
                result = json.loads(proc.stdout.strip().splitlines()[-1])
                (subsets if subset else results).setdefault((n, shuffle), []).append(result)
                print(("subset " if subset else "") + json.dumps(result), flush=True)
                if not args.pass1 and r == 0 and not subset:
                    keep = args.work / f"kept-{n}-{shuffle}"
                    shutil.rmtree(keep, ignore_errors=True)
                    out.rename(keep)
                    outs.append(keep)
    local = results.pop(("local", "-"), None)
    local_subset = subsets.pop(("local", "-"), None)
    print(f"medians of {args.repeat} run(s) each; load average up to "
          f"{max(r['load_avg_1min'] for rs in results.values() for r in rs)} on {os.cpu_count()} cores")
    first = None
    for (n, shuffle), rs in results.items():
        med = {k: statistics.median(r.get(k, 0) for r in rs) for k in
               ("docs_per_s", "docs_per_worker_cpu_s", "driver_peak_mb", "driver_rss_before_mb", "driver_cpu_us_per_doc",
                "scheduler_cpu_us_per_doc", "workers_sent_bytes_per_doc")}
        first = first or med["docs_per_s"]
        if not rs[0]["sized"]:
            print(f"{n} worker(s), shuffle {shuffle}: {med['docs_per_s']} docs/s ({med['docs_per_s'] / first:.2f}x), "
                  f"{med['docs_per_worker_cpu_s']} docs per worker CPU second; driver {med['driver_cpu_us_per_doc']} "
                  f"µs and scheduler {med['scheduler_cpu_us_per_doc']} µs CPU per document (bytes not counted "
                  f"with --local)")
            continue
        shuffled = rs[0]["shuffle_bytes_per_doc"]
        to_driver = sum(v for k, v in rs[0]["bytes_per_doc"].items() if k.startswith("sign_results") or k.startswith("shuffle_"))
        print(f"{n} worker(s), shuffle {shuffle}: {med['docs_per_s']} docs/s ({med['docs_per_s'] / first:.2f}x), "
              f"{med['docs_per_worker_cpu_s']} docs per worker CPU second; driver: peak {med['driver_peak_mb']} MB "
              f"(of which {med['driver_rss_before_mb']} MB before the run), {med['driver_cpu_us_per_doc']} µs CPU per "
              f"document, {to_driver:.0f} bytes per document received in pass 1 and the corpus step; scheduler: "
              f"{med['scheduler_cpu_us_per_doc']} µs CPU per document; shuffle: {shuffled['band_keys']} + "
              f"{shuffled['block_keys']} bytes per document (band keys + block keys); workers sent "
              f"{med['workers_sent_bytes_per_doc']} bytes per document (to each other and to the driver)")
    if local and (1, "on") in results:
        print(compared("end to end", local, results[(1, "on")]))
        if local_subset:
            print(compared("one more document (marginal)", marginal(local, local_subset),
                           marginal(results[(1, "on")], subsets[(1, "on")])))
    if not args.pass1 and len(outs) > 1:
        same = all(tree(o) == tree(outs[0]) for o in outs[1:])
        print("output and report byte-identical across worker counts and shuffle settings"
              + (" and the local process" if local else "") + ":", same)
        if not same:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
