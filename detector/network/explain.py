"""Plain-language evidence: sentences per domain, and a network as nodes and edges to plot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from detector.network.result import NetworkResult
from detector.network.rules import INTERLINK_KIND
from detector.schema import DOMAIN

__all__ = ["describe_key", "domain_evidence", "network_graph"]

_LABELS = {
    "ip24": "IP block {key}", "ip48": "IPv6 block {key}", "ns": "name servers {key}",
    "registrant": "registrant \u201c{key}\u201d", "analytics_id": "analytics ID {key}",
    "template": "site template {key}", "near_duplicate_text": "near-duplicate page text",
    "minhash_bucket": "near-duplicate page text", "title_pattern": "page-title pattern \u201c{key}\u201d",
    "path_scheme": "URL path scheme {key}", "first_seen_burst": "first-seen burst of {key}",
}


def describe_key(kind: str, key: str) -> str:
    """A footprint value in words.

    >>> describe_key("ip24", "127.4.2.0/24")
    'IP block 127.4.2.0/24'
    >>> describe_key("registrar_week", "cheap names|2024-W09")
    'registrar cheap names in registration week 2024-W09'
    >>> describe_key("favicon_hash", "abc")
    'favicon_hash abc'
    """
    if kind == "registrar_week" and "|" in key:
        registrar, week = key.rsplit("|", 1)
        return f"registrar {registrar} in registration week {week}"
    template = _LABELS.get(kind)
    return template.format(key=key) if template else f"{kind} {key}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def domain_evidence(result: NetworkResult, *, max_keys: int = 4) -> dict[str, list[str]]:
    """Sentences a person can check, for every domain in a network.

    The first says which network and how large; the second names the most shared
    footprints the domain holds and with how many other members it shares them; a third
    mentions links between members when there are any.
    """
    out: dict[str, list[str]] = {}
    if result.memberships.empty:
        return out
    net_of = dict(zip(result.memberships[DOMAIN], result.memberships["network_id"]))
    prints = result.footprints[result.footprints[DOMAIN].isin(net_of)].copy()
    prints["network_id"] = prints[DOMAIN].map(net_of)
    holders = prints.groupby(["network_id", "kind", "key"])[DOMAIN].agg(set)
    holders = holders[holders.map(len) >= 2]
    held_by: dict[str, list[tuple[int, str, str, set[str]]]] = {}
    for (network_id, kind, key), members in holders.items():
        for member in members:
            held_by.setdefault(member, []).append((len(members), kind, key, members))
    links = result.edges[result.edges["kinds"].str.contains(INTERLINK_KIND, regex=False)]
    linked: dict[str, set[str]] = {}
    for a, b in zip(links["source"], links["target"]):
        linked.setdefault(a, set()).add(b)
        linked.setdefault(b, set()).add(a)
    for domain, network_id in net_of.items():
        ev = result.evidence[int(network_id)]
        sentences = [f"member of network {network_id}: {len(ev.members)} referring domains tied by "
                     f"{_join(ev.kinds) if ev.kinds else 'shared footprints'}"]
        keys = sorted(held_by.get(domain, []), key=lambda t: (-t[0], t[1], t[2]))[:max_keys]
        if keys:
            others = set().union(*(t[3] for t in keys)) - {domain}
            sentences.append(f"shares {_join([describe_key(t[1], t[2]) for t in keys])} with "
                             f"{len(others)} other referring domain{'s' if len(others) != 1 else ''}")
        if domain in linked:
            n = len(linked[domain])
            sentences.append(f"links to or from {n} other member{'s' if n != 1 else ''} of the network")
        out[str(domain)] = sentences
    return out


def network_graph(result: NetworkResult, network_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One network as ``(nodes, edges)`` for plotting.

    ``nodes``: ``domain, strong_ties, centrality, first_seen``; ``edges``: ``source,
    target, kinds, families, n_families, weight, strong`` (every tie between two members,
    weak ones included so a person sees what else they share).
    """
    if network_id not in result.evidence:
        raise KeyError(f"no network {network_id!r}; networks are {result.network_ids}")
    ev = result.evidence[network_id]
    edges = result.edges[result.edges["network_id"] == network_id].drop(columns="network_id").reset_index(drop=True)
    strong = edges[edges["strong"]]
    degree = pd.concat([strong["source"], strong["target"]]).value_counts()
    size = len(ev.members)
    nodes = pd.DataFrame({DOMAIN: pd.array(ev.members, dtype="string")})
    nodes["strong_ties"] = nodes[DOMAIN].map(degree).fillna(0).astype(np.int64)
    nodes["centrality"] = nodes["strong_ties"] / max(size - 1, 1)
    times = ev.timeline.set_index(DOMAIN)["first_seen"]
    nodes["first_seen"] = pd.to_datetime(nodes[DOMAIN].map(times), utc=True)
    return nodes, edges
