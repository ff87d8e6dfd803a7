"""Random inputs through the compiled core's entry points: no panic, no crash, every output line an input line.

The suite runs a few hundred examples per entry point; the full run is this file as a script:

    .venv/bin/python tests/test_core_fuzz.py --examples 20000     # 26 properties and stat_files on 1 in 20: 521,000 inputs
    .venv/bin/python tests/test_core_fuzz.py --phrases 20000      # the phrase rules on their own patterns' texts
"""
from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import unicodedata
from array import array

import numpy as np
import xxhash

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe import _core, sign
from dedupe.cut import Claim, _columns, cut, cut_claimed, diff_str, finish_args
from dedupe.decide import found_of
from dedupe.records import Finding, Ref
from dedupe.text import quote_path
from dedupe.detect import chrome
from dedupe.segment import segment, segment_batch, split_lines
from dedupe.config import Config
from dedupe.formats.text import decode
from dedupe.detect import repeats
from dedupe.records import Block
from helpers import (brotli_stored, reference_block_classes, reference_block_row, reference_decisions,
                     reference_ends_sentence, reference_has_stamp, reference_link_bar)
import reference_chrome
import reference_pagetype
import reference_repeats

#: Characters the segmenter treats specially (white space of every kind, bullets, digits of several
#: scripts, closing punctuation, a lone surrogate), mixed into otherwise random text.
_SPECIAL = "\n\n\n \t\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000-*•·>+().)abcZ019\u0966\u0967\uff11:;\"”’]!?\ud800\udfff"
_LINE = st.text(st.sampled_from(_SPECIAL) | st.characters(), max_size=120)
_TEXT = st.lists(_LINE, max_size=12).map("\n".join) | st.text(max_size=400)
_BATCH = st.lists(_TEXT, max_size=5)
_HASHER = sign.MinHasher(32, 1)


def check_segment_batch(texts: list[str]) -> None:
    """Each text's blocks cover its non-blank lines in order, once each, and hold exactly those lines."""
    for text, blocks in zip(texts, segment_batch(texts), strict=True):
        lines = [line.strip() for line in text.split("\n")]
        covered = []
        for i, b in enumerate(blocks):
            assert b.index == i and 1 <= b.first_line <= b.last_line <= len(lines)
            span = lines[b.first_line - 1 : b.last_line]
            assert all(span) and b.text == " ".join(span)
            covered.extend(range(b.first_line, b.last_line + 1))
        assert covered == [n for n, line in enumerate(lines, 1) if line]
    # The same texts as their UTF-8 bytes (pass 1 hands over a text file's so), where they have them: the same
    # blocks, and each text's lines counted as the pipeline counts them.
    plain = [t for t in texts if not _SURROGATE.search(t)]
    from_str, from_bytes = _core.segment_batch(plain), _core.segment_batch([t.encode() for t in plain])
    assert from_str == from_bytes
    assert from_str[5] == [t.count("\n") + (not t.endswith("\n") if t else 0) for t in plain]


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_sign_batch(texts: list[str]) -> None:
    """Every block signed: its normalized text is Python's NFKC, casefold and [\\W_]+ of it; words, word
    hashes, shingles and the hash agree with it."""
    blocks = segment_batch(texts)
    signed = sign.sign_texts(blocks, 3)
    for found, s in zip(blocks, signed, strict=True):
        assert len(s.norms) == len(found) and int(s.lengths.sum()) == len(s.tokens)
        for block, norm, sig in zip(found, s.norms, s.sigs):
            assert norm == re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", block.text).casefold()).strip()
            assert sig.n_words == len(norm.split()) and sig.hash == xxhash.xxh3_64_intdigest(norm.encode())
            assert sig.shingles.tolist() == sorted(set(sign.combine(sign.token_hashes(norm), 3).tolist()))
    # Block keys: per document its text keys (exact, then numbers folded as \d+ -> 0 when that changes the
    # text and a letter is left) block by block, then 32 // 4 = 8 band keys per block of 2 to 30 words.
    for s, (keys, owner, kind) in zip(signed, sign.block_keys(signed, _HASHER, 4, 2, 30)):
        expected = []
        for i, (norm, sig) in enumerate(zip(s.norms, s.sigs)):
            if 0 < sig.n_words <= 30:
                expected.append((0, i, sig.hash ^ 0x9E3779B97F4A7C15))
                folded = re.sub(r"\d+", "0", norm)
                if folded != norm and any(map(str.isalpha, folded)):
                    expected.append((1, i, xxhash.xxh3_64_intdigest(folded.encode()) ^ 0xC2B2AE3D27D4EB4F))
        bands = [i for i, sig in enumerate(s.sigs) for _ in range(8) if 2 <= sig.n_words <= 30]
        got = list(zip(kind.tolist(), owner.tolist(), keys.tolist()))
        assert got[: len(expected)] == expected and [(k, o) for k, o, _ in got[len(expected):]] == [(2, i) for i in bands]


