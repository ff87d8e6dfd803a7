"""Web archives: WET files (conversion records of page text) and WARC files of HTML pages, a record a document.

Each test builds a small archive by hand (the bytes a WARC writer writes, so
that a bad record can be made exactly), cleans it through the CLI and reads
the cleaned copy back with warcio, an independent reader (its digest check
included), and with dedupe's own reader.
"""
from __future__ import annotations

import gzip
import io
import json
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedupe import Config
from dedupe.cli import main
from dedupe.formats import output_rels, pieces, refuse_collisions
from dedupe.formats.warc import digest_of, read_warc
from helpers import PROSE, brotli_stored, removals, summary, write_tree


ARTICLE = "\n".join(PROSE)
OTHER = ("A completely different story about the city council approving a new budget for public parks and "
         "libraries this year.\nThe mayor said the money would also pay for longer opening hours on weekends.")
#: A site's footer line on every one of its pages: template text.
FOOTER = "Harbour Gazette is published by Example Media Group, 12 Harbour Street, Portsmouth."


def words(seed: int, n: int) -> str:
    """`n` made-up words, ten a line, different for every seed: a text no other text repeats."""
    import random

    rng = random.Random(seed)
    made = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(1, 4)))
            for _ in range(n)]
    return "\n".join(" ".join(made[i : i + 10]).capitalize() + "." for i in range(0, n, 10))


