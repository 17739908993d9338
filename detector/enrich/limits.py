"""Politeness and robustness helpers shared by every network client.

Three small tools, each with one job:

* :class:`RateLimiter`: at most ``rate_per_sec`` requests per second *per key* (a WHOIS
  server, an RDAP host, a web host), with an optional small burst. WHOIS and RDAP servers
  rate-limit hard; a client that ignores that gets "limit exceeded" for the rest of the run.
* :class:`KeyedSemaphore` and :func:`map_bounded`: bounded concurrency, overall and per key,
  so a run over 10,000 domains never opens 10,000 sockets at once.
* :func:`retry_async`: retry a coroutine with exponential back-off, but only for the errors
  the caller declares safe to retry (a timeout on an idempotent read, a 503). Anything else
  is raised at once: retrying a parse error or a refused request only wastes time.

Everything is plain asyncio, single event loop; nothing here touches the network.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

__all__ = ["RateLimiter", "KeyedSemaphore", "map_bounded", "retry_async", "RetryOn"]

T = TypeVar("T")
R = TypeVar("R")

#: What :func:`retry_async` may retry: exception classes, or a predicate over the exception.
RetryOn = type[BaseException] | tuple[type[BaseException], ...] | Callable[[BaseException], bool]


class RateLimiter:
    """Space requests so that each key sees at most ``rate_per_sec`` per second.

    Implemented as a per-key virtual schedule (GCRA, the "leaky bucket as a meter"): each
    :meth:`acquire` books the next free slot for its key and sleeps until it. Up to
    ``burst`` requests may go at once after a quiet spell. A rate of ``None`` or ``<= 0``
    means unlimited. Keys are independent: a slow WHOIS server never delays another.

    >>> limiter = RateLimiter(2.0)
    >>> limiter.interval
    0.5
    >>> RateLimiter(None).interval
    0.0
    """

    def __init__(self, rate_per_sec: float | None, *, burst: int = 1,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if burst < 1:
            raise ValueError(f"burst must be >= 1, got {burst}")
        self.rate_per_sec = rate_per_sec
        self.burst = burst
        #: seconds between two requests to one key (0 = unlimited)
        self.interval = 1.0 / rate_per_sec if rate_per_sec and rate_per_sec > 0 else 0.0
        self._clock = clock
        self._next: dict[Hashable, float] = {}  # key -> theoretical arrival time

    def delay_for(self, key: Hashable) -> float:
        """Book a slot for ``key`` and return how long to wait for it (seconds, >= 0)."""
        if self.interval == 0.0:
            return 0.0
        now = self._clock()
        tat = max(self._next.get(key, now), now)
        self._next[key] = tat + self.interval
        if len(self._next) > 10_000:  # forget keys whose schedule lies in the past
            self._next = {k: t for k, t in self._next.items() if t > now}
        return max(0.0, tat - now - (self.burst - 1) * self.interval)

    async def acquire(self, key: Hashable = None) -> None:
        """Wait until a request to ``key`` is allowed, then return."""
        wait = self.delay_for(key)
        if wait > 0:
            await asyncio.sleep(wait)


class KeyedSemaphore:
    """At most ``limit`` holders per key at once (e.g. one connection per WHOIS server).

    >>> async def demo():
    ...     sem = KeyedSemaphore(1)
    ...     async with sem.hold("whois.example"):
    ...         return sem.in_use("whois.example")
    >>> asyncio.run(demo())
    1
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"limit must be >= 1, got {limit}")
        self.limit = limit
        self._sems: dict[Hashable, asyncio.Semaphore] = {}
        self._users: dict[Hashable, int] = {}

    def in_use(self, key: Hashable) -> int:
        """How many holders ``key`` has right now."""
        return self._users.get(key, 0)

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        """Hold one of ``key``'s slots for the duration of the ``async with`` block."""
        sem = self._sems.setdefault(key, asyncio.Semaphore(self.limit))
        self._users[key] = self._users.get(key, 0) + 1  # counts waiters too: keeps sem alive
        try:
            async with sem:
                yield
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                self._sems.pop(key, None)


async def map_bounded(fn: Callable[[T], Awaitable[R]], items: Iterable[T], concurrency: int,
                      on_result: Callable[[T, R], Any] | None = None) -> list[R]:
    """Run ``fn(item)`` for every item, at most ``concurrency`` at once; results in order.

    A fixed pool of workers pulls items, so memory stays flat however many items there
    are. ``on_result(item, result)`` runs as each one completes (write it to a cache,
    tick a progress bar), so work already done survives a cancellation. An exception in
    ``fn`` or ``on_result`` cancels the other workers and propagates; sources that must
    not fail the run return error records instead of raising.

    >>> async def double(x):
    ...     return 2 * x
    >>> asyncio.run(map_bounded(double, [1, 2, 3], concurrency=2))
    [2, 4, 6]
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be >= 1, got {concurrency}")
    work = list(items)
    results: list[Any] = [None] * len(work)
    next_index = 0

    async def worker() -> None:
        nonlocal next_index
        while next_index < len(work):
            i = next_index
            next_index += 1
            result = await fn(work[i])
            results[i] = result
            if on_result is not None:
                on_result(work[i], result)

    workers = [asyncio.ensure_future(worker()) for _ in range(min(concurrency, len(work)))]
    try:
        await asyncio.gather(*workers)
    except BaseException:
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        raise
    return results


def _matches(exc: BaseException, retry_on: RetryOn) -> bool:
    if isinstance(retry_on, type) or isinstance(retry_on, tuple):
        return isinstance(exc, retry_on)
    return bool(retry_on(exc))


async def retry_async(fn: Callable[[], Awaitable[T]], retries: int = 2, backoff: float = 0.5,
                      retry_on: RetryOn = (), *, max_backoff: float = 30.0, jitter: float = 0.0,
                      sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> T:
    """Await ``fn()``; on an error that ``retry_on`` declares safe, wait and try again.

    ``retries`` is the number of *extra* attempts (``retries=2`` means at most 3 calls).
    The waits are ``backoff``, ``2*backoff``, ``4*backoff`` ... capped at ``max_backoff``,
    each stretched by up to ``jitter`` (a fraction, 0.1 = +-10 %) to avoid lock-step
    retries. ``retry_on`` is an exception class, a tuple of them, or a predicate
    ``exc -> bool``; the default ``()`` retries nothing. Errors not declared safe, and
    the last error once retries are exhausted, propagate unchanged.
    ``asyncio.CancelledError`` is never retried.

    >>> calls = []
    >>> async def flaky():
    ...     calls.append(1)
    ...     if len(calls) < 3:
    ...         raise TimeoutError("slow server")
    ...     return "ok"
    >>> asyncio.run(retry_async(flaky, retries=2, backoff=0.0, retry_on=TimeoutError))
    'ok'
    >>> len(calls)
    3
    """
    if retries < 0:
        raise ValueError(f"retries must be >= 0, got {retries}")
    attempt = 0
    while True:
        try:
            return await fn()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if attempt >= retries or not _matches(exc, retry_on):
                raise
            delay = min(max_backoff, backoff * (2 ** attempt))
            if jitter:
                delay *= 1.0 + random.uniform(-jitter, jitter)
            attempt += 1
            if delay > 0:
                await sleep(delay)
