"""Bytes to UTF-8 text layout: encoding, line endings, delimiter and header line.

Exports arrive as UTF-16 LE/BE with a BOM (Ahrefs "for Excel", TAB separated), UTF-8
with or without a BOM, or a Windows code page. Everything is turned into UTF-8 bytes
(without copying when it already is UTF-8) so one CSV reader serves all. The header is
looked for among the first :data:`HEADER_SEARCH_LINES` lines, because some tools (Moz)
write a preamble above it; the delimiter is chosen per candidate line as the one whose
split best matches a known format.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass

from detector.ingest.formats import FormatMatch, detect_format

HEADER_SEARCH_LINES = 20  #: the header must be among this many first non-empty lines
DELIMITERS = (",", "\t", ";")  #: candidate field separators
_HEAD_BYTES = 1 << 18


@dataclass(frozen=True)
class Text:
    """An input turned into UTF-8 bytes."""

    data: bytes  #: UTF-8 bytes (the original object when no recoding was needed)
    start: int  #: offset of the first byte after any BOM
    encoding: str  #: the input's encoding: utf-8, utf-8-sig, utf-16-le, utf-16-be, cp1252


@dataclass(frozen=True)
class Layout:
    """Where the table is in a text and how it is split."""

    header: list[str]  #: header cells as written
    header_line: int  #: 1-based physical line of the header
    data_offset: int  #: byte offset of the first line after the header
    delimiter: str  #: field separator
    match: FormatMatch | None  #: best format match for the header (may be incomplete)


def _looks_utf16(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nul > 0.3 * half and even_nul < 0.05 * half:
        return "utf-16-le"
    if even_nul > 0.3 * half and odd_nul < 0.05 * half:
        return "utf-16-be"
    return None


def _head_is_utf8(head: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def recode(raw: bytes, encoding: str) -> Text:
    """Decode ``raw`` with ``encoding`` (replacing undecodable bytes) and re-encode as UTF-8."""
    text = raw.decode(encoding, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return _normalise_newlines(Text(text.encode("utf-8"), 0, encoding.replace("_", "-")))


def to_utf8(raw: bytes) -> Text:
    """Detect the encoding of ``raw`` and return it as UTF-8 bytes.

    BOMs decide first; then UTF-16 without BOM by its NUL pattern; then UTF-8 if the
    first 256 KiB decode; else cp1252. (A UTF-8 file with a bad byte further on is
    re-read as cp1252 by the caller when the CSV reader rejects it.)

    >>> to_utf8("a,b\\n".encode("utf-16")).encoding in ("utf-16-le", "utf-16-be")
    True
    >>> to_utf8("café;x".encode("cp1252")).encoding
    'cp1252'
    """
    if raw.startswith(codecs.BOM_UTF8):
        return _normalise_newlines(Text(raw, 3, "utf-8-sig"))
    if raw.startswith(codecs.BOM_UTF16_LE):
        return recode(raw[2:], "utf-16-le")
    if raw.startswith(codecs.BOM_UTF16_BE):
        return recode(raw[2:], "utf-16-be")
    head = raw[:_HEAD_BYTES]
    utf16 = _looks_utf16(head)
    if utf16:
        return recode(raw, utf16)
    if _head_is_utf8(head):
        return _normalise_newlines(Text(raw, 0, "utf-8"))
    return recode(raw, "cp1252")


def _normalise_newlines(text: Text) -> Text:
    """Old-Mac files with bare CR line ends get LF (copying only in that rare case)."""
    head = text.data[text.start:text.start + _HEAD_BYTES]
    if b"\n" not in head and b"\r" in head:
        return Text(text.data[text.start:].replace(b"\r", b"\n"), 0, text.encoding)
    return text


def split_line(line: str, delimiter: str) -> list[str]:
    """Split one CSV line, honouring quotes."""
    try:
        return next(csv.reader([line], delimiter=delimiter))
    except (StopIteration, csv.Error):
        return [line]


def head_lines(text: Text, limit: int = HEADER_SEARCH_LINES) -> list[tuple[int, int, str]]:
    """The first ``limit`` non-empty lines as (1-based line number, end offset, text)."""
    out: list[tuple[int, int, str]] = []
    pos = text.start
    data = text.data
    number = 0
    while len(out) < limit and pos < len(data):
        end = data.find(b"\n", pos)
        stop = len(data) if end == -1 else end + 1
        number += 1
        line = data[pos:stop].decode("utf-8", errors="replace").rstrip("\r\n")
        if line.strip():
            out.append((number, stop, line))
        pos = stop
    return out


def find_layout(text: Text) -> tuple[Layout | None, list[tuple[int, int, str]]]:
    """Find the header line and delimiter. Returns (layout or None, the lines looked at).

    The first line whose split completely matches a known format wins; the delimiter is
    the one giving the best match on that line.
    """
    lines = head_lines(text)
    for number, end, line in lines:
        best: tuple[tuple, Layout] | None = None
        for delimiter in DELIMITERS:
            if delimiter not in line and delimiter != ",":
                continue
            cells = split_line(line, delimiter)
            match = detect_format(cells)
            if match is None or not match.complete:
                continue
            key = (match.score, len(cells))
            if best is None or key > best[0]:
                best = (key, Layout(cells, number, end, delimiter, match))
        if best is not None:
            return best[1], lines
    return None, lines


def guess_delimiter(line: str) -> str:
    """The candidate delimiter occurring most often in ``line`` (comma on ties)."""
    counts = {d: line.count(d) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], d == ","))
