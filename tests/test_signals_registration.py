"""Registration signals over hand-made registration lookups (no network)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from detector.enrich.base import Lookup
from detector.enrich.rdap import parse_rdap_domain
from detector.enrich.whois43 import parse_whois
from detector.schema import Feature
from detector.signals.registration import (
    REGISTRATION_FEATURES,
    registrant_key,
    registrar_key,
    registration_features,
    registration_footprints,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOW = pd.Timestamp("2026-07-01T00:00:00Z")


def reg(domain: str, **fields) -> Lookup:
    data = {"source": "rdap", "created": None, "expires": None, "updated": None, "transferred": None,
            "registrar": None, "registrant_name": None, "registrant_org": None, "privacy": None,
            "name_servers": [], "status": [], "notes": []}
    data.update(fields)
    return Lookup(domain, "registration", True, data)


def by_domain(frame: pd.DataFrame) -> dict[str, dict]:
    return frame.set_index("domain").to_dict("index")


def test_feature_list_matches_columns_and_is_documented():
    frame = registration_features({"a.test": reg("a.test")}, {}, NOW)
    names = [f.name for f in REGISTRATION_FEATURES]
    assert list(frame.columns) == ["domain", *names]
    assert len(set(names)) == len(names)
    assert all(isinstance(f, Feature) and f.family == "registration" and f.description for f in REGISTRATION_FEATURES)
    assert all(frame[c].dtype == np.float64 for c in names)


def test_ages_dates_and_expired_domain_reuse():
    lookups = {
        "old.test": reg("old.test", created="2016-07-01T00:00:00+00:00", expires="2026-07-11T00:00:00+00:00",
                        updated="2026-06-21T00:00:00+00:00", transferred="2026-05-02T00:00:00+00:00"),
        "reused.test": reg("reused.test", created="2025-01-01T00:00:00+00:00"),
        "nodate.test": reg("nodate.test", registrar="X"),
    }
    first_seen = {"old.test": pd.Timestamp("2020-07-01"),  # naive = UTC
                  "reused.test": pd.Timestamp("2023-05-01T12:00:00Z"),
                  "nodate.test": pd.Timestamp("2024-01-01")}
    rows = by_domain(registration_features(lookups, first_seen, NOW))
    old, reused, nodate = rows["old.test"], rows["reused.test"], rows["nodate.test"]
    assert old["reg_age_days"] == (NOW - pd.Timestamp("2016-07-01", tz="UTC")).days == 3652
    assert old["reg_age_at_first_link_days"] == 1461
    assert old["reg_newer_than_first_link"] == 0.0
    assert old["reg_days_to_expiry"] == 10.0
    assert old["reg_days_since_update"] == 10.0
    assert old["reg_days_since_transfer"] == 60.0
    assert reused["reg_newer_than_first_link"] == 1.0 and reused["reg_age_at_first_link_days"] < 0
    # a record without dates: every date feature is unknown, not zero
    for col in ("reg_age_days", "reg_age_at_first_link_days", "reg_newer_than_first_link",
                "reg_days_since_update", "reg_days_since_transfer", "reg_days_to_expiry"):
        assert math.isnan(nodate[col]), col
    assert nodate["reg_not_registered"] == 0.0


def test_missing_first_seen_and_failed_lookups_give_nan():
    lookups = {
        "a.test": reg("a.test", created="2020-01-01T00:00:00+00:00", privacy=True, registrar="R"),
        "gone.test": Lookup("gone.test", "registration", False, {"source": "rdap"},
                            error="not registered (RDAP 404 from https://rdap.test/)"),
        "slow.test": Lookup("slow.test", "registration", False, {}, error="rdap: timeout; whois: timeout"),
    }
    rows = by_domain(registration_features(lookups, None, NOW))
    assert math.isnan(rows["a.test"]["reg_newer_than_first_link"])
    assert rows["a.test"]["reg_private"] == 1.0
    assert rows["gone.test"]["reg_not_registered"] == 1.0
    assert math.isnan(rows["slow.test"]["reg_not_registered"])
    for domain in ("gone.test", "slow.test"):
        others = {k: v for k, v in rows[domain].items() if k != "reg_not_registered"}
        assert all(math.isnan(v) for v in others.values()), domain


def test_shared_registrar_week_and_registrant_counts_others_only():
    lookups = {
        # three PBN-ish domains: same registrar (spelled differently), same ISO week, one owner
        "p1.test": reg("p1.test", registrar="Cheap Names LLC", created="2025-03-03T01:00:00Z",  # Monday W10
                       registrant_org="Link Farm Ltd", privacy=False),
        "p2.test": reg("p2.test", registrar="CHEAP NAMES, LLC.", created="2025-03-09T23:00:00Z",  # Sunday W10
                       registrant_org="LINK FARM LTD.", privacy=False),
        "p3.test": reg("p3.test", registrar="Cheap Names LLC", created="2025-03-10T00:00:00Z",  # Monday W11
                       registrant_name="REDACTED FOR PRIVACY", privacy=True),
        "big.test": reg("big.test", registrar="MarkMonitor Inc.", created="2025-03-04T00:00:00Z",
                        registrant_org="Link Farm Ltd", privacy=False),
        "unknown.test": reg("unknown.test"),
    }
    rows = by_domain(registration_features(lookups, {}, NOW))
    assert rows["p1.test"]["reg_registrar_shared_domains"] == 2.0
    assert rows["big.test"]["reg_registrar_shared_domains"] == 0.0
    assert rows["p1.test"]["reg_registrar_week_shared_domains"] == 1.0
    assert rows["p3.test"]["reg_registrar_week_shared_domains"] == 0.0
    assert rows["p1.test"]["reg_registrant_shared_domains"] == 2.0  # p2 and big
    assert math.isnan(rows["p3.test"]["reg_registrant_shared_domains"])  # redacted: unknown
    assert math.isnan(rows["unknown.test"]["reg_registrar_shared_domains"])
    assert math.isnan(rows["unknown.test"]["reg_private"])
    assert rows["p3.test"]["reg_private"] == 1.0 and rows["p1.test"]["reg_private"] == 0.0


def test_footprints_for_the_network_stage():
    lookups = {
        "p1.test": reg("p1.test", registrar="Cheap Names LLC", created="2025-03-03T01:00:00Z",
                       registrant_org="Link Farm Ltd", privacy=False),
        "p3.test": reg("p3.test", registrar="Cheap Names LLC", created="2025-03-10T00:00:00Z",
                       registrant_org="Domains By Proxy, LLC", privacy=True),
        "bad.test": Lookup("bad.test", "registration", False, error="timeout"),
    }
    frame = registration_footprints(lookups)
    assert list(frame.columns) == ["domain", "kind", "key"]
    got = set(map(tuple, frame.to_numpy().tolist()))
    assert got == {("p1.test", "registrant", "link farm ltd"),
                   ("p1.test", "registrar_week", "cheap names|2025-W10"),
                   ("p3.test", "registrar_week", "cheap names|2025-W11")}
    empty = registration_footprints({})
    assert list(empty.columns) == ["domain", "kind", "key"] and len(empty) == 0


def test_keys_normalise_spellings():
    assert registrar_key("NameCheap, Inc.") == registrar_key("Namecheap Inc") == "namecheap"
    assert registrar_key("  ") is None
    assert registrant_key({"registrant_org": "Withheld for Privacy ehf", "privacy": False}) is None
    assert registrant_key({"registrant_org": None, "registrant_name": "Jane Roe", "privacy": False}) == "jane roe"


def test_features_from_parsed_rdap_and_whois_records_survive_a_cache_round_trip():
    rdap = parse_rdap_domain("cheap-links-blog.net", (FIXTURES / "rdap" / "privacy_service.json").read_text())
    whois = parse_whois("google.com", (FIXTURES / "whois" / "responses" / "google.com").read_text())
    lookups = {
        "cheap-links-blog.net": Lookup("cheap-links-blog.net", "registration", True, rdap),
        "google.com": Lookup("google.com", "registration", True, whois),
    }
    lookups = {d: Lookup.from_json(json.loads(json.dumps(lk.to_json()))) for d, lk in lookups.items()}
    rows = by_domain(registration_features(lookups, {"cheap-links-blog.net": pd.Timestamp("2024-02-01")}, NOW))
    blog, google = rows["cheap-links-blog.net"], rows["google.com"]
    assert blog["reg_newer_than_first_link"] == 1.0 and blog["reg_private"] == 1.0
    assert blog["reg_days_to_expiry"] < 0  # expired 2026-05-12
    assert google["reg_age_days"] > 10_000 and math.isnan(google["reg_private"])
