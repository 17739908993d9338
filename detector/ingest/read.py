"""Reading exports: one input (:func:`read_export`) or several (:func:`read_exports`).

An input is a path, bytes, or a binary file object (a Streamlit upload). Its kind is
decided by content, not by extension: zip (every recognised member is read), .xlsx
(every recognised sheet is read), or delimited text / plain list / disavow file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Union

import pandas as pd

from detector.errors import EmptyInputError, InputError, MalformedRowsError, UnrecognisedFormatError
from detector.ingest.containers import OLE_MAGIC, is_xlsx, is_zip, xlsx_sheets, zip_members
from detector.ingest.convert import Converted, convert
from detector.ingest.decode import (
    DELIMITERS,
    HEADER_SEARCH_LINES,
    find_layout,
    recode,
    split_line,
    to_utf8,
)
from detector.ingest.formats import closest_match, detect_format, known_formats
from detector.ingest.lists import read_list, sniff_list
from detector.ingest.results import FileError, IngestReport, PartInfo, ReadResult, RowProblem
from detector.ingest.tables import NotUtf8, read_delimited, read_rows
from detector.schema import LINK_IDENTITY, empty_backlinks

#: What :func:`read_export` accepts: a path, raw bytes, or a binary file object.
Source = Union[str, os.PathLike, bytes, bytearray, memoryview, BinaryIO]
#: ``progress(done, total, name)`` is called after each input of :func:`read_exports`.
Progress = Callable[[int, int, str], None]

_PROBLEMS_IN_MESSAGE = 5


_NOT_SPACE = re.compile(rb"[^\s\x00]")


def _blank(data: bytes, start: int = 0) -> bool:
    """True when ``data[start:]`` holds only whitespace (found without copying it)."""
    return _NOT_SPACE.search(data, start) is None


def _load(source: Source, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name or "<bytes>"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        return path.read_bytes(), name or str(path)
    if hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return bytes(data), name or str(getattr(source, "name", "<upload>"))
    raise TypeError(f"cannot read an export from {type(source).__name__}")


def _unrecognised(source_file: str, candidates: list[tuple[int, list[str]]]) -> UnrecognisedFormatError:
    """An error naming the file, the header seen and the closest format's missing columns."""
    best = None  # (key, line, cells, match)
    for number, cells in candidates:
        match = closest_match(cells)
        if match is None:
            continue
        share = 1 - len(match.missing) / max(len(match.format.required), 1)
        key = (share, len(match.found))
        if best is None or key > best[0]:
            best = (key, number, cells, match)
    if best is not None:
        _, number, cells, match = best
        seen = f"header {cells!r} (line {number})"
        closest = (f"closest known format: {match.format.id} ({match.format.title}), "
                   f"missing required column(s): {', '.join(match.missing)}")
    else:
        number, cells = candidates[0] if candidates else (None, [])
        seen = f"first line {cells!r} (line {number})" if candidates else "no text"
        closest = "no column matches any known format"
    ids = ", ".join(f.id for f in known_formats())
    return UnrecognisedFormatError(
        f"{source_file}: not a recognised backlink export; saw {seen}; {closest}. "
        f"Known formats: {ids}.")


def _candidates(lines: list[tuple[int, int, str]]) -> list[tuple[int, list[str]]]:
    out = []
    for number, _, line in lines:
        for delimiter in DELIMITERS:
            if delimiter in line or delimiter == ",":
                out.append((number, [c.strip() for c in split_line(line, delimiter)]))
    return out


def _finish(source_file: str, conv: Converted, part: PartInfo, extra: list[RowProblem]) -> tuple[Converted, PartInfo]:
    problems = sorted(extra + conv.problems, key=lambda p: (p.line or 0))
    if len(conv.frame) == 0 and not problems:
        raise EmptyInputError(f"{source_file}: no rows below the header (line {part.header_line})"
                              if part.header_line else f"{source_file}: no entries")
    return Converted(conv.frame, problems, conv.unparsed_values), part


