"""Run the enrichment sources over the referring domains and turn lookups into features.

:func:`enrich` is the one entry point the CLI, the app and the notebooks call:

1. for each requested kind (``dns``, ``registration``, ``pages``) read the fresh cached
   lookups (``LookupCache``), and look up only the rest, every source with its own
   bounded concurrency, all kinds at once;
2. write each lookup to the cache the moment it completes, so a run that is killed or
   cancelled resumes where it stopped;
3. build the feature frame from the lookups with the pure signal functions of every
   family (hosting, registration, content, reciprocal): one row per domain, NaN where
   nothing is known.

``offline=True`` makes no network call at all: every family is computed from whatever
the cache holds, at any age. ``network_calls`` in the result counts the source lookups
performed (each one or more requests), so a fully cached re-run reports 0.

The other families' modules are imported lazily: a family whose module is not
installed is skipped and said so in :attr:`EnrichmentResult.notes`.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from detector.enrich.base import Lookup, NetworkConfig
from detector.enrich.cache import LookupCache, MaxAge
from detector.enrich.gc_pause import paused_gc
from detector.enrich.limits import map_bounded
from detector.keys import domain_key, host_of
from detector.schema import BL, DOMAIN

__all__ = ["EnrichmentResult", "enrich", "enrich_async", "KINDS", "Progress"]

#: Lookup kinds :func:`enrich` knows, in the order they are reported.
KINDS = ("dns", "registration", "pages")

#: ``progress(kind, done, total)``; called with done = cached count first, then per lookup.
Progress = Callable[[str, int, int], Any]

#: cache kind under which the audited site's crawled outbound domains are kept
OUTBOUND_KIND = "target_outbound"

_ERROR_COLUMNS = [DOMAIN, "kind", "error"]
_INTERNAL = "internal error: "  # prefix of failures caused by a bug: never cached


@dataclass
class EnrichmentResult:
    """What :func:`enrich` learned."""

    #: one row per domain (``domain`` column), a float column per feature of every family
    features: pd.DataFrame
    #: kind -> domain -> lookup (cached or fresh); domains never looked up are absent
    lookups: dict[str, dict[str, Lookup]]
    #: one row per failed lookup (or per domain the offline cache knows nothing of): domain, kind, error
    errors: pd.DataFrame
    #: source lookups performed over the network in this run (0 for a cached re-run)
    network_calls: int
    #: how many lookups per kind came from the cache
    cached: dict[str, int] = field(default_factory=dict)
    #: plain-language notes: families skipped and why
    notes: list[str] = field(default_factory=list)
    #: seconds spent per stage: ``cache_read``, ``lookups`` (network), ``features:<family>``
    timings: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        # short on purpose: asyncio formats a finished task's result with repr(), and the
        # default dataclass repr of every cached lookup took a quarter of a cached re-run
        looked_up = sum(len(v) for v in self.lookups.values())
        return (f"EnrichmentResult({len(self.features):,} domains, {looked_up:,} lookups, "
                f"{len(self.errors):,} errors, {self.network_calls:,} network calls)")


def _unique_domains(domains: Iterable[str]) -> list[str]:
    out: dict[str, None] = {}
    for d in domains:
        if isinstance(d, str) and d.strip():
            out[d.strip().lower()] = None
    return list(out)


def _optional(module: str, *names: str) -> tuple[Any, ...] | None:
    """``names`` from ``module``, or None if the module (or a name) is not there yet."""
    try:
        mod = importlib.import_module(module)
        return tuple(getattr(mod, n) for n in names)
    except (ImportError, AttributeError):
        return None


def _linking_pages(backlinks: pd.DataFrame | None) -> dict[str, list[str]]:
    if backlinks is None or backlinks.empty or BL.SOURCE_URL not in backlinks or BL.DOMAIN not in backlinks:
        return {}
    pairs = backlinks[[BL.DOMAIN, BL.SOURCE_URL]].dropna().drop_duplicates()
    out: dict[str, list[str]] = {}
    for domain, url in zip(pairs[BL.DOMAIN], pairs[BL.SOURCE_URL]):
        out.setdefault(str(domain), []).append(str(url))
    return out


def _first_seen(backlinks: pd.DataFrame | None) -> dict[str, pd.Timestamp]:
    if backlinks is None or backlinks.empty or BL.FIRST_SEEN not in backlinks or BL.DOMAIN not in backlinks:
        return {}
    series = backlinks[[BL.DOMAIN, BL.FIRST_SEEN]].dropna().groupby(BL.DOMAIN)[BL.FIRST_SEEN].min()
    return {str(k): v for k, v in series.items()}


def _target_hosts(target: Any, backlinks: pd.DataFrame | None) -> set[str]:
    """The audited site's hosts: from ``target`` (TargetSite, host, URL or hosts) or the export."""
    if target is not None:
        hosts = getattr(target, "hosts", None)
        if hosts is None and getattr(target, "registrable_domain", None) is not None:
            hosts = ()
        if hosts is not None:
            found = set(hosts)
            if getattr(target, "registrable_domain", ""):
                found.add(target.registrable_domain)
            return {h for h in found if h}
        items = [target] if isinstance(target, str) else list(target)
        return {h for h in (host_of(str(t)) for t in items) if h}
    if backlinks is not None and BL.TARGET_HOST in backlinks:
        return {str(h) for h in backlinks[BL.TARGET_HOST].dropna().unique() if str(h)}
    return set()


