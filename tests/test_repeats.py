"""Repeats inside one document: exact, near and contained blocks, and which copy is kept."""
from __future__ import annotations

import numpy as np
import pytest

from dedupe.config import Config
from dedupe.cut import cut_found
from dedupe.decide import found_of
from dedupe.detect.repeats import find_repeats, near_repeats
from dedupe.pipeline import clean_document
from dedupe.records import Block, Document, Finding, Ref
from dedupe.segment import segment
from dedupe.sign import normalize, sign_blocks

from helpers import SAMPLES

P1 = ("The city council voted on Tuesday to expand the bike lane network by forty kilometres over the next "
      "three years, despite objections from some shop owners on the main street.")
P2 = ("Supporters said the plan would make cycling safer for children, while critics argued that the loss "
      "of parking spaces would drive customers to the shopping centres outside town.")
P3 = ("The first stretch, along the river, is due to open next spring, and the council will publish a map "
      "of the remaining routes before the end of the year.")
P4 = ("A spokesperson for the cyclists' association welcomed the vote but said the timetable was "
      "too slow for a city whose traffic deaths had risen two years in a row.")


#: Chrome is another detector's business: these tests look at repeats alone.
REPEATS_ONLY = Config(only=("repeat", "near-repeat"))


def run(paragraphs: list[str], config: Config | None = None, sep: str = "\n\n"):
    """Clean a document made of these paragraphs; returns (removals, kept paragraph texts)."""
    text = sep.join(paragraphs) + "\n"
    result, _ = clean_document(Document("doc.txt", text), config or REPEATS_ONLY)
    return result.removals, [p for p in result.cleaned.split(sep.strip("\n") or "\n") if p.strip()]


def removed_lines(removals) -> list[tuple[int, int]]:
    return [tuple(r.lines) for r in removals]


def test_normalization_folds_case_space_punctuation_unicode_and_quotes():
    assert normalize("  The “Quick”  brown\tFOX, isn’t it?  ") == normalize('the "quick" brown fox -- isn\'t it')
    assert normalize("ﬁnal score: ２–１") == normalize("final score 2 1")  # NFKC: ligature, full-width digits
    assert normalize("Café") == normalize("CAFÉ") != normalize("Cafe")


def test_exact_repeat_keeps_the_first_occurrence():
    removals, kept = run([P1, P2, P1.upper().replace(",", " ,"), P3])
    assert [(r.lines, r.category, r.detector, r.duplicate_of) for r in removals] == [
        ((5, 5), "repeat", "repeat:exact", Ref("doc.txt", (1, 1)))
    ]
    assert kept == [P1, P2, P3]


def test_curly_and_straight_quotes_are_the_same_text():
    curly = "“We will not stop here,” the mayor said, promising more routes ‘within months’."
    straight = "\"We will not stop here,\" the mayor said, promising more routes 'within months'."
    removals, _ = run([curly, P1, straight])
    assert removed_lines(removals) == [(5, 5)]


def test_a_one_word_subheading_that_recurs_is_kept():
    removals, kept = run(["Background", P1, P2, "Background", P3])
    assert removals == []
    removals, _ = run(["What happens next", P1, "What happens next", P3])  # three words: still a subheading
    assert removals == []


def test_a_body_pasted_twice_with_its_subheadings_goes_entirely():
    body = ["Background", P1, P2, "Reaction", P4]
    removals, kept = run(["Council backs bike lanes"] + body + body + ["Related: more city news"])
    # lines: headline 1, first body 3..11, second body 13..21 (blank lines between paragraphs)
    assert removed_lines(removals) == [(13, 13), (15, 15), (17, 17), (19, 19), (21, 21)]
    assert [r.duplicate_of.lines for r in removals] == [(3, 3), (5, 5), (7, 7), (9, 9), (11, 11)]
    assert kept == ["Council backs bike lanes"] + body + ["Related: more city news"]


def test_a_separator_inside_a_pasted_run_goes_with_it():
    body = [P1, "* * *", "Reaction", P4]
    removals, kept = run(body + body)
    assert removed_lines(removals) == [(9, 9), (11, 11), (13, 13), (15, 15)]
    assert kept == body


def test_three_copies_all_point_at_the_first():
    removals, _ = run([P1, P2, P1, P3, P1])
    assert [(r.lines, r.duplicate_of.lines) for r in removals] == [((5, 5), (1, 1)), ((9, 9), (1, 1))]


