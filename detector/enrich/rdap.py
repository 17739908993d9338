"""RDAP client and parser: a domain's registration record as JSON over HTTP (RFC 9083).

RDAP replaced port-43 WHOIS for gTLDs: structured JSON, dates in ISO 8601, redactions
declared. The server for a TLD comes from IANA's bootstrap registry (the shipped snapshot,
see :mod:`detector.enrich.bootstrap`) or ``NetworkConfig.rdap_bootstrap``.

The client is polite: one :class:`~detector.enrich.limits.RateLimiter` slot per request
per server, a cool-down for the whole server when it answers 429 (``Retry-After``
honoured, capped), retries with back-off only for timeouts, connection errors, 429 and
5xx, a timeout per request and a cap on the body size. It never raises for a network
failure: :meth:`RdapClient.query` returns an :class:`RdapOutcome` whose ``error`` says what
went wrong and whose ``definitive`` flag says whether asking WHOIS instead could help.

The raw JSON text is kept so :func:`parse_rdap_domain` can be re-run later.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from detector.enrich.base import Lookup, NetworkConfig
from detector.enrich.bootstrap import rdap_base_for
from detector.enrich.limits import RateLimiter, retry_async
from detector.enrich.registration_record import (
    clean_text,
    empty_record,
    iso_utc,
    normalise_nameservers,
    registration_lookup,
    normalise_status,
    registrant_privacy,
)

__all__ = ["RdapParseError", "RdapOutcome", "RdapClient", "parse_rdap_domain", "RDAP_ACCEPT"]

#: Accept header of every RDAP request (RFC 7480 section 4.2).
RDAP_ACCEPT = "application/rdap+json, application/json;q=0.8"

_EVENT_FIELDS = {  # eventAction -> (record field, keep the earliest?)
    "registration": ("created", True),
    "expiration": ("expires", False),
    "last changed": ("updated", False),
    "transfer": ("transferred", False),
}


class RdapParseError(ValueError):
    """An RDAP answer that is not a usable domain object (the message says why)."""


@dataclass
class RdapOutcome:
    """What one RDAP query produced."""

    domain: str  #: the domain asked about
    record: dict[str, Any] | None  #: normalised record (see registration_record), None on failure
    raw: str | None  #: the response body as received (decoded), when there was one
    error: str | None  #: why there is no record, in words
    definitive: bool  #: True when the answer settles it (a record, or "not registered")
    server: str | None = None  #: base URL asked
    http_status: int | None = None  #: last HTTP status seen


class _Refused(Exception):
    """A transport-level failure not worth retrying (redirect loop, oversized body)."""


class _Retryable(Exception):
    """A failure worth another try (timeout, connection reset, 429, 5xx)."""

    def __init__(self, reason: str, status: int | None = None, body: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.body = body


# --------------------------------------------------------------------------- parsing


def _vcard_props(entity: Mapping[str, Any]) -> dict[str, str]:
    """fn / org / kind from an entity's jCard (RFC 7095), first value of each."""
    out: dict[str, str] = {}
    card = entity.get("vcardArray")
    if not (isinstance(card, list) and len(card) >= 2 and isinstance(card[1], list)):
        return out
    for prop in card[1]:
        if not (isinstance(prop, list) and len(prop) >= 4 and isinstance(prop[0], str)):
            continue
        name = prop[0].lower()
        if name in ("fn", "org", "kind") and name not in out:
            value = prop[3]
            if isinstance(value, list):
                value = " ".join(str(v) for v in value if v)
            text = clean_text(value)
            if text:
                out[name] = text
    return out


def _walk_entities(entities: Any):
    """Every entity, nested ones included (registrar contacts sit inside the registrar)."""
    if not isinstance(entities, list):
        return
    for entity in entities:
        if isinstance(entity, dict):
            yield entity
            yield from _walk_entities(entity.get("entities"))


def _roles(entity: Mapping[str, Any]) -> set[str]:
    roles = entity.get("roles")
    return {str(r).lower() for r in roles} if isinstance(roles, list) else set()


def _remark_text(obj: Mapping[str, Any]) -> str:
    parts: list[str] = []
    for remark in obj.get("remarks") or []:
        if isinstance(remark, dict):
            parts.append(str(remark.get("title") or ""))
            desc = remark.get("description")
            if isinstance(desc, list):
                parts.extend(str(d) for d in desc)
            elif desc:
                parts.append(str(desc))
    return " ".join(parts)


def _registrant_redacted_by_rfc9537(obj: Mapping[str, Any]) -> bool:
    """True when the top-level ``redacted`` member (RFC 9537) lists a registrant field."""
    redacted = obj.get("redacted")
    if not isinstance(redacted, list):
        return False
    for item in redacted:
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        label = " ".join(str(v) for v in name.values()) if isinstance(name, dict) else str(name or "")
        label += " " + str(item.get("prePath") or item.get("path") or "")
        if "registrant" in label.lower():
            return True
    return False


