"""Renders docs/performance.md from a benchmark summary (``bench/results/summary.json``).

``python -m bench.report`` re-renders the document from the last summary without measuring.
"""

from __future__ import annotations

from typing import Any

from bench import notes
from bench.common import DOC, RESULTS, ROOT, load_json
from bench.md import num as _f
from bench.md import table
from bench.rounds import SERVERS, ratios
from bench.targets import (
    LABELS,
    PER_REQUEST,
    denominator,
    evaluate,
    floor_rps,
    median_run,
    median_stack_run,
    rps,
    runs,
)


def _machine(summary: dict[str, Any]) -> str:
    m = summary["machine"]
    pg = m.get("postgresql", {})
    packages = ", ".join(f"{k} {v}" for k, v in m["packages"].items())
    rows = [
        ["code measured", f"selfserve at {m.get('revision', 'unknown')}"],
        ["CPU", f"{m['cpu']}, {m['cores']} cores (/proc/cpuinfo, os.cpu_count)"],
        ["memory", f"{m['memory_gib']} GiB"],
        ["OS / kernel", f"{m['os']} / Linux {m['kernel']}"],
        ["Python", m["python"]],
        ["packages", packages],
        ["PostgreSQL", ", ".join(f"{k} {v}" for k, v in pg.items()) or "not used"],
        ["SQLite", f"{m['sqlite']} (file {m.get('sqlite_file_mb', '–')} MB)"],
        ["load generator", _load_tool(summary)],
        [
            "background load",
            f"{summary.get('background_busy', 0):.0%} of all cores busy in the 3 s before the run",
        ],
    ]
    return "## Machine\n\n" + table(["item", "value"], rows, text_columns=2)


def _load_tool(summary: dict[str, Any]) -> str:
    if summary["settings"]["load_tool"] == "wrk":
        return str(summary["machine"]["wrk"])
    return (
        "**the Python fallback (bench/pyload.py), because wrk was not installed**: it competes "
        "with the server for the CPU, so its numbers are not comparable with wrk's"
    )


def _commands(summary: dict[str, Any]) -> str:
    s = summary["settings"]
    wrk = (
        f"wrk -t{s['threads']} -c{s['connections']} -d{s['duration_s']}s --timeout "
        f"{s['timeout_s']}s -s bench/load.lua http://127.0.0.1:PORT/"
    )
    return f"""## How it was run

```sh
make bench                      # = .venv/bin/python -m bench.run
{summary["command"]}              # this run
python -m bench.report          # re-render this page from bench/results/summary.json
```

What the harness ran, per engine (all on 127.0.0.1, every process stopped by PID afterwards):

```sh
{_cluster_lines(summary)}selfserve migrate
selfserve seed --tenant bench --customers 50000 --orders 1000000 --big-customers 100 \\
    --big-customer-orders 500 --seed 42 --as-of 2026-11-27 --json   # PostgreSQL, once
selfserve seed --tenant bench --customers 5000 --orders 100000 ...   # SQLite, once
selfserve seed --tenant bench --customers 5000 --orders 100000 ...   # PostgreSQL 1x (T8), once
selfserve keys create --tenant bench --role read-only --json          # revoked at the end
SELFSERVE_RATE_LIMIT_KEY_PER_SECOND=1e9 SELFSERVE_RATE_LIMIT_KEY_BURST=1000000000 \\
  setsid selfserve serve --host 127.0.0.1 --port PORT --workers {s["workers"]} # granian, uvloop
BENCH_IDS_FILE=raw/<engine>-customers.txt BENCH_KEY=<key> BENCH_LIMIT=50 \\
  {wrk}
python -m bench.floors --engine pg|sqlite --url URL --statements FILE --seconds {s["duration_s"]}
setsid python -m bench.hello --port PORT --workers {s["workers"]}                # HTTP floor
setsid python -m bench.stack --port PORT --workers {s["workers"]} --url URL \\
    --statements FILE --body-bytes N [--framework]                  # stack, framework floor
```

On PostgreSQL, `--rounds` paired rounds (default 5) then run the DB floor, the stack floor,
the framework floor and the endpoint one after another in each round (`bench/rounds.py`).

Every wrk run is preceded by the same command for {s["warmup_s"]} s as a warm-up. Each server
runs in a session of its own (`setsid`), as under a service manager: Linux shares the CPU
between sessions first, and a server in wrk's session would starve wrk, which then reads
answers late and reports a p99 two to three times higher than it does otherwise.
{_cluster_note(summary)}"""


