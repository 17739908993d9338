"""The registration source: RDAP first, port-43 WHOIS as the fallback.

One :class:`RegistrationSource` per run turns a referring domain into one
``registration`` :class:`~detector.enrich.base.Lookup` whose ``data`` is the normalised
record (:mod:`detector.enrich.registration_record`) plus ``raw`` (the RDAP JSON text or
the WHOIS answer, as received) and ``source`` (``"rdap"`` or ``"whois"``).

WHOIS is asked when the TLD has no RDAP server, or when RDAP failed in a way that says
nothing about the domain (timeout, 429, 5xx, malformed JSON). An RDAP record is final; an
RDAP "not registered" (404) is confirmed with WHOIS when a WHOIS server is known (a 404
from a server that should hold the domain would otherwise read as an unregistered
domain). When both fail, the error names both reasons. Nothing here raises for a
network failure.

Because the raw answer is kept, :func:`reparse_lookup` rebuilds the record from a cached
lookup with the current parsers, without the network.
"""

from __future__ import annotations

import asyncio
from typing import Any

from detector.enrich.base import Lookup, NetworkConfig
from detector.enrich.limits import RateLimiter
from detector.enrich.rdap import RdapClient, RdapParseError, outcome_to_lookup, parse_rdap_domain
from detector.enrich.whois43 import WhoisAnswerError, WhoisClient, parse_whois, whois_outcome_to_lookup

__all__ = ["RegistrationSource", "reparse_lookup", "reparse_raw"]


class RegistrationSource:
    """RDAP-then-WHOIS registration lookups with bounded concurrency and per-server limits.

    ``whois_fallback=False`` never uses port 43 (RDAP only). ``confirm_not_found``: an
    RDAP 404 is checked with WHOIS before the domain is called unregistered (an RDAP
    server that does not hold a domain it should is a failure, not a fact). Extra keyword arguments
    go to :class:`~detector.enrich.whois43.WhoisClient` (``servers``, ``iana_server``,
    ``limit_cooldown``). Close with :meth:`close` or use ``async with``.
    """

    kind = "registration"

    def __init__(self, config: NetworkConfig, *, whois_fallback: bool = True, confirm_not_found: bool = True,
                 **whois_options: Any) -> None:
        self.config = config
        self.whois_fallback = whois_fallback
        self.confirm_not_found = confirm_not_found
        self.limiter = RateLimiter(config.per_server_rate)  # keys: "rdap:host:port", "whois:host:port"
        self.rdap = RdapClient(config, limiter=self.limiter)
        self.whois = WhoisClient(config, limiter=self.limiter, **whois_options)
        self._inflight = asyncio.Semaphore(max(1, config.registration_concurrency))

    @property
    def network_calls(self) -> int:
        """RDAP requests plus WHOIS queries sent so far."""
        return self.rdap.requests_sent + self.whois.queries_sent

    async def __aenter__(self) -> "RegistrationSource":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def close(self) -> None:
        """Release the HTTP session."""
        await self.rdap.close()

    async def lookup(self, domain: str) -> Lookup:
        """The registration record of ``domain``; ``ok=False`` with a reason on failure.

        The error of a domain found unregistered starts with ``"not registered"``; when
        RDAP and WHOIS disagree or one could not answer, it names both reasons.
        """
        async with self._inflight:
            rdap = await self.rdap.query(domain)
            if rdap.record is not None or not self.whois_fallback:
                return outcome_to_lookup(rdap)
            if rdap.definitive and not self.confirm_not_found:
                return outcome_to_lookup(rdap)
            whois = await self.whois.query(domain)
            if whois.record is not None:
                found = whois_outcome_to_lookup(whois)
                found.data["rdap_error"] = rdap.error
                return found
            if rdap.definitive and whois.server is None:  # nobody to confirm with: RDAP's word stands
                return outcome_to_lookup(rdap)
            failed = whois_outcome_to_lookup(whois)
            if rdap.definitive and whois.definitive:
                failed.error = f"{rdap.error}; whois agrees: {whois.error}"
            elif whois.definitive:
                failed.error = f"{whois.error}; rdap: {rdap.error}"
            else:
                failed.error = f"rdap: {rdap.error}; whois: {whois.error}"
            if failed.data.get("raw") is None and rdap.raw is not None:
                failed.data.update(source="rdap", raw=rdap.raw, server=rdap.server,
                                   http_status=rdap.http_status)
            return failed


def reparse_raw(domain: str, source: str, raw: str) -> dict[str, Any]:
    """Parse a kept raw answer again: RDAP JSON text or WHOIS text -> normalised record.

    Raises :class:`~detector.enrich.rdap.RdapParseError` or
    :class:`~detector.enrich.whois43.WhoisAnswerError` when the answer holds no record.
    """
    if source == "rdap":
        return parse_rdap_domain(domain, raw)
    if source == "whois":
        return parse_whois(domain, raw)
    raise ValueError(f"unknown registration source {source!r}, expected 'rdap' or 'whois'")


def reparse_lookup(lookup: Lookup) -> Lookup:
    """A registration lookup rebuilt from its ``raw`` answer with today's parsers.

    Lookups without a raw answer (timeouts, refused connections) or with an HTTP error
    page come back unchanged, as do failures that still do not parse; a record whose raw
    answer no longer parses becomes ``ok=False`` with the parser's reason.
    """
    source = lookup.data.get("source")
    raw = lookup.data.get("raw")
    if lookup.kind != "registration" or not raw or source not in ("rdap", "whois"):
        return lookup
    if not lookup.ok and lookup.data.get("http_status") not in (None, 200):
        return lookup  # an HTTP error page (404, 429 ...), not an answer to parse
    keep = {k: lookup.data[k] for k in ("raw", "server", "rdap_error") if k in lookup.data}
    try:
        record = reparse_raw(lookup.domain, source, raw)
    except (RdapParseError, WhoisAnswerError) as exc:
        if not lookup.ok:
            return lookup  # still no record: keep the original, fuller reason
        data = {"source": source, **keep}
        return Lookup(lookup.domain, lookup.kind, False, data, str(exc), lookup.fetched_at)
    return Lookup(lookup.domain, lookup.kind, True, {**record, **keep}, None, lookup.fetched_at)