def parse_rdap_domain(domain: str, raw: str | bytes) -> dict[str, Any]:
    """Normalise an RDAP domain answer (RFC 9083) into a registration record.

    Raises :class:`RdapParseError` when ``raw`` is not JSON, is an RDAP error object, or
    is not a domain object (``objectClassName`` other than ``"domain"``, or neither
    ``objectClassName`` nor ``ldhName``). Optional members that are missing or unreadable
    leave their fields ``None`` and add a line to ``notes``.

    >>> rec = parse_rdap_domain("example.com", '{"objectClassName": "domain", "ldhName": "EXAMPLE.COM",'
    ...     ' "events": [{"eventAction": "registration", "eventDate": "1995-08-14T04:00:00Z"}],'
    ...     ' "nameservers": [{"ldhName": "A.IANA-SERVERS.NET"}], "status": ["client delete prohibited"]}')
    >>> rec["created"], rec["name_servers"], rec["status"], rec["privacy"]
    ('1995-08-14T04:00:00+00:00', ['a.iana-servers.net'], ['client delete prohibited'], None)
    """
    try:
        obj = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RdapParseError(f"malformed RDAP JSON for {domain}: {exc}") from None
    if not isinstance(obj, dict):
        raise RdapParseError(f"RDAP answer for {domain} is a JSON {type(obj).__name__}, expected an object")
    if "errorCode" in obj and "ldhName" not in obj:
        title = clean_text(obj.get("title")) or clean_text(obj.get("description")) or ""
        raise RdapParseError(f"RDAP error object {obj.get('errorCode')} for {domain}: {title}".rstrip(": "))
    klass = obj.get("objectClassName")
    if klass is None and "ldhName" not in obj:
        raise RdapParseError(f"RDAP answer for {domain} has neither objectClassName nor ldhName")
    if klass is not None and str(klass).lower() != "domain":
        raise RdapParseError(f"RDAP answer for {domain} is a {klass!r} object, expected 'domain'")

    rec = empty_record(domain, "rdap")
    notes: list[str] = rec["notes"]
    if klass is None:
        notes.append("objectClassName missing")

    events = obj.get("events")
    if events is not None and not isinstance(events, list):
        notes.append("events is not a list")
        events = []
    for event in events or []:
        if not isinstance(event, dict):
            continue
        action = str(event.get("eventAction", "")).lower()
        if action not in _EVENT_FIELDS:
            continue
        field_name, earliest = _EVENT_FIELDS[action]
        when = iso_utc(event.get("eventDate")) if isinstance(event.get("eventDate"), str) else None
        if when is None:
            notes.append(f"unreadable {action} date {event.get('eventDate')!r}")
            continue
        current = rec[field_name]
        if current is None or (when < current if earliest else when > current):
            rec[field_name] = when

    registrant_found = False
    hidden_entity = False
    markers: list[str] = []
    for entity in _walk_entities(obj.get("entities")):
        roles = _roles(entity)
        props = _vcard_props(entity)
        if "registrar" in roles and rec["registrar"] is None:
            rec["registrar"] = props.get("fn") or props.get("org") or clean_text(entity.get("handle"))
            for pid in entity.get("publicIds") or []:
                if isinstance(pid, dict) and "iana" in str(pid.get("type", "")).lower():
                    rec["registrar_iana_id"] = clean_text(pid.get("identifier"))
        if "registrant" in roles and not registrant_found:
            registrant_found = True
            rec["registrant_name"] = props.get("fn")
            rec["registrant_org"] = props.get("org")
            markers.append(_remark_text(entity))
            hidden_entity = not (props.get("fn") or props.get("org"))
    if _registrant_redacted_by_rfc9537(obj):
        markers.append("redacted")
    rec["privacy"] = registrant_privacy(rec["registrant_name"], rec["registrant_org"], markers, hidden_entity)

    servers = obj.get("nameservers")
    if isinstance(servers, list):
        rec["name_servers"] = normalise_nameservers(
            s.get("ldhName") or s.get("unicodeName") for s in servers if isinstance(s, dict)
        )
    status = obj.get("status")
    if isinstance(status, list):
        rec["status"] = [s for s in (normalise_status(x) for x in status if isinstance(x, str)) if s]
    return rec


# --------------------------------------------------------------------------- client


