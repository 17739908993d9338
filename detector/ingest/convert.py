"""Raw text columns of a recognised format to the canonical Backlinks frame.

Parses every mapped column with its kind (see :mod:`detector.ingest.values`), derives
what some tools spread over several columns (link type from Semrush/Majestic flags,
Moz's rel columns, Semrush's lost flag), extracts hosts once per distinct value and
keys them with :func:`detector.keys.hosts_to_keys`, drops rows whose source has no
host (reporting each), and returns a frame with the exact canonical dtypes.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from detector.ingest.formats import FLOAT, HOST, TIME, ExportFormat
from detector.ingest.results import RowProblem
from detector.ingest.tables import RawColumns
from detector.ingest.values import CONVERTERS, blank_to_null, per_distinct
from detector.keys import host_of, hosts_to_keys, is_ip
from detector.schema import BACKLINK_DTYPES, BL, backlinks_from_columns

_HOST = re.compile(r"^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?\.)+[a-z0-9-]{2,}$")
_AUTHORITY = r"^(?:.*?://|//)?(?P<authority>[^/?#\\]*)"
_URL_TARGETS = (BL.SOURCE_URL, BL.TARGET_URL)


@dataclass
class Converted:
    """A canonical frame and what went wrong on the way."""

    frame: pd.DataFrame  #: canonical Backlinks rows
    problems: list[RowProblem]  #: dropped rows and bad values in required columns
    unparsed_values: dict[str, int]  #: canonical column -> non-empty values that became NA


def valid_host(host: str) -> bool:
    """True for a dotted DNS name (punycode, lower-case) or an IP literal.

    >>> valid_host("www.example.co.uk"), valid_host("not a url"), valid_host("10.0.0.1")
    (True, False, True)
    """
    return bool(host) and (bool(_HOST.match(host)) or is_ip(host))


def _host_or_none(text: str) -> str | None:
    host = host_of(text)
    return host if valid_host(host) else None


def hosts_of(urls: pa.Array, repetitive: bool = False) -> pa.Array:
    """Normalised host of every URL (null where there is none); host_of per distinct authority.

    ``repetitive``: the URLs repeat a lot (targets), so parse each distinct URL once.
    """
    if len(urls) == 0:
        return pa.array([], pa.string())
    if repetitive:
        encoded = pc.dictionary_encode(urls)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        return pc.take(hosts_of(encoded.dictionary), encoded.indices)
    authority = pc.struct_field(pc.extract_regex(urls, _AUTHORITY), [0])
    lowered = pc.ascii_lower(authority)
    plain = pc.fill_null(pc.match_substring_regex(lowered, _HOST.pattern), False)
    if pc.all(pc.or_(plain, pc.is_null(urls))).as_py():  # the usual case: nothing to normalise
        return pc.if_else(plain, lowered, pa.scalar(None, pa.string()))
    # IDNs, ports, credentials, trailing dots, junk: keys.host_of once per distinct authority
    odd = pc.if_else(plain, pa.scalar(None, pa.string()), authority)
    slow = per_distinct(odd, _host_or_none, pa.string())
    return pc.if_else(plain, lowered, slow)


def keys_of(hosts: pa.Array) -> pa.Array:
    """Referring-domain key of every host, each distinct host keyed once."""
    encoded = pc.dictionary_encode(hosts)
    distinct = pd.Series(encoded.dictionary.to_pylist(), dtype=object)
    keys = hosts_to_keys(distinct).tolist() if len(distinct) else []
    mapped = pa.array([k if isinstance(k, str) and k else None for k in keys], pa.string())
    return pc.take(mapped, encoded.indices)


def _first_set(flags: list[tuple[pa.Array, str]], default: str | None, n: int) -> pa.Array:
    """Link type from ordered (flag array, type) pairs: first True wins."""
    result = pa.nulls(n, pa.string())
    all_false = pa.array(np.ones(n, dtype=bool))
    for flag, link_type in reversed(flags):
        result = pc.if_else(pc.fill_null(flag, False), pa.scalar(link_type), result)
    for flag, _ in flags:
        all_false = pc.and_(all_false, pc.invert(pc.fill_null(flag, True)))
    if default is not None:
        result = pc.if_else(all_false, pa.scalar(default), result)
    return result


_LINK_TYPE_NAMES = {"textlink": "text", "imglink": "image", "imagelink": "image", "img": "image",
                    "href": "text", "301": "redirect", "redirectlink": "redirect"}


def normal_link_type(value: str) -> str | None:
    """One vocabulary for link types: ``TextLink`` -> ``text``, ``ImgLink`` -> ``image``.

    >>> [normal_link_type(v) for v in ["TextLink", "image", "Frame"]]
    ['text', 'image', 'frame']
    """
    key = value.strip().lower().replace(" ", "").replace("_", "")
    return _LINK_TYPE_NAMES.get(key, value.strip().lower()) or None


def _derive(fmt: ExportFormat, typed: dict[str, pa.Array], n: int) -> None:
    """Fill canonical columns that formats spread over several helper columns."""
    flags = [(typed[col], kind) for col, kind in fmt.link_type_flags if col in typed]
    if BL.LINK_TYPE not in typed:
        if "_link_type" in typed:  # Majestic API LinkType, when present
            typed[BL.LINK_TYPE] = typed["_link_type"]
        elif flags:
            typed[BL.LINK_TYPE] = _first_set(flags, fmt.link_type_default, n)
    if BL.LINK_TYPE in typed:
        typed[BL.LINK_TYPE] = per_distinct(typed[BL.LINK_TYPE], normal_link_type, pa.string())
    if BL.NOFOLLOW not in typed and ("_only_nofollow" in typed or "_only_follow" in typed):
        only_nofollow = typed.get("_only_nofollow", pa.nulls(n, pa.bool_()))
        only_follow = typed.get("_only_follow", pa.nulls(n, pa.bool_()))
        # Moz: only-nofollow -> True, only-follow -> False, mixed or unknown -> NA
        nofollow = pc.if_else(pc.fill_null(only_nofollow, False), True,
                              pc.if_else(pc.fill_null(only_follow, False), False,
                                         pa.scalar(None, pa.bool_())))
        if "_only_follow" not in typed:  # only the nofollow column: it says yes or no
            nofollow = only_nofollow
        typed[BL.NOFOLLOW] = nofollow
    lost_flag = typed.get("_lost", typed.get("_deleted"))
    if lost_flag is not None:
        label = "lost" if "_lost" in typed else "deleted"
        status = pc.if_else(pc.fill_null(lost_flag, False), pa.scalar(label),
                            pa.scalar(None, pa.string()))
        typed[BL.LOST_STATUS] = (pc.coalesce(typed[BL.LOST_STATUS], status)
                                 if BL.LOST_STATUS in typed else status)


def _true_count(mask: pa.Array | pa.ChunkedArray) -> int:
    return int(pc.sum(mask).as_py() or 0)


def _to_pandas(arr: pa.Array, dtype: object) -> pd.Series:
    if isinstance(dtype, pd.StringDtype):
        return pd.Series(pd.array(arr, dtype=dtype))
    if isinstance(dtype, pd.BooleanDtype):
        values = pc.fill_null(arr, False).to_numpy(zero_copy_only=False)
        mask = pc.is_null(arr).to_numpy(zero_copy_only=False)
        return pd.Series(pd.arrays.BooleanArray(values.astype(bool), mask.astype(bool)))
    if isinstance(dtype, pd.Int64Dtype):
        return pd.Series(pc.cast(arr, pa.int64()).to_pandas(types_mapper={pa.int64(): dtype}.get),
                         dtype=dtype)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return pd.Series(pc.cast(arr, pa.timestamp("ns", "UTC")).to_pandas(), dtype=dtype)
    return pd.Series(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype=dtype)


def _constant(value: str, n: int) -> pa.Array:
    return pc.take(pa.array([value], pa.string()), pa.array(np.zeros(n, dtype=np.int64)))


def convert(fmt: ExportFormat, raw: RawColumns, header: list[str], source_file: str) -> Converted:
    """Parse ``raw`` (columns of ``fmt``, header names in ``header``) into canonical rows."""
    wanted = fmt.resolve(header)
    name_of = {t: header[i].strip() for t, i in wanted.items()}
    n = len(raw.lines)
    source = blank_to_null(raw.columns[BL.SOURCE_URL])
    with ThreadPoolExecutor(max_workers=1) as pool:
        # host and key look-ups are Python-bound; pyarrow parsing below releases the GIL
        hosts_job = pool.submit(_hosts_and_keys, source)
        typed, failed_rows, unparsed = _parse_columns(fmt, raw)
        source_host, source_key = hosts_job.result()
    typed[BL.SOURCE_URL] = source
    _derive(fmt, typed, n)
    problems: list[RowProblem] = []
    for target, rows in failed_rows.items():
        what = "a date" if fmt.column(target).kind == TIME else "a number"
        problems += [RowProblem(source_file, int(raw.lines[r]), name_of[target],
                                f"expected {what}, found {raw.columns[target][int(r)].as_py()!r}",
                                dropped=False) for r in rows]

    if fmt.column(BL.SOURCE_URL).kind == HOST:
        typed[BL.SOURCE_URL] = source_host
    keep = pc.is_valid(source_host)
    n_dropped = n - _true_count(keep)
    if n_dropped:
        for r in np.flatnonzero(~keep.to_numpy(zero_copy_only=False)):
            value = source[int(r)].as_py()
            msg = ("empty source URL" if value is None
                   else f"no host in {value!r} (expected a URL or domain)")
            problems.append(RowProblem(source_file, int(raw.lines[r]),
                                       name_of[BL.SOURCE_URL], msg))
    typed[BL.SOURCE_HOST] = source_host
    typed[BL.DOMAIN] = source_key
    if BL.TARGET_URL in typed:
        typed[BL.TARGET_HOST] = hosts_of(typed[BL.TARGET_URL], repetitive=True)
    typed[BL.TOOL] = _constant(fmt.tool, n)
    typed[BL.FORMAT] = _constant(fmt.id, n)
    typed[BL.SOURCE_FILE] = _constant(source_file, n)
    typed[BL.SOURCE_LINE] = pa.array(raw.lines, pa.int64())

    columns: dict[str, pd.Series] = {}
    for column, dtype in BACKLINK_DTYPES.items():
        if column in typed:
            arr = typed[column]
            if n_dropped:
                arr = pc.filter(arr, keep)
            columns[column] = _to_pandas(arr, dtype)
    kept = len(next(iter(columns.values()))) if columns else 0
    problems.sort(key=lambda p: (p.line or 0))
    return Converted(backlinks_from_columns(columns, kept), problems, unparsed)


def _hosts_and_keys(source: pa.Array) -> tuple[pa.Array, pa.Array]:
    hosts = hosts_of(source)
    return hosts, keys_of(hosts)


def _parse_columns(fmt: ExportFormat, raw: RawColumns
                   ) -> tuple[dict[str, pa.Array], dict[str, np.ndarray], dict[str, int]]:
    """Parse every mapped column but the source by its kind; note values that failed."""
    typed: dict[str, pa.Array] = {}
    failed_rows: dict[str, np.ndarray] = {}
    unparsed: dict[str, int] = {}
    for target, values in raw.columns.items():
        if target == BL.SOURCE_URL:
            continue
        kind = fmt.column(target).kind
        if target in _URL_TARGETS or kind == HOST:
            typed[target] = blank_to_null(values)
            continue
        parsed, failed = CONVERTERS[kind](values)
        typed[target] = parsed
        count = _true_count(failed)
        if count:
            if not target.startswith("_"):
                unparsed[target] = count
            if target in fmt.required and kind in (TIME, FLOAT):
                failed_rows[target] = np.flatnonzero(failed.to_numpy(zero_copy_only=False))
    return typed, failed_rows, unparsed
