"""The DB floor: the endpoint's exact statements replayed in-process, with no HTTP and no app.

PostgreSQL: asyncpg, ``--tasks`` concurrent tasks sharing a pool of ``--pool`` connections
opened as the app opens it (``PostgresDatabase``: no reset statement on release).
SQLite: one ``sqlite3`` connection (opened like the app opens it) in a tight loop; the
harness starts one or two such processes at once.

Each "request" is the statement list recorded for one customer by ``bench.capture`` (API key
lookup, page, assets, invoices). Customers are taken round-robin. After ``--warmup``
seconds of the same work, the process counts the requests completed in ``--seconds`` and
prints ``BENCH_JSON {"requests": ..., "seconds": ..., "cpu_s": ...}``.

``python -m bench.floors --engine pg --url URL --statements FILE --seconds 10``
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import WARMUP_S, run_async
from bench.procs import cpu_seconds, cpu_used, postgres_procs, stop, wait_quiet
from selfserve.db import PostgresDatabase, open_sqlite, sqlite_path

Request = list[tuple[str, list[Any]]]


async def _pg_loop(pool: Any, reqs: list[Request], tasks: int, seconds: float) -> int:
    """Requests completed by ``tasks`` tasks in ``seconds``."""
    picker = itertools.count()
    stop = time.monotonic() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        while time.monotonic() < stop:
            statements = reqs[next(picker) % len(reqs)]
            async with pool.acquire() as conn:
                for sql, params in statements:
                    await conn.fetch(sql, *params)
            done += 1

    await asyncio.gather(*(worker() for _ in range(tasks)))
    return done


async def pg_floor(
    url: str, reqs: list[Request], *, tasks: int, pool_size: int, warmup: float, seconds: float
) -> dict[str, float]:
    # The app's own pool: it hands connections back as they are, where asyncpg's default
    # sends a reset statement on every release, a round trip the endpoint does not make.
    db = PostgresDatabase(url, pool_size, pool_size)
    await db.connect()
    pool = db.pool
    try:
        await _pg_loop(pool, reqs, tasks, warmup)
        postgres = postgres_procs(url.rpartition("/")[2])
        db_before, cpu, wall = cpu_seconds(postgres), time.process_time(), time.monotonic()
        done = await _pg_loop(pool, reqs, tasks, seconds)
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
        db_cpu = cpu_used(db_before, cpu_seconds(postgres))
    finally:
        await db.close()
    return {"requests": done, "seconds": wall, "cpu_s": cpu, "db_cpu_s": db_cpu}


def _sqlite_loop(raw: Any, reqs: list[Request], seconds: float, start: int) -> int:
    stop = time.monotonic() + seconds
    done = 0
    while time.monotonic() < stop:
        for sql, params in reqs[(start + done) % len(reqs)]:
            raw.execute(sql, params).fetchall()
        done += 1
    return done


def sqlite_floor(
    url: str, reqs: list[Request], *, warmup: float, seconds: float, start: int
) -> dict[str, float]:
    raw = open_sqlite(sqlite_path(url), cache_mb=64, read_only=True)
    try:
        _sqlite_loop(raw, reqs, warmup, start)
        cpu, wall = time.process_time(), time.monotonic()
        done = _sqlite_loop(raw, reqs, seconds, start)
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    finally:
        raw.close()
    return {"requests": done, "seconds": wall, "cpu_s": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=("pg", "sqlite"), required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--statements", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--tasks", type=int, default=32)
    parser.add_argument("--pool", type=int, default=10)
    parser.add_argument("--start", type=int, default=0, help="first customer (round-robin)")
    args = parser.parse_args()
    reqs: list[Request] = json.loads(args.statements.read_text())
    if args.engine == "pg":
        result = run_async(
            pg_floor(
                args.url,
                reqs,
                tasks=args.tasks,
                pool_size=args.pool,
                warmup=args.warmup,
                seconds=args.seconds,
            )
        )
    else:
        result = sqlite_floor(
            args.url, reqs, warmup=args.warmup, seconds=args.seconds, start=args.start
        )
    print("BENCH_JSON " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()


def run_floor(
    engine: str, url: str, statements: Path, seconds: float, processes: int = 1, tasks: int = 32
) -> dict[str, float | None]:
    """Runs ``processes`` floor processes at once; their summed throughput and CPU."""
    argv = [
        *(sys.executable, "-m", "bench.floors", "--engine", engine, "--url", url),
        *("--statements", str(statements), "--seconds", str(seconds)),
        *("--warmup", str(WARMUP_S), "--tasks", str(tasks)),
    ]
    wait_quiet()
    procs = [
        subprocess.Popen([*argv, "--start", str(i * 37)], stdout=subprocess.PIPE, text=True)
        for i in range(processes)
    ]
    try:
        outs = [p.communicate(timeout=seconds + WARMUP_S + 120)[0] for p in procs]
    finally:
        for p in procs:
            stop(p, "floor")
    results = []
    for out in outs:
        line = next((x for x in out.splitlines() if x.startswith("BENCH_JSON ")), None)
        if line is None:
            raise RuntimeError(f"{engine} floor produced no result:\n{out[-2000:]}")
        results.append(json.loads(line.split(" ", 1)[1]))
    requests = sum(r["requests"] for r in results)
    return {
        "processes": processes,
        "rps": sum(r["requests"] / r["seconds"] for r in results),
        "requests": requests,
        "client_cpu_ms": 1000 * sum(r["cpu_s"] for r in results) / max(requests, 1),
        # Read by the process itself around its own window: exact for one process only.
        "db_cpu_ms": (
            1000 * results[0].get("db_cpu_s", 0.0) / max(requests, 1) if processes == 1 else None
        ),
    }
