"""enrich(): DNS against a loopback responder, cache re-runs, offline mode, resumption."""

from __future__ import annotations

import asyncio
import math

import pandas as pd
import pytest
from dns_responder import Behaviour, DnsResponder

from detector.enrich import run as run_module
from detector.enrich.base import Lookup, NetworkConfig
from detector.enrich.cache import LookupCache
from detector.enrich.run import EnrichmentResult, enrich, enrich_async
from detector.schema import BL
from detector.signals.hosting import HOSTING_FEATURES

N = 60
ZONE = {f"site{i}.test": {"A": [f"127.10.{i % 3}.{i + 1}"], "NS": [f"ns1.h{i % 2}.test."],
                          "MX": [] if i % 4 == 0 else [f"10 mx.site{i}.test."]} for i in range(N)}
ZONE["cdn-a.test"] = {"A": ["127.200.0.1"]}
ZONE["cdn-b.test"] = {"A": ["127.200.0.1"]}
ZONE["broken.test"] = {"A": ["127.0.0.1"]}
ZONE["slow.test"] = {"A": ["127.0.0.1"]}
DOMAINS = [*ZONE, "missing.test"]
SIM_RANGES = [{"provider": "Sim CDN", "kind": "cdn", "cidrs": ["127.200.0.0/16"]}]


@pytest.fixture(scope="module")
def responder():
    server = DnsResponder(ZONE, Behaviour(servfail={"broken.test"}, silent={"slow.test"})).start()
    yield server
    server.stop()


@pytest.fixture
def config(responder):
    return NetworkConfig(dns_servers=["127.0.0.1"], dns_port=responder.port, dns_timeout=0.2,
                         retries=0, dns_concurrency=8)


def run_dns(config, cache_path, **kw) -> EnrichmentResult:
    return enrich(DOMAINS, config=config, kinds=("dns",), cache_path=cache_path,
                  hosting_ranges=SIM_RANGES, **kw)


def test_dns_enrichment_features_errors_and_progress(config, tmp_path):
    ticks: list[tuple[str, int, int]] = []
    result = run_dns(config, tmp_path / "c.sqlite", progress=lambda *a: ticks.append(a))
    assert result.network_calls == len(DOMAINS)
    feats = result.features.set_index("domain")
    assert list(feats.index) == DOMAINS
    assert {f.name for f in HOSTING_FEATURES} <= set(feats.columns)
    assert feats.loc["site1.test", "shared_ip24_domains"] == N / 3 - 1
    assert feats.loc["site1.test", "shared_ns_domains"] == N / 2 - 1
    assert feats.loc["site0.test", "missing_mx"] == 1 and feats.loc["site1.test", "missing_mx"] == 0
    assert feats.loc["cdn-a.test", "is_cdn_or_shared_host"] == 1
    assert feats.loc["cdn-a.test", "shared_ip_domains"] == 0
    assert feats.loc["missing.test", "dns_nxdomain"] == 1
    assert feats.loc["slow.test"].drop("dns_nxdomain").isna().all()
    errors = dict(zip(result.errors["domain"], result.errors["error"]))
    assert errors == {"broken.test": "SERVFAIL", "slow.test": "timeout after 0.2s",
                      "missing.test": "NXDOMAIN"}
    assert set(result.errors["kind"]) == {"dns"}
    assert set(result.lookups) == {"dns"} and len(result.lookups["dns"]) == len(DOMAINS)
    assert {"cache_read", "lookups", "features:hosting"} <= set(result.timings)
    # progress: starts at the cached count (0), ends at the total, never goes back
    assert ticks[0] == ("dns", 0, len(DOMAINS)) and ticks[-1] == ("dns", len(DOMAINS), len(DOMAINS))
    assert [t[1] for t in ticks] == sorted(t[1] for t in ticks)
    # families that did not run are present as NaN columns
    other = [c for c in feats.columns if c not in {f.name for f in HOSTING_FEATURES}]
    assert all(feats[c].isna().all() for c in other)


def test_cached_rerun_makes_zero_network_calls(responder, config, tmp_path):
    path = tmp_path / "c.sqlite"
    first = run_dns(config, path)
    before = responder.queries
    second = run_dns(config, path)
    assert second.network_calls == 0
    assert responder.queries == before  # really nothing sent
    assert second.cached == {"dns": len(DOMAINS)}
    pd.testing.assert_frame_equal(first.features, second.features)
    pd.testing.assert_frame_equal(first.errors, second.errors)


