"""Signing a batch of documents at once gives, value for value, what signing each alone gives,
and what the plain reference computations (datasketch, one hash per word) give."""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

import dedupe.sign as sign
from dedupe.config import Config
from dedupe.decide import INTS
from dedupe.pipeline import analyze_document, analyze_documents
from dedupe.records import Block, Document
from dedupe.segment import segment
from dedupe.sign import (
    MinHasher, band_keys, block_keys, doc_signatures, shingle_base_hash, shingles, sign_text,
    sign_texts, token_hash, token_hashes, words,
)

TEXTS = [
    "",
    "one",
    "Two words\n\nand three words\n",
    "Héllo Wörld — ﬁne “quotes” and ÄÖÜ straße\n\nΑθήνα 2024: 12 people, 3 cats\n",
    "Menu | Home | News\n\n" + "The council met on Tuesday and voted to repair the old bridge before winter. " * 6
    + "\n\nCopyright 2023 The Daily Post. All rights reserved.\n\nShare on Facebook\n",
    "\n".join(f"Line {i} of a list with item number {i * 7}" for i in range(40)) + "\n",
    "A paragraph that ends here.\n\nA paragraph that ends here.\n\nshort\n\nshort\n",
]


def test_words_hash_alike_wherever_they_sit():
    text = "alpha beta alpha gamma"
    th = token_hashes(text)
    assert th[0] == th[2] != th[1]
    assert [int(h) for h in th] == [token_hash(w.encode()) for w in text.split()]


def test_signing_a_batch_equals_signing_each_document_alone():
    blocks = [segment(t) for t in TEXTS]
    together = sign_texts(blocks, 3)
    for b, batch in zip(blocks, together):
        alone = sign_text(b, 3)
        assert batch.norms == alone.norms
        assert np.array_equal(batch.tokens, alone.tokens)
        for x, y in zip(batch.sigs, alone.sigs):
            assert (x.hash, x.n_words, x.norm) == (y.hash, y.n_words, y.norm)
            assert np.array_equal(x.shingles, y.shingles)


def test_block_shingles_are_the_distinct_hashes_of_each_blocks_word_triples():
    for b in (segment(t) for t in TEXTS):
        for block, sig in zip(b, sign_text(b, 3).sigs):
            w = words(block.text)
            expected = sorted({sign.shingle_hash(s) for s in shingles(w, 3)})
            assert sig.shingles.tolist() == expected


def test_document_minhash_equals_datasketch_with_the_shingle_base_hash():
    datasketch = pytest.importorskip("datasketch")
    hasher = MinHasher(64, 3)
    blocks = [segment(t) for t in TEXTS]
    signed = sign_texts(blocks, 3)
    bodies = [list(range(len(b))) for b in blocks]
    sigs, counts, sizes = doc_signatures(signed, bodies, hasher, 5)
    for i, b in enumerate(blocks):
        w = [x for block in b for x in words(block.text)]
        grams = shingles(w, 5)
        theirs = datasketch.MinHash(num_perm=64, seed=3, hashfunc=shingle_base_hash)
        theirs.update_batch(grams)
        assert np.array_equal(sigs[i], theirs.hashvalues), TEXTS[i][:30]
        assert counts[i] == len({shingle_base_hash(g) for g in grams})
        assert sizes[i] == len(w)