def check_windows(lengths: list[int], k: int) -> None:
    """Shingles of groups never cross a group, and a short group is one shingle of all its words."""
    th = np.arange(sum(lengths), dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    starts = np.cumsum([0, *lengths])[:-1]
    hashes, owner = sign._windows(th, starts, np.array(lengths), k)
    expected = [(g, sign.combine(th[s : s + n], k).tolist()) for g, (s, n) in enumerate(zip(starts, lengths)) if n]
    full = [(g, h) for g, hs in expected if len(hs) and lengths[g] >= k for h in hs]
    short = [(g, hs[0]) for g, hs in expected if lengths[g] < k]
    assert list(zip(owner.tolist(), hashes.tolist())) == full + short


def check_minhash_groups(words: list[list[int]], k: int) -> None:
    """Each group's signature is the signature of the distinct top 32 bits of its own shingles."""
    hasher = sign.MinHasher(16, 1)
    th = np.array([w for group in words for w in group], dtype=np.uint64)
    sigs, counts = hasher.groups(th, np.array([len(g) for g in words]), k)
    for group, sig, count in zip(words, sigs, counts):
        base = np.unique((sign.combine(np.array(group, dtype=np.uint64), k) >> np.uint64(32)).astype(np.uint32))
        assert count == len(base) and np.array_equal(sig, hasher.signature(base))


def check_block_features(texts: list[str], n_words: list[int]) -> None:
    """The chrome step's block rows (the core's features, then the rule) are their definition, block by block;
    the words it reads come from the block's own text."""
    for text, k, row in zip(texts, n_words, chrome._blocks(texts, n_words), strict=True):
        assert row == reference_block_row(text, k), (text, k)
    # The families the trigger strings name, read in one pass over each block: those of every trigger it holds.
    masks = chrome.LEXICON.features(texts, n_words)[8] if texts else []
    for text, mask in zip(texts, masks, strict=True):
        want = 0
        for t, m in _TRIGGERS.items():
            if t in text:
                want |= m
        assert mask == want, text


def _trigger_masks() -> dict[str, int]:
    """Each trigger string of the chrome families, with the mask of the families it names (as chrome.py hands
    them to the core)."""
    masks: dict[str, int] = {}
    for i, triggers in chrome.MATCHER.by_char:
        for t in triggers:
            masks[t] = masks.get(t, 0) | 1 << i
    return masks


_TRIGGERS = _trigger_masks()


def _trigger_text(rng: random.Random) -> str:
    """Random text thick with trigger strings, their pieces and the code characters (a first character without
    the rest, a trigger cut by another, one in a multi-byte neighbourhood)."""
    return "".join(rng.choice(_PIECES) if rng.random() < 0.7 else _random_text(rng)[:4]
                   for _ in range(rng.randrange(0, 40)))


_PIECES = [*_TRIGGERS, *(t[:1] for t in _TRIGGERS), *chrome.CODE_CHARS, "é", "日本", " ", "\n", "a"]
_TRIGGER_TEXT = st.lists(st.sampled_from(_PIECES) | st.characters(), max_size=40).map("".join)


#: Characters where PCRE2's own reading of a pattern would differ from Python's `re` (a combining mark, a
#: superscript digit, a connector, a joiner, information separators and NEL as white space, characters that
#: fold to another case), and what a block's edges hold (a newline, a closing quote). Not the Turkish dotted
#: capital I, the one character the two read differently (phrases.rs).
_EXOTIC = ["\u0301", "\u00b2", "\u203f", "\u200d", "\x1c", "\x1f", "\x85", "\u212a", "\u017f", "\u0131",
           "ß", "\u1e9e", "\n", "\u00a0", "\u3000", "_", "’", "\u24b6", "\u3192", "é", "日", ".", "!", "?", " "]


def _mutated(rng: random.Random, text: str) -> str:
    """text with a few characters inserted, replaced or changed in case (or none)."""
    chars = list(text)
    for _ in range(rng.randrange(0, 4)):
        at = rng.randrange(len(chars) + 1)
        roll = rng.random()
        if roll < 0.5:
            chars.insert(at, rng.choice(_EXOTIC))
        elif roll < 0.75 and at < len(chars):
            chars[at] = rng.choice(_EXOTIC)
        elif at < len(chars):
            chars[at] = chars[at].swapcase()
    return "".join(chars)


#: Texts each family's phrasing matches (drawn by hypothesis from the pattern itself, as Python's `re` reads
#: it), then mutated where the two engines' readings could part: the phrase rules through the core against
#: their definition in `re` (helpers.reference_family).
_PHRASE_TEXT = st.tuples(
    st.sampled_from([p for f in chrome.FAMILIES for p in f.patterns]).flatmap(
        lambda p: st.from_regex(re.compile(p, re.IGNORECASE))),
    st.randoms(use_true_random=False)).map(lambda pair: _mutated(pair[1], pair[0]))


#: Characters a bar of links or a sentence end is made of (separators with and without spaces, unspaced scripts,
#: clause marks, a colon before a digit and before a letter, closers), mixed into random text for the classes.
_BAR = " | ｜ - – — » > / · • ・ 首页 新闻 ニュース ไทย Home News a1 :3 : ， 。 ！ , ; . ? … ) ” 」 \u3000 \x1c _ ¹ ② ٣ \ud800"
_BAR_TEXT = st.lists(st.sampled_from(_BAR.split(" ")) | st.characters() | st.just(" "), max_size=40).map("".join)
_WEAK = next(f for f in chrome.FAMILIES if f.weak)
_STRONG = next(f for f in chrome.FAMILIES if not f.weak)


def check_block_classes(texts: list[str], features: list[tuple], kept: list[bool] | None, hashes: list[int] | None,
                        unspaced_page: bool) -> None:
    """The block classes of a page (random features and texts) are their plain Python definition, with and
    without the kept blocks and the text hashes; so are a bar of links and a sentence end, line by line, and the
    sentence ends of the page's lines in one call."""
    rows = [(0, *f[:7], (None, _WEAK, _STRONG)[f[7]]) for f in features]
    order = None if kept is None else [k for k, keep in enumerate(kept) if keep]
    assert chrome.block_classes(rows, texts, order, hashes) == reference_block_classes(rows, texts, order, hashes)
    for text in texts:
        assert chrome.link_bar(text, unspaced_page) == reference_link_bar(text, unspaced_page), text
        assert chrome.ends_sentence(text) == reference_ends_sentence(text), text
    assert chrome.ends_sentences(texts) == [reference_ends_sentence(text) for text in texts]


def _page(n: int, features, flags) -> st.SearchStrategy:
    """n block texts and their features (size, words, stop, capitalised, terminal, code, unspaced, named), kept
    flags or None, text hashes or None."""
    return st.tuples(st.lists(_BAR_TEXT, min_size=n, max_size=n), st.lists(features, min_size=n, max_size=n),
                     st.none() | st.lists(st.booleans(), min_size=n, max_size=n),
                     st.none() | st.lists(st.integers(0, 3), min_size=n, max_size=n), flags)


_FEATURES = st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40), st.integers(0, 40), st.booleans(),
                      st.integers(0, 12), st.booleans(), st.integers(0, 2))


#: What dates and times are made of (digits of several scripts, the centuries, separators, day suffixes, month
#: words of 2 to 12 characters, white space of every kind, word and non-word neighbours).
_STAMP = ("1 2 8 9 0 18 19 20 2024 05 7 ١ ٢ ０ ² - / . : , 年 月 日 st nd rd th Oct Mar. March Sept. ab abcdefghij "
          "abcdefghijk abcdefghij., x _ ( ) \u3000 \x1c \u00a0 \n").split(" ") + [" ", " ", " "]
_STAMP_TEXT = st.lists(st.sampled_from(_STAMP) | st.characters(), max_size=24).map("".join)


def _stamp_text(rng: random.Random) -> str:
    """Pieces of dates: runs of digits (of several scripts, a century first half the time), separators, white
    space, words of 1 to 13 characters (some ending in a full stop or a comma), day suffixes, random characters."""
    def piece() -> str:
        r = rng.random()
        if r < 0.35:
            digits = "".join(rng.choice("0123456789" if rng.random() < 0.9 else "١٢０²") for _ in range(rng.randrange(1, 5)))
            return rng.choice(("18", "19", "20", "")) + digits if rng.random() < 0.5 else digits
        if r < 0.55:
            return rng.choice(" -/.:,年月日()_")
        if r < 0.7:
            return rng.choice((" ", "  ", "\u3000", "\x1c", "\n"))
        if r < 0.85:
            return "".join(rng.choice("abcO.,") for _ in range(rng.randrange(1, 14)))
        if r < 0.93:
            return rng.choice(("st", "nd", "rd", "th"))
        return _random_text(rng)[:2]
    if rng.random() < 0.5:
        return "".join(piece() for _ in range(rng.randrange(0, 14)))
    # A date or a time with a few characters changed, inserted or dropped, amid pieces.
    chars = list(rng.choice(_DATES))
    for _ in range(rng.randrange(0, 4)):
        at = rng.randrange(len(chars) + 1)
        mutation = rng.random()
        if mutation < 0.4 and at < len(chars):
            del chars[at]
        elif mutation < 0.7 and at < len(chars):
            chars[at] = piece()[:1] or " "
        else:
            chars.insert(at, piece()[:1] or "1")
    return piece() + "".join(chars) + piece()


_DATES = ("2024-01-05", "1999/1/ 5", "05/01/2024", "5.1.24", "09:14", "Oct 17, 2010", "17 Oct 2010", "2019年2月23日",
          "3rd March, 2019", "Mar. 3rd 2019", "10.10.1.10", "abcdefghij., 1st 1899", "Sept. 30th, 2001")


def check_has_stamp(text: str) -> None:
    """A date or a time in digits is found where Python's `re` found one, and only there."""
    assert _core.has_stamp(text) == reference_has_stamp(text), text


#: What the page kind reads of a block: code's symbols and shapes, quotes around `${...}`, labels before a colon
#: (of several scripts, a digit first), digits of several scripts and the separators of numbers, the capital sigma
#: and what the Final_Sigma rule skips or reads around it (an apostrophe, a combining mark), İ, the texts "rule" and
#: "label" (which the former tuples compared equal to a rule's and a label's tokens), dates.
_CODE = ("{ } [ ] ( ) < > ; = $ # \\ | & * ` \" ' ${ ${x} => -> :: == != // /* -- a_1 f x Z 9 _ : ： Price "
         "价格 ١ ٢ ０ 12 3.5 1,000 . , Σ ΑΣ σ ς ' \u0301 İ ß Rule rule label Label 2024-01-05 09:14 \u3000 \x1c \n").split(" ") \
    + [" ", " ", " ", " "]
_CODE_TEXT = st.lists(st.sampled_from(_CODE) | st.characters(), max_size=24).map("".join)


def _surrogates_as_fffd(text: str) -> str:
    """A text as the core reads it: a lone surrogate (a JSON escape) is one U+FFFD (see `chars::one_char_per_surrogate`)."""
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def check_block_code(text: str) -> None:
    """Code, quoted interpolation and the folded text of a block, as pagetype.py's regular expressions read them."""
    ref = _surrogates_as_fffd(text)
    assert _core.looks_like_code(text) == reference_pagetype.looks_like_code(ref), text
    assert _core.holds_code(text) == reference_pagetype.holds_code(ref), text
    assert _core.folded(text) == reference_pagetype.folded(ref), text