def test_near_repeat_keeps_the_more_complete_block_even_when_it_comes_later():
    shorter = P1.replace(", despite objections from some shop owners on the main street", "")
    # the shorter, contained copy goes and points at the complete one, wherever it is
    removals, kept = run([shorter, P2, P1])
    assert [(r.lines, r.category, r.detector, r.duplicate_of.lines) for r in removals] == [
        ((1, 1), "near-repeat", "near-repeat:containment", (5, 5))
    ]
    assert kept == [P2, P1]


def test_near_repeat_by_jaccard_of_word_shingles():
    edited = P2.replace("safer", "much safer").replace("customers", "shoppers")
    removals, _ = run([P2, P1, edited], REPEATS_ONLY.replace(near_threshold=0.6))
    assert len(removals) == 1
    r = removals[0]
    assert r.category == "near-repeat" and r.detector == "near-repeat:jaccard" and 0.6 <= r.score < 1.0
    # the kept copy is the one with more shingles: the edited one has two more words
    assert r.lines == (1, 1) and r.duplicate_of.lines == (5, 5)


def test_a_highlight_bullet_contained_in_the_body_goes():
    bullet = "- Critics argued that the loss of parking spaces would drive customers to the shopping centres,"
    removals, kept = run([bullet, P1, P2], sep="\n")
    assert [(r.lines, r.detector, r.duplicate_of.lines) for r in removals] == [((1, 1), "near-repeat:containment", (3, 3))]


def test_very_short_blocks_are_never_near_repeats():
    removals, _ = run(["Share this article", P1, "Share this story", P2, "Share this article now"])
    assert removals == []
    short = "Parking spaces would drive customers away"  # 6 words, all inside P2
    removals, _ = run([P2, short])
    assert removals == []


def test_sample_002_highlights_and_doubled_body():
    text = (SAMPLES / "002_a9c1d9645ce3d0de.txt").read_text(encoding="utf-8")
    result, _ = clean_document(Document("002.txt", text), Config())
    repeats = [r for r in result.removals if r.category == "repeat"]
    near = [r for r in result.removals if r.category == "near-repeat"]
    assert [r.lines[0] for r in repeats] == list(range(22, 38))
    assert [r.duplicate_of.lines[0] for r in repeats] == list(range(6, 22))
    assert [r.lines[0] for r in near] == [2, 3, 4]


def test_every_reference_points_at_a_kept_block_in_the_samples():
    for path in sorted(SAMPLES.iterdir()):
        text = path.read_text(encoding="utf-8")
        result, _ = clean_document(Document(path.name, text), Config())
        removed = {tuple(r.lines) for r in result.removals}
        for r in result.removals:
            if r.duplicate_of is not None:
                assert tuple(r.duplicate_of.lines) not in removed, (path.name, r)


def _settled(doc_id: str, text: str, findings: list[Finding]) -> dict[int, Finding]:
    """The findings that remove each block of a text (by block), as pass 2 decides and settles them."""
    blocks = segment(text)
    spans = [b.lines for b in blocks]
    done = cut_found(doc_id, text, found_of(findings), spans, [0] * len(spans), Config(), records=True)
    return {spans.index(r.lines): Finding(spans.index(r.lines), r.category, r.detector, r.score, r.duplicate_of)
            for r in done.removals}


def test_a_repeat_of_a_block_removed_for_another_reason_takes_that_reason():
    text = "Photo: Reuters caption of the mayor\n\nBody text\n\nPhoto: Reuters caption of the mayor\n"
    chosen = [
        Finding(0, "chrome:caption", "chrome:rule:caption", 0.9),
        Finding(2, "repeat", "repeat:exact", 1.0, Ref("d.txt", (1, 1)), "repeat of line 1"),
    ]
    settled = _settled("d.txt", text, chosen)
    assert settled[2] == Finding(2, "chrome:caption", "chrome:rule:caption", 0.9)
    assert settled[0] == chosen[0]


