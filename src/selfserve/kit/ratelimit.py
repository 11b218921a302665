"""Token-bucket rate limits, shared by all worker processes through Redis when configured.

A bucket holds up to ``burst`` tokens and refills continuously at ``per_second``; a new key
starts full and every request takes one token. :class:`LocalRateLimiter` keeps buckets in
the process; :class:`RedisRateLimiter` keeps them in Redis so every worker draws from the
same bucket, in one round trip per request (a Lua script that refills with Redis' own clock,
so worker clocks never matter).

Rate limiting protects the API; it must never take it down. When Redis fails, requests are
decided by a per-process fallback bucket (limits then apply per worker, i.e. looser), Redis
is left alone for ``retry_interval`` seconds, and the outage is visible in the log and in
:data:`metrics`.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError

__all__ = [
    "Decision",
    "LocalRateLimiter",
    "Rate",
    "RateLimitMetrics",
    "RateLimiter",
    "RedisRateLimiter",
    "create_rate_limiter",
    "metrics",
]

_LOG = logging.getLogger("selfserve.ratelimit")

# Refill arithmetic in floating point can land a hair below a whole token (0.9999999...);
# without a tolerance such a request would be refused a moment after it should pass.
_EPSILON = 1e-9
# Enough for one in-flight script per concurrent request; a request that cannot get a
# connection within ``timeout`` is decided locally rather than queued behind a slow store.
_MAX_CONNECTIONS = 64


@dataclass(frozen=True, slots=True)
class Rate:
    per_second: float
    burst: int

    def __post_init__(self) -> None:
        if not (self.per_second > 0 and math.isfinite(self.per_second)):
            raise ValueError("Rate.per_second must be a positive number")
        if self.burst < 1:
            raise ValueError("Rate.burst must be at least 1")


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    retry_after: int


class RateLimiter(Protocol):
    async def hit(self, key: str, rate: Rate) -> Decision: ...

    async def close(self) -> None: ...


_METRIC_HELP = {
    "redis_errors_total": ("counter", "Rate limit store calls that failed."),
    "fallback_decisions_total": (
        "counter",
        "Rate limit decisions made per process because the store was unavailable.",
    ),
    "refused_total": ("counter", "Requests refused by a rate limit."),
    "redis_healthy": ("gauge", "1 while the rate limit store answers, else 0."),
}


class RateLimitMetrics:
    """Process-wide counters for the metrics endpoint (each worker reports its own)."""

    __slots__ = ("fallback_decisions_total", "redis_errors_total", "redis_healthy", "refused_total")

    def __init__(self) -> None:
        self.redis_errors_total = 0
        self.fallback_decisions_total = 0
        self.refused_total = 0
        # True until a store has failed: a process without Redis has nothing unhealthy.
        self.redis_healthy = True

    def prometheus_lines(self) -> list[str]:
        """Prometheus text exposition (format 0.0.4): HELP, TYPE and one sample each."""
        lines: list[str] = []
        for name, (kind, help_text) in _METRIC_HELP.items():
            full = f"selfserve_ratelimit_{name}"
            value = int(getattr(self, name))
            lines += [f"# HELP {full} {help_text}", f"# TYPE {full} {kind}", f"{full} {value}"]
        return lines


metrics = RateLimitMetrics()


def _ceil(value: float) -> int:
    return max(0, math.ceil(value - _EPSILON))


def _decision(tokens: float, allowed: bool, rate: Rate) -> Decision:
    """The decision for a bucket holding ``tokens`` after this request."""
    wait = 0 if allowed else max(1, _ceil((1.0 - tokens) / rate.per_second))
    return Decision(
        allowed=allowed,
        limit=rate.burst,
        remaining=max(0, math.floor(tokens + _EPSILON)),
        reset_seconds=_ceil((rate.burst - tokens) / rate.per_second),
        retry_after=wait,
    )


class LocalRateLimiter:
    """Buckets in this process, least recently used first, at most ``max_keys`` of them.

    Forgetting a bucket only ever loosens a limit (it comes back full), and the least
    recently used bucket is the one most likely to have refilled anyway.
    """

    def __init__(self, now: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self._now = now
        self._max_keys = max_keys
        # OrderedDict rather than dict: evicting its first entry stays O(1) under churn.
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    async def hit(self, key: str, rate: Rate) -> Decision:
        return self.take(key, rate)

    def take(self, key: str, rate: Rate) -> Decision:
        """:meth:`hit` without the coroutine, for synchronous callers."""
        now = self._now()
        buckets = self._buckets
        state = buckets.get(key)
        if state is None:
            tokens = float(rate.burst)
            if len(buckets) >= self._max_keys:
                buckets.popitem(last=False)
        else:
            stored, updated_at = state
            # max(): a clock that steps back must not drain the bucket.
            refill = max(0.0, now - updated_at) * rate.per_second
            tokens = min(float(rate.burst), stored + refill)
            buckets.move_to_end(key)
        allowed = tokens >= 1.0 - _EPSILON
        if allowed:
            tokens = max(0.0, tokens - 1.0)
        else:
            metrics.refused_total += 1
        buckets[key] = (tokens, now)
        return _decision(tokens, allowed, rate)

    async def close(self) -> None:
        self._buckets.clear()


# KEYS[1]: the bucket; ARGV: per_second, burst, epsilon.
# Returns {allowed (0/1), milli-tokens left, ms until full, ms until the next token}:
# Redis truncates Lua numbers to integers, so fractions travel as thousandths.
# The time is kept as TIME's two integer strings: a float of microseconds since 1970
# would lose digits when Redis formats it for HSET (%.14g).
_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local epsilon = tonumber(ARGV[3])
local now = redis.call('TIME')
local state = redis.call('HMGET', KEYS[1], 'tokens', 's', 'us')
local tokens = burst
if state[1] and state[2] and state[3] then
  local elapsed = (tonumber(now[1]) - tonumber(state[2]))
    + (tonumber(now[2]) - tonumber(state[3])) / 1000000
  tokens = math.min(burst, tonumber(state[1]) + math.max(0, elapsed) * rate)
end
local allowed = 0
local next_ms = 0
if tokens >= 1 - epsilon then
  allowed = 1
  tokens = math.max(0, tokens - 1)
else
  next_ms = math.ceil((1 - tokens) * 1000 / rate)
end
local full_ms = math.max(1, math.ceil((burst - tokens) * 1000 / rate))
redis.call('HSET', KEYS[1], 'tokens', tokens, 's', now[1], 'us', now[2])
redis.call('PEXPIRE', KEYS[1], full_ms)
return {allowed, math.floor(tokens * 1000 + epsilon), full_ms, next_ms}
"""


