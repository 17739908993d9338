"""The main job with lookups, end to end against a synthetic world served on loopback."""

from __future__ import annotations

import pandas as pd
import pytest

from detector.network import score_grouping
from detector.pipeline import audit_exports
from detector.simulate import (
    WorldConfig,
    generate_world,
    hosting_ranges,
    serve_world,
    write_exports,
)


@pytest.fixture(scope="module")
def world_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    world = generate_world(WorldConfig.preset("easy", n_domains=160, seed=4242))
    exports = [p for p in write_exports(world, folder)
               if p.suffix in {".csv", ".zip", ".xlsx"} and p.name != "labels.csv"]
    cache = folder / "lookups.sqlite"
    with serve_world(world, dns="inprocess") as served:
        config = served.network_config(per_server_rate=1000.0, per_host_rate=1000.0,
                                       http_timeout=3.0, registration_timeout=3.0,
                                       dns_timeout=1.0, retries=0)
        first = audit_exports(exports, offline=False, network=config, cache_path=cache)
        second = audit_exports(exports, offline=False, network=config, cache_path=cache)
        ranged = audit_exports(exports, offline=False, network=config, cache_path=cache,
                               hosting_ranges=hosting_ranges(world))
    return world, first, second, ranged


def test_lookups_add_hosting_registration_and_content_features(world_run):
    _, audit, _, _ = world_run
    columns = set(audit.domains.columns)
    for family_column in ("content_word_count", "reg_age_days", "network_size"):
        assert any(c.startswith(family_column.split("_")[0]) for c in columns), family_column
    assert audit.lookups is not None and audit.lookups.network_calls > 0


def test_a_cached_rerun_makes_no_network_calls(world_run):
    _, first, second, _ = world_run
    assert second.lookups.network_calls == 0
    pd.testing.assert_series_equal(first.domains["verdict"], second.domains["verdict"])


def test_planted_pbns_are_found_as_networks(world_run):
    world, audit, _, _ = world_run
    labels = world.labels().set_index("domain")
    memberships = audit.networks.memberships
    assert len(memberships) > 0
    seen = labels.loc[labels.index.isin(audit.domains["domain"])]
    truth = seen["network_id"]
    scores = score_grouping(memberships, truth)
    assert scores["pairwise_precision"] >= 0.8


def test_failed_lookups_alone_never_make_a_domain_toxic(world_run):
    world, audit, _, _ = world_run
    labels = world.labels().set_index("domain")
    failed_natural = [d for d in audit.domains["domain"]
                      if d in labels.index and not labels.at[d, "toxic"]
                      and any(isinstance(labels.at[d, c], str) and labels.at[d, c]
                              for c in ("dns_failure", "http_failure", "rdap_failure", "whois_failure"))]
    verdicts = audit.domains.set_index("domain").loc[failed_natural, "verdict"]
    assert (verdicts != "toxic").mean() >= 0.9


def test_hosting_ranges_reach_the_hosting_features(world_run):
    """The shipped list has no loopback ranges; a world's own CDN blocks can be passed in."""
    _, plain, _, ranged = world_run
    assert (plain.domains["is_cdn_or_shared_host"].fillna(0) == 0).all()
    assert (ranged.domains["is_cdn_or_shared_host"] == 1).any()
    assert ranged.lookups.network_calls == 0  # features recomputed from the cache
