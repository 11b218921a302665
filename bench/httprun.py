"""HTTP runs against a live granian server: warm-up, measured load, CPU and memory readings."""

from __future__ import annotations

import resource
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import asyncpg
import psutil

from bench.capture import orders_path
from bench.common import BIN, HOST, ROOT, WARMUP_S, WORKERS, env_for, log, run_async
from bench.load import LoadResult, Target, drive
from bench.procs import (
    cpu_seconds,
    cpu_used,
    free_port,
    launched,
    main_rss_mb,
    postgres_procs,
    switches,
    switches_per,
    tree,
    wait_http,
    wait_quiet,
    workers,
)


@dataclass(frozen=True, slots=True)
class HttpRun:
    label: str
    load: LoadResult
    server_cpu_ms: float | None  # CPU of the whole granian process tree per request
    db_cpu_ms: float | None  # CPU of the PostgreSQL backends serving the database, per request
    loadgen_cpu_ms: float | None  # CPU of wrk per request
    # [voluntary, involuntary] context switches per request of the server's processes and
    # of the PostgreSQL backends (None without PostgreSQL)
    server_switches: list[float] | None
    db_switches: list[float] | None
    machine_busy: float  # share of all cores busy during the run (0..1)
    other_cpu_share: float  # busy share not explained by server, PostgreSQL and wrk (0..1)
    worker_rss_mb: list[float]
    worker_uss_mb: list[float]
    main_rss_mb: float
    workers_stable: bool  # the same worker PIDs before and after the run

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["load"]["errors"] = self.load.errors
        return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, over all cores."""
    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0)
    total = times.user + times.nice + times.system + idle + times.irq + times.softirq
    total += getattr(times, "steal", 0.0)
    return total - idle, total


def background_busy(seconds: float) -> float:
    """Share of all cores busy over ``seconds`` while the benchmark itself is idle."""
    before = _busy()
    time.sleep(seconds)
    after = _busy()
    return (after[0] - before[0]) / max(after[1] - before[1], 1e-9)


def _per_request(seconds: float, requests: int) -> float | None:
    return 1000 * seconds / requests if requests else None


def measure(
    target: Target, seconds: int, label: str, server_pid: int, pg_db: str | None
) -> HttpRun:
    """A 2 s warm-up, then the measured run, with CPU read around the measured run only."""
    wait_quiet()
    drive(target, WARMUP_S, f"{label}-warmup")
    procs = tree(server_pid)
    before_pids = sorted(p.pid for p in procs)
    postgres = postgres_procs(pg_db) if pg_db else []
    sw0, dbsw0 = switches(procs), switches(postgres)
    cpu0, db0, gen0, busy0 = cpu_seconds(procs), cpu_seconds(postgres), _children_cpu(), _busy()
    load = drive(target, seconds, label)
    cpu1, db1, gen1, busy1 = cpu_seconds(procs), cpu_seconds(postgres), _children_cpu(), _busy()
    sw1, dbsw1 = switches(procs), switches(postgres)
    n = load.requests
    after = tree(server_pid)
    mem = workers(server_pid)
    server_cpu, db_cpu = cpu_used(cpu0, cpu1), cpu_used(db0, db1)
    used = server_cpu + db_cpu + (gen1 - gen0)
    total = max(busy1[1] - busy0[1], 1e-9)
    run = HttpRun(
        label=label,
        load=load,
        server_cpu_ms=_per_request(server_cpu, n),
        db_cpu_ms=_per_request(db_cpu, n) if pg_db else None,
        loadgen_cpu_ms=_per_request(gen1 - gen0, n),
        server_switches=switches_per(sw0, sw1, n),
        db_switches=switches_per(dbsw0, dbsw1, n) if pg_db else None,
        machine_busy=(busy1[0] - busy0[0]) / total,
        other_cpu_share=max(0.0, (busy1[0] - busy0[0]) - used) / total,
        worker_rss_mb=[round(w.rss_mb, 1) for w in mem],
        worker_uss_mb=[round(w.uss_mb, 1) for w in mem],
        main_rss_mb=round(main_rss_mb(server_pid), 1),
        workers_stable=before_pids == sorted(p.pid for p in after),
    )
    cpu = "–" if run.server_cpu_ms is None else f"{run.server_cpu_ms:.2f}"
    log(
        f"{label}: {load.rps:,.0f} req/s, p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms, "
        f"server CPU {cpu} ms/req, errors {load.errors}"
    )
    return run


@contextmanager
def app_server(url: str, name: str, env: dict[str, str] | None = None) -> Iterator[tuple[int, str]]:
    """``selfserve serve`` with 2 workers on 127.0.0.1, exactly as in production (``env``
    adds settings)."""
    port = free_port()
    argv = [str(BIN / "selfserve"), "serve", "--host", HOST, "--port", str(port)]
    argv += ["--workers", str(WORKERS)]
    with launched(argv, name, env=env_for(url) | (env or {}), cwd=ROOT) as proc:
        base = f"http://{HOST}:{port}"
        wait_http(base + "/health", proc)
        yield proc.pid, base


@contextmanager
def hello_server() -> Iterator[tuple[int, str]]:
    """The bare ASGI hello app under the same granian configuration."""
    port = free_port()
    argv = [sys.executable, "-m", "bench.hello", "--port", str(port), "--workers", str(WORKERS)]
    with launched(argv, "hello-server", env=env_for("sqlite://"), cwd=ROOT) as proc:
        base = f"http://{HOST}:{port}"
        wait_http(base + "/", proc)
        yield proc.pid, base


@contextmanager
def stack_server(
    url: str, statements: Path, body_bytes: int, name: str, framework: bool = False
) -> Iterator[tuple[int, str]]:
    """The stack floor (``bench.stack``) for the recorded ``statements``, under the same
    granian configuration; with ``framework``, as a Litestar route."""
    port = free_port()
    argv = [sys.executable, "-m", "bench.stack", "--port", str(port), "--workers", str(WORKERS)]
    argv += ["--url", url, "--statements", str(statements), "--body-bytes", str(body_bytes)]
    argv += ["--framework"] if framework else []
    with launched(argv, name, env=env_for(url), cwd=ROOT) as proc:
        base = f"http://{HOST}:{port}"
        wait_http(base + "/", proc)
        yield proc.pid, base


async def _pg_xacts(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        value = await conn.fetchval(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            "WHERE datname = current_database()"
        )
    finally:
        await conn.close()
    return int(value)


def _backends_gone(database: str, timeout: float = 15.0) -> None:
    """Waits until no backend serves ``database``: a backend flushes its transaction counts
    when it exits, and a stopped server's backends exit a moment after it."""
    deadline = time.monotonic() + timeout
    while postgres_procs(database) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)


