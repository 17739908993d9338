"""Hosting signals: what a referring domain's DNS says about where and how it is hosted.

Pure functions over DNS lookups (``Lookup.kind == "dns"``, see
:mod:`detector.enrich.dns`); no network. Private blog networks are often cheap hosting
bought in bulk, so several referring domains land on one /24 block or behind one set of
name servers. Sites behind a CDN or on a big platform (Cloudflare, Shopify,
WordPress.com ...) share blocks and name servers innocently, so addresses and name
servers in the shipped, sourced list ``detector/data/hosting_ranges.json`` never count as
a footprint; they set ``is_cdn_or_shared_host`` instead.

A failed lookup gives NaN features (unknown), never zeros. The range list is injectable
(``ranges=``) so tests and the synthetic world can declare their own CDN blocks.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from detector.enrich.base import Lookup
from detector.schema import DOMAIN, Feature

__all__ = [
    "HOSTING_FEATURES", "HostingRanges", "hosting_features", "hosting_footprints",
    "load_hosting_ranges", "FOOTPRINT_KINDS",
]

#: Footprint kinds returned by :func:`hosting_footprints`.
FOOTPRINT_KINDS = ("ip24", "ip48", "ns")

#: Kinds of range-list entries; all but ``parking`` mark innocent sharing.
RANGE_KINDS = ("cdn", "shared_host", "dns_provider", "parking")

_F = "hosting"
HOSTING_FEATURES: list[Feature] = [
    Feature("dns_nxdomain", "1 if the domain does not exist in DNS (NXDOMAIN), 0 if it resolves", _F),
    Feature("ip_count", "number of distinct IPv4 and IPv6 addresses the domain resolves to", _F),
    Feature("shared_ip_domains", "other referring domains on exactly the same address (CDN and shared hosts excluded)", _F),
    Feature("shared_ip24_domains", "other referring domains in the same IPv4 /24 block (CDN and shared hosts excluded)", _F),
    Feature("shared_ip48_domains", "other referring domains in the same IPv6 /48 block (CDN and shared hosts excluded)", _F),
    Feature("shared_ns_domains", "other referring domains with exactly the same name servers (big DNS providers excluded)", _F),
    Feature("is_cdn_or_shared_host", "1 if the site sits behind a known CDN or on a known shared platform", _F),
    Feature("parked_ns", "1 if a name server belongs to a domain-parking service", _F),
    Feature("missing_mx", "1 if the domain has no mail exchanger (no MX or a null MX)", _F),
    Feature("cname_to_platform", "1 if the domain or its www host is a CNAME to a known CDN or site platform", _F),
]
_COLUMNS = [f.name for f in HOSTING_FEATURES]


def _host_matches(host: str, suffixes: Iterable[str]) -> bool:
    return any(host == s or host.endswith("." + s) for s in suffixes)


@dataclass
class HostingRanges:
    """A compiled range list: which addresses, name servers and CNAME targets are whose.

    Build with :meth:`from_entries` (dicts shaped like the entries of
    ``hosting_ranges.json``) or :func:`load_hosting_ranges`; combine with ``+``.

    >>> ranges = HostingRanges.from_entries([
    ...     {"provider": "Test CDN", "kind": "cdn", "cidrs": ["127.200.0.0/16"]},
    ...     {"provider": "Test parking", "kind": "parking", "ns_suffixes": ["park.test"]}])
    >>> ranges.address_kind("127.200.3.4"), ranges.address_kind("127.1.1.1")
    ('cdn', None)
    >>> ranges.ns_kind("NS1.PARK.TEST.")
    'parking'
    """

    entries: list[dict[str, Any]] = field(default_factory=list)
    _nets: dict[int, dict[int, dict[int, str]]] = field(default_factory=dict, repr=False)
    _ns: list[tuple[str, str]] = field(default_factory=list, repr=False)
    _ns_regex: list[tuple[re.Pattern[str], str]] = field(default_factory=list, repr=False)
    _cname: list[tuple[str, str]] = field(default_factory=list, repr=False)
    _ns_map: dict[str, str] = field(default_factory=dict, repr=False)
    _cname_map: dict[str, str] = field(default_factory=dict, repr=False)
    _memo_ns: dict[str, str | None] = field(default_factory=dict, repr=False)
    _memo_cname: dict[str, str | None] = field(default_factory=dict, repr=False)
    _memo_address: dict[str, str | None] = field(default_factory=dict, repr=False)

    @classmethod
    def from_entries(cls, entries: Iterable[Mapping[str, Any]], *, origin: str = "ranges") -> "HostingRanges":
        """Compile entries; a bad entry raises ``ValueError`` naming ``origin`` and its index."""
        out = cls()
        for index, raw in enumerate(entries):
            entry = dict(raw)
            where = f"{origin}: entry {index} ({entry.get('provider', '?')})"
            kind = entry.get("kind")
            if kind not in RANGE_KINDS:
                raise ValueError(f"{where}: kind must be one of {RANGE_KINDS}, got {kind!r}")
            for cidr in entry.get("cidrs", []):
                try:
                    net = ipaddress.ip_network(cidr, strict=False)
                except ValueError as exc:
                    raise ValueError(f"{where}: bad CIDR {cidr!r}: {exc}") from None
                by_len = out._nets.setdefault(net.version, {}).setdefault(net.prefixlen, {})
                by_len[int(net.network_address) >> (net.max_prefixlen - net.prefixlen)] = kind
            out._ns += [(s.lower().strip(".").strip(), kind) for s in entry.get("ns_suffixes", [])]
            for pattern in entry.get("ns_regex", []):
                try:
                    out._ns_regex.append((re.compile(pattern, re.I), kind))
                except re.error as exc:
                    raise ValueError(f"{where}: bad ns_regex {pattern!r}: {exc}") from None
            out._cname += [(s.lower().strip(".").strip(), kind) for s in entry.get("cname_suffixes", [])]
            out.entries.append(entry)
        for suffix, kind in out._ns:  # first entry wins, as in the file's order
            out._ns_map.setdefault(suffix, kind)
        for suffix, kind in out._cname:
            out._cname_map.setdefault(suffix, kind)
        return out

    def __add__(self, other: "HostingRanges") -> "HostingRanges":
        return HostingRanges.from_entries(self.entries + other.entries)

    def address_kind(self, address: str) -> str | None:
        """The kind of the first range containing ``address`` (``None`` if none or not an address)."""
        if address in self._memo_address:
            return self._memo_address[address]
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return None
        kind = self._address_kind(ip)
        if len(self._memo_address) < 100_000:
            self._memo_address[address] = kind
        return kind

    def _address_kind(self, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        value = int(ip)
        bits = ip.max_prefixlen
        for prefixlen, nets in self._nets.get(ip.version, {}).items():
            kind = nets.get(value >> (bits - prefixlen))
            if kind is not None:
                return kind
        return None

    def ns_kind(self, host: str) -> str | None:
        """The kind of the entry a name-server host belongs to, or ``None``."""
        host = host.lower().rstrip(".")
        if host in self._memo_ns:
            return self._memo_ns[host]
        kind = _suffix_kind(host, self._ns_map)
        if kind is None:
            kind = next((k for pattern, k in self._ns_regex if pattern.search(host)), None)
        self._memo_ns[host] = kind
        return kind

    def cname_kind(self, host: str) -> str | None:
        """The kind of the entry a CNAME target belongs to, or ``None``."""
        host = host.lower().rstrip(".")
        if host not in self._memo_cname:
            self._memo_cname[host] = _suffix_kind(host, self._cname_map)
        return self._memo_cname[host]


def _suffix_kind(host: str, suffixes: Mapping[str, str]) -> str | None:
    """Kind of the longest listed suffix that ``host`` equals or ends with (``.``-aligned)."""
    labels = host.split(".")
    for i in range(len(labels)):
        kind = suffixes.get(".".join(labels[i:]))
        if kind is not None:
            return kind
    return None


_SHIPPED: HostingRanges | None = None


def load_hosting_ranges(path: str | None = None) -> HostingRanges:
    """The range list at ``path``, or the shipped ``detector/data/hosting_ranges.json``."""
    global _SHIPPED
    if path is None:
        if _SHIPPED is None:
            text = resources.files("detector").joinpath("data/hosting_ranges.json").read_text("utf-8")
            _SHIPPED = HostingRanges.from_entries(json.loads(text)["entries"],
                                                  origin="detector/data/hosting_ranges.json")
        return _SHIPPED
    with open(path, encoding="utf-8") as handle:
        return HostingRanges.from_entries(json.load(handle)["entries"], origin=str(path))


def _as_ranges(ranges: HostingRanges | Iterable[Mapping[str, Any]] | None) -> HostingRanges:
    if ranges is None:
        return load_hosting_ranges()
    if isinstance(ranges, HostingRanges):
        return ranges
    return HostingRanges.from_entries(ranges)


@lru_cache(maxsize=65536)
def _block(address: str) -> tuple[str, str] | None:
    """(``ip24``, ``a.b.c.0/24``) or (``ip48``, ``x:y:z::/48``) for an address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 4:
        return "ip24", str(ipaddress.ip_network(f"{ip}/24", strict=False))
    return "ip48", str(ipaddress.ip_network(f"{ip}/48", strict=False))


