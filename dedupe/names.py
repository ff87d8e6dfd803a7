"""Names: many short strings (document names) held as one UTF-8 buffer and an offsets array.

The main process names every document of a run several times over (the
corpus table, the report's per-file counts, the review page's order): as
Python strings that is about 100 bytes a name plus the container's slot, as
one buffer it is the name's bytes plus 8. A forked pass-2 worker that looks a
name up reads the buffer and never writes to it, so the pages it shares with
the main process stay shared (a list of strings is written to by every
reference count taken).
"""
from __future__ import annotations

from array import array
from typing import Iterable, Iterator

#: Every str round-trips, lone surrogates included (a JSON id may escape one, a file name may hold
#: surrogateescape's), and the bytes sort as the strings do (code point order).
_ENCODING, _ERRORS = "utf-8", "surrogatepass"


class Names:
    """A growing sequence of strings, stored as one buffer; `names[i]` is the i-th string."""

    __slots__ = ("_data", "_ends")

    def __init__(self, names: Iterable[str] = ()):
        self._data = bytearray()
        self._ends = array("Q")
        for name in names:
            self.append(name)

    def append(self, name: str) -> int:
        """Add a name; returns its index."""
        self._data += name.encode(_ENCODING, _ERRORS)
        self._ends.append(len(self._data))
        return len(self._ends) - 1

    def extend(self, names: Iterable[str]) -> None:
        if isinstance(names, Names):  # its buffer and offsets, not a str a name decoded and encoded again
            start = len(self._data)
            self._data += names._data
            self._ends.extend([end + start for end in names._ends])
            return
        for name in names:
            self.append(name)

    def __len__(self) -> int:
        return len(self._ends)

    def _span(self, i: int) -> tuple[int, int]:
        ends = self._ends
        return (ends[i - 1] if i else 0), ends[i]

    def raw(self, i: int) -> bytes:
        """Name i as its stored bytes (they sort as the names do)."""
        ends = self._ends
        n = len(ends)
        j = i + n if i < 0 else i
        if not 0 <= j < n:
            raise IndexError(f"name {i} of {n}")
        return bytes(self._data[ends[j - 1] if j else 0 : ends[j]])

    def raws(self) -> list[bytes]:
        """Every name as its stored bytes, in order (what sorting and comparing them all reads)."""
        data, ends = bytes(self._data), self._ends.tolist()
        return [data[a:b] for a, b in zip([0] + ends[:-1], ends)]

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return [self[j] for j in range(start, stop, step)]
            if start >= stop:
                return []
            ends, data = self._ends, self._data
            at = ends[start - 1] if start else 0
            out = []
            for end in ends[start:stop]:
                out.append(data[at:end].decode(_ENCODING, _ERRORS))
                at = end
            return out
        return self.raw(i).decode(_ENCODING, _ERRORS)

    def strings(self, indices: list[int]) -> list[str]:
        """The names at these indices, in their order (one pass, no lookup a name)."""
        data, ends = self._data, self._ends
        return [data[ends[i - 1] if i else 0 : ends[i]].decode(_ENCODING, _ERRORS) for i in indices]

    def __iter__(self) -> Iterator[str]:
        data, start = self._data, 0
        for end in self._ends:
            yield data[start:end].decode(_ENCODING, _ERRORS)
            start = end

    def __eq__(self, other) -> bool:
        if isinstance(other, Names):
            return self._data == other._data and self._ends == other._ends
        return list(self) == list(other) if isinstance(other, (list, tuple)) else NotImplemented

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        return f"Names({len(self)} names, {len(self._data)} bytes)"

    def truncate(self, n: int) -> None:
        """Forget the names from index n on."""
        if n < len(self._ends):
            del self._data[self._span(n)[0]:]
            del self._ends[n:]

    def buffers(self) -> tuple[memoryview, memoryview]:
        """The stored bytes and each name's end offset in them (uint64), as views: no copy, and no name may be
        added while one is held."""
        return memoryview(self._data), memoryview(self._ends)

    def sorted_indices(self) -> list[int]:
        """The indices in the order of their names (as `sorted` orders the strings; equal names by index)."""
        return sorted(range(len(self)), key=self.raws().__getitem__)

    @property
    def nbytes(self) -> int:
        """What the names hold: their bytes and one offset each."""
        return len(self._data) + self._ends.itemsize * len(self._ends)
