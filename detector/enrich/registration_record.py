"""The normalised registration record that RDAP and WHOIS answers are both turned into.

RDAP (JSON, RFC 9083) and port-43 WHOIS (free text, one dialect per registry) say the same
things in different words. Both parsers produce one flat, JSON-serialisable dict with the
keys of :data:`RECORD_FIELDS`, so the signal code never needs to know which protocol
answered. Missing facts stay ``None`` (or an empty list); nothing is guessed.

>>> rec = empty_record("example.com", "rdap")
>>> rec["created"] is None and rec["name_servers"] == []
True
>>> iso_utc("2008-03-26 16:18:03+02:00")
'2008-03-26T14:18:03+00:00'
>>> is_privacy_text("Domains By Proxy, LLC"), is_privacy_text("Google LLC")
(True, False)
>>> normalise_status("clientTransferProhibited https://icann.org/epp#clientTransferProhibited")
'client transfer prohibited'
>>> normalise_nameservers(["NS1.Example.COM. 192.0.2.1", "ns2.example.com (2001:db8::1)", "Creation"])
['ns1.example.com', 'ns2.example.com']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detector.enrich.base import Lookup

__all__ = [
    "registration_lookup",
    "RECORD_FIELDS",
    "empty_record",
    "iso_utc",
    "is_privacy_text",
    "registrant_privacy",
    "normalise_status",
    "normalise_nameservers",
    "clean_text",
]

#: Keys of a normalised registration record and what each holds.
RECORD_FIELDS: dict[str, str] = {
    "domain": "the domain looked up",
    "source": '"rdap" or "whois": which protocol answered',
    "created": "registration date, ISO 8601 UTC, or None",
    "expires": "expiration date, ISO 8601 UTC, or None",
    "updated": "last change of the registration, ISO 8601 UTC, or None",
    "transferred": "last registrar transfer, ISO 8601 UTC, or None",
    "registrar": "sponsoring registrar's name, or None",
    "registrar_iana_id": "registrar's IANA id (string of digits), or None",
    "registrant_name": "registrant's name as published (may be a privacy text), or None",
    "registrant_org": "registrant's organisation as published, or None",
    "privacy": "True: registrant identity hidden (privacy/proxy/redacted); False: a real name or "
               "organisation is published; None: nothing published about the registrant",
    "name_servers": "delegated name servers, lower case, no trailing dot",
    "status": "registry statuses in RDAP wording (EPP codes converted)",
    "notes": "what the parser could not read (unparsed dates ...)",
}

_PRIVACY = re.compile(
    r"redacted|privacy|private\s+(?:registration|registrant|person|whois)|registration\s+private|privat\s?person|proxy|withheld|whoisguard|whois\s*guard|contact\s+privacy|"
    r"domains\s+by\s+proxy|perfect\s+privacy|identity\s+protect|id\s+protect|protected|"
    r"not\s+disclosed|non-?public|hidden|gdpr|masked|statutory\s+masking|data\s+protection|"
    r"anonymi[sz]ed|on\s+behalf\s+of|see\s+privacy|please\s+query\s+the\s+rdds",
    re.IGNORECASE,
)
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_-]{1,63})+$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def empty_record(domain: str, source: str) -> dict[str, Any]:
    """A record with every field present and nothing known."""
    rec: dict[str, Any] = {key: None for key in RECORD_FIELDS}
    rec.update(domain=domain, source=source, name_servers=[], status=[], notes=[])
    return rec


def iso_utc(value: Any) -> str | None:
    """A date/datetime/string as ISO 8601 in UTC, or None when it is not a date.

    Naive datetimes are taken as UTC (WHOIS rarely states a zone).

    >>> iso_utc(datetime(2020, 1, 2, 3, 4, 5)), iso_utc(date(2020, 1, 2)), iso_utc("soon")
    ('2020-01-02T03:04:05+00:00', '2020-01-02T00:00:00+00:00', None)
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if not text or not any(ch.isdigit() for ch in text):
            return None
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            dt = _dateutil_parse(text)
            if dt is None:
                return None
    else:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    try:
        return dt.astimezone(timezone.utc).isoformat()
    except (OverflowError, ValueError):
        return None


