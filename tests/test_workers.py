"""Two real worker processes sharing PostgreSQL and Redis: revocation and rate limits hold
across both. (``selfserve serve --workers 2`` exactly as in production.)"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import IN_CI

REDIS_URL = os.environ.get("SELFSERVE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BURST = 10


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "selfserve.cli", *args],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return result.stdout


@pytest.fixture
def server(postgres_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    if not redis_available():
        if IN_CI:
            pytest.fail("Redis is not reachable and CI=true")
        pytest.skip("Redis is not reachable")
    port = free_port()
    env = {
        **os.environ,
        "SELFSERVE_DATABASE_URL": postgres_url,
        "SELFSERVE_REDIS_URL": REDIS_URL,
        "SELFSERVE_RATE_LIMIT_KEY_BURST": str(BURST),
        "SELFSERVE_RATE_LIMIT_KEY_PER_SECOND": "0.001",
        "SELFSERVE_USAGE_FLUSH_SECONDS": "0.5",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "selfserve.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base)
        yield base, env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _wait_healthy(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("server did not become healthy")


def statuses(base: str, key: str, count: int) -> list[int]:
    """``count`` requests, each on a new connection so both workers take their share."""

    async def one(client: httpx.AsyncClient) -> int:
        return (
            await client.get(f"{base}/customers?limit=1", headers={"nue-api-key": key})
        ).status_code

    async def go() -> list[int]:
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=10) as client:
            return list(await asyncio.gather(*(one(client) for _ in range(count))))

    return asyncio.run(go())


def test_rate_limit_is_shared_by_both_workers(server: tuple[str, dict[str, str]]) -> None:
    base, env = server
    created = json.loads(cli(env, "keys", "create", "--tenant", f"w-{uuid.uuid4().hex[:8]}",
                             "--role", "read-only", "--json"))  # fmt: skip
    results = statuses(base, created["key"], 4 * BURST)
    assert results.count(200) == BURST, results
    assert results.count(429) == 3 * BURST


def test_revocation_reaches_every_worker_at_once(server: tuple[str, dict[str, str]]) -> None:
    base, env = server
    created = json.loads(cli(env, "keys", "create", "--tenant", f"w-{uuid.uuid4().hex[:8]}",
                             "--role", "read-only", "--json"))  # fmt: skip
    assert statuses(base, created["key"], 4) == [200] * 4
    cli(env, "keys", "revoke", created["keyId"])
    assert statuses(base, created["key"], 20) == [401] * 20
