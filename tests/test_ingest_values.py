"""Vectorised value parsers: numbers, booleans, flags, dates, hosts."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.ingest.convert import hosts_of
from detector.ingest.values import to_bool, to_first, to_flag, to_float, to_int, to_time
from detector.keys import host_of


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**13))
def test_numbers_with_thousands_separators_round_trip(value):
    parsed, failed = to_float(pa.array([f"{value:,}", str(value), f"{value:,}, 7"]))
    assert parsed.to_pylist() == [float(value)] * 3
    assert failed.to_pylist() == [False] * 3


def test_number_failures_are_flagged_and_empty_is_not():
    parsed, failed = to_float(pa.array(["12", None, "abc", "1e3", "-4.5"]))
    assert parsed.to_pylist() == [12.0, None, None, 1000.0, -4.5]
    assert failed.to_pylist() == [False, False, True, False, False]


def test_booleans_of_every_tool():
    parsed, failed = to_bool(pa.array(["true", "FALSE", "Yes", "no", "1", "0", None, "??"]))
    assert parsed.to_pylist() == [True, False, True, False, True, False, None, None]
    assert failed.to_pylist() == [False] * 7 + [True]


def test_majestic_flags():
    parsed, _ = to_flag(pa.array([None, "", "+", "Y", "1", "0", "-"]))
    assert parsed.to_pylist() == [False, False, True, True, True, False, False]


def test_first_items_and_integers():
    assert to_first(pa.array(["en, fr", "de", None]))[0].to_pylist() == ["en", "de", None]
    assert to_int(pa.array(["301, 301", "200", "x", None]))[0].to_pylist() == [301, 200, None, None]


def test_times_to_utc_with_offsets_fractions_and_bad_values():
    parsed, failed = to_time(pa.array([
        "2026-05-09 16:34:28", "2026-05-09T16:34:28+02:00", "2026-05-09T16:34:28Z",
        "2026-05-09 16:34:28.250", "09/05/2026", "May 9, 2026", " 2026-05-09 ", "", None, "0000-00-00",
    ]))
    utc = dt.timezone.utc
    assert parsed.to_pylist() == [
        dt.datetime(2026, 5, 9, 16, 34, 28, tzinfo=utc), dt.datetime(2026, 5, 9, 14, 34, 28, tzinfo=utc),
        dt.datetime(2026, 5, 9, 16, 34, 28, tzinfo=utc), dt.datetime(2026, 5, 9, 16, 34, 28, tzinfo=utc),
        dt.datetime(2026, 5, 9, tzinfo=utc), dt.datetime(2026, 5, 9, tzinfo=utc),
        dt.datetime(2026, 5, 9, tzinfo=utc), None, None, None]
    assert failed.to_pylist() == [False] * 9 + [True]


HOSTS = st.lists(st.sampled_from(["a", "WWW", "b-c", "xn--bcher-kva", "bücher", "x1"]), min_size=1, max_size=3)


@settings(max_examples=80, deadline=None)
@given(labels=HOSTS, tld=st.sampled_from(["com", "co.uk", "blogspot.com", "DE"]),
       scheme=st.sampled_from(["https://", "http://", "//", ""]),
       port=st.sampled_from(["", ":8080"]), path=st.sampled_from(["", "/", "/p?q=1", "#x"]),
       dot=st.sampled_from(["", "."]))
def test_vectorised_hosts_agree_with_keys_host_of(labels, tld, scheme, port, path, dot):
    url = f"{scheme}{'.'.join(labels)}.{tld}{dot}{port}{path}"
    assert hosts_of(pa.array([url])).to_pylist() == [host_of(url)]
