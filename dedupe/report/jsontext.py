"""JSON text of the report's per-removal lines, written field by field.

A run writes a few JSON objects per removal, millions in all, and
`json.dumps` pays at every call for a new encoder and a walk through a dict
made only to be encoded: writing the known fields straight into a string
costs a third of that. Each function here gives exactly the text `json.dumps`
(ensure_ascii=False) gives for the same object; tests/test_report_json.py
checks that on awkward values.
"""
from __future__ import annotations

import json
import math
from json.encoder import encode_basestring as string  # the escaping json.dumps(ensure_ascii=False) does

from ..records import Removal

__all__ = ["number", "removal_line", "string"]

_ANY = json.JSONEncoder(ensure_ascii=False)


def number(x) -> str:
    """A score as JSON: a finite float as its repr, anything else (NaN, an int, a numpy value) as json writes it."""
    return float.__repr__(x) if type(x) is float and math.isfinite(x) else _ANY.encode(x)


def removal_line(r: Removal, allow: str | None = None) -> str:
    """One line of removals.jsonl, or of allowed.jsonl with `allow` (without its newline):
    `json.dumps(r.to_json())`, or of `Allowed(r, allow).to_json()`."""
    ref = r.duplicate_of
    dup = "null" if ref is None else f'{{"file": {string(ref.file)}, "lines": [{ref.lines[0]}, {ref.lines[1]}]}}'
    entry = "" if allow is None else f', "allow": {string(allow)}'
    return (f'{{"file": {string(r.file)}, "lines": [{r.lines[0]}, {r.lines[1]}], "category": {string(r.category)}, '
            f'"detector": {string(r.detector)}, "score": {number(round(r.score, 4))}, "duplicate_of": {dup}, '
            f'"text": {string(r.text)}{entry}}}')
