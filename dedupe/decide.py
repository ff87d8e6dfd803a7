"""Decide: one verdict per block from all findings (which lines the cleaned copy keeps is `cut`'s)."""
from __future__ import annotations

from .config import Config
from .records import Finding, Ref, Removal

#: When several detectors claim a block, the reason shown is the most specific:
#: a repeat names what it repeats, a corpus repeat how often, chrome only a kind.
PRIORITY = {"repeat": 0, "near-repeat": 1, "corpus-repeat": 2}


def _rank(f: Finding) -> tuple:
    return (PRIORITY.get(f.category, 3), -f.score, f.category, f.detector)


def eligible(f: Finding, config: Config) -> bool:
    """Whether a finding may remove its block at all under --only/--skip and the chrome threshold."""
    floor = config.score_floors.get(f.category)
    if floor is None:  # a category --only/--skip leave out (or none of CATEGORIES)
        if not config.wants(f.category):
            return False
        return not (f.category.startswith("chrome:") and f.score < config.chrome_threshold)
    return not f.score < floor  # (a chrome threshold, or -inf: as the test above, NaN included)


def decide(findings: list[Finding], config: Config, hashes: list[int] | None = None) -> dict[int, Finding]:
    """The finding that removes each removed block, after --only/--skip, score thresholds and the allow-list.

    `hashes` are the blocks' normalized hashes; without them the allow-list is not consulted.
    """
    chosen: dict[int, Finding] = {}
    for f in findings:
        if not eligible(f, config):
            continue
        if hashes is not None and config.allowed(f.category, hashes[f.block]):
            continue
        if f.block not in chosen or _rank(f) < _rank(chosen[f.block]):
            chosen[f.block] = f
    return chosen


def allowed(
    findings: list[Finding], config: Config, hashes: list[int], chosen: dict[int, Finding]
) -> dict[int, tuple[Finding, str]]:
    """Blocks kept only because of the allow-list: the finding it overrode and the entry ("FILE:LINE")."""
    out: dict[int, tuple[Finding, str]] = {}
    for f in findings:
        if f.block in chosen or not eligible(f, config):
            continue
        entry = config.allowed(f.category, hashes[f.block])
        if entry and (f.block not in out or _rank(f) < _rank(out[f.block][0])):
            out[f.block] = (f, entry)
    return out


def settle_references(doc_id: str, spans: list[tuple[int, int]], chosen: dict[int, Finding]) -> dict[int, Finding]:
    """The same removals, with every same-document reference pointing at a block that is kept.

    A repeat of a block that another detector removed (the second copy of a
    photo caption, a bullet contained in a paragraph that is itself chrome)
    takes that block's reason, followed as far as needed: the set of removed
    blocks does not change, only the reason a reviewer reads. `spans` are the
    blocks' (first, last) lines, in block order.
    """
    by_span: dict[tuple[int, int], int] = {}  # made when a reference first needs it (most documents have none)

    def target(f: Finding) -> int | None:
        ref = f.duplicate_of
        if ref is None or ref.file != doc_id:
            return None
        if not by_span:
            by_span.update(zip(map(tuple, spans), range(len(spans))))
        return by_span.get(tuple(ref.lines))

    settled: dict[int, Finding] = {}
    for i, f in sorted(chosen.items()):
        seen = {i}
        t = target(f)
        while t is not None and t in chosen and t not in seen:
            seen.add(t)
            f = chosen[t]
            t = target(f)
        if t is not None and t in chosen:  # a cycle of references: impossible by construction, kept safe
            f = Finding(i, f.category, f.detector, f.score, None, f.note)
        settled[i] = f if f.block == i else Finding(i, f.category, f.detector, f.score, f.duplicate_of, f.note)
    return settled


def duplicate_verdict(doc_id: str, text: str, n_lines: int, dup, config: Config) -> Removal | None:
    """The removal of a whole duplicate document (None if it is kept or --skip duplicate-document).

    `dup` is the corpus step's answer (a `corpus.Duplicate` or None); the removal
    spans the whole file and names the kept document in duplicate_of (and its
    run, when it is an earlier run's).
    """
    if dup is None or not config.wants("duplicate-document") or n_lines == 0:
        return None
    return Removal(
        file=doc_id,
        lines=(1, n_lines),
        category="duplicate-document",
        detector=f"duplicate-document:{dup.how}",
        score=dup.score,
        duplicate_of=Ref(dup.kept, (1, max(1, dup.kept_lines)), dup.run),
        text=text.rstrip("\r\n"),
    )
