"""benchmarks/dumps_quality.py's per-kind errors and ceilings, on a page built so that each zone's chrome is known."""
from __future__ import annotations

import importlib.util
import sys

import pytest

from dedupe.records import Removal
from helpers import ROOT, SHARED


def _module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quality():
    data = SHARED / "data" / "webpages-dev"
    if not (data / "score.py").is_file():
        pytest.skip(f"webpages-dev's score.py not found at {data} (it lives in ../shared beside the checkout)")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        module = _module("dumps_quality_under_test", ROOT / "benchmarks" / "dumps_quality.py")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return module, module.load_scorer(data)


GOLD = ("The river rose four metres overnight and flooded the lower town.\n\n"
        "Residents moved their cars to the hill before the water reached the square.\n\n"
        "Engineers said the old levee held better than anyone had expected.")

PAGE = "\n\n".join([
    "Sign in to your account to read more stories today",      # 1: chrome before
    "Home",                                                     # 3: removed
    GOLD.split("\n\n")[0],                                      # 5
    "Advertisement space sponsored by our partners this week",  # 7: chrome inside
    GOLD.split("\n\n")[1],                                      # 9
    GOLD.split("\n\n")[2],                                      # 11
    "Read our other stories about weather and travel here",     # 13: chrome after
])


def _removal(line):
    return Removal("page.txt", (line, line), "navigation", "chrome:rule:navigation", 1.0, None, "Home")


def test_errors_fall_in_the_zone_where_the_chrome_is_kept(quality):
    module, score = quality
    errors, _ = module.error_kinds(score, GOLD, PAGE, [_removal(3)])
    chrome = {"kept before": PAGE.split("\n\n")[0], "kept inside": PAGE.split("\n\n")[3],
              "kept after": PAGE.split("\n\n")[6]}
    for kind, text in chrome.items():
        assert errors[kind] == sum(score.shingles(text).values()), kind
    assert errors["gold"] == sum(score.shingles(GOLD).values())
    assert not any(v for k, v in errors.items() if k.startswith("removed by"))


def test_a_ceiling_takes_away_only_its_zones_chrome(quality):
    module, score = quality
    _, ceilings = module.error_kinds(score, GOLD, PAGE, [_removal(3)])
    kept = "\n\n".join(b for i, b in enumerate(PAGE.split("\n\n")) if i != 1)
    assert ceilings["as cleaned"] == list(score.doc_prf(GOLD, kept)[:2])
    p_before, p_inside, p_after = (ceilings[f"no chrome kept {zone}"][0] for zone in ("before", "inside", "after"))
    base = ceilings["as cleaned"][0]
    assert base < p_before < ceilings["the article's bounds exact"][0]
    assert base < p_inside and base < p_after
    assert ceilings["no chrome kept at all"] == [1.0, 1.0]


def test_a_short_heading_the_gold_holds_is_not_chrome(quality):
    """A heading of fewer than four words is one shingle the gold never has; it is still the gold's text."""
    module, score = quality
    gold = "Flood warning\n\n" + GOLD
    _, ceilings = module.error_kinds(score, gold, "Flood warning\n\n" + GOLD, [])
    assert ceilings["no chrome kept at all"] == ceilings["as cleaned"] == [1.0, 1.0]