def _dateutil_parse(text: str) -> datetime | None:
    """dateutil's parser, retried without a leading ``:`` and parenthesised zone notes."""
    from dateutil import parser as dateparser

    attempts = [text, re.sub(r"\(.*?\)", " ", text).strip(" :\t")]
    for attempt in attempts:
        try:
            return dateparser.parse(attempt)
        except (ValueError, OverflowError):
            continue
    return None


def is_privacy_text(text: str | None) -> bool:
    """True when a published registrant text is a privacy/proxy/redaction placeholder."""
    return bool(text) and bool(_PRIVACY.search(text))


def registrant_privacy(name: str | None, org: str | None, markers: Iterable[str | None] = (),
                       hidden_entity: bool = False) -> bool | None:
    """Is the registrant's identity hidden? True / False / None (nothing published).

    The organisation decides first (a proxy service as organisation hides the owner; a
    real organisation identifies it even when the person's name is redacted, as under
    GDPR), then the name, then any other redaction ``markers`` (registrant remarks,
    other registrant lines) or a registrant object with every identifying field removed
    (``hidden_entity``).

    >>> registrant_privacy("REDACTED FOR PRIVACY", "Acme Ltd"), registrant_privacy(None, "Domains By Proxy, LLC")
    (False, True)
    >>> registrant_privacy(None, None, ["Withheld for Privacy ehf"]), registrant_privacy(None, None)
    (True, None)
    """
    if org:
        return is_privacy_text(org)
    if name:
        return is_privacy_text(name)
    if hidden_entity or any(is_privacy_text(m) for m in markers):
        return True
    return None


def normalise_status(text: str) -> str:
    """A status in RDAP wording (RFC 8056): ``clientHold`` -> ``client hold``, ``ok`` -> ``active``.

    A trailing URL or parenthesised remark is dropped; anything else is lower-cased.
    """
    words = str(text).strip().split()
    if not words:
        return ""
    first = words[0]
    if first.lower() == "ok":
        return "active"
    if re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)+", first):  # an EPP code such as clientHold
        return _CAMEL.sub(" ", first).lower()
    kept = [w for w in words if not w.lower().startswith(("http://", "https://", "("))]
    return " ".join(kept).lower()


def normalise_nameservers(values: Iterable[Any] | str | None) -> list[str]:
    """Host names from WHOIS/RDAP name-server fields: first token per line, lower case.

    Addresses, bracketed glue, labels without a dot and duplicates are dropped.
    """
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        for line in str(value).splitlines():
            tokens = line.strip().lstrip("-*").split()
            if not tokens:
                continue
            host = tokens[0].strip(",;").rstrip(".").lower()
            if _HOSTNAME.match(host) and not _IPV4.match(host) and host not in out:
                out.append(host)
    return out


def clean_text(value: Any) -> str | None:
    """A single trimmed string from a str or list value (first non-empty), or None.

    >>> clean_text(["", "  MarkMonitor Inc. "]), clean_text(None), clean_text("  ")
    ('MarkMonitor Inc.', None, None)
    """
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        for item in value:
            text = clean_text(item)
            if text:
                return text
        return None
    text = " ".join(str(value).split())
    return text or None


def registration_lookup(domain: str, record: dict[str, Any] | None, *, source: str, raw: Any,
                        server: str | None, error: str | None = None,
                        **failure_data: Any) -> Lookup:
    """The ``registration`` :class:`~detector.enrich.base.Lookup` the cache stores.

    A parsed ``record`` is kept with the ``raw`` answer (so it can be re-parsed) and the
    server asked; a failure keeps the raw answer, the server and ``failure_data``.
    """
    from detector.enrich.base import Lookup

    if record is not None:
        data = dict(record)
        data["raw"] = raw
        data["server"] = server
        return Lookup(domain=domain, kind="registration", ok=True, data=data)
    data = {"source": source, "raw": raw, "server": server, **failure_data}
    return Lookup(domain=domain, kind="registration", ok=False, data=data, error=error)
