"""Content signals: what a referring domain's linking page and home page look like.

Pure functions over the ``pages`` lookups written by :class:`detector.enrich.pages.PageSource`
(no network). Thin, spun or templated pages, link-selling markers, spam vocabulary, text
and analytics IDs shared with other referring domains of the same export, and whether the
backlink is really on the page (with its real ``rel`` and visibility) are the content
tells of PBNs, link farms, paid posts and hacked sites.

Which page is "the linking page": among the fetched linking pages of a domain, the first
one that carries the backlink, else the first one read. Domain-wide counts (trust pages,
markers, vocabulary, shared text and IDs) use every page read (linking and home).

Missing stays missing: a domain whose pages could not be read gets NaN everywhere (the
failure is in the lookup's ``error``), and the backlink's rel and visibility are NaN when
no backlink was found.

Near-duplicate text: each page read with at least 50 words carries a MinHash signature
(64 permutations, datasketch) of its word 5-gram shingles, computed when the page was
parsed (:func:`detector.enrich.html.text_minhash`) and cached with it. Candidate pairs come
from LSH banding with the band count and width datasketch's ``MinHashLSH`` picks for
Jaccard threshold :data:`NEAR_DUPLICATE_JACCARD` (0.8: two pages share at least 80 % of
their 5-word shingles, i.e. copied or lightly spun text, not merely the same topic); the
banding is done in numpy over all signatures at once, and every candidate is confirmed
with the MinHash Jaccard estimate before it counts.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from datasketch import MinHashLSH

from detector.enrich.base import Lookup
from detector.enrich.html import NUM_PERM, text_minhash
from detector.enrich.html import compression_ratio as _compression_ratio
from detector.schema import DOMAIN, Feature
from detector.signals import lexicons as lx

__all__ = [
    "CONTENT_FEATURES",
    "content_features",
    "content_footprints",
    "near_duplicate_groups",
    "analytics_keys",
    "compression_ratio",
    "NEAR_DUPLICATE_JACCARD",
]

#: Jaccard similarity of word 5-gram sets above which two pages are near-duplicates.
NEAR_DUPLICATE_JACCARD: Final = 0.8


def _f(name: str, description: str) -> Feature:
    return Feature(name, description, "content")


#: Every column of :func:`content_features` (beside ``domain``), in output order.
CONTENT_FEATURES: Final[list[Feature]] = [
    _f("content_pages_read", "pages of the domain read (linking pages and home page); NaN when none"),
    _f("content_linking_words", "visible words on the linking page"),
    _f("content_home_words", "visible words on the home page"),
    _f("content_linking_text_ratio", "visible-text characters per HTML character on the linking page"),
    _f("content_home_text_ratio", "visible-text characters per HTML character on the home page"),
    _f("content_linking_compression", "zlib-compressed / raw size of the linking page's text (low = repetitive or spun)"),
    _f("content_home_compression", "zlib-compressed / raw size of the home page's text"),
    _f("content_linking_outbound", "outbound external links on the linking page"),
    _f("content_linking_ext_int_ratio", "external links per internal link on the linking page (internal floored at 1)"),
    _f("content_links_to_referring", "other referring domains of this export linked from its pages"),
    _f("content_has_about", "1 when its pages link to an about page, 0 when not"),
    _f("content_has_contact", "1 when its pages link to a contact / imprint page, 0 when not"),
    _f("content_has_privacy", "1 when its pages link to a privacy page, 0 when not"),
    _f("content_write_for_us", "1 when its pages carry 'write for us' / guest-post markers"),
    _f("content_sponsored_marker", "1 when its pages carry 'sponsored post' / advertise / buy-links markers"),
    _f("content_spam_vocab_share", "spam-theme terms (gambling, pharma, adult ...) per word of its pages' visible and hidden text"),
    _f("content_linking_hidden_words", "words hidden from readers on the linking page (display:none and friends)"),
    _f("content_linking_hidden_links", "links hidden from readers on the linking page"),
    _f("content_noindex", "1 when the linking page asks search engines not to index it"),
    _f("content_near_duplicates", "other referring domains with near-duplicate page text (MinHash, Jaccard >= 0.8)"),
    _f("content_shared_analytics", "other referring domains sharing an analytics / ad / tag-manager ID"),
    _f("content_backlink_present", "1 when a link to the audited site is on the linking page, 0 when not"),
    _f("content_backlink_nofollow", "1 when every backlink on the page has rel=nofollow (NaN without backlink)"),
    _f("content_backlink_sponsored", "1 when a backlink on the page has rel=sponsored (NaN without backlink)"),
    _f("content_backlink_ugc", "1 when a backlink on the page has rel=ugc (NaN without backlink)"),
    _f("content_backlink_hidden", "1 when a backlink on the page is hidden from readers (NaN without backlink)"),
]
CONTENT_FEATURE_NAMES: Final[list[str]] = [f.name for f in CONTENT_FEATURES]


# --- small pure helpers ---------------------------------------------------------------------

def compression_ratio(text: str) -> float:
    """zlib-compressed size over raw size of ``text`` (NaN when too short to say).

    >>> round(compression_ratio("buy cheap links " * 100), 2) < 0.1
    True
    >>> math.isnan(compression_ratio("short"))
    True
    """
    ratio = _compression_ratio(text)
    return math.nan if ratio is None else ratio


def analytics_keys(ids: Iterable[str]) -> set[str]:
    """Footprint keys of analytics / ad IDs: Universal Analytics IDs reduced to the account.

    >>> sorted(analytics_keys(["UA-123456-2", "GTM-ABCD12", "ca-pub-1234567890123456"]))
    ['GTM-ABCD12', 'UA-123456', 'ca-pub-1234567890123456']
    """
    keys = set()
    for raw in ids:
        value = raw.strip()
        if re.fullmatch(r"UA-\d+-\d+", value):
            value = value.rsplit("-", 1)[0]
        if value:
            keys.add(value)
    return keys


def _pages(lookup: Lookup | None) -> list[dict[str, Any]]:
    if lookup is None or not lookup.ok:
        return []
    return [page for page in lookup.data.get("pages", []) if page.get("ok") and page.get("record")]


def _linking_page(pages: list[dict[str, Any]]) -> dict[str, Any] | None:
    linking = [page for page in pages if "linking" in page.get("role", "")]
    for page in linking:
        if (page.get("backlink") or {}).get("present"):
            return page
    return linking[0] if linking else None


def _home_page(pages: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((page for page in pages if "home" in page.get("role", "")), None)


def _spam_term_counts(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Spam-theme term matches (every theme in one RE2 pass) and words, per text (vectorised)."""
    if not texts:
        return np.zeros(0), np.zeros(0)
    pattern = "|".join(f"(?:{lx.theme_re2(name)})" for name in lx.THEME_NAMES)
    column = pa.array([lx.normalise_text(t) for t in texts], type=pa.large_string())
    terms = pc.count_substring_regex(column, pattern).to_numpy(zero_copy_only=False).astype(np.float64)
    words = pc.list_value_length(pc.utf8_split_whitespace(column)).to_numpy(zero_copy_only=False)
    return terms, words.astype(np.float64)


