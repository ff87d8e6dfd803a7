"""What the main process of `dedupe clean` holds per document, by the line that allocated it (tracemalloc).

    python benchmarks/main_memory.py IN [--jobs 2] [--top 12] [--id-field id]

Runs the clean in this process (OUT in a temporary folder), traces the Python
heap of this process only (a pool worker stops tracing as it starts), and
prints, at three moments, what is held divided by the documents read: when pass
1 has ended (the corpus table, names), when pass 2 has ended (the report's
counts, the corpus step's answers), and inside `RunReport.finish` (summary.json
and the review page), each with its largest allocation sites, and the
peak between them; then the peak inside each stage of the corpus step (where
the run's peak falls), traced and resident (tracemalloc counts what was asked
for: a block of the corpus table (`corpus._Blocks`) counts whole although only
its written pages are resident). Numpy arrays are traced too (numpy reports its buffers
to tracemalloc); pyarrow's memory pool is not.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import tracemalloc
from pathlib import Path


def resident(field: str = "VmRSS:") -> int:
    """This process's resident memory (VmRSS) in bytes; with "VmHWM:" its peak since the last reset, which
    reading VmRSS does (writing 5 to /proc/self/clear_refs): every page, numpy's and pyarrow's too."""
    with open("/proc/self/status") as f:
        value = next(int(line.split()[1]) * 1024 for line in f if line.startswith(field))
    if field == "VmRSS:":
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    return value


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--id-field", default=None)
    args = ap.parse_args(argv)

    from dedupe import pipeline
    from dedupe.report import RunReport

    moments: list[tuple[str, tracemalloc.Snapshot | None, int, int]] = []
    docs = {"n": 0}

    stages: dict[str, tuple[int, int, int, int]] = {}  # corpus step stage -> (traced, its peak, VmRSS, VmHWM)
    folded = {"peak": 0}  # the peak since the last moment, across the stages' resets

    def snap(name: str, snapshot: bool = True) -> None:
        """What is held now, its largest sites, and the peak since the moment before."""
        current, peak = tracemalloc.get_traced_memory()
        moments.append((name, tracemalloc.take_snapshot() if snapshot else None, current, max(peak, folded["peak"])))
        folded["peak"] = 0
        tracemalloc.reset_peak()

    def staged(name: str, fn):
        """fn, its peak recorded (a stage of the corpus step: where inside it the peak falls)."""
        def run(*a, **k):
            current, peak = tracemalloc.get_traced_memory()
            folded["peak"] = max(folded["peak"], peak)
            tracemalloc.reset_peak()
            rss = resident()
            try:
                return fn(*a, **k)
            finally:
                top = tracemalloc.get_traced_memory()[1]
                folded["peak"] = max(folded["peak"], top)
                stages[name] = (current, top, rss, resident("VmHWM:"))
        return run

    from dedupe.detect import corpus as corpus_step
    from dedupe import against

    for name in ("candidate_pairs", "confirm_pairs", "cluster", "derived_copies", "frequent_keys"):
        setattr(corpus_step, name, staged(name, getattr(corpus_step, name)))
    against.save_signatures = pipeline.save_signatures = staged("save_signatures", against.save_signatures)

    worker_init = pipeline._init_pool_worker

    def init_untraced(state):
        tracemalloc.stop()  # a forked worker's heap is not the main process's
        worker_init(state)

    build = pipeline.build_corpus

    def build_traced(table, *a, **k):
        docs["n"] = len(table.ids)
        snap("pass 1 done (before the corpus step)")
        try:
            return build(table, *a, **k)
        finally:
            snap("corpus step done", snapshot=False)

    summary = RunReport.summary

    def summary_traced(self, *a, **k):
        snap("pass 2 done (before summary.json)")
        return summary(self, *a, **k)

    from dedupe.report import html

    render = html.render_report

    def render_traced(*a, **k):
        snap("in finish (summary written, before the page)")
        try:
            return render(*a, **k)
        finally:
            snap("the page written", snapshot=False)

    pipeline._init_pool_worker, pipeline.build_corpus, RunReport.summary = init_untraced, build_traced, summary_traced
    sys.modules["dedupe.report"].render_report = render_traced
    out = Path(tempfile.mkdtemp(prefix="dedupe-main-memory-"))
    settings = {"jobs": args.jobs}
    if args.id_field:
        settings["id_field"] = args.id_field
    tracemalloc.start(1)
    try:
        pipeline.clean(args.src, out / "out", **settings)
        peak = tracemalloc.get_traced_memory()[1]  # since the page was written
    finally:
        tracemalloc.stop()
        shutil.rmtree(out, ignore_errors=True)
    n = max(docs["n"], 1)
    for name, snapshot, current, since in moments:
        print(f"\n{name}: {current / 1e6:.1f} MB traced, {current / n:.0f} bytes a document ({n} documents); "
              f"peak since the moment before {since / 1e6:.1f} MB ({since / n:.0f} bytes a document)")
        for stat in (snapshot.statistics("lineno") if snapshot else [])[: args.top]:
            frame = stat.traceback[0]
            print(f"  {stat.size / n:8.0f} B/doc  {stat.size / 1e6:8.1f} MB  {stat.count:9d} blocks  "
                  f"{Path(frame.filename).name}:{frame.lineno}")
    print(f"\nafter the page: peak {peak / 1e6:.1f} MB ({peak / n:.0f} bytes a document)")
    print("\ninside the corpus step, per stage: traced as it began and its traced peak; resident (VmRSS) as it "
          "began and its resident peak (VmHWM, reset as it began)")
    for name, (held, top, rss, hwm) in stages.items():
        print(f"  {name:16s} traced {held / 1e6:7.1f} MB -> peak {top / 1e6:7.1f} MB ({top / n:.0f} B/doc); "
              f"resident {rss / 1e6:7.1f} MB -> peak {hwm / 1e6:7.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
