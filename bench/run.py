"""``make bench``: GET /orders on PostgreSQL and SQLite, beside the DB and HTTP floors.

Steps, for each engine: build (or reuse) the dataset, create a read-only API key, record
the endpoint's statements with an in-process counting run, EXPLAIN them, time
authentication and one page in-process, measure the DB floor (the recorded statements
replayed in-process), then serve the app with granian (2 workers, 127.0.0.1) and drive it
with wrk. The bare-ASGI hello floor is measured once. Everything the harness starts is
stopped by PID. Results: ``bench/results/summary.json`` and ``docs/performance.md``.

    python -m bench.run [--only pg|sqlite|sqlite-nostats ...] [--duration 10] [--skip-build]
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import cluster, dataset, datasize, explain, inproc, report
from bench.capture import capture_sync
from bench.common import (
    CONNECTIONS,
    DOC,
    LIMITS,
    RAW,
    RESULTS,
    ROOT,
    TENANT,
    THREADS,
    TIMEOUT_S,
    WARMUP_S,
    WORKERS,
    log,
    save_json,
    selfserve,
)
from bench.floors import run_floor
from bench.httprun import (
    app_server,
    background_busy,
    hello_server,
    measure,
    pg_round_trips,
    stack_server,
)
from bench.load import Target, tool, warn_if_missing
from bench.machine import describe
from bench.procs import set_quiet_wait
from bench.rounds import paired_rounds

ENGINES = ("pg", "sqlite", "sqlite-nostats")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", action="append", choices=ENGINES, help="repeatable")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--repeats", type=int, default=3, help="page-50 runs per engine")
    parser.add_argument(
        "--rounds", type=int, default=5, help="paired rounds on PostgreSQL (bench.rounds)"
    )
    parser.add_argument("--skip-build", action="store_true", help="fail if a dataset is missing")
    parser.add_argument(
        "--no-t8", action="store_true", help="skip T8 (PostgreSQL page 50 on 10x against 1x data)"
    )
    parser.add_argument(
        "--pg-admin-url",
        help="measure this PostgreSQL server instead of the benchmark's own cluster "
        "(bench/cluster.py), e.g. postgresql://postgres@127.0.0.1:5432/postgres",
    )
    parser.add_argument("--sqlite-file", type=Path, default=ROOT / "data" / "bench.db")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=30.0,
        help="before each measurement, wait up to this many seconds for a quiet machine",
    )
    return parser.parse_args(argv)


def datasets(args: argparse.Namespace, engines: list[str]) -> dict[str, dataset.Dataset]:
    """Every dataset first, so the long loads happen before any measurement."""
    out: dict[str, dataset.Dataset] = {}
    skip = args.skip_build
    if "pg" in engines:
        spec = dataset.pg_spec(args.pg_admin_url)
        out["pg"] = dataset.ensure_sync(spec, args.pg_admin_url, skip_build=skip)
        if not args.no_t8:
            small = datasize.small_spec(args.pg_admin_url)
            out["pg-1x"] = dataset.ensure_sync(small, args.pg_admin_url, skip_build=skip)
    if {"sqlite", "sqlite-nostats"} & set(engines):
        spec = dataset.sqlite_spec(args.sqlite_file)
        base = dataset.ensure_sync(spec, args.pg_admin_url, skip_build=skip)
        if "sqlite" in engines:
            out["sqlite"] = base
        if "sqlite-nostats" in engines:
            copy = args.sqlite_file.with_name(args.sqlite_file.stem + "-nostats.db")
            out["sqlite-nostats"] = dataset.statistics_free_copy(base, copy)
    return out


def floors(
    name: str, engine: str, url: str, files: dict[int, Path], seconds: int, limits: Any = LIMITS
) -> Any:
    """DB floor per limit: PG with 1 process (and 2 at page 50); SQLite with 1 and 2."""
    out: dict[str, dict[str, Any]] = {}
    for limit in limits:
        runs = (1, 2) if engine == "sqlite" or limit == 50 else (1,)
        out[str(limit)] = {}
        for processes in runs:
            tasks = 32 // processes
            result = run_floor(engine, url, files[limit], seconds, processes, tasks)
            out[str(limit)][f"p{processes}"] = result
            log(f"{name} DB floor, limit {limit}, {processes} process(es): {result['rps']:,.0f}/s")
    return out


def floors_again(name: str, engine: str, url: str, files: dict[int, Path], seconds: int) -> Any:
    """The page-50 floors once more, after the HTTP runs: how far the floor itself drifts
    within one run (the targets keep the readings taken before)."""
    again = floors(f"{name} (again)", engine, url, files, seconds, limits=(50,))["50"]
    return {f"{key}-after": result for key, result in again.items()}


def http_runs(name: str, ds: dataset.Dataset, key: str, args: argparse.Namespace) -> Any:
    """/health, then GET /orders at page 50 (``--repeats`` times), 10 and 200."""
    ids_file = RAW / f"{name}-customers.txt"
    ids_file.write_text("\n".join(ds.big_customer_ids) + "\n")
    pg_db = ds.spec.url.rpartition("/")[2] if ds.spec.engine == "pg" else None
    orders: dict[str, list[Any]] = {str(limit): [] for limit in LIMITS}
    with app_server(ds.spec.url, f"{name}-server") as (pid, base):
        health = measure(Target(base, "/health"), args.duration, f"{name}-health", pid, pg_db)
        plan = [50] * args.repeats + [limit for limit in LIMITS if limit != 50]
        for i, limit in enumerate(plan):
            target = Target(base, ids_file=ids_file, key=key, limit=limit)
            run = measure(target, args.duration, f"{name}-orders-{limit}-{i}", pid, pg_db)
            orders[str(limit)].append(run.as_dict())
    return {"health": health.as_dict(), "orders": orders}


def engine_run(name: str, ds: dataset.Dataset, args: argparse.Namespace) -> dict[str, Any]:
    url, engine = ds.spec.url, ds.spec.engine
    created = json.loads(
        selfserve(url, "keys", "create", "--tenant", TENANT, "--role", "read-only", "--json")
    )
    try:
        RAW.mkdir(parents=True, exist_ok=True)
        log(f"{name}: counting run (every big customer at every limit, in-process)")
        cap = capture_sync(url, created["key"], ds.big_customer_ids)
        if set(cap.statuses) != {200}:
            raise RuntimeError(f"{name}: the counting run got statuses {dict(cap.statuses)}")
        files = {
            limit: save_json(f"{name}-statements-{limit}.json", cap.requests[limit])
            for limit in LIMITS
        }
        plans = explain.plans(engine, url, cap.requests[50][0])
        (RAW / f"{name}-plans.txt").write_text(
            "\n\n".join(f"-- {p.name} ({p.mode})\n{p.text}" for p in plans)
        )
        log(f"{name}: in-process timings (authentication, one page)")
        first = {limit: cap.requests[limit][0] for limit in LIMITS}
        timings = inproc.measure_sync(url, created["key"], ds.big_customer_ids[0], first, 3000)
        floor = floors(name, engine, url, files, args.duration)
        trips = pg_round_trips(url, created["key"], ds.big_customer_ids) if engine == "pg" else None
        http = http_runs(name, ds, created["key"], args)
        size = round(sum(cap.body_bytes[50]) / len(cap.body_bytes[50]))
        stack = stack_runs(name, ds, created["key"], files[50], size, args)
        framework = stack_runs(name, ds, created["key"], files[50], size, args, framework=True)
        paired = []
        if engine == "pg" and args.rounds:
            log(f"{name}: {args.rounds} paired rounds (DB floor, stack, framework, endpoint)")
            paired = paired_rounds(name, ds, created["key"], files[50], size, args)
        floor["50"] |= floors_again(name, engine, url, files, args.duration)
    finally:
        selfserve(url, "keys", "revoke", created["keyId"])
    return {
        "dataset": _dataset(ds),
        "statements": _statements(cap),
        "plans": [
            asdict(p) | {"text": p.text[: 6000 if p.name == "page" else 1500]} for p in plans
        ],
        "inproc": _plain(timings),
        "floors": floor,
        "round_trips": trips,
        "http": http,
        "stack_floor": stack,
        "framework_floor": framework,
        "rounds": paired,
    }


def stack_runs(
    name: str,
    ds: dataset.Dataset,
    key: str,
    statements: Path,
    body_bytes: int,
    args: argparse.Namespace,
    framework: bool = False,
) -> list[dict[str, Any]]:
    """The stack floor (``bench.stack``) at page 50, loaded exactly like the endpoint, as
    many times as the endpoint's page-50 runs (the report takes the median run); with
    ``framework``, the same work as a Litestar route (the framework floor)."""
    ids_file = RAW / f"{name}-customers.txt"
    pg_db = ds.spec.url.rpartition("/")[2] if ds.spec.engine == "pg" else None
    kind = "framework" if framework else "stack"
    target_args = (statements, body_bytes, f"{name}-{kind}-server", framework)
    with stack_server(ds.spec.url, *target_args) as (pid, base):
        target = Target(base, ids_file=ids_file, key=key, limit=50)
        return [
            measure(target, args.duration, f"{name}-{kind}-50-{i}", pid, pg_db).as_dict()
            for i in range(args.repeats)
        ]


def _dataset(ds: dataset.Dataset) -> dict[str, Any]:
    out = asdict(ds) | {"spec": asdict(ds.spec), "big_customers": len(ds.big_customer_ids)}
    out["big_customer_ids"] = ds.big_customer_ids[:3]  # the full list: raw/<engine>-customers.txt
    return out


def _statements(cap: Any) -> dict[str, Any]:
    return {
        "per_limit": {str(k): {str(n): c for n, c in v.items()} for k, v in cap.counts.items()},
        "by_includes": cap.by_includes,
        "statuses": {str(k): v for k, v in cap.statuses.items()},
        "body_bytes": {str(k): sum(v) / len(v) for k, v in cap.body_bytes.items()},
    }


def _plain(value: Any) -> Any:
    """Dataclasses and int keys turned into JSON-friendly dicts."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return value


