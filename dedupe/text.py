"""Names and messages shown to a person or written into a line-based file, made safe to show.

A file name may hold any character but "/" and NUL: a newline (which would
forge a line of changes.diff), an escape sequence (which a terminal would
run), a bidi control (U+202E makes "gnp.txt" read "txt.png"). `visible`
shows such characters as escapes in terminal output and on the review page;
`quote_path` quotes a path in changes.diff the way git does.
"""
from __future__ import annotations

import re

#: Bidirectional controls (marks, embeddings, overrides, isolates) and the line and paragraph separators.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
#: What a terminal or a page would not show as itself: C0 and C1 controls, DEL, bidi controls.
_HIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: git's C-style escapes (quote.c: sq_lookup), for the bytes that have one.
_GIT = {0x07: "\\a", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r",
        0x22: '\\"', 0x5C: "\\\\"}
#: What makes git quote a path: control characters, '"' and '\' (and here, as they hide text, bidi controls).
_QUOTED = re.compile(f'[\x00-\x1f\x7f-\x9f"\\\\{_BIDI}]')


def _escape(match: re.Match) -> str:
    c = match.group()
    if c in _NAMED:
        return _NAMED[c]
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def visible(text: str) -> str:
    """text with control and bidi characters shown as escapes (\\n, \\x1b, \\u202e)."""
    return _HIDDEN.sub(_escape, text) if _HIDDEN.search(text) else text


def quote_path(path: str) -> str:
    """A path as git writes it in a diff header: as is, or in double quotes with C escapes when it holds a
    control character, '"' or '\\' (git's core.quotePath=false); bidi controls are quoted too. Each escaped
    character's UTF-8 bytes are written as octal escapes, as git does, so `git apply` reads the same name."""
    if not _QUOTED.search(path):
        return path
    out = []
    for c in path:
        if not _QUOTED.fullmatch(c):
            out.append(c)
            continue
        for byte in c.encode("utf-8", "surrogateescape"):
            out.append(_GIT.get(byte, f"\\{byte:03o}"))
    return '"' + "".join(out) + '"'


def needs_quoting(paths) -> bool:
    """Whether `quote_path` would quote any of the paths (one search over them all: most need nothing)."""
    return _QUOTED.search("".join(paths)) is not None
