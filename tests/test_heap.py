"""glibc's heap kept grown between batches (`dedupe.heap`): asked only of glibc, by the command line and by a
pool's workers, and it keeps freed memory from being faulted in again."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from dedupe import heap, pipeline

ON_GLIBC = heap.glibc()

# Makes and frees 16 MB of the C heap (objects past pymalloc's 512 bytes) three times after a first round, and
# prints the minor page faults of each round.
CHURN = textwrap.dedent("""
    import resource, sys
    from dedupe import heap
    if sys.argv[1] == "keep":
        assert heap.keep_heap()
    def churn(size, n):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        held = [bytes(size) for _ in range(n)]
        del held
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    for size, n in ((2000, 8000), (1 << 20, 8)):  # small blocks, and blocks of a batch's columns' size
        churn(size, n)
        print(max(churn(size, n) for _ in range(3)))
""")


@pytest.mark.skipif(not ON_GLIBC, reason="glibc's malloc only")
def test_freed_heap_is_kept_and_not_faulted_in_again():
    faults = {how: [int(n) for n in subprocess.run([sys.executable, "-c", CHURN, how], capture_output=True,
                                                   text=True, check=True).stdout.split()]
              for how in ("keep", "give back")}
    # 16 MB of small blocks given back is about 3,900 pages faulted in again a round; kept, none (a few for the
    # list itself). Blocks of 1 MB are kept too: each mapped on its own, 8 MB would be 2,048 pages a round.
    assert faults["give back"][0] > 2000, faults
    assert max(faults["keep"]) < 200, faults


# Whether a block of 4 MB (a batch's columns, a corpus step's array) is mapped on its own (1) or taken from the
# heap (0), as glibc's `mallinfo2` counts the mapped blocks.
MAPPED = textwrap.dedent("""
    import ctypes, sys
    from dedupe import heap
    if sys.argv[1] == "keep":
        assert heap.keep_heap()
    class Info(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                   "fsmblks", "uordblks", "fordblks", "keepcost")]
    mallinfo2 = ctypes.CDLL(None).mallinfo2
    mallinfo2.restype = Info
    before = mallinfo2().hblks
    block = bytes(4 << 20)
    print(mallinfo2().hblks - before)
""")


def glibc_version() -> tuple[int, ...]:
    return tuple(int(p) for p in os.confstr("CS_GNU_LIBC_VERSION").split()[1].split(".")[:2]) if ON_GLIBC else ()


@pytest.mark.skipif(not ON_GLIBC or glibc_version() < (2, 33), reason="glibc's mallinfo2 (2.33 and later)")
def test_a_large_block_comes_from_the_heap():
    mapped = {how: subprocess.run([sys.executable, "-c", MAPPED, how], capture_output=True, text=True,
                                  check=True).stdout.strip()
              for how in ("keep", "give back")}
    # (glibc maps it until a freed mapped block has raised its threshold, and setting the pad stops the raising)
    assert mapped == {"keep": "0", "give back": "1"}


def test_nothing_is_asked_of_another_c_library(monkeypatch):
    for answer in ("musl libc 1.2", None, ValueError("no such name")):
        def confstr(name, answer=answer):
            if isinstance(answer, Exception):
                raise answer
            return answer
        monkeypatch.setattr(heap.os, "confstr", confstr)
        assert not heap.glibc()
        assert heap.keep_heap() is False


@pytest.mark.skipif(not ON_GLIBC, reason="glibc's malloc only")
def test_glibc_takes_the_setting():
    assert heap.keep_heap() is True


def test_a_pool_worker_keeps_its_heap(monkeypatch):
    asked = []
    monkeypatch.setattr(pipeline, "keep_heap", lambda *a: asked.append(a) or True)
    monkeypatch.setattr(pipeline, "_init_worker", lambda state: None)
    monkeypatch.setattr(pipeline.signal, "signal", lambda *a: None)
    pipeline._init_pool_worker({})
    assert asked == [()]


def test_the_command_line_keeps_its_heap_before_numpy():
    # In a fresh interpreter: importing the command line asks for it, and numpy is not imported yet then.
    code = textwrap.dedent("""
        import sys
        from dedupe import heap
        seen = []
        heap.keep_heap = lambda *a: seen.append("numpy" in sys.modules) or True
        import dedupe.cli
        print(seen)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[False]"


def test_a_library_callers_process_is_left_alone():
    # `dedupe.clean` imported and a one-process run made: the caller's own heap is not asked about.
    code = textwrap.dedent("""
        import sys, tempfile, pathlib
        from dedupe import heap
        seen = []
        heap.keep_heap = lambda *a: seen.append(1) or True
        import dedupe
        src = pathlib.Path(tempfile.mkdtemp()) / "in"
        src.mkdir()
        (src / "a.txt").write_text("One line of text.\\n")
        dedupe.clean(src, src.parent / "out", jobs=1)
        print(seen)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
