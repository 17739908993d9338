"""Vectorised value parsing: raw text columns (pyarrow arrays) to typed columns.

Every converter takes a pyarrow string array (nulls for empty cells) and returns the
typed array plus a boolean mask of cells that were non-empty but could not be parsed,
so the caller can count them or report them against a required column. No per-row
Python: low-cardinality columns (booleans, flags, languages, HTTP codes) are parsed
once per distinct value through a dictionary encoding, the rest with pyarrow.compute.

>>> to_float(pa.array(["1,240", "301, 302", "", None, "n/a", "4.5%"]))[0].to_pylist()
[1240.0, 301.0, None, None, None, 4.5]
>>> to_bool(pa.array(["TRUE", "no", "Yes", "", "maybe"]))[0].to_pylist()
[True, False, True, None, None]
>>> to_flag(pa.array(["", "+", "1", None, "0"]))[0].to_pylist()
[False, True, True, False, False]
>>> [t.isoformat() if t else t for t in to_time(pa.array(
...     ["2026-05-09 16:34:28", "Sep 15, 2026", "15/09/2026", "bad"]))[0].to_pylist()]
['2026-05-09T16:34:28+00:00', '2026-09-15T00:00:00+00:00', '2026-09-15T00:00:00+00:00', None]
"""

from __future__ import annotations

from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc

Array = pa.Array | pa.ChunkedArray

_TRUE = frozenset({"true", "yes", "y", "1", "t", "x", "on"})
_FALSE = frozenset({"false", "no", "n", "0", "f", "off", ""})
_FLAG_FALSE = frozenset({"", "0", "false", "no", "n", "f", "-"})

#: Date formats tried in order; day-first beats month-first for ambiguous slashes.
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
)
_UTC_S = pa.timestamp("s", tz="UTC")
_MIN_TS = pa.scalar(-2208988800, pa.int64())  # 1900-01-01
_MAX_TS = pa.scalar(9214646400, pa.int64())  # 2262-01-01 (datetime64[ns] limit)
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


def _combine(arr: Array) -> pa.Array:
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _failed(raw: Array, parsed: Array) -> pa.Array:
    """Cells that were non-empty in ``raw`` and are null in ``parsed``."""
    return _combine(pc.and_(pc.is_valid(raw), pc.is_null(parsed)))


def per_distinct(arr: Array, fn: Callable[[str], object], out_type: pa.DataType) -> pa.Array:
    """Apply ``fn`` once per distinct non-null value and broadcast the result."""
    encoded = _combine(pc.dictionary_encode(_combine(arr)))
    mapped = pa.array([fn(v) for v in encoded.dictionary.to_pylist()], type=out_type)
    return pc.take(mapped, encoded.indices)


def blank_to_null(arr: Array) -> pa.Array:
    """Trim surrounding whitespace; empty strings become null."""
    trimmed = pc.utf8_trim_whitespace(_combine(arr))
    if not pc.any(pc.equal(trimmed, "")).as_py():
        return trimmed
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def first_item(text: str) -> str:
    """First item of a multi-valued cell: ``'en, fr'`` -> ``'en'``; keeps ``1,240`` whole."""
    head = text.split(", ", 1)[0].split(";", 1)[0].strip()
    return head


def to_str(arr: Array) -> tuple[pa.Array, pa.Array]:
    """Text as exported (nulls stay null); never fails."""
    arr = _combine(arr)
    return arr, pa.nulls(len(arr), pa.bool_()).fill_null(False)


def to_first(arr: Array, lower: bool = False) -> tuple[pa.Array, pa.Array]:
    """First item of multi-valued cells (``en, fr`` -> ``en``), optionally lower-cased."""
    def one(text: str) -> str | None:
        head = first_item(text)
        return (head.lower() if lower else head) or None

    out = per_distinct(arr, one, pa.string())
    return out, _failed(arr, out)


def to_bool(arr: Array) -> tuple[pa.Array, pa.Array]:
    """true/false, TRUE/FALSE, Yes/No, 1/0; empty -> NA; anything else -> NA and flagged."""
    def one(text: str) -> bool | None:
        t = first_item(text).lower()
        return True if t in _TRUE else False if t in _FALSE and t else None

    out = per_distinct(arr, one, pa.bool_())
    return out, _failed(arr, out)