@dataclass
class _Facts:
    """One domain's hosting facts, ``None`` where unknown."""

    addresses: list[str] | None
    v6_known: bool
    ns: list[str] | None
    footprints: list[tuple[str, str]]  # (kind, key), innocents excluded
    cdn: float
    parked: float
    missing_mx: float
    platform_cname: float


def _facts(lookup: Lookup, ranges: HostingRanges) -> _Facts | None:
    if not lookup.ok:
        return None
    data = lookup.data
    v4 = data.get("a")
    v6 = data.get("aaaa")
    addresses = None if v4 is None else list(dict.fromkeys([*(v4 or []), *(v6 or [])]))
    ns = data.get("ns")
    mx = data.get("mx")
    chains = [*(data.get("cname_chain") or []), *(data.get("www_cname_chain") or [])]

    footprints: list[tuple[str, str]] = []
    address_kinds = [ranges.address_kind(a) for a in addresses or []]
    for address, kind in zip(addresses or [], address_kinds):
        if kind is None:
            footprints.append(("ip", address))
            block = _block(address)
            if block:
                footprints.append(block)
    cname_kinds = [ranges.cname_kind(h) for h in chains]
    cdn = any(k in ("cdn", "shared_host") for k in (*address_kinds, *cname_kinds))
    platform = any(k in ("cdn", "shared_host") for k in cname_kinds)
    parked: float = np.nan
    if ns is not None:
        hosts = sorted({h.lower().rstrip(".") for h in ns if h})
        ns_kinds = [ranges.ns_kind(h) for h in hosts]
        parked = float(any(k == "parking" for k in ns_kinds))
        cdn = cdn or any(k == "shared_host" for k in ns_kinds)
        if hosts and not any(ns_kinds):
            footprints.append(("ns", ",".join(hosts)))
    missing_mx: float = np.nan
    if mx is not None:
        real = [h for h in mx if h and h.strip(".")]
        missing_mx = float(not real)
    if addresses is not None and not addresses and not chains:
        cdn_value = 0.0
    else:
        cdn_value = float(cdn)
    return _Facts(addresses, v6 is not None, ns, footprints, cdn_value, parked, missing_mx,
                  float(platform))


