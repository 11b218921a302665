"""Server time of the portal's heaviest pages for a customer with 500 orders.

The portal's target: the overview and an order page render in at most 50 ms of server time
for a customer with 500 orders. "Server time" here is the whole request through the app's
ASGI interface in-process (session guard, settings, services, templates, headers) on the
benchmark datasets of ``make bench`` — no socket and no client, which a browser adds on top.

    python -m bench.portal [--only pg|sqlite] [--requests 200]

Writes ``bench/results/portal.json`` and ``docs/performance-portal.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from bench import cluster
from bench.common import RESULTS, ROOT, TENANT, log, run_async, selfserve
from selfserve.app import create_app
from selfserve.auth.principal import Principal
from selfserve.config import Settings
from selfserve.db import Conn, create_database
from selfserve.portal import sessions
from selfserve.portal.schemas import PortalSessionCreate

TARGET_MS = 50.0
URLS = {
    "pg": cluster.ADMIN_URL.rpartition("/")[0] + "/selfserve_bench",
    "sqlite": f"sqlite:///{ROOT / 'data' / 'bench.db'}",
}
DOC = ROOT / "docs" / "performance-portal.md"
DEFAULT_PG_URL = URLS["pg"]


@dataclass(frozen=True, slots=True)
class PageTiming:
    engine: str
    page: str
    orders_of_customer: int
    requests: int
    median_ms: float
    p95_ms: float
    max_ms: float
    cpu_ms: float
    bytes: int


async def _biggest_customer(conn: Conn) -> tuple[str, str, int]:
    """(tenant, customer, orders) of the bench tenant's customer with the most orders."""
    sql = conn.sql()
    row = await conn.fetchrow(
        "SELECT o.tenant_id, o.customer_id, count(*) AS n FROM orders o JOIN tenants t "
        f"ON t.id = o.tenant_id WHERE t.slug = {sql.p(TENANT)} "
        "GROUP BY o.tenant_id, o.customer_id ORDER BY n DESC LIMIT 1",
        sql.params,
    )
    assert row is not None, "the benchmark dataset is missing: run make bench first"
    return conn.to_id(row[0]), conn.to_id(row[1]), int(row[2])


async def _open_session(conn: Conn, tenant: str, customer: str) -> str:
    principal = Principal(
        tenant_id=tenant, kind="api_key", subject="bench", role="integration",
        scopes=frozenset(), customer_ids=None,
    )  # fmt: skip
    now = datetime.now(UTC)
    body = PortalSessionCreate(customer_ids=[customer], scopes=["read", "write"])
    created = await sessions.create(conn, principal, body, now=now, base_url="")
    secret = await sessions.launch(conn, created.url.rsplit("/", 1)[1], now)
    assert secret is not None
    return secret


async def _time(client: httpx.AsyncClient, path: str, n: int) -> tuple[list[float], float, int]:
    for _ in range(max(3, n // 10)):  # warm-up: statement caches, templates, CLDR data
        response = await client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
    walls, cpu = [], time.process_time()
    size = 0
    for _ in range(n):
        start = time.perf_counter()
        response = await client.get(path)
        walls.append((time.perf_counter() - start) * 1000)
        size = len(response.content)
    return walls, (time.process_time() - cpu) * 1000 / n, size


async def measure(engine: str, n: int) -> list[PageTiming]:
    url = URLS[engine]
    selfserve(url, "migrate")
    db = create_database(url)
    await db.connect()
    try:
        async with db.write() as conn:
            tenant, customer, count = await _biggest_customer(conn)
            secret = await _open_session(conn, tenant, customer)
            order = await conn.fetchval(
                f"SELECT id FROM orders WHERE customer_id = {conn.sql().p(customer)} "
                "ORDER BY created_at DESC LIMIT 1",
                [customer],
            )
        # One session makes every request: its rate limit (5/s by default) is lifted.
        settings = Settings(
            database_url=url, rate_limit_token_per_second=1e9, rate_limit_token_burst=10**9
        )
        app = create_app(settings, db=db)
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", cookies={sessions.COOKIE: secret}
        ) as client:
            results = []
            for page, path in (("overview", "/portal"), ("order", f"/portal/orders/{order}")):
                walls, cpu, size = await _time(client, path, n)
                walls.sort()
                results.append(PageTiming(
                    engine, page, count, n, statistics.median(walls),
                    walls[int(len(walls) * 0.95) - 1], walls[-1], cpu, size,
                ))  # fmt: skip
                log(f"{engine} {page}: median {results[-1].median_ms:.1f} ms")
            return results
    finally:
        await db.close()


def render(results: list[PageTiming], when: str, pg_url: str) -> str:
    lines = [
        "# Portal page performance",
        "",
        f"Measured {when} with `python -m bench.portal` (part of `make bench`), on the "
        "benchmark datasets of [performance.md](performance.md). Target: the overview and an "
        f"order page in at most {TARGET_MS:.0f} ms of server time for a customer with 500 "
        "orders.",
        "",
        "Server time is the whole request through the app in-process (session guard, "
        "settings, services, templates, headers), one request at a time, after a warm-up. "
        f"PostgreSQL dataset: `{pg_url.rsplit('/', 1)[-1]}`; SQLite: `data/bench.db`.",
        "",
        "| engine | page | orders of the customer | requests | median ms | p95 ms | max ms "
        "| CPU ms/request | KB | target |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        verdict = "pass" if r.p95_ms <= TARGET_MS else "**FAIL**"
        lines.append(
            f"| {r.engine} | {r.page} | {r.orders_of_customer} | {r.requests} | "
            f"{r.median_ms:.1f} | {r.p95_ms:.1f} | {r.max_ms:.1f} | {r.cpu_ms:.1f} | "
            f"{r.bytes / 1024:.0f} | {verdict} (p95 ≤ {TARGET_MS:.0f} ms) |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--only", action="append", choices=sorted(URLS))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pg-url", default=URLS["pg"], help="another PostgreSQL dataset")
    args = parser.parse_args(argv)
    URLS["pg"] = args.pg_url
    when = datetime.now(UTC).isoformat(timespec="seconds")
    results: list[PageTiming] = []
    for engine in args.only or sorted(URLS):
        own_cluster = engine == "pg" and args.pg_url == DEFAULT_PG_URL
        with cluster.serving() if own_cluster else contextlib.nullcontext():
            results.extend(run_async(measure(engine, args.requests)))
    payload: dict[str, Any] = {
        "measured": when,
        "pg_url": args.pg_url,
        "results": [asdict(r) for r in results],
    }
    (RESULTS / "portal.json").write_text(json.dumps(payload, indent=2) + "\n")
    DOC.write_text(render(results, when, args.pg_url))
    failed = [r for r in results if r.p95_ms > TARGET_MS]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
