"""The ``pages`` source: fetch a referring domain's linking page(s) and home page.

For each referring domain, :class:`PageSource` fetches up to ``max_pages`` linking pages
(the URLs the backlink export named for that domain) and the domain's home page with the
safe fetcher (:mod:`detector.enrich.http`), parses each with :mod:`detector.enrich.html`,
and records, for each linking page, whether a link to the audited site is really there,
its real ``rel`` and whether it is hidden. A page that fails is kept with its reason; the
:class:`~detector.enrich.base.Lookup` fails (``ok=False``) only when no page at all could
be read.

Lookup ``data``::

    {"target_keys": [...],                      # registrable domains of the audited site
     "pages": [{"role": "linking" | "home", "url", "final_url", "status", "ok",
                "error", "address", "redirects", "record": {...} | None,
                "backlink": {"present", "followed", "hidden", "rel", "links"} | None}]}

``record`` is :func:`~detector.enrich.html.parse_page`'s record with ``links`` empty
(see :data:`PAGE_LINKS`) and without ``target_links`` (summarised in ``backlink``).

Also here: the audited site's own outbound links, from a short crawl
(:func:`crawl_target_outbound`) or from an export the user supplies
(:func:`read_outbound_export`), which the reciprocal-link signals match against the
referring domains.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from detector.enrich.base import Lookup, NetworkConfig
from detector.enrich.html import parse_page
from detector.enrich.http import FetchResult, Resolve, SafeFetcher
from detector.errors import EmptyInputError, InputError, UnrecognisedFormatError
from detector.keys import domain_key, host_of, is_public_suffix

__all__ = [
    "PageSource",
    "backlink_summary",
    "crawl_target_outbound",
    "crawl_target_outbound_async",
    "read_outbound_export",
]

#: Visible text kept per page in a cached lookup (characters).
PAGE_TEXT_CHARS = 5_000
#: Links kept per page in a cached lookup (the counts, external domains and the links to
#: the audited site cover them all). Zero by default: no signal reads the list, and its
#: 50 links were 40 % of a cached page and most of the cost of reading the cache back.
#: Records cached with links are read as before.
PAGE_LINKS = 0
_NOT_PAGES = re.compile(r"\.(?:pdf|jpe?g|png|gif|webp|svg|ico|css|js|zip|gz|mp[34]|avi|mov|"
                        r"docx?|xlsx?|pptx?|xml|json|txt|woff2?|ttf)$", re.I)
_DISCOUNTING_RELS = ("nofollow", "sponsored", "ugc")


def backlink_summary(target_links: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Summarise the links to the audited site found on one page.

    ``followed``: at least one of them carries none of nofollow / sponsored / ugc;
    ``hidden``: at least one is hidden; ``rel``: every rel token seen on them.

    >>> backlink_summary([{"href": "https://t.example/", "rel": ["nofollow"], "text": "t",
    ...                    "hidden": False}])["followed"]
    False
    >>> backlink_summary([])["present"]
    False
    """
    rels = sorted({token for link in target_links for token in link.get("rel", [])})
    return {
        "present": bool(target_links),
        "followed": any(not set(link.get("rel", [])) & set(_DISCOUNTING_RELS) for link in target_links),
        "hidden": any(bool(link.get("hidden")) for link in target_links),
        "rel": rels,
        "links": [dict(link) for link in target_links[:10]],
    }


