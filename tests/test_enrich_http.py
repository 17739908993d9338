"""The safe fetcher against a loopback aiohttp server with several virtual hosts.

Every host name below is mapped to 127.0.0.1 by a dict resolver; the server routes on the
``Host`` header, so a request reaching the right handler also proves the name (not the
address) went out as ``Host``.
"""

from __future__ import annotations

import asyncio
import gzip
import time
import zlib
from contextlib import asynccontextmanager
from dataclasses import replace

from aiohttp import web

from detector.enrich.base import NetworkConfig
from detector.enrich.http import SafeFetcher, address_problem, dict_resolver
from tests.conftest import free_port

PAGE = "<html><head><title>Good</title></head><body><p>Hello reader</p></body></html>"
CAP = 100_000


def _app(hits: list[tuple[str, str]]) -> web.Application:
    async def handler(request: web.Request) -> web.StreamResponse:
        host = (request.host or "").split(":")[0]
        path = request.path
        hits.append((host, path))
        if path == "/robots.txt":
            if host == "norobots.test":
                return web.Response(status=404)
            if host == "brokenrobots.test":
                return web.Response(status=503)
            if host == "looprobots.test":
                raise web.HTTPFound("/robots.txt")
            if host == "bigrobots.test":  # rules first, then 600 kB of comments
                return web.Response(text="User-agent: *\nDisallow: /private\n" + "# filler\n" * 60_000,
                                    content_type="text/plain")
            if host == "bombrobots.test":
                return web.Response(body=gzip.compress(b"\n" * 20_000_000),
                                    headers={"Content-Type": "text/plain", "Content-Encoding": "gzip"})
            return web.Response(text="User-agent: *\nDisallow: /private\n", content_type="text/plain")
        if host == "other.test":
            return web.Response(text="<html><body>other site</body></html>", content_type="text/html")
        if path == "/":
            return web.Response(text=PAGE, content_type="text/html")
        if path == "/private":
            return web.Response(text=PAGE, content_type="text/html")
        if path == "/404":
            return web.Response(status=404, text="missing")
        if path == "/500":
            return web.Response(status=500, text="oops")
        if path == "/loop-a":
            raise web.HTTPFound("/loop-b")
        if path == "/loop-b":
            raise web.HTTPFound("http://good.test/loop-a")
        if path.startswith("/chain/"):
            n = int(path.rsplit("/", 1)[1])
            if n == 0:
                return web.Response(text=PAGE, content_type="text/html")
            raise web.HTTPMovedPermanently(f"/chain/{n - 1}")
        if path == "/to-other":
            raise web.HTTPFound("http://other.test/landing")
        if path == "/to-nowhere":
            raise web.HTTPFound("http://unknown.test/")
        if path == "/to-ftp":
            raise web.HTTPFound("ftp://good.test/file")
        if path == "/big":
            return web.Response(text="<html><body>" + "x" * (3 * CAP) + "</body></html>",
                                content_type="text/html")
        if path == "/big-chunked":
            response = web.StreamResponse(headers={"Content-Type": "text/html"})
            response.enable_chunked_encoding()
            await response.prepare(request)
            for _ in range(40):
                await response.write(b"<p>" + b"y" * 9_996 + b"</p>")
            await response.write_eof()
            return response
        if path == "/bomb":
            body = gzip.compress(b"<html><body>" + b"\0" * 30_000_000, compresslevel=9)
            return web.Response(body=body, headers={"Content-Type": "text/html",
                                                    "Content-Encoding": "gzip"})
        if path == "/gzip":
            return web.Response(body=gzip.compress(PAGE.encode()),
                                headers={"Content-Type": "text/html; charset=utf-8",
                                         "Content-Encoding": "gzip"})
        if path == "/deflate-raw":
            squeeze = zlib.compressobj(wbits=-zlib.MAX_WBITS)
            body = squeeze.compress(PAGE.encode()) + squeeze.flush()
            return web.Response(body=body, headers={"Content-Type": "text/html",
                                                    "Content-Encoding": "deflate"})
        if path == "/latin1":
            return web.Response(body="<html><body>café</body></html>".encode("latin-1"),
                                headers={"Content-Type": "text/html; charset=iso-8859-1"})
        if path == "/pdf":
            return web.Response(body=b"%PDF-1.4", content_type="application/pdf")
        if path == "/slow":
            await asyncio.sleep(3)
            return web.Response(text=PAGE, content_type="text/html")
        return web.Response(status=404)

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handler)
    return app


