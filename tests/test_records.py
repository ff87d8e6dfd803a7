"""Records made by the thousand are built faster than a dataclass builds them: they must still be frozen records."""
import dataclasses
import inspect
import pickle

import numpy as np
import pytest
import xxhash

from dedupe.records import Block, Ref, Removal

EXAMPLES = [
    (Removal, ("site/a.txt", (4, 6), "repeat", "repeat:exact", 1.0, Ref("site/a.txt", (1, 3)), "A paragraph."),
     {"score": 0.5}),
]


@pytest.mark.parametrize("cls, values, change", EXAMPLES, ids=[c.__name__ for c, _, _ in EXAMPLES])
def test_a_record_with_its_own_constructor_is_a_frozen_record_equal_by_its_fields(cls, values, change):
    names = [f.name for f in dataclasses.fields(cls)]
    r = cls(*values)
    assert [getattr(r, n) for n in names] == list(values)
    assert r == cls(**dict(zip(names, values))) and hash(r) == hash(cls(*values))
    assert r != cls(*values[:-1], values[-1] + "!")  # the last field of each is its text
    assert repr(r) == f"{cls.__name__}(" + ", ".join(f"{n}={v!r}" for n, v in zip(names, values)) + ")"
    copy = pickle.loads(pickle.dumps(r))
    assert copy == r and hash(copy) == hash(r)
    changed = dataclasses.replace(r, **change)
    assert changed == cls(**{**dict(zip(names, values)), **change}) and changed != r
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(r, names[0], values[0])
    # The hand-written constructor takes every field, in order, with the dataclass's defaults.
    params = inspect.signature(cls).parameters
    assert [(p.name, p.default) for p in params.values()] == [
        (f.name, inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default)
        for f in dataclasses.fields(cls)
    ]


def test_a_block_is_an_immutable_record_equal_by_its_fields():
    b = Block(3, 4, 6, "A paragraph wrapped over three lines.")
    assert (b.index, b.first_line, b.last_line, b.text, b.lines) == (3, 4, 6, "A paragraph wrapped over three lines.", (4, 6))
    assert b == Block(index=3, first_line=4, last_line=6, text="A paragraph wrapped over three lines.")
    assert b != Block(3, 4, 6, "Another paragraph.") and hash(b) == hash(Block(*b))
    assert repr(b) == "Block(index=3, first_line=4, last_line=6, text='A paragraph wrapped over three lines.')"
    assert pickle.loads(pickle.dumps(b)) == b and b._replace(text="x") == Block(3, 4, 6, "x")
    with pytest.raises(AttributeError):
        b.text = "changed"


def test_an_analysis_has_every_field_in_its_constructor_and_keeps_its_arrays_through_pickling():
    import numpy as np

    from dedupe.records import Analysis, Finding

    params = inspect.signature(Analysis).parameters
    assert [p.name for p in params.values()] == [f.name for f in dataclasses.fields(Analysis)]
    keys = np.array([2**64 - 1, 3, 2**63], dtype=np.uint64)
    full = Analysis(7, ((1, 2), (4, 4)), (Finding(1, "repeat", "repeat:exact", 1.0),), (11, 12), keys,
                    np.array([0, 1, 1], dtype=np.int32), np.array([0, 1, 2], dtype=np.uint8), (False, True), "listing")
    empty = Analysis(0, (), (), (), np.empty(0, np.uint64), np.empty(0, np.int32), np.empty(0, np.uint8), ())
    strided = dataclasses.replace(full, keys=np.arange(6, dtype=np.uint64)[::2], owner=np.arange(3, dtype=np.int32))
    for a in (full, empty, strided):
        b = pickle.loads(pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL))
        assert (b.digest, b.spans, b.findings, b.hashes, b.long, b.page) == \
            (a.digest, a.spans, a.findings, a.hashes, a.long, a.page)
        for name in ("keys", "owner", "kind"):
            x, y = getattr(a, name), getattr(b, name)
            assert y.dtype == x.dtype and y.tolist() == x.tolist() and y.flags.writeable
    with pytest.raises(dataclasses.FrozenInstanceError):
        full.digest = 8


