"""Every knob of a synthetic link world, with a seed, in one dataclass.

A world is fully determined by its :class:`WorldConfig`: the same config (seed included)
gives byte-identical written files. Presets give worlds of known difficulty:

* ``easy``: PBN operators hide almost nothing, few failures;
* ``medium``: the default, footprints partly hidden;
* ``hard``: careful operators, more failures and missing data;
* ``hard_negatives``: many innocent domains that lazy tools flag (CDN blocks, shared
  hosts, aggregators, new privacy-protected sites, foreign press, universities);
* ``samples``: a small fixed world for ``data/samples/``.

Where each distribution's shape comes from is documented next to the field (and in
``docs/simulation.md``); "assumption" marks a shape chosen without a public statistic.

>>> cfg = WorldConfig.preset("hard", n_domains=500, seed=7)
>>> cfg.pbn_hiding > WorldConfig.preset("easy").pbn_hiding
True
>>> round(sum(cfg.scheme_shares().values()), 6)
1.0
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from detector.schema import SCHEMES

__all__ = ["WorldConfig", "PRESETS", "TOXIC_BY_SCHEME"]

#: Ground truth "toxic" (should be disavowed) per scheme. Assumption, following Google's
#: link-spam policy: parked domains are low value, not a scheme the user must disavow;
#: comment spam is toxic only when the link passes credit (no ugc/nofollow), decided
#: per domain by the generator.
TOXIC_BY_SCHEME: dict[str, bool] = {
    "pbn": True,
    "link_farm": True,
    "comment_spam": True,
    "hacked": True,
    "paid_unqualified": True,
    "reciprocal": True,
    "parked": False,
    "spam_theme": True,
    "natural": False,
}


def _d(**kw: float) -> dict[str, float]:
    return dict(kw)


@dataclass(frozen=True)
class WorldConfig:
    """All parameters of a world. Shares are fractions of the referring domains."""

    seed: int = 0  #: seed of every random draw; same config => identical world
    n_domains: int = 1000  #: referring domains (targets and money sites come on top)
    n_targets: int = 1  #: target sites whose backlinks are audited
    as_of: str = "2026-07-01"  #: the world's "today" (UTC date); no wall clock is ever read
    preset_name: str = "medium"  #: preset this config was built from (recorded in labels)

    # --- scheme shares (the rest is natural). Assumption: a typical audited profile of a
    # site that bought links; practitioner audits report 10-40 % low-quality domains.
    share_pbn: float = 0.08  #: PBN members
    share_link_farm: float = 0.04  #: link farms and low-quality directories
    share_comment_spam: float = 0.06  #: comment, forum and profile spam
    share_hacked: float = 0.02  #: hacked pages with injected gambling/pharma links
    share_paid_unqualified: float = 0.04  #: paid guest posts / sitewide footer links without rel
    share_reciprocal: float = 0.03  #: link exchanges and partner pages
    share_parked: float = 0.02  #: parked domains
    share_spam_theme: float = 0.02  #: gambling / pharma / adult themed sites

    #: mix of natural kinds (relative weights). Assumption shaped by the hard negatives
    #: practitioners report (DOMAIN.md): CDN/shared-host sites, aggregators, new sites ...
    natural_kinds: dict[str, float] = field(default_factory=lambda: _d(
        blog=0.26, news=0.10, forum=0.08, university=0.04, directory=0.05,
        aggregator=0.06, bibliography=0.03, new_site=0.10, shop=0.12,
        foreign_press=0.06, blogroll=0.04, cdn_site=0.06))

    # --- PBNs
    pbn_size_min: int = 5  #: smallest network (brief; sellers offer 5-10 site starter packs)
    pbn_size_max: int = 200  #: largest network (practitioner reports of 100-200 site networks)
    pbn_size_alpha: float = 1.8  #: exponent of the truncated power law of sizes (assumption)
    pbn_hiding: float = 0.45  #: probability a member hides each footprint (0 = none hidden)
    #: per-footprint multiplier of pbn_hiding (cheap footprints are hidden more often;
    #: practitioner guides stress unique IPs and registrars first). Assumption.
    pbn_hiding_by_footprint: dict[str, float] = field(default_factory=lambda: _d(
        ip_block=1.0, ns=0.9, registrar=0.8, reg_week=0.7, analytics=1.0, template=0.6))
    pbn_expired_reuse: float = 0.75  #: members rebuilt on expired domains (practitioner reports)
    pbn_interlink: float = 0.25  #: probability a member page links to another member
    pbn_money_sites: tuple[int, int] = (2, 6)  #: money sites a network links to (min, max)

    # --- registration. Interisle (2021): ~86 % of gTLD registrations show no registrant
    # identity after GDPR; we use lower rates for natural sites of organisations.
    privacy_natural: float = 0.6  #: natural domains with redacted/proxy registrant
    privacy_scheme: float = 0.9  #: scheme domains with redacted/proxy registrant
    #: TLD weights: Verisign Domain Name Industry Brief (2024): .com ~44 %, .net ~4 %,
    #: .de ~5 %, .uk ~3 %, .org ~3 %, .nl ~2 %, .pl ~1 %, .info ~1 % of all registrations
    #: (shares renormalised over the TLDs we model).
    tld_weights: dict[str, float] = field(default_factory=lambda: _d(
        com=0.55, net=0.07, org=0.07, info=0.03, de=0.10, **{"co.uk": 0.08}, nl=0.05, pl=0.05))

    # --- hosting. W3Techs (2025): Cloudflare in front of ~20 % of websites; WordPress ~43 %.
    cdn_share: float = 0.2  #: natural domains behind a big CDN (share a handful of IPs)
    shared_host_share: float = 0.5  #: natural domains on big shared hosts (many per IP)
    aaaa_share: float = 0.1  #: domains with an AAAA record (always ``::1``; rest have none)
    wordpress_share: float = 0.43  #: natural sites on WordPress (W3Techs 2025)
    analytics_share: float = 0.55  #: natural sites with Google Analytics (W3Techs 2025)
    adsense_share: float = 0.1  #: natural sites with AdSense (assumption)

    # --- languages of natural sites (relative weights). W3Techs content languages 2025:
    # English ~50 %, then German, Spanish, French ... Sites on ccTLDs mostly use the
    # country's language (rule in the generator).
    languages: dict[str, float] = field(default_factory=lambda: _d(
        en=0.62, de=0.12, fr=0.07, es=0.08, nl=0.05, pl=0.06))

    # --- comment spam and paid links
    comment_spam_unqualified: float = 0.35  #: spam comments that pass credit (no ugc/nofollow)
    paid_sitewide: float = 0.3  #: paid_unqualified domains that are sitewide footer links

    # --- lookups that fail (failure injection), shares of all served domains.
    # Pew Research (2024): 38 % of pages from 2013 were gone by 2023 (link rot); the
    # referring domains of a live export fail far less often. Rates are assumptions.
    dns_failure: float = 0.03  #: SERVFAIL / no answer / slow DNS
    http_failure: float = 0.08  #: 404, 500, redirect loop, slow, oversized, gzip bomb, non-HTML
    rdap_failure: float = 0.05  #: malformed JSON, 429, 404
    whois_failure: float = 0.05  #: "limit exceeded" text
    slow_seconds: float = 2.5  #: delay of "slow" DNS and HTTP answers

    # --- what the backlink tools see. No tool sees every link (practitioner index
    # comparisons); coverage per tool is an assumption of that order.
    tool_coverage: dict[str, float] = field(default_factory=lambda: _d(
        ahrefs=0.85, semrush=0.75, majestic=0.7, moz=0.5, gsc=0.6, bing=0.45, list=0.9))
    metric_noise: float = 6.0  #: std-dev of each tool's authority metric around the truth (0-100 scale)
    missing_rate: float = 0.03  #: share of metric cells a tool leaves empty
    existing_disavow_share: float = 0.3  #: toxic domains already in the user's disavow file
    write_pages_limit: int = 600  #: World.write writes rendered pages only up to this many domains

    # ------------------------------------------------------------------ helpers
    def scheme_shares(self) -> dict[str, float]:
        """Share of each scheme in :data:`detector.schema.SCHEMES` (natural = the rest)."""
        shares = {s: float(getattr(self, f"share_{s}")) for s in SCHEMES if s != "natural"}
        total = sum(shares.values())
        if total > 1 or min(shares.values()) < 0:
            raise ValueError(f"scheme shares must be >= 0 and sum to <= 1, got {shares}")
        shares["natural"] = 1.0 - total
        return shares

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        return json.loads(json.dumps(asdict(self)))

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "WorldConfig":
        """Inverse of :meth:`to_json`; unknown keys are an error."""
        names = {f.name for f in fields(cls)}
        unknown = set(obj) - names
        if unknown:
            raise ValueError(f"unknown WorldConfig fields: {sorted(unknown)}")
        kw = dict(obj)
        if "pbn_money_sites" in kw:
            kw["pbn_money_sites"] = tuple(kw["pbn_money_sites"])
        return cls(**kw)

    def with_(self, **changes: Any) -> "WorldConfig":
        """A copy with some fields changed."""
        return replace(self, **changes)

    @classmethod
    def preset(cls, name: str = "medium", *, n_domains: int | None = None,
               seed: int | None = None, **changes: Any) -> "WorldConfig":
        """A named preset (see :data:`PRESETS`), optionally resized / reseeded / changed."""
        if name not in PRESETS:
            raise ValueError(f"unknown preset {name!r}; expected one of {sorted(PRESETS)}")
        kw: dict[str, Any] = dict(PRESETS[name])
        kw["preset_name"] = name
        if n_domains is not None:
            kw["n_domains"] = int(n_domains)
        if seed is not None:
            kw["seed"] = int(seed)
        kw.update(changes)
        return cls(**kw)


#: Named presets: field overrides of the defaults.
PRESETS: dict[str, dict[str, Any]] = {
    "easy": dict(pbn_hiding=0.1, dns_failure=0.01, http_failure=0.02, rdap_failure=0.01,
                 whois_failure=0.01, missing_rate=0.01, metric_noise=3.0),
    "medium": {},
    "hard": dict(pbn_hiding=0.75, pbn_expired_reuse=0.85, dns_failure=0.06, http_failure=0.14,
                 rdap_failure=0.1, whois_failure=0.1, missing_rate=0.08, metric_noise=10.0,
                 privacy_natural=0.8, cdn_share=0.3),
    "hard_negatives": dict(
        pbn_hiding=0.6, share_pbn=0.05, share_link_farm=0.02, share_comment_spam=0.03,
        share_hacked=0.02, share_paid_unqualified=0.02, share_reciprocal=0.02,
        share_parked=0.02, share_spam_theme=0.01, cdn_share=0.35, privacy_natural=0.85,
        natural_kinds=_d(blog=0.10, news=0.06, forum=0.05, university=0.10, directory=0.10,
                         aggregator=0.14, bibliography=0.10, new_site=0.15, shop=0.04,
                         foreign_press=0.08, blogroll=0.04, cdn_site=0.04)),
    "samples": dict(n_domains=60, seed=20260701, share_pbn=0.15, share_link_farm=0.05,
                    share_comment_spam=0.05, share_hacked=0.05, share_paid_unqualified=0.05,
                    share_reciprocal=0.05, share_parked=0.05, share_spam_theme=0.05,
                    pbn_size_min=5, pbn_size_max=9, dns_failure=0.03, http_failure=0.05),
}