def test_expired_cache_is_refetched(config, tmp_path):
    path = tmp_path / "c.sqlite"
    run_dns(config, path)
    config.cache_ttl_days = 0.0
    assert run_dns(config, path).network_calls == len(DOMAINS)


def test_offline_uses_only_the_cache(responder, config, tmp_path):
    path = tmp_path / "c.sqlite"
    with LookupCache(path) as cache:  # half the domains known, one of them long ago
        for d in DOMAINS[:30]:
            cache.put(Lookup(d, "dns", True, {"a": ["127.50.0.1"], "aaaa": [], "ns": [], "mx": [],
                                             "cname_chain": []}))
    before = responder.queries
    result = run_dns(config, path, offline=True)
    assert result.network_calls == 0 and responder.queries == before
    feats = result.features.set_index("domain")
    assert feats.loc[DOMAINS[0], "shared_ip_domains"] == 29
    assert feats.loc[DOMAINS[40]].isna().all()
    offline_errors = result.errors[result.errors["error"] == "offline: not in cache"]
    assert set(offline_errors["domain"]) == set(DOMAINS[30:])


def test_no_cache_path_keeps_nothing(config):
    assert run_dns(config, None).network_calls == len(DOMAINS)
    assert run_dns(config, None).network_calls == len(DOMAINS)


def test_interrupted_run_resumes_with_only_the_rest(responder, config, tmp_path):
    path = tmp_path / "c.sqlite"
    names = [d for d in DOMAINS if d != "slow.test"]

    async def interrupted() -> None:
        task: asyncio.Task | None = None

        def progress(kind, done, total):
            if done >= 20 and task is not None:
                task.cancel()

        task = asyncio.ensure_future(enrich_async(names, config=config, kinds=("dns",),
                                                  cache_path=path, progress=progress))
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(interrupted())
    with LookupCache(path) as cache:
        done_before = cache.count("dns")
    assert 20 <= done_before < len(names)
    before = responder.queries
    result = enrich(names, config=config, kinds=("dns",), cache_path=path)
    assert result.network_calls == len(names) - done_before
    assert result.cached == {"dns": done_before}
    assert len(result.lookups["dns"]) == len(names)
    assert responder.queries > before
    assert enrich(names, config=config, kinds=("dns",), cache_path=path).network_calls == 0


def test_missing_family_modules_are_noted_not_fatal(config, monkeypatch, tmp_path):
    real = run_module._optional

    def without_registration(module, *names):
        return None if "registration" in module else real(module, *names)

    monkeypatch.setattr(run_module, "_optional", without_registration)
    result = enrich(["site1.test"], config=config, kinds=("dns", "registration"),
                    cache_path=tmp_path / "c.sqlite")
    assert any("registration" in note for note in result.notes)
    assert result.network_calls == 1  # DNS only
    assert result.features.loc[0, "ip_count"] == 1


def test_source_exception_becomes_an_uncached_failure(config, monkeypatch, tmp_path):
    class Exploding:
        kind = "dns"

        async def lookup(self, domain):
            raise RuntimeError("bug")

    monkeypatch.setattr(run_module, "_build_source", lambda *a: (Exploding(), None))
    path = tmp_path / "c.sqlite"
    result = enrich(["site1.test"], config=config, kinds=("dns",), cache_path=path)
    assert result.errors.loc[0, "error"] == "internal error: RuntimeError: bug"
    assert math.isnan(result.features.loc[0, "ip_count"])
    with LookupCache(path) as cache:
        assert cache.count() == 0


def test_domains_are_normalised_and_unknown_kinds_rejected(config):
    result = enrich(["Site1.TEST", "site1.test", "", "  "], config=config, kinds=("dns",))
    assert list(result.features["domain"]) == ["site1.test"]
    with pytest.raises(ValueError, match="unknown lookup kind"):
        enrich(["site1.test"], config=config, kinds=("dns", "whois"))