@asynccontextmanager
async def serving(hits: list[tuple[str, str]]):
    port = free_port()
    runner = web.AppRunner(_app(hits), shutdown_timeout=0.2)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield port
    finally:
        await runner.cleanup()


NAMES = {name: ["127.0.0.1"] for name in
         ("good.test", "other.test", "norobots.test", "brokenrobots.test", "looprobots.test",
          "bigrobots.test", "bombrobots.test")}
NAMES["private.test"] = ["10.0.0.1"]
NAMES["xn--bcher-kva.test"] = ["127.0.0.1"]  # bücher.test


def _config(port: int, **overrides) -> NetworkConfig:
    base = NetworkConfig(http_port=port, https_port=port, http_timeout=1.0, per_host_rate=1000.0,
                         max_body_bytes=CAP, allow_private_addresses=True, retries=0, backoff=0.0)
    return replace(base, **overrides)


def _run(coro):
    return asyncio.run(asyncio.wait_for(coro, 25))


def fetch_all(urls: list[str], hits: list, *, resolve=None, **overrides):
    async def scenario():
        async with serving(hits) as port:
            async with SafeFetcher(_config(port, **overrides),
                                   resolve=resolve or dict_resolver(NAMES)) as fetcher:
                return [await fetcher.fetch(url) for url in urls]
    return _run(scenario())


def test_normal_page_is_fetched_with_the_name_as_host_and_config_port():
    hits: list = []
    [result] = fetch_all(["http://good.test/"], hits)
    assert result.ok, result.error
    assert result.status == 200 and result.content_type == "text/html"
    assert "Hello reader" in result.text
    assert result.address == "127.0.0.1"
    assert ("good.test", "/") in hits


def test_internationalised_names_are_resolved_and_sent_as_punycode():
    hits: list = []
    [result] = fetch_all(["http://bücher.test/"], hits)
    assert result.ok, result.error
    assert ("xn--bcher-kva.test", "/") in hits


def test_http_errors_become_reasons():
    hits: list = []
    r404, r500 = fetch_all(["http://good.test/404", "http://good.test/500"], hits)
    assert (r404.ok, r404.error, r404.text) == (False, "HTTP 404", None)
    assert r500.error == "HTTP 500"


def test_redirects_followed_loops_and_chains_capped():
    hits: list = []
    loop, chain_ok, chain_long, cross, nowhere, ftp = fetch_all(
        ["http://good.test/loop-a", "http://good.test/chain/3", "http://good.test/chain/9",
         "http://good.test/to-other", "http://good.test/to-nowhere", "http://good.test/to-ftp"],
        hits, max_redirects=5)
    assert loop.error == "redirect loop"
    assert chain_ok.ok and chain_ok.redirects[-1] == "http://good.test/chain/0"
    assert chain_long.error == "too many redirects (more than 5)"
    assert len(chain_long.redirects) == 5
    assert cross.ok and cross.final_url == "http://other.test/landing" and "other site" in cross.text
    # every hop is resolved and checked again: an unknown host fails at the hop
    assert nowhere.error == "no address for unknown.test"
    assert ftp.error == "redirect to unsupported scheme ftp"


def test_oversized_bodies_are_cut_off():
    hits: list = []
    big, chunked = fetch_all(["http://good.test/big", "http://good.test/big-chunked"], hits)
    assert big.error == f"body over {CAP} bytes"
    assert chunked.error == f"body over {CAP} bytes"  # no Content-Length: stopped while streaming


