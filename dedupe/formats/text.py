"""Plain text: one file, one document; the cleaned copy is written back in the file's own encoding."""
from __future__ import annotations

import codecs
from pathlib import Path

from ..config import Config
from ..errors import InputError
from ..records import DocResult, Document, Notice
from ..write import atomic_write, output_file
from .source import compress, read_bytes, read_content

#: Bytes sniffed for NUL to tell binary files from text.
SNIFF = 8192


def decode(rel: str, data: bytes, config: Config) -> tuple[str, str, str | None]:
    """Text, the codec used and a warning if it was not the expected one.

    UTF-8 first (with a byte-order mark: utf-8-sig, so the mark stays at the
    head of the cleaned copy whichever lines go); bytes that are not UTF-8 are
    decoded as cp1252, else latin-1, both of which re-encode to the very same
    bytes, so kept lines stay byte-for-byte identical in the cleaned copy.
    """
    if config.encoding:
        try:
            text = data.decode(config.encoding)
        except UnicodeDecodeError as e:
            raise InputError(rel, f"not valid {config.encoding} (byte {e.start}); skipped: try another --encoding") from None
        if "\x00" in text[:SNIFF]:
            raise InputError(rel, "binary file (it contains NUL characters); skipped")
        return text, config.encoding, None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(rel, "UTF-16 text (it starts with a UTF-16 byte-order mark); skipped: "
                              "convert it to UTF-8, or pass --encoding utf-16")
    if b"\x00" in data[:SNIFF]:
        raise InputError(rel, "binary file (it contains NUL bytes); skipped")
    codec = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return data.decode(codec), codec, None
    except UnicodeDecodeError as e:
        bad = f"byte 0x{data[e.start]:02x} at offset {e.start}"
    for codec in ("cp1252", "latin-1"):
        try:
            return data.decode(codec), codec, f"not valid UTF-8 ({bad}); decoded as {codec} and written back as {codec}"
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte string")


def read_text_file(src: Path, rel: str, config: Config) -> tuple[list[Document], list[Notice]]:
    """One plain-text file as one document."""
    text, codec, warning = decode(rel, read_bytes(src, rel), config)
    notices = [Notice(rel, warning, failed=False)] if warning else []
    if not text.strip():
        notices.append(Notice(rel, "empty file (no text); copied as is", failed=False))
    return [Document(id=rel, text=text, format="txt", encoding=codec)], notices


def read_file(src: Path, rel: str, config: Config) -> tuple[list[Document], list[Notice]]:
    """The documents of one input file, and notices about it. Raises InputError if it cannot be read."""
    return read_text_file(src, rel, config)


def read_text(src: Path, rel: str, config: Config) -> tuple[list[Document], list[Notice]]:
    """One plain-text file as one document."""
    docs, notices, _ = read_text_utf8(src, rel, config)
    return docs, notices


def read_text_utf8(src: Path, rel: str, config: Config) -> tuple[list[Document], list[Notice], bytes | None]:
    """`read_text`, and the document's text as UTF-8 bytes when the file holds exactly those (it was decoded
    as strict UTF-8, without a byte-order mark), else None: pass 2 hashes them, hands them to the core and
    writes what comes back, where encoding the text again cost about 4 µs a time for a 4 KB page that is not
    all ASCII."""
    data = read_content(src, rel, config.max_doc_mb << 20)
    text, codec, warning = decode(rel, data, config)
    notices = [Notice(rel, warning, failed=False)] if warning else []
    if not text or text.isspace():  # (strip() would copy the whole text)
        notices.append(Notice(rel, "empty file (no text); copied as is", failed=False))
    return [Document(id=rel, text=text, format="txt", encoding=codec)], notices, data if codec == "utf-8" else None


def write_text(
    src: Path, dst: Path, rel: str, docs: list[Document], results: list[DocResult], config: Config
) -> str | None:
    """The cleaned copy of a text file, under its own name; nothing for a dropped duplicate."""
    if not docs or results[0].dropped:
        return None
    result = results[0]
    # (`cleaned_utf8` is `cleaned` encoded: only for a document read as UTF-8, `read_text_utf8`)
    utf8 = result.cleaned_utf8 if docs[0].encoding == "utf-8" else None
    return write_text_copy(dst, rel, docs[0], result.cleaned, utf8)


def write_text_copy(dst: Path, rel: str, doc: Document, cleaned: str | None, utf8: bytes | None) -> str:
    """A text file's cleaned copy: its cleaned text, or (`utf8`) its bytes when the document was read as UTF-8."""
    return write_copy_bytes(dst, rel, with_bom(doc, cleaned.encode(doc.encoding) if utf8 is None else utf8))


def write_copy_bytes(dst: Path, rel: str, data: bytes) -> str:
    """A text file's cleaned copy from the bytes it holds (its byte-order mark, if any, already there)."""
    atomic_write(output_file(dst, rel), compress(rel, data))
    return rel


def with_bom(doc: Document, data: bytes) -> bytes:
    """A cleaned copy's bytes with the input's UTF-8 byte-order mark, whichever lines went.

    utf-8-sig writes it by itself; but a file read with --encoding utf-8, or
    decoded as cp1252 because it is not all UTF-8, holds the mark in its first
    line, and lost it when that line was removed.
    """
    if data.startswith(codecs.BOM_UTF8) or not doc.text[:3].encode(doc.encoding, "ignore").startswith(codecs.BOM_UTF8):
        return data
    return codecs.BOM_UTF8 + data
