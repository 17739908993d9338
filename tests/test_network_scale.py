"""Scale: 20,000 domains with realistic footprint frames are grouped quickly, without an
all-pairs comparison, and the planted networks come out with high precision.
(The 100,000-domain figures come from ``benchmarks/bench_network.py``.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from detector.network import find_networks, network_features, score_grouping

_BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_network.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_network", _BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_twenty_thousand_domains_grouped_precisely():
    """Speed is measured by benchmarks/bench_network.py (docs/network.md), not asserted here."""
    footprints, truth = _bench_module().synthetic_footprints(20_000, seed=3)
    assert len(footprints) > 60_000
    result = find_networks(footprints, domains=truth.index)
    features = network_features(result)
    assert len(features) == 20_000
    scores = score_grouping(result.memberships, truth)
    assert scores["pairwise_precision"] >= 0.98
    assert scores["pairwise_recall"] >= 0.5  # members hiding all but one family cannot be found
    assert scores["ari"] >= 0.6
    # the popular keys (big hosts, themes, the attack burst) were set aside, not expanded
    assert (result.ignored_keys["domains"] > result.rules.key_cap(20_000)).all()
    assert {"ip24", "template", "first_seen_burst"} <= set(result.ignored_keys["kind"])


def test_a_huge_key_costs_nothing():
    """50,000 domains on one key: ignored before any pair is formed (no 1.25e9 pairs)."""
    n = 50_000
    frame = pd.DataFrame({"domain": [f"d{i}.test" for i in range(n)] * 2,
                          "kind": ["ip24"] * n + ["template"] * n,
                          "key": ["127.1.1.0/24"] * n + ["wordpress:popular"] * n})
    result = find_networks(frame)
    assert result.memberships.empty and len(result.ignored_keys) == 2
    assert (result.ties["partners"] == 0).all()
