"""CPU time per document of the parts of each pass of `dedupe.clean --jobs 1`, without a profiler.

    python benchmarks/parts.py /dev/shm/bench10k/corpus10000 --out /dev/shm/dedupe-parts

Each part is a function of the pipeline wrapped to add its process CPU time to a counter (a few hundred
nanoseconds a call, against cProfile's overhead on every Python call, which inflates the glue). Parts nest: a
pass holds its parts, `finish_document` holds `cut_found`, which holds the core's `decide_finish`. Prefixes:
p1 pass 1, p2 pass 2, "p1+p2" both, main the main process (the rest of `clean`).
"""
from __future__ import annotations

import argparse
import shutil
import time
from collections import Counter
from pathlib import Path

import dedupe.cut as cut
import dedupe.detect as detect
import dedupe.detect.corpus as corpus
import dedupe.formats.text as text
from dedupe import pipeline
from dedupe.config import Config
from dedupe.detect.chrome import LEXICON
from dedupe.report import ReportPart, RunReport

TOTALS: Counter = Counter()


def wrap(owner, name: str, label: str) -> None:
    """Replace owner.name by a wrapper that adds its CPU time to TOTALS[label]."""
    fn = getattr(owner, name)

    def timed(*args, **kwargs):
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            TOTALS[label] += time.process_time() - start

    setattr(owner, name, timed)


PARTS = [
    (pipeline, "_sign_batch", "pass 1"), (pipeline, "_clean_batch", "pass 2"),
    (pipeline, "detect_batch", "p1 detect_batch (every detector)"),
    (detect, "detect_page", "p1 detectors in Python (detect_page)"), (detect, "block_rows", "p1 block_rows"),
    (detect, "block_columns", "p1 block_columns (features, rule matches)"),
    (detect, "chrome_pages", "p1 chrome_pages (classes, kind, chrome)"),
    (detect, "repeats_batch", "p1 repeats_batch"), (pipeline, "segment_batch", "p1 segment_batch"),
    (pipeline, "sign_texts", "p1 sign_texts"), (pipeline, "block_keys", "p1 block_keys"),
    (pipeline, "doc_signatures", "p1 doc_signatures"), (pipeline, "_signing_body", "p1 _signing_body"),
    (pipeline, "body_signatures", "p1 body_signatures (document MinHash)"),
    (pipeline, "_signing_bodies", "p1 _signing_bodies"),
    (pipeline, "removed_blocks", "p1  removed_blocks"), (cut._core, "decide_batch", "p1   core decide_batch"),
    (pipeline, "found_of", "p1 found_of"), (pipeline, "doc_sig", "p1 doc_sig"), (pipeline, "doc_sigs", "p1 doc_sigs"), (pipeline, "doc_columns", "p1 doc_columns"),
    (pipeline, "_pack_analyses", "p1 scratch: packing"),
    (getattr(pipeline, "_Analyzed", None), "packed", "p1 scratch: packing"), (pipeline, "_unpack_analyses", "p2 scratch: unpacking"),
    (pipeline, "_read_unit", "p1+p2 reading"),
    (pipeline, "save", "p1+p2 the run's state files"),
    (pipeline, "finish_document", "p2 finish_document"), (pipeline, "cut_found", "p2  cut_found"),
    *((cut._core, name, f"p1  core {name}") for name in ("segment_batch", "sign_blocks", "minhash_groups",
                                                          "block_keys", "find_repeats", "chrome_batch")),
    (cut._core, "decide_finish", "p2   core decide_finish"), (corpus.Corpus, "templates_of", "p2  templates_of (template findings)"),
    (pipeline, "write_cleaned", "p2 write_cleaned"), (text, "atomic_write", "p2  atomic_write (text files)"),
    (pipeline, "read_text_utf8", "p2  read_text_utf8 (plain files)"), (pipeline, "_plain_claim", "p2  _plain_claim"),
    (pipeline, "_unchanged", "p2   _unchanged"), (pipeline, "_whole_claim", "p2   _whole_claim"),
    (pipeline, "_with_templates", "p2   _with_templates"), (pipeline, "found_args", "p2   found_args"),
    (pipeline, "finish_args", "p2   finish_args"), (pipeline, "cut_batch", "p2  cut_batch"),
    (pipeline, "cut_claimed", "p2  cut_claimed"), (cut._core, "decide_finish_batch", "p2   core decide_finish_batch"),
    (cut._core, "finish_batch", "p2   core finish_batch"), (pipeline, "_cut_plain", "p2 _cut_plain"),
    (pipeline, "_write_plain", "p2 _write_plain"), (pipeline, "write_text_copy", "p2  write_text_copy"),
    (pipeline, "_batch_templates", "p2 _batch_templates"), (pipeline, "_plain_bytes", "p2  _plain_bytes"),
    (corpus.Corpus, "templates_of_columns", "p2  templates_of_columns"),
    (cut._core, "plain_batch", "p2   core plain_batch"), (pipeline, "write_copy_bytes", "p2  write_copy_bytes"),
    (ReportPart, "add_many", "p2  report lines (ReportPart.add_many)"),
    (pipeline, "list_inputs", "main listing"), (pipeline, "build_corpus", "main corpus step"),
    (RunReport, "add", "p2 report lines (RunReport.add, in the worker)"), (RunReport, "merge", "main report lines (merge)"),
    (RunReport, "finish", "main report files and page"),
]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--out", type=Path, default=Path("/dev/shm/dedupe-parts"), help="replaced")
    args = ap.parse_args(argv)
    for owner, name, label in PARTS:
        if hasattr(owner, name):  # (a tree without one of them: that part is not shown)
            wrap(owner, name, label)
    wrap(type(LEXICON), "features", "p1  core features (in block_rows/_columns)")
    shutil.rmtree(args.out, ignore_errors=True)
    start = time.process_time()
    # (listing is a generator: its time shows in the main process's rest)
    report = pipeline.clean(args.corpus, args.out, Config(jobs=1))
    total = time.process_time() - start
    n = max(report.files_read, 1)
    TOTALS["main (all)"] = total - TOTALS["pass 1"] - TOTALS["pass 2"]
    print(f"{n} documents, {total * 1e6 / n:.0f} µs of CPU a document in all")
    for label in sorted(TOTALS, key=lambda k: (k.split()[0], -TOTALS[k])):
        print(f"  {label:42s} {TOTALS[label] * 1e6 / n:7.1f} µs  {100 * TOTALS[label] / total:5.1f}%")
    shutil.rmtree(args.out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