def _concurrency(kind: str, config: NetworkConfig) -> int:
    return max(1, {"dns": config.dns_concurrency, "registration": config.registration_concurrency,
                   "pages": config.http_concurrency}.get(kind, 8))


def _build_source(kind: str, config: NetworkConfig, linking_pages: Mapping[str, list[str]],
                  target_hosts: set[str]) -> tuple[Any | None, str | None]:
    """(source, None) or (None, note) when the kind's module is not available."""
    if kind == "dns":
        from detector.enrich.dns import DnsSource
        return DnsSource(config), None
    if kind == "registration":
        found = _optional("detector.enrich.registration", "RegistrationSource")
        if found is None:
            return None, "registration lookups skipped: detector.enrich.registration is not available"
        return found[0](config), None
    if kind == "pages":
        found = _optional("detector.enrich.pages", "PageSource")
        if found is None:
            return None, "page lookups skipped: detector.enrich.pages is not available"
        return found[0](config, linking_pages, target_hosts), None
    raise ValueError(f"unknown lookup kind {kind!r}; expected one of {KINDS}")


async def _close(source: Any) -> None:
    close = getattr(source, "close", None)
    if close is None:
        return
    result = close()
    if asyncio.iscoroutine(result):
        await result


async def _safe_lookup(source: Any, domain: str) -> Lookup:
    """``source.lookup`` that turns an unexpected exception into a failed lookup."""
    try:
        return await source.lookup(domain)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # sources should never raise; one bug must not sink the run
        return Lookup(domain, source.kind, False, error=f"{_INTERNAL}{type(exc).__name__}: {exc}")


