"""Interim verdicts from a small, transparent rule table over the export signals.

Until the trained classifier lands, :func:`rule_verdicts` judges each referring domain
with the rules in :data:`RULES`. Each rule is one row: a name, the condition in words
and in code, a weight, a tier, the scheme it points to and a reason template.

How a verdict is reached
------------------------
* A rule whose inputs are missing (NaN) never fires: no data is not evidence.
* Tiers: ``strong`` rules are enough on their own for *toxic*; ``weak`` rules are a
  sign, and a single one gives at most *suspicious*; ``supporting`` rules (authority
  without traffic, CF far above TF, a link burst, a spam-prone TLD ...) are common among
  honest new or small sites, so they count only when a strong or weak rule fired too.
* The score is a noisy-OR of the counted rules' weights: ``1 - prod(1 - weight)``. It is
  a heuristic in 0-1, **not a calibrated probability**; it only orders domains.
* toxic: a strong rule fired, or at least two counted rules with a score >= 0.6.
  suspicious: any counted rule. fine: none, and the export said something about the
  domain. unknown: none, and the export had nothing to judge by (a domain-level or GSC
  row without anchors, rel, titles or metrics); its score is NaN.
* The scheme is that of the heaviest counted rule (``hacked`` when a spam theme sits on
  a site with authority or in another language than the target); ``natural`` when fine.

>>> print(rules_markdown().splitlines()[0])
| rule | tier | weight | scheme | fires when |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Final

import numpy as np
import pandas as pd

from detector.schema import DOM, DOMAIN, FINE, SCHEMES, SUSPICIOUS, TOXIC, UNKNOWN
from detector.signals.lexicons import THEME_LABELS, THEME_NAMES

__all__ = ["Rule", "RULES", "MODEL_VERSION", "rule_verdicts", "rules_markdown"]

MODEL_VERSION: Final = "rules-1"
#: A noisy-OR score at or above this, from two or more counted rules, is toxic.
TOXIC_SCORE: Final = 0.6

STRONG: Final = "strong"
WEAK: Final = "weak"
SUPPORTING: Final = "supporting"


@dataclass(frozen=True)
class Rule:
    """One row of the rule table."""

    name: str  #: short id
    when: str  #: the condition in words (documentation; the code is ``condition``)
    condition: Callable[[pd.DataFrame], pd.Series]  #: vectorised test over the Domains frame
    weight: float  #: contribution to the noisy-OR score, 0-1
    tier: str  #: strong / weak / supporting (see module docstring)
    scheme: str  #: scheme it points to, one of schema.SCHEMES
    reason: str  #: template, formatted with the row's columns and derived fields


def _col(d: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` as float (all-NaN when absent, so the rule cannot fire)."""
    if name in d.columns:
        return pd.to_numeric(d[name], errors="coerce").astype(float)
    return pd.Series(np.nan, index=d.index)


def _ge(d: pd.DataFrame, name: str, value: float) -> pd.Series:
    return (_col(d, name) >= value).fillna(False)


def _lt(d: pd.DataFrame, name: str, value: float) -> pd.Series:
    return (_col(d, name) < value).fillna(False)


def _money_dofollow(d: pd.DataFrame) -> pd.Series:
    return _ge(d, "anchor_money_share", 0.5) & _ge(d, "dofollow_share", 0.5)


def _sitewide(d: pd.DataFrame) -> pd.Series:
    return _ge(d, "sitewide_share", 0.5) | (_ge(d, "template_pages", 5) & _ge(d, "template_page_share", 0.5))


def _page_kind(kind: str, share: float = 0.5) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda d: _ge(d, f"page_{kind}_share", share)


def _optimised_anchor(d: pd.DataFrame) -> pd.Series:
    return _ge(d, "anchor_money_share", 0.3) | _ge(d, "theme_anchor_share", 0.3)