def to_flag(arr: Array) -> tuple[pa.Array, pa.Array]:
    """Majestic-style flag: empty or false-like -> False, any other marker -> True."""
    out = per_distinct(arr, lambda t: t.strip().lower() not in _FLAG_FALSE, pa.bool_())
    out = pc.fill_null(out, False)
    return out, pc.is_null(out)


def to_float(arr: Array) -> tuple[pa.Array, pa.Array]:
    """Numbers: thousands separators, %, spaces and multi-values (first) handled."""
    arr = _combine(arr)
    try:
        out = pc.cast(arr, pa.float64())
        return out, _failed(arr, out)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    text = pc.utf8_trim_whitespace(arr)
    text = pc.replace_substring_regex(text, r",\s+.*$|;.*$", "")  # '301, 301' -> '301'
    text = pc.replace_substring_regex(text, r"[,\s\x{a0}\x{202f}'%]", "")
    valid = pc.match_substring_regex(text, _NUMBER)
    clean = pc.if_else(valid, text, pa.scalar(None, pa.string()))
    out = pc.cast(clean, pa.float64())
    return out, _failed(arr, out)


def to_int(arr: Array) -> tuple[pa.Array, pa.Array]:
    """Integers (HTTP codes), first of multi-values; non-integers -> NA and flagged."""
    def one(text: str) -> int | None:
        head = first_item(text).replace(",", "")
        try:
            value = float(head)
        except ValueError:
            return None
        return int(value) if value.is_integer() and abs(value) < 2**62 else None

    out = per_distinct(arr, one, pa.int64())
    return out, _failed(arr, out)


def _parse_times(arr: pa.Array, todo: pa.Array, result: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Try each format on the cells flagged in ``todo``; returns (result, still todo)."""
    for fmt in DATE_FORMATS:
        if not pc.any(todo).as_py():
            break
        subset = pc.if_else(todo, arr, pa.scalar(None, pa.string()))
        parsed = pc.strptime(subset, format=fmt, unit="s", error_is_null=True)
        if parsed.type.tz is None:
            parsed = pc.cast(parsed, _UTC_S)
        result = pc.coalesce(result, parsed)
        todo = pc.and_(todo, pc.is_null(parsed))
    return result, todo


def to_time(arr: Array) -> tuple[pa.Array, pa.Array]:
    """Dates and timestamps in any of :data:`DATE_FORMATS` to UTC (naive = UTC)."""
    arr = _combine(arr)
    first = pc.strptime(arr, format=DATE_FORMATS[0], unit="s", error_is_null=True)
    result = pc.cast(first, _UTC_S)
    todo = pc.and_(pc.is_valid(arr), pc.is_null(first))
    if pc.any(todo).as_py():  # the slow road: other formats, spaces, fractions of seconds
        arr = pc.utf8_trim_whitespace(arr)
        arr = pc.replace_substring_regex(arr, r"(\d\d:\d\d:\d\d)\.\d+", r"\1")
        todo = pc.and_(todo, pc.not_equal(arr, ""))
        result, todo = _parse_times(arr, todo, result)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    bounds = pc.min_max(pc.cast(result, pa.int64()))
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is not None and (low < _MIN_TS.as_py() or high >= _MAX_TS.as_py()):
        seconds = pc.cast(result, pa.int64())
        in_range = pc.and_(pc.greater_equal(seconds, _MIN_TS), pc.less(seconds, _MAX_TS))
        result = pc.if_else(in_range, result, pa.scalar(None, _UTC_S))
    return result, _failed(arr, result)


CONVERTERS: dict[str, Callable[[Array], tuple[pa.Array, pa.Array]]] = {
    "str": to_str,
    "first": to_first,
    "lower": lambda a: to_first(a, lower=True),
    "bool": to_bool,
    "flag": to_flag,
    "float": to_float,
    "int": to_int,
    "time": to_time,
}