def _cluster_lines(summary: dict[str, Any]) -> str:
    """The benchmark's own PostgreSQL cluster (bench/cluster.py), when the run used it."""
    server = summary.get("pg_server") or {}
    if not server.get("own_cluster"):
        return ""
    options = " ".join(f"-c {k}={v}" for k, v in server["settings"].items())
    return (
        "initdb -D data/pg -A trust -U postgres     # once, as the postgres user under root\n"
        f'pg_ctl -D data/pg -w -o "{options}" start    # stopped at the end\n'
    )


def _cluster_note(summary: dict[str, Any]) -> str:
    server = summary.get("pg_server") or {}
    if not server.get("own_cluster"):
        return ""
    return """
PostgreSQL runs in the benchmark's own cluster (`bench/cluster.py`, data in `data/pg`, kept
between runs with its datasets), set up as the study's was: `shared_buffers` of 512 MB holds
the pages the runs visit, where a distribution's default of 128 MB would have PostgreSQL copy
them in from the operating system's cache on every request. Durability is off (the cluster
holds only generated data and the measured requests only read). `--pg-admin-url` measures
another server instead.
"""


def _method(summary: dict[str, Any]) -> str:
    s = summary["settings"]
    return f"""
Each request is `GET /orders?customerIds=["<id>"]&includes=assets,invoices&limit=L` for a
customer drawn at random (seeded per wrk thread) from the 100 big customers (500 orders each),
so every page is full. Both datasets have planner statistics, as `selfserve seed` leaves them
(PostgreSQL: VACUUM ANALYZE after loading, ANALYZE again on reuse). "SQLite, no statistics" is
a fresh copy of `data/bench.db` with the statistics tables dropped: a database that never saw
`ANALYZE` (see the interpretation). Page 50 is run {s["repeats"]} times; the tables
show the median run. One API key drives all the load, so its rate limit (50 requests/s by
default) is lifted for the benchmark, in the server and in-process. CPU per request is the
CPU time of the process tree over the measured run ÷ requests (psutil); memory is read after
each run: RSS, and in brackets USS (private memory, without shared pages such as SQLite's
memory-mapped database file).
"""


def _built(seconds: float | None, last: dict[str, Any] | None) -> str:
    if seconds is not None:
        return f"built in {seconds:,.0f} s"
    if last:
        return f"reused (built in {last['seconds']:,.0f} s at {last['at'][:16]})"
    return "reused"


def _datasets(summary: dict[str, Any]) -> str:
    rows = []
    for name, e in summary["engines"].items():
        d, c = e["dataset"], e["dataset"]["counts"]
        built = d["build_seconds"]
        rows.append(
            [
                LABELS[name],
                _f(c["orders"]),
                _f(c["customers"]),
                _f(c["order_products"]),
                _f(c["assets"]),
                _f(c["invoices"]),
                _f(c["change_events"]),
                _built(built, d.get("last_build")),
                e.get("measured_at", "–"),
            ]
        )
    headers = [
        "engine",
        "orders",
        "customers",
        "order lines",
        "assets",
        "invoices",
        "change events",
        "dataset",
        "measured at (UTC)",
    ]
    return "## Datasets (tenant `bench`)\n\n" + table(headers, rows)


def _memory(run: dict[str, Any], digits: int = 0) -> str:
    """``rss (uss)`` of each worker, e.g. ``63 (41) / 64 (42)``."""
    pairs = zip(run["worker_rss_mb"], run.get("worker_uss_mb", []), strict=False)
    return " / ".join(f"{r:.{digits}f} ({u:.{digits}f})" for r, u in pairs)


def _headline(summary: dict[str, Any]) -> str:
    rows = []
    for name, e in summary["engines"].items():
        run = median_run(e, 50)
        if run is None:
            continue
        floor = denominator(name, e, 50)
        rows.append(
            [
                LABELS[name],
                _f(rps(e, 50)),
                f"{run['load']['p50_ms']:.1f} / {run['load']['p99_ms']:.1f}",
                _f(floor),
                f"{rps(e, 50) / floor:.0%}" if floor else "–",
                _f(run["server_cpu_ms"], 2),
                _f(run["db_cpu_ms"], 2),
                _memory(run),
                str(run["load"]["errors"]),
            ]
        )
    headers = [
        "engine",
        "req/s",
        "p50 / p99 ms",
        "DB floor req/s",
        "% of floor",
        "server CPU ms/req",
        "PG CPU ms/req",
        "RSS (private) per worker MB",
        "errors",
    ]
    return "## Headline: page 50, 2 workers, 32 connections\n\n" + table(headers, rows)


