"""Throughput of `dedupe.clean` with IN and OUT local, on fsspec's memory://, and on S3 (s3fs against moto's server).

    python benchmarks/make_corpus.py /tmp/fs2k --docs 2000
    python benchmarks/remote.py /tmp/fs2k --runs 3                      # local, memory, s3 (if s3fs and moto)
    PYTHONPATH=/tmp/other-checkout python benchmarks/remote.py /tmp/fs2k --modes local   # another version, local only

Each mode cleans the whole corpus (read, detect, cleaned copies, report) into
a fresh OUT `--runs` times and prints the median documents/s, wall time and CPU
time (this process and its pool's workers: steadier than wall time on a busy
machine), with every run's wall time; the modes take turns, run after run. The corpus is uploaded once per mode before timing. memory://
runs with one process (its files live in this process); local and s3 run with
`--jobs` as given for each row. S3 goes through s3fs to moto's server (its own process) on
127.0.0.1: it measures the per-object overhead of going through fsspec and
HTTP, not a real bucket's latency. Timings on a shared machine are noisy:
compare rows of one run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path


def _files(root: Path) -> list[Path]:
    return [p for p in sorted(root.rglob("*")) if p.is_file()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--modes", default="local,memory,s3", help="comma-separated: local, memory, s3")
    args = ap.parse_args(argv)

    import dedupe
    from dedupe.config import Config

    files = _files(args.corpus)
    docs = len(files)
    print(f"dedupe from {Path(dedupe.__file__).parent}; corpus {args.corpus}: {docs} files, "
          f"{sum(p.stat().st_size for p in files) / 1e6:.1f} MB; median of {args.runs}, modes taken in turn")
    modes = args.modes.split(",")
    work = Path(tempfile.mkdtemp(prefix="dedupe-remote-bench-"))
    cases: list[tuple[str, object]] = []
    server = None
    try:
        if "local" in modes:
            for jobs in (1, 2):
                def run_local(jobs=jobs):
                    out = work / f"local-{uuid.uuid4().hex[:6]}"
                    assert dedupe.clean(args.corpus, out, Config(jobs=jobs)).exit_code == 0
                    shutil.rmtree(out)
                cases.append((f"local -> local, --jobs {jobs}", run_local))
        if "memory" in modes:
            import fsspec

            mem = fsspec.filesystem("memory")
            for p in files:
                mem.pipe_file(f"/bench-in/{p.relative_to(args.corpus).as_posix()}", p.read_bytes())

            def run_memory():
                out = f"bench-out-{uuid.uuid4().hex[:6]}"
                assert dedupe.clean("memory://bench-in", f"memory://{out}", Config(jobs=1)).exit_code == 0
                mem.rm(f"/{out}", recursive=True)
            cases.append(("memory:// -> memory://, --jobs 1", run_memory))
        if "s3" in modes:
            server, s3_cases = _s3(args, files, dedupe, Config)
            cases += s3_cases
        secs: dict[str, list[float]] = {name: [] for name, _ in cases}
        cpu: dict[str, list[float]] = {name: [] for name, _ in cases}
        for _ in range(args.runs):  # round-robin, so that the machine's drift hits every mode alike
            for name, fn in cases:
                start, before = time.perf_counter(), _cpu()
                fn()
                secs[name].append(time.perf_counter() - start)
                cpu[name].append(_cpu() - before)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if server is not None:
            server.terminate()
            server.wait()
    # CPU seconds (this process and its finished children: the pool's workers) move much less than wall
    # time when other jobs load the machine; moto's server is not counted (it ends after the last run).
    print(f"{'mode':<36} {'docs/s':>8} {'wall s':>7} {'cpu s':>7}   wall runs (s)")
    for name, runs in secs.items():
        med = statistics.median(runs)
        print(f"{name:<36} {docs / med:>8.0f} {med:>7.2f} {statistics.median(cpu[name]):>7.2f}   "
              f"{', '.join(f'{s:.2f}' for s in runs)}")
    return 0


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _s3(args, files, dedupe, Config):
    """(moto server, cases) for S3 through s3fs; (None, []) if s3fs or moto is missing."""
    try:
        import fsspec
        import moto.server  # noqa: F401 - run as `python -m moto.server` below
        import s3fs
    except ImportError as e:
        print(f"s3: skipped ({e}); pip install s3fs 'moto[s3]' flask flask-cors", file=sys.stderr)
        return None, []
    # moto in a process of its own, as S3 is: in this process it would share the GIL with the run it serves.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.1)
    os.environ.update(AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_ACCESS_KEY_ID="bench",
                      AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
    s3fs.S3FileSystem.clear_instance_cache()
    fs = fsspec.filesystem("s3")
    fs.mkdir("bench")
    fs.pipe({f"bench/in/{p.relative_to(args.corpus).as_posix()}": p.read_bytes() for p in files})
    cases = []
    for jobs in (1, 2):
        def run_s3(jobs=jobs):
            out = f"bench/out-{uuid.uuid4().hex[:6]}"
            assert dedupe.clean("s3://bench/in", f"s3://{out}", Config(jobs=jobs)).exit_code == 0
            fs.rm(out, recursive=True)
        cases.append((f"s3 (moto) -> s3 (moto), --jobs {jobs}", run_s3))
    return server, cases


if __name__ == "__main__":
    sys.exit(main())
