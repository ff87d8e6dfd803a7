"""glibc's heap left grown between batches, in the processes dedupe runs itself (docs/core.md, speed20).

A batch's columns are megabytes (the signing's word hashes, shingles and normalized texts; the bytes read; the
arrays made of them), made and let go again batch after batch. glibc's `malloc` gives the freed top of its heap
back to the kernel as soon as 128 KB of it are free, and takes it back at the next batch, each page then
faulted in and zeroed again: 71-91k page faults for a 10k-document `dedupe clean`, 46-48k of them in pass 1's
workers. With `M_TOP_PAD` the heap grows by `TOP_PAD` more than it needs and keeps that much free at its top
when it shrinks: 45.5k faults, 8.8k in pass 1 (its first batches' copy-on-write), the same with a pad of 8, 16,
32 or 64 MB; the core's `sign_blocks` alone 23.5-25.5 -> 19.7-20.5 µs of CPU a document with 16 MB. The price is
up to `TOP_PAD` of freed memory a process keeps (the 10k run's largest process 76 -> 77 MB). Blocks of up to
`MMAP_THRESHOLD` come from the heap too, not mapped afresh each time (the corpus step's arrays: its faults 12k
-> 6k, its CPU 71-80 -> 57-66 ms).

Only glibc's allocator has the setting (asked of the C library itself, `os.confstr`); anywhere else this does
nothing. Set by the command line for its process (and so for the workers it forks) and by a pool's workers,
never for a library caller's own process.
"""
from __future__ import annotations

import os
import sys

#: Bytes of heap kept free at its top (glibc's default: 128 KB, and 0 padding when it grows).
TOP_PAD = 16 << 20
#: Allocations this large or larger are mapped on their own (and given back when freed); smaller ones come from
#: the heap. glibc starts at 128 KB and raises it as large blocks are freed, up to this value; setting the pad
#: stops that, so it is set to this value at once.
MMAP_THRESHOLD = 32 << 20
#: `mallopt`'s parameter numbers (glibc's malloc.h: M_TOP_PAD, M_MMAP_THRESHOLD).
M_TOP_PAD, M_MMAP_THRESHOLD = -2, -3


def glibc() -> bool:
    """Whether this process runs on glibc (`os.confstr` names its version there)."""
    try:
        return sys.platform.startswith("linux") and (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (ValueError, OSError, AttributeError):
        return False


def keep_heap(pad: int = TOP_PAD, mapped: int = MMAP_THRESHOLD) -> bool:
    """Ask glibc's malloc to keep `pad` bytes of freed heap at its top (and to grow it by as much), and to map
    only blocks of `mapped` bytes or more on their own; whether it did both. Nothing is asked elsewhere."""
    if not glibc():
        return False
    try:
        import ctypes  # (numpy has imported it already: no cost)

        mallopt = ctypes.CDLL(None).mallopt
    except (ImportError, OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return mallopt(M_TOP_PAD, pad) == 1 and mallopt(M_MMAP_THRESHOLD, mapped) == 1