def _per_limit(name: str, e: dict[str, Any]) -> str:
    rows = []
    for limit in (10, 50, 200):
        run = median_run(e, limit)
        if run is None:
            continue
        floor = denominator(name, e, limit)
        load = run["load"]
        rows.append(
            [
                str(limit),
                _f(e["statements"]["body_bytes"][str(limit)] / 1024),
                _f(rps(e, limit)),
                f"{load['p50_ms']:.1f} / {load['p90_ms']:.1f} / {load['p99_ms']:.1f}",
                _f(run["server_cpu_ms"], 2),
                _f(run["db_cpu_ms"], 2),
                _f(run["loadgen_cpu_ms"], 3),
                _f(floor_rps(e, limit, 1)),
                _f(floor_rps(e, limit, 2)),
                f"{rps(e, limit) / floor:.0%}" if floor else "–",
                "/".join(sorted(e["statements"]["per_limit"][str(limit)])),
                str(load["errors"]),
            ]
        )
    headers = [
        "limit",
        "KB/resp",
        "req/s",
        "p50 / p90 / p99 ms",
        "server CPU ms/req",
        "PG CPU ms/req",
        "wrk CPU ms/req",
        "floor 1 proc",
        "floor 2 proc",
        "% of floor",
        "stmts/req",
        "errors",
    ]
    return f"### {LABELS[name]}\n\n" + table(headers, rows)


def _repeats(summary: dict[str, Any]) -> str:
    rows = []
    for name, e in summary["engines"].items():
        for i, run in enumerate(runs(e, 50), 1):
            load = run["load"]
            rows.append(
                [
                    LABELS[name],
                    str(i),
                    _f(load["rps"]),
                    f"{load['p50_ms']:.1f} / {load['p99_ms']:.1f}",
                    _f(run["server_cpu_ms"], 2),
                    _memory(run, 1),
                    f"{run['machine_busy']:.0%}",
                    f"{run['other_cpu_share']:.0%}",
                ]
            )
    headers = [
        "engine",
        "run",
        "req/s",
        "p50 / p99 ms",
        "server CPU ms/req",
        "RSS (private) per worker MB",
        "cores busy",
        "other processes",
    ]
    return "### Repeated page-50 runs (noise and memory growth)\n\n" + table(headers, rows)


def _floors(summary: dict[str, Any]) -> str:
    rows = []
    for name, e in summary["engines"].items():
        for limit, entries in e["floors"].items():
            for key, f in entries.items():
                rows.append(
                    [
                        LABELS[name],
                        limit,
                        key[1:].replace("-after", ", after the HTTP runs"),
                        _f(f["rps"]),
                        _f(f["client_cpu_ms"], 2),
                        _f(f["db_cpu_ms"], 2) if name == "pg" else "–",
                    ]
                )
    headers = ["engine", "limit", "processes", "req/s", "client CPU ms/req", "PG CPU ms/req"]
    return (
        "## DB floor (the endpoint's recorded statements replayed in-process)\n\n"
        "PostgreSQL: asyncpg, 32 tasks on a 10-connection pool per process, opened as the "
        "app opens it (a connection goes back without a reset statement). SQLite: one "
        "connection per process in a tight loop. Each request is the "
        f"{PER_REQUEST} statements one real request ran (API key lookup, page, assets, "
        "invoices), with its parameters.\n\n" + table(headers, rows)
    )


def _us(ms: float | None) -> float | None:
    return None if ms is None else ms * 1000


def _http_floor(summary: dict[str, Any]) -> str:
    hello = summary["hello"]
    rows = [
        [
            "bare ASGI hello",
            _f(hello["load"]["rps"]),
            f"{hello['load']['p50_ms']:.2f}",
            f"{hello['load']['p99_ms']:.2f}",
            _f(_us(hello["server_cpu_ms"])),
            "–",
        ]
    ]
    for name, e in summary["engines"].items():
        h = e["http"]["health"]
        rows.append(
            [
                f"app GET /health ({LABELS[name]})",
                _f(h["load"]["rps"]),
                f"{h['load']['p50_ms']:.2f}",
                f"{h['load']['p99_ms']:.2f}",
                _f(_us(h["server_cpu_ms"])),
                f"{h['load']['rps'] / hello['load']['rps']:.0%}",
            ]
        )
    headers = ["endpoint", "req/s", "p50 ms", "p99 ms", "server CPU µs/req", "÷ hello"]
    return (
        "## HTTP floor and framework overhead (granian, 2 workers)\n\n"
        "`/health` is the app's cheapest route: it answers from each worker's background "
        "database check (about once a second) without entering the framework.\n\n"
        + table(headers, rows)
    )


