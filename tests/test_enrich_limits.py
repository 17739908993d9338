"""Rate limiter, bounded concurrency and retry helpers behave as documented."""

from __future__ import annotations

import asyncio
import time

import pytest

from detector.enrich.limits import KeyedSemaphore, RateLimiter, map_bounded, retry_async


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_spaces_requests_per_key():
    clock = FakeClock()
    limiter = RateLimiter(4.0, clock=clock)
    delays = [limiter.delay_for("whois.a") for _ in range(4)]
    assert delays == pytest.approx([0.0, 0.25, 0.5, 0.75])
    # another key is independent
    assert limiter.delay_for("whois.b") == 0.0


def test_rate_limiter_recovers_after_quiet_spell_and_allows_burst():
    clock = FakeClock()
    limiter = RateLimiter(2.0, burst=3, clock=clock)
    assert [limiter.delay_for("k") for _ in range(4)] == pytest.approx([0, 0, 0, 0.5])
    clock.now += 60
    assert limiter.delay_for("k") == 0.0


def test_rate_limiter_unlimited():
    limiter = RateLimiter(0)
    assert all(limiter.delay_for("k") == 0.0 for _ in range(100))


def test_rate_limiter_acquire_really_waits():
    limiter = RateLimiter(20.0)

    async def run():
        start = time.monotonic()
        for _ in range(5):
            await limiter.acquire("host")
        return time.monotonic() - start

    elapsed = asyncio.run(run())
    assert 0.18 <= elapsed < 3.0  # 4 gaps of 50 ms (the upper bound only catches a hang)


def test_map_bounded_respects_concurrency_and_order():
    in_flight = 0
    peak = 0
    seen: list[int] = []

    async def work(x: int) -> int:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.001 * (x % 3))
        in_flight -= 1
        return x * x

    results = asyncio.run(map_bounded(work, range(50), 7, on_result=lambda i, r: seen.append(i)))
    assert results == [x * x for x in range(50)]
    assert peak == 7
    assert sorted(seen) == list(range(50))


def test_map_bounded_empty_and_error_propagates():
    async def boom(x):
        raise ValueError(x)

    assert asyncio.run(map_bounded(boom, [], 3)) == []
    with pytest.raises(ValueError):
        asyncio.run(map_bounded(boom, [1, 2], 3))


def test_map_bounded_cancel_keeps_completed_callbacks():
    done: list[int] = []

    async def work(x):
        await asyncio.sleep(0 if x < 5 else 10)
        return x

    async def run():
        task = asyncio.ensure_future(map_bounded(work, range(20), 5, on_result=lambda i, r: done.append(i)))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert done == [0, 1, 2, 3, 4]


def test_keyed_semaphore_limits_per_key():
    sem = KeyedSemaphore(2)
    peak: dict[str, int] = {}
    current: dict[str, int] = {}

    async def use(key):
        async with sem.hold(key):
            current[key] = current.get(key, 0) + 1
            peak[key] = max(peak.get(key, 0), current[key])
            await asyncio.sleep(0.005)
            current[key] -= 1

    async def run():
        await asyncio.gather(*(use(k) for k in ["a"] * 6 + ["b"] * 6))

    asyncio.run(run())
    assert peak == {"a": 2, "b": 2}
    assert sem.in_use("a") == 0


def test_retry_only_declared_errors_with_exponential_backoff():
    sleeps: list[float] = []
    calls = 0

    async def fake_sleep(d):
        sleeps.append(d)

    async def flaky():
        nonlocal calls
        calls += 1
        raise TimeoutError("slow")

    with pytest.raises(TimeoutError):
        asyncio.run(retry_async(flaky, retries=3, backoff=0.5, retry_on=TimeoutError, sleep=fake_sleep))
    assert calls == 4
    assert sleeps == [0.5, 1.0, 2.0]

    calls = 0
    sleeps.clear()

    async def bad():
        nonlocal calls
        calls += 1
        raise ValueError("not retryable")

    with pytest.raises(ValueError):
        asyncio.run(retry_async(bad, retries=3, backoff=0.5, retry_on=TimeoutError, sleep=fake_sleep))
    assert calls == 1 and sleeps == []


def test_retry_predicate_and_cap():
    sleeps: list[float] = []
    attempts = 0

    async def fake_sleep(d):
        sleeps.append(d)

    async def eventually():
        nonlocal attempts
        attempts += 1
        if attempts < 4:
            raise OSError("503 busy")
        return "done"

    result = asyncio.run(retry_async(eventually, retries=5, backoff=1.0, max_backoff=2.5,
                                     retry_on=lambda e: "503" in str(e), sleep=fake_sleep))
    assert result == "done"
    assert sleeps == [1.0, 2.0, 2.5]


def test_retry_default_retries_nothing():
    calls = 0

    async def fails():
        nonlocal calls
        calls += 1
        raise TimeoutError

    with pytest.raises(TimeoutError):
        asyncio.run(retry_async(fails, retries=5, backoff=0))
    assert calls == 1
