"""Result records of the ingest stage: what was read, from where, and what went wrong.

Kept apart from the readers so the CLI and the app can import and display them without
pulling in pyarrow or openpyxl code paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class RowProblem:
    """One row (or one value of a row) that could not be read as exported."""

    file: str  #: file (or ``archive.zip!member.csv``) the row is in
    line: int | None  #: 1-based physical line of the row (Excel row for .xlsx); None if unknown
    column: str | None  #: header name of the offending column, None for whole-row problems
    message: str  #: what was wrong and what was expected
    dropped: bool = True  #: True when the row is not in the frame, False when only a value became NA

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line is not None else self.file
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}" + ("" if self.dropped else " (value left empty)")


@dataclass(frozen=True)
class PartInfo:
    """How one table (a CSV file, a zip member or an .xlsx sheet) was read."""

    source_file: str  #: name written to ``source_file`` on the rows of this part
    format_id: str  #: detected format id, e.g. ``ahrefs_backlinks``
    tool: str  #: tool that wrote it: ahrefs / semrush / majestic / moz / gsc / bing / list / disavow
    encoding: str  #: text encoding used to decode it (``xlsx`` for spreadsheets)
    delimiter: str | None  #: field separator (None for spreadsheets and plain lists)
    header_line: int | None  #: 1-based line of the header (None for a list without header)
    rows: int  #: rows this part contributed to the frame


@dataclass
class ReadResult:
    """Everything read from one input (a file, an upload, a zip or a workbook)."""

    source: str  #: name of the input as given (path or upload name)
    frame: pd.DataFrame  #: canonical Backlinks frame (``detector.schema`` columns and dtypes)
    parts: list[PartInfo]  #: one entry per table read (several for zips and workbooks)
    problems: list[RowProblem] = field(default_factory=list)  #: malformed rows and values
    unparsed_values: dict[str, int] = field(default_factory=dict)  #: per canonical column, non-empty values that became NA
    skipped: list[str] = field(default_factory=list)  #: zip members / sheets not read, each with the reason

    @property
    def rows(self) -> int:
        """Number of rows in :attr:`frame` (kept when the frame is released)."""
        return sum(p.rows for p in self.parts)

    @property
    def formats(self) -> tuple[str, ...]:
        """Distinct format ids of the parts, in reading order."""
        return tuple(dict.fromkeys(p.format_id for p in self.parts))

    @property
    def dropped_rows(self) -> int:
        """Rows reported as problems and left out of the frame."""
        return sum(1 for p in self.problems if p.dropped)


@dataclass(frozen=True)
class FileError:
    """An input that could not be read at all."""

    source: str  #: name of the input
    error: Exception  #: the exception raised (an :class:`~detector.errors.InputError` normally)

    def __str__(self) -> str:
        return f"{self.source}: {self.error}"


@dataclass
class IngestReport:
    """The result of reading several exports together with :func:`read_exports`."""

    frame: pd.DataFrame  #: all rows of all readable inputs, duplicate links removed
    results: list[ReadResult]  #: per input; their ``frame`` is emptied to save memory (``rows`` stays)
    errors: list[FileError] = field(default_factory=list)  #: inputs that could not be read
    duplicates_removed: int = 0  #: rows dropped because an earlier row had the same ``LINK_IDENTITY``

    @property
    def rows_read(self) -> int:
        """Rows read from all inputs before duplicates were removed."""
        return sum(r.rows for r in self.results)

    @property
    def problems(self) -> list[RowProblem]:
        """Every row problem of every input."""
        return [p for r in self.results for p in r.problems]
