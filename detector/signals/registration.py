"""Registration signals: what RDAP/WHOIS records say about each referring domain.

Pure functions over ``registration`` lookups (see :mod:`detector.enrich.registration`);
no network. Link schemes leave traces in registration data: private blog networks are
often expired domains re-registered after the link they carry was first seen, bought in
batches (same registrar, same week) and owned by one registrant; spam domains are young,
hide their owner and are let expire. Each of those becomes a number here.

A failed lookup, and any fact the record does not hold, gives NaN (unknown), never zero.
"Other referring domains" are the other domains in ``lookups``: pass the lookups of every
referring domain of the export together.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from detector.enrich.base import Lookup
from detector.schema import DOMAIN, Feature

__all__ = [
    "REGISTRATION_FEATURES",
    "FOOTPRINT_KINDS",
    "registration_features",
    "registration_footprints",
    "registrar_key",
    "registrant_key",
]

#: Footprint kinds returned by :func:`registration_footprints`.
FOOTPRINT_KINDS = ("registrant", "registrar_week")

_F = "registration"
REGISTRATION_FEATURES: list[Feature] = [
    Feature("reg_not_registered", "1 if the registry says the domain is not registered, 0 if it returned a record", _F),
    Feature("reg_age_days", "days since the domain was registered", _F),
    Feature("reg_age_at_first_link_days", "days between the domain's registration and the first time the link was seen (negative: registered after)", _F),
    Feature("reg_newer_than_first_link", "1 if the current registration is newer than the first sighting of the link (expired-domain reuse)", _F),
    Feature("reg_days_since_update", "days since the registration record last changed", _F),
    Feature("reg_days_since_transfer", "days since the domain last moved to another registrar", _F),
    Feature("reg_days_to_expiry", "days until the registration expires (negative: already expired)", _F),
    Feature("reg_private", "1 if the registrant is hidden behind a privacy service or redaction, 0 if named", _F),
    Feature("reg_registrar_shared_domains", "other referring domains registered through the same registrar", _F),
    Feature("reg_registrar_week_shared_domains", "other referring domains registered through the same registrar in the same ISO week", _F),
    Feature("reg_registrant_shared_domains", "other referring domains with the same (published, not redacted) registrant", _F),
]
_COLUMNS = [f.name for f in REGISTRATION_FEATURES]

_LEGAL_FORMS = {
    "inc", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "gmbh", "sas", "sa",
    "ag", "bv", "nv", "pty", "plc", "srl", "sro", "oy", "ab", "as", "lp", "llp", "the",
}
_DAY = pd.Timedelta(days=1)


def _words(text: str) -> list[str]:
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text.casefold())
    return re.findall(r"[^\W_]+", text)


def registrar_key(name: str | None) -> str | None:
    """A registrar name reduced to compare across registries' spellings.

    >>> registrar_key("MARKMONITOR INC."), registrar_key("MarkMonitor, Inc (TLDs)"), registrar_key("Markmonitor")
    ('markmonitor', 'markmonitor', 'markmonitor')
    >>> registrar_key("GoDaddy.com, LLC"), registrar_key(None)
    ('godaddy com', None)
    """
    if not name:
        return None
    words = [w for w in _words(name) if w not in _LEGAL_FORMS]
    return " ".join(words) or None


def registrant_key(record: Mapping[str, Any]) -> str | None:
    """The published registrant of a record (organisation, else name), or None when hidden.

    >>> registrant_key({"registrant_org": "Acme, Ltd.", "registrant_name": "J. Doe", "privacy": False})
    'acme ltd'
    >>> registrant_key({"registrant_org": None, "registrant_name": "REDACTED FOR PRIVACY", "privacy": True}) is None
    True
    """
    if record.get("privacy") is not False:
        return None
    from detector.enrich.registration_record import is_privacy_text

    for field in ("registrant_org", "registrant_name"):
        value = record.get(field)
        if value and not is_privacy_text(value):
            return " ".join(_words(value)) or None
    return None


def _ts(value: Any) -> pd.Timestamp | None:
    """A UTC timestamp from an ISO string / Timestamp / datetime, or None."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    if ts is pd.NaT or pd.isna(ts):
        return None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _days(later: pd.Timestamp | None, earlier: pd.Timestamp | None) -> float:
    if later is None or earlier is None:
        return np.nan
    return float((later - earlier) / _DAY)


def _record(lookup: Lookup | None) -> Mapping[str, Any] | None:
    if lookup is None or not lookup.ok or not isinstance(lookup.data, Mapping):
        return None
    return lookup.data


def _is_not_registered(lookup: Lookup | None) -> bool:
    return lookup is not None and not lookup.ok and (lookup.error or "").startswith("not registered")