#: The rule table, heaviest first within each tier.
RULES: Final[tuple[Rule, ...]] = (
    # strong
    Rule("spam_theme", "at least half of the links carry gambling / pharma / adult / loan / crypto "
         "/ replica / essay-mill terms (anchor, linking URL or page title)",
         lambda d: _ge(d, "theme_max_share", 0.5), 0.85, STRONG, "spam_theme",
         "{theme_links} of {links} links carry {theme_label} terms{theme_terms}"),
    # weak
    Rule("spam_theme_minor", "10-50 % of the links carry spam-theme terms",
         lambda d: _ge(d, "theme_max_share", 0.1) & _lt(d, "theme_max_share", 0.5), 0.45, WEAK,
         "spam_theme", "{theme_links} of {links} links carry {theme_label} terms{theme_terms}"),
    Rule("sitewide_money", "sitewide / template links (>= half of its pages) with >= 30 % money anchors",
         lambda d: _sitewide(d) & _ge(d, "anchor_money_share", 0.3), 0.55, WEAK, "paid_unqualified",
         "sitewide links with commercial anchors{money_examples}"),
    Rule("money_anchors_dofollow", "at least half the anchors are commercial and at least half the "
         "links pass credit (no nofollow / sponsored / ugc)",
         _money_dofollow, 0.5, WEAK, "paid_unqualified",
         "{money_links} of {anchor_links} anchors are commercial keywords and followed{money_examples}"),
    Rule("exact_money_campaign", "at least half its anchors are money anchors used verbatim by >= 3 "
         "referring domains", lambda d: _ge(d, "anchor_exact_money_share", 0.5), 0.45, WEAK,
         "paid_unqualified", "uses the same exact-match money anchors as other referring domains"
         "{money_examples}"),
    Rule("ahrefs_spam", "Ahrefs marks at least half of its links 'Is spam'",
         lambda d: _ge(d, "ahrefs_spam_share", 0.5), 0.45, WEAK, "link_farm", "Ahrefs flags it as spam"),
    Rule("semrush_toxic", "Semrush toxicity score >= 60", lambda d: _ge(d, "semrush_toxicity_max", 60),
         0.45, WEAK, "link_farm", "Semrush toxicity score {semrush_toxicity_max:.0f}"),
    Rule("moz_spam", "Moz Spam Score >= 60 %", lambda d: _ge(d, "moz_spam_score_max", 60), 0.4, WEAK,
         "link_farm", "Moz Spam Score {moz_spam_score_max:.0f} %"),
    Rule("guest_post_dofollow", "links from 'write for us' / guest-post / sponsored-post pages that pass "
         "credit", lambda d: _page_kind("guest_post", 0.3)(d) & _ge(d, "dofollow_share", 0.5), 0.4, WEAK,
         "paid_unqualified", "followed links from guest-post / 'write for us' pages"),
    Rule("link_exchange", "links from partner / link-exchange / links pages with commercial or "
         "spam anchors", lambda d: _page_kind("link_page")(d) & _optimised_anchor(d), 0.35, WEAK,
         "reciprocal", "links from a links / partners page with optimised anchors"),
    Rule("directory_money", "links from directory / submit-your-site pages with optimised anchors",
         lambda d: _page_kind("directory")(d) & _optimised_anchor(d), 0.35, WEAK, "link_farm",
         "directory listing with optimised anchors"),
    Rule("comment_profile_spam", "links in comments, guestbooks, member profiles or forum threads with "
         "optimised anchors",
         lambda d: (_page_kind("comment")(d) | _page_kind("guestbook")(d) | _page_kind("profile")(d)
                    | _page_kind("forum")(d)) & _optimised_anchor(d),
         0.35, WEAK, "comment_spam", "optimised anchors in comments, profiles, guestbooks or forums"),
    Rule("link_farm_outbound", "linking pages carry >= 300 outbound links (median) and the anchors are "
         "optimised", lambda d: _ge(d, "external_links_median", 300) & _optimised_anchor(d), 0.35, WEAK,
         "link_farm", "pages with {external_links_median:.0f} outbound links and optimised anchors"),
    # supporting: only counted next to a strong or weak rule
    Rule("authority_without_traffic", "authority >= 30 with < 10 monthly visits",
         lambda d: _ge(d, "authority_without_traffic", 1), 0.3, SUPPORTING, "pbn",
         "authority {authority_max:.0f} with almost no organic traffic ({traffic_max:.0f}/month)"),
    Rule("cf_far_above_tf", "Majestic Citation Flow >= 20 and at least 3x Trust Flow",
         lambda d: _ge(d, "citation_flow_max", 20) & _ge(d, "cf_tf_ratio", 3), 0.25, SUPPORTING, "pbn",
         "Citation Flow {citation_flow_max:.0f} far above Trust Flow {trust_flow_max:.0f}"),
    Rule("language_mismatch", "most of its linking pages are in another language than the target",
         lambda d: _ge(d, "language_mismatch_share", 0.5), 0.2, SUPPORTING, "hacked",
         "linking pages in another language than the site"),
    Rule("link_burst", "first seen in a burst: >= 10 other new domains within +-3 days and >= 5x the "
         "usual rate", lambda d: _ge(d, "domains_same_window", 10) & _ge(d, "burst_score", 5), 0.2,
         SUPPORTING, "spam_theme", "appeared in a burst of {domains_same_window:.0f} new referring domains"),
    Rule("spammy_tld", "TLD with a high abuse prior (>= 0.6)", lambda d: _ge(d, "tld_risk", 0.6), 0.15,
         SUPPORTING, "link_farm", "spam-prone TLD"),
    Rule("http_errors", "most linking pages answer HTTP >= 400", lambda d: _ge(d, "http_error_share", 0.5),
         0.1, SUPPORTING, "parked", "linking pages return errors"),
)

