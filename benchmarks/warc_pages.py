"""What reading a WARC file of pages costs: the same HTML pages as .html files and as one WARC file.

    python benchmarks/warc_pages.py [--pages ../shared/data/webpages-dev/pages] [--runs 3] [--work DIR]

The WARC file (`crawl.warc.gz`, a gzip member a record, as crawlers write it) holds a request and a response
record a page (HTTP 200, text/html), the page's URL from the data set's index.json where there is one. Both
layouts are cleaned by `dedupe clean --jobs 1` in turn, --runs times; each one's median documents per second
and CPU seconds are printed, and whether the cleaned texts are the same (the WARC copy's JSONL lines against
the .txt files).
"""
from __future__ import annotations

import argparse
import gzip
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def record(kind: str, block: bytes, n: int, url: str, ctype: str) -> bytes:
    from dedupe.formats.warc import digest_of

    lines = [("WARC-Type", kind), ("WARC-Record-ID", f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>"),
             ("WARC-Date", "2024-03-01T12:00:00Z"), ("WARC-Target-URI", url), ("WARC-Block-Digest", digest_of(block)),
             ("Content-Type", ctype), ("Content-Length", str(len(block)))]
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in lines) + "\r\n"
    return gzip.compress(head.encode("utf-8") + block + b"\r\n\r\n", 6, mtime=0)


def make_warc(pages: list[Path], urls: dict[str, str], path: Path) -> None:
    out = []
    for i, page in enumerate(pages):
        url = urls.get(page.stem, f"https://example.com/{page.stem}")
        host = url.split("/")[2]
        out.append(record("request", f"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n".encode(), 2 * i, url,
                          "application/http; msgtype=request"))
        body = page.read_bytes()
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body)
        out.append(record("response", http + body, 2 * i + 1, url, "application/http; msgtype=response"))
    path.write_bytes(b"".join(out))


def clean(folder: Path, out: Path) -> tuple[float, float]:
    """The wall and CPU seconds (user and system, of the process and what it starts) of one `dedupe clean`."""
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "dedupe", "clean", str(folder), str(out), "-q", "--jobs", "1"],
                          capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"dedupe clean failed ({done.returncode}): {done.stderr}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" /
                    "webpages-dev" / "pages")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path)
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="dedupe-warc-"))
    pages = sorted(args.pages.glob("*.html"))
    index = args.pages.parent / "index.json"
    urls = {k: v["url"] for k, v in json.loads(index.read_text())["pages"].items()} if index.is_file() else {}
    html, warc = work / "html", work / "warc"
    for folder in (html, warc):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for page in pages:
        shutil.copyfile(page, html / page.name)
    make_warc(pages, urls, warc / "crawl.warc.gz")
    walls: dict[str, list[float]] = {"html": [], "warc": []}
    cpus: dict[str, list[float]] = {"html": [], "warc": []}
    for _ in range(args.runs):
        for name, folder in (("html", html), ("warc", warc)):
            wall, cpu = clean(folder, work / f"out-{name}")
            walls[name].append(wall)
            cpus[name].append(cpu)
    texts = {p.stem: p.read_text(encoding="utf-8").rstrip("\n") for p in (work / "out-html").glob("*.txt")}
    lines = [json.loads(x) for x in gzip.decompress((work / "out-warc" / "crawl.warc.jsonl.gz").read_bytes()).splitlines()]
    by_url = {urls.get(stem, f"https://example.com/{stem}"): text for stem, text in texts.items()}
    same = sum(1 for r in lines if by_url.get(r["url"]) == r["text"])
    for name, w in walls.items():
        c = cpus[name]
        print(f"{name:5s} {len(pages) / statistics.median(w):7.1f} docs/s  median {statistics.median(w):.2f} s "
              f"of {args.runs} ({min(w):.2f}-{max(w):.2f}); CPU median {statistics.median(c):.2f} s "
              f"({min(c):.2f}-{max(c):.2f})")
    print(f"warc/html: wall {statistics.median(walls['warc']) / statistics.median(walls['html']):.3f}x, CPU "
          f"{statistics.median(cpus['warc']) / statistics.median(cpus['html']):.3f}x; "
          f"{same} of {len(lines)} WARC pages' cleaned texts are their .html file's ({len(texts)} .txt written)")
    print(f"work folder: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