def _read_text(raw: bytes, source_file: str) -> tuple[Converted, PartInfo]:
    text = to_utf8(raw)
    if _blank(text.data, text.start):
        raise EmptyInputError(f"{source_file}: the file is empty")
    layout, lines = find_layout(text)
    if layout is None:
        list_format = sniff_list([line for _, _, line in lines])
        if list_format is None:
            raise _unrecognised(source_file, _candidates(lines))
        conv, header_line = read_list(text, list_format, source_file)
        part = PartInfo(source_file, list_format.id, list_format.tool, text.encoding, None,
                        header_line, len(conv.frame))
        return _finish(source_file, conv, part, [])
    try:
        raw_columns = read_delimited(text, layout, layout.match.found, source_file)
    except NotUtf8:
        text = recode(raw, "cp1252")
        layout, _ = find_layout(text)
        if layout is None:
            raise _unrecognised(source_file, _candidates(lines))
        raw_columns = read_delimited(text, layout, layout.match.found, source_file)
    fmt = layout.match.format
    conv = convert(fmt, raw_columns, layout.header, source_file)
    part = PartInfo(source_file, fmt.id, fmt.tool, text.encoding, layout.delimiter,
                    layout.header_line, len(conv.frame))
    return _finish(source_file, conv, part, raw_columns.problems)


def _read_sheet(title: str, rows: list[list[str]], source_file: str) -> tuple[Converted, PartInfo]:
    seen: list[tuple[int, list[str]]] = []
    for index, row in enumerate(rows):
        if not any(cell.strip() for cell in row):
            continue
        seen.append((index + 1, row))
        match = detect_format(row)
        if match is not None and match.complete:
            fmt = match.format
            body = rows[index + 1:]
            raw_columns = read_rows(body, list(range(index + 2, index + 2 + len(body))),
                                    len(row), match.found, source_file)
            conv = convert(fmt, raw_columns, row, source_file)
            part = PartInfo(source_file, fmt.id, fmt.tool, "xlsx", None, index + 1, len(conv.frame))
            return _finish(source_file, conv, part, [])
        if len(seen) >= HEADER_SEARCH_LINES:
            break
    if not seen:
        raise EmptyInputError(f"{source_file}: the sheet is empty")
    raise _unrecognised(source_file, seen)


def _read_any(raw: bytes, source_file: str, depth: int = 0) -> tuple[list[tuple[Converted, PartInfo]], list[str]]:
    """Every table in one input, and the members/sheets skipped with reasons."""
    if raw.startswith(OLE_MAGIC):
        raise UnrecognisedFormatError(
            f"{source_file}: a legacy Excel .xls workbook; save it as .xlsx or CSV first")
    if is_xlsx(raw):
        parts, skipped, errors = [], [], []
        for title, rows in xlsx_sheets(raw):
            try:
                parts.append(_read_sheet(title, rows, f"{source_file}!{title}"))
            except (EmptyInputError, UnrecognisedFormatError) as exc:
                skipped.append(str(exc))
                errors.append(exc)
        return _container_result(source_file, parts, skipped, errors, "sheet")
    if is_zip(raw) and depth == 0:
        parts, skipped, errors = [], [], []
        members, too_big = zip_members(raw)
        skipped += too_big
        for member, data in members:
            try:
                sub_parts, sub_skipped = _read_any(data, f"{source_file}!{member}", depth + 1)
                parts += sub_parts
                skipped += sub_skipped
            except (EmptyInputError, UnrecognisedFormatError) as exc:
                skipped.append(str(exc))
                errors.append(exc)
        return _container_result(source_file, parts, skipped, errors, "member")
    return [_read_text(raw, source_file)], []


def _container_result(source_file: str, parts: list, skipped: list[str], errors: list[Exception],
                      what: str) -> tuple[list[tuple[Converted, PartInfo]], list[str]]:
    if parts:
        return parts, skipped
    if errors and all(isinstance(e, EmptyInputError) for e in errors):
        raise EmptyInputError(f"{source_file}: every {what} is empty: " + "; ".join(skipped))
    if not errors:
        raise EmptyInputError(f"{source_file}: contains no {what}s")
    raise UnrecognisedFormatError(
        f"{source_file}: no {what} is a recognised backlink export: " + "; ".join(skipped))


