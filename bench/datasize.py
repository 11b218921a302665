"""T8: the same page-50 load on PostgreSQL with 10× the data (the 1,000,000-order benchmark
dataset) against 1× (100,000 orders, the same 100 big customers of 500 orders).

Single runs minutes apart drift more than 15% on a shared machine (the study saw exactly
that), so the two datasets are measured A/B: one run on each, one after the other, repeated;
each run has its own server. The verdict compares the median throughputs.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from statistics import median
from typing import Any

import asyncpg

from bench import dataset
from bench.common import RAW, TENANT, log, run_async, selfserve
from bench.httprun import app_server, measure
from bench.load import Target

SMALL_DB = "selfserve_bench_100k"


def small_spec(admin_url: str) -> Any:
    """1×: a tenth of the PostgreSQL benchmark dataset, in a database of its own."""
    return replace(dataset.pg_spec(admin_url, SMALL_DB), customers=5_000, orders=100_000)


_LAYOUT_SQL = (
    "SELECT avg(pages)::float8, (SELECT pg_relation_size('orders')), "
    "current_setting('shared_buffers') FROM (SELECT count(DISTINCT (ctid::text::point)[0]) "
    "AS pages FROM orders WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[]) "
    "GROUP BY customer_id) x"
)


async def _layout(ds: dataset.Dataset) -> dict[str, Any]:
    """Where the big customers' orders lie: the heap pages holding each one's orders (on
    average), the orders table's size, and PostgreSQL's buffer cache."""
    conn = await asyncpg.connect(ds.spec.url)
    try:
        pages, size, buffers = await conn.fetchrow(_LAYOUT_SQL, ds.tenant_id, ds.big_customer_ids)
    finally:
        await conn.close()
    return {"pages_per_customer": pages, "orders_bytes": size, "shared_buffers": buffers}


def _page50(name: str, ds: dataset.Dataset, key: str, seconds: int) -> dict[str, Any]:
    RAW.mkdir(parents=True, exist_ok=True)
    ids_file: Path = RAW / f"datasize-{ds.orders}-customers.txt"
    ids_file.write_text("\n".join(ds.big_customer_ids) + "\n")
    pg_db = ds.spec.url.rpartition("/")[2]
    with app_server(ds.spec.url, f"{name}-server") as (pid, base):
        target = Target(base, ids_file=ids_file, key=key, limit=50)
        return measure(target, seconds, f"{name}-orders-50", pid, pg_db).as_dict()


def data_size_runs(
    large: dataset.Dataset, small: dataset.Dataset, seconds: int, rounds: int
) -> dict[str, Any]:
    """``rounds`` A/B rounds of page 50: 1× then 10×."""
    keys = {}
    for label, ds in (("1x", small), ("10x", large)):
        out = selfserve(
            ds.spec.url, "keys", "create", "--tenant", TENANT, "--role", "read-only", "--json"
        )
        keys[label] = json.loads(out)
    runs: dict[str, list[dict[str, Any]]] = {"1x": [], "10x": []}
    try:
        for i in range(rounds):
            for label, ds in (("1x", small), ("10x", large)):
                key = keys[label]["key"]
                runs[label].append(_page50(f"datasize-{label}-{i}", ds, key, seconds))
    finally:
        for label, ds in (("1x", small), ("10x", large)):
            selfserve(ds.spec.url, "keys", "revoke", keys[label]["keyId"])
    ratio = median(r["load"]["rps"] for r in runs["10x"]) / median(
        r["load"]["rps"] for r in runs["1x"]
    )
    log(f"T8: 10x ÷ 1x throughput at page 50 = {ratio:.2f}")
    layout = {label: run_async(_layout(ds)) for label, ds in (("1x", small), ("10x", large))}
    return {
        "orders": {"1x": small.orders, "10x": large.orders},
        "runs": runs,
        "ratio": ratio,
        "layout": layout,
    }
