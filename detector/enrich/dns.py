"""DNS source: A, AAAA, NS and MX records and the CNAME chain of each referring domain.

Uses dnspython's asyncio resolver. With ``NetworkConfig.dns_servers`` empty it reads the
system configuration; otherwise it asks exactly those servers on ``dns_port`` (tests and
the synthetic world point it at 127.0.0.1). Search domains are never appended.

What becomes of each answer (the hosting signals depend on the distinction):

* records found            -> ``ok=True``, the list of values;
* NoAnswer for one type    -> ``ok=True``, an empty list: the name exists, the type has
  no records (e.g. no MX). That is data, not a failure;
* NXDOMAIN                 -> ``ok=False``, ``error="NXDOMAIN"``;
* SERVFAIL / REFUSED / timeout on the A query -> ``ok=False`` with the reason;
* the same on AAAA/NS/MX/www after A succeeded -> that type is ``None`` (unknown, so the
  feature stays NaN) and the reason goes to ``data["errors"][type]``.

Timeouts are retried (``config.retries`` with exponential back-off from
``config.backoff``): a DNS query is idempotent. Nothing else is retried.

Two engines give the same records. ``dnspython`` is dnspython's async resolver (system
configuration, TCP, every corner of the protocol). ``wire`` (used by ``engine="auto"``
when ``dns_servers`` are IP addresses) sends the five questions over a few long-lived
UDP sockets with a minimal codec (:mod:`detector.enrich.dns_wire`), several times faster;
a truncated or unreadable answer is asked again through the dnspython resolver.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.name
import dns.rcode
import dns.rdatatype
import dns.resolver

from detector.enrich.base import Lookup, NetworkConfig
from detector.enrich.dns_wire import Response, UdpMux, WireError
from detector.enrich.limits import retry_async
from detector.keys import is_ip

__all__ = ["DnsSource", "DnsFailure"]

#: record types asked after A, in order; key in ``Lookup.data`` is the lower-case type
_OTHER_TYPES = ("AAAA", "NS", "MX")


class DnsFailure(Exception):
    """A DNS query that gave no usable answer; ``reason`` is what goes into ``Lookup.error``."""

    def __init__(self, reason: str, *, nxdomain: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.nxdomain = nxdomain


def _host(name: Any) -> str:
    """A DNS name as a lower-case host without the final dot (``.`` stays ``.``, the root)."""
    text = name.to_text() if hasattr(name, "to_text") else str(name)
    return text.lower() if text == "." else text.lower().rstrip(".")


def _reason_no_nameservers(exc: dns.resolver.NoNameservers) -> str:
    """SERVFAIL / REFUSED / an I/O error, from the per-server errors dnspython collected."""
    reasons: list[str] = []
    for error in exc.kwargs.get("errors", []) or []:
        # (server, tcp, port, exception-or-None, response-or-None)
        response = error[4] if len(error) > 4 else None
        failure = error[3] if len(error) > 3 else None
        if response is not None:
            reasons.append(dns.rcode.to_text(response.rcode()))
        elif failure is not None:
            reasons.append(f"{type(failure).__name__}: {failure}".strip(": "))
    if not reasons:
        return "no name server answered"
    unique = list(dict.fromkeys(reasons))
    return unique[0] if len(unique) == 1 else "; ".join(unique)


@dataclass
class _Answer:
    """One query's records, whichever engine asked: raw values and the CNAME chain."""

    values: list[Any]  #: str for A/AAAA/NS, (preference, host) for MX
    chain: list[str]  #: CNAME targets followed from the asked name


def _follow(qname: str, cnames: dict[str, str]) -> tuple[list[str], str]:
    """(chain of CNAME targets from ``qname``, final name), stopping at a loop."""
    chain: list[str] = []
    current = qname
    seen = {current}
    while current in cnames:
        current = cnames[current]
        if current in seen:
            break
        seen.add(current)
        chain.append(current)
    return chain, current


def _from_dnspython(answer: dns.resolver.Answer, rdtype: str) -> _Answer:
    cnames = {_host(rrset.name): _host(rrset[0].target) for rrset in answer.response.answer
              if rrset.rdtype == dns.rdatatype.CNAME and len(rrset)}
    chain, _ = _follow(_host(answer.qname), cnames)
    if answer.rrset is None:
        return _Answer([], chain)
    if rdtype == "MX":
        return _Answer([(r.preference, _host(r.exchange)) for r in answer.rrset], chain)
    if rdtype == "NS":
        return _Answer([_host(r.target) for r in answer.rrset], chain)
    return _Answer([r.to_text() for r in answer.rrset], chain)


