"""Property-based tests: round trip of render/parse, and the merge invariants."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.keys import is_public_suffix
from detector.disavow import (
    DisavowEntry,
    DisavowFile,
    merge_disavow,
    parse_disavow,
    render_disavow,
    validate_disavow,
)
from detector.disavow.allowlist import AllowIndex
from detector.disavow.model import host_covers
from detector.disavow.parse import domain_problem

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

ASCII_LABEL = st.from_regex(r"\A[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?\Z")
IDN_LABEL = st.text(alphabet="äöüßéèçñøåжзийклмнпрстуф中文字例えΑΒΓαβγ", min_size=1, max_size=8)
LABEL = st.one_of(ASCII_LABEL, IDN_LABEL).filter(lambda s: "--" not in s[2:4])
SUFFIX = st.sampled_from(["com", "org", "de", "co.uk", "рф", "中国", "io", "blogspot.com",
                          "github.io", "net"])


@st.composite
def hosts(draw) -> str:
    labels = draw(st.lists(LABEL, min_size=1, max_size=3))
    host = ".".join(labels + [draw(SUFFIX)])
    if draw(st.booleans()):
        host = host.upper() if host.isascii() else host
    return host


def _valid_host(host: str) -> bool:
    entry = DisavowEntry("domain", host)
    return not is_public_suffix(entry.value) and domain_problem(entry.value) is None


VALID_HOST = hosts().filter(_valid_host)
PATH = st.text(alphabet="abcXYZ019-._~/%?=&éü中", max_size=40)
COMMENT = st.one_of(st.none(), st.text(max_size=60))


@st.composite
def urls(draw, host=VALID_HOST) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP"]))
    return f"{scheme}://{draw(host)}/{draw(PATH)}"


@st.composite
def entries(draw, host=VALID_HOST) -> DisavowEntry:
    if draw(st.booleans()):
        return DisavowEntry("domain", draw(host), draw(COMMENT))
    return DisavowEntry("url", draw(urls(host)), draw(COMMENT))


def _unique(items):
    return tuple(dict.fromkeys(items))


@SETTINGS
@given(st.lists(entries(), max_size=12).map(_unique),
       st.lists(st.text(max_size=40), max_size=3),
       st.lists(st.text(max_size=40), max_size=2))
def test_render_then_parse_gives_back_the_same_file(items, header, footer):
    original = DisavowFile(items, header, footer if items else ())
    text = render_disavow(original)
    again = parse_disavow(text)
    assert again.entries == original.entries
    assert [e.comment for e in again.entries] == [e.comment for e in original.entries]
    assert again.header == original.header
    assert again.footer == original.footer
    assert again.problems == ()
    assert text.isascii() or all(e.value.isascii() for e in again.entries if e.kind == "domain")


@st.composite
def merge_case(draw):
    """Existing file, new entries, allowlist and removals over a shared pool of hosts."""
    bases = draw(st.lists(VALID_HOST, min_size=1, max_size=4))
    pool = bases + [f"{draw(ASCII_LABEL)}.{b}" for b in bases]
    pool_host = st.sampled_from(pool)
    existing = DisavowFile(_unique(draw(st.lists(entries(pool_host), max_size=8))),
                           header=draw(st.lists(st.text(max_size=20), max_size=2)))
    new = draw(st.lists(entries(pool_host), max_size=8))
    allow = draw(st.lists(pool_host, max_size=2))
    remove = draw(st.lists(st.one_of(pool_host, st.sampled_from(
        [e.value for e in existing.entries] or ["nothing.com"])), max_size=2))
    return existing, new, set(allow), set(remove)


@SETTINGS
@given(merge_case())
def test_merge_invariants(case):
    existing, new, allow, remove = case
    result = merge_disavow(render_disavow(existing), new, allowlist=allow, remove=remove,
                           now=NOW)
    out = set(result.file.entries)
    out_domains = [e.value for e in result.file.entries if e.kind == "domain"]
    # existing entries survive unless removed, or a URL line covered by a domain entry
    for entry in existing.entries:
        if entry in out:
            continue
        if entry in result.removed:
            continue
        assert entry.kind == "url" and entry in result.covered
        assert any(host_covers(d, entry.host) for d in out_domains)
    # allowlisted domains are never added
    index = AllowIndex(allow)
    assert not any(index.touches(e) for e in result.added)
    assert set(result.conflicts) <= out
    # the diff adds up
    assert set(result.kept) | set(result.added) == out
    assert not set(result.added) & set(existing.entries)
    # the result always validates (warnings such as an empty file allowed)
    validate_disavow(result.file)
    # merging twice is idempotent, text included
    text = render_disavow(result.file)
    second = merge_disavow(text, new, allowlist=allow, remove=remove, now=NOW)
    assert second.file.entries == result.file.entries
    assert second.added == () and second.covered == () and second.removed == ()
    assert render_disavow(second.file) == text