def test_gzip_bomb_is_not_inflated_past_the_cap():
    hits: list = []
    started = time.monotonic()
    bomb, normal, raw_deflate = fetch_all(
        ["http://good.test/bomb", "http://good.test/gzip", "http://good.test/deflate-raw"], hits)
    assert bomb.error == f"body over {CAP} bytes after decompression"
    assert time.monotonic() - started < 10
    assert normal.ok and "Hello reader" in normal.text
    assert raw_deflate.ok and "Hello reader" in raw_deflate.text


def test_non_html_is_not_read_and_charset_is_honoured():
    hits: list = []
    pdf, latin = fetch_all(["http://good.test/pdf", "http://good.test/latin1"], hits)
    assert pdf.error == "not HTML (application/pdf)"
    assert latin.ok and "café" in latin.text


def test_slow_page_times_out():
    hits: list = []
    [slow] = fetch_all(["http://good.test/slow"], hits, http_timeout=0.5)
    assert slow.error == "timeout after 0.5s"
    assert 0.45 <= slow.elapsed < 1.5


def test_robots_txt_is_fetched_once_and_obeyed():
    hits: list = []
    blocked, home, again, free, broken = fetch_all(
        ["http://good.test/private", "http://good.test/", "http://good.test/404",
         "http://norobots.test/private", "http://brokenrobots.test/"], hits)
    assert blocked.error == "blocked by robots.txt"
    assert ("good.test", "/private") not in hits
    assert home.ok and again.error == "HTTP 404"
    assert hits.count(("good.test", "/robots.txt")) == 1
    assert free.ok  # robots.txt 404: no restrictions
    assert broken.error == "robots.txt unavailable (HTTP 503)"  # 5xx: crawl nothing


def test_odd_robots_files_follow_rfc_9309():
    hits: list = []
    loop, big_blocked, big_home, bomb = fetch_all(
        ["http://looprobots.test/", "http://bigrobots.test/private", "http://bigrobots.test/",
         "http://bombrobots.test/"], hits, max_body_bytes=2_000_000)
    assert loop.ok  # no robots.txt found after redirects: unavailable, no restrictions
    assert big_blocked.error == "blocked by robots.txt"  # first 500 KiB parsed
    assert big_home.ok
    assert bomb.ok  # inflated only up to 500 KiB, nothing in it forbids


def test_robots_can_be_ignored_by_config():
    hits: list = []
    [page] = fetch_all(["http://good.test/private"], hits, respect_robots=False)
    assert page.ok
    assert ("good.test", "/robots.txt") not in hits


def test_loopback_refused_without_allow_and_nothing_is_sent():
    hits: list = []
    home, private = fetch_all(["http://good.test/", "http://private.test/"], hits,
                              allow_private_addresses=False)
    assert home.error == "address 127.0.0.1 is loopback"
    assert private.error == "address 10.0.0.1 is private"
    assert hits == []


def test_resolved_once_per_host():
    calls: list[str] = []
    table = dict_resolver(NAMES)

    async def counting(host: str) -> list[str]:
        calls.append(host)
        return await table(host)

    hits: list = []
    results = fetch_all(["http://good.test/", "http://good.test/404", "http://good.test/"], hits,
                        resolve=counting)
    assert [r.status for r in results] == [200, 404, 200]
    assert calls == ["good.test"]


def test_per_host_rate_limit_spaces_requests():
    hits: list = []

    async def scenario():
        async with serving(hits) as port:
            config = _config(port, per_host_rate=10.0, respect_robots=False)
            async with SafeFetcher(config, resolve=dict_resolver(NAMES)) as fetcher:
                started = time.monotonic()
                results = await asyncio.gather(*[fetcher.fetch("http://good.test/") for _ in range(5)])
                return results, time.monotonic() - started

    results, elapsed = _run(scenario())
    assert all(r.ok for r in results)
    assert elapsed >= 0.35  # 5 requests at 10/s: 4 gaps of 0.1 s


def test_address_problem_labels():
    assert address_problem("169.254.0.1") == "address 169.254.0.1 is link-local"
    assert address_problem("224.0.0.1") == "address 224.0.0.1 is multicast"
    assert address_problem("::1") == "address ::1 is loopback"
    assert address_problem("100.64.0.1") == "address 100.64.0.1 is not globally routable"
    assert address_problem("8.8.8.8") is None
