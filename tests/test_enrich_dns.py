"""DnsSource against a loopback responder: every kind of answer becomes the right Lookup."""

from __future__ import annotations

import asyncio

import pytest
from dns_responder import Behaviour, DnsResponder

from detector.enrich.base import NetworkConfig
from detector.enrich.dns import DnsSource

ZONE = {
    "good.test": {"A": ["127.0.0.5", "127.0.0.6"], "AAAA": ["::1"],
                  "NS": ["ns2.host.test.", "NS1.host.test."], "MX": ["20 mx2.good.test.", "10 mx1.good.test."]},
    "www.good.test": {"CNAME": ["shops.platform.test."]},
    "shops.platform.test": {"CNAME": ["edge.platform.test."]},
    "edge.platform.test": {"A": ["127.9.9.9"]},
    "alias.test": {"CNAME": ["hop1.other.test."]},
    "hop1.other.test": {"CNAME": ["hop2.other.test."]},
    "hop2.other.test": {"A": ["127.0.0.7"]},
    "nomx.test": {"A": ["127.0.0.8"], "NS": ["ns1.host.test."]},
    "nullmx.test": {"A": ["127.0.0.9"], "MX": ["0 ."]},
    "noaddr.test": {"MX": ["10 mail.noaddr.test."]},
    "big.test": {"A": [f"127.0.1.{i}" for i in range(1, 60)]},
    "servfail.test": {"A": ["127.0.0.10"]},
    "quiet.test": {"A": ["127.0.0.11"]},
    "partial.test": {"A": ["127.0.0.12"], "NS": ["ns1.host.test."], "MX": ["10 mx.partial.test."]},
}
BEHAVIOUR = Behaviour(servfail={"servfail.test", "partial.test:NS"},
                      silent={"quiet.test", "partial.test:MX"}, truncate={"big.test"})


@pytest.fixture(scope="module")
def responder():
    server = DnsResponder(ZONE, BEHAVIOUR).start()
    yield server
    server.stop()


@pytest.fixture(params=["wire", "dnspython"])
def source(request, responder):
    config = NetworkConfig(dns_servers=["127.0.0.1"], dns_port=responder.port, dns_timeout=0.3,
                           retries=1, backoff=0.01, dns_concurrency=20)
    return DnsSource(config, engine=request.param)


def lookup(source: DnsSource, domain: str):
    return asyncio.run(source.lookup(domain))


def test_resolver_uses_configured_servers_and_port(responder, source):
    assert [str(ns) for ns in source.resolver.nameservers] == ["127.0.0.1"]
    assert source.resolver.port == responder.port
    assert source.engine in ("wire", "dnspython")


def test_engine_choice():
    with_servers = NetworkConfig(dns_servers=["127.0.0.1"], dns_port=5353)
    assert DnsSource(with_servers).engine == "wire"
    assert DnsSource(with_servers, engine="dnspython").engine == "dnspython"
    system = NetworkConfig()
    assert DnsSource(system).engine == "dnspython"
    with pytest.raises(ValueError, match="IP addresses"):
        DnsSource(system, engine="wire")


def test_full_answer(source):
    found = lookup(source, "good.test")
    assert found.ok and found.error is None and found.kind == "dns"
    assert found.data["a"] == ["127.0.0.5", "127.0.0.6"]
    assert found.data["aaaa"] == ["::1"]
    assert found.data["ns"] == ["ns1.host.test", "ns2.host.test"]  # lower-case, no final dot, sorted
    assert found.data["mx"] == ["mx1.good.test", "mx2.good.test"]  # by preference
    assert found.data["cname_chain"] == []
    assert found.data["www_cname_chain"] == ["shops.platform.test", "edge.platform.test"]
    assert "errors" not in found.data


def test_cname_chain_of_the_domain_itself(source):
    found = lookup(source, "alias.test")
    assert found.ok
    assert found.data["cname_chain"] == ["hop1.other.test", "hop2.other.test"]
    assert found.data["a"] == ["127.0.0.7"]


def test_no_answer_for_a_type_is_an_empty_list_not_a_failure(source):
    found = lookup(source, "nomx.test")
    assert found.ok
    assert found.data["mx"] == [] and found.data["aaaa"] == []
    assert found.data["ns"] == ["ns1.host.test"]
    nothing = lookup(source, "noaddr.test")
    assert nothing.ok and nothing.data["a"] == [] and nothing.data["mx"] == ["mail.noaddr.test"]


def test_null_mx_is_kept_as_root(source):
    assert lookup(source, "nullmx.test").data["mx"] == ["."]


def test_nxdomain(source):
    found = lookup(source, "missing.test")
    assert not found.ok and found.error == "NXDOMAIN" and found.data == {}


def test_servfail(source):
    found = lookup(source, "servfail.test")
    assert not found.ok and found.error == "SERVFAIL"


def test_timeout_is_retried_then_recorded(responder, source):
    before = responder.seen[("quiet.test", "A")]
    found = lookup(source, "quiet.test")
    assert not found.ok
    assert found.error == "timeout after 0.3s (2 tries)"
    assert responder.seen[("quiet.test", "A")] - before == 2


