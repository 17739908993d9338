"""Benchmark enrichment against a served synthetic world on loopback.

Measures domains enriched per second for each source alone (DNS, registration, pages),
all together, and a fully cached re-run (which must make zero network calls). For every
phase that fetched pages it also prints pages per second: HTML pages fetched and parsed
(linking pages and home pages; robots.txt and failed fetches not counted) over the wall
time of the phase. Every server binds 127.0.0.0/8; nothing leaves the machine.

    python benchmarks/bench_enrich.py                  # 10,000 domains, every source
    python benchmarks/bench_enrich.py --domains 2000 --kinds pages

Uses ``detector.simulate`` (generate_world + serve_world_process: the world's servers run
in a child process, as real servers run elsewhere, so the client measured here has its
own interpreter; ``--servers-in-process`` runs them in a thread of this process instead,
sharing its GIL). Without ``detector.simulate``, falls back to the tests' loopback DNS
responder with synthetic names (DNS only).

Targets (issue, 2-core machine): DNS >= 1,000 domains/s, HTTP fetch+parse >= 300
pages/s (the "pages/s" line of the pages phase), fully cached re-run of 10,000 domains
< 5 s. Rate limits meant for the real internet (2 requests/s per RDAP/WHOIS server) are
lifted here, where one loopback server plays every registry; the figure is the client's
throughput, not a politeness setting. The per-host page rate is kept (4 requests/s per
web host: robots.txt, then the linking and home pages a quarter of a second apart), so
every referring domain takes at least half a second however fast the client is; hence
300 pages in flight by default (``--http-concurrency``): at 100, the phase waits on that
politeness rather than on the client.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from detector.enrich.base import NetworkConfig  # noqa: E402
from detector.enrich.cache import LookupCache  # noqa: E402
from detector.enrich.run import enrich_async  # noqa: E402
from detector.schema import BL  # noqa: E402


def _world(n: int, seed: int, in_process: bool = False
           ) -> tuple[Any, list[str], pd.DataFrame | None, Any]:
    """(served world or responder, domains, backlinks, config factory)."""
    try:
        from detector.simulate.config import WorldConfig
        from detector.simulate.generate import generate_world
        from detector.simulate.serve import serve_world, serve_world_process
    except ImportError:
        return _fallback(n)
    started = time.perf_counter()
    world = generate_world(WorldConfig(n_domains=n, seed=seed))
    print(f"world: {len(world.referring):,} referring domains generated in "
          f"{time.perf_counter() - started:.1f}s")
    links = world.links
    backlinks = pd.DataFrame({
        BL.DOMAIN: links["domain"].astype("string"),
        BL.SOURCE_URL: links["source_url"].astype("string"),
        BL.TARGET_HOST: links["target_url"].str.extract(r"//([^/:]+)")[0].astype("string"),
        BL.FIRST_SEEN: links["first_seen"],
    })
    started = time.perf_counter()
    served = serve_world(world) if in_process else serve_world_process(world)
    where = "in a thread of this process" if in_process else "by a child process"
    print(f"served on 127.0.0.1 {where} (DNS backend: {served.dns_backend}; "
          f"started in {time.perf_counter() - started:.1f}s)")
    return served, world.referring["domain"].tolist(), backlinks, served.network_config


def _fallback(n: int):
    sys.path.insert(0, str(ROOT / "tests"))
    from dns_responder import DnsResponder

    zone = {f"site{i}.bench.test": {"A": [f"127.{1 + i // 65000}.{(i // 250) % 250}.{i % 250 + 1}"],
                                    "NS": [f"ns1.host{i % 50}.test."], "MX": [f"10 mx{i % 7}.mail.test."]}
            for i in range(n)}
    responder = DnsResponder(zone).start()
    print(f"detector.simulate not available: own DNS responder with {n:,} names (DNS only)")

    def config(**kw):
        return NetworkConfig(dns_servers=["127.0.0.1"], dns_port=responder.port, **kw)

    return responder, list(zone), None, config


async def _timed(domains, kinds, config, cache_path, backlinks, limit) -> dict[str, Any]:
    started = time.perf_counter()
    cpu_started = time.process_time()
    task = asyncio.ensure_future(enrich_async(domains, backlinks=backlinks, config=config,
                                              kinds=kinds, cache_path=cache_path))
    try:
        result = await asyncio.wait_for(task, limit)
    except asyncio.TimeoutError:
        elapsed = time.perf_counter() - started
        with LookupCache(cache_path) as cache:
            done = min(cache.count(k) for k in kinds)
        return {"kinds": "+".join(kinds), "seconds": round(elapsed, 2), "domains": done,
                "per_second": round(done / elapsed, 1), "complete": False, "network_calls": None,
                "failures": None}
    elapsed = time.perf_counter() - started
    figure = {"kinds": "+".join(kinds), "seconds": round(elapsed, 2), "domains": len(domains),
              "process_cpu_seconds": round(time.process_time() - cpu_started, 2),
              "per_second": round(len(domains) / elapsed, 1), "complete": True,
              "network_calls": result.network_calls, "failures": len(result.errors),
              "notes": result.notes, "timings": result.timings}
    if "pages" in kinds and result.cached.get("pages", 0) == 0:
        attempted, parsed = _pages_fetched(result.lookups.get("pages", {}))
        figure.update(pages_attempted=attempted, pages_parsed=parsed,
                      pages_per_second=round(parsed / elapsed, 1))
    return figure


def _pages_fetched(lookups: dict[str, Any]) -> tuple[int, int]:
    """(page fetches attempted, HTML pages fetched and parsed) over ``pages`` lookups."""
    attempted = parsed = 0
    for lookup in lookups.values():
        for page in lookup.data.get("pages", []):
            attempted += 1
            parsed += bool(page.get("ok") and page.get("record") is not None)
    return attempted, parsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=10_000, help="referring domains (default 10,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", default="dns,registration,pages",
                        help="comma-separated sources to time alone (default: all)")
    parser.add_argument("--limit", type=float, default=600.0, help="seconds allowed per phase")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--http-concurrency", type=int, default=300,
                        help="pages (and referring domains) in flight in the pages phase (default 300)")
    parser.add_argument("--servers-in-process", action="store_true",
                        help="run the world's servers in a thread of this process (shares its GIL)")
    args = parser.parse_args(argv)
    # a plain `kill` must still stop the served world (and its unbound child)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print("load average before start: %.2f %.2f %.2f (cores: %s)" % (*os.getloadavg(), os.cpu_count()))
    kinds = [k for k in args.kinds.split(",") if k]

    figures: list[dict[str, Any]] = []
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        server, domains, backlinks, make_config = _world(args.domains, args.seed, args.servers_in_process)
        stack.callback(server.stop)
        if backlinks is None:
            kinds = ["dns"]
        config = make_config(per_server_rate=0.0, registration_concurrency=64,
                             http_concurrency=args.http_concurrency)

        def phase(label: str, run_kinds: list[str], cache: Path) -> dict[str, Any]:
            figure = asyncio.run(_timed(domains, tuple(run_kinds), config, cache, backlinks, args.limit))
            figure["phase"] = label
            figures.append(figure)
            state = "" if figure["complete"] else "  (time limit reached: partial)"
            print(f"{label:<28} {figure['domains']:>7,} domains in {figure['seconds']:>7.2f}s = "
                  f"{figure['per_second']:>8.1f}/s  network calls {figure['network_calls']}  "
                  f"failed lookups {figure['failures']}{state}")
            if "pages_per_second" in figure:
                print(f"    pages: {figure['pages_parsed']:,} HTML pages fetched and parsed in "
                      f"{figure['seconds']:.2f}s = {figure['pages_per_second']:.1f} pages/s "
                      f"({figure['pages_attempted']:,} page fetches attempted; robots.txt not counted)")
            if figure.get("timings"):
                whose = "client + in-process servers" if args.servers_in_process else "client"
                print("    stages: " + ", ".join(f"{k} {v:.2f}s" for k, v in figure["timings"].items())
                      + f"; CPU of this process ({whose}) {figure['process_cpu_seconds']:.2f}s")
            for note in figure.get("notes") or []:
                print(f"    note: {note}")
            return figure

        for kind in kinds:
            phase(f"{kind} alone", [kind], Path(tmp) / f"{kind}.sqlite")
        together = Path(tmp) / "together.sqlite"
        if len(kinds) > 1:
            phase("together", kinds, together)
        else:
            together = Path(tmp) / f"{kinds[0]}.sqlite"
        with LookupCache(together) as cache:
            complete = set(domains)
            for kind in kinds:
                complete &= set(cache.get_many(domains, kind, max_age=None, failure_max_age=None))
        if len(complete) < len(domains):
            print(f"(only {len(complete):,} domains are cached for every source: "
                  "the cached re-run covers those)")
            domains = [d for d in domains if d in complete]
        cached = phase("fully cached re-run", kinds, together)
        if "dns" in kinds and len(kinds) > 1:
            phase("cached re-run, DNS only", ["dns"], together)
        if cached["complete"] and cached["network_calls"] != 0:
            print("ERROR: the cached re-run made network calls")
            return 1
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
