"""The allow-list: blocks a reviewer said must stay, read from a plain-text file a person can edit.

One entry a line; blank lines and lines starting with `#` are ignored:

    CATEGORY  xxh3:HEX16  # the block's text, as a note for the person reading the file
    CATEGORY  text: the block's text, written out by hand

CATEGORY is a removal category (`repeat`, `chrome:paywall`...), `chrome` for
every chrome kind, or `*` for any category. The key is the 64-bit xxh3 hash of
the block's normalized text (`dedupe.sign.normalize`: case, punctuation and
spacing do not matter), as the review page shows and writes it, or the text
itself, normalized the same way when the file is read. An entry keeps a block
from being removed under that category only; another detector may still claim
it, and the next report then shows that removal to review.
"""
from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError
from .sign import normalize, text_hash

HEADER = """\
# dedupe allow-list: blocks a reviewer kept. Use it with: dedupe clean SRC DST --allow FILE
# One entry a line: CATEGORY KEY [# note]
#   CATEGORY  a removal category (repeat, chrome:paywall...), chrome for every chrome kind, * for any
#   KEY       xxh3:<16 hex digits> (hash of the block's normalized text, as the review page shows it)
#             or text: <the block's text> (normalized the same way: case, punctuation, spacing do not matter)
"""

_HASH = re.compile(r"xxh3:([0-9a-fA-F]{16})\s*(?:#.*)?")
#: Characters a note must not carry: controls and line separators could start a new entry.
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


class AllowListError(ConfigError):
    """An allow-list file cannot be read or has a malformed line; nothing has been written."""


@functools.lru_cache(maxsize=1 << 14)  # the review page asks again for every copy of a template line
def block_key(text: str) -> str:
    """The allow-list key of a block's text: 'xxh3:' and 16 hex digits of its normalized hash."""
    return f"xxh3:{text_hash(normalize(text)):016x}"


def key_of_hash(h: int) -> str:
    """The allow-list key of a block whose normalized hash (sign.BlockSig.hash) is h."""
    return f"xxh3:{h:016x}"


@dataclass(frozen=True)
class AllowEntry:
    """One line of an allow-list: which category it overrides, the block hash, and where it was written."""

    category: str
    hash: int
    source: str  # "FILE:LINE", shown in the report next to the block it kept

    def covers(self, category: str) -> bool:
        """Whether this entry applies to a removal of this category."""
        if self.category == "*":
            return True
        if self.category == "chrome":
            return category.startswith("chrome:")
        return self.category == category


class AllowList:
    """Entries by block hash; `match` says which entry, if any, keeps a block from a category."""

    def __init__(self, entries: list[AllowEntry] = ()):
        self.entries = list(entries)
        self._by_hash: dict[int, list[AllowEntry]] = {}
        for e in self.entries:
            self._by_hash.setdefault(e.hash, []).append(e)

    def __len__(self) -> int:
        return len(self.entries)

    def match(self, category: str, h: int) -> str | None:
        """The source ("FILE:LINE") of the first entry that keeps a block with hash h from this category."""
        for e in self._by_hash.get(h, ()):
            if e.covers(category):
                return e.source
        return None

    @classmethod
    def load(cls, path: str | Path) -> "AllowList":
        """Read an allow-list file; a malformed line raises AllowListError naming the file, the line and the fix."""
        from .config import CATEGORIES  # config imports this module

        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise AllowListError(f"cannot read allow-list {path}: {e.strerror or e}") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise AllowListError(f"{path}:{line}: not UTF-8 text; save the allow-list as UTF-8") from None
        known = ("*", "chrome") + CATEGORIES
        entries = []
        # Only \n ends an entry (not the other separators splitlines knows), as in every editor.
        for n, line in enumerate(text.split("\n"), 1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            where = f"{path}:{n}"
            category, _, rest = stripped.partition(" ")
            rest = rest.strip()
            if category not in known:
                hint = difflib.get_close_matches(category, known, n=1)
                raise AllowListError(
                    f"{where}: unknown category {category!r}"
                    + (f" (did you mean {hint[0]!r}?)" if hint else "")
                    + "; an entry starts with a category: repeat, chrome:paywall, chrome or *"
                )
            if rest.startswith("text:"):
                words = normalize(rest[5:])
                if not words:
                    raise AllowListError(f"{where}: 'text:' is followed by no words; write the block's text after it")
                entries.append(AllowEntry(category, text_hash(words), where))
                continue
            m = _HASH.fullmatch(rest)
            if not m:
                raise AllowListError(
                    f"{where}: expected 'CATEGORY xxh3:<16 hex digits> [# note]' or 'CATEGORY text: BLOCK TEXT', "
                    f"got {stripped[:80]!r}"
                )
            entries.append(AllowEntry(category, int(m.group(1), 16), where))
        return cls(entries)


def entry_line(category: str, key: str, text: str, width: int = 160) -> str:
    """One allow-list line for a block, with its text (on one line, shortened) as a note."""
    note = _UNSAFE.sub(" ", text).strip()
    if len(note) > width:
        note = note[: width - 1] + "…"
    return f"{category} {key}  # {note}"
