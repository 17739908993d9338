"""The seam between network clients and pure signal code.

A *source* (DNS, RDAP, WHOIS, HTTP pages) turns one referring domain into one
:class:`Lookup`: a JSON-serialisable record of what the network said, or the reason it
said nothing. Lookups are cached (see ``detector.enrich.cache``) keyed by
``(domain, kind)``. Signal functions read lookups, never the network, so they are tested
with plain dictionaries.

Every server, port, timeout, concurrency bound and rate limit lives in
:class:`NetworkConfig`; tests point it at servers on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from datetime import datetime, timezone
from typing import Any, Protocol

__all__ = ["Lookup", "NetworkConfig", "Source", "load_network_config", "NETWORK_CONFIG_ENV"]


@dataclass
class Lookup:
    """What one source learned about one referring domain."""

    domain: str  #: referring-domain key looked up
    kind: str  #: source kind: ``dns``, ``registration``, ``pages`` ...
    ok: bool  #: False when the lookup failed; ``data`` then holds no facts
    data: dict[str, Any] = field(default_factory=dict)  #: parsed record (and raw text where kept)
    error: str | None = None  #: why it failed, in words (``"NXDOMAIN"``, ``"timeout after 5s"``)
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))  #: UTC

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``fetched_at`` as ISO 8601)."""
        out = asdict(self)
        out["fetched_at"] = self.fetched_at.isoformat()
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Lookup":
        """Inverse of :meth:`to_json`."""
        obj = dict(obj)
        obj["fetched_at"] = datetime.fromisoformat(obj["fetched_at"])
        return cls(**obj)


@dataclass
class NetworkConfig:
    """Where and how the network clients talk. Defaults are the real internet's.

    Tests and the synthetic world set servers and ports to loopback. Nothing else in the
    detector knows whether it talks to the internet or to a simulation.
    """

    # DNS
    dns_servers: list[str] = field(default_factory=list)  #: empty = system resolver
    dns_port: int = 53  #: port of the DNS servers
    dns_timeout: float = 3.0  #: seconds per DNS query
    dns_concurrency: int = 200  #: DNS queries in flight
    # registration
    rdap_bootstrap: dict[str, str] | None = None  #: TLD -> RDAP base URL; None = shipped IANA snapshot
    whois_server: str | None = None  #: force one WHOIS host for every TLD (tests); None = per TLD
    whois_port: int = 43  #: port-43 WHOIS port
    registration_timeout: float = 10.0  #: seconds per RDAP/WHOIS request
    registration_concurrency: int = 8  #: registration lookups in flight
    per_server_rate: float = 2.0  #: requests per second per RDAP/WHOIS server (they rate-limit hard)
    # HTTP
    http_port: int = 80  #: port for http:// fetches
    https_port: int = 443  #: port for https:// fetches
    http_timeout: float = 10.0  #: seconds per page (connect + read)
    http_concurrency: int = 50  #: pages in flight
    per_host_rate: float = 4.0  #: requests per second per host
    max_body_bytes: int = 2_000_000  #: cap on a page body (after decompression)
    max_redirects: int = 5  #: redirects followed per page
    user_agent: str = "linkdetector/0.1 (+backlink audit; respects robots.txt)"  #: polite UA
    respect_robots: bool = True  #: obey robots.txt for page fetches
    allow_private_addresses: bool = False  #: connect to loopback/private addresses (tests only)
    # retries and caching
    retries: int = 2  #: retries of a failed, safe-to-retry request
    backoff: float = 0.5  #: first back-off delay in seconds, doubled each retry
    cache_ttl_days: float = 30.0  #: age after which a cached lookup is refetched


#: Environment variable naming a JSON file of :class:`NetworkConfig` fields; the app and
#: the CLI read it, so lookups can be pointed at other servers without code changes.
NETWORK_CONFIG_ENV = "LINKDETECTOR_NETWORK"


def load_network_config(path: str | Path | None = None) -> NetworkConfig:
    """A :class:`NetworkConfig` from a JSON file of its fields (defaults for the rest).

    ``path`` defaults to the file named by ``$LINKDETECTOR_NETWORK``; with neither, the
    defaults (the real internet). Unknown keys are an error naming the file and the key.

    >>> load_network_config().dns_port
    53
    """
    from detector.errors import InputError

    path = path or os.environ.get(NETWORK_CONFIG_ENV)
    if not path:
        return NetworkConfig()
    try:
        values = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a readable JSON network configuration ({exc})") from exc
    if not isinstance(values, dict):
        raise InputError(f"{path}: expected a JSON object of NetworkConfig fields")
    known = {f.name for f in fields(NetworkConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InputError(f"{path}: unknown network setting(s) {', '.join(unknown)}; "
                         f"known: {', '.join(sorted(known))}")
    return NetworkConfig(**values)


class Source(Protocol):
    """A network client that turns one referring domain into one :class:`Lookup`."""

    kind: str

    async def lookup(self, domain: str) -> Lookup:
        """Look ``domain`` up; never raises for network failures (returns ``ok=False``)."""
        ...
