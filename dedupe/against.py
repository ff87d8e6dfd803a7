"""Incremental runs: the signatures every run saves in its report, and a new run matched against them.

Every run writes two files to its report folder (docs/incremental.md says
how to read them with numpy or pyarrow):

- ``signatures.npz``: a zip of .npy arrays (what `numpy.load` reads), one row
  per document of the run in pass-1 order (sorted paths, then records):
  ``signatures`` uint32 (n, num_perm), the document MinHash; ``shingles``
  uint32 (n,), how many distinct shingles it was made of; ``lines`` uint32
  (n,); ``dropped`` bool (n,), the run dropped it as a duplicate;
  ``id_offsets`` uint64 (n + 1,) and ``id_bytes`` uint8: document i's name
  (as the report writes it) is ``id_bytes[id_offsets[i]:id_offsets[i + 1]]``
  in UTF-8. About 560 bytes a document at num_perm 128.
- ``signatures.json``: what the arrays are, and the settings a later run must
  share to compare its documents with them (`MATCHING`).

`dedupe clean NEW OUT --against EARLIER` loads those files (never the earlier
corpus) and drops a new document that duplicates an earlier one, naming it
and its run in ``duplicate_of``.
"""
from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import Config
from .errors import UsageError
from .fs import is_url
from .names import Names
from .write import temp_name

SIGNATURES = "signatures.npz"
HEADER = "signatures.json"
FORMAT, VERSION = "dedupe-signatures", 1
#: Settings that make two runs' signatures comparable: the MinHash itself and what it is made over.
MATCHING = ("num_perm", "seed", "doc_shingle_size", "doc_sign", "doc_min_words")
#: Earlier documents sharing a band key that a new document is compared with, per band: the first ones in
#: their run's order (an earlier cluster's kept document comes first), so that a common key never pairs a new
#: document with thousands.
FANOUT = 8
_CHUNK = 1 << 16
_EPOCH = (1980, 1, 1, 0, 0, 0)  # every member of the zip dated the same: the same run writes the same bytes


@dataclass(frozen=True)
class Earlier:
    """Earlier runs' documents: their names, line counts, runs and (until the corpus step) signatures."""

    runs: tuple[str, ...]  # each run as the user named it (--against)
    ids: list[str]
    n_lines: np.ndarray
    run_index: np.ndarray  # per document, its run in `runs`
    n_shingles: np.ndarray | None = None
    signatures: np.ndarray | None = None

    def run_of(self, index: int) -> str:
        """The run (as named on the command line) of earlier document `index`."""
        return self.runs[int(self.run_index[index])]

    def named(self) -> "Earlier":
        """The same runs without their signatures: what pass 2 needs to name an earlier document."""
        return Earlier(self.runs, self.ids, self.n_lines, self.run_index)


def save_signatures(folder: Path, config: Config, ids: list[str], n_lines: np.ndarray, n_shingles: np.ndarray,
                    signatures: np.ndarray, dropped: np.ndarray, prefix: str = "") -> list[str]:
    """Write a run's signatures and their header into its report folder (each file atomically), under their
    names with `prefix` before them; returns those names."""
    offsets, blob = _name_arrays(ids)
    arrays = {
        "signatures": np.ascontiguousarray(signatures, dtype=np.uint32).reshape(len(ids), config.num_perm),
        "shingles": np.asarray(n_shingles, dtype=np.uint32),
        "lines": np.asarray(n_lines, dtype=np.uint32),
        "dropped": np.asarray(dropped, dtype=bool),
        "id_offsets": offsets,
        "id_bytes": blob,
    }
    tmp = folder / temp_name(SIGNATURES)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
            for name, array in arrays.items():
                with z.open(zipfile.ZipInfo(name + ".npy", date_time=_EPOCH), "w", force_zip64=True) as f:
                    _write_npy(f, array)
        tmp.replace(folder / (prefix + SIGNATURES))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    header = {
        "format": FORMAT,
        "version": VERSION,
        "documents": len(ids),
        "arrays": {"signatures": f"uint32 ({len(ids)}, {config.num_perm})", "shingles": "uint32", "lines": "uint32",
                   "dropped": "bool", "id_offsets": "uint64", "id_bytes": "uint8 (UTF-8)"},
        "settings": {name: getattr(config, name) for name in MATCHING},
    }
    tmp = folder / temp_name(HEADER)
    tmp.write_text(json.dumps(header, indent=1) + "\n", encoding="utf-8")
    tmp.replace(folder / (prefix + HEADER))
    return [prefix + SIGNATURES, prefix + HEADER]


