"""Build a disavow file from per-domain verdicts, with a person's decisions on top.

Which domains go in: every domain whose ``decision`` is ``disavow``, and every domain
with verdict ``toxic`` and no decision. A ``keep`` decision always wins: that domain is
never disavowed, whatever the verdict. Suspicious, fine and unknown domains stay out
(Google asks to disavow only clear schemes; a failed lookup is never evidence).

Entries are ``domain:`` lines keyed by the ``domain`` column (the registrable domain, or
the full host on shared platforms such as ``spam.blogspot.com``), sorted so that the
file diffs cleanly between runs. With ``level="url"`` each selected domain is disavowed
link by link instead: one line per distinct linking URL from the Backlinks frame. A
selected domain without any usable http(s) URL there (domain-level exports, URLs over
2,048 characters) falls back to a ``domain:`` line, so nothing selected is left out.

Each entry gets a one-line comment with why it is there; the header names the tool,
version, date (UTC) and counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

import pandas as pd

from detector.disavow.header import generated_header
from detector.disavow.model import (
    MAX_COMMENT_CHARS,
    DisavowEntry,
    DisavowFile,
    DisavowProblem,
    clean_comment,
    normalise_host,
    normalise_url,
)
from detector.disavow.parse import domain_problem, url_problem
from detector.errors import DisavowError
from detector.keys import domain_key, hosts_to_keys
from detector.schema import BL, DISAVOW, DOM, KEEP, TOXIC

__all__ = ["build_disavow", "select_domains"]


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _text(value: object) -> str:
    return "" if _missing(value) else str(value).strip()


def _short(text: str) -> str:
    text = clean_comment(text) or ""
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_COMMENT_CHARS else text[: MAX_COMMENT_CHARS - 1] + "…"


def select_domains(domains: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``domains`` that go into the disavow file, with a ``why`` column.

    ``why`` is ``"toxic"`` or ``"disavow by decision"``. Raises :class:`DisavowError` when a
    needed column is missing or a decision is neither keep, disavow nor empty.
    """
    for column in (DOM.DOMAIN, DOM.VERDICT):
        if column not in domains.columns:
            raise DisavowError(f"the Domains frame has no {column!r} column "
                               f"(columns: {', '.join(map(str, domains.columns))})")
    verdict = domains[DOM.VERDICT].map(lambda v: _text(v).lower())
    if DOM.DECISION in domains.columns:
        decision = domains[DOM.DECISION].map(lambda v: _text(v).lower())
        bad = ~decision.isin(["", KEEP, DISAVOW])
        if bad.any():
            row = bad.to_numpy().nonzero()[0][0]
            raise DisavowError(
                f"Domains frame row {row + 1} ({_text(domains[DOM.DOMAIN].iloc[row])!r}): "
                f"decision {domains[DOM.DECISION].iloc[row]!r} is not "
                f"{KEEP!r}, {DISAVOW!r} or empty")
    else:
        decision = pd.Series("", index=domains.index)
    chosen = (decision == DISAVOW) | ((decision == "") & (verdict == TOXIC))
    out = domains.loc[chosen].copy()
    out["why"] = ["disavow by decision" if d == DISAVOW else "toxic" for d in decision[chosen]]
    return out


def _reason(row: Mapping[str, object]) -> str:
    label = row["why"]
    scheme = _text(row.get(DOM.SCHEME))
    if scheme and scheme != "natural":
        label += f" ({scheme})"
    reasons = _text(row.get(DOM.REASONS))
    return _short(f"{label}: {reasons}" if reasons else label)