#: Columns whose presence means the export said something judgeable about a domain beyond
#: its URL: anchors, rel, titles, metrics, outbound links, language, HTTP status, tool flags.
_DATA_COLUMNS: Final[tuple[str, ...]] = (
    "anchor_empty_share", "anchor_url_share", "anchor_branded_share", "anchor_generic_share",
    "anchor_money_share", "anchor_other_share",
    "dofollow_share", "nofollow_share", "ugc_share", "sponsored_share",
    "theme_title_share",
    "authority_max", "page_authority_max", "traffic_max", "trust_flow_max", "citation_flow_max",
    "external_links_median", "linked_domains_max",
    "language_mismatch_share", "http_error_share",
    "ahrefs_spam_share", "semrush_toxicity_max", "moz_spam_score_max",
)


def rule_verdicts(domains: pd.DataFrame, evidence: pd.DataFrame | None = None, *,
                  explain: bool = True) -> pd.DataFrame:
    """Judge each referring domain with :data:`RULES`; return ``domains`` plus the result columns.

    Adds ``DOM.PROBABILITY`` (the rule score, a heuristic 0-1, NaN for unknown),
    ``DOM.VERDICT``, ``DOM.SCHEME``, ``DOM.REASONS`` and ``DOM.MODEL_VERSION``.
    ``evidence`` (from :func:`detector.signals.export_evidence`, matched on ``domain``)
    lets the reasons quote the terms and anchors found; evidence columns already in
    ``domains`` are used as well. ``explain=False`` leaves scheme and reasons empty (NA)
    for callers that only need the verdicts, such as the network stage's first judgement.
    """
    d = domains.reset_index(drop=True)
    quotes = _evidence_for(d, evidence) if explain else None
    fired = pd.DataFrame({r.name: r.condition(d).to_numpy(dtype=bool) for r in RULES}, index=d.index)
    tier = {r.name: r.tier for r in RULES}
    primary = fired[[n for n in fired if tier[n] != SUPPORTING]].any(axis=1)
    counted = fired.copy()
    for name in counted:
        if tier[name] == SUPPORTING:
            counted[name] &= primary
    weights = np.array([r.weight for r in RULES])
    score = 1 - np.prod(np.where(counted.to_numpy(), 1 - weights, 1.0), axis=1)
    n_counted = counted.sum(axis=1).to_numpy()
    strong = counted[[n for n in counted if tier[n] == STRONG]].any(axis=1).to_numpy()
    has_data = _has_data(d)

    verdict = np.where(n_counted > 0, SUSPICIOUS, np.where(has_data, FINE, UNKNOWN)).astype(object)
    verdict[strong | ((n_counted >= 2) & (score >= TOXIC_SCORE))] = TOXIC
    probability = np.where(verdict == UNKNOWN, np.nan, score)

    out = d.copy()
    out[DOM.PROBABILITY] = probability.astype(float)
    out[DOM.VERDICT] = pd.array(verdict.tolist(), dtype="string")
    if explain:
        out[DOM.SCHEME] = pd.array(_schemes(d, counted, verdict), dtype="string")
        out[DOM.REASONS] = pd.array(_reasons(d, counted, verdict, quotes), dtype="string")
    else:
        out[DOM.SCHEME] = out[DOM.REASONS] = pd.array([pd.NA] * len(d), dtype="string")
    out[DOM.MODEL_VERSION] = MODEL_VERSION
    return out


