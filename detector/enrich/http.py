"""A safe, polite page fetcher on aiohttp: what the pages source uses to read the web.

Fetching pages named in a backlink export means fetching URLs chosen by strangers, so
every fetch is guarded:

* **Addresses**: each host is resolved ONCE (through an injectable ``resolve(host)``
  coroutine; by default the system resolver, or the servers ``NetworkConfig.dns_servers``
  names, see :mod:`detector.enrich.addresses`). Private, loopback, link-local, multicast,
  reserved and other non-global addresses are refused unless
  ``NetworkConfig.allow_private_addresses``. The connection then goes to exactly the
  address that was checked: aiohttp's own resolver is replaced by one that only answers
  with checked addresses (so TLS SNI and ``Host`` still carry the name, and a DNS
  rebinding between check and connect is impossible).
* **Caps**: body bytes on the wire and after decompression (``max_body_bytes``; gzip and
  deflate are inflated here, incrementally, never past the cap, so a gzip bomb costs at
  most the cap), redirects (``max_redirects``; every hop is re-resolved and re-checked,
  loops are detected), and total time per page (``http_timeout``, redirects included).
  Only ``text/html`` and ``application/xhtml+xml`` bodies are read.
* **Politeness**: a descriptive ``User-Agent``; robots.txt fetched once per host and
  obeyed (``urllib.robotparser``, RFC 9309 semantics: 4xx or a redirect loop means
  allow all, 5xx or unreachable means disallow all, only the first 500 KiB is read); a per-host rate limit and a bound on pages in flight
  (:mod:`detector.enrich.limits`); retries only for safe cases (server dropped the
  connection, HTTP 429/503) within the page's time budget.

Nothing raises for a network failure: :meth:`SafeFetcher.fetch` returns a
:class:`FetchResult` whose ``error`` is a short reason ("HTTP 404", "redirect loop",
"body over 2000000 bytes", "not HTML (application/pdf)", "blocked by robots.txt",
"address 10.0.0.1 is private", "timeout after 10s").
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import time
import zlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.robotparser import RobotFileParser

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from detector.enrich.base import NetworkConfig
from detector.enrich.limits import RateLimiter, retry_async
from detector.keys import is_ip

__all__ = [
    "FetchResult",
    "SafeFetcher",
    "Resolve",
    "address_problem",
    "dict_resolver",
    "default_resolver",
    "HTML_TYPES",
]

#: An injectable resolver: host name -> IP address strings (empty list: no address).
Resolve = Callable[[str], Awaitable[list[str]]]

#: Content types whose bodies are read and parsed.
HTML_TYPES = ("text/html", "application/xhtml+xml")
_ROBOTS_MAX_BYTES = 512_000  # Google reads the first 500 KiB of a robots.txt
_CHUNK = 65_536
_REDIRECTS = {301, 302, 303, 307, 308}
_RETRY_STATUSES = {429, 503}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)


@dataclass
class FetchResult:
    """What one fetch of one URL gave, or why it gave nothing."""

    url: str  #: URL asked for
    final_url: str  #: URL after redirects (the last one tried on failure)
    status: int | None = None  #: HTTP status of the last response, None when none came
    content_type: str | None = None  #: media type of the last response, lower-case, no parameters
    address: str | None = None  #: IP address connected to for the last hop
    redirects: list[str] = field(default_factory=list)  #: URLs redirected to, in order
    text: str | None = None  #: decoded body (HTML only), None on failure
    body_bytes: int | None = None  #: size of the body after decompression
    error: str | None = None  #: reason for failure in a few words; None when ok
    elapsed: float = 0.0  #: seconds spent, redirects included

    @property
    def ok(self) -> bool:
        """True when a body was read."""
        return self.error is None


class _Failure(Exception):
    """Internal: stops a fetch with a reason that becomes ``FetchResult.error``."""


class _RetryableStatus(Exception):
    """Internal: a status worth one more try (429, 503)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


# --- addresses ---------------------------------------------------------------------------