def _write_npy(f, array: np.ndarray) -> None:
    """`np.lib.format.write_array(f, array)`'s bytes for a C-contiguous array of plain numbers, written from the
    array's own memory: numpy copies it into a bytes object first when `f` is not a real file (a zip member is
    not), 5 MB for the 10k benchmark's signatures, 512 MB at a million documents."""
    array = np.ascontiguousarray(array)  # (no copy for one that is already)
    np.lib.format.write_array_header_1_0(f, np.lib.format.header_data_from_array_1_0(array))
    if array.size:
        f.write(memoryview(array).cast("B"))


def _name_arrays(ids) -> tuple[np.ndarray, np.ndarray]:
    """The names as saved: each one's start and end offsets (uint64, n + 1) and their UTF-8 bytes (uint8).

    A `Names` is saved from its own buffer (at 600k documents, a bytes object a name cost more than the
    buffer), unless it holds a lone surrogate: the buffer has it as three bytes (surrogatepass), the file as
    the byte surrogateescape stands for.
    """
    if isinstance(ids, Names):
        data, ends = ids.buffers()
        if not _SURROGATE.search(data):
            offsets = np.zeros(len(ends) + 1, dtype=np.uint64)
            offsets[1:] = np.frombuffer(ends, dtype=np.uint64)
            return offsets, np.frombuffer(data, dtype=np.uint8)
    names = [i.encode("utf-8", "surrogateescape") for i in ids]
    offsets = np.zeros(len(names) + 1, dtype=np.uint64)
    np.cumsum([len(b) for b in names], out=offsets[1:])
    return offsets, np.frombuffer(b"".join(names), dtype=np.uint8)


#: A lone surrogate as `Names` stores it (surrogatepass: ED, then A0-BF); never in valid UTF-8.
_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")


def signature_folder(path: str | Path) -> Path:
    """The report folder of an earlier run, given its OUT or the report folder itself."""
    path = Path(path)
    for folder in (path, path / "_report"):
        if (folder / HEADER).is_file():
            return folder
    if (path / "summary.json").is_file() or (path / "_report" / "summary.json").is_file():
        raise UsageError(f"--against {path}: that run saved no signatures (made before dedupe saved them, or "
                         f"with another version); clean its input again once to make them")
    raise UsageError(f"--against {path}: no dedupe signatures there ({HEADER}); pass an earlier run's OUT folder "
                     f"or its report folder")