def test_a_chain_of_references_is_followed_to_a_kept_block():
    text = "a\n\nb\n\nc\n\nd\n"
    chosen = [
        Finding(1, "near-repeat", "near-repeat:containment", 0.9, Ref("d.txt", (7, 7))),
        Finding(2, "repeat", "repeat:exact", 1.0, Ref("d.txt", (3, 3))),
    ]
    settled = _settled("d.txt", text, chosen)
    assert settled[2] == Finding(2, "near-repeat", "near-repeat:containment", 0.9, Ref("d.txt", (7, 7)))
    # references to other files are left alone
    other = [Finding(0, "corpus-repeat", "corpus", 0.5, Ref("other.txt", (1, 1)))]
    assert _settled("d.txt", text, other) == {0: other[0]}


def test_find_repeats_on_raw_blocks():
    blocks = [Block(i, i + 1, i + 1, t) for i, t in enumerate([P1, "Note", P1, "Note"])]
    findings = find_repeats("d.txt", blocks, sign_blocks(blocks, 3), REPEATS_ONLY)
    # "Note" alone is too short, but it follows a repeated block in both places: part of the run
    assert [(f.block, f.duplicate_of.lines, f.note) for f in findings] == [
        (2, (1, 1), "repeat of line 1"),
        (3, (2, 2), "repeat of line 2"),
    ]


def test_a_raw_copy_of_the_whole_article_goes_and_its_paragraphs_stay():
    # Scraped pages sometimes carry the article a second time as one line of HTML or Markdown.
    blob = f"<h1>Council backs bike lanes</h1> <p>{P1}</p> <p>{P2}</p> <p>{P3}</p>"
    removals, kept = run(["Council backs bike lanes", P1, P2, P3, blob])
    assert [(r.lines, r.category, r.detector, r.duplicate_of.lines) for r in removals] == [
        ((9, 9), "near-repeat", "near-repeat:composite", (3, 3))
    ]
    assert kept == ["Council backs bike lanes", P1, P2, P3]


def test_a_teaser_made_of_the_headline_and_the_lede_goes():
    headline = "Council votes to expand the bike lane network across the city"
    teaser = headline + " " + P1
    removals, kept = run([teaser, headline, P1, P2], REPEATS_ONLY)
    assert [(r.lines, r.detector, r.duplicate_of.lines) for r in removals] == [((1, 1), "near-repeat:composite", (5, 5))]
    assert kept == [headline, P1, P2]


def test_variants_of_one_line_are_not_a_composite():
    variants = [f"Average cost of house cleaning services in {city} this year" for city in ("San Diego", "San Jose", "Fresno")]
    removals, _ = run(variants)
    assert all(r.detector != "near-repeat:composite" for r in removals)


def test_a_paragraph_containing_one_highlight_is_not_a_composite():
    bullet = "- Critics argued that the loss of parking spaces would hurt the shops,"
    p2 = P2.replace("would drive customers to the shopping centres outside town", "would hurt the shops")
    removals, kept = run([bullet, P1, p2])
    assert [(r.lines, r.detector) for r in removals] == [((1, 1), "near-repeat:containment")]


def test_a_block_that_goes_for_another_reason_is_no_reference_but_may_still_repeat_one():
    head = "Council votes to expand the bike lane network by forty kilometres"
    blocks = [Block(i, i + 1, i + 1, t) for i, t in enumerate(
        [head + " - Example News", head, "Home » " + head, P1]
    )]
    sigs = sign_blocks(blocks, 3)
    # Against the longest copy, both shorter ones are near repeats of it.
    assert [(f.block, f.duplicate_of.lines) for f in near_repeats("d.txt", blocks, sigs, {}, REPEATS_ONLY)] == [
        (2, (1, 1)), (1, (1, 1))
    ]
    # Once it goes (as chrome), the cleaned text holds the other two: the shorter repeats the longer.
    found = near_repeats("d.txt", blocks, sigs, {}, REPEATS_ONLY, gone=frozenset({0}))
    assert [(f.block, f.duplicate_of.lines) for f in found] == [(1, (3, 3))]
    # A block that goes may itself still be found repeating a kept one.
    found = near_repeats("d.txt", blocks, sigs, {}, REPEATS_ONLY, gone=frozenset({1}))
    assert sorted((f.block, f.duplicate_of.lines) for f in found) == [(1, (1, 1)), (2, (1, 1))]