def check_page_type(texts: list[str], sizes: list[int], prose: list[bool], named: list[bool]) -> None:
    """A page's kind and counts, and its runs of items, as pagetype.py decided them."""
    ref = list(map(_surrogates_as_fffd, texts))
    assert _core.item_runs(texts, sizes, prose, named) == reference_pagetype.item_runs(ref, sizes, prose, named), \
        (texts, sizes, prose, named)
    assert _core.card_runs(texts, sizes, prose, named) == reference_pagetype.card_runs(ref, sizes, prose, named), \
        (texts, sizes, prose, named)
    page = reference_pagetype.page_type(ref, sizes, prose)
    assert _core.page_type(texts, sizes, prose) == (page.kind, page.posts, page.code, page.items, page.prose_share), \
        (texts, sizes, prose)


def _page_of(pool: list[str]) -> st.SearchStrategy:
    """Pages of 0 to 40 blocks drawn from a few texts (so that they recur, as list items' fields do), with sizes,
    prose flags and named flags."""
    return st.integers(0, 40).flatmap(lambda n: st.tuples(
        st.lists(st.sampled_from(pool), min_size=n, max_size=n), st.lists(st.integers(0, 45), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n), st.lists(st.booleans(), min_size=n, max_size=n)))


_PAGE = st.lists(_CODE_TEXT, min_size=1, max_size=6).flatmap(_page_of)


def _code_text(rng: random.Random) -> str:
    """Pieces of code, labels, numbers and sigmas, with random characters among them."""
    return "".join(rng.choice(_CODE) if rng.random() < 0.8 else _random_text(rng)[:2]
                   for _ in range(rng.randrange(0, 24)))


#: Blocks the gates on repeats read: list items and table rows (markers of several kinds, digits of several
#: scripts), code, fields ("label: value", a full-width colon, a marker first), lead-ins, short labels, prose.
_GATE_TEXTS = ["- Reply", "• a long list item of the terms under each offer here", "1. step", "١٢) x", "1234. no",
               "| a | b |", "–  dash", "x = f(1);", "if (a) {", "Warranty: 1 year", "Warranty: 2 years", "warranty: 1",
               "- Price：12", "Price：13", "Note:", "Why we chose this school", "Day 1 to 3", "a paragraph of prose.",
               "", "  ", "* * *", "Re: subject", "ΑΣ: x", "ας: y", "Time:10"]


def check_keep_content(texts: list[str], n_words: list[int], hashes: list[int], found: list[tuple[int, int, bool]],
                       kind: str, whole_page: bool) -> None:
    """The repeats the gates leave (`repeats::content::keep_content`), as repeats.py and detect/__init__.py left them."""
    blocks = [Block(k, k + 1, k + 1, t) for k, t in enumerate(texts)]
    sigs = [reference_repeats.GateSig(h, w) for h, w in zip(hashes, n_words)]
    exact = [(b, o) for b, o, e in found if e]
    near = [(b, o) for b, o, e in found if not e]
    findings = [Finding(b, "repeat", "repeat:exact", 1.0, Ref("d", blocks[o].lines), "") for b, o in exact] + \
        [Finding(b, "near-repeat", "near-repeat:jaccard", 0.9, Ref("d", blocks[o].lines), "") for b, o in near]
    expected = reference_repeats.keep_content(findings, blocks, sigs, kind, whole_page)
    keep = _core.keep_content(exact, near, texts, hashes, n_words, kind, whole_page)
    assert [f for f, k in zip(findings, keep) if k] == expected, (texts, n_words, hashes, found, kind, whole_page)
    assert [_core.list_item(t) for t in texts] == [reference_repeats._list_item(t) for t in texts], texts
    # (the run of copied blocks the Python gates also read, by hashes and None for blocks without words)
    keys = [h if w else None for h, w in zip(hashes, n_words)]
    assert set(_core.copied_runs(keys, sorted({b for b, _, _ in found}))) == \
        reference_repeats.copied_runs(keys, {b for b, _, _ in found}), (keys, found)


def _gate_page(rng: random.Random) -> tuple:
    """A page of blocks drawn from `_GATE_TEXTS` and random code-like texts, each text one hash (its words drawn
    once), with some blocks repeating others (exact ones an earlier block), a kind and a whole-page flag."""
    pool = [rng.choice(_GATE_TEXTS) if rng.random() < 0.8 else _code_text(rng) for _ in range(rng.randrange(1, 8))]
    n = rng.randrange(0, 30)
    texts = [rng.choice(pool) for _ in range(n)]
    words = {t: rng.choice((0, 1, 2, 3, 8, 9, 16, 17)) for t in pool}
    found = []
    for k in range(1, n):
        if rng.random() < 0.5:
            exact = rng.random() < 0.7
            of = rng.randrange(k) if exact else rng.choice([j for j in range(n) if j != k])
            found.append((k, of, exact))
    found.sort(key=lambda f: not f[2])  # (exact ones first, as the core gives them)
    return (texts, [words[t] for t in texts], [pool.index(t) * 7919 for t in texts], found,
            rng.choice(("article", "thread", "docs", "listing", "other")), rng.random() < 0.5)


def check_shared_counts(blocks: list[list[int]], max_posting: int) -> None:
    """Pairs of blocks and the shingles they share, as a Counter over every pair of each shingle's holders (in
    order of shingle, then of pair) counts them; a shingle in more than max_posting blocks counts for none."""
    from collections import Counter
    from itertools import combinations

    keys = [h for b in blocks for h in b]
    ends = np.cumsum([len(b) for b in blocks], dtype=np.int64)
    low, high, shared = _core.shared_counts(np.array(keys, dtype=np.uint64).tobytes(), ends.tobytes(), max_posting)
    holders: dict[int, list[int]] = {}
    for i, b in enumerate(blocks):
        for h in b:
            holders.setdefault(h, []).append(i)
    expected = Counter(pair for h in sorted(holders) if 2 <= len(holders[h]) <= max_posting
                       for pair in combinations(holders[h], 2))
    assert list(zip(zip(low, high), shared)) == list(expected.items())


#: Settings the repeat detectors read, at their defaults and at the edges of their ranges.
_REPEAT_CONFIGS = [Config(), Config(min_repeat_words=1, min_near_words=2, near_threshold=0.1, containment_threshold=0.1,
                                    composite_coverage=0.1),
                   Config(min_repeat_words=3, min_near_words=3, near_threshold=0.5, containment_threshold=0.6,
                          composite_coverage=0.7), Config(near_threshold=1.0, containment_threshold=1.0,
                                                          composite_coverage=1.0)]
#: Texts of blocks without words: a separator, the same with other white space around it, another one.
_WORDLESS = ["* * *", " * * *\x1c", "\u3000* * *\xa0", "---", "", " "]


def check_repeats(spec: list[tuple[int, int, list[int]]], config: int, exact: list[int], gone: list[int]) -> None:
    """The core's exact, near and composite repeats equal the Python detectors' (tests/reference_repeats.py),
    finding for finding (block, detector, score, reference, note), on whole pages and extracted text; and so
    do its near repeats given other exact repeats and blocks that go as chrome.

    spec: per block (hash draw, words, shingles); a block without words has no shingles and one of the
    `_WORDLESS` texts. Few hashes and shingle values, so that repeats, runs and overlaps are common."""
    blocks, sigs = [], []
    for i, (h, n_words, shingles) in enumerate(spec):
        if n_words == 0:
            text, shingles, h = _WORDLESS[h % len(_WORDLESS)], [], 99
        else:
            text = f"block {h}"
        blocks.append(Block(i, 2 * i + 1, 2 * i + 1 + h % 2, text))
        sigs.append(sign.BlockSig.of("", n_words, np.array(sorted(set(shingles)), dtype=np.uint64), h))
    cfg = _REPEAT_CONFIGS[config % len(_REPEAT_CONFIGS)]

    def seen(findings):
        return [(f.block, f.category, f.detector, f.score, f.duplicate_of, f.note) for f in findings]

    for whole in (True, False):
        assert seen(repeats.find_repeats("d", blocks, sigs, cfg, whole)) == seen(
            reference_repeats.find_repeats("d", blocks, sigs, cfg, whole)), (spec, config, whole)
    exact_of = {i: j for i, j in zip(exact, gone) if j < i < len(blocks)}
    assert seen(repeats.near_repeats("d", blocks, sigs, exact_of, cfg, frozenset(gone))) == seen(
        reference_repeats.near_repeats("d", blocks, sigs, exact_of, cfg, frozenset(gone))), (spec, config)