def _flag(value: bool) -> float:
    return 1.0 if value else 0.0


# --- shared footprints ---------------------------------------------------------------------

def _signature(record: Mapping[str, Any]) -> list[int] | None:
    """The page's stored MinHash signature, or one computed from its (capped) text."""
    if "text_minhash" in record:
        return record["text_minhash"]
    return text_minhash(record.get("text") or "")  # records cached before signatures existed


def near_duplicate_groups(lookups: Mapping[str, Lookup]) -> dict[str, set[str]]:
    """For each domain, the OTHER domains with a near-duplicate page (MinHash LSH)."""
    owners: list[str] = []
    signatures: list[list[int]] = []
    for domain, lookup in lookups.items():
        for page in _pages(lookup):
            signature = _signature(page["record"])
            if signature and len(signature) == NUM_PERM:
                owners.append(domain)
                signatures.append(signature)
    if len(signatures) < 2:
        return {}
    matrix = np.asarray(signatures, dtype=np.uint64)
    lsh = MinHashLSH(threshold=NEAR_DUPLICATE_JACCARD, num_perm=NUM_PERM)  # picks bands x rows
    candidates: set[tuple[int, int]] = set()
    weights = np.array([0x9E3779B97F4A7C15 ** k % (1 << 64) for k in range(lsh.r)], dtype=np.uint64)
    for band in range(lsh.b):
        block = matrix[:, band * lsh.r:(band + 1) * lsh.r]
        keys = (block * weights).sum(axis=1, dtype=np.uint64)  # wraps modulo 2**64
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        ends = np.r_[starts[1:], len(order)]
        for start, end in zip(starts, ends):
            if end - start < 2:
                continue
            bucket = order[start:end]
            if end - start > 200:  # a huge bucket is boilerplate; keep the comparison bounded
                bucket = bucket[:200]
            for i, a in enumerate(bucket):
                for b in bucket[i + 1:]:
                    if owners[a] != owners[b]:
                        candidates.add((min(a, b), max(a, b)))
    partners: dict[str, set[str]] = defaultdict(set)
    for a, b in candidates:
        if owners[b] in partners[owners[a]]:
            continue
        if float(np.mean(matrix[a] == matrix[b])) >= NEAR_DUPLICATE_JACCARD:
            partners[owners[a]].add(owners[b])
            partners[owners[b]].add(owners[a])
    return {domain: others for domain, others in partners.items() if others}


