"""Canonical column names and dtypes, defined once and used everywhere.

Two frames flow through the detector:

* **Backlinks**: one row per link, whatever tool exported it. Readers map each tool's
  header onto these columns; a value a tool does not provide stays missing (NA/NaN),
  never zero, so later stages can tell "no data" from "none".
* **Domains**: one row per referring domain, keyed by ``domain`` (the registrable
  domain, see :mod:`detector.keys`), holding feature columns from every signal family.

Use the constants (``BL.SOURCE_URL``) rather than string literals, so a rename is one
edit. :func:`empty_backlinks` and :func:`coerce_backlinks` give a frame the exact dtypes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

#: Key column of the Domains frame, and the referring-domain column of Backlinks.
DOMAIN: Final = "domain"


class BL:
    """Column names of the canonical Backlinks frame (one row per link)."""

    # where the link is
    SOURCE_URL: Final = "source_url"  #: URL of the linking page (or bare host for domain-level exports)
    SOURCE_HOST: Final = "source_host"  #: host of the linking page, lower-case, punycode, no port
    DOMAIN: Final = DOMAIN  #: referring domain key (registrable domain, PSL private section included)
    TARGET_URL: Final = "target_url"  #: URL on the user's site the link points to
    TARGET_HOST: Final = "target_host"  #: host of the target URL
    # the link itself
    ANCHOR: Final = "anchor"  #: anchor text (alt text for image links), as exported
    NOFOLLOW: Final = "nofollow"  #: rel=nofollow (boolean, NA when the tool does not say)
    UGC: Final = "ugc"  #: rel=ugc
    SPONSORED: Final = "sponsored"  #: rel=sponsored
    LINK_TYPE: Final = "link_type"  #: text / image / redirect / frame / form / mention / canonical ...
    SITEWIDE: Final = "sitewide"  #: the tool says the link is sitewide (Semrush)
    # when
    FIRST_SEEN: Final = "first_seen"  #: first time the tool saw the link (UTC)
    LAST_SEEN: Final = "last_seen"  #: last time the tool saw the link (UTC)
    LOST_AT: Final = "lost_at"  #: when the tool saw it disappear (UTC), NA while live
    LOST_STATUS: Final = "lost_status"  #: tool's reason for loss (pageerror, removedfromhtml ...)
    # the linking page
    SOURCE_TITLE: Final = "source_title"  #: title of the linking page
    LANGUAGE: Final = "language"  #: language of the linking page (tool's guess)
    HTTP_CODE: Final = "http_code"  #: HTTP status of the linking page at the tool's last crawl
    # the tools' metrics (each vendor's own scale; missing when not exported)
    DOMAIN_AUTHORITY: Final = "domain_authority"  #: Ahrefs DR / Moz DA / Semrush domain ascore, 0-100
    PAGE_AUTHORITY: Final = "page_authority"  #: Ahrefs UR / Moz PA / Semrush page ascore, 0-100
    TRUST_FLOW: Final = "trust_flow"  #: Majestic TF of the source, 0-100
    CITATION_FLOW: Final = "citation_flow"  #: Majestic CF of the source, 0-100
    DOMAIN_TRAFFIC: Final = "domain_traffic"  #: estimated monthly organic traffic of the referring domain
    PAGE_TRAFFIC: Final = "page_traffic"  #: estimated monthly organic traffic of the linking page
    EXTERNAL_LINKS: Final = "external_links"  #: outbound external links on the linking page
    INTERNAL_LINKS: Final = "internal_links"  #: internal links on the linking page
    LINKED_DOMAINS: Final = "linked_domains"  #: distinct domains the referring domain links to
    SOURCE_REFERRING_DOMAINS: Final = "source_referring_domains"  #: domains linking to the source
    KEYWORDS: Final = "keywords"  #: organic keywords of the linking page
    # the tools' own spam judgements: inputs, never ground truth
    AHREFS_IS_SPAM: Final = "ahrefs_is_spam"  #: Ahrefs "Is spam" flag
    SEMRUSH_TOXICITY: Final = "semrush_toxicity"  #: Semrush Backlink Audit Toxicity Score, 0-100
    MOZ_SPAM_SCORE: Final = "moz_spam_score"  #: Moz Spam Score, percent 0-100
    # provenance
    TOOL: Final = "tool"  #: ahrefs / semrush / majestic / moz / gsc / bing / list / disavow
    FORMAT: Final = "format"  #: detected format id, e.g. ``ahrefs_backlinks``
    SOURCE_FILE: Final = "source_file"  #: file (or zip member) the row came from
    SOURCE_LINE: Final = "source_line"  #: 1-based physical line of the row in that file


_STR = pd.StringDtype()
_BOOL = pd.BooleanDtype()
_TIME = pd.DatetimeTZDtype(unit="ns", tz="UTC")
_FLOAT = np.dtype("float64")
_INT = pd.Int64Dtype()

#: dtype of every Backlinks column, in canonical order.
BACKLINK_DTYPES: Final[dict[str, object]] = {
    BL.SOURCE_URL: _STR,
    BL.SOURCE_HOST: _STR,
    BL.DOMAIN: _STR,
    BL.TARGET_URL: _STR,
    BL.TARGET_HOST: _STR,
    BL.ANCHOR: _STR,
    BL.NOFOLLOW: _BOOL,
    BL.UGC: _BOOL,
    BL.SPONSORED: _BOOL,
    BL.LINK_TYPE: _STR,
    BL.SITEWIDE: _BOOL,
    BL.FIRST_SEEN: _TIME,
    BL.LAST_SEEN: _TIME,
    BL.LOST_AT: _TIME,
    BL.LOST_STATUS: _STR,
    BL.SOURCE_TITLE: _STR,
    BL.LANGUAGE: _STR,
    BL.HTTP_CODE: _INT,
    BL.DOMAIN_AUTHORITY: _FLOAT,
    BL.PAGE_AUTHORITY: _FLOAT,
    BL.TRUST_FLOW: _FLOAT,
    BL.CITATION_FLOW: _FLOAT,
    BL.DOMAIN_TRAFFIC: _FLOAT,
    BL.PAGE_TRAFFIC: _FLOAT,
    BL.EXTERNAL_LINKS: _FLOAT,
    BL.INTERNAL_LINKS: _FLOAT,
    BL.LINKED_DOMAINS: _FLOAT,
    BL.SOURCE_REFERRING_DOMAINS: _FLOAT,
    BL.KEYWORDS: _FLOAT,
    BL.AHREFS_IS_SPAM: _BOOL,
    BL.SEMRUSH_TOXICITY: _FLOAT,
    BL.MOZ_SPAM_SCORE: _FLOAT,
    BL.TOOL: _STR,
    BL.FORMAT: _STR,
    BL.SOURCE_FILE: _STR,
    BL.SOURCE_LINE: _INT,
}

BACKLINK_COLUMNS: Final[tuple[str, ...]] = tuple(BACKLINK_DTYPES)

#: Columns that together identify one link; used to drop duplicates across files.
LINK_IDENTITY: Final[tuple[str, ...]] = (BL.SOURCE_URL, BL.TARGET_URL, BL.ANCHOR)


def empty_backlinks() -> pd.DataFrame:
    """An empty Backlinks frame with every canonical column and dtype."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in BACKLINK_DTYPES.items()})


