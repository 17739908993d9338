"""Delimited text to raw string columns with physical line numbers.

Fast path: pyarrow's multi-threaded CSV reader, reading only the mapped columns as
strings (empty cells null). Physical line numbers are ``header_line + 1 + i`` whenever
the body has one record per line, which a byte count of newlines confirms cheaply.
When rows are invalid (wrong number of fields), pyarrow is re-run single-threaded to
learn their record numbers; when records span lines (quoted newlines) or blank lines
interleave, Python's csv module reads the body and counts lines exactly.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from detector.ingest.decode import Layout, Text
from detector.ingest.results import RowProblem

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class NotUtf8(Exception):
    """The body is not valid UTF-8 (the caller re-decodes with a code page)."""


@dataclass
class RawColumns:
    """Raw text columns of one table, keyed by format target."""

    columns: dict[str, pa.Array | pa.ChunkedArray]  #: target -> strings (null for empty cells)
    lines: np.ndarray  #: int64 physical line of every row
    problems: list[RowProblem]  #: rows with the wrong number of fields (dropped)


def _body_end(data: bytes, start: int) -> int:
    """Offset after the last non-blank byte (trailing newlines/blank lines ignored)."""
    end = len(data)
    while end > start and data[end - 1] in b"\r\n \t":
        end -= 1
    return end


def _arrow_read(body: pa.Buffer, layout: Layout, names: list[str], include: list[str],
                threads: bool, bad: list) -> pa.Table:
    def on_invalid(row) -> str:
        bad.append(row)
        return "skip"

    try:
        return pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=threads,
                                           block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=layout.delimiter,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in include},
                include_columns=include,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "utf8" in str(exc).lower():
            raise NotUtf8(str(exc)) from exc
        raise


def _field_problem(file: str, line: int | None, expected: int, actual: int) -> RowProblem:
    return RowProblem(file, line, None,
                      f"expected {expected} fields (as in the header), found {actual}")


def read_delimited(text: Text, layout: Layout, wanted: dict[str, int], source_file: str) -> RawColumns:
    """Read the body below ``layout``'s header; ``wanted`` maps target -> header index."""
    data = text.data
    start = layout.data_offset
    end = _body_end(data, start)
    ncols = len(layout.header)
    if end <= start:
        return RawColumns({t: pa.array([], pa.string()) for t in wanted},
                          np.zeros(0, np.int64), [])
    names = [f"c{i}" for i in range(ncols)]
    include = sorted({names[i] for i in wanted.values()}, key=lambda n: int(n[1:]))
    body = pa.py_buffer(data).slice(start, end - start)
    body_lines = data.count(b"\n", start, end) + 1

    bad: list = []
    try:
        table = _arrow_read(body, layout, names, include, True, bad)
    except pa.ArrowInvalid:  # (NotUtf8 is not one: the caller re-decodes)
        return _python_read(data[start:end], layout, wanted, source_file)

    # pyarrow skips blank lines and joins quoted newlines: either makes the sum fall short
    one_per_line = table.num_rows + len(bad) == body_lines
    trailing_delimiter = any(row.actual_columns == ncols + 1
                             and (row.text or "").rstrip("\r").endswith(layout.delimiter)
                             for row in bad[:100])
    if not one_per_line or trailing_delimiter:
        return _python_read(data[start:end], layout, wanted, source_file)
    problems: list[RowProblem] = []
    if not bad:
        lines = np.arange(table.num_rows, dtype=np.int64) + layout.header_line + 1
    else:
        bad = []
        table = _arrow_read(body, layout, names, include, False, bad)
        bad_numbers = np.array([row.number for row in bad], dtype=np.int64)
        all_lines = np.arange(1, body_lines + 1, dtype=np.int64)
        lines = np.setdiff1d(all_lines, bad_numbers, assume_unique=True) + layout.header_line
        for row in bad:
            problems.append(_field_problem(source_file, layout.header_line + row.number,
                                           row.expected_columns, row.actual_columns))
        if len(lines) != table.num_rows:  # should not happen; be exact rather than fast
            return _python_read(data[start:end], layout, wanted, source_file)
    columns = {t: table.column(names[i]) for t, i in wanted.items()}
    return RawColumns(columns, lines, problems)


def _python_read(body: bytes, layout: Layout, wanted: dict[str, int], source_file: str) -> RawColumns:
    """Exact but slower: Python's csv module, tracking the first line of every record."""
    ncols = len(layout.header)
    reader = csv.reader(io.StringIO(body.decode("utf-8", errors="replace"), newline=""),
                        delimiter=layout.delimiter)
    values: dict[str, list[str | None]] = {t: [] for t in wanted}
    lines: list[int] = []
    problems: list[RowProblem] = []
    previous = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(RowProblem(source_file, layout.header_line + previous + 1, None,
                                       f"invalid CSV: {exc}"))
            previous = reader.line_num
            continue
        first_line = layout.header_line + previous + 1
        previous = reader.line_num
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        if len(record) == ncols + 1 and record[-1] == "":
            record = record[:-1]  # a trailing delimiter on data rows only
        if len(record) != ncols:
            problems.append(_field_problem(source_file, first_line, ncols, len(record)))
            continue
        lines.append(first_line)
        for target, index in wanted.items():
            values[target].append(record[index] or None)
    columns = {t: pa.array(v, pa.string()) for t, v in values.items()}
    return RawColumns(columns, np.asarray(lines, dtype=np.int64), problems)


def read_rows(rows: list[list[str]], row_lines: list[int], ncols: int,
              wanted: dict[str, int], source_file: str) -> RawColumns:
    """Raw columns from already-split rows (spreadsheets); short rows are padded."""
    values: dict[str, list[str | None]] = {t: [] for t in wanted}
    lines: list[int] = []
    for record, line in zip(rows, row_lines):
        if not any(cell.strip() for cell in record):
            continue
        lines.append(line)
        for target, index in wanted.items():
            cell = record[index] if index < len(record) else ""
            values[target].append(cell or None)
    columns = {t: pa.array(v, pa.string()) for t, v in values.items()}
    return RawColumns(columns, np.asarray(lines, dtype=np.int64), [])
