"""The world's big hosts as a hosting-range list, in the shape of the shipped one.

Real audits recognise Cloudflare, shared hosts, big DNS providers and parking services
from ``detector/data/hosting_ranges.json``; a synthetic world lives in 127.0.0.0/8, which
that list rightly never covers. This gives the world's own equivalents (its CDN and
shared-host /24 blocks, its big DNS providers' and parking services' name servers), to
pass as ``hosting_ranges=`` to :func:`detector.pipeline.audit_exports`, so a detector run
on a world sees "behind a CDN" the way it would on the web.
"""

from __future__ import annotations

from typing import Any

from detector.simulate import vocab

__all__ = ["hosting_ranges"]

#: NS providers that stand for the web's big, shared DNS services (many unrelated customers).
BIG_DNS = ("edgecdn", "bighost", "hostgiant", "webspace24", "dnsmadeeasy-like", "route-dns",
           "registrar-dns")


def hosting_ranges(world: Any) -> list[dict[str, Any]]:
    """Range entries (provider, kind, cidrs / ns_suffixes) for ``world``'s big hosts."""
    kinds = {name: kind for name, kind, *_ in vocab.PROVIDERS}
    entries: list[dict[str, Any]] = []
    domains = world.domains
    for provider, kind in kinds.items():
        if kind not in ("cdn", "shared"):
            continue
        ips = domains.loc[domains["provider"] == provider, "ip"].dropna()
        blocks = sorted({ip.rsplit(".", 1)[0] + ".0/24" for ip in ips})
        if blocks:
            entries.append({"provider": provider, "kind": "cdn" if kind == "cdn" else "shared_host",
                            "cidrs": blocks, "source": "synthetic world"})
    entries.append({"provider": "world DNS providers", "kind": "dns_provider",
                    "ns_suffixes": [f"{name}.example" for name in BIG_DNS], "source": "synthetic world"})
    entries.append({"provider": "world parking services", "kind": "parking",
                    "ns_suffixes": [f"{name}.example" for name in vocab.PARKING_NS],
                    "source": "synthetic world"})
    return entries