def address_problem(address: str) -> str | None:
    """Why ``address`` must not be fetched, or ``None`` when it is a public address.

    >>> address_problem("10.0.0.1")
    'address 10.0.0.1 is private'
    >>> address_problem("127.0.0.1")
    'address 127.0.0.1 is loopback'
    >>> address_problem("::ffff:169.254.1.1")
    'address ::ffff:169.254.1.1 is link-local'
    >>> address_problem("93.184.216.34") is None
    True
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"address {address} is not an IP address"
    checked = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
    for label, test in (
        ("unspecified", checked.is_unspecified),
        ("loopback", checked.is_loopback),
        ("link-local", checked.is_link_local),
        ("multicast", checked.is_multicast),
        ("private", checked.is_private),
        ("reserved", checked.is_reserved),
    ):
        if test:
            return f"address {address} is {label}"
    if not checked.is_global:
        return f"address {address} is not globally routable"
    return None


def dict_resolver(table: Mapping[str, Sequence[str]]) -> Resolve:
    """A resolver answering from a fixed table (tests, simulations); unknown names: no address.

    >>> import asyncio
    >>> asyncio.run(dict_resolver({"a.test": ["127.0.0.1"]})("A.test"))
    ['127.0.0.1']
    """
    lowered = {name.lower().rstrip("."): list(addresses) for name, addresses in table.items()}

    async def resolve(host: str) -> list[str]:
        return list(lowered.get(host.lower().rstrip("."), []))

    return resolve


def default_resolver(config: NetworkConfig) -> Resolve:
    """The resolver the config asks for: ``dns_servers`` when given, else the system's.

    With servers, an :class:`~detector.enrich.addresses.AddressResolver` (A and AAAA at
    once; a fast UDP engine when the servers are IP addresses); call its ``close()`` when
    done (the fetcher does for the resolver it made).
    """
    if config.dns_servers:
        from detector.enrich.addresses import server_resolver

        return server_resolver(config)

    async def resolve_system(host: str) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except socket.gaierror:
            return []
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    return resolve_system


class _PinnedResolver(AbstractResolver):
    """aiohttp resolver that answers only with addresses the fetcher has already checked."""

    def __init__(self) -> None:
        self.pinned: dict[str, list[str]] = {}

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        addresses = self.pinned.get(host.lower().rstrip("."))
        if not addresses:
            raise OSError(f"address of {host} was not checked")
        results: list[ResolveResult] = []
        for address in addresses:
            is_v6 = ":" in address
            results.append(ResolveResult(
                hostname=host, host=address, port=port,
                family=socket.AF_INET6 if is_v6 else socket.AF_INET, proto=0,
                flags=socket.AI_NUMERICHOST,
            ))
        return results

    async def close(self) -> None:
        return None


# --- the fetcher -------------------------------------------------------------------------

class SafeFetcher:
    """Fetch pages safely; use as ``async with SafeFetcher(config) as f: await f.fetch(url)``.

    ``resolve`` replaces the resolver (see :func:`dict_resolver`); ``limiter`` replaces the
    per-host :class:`~detector.enrich.limits.RateLimiter` built from
    ``config.per_host_rate``. One fetcher holds one connection pool, one robots.txt cache
    and one address cache; share it across all the pages of a run.
    """

    def __init__(self, config: NetworkConfig, *, resolve: Resolve | None = None,
                 limiter: RateLimiter | None = None) -> None:
        self.config = config
        self._resolve = resolve or default_resolver(config)
        self._owns_resolver = resolve is None  # closed with the fetcher
        self._limiter = limiter or RateLimiter(config.per_host_rate)
        self._pinned = _PinnedResolver()
        self._addresses: dict[str, asyncio.Task[list[str] | str]] = {}
        self._robots: dict[str, asyncio.Task[RobotFileParser | str]] = {}
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        #: requests sent (robots.txt and redirects included)
        self.requests = 0

    async def __aenter__(self) -> "SafeFetcher":
        self._open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                resolver=self._pinned, use_dns_cache=False,
                limit=max(1, self.config.http_concurrency), limit_per_host=8,
            )
            self._session = aiohttp.ClientSession(
                connector=connector, auto_decompress=False, trust_env=False,
                timeout=aiohttp.ClientTimeout(total=None),
            )
            self._slots = asyncio.Semaphore(max(1, self.config.http_concurrency))
        return self._session

    async def close(self) -> None:
        """Close the connection pool and cancel pending robots / address look-ups."""
        for task in [*self._addresses.values(), *self._robots.values()]:
            if not task.done():
                task.cancel()
        if self._session is not None:
            await self._session.close()
            self._session = None
        close_resolver = getattr(self._resolve, "close", None)
        if self._owns_resolver and close_resolver is not None:
            close_resolver()

    # -- public --------------------------------------------------------------------------

    async def fetch(self, url: str, *, html_only: bool = True) -> FetchResult:
        """Fetch ``url`` (following redirects) and return its decoded HTML or a reason.

        Never raises for network trouble; ``html_only=False`` reads any content type
        (used for robots.txt).
        """
        self._open()
        assert self._slots is not None
        result = FetchResult(url=url, final_url=url)
        started = time.monotonic()
        async with self._slots:
            try:
                async with asyncio.timeout(self.config.http_timeout):
                    await self._follow(url, result, html_only=html_only,
                                       check_robots=self.config.respect_robots,
                                       cap=self.config.max_body_bytes)
            except TimeoutError:
                result.error = f"timeout after {self.config.http_timeout:g}s"
            except _Failure as failure:
                result.error = str(failure)
            except Exception as exc:  # noqa: BLE001 - a strange answer is a reason, never a crash
                result.error = f"fetch failed: {type(exc).__name__}: {exc}"[:300]
        if result.error is not None:
            result.text = None
        result.elapsed = time.monotonic() - started
        return result

    # -- internals -----------------------------------------------------------------------

    async def _follow(self, url: str, result: FetchResult, *, html_only: bool,
                      check_robots: bool, cap: int, truncate: bool = False) -> None:
        seen: set[str] = set()
        current = url
        while True:
            target = _parse_url(current)
            seen.add(_visit_key(target))
            result.final_url = current
            result.address = await self._checked_address(target.raw_host or "")
            if check_robots and not await self._robots_allow(target):
                raise _Failure("blocked by robots.txt")
            try:
                location = await retry_async(
                    lambda: self._request(target, result, html_only=html_only, cap=cap,
                                          truncate=truncate),
                    retries=max(0, self.config.retries), backoff=self.config.backoff,
                    retry_on=_is_safe_to_retry,
                )
            except _RetryableStatus as exc:
                raise _Failure(f"HTTP {exc.status}") from None
            except aiohttp.ServerDisconnectedError:
                raise _Failure("server disconnected") from None
            if location is None:
                return
            try:
                nxt = URL(location.strip()) if _absolute(location) else target.join(URL(location.strip()))
            except (ValueError, TypeError):
                raise _Failure(f"redirect to invalid URL {location!r}") from None
            if nxt.scheme not in ("http", "https"):
                raise _Failure(f"redirect to unsupported scheme {nxt.scheme or '(none)'}")
            if not nxt.host:
                raise _Failure(f"redirect to invalid URL {location!r}")
            if _visit_key(nxt) in seen:
                raise _Failure("redirect loop")
            if len(result.redirects) >= self.config.max_redirects:
                raise _Failure(f"too many redirects (more than {self.config.max_redirects})")
            current = str(nxt.with_fragment(None))
            result.redirects.append(current)

    async def _request(self, target: URL, result: FetchResult, *, html_only: bool, cap: int,
                       truncate: bool = False) -> str | None:
        """One HTTP exchange; returns the Location of a redirect, or None when the body was read."""
        session = self._open()
        await self._limiter.acquire(target.raw_host or "")
        self.requests += 1
        headers = {
            "Host": _host_header(target),
            "User-Agent": self.config.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1" if html_only else "*/*",
            "Accept-Encoding": "gzip, deflate",
        }
        try:
            async with session.get(self._connect_url(target), headers=headers,
                                   allow_redirects=False) as response:
                result.status = response.status
                result.content_type = (response.content_type or "").lower() or None
                if response.status in _REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise _Failure(f"HTTP {response.status} without Location")
                    return location
                if response.status in _RETRY_STATUSES:
                    raise _RetryableStatus(response.status)
                if not 200 <= response.status < 300:
                    raise _Failure(f"HTTP {response.status}")
                declared = response.headers.get("Content-Type")
                if html_only and declared and result.content_type not in HTML_TYPES:
                    raise _Failure(f"not HTML ({result.content_type})")
                body = await _read_capped(response, cap, truncate=truncate)
                if html_only and not declared and not _looks_like_html(body):
                    raise _Failure("not HTML (no content type)")
                result.body_bytes = len(body)
                result.text = _decode(body, response.charset)
                return None
        except (_Failure, _RetryableStatus, TimeoutError, asyncio.CancelledError):
            raise
        except aiohttp.ServerDisconnectedError:
            raise
        except aiohttp.ClientConnectorCertificateError as exc:
            raise _Failure(f"TLS certificate error: {exc.certificate_error}") from None
        except aiohttp.ClientSSLError as exc:
            raise _Failure(f"TLS error: {exc}") from None
        except aiohttp.ClientConnectorError as exc:
            raise _Failure(f"connection failed: {exc.strerror or exc.os_error}") from None
        except aiohttp.ClientPayloadError as exc:
            raise _Failure(f"malformed body: {exc}") from None
        except aiohttp.ClientResponseError as exc:
            raise _Failure(f"bad response: {exc.message}") from None
        except aiohttp.InvalidURL:
            raise _Failure(f"invalid URL {target}") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise _Failure(f"connection failed: {exc}") from None
        except zlib.error as exc:
            raise _Failure(f"bad compressed body: {exc}") from None

    def _connect_url(self, target: URL) -> URL:
        if target.explicit_port is not None and target.explicit_port != _default_port(target.scheme):
            return target
        port = self.config.https_port if target.scheme == "https" else self.config.http_port
        return target.with_port(port)

    async def _checked_address(self, host: str) -> str:
        """Resolve ``host`` once, refuse unsafe addresses, pin the safe ones for connecting."""
        if not host:
            raise _Failure("URL without host")
        host = host.lower().rstrip(".")
        task = self._addresses.get(host)
        if task is None:
            task = asyncio.ensure_future(self._resolve_and_check(host))
            self._addresses[host] = task
        outcome = task.result() if task.done() else await asyncio.shield(task)  # most hosts: known
        if isinstance(outcome, str):
            raise _Failure(outcome)
        self._pinned.pinned[host] = outcome
        return outcome[0]

    async def _resolve_and_check(self, host: str) -> list[str] | str:
        if is_ip(host):
            addresses = [host]
        else:
            try:
                async with asyncio.timeout(max(self.config.dns_timeout, 0.1) * 2):
                    addresses = list(await self._resolve(host))
            except TimeoutError:
                return f"DNS timeout for {host}"
            except Exception as exc:  # a resolver's failure is a reason, not a crash
                return f"DNS failure for {host}: {exc}"
            if not addresses:
                return f"no address for {host}"
        if self.config.allow_private_addresses:
            return addresses
        safe = [address for address in addresses if address_problem(address) is None]
        if not safe:
            return address_problem(addresses[0]) or f"no usable address for {host}"
        return safe

    async def _robots_allow(self, target: URL) -> bool:
        origin = f"{target.scheme}://{_host_header(target)}"
        task = self._robots.get(origin)
        if task is None:
            task = asyncio.ensure_future(self._load_robots(origin))
            self._robots[origin] = task
        parser = task.result() if task.done() else await asyncio.shield(task)
        if isinstance(parser, str):
            raise _Failure(parser)
        return parser.can_fetch(self.config.user_agent, str(target))

    async def _load_robots(self, origin: str) -> RobotFileParser | str:
        """robots.txt of ``origin`` as a parser, or a reason to fetch nothing there."""
        url = origin + "/robots.txt"
        result = FetchResult(url=url, final_url=url)
        parser = RobotFileParser(url)
        try:
            async with asyncio.timeout(self.config.http_timeout):
                await self._follow(url, result, html_only=False, check_robots=False,
                                   cap=min(self.config.max_body_bytes, _ROBOTS_MAX_BYTES), truncate=True)
        except TimeoutError:
            return f"robots.txt unavailable (timeout after {self.config.http_timeout:g}s)"
        except Exception as exc:  # noqa: BLE001 - see fetch()
            if not isinstance(exc, _Failure):
                return f"robots.txt unavailable ({type(exc).__name__}: {exc})"[:300]
            failure = exc
            reason = str(failure)
            client_error = result.status is not None and 400 <= result.status < 500 and reason.startswith("HTTP")
            if client_error or "redirect" in reason:
                # RFC 9309: a 4xx robots.txt, or none found after the redirects, is
                # "unavailable": no restrictions
                parser.allow_all = True
                return parser
            return f"robots.txt unavailable ({reason})"
        parser.parse((result.text or "").splitlines())
        return parser


# --- helpers -----------------------------------------------------------------------------

def _is_safe_to_retry(exc: BaseException) -> bool:
    return isinstance(exc, (_RetryableStatus, aiohttp.ServerDisconnectedError))


def _parse_url(url: str) -> URL:
    try:
        parsed = URL(url.strip())
    except (ValueError, TypeError):
        raise _Failure(f"invalid URL {url!r}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise _Failure(f"invalid URL {url!r}")
    return parsed


def _absolute(location: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", location.strip()))


def _visit_key(url: URL) -> str:
    return str(url.with_fragment(None)).lower() if url.host else str(url)


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _host_header(url: URL) -> str:
    host = url.raw_host or ""
    if ":" in host:
        host = f"[{host}]"
    if url.explicit_port is not None and url.explicit_port != _default_port(url.scheme):
        return f"{host}:{url.explicit_port}"
    return host


def _decompressor(encoding: str) -> Any:
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _DeflateEither()
    raise _Failure(f"unsupported content encoding {encoding}")


class _DeflateEither:
    """``deflate`` is zlib-wrapped by the spec but raw in some servers: accept both."""

    def __init__(self) -> None:
        self._inner: Any = None
        self.unconsumed_tail = b""

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._inner is None:
            wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._inner = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        out = self._inner.decompress(data, max_length)
        self.unconsumed_tail = self._inner.unconsumed_tail
        return out


async def _read_capped(response: aiohttp.ClientResponse, cap: int, *, truncate: bool = False) -> bytes:
    """Read the body, inflating gzip/deflate incrementally; fail past ``cap`` bytes either way.

    With ``truncate`` the first ``cap`` bytes are returned instead of failing (robots.txt).
    """
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > cap and not truncate:
        raise _Failure(f"body over {cap} bytes")
    inflater = _decompressor(response.headers.get("Content-Encoding", "").strip().lower())
    raw_bytes = 0
    out = bytearray()
    async for chunk in response.content.iter_chunked(_CHUNK):
        raw_bytes += len(chunk)
        if raw_bytes > cap:
            if truncate:
                break
            raise _Failure(f"body over {cap} bytes")
        if inflater is None:
            out += chunk
            continue
        data = chunk
        while data:
            out += inflater.decompress(data, cap + 1 - len(out))
            if len(out) > cap:
                if truncate:
                    return bytes(out[:cap])
                raise _Failure(f"body over {cap} bytes after decompression")
            data = inflater.unconsumed_tail
    return bytes(out[:cap])


def _looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head


def _decode(body: bytes, charset: str | None) -> str:
    if not charset:
        match = _META_CHARSET.search(body[:4096])
        charset = match.group(1).decode("ascii", "ignore") if match else "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")

