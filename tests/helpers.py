"""Helpers the tests share: paths of the test data, a tree builder, hashes, report readers."""
from __future__ import annotations

import hashlib
import json
import os
from functools import cache
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
REPORT_FILES = ("allowed.jsonl", "changes.diff", "context.jsonl", "index.html", "removals.jsonl", "signatures.json",
                "signatures.npz", "summary.json")


#: Three sentences of an ordinary article, for documents in other formats.
PROSE = (
    "The river rose three metres overnight and flooded the lower town, officials said on Monday morning.",
    "Hundreds of residents were moved to the school gym, where volunteers served soup until late in the evening.",
    "Engineers will inspect the old stone bridge on Tuesday before any traffic is allowed to cross it again.",
)


def synthetic_corpus(root: Path, docs: int, seed: int) -> Path:
    """benchmarks/make_corpus.py's news pages (sites with templates, syndicated copies) under root."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "benchmarks" / "make_corpus.py")
    make_corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_corpus)
    assert make_corpus.main([str(root), "--docs", str(docs), "--seed", str(seed)]) == 0
    return root


def mixed_corpus(root: Path, docs: int, seed: int) -> Path:
    """A synthetic corpus plus the samples, an HTML page (cleaned copy renamed .txt) and gzipped JSONL."""
    import gzip
    import shutil

    synthetic_corpus(root, docs, seed)
    shutil.copytree(SAMPLES, root / "samples")
    body = "".join(f"<p>{p}</p>" for p in PROSE)
    (root / "web").mkdir()
    (root / "web" / "flood.html").write_text(
        f"<html><head><title>Flood</title></head><body><nav>Home | News</nav><article>{body}</article>"
        f"<footer>&copy; 2024 Example Media. All rights reserved.</footer></body></html>", encoding="utf-8")
    records = [{"id": f"r{i}", "text": "\n".join(PROSE[i:] + ("Share on Facebook",)), "n": i} for i in range(3)]
    with gzip.open(root / "web" / "records.jsonl.gz", "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in records)
    return root


def reference_family(text: str, words, n_words: int):
    """The chrome family a block's phrasing matches, by its definition in Python's `re` (the meaning the
    compiled core's `phrases.rs` gives the patterns): the first family in table order, within its word limit,
    among those the block's lower-cased words (any iterable) and its trigger characters name, whose patterns
    starting with `^` match at its start (`re.match`) or whose others match anywhere in it (`re.search`)."""
    from dedupe.detect import chrome

    if n_words > chrome.MATCHER.max_words:
        return None
    named = {i for w in words for i in chrome.MATCHER.by_word.get(w, ())}
    named |= {i for i, chars in chrome.MATCHER.by_char if any(c in text for c in chars)}
    for i in sorted(named):
        family = chrome.FAMILIES[i]
        if n_words > family.max_words:
            continue
        anchored, floating = _reference_patterns(i)
        if anchored is not None and anchored.match(text) or floating is not None and floating.search(text):
            return family
    return None


@cache
def _reference_patterns(i: int):
    import re

    from dedupe.detect import chrome

    patterns = chrome.FAMILIES[i].patterns
    starts = [p for p in patterns if p.startswith("^")]
    others = [p for p in patterns if not p.startswith("^")]
    return (re.compile("|".join(starts), re.IGNORECASE) if starts else None,
            re.compile("|".join(others), re.IGNORECASE) if others else None)


def reference_block_row(text: str, n_words: int) -> tuple:
    """What the chrome step's block row (`chrome._blocks`) must be, from its definition in plain `re` and
    `str` (the spec the compiled core's features.rs follows): words split at `[^\\w\\s]+` and white space
    from the first HEAD characters, a word capitalised when `str.lower` changes it, stop and trigger words
    looked up lower-cased, runs of unspaced scripts counted by characters, and the first family (in table
    order, within its word limit) whose phrasing matches among those its trigger words and characters name."""
    import re

    from dedupe.detect import chrome

    plain = re.sub(r"[^\w\s]+", " ", text[: chrome.HEAD])
    tokens, lower = plain.split(), plain.lower().split()
    import unicodedata

    script = "[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in chrome.UNSPACED) + "]"
    runs = () if text.isascii() else re.findall(script + "+", text)
    if not runs:
        size = max(n_words, len(text) // 7) if n_words * 12 < len(text) else n_words
        unspaced = size > n_words
    else:
        # Words of the split (runs of word characters) that hold the script count by its characters.
        mixed = sum(1 for w in re.findall(r"\w+", text) if re.search(script, w))
        size = max(n_words, n_words - mixed + -(-sum(map(len, runs)) // chrome.UNSPACED_CHARS_PER_WORD))
        # Most of its letters (word characters less digits and numerals) are of the script.
        letters = sum(1 for c in re.findall(r"\w", text)
                      if not re.match(script, c) and unicodedata.category(c) not in ("Nd", "Nl", "No"))
        unspaced = sum(map(len, runs)) >= letters
    words = max(len(tokens), size) if unspaced else len(tokens)
    ends = re.escape(chrome.TERMINAL_CHARS)
    closers = re.escape(chrome.CLOSERS)
    terminal = (re.search(f"[{ends}][{closers}]*\\s*$", text) is not None
                or unspaced and any(c in text for c in chrome.CLAUSE_CHARS))
    family = reference_family(text, set(lower), n_words)
    return (n_words, size, words, sum(w in chrome.STOP_WORDS for w in lower),
            sum(t != w for t, w in zip(tokens, lower)), terminal, sum(map(text.count, chrome.CODE_CHARS)),
            unspaced, family)


#: The reference model of deciding (crates/dedupe-core/src/decide.rs), as decide.py had it in Python: the
#: order of reasons when several detectors claim a block.
_PRIORITY = {"repeat": 0, "near-repeat": 1, "corpus-repeat": 2}


def _rank(f) -> tuple:
    return (_PRIORITY.get(f.category, 3), -f.score, f.category, f.detector)


def reference_decisions(doc_id: str, spans: list, findings: list, floors: dict, entries: list | None):
    """What the core's `decide_finish` decides, by its plain Python definition: per removed block (block,
    finding index, whether its reference stands) after eligibility (`floors`: category -> floor or None),
    the allow-list (`entries`: per finding its entry or None; None: no allow-list) and settling same-document
    references; then per block the allow-list alone kept, (block, finding index, True)."""
    def eligible(f) -> bool:
        floor = floors.get(f.category)
        return floor is not None and not f.score < floor

    chosen: dict[int, int] = {}
    for k, f in enumerate(findings):
        if not eligible(f) or (entries is not None and entries[k]):
            continue
        if f.block not in chosen or _rank(f) < _rank(findings[chosen[f.block]]):
            chosen[f.block] = k
    kept: dict[int, int] = {}
    for k, f in enumerate(findings):
        if entries is None or f.block in chosen or not eligible(f) or not entries[k]:
            continue
        if f.block not in kept or _rank(f) < _rank(findings[kept[f.block]]):
            kept[f.block] = k
    by_span = {tuple(s): i for i, s in enumerate(spans)}

    def target(f):
        ref = f.duplicate_of
        return None if ref is None or ref.file != doc_id else by_span.get(tuple(ref.lines))

    removals = []
    for i, k in sorted(chosen.items()):
        seen = {i}
        t = target(findings[k])
        while t is not None and t in chosen and t not in seen:
            seen.add(t)
            k = chosen[t]
            t = target(findings[k])
        removals.append((i, k, not (t is not None and t in chosen)))
    return removals, [(i, k, True) for i, k in sorted(kept.items())]


#: The reference model of the block classes (crates/dedupe-core/src/classify.rs), as chrome.py had them in
#: Python: `_classify`, `_is_english`, `link_bar` and `_mark_link_bars`, composed as `find_chrome` and
#: `page_kind` called them.
def reference_is_english(words: list[int], stop: list[int]) -> bool:
    total = sum(words)
    return total > 0 and sum(stop) >= 0.2 * total


def reference_classify(size, words, stop, capitalised, terminal, code, unspaced, english) -> int:
    from dedupe.detect.chrome import BAD, CODE, GOOD, GOOD_MIN, ITEM, NEAR, SHORT

    total = words or 1
    capitalised = capitalised > 0.5 * total and not unspaced
    if size < 5:
        return SHORT if capitalised or size < 2 else ITEM
    if code >= 4 and code * 25 >= size:
        return CODE
    if capitalised or english and stop < 0.1 * total:
        return BAD if size >= 15 else SHORT
    if size >= GOOD_MIN and (terminal or size >= 25):
        return NEAR if english and stop < 0.2 * total else GOOD
    if terminal or not (english or unspaced) or stop >= 0.2 * total:
        return NEAR
    return ITEM


def reference_ends_sentence(text: str) -> bool:
    from dedupe.detect.chrome import CLOSERS, TERMINAL_CHARS

    end = text.rstrip().rstrip(CLOSERS)[-1:]
    return bool(end) and end in TERMINAL_CHARS


def reference_link_bar(text: str, unspaced_page: bool = False, links: int = 4) -> bool:
    import re

    from dedupe.detect.chrome import UNSPACED

    unspaced_char = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in UNSPACED) + "]")
    word = re.compile(r"\w")
    if reference_ends_sentence(text):
        return False
    parts = [p for p in re.split(r"\s*[|｜]\s*|\s+[·・•/\-–—>»]+\s+", text) if word.search(p)]
    if len(parts) < links:
        if not unspaced_page or re.search("[，。、；：！？「」《》,;]|:(?!\\d)", text):
            return False
        parts = [p for p in text.split() if word.search(p)]
        if len(parts) < links:
            return False
    short = sum(len(p.strip()) <= 8 if unspaced_char.search(p) else len(p.split()) <= 3 for p in parts)
    return short == len(parts) or len(parts) >= 12 and short >= 0.75 * len(parts)


def reference_block_classes(rows: list[tuple], texts: list[str], kept: list[int] | None = None,
                            hashes: list[int] | None = None) -> list[int]:
    from dedupe.detect.chrome import BAD, CHROME, GOOD, ITEM, NEAR, WEAK

    order = range(len(rows)) if kept is None else kept
    counted = list(order)
    if hashes is not None:
        seen: set[int] = set()
        counted = [k for k in order if not (hashes[k] in seen or seen.add(hashes[k]))]
    # (a block a rule names is not counted: the cleaned copy a second run reads does not hold it)
    counted = [k for k in counted if rows[k][8] is None or rows[k][8].weak]
    english = reference_is_english([rows[k][2] for k in counted], [rows[k][3] for k in counted])
    classes = [reference_classify(*rows[k][1:8], english) if rows[k][8] is None else WEAK if rows[k][8].weak
               else CHROME for k in order]
    sizes, unspaced = [rows[k][1] for k in order], [rows[k][7] for k in order]
    unspaced_page = 2 * sum(s for s, u in zip(sizes, unspaced) if u) > sum(sizes)
    for i, k in enumerate(order):
        c, t = classes[i], texts[k]
        if c in (GOOD, NEAR, ITEM) and reference_link_bar(t, unspaced_page):
            classes[i] = BAD
        elif c == NEAR and not any(map(str.isalpha, t)):
            classes[i] = ITEM
    return classes


#: The reference model of `has_stamp` (crates/dedupe-core/src/pagetype.rs), as pagetype.py had it in Python.
REFERENCE_STAMP = (
    r"\b(?:1[89]|20)\d{2}[-/.年]\s?\d{1,2}(?:[-/.月]\s?\d{1,2})?"
    r"|(?<![\d.])\d{1,2}[-/.]\d{1,2}[-/.](?:1[89]|20)?\d{2}(?![.\d])"
    r"|\b\d{1,2}:\d{2}\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)?,?\s+\S{3,10}\.?,?\s+(?:1[89]|20)\d{2}\b"
    r"|\b\S{3,10}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:1[89]|20)\d{2}\b"
)


def reference_has_stamp(text: str) -> bool:
    import re

    return re.search(REFERENCE_STAMP, text) is not None


def reference_source_keys(keys, source: int):
    """One document's block keys mixed with its source in plain integers, as `corpus._mix_source` mixes arrays."""
    import numpy as np

    out = []
    for key in keys.tolist():
        k = (key ^ ((source + 1) * 0x9E3779B97F4A7C15)) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
        out.append(k ^ (k >> 31))
    return np.array(out, np.uint64)


def reference_templates(corpus, index: int, analysis, config):
    """`Corpus.templates_of` for one document, written as a plain loop over its keys (its former definition):
    (blocks, detectors, scores) of its corpus-repeat findings, in order."""
    import bisect

    sid = int(corpus.source_ids[index])
    freq = corpus.freq_keys.tolist()
    total = max(int(corpus.source_docs[sid]), 1)
    long, n = analysis.long, len(analysis.long)
    seen, out = set(), []
    # Each block's first hit decides (keys come block by block, text before digits before bands).
    for key, b, kind in zip(reference_source_keys(analysis.keys, sid).tolist(), analysis.owner.tolist(),
                            analysis.kind.tolist()):
        at = bisect.bisect_left(freq, key)
        if at == len(freq) or freq[at] != key or b in seen:
            continue
        seen.add(b)
        df = int(corpus.freq_df[at])
        if 0 < b < n - 1 and long[b - 1] and long[b + 1] and df < config.corpus_inline_share * total:
            continue
        out.append((b, ("corpus-repeat:exact", "corpus-repeat:digits", "corpus-repeat:near")[kind], min(1.0, df / total)))
    return out


def reference_signing_body(blocks: list, words: list[int], found, config) -> tuple[list[int], bool]:
    """The blocks that sign one document and whether they are its whole page: the plain rules, a document at a
    time, that `pipeline._signing_bodies` reads for a batch at once on its columns (see there)."""
    from dedupe.decide import decide
    from dedupe.detect.chrome import ends_sentence

    everything = list(range(len(blocks)))
    if config.doc_sign == "page":
        return everything, False
    removed = decide(found, config)
    kept = [i for i in everything if i not in removed]
    if config.doc_sign == "cleaned":
        return kept or everything, False
    m = config.doc_min_words
    prose = [i for i in kept if words[i] >= 3 * m or (words[i] >= m and ends_sentence(blocks[i].text))]
    prose_words, kept_words = sum([words[i] for i in prose]), sum([words[i] for i in kept])
    whole = prose_words < config.doc_min_share * kept_words
    return ((kept if whole or 2 * prose_words < kept_words else prose) or everything), whole


def real_page(data: str, name: str) -> tuple[str, str]:
    """A page of one of ../shared's data sets (`webpages-dev`, ...): its HTML as dedupe decodes it, and its gold
    main text; the test is skipped, and says why, where the data set is not beside the checkout."""
    import pytest

    from dedupe import Config
    from dedupe.formats.html import decode_html

    folder = SHARED / "data" / data
    if not folder.is_dir():
        pytest.skip(f"{data} not found at {folder} (it lives in ../shared beside the checkout)")
    path = next((folder / "pages").glob(f"{name}.htm*"))
    html, _ = decode_html(path.name, path.read_bytes(), Config())
    gold = json.loads((folder / "gold" / f"{name}.json").read_text(encoding="utf-8"))["main_content"]
    return html, gold


def real_page_with_and_without(data: str, name: str, step: str, stand_in) -> tuple[str, str, str]:
    """A real page's gold main text, its text as `extract` gives it, and its text with `dedupe.formats.html`'s
    `step` replaced by `stand_in` (the step under test undone)."""
    import pytest

    from dedupe import Config
    from dedupe.formats import html as html_format

    html, gold = real_page(data, name)
    text = html_format.extract(html, Config())[0]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(html_format, step, stand_in)
        before = html_format.extract(html, Config())[0]
    return gold, text, before


def gold_sentences(gold: str) -> list[str]:
    """The lines of a gold main text long enough to be its sentences (more than 8 words)."""
    return [line for line in gold.split("\n") if len(line.split()) > 8]


def brotli_stored(data: bytes) -> bytes:
    """A brotli stream of uncompressed meta-blocks (RFC 7932, 9.2: a 16-bit window, then per 64 KB ISLAST 0,
    MNIBBLES 4, MLEN - 1, ISUNCOMPRESSED 1 and the bytes at the next byte boundary; then ISLAST, ISLASTEMPTY): any
    decoder reads it, and the tests need no brotli encoder."""
    out, bits = bytearray(), [0]

    def flush() -> None:
        bits.extend([0] * (-len(bits) % 8))
        out.extend(sum(b << k for k, b in enumerate(bits[j : j + 8])) for j in range(0, len(bits), 8))
        bits.clear()

    for i in range(0, len(data), 1 << 16):
        chunk = data[i : i + (1 << 16)]
        bits.extend([0, 0, 0, *((len(chunk) - 1) >> k & 1 for k in range(16)), 1])
        flush()
        out.extend(chunk)
    bits.extend([1, 1])
    flush()
    return bytes(out)


def page_data(page_text: str) -> dict:
    """The data a review page's script reads: its JSON block, with its files' rows (its JSON Lines block) as
    "files"."""
    import re

    data = json.loads(re.search(r'<script type="application/json" id=data>(.*?)</script>', page_text, re.S).group(1))
    rows = re.search(r'<script type="application/x-ndjson" id=rows>(.*?)</script>', page_text, re.S).group(1)
    data["files"] = [json.loads(line) for line in rows.split("\n") if line]
    return data
