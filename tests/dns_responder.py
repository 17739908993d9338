"""A tiny authoritative DNS responder on 127.0.0.1 (UDP and TCP) for tests and benchmarks.

It answers from a dict zone and can misbehave on purpose: SERVFAIL for some names,
silence (a timeout) for others, truncation over UDP (forcing the TCP retry) for others.
Unknown names get NXDOMAIN; a known name without the asked type gets an empty NOERROR
(NoAnswer). CNAMEs are followed inside the zone, as a recursive resolver would.

Runs its own event loop in a background thread so synchronous code (``enrich``) can be
tested against it. Binds loopback only.
"""

from __future__ import annotations

import asyncio
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

#: zone: name (lower-case, no trailing dot) -> record type ("A", "CNAME" ...) -> rdata texts
Zone = dict[str, dict[str, list[str]]]


@dataclass
class Behaviour:
    """Names (``name`` or ``name:TYPE``) to answer badly."""

    servfail: set[str] = field(default_factory=set)
    silent: set[str] = field(default_factory=set)
    truncate: set[str] = field(default_factory=set)


class DnsResponder:
    """Serve ``zone`` on ``127.0.0.1:port`` (port 0 = pick one) over UDP and TCP."""

    def __init__(self, zone: Zone, behaviour: Behaviour | None = None, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.zone = {k.lower().rstrip("."): v for k, v in zone.items()}
        self.behaviour = behaviour or Behaviour()
        self.host = host
        self.port = port
        self.queries = 0  # every query received, UDP or TCP
        self.tcp_queries = 0
        self.seen: Counter[tuple[str, str]] = Counter()  # (name, type) -> queries received
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None

    # --- answering ---------------------------------------------------------------
    def answer(self, wire: bytes, tcp: bool) -> bytes | None:
        self.queries += 1
        self.tcp_queries += tcp
        try:
            query = dns.message.from_wire(wire)
        except Exception:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA | dns.flags.RA
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.seen[(name, rdtype)] += 1
        if name in self.behaviour.silent or f"{name}:{rdtype}" in self.behaviour.silent:
            return None
        if name in self.behaviour.servfail or f"{name}:{rdtype}" in self.behaviour.servfail:
            response.set_rcode(dns.rcode.SERVFAIL)
            return response.to_wire()
        if name in self.behaviour.truncate and not tcp:
            response.flags |= dns.flags.TC
            return response.to_wire()
        current = name
        for _ in range(8):  # follow CNAMEs inside the zone
            records = self.zone.get(current)
            if records is None:
                if current == name:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                break
            if "CNAME" in records and rdtype != "CNAME":
                target = records["CNAME"][0]
                response.answer.append(dns.rrset.from_text(current + ".", 300, "IN", "CNAME", target))
                current = target.lower().rstrip(".")
                continue
            if records.get(rdtype):
                response.answer.append(
                    dns.rrset.from_text_list(current + ".", 300, "IN", rdtype, records[rdtype]))
            break
        return response.to_wire()

    # --- serving -------------------------------------------------------------------
    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        responder = self

        class Udp(asyncio.DatagramProtocol):
            def connection_made(self, transport):
                self.transport = transport

            def datagram_received(self, data, addr):
                out = responder.answer(data, tcp=False)
                if out is not None:
                    self.transport.sendto(out, addr)

        async def handle_tcp(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
            try:
                while True:
                    size = struct.unpack("!H", await reader.readexactly(2))[0]
                    out = responder.answer(await reader.readexactly(size), tcp=True)
                    if out is None:
                        continue
                    writer.write(struct.pack("!H", len(out)) + out)
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()

        for attempt in range(20):  # the UDP port picked may be taken for TCP: try another
            udp, _ = await loop.create_datagram_endpoint(Udp, local_addr=(self.host, self.port))
            port = udp.get_extra_info("sockname")[1]
            try:
                tcp = await asyncio.start_server(handle_tcp, self.host, port)
            except OSError:
                udp.close()
                if self.port or attempt == 19:
                    raise
                continue
            self.port = port
            break
        self._stop = asyncio.Event()
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            udp.close()
            tcp.close()
            await tcp.wait_closed()

    def start(self) -> "DnsResponder":
        """Start serving in a background thread; returns once the port is bound."""
        failure: list[BaseException] = []

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            try:
                self._loop.run_until_complete(self._serve())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                self._ready.set()
            finally:
                self._loop.close()

        self._thread = threading.Thread(target=run, name="dns-responder", daemon=True)
        self._thread.start()
        if not self._ready.wait(60):
            raise RuntimeError("DNS responder did not start within 60 s")
        if failure:
            raise RuntimeError(f"DNS responder failed to start: {failure[0]!r}") from failure[0]
        return self

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> "DnsResponder":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
