"""The WHOIS parser over every real WHOIS response in tests/fixtures/whois/responses.

Each response (python-whois's sample set, MIT, see tests/fixtures/whois/LICENSE.txt) must
parse into a normalised record without raising. Where ``expected/<name>`` (that project's
own parse results) states a creation date, a registrar or name servers, our record must
agree, unless the file is listed in EXPECTED_DIFFERENCES with the reason we differ.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detector.enrich.registration_record import RECORD_FIELDS, iso_utc, normalise_nameservers
from detector.enrich.whois43 import parse_whois

WHOIS_DIR = Path(__file__).resolve().parent / "fixtures" / "whois"
RESPONSES = sorted(p.name for p in (WHOIS_DIR / "responses").iterdir())

#: (file, field) -> why our normalised record differs from expected/<file>.
EXPECTED_DIFFERENCES: dict[tuple[str, str], str] = {
    ("davidwalsh.name", "registrar"): "expected/ has none, but the answer says 'Registrar: Name.com, Inc.' "
                                      "(we fill fields the .name parser misses from the generic ICANN patterns)",
    ("google.lv", "registrar"): "expected/ has none; python-whois 0.9.6's .lv parser reads 'Name: MarkMonitor Inc.' "
                                "in the [Registrar] block",
    ("seal.jobs", "registrar"): "expected/ has none, but the answer says 'Registrar: GoDaddy.com, LLC' "
                                "(generic ICANN patterns fill what the .jobs parser misses)",
    ("www.gov.uk", "registrar"): "the answer's registrar line is 'No registrar listed. This domain is directly "
                                 "registered with Nominet.', a sentence, not a registrar: we keep None",
}


def _read(name: str, folder: str) -> str:
    return (WHOIS_DIR / folder / name).read_text("utf-8", errors="replace")


def _expected(name: str) -> dict | None:
    path = WHOIS_DIR / "expected" / name
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text("utf-8"))
    except ValueError:  # research.google / translate.goog hold a Python repr (and have no response)
        return None


def test_fixture_set_is_complete():
    assert len(RESPONSES) == 66
    assert (WHOIS_DIR / "LICENSE.txt").read_text().startswith("Permission is hereby granted")


@pytest.mark.parametrize("name", RESPONSES)
def test_every_real_response_parses_into_a_record(name):
    record = parse_whois(name, _read(name, "responses"))
    assert set(record) == set(RECORD_FIELDS)
    assert record["source"] == "whois" and record["domain"] == name
    for field in ("created", "expires", "updated", "transferred"):
        assert record[field] is None or iso_utc(record[field]) == record[field]
    assert all(ns == ns.lower() and not ns.endswith(".") and "." in ns for ns in record["name_servers"])
    assert record["privacy"] in (True, False, None)
    assert any(record[k] for k in ("created", "registrar", "name_servers", "status")), "no facts at all"
    json.dumps(record)  # JSON-serialisable, as the cache needs


@pytest.mark.parametrize("name", RESPONSES)
def test_record_agrees_with_expected_or_difference_is_documented(name):
    expected = _expected(name)
    if expected is None:
        pytest.fail(f"expected/{name} missing or unreadable")
    record = parse_whois(name, _read(name, "responses"))
    mismatches = []

    created = expected.get("creation_date")
    if created is not None:
        values = created if isinstance(created, list) else [created]
        if record["created"] != min(iso_utc(v) for v in values):
            mismatches.append("created")
    registrar = expected.get("registrar")
    ours = (record["registrar"] or "").casefold()
    if (registrar is not None and ours != " ".join(registrar.split()).casefold()) or (registrar is None and ours):
        mismatches.append("registrar")
    servers = expected.get("name_servers")
    if servers is not None and set(normalise_nameservers(servers)) != set(record["name_servers"]):
        mismatches.append("name_servers")

    undocumented = [f for f in mismatches if (name, f) not in EXPECTED_DIFFERENCES]
    assert not undocumented, f"{name}: {undocumented} differ from expected/{name} without a documented reason"
    stale = [f for (n, f) in EXPECTED_DIFFERENCES if n == name and f not in mismatches]
    assert not stale, f"{name}: documented differences {stale} no longer differ; remove them"


def test_known_values_from_real_answers():
    """Spot checks of facts read from the raw answers by hand."""
    com = parse_whois("google.com", _read("google.com", "responses"))
    assert com["created"] == "1997-09-15T00:00:00+00:00"
    assert {"ns1.google.com", "ns2.google.com"} <= set(com["name_servers"])
    assert "client delete prohibited" in com["status"]
    ar = parse_whois("afip.gob.ar", _read("afip.gob.ar", "responses"))
    assert ar["created"] == "1997-05-26T00:00:00+00:00"  # "registered:", not a contact's "created:"
    kg = parse_whois("google.kg", _read("google.kg", "responses"))  # python-whois alone raises here
    assert kg["created"] == "2004-02-10T09:42:42+00:00"
    proxy = parse_whois("cyberciti.biz", _read("cyberciti.biz", "responses"))
    assert proxy["privacy"] is True
    gdpr = parse_whois("nic.live", _read("nic.live", "responses"))
    assert gdpr["registrant_org"] == "United TLD Holdco Ltd." and gdpr["privacy"] is False
    hidden = parse_whois("eurid.eu", _read("eurid.eu", "responses"))  # "Registrant: NOT DISCLOSED!"
    assert hidden["privacy"] is True
    xyz = parse_whois("abc.xyz", _read("abc.xyz", "responses"))
    assert xyz["registrar_iana_id"] == "292"