def _shared_counts(sigs, eligible: list[int]) -> dict[tuple[int, int], int]:
    """Shingles each pair of eligible blocks shares, by the core's pair counting (`repeats::shared_counts`, which
    the near-repeat detector runs on its eligible blocks), pairs as block indexes."""
    from dedupe import _core
    from dedupe.detect.repeats import MAX_POSTING

    shingles = [sigs[i].shingles for i in eligible]
    ends = np.cumsum([len(s) for s in shingles], dtype=np.int64)
    joined = np.concatenate(shingles) if shingles else np.empty(0, np.uint64)
    low, high, shared = _core.shared_counts(joined.astype(np.uint64).tobytes(), ends.tobytes(), MAX_POSTING)
    return {(eligible[a], eligible[b]): n for a, b, n in zip(low, high, shared)}


def test_shared_shingles_are_counted_for_every_pair_of_blocks_that_hold_them():
    """A phrase in three blocks counts once for each of the three pairs; one in two blocks for that pair only."""
    texts = ["red green blue one two", "red green blue three four", "red green blue one two five"]
    blocks = [Block(i, i + 1, i + 1, t) for i, t in enumerate(texts)]
    sigs = sign_blocks(blocks, 3)
    assert _shared_counts(sigs, [0, 1, 2]) == {(0, 1): 1, (0, 2): 3, (1, 2): 1}
    assert _shared_counts(sigs, [1, 2]) == {(1, 2): 1}
    assert _shared_counts(sigs, [0]) == {}


def test_shared_shingles_are_counted_as_the_blocks_shingle_sets_say():
    """Against a plain count over the blocks' shingle sets, on blocks drawn from a small vocabulary (so that many
    pairs share shingles), with a stock phrase in more blocks than MAX_POSTING (it counts for no pair)."""
    import random

    from dedupe.detect.repeats import MAX_POSTING

    rng = random.Random(7)
    vocabulary = "red green blue one two three four five six".split()
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randrange(1, 12))) for _ in range(40)]
    texts += [f"stock phrase here {i}" for i in range(MAX_POSTING + 1)]
    sigs = sign_blocks([Block(i, i + 1, i + 1, t) for i, t in enumerate(texts)], 3)
    sets = [set(s.shingles.tolist()) for s in sigs]
    holders: dict[int, int] = {}
    for s in sets:
        for h in s:
            holders[h] = holders.get(h, 0) + 1
    for eligible in (list(range(len(texts))), sorted(rng.sample(range(len(texts)), 30)), [3, 9]):
        expected = {}
        for x, a in enumerate(eligible):
            for b in eligible[x + 1 :]:
                stock = sum(1 for h in sets[a] & sets[b] if sum(h in sets[i] for i in eligible) > MAX_POSTING)
                if len(sets[a] & sets[b]) - stock:
                    expected[(a, b)] = len(sets[a] & sets[b]) - stock
        got = _shared_counts(sigs, eligible)
        assert got == expected
        # In the order the pairs are first met: by their lowest shared shingle (not a stock one), then pair.
        posted = {h for h in holders if sum(h in sets[i] for i in eligible) <= MAX_POSTING}
        assert list(got) == sorted(expected, key=lambda p: (min(sets[p[0]] & sets[p[1]] & posted), p))


def test_a_finding_is_a_frozen_record_equal_by_its_fields():
    """Findings are made by the thousand, by a faster constructor than the dataclass's own: still a frozen record."""
    import dataclasses
    import inspect
    import pickle

    f = Finding(3, "repeat", "repeat:exact", 1.0, Ref("a.txt", (1, 2)), "repeat of lines 1-2")
    assert f == Finding(block=3, category="repeat", detector="repeat:exact", score=1.0,
                        duplicate_of=Ref("a.txt", (1, 2)), note="repeat of lines 1-2")
    assert hash(f) == hash(pickle.loads(pickle.dumps(f))) and pickle.loads(pickle.dumps(f)) == f
    assert Finding(3, "chrome:legal", "chrome:rule:legal", 0.9).note == "" and Finding(3, "x", "y", 0.5).duplicate_of is None
    assert dataclasses.replace(f, note="other") == Finding(3, "repeat", "repeat:exact", 1.0, Ref("a.txt", (1, 2)), "other")
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.block = 4
    # Its hand-written constructor takes every field, in order, with the dataclass's defaults.
    params = inspect.signature(Finding).parameters
    assert [(p.name, p.default) for p in params.values()] == [
        (x.name, inspect.Parameter.empty if x.default is dataclasses.MISSING else x.default)
        for x in dataclasses.fields(Finding)
    ]