def coerce_backlinks(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every canonical column present, in order, with its dtype.

    Missing columns are added as all-NA; extra columns are dropped. Values must already
    be parsed (numbers as numbers, times as datetimes): this only fixes dtypes.
    """
    return backlinks_from_columns({c: frame[c] for c in BACKLINK_DTYPES if c in frame.columns},
                                  len(frame), index=frame.index)


def backlinks_from_columns(columns: Mapping[str, pd.Series], n: int,
                           index: pd.Index | None = None) -> pd.DataFrame:
    """The canonical Backlinks frame from ``n`` rows of parsed columns, built once.

    Columns are cast to their canonical dtype (no copy when they already have it);
    canonical columns not given are all-NA; other columns are ignored. ``index``
    defaults to ``0..n-1``.
    """
    index = pd.RangeIndex(n) if index is None else index
    out: dict[str, pd.Series] = {}
    for column, dtype in BACKLINK_DTYPES.items():
        if column in columns:
            series = columns[column]
            out[column] = series if series.dtype == dtype else series.astype(dtype)
        else:
            out[column] = pd.Series(pd.array([pd.NA] * n, dtype=dtype) if dtype is not _FLOAT
                                    else np.full(n, np.nan), index=index)
    return pd.DataFrame(out, index=index)


@dataclass(frozen=True)
class Feature:
    """One numeric column of the Domains frame and what it means.

    Every feature the model may see is declared with one of these, so the reasons shown
    to a person and the model card are written from the same text.
    """

    name: str  #: column name in the Domains frame
    description: str  #: one plain-language line: what the number is
    family: str  #: signal family: export / hosting / registration / content / reciprocal / network


class DOM:
    """Result columns of the Domains frame, beside ``domain`` and the feature columns."""

    DOMAIN: Final = DOMAIN  #: referring-domain key
    PROBABILITY: Final = "probability"  #: probability the domain is part of a link scheme, 0-1 (NaN = unknown)
    VERDICT: Final = "verdict"  #: one of VERDICTS
    SCHEME: Final = "scheme"  #: most likely scheme type, one of SCHEMES
    REASONS: Final = "reasons"  #: plain-language reasons, joined by "; "
    MODEL_VERSION: Final = "model_version"  #: version of the model or rule set that judged
    DECISION: Final = "decision"  #: the person's override: "keep" / "disavow" / NA (none)
    LINKS: Final = "links"  #: number of links from the domain (also a feature)


#: Verdict bands. TOXIC is what goes into disavow.txt; LOW VALUE ("fine") is left alone;
#: UNKNOWN means too little is known (a failed lookup is never evidence of toxicity).
TOXIC: Final = "toxic"
SUSPICIOUS: Final = "suspicious"
FINE: Final = "fine"
UNKNOWN: Final = "unknown"
VERDICTS: Final[tuple[str, ...]] = (TOXIC, SUSPICIOUS, FINE, UNKNOWN)

#: User decisions that override a verdict.
KEEP: Final = "keep"
DISAVOW: Final = "disavow"

#: Scheme types a domain can be assigned.
SCHEMES: Final[tuple[str, ...]] = (
    "pbn",
    "link_farm",  # link farms and low-quality directories
    "comment_spam",  # comment, forum and profile spam
    "hacked",  # hacked pages with injected links
    "paid_unqualified",  # paid guest posts / advertorials without rel=sponsored
    "reciprocal",  # link exchanges and partner pages
    "parked",  # parked and expired domains
    "spam_theme",  # gambling / pharma / adult ... theme without a clearer scheme
    "natural",
)
