"""JSON text of the report's per-removal lines, written field by field.

A run writes two JSON objects per removal (its removals.jsonl line and its
item of the review page), millions in all. `json.dumps` would pay at every
call for a new encoder and a walk through a dict made only to be encoded, and
the two objects would encode the same text twice: here each field of a
removal is encoded once (`Fields`) and pasted into both. Each function gives
exactly the text `json.dumps` (ensure_ascii=False) gives for the same object;
tests/test_report_json.py checks that on awkward values.
"""
from __future__ import annotations

import json
import math
from json.encoder import encode_basestring as string  # the escaping json.dumps(ensure_ascii=False) does
from typing import NamedTuple

from ..records import Removal

__all__ = ["Fields", "number", "removal_line", "string"]

_ANY = json.JSONEncoder(ensure_ascii=False)


def number(x) -> str:
    """A score as JSON: a finite float as its repr, anything else (NaN, an int, a numpy value) as json writes it."""
    return float.__repr__(x) if type(x) is float and math.isfinite(x) else _ANY.encode(x)


class Fields(NamedTuple):
    """A removal's fields as JSON text (strings quoted and escaped), each encoded once."""

    removal: Removal
    file: str
    category: str
    detector: str
    score: str  # rounded to 4 places, as removals.jsonl has it
    ref_file: str | None  # the file of duplicate_of, if any
    text: str

    @classmethod
    def of(cls, r: Removal) -> "Fields":
        ref = r.duplicate_of
        return cls(r, string(r.file), string(r.category), string(r.detector), number(round(r.score, 4)),
                   None if ref is None else string(ref.file), string(r.text))


def removal_line(f: Fields, allow: str | None = None) -> str:
    """One line of removals.jsonl, or of allowed.jsonl with `allow` (without its newline): the text of
    `json.dumps(r.to_json())`, or of `Allowed(r, allow).to_json()`."""
    r = f.removal
    ref = r.duplicate_of
    dup = "null" if ref is None else f'{{"file": {f.ref_file}, "lines": [{ref.lines[0]}, {ref.lines[1]}]'
    if ref is not None:
        dup += f', "run": {string(ref.run)}}}' if ref.run else "}"
    entry = "" if allow is None else f', "allow": {string(allow)}'
    return (f'{{"file": {f.file}, "lines": [{r.lines[0]}, {r.lines[1]}], "category": {f.category}, '
            f'"detector": {f.detector}, "score": {f.score}, "duplicate_of": {dup}, "text": {f.text}{entry}}}')
