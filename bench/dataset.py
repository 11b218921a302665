"""Builds the benchmark datasets once and reuses them when they are already complete.

PostgreSQL: database ``selfserve_bench`` (created when missing), 1,000,000 orders.
SQLite: ``data/bench.db``, 100,000 orders. Both: tenant ``bench`` with 100 "big" customers of
500 orders each, so every benchmark request returns a full page up to ``limit=200``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench.common import AS_OF, ROOT, SEED, TENANT, DatasetSpec, log, run_async, selfserve
from selfserve.db import sqlite_path


@dataclass(frozen=True, slots=True)
class Dataset:
    spec: DatasetSpec
    tenant_id: str
    orders: int
    big_customer_ids: list[str]
    build_seconds: float | None  # None when an existing dataset was reused
    counts: dict[str, int]
    # the last build of this dataset by this harness ({"seconds", "at"}), when one is on record
    last_build: dict[str, Any] | None = None


BUILDS = ROOT / "data" / "bench-builds.json"  # beside the datasets, which outlive a run


def _builds() -> dict[str, Any]:
    return dict(json.loads(BUILDS.read_text())) if BUILDS.exists() else {}


def _record_build(spec: DatasetSpec, seconds: float) -> dict[str, Any]:
    entry = {"seconds": round(seconds, 1), "at": datetime.now(UTC).isoformat(timespec="seconds")}
    BUILDS.parent.mkdir(parents=True, exist_ok=True)
    BUILDS.write_text(json.dumps(_builds() | {spec.url: entry}, indent=2) + "\n")
    return entry


def pg_spec(admin_url: str, name: str = "selfserve_bench") -> DatasetSpec:
    base = admin_url.rpartition("/")[0]
    return DatasetSpec("pg", f"{base}/{name}", customers=50_000, orders=1_000_000)


def sqlite_spec(path: Path) -> DatasetSpec:
    return DatasetSpec("sqlite", f"sqlite:///{path}", customers=5_000, orders=100_000)


_TENANT_SQL = "SELECT id FROM tenants WHERE slug = {p}"
_ORDERS_SQL = "SELECT count(*) FROM orders WHERE tenant_id = {p}"
_BIG_SQL = (
    "SELECT customer_id FROM orders WHERE tenant_id = {p} GROUP BY customer_id "
    "HAVING count(*) >= {q} ORDER BY count(*) DESC, customer_id LIMIT {r}"
)
_COUNT_TABLES = ("customers", "orders", "order_products", "assets", "invoices", "change_events")


async def _pg_state(spec: DatasetSpec) -> dict[str, Any] | None:
    """Tenant id, order count, big customers and table counts; None when no tenant."""
    conn = await asyncpg.connect(spec.url)
    try:
        try:
            tenant = await conn.fetchval(_TENANT_SQL.format(p="$1"), TENANT)
        except asyncpg.UndefinedTableError:
            return None
        if tenant is None:
            return None
        orders = await conn.fetchval(_ORDERS_SQL.format(p="$1"), tenant)
        big = await conn.fetch(
            _BIG_SQL.format(p="$1", q="$2", r="$3"),
            tenant,
            spec.big_customer_orders,
            spec.big_customers,
        )
        counts = {
            t: int(await conn.fetchval(f"SELECT count(*) FROM {t} WHERE tenant_id = $1", tenant))
            for t in _COUNT_TABLES
        }
    finally:
        await conn.close()
    return {"tenant": str(tenant), "orders": orders, "big": [str(r[0]) for r in big], **counts}


def _sqlite_state(spec: DatasetSpec) -> dict[str, Any] | None:
    path = sqlite_path(spec.url)
    if not Path(path).exists():
        return None
    raw = sqlite3.connect(path)
    try:
        row = raw.execute(_TENANT_SQL.format(p="?1"), (TENANT,)).fetchone()
        if row is None:
            return None
        tenant = row[0]
        orders = raw.execute(_ORDERS_SQL.format(p="?1"), (tenant,)).fetchone()[0]
        big = raw.execute(
            _BIG_SQL.format(p="?1", q="?2", r="?3"),
            (tenant, spec.big_customer_orders, spec.big_customers),
        ).fetchall()
        count = "SELECT count(*) FROM {} WHERE tenant_id = ?1"
        counts = {t: raw.execute(count.format(t), (tenant,)).fetchone()[0] for t in _COUNT_TABLES}
    except sqlite3.Error:
        return None
    finally:
        raw.close()
    return {"tenant": str(tenant), "orders": orders, "big": [str(r[0]) for r in big], **counts}


async def _state(spec: DatasetSpec) -> dict[str, Any] | None:
    if spec.engine == "pg":
        return await _pg_state(spec)
    return _sqlite_state(spec)


def _complete(spec: DatasetSpec, state: dict[str, Any] | None) -> bool:
    return (
        state is not None
        and state["orders"] == spec.orders
        and len(state["big"]) == spec.big_customers
    )


async def _admin(spec: DatasetSpec, admin_url: str, *, drop: bool) -> None:
    """Creates the PostgreSQL database (dropping it first when ``drop``)."""
    name = spec.url.rpartition("/")[2]
    conn = await asyncpg.connect(admin_url)
    try:
        if drop:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            log(f"creating database {name}")
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _remove_sqlite(spec: DatasetSpec) -> None:
    path = Path(sqlite_path(spec.url))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def _statistics(spec: DatasetSpec) -> None:
    """Planner statistics as ``selfserve seed`` leaves them (it ends with ``ANALYZE``), also
    for a reused dataset: PostgreSQL re-analyzes (a migration may have changed a statistics
    target); SQLite is analyzed when it has no statistics at all."""
    if spec.engine == "pg":
        conn = await asyncpg.connect(spec.url)
        try:
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
        return
    with closing(sqlite3.connect(sqlite_path(spec.url))) as raw:
        if raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            return
        log("sqlite: the dataset has no planner statistics (seeded before the seed ran ANALYZE)")
        raw.execute("ANALYZE")
        raw.commit()


async def _vacuum(spec: DatasetSpec) -> None:
    """VACUUM ANALYZE, as autovacuum would eventually do (sets the visibility map)."""
    conn = await asyncpg.connect(spec.url)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


def _seed(spec: DatasetSpec) -> dict[str, Any]:
    log(
        f"seeding {spec.engine}: {spec.orders:,} orders, {spec.customers:,} customers "
        f"({spec.big_customers} x {spec.big_customer_orders} big); this takes a while"
    )
    out = selfserve(
        spec.url,
        *("seed", "--tenant", TENANT, "--customers", str(spec.customers)),
        *("--orders", str(spec.orders), "--seed", str(SEED), "--as-of", AS_OF),
        *("--big-customers", str(spec.big_customers)),
        *("--big-customer-orders", str(spec.big_customer_orders), "--json"),
    )
    report: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return report


async def _build(spec: DatasetSpec, admin_url: str, state: dict[str, Any] | None) -> float:
    """Rebuilds the dataset from an empty database; the seconds it took."""
    started = time.monotonic()
    if state is not None:
        log(f"{spec.engine} dataset incomplete ({state['orders']} orders): rebuilding")
    if spec.engine == "pg":
        await _admin(spec, admin_url, drop=True)
    else:
        _remove_sqlite(spec)
    selfserve(spec.url, "migrate")
    _seed(spec)
    if spec.engine == "pg":
        await _vacuum(spec)
    return time.monotonic() - started


async def ensure(spec: DatasetSpec, admin_url: str, *, skip_build: bool) -> Dataset:
    """The dataset of ``spec``: reused when complete, otherwise rebuilt from scratch."""
    if spec.engine == "pg":
        await _admin(spec, admin_url, drop=False)
    state = await _state(spec)
    built: float | None = None
    if _complete(spec, state):
        log(f"{spec.engine}: reusing the existing dataset ({spec.orders:,} orders)")
        selfserve(spec.url, "migrate")
        # A dataset from before stored documents existed (or one a migration cleared) gets
        # them now, as `selfserve seed` builds them for a new one; on PostgreSQL that leaves
        # a dead row version per order behind, which a vacuum clears before any measurement.
        documents = selfserve(spec.url, "documents", "build").strip()
        log(documents)
        if spec.engine == "pg" and documents != "built 0 documents":
            await _vacuum(spec)
        await _statistics(spec)
    elif skip_build:
        raise RuntimeError(f"{spec.engine} dataset is missing or incomplete (--skip-build)")
    else:
        built = await _build(spec, admin_url, state)
        state = await _state(spec)
        if not _complete(spec, state):
            raise RuntimeError(f"{spec.engine} dataset still incomplete after seeding: {state}")
        log(f"{spec.engine}: dataset built in {built:.0f} s")
    assert state is not None
    counts = {t: int(state[t]) for t in _COUNT_TABLES}
    last = _record_build(spec, built) if built is not None else _builds().get(spec.url)
    return Dataset(spec, state["tenant"], state["orders"], state["big"], built, counts, last)


def ensure_sync(spec: DatasetSpec, admin_url: str, *, skip_build: bool) -> Dataset:
    return run_async(ensure(spec, admin_url, skip_build=skip_build))


def statistics_free_copy(source: Dataset, path: Path) -> Dataset:
    """A fresh copy of the SQLite dataset without planner statistics: what a database that
    never saw ``ANALYZE`` looks like (one filled through the API rather than by the seed, or
    seeded by an older version)."""
    src = Path(sqlite_path(source.spec.url))
    log(f"copying {src.name} to {path.name} without planner statistics")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with closing(sqlite3.connect(src)) as s, closing(sqlite3.connect(path)) as d:
        s.backup(d)
        query = "SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'"
        for (name,) in d.execute(query).fetchall():
            d.execute(f"DROP TABLE {name}")
        d.commit()
    spec = replace(source.spec, url=f"sqlite:///{path}")
    return replace(source, spec=spec, build_seconds=None, last_build=None)
