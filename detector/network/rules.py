"""The grouping rules: footprint families, weights and thresholds, in one dataclass.

A footprint is a ``(kind, key)`` value a referring domain shows (``ip24``,
``127.4.2.0/24``). Kinds fall into FAMILIES of footprints that are NOT independent of
each other: two sites on one /24 usually also share name servers, so ``ip24`` and ``ns``
agreeing is one piece of evidence, not two. A pair of domains is tied STRONGLY only when
at least :attr:`FootprintRules.min_families` families agree and the summed family weight
reaches :attr:`FootprintRules.min_edge_weight`; networks are the connected groups of
strong ties with at least :attr:`FootprintRules.min_network_size` members.

The reasons behind every number are in ``docs/network.md``.

>>> rules = FootprintRules()
>>> rules.family_of("ip24"), rules.family_of("analytics_id"), rules.family_of("brand_new_kind")
('hosting', 'content', 'other')
>>> rules.weight_of("brand_new_kind") == rules.default_weight
True
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

__all__ = ["FootprintRules", "DEFAULT_FAMILIES", "DEFAULT_WEIGHTS", "INTERLINK_KIND"]

#: Kind used for links between referring domains themselves (an edge, not a shared key).
INTERLINK_KIND = "interlink"

#: Footprint kind -> family. Kinds in one family are correlated; families are (roughly)
#: independent evidence. Unknown kinds fall into the family ``other``.
DEFAULT_FAMILIES: Mapping[str, str] = {
    # hosting: from DNS (detector.signals.hosting)
    "ip24": "hosting", "ip48": "hosting", "ns": "hosting",
    # registration: from RDAP / WHOIS (detector.signals.registration)
    "registrant": "registration", "registrar_week": "registration",
    # content: from fetched pages (detector.signals.content)
    "analytics_id": "content", "template": "content", "near_duplicate_text": "content",
    "minhash_bucket": "content",
    # export: from the backlink export itself (detector.network.export_footprints)
    "title_pattern": "export", "path_scheme": "export", "first_seen_burst": "export",
    # links between the referring domains themselves
    INTERLINK_KIND: "links",
}

#: Footprint kind -> weight: how specific to ONE operator a shared value of that kind is.
#: 1.0 = as telling as a private /24; more = an owner's account or copied text; less =
#: something strangers share by coincidence now and then.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "ip24": 1.0, "ip48": 1.0, "ns": 1.0,
    "registrant": 1.5, "registrar_week": 0.75,
    "analytics_id": 1.5, "near_duplicate_text": 1.5, "minhash_bucket": 1.5, "template": 0.5,
    "title_pattern": 0.75, "path_scheme": 0.5, "first_seen_burst": 0.5,
    INTERLINK_KIND: 0.75,
}


@dataclass(frozen=True)
class FootprintRules:
    """Every threshold of the grouping, with the defaults argued in ``docs/network.md``.

    (Named so as not to clash with :class:`detector.enrich.base.NetworkConfig`, which
    configures network CLIENTS.)
    """

    #: kind -> family; kinds not listed belong to :attr:`default_family`
    families: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_FAMILIES))
    #: kind -> weight; kinds not listed weigh :attr:`default_weight`
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    default_family: str = "other"  #: family of a kind no one has declared
    default_weight: float = 0.75  #: weight of a kind no one has declared
    #: a key held by more domains than this is not distinctive (a big host, a popular
    #: theme, a burst of thousands) and is ignored; it also bounds the pair work per key
    max_key_domains: int = 200
    #: also ignore keys held by more than this share of all domains (0-1; ``None`` = no
    #: share cap): in a 300-domain export a key on 40 % of them (WordPress's default
    #: permalinks, a big host's name servers) tells nothing. Never below ``min_key_cap``.
    max_key_share: float | None = 0.10
    min_key_cap: int = 25  #: floor of the share-based cap (see ``max_key_share``)
    #: links FROM a domain that links to more than this many other referring domains are
    #: ignored: directories, aggregators, blogrolls and link farms link to everyone
    max_interlink_out_degree: int = 10
    #: (kind, key) values never to count (known big providers the producers missed)
    ignored_keys: frozenset[tuple[str, str]] = frozenset()
    min_families: int = 2  #: K: distinct families that must agree for a strong tie
    min_edge_weight: float = 2.0  #: summed family weight a strong tie needs
    min_network_size: int = 3  #: smallest group reported as a network
    #: an outsider joins a network when the network's own keys it holds (keys held by at
    #: least this many members, who are at least half of the key's holders) TOGETHER pass
    #: the strong-tie rule (0 = never attach)
    attach_min_members: int = 2
    #: kinds that DECLARE ownership when shared (a published, non-privacy registrant):
    #: a pair sharing one is an openly-run organisation's sister sites, so their other
    #: shared footprints are explained and the pair is never a strong tie. Set to ``()``
    #: to count the registrant as ordinary registration evidence instead.
    declared_owner_kinds: tuple[str, ...] = ("registrant",)

    def family_of(self, kind: str) -> str:
        """The family of a footprint kind (unknown kinds: :attr:`default_family`)."""
        return self.families.get(kind, self.default_family)

    def weight_of(self, kind: str) -> float:
        """The weight of a footprint kind (unknown kinds: :attr:`default_weight`)."""
        return float(self.weights.get(kind, self.default_weight))

    def key_cap(self, n_domains: int) -> int:
        """Most domains a key may be held by and still count, for ``n_domains`` domains.

        >>> FootprintRules().key_cap(100_000), FootprintRules().key_cap(1_000), FootprintRules().key_cap(100)
        (200, 100, 25)
        >>> FootprintRules(max_key_share=None).key_cap(100)
        200
        """
        cap = self.max_key_domains
        if self.max_key_share is not None:
            cap = min(cap, max(self.min_key_cap, int(self.max_key_share * n_domains)))
        return cap

    def with_(self, **changes: Any) -> "FootprintRules":
        """A copy with some fields changed (``rules.with_(min_families=3)``)."""
        return replace(self, **changes)