class PageSource:
    """Fetch and parse each referring domain's linking pages and home page.

    ``linking_pages`` maps a referring-domain key to the linking-page URLs the export
    gave; ``target_hosts`` are the audited site's hosts (any host of the same registrable
    domain counts as a backlink). ``resolve`` replaces the resolver of the fetcher (tests,
    simulations). Use as an async context manager, or call :meth:`close` at the end.
    """

    kind = "pages"

    def __init__(self, config: NetworkConfig, linking_pages: Mapping[str, Sequence[str]],
                 target_hosts: Iterable[str], *, resolve: Resolve | None = None,
                 max_pages: int = 3, max_text_chars: int = PAGE_TEXT_CHARS,
                 max_links: int = PAGE_LINKS) -> None:
        self.config = config
        self.linking_pages = linking_pages
        self.target_keys = sorted({domain_key(h) for h in target_hosts if domain_key(h)})
        self.max_pages = max_pages
        self.max_text_chars = max_text_chars
        self.max_links = max_links
        self._resolve = resolve
        self._fetcher: SafeFetcher | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __aenter__(self) -> "PageSource":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the fetcher's connection pool."""
        if self._fetcher is not None:
            await self._fetcher.close()
            self._fetcher = None

    @property
    def requests(self) -> int:
        """HTTP requests sent so far (robots.txt and redirects included)."""
        return self._fetcher.requests if self._fetcher is not None else 0

    def _get_fetcher(self) -> SafeFetcher:
        loop = asyncio.get_running_loop()
        if self._fetcher is None or self._loop is not loop:  # a session belongs to one loop
            self._fetcher = SafeFetcher(self.config, resolve=self._resolve)
            self._loop = loop
        return self._fetcher

    def urls_for(self, domain: str) -> list[tuple[str, str]]:
        """``(role, url)`` pairs to fetch for ``domain``: linking pages, then the home page."""
        wanted: list[tuple[str, str]] = []
        seen: set[str] = set()
        for url in self.linking_pages.get(domain, ()) or ():
            url = (url or "").strip()
            if not url:
                continue
            if "://" not in url:
                url = "http://" + url
            if urlsplit(url).scheme.lower() not in ("http", "https") or url in seen:
                continue
            seen.add(url)
            wanted.append(("linking", url))
            if len(wanted) >= self.max_pages:
                break
        scheme = urlsplit(wanted[0][1]).scheme.lower() if wanted else "http"
        home = f"{scheme}://{domain}/"
        if home not in seen:
            wanted.append(("home", home))
        else:  # the linking page is the home page: fetch it once, mark it as both
            wanted = [(("linking+home" if url == home else role), url) for role, url in wanted]
        return wanted

    async def lookup(self, domain: str) -> Lookup:
        """Fetch and parse ``domain``'s pages; never raises for network failures."""
        fetcher = self._get_fetcher()
        wanted = self.urls_for(domain)
        results = await asyncio.gather(*(fetcher.fetch(url) for _, url in wanted))
        pages = [self._page_entry(role, result) for (role, _), result in zip(wanted, results)]
        fetched = [page for page in pages if page["ok"]]
        data = {"target_keys": list(self.target_keys), "pages": pages}
        if fetched:
            return Lookup(domain=domain, kind=self.kind, ok=True, data=data)
        error = "; ".join(f"{page['role']} page {page['url']}: {page['error']}" for page in pages)
        return Lookup(domain=domain, kind=self.kind, ok=False, data=data, error=error or "no page to fetch")

    def _page_entry(self, role: str, result: FetchResult) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "role": role, "url": result.url, "final_url": result.final_url,
            "status": result.status, "ok": result.ok, "error": result.error,
            "address": result.address, "redirects": list(result.redirects),
            "record": None, "backlink": None,
        }
        if result.ok and result.text is not None:
            record = parse_page(result.text, result.final_url, max_text_chars=self.max_text_chars,
                                max_links=self.max_links, target_keys=self.target_keys)
            target_links = record.pop("target_links")
            entry["record"] = record
            if "linking" in role:
                entry["backlink"] = backlink_summary(target_links)
        return entry


# --- the audited site's own outbound links ---------------------------------------------------