def _footprints(record: Mapping[str, Any]) -> dict[str, str | None]:
    registrar = registrar_key(record.get("registrar"))
    created = _ts(record.get("created"))
    week = None
    if registrar and created is not None:
        year, number, _ = created.isocalendar()
        week = f"{registrar}|{year}-W{number:02d}"
    return {"registrar": registrar, "registrar_week": week, "registrant": registrant_key(record)}


def registration_features(lookups: Mapping[str, Lookup], first_seen: Mapping[str, Any] | None = None,
                          now: Any = None) -> pd.DataFrame:
    """One row per domain of ``lookups``, with a column per :data:`REGISTRATION_FEATURES`.

    ``first_seen`` maps a domain to when its first link was seen (any timestamp; naive
    ones are UTC); ``now`` defaults to the current time.

    >>> from detector.enrich.base import Lookup
    >>> rec = {"created": "2024-03-01T00:00:00+00:00", "registrar": "Cheap Names LLC", "privacy": True}
    >>> regs = {d: Lookup(d, "registration", True, dict(rec)) for d in ("a.example", "b.example")}
    >>> regs["c.example"] = Lookup("c.example", "registration", False, error="rdap: timeout; whois: timeout")
    >>> out = registration_features(regs, {"a.example": pd.Timestamp("2023-06-01")}, pd.Timestamp("2025-03-01", tz="UTC"))
    >>> out["reg_age_days"].tolist(), out["reg_newer_than_first_link"].tolist()
    ([365.0, 365.0, nan], [1.0, nan, nan])
    >>> out["reg_registrar_week_shared_domains"].tolist()
    [1.0, 1.0, nan]
    """
    now_ts = _ts(pd.Timestamp.now(tz="UTC") if now is None else now)
    seen = first_seen or {}
    prints = {d: _footprints(r) for d, r in ((d, _record(lk)) for d, lk in lookups.items()) if r is not None}
    counts = {kind: Counter(p[kind] for p in prints.values() if p[kind])
              for kind in ("registrar", "registrar_week", "registrant")}

    def shared(domain: str, kind: str) -> float:
        key = prints[domain][kind]
        return float(counts[kind][key] - 1) if key else np.nan

    rows: list[dict[str, Any]] = []
    for domain, lookup in lookups.items():
        row: dict[str, Any] = {DOMAIN: domain, **{c: np.nan for c in _COLUMNS}}
        record = _record(lookup)
        if record is None:
            if _is_not_registered(lookup):
                row["reg_not_registered"] = 1.0
            rows.append(row)
            continue
        created = _ts(record.get("created"))
        first = _ts(seen.get(domain))
        privacy = record.get("privacy")
        row.update(
            reg_not_registered=0.0,
            reg_age_days=_days(now_ts, created),
            reg_age_at_first_link_days=_days(first, created),
            reg_newer_than_first_link=(float(created > first) if created is not None and first is not None
                                       else np.nan),
            reg_days_since_update=_days(now_ts, _ts(record.get("updated"))),
            reg_days_since_transfer=_days(now_ts, _ts(record.get("transferred"))),
            reg_days_to_expiry=_days(_ts(record.get("expires")), now_ts),
            reg_private=float(privacy) if isinstance(privacy, bool) else np.nan,
            reg_registrar_shared_domains=shared(domain, "registrar"),
            reg_registrar_week_shared_domains=shared(domain, "registrar_week"),
            reg_registrant_shared_domains=shared(domain, "registrant"),
        )
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[DOMAIN, *_COLUMNS])
    frame[_COLUMNS] = frame[_COLUMNS].astype("float64")
    return frame


def registration_footprints(lookups: Mapping[str, Lookup]) -> pd.DataFrame:
    """Per-domain registration footprint keys for the network stage: ``domain, kind, key``.

    ``kind`` is ``registrant`` (key: the published registrant, normalised; redacted and
    privacy-service registrants give no row) or ``registrar_week`` (key:
    ``"<registrar>|<ISO year>-W<week>"`` of the registration date). Failed lookups give
    no rows.

    >>> from detector.enrich.base import Lookup
    >>> lk = Lookup("a.example", "registration", True, {"created": "2024-03-01T00:00:00+00:00",
    ...     "registrar": "Cheap Names LLC", "registrant_org": "Acme Ltd", "privacy": False})
    >>> registration_footprints({"a.example": lk}).to_dict("records")
    [{'domain': 'a.example', 'kind': 'registrant', 'key': 'acme ltd'}, {'domain': 'a.example', 'kind': 'registrar_week', 'key': 'cheap names|2024-W09'}]
    """
    rows = []
    for domain, lookup in lookups.items():
        record = _record(lookup)
        if record is None:
            continue
        prints = _footprints(record)
        for kind in FOOTPRINT_KINDS:
            if prints[kind]:
                rows.append((domain, kind, prints[kind]))
    return pd.DataFrame(rows, columns=[DOMAIN, "kind", "key"]).astype(pd.StringDtype())