def run(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def rid(n: int) -> str:
    return f"urn:uuid:00000000-0000-4000-8000-{n:012d}"


def record(kind: str, block: bytes | str, n: int, url: str | None = None, ctype: str | None = None,
           extra: tuple = ()) -> bytes:
    """One WARC record's bytes, as warcio's writer lays them out (its digest: sha1, base 32)."""
    block = block.encode("utf-8") if isinstance(block, str) else block
    headers = [("WARC-Type", kind), ("WARC-Record-ID", f"<{rid(n)}>"), ("WARC-Date", "2024-03-01T12:00:00Z")]
    if url:
        headers.append(("WARC-Target-URI", url))
    headers.append(("WARC-Block-Digest", digest_of(block)))
    if ctype:
        headers.append(("Content-Type", ctype))
    headers += [*extra, ("Content-Length", str(len(block)))]
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("utf-8") + block + b"\r\n\r\n"


def warcinfo() -> bytes:
    return record("warcinfo", "software: test\r\nformat: WARC File Format 1.0\r\n", 0,
                  ctype="application/warc-fields")


def conversion(n: int, text: str | bytes, site: str = "news.example") -> bytes:
    return record("conversion", text, n, f"https://{site}/story-{n}", "text/plain")


def gz(records: list[bytes]) -> bytes:
    """Records compressed a gzip member each, as WARC writers compress them."""
    return b"".join(gzip.compress(r, 6, mtime=0) for r in records)


def read_back(path: Path) -> list[tuple[str, str, bytes]]:
    """(type, WARC-Record-ID, content) of every record of a WARC file, by warcio, checking every digest."""
    ArchiveIterator = pytest.importorskip(
        "warcio.archiveiterator", reason="warcio is not installed: pip install -e '.[test]' brings it").ArchiveIterator
    out = []
    with open(path, "rb") as f:
        it = ArchiveIterator(f, check_digests="raise")
        for r in it:
            out.append((r.rec_type, r.rec_headers.get_header("WARC-Record-ID"), r.content_stream().read()))
    return out


#: Six stories of one site.
STORIES = (
    "The harbour master closed the eastern quay after a crane collapsed onto two fishing boats late on Friday.",
    "A local bakery won the national bread prize for a sourdough recipe handed down through four generations.",
    "Volunteers planted three thousand oak saplings along the old railway line to create a walking corridor.",
    "The school choir will travel to Vienna next spring after raising funds with a summer of garden concerts.",
    "Council engineers found cracks in the sea wall and warned that repairs could take most of the winter.",
    "A retired teacher has catalogued every shipwreck off the coast since records began in the seventeenth century.",
)
#: A WET file: its warcinfo, a story with a share prompt, a copy of it on another site, a story with a sign-up
#: line, and five more of one site whose pages end with its footer.
WET_RECORDS = [
    warcinfo(),
    conversion(1, ARTICLE + "\nShare on Facebook"),
    conversion(2, ARTICLE + "\nShare on Facebook", site="copies.example"),
    conversion(3, OTHER + "\nSign up for our newsletter"),
] + [conversion(10 + i, f"Story {i}: {story}\n{FOOTER}", site="harbour.example") for i, story in enumerate(STORIES)]


@pytest.mark.parametrize("name", ["crawl/CC-MAIN-1.warc.wet.gz", "crawl/b.wet"])
def test_a_wet_file_is_cleaned_record_for_record_into_a_wet_file_warcio_reads(tmp_path, name):
    data = gz(WET_RECORDS) if name.endswith(".gz") else b"".join(WET_RECORDS)
    src = write_tree(tmp_path / "in", {name: data})
    result = run("clean", src, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (src / name).read_bytes() == data  # the input is never touched
    out = tmp_path / "out" / name
    back = read_back(out)
    # The warcinfo record as it was, the copy left out, every other record in its place.
    assert [(t, i) for t, i, _ in back] == [("warcinfo", f"<{rid(0)}>"), *(
        ("conversion", f"<{rid(n)}>") for n in (1, 3, 10, 11, 12, 13, 14, 15))]
    texts = {i: c.decode("utf-8") for t, i, c in back}
    assert texts[f"<{rid(1)}>"] == ARTICLE
    assert texts[f"<{rid(3)}>"] == OTHER
    for n in range(10, 16):
        assert FOOTER not in texts[f"<{rid(n)}>"] and texts[f"<{rid(n)}>"].startswith(f"Story {n - 10}: ")
    if name.endswith(".gz"):  # a member a record; an untouched record keeps its member's bytes
        assert out.read_bytes().startswith(gzip.compress(WET_RECORDS[0], 6, mtime=0))
        assert _members(out.read_bytes()) == len(back)
    else:
        assert out.read_bytes().startswith(WET_RECORDS[0])
    # The report names each record by its id; the copy points at the record it duplicates.
    found = removals(tmp_path / "out" / "_report")
    dup = next(r for r in found if r["category"] == "duplicate-document")
    assert dup["file"] == f"{name}#{rid(2)}"
    assert dup["duplicate_of"] == {"file": f"{name}#{rid(1)}", "lines": [1, 4]}
    assert {(r["file"], r["text"]) for r in found if r["text"] == FOOTER} == {
        (f"{name}#{rid(n)}", FOOTER) for n in range(10, 16)}
    assert f"--- a/{name}#{rid(1)}\n" in (tmp_path / "out" / "_report" / "changes.diff").read_text(encoding="utf-8")
    # dedupe's own reader reads the copy as warcio does.
    docs, notices = read_warc(tmp_path / "out", name, Config())
    assert [d.text for d in docs] == [texts[f"<{rid(n)}>"] for n in (1, 3, 10, 11, 12, 13, 14, 15)]
    assert notices == []


def _members(data: bytes) -> int:
    """How many gzip members `data` holds."""
    count = 0
    while data:
        d = zlib.decompressobj(31)
        d.decompress(data)
        assert d.eof
        data = d.unused_data
        count += 1
    return count


def test_a_cleaned_records_length_and_digests_are_computed_again_and_its_other_headers_kept(tmp_path):
    extra = (("WARC-Refers-To", "<urn:uuid:abc>"), ("WARC-Identified-Content-Language", "eng"))
    block = ARTICLE + "\nShare on Facebook"
    rec = record("conversion", block, 1, "https://a.example/x", "text/plain",
                 extra=(("WARC-Payload-Digest", digest_of(block.encode())), *extra))
    other = record("conversion", OTHER, 2, "https://b.example/y", "text/plain")
    src = write_tree(tmp_path / "in", {"a.wet": warcinfo() + rec + other + conversion(3, STORIES[0] + "\nFollow us on Twitter")})
    assert run("clean", src, tmp_path / "out").exit_code == 0
    data = (tmp_path / "out" / "a.wet").read_bytes()
    first = data[len(warcinfo()):]
    head, _, rest = first.partition(b"\r\n\r\n")
    cleaned = ARTICLE.encode()
    assert head.decode().split("\r\n") == [
        "WARC/1.0", "WARC-Type: conversion", f"WARC-Record-ID: <{rid(1)}>", "WARC-Date: 2024-03-01T12:00:00Z",
        "WARC-Target-URI: https://a.example/x", f"WARC-Block-Digest: {digest_of(cleaned)}", "Content-Type: text/plain",
        f"WARC-Payload-Digest: {digest_of(cleaned)}", "WARC-Refers-To: <urn:uuid:abc>",
        "WARC-Identified-Content-Language: eng", f"Content-Length: {len(cleaned)}"]
    assert rest.startswith(cleaned + b"\r\n\r\n" + other)  # the unchanged record: its bytes
    assert [c for _, _, c in read_back(tmp_path / "out" / "a.wet")][1:] == [cleaned, OTHER.encode(), STORIES[0].encode()]


def test_a_digest_of_an_algorithm_dedupe_does_not_know_is_left_out_not_written_wrong():
    import hashlib

    from dedupe.formats.warc import rewrite_head

    head = b"WARC/1.0\r\nWARC-Block-Digest: tiger:ABC\r\nWARC-Payload-Digest: sha256:" + b"a" * 64 + b"\r\nContent-Length: 9"
    assert rewrite_head(head, b"xy").split(b"\r\n") == [
        b"WARC/1.0", b"WARC-Payload-Digest: sha256:" + hashlib.sha256(b"xy").hexdigest().encode(), b"Content-Length: 2"]


def test_a_wet_file_read_in_pieces_gives_the_bytes_of_the_file_read_whole_for_any_worker_count(tmp_path, monkeypatch):
    def wet(seed: int) -> list[bytes]:
        texts = [words(seed + i, 60) + f"\nShare on Facebook\nSite {i % 4} is published by Example Media Group."
                 for i in range(60)]
        texts[41] = texts[7]  # a copy in a later piece
        return [warcinfo()] + [conversion(i + 1, t, site=f"site{i % 4}.example") for i, t in enumerate(texts)]

    src = write_tree(tmp_path / "in", {"a.warc.wet.gz": gz(wet(0)), "b.wet": b"".join(wet(1000)), "c.txt": OTHER})
    monkeypatch.setattr(pieces, "PIECE_BYTES", 1 << 40)
    assert run("clean", src, tmp_path / "whole", "--jobs", "1").exit_code == 0
    monkeypatch.setattr(pieces, "PIECE_BYTES", 2000)
    units = pieces.plan(src, ["a.warc.wet.gz", "b.wet"], Config())
    assert sum(isinstance(u, pieces.Piece) and u.rel == "a.warc.wet.gz" for u in units) >= 5
    assert sum(isinstance(u, pieces.Piece) and u.rel == "b.wet" for u in units) >= 5
    whole = _outputs(tmp_path / "whole")
    assert any(r["category"] == "duplicate-document" and r["file"] == f"b.wet#{rid(42)}"
               for r in removals(tmp_path / "whole" / "_report"))
    for jobs in ("1", "2"):
        out = tmp_path / f"pieces-{jobs}"
        result = run("clean", src, out, "--jobs", jobs)
        assert result.exit_code == 0, result.output
        assert _outputs(out) == whole, jobs
    assert len(read_back(tmp_path / "pieces-2" / "a.warc.wet.gz")) == 1 + 60 - 1
    assert len(read_back(tmp_path / "pieces-2" / "b.wet")) == 1 + 60 - 1


def _outputs(out: Path) -> dict[str, bytes]:
    """OUT's cleaned copies and the report's removals, diff and notices."""
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    keep = {k: v for k, v in files.items() if not k.startswith("_report/") or k in (
        "_report/removals.jsonl", "_report/changes.diff")}
    keep["notices"] = json.dumps([summary(out / "_report")[k] for k in ("failed", "warnings")]).encode()
    return keep


def test_piece_boundaries_fall_where_records_start(tmp_path):
    from dedupe.formats.warc import piece_spans

    recs = [warcinfo()] + [conversion(i + 1, OTHER + f" {i}" * 200) for i in range(40)]
    write_tree(tmp_path, {"a.wet": b"".join(recs), "a.wet.gz": gz(recs)})
    starts = [sum(map(len, recs[:i])) for i in range(len(recs))]
    zipped = [sum(len(gzip.compress(r, 6, mtime=0)) for r in recs[:i]) for i in range(len(recs))]
    for name, where in (("a.wet", starts), ("a.wet.gz", zipped)):
        spans = piece_spans(tmp_path, name, Config(), 4000)
        assert len(spans) > 3
        assert all(a in where for a, _, _ in spans) and spans[0][0] == 0
        assert [b for _, b, _ in spans[:-1]] == [a for a, _, _ in spans[1:]]
        assert spans[-1][1] == (tmp_path / name).stat().st_size


# --- WARC files of pages ------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Flood</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>River floods the lower town</h1>
<p>{0}</p><p>{1}</p><p>{2}</p><p>Share on Facebook</p></article>
<footer>Copyright 2024 The Valley Times. All rights reserved.</footer></body></html>"""


def page(n: int = 0) -> str:
    """A news page: the three sentences of PROSE, or (n) three paragraphs of its own, and a share prompt."""
    return PAGE.format(*(PROSE if not n else words(n, 90).split("\n")[::3]))


def response(n: int, url: str, body: bytes | str, ctype: str = "text/html; charset=utf-8", status: str = "200 OK",
             headers: tuple = ()) -> bytes:
    body = body.encode("utf-8") if isinstance(body, str) else body
    http = f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return record("response", http.encode() + body, n, url, "application/http; msgtype=response")


def request(n: int, url: str) -> bytes:
    return record("request", f"GET / HTTP/1.1\r\nHost: {url.split('/')[2]}\r\n\r\n", n, url,
                  "application/http; msgtype=request")


def chunked(body: bytes, size: int = 100) -> bytes:
    return b"".join(b"%x\r\n" % len(body[i : i + size]) + body[i : i + size] + b"\r\n"
                    for i in range(0, len(body), size)) + b"0\r\n\r\n"


def crawl() -> list[bytes]:
    """A crawl's WARC records: pages (one sent in chunks and gzip), a copy of one, and what is no page."""
    return [
        warcinfo(),
        request(1, "https://valley.example/flood"), response(2, "https://valley.example/flood", page()),
        request(3, "https://mirror.example/flood"), response(4, "https://mirror.example/flood", page()),
        response(5, "https://valley.example/other", chunked(gzip.compress(page(5).encode(), mtime=0)),
                 headers=(("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip"))),
        response(6, "https://valley.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "image/png"),
        response(7, "https://valley.example/gone", "<html><body>Not found</body></html>", status="404 Not Found"),
        response(8, "https://valley.example/moved", "", status="301 Moved Permanently"),
        record("revisit", b"", 9, "https://valley.example/flood"),
        record("metadata", "fetchTimeMs: 120\r\n", 10, "https://valley.example/flood", "application/warc-fields"),
        record("resource", page(11), 11, "file:///saved/page.html", "text/html"),
    ]


def test_a_warc_files_html_pages_are_documents_and_its_cleaned_copy_is_jsonl(tmp_path):
    recs = crawl()
    src = write_tree(tmp_path / "in", {"c/crawl.warc.gz": gz(recs)})
    result = run("clean", src, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert ("warning: c/crawl.warc.gz: 7 records skipped, not pages: request records (2), metadata records (1), "
            "responses not HTML (1), responses of HTTP status 3xx (1), responses of HTTP status 4xx (1), "
            "revisit records (1)\n") in result.output
    out = tmp_path / "out" / "c" / "crawl.warc.jsonl.gz"
    assert not (tmp_path / "out" / "c" / "crawl.warc.gz").exists()
    lines = [json.loads(x) for x in gzip.decompress(out.read_bytes()).decode("utf-8").splitlines()]
    # The page, its copy left out, the page sent in chunks and gzip, the saved resource: read as the HTML file is.
    assert [(r["url"], r["warc_record_id"], r["warc_date"]) for r in lines] == [
        ("https://valley.example/flood", f"<{rid(2)}>", "2024-03-01T12:00:00Z"),
        ("https://valley.example/other", f"<{rid(5)}>", "2024-03-01T12:00:00Z"),
        ("file:///saved/page.html", f"<{rid(11)}>", "2024-03-01T12:00:00Z")]
    pages = write_tree(tmp_path / "pages", {"flood.html": page()})  # the page as an HTML file, cleaned alone
    assert run("clean", pages, tmp_path / "pages-out").exit_code == 0
    as_html = (tmp_path / "pages-out" / "flood.txt").read_text(encoding="utf-8")
    assert "Share on Facebook" not in as_html and PROSE[1] in as_html
    assert lines[0]["text"] + "\n" == as_html
    assert lines[1]["text"] == "\n".join(["River floods the lower town", *words(5, 90).split("\n")[::3]])
    found = removals(tmp_path / "out" / "_report")
    dup = next(r for r in found if r["category"] == "duplicate-document")
    assert dup["file"] == f"c/crawl.warc.gz#{rid(4)}"
    marker = json.loads((tmp_path / "out" / ".dedupe-output.json").read_text())
    assert "c/crawl.warc.jsonl.gz" in marker["articles"]  # cleaned again, read as extracted articles
    again = run("clean", tmp_path / "out", tmp_path / "again")
    assert again.exit_code == 0 and summary(tmp_path / "again" / "_report")["removed"]["blocks"] == 0


def test_a_warc_of_pages_read_in_pieces_says_once_what_it_skipped_and_writes_what_it_read_whole(tmp_path, monkeypatch):
    def crawl_of(seed: int) -> list[bytes]:
        recs = [warcinfo()]
        for i in range(12):
            url = f"https://v{i % 3}.example/{i}"
            recs += [request(100 + i, url), response(200 + i, url, page(seed + i + 1))]
        return recs + [response(300, "https://v0.example/copy", page(seed + 4))]

    src = write_tree(tmp_path / "in", {"a.warc.gz": gz(crawl_of(0)), "b.warc": b"".join(crawl_of(100))})
    monkeypatch.setattr(pieces, "PIECE_BYTES", 1 << 40)
    assert run("clean", src, tmp_path / "whole", "--jobs", "1").exit_code == 0
    monkeypatch.setattr(pieces, "PIECE_BYTES", 3000)
    assert sum(isinstance(u, pieces.Piece) for u in pieces.plan(src, ["a.warc.gz", "b.warc"], Config())) >= 8
    result = run("clean", src, tmp_path / "pieces", "--jobs", "2")
    assert result.exit_code == 0
    assert _outputs(tmp_path / "pieces") == _outputs(tmp_path / "whole")
    assert [w["message"] for w in summary(tmp_path / "pieces" / "_report")["warnings"]] == [
        "12 records skipped, not pages: request records (12)"] * 2
    lines = gzip.decompress((tmp_path / "pieces" / "a.warc.jsonl.gz").read_bytes()).decode().splitlines()
    assert len(lines) == 12 and _members((tmp_path / "pieces" / "a.warc.jsonl.gz").read_bytes()) == 12
    assert len((tmp_path / "pieces" / "b.warc.jsonl").read_text().splitlines()) == 12


def test_a_warc_file_of_conversion_records_is_a_wet_file(tmp_path):
    src = write_tree(tmp_path / "in", {"x.warc": b"".join(WET_RECORDS[:4])})
    assert run("clean", src, tmp_path / "out").exit_code == 0
    assert [i for _, i, _ in read_back(tmp_path / "out" / "x.warc")] == [f"<{rid(n)}>" for n in (0, 1, 3)]
    assert not (tmp_path / "out" / "x.warc.jsonl").exists()


def test_a_warc_file_whose_jsonl_name_is_taken_is_refused_with_both_names():
    assert output_rels("a/x.warc.gz") == ("a/x.warc.jsonl.gz", "a/x.warc.gz")
    assert output_rels("x.warc.wet.gz") == ("x.warc.wet.gz",)
    kept, refused = refuse_collisions(["x.warc", "x.warc.jsonl", "y.warc.gz"])
    assert kept == ["x.warc.jsonl", "y.warc.gz"]
    assert [(n.file, n.message) for n in refused] == [(
        "x.warc", "its cleaned copy would be x.warc.jsonl, which is the cleaned copy of x.warc.jsonl; skipped: "
                  "rename one of them, or leave one out with --exclude")]


# --- bad records: named with their place, the rest of the file kept ---------------------------------------


def test_bad_records_of_a_wet_file_are_named_and_copied_unchanged_and_the_others_cleaned(tmp_path):
    good = [conversion(1, ARTICLE + "\nShare on Facebook"), conversion(3, OTHER + "\nSign up for our newsletter")]
    n = len(OTHER.encode())
    overrun = conversion(2, OTHER).replace(b"Content-Length: %d" % n, b"Content-Length: %d" % (n + 20))
    latin = conversion(4, "Caf\xe9 society. ".encode("latin-1") * 5)
    garbage = b"this line is no record\r\n"
    truncated = conversion(5, ARTICLE)[:-60]
    data = b"".join([warcinfo(), good[0], overrun, latin, garbage, good[1], truncated])
    at = {n: data.index(r) for n, r in ((2, overrun), (4, latin), (9, garbage), (5, truncated))}
    src = write_tree(tmp_path / "in", {"a.wet": data, "b.txt": STORIES[1]})
    result = run("clean", src, tmp_path / "out")
    assert result.exit_code == 1
    assert result.output.count("error: a.wet:") == 4
    assert (f"error: a.wet: record at byte {at[2]}: its block does not end where its Content-Length ({n + 20}) says "
            f"(no blank line after it); copied unchanged, not cleaned\n") in result.output
    assert (f"error: a.wet: record at byte {at[4]}: its text is not UTF-8 (byte 0xe9 at byte 3 of its block); "
            f"copied unchanged, not cleaned\n") in result.output
    assert (f"error: a.wet: record at byte {at[9]}: not a WARC record (no WARC/1.x version line where a record "
            f"should start); copied unchanged, not cleaned\n") in result.output
    there = len(truncated) - truncated.index(b"\r\n\r\n") - 4
    assert (f"error: a.wet: record at byte {at[5]}: truncated: its Content-Length ({len(ARTICLE)}) runs past the end "
            f"of the file ({there} bytes of its block are there); copied unchanged, not cleaned\n") in result.output
    out = (tmp_path / "out" / "a.wet").read_bytes()
    cleaned = [record("conversion", t, n, f"https://news.example/story-{n}", "text/plain")
               for n, t in ((1, ARTICLE), (3, OTHER))]
    assert out == b"".join([warcinfo(), cleaned[0], overrun, latin, garbage, cleaned[1], truncated])
    assert (tmp_path / "out" / "b.txt").is_file()


def test_a_corrupt_or_truncated_gzip_member_is_named_and_every_other_record_read(tmp_path):
    members = [gzip.compress(r, 6, mtime=0) for r in [warcinfo(), conversion(1, ARTICLE + "\nShare on Facebook"),
                                                      conversion(2, OTHER), conversion(3, OTHER.upper())]]
    bad = bytearray(members[2])
    bad[30:40] = b"\x00" * 10  # its deflate stream broken
    data = members[0] + members[1] + bytes(bad) + members[3] + members[3][:50]
    src = write_tree(tmp_path / "in", {"a.wet.gz": data})
    result = run("clean", src, tmp_path / "out")
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    starts = len(members[0]) + len(members[1]), len(data) - 50
    assert errors[0].startswith(f"error: a.wet.gz: record at byte {starts[0]}: corrupt gzip member (")
    assert errors[1] == (f"error: a.wet.gz: record at byte {starts[1]}: truncated gzip member (the file ends inside "
                         f"it); copied unchanged, not cleaned")
    out = (tmp_path / "out" / "a.wet.gz").read_bytes()
    cleaned = gzip.compress(record("conversion", ARTICLE, 1, "https://news.example/story-1", "text/plain"), 6, mtime=0)
    assert out == members[0] + cleaned + bytes(bad) + members[3] + members[3][:50]


def test_a_record_larger_than_max_doc_mb_is_named_and_copied_unread(tmp_path):
    big = conversion(2, "x" * (1 << 20) + "\n" + OTHER)
    src = write_tree(tmp_path / "in", {"a.wet.gz": gz([warcinfo(), conversion(1, ARTICLE + "\nShare on Facebook"), big])})
    (tmp_path / "cfg.toml").write_text("max_doc_mb = 1\n")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(pieces, "PIECE_BYTES", 100)  # read in pieces: the file itself is not refused
        result = run("clean", src, tmp_path / "out", "--config", tmp_path / "cfg.toml")
    assert result.exit_code == 1
    at = len(gzip.compress(warcinfo(), 6, mtime=0)) + len(gzip.compress(conversion(1, ARTICLE + "\nShare on Facebook"),
                                                                        6, mtime=0))
    assert (f"error: a.wet.gz: record at byte {at}: its block is 1 MB, larger than max_doc_mb (1 MB); copied "
            f"unchanged, not cleaned") in result.output
    assert [c for _, _, c in read_back(tmp_path / "out" / "a.wet.gz")][1:] == [ARTICLE.encode(), big.split(
        b"\r\n\r\n", 1)[1][:-4]]


def test_a_warc_file_compressed_as_one_gzip_stream_is_read_if_small_and_refused_with_advice_if_large(tmp_path):
    one = gzip.compress(b"".join(WET_RECORDS[:4]), 6, mtime=0)
    src = write_tree(tmp_path / "in", {"a.wet.gz": one})
    assert run("clean", src, tmp_path / "out").exit_code == 0
    assert [i for _, i, _ in read_back(tmp_path / "out" / "a.wet.gz")] == [f"<{rid(n)}>" for n in (0, 1, 3)]
    big = gzip.compress(b"".join([warcinfo()] + [conversion(i, words(i, 200_000)) for i in range(1, 6)]), 6, mtime=0)
    src = write_tree(tmp_path / "in2", {"b.wet.gz": big})
    (tmp_path / "cfg.toml").write_text("max_doc_mb = 1\n")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(pieces, "PIECE_BYTES", 100)
        result = run("clean", src, tmp_path / "out2", "--config", tmp_path / "cfg.toml")
    assert result.exit_code == 1
    assert ("error: b.wet.gz: compressed as one gzip stream rather than a gzip member a record (as WARC writers do), "
            "and larger than 1 MB once decompressed; skipped: recompress it a record a member (warcio recompress "
            "IN OUT), or raise max_doc_mb (--config)\n") in result.output


def test_a_warc_file_read_whole_is_refused_past_max_doc_mb_as_a_jsonl_file_is(tmp_path):
    data = b"".join([warcinfo()] + [conversion(i, words(i, 50_000)) for i in range(1, 8)])
    import lzma

    src = write_tree(tmp_path / "in", {"a.wet.xz": lzma.compress(data), "b.txt": OTHER})
    (tmp_path / "cfg.toml").write_text("max_doc_mb = 1\n")
    result = run("clean", src, tmp_path / "out", "--config", tmp_path / "cfg.toml")
    assert result.exit_code == 1
    assert ("error: a.wet.xz: larger than 1 MB once decompressed; skipped: raise max_doc_mb (--config) to read it, "
            "or split the file\n") in result.output
    assert run("clean", src, tmp_path / "out2").exit_code == 0  # under the limit: read whole, written whole
    back = lzma.decompress((tmp_path / "out2" / "a.wet.xz").read_bytes())
    assert back == data


def test_warc_records_pages_and_bad_blocks_are_told_apart():
    from dedupe.formats.warc import _Source, records

    data = b"".join(crawl())
    found = list(records(_Source(io.BytesIO(data), len(data)), 0, len(data), False, 1 << 20, lambda r: True))
    assert [r.type for r in found] == ["warcinfo", "request", "response", "request", "response", "response",
                                       "response", "response", "response", "revisit", "metadata", "resource"]
    assert [r.start for r in found] == [data.index(r) for r in crawl()]
    assert all(r.block is not None and r.problem is None for r in found)


def test_annotate_writes_a_wet_file_unchanged_with_its_annotations_beside_it_and_a_warcs_pages_as_records(tmp_path):
    wet = gz(WET_RECORDS[:4])
    src = write_tree(tmp_path / "in", {"a.wet.gz": wet, "pages/c.warc": b"".join(crawl()[:5])})
    out = tmp_path / "out"
    for folder in ("", "pages"):  # (apart: the WET file's first story is the pages' article)
        result = run("clean", src / folder, out / folder, "--annotate", "--exclude", "pages/*")
        assert result.exit_code == 0, result.output
    assert (out / "a.wet.gz").read_bytes() == wet
    notes = json.loads((out / "a.wet.gz.dedupe.json").read_text(encoding="utf-8"))
    assert [(n["document"], n["dedupe"]["drop"]) for n in notes] == [
        (f"a.wet.gz#{rid(1)}", False), (f"a.wet.gz#{rid(2)}", True), (f"a.wet.gz#{rid(3)}", False)]
    assert [r["category"] for r in notes[0]["dedupe"]["removals"]] == ["chrome:social"]
    lines = [json.loads(x) for x in (out / "pages" / "c.warc.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["warc_record_id"], r["dedupe"]["drop"], "Share on Facebook" in r["text"]) for r in lines] == [
        (f"<{rid(2)}>", False, True), (f"<{rid(4)}>", True, True)]


def test_a_dask_run_reads_web_archives_whole_and_writes_the_bytes_of_a_local_run_in_pieces(tmp_path, monkeypatch):
    pytest.importorskip("distributed", reason="dask.distributed is not installed: pip install -e '.[test]' brings it")
    import dedupe

    recs = [warcinfo()] + [conversion(i + 1, words(i, 60) + "\nShare on Facebook", site=f"s{i % 3}.example")
                           for i in range(30)]
    src = write_tree(tmp_path / "in", {"a.warc.wet.gz": gz(recs), "b.warc.gz": gz(crawl())})
    monkeypatch.setattr(pieces, "PIECE_BYTES", 2000)
    assert sum(isinstance(u, pieces.Piece) for u in pieces.plan(src, ["a.warc.wet.gz", "b.warc.gz"], Config())) > 6
    local = dedupe.clean(src, tmp_path / "local", Config(jobs=2))
    dask = dedupe.clean(src, tmp_path / "dask", Config(jobs=1), scheduler="local")
    assert local.exit_code == dask.exit_code == 0
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")
    assert (tmp_path / "dask" / "b.warc.jsonl.gz").is_file()


def test_an_empty_web_archive_is_said_to_be_empty_and_copied_as_it_is(tmp_path):
    src = write_tree(tmp_path / "in", {"a.wet": b"", "b.warc.gz": b""})
    result = run("clean", src, tmp_path / "out")
    assert result.exit_code == 0
    assert "warning: a.wet: empty file (no WARC records); copied as is\n" in result.output
    assert "warning: b.warc.gz: empty file (no WARC records); its copy is an empty JSONL file\n" in result.output
    assert (tmp_path / "out" / "a.wet").read_bytes() == b""
    assert (tmp_path / "out" / "b.warc.jsonl.gz").read_bytes() == gzip.compress(b"", 6, mtime=0)  # no lines, still gzip


def test_a_page_is_decoded_in_the_charset_it_was_sent_with_before_the_one_it_declares(tmp_path):
    # A Russian page in windows-1251 whose HTTP header says so and whose <meta> says (wrongly) ISO-8859-1, as a
    # server's header overrides a page's stale declaration in a browser; a page sent without one still reads its own.
    text = ["Река затопила нижний город после трёх дней дождей, и жители провели ночь в школе на холме.",
            "Городской совет обещал помощь семьям, чьи дома пострадали, и открыл пункт сбора вещей.",
            "Синоптики ждут, что вода начнёт спадать к выходным, если дожди не вернутся."]
    html = ('<html><head><meta charset="iso-8859-1"><title>Наводнение</title></head><body><article>'
            + "".join(f"<p>{p}</p>" for p in text) + "</article></body></html>").encode("cp1251")
    declared = html.replace(b"iso-8859-1", b"windows-1251")
    recs = [warcinfo(), response(1, "https://ru.example/flood", html, "text/html; charset=windows-1251"),
            response(2, "https://ru2.example/flood", declared.replace(text[0].encode("cp1251"),
                                                                      text[0][::-1].encode("cp1251")), "text/html")]
    src = write_tree(tmp_path / "in", {"ru.warc": b"".join(recs)})
    result = run("clean", src, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "encoding" not in result.output  # no page's encoding guessed or repaired
    lines = [json.loads(x) for x in (tmp_path / "out" / "ru.warc.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["url"] for line in lines] == ["https://ru.example/flood", "https://ru2.example/flood"]
    assert all(p in lines[0]["text"] for p in text)
    assert text[0][::-1] in lines[1]["text"] and text[1] in lines[1]["text"]


#: 2,100,000 zero bytes as `brotli -q 11` writes them: 14 bytes that decode to more than max_doc_mb (1 MB).
BROTLI_ZEROS = bytes.fromhex("9f1f0b20f82700e2b140205b0004")


def test_a_page_sent_in_brotli_or_zstd_is_read_as_the_page_and_what_is_neither_is_counted(tmp_path):
    # Browsers ask for brotli and zstd (Content-Encoding: br, zstd), and a crawl made with one records the body as
    # it came.
    import zstandard

    br, zstd = (("Content-Encoding", "br"),), (("Content-Encoding", "zstd"),)
    recs = [warcinfo(), response(1, "https://valley.example/flood", brotli_stored(page().encode()), headers=br),
            response(2, "https://valley.example/bad", b"<html><body>not brotli</body></html>", headers=br),
            response(3, "https://valley.example/bomb", BROTLI_ZEROS, headers=br),
            response(4, "https://valley.example/cut", brotli_stored(page(4).encode())[:-40], headers=br),
            response(5, "https://valley.example/other", zstandard.ZstdCompressor().compress(page(5).encode()),
                     headers=zstd),
            response(6, "https://valley.example/nozstd", b"<html><body>not zstd</body></html>", headers=zstd)]
    src = write_tree(tmp_path / "in", {"c.warc": b"".join(recs), "plain.warc": b"".join(
        [warcinfo(), response(1, "https://valley.example/flood", page()),
         response(5, "https://valley.example/other", page(5))])})
    (tmp_path / "cfg.toml").write_text("max_doc_mb = 1\n")
    result = run("clean", src, tmp_path / "out", "--config", tmp_path / "cfg.toml", "--skip", "duplicate-document")
    assert result.exit_code == 0, result.output
    assert ("warning: c.warc: 4 records skipped, not pages: responses whose body has a Content-Encoding br but not "
            "br data (2), responses whose body has a Content-Encoding zstd but not zstd data (1), responses whose "
            "body has a larger than max_doc_mb (1 MB) once decoded (1)\n") in result.output
    lines = [json.loads(x) for x in (tmp_path / "out" / "c.warc.jsonl").read_text(encoding="utf-8").splitlines()]
    plain = [json.loads(x) for x in (tmp_path / "out" / "plain.warc.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["url"] for line in lines] == ["https://valley.example/flood", "https://valley.example/other"]
    assert [line["text"] for line in lines] == [line["text"] for line in plain] and PROSE[1] in lines[0]["text"]


def test_a_zstd_body_without_the_zstandard_package_says_what_to_install(monkeypatch):
    import sys

    from dedupe.formats.warc import _decoded

    monkeypatch.setitem(sys.modules, "zstandard", None)  # (an import of it raises ImportError)
    assert _decoded(b"(\xb5/\xfd", " ZSTD", 1 << 20) == ("Content-Encoding zstd, not read without the zstandard "
                                                         "package (pip install zstandard)")


def lf(rec: bytes) -> bytes:
    """A record as a writer that ends its lines in LF alone lays it out (ClueWeb09's files): the header's lines, its
    blank line and the two line breaks after the block; the block itself as it was."""
    head, _, rest = rec.partition(b"\r\n\r\n")
    assert rest.endswith(b"\r\n\r\n")
    return head.replace(b"\r\n", b"\n") + b"\n\n" + rest[:-4] + b"\n\n"


@pytest.mark.parametrize("name", ["crawl/lf.warc.wet.gz", "crawl/lf.wet"])
def test_records_whose_lines_end_in_lf_alone_are_read_and_cleaned_as_those_in_crlf(tmp_path, name):
    def pack(recs: list[bytes]) -> bytes:
        return gz(recs) if name.endswith(".gz") else b"".join(recs)

    src = write_tree(tmp_path / "in", {name: pack([lf(r) for r in WET_RECORDS])})
    crlf = write_tree(tmp_path / "crlf", {name: pack(WET_RECORDS)})
    result = run("clean", src, tmp_path / "out")
    assert result.exit_code == 0 and "skipped" not in result.output, result.output
    assert run("clean", crlf, tmp_path / "crlf-out").exit_code == 0
    docs, notices = read_warc(src, name, Config())
    assert notices == [] and [d.text for d in docs] == [d.text for d in read_warc(crlf, name, Config())[0]]
    # The same findings; a cleaned record is written as the standard writes it (CRLF), with its new length and
    # digest; an untouched one is copied as it was (LF).
    assert removals(tmp_path / "out" / "_report") == removals(tmp_path / "crlf-out" / "_report")
    back = read_back(tmp_path / "out" / name)
    assert back == read_back(tmp_path / "crlf-out" / name)
    data = (tmp_path / "out" / name).read_bytes()
    data = gzip.decompress(data) if name.endswith(".gz") else data
    assert data.startswith(lf(WET_RECORDS[0]))
    cleaned = ARTICLE.encode()
    assert (f"WARC-Block-Digest: {digest_of(cleaned)}\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(cleaned)}\r\n\r\n").encode() + cleaned + b"\r\n\r\n" in data
    # A WARC file of pages whose HTTP responses keep their CRLF inside an LF record reads as the CRLF file.
    pages = write_tree(tmp_path / "pages", {"c/lf.warc": b"".join(lf(r) for r in crawl())})
    assert [d.text for d in read_warc(pages, "c/lf.warc", Config())[0]] == [
        d.text for d in read_warc(write_tree(tmp_path / "pages-crlf", {"c/lf.warc": b"".join(crawl())}), "c/lf.warc",
                                  Config())[0]]


@pytest.mark.parametrize("packed", [False, True])
def test_a_warc_zst_file_with_its_dictionary_in_its_first_frame_is_read_as_the_plain_file(tmp_path, packed):
    # The IIPC's warc-zstd layout (Archive Team's crawls): a skippable frame (magic 0x184D2A5D) holding the
    # dictionary, itself compressed or not, then a frame a record compressed with it; other skippable frames
    # (extensions) are skipped.
    zstandard = pytest.importorskip("zstandard", reason="zstandard is not installed (pip install 'dedupe[zstd]')")
    dictionary = zstandard.train_dictionary(4096, WET_RECORDS * 20)
    raw = dictionary.as_bytes()
    if packed:
        raw = zstandard.ZstdCompressor().compress(raw)
    frames = [zstandard.ZstdCompressor(dict_data=dictionary).compress(r) for r in WET_RECORDS]
    extension = b"\x50\x2a\x4d\x18" + (3).to_bytes(4, "little") + b"abc"
    data = b"\x5d\x2a\x4d\x18" + len(raw).to_bytes(4, "little") + raw + frames[0] + extension + b"".join(frames[1:])
    src = write_tree(tmp_path / "in", {"c/a.warc.zst": data})
    plain = write_tree(tmp_path / "plain", {"c/a.warc": b"".join(WET_RECORDS)})
    docs, notices = read_warc(src, "c/a.warc.zst", Config())
    assert notices == [] and [d.text for d in docs] == [d.text for d in read_warc(plain, "c/a.warc", Config())[0]]
    result = run("clean", src, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert run("clean", plain, tmp_path / "plain-out").exit_code == 0
    renamed = json.dumps(removals(tmp_path / "plain-out" / "_report")).replace('"c/a.warc#', '"c/a.warc.zst#')
    assert removals(tmp_path / "out" / "_report") == json.loads(renamed)
    # The copy is zstd again (without a dictionary: every zstd tool reads it), the plain run's bytes inside.
    out = (tmp_path / "out" / "c" / "a.warc.zst").read_bytes()
    assert zstandard.ZstdDecompressor().decompressobj().decompress(out) == (tmp_path / "plain-out" / "c" / "a.warc").read_bytes()
    # Without the dictionary the frames cannot be read: the file is named, not half read.
    cut = write_tree(tmp_path / "cut", {"a.warc.zst": b"".join(frames)})
    with pytest.raises(Exception, match="corrupt zstd file"):
        read_warc(cut, "a.warc.zst", Config())