def test_partial_failure_keeps_the_rest_and_marks_unknown(source):
    found = lookup(source, "partial.test")
    assert found.ok
    assert found.data["a"] == ["127.0.0.12"]
    assert found.data["ns"] is None and found.data["mx"] is None  # unknown, not empty
    assert found.data["errors"]["ns"] == "SERVFAIL"
    assert found.data["errors"]["mx"].startswith("timeout after 0.3s")


def test_truncated_udp_answer_is_retried_over_tcp(responder, source):
    before = responder.tcp_queries
    found = lookup(source, "big.test")
    assert found.ok and len(found.data["a"]) == 59
    assert responder.tcp_queries > before
    assert (source.fallbacks > 0) == (source.engine == "wire")  # wire hands TC answers to dnspython


def test_ip_literals_and_invalid_names_need_no_query(responder, source):
    before = responder.queries
    v4 = lookup(source, "203.0.113.9")
    assert v4.ok and v4.data["a"] == ["203.0.113.9"] and v4.data["ns"] is None
    bad = lookup(source, "a" * 70 + ".test")
    assert not bad.ok and bad.error.startswith("invalid domain name")
    assert responder.queries == before


@pytest.mark.parametrize("engine", ["wire", "dnspython"])
def test_dead_server_is_a_recorded_failure_not_an_exception(engine):
    from conftest import free_port
    config = NetworkConfig(dns_servers=["127.0.0.1"], dns_port=free_port(), dns_timeout=0.2,
                           retries=0)
    found = asyncio.run(DnsSource(config, engine=engine).lookup("good.test"))
    assert not found.ok and found.error  # refused or timeout, with its reason


@pytest.mark.parametrize("engine", ["wire", "dnspython"])
def test_concurrency_is_bounded(responder, engine):
    config = NetworkConfig(dns_servers=["127.0.0.1"], dns_port=responder.port, dns_timeout=1,
                           dns_concurrency=3)
    source = DnsSource(config, follow_www=False, engine=engine)
    peak = 0
    name = "_ask_wire" if engine == "wire" else "_ask_dnspython"
    original = getattr(source, name)

    async def counting(*args, **kwargs):
        nonlocal peak
        peak = max(peak, 3 - source._slots()._value)
        await asyncio.sleep(0.001)
        return await original(*args, **kwargs)

    setattr(source, name, counting)

    async def run():
        return await asyncio.gather(*(source.lookup(d) for d in ["good.test", "nomx.test", "alias.test"] * 4))

    results = asyncio.run(run())
    assert all(r.ok for r in results)
    assert peak == 3
    assert source.queries == 12 * 4


# --- the wire codec of the fast engine ---------------------------------------------------

import dns.message  # noqa: E402
import dns.rrset  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from detector.enrich.dns_wire import WireError, decode_response, encode_query  # noqa: E402


def test_encoded_query_is_what_dnspython_reads():
    wire = encode_query(4242, "Shop.Example.COM", "AAAA")
    parsed = dns.message.from_wire(wire)
    assert parsed.id == 4242
    assert parsed.question[0].name.to_text() == "shop.example.com."
    assert dns.rdatatype.to_text(parsed.question[0].rdtype) == "AAAA"
    assert parsed.edns == 0 and parsed.payload == 1232


def test_decoder_reads_dnspython_answers_with_compression():
    query = dns.message.make_query("www.shop.test", "A")
    response = dns.message.make_response(query)
    response.answer.append(dns.rrset.from_text("www.shop.test.", 60, "IN", "CNAME", "edge.cdn.test."))
    response.answer.append(dns.rrset.from_text("edge.cdn.test.", 60, "IN", "A", "127.1.2.3", "127.1.2.4"))
    response.answer.append(dns.rrset.from_text("edge.cdn.test.", 60, "IN", "TXT", '"ignored"'))
    decoded = decode_response(response.to_wire())
    assert decoded.rcode == "NOERROR" and decoded.is_response and not decoded.truncated
    assert decoded.question == ("www.shop.test", 1)
    assert decoded.answers[0] == ("www.shop.test", "CNAME", "edge.cdn.test")
    assert sorted(decoded.answers[1:]) == [("edge.cdn.test", "A", "127.1.2.3"),
                                           ("edge.cdn.test", "A", "127.1.2.4")]  # TXT skipped
    mx = dns.message.make_response(dns.message.make_query("shop.test", "MX"))
    mx.answer.append(dns.rrset.from_text("shop.test.", 60, "IN", "MX", "10 mail.shop.test."))
    assert decode_response(mx.to_wire()).answers == [("shop.test", "MX", (10, "mail.shop.test"))]


def test_decoder_rejects_loops_and_truncation():
    header = bytes.fromhex("abcd81800001000000000000")
    with pytest.raises(WireError, match="loop"):
        decode_response(header + b"\xc0\x0c" + b"\x00\x01\x00\x01")  # pointer to itself
    with pytest.raises(WireError):
        decode_response(header[:8])
    with pytest.raises(WireError):
        encode_query(1, "a" * 64 + ".test", "A")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_decoder_only_ever_raises_wire_error(blob):
    try:
        decode_response(blob)
    except WireError:
        pass
