"""CPU µs per document of the repeat detectors on a corpus's first N .txt documents (whole pages).

    PYTHONPATH=/path/to/tree python benchmarks/repeats.py /dev/shm/bench10k/corpus10000 3000

The documents are segmented and signed in batches of 256, as pass 1 does, then every document's repeats are
found five times over (best of 5 printed): through `repeats_batch` where the tree has it (one core call per
batch), else `find_repeats` per document (the trees before the core ran them). Run two trees in turn, under
the same load, to compare them.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from dedupe.config import Config
from dedupe.segment import segment_batch
from dedupe.sign import sign_texts
from dedupe.detect import repeats

corpus, n = Path(sys.argv[1]), int(sys.argv[2])
files = sorted(p for p in corpus.rglob("*.txt"))[:n]
texts = [p.read_text(encoding="utf-8") for p in files]
config = Config()
batches = []
for s in range(0, len(texts), 256):
    blocks = segment_batch(texts[s:s + 256])
    batches.append((blocks, sign_texts(blocks, config.shingle_size)))
batched = hasattr(repeats, "repeats_batch")
best = []
for _ in range(5):
    t = time.process_time()
    found = 0
    for blocks, signed in batches:
        ids = [f"d{i}" for i in range(len(blocks))]
        if hasattr(repeats, "findings_of"):  # (the core's answer, then the findings made of it)
            out = [repeats.findings_of(i, b, r) for i, b, r in
                   zip(ids, blocks, repeats.repeats_batch(blocks, signed, config, [True] * len(blocks)))]
        elif batched:
            out = repeats.repeats_batch(ids, blocks, signed, config, [True] * len(blocks))
        else:
            out = [repeats.find_repeats(i, b, s.sigs, config, True) for i, b, s in zip(ids, blocks, signed)]
        found += sum(map(len, out))
    best.append((time.process_time() - t) * 1e6 / len(texts))
print(f"{repeats.__file__}: {len(texts)} docs, {found} findings, CPU µs/doc per run: "
      + ", ".join(f"{b:.1f}" for b in best) + f"; min {min(best):.1f}")
