"""changes.diff: a zero-context unified diff whose hunk headers say why the lines went."""
from __future__ import annotations

from ..records import Removal
from ..text import quote_path


def _span(lines: tuple[int, int]) -> str:
    return f"line {lines[0]}" if lines[0] == lines[1] else f"lines {lines[0]}-{lines[1]}"


def _spans(group: list[Removal]) -> str:
    """The lines a group of removals repeats: one span when they copy a run line for line, else each span."""
    spans = [tuple(r.duplicate_of.lines) for r in group]
    shift = group[0].lines[0] - spans[0][0]
    if all(r.lines[0] - d[0] == shift and r.lines[1] - d[1] == shift for r, d in zip(group, spans)):
        return _span((spans[0][0], spans[-1][1]))
    distinct = sorted(set(spans))
    if len(distinct) == 1:
        return _span(distinct[0])
    return "lines " + ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in distinct)


def hunk_reason(rel: str, removals: list[Removal]) -> str:
    """One phrase for the removals of a hunk: 'repeat of lines 6-21', 'chrome:paywall, chrome:subscription'."""
    parts: list[str] = []
    i = 0
    while i < len(removals):
        r = removals[i]
        j = i + 1
        while j < len(removals) and removals[j].category == r.category:
            j += 1
        group = removals[i:j]
        refs = [g.duplicate_of for g in group if g.duplicate_of is not None]
        if refs and len(refs) == len(group) and all(x.file == refs[0].file for x in refs):
            where = "" if refs[0].file == rel else f"{quote_path(refs[0].file)} "
            verb = {"repeat": "repeat of", "near-repeat": "near repeat of", "duplicate-document": "duplicate of"}.get(
                r.category, f"{r.category} of"
            )
            parts.append(f"{verb} {where}{_spans(group)}")
        elif r.category == "corpus-repeat":
            parts.append("template text seen across the corpus")
        else:
            parts.append(r.category)
        i = j
    return "; ".join(dict.fromkeys(parts))


def _ascii_compatible(encoding: str) -> bool:
    """Whether a codec writes ASCII as ASCII (cp1252, latin-1...), unlike UTF-16, whose lines would not mix."""
    try:
        return "a\n".encode(encoding) == b"a\n"
    except (LookupError, UnicodeError):
        return False


def cuts(keep: list[bool]) -> list[tuple[int, int, int]]:
    """Each run of removed lines as its hunk header says it: (first input line, line count, kept lines before)."""
    out = []
    kept_before = 0
    i, n = 0, len(keep)
    while i < n:
        if keep[i]:
            kept_before += 1
            i += 1
            continue
        j = i
        while j < n and not keep[j]:
            j += 1
        out.append((i + 1, j - i, kept_before))
        i = j
    return out


def file_diff(rel: str, lines: list[str], keep: list[bool], removals: list[Removal], encoding: str = "utf-8",
              hunks: list[tuple[int, int, int]] | None = None) -> str:
    """The diff of one file: one hunk for each run of removed lines (`hunks`: `cuts(keep)`, if known already).

    Like `diff -u`, removed lines carry the file's own bytes: a line of a cp1252
    file comes back as text whose undecodable bytes are surrogate escapes, which
    the report writes out as the original bytes, so `patch` applies the diff.
    """
    if hunks is None:
        hunks = cuts(keep)
    if not hunks:
        return ""
    if encoding not in ("utf-8", "utf-8-sig") and _ascii_compatible(encoding):
        lines = [line.encode(encoding).decode("utf-8", "surrogateescape") for line in lines]
    out = [f"--- {quote_path('a/' + rel)}\n", f"+++ {quote_path('b/' + rel)}\n"]
    for first, count, kept_before in hunks:
        last = first + count - 1
        inside = [r for r in removals if r.lines[0] <= last and r.lines[1] >= first]
        out.append(f"@@ -{first},{count} +{kept_before},0 @@ {hunk_reason(rel, inside)}\n")
        for line in lines[first - 1 : last]:
            out.append("-" + line if line.endswith("\n") else "-" + line + "\n\\ No newline at end of file\n")
    return "".join(out)
