"""Links between the referring domains themselves: ``source_domain, target_domain`` frames.

PBN members often link to each other; so do sister sites and blogrolls, which is why
interlinks are one family (``links``) that only corroborates other families. Two
sources: an export that lists links whose target is itself a referring domain, and the
page lookups of the enrichment stage (the external domains each fetched page links to).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import pandas as pd

from detector.keys import domain_key
from detector.schema import BL, DOMAIN

__all__ = ["interlinks_from_backlinks", "interlinks_from_pages", "INTERLINK_COLUMNS"]

#: Columns of an interlinks frame.
INTERLINK_COLUMNS = ("source_domain", "target_domain")


def _frame(pairs: Iterable[tuple[str, str]]) -> pd.DataFrame:
    out = pd.DataFrame(list(pairs), columns=list(INTERLINK_COLUMNS)).astype("string")
    return out.drop_duplicates().sort_values(list(INTERLINK_COLUMNS), ignore_index=True)


def interlinks_from_backlinks(backlinks: pd.DataFrame, referring: Iterable[str] | None = None) -> pd.DataFrame:
    """Links between referring domains visible in a Backlinks frame.

    When exports are concatenated (several clients' sites, or an outgoing-links export),
    a row whose TARGET is itself a referring domain is an interlink. ``referring``
    defaults to the frame's own referring domains.
    """
    if not len(backlinks) or BL.TARGET_URL not in backlinks.columns or DOMAIN not in backlinks.columns:
        return _frame([])
    sources = backlinks[DOMAIN].astype("object").tolist()
    targets = [domain_key(u) if isinstance(u, str) else None for u in backlinks[BL.TARGET_URL].astype("object").tolist()]
    pool = {s for s in sources if isinstance(s, str)} if referring is None else set(referring)
    return _frame((s, t) for s, t in zip(sources, targets) if s in pool and t in pool and s != t)


def interlinks_from_pages(page_lookups: Mapping[str, Any], referring: Iterable[str]) -> pd.DataFrame:
    """Links between referring domains found on their fetched pages.

    ``page_lookups``: domain -> ``pages`` :class:`~detector.enrich.base.Lookup` whose
    ``data["pages"]`` holds parsed page records with ``external_domains`` (see
    :mod:`detector.enrich.html`). Failed lookups and pages give nothing.

    >>> from detector.enrich.base import Lookup
    >>> page = {"ok": True, "record": {"external_domains": ["b.com", "money.com", "www.c.co.uk"]}}
    >>> lk = Lookup("a.com", "pages", True, {"pages": [page]})
    >>> interlinks_from_pages({"a.com": lk}, ["a.com", "b.com", "c.co.uk"]).values.tolist()
    [['a.com', 'b.com'], ['a.com', 'c.co.uk']]
    """
    pool = set(referring)
    pairs = []
    for domain, lookup in page_lookups.items():
        if lookup is None or not getattr(lookup, "ok", False) or not isinstance(lookup.data, Mapping):
            continue
        for page in lookup.data.get("pages") or []:
            record = page.get("record") if isinstance(page, Mapping) and page.get("ok") else None
            for other in (record or {}).get("external_domains") or []:
                key = domain_key(str(other))
                if key in pool and key != domain:
                    pairs.append((domain, key))
    return _frame(pairs)
