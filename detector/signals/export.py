"""Export signals: what the backlink export alone says about each referring domain.

:func:`export_signals` turns a canonical Backlinks frame (one row per link) into one row
per referring domain with numeric features: link volume and sitewide patterns, rel
attributes, anchor classes, multi-language spam themes in anchors / URLs / titles,
authority against traffic, outbound links, TLD and name shape, language mismatch,
linking-page kinds (directory, guestbook, profile, comment, ...), link velocity, lost
links and the tools' own spam figures. :data:`EXPORT_FEATURES` says what each column is.

Missing stays missing: a feature is NaN when the tool did not export what it needs
(GSC has no anchors, Majestic no DR), never 0. A column that a format provides on some
rows only is read per format: when an Ahrefs export has anchors, an empty anchor in it
is an empty anchor; when a GSC list has none, its anchors are unknown.

Speed: everything is a vectorised pass over integer codes (``np.bincount`` and pandas
``groupby``), and every text test runs once per *distinct* anchor / URL / title with
RE2 through pyarrow. One million links from 100,000 domains take a few seconds.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from detector.keys import host_of, hosts_to_keys
from detector.schema import BACKLINK_COLUMNS, BL, DOM, DOMAIN, Feature, coerce_backlinks
from detector.signals import lexicons as lx
from detector.signals.target import TargetSite, infer_target, primary_language

__all__ = [
    "EXPORT_FEATURES",
    "EVIDENCE_COLUMNS",
    "ExportResult",
    "compute_export",
    "export_signals",
    "export_evidence",
]

_DAY_NS: Final = 86_400 * 10**9
#: Half width, in days, of the "same moment" window used by the velocity features.
BURST_HALF_WINDOW_DAYS: Final = 3
#: Authority (0-100) above which near-zero traffic looks manufactured.
AUTHORITY_WITHOUT_TRAFFIC_MIN_AUTHORITY: Final = 30.0
#: Monthly organic visits below which traffic counts as "near zero".
AUTHORITY_WITHOUT_TRAFFIC_MAX_TRAFFIC: Final = 10.0
#: A money anchor used by at least this many referring domains is an exact-match campaign.
REPEATED_MONEY_ANCHOR_MIN_DOMAINS: Final = 3

_ANCHOR_CLASSES: Final = ("empty", "url", "branded", "generic", "money", "other")


def _f(name: str, description: str) -> Feature:
    return Feature(name, description, "export")


#: Every column of :func:`export_signals` (beside ``domain``), in output order.
EXPORT_FEATURES: Final[list[Feature]] = [
    # volume and sitewide patterns
    _f(DOM.LINKS, "links from this referring domain in the export"),
    _f("pages", "distinct linking pages (NaN for domain-level rows without page URLs)"),
    _f("target_pages", "distinct target URLs it links to (NaN when the export has no targets)"),
    _f("links_per_page", "links per distinct linking page"),
    _f("sitewide_share", "share of links the tool marks sitewide (Semrush; NaN elsewhere)"),
    _f("template_pages", "most linking pages sharing one target URL and one anchor (footer/sidebar template)"),
    _f("template_page_share", "template_pages as a share of the domain's linking pages"),
    # rel attributes and link type
    _f("dofollow_share", "share of links without nofollow, ugc or sponsored (NaN without rel data)"),
    _f("nofollow_share", "share of links with rel=nofollow"),
    _f("ugc_share", "share of links with rel=ugc"),
    _f("sponsored_share", "share of links with rel=sponsored"),
    _f("image_share", "share of image links (NaN when the tool gives no link type)"),
    # anchors
    _f("anchor_empty_share", "share of links with an empty anchor (NaN when the export has no anchors)"),
    _f("anchor_url_share", "share of naked-URL anchors"),
    _f("anchor_branded_share", "share of anchors naming the target's brand or domain"),
    _f("anchor_generic_share", "share of generic anchors (click here, website, hier, aquí, здесь ...)"),
    _f("anchor_money_share", "share of commercial anchors (buy, best, cheap, review ... or the target's keywords)"),
    _f("anchor_other_share", "share of other anchors (descriptive / partial match)"),
    _f("anchor_exact_money_share", "share of links whose money anchor is used verbatim by >= 3 referring domains"),
    _f("anchor_distinct_share", "distinct anchors per link (1 = every link has its own anchor)"),
    # spam themes
    *[
        _f(f"theme_{t.name}_share", f"share of links with {t.label} terms in anchor, linking URL or title")
        for t in lx.THEMES
    ],
    _f("theme_max_share", "largest theme share of the domain"),
    _f("theme_anchor_share", "share of anchors carrying any spam-theme term"),
    _f("theme_url_share", "share of linking URLs carrying any spam-theme term"),
    _f("theme_title_share", "share of linking-page titles carrying any spam-theme term"),
    # authority vs traffic
    _f("authority_max", "highest domain authority (DR / DA / ascore) reported for the domain"),
    _f("page_authority_max", "highest page authority (UR / PA / page ascore) of its linking pages"),
    _f("traffic_max", "estimated monthly organic traffic of the domain (max reported)"),
    _f("page_traffic_max", "estimated monthly organic traffic of its best linking page"),
    _f("authority_without_traffic", "1 when authority >= 30 and traffic < 10, 0 when not, NaN when either is missing"),
    _f("log_traffic_per_authority", "log10(1 + traffic) per authority point (low = authority without audience)"),
    _f("trust_flow_max", "highest Majestic Trust Flow of its linking pages"),
    _f("citation_flow_max", "highest Majestic Citation Flow of its linking pages"),
    _f("cf_tf_ratio", "(CF + 1) / (TF + 1): raw link volume far above trust"),
    # outbound links
    _f("external_links_median", "median outbound external links on its linking pages"),
    _f("external_links_max", "most outbound external links on one of its linking pages"),
    _f("linked_domains_max", "distinct domains the referring domain links to"),
    _f("source_referring_domains_max", "referring domains of the linking domain/page (its own backlinks)"),
    _f("page_keywords_max", "organic keywords its best linking page ranks for"),
    # TLD and name shape
    _f("tld_risk", "risk prior of the domain's TLD, 0-1 (documented list; 0 for edu/gov/ac)"),
    _f("is_ip", "1 when the referring 'domain' is a bare IP address"),
    _f("name_length", "characters in the registrable label (acme in acme.co.uk)"),
    _f("name_digits", "digits in the registrable label"),
    _f("name_hyphens", "hyphens in the registrable label"),
    _f("name_vowel_ratio", "vowels per letter in the registrable label"),
    _f("name_consonant_run", "longest run of consonants in the registrable label"),
    _f("host_labels_max", "most dot-separated labels in one of its linking hosts"),
    # language
    _f("language_mismatch_share", "share of links whose page language differs from the target's (NaN without data)"),
    # linking-page kinds
    *[
        _f(f"page_{name}_share", f"share of links on {desc} pages (URL or title)")
        for name, desc in (
            ("directory", "directory / submit-your-site"),
            ("guestbook", "guestbook"),
            ("profile", "member / user profile"),
            ("comment", "comment"),
            ("archive", "tag / category / feed / archive"),
            ("guest_post", "'write for us' / guest-post / sponsored-post"),
            ("link_page", "links / partners / resources / link-exchange"),
            ("forum", "forum thread"),
        )
    ],
    # velocity
    _f("days_since_first_seen", "days from the domain's first link to the export's latest date"),
    _f("links_same_window_share", "share of its links first seen within +-3 days of its first link"),
    _f("domains_same_window", "other referring domains first seen within +-3 days of this one"),
    _f("burst_score", "domains first seen in its +-3-day window over the profile's typical rate for 7 days"),
    # lost / broken
    _f("lost_share", "share of its links the tool reports lost (NaN when the tool does not track losses)"),
    _f("http_error_share", "share of links on pages answering HTTP >= 400"),
    # the tools' own judgements
    _f("ahrefs_spam_share", "share of links Ahrefs marks 'Is spam'"),
    _f("semrush_toxicity_max", "highest Semrush toxicity score, 0-100"),
    _f("moz_spam_score_max", "highest Moz Spam Score, percent"),
]

#: Columns of :func:`export_evidence`: quotable examples for the reasons.
EVIDENCE_COLUMNS: Final[tuple[str, ...]] = (
    *[f"terms_{t.name}" for t in lx.THEMES],
    "money_anchors",
)


@dataclass(frozen=True)
class ExportResult:
    """Both products of one pass over the export."""

    features: pd.DataFrame  #: numeric features, one row per domain (see EXPORT_FEATURES)
    evidence: pd.DataFrame  #: domain + EVIDENCE_COLUMNS: terms and anchors to quote in reasons
    target: TargetSite | None  #: the target used (inferred or given)


def export_signals(
    backlinks: pd.DataFrame, *, target: TargetSite | None = None, now: object = None
) -> pd.DataFrame:
    """One row per referring domain (``domain``, sorted) with the :data:`EXPORT_FEATURES`.

    ``target`` defaults to :func:`infer_target` of the frame. ``now`` (anything
    ``pd.Timestamp`` accepts) anchors ``days_since_first_seen``; by default it is the
    latest date in the export, so the same file always gives the same numbers.
    """
    return compute_export(backlinks, target=target, now=now).features


def export_evidence(backlinks: pd.DataFrame, *, target: TargetSite | None = None) -> pd.DataFrame:
    """Per domain, the spam-theme terms and money anchors found, to quote in reasons.

    Each column of :data:`EVIDENCE_COLUMNS` holds up to three examples, most frequent
    first, joined by ", " ("" when none).
    """
    return compute_export(backlinks, target=target).evidence


def compute_export(
    backlinks: pd.DataFrame, *, target: TargetSite | None = None, now: object = None
) -> ExportResult:
    """Features and evidence in one pass (what the two public functions each return)."""
    links = _with_domain_keys(backlinks)
    if target is None:
        target = infer_target(links)
    return _Aggregator(links, target, now).run()


# ---------------------------------------------------------------------------------------
def _with_domain_keys(backlinks: pd.DataFrame) -> pd.DataFrame:
    """Backlinks with a non-empty ``domain`` on every row (derived from the source if NA)."""
    if any(column not in backlinks.columns for column in BACKLINK_COLUMNS):
        backlinks = coerce_backlinks(backlinks)
    domain = backlinks[BL.DOMAIN].astype("string")
    need = domain.isna() | (domain == "")
    if need.any():
        hosts = backlinks[BL.SOURCE_HOST].astype("string").where(~need)
        no_host = need & (hosts.isna() | (hosts == ""))
        if no_host.any():
            urls = backlinks[BL.SOURCE_URL].astype("string")[no_host]
            distinct = urls.dropna().unique()
            hosts = hosts.copy()
            hosts[no_host] = urls.map({u: host_of(u) for u in distinct})
        domain = domain.copy()
        domain[need] = hosts_to_keys(hosts[need])
    keep = domain.notna() & (domain != "")
    if not need.any() and keep.all() and backlinks[BL.DOMAIN].dtype == domain.dtype:
        # the usual case: read_exports keyed every row, nothing to copy or fill
        return backlinks.reset_index(drop=True)
    out = backlinks.loc[keep].copy()
    out[BL.DOMAIN] = domain[keep]
    return out.reset_index(drop=True)


def _lookup(table: np.ndarray, codes: np.ndarray, missing: object) -> np.ndarray:
    """``table[codes]`` per row, ``missing`` where the code is -1 (NA) or the table empty."""
    table = np.asarray(table)
    if len(table) == 0:
        return np.full(len(codes), missing, dtype=np.result_type(table.dtype, np.asarray(missing).dtype))
    return np.where(codes >= 0, table[np.maximum(codes, 0)], missing)


def _unique(keys: np.ndarray) -> np.ndarray:
    """Distinct integers (hash based: numpy's unique is slow on wide int64 keys)."""
    return pd.unique(keys)


def _unique_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(keys)
    return np.asarray(uniques), np.bincount(codes, minlength=len(uniques))


def _codes(series: pd.Series, sort: bool = False) -> tuple[np.ndarray, pd.Index]:
    codes, uniques = pd.factorize(series, use_na_sentinel=True, sort=sort)
    return codes.astype(np.int64), pd.Index(uniques)


def _arrow(values: pd.Index | list[str]) -> pa.Array:
    """Distinct values as one pyarrow large_string array (zero-copy for Arrow-backed data)."""
    data = values.array if isinstance(values, pd.Index) else values
    array = pa.array(data) if len(data) else pa.array([], type=pa.large_string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())


def _regex_hits(texts: pa.Array, pattern: str) -> np.ndarray:
    if len(texts) == 0:
        return np.zeros(0, dtype=bool)
    return pc.match_substring_regex(texts, pattern).to_numpy(zero_copy_only=False).astype(bool)


def _hits_with_prefilter(texts: pa.Array, patterns: list[str]) -> dict[str, np.ndarray]:
    """Each pattern's hits, testing one-by-one only the texts that match any of them."""
    combined = _regex_hits(texts, "|".join(f"(?:{p})" for p in patterns)) if patterns else None
    idx = np.flatnonzero(combined) if combined is not None else np.zeros(0, dtype=np.int64)
    subset = texts.take(pa.array(idx)) if len(idx) else None
    result = {}
    for pattern in patterns:
        hits = np.zeros(len(texts), dtype=bool)
        if subset is not None:
            hits[idx] = _regex_hits(subset, pattern)
        result[pattern] = hits
    return result


def _normalised(values: pd.Index) -> pa.Array:
    """Lower-cased, percent-decoded texts (only the ones with a % go through Python)."""
    lowered = pc.utf8_lower(_arrow(values))
    has_pct = pc.match_substring(lowered, "%").to_numpy(zero_copy_only=False).astype(bool)
    if not has_pct.any():
        return lowered
    idx = np.flatnonzero(has_pct)
    decoded = [lx.normalise_text(t) for t in lowered.take(pa.array(idx)).to_pylist()]
    py = np.asarray(lowered.to_numpy(zero_copy_only=False), dtype=object)
    py[idx] = decoded
    return pa.array(py, type=pa.large_string())


class _Aggregator:
    """One pass of the export signals over a Backlinks frame with domain keys."""

    def __init__(self, links: pd.DataFrame, target: TargetSite | None, now: object) -> None:
        self.bl = links
        self.target = target
        self.codes, self.domains = _codes(links[BL.DOMAIN], sort=True)
        self.order = np.argsort(self.codes, kind="stable")
        self.starts = np.searchsorted(self.codes[self.order], np.arange(len(self.domains)))
        self.n_groups = len(self.domains)
        fmt = links[BL.FORMAT].astype("string").fillna(links[BL.TOOL].astype("string")).fillna("?")
        self.format_codes, _ = _codes(fmt)
        self.now = now
        self.out: dict[str, np.ndarray] = {}
        self.evidence: dict[str, list[str]] = {}

    # -- group helpers ------------------------------------------------------------------
    def _sum(self, weights: np.ndarray, codes: np.ndarray | None = None) -> np.ndarray:
        codes = self.codes if codes is None else codes
        return np.bincount(codes, weights=weights, minlength=self.n_groups)[: self.n_groups]

    def share(self, values: np.ndarray) -> np.ndarray:
        """Mean of 0/1 (or any) values per domain, ignoring NaN; NaN when none known."""
        values = np.asarray(values, dtype=float)
        known = ~np.isnan(values)
        den = self._sum(known.astype(float))
        num = self._sum(np.where(known, values, 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)

    def agg(self, values: np.ndarray | pd.Series, how: str) -> np.ndarray:
        """``how`` (max / min / median) per domain, NaN-skipping; NaN when none known."""
        values = np.asarray(values, dtype=float)
        if how in ("max", "min"):  # every domain has >= 1 row, so segments are never empty
            ufunc = np.fmax if how == "max" else np.fmin
            return ufunc.reduceat(values[self.order], self.starts)
        result = pd.Series(values).groupby(self.codes).agg(how)
        return result.reindex(range(self.n_groups)).to_numpy(dtype=float)

    def distinct(self, other_codes: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Distinct non-NA values of ``other_codes`` per domain (NaN when none)."""
        ok = other_codes >= 0 if rows is None else (other_codes >= 0) & rows
        pairs = _unique(self.codes[ok] * (int(other_codes.max(initial=0)) + 1) + other_codes[ok])
        width = int(other_codes.max(initial=0)) + 1
        counts = np.bincount(pairs // width, minlength=self.n_groups)[: self.n_groups].astype(float)
        return np.where(counts > 0, counts, np.nan)

    def bool_col(self, column: str) -> np.ndarray:
        """A nullable boolean column as float 1 / 0 / NaN."""
        return self.bl[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)

    def num_col(self, column: str) -> np.ndarray:
        return pd.to_numeric(self.bl[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    def known_in_format(self, present: np.ndarray) -> np.ndarray:
        """Rows whose format reports this column at all (some row of that format has it)."""
        formats_with = np.bincount(self.format_codes, weights=present.astype(float),
                                   minlength=int(self.format_codes.max(initial=0)) + 1) > 0
        return formats_with[self.format_codes] if len(present) else present

    # -- run ------------------------------------------------------------------------------
    def run(self) -> ExportResult:
        if self.n_groups == 0:
            return ExportResult(_empty_features(), _empty_evidence(), self.target)
        out = self.out
        out[DOM.LINKS] = self._sum(np.ones(len(self.codes)))
        self._volume()
        self._rel()
        self._anchors()
        self._themes()
        self._authority()
        self._outbound()
        self._names()
        self._language()
        self._page_kinds()
        self._velocity()
        self._lost()
        self._tools()
        names = [f.name for f in EXPORT_FEATURES]
        assert set(names) == set(out), set(names) ^ set(out)
        features = pd.DataFrame({DOMAIN: pd.array(self.domains.astype(str), dtype="string")})
        features = pd.concat([features, pd.DataFrame({n: out[n].astype(float) for n in names})], axis=1)
        evidence = pd.DataFrame({DOMAIN: features[DOMAIN]})
        for column in EVIDENCE_COLUMNS:
            evidence[column] = pd.array(self.evidence.get(column, [""] * self.n_groups), dtype="string")
        return ExportResult(features, evidence, self.target)

    # -- volume -------------------------------------------------------------------------
    def _volume(self) -> None:
        out, bl = self.out, self.bl
        src = bl[BL.SOURCE_URL].astype("string")
        self.page_codes, page_values = _codes(src)
        page_like = pc.match_substring(_arrow(page_values), "/").to_numpy(zero_copy_only=False).astype(bool)
        self.row_is_page = (self.page_codes >= 0) & (page_like[self.page_codes] if len(page_like) else False)
        self.page_values = page_values
        self.page_like = page_like
        self.url_text = _normalised(page_values)
        self.title_codes, title_uniques = _codes(bl[BL.SOURCE_TITLE].astype("string"))
        self.title_text = _normalised(title_uniques)
        out["pages"] = self.distinct(self.page_codes, self.row_is_page)
        target_codes, _ = _codes(bl[BL.TARGET_URL].astype("string"))
        out["target_pages"] = self.distinct(target_codes)
        page_links = self._sum(self.row_is_page.astype(float))
        with np.errstate(invalid="ignore", divide="ignore"):
            out["links_per_page"] = page_links / out["pages"]
        out["sitewide_share"] = self.share(self.bool_col(BL.SITEWIDE))
        # template: many pages of one domain -> same target with the same anchor
        anchor_codes, _ = _codes(bl[BL.ANCHOR].astype("string"))
        rows = self.row_is_page
        if rows.any():
            t = target_codes[rows] + 1
            a = anchor_codes[rows] + 1
            key = (self.codes[rows] * (int(t.max()) + 1) + t) * (int(a.max()) + 1) + a
            key_codes, key_uniques = pd.factorize(key)
            key_domain = (key_uniques // ((int(t.max()) + 1) * (int(a.max()) + 1))).astype(np.int64)
            p = self.page_codes[rows]
            width = int(p.max()) + 1
            pairs = _unique(key_codes.astype(np.int64) * width + p)
            pages_per_key = np.bincount(pairs // width, minlength=len(key_uniques))
            template = pd.Series(pages_per_key).groupby(key_domain).max()
            out["template_pages"] = template.reindex(range(self.n_groups)).to_numpy(dtype=float)
        else:
            out["template_pages"] = np.full(self.n_groups, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["template_page_share"] = out["template_pages"] / out["pages"]

    # -- rel ------------------------------------------------------------------------------
    def _rel(self) -> None:
        out = self.out
        nofollow, ugc, sponsored = (self.bool_col(c) for c in (BL.NOFOLLOW, BL.UGC, BL.SPONSORED))
        qualified = (nofollow == 1) | (ugc == 1) | (sponsored == 1)
        dofollow = np.where(np.isnan(nofollow), np.nan, (~qualified).astype(float))
        self.row_dofollow = dofollow
        out["dofollow_share"] = self.share(dofollow)
        out["nofollow_share"] = self.share(nofollow)
        out["ugc_share"] = self.share(ugc)
        out["sponsored_share"] = self.share(sponsored)
        kind = self.bl[BL.LINK_TYPE].astype("string").str.lower()
        image = np.where(kind.isna().to_numpy(), np.nan, (kind == "image").fillna(False).to_numpy(dtype=float))
        out["image_share"] = self.share(image)

    # -- anchors --------------------------------------------------------------------------
    def _anchors(self) -> None:
        out, bl = self.out, self.bl
        raw = bl[BL.ANCHOR].astype("string")
        present = raw.notna().to_numpy()
        known = self.known_in_format(present)
        anchors = raw.where(~(known & ~present), "")  # NA in an anchor-bearing format = empty
        self.anchor_codes, uniques = _codes(anchors)
        self.anchor_known = self.anchor_codes >= 0
        classes, norm_codes = _classify_anchors(uniques, self.target)
        self.anchor_uniques = uniques
        row_class = np.where(self.anchor_known, _lookup(classes, self.anchor_codes, -1), -1)
        for i, name in enumerate(_ANCHOR_CLASSES):
            values = np.where(self.anchor_known, (row_class == i).astype(float), np.nan)
            out[f"anchor_{name}_share"] = self.share(values)
        # exact-match money anchors repeated across referring domains
        row_norm = np.where(self.anchor_known, _lookup(norm_codes, self.anchor_codes, -1), -1)
        money = row_class == _ANCHOR_CLASSES.index("money")
        if money.any():
            width = int(row_norm.max()) + 1
            pairs = _unique(self.codes[money] * width + row_norm[money])
            domains_per_anchor = np.bincount(pairs % width, minlength=width)
            repeated = _lookup(domains_per_anchor, row_norm, 0) >= REPEATED_MONEY_ANCHOR_MIN_DOMAINS
            values = np.where(self.anchor_known, (money & repeated).astype(float), np.nan)
        else:
            values = np.where(self.anchor_known, 0.0, np.nan)
        out["anchor_exact_money_share"] = self.share(values)
        distinct = self.distinct(self.anchor_codes)
        known_links = self._sum(self.anchor_known.astype(float))
        with np.errstate(invalid="ignore", divide="ignore"):
            out["anchor_distinct_share"] = np.where(known_links > 0, distinct / known_links, np.nan)
        self.evidence["money_anchors"] = self._top_anchors(money)

    # -- spam themes ----------------------------------------------------------------------
    def _themes(self) -> None:
        out = self.out
        active = [t for t in lx.THEMES if not self._target_in_theme(t.name)]
        anchor_text = _normalised(self.anchor_uniques)
        url_text, title_codes, title_text = self.url_text, self.title_codes, self.title_text
        fields = (
            ("anchor", self.anchor_codes, anchor_text),
            ("url", self.page_codes, url_text),
            ("title", title_codes, title_text),
        )
        any_text = np.zeros(len(self.codes), dtype=bool)
        for _, codes, _ in fields:
            any_text |= codes >= 0
        combined = "|".join(f"(?:{lx.theme_re2(t.name)})" for t in active) if active else r"(?!)"
        per_field_any: dict[str, np.ndarray] = {}
        per_field_theme: dict[tuple[str, str], np.ndarray] = {}
        for field, codes, texts in fields:
            hit_any = _regex_hits(texts, combined) if active else np.zeros(len(texts), bool)
            per_field_any[field] = hit_any
            idx = np.flatnonzero(hit_any)
            subset = texts.take(pa.array(idx)) if len(idx) else None
            for theme in active:
                hits = np.zeros(len(texts), dtype=bool)
                if subset is not None:
                    hits[idx] = _regex_hits(subset, lx.theme_re2(theme.name))
                per_field_theme[(field, theme.name)] = hits
        theme_rows: dict[str, np.ndarray] = {}
        for theme in lx.THEMES:
            name = f"theme_{theme.name}_share"
            if theme not in active:
                out[name] = np.full(self.n_groups, np.nan)
                continue
            row_hit = np.zeros(len(self.codes), dtype=bool)
            for field, codes, _ in fields:
                hits = per_field_theme[(field, theme.name)]
                if len(hits):
                    row_hit |= _lookup(hits, codes, False)
            theme_rows[theme.name] = row_hit
            out[name] = self.share(np.where(any_text, row_hit.astype(float), np.nan))
        stacked = np.vstack([out[f"theme_{t.name}_share"] for t in active]) if active else None
        out["theme_max_share"] = (
            np.nanmax(np.where(np.isnan(stacked), -1, stacked), axis=0) if stacked is not None
            else np.full(self.n_groups, np.nan)
        )
        out["theme_max_share"] = np.where(out["theme_max_share"] < 0, np.nan, out["theme_max_share"])
        for field, codes, _ in fields:
            hit = per_field_any[field]
            values = np.where(codes >= 0, _lookup(hit, codes, False), np.nan)
            out[f"theme_{field}_share"] = self.share(values.astype(float))
        # evidence: the terms found, quoted from the distinct texts that hit
        texts_of = {"anchor": anchor_text, "url": url_text, "title": title_text}
        for theme in lx.THEMES:
            column = f"terms_{theme.name}"
            rows = theme_rows.get(theme.name)
            if rows is None or not rows.any():
                self.evidence[column] = [""] * self.n_groups
                continue
            self.evidence[column] = self._theme_terms(theme.name, rows, fields, texts_of, per_field_theme)

    def _target_in_theme(self, theme: str) -> bool:
        """A casino's own brand is not gambling spam: skip themes the target itself matches."""
        if self.target is None or not self.target.registrable_domain:
            return False
        label = pa.array([lx.normalise_text(self.target.registrable_domain)], type=pa.large_string())
        return bool(_regex_hits(label, lx.theme_re2(theme))[0])

    def _theme_terms(self, theme, rows, fields, texts_of, per_field_theme) -> list[str]:
        pieces = []
        for field, codes, _ in fields:
            hits = per_field_theme[(field, theme)]
            if not len(hits):
                continue
            sel = np.flatnonzero(rows & _lookup(hits, codes, False))
            if not len(sel):
                continue
            distinct = _unique(codes[sel])
            terms_of = _terms_by_code(texts_of[field].take(pa.array(distinct)), distinct, theme)
            pieces.append((self.codes[sel], codes[sel], terms_of))
        return _ranked_examples(pieces, self.n_groups)

    def _top_anchors(self, rows: np.ndarray) -> list[str]:
        sel = np.flatnonzero(rows & (self.anchor_codes >= 0))
        if not len(sel):
            return [""] * self.n_groups
        distinct = _unique(self.anchor_codes[sel])
        texts = _arrow(self.anchor_uniques).take(pa.array(distinct)).to_pylist()
        terms_of = {int(c): [" ".join(t.split())] for c, t in zip(distinct, texts)}
        return _ranked_examples([(self.codes[sel], self.anchor_codes[sel], terms_of)], self.n_groups)

    # -- authority ------------------------------------------------------------------------
    def _authority(self) -> None:
        out = self.out
        out["authority_max"] = self.agg(self.num_col(BL.DOMAIN_AUTHORITY), "max")
        out["page_authority_max"] = self.agg(self.num_col(BL.PAGE_AUTHORITY), "max")
        out["traffic_max"] = self.agg(self.num_col(BL.DOMAIN_TRAFFIC), "max")
        out["page_traffic_max"] = self.agg(self.num_col(BL.PAGE_TRAFFIC), "max")
        auth, traffic = out["authority_max"], out["traffic_max"]
        both = ~np.isnan(auth) & ~np.isnan(traffic)
        flag = (auth >= AUTHORITY_WITHOUT_TRAFFIC_MIN_AUTHORITY) & (traffic < AUTHORITY_WITHOUT_TRAFFIC_MAX_TRAFFIC)
        out["authority_without_traffic"] = np.where(both, flag.astype(float), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["log_traffic_per_authority"] = np.log10(1 + np.maximum(traffic, 0)) / np.maximum(auth, 1)
        out["trust_flow_max"] = self.agg(self.num_col(BL.TRUST_FLOW), "max")
        out["citation_flow_max"] = self.agg(self.num_col(BL.CITATION_FLOW), "max")
        out["cf_tf_ratio"] = (out["citation_flow_max"] + 1) / (out["trust_flow_max"] + 1)

    def _outbound(self) -> None:
        out = self.out
        external = self.num_col(BL.EXTERNAL_LINKS)
        out["external_links_median"] = self.agg(external, "median")
        out["external_links_max"] = self.agg(external, "max")
        out["linked_domains_max"] = self.agg(self.num_col(BL.LINKED_DOMAINS), "max")
        out["source_referring_domains_max"] = self.agg(self.num_col(BL.SOURCE_REFERRING_DOMAINS), "max")
        out["page_keywords_max"] = self.agg(self.num_col(BL.KEYWORDS), "max")

    # -- names ------------------------------------------------------------------------------
    def _names(self) -> None:
        for name, values in _name_shapes(self.domains).items():
            self.out[name] = values
        host_codes, host_uniques = _codes(self.bl[BL.SOURCE_HOST].astype("string"))
        hosts = _arrow(host_uniques)
        labels = pc.count_substring(hosts, ".").to_numpy(zero_copy_only=False).astype(float) + 1
        labels[_regex_hits(hosts, _IP_RE2)] = np.nan
        per_row = np.where(host_codes >= 0, _lookup(labels, host_codes, np.nan), np.nan)
        self.out["host_labels_max"] = self.agg(per_row, "max")

    # -- language ----------------------------------------------------------------------------
    def _language(self) -> None:
        target_language = self.target.language if self.target is not None else None
        codes, uniques = _codes(self.bl[BL.LANGUAGE].astype("string"))
        if target_language is None or len(uniques) == 0:
            self.out["language_mismatch_share"] = np.full(self.n_groups, np.nan)
            return
        mismatch = np.full(len(uniques), np.nan)
        for i, value in enumerate(uniques.astype(str)):
            langs = {primary_language(part) for part in value.split(",")} - {None}
            if langs:
                mismatch[i] = float(target_language not in langs)
        per_row = np.where(codes >= 0, _lookup(mismatch, codes, np.nan), np.nan)
        self.out["language_mismatch_share"] = self.share(per_row)

    # -- linking-page kinds ---------------------------------------------------------------------
    def _page_kinds(self) -> None:
        page_text, title_codes, title_text = self.url_text, self.title_codes, self.title_text
        page_ok = self.row_is_page
        title_ok = title_codes >= 0
        known = page_ok | title_ok
        url_any = _hits_with_prefilter(page_text, [u for u, _ in lx.PAGE_PATTERNS.values()])
        title_any = _hits_with_prefilter(title_text, [t for _, t in lx.PAGE_PATTERNS.values() if t])
        for name, (url_pattern, title_pattern) in lx.PAGE_PATTERNS.items():
            url_hits = url_any[url_pattern] & self.page_like
            row = page_ok & _lookup(url_hits, self.page_codes, False)
            if title_pattern and len(title_text):
                title_hits = title_any[title_pattern]
                row = row | (title_ok & _lookup(title_hits, title_codes, False))
            self.out[f"page_{name}_share"] = self.share(np.where(known, row.astype(float), np.nan))

    # -- velocity ----------------------------------------------------------------------------
    def _velocity(self) -> None:
        out, bl = self.out, self.bl
        first = _ns(bl[BL.FIRST_SEEN])
        domain_first = self.agg(first, "min")
        if self.now is not None:
            stamp = pd.Timestamp(self.now)
            now_ns = float((stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp).value)
        else:
            dates = np.concatenate([first, _ns(bl[BL.LAST_SEEN]), _ns(bl[BL.LOST_AT])])
            now_ns = float(np.nanmax(dates)) if (~np.isnan(dates)).any() else np.nan
        out["days_since_first_seen"] = (now_ns - domain_first) / _DAY_NS
        half = BURST_HALF_WINDOW_DAYS * _DAY_NS
        own_first = domain_first[self.codes]
        near = np.where(np.isnan(first), np.nan, (np.abs(first - own_first) <= half).astype(float))
        out["links_same_window_share"] = self.share(near)
        days = np.floor(domain_first / _DAY_NS)
        known = ~np.isnan(days)
        window = np.full(self.n_groups, np.nan)
        burst = np.full(self.n_groups, np.nan)
        if known.any():
            sorted_days = np.sort(days[known])
            k = known
            lo = np.searchsorted(sorted_days, days[k] - BURST_HALF_WINDOW_DAYS, side="left")
            hi = np.searchsorted(sorted_days, days[k] + BURST_HALF_WINDOW_DAYS, side="right")
            window[k] = hi - lo - 1
            span = max(sorted_days[-1] - sorted_days[0] + 1, 2 * BURST_HALF_WINDOW_DAYS + 1)
            expected = len(sorted_days) / span * (2 * BURST_HALF_WINDOW_DAYS + 1)
            burst[k] = (window[k] + 1) / expected
        out["domains_same_window"] = window
        out["burst_score"] = burst

    # -- lost / broken ------------------------------------------------------------------------
    def _lost(self) -> None:
        bl = self.bl
        lost = (bl[BL.LOST_AT].notna() | bl[BL.LOST_STATUS].notna()).to_numpy()
        known = self.known_in_format(lost)
        self.out["lost_share"] = self.share(np.where(known, lost.astype(float), np.nan))
        http = self.num_col(BL.HTTP_CODE)
        self.out["http_error_share"] = self.share(np.where(np.isnan(http), np.nan, (http >= 400).astype(float)))

    def _tools(self) -> None:
        self.out["ahrefs_spam_share"] = self.share(self.bool_col(BL.AHREFS_IS_SPAM))
        self.out["semrush_toxicity_max"] = self.agg(self.num_col(BL.SEMRUSH_TOXICITY), "max")
        self.out["moz_spam_score_max"] = self.agg(self.num_col(BL.MOZ_SPAM_SCORE), "max")


# ---------------------------------------------------------------------------------------
def _ns(series: pd.Series) -> np.ndarray:
    """Datetimes as float nanoseconds since the epoch (NaN for NaT)."""
    if not isinstance(series.dtype, pd.DatetimeTZDtype):
        series = pd.to_datetime(series, utc=True, errors="coerce")
    values = series.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
    as_int = values.to_numpy().astype("int64").astype(float)
    as_int[values.isna().to_numpy()] = np.nan
    return as_int


_URL_ANCHOR: Final = r"^\s*(?:https?://|www\.)\S+\s*$|^\s*[^\s/.@]+(?:\.[^\s/.@]+)*\.[a-z]{2,}(?:[/:?#]\S*)?\s*$"
_EMPTY_ANCHOR: Final = f"^{lx.SEP_RE2}$"
_BRAND_SPLIT: Final = re.compile(r"[\s\-_.]+")


def _whole_anchor_pattern(phrases: frozenset[str] | set[str]) -> str:
    """RE2 pattern matching an anchor that is exactly one of ``phrases`` (separators free)."""
    sep = lx.SEP_RE2
    body = "|".join(sep.join(re.escape(w) for w in p.split()) for p in sorted(phrases, key=len, reverse=True))
    return f"^{sep}(?:{body}){sep}$"


def _classify_anchors(uniques: pd.Index, target: TargetSite | None) -> tuple[np.ndarray, np.ndarray]:
    """Class index (see _ANCHOR_CLASSES) and normalised-text code of each distinct anchor.

    Classes are exclusive, first match wins: empty, naked URL, branded, generic, money,
    other. So "Acme review" is branded and "acme.com" a URL.
    """
    if len(uniques) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lowered = pc.utf8_trim_whitespace(pc.utf8_lower(_arrow(uniques)))
    norm_codes, _ = pd.factorize(lowered.to_numpy(zero_copy_only=False))
    empty = _regex_hits(lowered, _EMPTY_ANCHOR)
    url = _regex_hits(lowered, _URL_ANCHOR)
    branded = np.zeros(len(uniques), dtype=bool)
    money_terms = list(lx.MONEY_TERMS)
    if target is not None:
        sep = lx.SEP_RE2
        brands = sorted({sep.join(re.escape(w) for w in _BRAND_SPLIT.split(t.lower()) if w)
                         for t in target.brand_tokens if len(t) >= 3})
        if brands:
            branded = _regex_hits(lowered, "|".join(brands))
        money_terms += list(target.keywords)
    generic = _regex_hits(lowered, _generic_pattern())
    unspaced = [t for t in money_terms if _unspaced_script(t)]
    spaced = [t for t in money_terms if not _unspaced_script(t)]
    money = _regex_hits(lowered, lx.re2_pattern(tuple(unspaced), tuple(spaced)))
    classes = np.full(len(uniques), _ANCHOR_CLASSES.index("other"), dtype=np.int64)
    for name, mask in reversed((("empty", empty), ("url", url), ("branded", branded),
                                ("generic", generic), ("money", money))):
        classes[mask] = _ANCHOR_CLASSES.index(name)
    return classes, norm_codes.astype(np.int64)


_GENERIC_PATTERN: list[str] = []


def _generic_pattern() -> str:
    if not _GENERIC_PATTERN:
        _GENERIC_PATTERN.append(_whole_anchor_pattern(lx.GENERIC_ANCHORS))
    return _GENERIC_PATTERN[0]


def _unspaced_script(term: str) -> bool:
    """Thai, CJK and kana are written without spaces: match their terms inside words."""
    return any(0x0E00 <= ord(c) <= 0x0E7F or ord(c) >= 0x2E80 for c in term)


_IP_RE2: Final = r"^[0-9.]+$|:"  # domain keys of IP hosts are normalised IPv4 / IPv6 literals


def _name_shapes(domains: pd.Index) -> dict[str, np.ndarray]:
    """TLD risk, is_ip and the shape of the registrable label of each domain key."""
    keys = _arrow(domains)
    ip = _regex_hits(keys, _IP_RE2)
    parts = pc.split_pattern(keys, ".", max_splits=1)
    label = pc.list_element(pc.list_slice(parts, 0, 1), 0)
    suffix_lists = pc.list_slice(parts, 1, 2)
    has_suffix = pc.list_value_length(suffix_lists).to_numpy(zero_copy_only=False) > 0
    suffix = pc.list_flatten(suffix_lists).to_numpy(zero_copy_only=False)
    suffixes = np.full(len(keys), "", dtype=object)
    suffixes[has_suffix] = suffix
    risk_of = {v: lx.tld_risk(v) if v else math.nan for v in set(suffixes.tolist())}
    length = pc.utf8_length(label).to_numpy(zero_copy_only=False).astype(float)
    digits = pc.count_substring_regex(label, "[0-9]").to_numpy(zero_copy_only=False).astype(float)
    hyphens = pc.count_substring(label, "-").to_numpy(zero_copy_only=False).astype(float)
    letters = pc.count_substring_regex(label, "[a-z]").to_numpy(zero_copy_only=False).astype(float)
    vowels = pc.count_substring_regex(label, "[aeiouy]").to_numpy(zero_copy_only=False).astype(float)
    runs = pc.split_pattern_regex(label, "[^b-df-hj-np-tv-xz]+")
    run_lengths = pc.utf8_length(pc.list_flatten(runs)).to_numpy(zero_copy_only=False)
    longest = np.zeros(len(keys))
    np.maximum.at(longest, pc.list_parent_indices(runs).to_numpy(zero_copy_only=False), run_lengths)
    with np.errstate(invalid="ignore", divide="ignore"):
        shapes = {
            "tld_risk": np.array([risk_of[v] for v in suffixes], dtype=float),
            "is_ip": ip.astype(float),
            "name_length": length,
            "name_digits": digits,
            "name_hyphens": hyphens,
            "name_vowel_ratio": np.where(letters > 0, vowels / np.where(letters > 0, letters, 1), np.nan),
            "name_consonant_run": longest,
        }
    for name in shapes:
        if name != "is_ip":
            shapes[name][ip] = np.nan
    return shapes


def _terms_by_code(texts: pa.Array, codes: np.ndarray, theme: str) -> dict[int, list[str]]:
    """The theme's terms found in each text, tested one term at a time with RE2."""
    found: list[list[str]] = [[] for _ in range(len(texts))]
    for term, pattern in lx.theme_term_patterns(theme):
        for i in np.flatnonzero(_regex_hits(texts, pattern)):
            found[i].append(term)
    return {int(c): _drop_contained(terms) for c, terms in zip(codes, found)}


def _drop_contained(terms: list[str]) -> list[str]:
    """Keep "slot gacor", drop "slot" and "gacor" found as parts of it."""
    squeezed = {t: t.replace(" ", "") for t in terms}
    return [t for t in terms if not any(o != t and squeezed[t] in squeezed[o] for o in terms)]


def _ranked_examples(
    pieces: list[tuple[np.ndarray, np.ndarray, dict[int, list[str]]]], n_groups: int, limit: int = 3
) -> list[str]:
    """Per group, up to ``limit`` most frequent example strings joined by ", ".

    Each piece is (group code per row, value code per row, value code -> strings).
    """
    result = [""] * n_groups
    frames = []
    for groups, codes, terms_of in pieces:
        width = int(codes.max()) + 1
        keys, counts = _unique_counts(groups * width + codes)
        frame = pd.DataFrame({"g": keys // width, "code": keys % width, "n": counts})
        frame["term"] = frame["code"].map(terms_of)
        frames.append(frame.explode("term")[["g", "term", "n"]])
    if not frames:
        return result
    frame = pd.concat(frames, ignore_index=True).dropna(subset=["term"])
    frame = frame[frame["term"].astype(str) != ""]
    if frame.empty:
        return result
    frame = frame.groupby(["g", "term"], as_index=False)["n"].sum()
    frame = frame.sort_values(["g", "n", "term"], ascending=[True, False, True])
    frame = frame[frame.groupby("g").cumcount() < limit]
    collected: dict[int, list[str]] = {}
    for group, term in zip(frame["g"].to_numpy().tolist(), frame["term"].astype(str).tolist()):
        collected.setdefault(group, []).append(term)
    for group, terms in collected.items():
        result[group] = ", ".join(terms)
    return result


def _empty_features() -> pd.DataFrame:
    frame = pd.DataFrame({DOMAIN: pd.array([], dtype="string")})
    for feature in EXPORT_FEATURES:
        frame[feature.name] = pd.Series(dtype=float)
    return frame


def _empty_evidence() -> pd.DataFrame:
    frame = pd.DataFrame({DOMAIN: pd.array([], dtype="string")})
    for column in EVIDENCE_COLUMNS:
        frame[column] = pd.array([], dtype="string")
    return frame
