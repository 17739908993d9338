"""The review table and per-domain details, shaped from an audit's frames.

Nothing here judges: verdicts, probabilities, schemes and reasons come from the library.
These functions pick columns, apply the person's filters and decisions, and cap what is
sent to the browser (a 200,000-row export must not render 100,000 rows at once).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from detector.schema import BL, DOM, DOMAIN, VERDICTS

__all__ = [
    "REVIEW_COLUMNS", "Filters", "review_frame", "filter_review", "tld_of", "options_of",
    "links_of", "network_members", "reasons_of", "MAX_LINK_ROWS",
]

#: Columns of the review table, in display order (those the audit lacks are left out).
REVIEW_COLUMNS: tuple[str, ...] = (
    DOMAIN, DOM.VERDICT, DOM.PROBABILITY, DOM.DECISION, DOM.SCHEME, "network_id", "network_size",
    "tld", DOM.LINKS, "authority_max", "traffic_max", DOM.REASONS,
)
#: Links shown per domain in its details (a sitewide link can repeat 100,000 times).
MAX_LINK_ROWS = 200
_LINK_COLUMNS = (BL.SOURCE_URL, BL.TARGET_URL, BL.ANCHOR, BL.NOFOLLOW, BL.UGC, BL.SPONSORED,
                 BL.FIRST_SEEN, BL.LAST_SEEN, BL.LOST_AT, BL.DOMAIN_AUTHORITY, BL.SOURCE_FILE, BL.SOURCE_LINE)


def tld_of(domains: pd.Series) -> pd.Series:
    """The last label of each domain (``example.co.uk`` -> ``uk``), lower-case.

    >>> tld_of(pd.Series(["a.example.XYZ", "b.co.uk"])).tolist()
    ['xyz', 'uk']
    """
    return domains.astype("string").str.lower().str.rsplit(".", n=1).str[-1]


def review_frame(domains: pd.DataFrame, decisions: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The review table: one row per referring domain, riskiest first.

    ``decisions`` (domain -> keep/disavow) fill the ``decision`` column; a ``tld``
    column is added for filtering. Missing values stay missing.
    """
    frame = domains.copy()
    if decisions is not None:
        frame[DOM.DECISION] = frame[DOMAIN].map(dict(decisions)).astype("string")
    elif DOM.DECISION not in frame:
        frame[DOM.DECISION] = pd.Series(pd.NA, index=frame.index, dtype="string")
    frame["tld"] = tld_of(frame[DOMAIN])
    columns = [c for c in REVIEW_COLUMNS if c in frame.columns]
    frame = frame.loc[:, columns]
    if DOM.PROBABILITY in frame:
        frame = frame.sort_values([DOM.PROBABILITY, DOMAIN], ascending=[False, True], na_position="last")
    return frame.reset_index(drop=True)


@dataclass
class Filters:
    """What the person chose to look at. Empty selections mean "all"."""

    verdicts: list[str] = field(default_factory=list)
    schemes: list[str] = field(default_factory=list)
    networks: list[int] = field(default_factory=list)
    tlds: list[str] = field(default_factory=list)
    min_probability: float = 0.0  #: the threshold slider: probability at or above (unknown kept at 0)
    authority: tuple[float, float] | None = None  #: (low, high) of ``authority_max``; missing kept
    decided: str = "all"  #: all / undecided / keep / disavow
    text: str = ""  #: part of the domain name


def filter_review(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows of a :func:`review_frame` that pass ``filters``.

    A domain without a probability (unknown) passes the threshold only when it is 0,
    and a domain without authority data always passes the authority range: missing data
    must not hide a domain from review.
    """
    keep = pd.Series(True, index=frame.index)
    if filters.verdicts and DOM.VERDICT in frame:
        keep &= frame[DOM.VERDICT].isin(filters.verdicts).fillna(False).astype(bool)
    if filters.schemes and DOM.SCHEME in frame:
        keep &= frame[DOM.SCHEME].isin(filters.schemes).fillna(False).astype(bool)
    if filters.networks and "network_id" in frame:
        keep &= frame["network_id"].isin(filters.networks).fillna(False).astype(bool)
    if filters.tlds:
        keep &= frame["tld"].isin(filters.tlds).fillna(False).astype(bool)
    if filters.min_probability > 0 and DOM.PROBABILITY in frame:
        keep &= (frame[DOM.PROBABILITY] >= filters.min_probability).fillna(False).astype(bool)
    if filters.authority is not None and "authority_max" in frame:
        low, high = filters.authority
        values = frame["authority_max"]
        keep &= (values.isna() | ((values >= low) & (values <= high))).astype(bool)
    if filters.decided != "all":
        decision = frame[DOM.DECISION]
        keep &= (decision.isna() if filters.decided == "undecided" else (decision == filters.decided).fillna(False)
                 ).astype(bool)
    if filters.text.strip():
        keep &= frame[DOMAIN].str.contains(filters.text.strip().lower(), regex=False, na=False).astype(bool)
    return frame[keep]


def options_of(frame: pd.DataFrame, column: str, *, limit: int = 500) -> list:
    """Distinct values of ``column`` for a filter widget, most frequent first (capped).

    >>> options_of(pd.DataFrame({"v": ["a", "b", "b", None]}), "v")
    ['b', 'a']
    """
    if column not in frame:
        return []
    if column == DOM.VERDICT:
        present = set(frame[column].dropna())
        return [v for v in VERDICTS if v in present]
    counts = frame[column].dropna().value_counts()
    values = counts.index.tolist()[:limit]
    return [int(v) if isinstance(v, (np.integer, float)) and float(v).is_integer() else v for v in values]


def links_of(backlinks: pd.DataFrame, domain: str, limit: int = MAX_LINK_ROWS) -> tuple[pd.DataFrame, int]:
    """The links from ``domain`` (at most ``limit``, most recently seen first) and their total."""
    mine = backlinks[backlinks[BL.DOMAIN] == domain]
    total = len(mine)
    if BL.LAST_SEEN in mine and mine[BL.LAST_SEEN].notna().any():
        mine = mine.sort_values(BL.LAST_SEEN, ascending=False, na_position="last")
    columns = [c for c in _LINK_COLUMNS if c in mine.columns and mine[c].notna().any()]
    return mine.loc[:, columns].head(limit).reset_index(drop=True), total


def network_members(frame: pd.DataFrame, domain: str) -> pd.DataFrame:
    """The other members of ``domain``'s network (empty when it is in none or networks are absent)."""
    if "network_id" not in frame:
        return frame.iloc[0:0]
    row = frame[frame[DOMAIN] == domain]
    if row.empty or pd.isna(row["network_id"].iloc[0]):
        return frame.iloc[0:0]
    network = row["network_id"].iloc[0]
    members = frame[(frame["network_id"] == network).fillna(False) & (frame[DOMAIN] != domain)]
    return members.loc[:, [c for c in (DOMAIN, DOM.VERDICT, DOM.PROBABILITY, DOM.SCHEME) if c in members]]


def reasons_of(text: object) -> list[str]:
    """The plain-language reasons of one domain as a list (they are joined by ``"; "``).

    >>> reasons_of("money anchors; sitewide footer link")
    ['money anchors', 'sitewide footer link']
    >>> reasons_of(None)
    []
    """
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return []
    return [part.strip() for part in str(text).split(";") if part.strip()]


def domains_in(frame: pd.DataFrame, column: str, values: Iterable) -> list[str]:
    """Domains whose ``column`` is one of ``values`` (helper for bulk actions)."""
    return frame.loc[frame[column].isin(list(values)).fillna(False).astype(bool), DOMAIN].tolist()