def _get(url: str, key: str) -> int:
    request = urllib.request.Request(url, headers={"nue-api-key": key})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        return int(response.status)


def pg_round_trips(url: str, key: str, customers: list[str], n: int = 200) -> dict[str, float]:
    """Server-side transactions per GET /orders, counted by PostgreSQL itself.

    Every statement outside an explicit transaction is one transaction in
    ``pg_stat_database``; backends flush these counters when they exit, so the count is read
    after the server (and so its connections) stopped. A server that answers ``n``
    sequential page-50 requests is compared with one that answers none: what a server does
    on its own (each worker's first health check, writing key usage at shutdown) cancels
    out. The health probe's interval is raised and the document builder turned off, so that
    no periodic statement falls in either.
    """
    idle = _server_xacts(url, key, [], 0)
    busy = _server_xacts(url, key, customers, n)
    return {"requests": n, "ok": busy[1], "per_request": (busy[0] - idle[0]) / n}


def _server_xacts(url: str, key: str, customers: list[str], n: int) -> tuple[int, int]:
    """(transactions, 200 answers) of a fresh server answering ``n`` page-50 requests."""
    before = run_async(_pg_xacts(url))
    quiet = {"SELFSERVE_HEALTH_CHECK_SECONDS": "3600", "SELFSERVE_DOCUMENT_BUILD_SECONDS": "0"}
    with app_server(url, f"pg-round-trips-server-{n}", env=quiet) as (_, base):
        statuses = [
            _get(base + orders_path(customers[i % len(customers)], 50), key) for i in range(n)
        ]
    _backends_gone(url.rpartition("/")[2])
    after = run_async(_pg_xacts(url))
    return after - before, sum(s == 200 for s in statuses)
