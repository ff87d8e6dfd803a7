"""Records made by the thousand are built faster than a dataclass builds them: they must still be frozen records."""
import dataclasses
import inspect
import pickle

import pytest

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
