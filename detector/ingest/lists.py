"""Plain lists of URLs/domains and existing Google disavow files.

A plain list has one URL or domain a line, possibly under a one-word header (``URL``,
``Domain``...). A disavow file has ``domain:`` entries, URLs and ``#`` comments; its rows
get tool ``disavow`` so later stages can merge with the live list rather than drop it.
Domains (bare or ``domain:``) become domain-level rows: ``source_url`` is the host and
there is no target. These files are small (Google caps disavow files at 100,000 lines),
so they are read line by line.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from detector.ingest.convert import Converted, valid_host
from detector.ingest.decode import Text
from detector.ingest.formats import DISAVOW, PLAIN_LIST, ExportFormat
from detector.ingest.results import RowProblem
from detector.keys import host_of, hosts_to_keys
from detector.schema import BL, coerce_backlinks

_LIST_SPLIT = re.compile(r"[,\t;]")


def _strip(line: str) -> str:
    return line.strip().strip('"').strip("'").strip()


def entry_kind(line: str) -> str | None:
    """'domain' / 'url' for a list entry, 'comment' / 'blank', or None when it is neither.

    >>> [entry_kind(x) for x in ["domain:spam.example", "https://a.example/x", "a.example",
    ...                          "# note", "Linking page"]]
    ['domain', 'url', 'domain', 'comment', None]
    """
    text = _strip(line)
    if not text:
        return "blank"
    if text.startswith("#"):
        return "comment"
    if text.lower().startswith("domain:"):
        return "domain" if valid_host(host_of(text[7:])) else None
    if " " in text:
        return None
    host = host_of(text)
    if not valid_host(host):
        return None
    bare = "/" not in text and "://" not in text and "?" not in text
    return "domain" if bare else "url"


def sniff_list(lines: list[str]) -> ExportFormat | None:
    """PLAIN_LIST or DISAVOW when the first lines look like one, else None.

    The first content line may be a header; the others must be entries (80% of them).
    """
    content = [ln for ln in lines if entry_kind(ln) != "blank"]
    if not content:
        return None
    if any(_strip(ln).lower().startswith(("domain:", "#")) for ln in content):
        fmt = DISAVOW
    else:
        fmt = PLAIN_LIST
    body = [ln for ln in content if entry_kind(ln) != "comment"]
    if body and entry_kind(body[0]) is None and len(body) > 1 and not _LIST_SPLIT.search(body[0]):
        body = body[1:]  # a header line such as "URL"
    if not body:
        return fmt if fmt is DISAVOW else None
    entries = sum(1 for ln in body if entry_kind(ln) in ("domain", "url"))
    return fmt if entries >= 0.8 * len(body) else None


def read_list(text: Text, fmt: ExportFormat, source_file: str) -> tuple[Converted, int | None]:
    """Rows of a plain list or disavow file; returns (converted, header line or None)."""
    body = text.data[text.start:].decode("utf-8", errors="replace")
    urls: list[str] = []
    hosts: list[str] = []
    lines: list[int] = []
    problems: list[RowProblem] = []
    header_line: int | None = None
    seen_content = False
    for number, line in enumerate(body.split("\n"), start=1):  # physical lines, like the CSVs
        kind = entry_kind(line)
        if kind in ("blank", "comment"):
            continue
        value = _strip(line)
        if kind is None:
            if not seen_content and fmt is PLAIN_LIST:
                header_line = number
                seen_content = True
                continue
            expected = ("a 'domain:' entry, a URL or a '#' comment" if fmt is DISAVOW
                        else "a URL or a domain")
            problems.append(RowProblem(source_file, number, None,
                                       f"expected {expected}, found {value[:200]!r}"))
            continue
        seen_content = True
        if kind == "domain":
            host = host_of(value[7:] if value.lower().startswith("domain:") else value)
            urls.append(host)
        else:
            host = host_of(value)
            urls.append(value)
        hosts.append(host)
        lines.append(number)
    n = len(urls)
    frame = pd.DataFrame({
        BL.SOURCE_URL: pd.array(urls, dtype="string"),
        BL.SOURCE_HOST: pd.array(hosts, dtype="string"),
        BL.TOOL: pd.array([fmt.tool] * n, dtype="string"),
        BL.FORMAT: pd.array([fmt.id] * n, dtype="string"),
        BL.SOURCE_FILE: pd.array([source_file] * n, dtype="string"),
        BL.SOURCE_LINE: pd.array(np.asarray(lines, dtype=np.int64), dtype="Int64"),
    })
    frame[BL.DOMAIN] = hosts_to_keys(frame[BL.SOURCE_HOST])
    return Converted(coerce_backlinks(frame), problems, {}), header_line