@pytest.mark.parametrize("seed", [0, 1, 3, 42, 2**31 - 1, 2**32 - 1])
def test_permutations_are_datasketchs_draws_from_numpys_generator(seed):
    # (drawn with Python's `random`, which runs the same generator, so that a run need not import numpy.random)
    for n in (0, 1, 8, 128, 700):
        gen = np.random.RandomState(seed)
        a = gen.randint(0, 1 << 31, n, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = gen.randint(0, 1 << 32, n, dtype=np.uint32)
        hasher = MinHasher(n, seed)
        assert hasher.a.dtype == hasher.b.dtype == np.uint32
        assert hasher.a.tolist() == a.tolist() and hasher.b.tolist() == b.tolist()


#: The salts of exact and digits-folded text keys (stored nowhere, but changing them changes every run's keys).
SALT_EXACT, SALT_SHAPE = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F


def fold_digits(normalized: str) -> str:
    """What folding numbers means: every run of decimal digits (of any script) becomes one 0."""
    return re.sub(r"\d+", "0", normalized)


def shape_key(normalized: str) -> str | None:
    """The text a block's digits-folded key hashes: its numbers folded, when it has numbers and a letter (a number
    alone folds to what every number alone does: no template line is told by it); else None."""
    folded = fold_digits(normalized)
    return folded if folded != normalized and any(map(str.isalpha, folded)) else None


def test_numbers_of_any_script_fold_into_the_shape_key():
    hasher = MinHasher(8, 1)
    assert fold_digits(sign.normalize("٣٤ c ２ x0y 00")) == "0 c 0 x0y 0"
    for text in ("Page 2023 of 7", "٣٤ c ２", "00 x", "no numbers", "0", "१२३ devanagari १ 9", "日本 2024年 5月",
                 "é combining 9́", "٣ arabic ٣2 mixed 2٣", "ＩＳＯ 9001", "203", "12 / 15", "#1", "٣٤"):
        norm = sign.normalize(text)
        keys, owner, kind = block_keys([sign_text(segment(text), 3)], hasher, 4, 50, 30)[0]  # no band keys
        folded = shape_key(norm)
        assert kind.tolist() == ([0, 1] if folded is not None else [0]), text
        if folded is not None:
            assert keys[1] == xxhash.xxh3_64_intdigest(folded.encode()) ^ SALT_SHAPE
    # (a number alone has its exact key only)
    assert all(shape_key(sign.normalize(t)) is None for t in ("203", "12 / 15", "#1", "٣٤"))


def test_short_block_keys_are_text_digits_folded_and_band_keys_of_word_pairs():
    hasher = MinHasher(8, 1)
    b = segment(TEXTS[4] + "\n\nCopyright 2024 The Daily Post. All rights reserved.\n")
    signed = sign_text(b, 3)
    keys, owner, kind = block_keys([signed], hasher, 4, 5, 30)[0]
    expected_keys, expected_owner, expected_kind, bands = [], [], [], []
    for i, block in enumerate(b):
        norm = " ".join(words(block.text))
        n = len(norm.split())
        if not norm or n > 30:
            continue
        expected_keys.append(xxhash.xxh3_64_intdigest(norm.encode()) ^ SALT_EXACT)
        expected_owner.append(i)
        expected_kind.append(0)
        if shape_key(norm) is not None:
            expected_keys.append(xxhash.xxh3_64_intdigest(shape_key(norm).encode()) ^ SALT_SHAPE)
            expected_owner.append(i)
            expected_kind.append(1)
        if n >= 5:
            pairs = np.array(sorted({shingle_base_hash(g) for g in shingles(norm.split(), 2)}), dtype=np.uint32)
            bands.append((i, band_keys(hasher.signature(pairs)[None, :], 4)[0]))
    for i, bk in bands:
        expected_keys.extend(bk.tolist())
        expected_owner.extend([i] * len(bk))
        expected_kind.extend([2] * len(bk))
    assert keys.tolist() == expected_keys
    assert owner.tolist() == expected_owner
    assert kind.tolist() == expected_kind
    assert any(k == 1 for k in expected_kind) and any(k == 2 for k in expected_kind)


def test_analyzing_a_batch_equals_analyzing_each_document_alone():
    config = Config()
    hashers = (MinHasher(config.num_perm, config.seed), MinHasher(config.block_num_perm, config.seed))
    docs = [Document(f"site/{i}.txt", t) for i, t in enumerate(TEXTS)]
    together = analyze_documents(docs, config, hashers)
    for doc, (a, s) in zip(docs, together):
        a1, s1 = analyze_document(doc, config, hashers)
        assert (a.digest, a.spans, a.findings, a.hashes, a.long) == (a1.digest, a1.spans, a1.findings, a1.hashes, a1.long)
        for x, y in ((a.keys, a1.keys), (a.owner, a1.owner), (a.kind, a1.kind), (s.signature, s1.signature), (s.keys, s1.keys)):
            assert np.array_equal(x, y)
        assert (s.id, s.source, s.n_lines, s.size, s.n_shingles) == (s1.id, s1.source, s1.n_lines, s1.size, s1.n_shingles)


def test_an_analysis_survives_the_scratch_file_unchanged():
    import pickle

    config = Config()
    hashers = (MinHasher(config.num_perm, config.seed), MinHasher(config.block_num_perm, config.seed))
    a, _ = analyze_document(Document("d.txt", TEXTS[6] + TEXTS[4]), config, hashers)
    b = pickle.loads(pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL))
    assert a.findings.size and (np.frombuffer(a.findings.ints, np.int64).reshape(-1, INTS)[:, 4] >= 0).any()  # refs
    assert (b.digest, b.spans, b.findings, b.hashes, b.long) == (a.digest, a.spans, a.findings, a.hashes, a.long)
    assert all(np.array_equal(x, y) for x, y in ((a.keys, b.keys), (a.owner, b.owner), (a.kind, b.kind)))