def test_a_batch_of_analyses_packed_as_columns_unpacks_to_the_same_records(tmp_path):
    """Pass 1's scratch file holds a batch's Analyses as columns, made from the batch's own columns; pass 2 gets
    each record back as that document alone gives it."""
    from dedupe.config import Config
    from dedupe.pipeline import _analyze, _block_bytes, _joined, _unpack_analyses
    from dedupe.records import Document
    from dedupe.sign import MinHasher

    config = Config()
    texts = ["Home | News\n\nA long enough paragraph about the river, the town and the bridge they built.\n\n"
             "A long enough paragraph about the river, the town and the bridge they built.\n\n© 2024 Site\n",
             "", "one line", "Menu\nMenu\nMenu\n\nText that is here once, and ends.\n",
             "Sign up for our newsletter\n\nShort.\n\nA second page with a paragraph of its own that goes on.\n"]
    docs = [Document(f"d{i}.txt", t) for i, t in enumerate(texts)]
    hashers = (MinHasher(config.num_perm, config.seed), MinHasher(config.block_num_perm, config.seed))
    batch = _analyze(docs, config, hashers)
    back = _unpack_analyses(pickle.loads(pickle.dumps(batch.packed())))
    alone = [_analyze([d], config, hashers) for d in docs]
    assert pickle.dumps(_joined([a.packed() for a in alone])) == pickle.dumps(batch.packed())
    expected = [a.records()[0][0] for a in alone]
    assert any(a.findings.size for a in expected) and any(len(a.keys) for a in expected)
    assert len(back) == len(expected)
    for a, b, blocks, doc in zip(expected, back, batch.blocks, docs):
        assert (b.digest, b.spans, b.findings, b.hashes, b.long, b.page) == \
            (a.digest, a.spans, a.findings, a.hashes, a.long, a.page)
        assert b.spans == tuple((k.first_line, k.last_line) for k in blocks)
        assert b.digest == xxhash.xxh3_64_intdigest(doc.text.encode())
        for name in ("keys", "owner", "kind"):
            assert getattr(b, name).dtype == getattr(a, name).dtype
            assert getattr(b, name).tolist() == getattr(a, name).tolist()
            assert getattr(b, name).flags.writeable
    # (and each document's blocks as the core takes them from the same columns: their spans and hashes as bytes)
    columns = _block_bytes(batch.packed())
    assert [(np.frombuffer(s, "<i8").reshape(-1, 2).tolist(), np.frombuffer(h, "<u8").tolist()) for s, h in columns] \
        == [([list(p) for p in a.spans], list(a.hashes)) for a in expected]
    assert _unpack_analyses(_analyze([], config, hashers).packed()) == []
    assert _block_bytes(_analyze([], config, hashers).packed()) == []


def test_pass_2_takes_each_files_analyses_and_the_template_columns_from_the_scratch_columns():
    """Pass 2 unpacks a file's Analyses only when it asks for them (`_Pass1`), each as the whole batch's unpacking
    gives it, and looks the batch's templates up on the columns as they are, as on the Analyses' own arrays; a
    share of the columns (`sliced`) joined to another (`_joined`) is those documents' columns."""
    from dedupe.config import Config
    from dedupe.pipeline import _analyze, _joined, _Pass1, _unpack_analyses
    from dedupe.records import Document
    from dedupe.sign import MinHasher

    config = Config()
    texts = ["Home | News\n\nA long enough paragraph about the river, the town and the bridge they built.\n\n"
             "A long enough paragraph about the river, the town and the bridge they built.\n\n© 2024 Site\n",
             "", "Menu\nMenu\nMenu\n\nText that is here once, and ends.\n", "one line",
             "Sign up for our newsletter\n\nShort.\n\nA second page with a paragraph of its own that goes on.\n"]
    hashers = (MinHasher(config.num_perm, config.seed), MinHasher(config.block_num_perm, config.seed))
    packed = _analyze([Document(f"d{i}.txt", t) for i, t in enumerate(texts)], config, hashers).packed()
    flat = _unpack_analyses(packed)
    pass1 = _Pass1({"columns": packed, "files": [("a", 2), ("b", 1), ("c", 2)]})
    assert (list(pass1), pass1.size, pass1.files["c"]) == (["a", "b", "c"], 5, (3, 2))
    assert pickle.dumps(pass1["c"]) == pickle.dumps(flat[3:]) and pickle.dumps(pass1["a"]) == pickle.dumps(flat[:2])
    for i, a in enumerate(flat):
        assert (pass1.digests[i], pass1.found(i), pass1.page(i), pass1.n_blocks[i]) == (
            a.digest, tuple(a.findings), a.page, len(a.spans))
    counts, keys, owner, kind, n_blocks, long, n_labels = pass1.templates_args()
    assert (counts.tolist(), n_blocks.tolist(), n_labels.tolist()) == (
        [len(a.keys) for a in flat], [len(a.long) for a in flat], [len(a.findings.labels) for a in flat])
    for name, column in (("keys", keys), ("owner", owner), ("kind", kind)):
        want = np.concatenate([getattr(a, name) for a in flat])
        assert column.dtype == want.dtype and column.tolist() == want.tolist()
    assert long.tolist() == [x for a in flat for x in a.long] and sum(counts) > 0
    joined = _joined([pass1.sliced(3, 5), pass1.sliced(0, 1), pass1.sliced(1, 3)])
    assert pickle.dumps(_unpack_analyses(joined)) == pickle.dumps(flat[3:] + flat[:3])
    assert [x.tolist() for x in pass1.templates_args(joined)[1:4]] == [
        np.concatenate([getattr(a, name) for a in flat[3:] + flat[:3]]).tolist() for name in ("keys", "owner", "kind")]
