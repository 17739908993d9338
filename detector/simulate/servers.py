"""The world's network servers as asyncio coroutines (run by :mod:`detector.simulate.serve`).

* :func:`make_http_app`: pages by Host header, with injected failures (404, 500,
  redirect loop, slow, oversized body, gzip bomb, non-HTML);
* :func:`make_rdap_app`: ``/domain/<name>`` RFC 9083 JSON, 404 for unknown names,
  injected malformed JSON / 429 / 404, and ``/dns.json`` (IANA-shaped bootstrap);
* :func:`start_whois`: port-43 WHOIS text (one query per connection, RFC 3912);
* :func:`start_dns`: the in-process DNS server over UDP and TCP (dnspython messages).

Every server binds only the addresses it is given (127.0.0.0/8); nothing binds 0.0.0.0.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import struct
from functools import lru_cache

from aiohttp import web

from detector.simulate.dns_answers import DnsAnswerer
from detector.simulate.records import rdap_bootstrap, rdap_domain, whois_limit_text, whois_not_found_text, whois_text

__all__ = ["make_http_app", "make_rdap_app", "start_whois", "start_dns", "HttpLimits"]


class HttpLimits:
    """Sizes of the injected oversized body and gzip bomb, and the slow delay."""

    def __init__(self, slow_seconds: float, oversized_bytes: int = 3_000_000,
                 bomb_bytes: int = 50_000_000) -> None:
        self.slow_seconds = slow_seconds  #: delay of "slow" pages
        self.oversized_bytes = oversized_bytes  #: body size of "oversized" pages (default cap is 2 MB)
        self.bomb_bytes = bomb_bytes  #: decompressed size of the gzip bomb


@lru_cache(maxsize=4)
def _gzip_bomb(size: int) -> bytes:
    chunk = b"<html>" + b"\0" * (1 << 20)
    buf = gzip.compress(chunk * (size >> 20), compresslevel=9, mtime=0)
    return buf


def make_http_app(world: "World", limits: HttpLimits) -> web.Application:  # noqa: F821
    """An aiohttp app serving every domain's pages by Host header."""
    idx = world.site_index()
    failures = idx.columns["http_failure"]

    async def handle(request: web.Request) -> web.StreamResponse:
        host = request.headers.get("Host", "")
        path = request.path_qs if request.query_string else request.path
        i = idx.domain_of_host(host)
        failure = (failures[i] or "") if i is not None else ""
        if failure == "404":
            return web.Response(status=404, text="<h1>Not Found</h1>", content_type="text/html")
        if failure == "500":
            return web.Response(status=500, text="<h1>Internal Server Error</h1>", content_type="text/html")
        if failure == "redirect_loop":
            nxt = "/loop-b/" if request.path == "/loop-a/" else "/loop-a/"
            return web.Response(status=301, headers={"Location": nxt})  # relative: stays on this address
        if failure == "slow":
            await asyncio.sleep(limits.slow_seconds)
        if failure == "non_html":
            return web.Response(status=200, body=b"%PDF-1.4\n%synthetic\n1 0 obj<<>>endobj\n%%EOF\n",
                                headers={"Content-Type": "application/pdf"})
        if failure == "gzip_bomb":
            return web.Response(status=200, body=_gzip_bomb(limits.bomb_bytes),
                                headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"})
        if failure == "oversized":
            resp = web.StreamResponse(status=200, headers={"Content-Type": "text/html; charset=utf-8"})
            resp.content_length = limits.oversized_bytes
            await resp.prepare(request)
            block = (b"<p>" + b"x" * 65530 + b"</p>\n")[:65536]
            sent = 0
            try:
                while sent < limits.oversized_bytes:
                    part = block[: limits.oversized_bytes - sent]
                    await resp.write(part)
                    sent += len(part)
            except (ConnectionError, asyncio.CancelledError):
                return resp
            await resp.write_eof()
            return resp
        page = idx.render(host, path)
        return web.Response(status=page.status, body=page.body,
                            headers={"Content-Type": page.content_type, **page.headers})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


def make_rdap_app(world: "World", base_url_ref: list[str]) -> web.Application:  # noqa: F821
    """An aiohttp app answering RDAP domain queries (``base_url_ref[0]`` is the public base URL)."""
    idx = world.site_index()
    rdap_type = "application/rdap+json"

    def error(status: int, title: str, extra: dict | None = None) -> web.Response:
        body = {"rdapConformance": ["rdap_level_0"], "errorCode": status, "title": title,
                "description": [title]}
        return web.Response(status=status, text=json.dumps(body), headers={"Content-Type": rdap_type, **(extra or {})})

    async def domain(request: web.Request) -> web.Response:
        name = request.match_info["name"].lower().rstrip(".")
        i = idx.position.get(name)
        if i is None:
            return error(404, "Not Found")
        row = idx.row(i)
        failure = row["rdap_failure"] or ""
        if failure == "429":
            return error(429, "Too Many Requests", {"Retry-After": "2"})
        if failure == "not_found":
            return error(404, "Not Found")
        text = json.dumps(rdap_domain(row, base_url_ref[0]))
        if failure == "malformed":
            text = text[: len(text) // 2]  # a truncated object, as flaky servers send
        return web.Response(status=200, text=text, headers={"Content-Type": rdap_type})

    async def bootstrap(request: web.Request) -> web.Response:
        return web.json_response(rdap_bootstrap(world.tlds(), base_url_ref[0]))

    async def help_(request: web.Request) -> web.Response:
        return web.Response(text=json.dumps({"rdapConformance": ["rdap_level_0"],
                                             "notices": [{"title": "Synthetic RDAP server"}]}),
                            headers={"Content-Type": rdap_type})

    app = web.Application()
    app.router.add_get("/domain/{name}", domain)
    app.router.add_get("/dns.json", bootstrap)
    app.router.add_get("/help", help_)
    return app


async def start_whois(world: "World", host: str, port: int) -> asyncio.AbstractServer:  # noqa: F821
    """Start the port-43 WHOIS server; one query line per connection."""
    idx = world.site_index()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), timeout=10)
            query = line.decode("utf-8", "replace").strip()
            # accept "-T dn,ace name" (DENIC), "domain name" / "=name" (Verisign), bare names
            name = query.split()[-1].lstrip("=").lower().rstrip(".") if query.split() else ""
            i = idx.position.get(name)
            if i is None:
                text = whois_not_found_text(name or "")
            else:
                row = idx.row(i)
                text = whois_limit_text(row["whois_style"]) if row["whois_failure"] == "limit_exceeded" \
                    else whois_text(row)
            writer.write(text.replace("\n", "\r\n").encode("utf-8"))
            await writer.drain()
        except (asyncio.TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except ConnectionError:
                pass

    return await asyncio.start_server(handle, host, port)


class _DnsUdp(asyncio.DatagramProtocol):
    def __init__(self, answerer: DnsAnswerer) -> None:
        self.answerer = answerer
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: set[asyncio.Task] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        wire, delay = self.answerer.respond(data)
        if wire is None or self.transport is None:
            return
        if len(wire) > 1232:  # classic UDP limit without EDNS: truncate, client retries over TCP
            import dns.flags
            import dns.message

            msg = dns.message.from_wire(wire)
            msg.flags |= dns.flags.TC
            msg.answer.clear()
            msg.authority.clear()
            wire = msg.to_wire()
        if delay:
            task = asyncio.get_running_loop().create_task(self._later(wire, addr, delay))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)
        else:
            self.transport.sendto(wire, addr)

    async def _later(self, wire: bytes, addr: tuple, delay: float) -> None:
        await asyncio.sleep(delay)
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(wire, addr)


async def start_dns(world: "World", host: str, port: int, slow_seconds: float) -> tuple:  # noqa: F821
    """Start the in-process DNS server on UDP and TCP ``host:port``; returns (transport, server, protocol)."""
    answerer = DnsAnswerer(world, slow_seconds)
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(lambda: _DnsUdp(answerer), local_addr=(host, port))

    async def tcp(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for _ in range(100):  # bounded: at most 100 queries per connection
                head = await asyncio.wait_for(reader.readexactly(2), timeout=10)
                (length,) = struct.unpack("!H", head)
                data = await reader.readexactly(length)
                wire, delay = answerer.respond(data)
                if wire is None:
                    break
                if delay:
                    await asyncio.sleep(delay)
                writer.write(struct.pack("!H", len(wire)) + wire)
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(tcp, host, port)
    return transport, server, protocol