_RAW = re.compile(
    r"^(?P<engine>[a-z-]+?)-(customers|framework|health|orders|plans|round|server|stack|statements)"
)


def clean_raw(engines: list[str]) -> None:
    """Removes the raw outputs of earlier runs of ``engines`` (and of the hello floor)."""
    if not RAW.exists():
        return
    for path in RAW.iterdir():
        match = _RAW.match(path.name)
        if path.name.startswith("hello") or (match and match["engine"] in engines):
            path.unlink()


def _previous_engines(engines: list[str]) -> dict[str, Any]:
    """Engines measured by an earlier run and not re-run now (``--only``) are kept."""
    path = RESULTS / "summary.json"
    if not path.exists():
        return {}
    previous: dict[str, Any] = json.loads(path.read_text()).get("engines", {})
    return {k: v for k, v in previous.items() if k in ENGINES and k not in engines}


def _data_size(data: dict[str, dataset.Dataset], args: argparse.Namespace) -> Any:
    """T8 when PostgreSQL ran now; otherwise what an earlier run measured, if anything."""
    if "pg-1x" in data:
        log("T8: PostgreSQL page 50, 1x and 10x data, A/B")
        return datasize.data_size_runs(data["pg"], data["pg-1x"], args.duration, args.repeats)
    path = RESULTS / "summary.json"
    return json.loads(path.read_text()).get("data_size") if path.exists() else None


