"""Hosting signals from DNS lookups: sharing counts, CDN exclusion, parking, MX, platforms."""

from __future__ import annotations

import json
import math
from importlib import resources

import ipaddress
import pytest

from detector.enrich.base import Lookup
from detector.schema import Feature
from detector.signals.hosting import (
    HOSTING_FEATURES, HostingRanges, hosting_features, hosting_footprints, load_hosting_ranges)

SIM_RANGES = [
    {"provider": "Sim CDN", "kind": "cdn", "cidrs": ["127.200.0.0/16", "fd00:cd::/32"],
     "cname_suffixes": ["simcdn.test"]},
    {"provider": "Sim DNS", "kind": "dns_provider", "ns_suffixes": ["bigdns.test"]},
    {"provider": "Sim parking", "kind": "parking", "ns_suffixes": ["parkit.test"]},
    {"provider": "Sim blogs", "kind": "shared_host", "cidrs": ["127.201.1.0/24"],
     "ns_suffixes": ["blogs.test"], "cname_suffixes": ["blogs.test"]},
]


def dns(domain, a=(), aaaa=(), ns=(), mx=("mx.x.test",), cname=(), www=(), **extra):
    data = {"a": list(a), "aaaa": None if aaaa is None else list(aaaa), "ns": None if ns is None else list(ns),
            "mx": None if mx is None else list(mx), "cname_chain": list(cname), "www_cname_chain": list(www)}
    data.update(extra)
    return Lookup(domain, "dns", True, data)


def world():
    lookups = [
        # a PBN: three domains on one cheap /24, two on the very same address, same NS pair
        dns("pbn1.test", a=["127.10.1.5"], ns=["ns1.cheap.test", "ns2.cheap.test"]),
        dns("pbn2.test", a=["127.10.1.5"], ns=["ns2.cheap.test", "ns1.cheap.test"]),
        dns("pbn3.test", a=["127.10.1.77"], aaaa=["fd12:3456:789a:1::5"], ns=["ns1.cheap.test", "ns2.cheap.test"], mx=[]),
        dns("pbn4.test", a=["127.11.0.1"], aaaa=["fd12:3456:789a:2::9"], ns=["ns1.other.test"]),
        # innocent: behind the CDN, on the big DNS provider
        dns("cdn1.test", a=["127.200.4.1"], ns=["a.bigdns.test", "b.bigdns.test"]),
        dns("cdn2.test", a=["127.200.4.1"], ns=["a.bigdns.test", "b.bigdns.test"]),
        dns("cdn3.test", a=["127.200.4.2"], aaaa=["fd00:cd::1"], ns=["a.bigdns.test", "b.bigdns.test"]),
        # platform by CNAME on www, platform by NS
        dns("shop.test", a=["127.201.1.9"], www=["shops.blogs.test"], ns=["ns1.blogs.test"]),
        # parked
        dns("parked1.test", a=["127.30.0.1"], ns=["ns1.parkit.test", "ns2.parkit.test"], mx=["."]),
        dns("parked2.test", a=["127.30.0.1"], ns=["ns1.parkit.test", "ns2.parkit.test"], mx=None),
        # failures
        Lookup("gone.test", "dns", False, error="NXDOMAIN"),
        Lookup("slow.test", "dns", False, error="timeout after 3s"),
    ]
    return {lk.domain: lk for lk in lookups}


@pytest.fixture
def features():
    frame = hosting_features(world(), ranges=SIM_RANGES)
    return frame.set_index("domain")


def test_columns_match_declared_features(features):
    assert list(features.columns) == [f.name for f in HOSTING_FEATURES]
    assert all(isinstance(f, Feature) and f.family == "hosting" and f.description for f in HOSTING_FEATURES)
    assert all(str(t) == "float64" for t in features.dtypes)
    assert len(features) == len(world())


def test_sharing_counts_other_domains(features):
    f = features
    assert f.loc["pbn1.test", "shared_ip_domains"] == 1  # pbn2 on the same address
    assert f.loc["pbn1.test", "shared_ip24_domains"] == 2  # pbn2 and pbn3 in 127.10.1.0/24
    assert f.loc["pbn3.test", "shared_ip24_domains"] == 2
    assert f.loc["pbn4.test", "shared_ip24_domains"] == 0
    assert f.loc["pbn3.test", "shared_ip48_domains"] == 1  # fd12:3456:789a::/48 with pbn4
    assert f.loc["pbn1.test", "shared_ns_domains"] == 2  # NS order does not matter
    assert f.loc["pbn4.test", "shared_ns_domains"] == 0
    # parked domains share an address but parking NS is not a footprint
    assert f.loc["parked1.test", "shared_ns_domains"] == 0


def test_cdn_and_big_dns_do_not_count_as_footprints(features):
    f = features
    for d in ("cdn1.test", "cdn2.test", "cdn3.test"):
        assert f.loc[d, "is_cdn_or_shared_host"] == 1
        assert f.loc[d, "shared_ip_domains"] == 0
        assert f.loc[d, "shared_ip24_domains"] == 0
        assert f.loc[d, "shared_ns_domains"] == 0
    assert f.loc["cdn3.test", "shared_ip48_domains"] == 0
    assert f.loc["pbn1.test", "is_cdn_or_shared_host"] == 0
    assert f.loc["shop.test", "is_cdn_or_shared_host"] == 1
    assert f.loc["shop.test", "cname_to_platform"] == 1
    assert f.loc["cdn1.test", "cname_to_platform"] == 0


