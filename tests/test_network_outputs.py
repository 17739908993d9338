"""What the grouping hands on: model features, sentences for people, the graph to plot,
evidence per network, and the evaluation helper."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from detector.network import (NETWORK_FEATURES, find_networks, network_features, network_graph, domain_evidence,
                              score_grouping)
from detector.schema import DOM, Feature

BLOCK = "127.4.2.0/24"


def star_and_clique() -> pd.DataFrame:
    """Network of 5: hub h shares block + analytics with everyone; a1..a4 share the block,
    the analytics ID and nothing else. Plus a loner with footprints and no partner."""
    rows = []
    for d in ["h.test", "a1.test", "a2.test", "a3.test", "a4.test"]:
        rows += [(d, "ip24", BLOCK), (d, "analytics_id", "UA-123")]
    rows += [("loner.test", "ip24", "127.200.0.0/24"), ("loner.test", "analytics_id", "UA-999")]
    return pd.DataFrame(rows, columns=["domain", "kind", "key"])


def star() -> pd.DataFrame:
    """Hub shares a block with each spoke and a different analytics ID pair: only hub-spoke ties."""
    rows = []
    for i in range(1, 5):
        spoke = f"s{i}.test"
        rows += [("hub.test", "analytics_id", f"UA-{i}"), (spoke, "analytics_id", f"UA-{i}"),
                 ("hub.test", "ns", f"ns{i}.op.test"), (spoke, "ns", f"ns{i}.op.test")]
    return pd.DataFrame(rows, columns=["domain", "kind", "key"])


def test_features_declare_every_column_in_family_network():
    assert all(isinstance(f, Feature) and f.family == "network" and f.description for f in NETWORK_FEATURES)
    result = find_networks(star_and_clique(), domains=["h.test", "a1.test", "a2.test", "a3.test", "a4.test",
                                                      "loner.test", "failed.test"])
    features = network_features(result)
    assert list(features.columns) == ["domain", *[f.name for f in NETWORK_FEATURES]]
    assert len(features) == 7


def test_members_non_members_and_unknown_domains_differ():
    result = find_networks(star_and_clique(), domains=["h.test", "a1.test", "a2.test", "a3.test", "a4.test",
                                                      "loner.test", "failed.test"])
    f = network_features(result).set_index("domain")
    assert f.loc["h.test", "network_size"] == 5
    assert f.loc["h.test", "network_footprint_kinds"] == 2  # ip24 and analytics_id
    assert f.loc["h.test", "network_footprint_families"] == 2
    assert f.loc["h.test", "network_footprints_shared"] == 2
    assert f.loc["h.test", "network_centrality"] == 1.0
    assert f.loc["h.test", "network_partners"] == 4
    # footprints but no network: counts are 0, member-only values are missing
    assert f.loc["loner.test", "network_size"] == 0 and f.loc["loner.test", "network_partners"] == 0
    assert math.isnan(f.loc["loner.test", "network_centrality"])
    # no footprint at all (every lookup failed): nothing is known
    assert f.loc["failed.test"].isna().all()


def test_centrality_is_degree_within_the_network():
    result = find_networks(star())
    assert result.networks["size"].tolist() == [5]
    f = network_features(result).set_index("domain")
    assert f.loc["hub.test", "network_centrality"] == 1.0
    assert f.loc["s1.test", "network_centrality"] == pytest.approx(1 / 4)
    nodes, edges = network_graph(result, 1)
    assert len(edges) == 4 and edges["strong"].all()
    assert set(edges["kinds"]) == {"analytics_id;ns"}
    assert nodes.set_index("domain").loc["hub.test", "strong_ties"] == 4


def test_toxic_share_counts_the_other_judged_members_only():
    result = find_networks(star_and_clique())
    verdicts = {"h.test": "toxic", "a1.test": "toxic", "a2.test": "fine", "a3.test": "unknown"}
    f = network_features(result, verdicts).set_index("domain")
    # h: others judged a1 (toxic), a2 (fine) -> 1/2; a1: h toxic, a2 fine -> 1/2
    assert f.loc["h.test", "network_toxic_share"] == 0.5
    assert f.loc["a2.test", "network_toxic_share"] == 1.0  # h and a1
    assert f.loc["a4.test", "network_toxic_share"] == pytest.approx(2 / 3)
    assert math.isnan(f.loc["loner.test", "network_toxic_share"])
    assert network_features(result)["network_toxic_share"].isna().all()  # nothing judged yet


def test_a_persons_decision_overrides_the_verdict():
    result = find_networks(star_and_clique())
    frame = pd.DataFrame({DOM.DOMAIN: ["h.test", "a1.test"], DOM.VERDICT: ["toxic", "toxic"],
                          DOM.DECISION: [pd.NA, "keep"]})
    f = network_features(result, frame).set_index("domain")
    assert f.loc["a2.test", "network_toxic_share"] == 0.5  # h toxic, a1 kept


def test_domain_evidence_names_the_footprints_and_the_count():
    result = find_networks(star_and_clique())
    sentences = domain_evidence(result)
    assert set(sentences) == {"h.test", "a1.test", "a2.test", "a3.test", "a4.test"}
    text = " ".join(sentences["a1.test"])
    assert f"IP block {BLOCK}" in text and "analytics ID UA-123" in text
    assert "with 4 other referring domains" in text
    assert sentences["a1.test"][0].startswith("member of network 1: 5 referring domains")


def test_network_evidence_lists_keys_with_counts_and_a_timeline():
    seen = {"h.test": "2025-01-03", "a1.test": "2025-01-01", "a2.test": "2025-01-02"}
    result = find_networks(star_and_clique(), first_seen=seen)
    ev = result.evidence[1]
    assert ev.members == ["a1.test", "a2.test", "a3.test", "a4.test", "h.test"]
    table = ev.footprints.set_index("kind")
    assert table.loc["ip24", "key"] == BLOCK and table.loc["ip24", "members"] == 5
    assert table.loc["analytics_id", "family"] == "content"
    assert ev.timeline["domain"].tolist()[:3] == ["a1.test", "a2.test", "h.test"]
    assert ev.timeline["first_seen"].isna().sum() == 2  # unknown stays unknown, listed last
    row = result.networks.iloc[0]
    assert row["first_seen_min"] == pd.Timestamp("2025-01-01", tz="UTC")
    assert "5 referring domains" in ev.summary() and BLOCK in ev.summary()


def test_graph_of_unknown_network_raises():
    with pytest.raises(KeyError, match="no network 9"):
        network_graph(find_networks(star_and_clique()), 9)


def test_score_grouping_matches_sklearn_and_hand_counts():
    truth = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": None, "g": None}
    found = pd.DataFrame({"domain": ["a", "b", "d", "e", "f"], "network_id": [10, 10, 11, 11, 11]})
    s = score_grouping(found, truth)
    # found pairs: ab, de, df, ef (4); true pairs: ab, ac, bc, de (4); shared: ab, de
    assert s["pairwise_precision"] == 0.5 and s["pairwise_recall"] == 0.5
    universe = sorted(truth)
    pred = [{"a": 10, "b": 10, "d": 11, "e": 11, "f": 11}.get(d, f"solo{d}") for d in universe]
    true = [truth[d] if truth[d] is not None else f"solo{d}" for d in universe]
    assert s["ari"] == pytest.approx(adjusted_rand_score(true, [str(p) for p in pred]))
    assert s["networks_found"] == 2 and s["networks_true"] == 2
    nothing = score_grouping(found.iloc[0:0], {"a": None, "b": None})
    assert np.isnan(nothing["pairwise_precision"]) and np.isnan(nothing["pairwise_recall"])
