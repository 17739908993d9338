"""Registration enrichment: bootstrap, RDAP and WHOIS clients, fallback, re-parsing.

Every network test talks to servers started here on 127.0.0.1 (an aiohttp app for RDAP
and the bootstrap files, an asyncio TCP server for WHOIS), stopped when the test ends.
"""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import asynccontextmanager
from pathlib import Path

import pandas as pd
import pytest
from aiohttp import web

from detector.enrich.base import Lookup, NetworkConfig
from detector.enrich.bootstrap import (
    BOOTSTRAP_FILES,
    BootstrapError,
    bootstrap_publication,
    bundled_bootstrap_dir,
    dns_bootstrap,
    load_bootstrap_file,
    rdap_base_for,
    refresh_bootstrap,
    refresh_bootstrap_async,
)
from detector.enrich.rdap import RdapClient, RdapParseError, parse_rdap_domain
from detector.enrich.registration import RegistrationSource, reparse_lookup
from detector.enrich.registration_record import RECORD_FIELDS
from detector.enrich.whois43 import WhoisClient, parse_whois, WhoisAnswerError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RDAP_FIXTURES = FIXTURES / "rdap"
WHOIS_RESPONSES = FIXTURES / "whois" / "responses"


def rdap_text(name: str) -> str:
    return (RDAP_FIXTURES / name).read_text("utf-8")


# --------------------------------------------------------------------------- servers


class RdapWorld:
    """A loopback RDAP server whose answer depends on the domain asked about."""

    def __init__(self) -> None:
        self.hits: dict[str, list[float]] = {}  # domain -> monotonic arrival times
        self.stop = asyncio.Event()
        self.base = ""

    def answer_json(self, domain: str) -> str:
        record = json.loads(rdap_text("verisign_com.json"))
        record["ldhName"] = domain.upper()
        return json.dumps(record)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        domain = request.match_info["name"]
        times = self.hits.setdefault(domain, [])
        times.append(time.monotonic())
        label = domain.split(".")[0]
        if request.headers.get("Accept", "").split(",")[0] != "application/rdap+json":
            return web.Response(status=406)
        if "missing" in label:
            return web.Response(status=404, text=rdap_text("error_404.json"), content_type="application/rdap+json")
        if label == "busy":  # 429 once, then the record
            if len(times) == 1:
                return web.Response(status=429, headers={"Retry-After": "0.3"})
        if label.startswith("alwaysbusy"):
            return web.Response(status=429, headers={"Retry-After": "0"})
        if label.startswith("down"):
            return web.Response(status=503, text="maintenance")
        if label == "broken":
            return web.Response(text=rdap_text("malformed.json"), content_type="application/rdap+json")
        if label == "empty":
            return web.Response(text=rdap_text("missing_members.json"), content_type="application/rdap+json")
        if label == "redacted":
            return web.Response(text=rdap_text("cctld_redacted.json"), content_type="application/rdap+json")
        if label == "slow":
            try:
                await asyncio.wait_for(self.stop.wait(), 10)
            except asyncio.TimeoutError:
                pass
        return web.Response(text=self.answer_json(domain), content_type="application/rdap+json")