def test_parked_mx_and_unknowns(features):
    f = features
    assert f.loc["parked1.test", "parked_ns"] == 1 and f.loc["pbn1.test", "parked_ns"] == 0
    assert f.loc["parked1.test", "missing_mx"] == 1  # null MX
    assert f.loc["pbn3.test", "missing_mx"] == 1 and f.loc["pbn1.test", "missing_mx"] == 0
    assert math.isnan(f.loc["parked2.test", "missing_mx"])  # MX query failed: unknown
    assert f.loc["pbn1.test", "shared_ip48_domains"] == 0  # AAAA known to be empty
    assert f.loc["pbn1.test", "ip_count"] == 1 and f.loc["pbn3.test", "ip_count"] == 2


def test_failures_are_nan_except_nxdomain_flag(features):
    gone = features.loc["gone.test"]
    assert gone["dns_nxdomain"] == 1
    assert gone.drop("dns_nxdomain").isna().all()
    assert features.loc["slow.test"].isna().all()
    assert features.loc["pbn1.test", "dns_nxdomain"] == 0


def test_unknown_aaaa_or_ns_gives_nan_for_that_block_only():
    lookups = {"a.test": dns("a.test", a=["127.5.5.5"], aaaa=None, ns=None),
               "b.test": dns("b.test", a=["127.5.5.6"], ns=None)}
    f = hosting_features(lookups, ranges=[]).set_index("domain")
    assert f.loc["a.test", "shared_ip24_domains"] == 1
    assert math.isnan(f.loc["a.test", "shared_ip48_domains"])
    assert math.isnan(f.loc["a.test", "shared_ns_domains"]) and math.isnan(f.loc["a.test", "parked_ns"])


def test_footprints_exclude_innocent_sharing():
    prints = hosting_footprints(world(), ranges=SIM_RANGES)
    assert list(prints.columns) == ["domain", "kind", "key"]
    assert set(prints["kind"]) <= {"ip24", "ip48", "ns"}
    by = {(d, k): set(prints[(prints.domain == d) & (prints.kind == k)]["key"])
          for d, k in zip(prints.domain, prints.kind)}
    assert by[("pbn1.test", "ip24")] == {"127.10.1.0/24"}
    assert by[("pbn1.test", "ns")] == {"ns1.cheap.test,ns2.cheap.test"}
    assert by[("pbn3.test", "ip48")] == {"fd12:3456:789a::/48"}
    assert not prints["domain"].isin(["cdn1.test", "cdn2.test", "cdn3.test", "gone.test", "slow.test"]).any()
    assert ("parked1.test", "ns") not in by and ("parked1.test", "ip24") in by
    assert ("shop.test", "ip24") not in by and ("shop.test", "ns") not in by


def test_empty_input():
    assert hosting_features({}).empty
    assert list(hosting_features({}).columns) == ["domain", *[f.name for f in HOSTING_FEATURES]]
    assert hosting_footprints({}).empty


def test_bad_range_entries_are_explained():
    with pytest.raises(ValueError, match="entry 0 .*kind"):
        HostingRanges.from_entries([{"provider": "x", "kind": "nope"}])
    with pytest.raises(ValueError, match="bad CIDR"):
        HostingRanges.from_entries([{"provider": "x", "kind": "cdn", "cidrs": ["300.1.1.0/24"]}])


def test_shipped_list_is_sourced_and_recognises_known_ranges():
    raw = json.loads(resources.files("detector").joinpath("data/hosting_ranges.json").read_text("utf-8"))
    assert raw["as_of"] and "NOT fetched" in raw["retrieved"]
    for entry in raw["entries"]:
        assert entry["provider"] and entry["source"], entry
        assert entry["kind"] in {"cdn", "shared_host", "dns_provider", "parking"}
        assert entry.get("cidrs") or entry.get("ns_suffixes") or entry.get("ns_regex") or entry.get("cname_suffixes")
        for cidr in entry.get("cidrs", []):
            assert not ipaddress.ip_network(cidr).overlaps(ipaddress.ip_network("127.0.0.0/8"))
    shipped = load_hosting_ranges()
    assert shipped.address_kind("104.16.5.5") == "cdn"  # Cloudflare
    assert shipped.address_kind("2606:4700::1111") == "cdn"
    assert shipped.address_kind("151.101.1.69") == "cdn"  # Fastly
    assert shipped.address_kind("23.227.38.65") == "shared_host"  # Shopify
    assert shipped.address_kind("192.0.78.24") == "shared_host"  # WordPress.com
    assert shipped.address_kind("127.0.0.1") is None and shipped.address_kind("8.8.8.8") is None
    assert shipped.ns_kind("kate.ns.cloudflare.com") == "dns_provider"
    assert shipped.ns_kind("ns-123.awsdns-45.co.uk") == "dns_provider"
    assert shipped.ns_kind("ns1.sedoparking.com") == "parking"
    assert shipped.ns_kind("ns1.notsedoparking.com.evil") is None
    assert shipped.cname_kind("shops.myshopify.com") == "shared_host"
    assert shipped.cname_kind("e123.a.akamaiedge.net") == "cdn"


def test_ranges_combine():
    combined = load_hosting_ranges() + HostingRanges.from_entries(SIM_RANGES)
    assert combined.address_kind("127.200.0.1") == "cdn"
    assert combined.address_kind("104.16.0.1") == "cdn"


def test_domain_on_several_blocks_counts_each_other_domain_once():
    lookups = {
        "m.test": dns("m.test", a=["127.40.1.1", "127.41.1.1"]),
        "x.test": dns("x.test", a=["127.40.1.2"]),
        "y.test": dns("y.test", a=["127.41.1.2"]),
        "z.test": dns("z.test", a=["127.40.1.3", "127.41.1.3"]),
    }
    f = hosting_features(lookups, ranges=[]).set_index("domain")["shared_ip24_domains"]
    assert f.to_dict() == {"m.test": 3, "x.test": 2, "y.test": 2, "z.test": 3}