def _pg_server(args: argparse.Namespace) -> dict[str, Any] | None:
    """Which PostgreSQL server the run measured: the benchmark's own cluster (and how it
    was set up) or one given with --pg-admin-url."""
    if not args.pg_admin_url:
        return None
    own = args.pg_admin_url == cluster.ADMIN_URL
    return {"own_cluster": own, "settings": dict(cluster.SETTINGS) if own else None}


def hello_run(seconds: int) -> dict[str, Any]:
    with hello_server() as (pid, base):
        return measure(Target(base, "/"), seconds, "hello", pid, pg_db=None).as_dict()


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "duration_s": args.duration,
        "warmup_s": WARMUP_S,
        "connections": CONNECTIONS,
        "threads": THREADS,
        "timeout_s": TIMEOUT_S,
        "workers": WORKERS,
        "repeats": args.repeats,
        "rounds": args.rounds,
        "quiet_wait_s": args.quiet_wait,
        "load_tool": tool(),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.pg_admin_url or "pg" not in (args.only or ENGINES):
        return measure_all(args, argv)
    with cluster.serving() as admin_url:
        args.pg_admin_url = admin_url
        return measure_all(args, argv)


def measure_all(args: argparse.Namespace, argv: list[str] | None) -> int:
    engines = [e for e in ENGINES if e in (args.only or ENGINES)]
    warn_if_missing()
    set_quiet_wait(args.quiet_wait)
    clean_raw(engines)
    background = background_busy(3.0)
    if background > 0.15:
        log(f"warning: the machine is {background:.0%} busy before the benchmark starts")
    started = datetime.now(UTC)
    data = datasets(args, engines)
    command = argv if argv is not None else sys.argv[1:]
    summary: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench.run", *map(shlex.quote, command)]),
        "settings": _settings(args),
        "background_busy": background,
        "machine": describe(data["pg"].spec.url if "pg" in data else None, args.sqlite_file),
        "pg_server": _pg_server(args),
    }
    log("HTTP floor: bare ASGI hello under granian")
    summary["hello"] = hello_run(args.duration)
    summary["engines"] = _previous_engines(engines)
    for name in engines:
        measured_at = datetime.now(UTC).isoformat(timespec="seconds")
        summary["engines"][name] = engine_run(name, data[name], args) | {"measured_at": measured_at}
    summary["data_size"] = _data_size(data, args)
    summary["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    save_json("summary.json", summary, RESULTS)
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(report.render(summary))
    log(f"wrote {DOC.relative_to(ROOT)} and bench/results/summary.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
