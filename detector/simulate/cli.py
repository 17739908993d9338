"""``detector simulate``: generate a labelled link world, write it, optionally serve it.

    detector simulate --preset hard --domains 5000 --seed 3 --out world/ [--serve]
    detector simulate --preset samples --out data/samples/

``--preset samples`` writes the flat sample layout (exports + labels.csv); other presets
write the full world folder (see :mod:`detector.simulate.world`). ``--serve`` then keeps
the DNS, HTTP, RDAP and WHOIS servers running on 127.0.0.1 until Ctrl-C (or for
``--serve-seconds``), printing their addresses.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from detector.simulate.config import PRESETS, WorldConfig

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``detector simulate``."""
    p = argparse.ArgumentParser(prog="detector simulate",
                                description="Generate (and optionally serve) a labelled synthetic link world.")
    p.add_argument("--preset", default="medium", choices=sorted(PRESETS), help="difficulty preset")
    p.add_argument("--domains", type=int, default=None, help="number of referring domains")
    p.add_argument("--seed", type=int, default=None, help="random seed (same seed => same world)")
    p.add_argument("--targets", type=int, default=None, help="number of target sites")
    p.add_argument("--out", required=True, help="folder to write into")
    p.add_argument("--pages", choices=["auto", "yes", "no"], default="auto", help="write rendered pages")
    p.add_argument("--serve", action="store_true", help="serve the world on 127.0.0.1 after writing it")
    p.add_argument("--serve-seconds", type=float, default=None, help="stop serving after this many seconds")
    p.add_argument("--dns", choices=["auto", "unbound", "inprocess"], default="auto", help="DNS server to run")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run ``detector simulate``; returns the exit code."""
    args = build_parser().parse_args(argv)
    from detector.simulate.generate import generate_world
    from detector.simulate.samples import write_samples

    if args.preset == "samples" and not args.serve and args.domains is None and args.targets is None:
        written = write_samples(args.out, seed=args.seed)
        print(f"wrote {len(written)} sample files to {args.out}")
        return 0
    changes = {} if args.targets is None else {"n_targets": args.targets}
    cfg = WorldConfig.preset(args.preset, n_domains=args.domains, seed=args.seed, **changes)
    t0 = time.perf_counter()
    world = generate_world(cfg)
    t1 = time.perf_counter()
    pages = None if args.pages == "auto" else args.pages == "yes"
    world.write(args.out, pages=pages)
    t2 = time.perf_counter()
    print(f"generated {len(world.referring)} referring domains, {len(world.links)} links in {t1 - t0:.1f}s; "
          f"wrote {args.out} in {t2 - t1:.1f}s")
    if args.serve:
        from detector.simulate.serve import serve_world

        with serve_world(world, dns=args.dns) as served:
            cfg_net = served.network_config()
            print(json.dumps({"dns": f"{served.host}:{served.ports.dns} ({served.dns_backend})",
                              "http_port": served.ports.http, "http_addresses": len(served.addresses),
                              "rdap": served.rdap_base_url, "whois": f"{served.host}:{served.ports.whois}",
                              "rdap_bootstrap": cfg_net.rdap_bootstrap}, indent=2))
            sys.stdout.flush()
            try:
                deadline = None if args.serve_seconds is None else time.monotonic() + args.serve_seconds
                while deadline is None or time.monotonic() < deadline:
                    time.sleep(0.2)
            except KeyboardInterrupt:
                pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