def _shared_counts(footprints: Mapping[str, list[tuple[str, str]]]) -> dict[str, dict[str, int]]:
    """For each domain and footprint kind: how many OTHER domains share any key with it."""
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    for domain, prints in footprints.items():
        for kind_key in prints:
            members[kind_key].add(domain)
    counts: dict[str, dict[str, int]] = {}
    for domain, prints in footprints.items():
        by_kind: dict[str, list[set[str]]] = defaultdict(list)
        for kind_key in dict.fromkeys(prints):
            by_kind[kind_key[0]].append(members[kind_key])
        counts[domain] = {
            # one key of a kind (the usual case): its group size; several: their union
            kind: (len(groups[0]) - 1 if len(groups) == 1 else len(set().union(*groups)) - 1)
            for kind, groups in by_kind.items()}
    return counts


def hosting_features(lookups: Mapping[str, Lookup],
                     ranges: HostingRanges | Iterable[Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """One row per domain of ``lookups`` (DNS lookups), with a column per :data:`HOSTING_FEATURES`.

    "Other referring domains" means the other domains in ``lookups``: pass the lookups
    of every referring domain of the export together. ``ranges`` defaults to the shipped
    list; pass entries or a :class:`HostingRanges` to use another.

    >>> from detector.enrich.base import Lookup
    >>> dns = {d: Lookup(d, "dns", True, {"a": ["203.0.113.7"], "aaaa": [], "ns": ["ns1.cheap.example"],
    ...                                   "mx": [], "cname_chain": []}) for d in ("a.example", "b.example")}
    >>> dns["c.example"] = Lookup("c.example", "dns", False, error="timeout after 3s")
    >>> hosting_features(dns)[["domain", "shared_ip24_domains", "missing_mx"]]
          domain  shared_ip24_domains  missing_mx
    0  a.example                  1.0         1.0
    1  b.example                  1.0         1.0
    2  c.example                  NaN         NaN
    """
    table = _as_ranges(ranges)
    facts = {domain: _facts(lookup, table) for domain, lookup in lookups.items()}
    shared = _shared_counts({d: f.footprints for d, f in facts.items() if f is not None})
    rows: list[dict[str, Any]] = []
    for domain, lookup in lookups.items():
        f = facts[domain]
        row: dict[str, Any] = {DOMAIN: domain, **{c: np.nan for c in _COLUMNS}}
        if f is None:
            if lookup.error == "NXDOMAIN":
                row["dns_nxdomain"] = 1.0
            rows.append(row)
            continue
        counts = shared.get(domain, {})
        row.update(
            dns_nxdomain=0.0,
            ip_count=float(len(f.addresses)) if f.addresses is not None else np.nan,
            shared_ip_domains=float(counts.get("ip", 0)),
            shared_ip24_domains=float(counts.get("ip24", 0)),
            shared_ip48_domains=float(counts.get("ip48", 0)) if f.v6_known else np.nan,
            shared_ns_domains=float(counts.get("ns", 0)) if f.ns is not None else np.nan,
            is_cdn_or_shared_host=f.cdn,
            parked_ns=f.parked,
            missing_mx=f.missing_mx,
            cname_to_platform=f.platform_cname,
        )
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[DOMAIN, *_COLUMNS])
    frame[DOMAIN] = frame[DOMAIN].astype(pd.StringDtype())
    return frame.astype({c: "float64" for c in _COLUMNS})


def hosting_footprints(lookups: Mapping[str, Lookup],
                       ranges: HostingRanges | Iterable[Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """Per-domain hosting footprint keys for the network stage: ``domain, kind, key``.

    ``kind`` is ``ip24`` (key ``a.b.c.0/24``), ``ip48`` (key ``x:y:z::/48``) or ``ns``
    (key: the sorted name servers joined by commas). Addresses in CDN / shared-host
    ranges and name-server sets touching a big DNS provider, a platform or a parking
    service are left out: sharing them says nothing. Failed lookups give no rows.

    >>> from detector.enrich.base import Lookup
    >>> lk = Lookup("a.example", "dns", True, {"a": ["203.0.113.7", "104.16.1.1"], "aaaa": [],
    ...             "ns": ["ns2.x.example", "ns1.x.example"], "mx": [], "cname_chain": []})
    >>> hosting_footprints({"a.example": lk}).to_dict("records")  # 104.16/13 is Cloudflare's
    [{'domain': 'a.example', 'kind': 'ip24', 'key': '203.0.113.0/24'}, {'domain': 'a.example', 'kind': 'ns', 'key': 'ns1.x.example,ns2.x.example'}]
    """
    table = _as_ranges(ranges)
    rows = []
    for domain, lookup in lookups.items():
        f = _facts(lookup, table)
        if f is None:
            continue
        for kind, key in dict.fromkeys(f.footprints):
            if kind in FOOTPRINT_KINDS:
                rows.append((domain, kind, key))
    frame = pd.DataFrame(rows, columns=[DOMAIN, "kind", "key"])
    return frame.astype(pd.StringDtype())