def _stack_floor(summary: dict[str, Any]) -> str:
    rows = []
    for name, e in summary["engines"].items():
        floor = denominator(name, e, 50)
        for which, label in (("stack_floor", "bare ASGI"), ("framework_floor", "Litestar route")):
            stack = median_stack_run(e, which)
            if stack:
                rows.append([f"{LABELS[name]}, {label}", *_stack_cells(name, e, stack, floor)])
    if not rows:
        return ""
    headers = ["engine, server", "req/s", "p50 ms", "p99 ms", "server CPU ms/req"]
    headers += ["PG CPU ms/req", "÷ DB floor", "endpoint ÷ this"]
    return (
        "## Stack floor (the same statements and body size, granian, 2 workers)\n\n"
        "`bench/stack.py` at page 50, loaded like the endpoint (the median of as many runs as "
        "the endpoint's page-50 runs): each request runs one recorded "
        "request's statements through the app's driver and answers a body of the endpoint's "
        "size, with no routing, authentication, validation or assembly (bare ASGI); the "
        "framework floor does the same in a Litestar route, with nothing of the API around "
        "it.\n\n" + table(headers, rows)
    )


def _stack_cells(
    name: str, e: dict[str, Any], stack: dict[str, Any], floor: float | None
) -> list[str]:
    return [
        _f(stack["load"]["rps"]),
        f"{stack['load']['p50_ms']:.1f}",
        f"{stack['load']['p99_ms']:.1f}",
        _f(stack["server_cpu_ms"], 2),
        _f(stack["db_cpu_ms"], 2) if name == "pg" else "–",
        f"{stack['load']['rps'] / floor:.0%}" if floor else "–",
        f"{rps(e, 50) / stack['load']['rps']:.0%}",
    ]


def _rounds(summary: dict[str, Any]) -> str:
    e = summary["engines"].get("pg") or {}
    rounds = e.get("rounds") or []
    if not rounds:
        return ""
    rows = []
    for i, r in enumerate(rounds):
        floor = r["floor_rps"]
        cells = [str(i + 1), _f(floor)]
        for kind in SERVERS:
            run = r[kind]
            cells.append(f"{_f(run['rps'])} ({run['rps'] / floor:.0%}, {_f(run['cpu_ms'], 2)} ms)")
        rows.append(cells)
    medians = ratios(rounds)
    rows.append(["median", "", *(f"{medians[kind]:.0%}" for kind in SERVERS)])
    headers = ["round", "DB floor req/s", "stack floor", "framework floor", "endpoint"]
    return (
        "## Paired rounds (PostgreSQL, page 50)\n\n"
        "`bench/rounds.py`: the DB floor (1 process), the bare ASGI stack floor, the framework "
        "floor (the same work as one Litestar route) and the endpoint, each for "
        f"{summary['settings']['duration_s']} s, one after another, in each round. Each cell: "
        "req/s (÷ that round's DB floor, server CPU per request); the last row gives the "
        "median of each ratio over the rounds.\n\n" + table(headers, rows)
    )


def _targets(summary: dict[str, Any]) -> str:
    rows = [
        [v.tid, v.what, v.target, v.measured, f"**{v.status}**" if v.status == "FAIL" else v.status]
        for v in evaluate(summary)
    ]
    headers = ["#", "what", "target", "measured", "result"]
    return "## Targets (performance-study.md §9), against floors measured in this run\n\n" + table(
        headers, rows, text_columns=5
    )


def render(summary: dict[str, Any]) -> str:
    parts = [
        "# Performance of GET /orders\n\n"
        f"Measured {summary['started']} – {summary['finished']} with `make bench` "
        "(`bench/run.py`). Absolute numbers belong to this machine, where wrk, the API "
        "server and PostgreSQL share the same cores; the ratios to the floors measured in "
        "the same run are what carries over to other machines.\n",
        notes.findings(summary),
        notes.interpretation(summary),
        _targets(summary),
        _machine(summary),
        _commands(summary),
        _method(summary),
        _datasets(summary),
        _headline(summary),
        "## Per page size (median run)\n\n"
        + "\n".join(_per_limit(n, e) for n, e in summary["engines"].items()),
        _repeats(summary),
        _floors(summary),
        _http_floor(summary),
        _stack_floor(summary),
        _rounds(summary),
        notes.statements(summary),
        notes.auth(summary),
        notes.breakdown(summary),
        notes.cpu_profile(summary),
        notes.plans(summary),
    ]
    return "\n".join(p.rstrip() + "\n" for p in parts)


def main() -> None:
    summary = load_json(RESULTS / "summary.json")
    DOC.write_text(render(summary))
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