def _has_data(d: pd.DataFrame) -> np.ndarray:
    present = np.zeros(len(d), dtype=bool)
    for column in _DATA_COLUMNS:
        present |= _col(d, column).notna().to_numpy()
    return present


def _evidence_for(d: pd.DataFrame, evidence: pd.DataFrame | None) -> pd.DataFrame:
    columns = [f"terms_{t}" for t in THEME_NAMES] + ["money_anchors"]
    quotes = pd.DataFrame(index=d.index, columns=columns, dtype=object).fillna("")
    sources = [d] if evidence is None else [d, evidence.set_index(DOMAIN).reindex(d[DOMAIN]).reset_index(drop=True)]
    for source in sources:
        for column in columns:
            if column in source.columns:
                values = source[column].astype(object).where(source[column].notna(), "")
                quotes[column] = np.where(quotes[column] == "", values.astype(str).to_numpy(), quotes[column])
    return quotes


def _schemes(d: pd.DataFrame, counted: pd.DataFrame, verdict: np.ndarray) -> list[object]:
    order = sorted(RULES, key=lambda r: -r.weight)
    fired = counted.to_numpy()
    index = {r.name: i for i, r in enumerate(RULES)}
    authority = _col(d, "authority_max").to_numpy()
    traffic = _col(d, "traffic_max").to_numpy()
    mismatch = _col(d, "language_mismatch_share").to_numpy()
    page_theme = np.fmax(_col(d, "theme_url_share").to_numpy(), _col(d, "theme_title_share").to_numpy())
    schemes: list[object] = []
    for i, band in enumerate(verdict):
        if band == UNKNOWN:
            schemes.append(pd.NA)
            continue
        if band == FINE:
            schemes.append("natural")
            continue
        top = next(r for r in order if fired[i, index[r.name]])
        scheme = top.scheme
        if scheme == "spam_theme" and page_theme[i] >= 0.3 and (
            mismatch[i] >= 0.5 or authority[i] >= 30 or traffic[i] >= 1000
        ):
            scheme = "hacked"  # injected spam pages on a site with an audience of its own
        assert scheme in SCHEMES, scheme
        schemes.append(scheme)
    return schemes


