"""Token-bucket rate limits: per process, shared through a real Redis, and Redis failing.

Redis tests need a server at ``SELFSERVE_TEST_REDIS_URL`` (default 127.0.0.1:6379); they are
skipped when none answers, except under ``CI=true``, where a missing server is an error.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import pytest
import redis

from selfserve.kit.ratelimit import (
    Decision,
    LocalRateLimiter,
    Rate,
    RateLimiter,
    RedisRateLimiter,
    create_rate_limiter,
    metrics,
)

REDIS_URL = os.environ.get("SELFSERVE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DEAD_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
IN_CI = os.environ.get("CI", "").lower() == "true"
LOGGER = "selfserve.ratelimit"
UNREACHABLE = "rate limit store unreachable, limiting per process"

T = TypeVar("T")


class FakeMonotonic:
    """An injected monotonic clock: answers the last reading, moves only when told."""

    def __init__(self) -> None:
        self.readings = [1000.0]

    def __call__(self) -> float:
        return self.readings[-1]

    def advance(self, seconds: float) -> None:
        self.readings.append(self.readings[-1] + seconds)


def run(coro_fn: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await coro_fn()

    return asyncio.run(main())


def hits(limiter: RateLimiter, key: str, rate: Rate, count: int) -> list[Decision]:
    async def go() -> list[Decision]:
        return [await limiter.hit(key, rate) for _ in range(count)]

    return run(go)


def counters() -> tuple[int, int, int]:
    return metrics.redis_errors_total, metrics.fallback_decisions_total, metrics.refused_total


# --- per process ---------------------------------------------------------------------------


def test_rate_rejects_impossible_values() -> None:
    with pytest.raises(ValueError, match="per_second"):
        Rate(per_second=0, burst=1)
    with pytest.raises(ValueError, match="per_second"):
        Rate(per_second=float("inf"), burst=1)
    with pytest.raises(ValueError, match="burst"):
        Rate(per_second=1, burst=0)


def test_local_burst_is_allowed_then_refused_with_retry_after() -> None:
    limiter = LocalRateLimiter(now=FakeMonotonic())
    rate = Rate(per_second=0.5, burst=2)
    first, second, third = hits(limiter, "key:a", rate, 3)
    assert first == Decision(allowed=True, limit=2, remaining=1, reset_seconds=2, retry_after=0)
    assert second == Decision(allowed=True, limit=2, remaining=0, reset_seconds=4, retry_after=0)
    # one token takes 2 s at 0.5/s
    assert third == Decision(allowed=False, limit=2, remaining=0, reset_seconds=4, retry_after=2)


def test_local_refills_continuously_up_to_burst() -> None:
    clock = FakeMonotonic()
    limiter = LocalRateLimiter(now=clock)
    rate = Rate(per_second=0.5, burst=2)
    hits(limiter, "key:a", rate, 3)
    clock.advance(1.0)  # half a token
    [half] = hits(limiter, "key:a", rate, 1)
    assert (half.allowed, half.retry_after, half.reset_seconds) == (False, 1, 3)
    clock.advance(1.0)
    [whole] = hits(limiter, "key:a", rate, 1)
    assert (whole.allowed, whole.remaining, whole.reset_seconds) == (True, 0, 4)
    clock.advance(3600.0)  # far longer than a refill: capped at burst
    assert [d.allowed for d in hits(limiter, "key:a", rate, 3)] == [True, True, False]


def test_local_remaining_and_reset_count_whole_tokens_and_round_up() -> None:
    clock = FakeMonotonic()
    limiter = LocalRateLimiter(now=clock)
    rate = Rate(per_second=2, burst=4)
    decisions = hits(limiter, "key:a", rate, 4)
    assert [d.remaining for d in decisions] == [3, 2, 1, 0]
    assert [d.reset_seconds for d in decisions] == [1, 1, 2, 2]  # 0.5, 1.0, 1.5, 2.0 s
    clock.advance(0.75)  # 1.5 tokens
    [after] = hits(limiter, "key:a", rate, 1)
    assert (after.allowed, after.remaining, after.reset_seconds) == (True, 0, 2)  # 1.75 s


def test_local_keys_are_independent() -> None:
    limiter = LocalRateLimiter(now=FakeMonotonic())
    rate = Rate(per_second=1, burst=1)
    assert hits(limiter, "key:a", rate, 2)[1].allowed is False
    assert hits(limiter, "key:b", rate, 1)[0].allowed is True
    assert hits(limiter, "token:a", rate, 1)[0].allowed is True


def test_local_evicts_the_least_recently_used_key_beyond_max_keys() -> None:
    limiter = LocalRateLimiter(now=FakeMonotonic(), max_keys=3)
    rate = Rate(per_second=1, burst=1)
    for key in ("a", "b", "c"):
        hits(limiter, key, rate, 1)
    hits(limiter, "a", rate, 1)  # "a" is now the most recently used
    hits(limiter, "d", rate, 1)
    assert len(limiter) == 3
    assert hits(limiter, "b", rate, 1)[0].allowed is True  # forgotten: back to full
    assert hits(limiter, "a", rate, 1)[0].allowed is False  # remembered: still empty
    for n in range(1000):
        hits(limiter, f"many:{n}", rate, 1)
    assert len(limiter) == 3


def test_refusals_are_counted_and_exposed_for_prometheus() -> None:
    before = metrics.refused_total
    hits(LocalRateLimiter(now=FakeMonotonic()), "key:a", Rate(per_second=1, burst=1), 3)
    assert metrics.refused_total == before + 2
    lines = metrics.prometheus_lines()
    assert f"selfserve_ratelimit_refused_total {before + 2}" in lines
    assert "# TYPE selfserve_ratelimit_redis_errors_total counter" in lines
    assert "# TYPE selfserve_ratelimit_redis_healthy gauge" in lines
    samples = [line for line in lines if not line.startswith("#")]
    assert [s.split()[0] for s in samples] == [
        "selfserve_ratelimit_redis_errors_total",
        "selfserve_ratelimit_fallback_decisions_total",
        "selfserve_ratelimit_refused_total",
        "selfserve_ratelimit_redis_healthy",
    ]
    assert all(s.split()[1].isdigit() for s in samples)


def test_create_rate_limiter_picks_the_store() -> None:
    assert isinstance(create_rate_limiter(None), LocalRateLimiter)
    shared = create_rate_limiter(REDIS_URL)
    assert isinstance(shared, RedisRateLimiter)
    run(shared.close)  # no connection is made before the first hit


# --- shared through Redis ------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url() -> str:
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1) as r:
            r.ping()
    except redis.RedisError:
        if IN_CI:
            pytest.fail("Redis is not reachable and CI=true: Redis tests must run")
        pytest.skip("Redis is not reachable at SELFSERVE_TEST_REDIS_URL")
    return REDIS_URL


@pytest.fixture
def admin(redis_url: str) -> Iterator[redis.Redis]:
    with redis.Redis.from_url(redis_url) as r:
        yield r


@pytest.fixture
def prefix(admin: redis.Redis) -> Iterator[str]:
    """A key prefix of this test alone; its keys are deleted afterwards."""
    value = f"selfserve:test:rl:{uuid.uuid4().hex}:"
    yield value
    for key in admin.scan_iter(match=value + "*"):
        admin.delete(key)


def test_redis_burst_is_allowed_then_refused(redis_url: str, prefix: str) -> None:
    rate = Rate(per_second=0.5, burst=3)

    async def go() -> list[Decision]:
        limiter = RedisRateLimiter(redis_url, prefix=prefix)
        try:
            return [await limiter.hit("key:a", rate) for _ in range(4)]
        finally:
            await limiter.close()

    decisions = run(go)
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert [d.reset_seconds for d in decisions] == [2, 4, 6, 6]
    assert [d.retry_after for d in decisions] == [0, 0, 0, 2]
    assert {d.limit for d in decisions} == {3}


def test_redis_workers_share_one_bucket(redis_url: str, prefix: str) -> None:
    rate = Rate(per_second=0.01, burst=3)
    _, fallbacks, _ = counters()

    async def go() -> list[Decision]:
        one = RedisRateLimiter(redis_url, prefix=prefix)
        two = RedisRateLimiter(redis_url, prefix=prefix)
        try:
            order = [one, two, one, two]
            return [await worker.hit("key:a", rate) for worker in order]
        finally:
            await one.close()
            await two.close()

    decisions = run(go)
    assert [(d.allowed, d.remaining) for d in decisions] == [
        (True, 2),
        (True, 1),
        (True, 0),
        (False, 0),
    ]
    assert metrics.fallback_decisions_total == fallbacks  # Redis decided every hit
    assert decisions[3].retry_after == 100  # 1 token at 0.01/s


def test_redis_buckets_expire_once_they_would_be_full(
    redis_url: str, prefix: str, admin: redis.Redis
) -> None:
    rate = Rate(per_second=1, burst=5)

    async def go() -> None:
        limiter = RedisRateLimiter(redis_url, prefix=prefix)
        try:
            await limiter.hit("key:a", rate)
            assert 0 < admin.pttl(prefix + "key:a") <= 1000
            await limiter.hit("key:a", rate)
            await limiter.hit("key:a", rate)
            assert 2000 < admin.pttl(prefix + "key:a") <= 3000
        finally:
            await limiter.close()

    run(go)


def test_redis_buckets_refill_over_real_time(redis_url: str, prefix: str) -> None:
    rate = Rate(per_second=20, burst=2)

    async def go() -> tuple[list[bool], list[bool]]:
        limiter = RedisRateLimiter(redis_url, prefix=prefix)
        try:
            before = [(await limiter.hit("key:a", rate)).allowed for _ in range(3)]
            await asyncio.sleep(0.2)  # 4 tokens' worth, capped at 2
            after = [(await limiter.hit("key:a", rate)).allowed for _ in range(3)]
            return before, after
        finally:
            await limiter.close()

    before, after = run(go)
    assert before == [True, True, False]
    assert after == [True, True, False]


# --- Redis failing -------------------------------------------------------------------------


def unreachable_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == LOGGER and r.levelno == logging.WARNING and UNREACHABLE in r.getMessage()
    ]


def test_dead_redis_falls_back_per_process_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    rate = Rate(per_second=0.01, burst=3)
    errors, fallbacks, _ = counters()

    async def go() -> tuple[list[Decision], bool]:
        limiter = RedisRateLimiter(DEAD_URL, retry_interval=0.3)
        try:
            decisions = [await limiter.hit("key:a", rate) for _ in range(20)]
            healthy = limiter.healthy
            assert metrics.redis_errors_total == errors + 1  # then Redis was left alone
            assert len(unreachable_warnings(caplog)) == 1
            await asyncio.sleep(0.35)
            await limiter.hit("key:a", rate)
            return decisions, healthy
        finally:
            await limiter.close()

    decisions, healthy = run(go)
    assert [d.allowed for d in decisions] == [True] * 3 + [False] * 17
    assert decisions[-1].retry_after == 100
    assert healthy is False
    assert metrics.redis_healthy is False
    assert metrics.redis_errors_total == errors + 2  # tried again after retry_interval
    assert metrics.fallback_decisions_total == fallbacks + 21
    assert "key:a" not in caplog.text


def test_hung_redis_costs_one_timeout_then_is_skipped() -> None:
    rate = Rate(per_second=1, burst=5)
    errors, _, _ = counters()

    async def go() -> tuple[float, float]:
        async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()
            writer.close()

        server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        limiter = RedisRateLimiter(f"redis://127.0.0.1:{port}/0", timeout=0.1)
        try:
            started = time.perf_counter()
            assert (await limiter.hit("key:a", rate)).allowed
            first = time.perf_counter() - started
            started = time.perf_counter()
            assert (await limiter.hit("key:a", rate)).remaining == 3
            return first, time.perf_counter() - started
        finally:
            await limiter.close()
            server.close()
            await server.wait_closed()

    first, second = run(go)
    assert 0.09 <= first < 1.0
    assert second < 0.01
    assert metrics.redis_errors_total == errors + 1


def test_redis_errors_fall_back_and_recovery_is_logged(
    redis_url: str, prefix: str, admin: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    rate = Rate(per_second=1, burst=5)
    admin.set(prefix + "key:a", "not a hash")  # the script fails with WRONGTYPE

    async def go() -> list[Decision]:
        limiter = RedisRateLimiter(redis_url, prefix=prefix, retry_interval=0.1)
        try:
            failed = await limiter.hit("key:a", rate)
            assert limiter.healthy is False
            admin.delete(prefix + "key:a")
            skipped = await limiter.hit("key:a", rate)  # within retry_interval: local
            assert admin.exists(prefix + "key:a") == 0
            await asyncio.sleep(0.15)
            recovered = await limiter.hit("key:a", rate)
            assert limiter.healthy is True
            return [failed, skipped, recovered]
        finally:
            await limiter.close()

    failed, skipped, recovered = run(go)
    assert (failed.allowed, failed.remaining) == (True, 4)  # local bucket
    assert (skipped.allowed, skipped.remaining) == (True, 3)
    assert (recovered.allowed, recovered.remaining) == (True, 4)  # fresh bucket in Redis
    assert metrics.redis_healthy is True
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert messages == [f"{UNREACHABLE} (ResponseError)", "rate limit store reachable again"]
