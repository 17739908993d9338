"""Resolve a host name to its addresses by asking given DNS servers (the page fetcher's resolver).

:func:`server_resolver` asks the A and AAAA records of a host at once and returns their
addresses, A first; an empty list means "no address" (NXDOMAIN, or no record of either
type), and :class:`OSError` carries a reason when neither type gave an answer
("SERVFAIL (no name server answered)", "timeout after 3s").

Two engines give the same answers. dnspython's asyncio resolver serves any server
given by name. When every server is an IP address, the questions go out instead over a
few long-lived UDP sockets with the minimal codec of :mod:`detector.enrich.dns_wire`
(the DNS source's fast path): dnspython builds rich message objects and opens a socket
per query, about a millisecond of CPU per host, which was a fifth of the fetcher's work.
At most ``NetworkConfig.dns_concurrency`` of its questions are in flight (a burst of
hosts must not overflow a server's receive queue). It keeps dnspython's rules: each
round asks the servers in order, a try waits at most 2 s and the whole question at most
``NetworkConfig.dns_timeout``, rounds are separated by a back-off of 0.1 s doubling up
to 2 s, a server that answers SERVFAIL, REFUSED or FORMERR (or refuses the connection)
is not asked again, and CNAME chains are followed inside the answer. A truncated or
unreadable answer, or a name the codec cannot write, is asked again through dnspython.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Awaitable, Callable

from detector.enrich.base import NetworkConfig
from detector.enrich.dns import _from_wire as answer_from_wire
from detector.enrich.dns_wire import UdpMux, WireError

__all__ = ["AddressResolver", "server_resolver"]

#: seconds one try may wait (dnspython's default ``Resolver.timeout``)
TRY_TIMEOUT = 2.0
_NO_SERVER = "SERVFAIL (no name server answered)"

#: one question: a list of addresses (maybe empty), or the reason there is no answer
Query = Callable[[str, str], Awaitable[list[str] | str]]


class AddressResolver:
    """``await resolver(host)`` -> addresses; ``close()`` releases its sockets.

    Built by :func:`server_resolver`; usable as the fetcher's ``resolve``.
    """

    def __init__(self, query: Query, mux: UdpMux | None = None) -> None:
        self._query = query
        self._mux = mux

    async def __call__(self, host: str) -> list[str]:
        answers = await asyncio.gather(self._query(host, "A"), self._query(host, "AAAA"))
        found = [address for answer in answers if isinstance(answer, list) for address in answer]
        if not found:
            failure = next((a for a in answers if isinstance(a, str)), None)
            if failure is not None:
                raise OSError(failure)
        return found

    def close(self) -> None:
        """Close the wire engine's sockets (a later question reopens them)."""
        if self._mux is not None:
            self._mux.close()


def _single_family_addresses(servers: list[str]) -> bool:
    try:
        versions = {ipaddress.ip_address(s).version for s in servers}
    except ValueError:
        return False
    return len(versions) == 1


def server_resolver(config: NetworkConfig) -> AddressResolver:
    """An :class:`AddressResolver` asking ``config.dns_servers`` on ``config.dns_port``."""
    fallback = _dnspython_query(config)
    servers = list(config.dns_servers)
    if servers and _single_family_addresses(servers):
        mux = UdpMux(4)
        return AddressResolver(_WireQuery(config, mux, fallback), mux)
    return AddressResolver(fallback)


def _dnspython_query(config: NetworkConfig) -> Query:
    import dns.asyncresolver
    import dns.exception
    import dns.resolver

    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = list(config.dns_servers)
    resolver.port = config.dns_port
    resolver.lifetime = config.dns_timeout

    async def query(host: str, rdtype: str) -> list[str] | str:
        try:
            answer = await resolver.resolve(host, rdtype)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.resolver.NoNameservers:
            return _NO_SERVER
        except dns.exception.Timeout:
            return f"timeout after {config.dns_timeout:g}s"
        except dns.exception.DNSException as exc:
            return type(exc).__name__
        return [record.address for record in answer]

    return query


class _WireQuery:
    """One question over the UDP engine, by dnspython's rules (see the module doc)."""

    def __init__(self, config: NetworkConfig, mux: UdpMux, fallback: Query) -> None:
        self.config = config
        self.servers = [str(ipaddress.ip_address(s)) for s in config.dns_servers]
        self.mux = mux
        self.fallback = fallback
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, host: str, rdtype: str) -> list[str] | str:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:  # a semaphore belongs to one loop
            self._slots = asyncio.Semaphore(max(1, self.config.dns_concurrency))
            self._loop = loop
        async with self._slots:  # bounded like the DNS source: a burst must not flood the server
            return await self._ask(host, rdtype)

    async def _ask(self, host: str, rdtype: str) -> list[str] | str:
        lifetime = self.config.dns_timeout
        start = time.monotonic()
        usable = list(self.servers)
        current = list(usable)
        backoff = 0.1
        while True:
            if not current:  # a round is over: wait, then ask the servers still usable
                if not usable:
                    return _NO_SERVER
                current = list(usable)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
            server = current.pop(0)
            elapsed = time.monotonic() - start
            if elapsed >= lifetime:
                return f"timeout after {lifetime:g}s"
            try:
                response = await self.mux.ask(server, self.config.dns_port, host, rdtype,
                                              min(lifetime - elapsed, TRY_TIMEOUT))
            except asyncio.TimeoutError:
                continue
            except OSError:  # connection refused and friends: this server is no good
                usable.remove(server)
                continue
            except WireError:  # a name the codec cannot write, or an unreadable answer
                return await self.fallback(host, rdtype)
            if response.truncated or not response.is_response:
                return await self.fallback(host, rdtype)  # dnspython asks again over TCP
            if response.rcode == "NXDOMAIN":
                return []
            if response.rcode == "YXDOMAIN":
                return "YXDOMAIN"
            if response.rcode != "NOERROR":  # SERVFAIL, REFUSED ...: not asked again
                usable.remove(server)
                continue
            return [str(value) for value in answer_from_wire(response, host, rdtype).values]