def test_backlinks_give_first_seen_and_linking_pages():
    frame = pd.DataFrame({BL.DOMAIN: ["a.test", "a.test", "b.test"],
                          BL.SOURCE_URL: ["http://a.test/1", "http://a.test/2", None],
                          BL.FIRST_SEEN: pd.to_datetime(["2024-01-02", "2023-05-06", None], utc=True),
                          BL.TARGET_HOST: ["www.me.test", "me.test", "www.me.test"]})
    assert run_module._linking_pages(frame) == {"a.test": ["http://a.test/1", "http://a.test/2"]}
    assert run_module._first_seen(frame) == {"a.test": pd.Timestamp("2023-05-06", tz="UTC")}
    assert run_module._target_hosts(None, frame) == {"www.me.test", "me.test"}
    assert run_module._target_hosts("https://shop.me.test/x", frame) == {"shop.me.test"}


def test_enrich_works_inside_a_running_loop(config):
    async def caller():
        return enrich(["site2.test"], config=config, kinds=("dns",))

    assert asyncio.run(caller()).features.loc[0, "ip_count"] == 1


# --- end to end against the synthetic world (detector.simulate) ------------------------------

@pytest.fixture(scope="module")
def served_world():
    from detector.simulate.config import WorldConfig
    from detector.simulate.generate import generate_world
    from detector.simulate.serve import serve_world

    world = generate_world(WorldConfig(n_domains=300, seed=11))
    with serve_world(world) as served:
        yield world, served


def _world_ranges(world) -> list[dict]:
    """The world's CDN and shared-host /24 blocks, as range-list entries."""
    from detector.simulate import vocab

    kinds = {name: kind for name, kind, *_ in vocab.PROVIDERS}
    rows = world.domains[world.domains["provider"].map(kinds).isin(["cdn", "shared"])]
    blocks = sorted({ip.rsplit(".", 1)[0] + ".0/24" for ip in rows["ip"].dropna()})
    return [{"provider": "world CDN and shared hosts", "kind": "cdn", "cidrs": blocks}]


def test_served_world_dns_becomes_the_right_lookups_and_features(served_world, tmp_path):
    world, served = served_world
    config = served.network_config(dns_timeout=1.0, retries=0)
    referring = world.referring.set_index("domain")
    domains = list(referring.index)
    ranges = _world_ranges(world)
    result = enrich(domains, config=config, kinds=("dns",), cache_path=tmp_path / "c.sqlite",
                    hosting_ranges=ranges)
    lookups = result.lookups["dns"]
    assert set(lookups) == set(domains)
    answered = []
    for domain, row in referring.iterrows():
        found = lookups[domain]
        failure = row["dns_failure"] or ""
        if failure == "servfail":
            assert not found.ok and found.error in ("SERVFAIL", "REFUSED"), (domain, found)
        elif failure == "nodata":
            assert found.ok and found.data["a"] == [], (domain, found)
        elif failure == "slow":
            assert found.ok or "timeout" in found.error
        else:
            assert found.ok, (domain, found)
            assert found.data["a"] == [row["ip"]]
            assert found.data["ns"] == sorted(str(row["ns"]).lower().split())
            assert found.data["mx"] == ([] if pd.isna(row["mx"]) else [str(row["mx"]).lower()])
            assert found.data["aaaa"] == ([] if pd.isna(row["ipv6"]) else [row["ipv6"]])
            answered.append(domain)
    assert len(answered) > 250
    # sharing of /24 blocks, recomputed from the world's own table
    excluded = {c.rsplit(".", 1)[0] for c in ranges[0]["cidrs"]}
    block = {d: referring.loc[d, "ip"].rsplit(".", 1)[0] for d in answered}
    counted = {d: b for d, b in block.items() if b not in excluded}
    feats = result.features.set_index("domain")
    for d in answered:
        expected = sum(1 for o, b in counted.items() if o != d and b == counted.get(d)) if d in counted else 0
        assert feats.loc[d, "shared_ip24_domains"] == expected, d
        assert feats.loc[d, "is_cdn_or_shared_host"] == float(d not in counted)
    # most PBN members that did not hide their IP block share it with another referring domain
    pbn = referring[(referring["scheme"] == "pbn") & referring["fp_ip_block"].astype(bool)]
    shares = feats.loc[[d for d in pbn.index if d in counted], "shared_ip24_domains"]
    assert len(shares) >= 5 and (shares > 0).mean() > 0.8
    # a second run is served from the cache alone
    again = enrich(domains, config=config, kinds=("dns",), cache_path=tmp_path / "c.sqlite",
                   hosting_ranges=ranges)
    assert again.network_calls == 0