class RdapClient:
    """Asks RDAP servers about domains; bounded, rate-limited, never raises for the network.

    Use as ``async with RdapClient(config) as client: await client.query("example.com")``
    or call :meth:`close` when done. ``limiter`` may be shared with other clients (keys
    are ``"rdap:<host:port>"``).
    """

    kind = "registration"

    def __init__(self, config: NetworkConfig, *, limiter: RateLimiter | None = None,
                 max_retry_after: float = 30.0) -> None:
        self.config = config
        self.limiter = limiter or RateLimiter(config.per_server_rate)
        self.max_retry_after = max_retry_after
        self.requests_sent = 0  #: HTTP requests actually sent (for tests and benchmarks)
        self._cooldown: dict[str, float] = {}  # server key -> monotonic time it may be asked again
        self._session: Any = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    async def __aenter__(self) -> "RdapClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session (safe to call twice)."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    def base_url_for(self, domain: str) -> str | None:
        """The RDAP base URL for ``domain`` (config override first, then the snapshot)."""
        return rdap_base_for(domain, self.config.rdap_bootstrap)

    def _get_session(self) -> Any:
        import aiohttp

        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            connector = aiohttp.TCPConnector(limit=max(1, self.config.registration_concurrency))
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.config.user_agent, "Accept": RDAP_ACCEPT},
            )
            self._session_loop = loop
        return self._session

    @staticmethod
    def _server_key(url: str) -> str:
        parts = urlsplit(url)
        return f"rdap:{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"

    async def _wait_turn(self, key: str) -> None:
        pause = self._cooldown.get(key, 0.0) - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        await self.limiter.acquire(key)

    def _retry_after(self, header: str | None) -> float:
        try:
            seconds = float(header) if header is not None else self.config.backoff
        except ValueError:
            seconds = self.config.backoff
        return max(0.0, min(seconds, self.max_retry_after))

    async def _get_once(self, url: str, key: str) -> tuple[int, str]:
        import aiohttp

        await self._wait_turn(key)
        session = self._get_session()
        timeout = aiohttp.ClientTimeout(total=self.config.registration_timeout)
        cap = self.config.max_body_bytes
        self.requests_sent += 1
        try:
            async with session.get(url, timeout=timeout, max_redirects=self.config.max_redirects) as resp:
                body = await resp.content.read(cap + 1)
                status = resp.status
                retry_after = resp.headers.get("Retry-After")
        except asyncio.TimeoutError:
            raise _Retryable(f"timeout after {self.config.registration_timeout:g}s") from None
        except aiohttp.TooManyRedirects:
            raise _Refused(f"more than {self.config.max_redirects} redirects") from None
        except aiohttp.ClientError as exc:
            raise _Retryable(f"connection failed: {type(exc).__name__}: {exc}") from None
        text = body[:cap].decode("utf-8", errors="replace")
        if len(body) > cap:
            raise _Refused(f"body larger than {cap} bytes")
        if status == 429:
            self._cooldown[key] = time.monotonic() + self._retry_after(retry_after)
            raise _Retryable("rate limited (HTTP 429)", status, text)
        if status >= 500:
            raise _Retryable(f"server error (HTTP {status})", status, text)
        return status, text

    async def query(self, domain: str) -> RdapOutcome:
        """Look ``domain`` up over RDAP; never raises for network or parse failures."""
        base = self.base_url_for(domain)
        if base is None:
            return RdapOutcome(domain, None, None, f"no RDAP server known for {domain}", False)
        url = f"{base}domain/{quote(domain, safe='')}"
        key = self._server_key(url)
        try:
            status, text = await retry_async(
                lambda: self._get_once(url, key), retries=self.config.retries,
                backoff=self.config.backoff, retry_on=_Retryable, max_backoff=self.max_retry_after,
            )
        except _Retryable as exc:
            raw = exc.body if exc.body else None
            return RdapOutcome(domain, None, raw, f"RDAP {exc.reason} from {base}", False, base, exc.status)
        except _Refused as exc:
            return RdapOutcome(domain, None, None, f"RDAP {exc} from {base}", False, base, None)
        if status == 404:
            return RdapOutcome(domain, None, text or None, f"not registered (RDAP 404 from {base})", True, base, 404)
        if status != 200:
            return RdapOutcome(domain, None, text or None, f"RDAP HTTP {status} from {base}", False, base, status)
        try:
            record = parse_rdap_domain(domain, text)
        except RdapParseError as exc:
            return RdapOutcome(domain, None, text, str(exc), False, base, status)
        return RdapOutcome(domain, record, text, None, True, base, status)

    async def lookup(self, domain: str) -> Lookup:
        """:meth:`query` as a :class:`Lookup` (``data`` = record + ``raw``)."""
        return outcome_to_lookup(await self.query(domain))


def outcome_to_lookup(outcome: RdapOutcome) -> Lookup:
    """An :class:`RdapOutcome` as the ``registration`` :class:`Lookup` the cache stores."""
    return registration_lookup(outcome.domain, outcome.record, source="rdap", raw=outcome.raw,
                               server=outcome.server, error=outcome.error,
                               http_status=outcome.http_status)
