"""Benchmark: group 100,000 referring domains into networks (target: < 30 s on 2 cores).

Also (``--simulate``) the accuracy evaluation on served synthetic worlds of increasing
difficulty: each world is generated, its exports written and read back, its DNS, RDAP,
WHOIS and pages served on loopback and enriched by the real clients, footprints made by
the real producers, and the networks found scored against the planted PBNs.

Builds a realistic footprint frame (see :func:`synthetic_footprints`: most domains behind
CDNs or big DNS providers, popular themes and registrars, shared hosting blocks, agency
analytics accounts, open-registrant sister sites, bursts, and planted PBNs that hide
each footprint with some probability), runs :func:`detector.network.find_networks` and
:func:`detector.network.network_features`, and prints wall time, peak memory (RSS) and
how well the planted networks were recovered.

    python benchmarks/bench_network.py [--domains 100000] [--seed 7] [--hiding 0.45]
    python benchmarks/bench_network.py --simulate [--world-domains 400] [--levels easy,medium,hard]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
import pandas as pd


def _zipf_pick(rng: np.random.Generator, n_values: int, size: int, a: float = 1.3) -> np.ndarray:
    """``size`` draws from ``n_values`` values with Zipf-like popularity (value 0 most popular)."""
    weights = 1.0 / np.arange(1, n_values + 1) ** a
    return rng.choice(n_values, size=size, p=weights / weights.sum())


def synthetic_footprints(n_domains: int, *, seed: int = 7, pbn_share: float = 0.08, hiding: float = 0.45
                         ) -> tuple[pd.DataFrame, pd.Series]:
    """A footprint frame ``domain, kind, key`` for ``n_domains`` domains and the planted truth.

    Returns ``(footprints, truth)`` where ``truth`` maps every domain to its planted PBN
    id (NA for everyone else). Rates are rough, stated assumptions meant to load the
    grouping like a real export would, not to measure accuracy.
    """
    rng = np.random.default_rng(seed)
    domains = np.array([f"site{i:06d}.test" for i in range(n_domains)], dtype=object)
    truth = pd.Series(pd.NA, index=domains, dtype="Int64")
    rows: list[pd.DataFrame] = []

    def add(mask_or_idx: np.ndarray, kind: str, keys: np.ndarray) -> None:
        rows.append(pd.DataFrame({"domain": domains[mask_or_idx], "kind": kind, "key": keys}))

    # planted PBNs: sizes 5-60, one operator's footprints each, each hidden with `hiding`
    n_pbn = int(n_domains * pbn_share)
    order = rng.permutation(n_domains)
    pbn_idx, innocent_idx = order[:n_pbn], order[n_pbn:]
    start, net = 0, 0
    while start < n_pbn:
        size = min(int(rng.integers(5, 61)), n_pbn - start)
        if size < 3:
            break
        net += 1
        members = pbn_idx[start:start + size]
        start += size
        truth.iloc[members] = net
        week = int(rng.integers(0, 1000))
        for kind, key in (("ip24", f"10.{net // 256}.{net % 256}.0/24"), ("ns", f"ns1.pbnhost{net}.test,ns2.pbnhost{net}.test"),
                          ("registrar_week", f"registrar{int(rng.integers(0, 5))}|w{week}"),
                          ("analytics_id", f"UA-9{net:05d}"), ("template", f"wordpress:custom-{net}"),
                          ("first_seen_burst", f"burst-{net}")):
            show = members[rng.random(size) >= hiding]
            add(show, kind, np.full(len(show), key, dtype=object))

    m = len(innocent_idx)
    # hosting: 40% behind CDNs / big hosts (excluded by the producer: no row); others on
    # blocks of small and mid-size hosts, popular blocks far above the key cap
    hosted = innocent_idx[rng.random(m) >= 0.4]
    add(hosted, "ip24", np.array([f"172.{b // 256 % 256}.{b % 256}.0/24" for b in _zipf_pick(rng, 20000, len(hosted), 1.05)],
                                 dtype=object))
    own_ns = innocent_idx[rng.random(m) >= 0.6]
    add(own_ns, "ns", np.array([f"ns1.host{h}.test" for h in _zipf_pick(rng, 8000, len(own_ns), 1.05)], dtype=object))
    # registration: registrar x week (10 registrars, 1000 weeks), some open registrants
    reg = innocent_idx[rng.random(m) < 0.7]
    add(reg, "registrar_week", np.array([f"registrar{r}|w{w}" for r, w in zip(_zipf_pick(rng, 10, len(reg), 1.0),
                                                                                rng.integers(0, 1000, len(reg)))],
                                        dtype=object))
    owners = innocent_idx[rng.random(m) < 0.25]
    add(owners, "registrant", np.array([f"org {o}" for o in rng.integers(0, int(len(owners) * 0.8) + 1, len(owners))],
                                       dtype=object))
    # content: analytics (mostly own account, some agencies), popular themes, text clusters
    ga = innocent_idx[rng.random(m) < 0.4]
    add(ga, "analytics_id", np.array([f"UA-{a}" for a in rng.integers(0, int(len(ga) * 0.9) + 1, len(ga))], dtype=object))
    themed = innocent_idx[rng.random(m) < 0.5]
    add(themed, "template", np.array([f"wordpress:theme{t}" for t in _zipf_pick(rng, 3000, len(themed), 1.1)], dtype=object))
    # export: title and path shapes (zipf), one big burst (a negative-SEO attack)
    titled = innocent_idx[rng.random(m) < 0.6]
    add(titled, "title_pattern", np.array([f"title shape {t}" for t in _zipf_pick(rng, 30000, len(titled), 1.0)], dtype=object))
    pathed = innocent_idx[rng.random(m) < 0.6]
    add(pathed, "path_scheme", np.array([f"/shape{t}/slug/" for t in _zipf_pick(rng, 5000, len(pathed), 1.1)], dtype=object))
    burst = innocent_idx[rng.random(m) < 0.03]
    add(burst, "first_seen_burst", np.full(len(burst), "attack-1", dtype=object))
    frame = pd.concat(rows, ignore_index=True).astype("string")
    return frame, truth


#: difficulty levels of the evaluation: (name, preset, config changes)
LEVELS = {
    "easy": ("easy", {}),
    "medium": ("medium", {}),
    "hard": ("hard", {}),
    "hard_negatives": ("hard_negatives", {}),
    "hard_negatives_no_pbn": ("hard_negatives", {"share_pbn": 0.0}),
}


def simulated_footprints(level: str, n_domains: int, seed: int):
    """Serve one synthetic world and return ``(footprints, interlinks, first_seen, domains, truth)``.

    Everything between the world and the grouping is the detector's own code: exports
    read by :mod:`detector.ingest`, lookups by :func:`detector.enrich.run.enrich` against
    the loopback servers, footprints by the hosting / registration / content producers
    and :func:`detector.network.export_footprints`.
    """
    import tempfile

    from detector.enrich.run import enrich
    from detector.ingest import read_exports
    from detector.network import export_footprints, first_seen_by_domain, interlinks_from_pages
    from detector.signals.content import content_footprints
    from detector.signals.hosting import hosting_footprints
    from detector.signals.registration import registration_footprints
    from detector.simulate import WorldConfig, generate_world, serve_world, write_exports

    preset, changes = LEVELS[level]
    world = generate_world(WorldConfig.preset(preset, n_domains=n_domains, seed=seed).with_(**changes))
    with tempfile.TemporaryDirectory() as tmp:
        backlinks = read_exports(write_exports(world, tmp)).frame
    domains = sorted(backlinks["domain"].dropna().unique().tolist())
    with serve_world(world) as served:
        looked = enrich(domains, backlinks=backlinks, config=served.network_config())
    pages = looked.lookups.get("pages", {})
    footprints = [hosting_footprints(looked.lookups.get("dns", {})),
                  registration_footprints(looked.lookups.get("registration", {})),
                  content_footprints(pages), export_footprints(backlinks)]
    truth = world.labels().set_index("domain")["network_id"].reindex(domains)
    return footprints, interlinks_from_pages(pages, domains), first_seen_by_domain(backlinks), domains, truth


def evaluate_simulated(levels: list[str], n_domains: int, seeds: list[int], cache_dir: str | None = None
                       ) -> pd.DataFrame:
    """Score the grouping on served worlds: one row per level and seed.

    ``cache_dir``: keep each world's footprints there (pickle), so the grouping rules can
    be re-scored without serving and enriching the world again.
    """
    import pickle
    from pathlib import Path

    from detector.network import find_networks, score_grouping

    rows = []
    for level in levels:
        for seed in seeds:
            t0 = time.perf_counter()
            cached = Path(cache_dir) / f"{level}-{n_domains}-{seed}.pkl" if cache_dir else None
            if cached is not None and cached.exists():
                footprints, links, seen, domains, truth = pickle.loads(cached.read_bytes())
            else:
                footprints, links, seen, domains, truth = simulated_footprints(level, n_domains, seed)
                if cached is not None:
                    cached.parent.mkdir(parents=True, exist_ok=True)
                    cached.write_bytes(pickle.dumps((footprints, links, seen, domains, truth)))
            t1 = time.perf_counter()
            result = find_networks(footprints, domains=domains, interlinks=links, first_seen=seen)
            scores = score_grouping(result.memberships, truth)
            rows.append({"level": level, "seed": seed, "domains": len(domains), **scores,
                         "serve_enrich_s": round(t1 - t0, 1), "group_s": round(time.perf_counter() - t1, 2)})
            print(pd.DataFrame(rows[-1:]).to_string(index=False, float_format=lambda v: f"{v:.3f}"), flush=True)
    return pd.DataFrame(rows)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hiding", type=float, default=0.45)
    parser.add_argument("--simulate", action="store_true", help="evaluate on served synthetic worlds instead")
    parser.add_argument("--world-domains", type=int, default=400)
    parser.add_argument("--levels", default=",".join(LEVELS))
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--cache-dir", default=None, help="keep served worlds' footprints here for re-scoring")
    args = parser.parse_args(argv)
    if args.simulate:
        table = evaluate_simulated(args.levels.split(","), args.world_domains,
                                   [int(s) for s in args.seeds.split(",")], args.cache_dir)
        print(table.to_markdown(index=False, floatfmt=".3f") if _has_tabulate() else table.to_string(index=False))
        return 0

    from detector.network import find_networks, network_features, score_grouping

    t0 = time.perf_counter()
    footprints, truth = synthetic_footprints(args.domains, seed=args.seed, hiding=args.hiding)
    t1 = time.perf_counter()
    rss_before = _peak_rss_mb()
    result = find_networks(footprints, domains=truth.index)
    t2 = time.perf_counter()
    features = network_features(result)
    t3 = time.perf_counter()
    scores = score_grouping(result.memberships, truth)
    print(f"domains              {args.domains:,}")
    print(f"footprint rows       {len(footprints):,}")
    print(f"ignored keys         {len(result.ignored_keys):,} (held by > {result.rules.key_cap(args.domains)} domains)")
    print(f"generate             {t1 - t0:6.2f} s")
    print(f"find_networks        {t2 - t1:6.2f} s")
    print(f"network_features     {t3 - t2:6.2f} s")
    print(f"total grouping       {t3 - t1:6.2f} s")
    print(f"peak RSS             {_peak_rss_mb():,.0f} MB (after generating: {rss_before:,.0f} MB)")
    print(f"networks found/true  {len(result.networks)} / {int(scores['networks_true'])}")
    print(f"ARI                  {scores['ari']:.3f}")
    print(f"pairwise P / R       {scores['pairwise_precision']:.3f} / {scores['pairwise_recall']:.3f}")
    assert len(features) == args.domains
    return 0


if __name__ == "__main__":
    sys.exit(main())