_CATEGORIES = ["repeat", "near-repeat", "corpus-repeat", "chrome:credits", "duplicate-document"]
_SCORES = [1.0, 0.5, 0.03125, 1e-7, 1e17, math.nan, math.inf, -0.0, 3, True]


def _claims(n_lines: int, spec: list[tuple[int, int, int, int, int]]) -> list[Claim]:
    """Claims over a text of n_lines lines from random integers: spans mostly inside it, a few outside."""
    out = []
    for first, length, cat, score, ref in spec:
        first = first % (n_lines + 2)
        lines = (first, max(first + length % 4 - (length % 7 == 6) * 3, 0))  # last before first, at times
        dup = None if ref % 3 == 0 else Ref(["d.txt", "o\n\"ther\".txt"][ref % 2], (ref % 5, ref % 9), "r" * (ref % 2))
        out.append(Claim(lines, _CATEGORIES[cat % 5], f"det:{cat}", _SCORES[score % len(_SCORES)], dup,
                         (ref * 0x9E3779B97F4A7C15) % (1 << 64), None if ref % 4 else f"allow.txt:{ref}"))
    return out


def check_finish(text: str, spec: list[tuple[int, int, int, int, int]], encoding: str) -> None:
    """Cutting any removals: no panic; the cleaned copy and the diff's removed lines are input lines; every
    removal's line is its record's JSON, its text the lines it spans; the page row is JSON."""
    lines = split_lines(text)
    claims = _claims(len(lines), spec)
    removals, allowed = [c for c in claims if c.entry is None], [c for c in claims if c.entry is not None]
    try:
        text.encode(encoding)
    except UnicodeError:
        encoding = "utf-8"
    done = cut("d.txt", text, removals, allowed, encoding, records=True)
    kept = split_lines(done.cleaned)
    it = iter(lines)
    assert all(any(line == other for other in it) for line in kept)  # in order, each an input line
    assert done.out_chars == len(done.cleaned) and (removals or done.cleaned == text)
    diff = diff_str(done.diff, encoding)
    removed = [x[1:] for x in diff.split("\n") if x.startswith("-") and not x.startswith("---")]
    if encoding == "utf-8":
        assert all(any(r == line.rstrip("\n") for line in lines) for r in removed)
    records = done.removals + [r for r, _ in done.allowed]
    for c, r in zip(removals + allowed, records, strict=True):
        assert r.text == "".join(lines[max(c.lines[0] - 1, 0) : max(c.lines[1], 0)]).rstrip("\r\n")
    assert done.report[4] == reference_tally([(r.category, len(r.text)) for r in done.removals],
                                             [k for _, k in zip(removals, _row_keys(done.report[2]))])
    lines_made = (done.report[0] + done.report[1]).decode("utf-8", "surrogatepass")
    got = [json.loads(line) for line in lines_made.split("\n") if line]  # (not at \x85)
    want = [r.to_json() for r in records]
    for g, w in zip(got, want, strict=True):
        g.pop("allow", None)
        assert json.dumps(g, sort_keys=True) == json.dumps(w, sort_keys=True)
    if claims:
        json.loads(done.report[2])
    # The batch call gives each document what the call on it alone gives (`cut_claimed`, as `cut` makes it).
    args = finish_args("d.txt", text, removals, allowed, encoding)
    out = _core.finish(*args)
    for batch in ([args], [args, finish_args("e.txt", "x\n", [removals[0]] if removals else [])]):
        assert _core.finish_batch(batch)[0] == (*out[:6], out[8], [], [])
    assert cut_claimed([args])[0] == (None if done.cleaned == text and not removals else
                                      done.cleaned.encode("utf-8", "surrogatepass"), done.out_chars, done.diff,
                                      done.report)


_LABELS = ["repeat", "near-repeat", "corpus-repeat", "chrome:credits", "chrome:nav", "other", "d.txt", "o\n.txt"]
_FLOORS = [None, -math.inf, 0.5, 0.65, math.nan]


def check_decide_finish(text: str, spans: list[tuple[int, int]], spec: list[tuple[int, ...]], allow: bool) -> None:
    """Deciding in the core (`decide_finish`) is its plain Python definition (`helpers.reference_decisions`)
    followed by `finish` on the claims it gives, output for output: which finding removes each block, which
    blocks the allow-list kept, every same-document reference settled, and the bytes written."""
    findings = []
    for block, cat, det, score, ref, first, last in spec:
        dup = None if ref % 3 == 0 else Ref(_LABELS[6 + ref % 2], spans[first % len(spans)] if ref % 5 else
                                            (first % 7, last % 7), "r" * (ref % 2))
        findings.append(Finding(block % len(spans), _LABELS[cat % 6], f"det:{det % 3}", _SCORES[score % len(_SCORES)],
                                dup))
    found = found_of(findings)
    floors = {c: _FLOORS[(hash(c) + len(spec)) % len(_FLOORS)] for c in _LABELS[:6]}
    entries = [None if f.block % 3 else f"allow.txt:{k}" for k, f in enumerate(findings)] if allow else None
    hashes = [(i * 0x9E3779B97F4A7C15) % (1 << 64) for i in range(len(spans))]
    rel, heads, data = "d.txt", ("a/d.txt", "b/d.txt"), text.encode("utf-8", "surrogatepass")
    page = ("", "listing", "thread")[len(spec) % 3]
    out, removed, kept = _core.decide_finish(
        rel, heads, data, None, found.labels, [quote_path(x) if x != rel else x for x in found.labels],
        [floors.get(x) for x in found.labels], (found.ints, found.scores, entries), spans, hashes, page)
    want_removed, want_kept = reference_decisions(rel, spans, findings, floors, entries)
    assert ([v[:3] for v in removed], [v[:3] for v in kept]) == (want_removed, want_kept)
    for (_, k, keeps, category, file) in removed + kept:  # each with its category and the file it points at
        d = findings[k].duplicate_of
        assert (found.labels[category], found.labels[file] if file >= 0 else None) == (
            findings[k].category, d.file if keeps and d is not None else None)

    def claim(block, k, keeps, entry=None):
        f = findings[k]
        return Claim(spans[block], f.category, f.detector, f.score, f.duplicate_of if keeps else None, hashes[block],
                     entry)
    removals = [claim(*v) for v in want_removed]
    allowed = [claim(*v, entries[v[1]]) for v in want_kept]
    assert out == _core.finish(rel, heads, data, None, _columns(rel, removals), _columns(rel, allowed), page)
    # The batch call gives each document what the call on it alone gives, with no object per removal.
    args = (rel, heads, data, None, found.labels, [quote_path(x) if x != rel else x for x in found.labels],
            [floors.get(x) for x in found.labels], (found.ints, found.scores, entries), spans, hashes, page)
    other = ("e.txt", ("a/e.txt", "b/e.txt"), b"x\ny\n", None, ("repeat", "d"), ("repeat", "d"), [None, None],
             (found_of([]).ints, b"", None), [(1, 1), (2, 2)], [5, 6], "")
    # (its blocks' spans and hashes also as the little-endian bytes pass 1's scratch file holds them)
    as_bytes = (*args[:8], np.array(spans, "<i8").reshape(-1, 2).tobytes(), np.array(hashes, "<u8").tobytes(),
                args[10])
    for batch in ([args], [other, args, other], [as_bytes], [other, as_bytes, other]):
        got = _core.decide_finish_batch(batch)[1 if len(batch) > 1 else 0]
        cleaned, chars, diff, lines, allowed_lines, row, (tally, keys, ranks), targets, allowed_cats = got
        assert (cleaned, chars, diff, lines, allowed_lines, row, keys, ranks) == (*out[:6], *out[8][1:])
        assert tally == [(removed[first][3], n, size) for first, n, size in out[8][0]]
        assert sorted(targets) == sorted({v[4] for v in removed + kept if v[4] >= 0})
        assert allowed_cats == [v[3] for v in kept]
    assert reference_tally([(f.category, b - a) for f, (a, b) in zip(removals, out[6])], out[7]) == (
        [(c, n, size) for c, n, size in [(removals[first].category, n, size) for first, n, size in out[8][0]]],
        *out[8][1:])