def test_blocks_that_share_a_phrase_but_are_not_alike_are_no_near_repeats():
    shared = " and the council will publish a map of the remaining routes"
    removals, kept = run([P1 + shared, P2 + shared])
    assert removals == [] and len(kept) == 2


def test_a_recurring_list_item_goes_when_its_first_occurrence_goes_as_a_near_repeat():
    # A highlight bullet that nearly repeats the body paragraph, listed twice: the first goes as a near repeat,
    # so the second (spared as a recurring list item) would be a near repeat on the cleaned text, and a second
    # run would remove it. Both go in the first run, and cleaning the copy again removes nothing.
    bullet = "- " + P1[: P1.index(", despite")] + ","
    removals, kept = run([bullet, P1, bullet], sep="\n")
    assert removed_lines(removals) == [(1, 1), (3, 3)]
    assert kept == [P1]
    again, _ = run(kept, sep="\n")
    assert again == []


def test_code_shown_again_stays_but_a_section_pasted_twice_in_order_goes():
    code = ["for (let i = 0; i < items.length; i++) {", "  total += items[i].price * items[i].count;", "}"]
    again = ["const total = sum(items.map((x) => x.price));"]
    # one snippet shown a second time, between prose: content
    removals, _ = run([P1, again[0], P2, again[0], P3])
    assert removed_lines(removals) == []
    # a section of three blocks pasted twice, in order: a copy
    removals, _ = run([P1, *code, P2, *code, P3])
    assert removed_lines(removals) == [(11, 11), (13, 13), (15, 15)]


def test_a_listing_pasted_again_goes_whole_whichever_of_its_lines_occurred_alone_before():
    # A tutorial shows a function, then a second version with two more lines, then the second version again in
    # full. The full listing repeats the second version in order; some of its lines occurred first in the first
    # version. Runs read on first occurrences broke on those lines and spared the rest as snippets; cleaned
    # again, with their neighbours cut, the spared lines made a run and went (bennadel.com 0476, webpages-dev).
    head = ["private string function stringAppendIf( required string base,", "  string token = \"\", // the token",
            "  var parts = listToArray( base, delimiter );"]
    tail = ["  string delimiter = \", \" // what goes between", "  if ( ! token.len() ) { return base; }"]
    extra = ["  string formattedToken = \"\", // the token as shown", "  return \"#base##delimiter##formattedToken#\";"]
    first = head + tail
    second = head + extra[:1] + tail + extra[1:]
    removals, kept = run([P1, *first, P2, *second, P3, *second, P4])
    listing = 1 + len(first) + 1 + len(second) + 1  # blocks before the listing (one a line, blank between)
    assert {r.lines[0] for r in removals} >= {2 * (listing + i) + 1 for i in range(len(second))}
    again, _ = run(kept)
    assert again == []


def test_the_cores_repeat_detectors_refuse_ragged_columns_and_survive_odd_ones():
    """Columns of different lengths are the caller's error, said as such; shingle counts past the shingles
    there are, or a block index past the blocks, are read as what there is: no panic, no dead process."""
    from dedupe import _core
    from dedupe.detect.repeats import _params

    params = _params(Config())
    u64 = lambda *v: np.array(v, dtype="<u8").tobytes()  # noqa: E731
    i64 = lambda *v: np.array(v, dtype="<i8").tobytes()  # noqa: E731
    with pytest.raises(ValueError, match="one of each per block"):
        _core.find_repeats(["a", "b"], u64(1), i64(9, 9), b"", i64(0, 0), [2], [True], params)
    with pytest.raises(ValueError, match="add up to the blocks"):
        _core.find_repeats(["a"], u64(1), i64(9), b"", i64(0), [2], [True], params)
    # Two blocks alike, the second's shingles running past the end: an exact repeat, and no panic.
    found = _core.find_repeats(["a", "a"], u64(5, 5), i64(9, 9), u64(1, 2), i64(2, 40), [2], [True], params)
    assert found == [([(1, 0)], [])]
    assert _core.find_repeats(["a", "b"], u64(5, 6), i64(9, 9), u64(1, 2), i64(1, 1), [2], [True], params,
                              ([7], [1 << 40])) == [None]