async def enrich_async(domains: Sequence[str], *, backlinks: pd.DataFrame | None = None,
                       config: NetworkConfig, kinds: Sequence[str] = KINDS,
                       cache_path: str | Path | LookupCache | None = None, offline: bool = False,
                       target: Any = None, progress: Progress | None = None,
                       target_outbound: Iterable[str] | None = None,
                       hosting_ranges: Any = None, now: pd.Timestamp | None = None,
                       failure_max_age: MaxAge = timedelta(days=1)) -> EnrichmentResult:
    """Async :func:`enrich` (for callers that already run an event loop)."""
    names = _unique_domains(domains)
    kinds = tuple(dict.fromkeys(kinds))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown lookup kind(s) {unknown}; expected some of {KINDS}")
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    owns_cache = not isinstance(cache_path, LookupCache)
    cache = cache_path if isinstance(cache_path, LookupCache) else LookupCache(
        cache_path if cache_path is not None else ":memory:", failure_max_age=failure_max_age)
    ttl = timedelta(days=config.cache_ttl_days)
    linking = _linking_pages(backlinks)
    targets = _target_hosts(target, backlinks)
    lookups: dict[str, dict[str, Lookup]] = {k: {} for k in kinds}
    error_rows: list[tuple[str, str, str]] = []
    notes: list[str] = []
    cached_counts: dict[str, int] = {}
    timings: dict[str, float] = {"cache_read": 0.0}
    calls = 0
    started = time.perf_counter()

    def report(kind: str, done: int) -> None:
        if progress is not None:
            progress(kind, done, len(names))

    async def run_kind(kind: str) -> None:
        nonlocal calls
        read_started = time.perf_counter()
        if offline:
            have = cache.get_many(names, kind, max_age=None, failure_max_age=None)
        else:
            have = cache.get_many(names, kind, max_age=ttl, failure_max_age=failure_max_age)
        timings["cache_read"] += time.perf_counter() - read_started
        lookups[kind].update(have)
        cached_counts[kind] = len(have)
        done = len(have)
        report(kind, done)
        todo = [d for d in names if d not in have]
        if offline or not todo:
            return
        source, note = _build_source(kind, config, linking, targets)
        if source is None:
            notes.append(str(note))
            return

        async def one(domain: str) -> Lookup:
            nonlocal calls
            calls += 1
            return await _safe_lookup(source, domain)

        def finished(domain: str, lookup: Lookup) -> None:
            nonlocal done
            if not (lookup.error or "").startswith(_INTERNAL):
                cache.put(lookup)  # durable now: a killed run resumes from here
            lookups[kind][domain] = lookup
            done += 1
            report(kind, done)

        try:
            await map_bounded(one, todo, _concurrency(kind, config), on_result=finished)
        finally:
            await _close(source)

    try:
        await asyncio.gather(*(run_kind(k) for k in kinds))
        outbound = await _target_outbound(kinds, config, cache, targets, target_outbound, offline,
                                          ttl, notes)
    finally:
        if owns_cache:
            cache.close()
    calls += outbound[1]
    timings["lookups"] = time.perf_counter() - started - timings["cache_read"]
    for kind in kinds:
        for domain in names:
            lookup = lookups[kind].get(domain)
            if lookup is None:
                if offline:
                    error_rows.append((domain, kind, "offline: not in cache"))
            elif not lookup.ok:
                error_rows.append((domain, kind, lookup.error or "failed"))
    with paused_gc():  # the signals build large acyclic structures; see gc_pause
        features = _features(names, kinds, lookups, backlinks, now, outbound[0], hosting_ranges,
                             notes, timings)
    errors = pd.DataFrame(error_rows, columns=_ERROR_COLUMNS).astype(pd.StringDtype())
    return EnrichmentResult(features, lookups, errors, calls, cached_counts, notes,
                            {k: round(v, 4) for k, v in timings.items()})


async def _target_outbound(kinds: Sequence[str], config: NetworkConfig, cache: LookupCache,
                           targets: set[str], supplied: Iterable[str] | None, offline: bool,
                           ttl: timedelta, notes: list[str]) -> tuple[set[str] | None, int]:
    """The audited site's outbound domains (supplied, cached or crawled) and calls made."""
    if supplied is not None:
        return {k for k in (domain_key(str(x)) for x in supplied) if k}, 0
    if "pages" not in kinds or not targets:
        return None, 0
    key = ",".join(sorted({domain_key(h) for h in targets if domain_key(h)}))
    cached = cache.get(key, OUTBOUND_KIND, max_age=None if offline else ttl)
    if cached is not None and cached.ok:
        return set(cached.data.get("outbound", [])), 0
    if offline:
        return None, 0
    found = _optional("detector.enrich.pages", "crawl_target_outbound_async")
    if found is None:
        notes.append("target crawl skipped: detector.enrich.pages is not available")
        return None, 0
    try:
        outbound = await found[0](config, sorted(targets))
    except Exception as exc:  # the crawl is optional evidence; note the failure, go on
        notes.append(f"target crawl failed: {type(exc).__name__}: {exc}")
        return None, 1
    cache.put(Lookup(key, OUTBOUND_KIND, True, {"outbound": sorted(outbound)}))
    return set(outbound), 1


def _footprint_groups(dns: Mapping[str, Lookup], pages: Mapping[str, Lookup],
                      hosting_ranges: Any, near_duplicates: Any = None) -> dict[str, set[str]]:
    """domain -> ``kind:key`` footprints (hosting and content) for the three-way pattern."""
    from detector.signals.hosting import hosting_footprints

    prints = [hosting_footprints(dns, ranges=hosting_ranges)] if dns else []
    content_prints = _optional("detector.signals.content", "content_footprints")
    if pages and content_prints is not None:
        prints.append(content_prints[0](pages, near_duplicates=near_duplicates))
    groups: dict[str, set[str]] = {}
    for part in prints:
        for domain, kind, key in part[[DOMAIN, "kind", "key"]].itertuples(index=False):
            groups.setdefault(str(domain), set()).add(f"{kind}:{key}")
    return groups