def check_plain_batch(text: str, spans: list[tuple[int, int]], spec: list[tuple[int, ...]], damage: int) -> None:
    """Pass 2 of a plain file from its bytes (`plain_batch`) is `decide_finish_batch` on the same findings when
    the file reads as plain UTF-8 with no notice and pass 1's digest, and None (the caller reads it as before)
    otherwise: a byte-order mark, a NUL, bytes that are not UTF-8, a blank text, another digest. The corpus
    step's findings come after the document's own, its labels numbered after theirs."""
    findings = [Finding(block % len(spans), _LABELS[cat % 6], f"det:{det % 3}", _SCORES[score % len(_SCORES)],
                        None if ref % 3 == 0 else Ref(("d.txt", "o.txt")[ref % 2], spans[first % len(spans)]
                                                      if ref % 5 else (first % 7, last % 7), "r" * (ref % 2)))
                for block, cat, det, score, ref, first, last in spec]
    found = found_of(findings)
    floors = [_FLOORS[(hash(x) + len(spec)) % len(_FLOORS)] for x in found.labels]
    hashes = [(i * 0x9E3779B97F4A7C15) % (1 << 64) for i in range(len(spans))]
    if damage >= 6:  # (a text with no lone surrogate: most are then plain UTF-8)
        text = re.sub("[\ud800-\udfff]", "x", text)
    data = text.encode("utf-8", "surrogatepass")
    data = (data, b"\xef\xbb\xbf" + data, data + b"\x00", b"\xe9" + data, data, b" \r\n\t" + data)[damage % 6]
    digest = xxhash.xxh3_64_intdigest(data) ^ (damage % 6 == 4)
    page = ("", "listing", "thread")[len(spec) % 3]
    spans_bytes, hashes_bytes = np.array(spans, "<i8").reshape(-1, 2).tobytes(), np.array(hashes, "<u8").tobytes()
    own = 8 * 8 * (len(spec) // 2)  # (the first half the document's own findings, the rest the corpus step's)
    args = ("d.txt", data, digest, 1, (found.ints[:own], found.scores[:own // 8]),
            (found.ints[own:], found.scores[own // 8:]), spans_bytes, hashes_bytes, page, False)
    other = ("e.txt", b"x\ny\n", xxhash.xxh3_64_intdigest(b"x\ny\n"), 0, (b"", b""), (b"", b""),
             np.array([1, 1, 2, 2], "<i8").tobytes(), np.array([5, 6], "<u8").tobytes(), "", False)
    got = _core.plain_batch([other, args, other], [("repeat", "d"), found.labels], [[None, None], floors])
    assert got[0] == got[2] and got[0] is not None
    try:
        read, codec, warning = decode("d.txt", data, Config())
    except Exception:  # noqa: BLE001 - a file `read_text_utf8` refuses
        read = codec = None
    plain = (codec == "utf-8" and warning is None and read.strip() and any("!" <= c <= "~" for c in read)
             and damage % 6 != 4)
    if not plain:
        assert got[1] is None
        return
    want = _core.decide_finish_batch([("d.txt", ("a/d.txt", "b/d.txt"), data, None, found.labels, found.labels,
                                       floors, (found.ints, found.scores, None), spans_bytes, hashes_bytes, page)])
    assert got[1] == (want[0], len(read))


def check_plain_whole(text: str, score: int, damage: int) -> None:
    """A whole duplicate document cut from its bytes (`plain_batch`, its removal as its one finding) is `finish` on
    that removal over all its lines (`cut_claimed`'s), but for the report naming its category and the file it
    duplicates by label; None where the file is not plain UTF-8 or not the text pass 1 read."""
    from dedupe.pipeline import _line_count

    text = re.sub("[\ud800-\udfff]", "x", text) if damage % 2 else text
    data = text.encode("utf-8", "surrogatepass")
    digest = xxhash.xxh3_64_intdigest(data) ^ (damage % 5 == 4)
    value = float(_SCORES[score % len(_SCORES)])
    ref = Ref("k.txt", (1, 1 + score % 9), ("", "r")[score % 2])
    found = found_of([Finding(0, "duplicate-document", "duplicate-document:jaccard", value, ref)])
    page = ("", "listing")[score % 2]
    args = ("d.txt", data, digest, 0, (found.ints, found.scores), (b"", b""), np.array([1, 1], "<i8").tobytes(),
            np.array([7], "<u8").tobytes(), page, True)
    got = _core.plain_batch([args], [found.labels], [[None] * len(found.labels)])[0]
    try:
        read, codec, warning = decode("d.txt", data, Config())
    except Exception:  # noqa: BLE001 - a file `read_text_utf8` refuses
        read = codec = None
    if not (codec == "utf-8" and warning is None and any("!" <= c <= "~" for c in read) and damage % 5 != 4):
        assert got is None
        return
    claim = Claim((1, _line_count(read)), "duplicate-document", "duplicate-document:jaccard", value, ref, None)
    (want,) = _core.finish_batch([("d.txt", ("a/d.txt", "b/d.txt"), data, None, _columns("d.txt", [claim]),
                                   _columns("d.txt", []), page)])
    (done, chars) = got
    assert (done[:6], done[6][1:], chars) == (want[:6], want[6][1:], len(read))
    assert (done[6][0], done[7], done[8]) == ([(0, n, size) for _, n, size in want[6][0]], [2], [])


def check_decide_batch(docs: list[tuple[int, list[tuple[int, ...]]]]) -> None:
    """`decide_batch` is `decide` on each document: the blocks removed, numbered through the batch; documents that
    name the same labels share their tuple."""
    tuples: dict[tuple, int] = {}  # (labels, floors) -> its number
    labels, floor_sets, args, want_gone, first = [], [], [], [], 0
    for n_blocks, spec in docs:
        found = found_of([Finding(block % max(n_blocks, 1), _LABELS[cat % 6], f"det:{det % 3}",
                                  _SCORES[score % len(_SCORES)], None) for block, cat, det, score in spec]
                         if n_blocks else [])
        floors = [_FLOORS[(hash(x) + n_blocks) % len(_FLOORS)] for x in found.labels]
        index = tuples.setdefault((found.labels, tuple(floors)), len(tuples))
        if index == len(labels):
            labels.append(found.labels)
            floor_sets.append(floors)
        args.append((index, n_blocks, found.ints, found.scores))
        want_gone += [first + block for block, _ in _core.decide(found.labels, floors, found.ints, found.scores)]
        first += n_blocks
    assert _core.decide_batch(labels, floor_sets, args) == want_gone


def reference_tally(removals: list[tuple[str, int]], keys: list[int]) -> tuple:
    """The report's tally of removals given as (category, characters) with their keys, by its plain definition
    (`cut.Tally`): per category in order of first appearance, (category, count, characters); per removal its
    key (0 for a whole duplicate document) and its category's rank (NO_KEY for a whole duplicate document)."""
    cats: dict[str, list[int]] = {}
    ranks = []
    for category, size in removals:
        entry = cats.setdefault(category, [len(cats), 0, 0])
        entry[1] += 1
        entry[2] += size
        ranks.append(_core.NO_KEY if category == "duplicate-document" else entry[0])
    return ([(c, n, size) for c, (_, n, size) in cats.items()],
            array("Q", [0 if c == "duplicate-document" else k for (c, _), k in zip(removals, keys)]).tobytes(),
            bytes(ranks))


def _row_keys(row: bytes) -> list[int]:
    """The keys of a page row's removals."""
    return [int(item["k"].removeprefix("xxh3:"), 16) for item in json.loads(row)["r"]] if row else []


def check_text_hash(data: bytes) -> None:
    assert 0 <= _core.text_hash(data) < 1 << 64


#: Lines of a page's template and of its articles' own furniture, for the chrome detector's body: menus, headers
#: that close an article, comment counts, legal lines, prompts, bylines, captions, placeholders and code tokens,
#: headings with a wiki's mark, stamps and post footers, questions, list items, lines without spaces, link bars.
_CHROME_LINES = [
    "Home", "News", "Sport", "World", "Menu", "Search", "Related articles", "Related articles:", "Related:",
    "More from Example", "READ MORE: Markets fall again", "12 Comments", "Comments", "Leave a Reply", "Reply",
    "Jane says:", "Share", "Share on Facebook", "Follow us on Twitter", "Tags: trade, China",
    "© 2024 Example Media. All rights reserved.", "Privacy Policy", "Terms of Use", "Subscribe to continue reading",
    "Already a subscriber? Log in", "Monthly", "$4.99/month", "Sign up for our newsletter",
    "We use cookies to improve your experience.", "Advertisement", "Sponsored content", "By Jane Smith",
    "About the author", "5 min read", "Photo: Reuters", "Source: World Bank", "{{free_limit}}", "@property", "nan",
    "def area(self):", "render(request)", "History [ edit ]", "Early life [ edit ]", "Career [ edit ]",
    "【简介】", "Notes (2)", "2024-01-05", "Posted by Jane at 9:15 AM", "by admin @ 2005-03-21 01:20 (359) 3 comments",
    "Updated 10:15", "Can I cancel?", "What is the price?", "- Affiliate programs: creators earn a commission on sales",
    "This article originally appeared on Example.", "The views expressed are the author's own.",
    "首页 > 新闻 > 国内 > 社会", "这是一个很长的中文句子，它描述了文章的内容。", "Home | News | Sport | Contact",
    "x = f(1);", "OPTION   the option's help", "²3 comments", "Older posts", "Next", "1.", "* * *",
]
_PROSE_WORDS = ("the of and to a in is it that was for on with as by at from this have not are but his they "
                "market report city water school people year government plan river music team study").split()


def _prose_line(rng: random.Random, low: int = 8, high: int = 70) -> str:
    """A sentence of running text (function words among others), ending as a sentence or not."""
    words = [rng.choice(_PROSE_WORDS) for _ in range(rng.randrange(low, high))]
    return " ".join(words).capitalize() + rng.choice((".", ".", ".", ":", "", "?"))


def _chrome_page(rng: random.Random) -> str:
    """A page of one block a line: prose, template lines, teasers (a headline, a date, a summary), FAQ pairs,
    random text and copies of earlier lines (so that the repeat detectors find some); one in five holds a list's
    items (a title, fields that recur, a link) so that some pages read as listings."""
    lines: list[str] = []
    if rng.random() < 0.2:
        fields = [f"Price: {rng.randrange(100)}", rng.choice(("View map", "Read more", "3 days ago")), "By NAME"]
        for _ in range(rng.randrange(3, 16)):
            lines += [" ".join(rng.choice(_PROSE_WORDS) for _ in range(rng.randrange(2, 9))).title(),
                      *rng.sample(fields, rng.randrange(1, 4))]
    for _ in range(rng.randrange(0, 40)):
        r = rng.random()
        if r < 0.35:
            lines.append(_prose_line(rng))
        elif r < 0.75:
            lines.append(rng.choice(_CHROME_LINES))
        elif r < 0.82:
            lines += [f"Headline {rng.choice(_PROSE_WORDS)} {rng.choice(_PROSE_WORDS)}", f"2024-0{rng.randrange(1, 10)}-1{rng.randrange(10)}",
                      _prose_line(rng, 3, 30)]
        elif r < 0.86:
            lines += [rng.choice(("Can I cancel?", "How does it work?")), _prose_line(rng, 8, 20)]
        elif r < 0.9:
            lines.append(_random_text(rng).replace("\n", " ")[:80])
        elif lines:
            lines.append(rng.choice(lines))
    if lines and rng.random() < 0.3:
        # A page's title over it, its headline standing again somewhere below (`extent::headline`), in either case.
        headline = " ".join(rng.choice(_PROSE_WORDS) for _ in range(rng.randrange(1, 8)))
        site = rng.choice(("River News", "新闻网", "a", ""))
        lines.insert(0, headline + rng.choice((" | ", " - ", "_", "--", " : ", " ")) + site)
        lines.insert(rng.randrange(1, len(lines) + 1), rng.choice((headline, headline.upper(), f" {headline}  ")))
    # (no lone surrogate: the core reads one as U+FFFD, where the Python reference compared the surrogates)
    return "\n".join(re.sub("[\ud800-\udfff]", "x", line) for line in lines)


def check_find_chrome(text: str, whole_page: bool, with_repeats: bool) -> None:
    """The chrome findings of a page (`chrome.rs`'s body, after the rules' filters in chrome.py), finding for
    finding as chrome.py's Python body found them (tests/reference_chrome.py), with the page's repeats or not."""
    config = _CONFIG
    blocks = segment(text)
    sigs = sign.sign_blocks(blocks, config.shingle_size)
    found = repeats.find_repeats("d", blocks, sigs, config, whole_page) if with_repeats else []
    expected = reference_chrome.reference_find_chrome("d", blocks, sigs, config, found, whole_page)
    assert chrome.find_chrome("d", blocks, sigs, config, found, whole_page) == expected, (text, whole_page, found)


_CONFIG = Config()


def check_detect_batch(pages: list[str], whole_pages: list[bool]) -> None:
    """A batch's findings and kinds, the pages without repeats read in one core call (`chrome_batch`), equal each
    page's read alone (`detect_page`), and, on a page without repeats, the Python body's on the page's kind."""
    from dedupe import detect

    config = _CONFIG
    block_lists = segment_batch(pages)
    signed = sign.sign_texts(block_lists, config.shingle_size)
    got = [(found, kind) for found, kind, _ in
           detect.detect_batch([str(i) for i in range(len(pages))], block_lists, signed, config, whole_pages)]
    for i, (blocks, doc, whole) in enumerate(zip(block_lists, signed, whole_pages, strict=True)):
        # (the batch's findings come as the columns pass 2 reads: the page's own, as columns, are what they equal)
        alone, kind = detect.detect_page(str(i), blocks, doc.sigs, config, whole)
        assert got[i] == (found_of(alone), kind), (pages[i], whole)
        if not repeats.find_repeats(str(i), blocks, doc.sigs, config, whole):
            kind = chrome.page_kind(blocks, doc.sigs)
            expected = reference_chrome.reference_find_chrome(str(i), blocks, doc.sigs, config, [], whole, None, kind)
            # (on an extractor's text, the gates detect/__init__.py adds after the detector)
            kept = detect._chrome_kept(expected, blocks, doc.sigs, kind, whole)
            assert got[i] == (found_of(kept), kind), (pages[i], whole)


#: What `check_read_files` puts under a name: a regular file, a folder, a symlink to the batch's first entry,
#: a dangling symlink, or nothing.
_ENTRY = st.tuples(st.sampled_from(["file", "file", "file", "folder", "link", "dangling", "missing"]),
                   st.binary(max_size=64))


def check_read_files(entries: list[tuple[str, bytes]], max_size: int, budget: int, hold: int) -> None:
    """A batch read gives each regular file's bytes or None, and None only where the size or the budget
    (spent in order) leaves the file to `read_bytes`, or where there is no regular file to read."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dedupe-fuzz-") as folder:
        paths = [os.path.join(folder, f"e{i}") for i in range(len(entries))]
        for path, (kind, data) in zip(paths, entries):
            if kind == "file":
                with open(path, "wb") as f:
                    f.write(data)
            elif kind == "folder":
                os.mkdir(path)
            elif kind in ("link", "dangling"):
                os.symlink(paths[0] if kind == "link" else path + ".gone", path)
        names = "".join(f"e{i}\0" for i in range(len(entries))).encode()
        read = _core.read_files(folder, names, max_size, budget, hold)
        assert len(read) == len(paths)
        left = budget
        for path, got in zip(paths, read):
            data = None
            if os.path.isfile(path):  # (a link to the first entry reads as that file, if it is one)
                with open(path, "rb") as f:
                    data = f.read()
                if len(data) > max_size or len(data) > left:
                    data = None
                else:
                    left -= len(data)
            assert got == data


def check_is_utf8(data: bytes) -> None:
    try:
        data.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    assert _core.is_utf8(data) == valid, data


def check_unbrotli(data: bytes, limit: int, cut: int, flip: int) -> None:
    """A brotli stream decodes to its body, or None over the limit; cut short or with a byte changed, it is a
    ValueError, None, or at most `limit` bytes: never a panic."""
    stream = brotli_stored(data)
    want = data if len(data) <= limit else None
    assert _core.unbrotli(stream, limit) == want
    broken = bytearray(stream[: len(stream) - cut % (len(stream) + 1)])
    if broken and flip:
        broken[flip % len(broken)] ^= flip >> 8 & 0xFF or 1
    try:
        out = _core.unbrotli(bytes(broken), limit)
    except ValueError:
        return
    assert out is None or len(out) <= limit


def check_count_keys(keys: list[int], reps: list[int]) -> None:
    """Each distinct key (ascending), how many distinct representatives hold it, and its row of the lowest
    representative, the earliest such: as reading the rows sorted by (key, representative, row)."""
    got = _core.count_keys(np.array(keys, dtype="<u8").tobytes(), np.array(reps, dtype="<u4").tobytes())
    got = [np.frombuffer(b, dtype).tolist() for b, dtype in zip(got, ("<u8", "<u4", "<u4"))]
    rows: dict[int, list[int]] = {}
    for i, k in enumerate(keys):
        rows.setdefault(k, []).append(i)
    want = [sorted(rows), [], []]
    for k in want[0]:
        low = min(reps[i] for i in rows[k])
        want[1].append(len({reps[i] for i in rows[k]}))
        want[2].append(min(i for i in rows[k] if reps[i] == low))
    assert got == want, (keys, reps)


def check_candidate_pairs(sigs: list[list[int]], rows: int, valid: list[int]) -> None:
    """Pairs of distinct grouped documents, sorted, each sharing a band with the other, that link exactly the
    documents any band's equal values link (the same groups as listing every pair)."""
    n, p = len(sigs), len(sigs[0]) if sigs else 0
    flat = np.array([v for sig in sigs for v in sig], dtype="<u4").tobytes()
    got = np.frombuffer(_core.candidate_pairs(flat, n, p, rows, np.array(valid, dtype="<u4").tobytes()), "<u8")
    pairs = [(int(x) >> 32, int(x) & 0xFFFFFFFF) for x in got]
    assert pairs == sorted(set(pairs)) and all(a < b and a in valid and b in valid for a, b in pairs)
    bands = [(b * rows, b * rows + rows) for b in range(p // rows)]
    share = lambda a, b: any(sigs[a][lo:hi] == sigs[b][lo:hi] for lo, hi in bands)  # noqa: E731
    assert all(share(a, b) for a, b in pairs)  # (a 64-bit key collision would fail here: never seen)
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[root(a)] = root(b)
    for a in valid:
        for b in valid:
            if a < b and share(a, b):
                assert root(a) == root(b), (sigs, rows, valid, a, b)


def check_stat_files(names: list[bytes], kinds: list[str]) -> None:
    """Each name's (size, modification time in ns) as `os.stat` gives them, (-1, -1) where it fails."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dedupe-fuzz-") as folder:
        base = os.fsencode(folder)
        for name, kind in zip(names, kinds):
            path = os.path.join(base, name)
            try:
                if kind == "file":
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "wb") as f:
                        f.write(name)
                elif kind == "folder":
                    os.makedirs(path, exist_ok=True)
            except OSError:
                pass
        got = np.frombuffer(_core.stat_files(folder, b"".join(n + b"\0" for n in names)), "<i8").tolist()
        want = []
        for name in names:
            try:
                st_ = os.stat(os.path.join(base, name))
                want += [st_.st_size, st_.st_mtime_ns]
            except (OSError, ValueError):
                want += [-1, -1]
        assert got == want, names


#: Names for `check_stat_files`: nested, empty, dotted, with bytes that are no UTF-8.
_NAME = st.lists(st.sampled_from([b"a", b"b", b"..", b".", b"\xff", b"\xc3\xa9", b"x y"]), min_size=0, max_size=3).map(
    b"/".join)


def run_phrases(config: settings) -> None:
    """The phrase rules on texts their patterns match, mutated (`_PHRASE_TEXT`), under hypothesis's `config`."""
    config(given(st.lists(st.tuples(_PHRASE_TEXT, st.integers(0, 60)), max_size=4))(
        lambda rows: check_block_features([t for t, _ in rows], [k for _, k in rows])))()


def run(examples: int) -> None:
    """Every property with `examples` random inputs each, drawn by hypothesis (which also shrinks a failure)."""
    config = settings(max_examples=examples, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
    config(given(_BATCH)(check_segment_batch))()
    config(given(st.binary(max_size=300))(check_text_hash))()
    config(given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 14),
                                    st.lists(st.integers(0, 20), max_size=14)), max_size=14),
                 st.integers(0, 3), st.lists(st.integers(0, 14), max_size=4),
                 st.lists(st.integers(0, 14), max_size=4))(check_repeats))()
    config(given(_BATCH)(check_sign_batch))()
    config(given(st.lists(st.lists(st.integers(0, 12), unique=True, max_size=8).map(sorted), max_size=10),
                 st.integers(0, 6))(check_shared_counts))()
    config(given(_BATCH.flatmap(lambda texts: st.tuples(
        st.just(texts), st.lists(st.integers(0, 80), min_size=len(texts), max_size=len(texts)))))(
        lambda pair: check_block_features(*pair)))()
    config(given(st.lists(st.tuples(_TRIGGER_TEXT, st.integers(0, 60)), max_size=5))(
        lambda rows: check_block_features([t for t, _ in rows], [k for _, k in rows])))()
    run_phrases(config)
    config(given(st.integers(0, 8).flatmap(lambda n: _page(n, _FEATURES, st.booleans())))(
        lambda page: check_block_classes(*page)))()
    config(given(_STAMP_TEXT)(check_has_stamp))()
    config(given(_CODE_TEXT)(check_block_code))()
    config(given(st.randoms(use_true_random=False))(lambda rng: check_keep_content(*_gate_page(rng))))()
    config(given(_PAGE)(lambda page: check_page_type(*page)))()
    config(given(st.randoms(use_true_random=False), st.booleans(), st.booleans())(
        lambda rng, whole, with_repeats: check_find_chrome(_chrome_page(rng), whole, with_repeats)))()
    config(given(st.randoms(use_true_random=False), st.lists(st.booleans(), max_size=4))(
        lambda rng, wholes: check_detect_batch([_chrome_page(rng) for _ in wholes], wholes)))()
    config(given(st.lists(st.integers(0, 7), max_size=8), st.integers(0, 5))(check_windows))()
    config(given(_TEXT, st.lists(st.tuples(*[st.integers(0, 1 << 20)] * 5), max_size=6),
                 st.sampled_from(["utf-8", "cp1252", "latin-1"]))(check_finish))()
    config(given(st.lists(st.lists(st.integers(0, (1 << 64) - 1), max_size=9), max_size=6),
                 st.integers(0, 5))(check_minhash_groups))()
    config(given(_TEXT, st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=6),
                 st.lists(st.tuples(*[st.integers(0, 1 << 20)] * 7), max_size=8), st.booleans())(check_decide_finish))()
    config(given(_TEXT, st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=6),
                 st.lists(st.tuples(*[st.integers(0, 1 << 20)] * 7), max_size=8), st.integers(0, 11))(
        check_plain_batch))()
    config(given(_TEXT, st.integers(0, 1 << 20), st.integers(0, 9))(check_plain_whole))()
    config(given(st.lists(st.tuples(st.integers(0, 6), st.lists(st.tuples(*[st.integers(0, 1 << 20)] * 4),
                                                                 max_size=8)), max_size=5))(check_decide_batch))()
    config(given(st.lists(_ENTRY, max_size=8), st.integers(0, 80), st.integers(0, 200), st.integers(0, 4))(
        check_read_files))()
    config(given(st.binary(max_size=40))(check_is_utf8))()
    config(given(st.binary(max_size=300), st.integers(0, 400), st.integers(0, 400), st.integers(0, (1 << 16) - 1))(
        check_unbrotli))()
    config(given(st.lists(st.tuples(st.sampled_from([0, 1, 7, (1 << 64) - 1, 1 << 63]), st.integers(0, 4)),
                          max_size=20))(lambda rows: check_count_keys([k for k, _ in rows], [r for _, r in rows])))()
    config(given(st.integers(1, 3), st.integers(0, 6), st.integers(0, 9).flatmap(
        lambda n: st.tuples(st.just(n), st.lists(st.integers(0, 3), min_size=n * 6, max_size=n * 6),
                            st.sets(st.integers(0, max(n - 1, 0)), max_size=n))))(
        lambda rows, p, spec: check_candidate_pairs(
            [spec[1][i * 6:i * 6 + p] for i in range(spec[0])], rows, sorted(v for v in spec[2] if v < spec[0]))))()
    config(given(st.lists(st.tuples(_NAME, st.sampled_from(["file", "folder", "missing"])), max_size=6))(
        lambda rows: check_stat_files([n for n, _ in rows], [k for _, k in rows])))()


def _random_text(rng: random.Random) -> str:
    """Lines of special and random characters (any plane, lone surrogates among the specials)."""
    def char() -> str:
        if rng.random() < 0.5:
            return rng.choice(_SPECIAL)
        c = rng.randrange(0x110000) if rng.random() < 0.3 else rng.randrange(0x3000)
        return chr(c) if not 0xD800 <= c <= 0xDFFF else "x"
    return "".join(char() for _ in range(rng.randrange(0, 300)))


def run_fast(examples: int, seed: int) -> None:
    """The same properties on `examples` inputs each from a seeded generator: hypothesis draws a few hundred
    inputs a second on this machine, too few for the long run."""
    rng = random.Random(seed)
    for _ in range(examples):
        batch = [_random_text(rng) for _ in range(rng.randrange(0, 4))]
        check_segment_batch(batch)
        check_sign_batch(batch)
        check_block_features(batch, [rng.randrange(0, 60) for _ in batch])
        triggers = [_trigger_text(rng) for _ in range(rng.randrange(0, 4))]
        check_block_features(triggers, [rng.randrange(0, 60) for _ in triggers])
        top = rng.choice((3, 12, 1 << 64))  # (few values: many shared; any u64: the top bit set)
        check_shared_counts([sorted({rng.randrange(top) for _ in range(rng.randrange(0, 4))})
                             for _ in range(rng.randrange(0, 10))], rng.randrange(0, 7))
        check_text_hash(rng.randbytes(rng.randrange(0, 300)))
        values = rng.choice((6, 20, 60))
        check_repeats([(rng.randrange(6), rng.randrange(15), [rng.randrange(values) for _ in range(rng.randrange(15))])
                       for _ in range(rng.randrange(15))], rng.randrange(4),
                      [rng.randrange(15) for _ in range(rng.randrange(4))],
                      [rng.randrange(15) for _ in range(rng.randrange(4))])
        check_has_stamp(_stamp_text(rng))
        check_block_code(_code_text(rng))
        check_keep_content(*_gate_page(rng))
        pool = [_code_text(rng) if rng.random() < 0.7 else _stamp_text(rng) for _ in range(rng.randrange(1, 7))]
        n = rng.randrange(0, 41)
        check_page_type([rng.choice(pool) for _ in range(n)], [rng.randrange(46) for _ in range(n)],
                        [rng.random() < 0.4 for _ in range(n)], [rng.random() < 0.2 for _ in range(n)])
        # (cards: a price or a count that recurs with other numbers, between titles of their own)
        cards = pool + [f"USD {rng.randrange(9)}.{rng.randrange(99)}" for _ in range(4)] + ["(12)", "(3)"]
        n = rng.randrange(0, 61)
        check_page_type([rng.choice(cards) for _ in range(n)],
                        [rng.randrange(46) if rng.random() < 0.1 else rng.randrange(12) for _ in range(n)],
                        [rng.random() < 0.4 for _ in range(n)], [rng.random() < 0.2 for _ in range(n)])
        check_find_chrome(_chrome_page(rng), rng.random() < 0.8, rng.random() < 0.5)
        wholes = [rng.random() < 0.8 for _ in range(rng.randrange(0, 4))]
        check_detect_batch([_chrome_page(rng) for _ in wholes], wholes)
        n = rng.randrange(0, 9)
        bar = _BAR.split(" ")
        check_block_classes(
            ["".join(rng.choice(bar) if rng.random() < 0.6 else " " if rng.random() < 0.5 else _random_text(rng)[:3]
                     for _ in range(rng.randrange(0, 30))) for _ in range(n)],
            [(*(rng.randrange(41) for _ in range(4)), rng.random() < 0.5, rng.randrange(13), rng.random() < 0.5,
              rng.choice((0, 0, 0, 1, 2))) for _ in range(n)],
            None if rng.random() < 0.5 else [rng.random() < 0.7 for _ in range(n)],
            None if rng.random() < 0.5 else [rng.randrange(4) for _ in range(n)], rng.random() < 0.5)
        check_windows([rng.randrange(0, 8) for _ in range(rng.randrange(0, 8))], rng.randrange(0, 6))
        text = "\n".join(_random_text(rng) for _ in range(rng.randrange(0, 6)))
        check_finish(text, [tuple(rng.randrange(1 << 20) for _ in range(5)) for _ in range(rng.randrange(0, 6))],
                     rng.choice(("utf-8", "cp1252", "latin-1")))
        check_minhash_groups([[rng.randrange(1 << 64) for _ in range(rng.randrange(0, 9))]
                              for _ in range(rng.randrange(0, 6))], rng.randrange(0, 6))
        check_decide_finish(text, [(rng.randrange(8), rng.randrange(8)) for _ in range(rng.randrange(1, 7))],
                            [tuple(rng.randrange(1 << 20) for _ in range(7)) for _ in range(rng.randrange(0, 9))],
                            rng.random() < 0.3)
        check_plain_batch(text, [(rng.randrange(8), rng.randrange(8)) for _ in range(rng.randrange(1, 7))],
                          [tuple(rng.randrange(1 << 20) for _ in range(7)) for _ in range(rng.randrange(0, 9))],
                          rng.randrange(12))
        check_plain_whole(text, rng.randrange(1 << 20), rng.randrange(10))
        check_decide_batch([(rng.randrange(7), [tuple(rng.randrange(1 << 20) for _ in range(4))
                                                for _ in range(rng.randrange(9))]) for _ in range(rng.randrange(6))])
        kinds = ("file", "file", "file", "folder", "link", "dangling", "missing")
        check_read_files([(rng.choice(kinds), rng.randbytes(rng.randrange(0, 64))) for _ in range(rng.randrange(0, 8))],
                         rng.randrange(0, 80), rng.randrange(0, 200), rng.randrange(0, 5))
        check_is_utf8(rng.choice((rng.randbytes(rng.randrange(0, 40)), _random_text(rng)[:40].encode("utf-8", "replace"))))
        check_unbrotli(rng.randbytes(rng.randrange(0, 300)), rng.randrange(0, 400), rng.randrange(0, 400),
                       rng.randrange(1 << 16))
        rows = rng.randrange(0, 20)
        check_count_keys([rng.choice((0, 1, 7, (1 << 64) - 1, 1 << 63, rng.randrange(1 << 64))) for _ in range(rows)],
                         [rng.randrange(5) for _ in range(rows)])
        n, p = rng.randrange(0, 10), rng.randrange(0, 7)
        check_candidate_pairs([[rng.randrange(3) for _ in range(p)] for _ in range(n)], rng.randrange(1, 4),
                              sorted(rng.sample(range(n), rng.randrange(0, n + 1))))
        if rng.random() < 0.05:  # (files made and stat'ed: the slowest property)
            parts = (b"a", b"b", b"..", b".", b"\xff", b"\xc3\xa9", b"x y")
            names = [b"/".join(rng.choice(parts) for _ in range(rng.randrange(0, 4))) for _ in range(rng.randrange(0, 6))]
            check_stat_files(names, [rng.choice(("file", "folder", "missing")) for _ in names])


def test_random_inputs_through_the_core():
    run(100)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=20_000, help="random inputs per property (there are 26)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--phrases", type=int, default=0, metavar="N",
                    help="instead, N texts of the phrase rules' own patterns, mutated, drawn by hypothesis")
    args = ap.parse_args()
    if args.phrases:
        run_phrases(settings(max_examples=args.phrases, deadline=None, database=None,
                             suppress_health_check=list(HealthCheck)))
        print(f"ok: {args.phrases} lists of phrase texts, no failure")
        sys.exit(0)
    run_fast(args.examples, args.seed)
    print(f"ok: {args.examples} random inputs for each of 26 properties and {args.examples // 20} or so for stat_files, no failure")
    sys.exit(0)
