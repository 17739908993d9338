"""Referring-domain keys: the fast suffix matcher agrees with tldextract everywhere."""

from __future__ import annotations

import doctest

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import detector.keys as keys
from detector.keys import _EXTRACT, _key_of_host, _plain_key, domain_key, hosts_to_keys


def reference_key(host: str) -> str:
    """The key as tldextract alone gives it (what _key_of_host did before the fast path)."""
    ip = keys._normalise_ip(host)
    if ip is not None:
        return ip
    return _EXTRACT(host).top_domain_under_public_suffix or host


RULES = _EXTRACT.tlds


def test_doctests():
    assert doctest.testmod(keys).failed == 0


def test_every_suffix_rule_with_prefixes_keys_like_tldextract():
    hosts = [prefix + rule.lstrip("*!.") for rule in RULES
             for prefix in ("", "a.", "www.", "b.a.", "c.b.a.", "www.x-y.")]
    wrong = [(h, _key_of_host(h), reference_key(h)) for h in hosts
             if _key_of_host(h) != reference_key(h)]
    assert wrong == []
    # the fast path really ran for most of them (else this test proves nothing)
    assert sum(_plain_key(h) is not None for h in hosts) > len(hosts) // 2


def test_private_section_wildcards_exceptions_and_odd_hosts():
    cases = {
        "spam.blogspot.com": "spam.blogspot.com", "blogspot.com": "blogspot.com",
        "www.example.co.uk": "example.co.uk", "co.uk": "co.uk",
        "www.ck": "www.ck", "x.y.ck": "x.y.ck", "a.x.y.ck": "x.y.ck",
        "city.kawasaki.jp": "city.kawasaki.jp", "a.b.unknowntld": "a.b.unknowntld",
        "10.0.0.1": "10.0.0.1", "xn--bcher-kva.de": "xn--bcher-kva.de",
        "www.xn--bcher-kva.de": "xn--bcher-kva.de", "localhost": "localhost",
    }
    for host, key in cases.items():
        assert _key_of_host(host) == key == reference_key(host), host
    assert _plain_key("x.y.ck") is None and _plain_key("10.0.0.1") is None


LABEL = st.from_regex(r"\A[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?\Z")


@settings(max_examples=400, deadline=None)
@given(st.lists(LABEL, min_size=0, max_size=3), st.sampled_from(RULES))
def test_random_hosts_under_random_rules_key_like_tldextract(prefix, rule):
    host = ".".join([*prefix, rule.lstrip("*!.")])
    assert _key_of_host(host) == reference_key(host)


def test_hosts_to_keys_vectorised_matches_one_by_one():
    hosts = pd.Series(["www.a.com", "b.blogspot.com", None, "a.b.c.co.uk", "www.a.com"], dtype="string")
    out = hosts_to_keys(hosts)
    assert out.tolist()[:2] == ["a.com", "b.blogspot.com"] and out.isna().tolist()[2]
    assert out.tolist()[3:] == ["c.co.uk", "a.com"]
    assert domain_key("https://WWW.Shop.Example.com.au:8443/x") == "example.com.au"


def reference_is_suffix(host: str) -> bool:
    parts = _EXTRACT(host)
    return not parts.domain and bool(parts.suffix)


def test_public_suffix_test_agrees_with_tldextract_on_every_rule():
    hosts = [prefix + rule.lstrip("*!.") for rule in RULES for prefix in ("", "a.", "www.")]
    hosts += ["unknowntld", "a.unknowntld", "com", "blogspot.com", "x.blogspot.com"]
    wrong = [h for h in hosts if keys.is_public_suffix(h) != reference_is_suffix(h)]
    assert wrong == []
    assert keys.is_public_suffix("blogspot.com") and not keys.is_public_suffix("a.unknowntld")
