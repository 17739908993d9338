"""Reciprocal-link signals: "you link to me, I link to you", and its three-way disguise.

Pure functions over the ``pages`` lookups (:mod:`detector.enrich.pages`), the audited
site's own outbound registrable domains (from :func:`detector.enrich.pages.crawl_target_outbound`
or :func:`detector.enrich.pages.read_outbound_export`) and, optionally, footprint groups
(domain -> footprint keys such as a shared /24, name server or analytics ID, from the
hosting and content signals).

* **Reciprocal**: the audited site links back to the referring domain.
* **Link-exchange page**: the linking page is a links / partners / resources /
  link-exchange page: its URL or title says so, its text invites exchanges ("link
  exchange", "reciprocal link", "add your link"), and it carries many outbound links to
  many different sites. University and library resource pages (a hard negative) share
  the "resources" title and the many links, so the binary feature needs an exchange
  invitation in the text, a URL or title naming the exchange outright (link-exchange,
  link partners, blogroll ...), or a links / partners / friends URL or title together
  with many outbound links; "resources" plus many links is not enough.
* **Three-way**: A links to the audited site, the audited site links to B, and B shares a
  footprint with A (same owner), which hides a plain exchange.

Missing stays missing: no outbound list (``None``) gives NaN for the reciprocal and
three-way columns, no footprint data gives NaN for the three-way column, and a domain
whose linking page could not be read gets NaN for the exchange-page columns.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from detector.enrich.base import Lookup
from detector.enrich.textscan import AnchoredPattern
from detector.keys import domain_key
from detector.schema import DOMAIN, Feature
from detector.signals import lexicons as lx

__all__ = ["RECIPROCAL_FEATURES", "reciprocal_features", "exchange_page_markers"]

#: Outbound links and distinct linked domains from which a page is "many outbound links".
MANY_OUTBOUND_LINKS: Final = 25
MANY_OUTBOUND_DOMAINS: Final = 15

_URL_PATTERN = re.compile(lx.PAGE_PATTERNS["link_page"][0])
_TITLE_PATTERN = re.compile(lx.PAGE_PATTERNS["link_page"][1])
#: Exchange invitations in a page's text (case-insensitive), with the words its matches
#: start with: the pattern is tried only where they occur (see :mod:`detector.enrich.textscan`).
_TEXT_PATTERN = AnchoredPattern(
    r"\blink[\s-]*exchange\b|\bexchange\s+(?:of\s+)?links\b|\breciprocal\s+links?\b|"
    r"\badd\s+your\s+(?:link|site|url|website)\b|\blink\s+to\s+us\b|\blink\s+partners?\b|"
    r"\bour\s+(?:link\s+)?partners\b|\bpartner\s+sites\b|\bbanner\s+exchange\b|\blinktausch\b|"
    r"\béchange\s+de\s+liens\b|\bintercambio\s+de\s+enlaces\b|\bblogroll\b",
    starts=("link", "exchange", "reciprocal", "add", "our", "partner", "banner", "échange",
            "intercambio", "blogroll"))
#: URL or title words that name an exchange outright (``resources`` or ``partners`` alone do not).
_STRONG_PATTERN = re.compile(
    r"link[\s_-]*exchange|link[\s_-]*partner|linkpartner|blogroll|webring|linktausch|"
    r"reciprocal|sites?[\s_-]*amis|partnerseiten", re.I)


#: URL or title words of a partners / friends / links page: an exchange when the page also
#: carries many outbound links. "Resources" is left out: library and university resource
#: pages are a hard negative.
_PARTNER_PATTERN = re.compile(r"partner|friends|(?:^|[^a-z])links?(?:[^a-z]|$)|liens|enlaces", re.I)


def _f(name: str, description: str) -> Feature:
    return Feature(name, description, "reciprocal")


#: Every column of :func:`reciprocal_features` (beside ``domain``), in output order.
RECIPROCAL_FEATURES: Final[list[Feature]] = [
    _f("reciprocal_target_links_back", "1 when the audited site links to this referring domain (reciprocal link)"),
    _f("reciprocal_exchange_page", "1 when a linking page is a link-exchange page (exchange wording, or a links/partners page with many outbound links)"),
    _f("reciprocal_exchange_markers", "link-exchange tells on its linking pages, 0-4: URL, title, text, many outbound links"),
    _f("reciprocal_three_way", "sites the audited site links to that share a footprint with this domain (three-way exchange)"),
]
_NAMES: Final[list[str]] = [f.name for f in RECIPROCAL_FEATURES]


def exchange_page_markers(record: Mapping[str, Any]) -> set[str]:
    """Which link-exchange tells a parsed page (an :func:`detector.enrich.html.parse_page`
    record) shows: ``url``, ``title``, ``text``, ``many_outbound``.

    >>> sorted(exchange_page_markers({"url": "https://a.example/link-exchange/", "title": "Partners",
    ...                               "text": "", "external_links": 3, "external_domains": []}))
    ['url']
    """
    found: set[str] = set()
    if _URL_PATTERN.search(lx.normalise_text(record.get("url") or "")) or \
            _STRONG_PATTERN.search(lx.normalise_text(record.get("url") or "")):
        found.add("url")
    if _TITLE_PATTERN.search((record.get("title") or "").lower()):
        found.add("title")
    if _TEXT_PATTERN.search(record.get("text") or ""):
        found.add("text")
    if (record.get("external_links") or 0) >= MANY_OUTBOUND_LINKS and \
            len(record.get("external_domains") or []) >= MANY_OUTBOUND_DOMAINS:
        found.add("many_outbound")
    return found


def _is_exchange_page(record: Mapping[str, Any], markers: set[str]) -> bool:
    if "text" in markers:
        return True
    named = lx.normalise_text(record.get("url") or "") + " " + (record.get("title") or "")
    if markers & {"url", "title"} and _STRONG_PATTERN.search(named):
        return True
    return "many_outbound" in markers and bool(_PARTNER_PATTERN.search(named))


def _linking_records(lookup: Lookup | None) -> list[Mapping[str, Any]]:
    if lookup is None or not lookup.ok:
        return []
    return [page["record"] for page in lookup.data.get("pages", [])
            if page.get("ok") and page.get("record") and "linking" in page.get("role", "")]


def _outbound_holders(outbound: set[str], groups: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """Footprint key -> the audited site's outbound domains that hold it (an inverted index,
    so each referring domain looks up its own keys instead of scanning every outbound domain)."""
    holders: dict[str, set[str]] = {}
    for other in outbound:
        for key in groups.get(other, ()):
            holders.setdefault(key, set()).add(other)
    return holders


def reciprocal_features(page_lookups: Mapping[str, Lookup], target_outbound: Iterable[str] | None,
                        footprint_groups: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """One row per domain of ``page_lookups``: the :data:`RECIPROCAL_FEATURES` columns.

    ``target_outbound``: registrable domains (or URLs) the audited site links to; ``None``
    when unknown (not crawled, no export). ``footprint_groups``: domain -> footprint keys
    (any strings; two domains sharing a key are tied); ``None`` when unknown.
    """
    outbound = None if target_outbound is None else {
        key for key in (domain_key(item) for item in target_outbound) if key}
    groups = None if footprint_groups is None else {
        domain: set(keys) for domain, keys in footprint_groups.items()}
    holders = None if outbound is None or groups is None else _outbound_holders(outbound, groups)
    rows = []
    for domain, lookup in page_lookups.items():
        row = dict.fromkeys(_NAMES, math.nan)
        if outbound is not None:
            row["reciprocal_target_links_back"] = 1.0 if domain in outbound else 0.0
        records = _linking_records(lookup)
        if records:
            markers: set[str] = set()
            exchange = False
            for record in records:
                found = exchange_page_markers(record)
                markers |= found
                exchange = exchange or _is_exchange_page(record, found)
            row["reciprocal_exchange_markers"] = float(len(markers))
            row["reciprocal_exchange_page"] = 1.0 if exchange else 0.0
        if holders is not None and groups is not None and domain in groups:
            # the outbound domains (other than this one) sharing at least one key with it
            tied: set[str] = set().union(*(holders.get(key, ()) for key in groups[domain]))
            tied.discard(domain)
            row["reciprocal_three_way"] = float(len(tied))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=_NAMES, dtype=np.float64)
    frame.insert(0, DOMAIN, pd.array(list(page_lookups), dtype="string"))
    return frame
