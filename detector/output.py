"""Writing result tables for people: CSV that a spreadsheet cannot execute, or Parquet.

A referring domain, anchor or page title comes from the open web. Opened in Excel or
Sheets, a cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) is
run as a formula (CSV injection), so every text cell that starts with one is prefixed
with a single quote, as OWASP recommends. Numbers are left alone.

>>> escape_formula("=1+2")
"'=1+2"
>>> escape_formula("-5 cheap pills"), escape_formula("normal")
("'-5 cheap pills", 'normal')
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import pandas as pd

__all__ = ["escape_formula", "escape_formulas", "write_table"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: object) -> object:
    """Prefix a text value that a spreadsheet would run as a formula with ``'``."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns are safe to open in a spreadsheet."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_string_dtype(series) or series.dtype == object:
            text = series.astype("string")
            risky = text.str.match(r"^[=+\-@\t\r]", na=False)
            if risky.any():
                out[column] = text.where(~risky, "'" + text)
    return out


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to ``.csv`` (formula-escaped, UTF-8) or ``.parquet``, atomically.

    The file appears complete or not at all, so an interrupted run never leaves half a
    report behind.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".parquet"}:
        raise ValueError(f"{path}: output must end in .csv or .parquet, not {suffix or 'nothing'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    try:
        if suffix == ".csv":
            # quote every text cell: pandas leaves a bare "\r" unquoted, which splits rows
            escape_formulas(frame).to_csv(
                tmp, index=False, encoding="utf-8", quoting=csv.QUOTE_NONNUMERIC
            )
        else:
            frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