def _reasons(d: pd.DataFrame, counted: pd.DataFrame, verdict: np.ndarray, quotes: pd.DataFrame) -> list[str]:
    reasons = _fine_reasons(d)
    fired = counted.to_numpy()
    by_weight = sorted(range(len(RULES)), key=lambda j: -RULES[j].weight)
    unknown = "too little data: the export has no anchors, rel attributes, titles or metrics for it"
    contexts = _Contexts(d, quotes)
    for i in np.flatnonzero((verdict == UNKNOWN) | fired.any(axis=1)):
        if verdict[i] == UNKNOWN:
            reasons[i] = unknown
            continue
        context = contexts.row(i)
        parts = [_format(RULES[j].reason, context) for j in by_weight if fired[i, j]]
        reasons[i] = "; ".join(dict.fromkeys(parts))
    return reasons


def _fine_reasons(d: pd.DataFrame) -> list[str]:
    """Reason for domains no rule fired on: say what looked natural when we know it."""
    natural = sum(
        _col(d, c).fillna(0.0)
        for c in ("anchor_branded_share", "anchor_url_share", "anchor_generic_share", "anchor_empty_share")
    )
    with_anchors = _col(d, "anchor_branded_share").notna() & (natural >= 0.5)
    plain = "no spam sign in anchors, linking pages or metrics"
    return [
        f"no spam sign; {share:.0%} of anchors are branded, URLs, generic or empty" if ok else plain
        for ok, share in zip(with_anchors.tolist(), natural.tolist())
    ]


#: Numeric columns the reason templates quote directly.
_QUOTED_COLUMNS: Final[tuple[str, ...]] = (
    "semrush_toxicity_max", "moz_spam_score_max", "external_links_median", "authority_max",
    "traffic_max", "citation_flow_max", "trust_flow_max", "domains_same_window",
)


class _Contexts:
    """Template fields per row, precomputed column-wise so only fired rows cost Python time."""

    def __init__(self, d: pd.DataFrame, quotes: pd.DataFrame) -> None:
        links = _col(d, DOM.LINKS).fillna(0).to_numpy()
        self.columns = {c: _col(d, c).to_numpy() for c in _QUOTED_COLUMNS}
        self.links = links.astype(int)
        shares = np.column_stack([_col(d, f"theme_{t}_share").to_numpy() for t in THEME_NAMES])
        has_theme = ~np.isnan(shares).all(axis=1)
        best = np.argmax(np.where(np.isnan(shares), -1, shares), axis=1)
        self.theme = [THEME_NAMES[b] if ok else None for b, ok in zip(best, has_theme)]
        best_share = np.where(has_theme, shares[np.arange(len(d)), best], 0.0)
        self.theme_links = np.rint(np.nan_to_num(best_share) * links).astype(int)
        money = _col(d, "anchor_money_share").to_numpy()
        self.money_links = np.rint(np.nan_to_num(money) * links).astype(int)
        self.quotes = {c: quotes[c].to_numpy(dtype=object) for c in quotes.columns}

    def row(self, i: int) -> dict:
        theme = self.theme[i]
        terms = self.quotes.get(f"terms_{theme}")[i] if theme else ""
        examples = self.quotes["money_anchors"][i]
        context = {c: values[i] for c, values in self.columns.items()}
        context.update(
            links=int(self.links[i]),
            theme_label=THEME_LABELS.get(theme, "spam") if theme else "spam",
            theme_links=int(self.theme_links[i]),
            theme_terms=f" ({terms})" if terms else "",
            anchor_links=int(self.links[i]),
            money_links=int(self.money_links[i]),
            money_examples=f" ({examples})" if examples else "",
        )
        return context


def _format(template: str, context: dict) -> str:
    try:
        return template.format(**context)
    except (KeyError, ValueError, TypeError):
        return template.split("{", 1)[0].strip() or template


def rules_markdown() -> str:
    """The rule table as Markdown, for the README and the model card."""
    lines = ["| rule | tier | weight | scheme | fires when |", "|---|---|---|---|---|"]
    for rule in RULES:
        lines.append(f"| {rule.name} | {rule.tier} | {rule.weight:.2f} | {rule.scheme} | {rule.when} |")
    return "\n".join(lines)