def load_earlier(paths, config: Config, refuse: tuple = ()) -> Earlier | None:
    """The signatures of earlier runs (OUT or report folders), checked against this run's settings.

    `refuse`: folders this run writes (its OUT and report), which cannot also be an earlier run.
    Raises UsageError naming the run and the fix.
    """
    if not paths:
        return None
    mine = {Path(p).resolve() for p in refuse if p is not None and not hasattr(p, "fs")}
    runs, ids, lines, shingles, sigs, run_index = [], [], [], [], [], []
    seen: dict[Path, str] = {}
    for path in paths:
        label = str(path)
        if is_url(label):
            raise UsageError(f"--against {label}: an earlier run must be a local folder; copy its report folder "
                             f"(at least {SIGNATURES}, {HEADER} and summary.json) here and pass that")
        folder = signature_folder(path)
        where = folder.resolve()
        if where in mine or where.parent in mine:
            raise UsageError(f"--against {label} is this run's own output or report folder; clean into a new "
                             f"OUT and pass the earlier one to --against")
        if where in seen:
            raise UsageError(f"--against {label} and --against {seen[where]} are the same run; pass it once")
        seen[where] = label
        header, arrays = _read(folder, label)
        for name in MATCHING:
            theirs, ours = header["settings"].get(name), getattr(config, name)
            if theirs != ours:
                raise UsageError(
                    f"--against {label}: its signatures were made with {name}={theirs!r}, this run has "
                    f"{name}={ours!r}; run with the same {name} (--config), or without --against")
        offsets, blob = arrays["id_offsets"], arrays["id_bytes"].tobytes()
        ids += [blob[a:b].decode("utf-8", "surrogateescape") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
        lines.append(arrays["lines"])
        shingles.append(arrays["shingles"])
        sigs.append(arrays["signatures"])
        run_index.append(np.full(len(offsets) - 1, len(runs), dtype=np.int32))
        runs.append(label)
    return Earlier(tuple(runs), ids, np.concatenate(lines), np.concatenate(run_index),
                   np.concatenate(shingles), np.concatenate(sigs))


def _read(folder: Path, label: str) -> tuple[dict, dict]:
    """A run's signature header and arrays, checked for shape; UsageError if damaged."""
    if not (folder / "summary.json").is_file():
        raise UsageError(f"--against {label}: that run did not finish (no summary.json in {folder}); "
                         f"run it again to the end first")
    try:
        header = json.loads((folder / HEADER).read_text(encoding="utf-8"))
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise ValueError(f"not {FORMAT} version {VERSION}")
        if not zipfile.is_zipfile(folder / SIGNATURES):  # else numpy would take it for a pickle
            raise ValueError(f"{SIGNATURES} is not a zip of .npy arrays")
        with np.load(folder / SIGNATURES, allow_pickle=False) as z:
            arrays = {k: z[k] for k in ("signatures", "shingles", "lines", "dropped", "id_offsets", "id_bytes")}
        n = int(header["documents"])
        num_perm = int(header["settings"]["num_perm"])
        if arrays["signatures"].shape != (n, num_perm) or any(
                len(arrays[k]) != n for k in ("shingles", "lines", "dropped")) or len(arrays["id_offsets"]) != n + 1:
            raise ValueError(f"arrays do not hold {n} documents")
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as e:
        raise UsageError(f"--against {label}: its signatures are damaged ({e}); clean that run's input again "
                         f"to make them anew") from None
    return header, arrays


def match_earlier(sigs: np.ndarray, n_shingles: np.ndarray, earlier: Earlier, config: Config,
                  whole: np.ndarray | None = None):
    """Per document of this run, the earlier document it duplicates best: (index or -1, score, how).

    Candidates share a band key with it (as `corpus.candidate_pairs` finds
    them inside a run); each is confirmed on Jaccard or containment exactly as
    a pair inside the run is (`corpus.similarity`). Ties go to the earlier
    document that comes first.
    """
    from .detect.corpus import similarity
    from .sign import band_keys, distinct

    n = len(sigs)
    best = np.full(n, -1, dtype=np.int64)
    best_score = np.zeros(n, dtype=np.float32)
    best_how = np.zeros(n, dtype=np.uint8)
    new = np.flatnonzero(n_shingles > 0)  # an empty body has no signature worth comparing
    old = np.flatnonzero(earlier.n_shingles > 0)
    if not len(new) or not len(old):
        return best, best_score, best_how
    rows = config.doc_band_rows
    # Band by band, each band's keys contiguous (a column of the (documents, bands) array is strided).
    new_keys = np.ascontiguousarray(band_keys(sigs[new], rows).T)
    old_keys = np.ascontiguousarray(band_keys(earlier.signatures[old], rows).T)
    found = []
    for b, wanted in enumerate(new_keys):
        order = np.argsort(old_keys[b], kind="stable")  # stable: an earlier run's documents in its order
        keys = old_keys[b][order]
        pos = np.searchsorted(keys, wanted)
        for step in range(FANOUT):
            at = pos + step
            hit = np.flatnonzero(at < len(keys))
            hit = hit[keys[at[hit]] == wanted[hit]]
            if not len(hit):
                break
            found.append(old[order[at[hit]]].astype(np.uint64) << np.uint64(32) | new[hit].astype(np.uint64))
    if not found:
        return best, best_score, best_how
    pairs = distinct(np.concatenate(found))
    lefts, rights, scores, hows = [], [], [], []
    for s in range(0, len(pairs), _CHUNK):
        chunk = pairs[s : s + _CHUNK]
        a = (chunk >> np.uint64(32)).astype(np.int64)
        b = (chunk & np.uint64(0xFFFFFFFF)).astype(np.int64)
        # A page of this run signed whole (`corpus.similarity`) is a copy only at doc_page_threshold.
        strict = False if whole is None else whole[b]
        score, how, ok = similarity(earlier.signatures[a], sigs[b], earlier.n_shingles[a], n_shingles[b], config,
                                    strict)
        lefts.append(a[ok]), rights.append(b[ok]), scores.append(score[ok]), hows.append(how[ok])
    a, b, score, how = (np.concatenate(v) for v in (lefts, rights, scores, hows))
    order = np.lexsort((a, -score, b))  # per new document: best score first, then the first earlier document
    a, b, score, how = a[order], b[order], score[order], how[order]
    first = np.concatenate(([True], b[1:] != b[:-1])) if len(b) else np.zeros(0, bool)
    best[b[first]], best_score[b[first]], best_how[b[first]] = a[first], score[first], how[first]
    return best, best_score, best_how
