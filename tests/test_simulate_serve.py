"""A served world answers real DNS, HTTP, RDAP and WHOIS clients on loopback, then stops cleanly.

Domains live on many 127.x.y.z addresses, so tests that connect to them widen the socket
guard to 127.0.0.0/8 (still loopback only) with pytest-socket's ``allow_hosts`` marker.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading

import aiohttp
import dns.asyncresolver
import dns.message
import dns.query
import dns.rcode
import dns.resolver
import pytest
import whois.parser

from detector.enrich.base import NetworkConfig
from detector.simulate import World, WorldConfig, generate_world, serve_world
from detector.simulate.unbound import unbound_available
from tests.conftest import free_port

TIMEOUT = aiohttp.ClientTimeout(total=10)


@pytest.fixture(scope="module")
def world() -> World:
    cfg = WorldConfig.preset("medium", n_domains=200, seed=21, dns_failure=0.1, http_failure=0.25,
                             rdap_failure=0.15, whois_failure=0.1)
    return generate_world(cfg)


@pytest.fixture(scope="module")
def served(world: World):
    with serve_world(world, dns="inprocess", slow_seconds=0.3, oversized_bytes=300_000) as s:
        yield s


def _pick(world: World, **conds: str) -> dict:
    d = world.domains
    mask = d["role"] == "referring"
    for col in ("dns_failure", "http_failure", "rdap_failure", "whois_failure"):
        mask &= d[col] == conds.get(col, "")
    for col, val in conds.items():
        if col not in ("dns_failure", "http_failure", "rdap_failure", "whois_failure"):
            mask &= d[col] == val
    return d[mask].iloc[0].to_dict()


def _resolver(port: int) -> dns.asyncresolver.Resolver:
    r = dns.asyncresolver.Resolver(configure=False)
    r.nameservers = ["127.0.0.1"]
    r.port = port
    r.lifetime = 3.0
    r.timeout = 3.0
    return r


async def _check_dns(world: World, port: int, backend: str) -> None:
    r = _resolver(port)
    ok = _pick(world, www=False)
    v6 = world.domains[(world.domains["ipv6"] == "::1") & (world.domains["dns_failure"] == "")].iloc[0]
    with_mx = world.domains[world.domains["mx"].notna() & (world.domains["dns_failure"] == "")].iloc[0]
    assert [a.to_text() for a in await r.resolve(ok["domain"], "A")] == [ok["ip"]]
    assert [a.to_text() for a in await r.resolve(v6["domain"], "AAAA")] == ["::1"]
    ns = sorted(a.to_text() for a in await r.resolve(ok["domain"], "NS"))
    assert ns == sorted(f"{n}." for n in ok["ns"].split())
    mx = await r.resolve(with_mx["domain"], "MX")
    assert [a.exchange.to_text() for a in mx] == [f"{with_mx['mx']}."]
    if backend == "inprocess":  # CNAME to the apex, chased inside the zone
        www = await r.resolve(f"www.{ok['domain']}", "A")
        assert www.canonical_name.to_text() == f"{ok['domain']}." and [a.to_text() for a in www] == [ok["ip"]]
    else:  # unbound's local data answers the CNAME itself without chasing it
        cname = await r.resolve(f"www.{ok['domain']}", "CNAME")
        assert [a.target.to_text() for a in cname] == [f"{ok['domain']}."]
    soa = await r.resolve(ok["domain"], "SOA")
    assert soa[0].mname.to_text() == f"{ok['ns'].split()[0]}."
    ns_host = ok["ns"].split()[0]
    if ns_host.endswith(".example"):
        assert len(await r.resolve(ns_host, "A")) == 1
    with pytest.raises(dns.resolver.NXDOMAIN):
        await r.resolve("no-such-domain-in-the-world.com", "A")
    nodata = world.domains[world.domains["dns_failure"] == "nodata"]
    if len(nodata):
        with pytest.raises(dns.resolver.NoAnswer):
            await r.resolve(nodata.iloc[0]["domain"], "A")
    failing = world.domains[world.domains["dns_failure"] == "servfail"].iloc[0]["domain"]
    q = dns.message.make_query(f"{failing}.", "A")
    resp = await dns.asyncquery.udp(q, "127.0.0.1", port=port, timeout=3)
    assert resp.rcode() == (dns.rcode.SERVFAIL if backend == "inprocess" else dns.rcode.REFUSED)
    tcp = await dns.asyncquery.tcp(dns.message.make_query(f"{ok['domain']}.", "A"), "127.0.0.1", port=port, timeout=3)
    assert tcp.answer[0][0].to_text() == ok["ip"]


def test_inprocess_dns_answers_a_real_resolver(world: World, served) -> None:
    import dns.asyncquery  # noqa: F401

    assert served.dns_backend == "inprocess"
    asyncio.run(_check_dns(world, served.ports.dns, "inprocess"))
    slow = world.domains[world.domains["dns_failure"] == "slow"]
    if len(slow):
        import time

        t0 = time.perf_counter()
        dns.query.udp(dns.message.make_query(f"{slow.iloc[0]['domain']}.", "A"), "127.0.0.1",
                      port=served.ports.dns, timeout=3)
        assert time.perf_counter() - t0 >= 0.25


def test_unbound_serves_the_same_zones(world: World) -> None:
    import dns.asyncquery  # noqa: F401

    if unbound_available() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("unbound is not installed but CI=true: install it (apt-get install -y unbound)")
        with pytest.raises(FileNotFoundError):
            serve_world(world, dns="unbound")
        return
    with serve_world(world, dns="unbound", bind_all_addresses=False) as s:
        assert s.dns_backend == "unbound" and s._unbound.process.poll() is None
        proc = s._unbound.process
        asyncio.run(_check_dns(world, s.ports.dns, "unbound"))
    assert proc.poll() is not None  # the child is gone after stop


async def _fetch(url: str, host: str, **kw) -> tuple[int, dict, bytes]:
    async with aiohttp.ClientSession(timeout=TIMEOUT, auto_decompress=kw.pop("decompress", True)) as session:
        async with session.get(url, headers={"Host": host}, allow_redirects=kw.pop("redirects", True), **kw) as resp:
            body = await resp.content.read(400_000)
            return resp.status, dict(resp.headers), body


@pytest.mark.allow_hosts(["127.0.0.0/8", "::1"])
def test_http_serves_pages_by_host_header_on_the_domains_address(world: World, served) -> None:
    port = served.ports.http
    ok = _pick(world, scheme="pbn")
    link = world.links[world.links["domain"] == ok["domain"]].iloc[0]
    path = "/" + link["source_url"].split("://", 1)[1].split("/", 1)[1]

    async def go() -> None:
        status, headers, body = await _fetch(f"http://{ok['ip']}:{port}{path}", link["source_host"])
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        assert f'href="{link["target_url"]}"'.encode() in body
        status, _, robots = await _fetch(f"http://{ok['ip']}:{port}/robots.txt", ok["domain"])
        assert status == 200 and b"User-agent" in robots
        status, _, _ = await _fetch(f"http://127.0.0.1:{port}/", "unknown-host.example")
        assert status == 404
        status, _, _ = await _fetch(f"http://{ok['ip']}:{port}/no/such/page/", ok["domain"])
        assert status == 404
        for failure, check in (("404", lambda s, h, b: s == 404), ("500", lambda s, h, b: s == 500),
                               ("non_html", lambda s, h, b: s == 200 and h["Content-Type"] == "application/pdf"),
                               ("gzip_bomb", lambda s, h, b: h.get("Content-Encoding") == "gzip"),
                               ("oversized", lambda s, h, b: int(h["Content-Length"]) == 300_000),
                               ("slow", lambda s, h, b: s == 200)):
            rows = world.domains[world.domains["http_failure"] == failure]
            if not len(rows):
                continue
            row = rows.iloc[0]
            s, h, b = await _fetch(f"http://{row['ip']}:{port}/", row["domain"], decompress=False)
            assert check(s, h, b), failure
        loops = world.domains[world.domains["http_failure"] == "redirect_loop"]
        if len(loops):
            with pytest.raises(aiohttp.TooManyRedirects):
                await _fetch(f"http://{loops.iloc[0]['ip']}:{port}/", loops.iloc[0]["domain"], max_redirects=4)

    asyncio.run(go())


def test_rdap_answers_json_with_injected_failures(world: World, served) -> None:
    ok = _pick(world)
    base = served.rdap_base_url

    async def get(url: str) -> tuple[int, dict, str]:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            async with session.get(url) as resp:
                return resp.status, dict(resp.headers), await resp.text()

    async def go() -> None:
        import json

        status, headers, text = await get(f"{base}domain/{ok['domain']}")
        obj = json.loads(text)
        assert status == 200 and headers["Content-Type"].startswith("application/rdap+json")
        assert obj["objectClassName"] == "domain" and obj["ldhName"].lower() == ok["domain"]
        events = {e["eventAction"]: e["eventDate"] for e in obj["events"]}
        assert events["registration"] == ok["created"].strftime("%Y-%m-%dT%H:%M:%SZ")
        registrar = next(e for e in obj["entities"] if "registrar" in e["roles"])
        assert registrar["vcardArray"][1][1][3] == ok["registrar"]
        registrant = next(e for e in obj["entities"] if "registrant" in e["roles"])
        assert ("remarks" in registrant) == bool(ok["privacy"])
        assert (await get(f"{base}domain/not-in-this-world.com"))[0] == 404
        for failure in ("429", "malformed", "not_found"):
            rows = world.domains[world.domains["rdap_failure"] == failure]
            if not len(rows):
                continue
            status, headers, text = await get(f"{base}domain/{rows.iloc[0]['domain']}")
            if failure == "429":
                assert status == 429 and headers["Retry-After"] == "2"
            elif failure == "not_found":
                assert status == 404
            else:
                with pytest.raises(ValueError):
                    json.loads(text)
        status, _, text = await get(f"{base}dns.json")
        boot = json.loads(text)
        assert status == 200 and boot["services"][0][1] == [base]
        assert {"com", "uk", "de"} <= set(boot["services"][0][0])

    asyncio.run(go())


def _whois(port: int, query: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(query.encode() + b"\r\n")
        chunks = []
        for _ in range(100):
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks).decode("utf-8")


def test_whois_text_parses_with_python_whois_in_every_style(world: World, served) -> None:
    d = world.domains
    ok_rows = d[(d["whois_failure"] == "") & (d["role"] == "referring")]
    for style, rows in ok_rows.groupby("whois_style"):
        row = rows.iloc[0]
        text = _whois(served.ports.whois, row["domain"] if style != "denic" else f"-T dn,ace {row['domain']}")
        entry = whois.parser.WhoisEntry.load(row["domain"], text)
        assert str(entry["domain_name"]).lower() == row["domain"], style
        if style != "denic":  # DENIC's port 43 shows no creation date, like the real one
            created = entry["creation_date"]
            created = created[0] if isinstance(created, list) else created
            assert created.date() == row["created"].date(), style
    limited = d[d["whois_failure"] == "limit_exceeded"].iloc[0]
    text = _whois(served.ports.whois, limited["domain"])
    assert "limit" in text.lower() or "quota" in text.lower()
    with pytest.raises(whois.parser.WhoisDomainNotFoundError):
        whois.parser.WhoisEntry.load("absent-domain.com", _whois(served.ports.whois, "absent-domain.com"))


def test_network_config_points_every_client_here(world: World, served) -> None:
    cfg = served.network_config()
    assert isinstance(cfg, NetworkConfig)
    assert cfg.dns_servers == ["127.0.0.1"] and cfg.dns_port == served.ports.dns
    assert cfg.whois_server == "127.0.0.1" and cfg.whois_port == served.ports.whois
    assert cfg.http_port == served.ports.http and cfg.allow_private_addresses
    assert set(cfg.rdap_bootstrap) == {t.rsplit(".", 1)[-1] for t in world.tlds()}
    assert all(url == served.rdap_base_url for url in cfg.rdap_bootstrap.values())
    assert all(a.startswith("127.") for a in served.addresses)
    assert set(world.domains["ip"]) <= set(served.addresses)


@pytest.mark.allow_hosts(["127.0.0.0/8", "::1"])
def test_servers_stop_cleanly_and_free_their_ports(world: World) -> None:
    threads_before = threading.active_count()
    http_port, whois_port = free_port(), free_port()
    s = serve_world(world, dns="inprocess", ports={"http": http_port, "whois": whois_port})
    assert s.ports.http == http_port and s.ports.whois == whois_port
    some_ip = world.domains["ip"].iloc[0]
    with socket.create_connection((some_ip, http_port), timeout=3):
        pass
    s.stop()
    s.stop()  # idempotent
    assert threading.active_count() == threads_before
    for host, port in ((some_ip, http_port), ("127.0.0.1", whois_port)):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))  # free again
    with pytest.raises(ValueError, match="127.0.0.0/8"):
        serve_world(world, host="0.0.0.0")


@pytest.mark.allow_hosts(["127.0.0.0/8", "::1"])
def test_a_child_process_serves_the_same_pages_and_stops_with_its_children(world: World, served) -> None:
    from detector.simulate.serve import serve_world_process

    row = _pick(world, www=False)
    child = serve_world_process(world, dns="inprocess", slow_seconds=0.3, oversized_bytes=300_000)
    try:
        assert child._process.is_alive() and child.addresses == served.addresses
        assert child.network_config().rdap_bootstrap.keys() == served.network_config().rdap_bootstrap.keys()

        async def home(port: int) -> tuple[int, bytes]:
            async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
                async with session.get(f"http://{row['ip']}:{port}/", headers={"Host": row["domain"]}) as r:
                    return r.status, await r.read()

        assert asyncio.run(home(child.ports.http)) == asyncio.run(home(served.ports.http))
        resolver = _resolver(child.ports.dns)
        answer = asyncio.run(resolver.resolve(row["domain"], "A"))
        assert [a.to_text() for a in answer] == [row["ip"]]
    finally:
        process = child._process
        child.stop()
        child.stop()  # idempotent
    assert not process.is_alive() and process.exitcode == 0
    with socket.socket() as probe:  # its HTTP port is free again
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((row["ip"], child.ports.http))