def _analytics_by_domain(lookups: Mapping[str, Lookup]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for domain, lookup in lookups.items():
        keys: set[str] = set()
        for page in _pages(lookup):
            keys |= analytics_keys(page["record"].get("analytics_ids") or [])
        if keys:
            out[domain] = keys
    return out


def _sharing_counts(keys_by_domain: Mapping[str, set[str]]) -> dict[str, int]:
    """For each domain, how many OTHER domains share at least one of its keys."""
    holders: dict[str, set[str]] = defaultdict(set)
    for domain, keys in keys_by_domain.items():
        for key in keys:
            holders[key].add(domain)
    return {domain: len(set().union(*(holders[k] for k in keys)) - {domain})
            for domain, keys in keys_by_domain.items()}


def content_footprints(lookups: Mapping[str, Lookup], *,
                       near_duplicates: Mapping[str, set[str]] | None = None) -> pd.DataFrame:
    """Content footprints per domain, for the network stage: ``domain, kind, key``.

    Kinds: ``analytics_id`` (analytics / ad / tag-manager IDs, UA reduced to the account),
    ``template`` (CMS theme, e.g. ``wordpress:flavor``), ``near_duplicate_text`` (the
    cluster of domains whose pages are near-duplicates, keyed by its smallest domain).
    ``near_duplicates``: :func:`near_duplicate_groups` of the same lookups when the caller
    has it already (it is the costly part); computed here otherwise.
    """
    rows: list[tuple[str, str, str]] = []
    for domain, keys in _analytics_by_domain(lookups).items():
        rows.extend((domain, "analytics_id", key) for key in sorted(keys))
    for domain, lookup in lookups.items():
        themes = set()
        for page in _pages(lookup):
            cms = page["record"].get("cms") or {}
            if cms.get("theme"):
                themes.add(f"{cms.get('cms')}:{cms['theme']}")
        rows.extend((domain, "template", theme) for theme in sorted(themes))
    # connected components of the near-duplicate graph (union-find)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    groups = near_duplicate_groups(lookups) if near_duplicates is None else near_duplicates
    for domain, others in groups.items():
        for other in others:
            a, b = find(domain), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    for domain in sorted(parent):
        rows.append((domain, "near_duplicate_text", f"text:{find(domain)}"))
    return pd.DataFrame(rows, columns=[DOMAIN, "kind", "key"]).astype("string")


# --- the features -----------------------------------------------------------------------------

def _page_texts(pages: list[dict[str, Any]]) -> str:
    """Title, visible and hidden text of the pages, as one string (spam vocabulary)."""
    return " ".join(" ".join((page["record"].get("title") or "", page["record"].get("text") or "",
                              page["record"].get("hidden_text") or "")) for page in pages)


def _domain_row(domain: str, lookup: Lookup | None, referring: set[str],
                spam_terms: float, words: float) -> dict[str, float]:
    row = dict.fromkeys(CONTENT_FEATURE_NAMES, math.nan)
    pages = _pages(lookup)
    if not pages:
        return row
    row["content_pages_read"] = float(len(pages))
    linking = _linking_page(pages)
    home = _home_page(pages)
    for prefix, page in (("linking", linking), ("home", home)):
        if page is None:
            continue
        record = page["record"]
        row[f"content_{prefix}_words"] = float(record.get("word_count") or 0)
        ratio = record.get("text_html_ratio")
        row[f"content_{prefix}_text_ratio"] = float(ratio) if ratio is not None else math.nan
        stored = record.get("text_compression", False)
        row[f"content_{prefix}_compression"] = (
            compression_ratio(record.get("text") or "") if stored is False
            else math.nan if stored is None else float(stored))
    if linking is not None:
        record = linking["record"]
        external = float(record.get("external_links") or 0)
        internal = float(record.get("internal_links") or 0)
        row["content_linking_outbound"] = external
        row["content_linking_ext_int_ratio"] = external / max(internal, 1.0)
        row["content_linking_hidden_words"] = float(record.get("hidden_words") or 0)
        row["content_linking_hidden_links"] = float(record.get("hidden_links") or 0)
        robots = (record.get("meta_robots") or "").lower()
        row["content_noindex"] = _flag("noindex" in robots or "none" == robots.strip())
        backlink = linking.get("backlink") or {}
        present = bool(backlink.get("present"))
        row["content_backlink_present"] = _flag(present)
        if present:
            links = backlink.get("links") or []
            row["content_backlink_nofollow"] = _flag(bool(links) and all("nofollow" in l.get("rel", []) for l in links))
            row["content_backlink_sponsored"] = _flag("sponsored" in backlink.get("rel", []))
            row["content_backlink_ugc"] = _flag("ugc" in backlink.get("rel", []))
            row["content_backlink_hidden"] = _flag(bool(backlink.get("hidden")))
    linked = set()
    trust = {"about": False, "contact": False, "privacy": False}
    markers: set[str] = set()
    for page in pages:
        record = page["record"]
        linked |= set(record.get("external_domains") or [])
        for name, present in (record.get("trust_pages") or {}).items():
            trust[name] = trust.get(name, False) or bool(present)
        markers |= set(record.get("markers") or [])
    row["content_links_to_referring"] = float(len((linked & referring) - {domain}))
    row["content_has_about"] = _flag(trust["about"])
    row["content_has_contact"] = _flag(trust["contact"])
    row["content_has_privacy"] = _flag(trust["privacy"])
    row["content_write_for_us"] = _flag(bool(markers & {"write_for_us", "guest_post"}))
    row["content_sponsored_marker"] = _flag(bool(markers & {"sponsored_post", "advertise"}))
    row["content_spam_vocab_share"] = spam_terms / words if words else math.nan
    row["content_near_duplicates"] = 0.0
    row["content_shared_analytics"] = 0.0
    return row


def content_features(lookups: Mapping[str, Lookup], referring_domains: Iterable[str], *,
                     near_duplicates: Mapping[str, set[str]] | None = None) -> pd.DataFrame:
    """One row per domain of ``lookups``: the :data:`CONTENT_FEATURES` columns (float).

    ``lookups`` maps a referring domain to its ``pages`` lookup; ``referring_domains`` is
    every referring domain of the export (links to them and sharing with them count).
    Domains with no page read get NaN in every column. ``near_duplicates``: as for
    :func:`content_footprints`.
    """
    referring = set(referring_domains)
    domains = list(lookups)
    terms, words = _spam_term_counts([_page_texts(_pages(lookups[d])) for d in domains])
    rows = [_domain_row(domain, lookups[domain], referring, float(t), float(w))
            for domain, t, w in zip(domains, terms, words)]
    frame = pd.DataFrame(rows, columns=CONTENT_FEATURE_NAMES, dtype=np.float64)
    frame.insert(0, DOMAIN, pd.array(domains, dtype="string"))
    if not domains:
        return frame
    duplicates = near_duplicate_groups(lookups) if near_duplicates is None else near_duplicates
    shared = _sharing_counts(_analytics_by_domain(lookups))
    read = frame["content_pages_read"].notna()
    frame.loc[read, "content_near_duplicates"] = [
        float(len(duplicates.get(d, set()))) for d in frame.loc[read, DOMAIN]]
    frame.loc[read, "content_shared_analytics"] = [
        float(shared.get(d, 0)) for d in frame.loc[read, DOMAIN]]
    return frame
