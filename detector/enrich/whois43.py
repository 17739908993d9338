"""Port-43 WHOIS client and parser: the fallback for TLDs without RDAP.

WHOIS (RFC 3912) is a line of text sent over TCP and free text back, one dialect per
registry. The answer is parsed with python-whois's per-TLD parsers
(``whois.parser.WhoisEntry``) and then normalised into the same record as RDAP (see
:mod:`detector.enrich.registration_record`), with ``source = "whois"``.

Which server: ``NetworkConfig.whois_server`` when set (tests, the synthetic world), else
the TLD's server from :data:`WHOIS_SERVERS` (a small table, from IANA's root zone
database), else the ``whois:`` line of IANA's own WHOIS answer for the TLD.

WHOIS servers rate-limit hard and answer "limit exceeded" in prose instead of an error
code, so: one rate-limiter slot per query per server, at most two connections per server,
a cool-down for a server that said "limit exceeded", and such answers, like "not found",
are recognised and become failures with a reason rather than empty records.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from detector.enrich.base import Lookup, NetworkConfig
from detector.enrich.limits import KeyedSemaphore, RateLimiter, retry_async
from detector.enrich.registration_record import (
    clean_text,
    empty_record,
    iso_utc,
    normalise_nameservers,
    registration_lookup,
    normalise_status,
    registrant_privacy,
)

__all__ = [
    "WHOIS_SERVERS",
    "WhoisAnswerError",
    "WhoisOutcome",
    "WhoisClient",
    "whois_query",
    "parse_whois",
    "is_rate_limit_answer",
]

#: TLD -> port-43 server, for the common TLDs (IANA root zone database, "WHOIS Server").
#: Anything else is asked of IANA (``whois.iana.org``) once per TLD per client.
WHOIS_SERVERS: dict[str, str] = {
    "com": "whois.verisign-grs.com",
    "net": "whois.verisign-grs.com",
    "org": "whois.publicinterestregistry.org",
    "biz": "whois.nic.biz",
    "us": "whois.nic.us",
    "name": "whois.nic.name",
    "io": "whois.nic.io",
    "ai": "whois.nic.ai",
    "de": "whois.denic.de",
    "uk": "whois.nic.uk",
    "fr": "whois.nic.fr",
    "nl": "whois.domain-registry.nl",
    "it": "whois.nic.it",
    "eu": "whois.eu",
    "be": "whois.dns.be",
    "at": "whois.nic.at",
    "ch": "whois.nic.ch",
    "li": "whois.nic.li",
    "pl": "whois.dns.pl",
    "se": "whois.iis.se",
    "no": "whois.norid.no",
    "fi": "whois.fi",
    "dk": "whois.punktum.dk",
    "ru": "whois.tcinet.ru",
    "su": "whois.tcinet.ru",
    "ua": "whois.ua",
    "kz": "whois.nic.kz",
    "by": "whois.cctld.by",
    "jp": "whois.jprs.jp",
    "cn": "whois.cnnic.cn",
    "hk": "whois.hkirc.hk",
    "tw": "whois.twnic.net.tw",
    "sg": "whois.sgnic.sg",
    "au": "whois.auda.org.au",
    "ca": "whois.cira.ca",
    "br": "whois.registro.br",
    "mx": "whois.mx",
    "ar": "whois.nic.ar",
    "cl": "whois.nic.cl",
    "ro": "whois.rotld.ro",
    "hu": "whois.nic.hu",
    "sk": "whois.sk-nic.sk",
    "bg": "whois.register.bg",
    "lv": "whois.nic.lv",
    "lt": "whois.domreg.lt",
    "ee": "whois.tld.ee",
    "ie": "whois.weare.ie",
}

#: How a few servers want the query written (plain "<domain>" otherwise).
_QUERY_FORMATS: dict[str, str] = {
    "whois.denic.de": "-T dn,ace {domain}",
    "whois.verisign-grs.com": "domain {domain}",
    "whois.jprs.jp": "{domain}/e",
}

#: Refusal wording of registries that rate-limit (only consulted for answers without facts).
_LIMIT = re.compile(
    r"exceeded|limit\s+reached|quota|too\s+many\s+(?:requests|queries|connections)|rate\s*limit|"
    r"try\s+again\s+later|slow\s+down|temporarily\s+(?:denied|blocked|unavailable)|blacklisted|"
    r"access\s+denied",
    re.IGNORECASE,
)
_NOT_FOUND = re.compile(
    r"^\s*%*\s*(?:no\s+match|not\s+found|no\s+entries\s+found|no\s+data\s+found|"
    r"domain\s+not\s+found|no\s+object\s+found|object\s+does\s+not\s+exist|"
    r"the\s+queried\s+object\s+does\s+not\s+exist|status:\s*(?:available|free)|"
    r"domain\s+status:\s*no\s+object\s+found|no\s+matching\s+record)",
    re.IGNORECASE | re.MULTILINE,
)
#: "Registrant ...: value", the value on the same line or indented on the next one
_REGISTRANT_LINE = re.compile(r"^[ \t]*registrant[^:\n]*:[ \t]*(?:\n[ \t]+)?(\S.*)$",
                              re.IGNORECASE | re.MULTILINE)
#: Registries whose python-whois parser reads the wrong line for the domain's creation:
#: NIC.ar lists the domain's "registered:" date, then contact and host "created:" dates;
#: ISOC-IL gives the creation only as the "(Assigned)" entry of the change history.
_CREATED_FIXES: dict[str, tuple[str, ...]] = {
    "ar": (r"^registered:\s*(.+)$",),
    "il": (r"^changed:.*?(\d{8})\s+\(Assigned\)",),
}
_IANA_ID = re.compile(r"Registrar IANA ID:\s*(\d+)", re.IGNORECASE)


class WhoisAnswerError(ValueError):
    """A WHOIS answer that carries no record: not registered, rate limited, empty."""

    def __init__(self, reason: str, definitive: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        #: True when the answer settles it ("not registered"); False for "limit exceeded" etc.
        self.definitive = definitive


@dataclass
class WhoisOutcome:
    """What one WHOIS query produced."""

    domain: str  #: the domain asked about
    record: dict[str, Any] | None  #: normalised record, None on failure
    raw: str | None  #: the answer text as received
    error: str | None  #: why there is no record
    definitive: bool  #: True for a record or "not registered"
    server: str | None = None  #: "host:port" asked


# --------------------------------------------------------------------------- parsing


def is_rate_limit_answer(text: str) -> bool:
    """True when a WHOIS answer reads like a refusal for querying too often.

    >>> is_rate_limit_answer("%% Query limit exceeded, try again in 1 hour")
    True
    >>> is_rate_limit_answer("Domain Name: EXAMPLE.COM")
    False
    """
    return bool(_LIMIT.search(text))


@lru_cache(maxsize=None)
def _lenient_class(entry_class: type) -> type:
    """``entry_class`` with unreadable dates kept as text instead of aborting the parse."""
    from whois.exceptions import WhoisUnknownDateFormatError

    def _preprocess(self: Any, attr: str, value: str) -> Any:
        try:
            return entry_class._preprocess(self, attr, value)
        except (WhoisUnknownDateFormatError, ValueError, OverflowError):
            return value.strip()

    return type(f"Lenient{entry_class.__name__}", (entry_class,), {"_preprocess": _preprocess})


def _entry_class_for(domain: str) -> type:
    """The python-whois parser class ``WhoisEntry.load`` would pick for ``domain``."""
    from whois.parser import WhoisEntry

    try:
        return type(WhoisEntry.load(domain, ""))
    except Exception:  # a parser that refuses empty text: fall back to the generic one
        return WhoisEntry


def _pick_date(value: Any, earliest: bool, label: str, notes: list[str]) -> str | None:
    values = value if isinstance(value, list) else [value]
    dates: list[str] = []
    for item in values:
        if item is None or item == "":
            continue
        when = iso_utc(item if isinstance(item, (datetime, str)) else str(item))
        if when is None:
            notes.append(f"unreadable {label} date {str(item)[:60]!r}")
        else:
            dates.append(when)
    if not dates:
        return None
    return min(dates) if earliest else max(dates)


def _first(entry: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        text = clean_text(entry.get(key))
        if text:
            return text
    return None


def parse_whois(domain: str, text: str) -> dict[str, Any]:
    """Normalise a port-43 WHOIS answer for ``domain`` into a registration record.

    Raises :class:`WhoisAnswerError` for an empty answer, "not registered" (definitive)
    and "limit exceeded"-style refusals (not definitive). Dates python-whois cannot read
    are retried with dateutil and otherwise listed in ``notes``.

    >>> rec = parse_whois("example.com", "Domain Name: EXAMPLE.COM\\nRegistrar: Example Registrar, Inc.\\n"
    ...     "Creation Date: 1995-08-14T04:00:00Z\\nName Server: A.IANA-SERVERS.NET\\n"
    ...     "Registrant Organization: REDACTED FOR PRIVACY\\n")
    >>> rec["created"], rec["registrar"], rec["name_servers"], rec["privacy"], rec["source"]
    ('1995-08-14T04:00:00+00:00', 'Example Registrar, Inc.', ['a.iana-servers.net'], True, 'whois')
    """
    from whois.exceptions import WhoisDomainNotFoundError

    if not text or not text.strip():
        raise WhoisAnswerError("empty WHOIS answer", definitive=False)
    try:
        entry = _lenient_class(_entry_class_for(domain))(domain, text)
    except WhoisDomainNotFoundError:
        raise WhoisAnswerError("not registered (WHOIS: no match)", definitive=True) from None
    except Exception as exc:  # a parser bug must not crash a run: record it as unparsed
        raise WhoisAnswerError(f"WHOIS answer not parseable: {type(exc).__name__}: {exc}", False) from None

    rec = empty_record(domain, "whois")
    notes: list[str] = rec["notes"]
    generic: Mapping[str, Any] | None = None
    if not all(entry.get(k) for k in ("creation_date", "expiration_date", "registrar")):
        # the TLD's parser missed a field: a registry that moved to the ICANN layout
        # (e.g. .id) is still read by python-whois's generic patterns
        from whois.parser import WhoisEntry

        generic = _lenient_class(WhoisEntry)(domain, text)
        entry = {**generic, **{k: v for k, v in entry.items() if v}}
    for pattern in _CREATED_FIXES.get(domain.rsplit(".", 1)[-1].lower(), ()):
        found = re.search(pattern, text, re.IGNORECASE | re.MULTILINE)
        if found:
            entry = {**entry, "creation_date": found.group(1).strip()}
            break
    rec["created"] = _pick_date(entry.get("creation_date"), True, "creation", notes)
    rec["expires"] = _pick_date(entry.get("expiration_date"), False, "expiration", notes)
    rec["updated"] = _pick_date(entry.get("updated_date"), False, "updated", notes)
    rec["transferred"] = _pick_date(entry.get("transfer_date"), False, "transfer", notes)
    registrar = _first(entry, "registrar", "registrar_name")
    rec["registrar"] = None if registrar and registrar.lower().startswith("no registrar") else registrar
    match = _IANA_ID.search(text)
    rec["registrar_iana_id"] = match.group(1) if match else None
    rec["registrant_name"] = _first(entry, "name", "registrant_name", "registrant_contact_name")
    rec["registrant_org"] = _first(entry, "org", "registrant_organization", "registrant_org",
                                   "registrant_company_name")
    rec["name_servers"] = normalise_nameservers(entry.get("name_servers"))
    status = entry.get("status")
    statuses = status if isinstance(status, list) else ([status] if status else [])
    rec["status"] = [s for s in (normalise_status(str(x)) for x in statuses) if s]

    rec["privacy"] = registrant_privacy(rec["registrant_name"], rec["registrant_org"],
                                        _REGISTRANT_LINE.findall(text))

    has_facts = any(rec[k] for k in ("created", "expires", "registrar", "name_servers"))
    if not has_facts:
        if _NOT_FOUND.search(text):
            raise WhoisAnswerError("not registered (WHOIS: not found)", definitive=True)
        if is_rate_limit_answer(text):
            first_line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
            raise WhoisAnswerError(f"WHOIS refused: rate limited ({first_line[:80]!r})", definitive=False)
    return rec


# --------------------------------------------------------------------------- transport


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("latin-1")


async def whois_query(host: str, port: int, query: str, *, timeout: float,
                      max_bytes: int = 1_000_000) -> str:
    """Send one WHOIS query line and return the whole answer (capped at ``max_bytes``).

    Raises ``TimeoutError`` when the exchange takes longer than ``timeout`` seconds and
    ``OSError`` when the connection fails.
    """
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(query.encode("utf-8") + b"\r\n")
            await writer.drain()
            chunks: list[bytes] = []
            size = 0
            while size <= max_bytes:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass
    return _decode(b"".join(chunks)[:max_bytes])


class WhoisClient:
    """Asks port-43 WHOIS servers about domains; rate-limited, never raises for the network.

    ``limiter`` may be shared with other clients (keys are ``"whois:<host>:<port>"``).
    ``servers`` replaces :data:`WHOIS_SERVERS`; ``iana_server`` is asked for TLDs in
    neither (and never when ``config.whois_server`` is set). A server that answers
    "limit exceeded" is left alone for ``config.backoff`` seconds, doubled with each
    further refusal in a row (reset by a good answer), at most ``limit_cooldown``.
    """

    kind = "registration"

    def __init__(self, config: NetworkConfig, *, limiter: RateLimiter | None = None,
                 servers: Mapping[str, str] | None = None, iana_server: str = "whois.iana.org",
                 limit_cooldown: float = 60.0, max_bytes: int = 1_000_000,
                 per_server_connections: int = 2) -> None:
        self.config = config
        self.limiter = limiter or RateLimiter(config.per_server_rate)
        self.servers = dict(WHOIS_SERVERS if servers is None else servers)
        self.iana_server = iana_server
        self.limit_cooldown = limit_cooldown
        self.max_bytes = max_bytes
        self.queries_sent = 0  #: TCP queries actually sent (for tests and benchmarks)
        self._connections = KeyedSemaphore(per_server_connections)
        self._cooldown: dict[str, float] = {}  # server key -> monotonic time it may be asked again
        self._strikes: dict[str, int] = {}  # server key -> "limit exceeded" answers in a row
        self._referrals: dict[str, str | None] = {}

    async def _ask(self, host: str, query: str) -> str:
        """One polite exchange with ``host`` (rate slot, connection slot, cool-down)."""
        port = self.config.whois_port
        key = f"whois:{host}:{port}"
        pause = self._cooldown.get(key, 0.0) - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        async with self._connections.hold(key):
            await self.limiter.acquire(key)
            self.queries_sent += 1
            return await whois_query(host, port, query, timeout=self.config.registration_timeout,
                                     max_bytes=self.max_bytes)

    async def _ask_with_retries(self, host: str, query: str) -> str:
        return await retry_async(lambda: self._ask(host, query), retries=self.config.retries,
                                 backoff=self.config.backoff, retry_on=(TimeoutError, OSError))

    async def server_for(self, domain: str) -> str | None:
        """The WHOIS host for ``domain``: config override, shipped table, then IANA."""
        if self.config.whois_server:
            return self.config.whois_server
        labels = domain.lower().rstrip(".").split(".")
        for start in range(1, len(labels)):
            host = self.servers.get(".".join(labels[start:]))
            if host:
                return host
        tld = labels[-1]
        if tld not in self._referrals:
            try:
                answer = await self._ask_with_retries(self.iana_server, tld)
            except (TimeoutError, OSError):
                return None  # not cached: IANA may answer next time
            match = re.search(r"^(?:whois|refer):\s*(\S+)", answer, re.IGNORECASE | re.MULTILINE)
            self._referrals[tld] = match.group(1).lower() if match else None
        return self._referrals[tld]

    async def query(self, domain: str) -> WhoisOutcome:
        """Look ``domain`` up over WHOIS; never raises for network or parse failures."""
        host = await self.server_for(domain)
        if host is None:
            return WhoisOutcome(domain, None, None, f"no WHOIS server known for {domain}", False)
        where = f"{host}:{self.config.whois_port}"
        forced = bool(self.config.whois_server)
        query = "{domain}" if forced else _QUERY_FORMATS.get(host, "{domain}")
        try:
            text = await self._ask_with_retries(host, query.format(domain=domain))
        except TimeoutError:
            return WhoisOutcome(domain, None, None,
                                f"WHOIS timeout after {self.config.registration_timeout:g}s from {where}",
                                False, where)
        except OSError as exc:
            return WhoisOutcome(domain, None, None, f"WHOIS connection failed to {where}: {exc}", False, where)
        key = f"whois:{host}:{self.config.whois_port}"
        try:
            record = parse_whois(domain, text)
        except WhoisAnswerError as exc:
            if "rate limited" in exc.reason:
                self._back_off(key)
            else:
                self._strikes.pop(key, None)
            return WhoisOutcome(domain, None, text, f"{exc.reason} from {where}", exc.definitive, where)
        self._strikes.pop(key, None)
        return WhoisOutcome(domain, record, text, None, True, where)

    def _back_off(self, key: str) -> None:
        """Leave a server that refused us alone for a while, longer each time in a row."""
        strikes = self._strikes.get(key, 0) + 1
        self._strikes[key] = strikes
        pause = min(self.limit_cooldown, max(self.config.backoff, 0.01) * 2 ** (strikes - 1))
        self._cooldown[key] = max(self._cooldown.get(key, 0.0), time.monotonic() + pause)

    async def lookup(self, domain: str) -> Lookup:
        """:meth:`query` as a :class:`Lookup` (``data`` = record + ``raw``)."""
        return whois_outcome_to_lookup(await self.query(domain))


def whois_outcome_to_lookup(outcome: WhoisOutcome) -> Lookup:
    """A :class:`WhoisOutcome` as the ``registration`` :class:`Lookup` the cache stores."""
    return registration_lookup(outcome.domain, outcome.record, source="whois", raw=outcome.raw,
                               server=outcome.server, error=outcome.error)
