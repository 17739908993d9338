"""What the world's DNS, RDAP and WHOIS servers say about a domain, rendered from its row.

* :func:`dns_records` lists the resource records of a domain's zone (SOA, NS, A, AAAA,
  MX, CNAME, glue), all addresses in 127.0.0.0/8 (AAAA only ever ``::1``);
* :func:`rdap_domain` builds an RFC 9083 domain object;
* :func:`whois_text` writes port-43 text in the style of the TLD's registry (Verisign,
  ICANN registrar, DENIC, Nominet, NASK, SIDN), parseable by python-whois.

A row is any mapping with the ``domains`` table's columns (see ``docs/simulation.md``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import timezone
from typing import Any, Iterator, Mapping

import pandas as pd

__all__ = ["dns_records", "infra_address", "rdap_domain", "rdap_bootstrap", "whois_text",
           "whois_limit_text", "whois_not_found_text", "zone_file_lines", "SOA_SERIAL"]

SOA_SERIAL = 2026070101  #: serial of every synthetic zone (fixed for reproducibility)
TTL = 3600


def infra_address(host: str) -> str:
    """Address of an infrastructure host (name or mail server) in 127.0.1.0-127.0.255.255.

    Stable across worlds (a hash of the name), outside the /24 blocks of web hosting.

    >>> infra_address("ns1.bighost.example") == infra_address("ns1.bighost.example")
    True
    """
    h = int.from_bytes(hashlib.blake2b(host.encode(), digest_size=4).digest(), "big")
    return f"127.0.{1 + h % 255}.{2 + (h >> 8) % 253}"


def _get(row: Mapping[str, Any], key: str) -> Any:
    v = row[key]
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v


def dns_records(row: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """``(owner, type, rdata)`` records of the domain's zone, owner names absolute (dot-ended).

    A domain with an injected ``nodata`` failure keeps only SOA and NS.
    """
    d = row["domain"]
    zone = f"{d}."
    ns = str(row["ns"]).split()
    yield zone, "SOA", f"{ns[0]}. hostmaster.{d}. {SOA_SERIAL} 7200 3600 1209600 3600"
    for n in ns:
        yield zone, "NS", f"{n}."
        if n.endswith("." + d):  # in-zone name servers need glue
            yield f"{n}.", "A", row["ip"]
    if _get(row, "dns_failure") == "nodata":
        return
    yield zone, "A", row["ip"]
    if _get(row, "ipv6"):
        yield zone, "AAAA", "::1"
    if row["www"]:
        yield f"www.{d}.", "A", row["ip"]
    else:
        yield f"www.{d}.", "CNAME", zone
    mx = _get(row, "mx")
    if mx:
        yield zone, "MX", f"10 {mx}."
        if mx.endswith("." + d):
            yield f"{mx}.", "A", row["ip"]


def zone_file_lines(row: Mapping[str, Any]) -> Iterator[str]:
    """The domain's records as master-file lines (RFC 1035), absolute names."""
    for owner, rtype, rdata in dns_records(row):
        yield f"{owner}\t{TTL}\tIN\t{rtype}\t{rdata}"


# ---------------------------------------------------------------------- RDAP