def _urls_by_key(backlinks: pd.DataFrame, keys: set[str]) -> dict[str, list[str]]:
    if BL.SOURCE_URL not in backlinks.columns:
        raise DisavowError(f"the Backlinks frame has no {BL.SOURCE_URL!r} column")
    urls = backlinks[BL.SOURCE_URL].astype("string")
    if BL.DOMAIN in backlinks.columns:
        link_keys = backlinks[BL.DOMAIN].astype("string")
        gaps = link_keys.isna() | (link_keys == "")
        if gaps.any():
            link_keys = link_keys.copy()
            link_keys[gaps] = [domain_key(u) if isinstance(u, str) else pd.NA
                               for u in urls[gaps]]
    elif BL.SOURCE_HOST in backlinks.columns:
        link_keys = hosts_to_keys(backlinks[BL.SOURCE_HOST].astype("string"))
    else:
        link_keys = pd.Series([domain_key(u) if isinstance(u, str) else pd.NA for u in urls],
                              index=backlinks.index, dtype="string")
    grouped: dict[str, list[str]] = {}
    for key, url in zip(link_keys, urls):
        if isinstance(key, str) and key in keys:
            grouped.setdefault(key, []).append(url if isinstance(url, str) else "")
    return grouped


def build_disavow(domains: pd.DataFrame, *, level: Literal["domain", "url"] = "domain",
                  backlinks: pd.DataFrame | None = None, tool: str = "linkdetector",
                  version: str | None = None, now: datetime | None = None) -> DisavowFile:
    """A fresh disavow file for the selected domains of a Domains frame.

    ``domains`` needs ``domain`` and ``verdict``; ``reasons``, ``scheme`` and
    ``decision`` are used when present. ``level="url"`` needs ``backlinks`` (a Backlinks
    frame with ``source_url``). ``version`` defaults to ``detector.__version__``; ``now``
    (UTC) to the current time. Domains that cannot be written (a public suffix, an empty
    key) are left out and listed as warnings in ``problems``. Merge the result with the
    live file (:func:`merge_disavow`) before uploading.
    """
    if level not in ("domain", "url"):
        raise DisavowError(f"level must be 'domain' or 'url', not {level!r}")
    if level == "url" and backlinks is None:
        raise DisavowError("level='url' needs the Backlinks frame (backlinks=...)")
    chosen = select_domains(domains)
    problems: list[DisavowProblem] = []
    selected: dict[str, str] = {}  # key -> reason comment, first row wins
    # plain dicts: iterrows builds a Series per row, the slow part on 10^4+ domains
    wanted = [c for c in (DOM.DOMAIN, DOM.SCHEME, DOM.REASONS, "why") if c in chosen.columns]
    for row in chosen[wanted].to_dict("records"):
        raw = _text(row[DOM.DOMAIN])
        key = normalise_host(raw)
        broken = domain_problem(key) if key else ("empty_domain", "the domain is empty", None)
        if broken:
            problems.append(DisavowProblem(None, broken[0], f"selected domain {raw!r} left "
                                           f"out: {broken[1]}", raw, "warning"))
            continue
        selected.setdefault(key, _reason(row))
    entries: list[DisavowEntry] = []
    grouped = _urls_by_key(backlinks, set(selected)) if level == "url" else {}
    for key in sorted(selected):
        comment = selected[key]
        if level == "url":
            urls = sorted({normalise_url(u) for u in grouped.get(key, [])})
            unusable = [u for u in urls if not u or url_problem(u) is not None
                        or not u.lower().startswith(("http://", "https://"))]
            if urls and not unusable:
                for i, url in enumerate(urls):
                    entries.append(DisavowEntry("url", url, comment if i == 0 else None))
                continue
            why = "no linking URL in the backlinks" if not urls else \
                f"{len(unusable)} linking URL(s) cannot be listed"
            comment = _short(f"{comment} [whole domain: {why}]")
        entries.append(DisavowEntry("domain", key, comment))
    toxic = sum(1 for w in chosen["why"] if w == "toxic")
    summary = (f"{toxic} toxic domain(s), {len(chosen) - toxic} by a person's decision "
               f"to disavow")
    if DOM.DECISION in domains.columns:
        kept = ((domains[DOM.DECISION].map(lambda v: _text(v).lower()) == KEEP)
                & (domains[DOM.VERDICT].map(lambda v: _text(v).lower()) == TOXIC)).sum()
        summary += f"; {int(kept)} toxic domain(s) kept by a person's decision"
    header = generated_header(entries, tool=tool, version=version, now=now, selected=summary)
    return DisavowFile(tuple(entries), header, (), tuple(problems))