def _features(names: list[str], kinds: Sequence[str], lookups: Mapping[str, Mapping[str, Lookup]],
              backlinks: pd.DataFrame | None, now: pd.Timestamp, outbound: set[str] | None,
              hosting_ranges: Any, notes: list[str], timings: dict[str, float]) -> pd.DataFrame:
    """Every family's feature columns, one row per name (NaN where a family has nothing)."""

    def timed(family: str, fn: Callable[..., pd.DataFrame], *args: Any) -> pd.DataFrame:
        began = time.perf_counter()
        try:
            return fn(*args)
        finally:
            timings[f"features:{family}"] = time.perf_counter() - began

    frame = pd.DataFrame({DOMAIN: pd.array(names, dtype=pd.StringDtype())})
    dns = dict(lookups.get("dns", {}))
    pages = dict(lookups.get("pages", {}))
    parts: list[tuple[list[Any], pd.DataFrame | None]] = []

    from detector.signals.hosting import HOSTING_FEATURES, hosting_features
    parts.append((HOSTING_FEATURES, timed("hosting", lambda: hosting_features(dns, ranges=hosting_ranges))
                  if dns else None))

    found = _optional("detector.signals.registration", "REGISTRATION_FEATURES", "registration_features")
    if found is not None:
        reg = dict(lookups.get("registration", {}))
        parts.append((found[0], timed("registration", found[1], reg, _first_seen(backlinks), now)
                      if reg else None))
    elif "registration" in kinds:
        notes.append("registration features skipped: detector.signals.registration is not available")

    near_duplicates = None  # computed once, read by the content features and footprints
    found = _optional("detector.signals.content", "CONTENT_FEATURES", "content_features",
                      "near_duplicate_groups")
    if found is not None:
        declared, content_features, near_duplicate_groups = found
        if pages:
            near_duplicates = timed("near_duplicates", near_duplicate_groups, pages)
        parts.append((declared, timed("content", lambda: content_features(
            pages, set(names), near_duplicates=near_duplicates)) if pages else None))
    elif "pages" in kinds:
        notes.append("content features skipped: detector.signals.content is not available")

    found = _optional("detector.signals.reciprocal", "RECIPROCAL_FEATURES", "reciprocal_features")
    if found is not None:
        groups = timed("footprints", _footprint_groups, dns, pages, hosting_ranges,
                       near_duplicates) if pages else None
        parts.append((found[0], timed("reciprocal", found[1], pages, outbound, groups) if pages else None))
    elif "pages" in kinds:
        notes.append("reciprocal features skipped: detector.signals.reciprocal is not available")

    for declared, values in parts:
        columns = [f.name for f in declared]
        if values is not None and len(values):
            values = values.drop_duplicates(DOMAIN).set_index(DOMAIN)
            for c in columns:
                frame[c] = values[c].reindex(names).to_numpy(dtype=np.float64, na_value=np.nan) \
                    if c in values else np.nan
        else:
            for c in columns:
                frame[c] = np.nan
    return frame


def enrich(domains: Sequence[str], *, backlinks: pd.DataFrame | None = None,
           config: NetworkConfig, kinds: Sequence[str] = KINDS,
           cache_path: str | Path | LookupCache | None = None, offline: bool = False,
           target: Any = None, progress: Progress | None = None,
           **options: Any) -> EnrichmentResult:
    """Enrich referring ``domains`` with DNS, registration and page lookups; see the module doc.

    ``backlinks`` (canonical Backlinks frame) supplies linking-page URLs, first-seen dates
    and, unless ``target`` is given, the audited site's hosts. ``cache_path``: SQLite file
    (or an open :class:`LookupCache`); ``None`` keeps nothing between runs.
    ``progress(kind, done, total)`` is called as lookups complete. Extra ``options`` go to
    :func:`enrich_async` (``target_outbound``, ``hosting_ranges``, ``now``,
    ``failure_max_age``). Safe to call from a thread that already runs an event loop
    (the work then runs on a helper thread).
    """
    coro_args = dict(backlinks=backlinks, config=config, kinds=kinds, cache_path=cache_path,
                     offline=offline, target=target, progress=progress, **options)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(enrich_async(domains, **coro_args))
    box: dict[str, Any] = {}

    def runner() -> None:
        try:
            box["result"] = asyncio.run(enrich_async(domains, **coro_args))
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=runner, name="enrich")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]