def _iso(ts: Any) -> str | None:
    if ts is None or pd.isna(ts):
        return None
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rdap_domain(row: Mapping[str, Any], base_url: str = "http://127.0.0.1/") -> dict[str, Any]:
    """The RFC 9083 domain object of the row (events, registrar, registrant, nameservers)."""
    d = row["domain"]
    events = [{"eventAction": "registration", "eventDate": _iso(row["created"])},
              {"eventAction": "expiration", "eventDate": _iso(row["expires"])},
              {"eventAction": "last changed", "eventDate": _iso(row["updated"])}]
    if _iso(_get(row, "transferred")):
        events.append({"eventAction": "transfer", "eventDate": _iso(row["transferred"])})
    events.append({"eventAction": "last update of RDAP database", "eventDate": _iso(row["updated"])})
    registrar = {
        "objectClassName": "entity", "handle": str(row["registrar_iana"]), "roles": ["registrar"],
        "publicIds": [{"type": "IANA Registrar ID", "identifier": str(row["registrar_iana"])}],
        "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", row["registrar"]]]],
    }
    if row["privacy"]:
        registrant = {
            "objectClassName": "entity", "roles": ["registrant"],
            "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", ""],
                                     ["adr", {"cc": "IS"}, "text", ["", "", "", "", "", "", ""]]]],
            "remarks": [{"title": "REDACTED FOR PRIVACY", "type": "object redacted due to authorization",
                         "description": ["Some of the data in this object has been removed."]}],
        }
    else:
        registrant = {
            "objectClassName": "entity", "roles": ["registrant"],
            "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", ""],
                                     ["org", {}, "text", _get(row, "registrant_org") or ""]]],
        }
    status = ["client transfer prohibited"]
    if row["role"] == "referring" and row["scheme"] == "parked" and row["expired_reuse"]:
        status.append("client hold")
    return {
        "rdapConformance": ["rdap_level_0", "icann_rdap_response_profile_0", "redacted"],
        "objectClassName": "domain",
        "handle": f"{int.from_bytes(hashlib.blake2b(d.encode(), digest_size=5).digest(), 'big')}_DOMAIN-SIM",
        "ldhName": d.upper() if row["whois_style"] == "verisign" else d,
        "status": status,
        "events": events,
        "entities": [registrar, registrant],
        "nameservers": [{"objectClassName": "nameserver", "ldhName": n.upper()} for n in str(row["ns"]).split()],
        "secureDNS": {"delegationSigned": False},
        "links": [{"value": f"{base_url.rstrip('/')}/domain/{d}", "rel": "self",
                   "href": f"{base_url.rstrip('/')}/domain/{d}", "type": "application/rdap+json"}],
        "notices": [{"title": "Terms of Use", "description": ["Synthetic registration data for tests."]}],
    }


def rdap_bootstrap(tlds: list[str], base_url: str, publication: str = "2026-07-01T00:00:00Z") -> dict[str, Any]:
    """An IANA-shaped ``dns.json`` bootstrap mapping each TLD (last label) to ``base_url``."""
    labels = sorted({t.rsplit(".", 1)[-1] for t in tlds})
    return {"description": "RDAP bootstrap file for the synthetic link world",
            "publication": publication, "version": "1.0",
            "services": [[labels, [base_url.rstrip("/") + "/"]]]}


# ---------------------------------------------------------------------- WHOIS

def _fmt(ts: Any, fmt: str) -> str:
    return ts.astimezone(timezone.utc).strftime(fmt)


_VERISIGN_TAIL = """
For more information on Whois status codes, please visit https://icann.org/epp

NOTICE: The expiration date displayed in this record is the date the
registrar's sponsorship of the domain name registration in the registry is
currently set to expire. This date does not necessarily reflect the expiration
date of the domain name registrant's agreement with the sponsoring
registrar.  Users may consult the sponsoring registrar's Whois database to
view the registrar's reported date of expiration for this registration.

TERMS OF USE: Synthetic data for tests; not authorised for any other use.
"""