def _malformed(result: ReadResult) -> MalformedRowsError:
    shown = "; ".join(str(p) for p in result.problems[:_PROBLEMS_IN_MESSAGE])
    more = len(result.problems) - _PROBLEMS_IN_MESSAGE
    return MalformedRowsError(
        f"{result.source}: {len(result.problems)} malformed row(s): {shown}"
        + (f"; and {more} more" if more > 0 else ""),
        problems=list(result.problems),
    )


def read_export(source: Source, *, name: str | None = None, strict: bool = False) -> ReadResult:
    """Read one backlink export (any known format) into the canonical Backlinks frame.

    ``source`` is a path, bytes, or a binary file object; ``name`` names it in messages and
    in ``source_file`` (default: the path, the object's ``.name``, or ``<bytes>``).
    Malformed rows are reported in ``ReadResult.problems``; with ``strict=True`` any
    problem raises :class:`~detector.errors.MalformedRowsError` instead.

    Raises :class:`~detector.errors.EmptyInputError` (empty or header-only) and
    :class:`~detector.errors.UnrecognisedFormatError` (header matches no format).
    """
    raw, display = _load(source, name)
    if _blank(raw):
        raise EmptyInputError(f"{display}: the file is empty")
    parts, skipped = _read_any(raw, display)
    frames = [conv.frame for conv, _ in parts]
    if len(frames) == 1:
        frame = frames[0]
    else:
        frame = pd.concat(frames, ignore_index=True) if frames else empty_backlinks()
    unparsed: dict[str, int] = {}
    for conv, _ in parts:
        for column, count in conv.unparsed_values.items():
            unparsed[column] = unparsed.get(column, 0) + count
    result = ReadResult(
        source=display,
        frame=frame,
        parts=[part for _, part in parts],
        problems=[p for conv, _ in parts for p in conv.problems],
        unparsed_values=unparsed,
        skipped=skipped,
    )
    if strict and result.problems:
        raise _malformed(result)
    return result


ExportInput = Union[Source, tuple[str, bytes]]


def read_exports(
    sources: Iterable[ExportInput],
    strict: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Read several exports into one frame, removing duplicate links.

    Each item is a path, a binary file object, or a ``(name, bytes)`` pair. Rows with the
    same :data:`~detector.schema.LINK_IDENTITY` (source URL, target URL, anchor) as an
    earlier row are dropped and counted (the first file given wins).

    Errors: with ``strict=False`` a file that cannot be read (unrecognised, empty, missing)
    is recorded in ``IngestReport.errors`` and the others are still read; an
    :class:`~detector.errors.InputError` is raised only when NO file could be read (the
    file's own error when there was one file). With ``strict=True`` the first unreadable
    file or malformed row raises.
    """
    items = list(sources)
    results: list[ReadResult] = []
    errors: list[FileError] = []
    for done, item in enumerate(items, start=1):
        if isinstance(item, tuple):
            item_name, data = item
            label = item_name
        else:
            data, item_name = item, None
            label = str(getattr(item, "name", item))
        try:
            results.append(read_export(data, name=item_name, strict=strict))
        except (InputError, OSError) as exc:
            if strict:
                raise
            errors.append(FileError(label, exc))
        if progress is not None:
            progress(done, len(items), label)
    if not results:
        if len(errors) == 1 and isinstance(errors[0].error, InputError):
            raise errors[0].error
        raise InputError("no export could be read: " + "; ".join(str(e) for e in errors)
                         if errors else "no export given")
    frames = [r.frame for r in results]
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    duplicated = frame.duplicated(subset=list(LINK_IDENTITY), keep="first")
    removed = int(duplicated.sum())
    if removed:
        frame = frame.loc[~duplicated].reset_index(drop=True)
    for r in results:
        r.frame = r.frame.iloc[0:0]
    return IngestReport(frame=frame, results=results, errors=errors, duplicates_removed=removed)


__all__ = ["read_export", "read_exports", "Source", "Progress", "ExportInput"]
