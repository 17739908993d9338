"""What the grouping returns: networks, memberships, ties, and the evidence a person checks."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from detector.network.rules import FootprintRules

__all__ = ["NetworkEvidence", "NetworkResult"]


@dataclass
class NetworkEvidence:
    """Why one network is a network, in the form a person can check."""

    network_id: int  #: the network's id (1 = largest)
    members: list[str]  #: its referring domains, sorted
    #: the footprints that tie it: ``kind, family, key, members`` (how many members hold
    #: the key), only keys held by at least two members, most shared first
    footprints: pd.DataFrame
    #: ``domain, first_seen`` of every member, oldest first (``first_seen`` NaT if unknown)
    timeline: pd.DataFrame
    #: the footprint kinds on its strong ties, most frequent first
    kinds: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One plain-language line: size, kinds, and the most shared footprints.

        >>> ev = NetworkEvidence(1, ["a.test", "b.test", "c.test"],
        ...     pd.DataFrame({"kind": ["ip24"], "family": ["hosting"], "key": ["127.4.2.0/24"], "members": [3]}),
        ...     pd.DataFrame({"domain": [], "first_seen": []}), ["ip24"])
        >>> ev.summary()
        'network 1: 3 referring domains tied by ip24 (IP block 127.4.2.0/24 on 3)'
        """
        from detector.network.explain import describe_key

        top = ", ".join(f"{describe_key(r.kind, r.key)} on {r.members}"
                        for r in self.footprints.head(3).itertuples())
        kinds = ", ".join(self.kinds) or "shared footprints"
        return f"network {self.network_id}: {len(self.members)} referring domains tied by {kinds}" + (
            f" ({top})" if top else "")


@dataclass
class NetworkResult:
    """Everything :func:`~detector.network.find_networks` found.

    Tables use plain columns so the CLI, the app and the model read them alike.
    """

    #: ``domain, network_id`` for every domain in a network (others are absent)
    memberships: pd.DataFrame
    #: one row per network: ``network_id, size, footprint_kinds, families, n_families,
    #: strong_ties, density, first_seen_min, first_seen_max``
    networks: pd.DataFrame
    #: network id -> its evidence
    evidence: dict[int, NetworkEvidence]
    #: every tie between two members of the same network: ``network_id, source, target,
    #: kinds, families, n_families, weight, declared_owner, strong``
    edges: pd.DataFrame
    #: one row per domain considered: ``domain, has_footprints, partners`` (domains it
    #: shares any distinctive footprint with), ``strong_ties``, ``declared_siblings``
    #: (domains sharing a declared-owner footprint such as a published registrant),
    #: ``attached`` (joined a network by its ties to the members together, see
    #: :attr:`FootprintRules.attach_min_members`)
    ties: pd.DataFrame
    #: keys left out as non-distinctive: ``kind, key, domains, reason``
    ignored_keys: pd.DataFrame
    #: the distinctive footprints used: ``domain, kind, key`` (keys held by 2+ domains)
    footprints: pd.DataFrame
    rules: FootprintRules = field(default_factory=FootprintRules)  #: the rules applied

    @property
    def network_ids(self) -> list[int]:
        """Ids of the networks, largest first."""
        return self.networks["network_id"].tolist()

    def members(self, network_id: int) -> list[str]:
        """The sorted member domains of one network."""
        return list(self.evidence[network_id].members)