def whois_text(row: Mapping[str, Any]) -> str:
    """Port-43 WHOIS text for the row in its registry's style."""
    style = row["whois_style"]
    d = row["domain"]
    ns = str(row["ns"]).split()
    registrant = _get(row, "registrant_org") or "REDACTED FOR PRIVACY"
    host = _registrar_host(row["registrar"])
    if style in ("verisign", "icann"):
        name = d.upper() if style == "verisign" else d
        ns_lines = "\n".join(f"   Name Server: {n.upper() if style == 'verisign' else n}" for n in ns)
        return (
            f"   Domain Name: {name}\n"
            f"   Registry Domain ID: {rdap_domain(row)['handle']}\n"
            f"   Registrar WHOIS Server: whois.{host}\n"
            f"   Registrar URL: http://www.{host}\n"
            f"   Updated Date: {_fmt(row['updated'], '%Y-%m-%dT%H:%M:%SZ')}\n"
            f"   Creation Date: {_fmt(row['created'], '%Y-%m-%dT%H:%M:%SZ')}\n"
            f"   Registry Expiry Date: {_fmt(row['expires'], '%Y-%m-%dT%H:%M:%SZ')}\n"
            f"   Registrar: {row['registrar']}\n"
            f"   Registrar IANA ID: {row['registrar_iana']}\n"
            f"   Registrar Abuse Contact Email: abuse@{host}\n"
            f"   Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited\n"
            f"   Registrant Organization: {registrant}\n"
            f"{ns_lines}\n"
            f"   DNSSEC: unsigned\n"
            f"   URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/\n"
            f">>> Last update of whois database: 2026-07-01T00:00:00Z <<<\n" + _VERISIGN_TAIL)
    if style == "denic":
        ns_lines = "\n".join(f"Nserver: {n}" for n in ns)
        return ("% Restricted rights.\n%\n% Terms and Conditions of Use\n%\n"
                "% The DENIC whois service on port 43 doesn't disclose any information concerning\n"
                "% the domain holder, general request and abuse contact.\n%\n\n"
                f"Domain: {d}\n{ns_lines}\nStatus: connect\n"
                f"Changed: {pd.Timestamp(row['updated']).tz_convert('Europe/Berlin').floor('s').isoformat()}\n")
    if style == "nominet":
        ns_lines = "\n".join(f"        {n}" for n in ns)
        return (f"\n    Domain name:\n        {d}\n\n"
                f"    Registrar:\n        {row['registrar']} [Tag = {host.split('.')[0].upper()}]\n"
                f"        URL: http://www.{host}\n\n"
                f"    Relevant dates:\n"
                f"        Registered on: {_fmt(row['created'], '%d-%b-%Y')}\n"
                f"        Expiry date:  {_fmt(row['expires'], '%d-%b-%Y')}\n"
                f"        Last updated:  {_fmt(row['updated'], '%d-%b-%Y')}\n\n"
                f"    Registration status:\n        Registered until expiry date.\n\n"
                f"    Name servers:\n{ns_lines}\n\n"
                f"    WHOIS lookup made at 00:00:00 01-Jul-2026\n\n--\n"
                f"This WHOIS information is provided for free by a Nominet-like registry for tests.\n")
    if style == "nask":
        ns_lines = "\n".join(
            (f"nameservers:           {n}." if i == 0 else f"                       {n}.") for i, n in enumerate(ns))
        return (f"\nDOMAIN NAME:           {d}\n"
                f"registrant type:       {'individual' if row['privacy'] else 'organization'}\n"
                f"{ns_lines}\n"
                f"created:               {_fmt(row['created'], '%Y.%m.%d %H:%M:%S')}\n"
                f"last modified:         {_fmt(row['updated'], '%Y.%m.%d %H:%M:%S')}\n"
                f"renewal date:          {_fmt(row['expires'], '%Y.%m.%d %H:%M:%S')}\n\n"
                f"dnssec:                Unsigned\n\n\nREGISTRAR:\n{row['registrar']}\n"
                f"email: abuse@{host}\n\n"
                f"WHOIS displays data with a delay not exceeding 15 minutes in relation to the .pl Registry system\n")
    if style == "sidn":
        ns_lines = "\n".join(f"   {n}" for n in ns)
        return (f"Domain name: {d}\nStatus:      active\n\n"
                f"Registrar:\n   {row['registrar']}\n   Keizersgracht 1\n   1015CC Amsterdam\n   Netherlands\n\n"
                f"Abuse Contact:\n   abuse@{host}\n\nDNSSEC:      no\n\n"
                f"Domain nameservers:\n{ns_lines}\n\n"
                f"Creation Date: {_fmt(row['created'], '%Y-%m-%d')}\n\n"
                f"Updated Date: {_fmt(row['updated'], '%Y-%m-%d')}\n\n"
                f"Record maintained by: SIDN-like registry\n")
    raise ValueError(f"unknown WHOIS style {style!r} for {d}")


def _registrar_host(name: str) -> str:
    from detector.simulate import vocab

    for reg_name, _iana, host in vocab.REGISTRARS:
        if reg_name == name:
            return host
    return "registrar.example"


def whois_limit_text(style: str) -> str:
    """The registry's "query limit exceeded" answer (real wording of each registry)."""
    return {
        "verisign": "Your connection limit exceeded. Please slow down and try again later.\n",
        "icann": "WHOIS LIMIT EXCEEDED - SEE WWW.PIR.ORG/WHOIS FOR DETAILS\n",
        "denic": "% Error: 55000000002 Connection refused; access control limit reached.\n",
        "nominet": "\n    Error for \"query\":\n        The WHOIS query quota for 127.0.0.1 has been exceeded\n",
        "nask": "request limit exceeded\n",
        "sidn": "maximum number of requests per second exceeded\n",
    }.get(style, "Query rate limit exceeded\n")


def whois_not_found_text(domain: str) -> str:
    """A Verisign-style "no match" answer (python-whois raises WhoisDomainNotFoundError)."""
    return f'No match for "{domain.upper()}".\n>>> Last update of whois database: 2026-07-01T00:00:00Z <<<\n'


def rdap_json_line(row: Mapping[str, Any], base_url: str) -> str:
    """One compact JSON line of the row's RDAP object (for ``registration/rdap.jsonl.gz``)."""
    return json.dumps(rdap_domain(row, base_url), separators=(",", ":"), sort_keys=True)
