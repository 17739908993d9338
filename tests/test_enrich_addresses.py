"""The fetcher's address resolver: the UDP engine answers exactly as dnspython's resolver does."""

from __future__ import annotations

import asyncio

import pytest
from dns_responder import Behaviour, DnsResponder

from detector.enrich.addresses import AddressResolver, _dnspython_query, server_resolver
from detector.enrich.base import NetworkConfig
from detector.enrich.dns_wire import UdpMux
from detector.enrich.http import default_resolver

ZONE = {
    "two.test": {"A": ["127.0.0.5", "127.0.0.6"], "AAAA": ["::1", "2001:db8::7"]},
    "v6only.test": {"AAAA": ["::ffff:127.0.0.9"]},
    "www.chain.test": {"CNAME": ["hop.platform.test."]},
    "hop.platform.test": {"CNAME": ["edge.platform.test."]},
    "edge.platform.test": {"A": ["127.9.9.9"]},
    "dangling.test": {"CNAME": ["nowhere.platform.test."]},
    "mailonly.test": {"MX": ["10 mail.mailonly.test."]},
    "big.test": {"A": [f"127.0.1.{i}" for i in range(1, 60)]},
    "servfail.test": {"A": ["127.0.0.10"]},
    "quiet.test": {"A": ["127.0.0.11"]},
    "halfquiet.test": {"A": ["127.0.0.12"], "AAAA": ["::1"]},
}
BEHAVIOUR = Behaviour(servfail={"servfail.test"}, silent={"quiet.test", "halfquiet.test:AAAA"},
                      truncate={"big.test"})
NAMES = [*ZONE, "missing.test", "WWW.Chain.Test.", "a..b.test", "x" * 70 + ".test", "bücher.test"]


@pytest.fixture(scope="module")
def responder():
    server = DnsResponder(ZONE, BEHAVIOUR).start()
    yield server
    server.stop()


def _config(port: int) -> NetworkConfig:
    return NetworkConfig(dns_servers=["127.0.0.1"], dns_port=port, dns_timeout=0.6)


async def _answers(resolver, names: list[str]) -> list[object]:
    async def one(name: str) -> object:
        try:  # the responder shuffles records, as servers do: compare them sorted
            return sorted(await resolver(name))
        except OSError as exc:
            return f"OSError: {exc}"
    try:
        return list(await asyncio.gather(*(one(n) for n in names)))
    finally:
        resolver.close()


def test_the_wire_engine_is_used_for_address_servers_and_closes(responder):
    resolver = default_resolver(_config(responder.port))
    assert isinstance(resolver, AddressResolver) and resolver._mux is not None
    doh = server_resolver(NetworkConfig(dns_servers=["https://dns.example/dns-query"]))
    assert doh._mux is None  # a server that is not an IP address goes through dnspython


def test_same_addresses_and_reasons_as_dnspython(responder):
    config = _config(responder.port)
    wire = asyncio.run(_answers(server_resolver(config), NAMES))
    reference = asyncio.run(_answers(AddressResolver(_dnspython_query(config)), NAMES))
    assert wire == reference
    got = dict(zip(NAMES, wire))
    assert got["two.test"] == ["127.0.0.5", "127.0.0.6", "2001:db8::7", "::1"]
    assert got["www.chain.test"] == got["WWW.Chain.Test."] == ["127.9.9.9"]  # CNAME chain followed
    assert got["big.test"] == sorted(f"127.0.1.{i}" for i in range(1, 60))  # truncated: asked again over TCP
    assert got["mailonly.test"] == [] and got["missing.test"] == [] and got["dangling.test"] == []
    assert got["servfail.test"] == "OSError: SERVFAIL (no name server answered)"
    assert got["quiet.test"] == "OSError: timeout after 0.6s"
    assert got["halfquiet.test"] == ["127.0.0.12"]  # one type answering is enough


def test_many_first_questions_share_one_socket_pool(responder):
    async def scenario() -> tuple[int, int]:
        mux = UdpMux(3)
        try:
            answers = await asyncio.gather(*(mux.ask("127.0.0.1", responder.port, "two.test", "A", 2.0)
                                             for _ in range(40)))
            return len(mux._endpoints), sum(a.rcode == "NOERROR" for a in answers)
        finally:
            mux.close()

    assert asyncio.run(scenario()) == (3, 40)