def _from_wire(response: Response, name: str, rdtype: str) -> _Answer:
    """The ``rdtype`` records of ``name`` in a wire answer, at the end of its CNAME chain."""
    cnames = {owner: value for owner, kind, value in response.answers if kind == "CNAME"}
    chain, final = _follow(name.lower().rstrip("."), cnames)  # type: ignore[arg-type]
    values = [value for owner, kind, value in response.answers if kind == rdtype and owner == final]
    return _Answer(values, chain)


def _values(answer: _Answer, rdtype: str) -> list[str]:
    """Record values as sorted, de-duplicated strings (MX by preference, then name)."""
    if rdtype == "MX":
        pairs = sorted({(int(p), h or ".") for p, h in answer.values})
        return list(dict.fromkeys(host for _, host in pairs))
    return sorted(set(answer.values))


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class DnsSource:
    """Resolve referring domains; one :class:`Lookup` each (see the module docstring).

    ``data`` holds ``a``, ``aaaa``, ``ns``, ``mx`` (lists of strings; ``None`` = unknown),
    ``cname_chain`` (CNAME targets followed from the domain itself), and when
    ``follow_www`` is true ``www_cname_chain`` (the same for ``www.<domain>``, which is
    where platforms such as Shopify or Squarespace are usually CNAMEd), plus ``errors``
    (type -> reason) for record types that failed after the A query succeeded.
    ``engine``: ``"auto"``, ``"wire"`` or ``"dnspython"``.
    """

    kind = "dns"

    def __init__(self, config: NetworkConfig, *, follow_www: bool = True, engine: str = "auto",
                 sockets: int = 4) -> None:
        if engine not in ("auto", "wire", "dnspython"):
            raise ValueError(f"engine must be 'auto', 'wire' or 'dnspython', got {engine!r}")
        self.config = config
        self.follow_www = follow_www
        resolver = dns.asyncresolver.Resolver(configure=not config.dns_servers)
        if config.dns_servers:
            resolver.nameservers = list(config.dns_servers)
            resolver.port = config.dns_port
        resolver.timeout = config.dns_timeout
        resolver.lifetime = config.dns_timeout
        resolver.cache = None  # results are cached by LookupCache, per domain
        self.resolver = resolver
        servers = list(config.dns_servers)
        wire_ok = bool(servers) and all(_is_address(s) for s in servers)
        if engine == "wire" and not wire_ok:
            raise ValueError("engine='wire' needs dns_servers given as IP addresses")
        #: the engine in use: ``wire`` or ``dnspython``
        self.engine = "wire" if (engine == "wire" or (engine == "auto" and wire_ok)) else "dnspython"
        self._servers = [str(ipaddress.ip_address(s)) for s in servers] if wire_ok else []
        self._mux = UdpMux(sockets) if self.engine == "wire" else None
        self._next_server = 0
        #: queries sent, counting each retry (what a benchmark or a cached re-run checks)
        self.queries = 0
        #: wire-engine queries handed to dnspython (truncated or unreadable answers)
        self.fallbacks = 0
        self._semaphore: asyncio.Semaphore | None = None
        self._semaphore_loop: asyncio.AbstractEventLoop | None = None

    def _slots(self) -> asyncio.Semaphore:
        """The semaphore bounding queries in flight, made for the running loop."""
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._semaphore_loop is not loop:
            self._semaphore = asyncio.Semaphore(max(1, self.config.dns_concurrency))
            self._semaphore_loop = loop
        return self._semaphore

    async def _ask_dnspython(self, name: str, rdtype: str) -> _Answer:
        try:
            answer = await self.resolver.resolve(dns.name.from_text(name), rdtype,
                                                 raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN as exc:
            raise DnsFailure("NXDOMAIN", nxdomain=True) from exc
        except dns.resolver.NoNameservers as exc:
            raise DnsFailure(_reason_no_nameservers(exc)) from exc
        except dns.resolver.YXDOMAIN as exc:
            raise DnsFailure("YXDOMAIN") from exc
        return _from_dnspython(answer, rdtype)

    async def _ask_wire(self, name: str, rdtype: str) -> _Answer:
        assert self._mux is not None
        server = self._servers[self._next_server % len(self._servers)]
        self._next_server += 1
        try:
            response = await self._mux.ask(server, self.config.dns_port, name, rdtype,
                                           self.config.dns_timeout)
        except asyncio.TimeoutError as exc:
            raise dns.exception.Timeout(timeout=self.config.dns_timeout) from exc
        except ConnectionRefusedError as exc:
            raise DnsFailure(f"connection refused by {server}:{self.config.dns_port}") from exc
        except WireError:
            self.fallbacks += 1
            return await self._ask_dnspython(name, rdtype)
        if response.truncated or not response.is_response:  # dnspython asks again (TCP if need be)
            self.fallbacks += 1
            return await self._ask_dnspython(name, rdtype)
        if response.rcode == "NXDOMAIN":
            raise DnsFailure("NXDOMAIN", nxdomain=True)
        if response.rcode != "NOERROR":
            raise DnsFailure(response.rcode)
        return _from_wire(response, name, rdtype)

    async def _query_once(self, name: str, rdtype: str) -> _Answer:
        async with self._slots():
            self.queries += 1
            if self.engine == "wire":
                return await self._ask_wire(name, rdtype)
            return await self._ask_dnspython(name, rdtype)

    async def query(self, name: str, rdtype: str) -> _Answer:
        """One query with timeouts retried; raises :class:`DnsFailure` with a reason."""
        try:
            return await retry_async(lambda: self._query_once(name, rdtype),
                                     retries=self.config.retries, backoff=self.config.backoff,
                                     retry_on=dns.exception.Timeout)
        except dns.exception.Timeout as exc:
            tries = self.config.retries + 1
            raise DnsFailure(f"timeout after {self.config.dns_timeout:g}s"
                             + (f" ({tries} tries)" if tries > 1 else "")) from exc

    async def close(self) -> None:
        """Close the wire engine's sockets (a later lookup reopens them)."""
        if self._mux is not None:
            self._mux.close()

    async def lookup(self, domain: str) -> Lookup:
        """Resolve ``domain``; never raises for DNS or network failures."""
        if is_ip(domain):  # a link from a bare address: the address is the answer
            family = "aaaa" if ":" in domain else "a"
            data = {"a": [], "aaaa": [], "ns": None, "mx": None, "cname_chain": []}
            data[family] = [domain.strip("[]")]
            return Lookup(domain, self.kind, True, data)
        try:
            name = dns.name.from_text(domain).to_text(omit_final_dot=True)
        except dns.exception.DNSException as exc:
            return Lookup(domain, self.kind, False, error=f"invalid domain name: {exc}")
        try:
            first = await self.query(name, "A")
        except DnsFailure as failure:
            return Lookup(domain, self.kind, False, error=failure.reason)
        except Exception as exc:  # a network client never raises: record the reason
            return Lookup(domain, self.kind, False, error=f"{type(exc).__name__}: {exc}")

        data: dict[str, Any] = {"a": _values(first, "A"), "cname_chain": first.chain}
        errors: dict[str, str] = {}
        asks: list[tuple[str, str, str]] = [(t.lower(), name, t) for t in _OTHER_TYPES]
        if self.follow_www:
            asks.append(("www", "www." + name, "A"))
        answers = await asyncio.gather(*(self.query(n, t) for _, n, t in asks),
                                       return_exceptions=True)
        for (key, _, rdtype), answer in zip(asks, answers):
            if isinstance(answer, BaseException):
                if isinstance(answer, asyncio.CancelledError):
                    raise answer
                reason = answer.reason if isinstance(answer, DnsFailure) else (
                    f"{type(answer).__name__}: {answer}")
                if key == "www":
                    data["www_cname_chain"] = [] if reason == "NXDOMAIN" else None
                    if reason != "NXDOMAIN":
                        errors[key] = reason
                else:
                    data[key] = None
                    errors[key] = reason
            elif key == "www":
                data["www_cname_chain"] = answer.chain
            else:
                data[key] = _values(answer, rdtype)
        if errors:
            data["errors"] = errors
        return Lookup(domain, self.kind, True, data)