@asynccontextmanager
async def serve_rdap():
    world = RdapWorld()
    app = web.Application()
    app.router.add_get("/rdap/domain/{name}", world.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    world.base = f"http://127.0.0.1:{port}/rdap/"
    try:
        yield world
    finally:
        world.stop.set()
        await runner.cleanup()


WHOIS_OK = """Domain Name: {upper}
Registry Domain ID: 123_DOMAIN_TEST
Registrar: Cheap Names LLC
Registrar IANA ID: 9999
Creation Date: 2024-03-01T10:00:00Z
Updated Date: 2025-01-02T00:00:00Z
Registry Expiry Date: 2026-03-01T10:00:00Z
Registrant Organization: Withheld for Privacy ehf
Name Server: NS1.CHEAP-HOST.TEST
Name Server: NS2.CHEAP-HOST.TEST
Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited
>>> Last update of WHOIS database: 2026-07-23T00:00:00Z <<<
"""


class WhoisWorld:
    """A loopback port-43 server: records queries, answers by the first label."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str]] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = (await reader.readline()).decode().strip()
            self.queries.append((time.monotonic(), line))
            label = line.split(".")[0]
            if "limited" in label:
                writer.write(b"%% Query limit exceeded. Too many requests from your IP, try again later.\r\n")
            elif label.startswith("hang"):
                await reader.read()  # say nothing until the client gives up and closes
            elif "unknown" in label:
                writer.write(f'No match for "{line.upper()}".\r\n'.encode())
            else:
                writer.write(WHOIS_OK.format(upper=line.upper()).replace("\n", "\r\n").encode())
            await writer.drain()
        finally:
            writer.close()


@asynccontextmanager
async def serve_whois():
    world = WhoisWorld()
    server = await asyncio.start_server(world.handle, "127.0.0.1", 0)
    world.port = server.sockets[0].getsockname()[1]
    try:
        yield world
    finally:
        server.close()
        await server.wait_closed()


def config_for(rdap: RdapWorld | None = None, whois: WhoisWorld | None = None, **overrides) -> NetworkConfig:
    settings = dict(
        rdap_bootstrap={"test": rdap.base} if rdap else {"nothing-here": "http://127.0.0.1:9/"},
        whois_server="127.0.0.1" if whois else None,
        whois_port=whois.port if whois else 43,
        registration_timeout=2.0, per_server_rate=100.0, retries=1, backoff=0.05,
    )
    settings.update(overrides)
    return NetworkConfig(**settings)


# --------------------------------------------------------------------------- bootstrap


def test_shipped_snapshot_loads_and_picks_the_longest_match():
    table = dns_bootstrap()
    assert len(table) > 1000 and table["com"].startswith("https://")
    assert bootstrap_publication() == "2026-07-23T02:00:03Z"
    assert rdap_base_for("Shop.Example.COM.") == table["com"]
    assert rdap_base_for("example.zz-no-such-tld") is None
    override = {"uk": "https://uk.test/", "co.uk": "https://co-uk.test"}
    assert rdap_base_for("a.b.co.uk", override) == "https://co-uk.test/"
    assert rdap_base_for("a.org.uk", override) == "https://uk.test/"
    for name in BOOTSTRAP_FILES:  # every shipped file is a valid registry
        assert load_bootstrap_file(name)["services"]


def test_bootstrap_validation_names_the_file_and_the_problem(tmp_path):
    bad = tmp_path / "dns.json"
    bad.write_text('{"version": "1.0", "publication": "x", "services": [[["com"], ["ftp://nope/"]]]}')
    with pytest.raises(BootstrapError, match=r"dns.json: services\[0\]"):
        load_bootstrap_file("dns.json", tmp_path)


@asynccontextmanager
async def serve_bootstrap(files: dict[str, bytes]):
    async def handle(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        return web.Response(body=files[name]) if name in files else web.Response(status=404)

    app = web.Application()
    app.router.add_get("/rdap/{name}", handle)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/rdap/"
    finally:
        await runner.cleanup()


def _shipped_bytes() -> dict[str, bytes]:
    return {name: (bundled_bootstrap_dir() / name).read_bytes() for name in BOOTSTRAP_FILES}


def test_refresh_downloads_validates_and_replaces(tmp_path):
    files = _shipped_bytes()
    newer = json.loads(files["dns.json"])
    newer["publication"] = "2027-01-01T00:00:00Z"
    newer["services"].append([["zz-new"], ["https://rdap.zz-new.test/"]])
    files["dns.json"] = json.dumps(newer).encode()
    (tmp_path / "dns.json").write_bytes(_shipped_bytes()["dns.json"])

    async def run():
        async with serve_bootstrap(files) as base:
            return await refresh_bootstrap_async(tmp_path, base)

    published = asyncio.run(run())
    assert published["dns.json"] == "2027-01-01T00:00:00Z"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(BOOTSTRAP_FILES)  # no temp files left
    assert bootstrap_publication("dns.json", tmp_path) == "2027-01-01T00:00:00Z"
    assert load_bootstrap_file("ipv4.json", tmp_path) == json.loads(files["ipv4.json"])


def test_refresh_replaces_nothing_when_one_file_is_bad(tmp_path):
    files = _shipped_bytes()
    files["asn.json"] = b'{"version": "1.0", "services": "oops"}'
    for name, body in _shipped_bytes().items():
        (tmp_path / name).write_bytes(body)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    files["dns.json"] = files["dns.json"].replace(b"2026-07-23T02:00:03Z", b"2027-02-02T00:00:00Z")

    async def run():
        async with serve_bootstrap(files) as base:
            await refresh_bootstrap_async(tmp_path, base)

    with pytest.raises(BootstrapError, match="asn.json"):
        asyncio.run(run())
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_refresh_command_form_runs_synchronously(tmp_path):
    """``refresh_bootstrap`` (what ``detector refresh-rdap`` calls) against a server in a thread."""
    import threading

    files = _shipped_bytes()
    ready = threading.Event()
    holder: dict = {}

    def serve():
        async def main():
            async with serve_bootstrap(files) as base:
                holder["base"], holder["stop"] = base, asyncio.Event()
                holder["loop"] = asyncio.get_running_loop()
                ready.set()
                await asyncio.wait_for(holder["stop"].wait(), 20)

        asyncio.run(main())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        published = refresh_bootstrap(tmp_path, holder["base"], timeout=5.0)
    finally:
        holder["loop"].call_soon_threadsafe(holder["stop"].set)
        thread.join(10)
    assert set(published) == set(BOOTSTRAP_FILES)
    assert (tmp_path / "dns.json").read_bytes() == files["dns.json"]


# --------------------------------------------------------------------------- RDAP parsing


def test_rdap_verisign_style_record():
    rec = parse_rdap_domain("example-shop.com", rdap_text("verisign_com.json"))
    assert set(rec) == set(RECORD_FIELDS) and rec["source"] == "rdap"
    assert rec["created"] == "1997-09-15T04:00:00+00:00"
    assert rec["expires"] == "2028-09-14T04:00:00+00:00"
    assert rec["updated"] == "2019-09-09T15:39:04+00:00"  # not the "last update of RDAP database"
    assert rec["transferred"] is None
    assert (rec["registrar"], rec["registrar_iana_id"]) == ("MarkMonitor Inc.", "292")
    assert rec["name_servers"] == ["ns1.example-dns.net", "ns2.example-dns.net"]
    assert "client transfer prohibited" in rec["status"]
    assert rec["privacy"] is None  # a thin registry publishes no registrant at all


def test_rdap_cctld_with_redacted_registrant():
    rec = parse_rdap_domain("petite-boutique.fr", rdap_text("cctld_redacted.json"))
    assert rec["privacy"] is True
    assert rec["registrant_name"] is None and rec["registrant_org"] is None
    assert rec["created"] == "2021-11-03T09:12:44.127000+00:00"
    assert rec["transferred"] == "2025-06-02T12:30:00+00:00"  # +02:00 converted to UTC
    assert rec["registrar"] == "Registrar Exemple SAS" and rec["registrar_iana_id"] is None
    assert rec["name_servers"] == ["ns1.hebergeur.fr", "ns2.hebergeur.fr"]
    assert rec["status"] == ["active"]


def test_rdap_privacy_service_and_rfc9537_redaction():
    rec = parse_rdap_domain("cheap-links-blog.net", rdap_text("privacy_service.json"))
    assert rec["registrant_org"] == "Withheld for Privacy ehf" and rec["privacy"] is True
    assert rec["registrar_iana_id"] == "1068"
    # a named organisation is an identity even with the person's name redacted ...
    named = json.loads(rdap_text("privacy_service.json"))
    named["entities"][0]["vcardArray"][1][2][3] = "Acme Widgets Ltd"
    assert parse_rdap_domain("x.net", json.dumps(named))["privacy"] is False
    # ... and a registrant entity stripped of every name counts as hidden
    stripped = json.loads(rdap_text("privacy_service.json"))
    stripped["entities"][0]["vcardArray"][1] = [["version", {}, "text", "4.0"]]
    assert parse_rdap_domain("x.net", json.dumps(stripped))["privacy"] is True


@pytest.mark.parametrize("fixture, reason", [
    ("malformed.json", "malformed RDAP JSON"),
    ("error_404.json", "RDAP error object 404"),
    ("missing_members.json", "neither objectClassName nor ldhName"),
])
def test_rdap_unusable_answers_raise_with_a_reason(fixture, reason):
    with pytest.raises(RdapParseError, match=reason):
        parse_rdap_domain("x.com", rdap_text(fixture))


def test_rdap_wrong_object_class_and_bad_dates():
    with pytest.raises(RdapParseError, match="'entity' object"):
        parse_rdap_domain("x.com", '{"objectClassName": "entity", "handle": "X"}')
    rec = parse_rdap_domain("x.com", json.dumps({
        "objectClassName": "domain", "ldhName": "x.com",
        "events": [{"eventAction": "registration", "eventDate": "yesterday"}]}))
    assert rec["created"] is None and any("registration" in n for n in rec["notes"])


# --------------------------------------------------------------------------- RDAP client


def test_rdap_client_against_loopback_server():
    async def run():
        async with serve_rdap() as world:
            async with RdapClient(config_for(world, retries=2)) as client:
                ok = await client.query("fine.test")
                missing = await client.query("missing.test")
                busy = await client.query("busy.test")
                broken = await client.query("broken.test")
                down = await client.query("down.test")
                no_server = await client.query("fine.nordap")
                lookup = await client.lookup("fine.test")
            return world, ok, missing, busy, broken, down, no_server, lookup

    world, ok, missing, busy, broken, down, no_server, lookup = asyncio.run(run())
    assert ok.record["registrar"] == "MarkMonitor Inc." and ok.definitive and json.loads(ok.raw)
    assert missing.record is None and missing.definitive and "not registered" in missing.error
    assert len(world.hits["missing.test"]) == 1  # a 404 is never retried
    # 429 then 200: retried after the Retry-After pause, recorded on the server
    assert busy.record is not None
    first, second = world.hits["busy.test"]
    assert second - first >= 0.25
    assert broken.record is None and not broken.definitive and "malformed RDAP JSON" in broken.error
    assert broken.raw == rdap_text("malformed.json")  # kept for a later re-parse
    assert "HTTP 503" in down.error and len(world.hits["down.test"]) == 3  # 1 + 2 retries
    assert no_server.error == "no RDAP server known for fine.nordap"
    assert lookup.ok and lookup.kind == "registration" and lookup.data["raw"] and lookup.data["source"] == "rdap"
    json.dumps(lookup.to_json())


def test_rdap_client_times_out_and_gives_up_on_429():
    async def run():
        async with serve_rdap() as world:
            cfg = config_for(world, registration_timeout=0.3, retries=1)
            async with RdapClient(cfg) as client:
                slow = await client.query("slow.test")
                limited = await client.query("alwaysbusy.test")
            return world, slow, limited

    world, slow, limited = asyncio.run(run())
    assert slow.record is None and "timeout after 0.3s" in slow.error and not slow.definitive
    assert "rate limited (HTTP 429)" in limited.error and len(world.hits["alwaysbusy.test"]) == 2


def test_rate_limiter_spaces_requests_to_one_server():
    """Six concurrent lookups to one RDAP server at 10/s arrive >= 0.1 s apart."""
    async def run():
        async with serve_rdap() as world:
            async with RdapClient(config_for(world, per_server_rate=10.0)) as client:
                results = await asyncio.gather(*(client.query(f"site{i}.test") for i in range(6)))
            return world, results

    world, results = asyncio.run(run())
    assert all(r.record is not None for r in results)
    arrivals = sorted(t for times in world.hits.values() for t in times)
    assert len(arrivals) == 6
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    # 0.1 s slots. Arrival times at the server jitter on a loaded machine (one late
    # request shortens the next gap), so check the span and that no two came together;
    # without the limiter all six arrive within a few milliseconds.
    assert arrivals[-1] - arrivals[0] >= 0.8 * 0.1 * (len(arrivals) - 1), gaps
    assert min(gaps) >= 0.03, gaps


# --------------------------------------------------------------------------- WHOIS client


def test_whois_client_normal_limit_unknown_and_hang():
    async def run():
        async with serve_whois() as world:
            cfg = config_for(whois=world, registration_timeout=0.4, retries=0)
            client = WhoisClient(cfg, limit_cooldown=0.0)
            normal = await client.query("normal.test")
            limited = await client.query("limited.test")
            unknown = await client.query("unknown.test")
            started = time.monotonic()
            hang = await client.query("hang.test")
            waited = time.monotonic() - started
            return world, normal, limited, unknown, hang, waited

    world, normal, limited, unknown, hang, waited = asyncio.run(run())
    rec = normal.record
    assert rec["source"] == "whois" and rec["created"] == "2024-03-01T10:00:00+00:00"
    assert rec["registrar"] == "Cheap Names LLC" and rec["registrar_iana_id"] == "9999"
    assert rec["privacy"] is True and rec["name_servers"] == ["ns1.cheap-host.test", "ns2.cheap-host.test"]
    assert rec["status"] == ["client transfer prohibited"]
    assert "Registrar: Cheap Names LLC" in normal.raw
    assert limited.record is None and "rate limited" in limited.error and not limited.definitive
    assert "limit exceeded" in limited.raw
    assert unknown.record is None and unknown.definitive and "not registered" in unknown.error
    assert hang.record is None and "timeout after 0.4s" in hang.error
    assert waited < 5
    assert [q for _, q in world.queries] == ["normal.test", "limited.test", "unknown.test", "hang.test"]


def test_whois_limit_answers_back_off_the_server_longer_each_time():
    async def run():
        async with serve_whois() as world:
            client = WhoisClient(config_for(whois=world, retries=0, backoff=0.15), limit_cooldown=10.0)
            for domain in ("limited1.test", "limited2.test", "normal.test", "limited3.test", "normal2.test"):
                await client.query(domain)
            assert client._strikes == {}  # the last good answer reset the count
            return world

    world = asyncio.run(run())
    t = [when for when, _ in world.queries]
    assert t[1] - t[0] >= 0.14  # first refusal: backoff
    assert t[2] - t[1] >= 0.29  # second refusal in a row: doubled
    assert t[4] - t[3] >= 0.14  # refused again after a good answer: paused once more


def test_whois_rate_limit_spaces_queries_to_one_server():
    async def run():
        async with serve_whois() as world:
            client = WhoisClient(config_for(whois=world, per_server_rate=10.0))
            results = await asyncio.gather(*(client.query(f"site{i}.test") for i in range(5)))
            return world, results

    world, results = asyncio.run(run())
    assert all(r.record is not None for r in results)
    arrivals = sorted(t for t, _ in world.queries)
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    assert arrivals[-1] - arrivals[0] >= 0.8 * 0.1 * (len(arrivals) - 1), gaps  # see above
    assert min(gaps) >= 0.03, gaps


def test_whois_server_choice_table_then_iana_referral():
    async def run():
        async with serve_whois() as world:
            # IANA is played by the loopback server: its answer for any TLD lacks a "whois:" line
            cfg = NetworkConfig(whois_port=world.port, registration_timeout=1.0, retries=0)
            client = WhoisClient(cfg, servers={"example": "127.0.0.1"}, iana_server="127.0.0.1")
            from_table = await client.server_for("a.example")
            referred = await client.server_for("a.zz")
            return world, from_table, referred

    world, from_table, referred = asyncio.run(run())
    assert from_table == "127.0.0.1"
    assert referred is None and [q for _, q in world.queries] == ["zz"]


def test_whois_parse_refusals():
    with pytest.raises(WhoisAnswerError, match="empty"):
        parse_whois("x.com", "  \r\n")
    with pytest.raises(WhoisAnswerError, match="rate limited") as info:
        parse_whois("x.de", "Error: 55000000002 Connection refused; access control limit exceeded\n")
    assert info.value.definitive is False
    for refusal in ("% Error: 55000000002 Connection refused; access control limit reached.\n",
                    "maximum number of requests per second exceeded\n",
                    '\n    Error for "query":\n        The WHOIS query quota for 127.0.0.1 has been exceeded\n'):
        with pytest.raises(WhoisAnswerError, match="rate limited"):
            parse_whois("x.nl", refusal)
    with pytest.raises(WhoisAnswerError, match="not registered") as info:
        parse_whois("x.com", 'No match for "X.COM".\r\n>>> Last update of whois database: 2026 <<<\r\n')
    assert info.value.definitive is True


# --------------------------------------------------------------------------- the source


def test_registration_falls_back_to_whois_when_rdap_says_nothing_definitive():
    async def run():
        async with serve_rdap() as rdap, serve_whois() as whois:
            cfg = config_for(rdap, whois, retries=0)
            async with RegistrationSource(cfg, limit_cooldown=0.0) as source:
                out = {d: await source.lookup(d) for d in
                       ("fine.test", "down.test", "broken.test", "other.nordap", "downlimited.test",
                        "missing.test", "missingunknown.test", "missinglimited.test")}
                calls = source.network_calls
            return rdap, whois, out, calls

    rdap, whois, out, calls = asyncio.run(run())
    asked_whois = [q for _, q in whois.queries]
    assert out["fine.test"].ok and out["fine.test"].data["source"] == "rdap"
    assert "fine.test" not in asked_whois  # an RDAP record is final
    # RDAP 503 / malformed / no RDAP server for the TLD -> WHOIS answers
    for domain in ("down.test", "broken.test", "other.nordap"):
        lk = out[domain]
        assert lk.ok and lk.data["source"] == "whois" and lk.data["registrar"] == "Cheap Names LLC", domain
        assert lk.data["rdap_error"]
    # both fail -> one failure naming both reasons
    both = out["downlimited.test"]
    assert not both.ok and both.error.startswith("rdap: RDAP server error (HTTP 503)")
    assert "; whois: WHOIS refused: rate limited" in both.error
    # an RDAP 404 is confirmed with WHOIS: a WHOIS record wins, agreement = not registered,
    # a WHOIS failure leaves it open
    assert out["missing.test"].ok and out["missing.test"].data["source"] == "whois"
    assert out["missingunknown.test"].error.startswith("not registered (RDAP 404")
    assert "whois agrees: not registered" in out["missingunknown.test"].error
    assert out["missinglimited.test"].error.startswith("rdap: not registered (RDAP 404")
    assert calls == sum(len(v) for v in rdap.hits.values()) + len(whois.queries)


def test_registration_rdap_404_is_final_without_confirmation_or_whois_server():
    async def run():
        async with serve_rdap() as rdap, serve_whois() as whois:
            unconfirmed = RegistrationSource(config_for(rdap, whois, retries=0), confirm_not_found=False)
            no_whois = RegistrationSource(config_for(rdap, None, retries=0), servers={}, iana_server="127.0.0.1")
            no_whois.whois.config.whois_port = whois.port  # "IANA" (the loopback server) knows no server
            try:
                first = await unconfirmed.lookup("missing.test")
                second = await no_whois.lookup("missing.test")
            finally:
                await unconfirmed.close()
                await no_whois.close()
            return whois, first, second

    whois, first, second = asyncio.run(run())
    assert first.error.startswith("not registered (RDAP 404") and second.error.startswith("not registered (RDAP 404")
    assert [q for _, q in whois.queries] == ["test"]  # only the IANA referral question


def test_reparse_rebuilds_records_from_raw_answers():
    rdap_ok = Lookup("example-shop.com", "registration", True,
                     {"source": "rdap", "raw": rdap_text("verisign_com.json"), "registrar": "stale"})
    again = reparse_lookup(rdap_ok)
    assert again.ok and again.data["registrar"] == "MarkMonitor Inc." and again.data["raw"] == rdap_ok.data["raw"]
    whois_text = (WHOIS_RESPONSES / "google.com").read_text()
    whois_ok = Lookup("google.com", "registration", True, {"source": "whois", "raw": whois_text})
    assert reparse_lookup(whois_ok).data["created"] == "1997-09-15T00:00:00+00:00"
    broken = Lookup("x.com", "registration", False, {"source": "rdap", "raw": rdap_text("malformed.json")},
                    error="malformed RDAP JSON")
    assert reparse_lookup(broken) is broken  # still no record: unchanged
    fixed = Lookup("x.com", "registration", False,
                   {"source": "rdap", "raw": rdap_text("privacy_service.json"), "http_status": 200},
                   error="parser bug in an older version")
    assert reparse_lookup(fixed).ok and reparse_lookup(fixed).data["privacy"] is True
    not_found = Lookup("x.com", "registration", False,
                       {"source": "rdap", "raw": rdap_text("error_404.json"), "http_status": 404},
                       error="not registered (RDAP 404)")
    assert reparse_lookup(not_found) is not_found


# --------------------------------------------------------------------------- served world


def test_end_to_end_against_the_served_synthetic_world():
    """RDAP and WHOIS answers of a generated world become records; failures become reasons."""
    from detector.simulate.config import WorldConfig
    from detector.simulate.generate import generate_world
    from detector.simulate.serve import serve_world
    from detector.signals.registration import registration_features

    world = generate_world(WorldConfig(n_domains=60, seed=5, rdap_failure=0.3, whois_failure=0.3))
    referring = world.domains[world.domains["role"] == "referring"].reset_index(drop=True)
    with serve_world(world, dns="inprocess", bind_all_addresses=False) as served:
        cfg = served.network_config(per_server_rate=1000.0, retries=0, registration_timeout=3.0)

        async def run():
            async with RegistrationSource(cfg) as source:
                source.rdap.max_retry_after = 0.05  # the world asks for 2 s after a 429
                return await asyncio.gather(*(source.lookup(d) for d in referring["domain"]))

        lookups = dict(zip(referring["domain"], asyncio.run(run())))

    seen = {"rdap": 0, "whois": 0, "failed": 0}
    for row in referring.itertuples():
        lk = lookups[row.domain]
        rdap_fails, whois_fails = bool(row.rdap_failure), bool(row.whois_failure)
        if not rdap_fails:
            assert lk.ok and lk.data["source"] == "rdap", row.domain
            assert lk.data["created"][:19] == row.created.strftime("%Y-%m-%dT%H:%M:%S")
            assert lk.data["registrar"] == row.registrar
            assert lk.data["privacy"] is bool(row.privacy)
            assert lk.data["name_servers"] == [n.lower().rstrip(".") for n in str(row.ns).split()]
        elif not whois_fails:
            assert lk.ok and lk.data["source"] == "whois" and lk.data["rdap_error"], row.domain
            if lk.data["created"]:  # DENIC publishes no dates
                assert lk.data["created"][:10] == row.created.strftime("%Y-%m-%d")
        else:
            assert not lk.ok and "rdap:" in lk.error and "whois:" in lk.error, row.domain
            assert not lk.error.startswith("not registered")
        seen["failed" if not lk.ok else lk.data["source"]] += 1
    assert all(seen.values()), seen  # every path was exercised
    features = registration_features(lookups, {}, pd.Timestamp("2026-07-01", tz="UTC")).set_index("domain")
    failed = [d for d, lk in lookups.items() if not lk.ok]
    assert features.loc[failed].isna().all().all()  # unknown, never a verdict by itself
