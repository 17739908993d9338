"""Networks on synthetic worlds (detector.simulate) of increasing difficulty.

The footprints here are read straight from the world's tables (its hosting, registration
and page facts, in the shape the producers emit), so the test runs in seconds; the full
served evaluation (exports read back, DNS / RDAP / WHOIS / pages served on loopback and
enriched, the real producers) is ``benchmarks/bench_network.py --simulate``, whose
figures are in ``docs/network.md``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from detector.network import find_networks, score_grouping
from detector.simulate import WorldConfig, generate_world


def table_footprints(world) -> pd.DataFrame:
    """``domain, kind, key`` from the world's facts about each referring domain."""
    d = world.referring
    rows = []

    def add(kind: str, keys: pd.Series) -> None:
        keys = pd.Series(keys, index=d.index)
        ok = keys.notna()
        rows.append(pd.DataFrame({"domain": d["domain"][ok], "kind": kind, "key": keys[ok].astype(str)}))

    ip = d["ip"].astype("string")
    add("ip24", ip.str.rsplit(".", n=1).str[0] + ".0/24")
    add("ns", d["ns"].astype("string").map(lambda s: ",".join(sorted(s.split())) if isinstance(s, str) else None))
    iso = pd.to_datetime(d["created"], utc=True).dt.isocalendar()
    add("registrar_week", d["registrar"].astype("string").str.lower() + "|" + iso["year"].astype("string")
        + "-W" + iso["week"].astype("string").str.zfill(2))
    add("registrant", d["registrant_org"].where(~d["privacy"].astype(bool)))
    for column in ("ga_ua", "ga4", "gtm", "adsense"):
        add("analytics_id", d[column])
    add("template", d["cms"].astype("string") + ":" + d["theme"].astype("string"))
    return pd.concat(rows, ignore_index=True)


def grouped(preset: str, n: int, seed: int, **changes):
    world = generate_world(WorldConfig.preset(preset, n_domains=n, seed=seed).with_(**changes))
    result = find_networks(table_footprints(world), domains=world.referring["domain"])
    truth = world.labels().set_index("domain")["network_id"]
    return result, score_grouping(result.memberships, truth)


@pytest.mark.parametrize("n, seed", [(600, 3), (3000, 3), (3000, 4)])
def test_hard_negative_world_without_pbns_has_no_network(n, seed):
    result, _ = grouped("hard_negatives", n, seed, share_pbn=0.0)
    assert result.memberships.empty, result.networks


def test_easy_world_networks_match_the_planted_pbns():
    _, scores = grouped("easy", 3000, 3)
    assert scores["ari"] >= 0.9
    assert scores["pairwise_precision"] >= 0.98
    assert scores["networks_found"] == scores["networks_true"]


def test_harder_worlds_lose_recall_not_precision():
    results = {preset: grouped(preset, 3000, 3)[1] for preset in ("easy", "medium", "hard")}
    for scores in results.values():
        assert scores["pairwise_precision"] >= 0.95
    assert results["easy"]["pairwise_recall"] >= results["medium"]["pairwise_recall"] >= results["hard"]["pairwise_recall"]
    assert results["medium"]["ari"] >= 0.5
