"""Benchmark: generate, write and serve a 100,000-domain synthetic world.

    python benchmarks/bench_simulate.py [--domains 100000] [--seed 1] [--dns auto] [--out DIR]

Prints the time to generate and to write the world, its size on disk, the peak memory
(max RSS), the time to start and stop the servers, and the latency of a few hundred
sample queries of each kind (DNS, HTTP, RDAP, WHOIS). Every request goes to 127.0.0.0/8
and every loop is bounded in count and time. Figures are recorded in docs/simulation.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import dns.asyncresolver

from detector.simulate import WorldConfig, generate_world, serve_world


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[int(0.95 * (len(values) - 1))]
    return f"n={len(values)} median={statistics.median(values) * 1000:.2f}ms p95={p95 * 1000:.2f}ms"


async def _queries(world, served, n: int, budget_s: float) -> dict[str, list[float]]:
    d = world.domains
    ok = d[(d["dns_failure"] == "") & (d["http_failure"] == "") & (d["rdap_failure"] == "")
           & (d["whois_failure"] == "")]
    sample = ok.sample(min(n, len(ok)), random_state=1)
    deadline = time.monotonic() + budget_s
    out: dict[str, list[float]] = {"dns": [], "http": [], "rdap": [], "whois": []}
    r = dns.asyncresolver.Resolver(configure=False)
    r.nameservers, r.port, r.lifetime = [served.host], served.ports.dns, 3.0
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for row in sample.itertuples():
            if time.monotonic() > deadline:
                break
            t = time.perf_counter()
            await r.resolve(row.domain, "A")
            out["dns"].append(time.perf_counter() - t)
            t = time.perf_counter()
            async with session.get(f"http://{row.ip}:{served.ports.http}/", headers={"Host": row.domain}) as resp:
                await resp.read()
            out["http"].append(time.perf_counter() - t)
            if len(out["rdap"]) < n // 3:
                t = time.perf_counter()
                async with session.get(f"{served.rdap_base_url}domain/{row.domain}") as resp:
                    await resp.read()
                out["rdap"].append(time.perf_counter() - t)
                t = time.perf_counter()
                with socket.create_connection((served.host, served.ports.whois), timeout=5) as s:
                    s.sendall(row.domain.encode() + b"\r\n")
                    for _ in range(50):
                        if not s.recv(65536):
                            break
                out["whois"].append(time.perf_counter() - t)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--domains", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dns", default="auto", choices=["auto", "unbound", "inprocess"])
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--out", default=None, help="folder to write to (default: a temp dir, removed)")
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    world = generate_world(WorldConfig.preset("medium", n_domains=args.domains, seed=args.seed))
    t_gen = time.perf_counter() - t0
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="world-bench-"))
    try:
        return _run(world, out, args, t_gen)
    finally:
        if not args.out:
            shutil.rmtree(out, ignore_errors=True)


def _run(world, out: Path, args: argparse.Namespace, t_gen: float) -> int:
    t0 = time.perf_counter()
    world.write(out, pages=False)
    t_write = time.perf_counter() - t0
    size = _du(out)
    parts = {sub.name: _du(sub) for sub in sorted(out.iterdir()) if sub.is_dir()}

    t0 = time.perf_counter()
    served = serve_world(world, dns=args.dns)
    t_start = time.perf_counter() - t0
    try:
        lat = asyncio.run(_queries(world, served, args.queries, budget_s=120))
    finally:
        t0 = time.perf_counter()
        backend, n_addr = served.dns_backend, len(served.addresses)
        served.stop()
        t_stop = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "referring_domains": int((world.domains["role"] == "referring").sum()),
        "served_domains": len(world.domains), "links": len(world.links), "networks": len(world.networks),
        "distinct_ipv4": int(world.domains["ip"].nunique()), "generate_s": round(t_gen, 1),
        "write_s": round(t_write, 1), "size_on_disk_mb": round(size / 1e6, 1),
        "size_by_folder_mb": {k: round(v / 1e6, 1) for k, v in parts.items()},
        "peak_rss_mb": round(peak_mb), "dns_backend": backend, "http_addresses_bound": n_addr,
        "start_servers_s": round(t_start, 1), "stop_servers_s": round(t_stop, 1),
        "latency": {k: _ms(v) for k, v in lat.items() if v},
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