def _from_reply(reply: Any, rate: Rate) -> Decision:
    try:
        allowed, milli_tokens, full_ms, next_ms = (int(part) for part in reply)
    except (TypeError, ValueError) as exc:
        raise ResponseError("unexpected reply from the rate limit script") from exc
    wait = 0 if allowed else max(1, -(-next_ms // 1000))
    return Decision(
        allowed=bool(allowed),
        limit=rate.burst,
        remaining=max(0, milli_tokens // 1000),
        reset_seconds=max(0, -(-full_ms // 1000)),
        retry_after=wait,
    )


class RedisRateLimiter:
    """Buckets in Redis, shared by every process using the same URL and prefix."""

    def __init__(
        self,
        url: str,
        *,
        fallback: RateLimiter | None = None,
        prefix: str = "selfserve:rl:",
        logger: logging.Logger | None = None,
        retry_interval: float = 5.0,
        timeout: float = 0.25,
    ) -> None:
        # One immediate retry on a broken connection (a restarted Redis leaves stale pooled
        # sockets) but none on a timeout, so a hung Redis costs a request ``timeout``, once.
        retry = Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))
        self._pool = BlockingConnectionPool.from_url(
            url,
            max_connections=_MAX_CONNECTIONS,
            timeout=timeout,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=retry,
        )
        self._redis = Redis(connection_pool=self._pool)
        self._script = self._redis.register_script(_SCRIPT)
        self._fallback: RateLimiter = fallback if fallback is not None else LocalRateLimiter()
        self._prefix = prefix
        self._log = logger if logger is not None else _LOG
        self._retry_interval = retry_interval
        self._healthy = True
        self._retry_at = 0.0
        self._warn_at = 0.0

    @property
    def healthy(self) -> bool:
        """Whether the last call to Redis succeeded."""
        return self._healthy

    async def hit(self, key: str, rate: Rate) -> Decision:
        if not self._healthy:
            now = time.monotonic()
            if now < self._retry_at:
                return await self._decide_locally(key, rate)
            # This request probes Redis; concurrent ones stay local until it answers.
            self._retry_at = now + self._retry_interval
        try:
            reply = await self._script(
                keys=[self._prefix + key], args=[rate.per_second, rate.burst, _EPSILON]
            )
            decision = _from_reply(reply, rate)
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return await self._decide_locally(key, rate)
        if not self._healthy:
            self._recovered()
        if not decision.allowed:
            metrics.refused_total += 1
        return decision

    async def _decide_locally(self, key: str, rate: Rate) -> Decision:
        metrics.fallback_decisions_total += 1
        return await self._fallback.hit(key, rate)

    def _failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        metrics.redis_errors_total += 1
        metrics.redis_healthy = False
        self._healthy = False
        self._retry_at = now + self._retry_interval
        if now >= self._warn_at:
            self._warn_at = now + self._retry_interval
            # Only the error class: messages may carry addresses or script details, and
            # the key (an API key id or token id) has no place in an outage log line.
            self._log.warning(
                "rate limit store unreachable, limiting per process (%s)", type(exc).__name__
            )

    def _recovered(self) -> None:
        self._healthy = True
        metrics.redis_healthy = True
        self._warn_at = 0.0
        self._log.info("rate limit store reachable again")

    async def close(self) -> None:
        await self._redis.aclose()
        await self._pool.aclose()
        await self._fallback.close()


def create_rate_limiter(redis_url: str | None) -> RateLimiter:
    """Shared buckets in Redis when a URL is configured, else buckets in this process."""
    if not redis_url:
        return LocalRateLimiter()
    return RedisRateLimiter(redis_url, fallback=LocalRateLimiter())
