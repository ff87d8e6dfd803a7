"""Detect: every detector that needs only one document, plus lookups into the corpus step's results."""
from __future__ import annotations

from dataclasses import replace

from ..config import Config
from ..records import Block, Finding, Ref
from ..sign import BlockSig
from .chrome import find_chrome
from .repeats import find_repeats


def detect(doc_id: str, blocks: list[Block], sigs: list[BlockSig], config: Config) -> list[Finding]:
    """Findings of the within-document detectors, ordered by block."""
    repeats = find_repeats(doc_id, blocks, sigs, config)
    block_at = {b.first_line: b.index for b in blocks}
    repeated = {f.block: block_at[f.duplicate_of.lines[0]] for f in repeats if config.wants(f.category)}
    chrome = find_chrome(doc_id, blocks, sigs, config, repeated)
    repeats = keep_copy_outside_chrome(doc_id, blocks, repeats, chrome, config)
    return sorted(repeats + chrome, key=lambda f: (f.block, f.category, f.detector))


def keep_copy_outside_chrome(
    doc_id: str, blocks: list[Block], repeats: list[Finding], chrome: list[Finding], config: Config
) -> list[Finding]:
    """Repeat findings adjusted so that the copy a document keeps is not one that chrome removes.

    When the kept copy of an exact repeat sits in a menu or teaser list that
    goes as chrome, the first copy outside chrome is kept instead (the
    article's own paragraph) and the other copies become repeats of it. When
    the longer block that near repeats were kept for goes as chrome (a
    republishing widget holding the whole article), the near repeats stay.
    """
    removed = {f.block for f in chrome if f.score >= config.chrome_threshold and config.wants(f.category)}
    if not removed:
        return repeats
    block_at = {b.first_line: b.index for b in blocks}
    groups: dict[int, list[Finding]] = {}
    for f in repeats:
        groups.setdefault(block_at[f.duplicate_of.lines[0]], []).append(f)
    out: list[Finding] = []
    for original, copies in sorted(groups.items()):
        survivors = sorted(f.block for f in copies if f.block not in removed)
        if original not in removed or not survivors:
            out += copies
            continue
        exact = [f for f in copies if f.category == "repeat"]
        out += [f for f in copies if f.category != "repeat" and f.block in removed]
        keeper = min((f.block for f in exact if f.block not in removed), default=None)
        if keeper is None:
            out += exact
            continue
        ref = Ref(doc_id, blocks[keeper].lines)
        for f in exact:
            if f.block in removed:
                out.append(f)
            elif f.block != keeper:
                out.append(replace(f, duplicate_of=ref, note=f"repeat of lines {_span(ref.lines)}"))
    return out


def _span(lines: tuple[int, int]) -> str:
    return str(lines[0]) if lines[0] == lines[1] else f"{lines[0]}-{lines[1]}"