BATCH_TEXTS = [
    "", " ", "...", "Plain ASCII, with punctuation!", "  Tabs\tand\x0cform feeds\rand CR  ",
    "Héllo Wörld — ﬁne “quotes”", "ΑΘΉΝΑ 2024", "under_score and CamelCase", "a\nline break inside",
    "x", "٣ Arabic-Indic digit and ２ full-width", "\u00a0non-breaking\u00a0spaces\u2028and separators",
]


def test_a_batch_is_normalized_as_each_text_alone():
    blocks = [[Block(0, 1, 1, t)] for t in BATCH_TEXTS]
    for t, signed in zip(BATCH_TEXTS, sign_texts(blocks, 3)):
        norm = sign.normalize(t)
        assert signed.norms == [norm] and signed.lengths.tolist() == [len(norm.split())]
        assert signed.tokens.tolist() == [token_hash(w.encode()) for w in norm.split()]
        assert signed.sigs[0].hash == xxhash.xxh3_64_intdigest(norm.encode())


def _python_normalize(text: str) -> str:
    """What normalizing means, in Python's own terms (NFKC, full case folding, [\\W_]+ as one space)."""
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]) | st.sampled_from("ßİKͅﬁ²①Ａ_िẞ"),
               max_size=80))
def test_the_core_normalizes_as_python_nfkc_casefold_and_non_words(text):
    assert sign.normalize(text) == _python_normalize(text)


def test_normalizing_edge_characters_as_python():
    # Pinned: full case folding (ß -> ss, final sigma), compatibility forms, a combining ypogegrammeni that
    # folds into a letter, a Devanagari vowel sign that is no word character, a lone surrogate (a separator).
    for text in ("Straße ΣΑΣ σας", "ﬁne ① ２ x² Ǆ", "ᾳ ͅ", "कि", "a\ud800b", "KK", "_x_"):
        assert sign.normalize(text) == _python_normalize(text)
    assert sign.normalize("Straße ΣΑΣ") == "strasse σασ"


def test_words_hash_alike_however_they_are_spaced():
    for text in ("  lead  double   spaces trail  ", "one two ", "é ü straße 12"):
        assert token_hashes(text).tolist() == [token_hash(w.encode()) for w in text.split()]


def test_block_keys_and_document_minhashes_of_a_batch_equal_each_document_alone():
    hasher = MinHasher(16, 2)
    signed = sign_texts([segment(t) for t in TEXTS], 3)
    bodies = [list(range(0, len(s.norms), 2)) for s in signed]  # every other block: bodies cut from the page
    keys = block_keys(signed, hasher, 4, 2, 30)
    sigs, counts, sizes = doc_signatures(signed, bodies, hasher, 5)
    # (the batch's word hashes as `sign_texts` keeps them end to end, and joined again from a plain list)
    for x, y in zip(keys, block_keys(list(signed), hasher, 4, 2, 30)):
        assert all(np.array_equal(a, b) for a, b in zip(x, y))
    joined = doc_signatures(list(signed), bodies, hasher, 5)
    assert all(np.array_equal(a, b) for a, b in zip((sigs, counts, sizes), joined))
    for i, (s, body) in enumerate(zip(signed, bodies)):
        alone = block_keys([s], hasher, 4, 2, 30)[0]
        assert all(np.array_equal(x, y) and x.dtype == y.dtype for x, y in zip(keys[i], alone))
        one_sig, one_count, one_size = doc_signatures([s], [body], hasher, 5)
        assert np.array_equal(sigs[i], one_sig[0]) and counts[i] == one_count[0] and sizes[i] == one_size[0]
        text = " ".join(n for j, n in enumerate(s.norms) if j in body and n)
        assert np.array_equal(sigs[i], hasher.signature(hasher.token_base_hashes(text, 5)))


