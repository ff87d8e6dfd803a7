"""Field paths: `--text-field content.text` names a field inside a nested record (a JSON object, a Parquet struct).

A path is field names joined by dots. A name that holds a dot itself is
written with the dot escaped by a backslash (`meta\\.text` is the one field
named "meta.text"), and a backslash in a name is doubled. The same path means
the same field in JSONL, JSON, Parquet and Arrow.
"""
from __future__ import annotations

from functools import lru_cache

#: What a path lookup answers when the record does not hold the field (None is a value: JSON null).
MISSING = object()


@lru_cache(maxsize=64)
def parse(spec: str) -> tuple[str, ...]:
    """The field names of a dotted path; ValueError with the fix if it is malformed."""
    parts: list[str] = []
    name: list[str] = []
    chars = iter(enumerate(spec))
    for i, c in chars:
        if c == "\\":
            nxt = next(chars, (None, ""))[1]
            if nxt not in (".", "\\"):
                raise ValueError(
                    f"{spec!r}: a backslash at column {i + 1} must be followed by '.' (a dot inside a field's name) "
                    f"or by another backslash (a backslash inside a name)"
                )
            name.append(nxt)
        elif c == ".":
            parts.append("".join(name))
            name = []
        else:
            name.append(c)
    parts.append("".join(name))
    if any(not p for p in parts):
        raise ValueError(f"{spec!r}: an empty field name (a dot at the start, at the end or doubled); "
                         f"write a dot inside a field's name as '\\.'")
    return tuple(parts)


def show(path: tuple[str, ...]) -> str:
    """A path written back as the user would type it (dots inside names escaped)."""
    return ".".join(p.replace("\\", "\\\\").replace(".", "\\.") for p in path)


def get(record, path: tuple[str, ...]):
    """The value at a path in nested dicts, or MISSING."""
    value = record
    for name in path:
        if not isinstance(value, dict) or name not in value:
            return MISSING
        value = value[name]
    return value


def why_missing(record: dict, path: tuple[str, ...], fix: str = "try --text-field") -> str:
    """Why a record has no string at `path`, naming the fields it does have at the level where the path ends;
    `fix` says where the path is set (the CLI's flag, the library's setting)."""
    value, level = record, []
    for name in path:
        if not isinstance(value, dict):
            return f"{show(tuple(level))!r} is not an object ({kind(value)}), so it has no {show(path)!r}"
        if name not in value:
            where = f" in {show(tuple(level))!r}" if level else ""
            fields = ", ".join(sorted(value)[:8]) or "none"
            hint = ""
            dotted = ".".join(path[len(level):])
            if len(path) > len(level) + 1 and dotted in value:
                # The record has a field whose name holds the dots the user meant as a path.
                hint = f"; the field named {dotted!r} is written {show(tuple(level) + (dotted,))!r}"
            return f"no {show(path)!r} field; fields{where}: {fields}{hint or f' ({fix})'}"
        value = value[name]
        level.append(name)
    return f"{show(path)!r} is not a string ({kind(value)})"


def kind(value) -> str:
    """What a JSON value is, with its article: 'an object', 'a list', 'a str', 'null'."""
    if value is None:
        return "null"
    name = {dict: "object", list: "list"}.get(type(value), type(value).__name__)
    return ("an " if name[0] in "aeiou" else "a ") + name
