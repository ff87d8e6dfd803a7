"""Detect: every detector that needs only one document, plus lookups into the corpus step's results."""
from __future__ import annotations

from ..config import Config
from ..records import Block, Finding
from ..sign import BlockSig
from .chrome import find_chrome, keep_copy_outside_chrome
from .repeats import find_repeats


def detect(
    doc_id: str, blocks: list[Block], sigs: list[BlockSig], config: Config, whole_page: bool = True
) -> list[Finding]:
    """Findings of the within-document detectors, ordered by block.

    whole_page: the text is a whole page's (plain-text dumps), not an
    extractor's article text (HTML through trafilatura); see find_chrome.
    """
    repeats = find_repeats(doc_id, blocks, sigs, config)
    chrome = find_chrome(doc_id, blocks, sigs, config, repeats, whole_page)
    if not repeats:  # (the usual page) chrome findings come ordered by block, one a block
        return chrome
    repeats = keep_copy_outside_chrome(doc_id, blocks, sigs, repeats, chrome, config)
    return sorted(repeats + chrome, key=lambda f: (f.block, f.category, f.detector))