def test_a_paragraph_ends_a_sentence_with_its_full_stop_then_closing_quotes_or_brackets():
    from dedupe.detect.chrome import ends_sentence

    ends = ("It ended.", "It ended!", "Did it?", "And then…", 'He said "no."', "(As noted.)", "So.” ", "Done.\n")
    # The duplicate signing rule reads the chrome detector's sentence end, so scripts without spaces count too.
    ends += ("他说：“好。”", "これで終わり。", "真的吗？）")
    for text in ends:
        assert ends_sentence(text), text
    for text in ("Read more", "Price: 3.50 USD", 'A "quote" inside', ". then more", "Menu ›", "", "更多新闻 ›"):
        assert not ends_sentence(text), text




@pytest.mark.parametrize("doc_sign", ["prose", "cleaned", "page"])
def test_a_batch_signs_with_the_bodies_each_document_has_by_the_plain_rules(doc_sign):
    """Pass 1 decides the blocks that sign a batch's documents on its columns at once (`_signing_bodies`): the
    same blocks, and the same whole-page flags, as the plain rules a document at a time, over pages with
    repeats, chrome, sentences, short lines and nothing, under other word counts and shares too."""
    import random

    from dedupe.decide import found_of
    from dedupe.pipeline import _signing_bodies
    from dedupe.records import Finding
    from dedupe.segment import segment_batch
    from helpers import reference_signing_body

    rng, flags = random.Random(7), []
    lines = ["Home | News | Sport", "A short line.", "Menu", "", "© 2024 Site", "Subscribe to our newsletter!",
             "A longer sentence that runs on for a while about the river and the town, and ends here.",
             "Words without an end that run on for a while about the river and the town and more of it",
             "Many many many words " * 12 + "and then a stop.", "(“Quoted and closed.”)", "12/01/2004",
             *(" ".join(["word"] * n) for n in (3, 8, 9, 15, 24, 45))]  # (at the word counts the rules read)
    categories = ["repeat", "near-repeat", "chrome:menu", "chrome:footer", "corpus-repeat"]
    for min_words, share in ((8, 0.3), (3, 0.5), (15, 0.9), (8, 0.0)):
        config = Config(doc_sign=doc_sign, doc_min_words=min_words, doc_min_share=share)
        texts = ["\n\n".join(rng.choice(lines) for _ in range(rng.randrange(0, 14))) for _ in range(60)]
        blocks = segment_batch(texts)
        signed = sign.sign_texts(blocks, config.shingle_size)
        findings = [found_of(sorted((Finding(b, rng.choice(categories), "test", rng.choice([1, 0.95, 0.5]))
                                     for b in rng.sample(range(len(bl)), rng.randrange(0, len(bl) + 1))),
                                    key=lambda f: f.block)) for bl in blocks]
        chosen, per_body, whole = _signing_bodies(blocks, signed, findings, config)
        bounds = np.cumsum([0, *[len(bl) for bl in blocks]])
        at = 0
        for i, (bl, s, f) in enumerate(zip(blocks, signed, findings)):
            body, flag = reference_signing_body(bl, s.lengths.tolist(), f, config)
            assert (chosen[at : at + per_body[i]] - bounds[i]).tolist() == body
            assert whole[i] == flag
            at += per_body[i]
        assert at == len(chosen)
        flags += whole
    assert any(flags) == (doc_sign == "prose") and not all(flags)


def test_a_segmented_batch_gives_each_texts_blocks_when_asked_and_its_columns_end_to_end():
    """`segment_batch` makes a text's `Block`s when they are first asked for; they are the text's blocks alone,
    by index (negative too), slice and iteration, and the batch's columns hold them end to end."""
    from dedupe.segment import segment_batch

    texts = ["Home | News\n\nA paragraph\nwrapped here.\n", "", "one line", "a\n\n\nb\nc\n"]
    batch = segment_batch(texts)
    alone = [segment(t) for t in texts]
    assert len(batch) == 4 and batch[-1] == alone[-1] and batch[1:3] == alone[1:3] and list(batch) == alone
    assert batch[0] is batch[0]  # (made once)
    with pytest.raises(IndexError):
        batch[4]
    flat = [b for blocks in alone for b in blocks]
    assert batch.counts == [len(blocks) for blocks in alone] and batch.texts == [b.text for b in flat]
    assert (batch.firsts, batch.lasts) == ([b.first_line for b in flat], [b.last_line for b in flat])
    assert all(type(b) is Block for blocks in batch for b in blocks)