async def crawl_target_outbound_async(config: NetworkConfig, target_hosts: Iterable[str],
                                      max_pages: int = 50, *, resolve: Resolve | None = None,
                                      max_seconds: float = 120.0, batch: int = 8) -> set[str]:
    """Breadth-first crawl of the audited site; the registrable domains it links to.

    Starts at each target host's home page, follows links that stay on the target's
    registrable domains, fetches at most ``max_pages`` pages (failures count) within
    ``max_seconds``, ``batch`` at a time. Robots.txt and every safety cap apply.
    """
    hosts = [h for h in (host_of(t) for t in target_hosts) if h]
    keys = {domain_key(h) for h in hosts}
    queue: list[str] = [f"http://{h}/" for h in dict.fromkeys(hosts)]
    seen: set[str] = set(queue)
    outbound: set[str] = set()
    fetched = 0
    deadline = time.monotonic() + max_seconds
    async with SafeFetcher(config, resolve=resolve) as fetcher:
        while queue and fetched < max_pages and time.monotonic() < deadline:
            take = min(batch, max_pages - fetched)
            current, queue = queue[:take], queue[take:]
            fetched += len(current)
            results = await asyncio.gather(*(fetcher.fetch(url) for url in current))
            for result in results:
                if not result.ok or result.text is None:
                    continue
                record = parse_page(result.text, result.final_url, max_text_chars=0, max_links=10_000,
                                    with_fingerprints=False)
                for link in record["links"]:
                    key = domain_key(link["href"])
                    if not key or is_public_suffix(key):
                        continue
                    if key not in keys:
                        outbound.add(key)
                        continue
                    url = link["href"].split("#", 1)[0]
                    if url not in seen and not _NOT_PAGES.search(urlsplit(url).path):
                        seen.add(url)
                        queue.append(url)
    return outbound


def crawl_target_outbound(config: NetworkConfig, target_hosts: Iterable[str], max_pages: int = 50,
                          *, resolve: Resolve | None = None, max_seconds: float = 120.0) -> set[str]:
    """Synchronous :func:`crawl_target_outbound_async` (not from inside a running event loop)."""
    return asyncio.run(crawl_target_outbound_async(config, target_hosts, max_pages,
                                                   resolve=resolve, max_seconds=max_seconds))


#: Header names (normalised: lower-case, single spaces) that hold outbound link targets,
#: most specific first. "Referring page URL" / "Source URL" are the target's own pages.
OUTBOUND_COLUMNS = (
    "linked domain", "target url", "target domain", "destination url", "destination domain",
    "outgoing url", "outgoing link", "external url", "external link", "link url", "linked url",
    "domain", "url", "target", "destination", "link",
)


def _decode_file(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _normal_header(name: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower()).split())


def _key_of_value(value: str) -> str:
    value = value.strip().strip('"').strip()
    if not value or value.startswith("#"):
        return ""
    if value.lower().startswith("domain:"):
        value = value[7:]
    if " " in value.strip():
        return ""
    key = domain_key(value)
    if not key or "." not in key and ":" not in key or is_public_suffix(key):
        return ""
    return key


def read_outbound_export(path: str | Path) -> set[str]:
    """Registrable domains the audited site links to, from a file the user exported.

    Accepts a plain list (one URL or domain per line; ``#`` comments and ``domain:``
    prefixes allowed) or a CSV/TSV whose header has a column such as "Linked domain",
    "Target URL", "Destination URL", "Domain" or "URL" (UTF-8, UTF-8 with BOM, UTF-16 with
    BOM as Ahrefs writes it, or cp1252). Raises :class:`~detector.errors.InputError`
    subclasses naming the file when it is missing, empty or has no usable column.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the outbound-links file ({exc.strerror or exc})") from None
    text = _decode_file(raw)
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise EmptyInputError(f"{path}: the outbound-links file is empty")
    header = lines[0]
    delimiter = max(("\t", ",", ";"), key=header.count)
    if header.count(delimiter) == 0:  # a plain list, one URL or domain per line
        keys = {_key_of_value(line) for line in lines}
        keys.discard("")
        if not keys:
            raise UnrecognisedFormatError(
                f"{path}: line 1: expected one URL or domain per line, found {header[:80]!r}")
        return keys
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    names = [_normal_header(cell) for cell in rows[0]]
    column = next((names.index(wanted) for wanted in OUTBOUND_COLUMNS if wanted in names), None)
    if column is None:
        if _key_of_value(rows[0][0]):  # no header: the first column holds URLs or domains
            column, body = 0, rows
        else:
            raise UnrecognisedFormatError(
                f"{path}: line 1: no column of outbound links; expected one named like "
                f"'Target URL', 'Linked domain', 'Domain' or 'URL', found {rows[0]!r}")
    else:
        body = rows[1:]
    keys = {_key_of_value(row[column]) for row in body if len(row) > column}
    keys.discard("")
    return keys
