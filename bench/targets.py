"""The study's targets T1-T14 (performance-study.md §9), evaluated on one summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from statistics import median
from typing import Any

SQLITE_ENGINES = ("sqlite", "sqlite-nostats")
LABELS = {
    "pg": "PostgreSQL",
    "sqlite": "SQLite",
    "sqlite-nostats": "SQLite, no statistics",
}
# Authentication + the page + one per include: the orders' lines come inside their stored
# documents (orders.documents), which the benchmark's datasets have built.
EXPECTED_BY_INCLUDES = {
    "(none)": 2,
    "assets": 3,
    "invoices": 3,
    "assets,invoices": 4,
    "assets,invoices,history": 5,
}
PER_REQUEST = EXPECTED_BY_INCLUDES["assets,invoices"]


@dataclass(frozen=True, slots=True)
class Verdict:
    tid: str
    what: str
    target: str
    measured: str
    status: str  # "good", "pass", "FAIL", "n/a"


def runs(engine: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = engine["http"]["orders"].get(str(limit), [])
    return found


def _median_by_rps(measured: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The run with the median throughput (the lower middle for even counts)."""
    ordered = sorted(measured, key=lambda r: r["load"]["rps"])
    return ordered[(len(ordered) - 1) // 2] if ordered else None


def median_run(engine: dict[str, Any], limit: int) -> dict[str, Any] | None:
    """The endpoint's run with the median throughput at ``limit``."""
    return _median_by_rps(runs(engine, limit))


def median_stack_run(engine: dict[str, Any], which: str = "stack_floor") -> dict[str, Any] | None:
    """The run with the median throughput of the stack floor (``bench.stack``) or, with
    ``which="framework_floor"``, of the framework floor, if measured."""
    return _median_by_rps(engine.get(which) or [])


def rps(engine: dict[str, Any], limit: int) -> float:
    values = [r["load"]["rps"] for r in runs(engine, limit)]
    return median(values) if values else 0.0


def floor_rps(engine: dict[str, Any], limit: int, processes: int) -> float | None:
    entry = engine["floors"].get(str(limit), {}).get(f"p{processes}")
    return None if entry is None else float(entry["rps"])


def denominator(name: str, engine: dict[str, Any], limit: int) -> float | None:
    """PG: the 1-process floor (32 tasks); SQLite: the 2-process floor (one per worker)."""
    return floor_rps(engine, limit, 1 if name == "pg" else 2)


def _grade(value: float, passing: float, good: float | None = None) -> str:
    if good is not None and value >= good:
        return "good"
    return "pass" if value >= passing else "FAIL"


def _ok(condition: bool) -> str:
    return "pass" if condition else "FAIL"


def _throughput(name: str, engine: dict[str, Any]) -> Verdict:
    floor = denominator(name, engine, 50) or 0.0
    ratio = rps(engine, 50) / floor if floor else 0.0
    pg = name == "pg"
    return Verdict(
        "T1" if pg else "T2",
        f"{LABELS[name]}, page 50: throughput ÷ DB floor ({'1' if pg else '2'} process)",
        "≥ 75% (good ≥ 85%)" if pg else "≥ 45% (good ≥ 55%)",
        f"{ratio:.0%} ({rps(engine, 50):,.0f} ÷ {floor:,.0f} req/s)",
        _grade(ratio, 0.75, 0.85) if pg else _grade(ratio, 0.45, 0.55),
    )


def _latency(name: str, engine: dict[str, Any]) -> Verdict:
    run = median_run(engine, 50)
    p50, p99 = (run["load"]["p50_ms"], run["load"]["p99_ms"]) if run else (0.0, 0.0)
    pg = name == "pg"
    limits = (40, 160) if pg else (25, 60)
    return Verdict(
        "T3" if pg else "T4",
        f"{LABELS[name]}, page 50: latency at 32 connections",
        f"p50 ≤ {limits[0]} ms, p99 ≤ {limits[1]} ms",
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms",
        _ok(bool(run) and rps(engine, 50) > 0 and p50 <= limits[0] and p99 <= limits[1]),
    )


def _cpu(name: str, engine: dict[str, Any]) -> Verdict:
    bounds = {10: 0.7, 50: 1.5, 200: 6.0}
    values: dict[int, float | None] = {}
    for limit in bounds:
        run = median_run(engine, limit)
        values[limit] = run["server_cpu_ms"] if run else None
    shown = ["–" if v is None else f"{v:.2f}" for v in values.values()]
    return Verdict(
        "T5",
        f"{LABELS[name]}: server CPU per request (page 10 / 50 / 200)",
        "≤ 0.7 / 1.5 / 6 ms",
        " / ".join(shown) + " ms",
        _ok(all((values[k] or float("inf")) <= bound for k, bound in bounds.items())),
    )


def _statements(name: str, engine: dict[str, Any]) -> Verdict:
    per_limit = engine["statements"]["per_limit"]
    fixed = all(set(counts) == {str(PER_REQUEST)} for counts in per_limit.values())
    by_includes = engine["statements"]["by_includes"]
    scaling = all(by_includes.get(k) == v for k, v in EXPECTED_BY_INCLUDES.items())
    seen = sorted({int(n) for counts in per_limit.values() for n in counts})
    trips = engine.get("round_trips")
    wire = f"; {trips['per_request']:.2f} server-side transactions/request" if trips else ""
    return Verdict(
        "T6",
        f"{LABELS[name]}: SQL statements per request, any page size",
        f"1 auth + 1 page + 1 per include = {PER_REQUEST}",
        f"{'/'.join(map(str, seen))} at pages 10, 50, 200 "
        f"({'/'.join(map(str, EXPECTED_BY_INCLUDES.values()))} by includes){wire}",
        _ok(fixed and scaling),
    )


def _scaling(name: str, engine: dict[str, Any]) -> Verdict:
    base = rps(engine, 50)
    small = rps(engine, 10) / base if base else 0.0
    large = rps(engine, 200) / base if base else 0.0
    return Verdict(
        "T7",
        f"{LABELS[name]}: page 10 ÷ page 50, page 200 ÷ page 50",
        "≥ 1.8 and ≥ 0.25",
        f"{small:.2f} and {large:.2f}",
        _ok(small >= 1.8 and large >= 0.25),
    )


def _framework(name: str, engine: dict[str, Any], hello: dict[str, Any]) -> Verdict:
    health = engine["http"]["health"]["load"]["rps"]
    ratio = health / hello["load"]["rps"] if hello["load"]["rps"] else 0.0
    return Verdict(
        "T10",
        f"{LABELS[name]}: the app's GET /health ÷ bare-ASGI hello (granian, 2 workers)",
        "≥ 30% (good ≥ 50%)",
        f"{ratio:.0%} ({health:,.0f} ÷ {hello['load']['rps']:,.0f} req/s)",
        _grade(ratio, 0.30, 0.50),
    )


def rss_growth(engine: dict[str, Any]) -> tuple[float, float]:
    """(largest worker RSS after any run, growth of the largest worker over the page-50 runs)."""
    all_runs = [
        engine["http"]["health"],
        *[r for k in ("10", "50", "200") for r in runs(engine, int(k))],
    ]
    biggest = max((max(r["worker_rss_mb"], default=0.0) for r in all_runs), default=0.0)
    repeated = runs(engine, 50)
    if len(repeated) < 2:
        return biggest, 0.0
    first, last = repeated[0]["worker_rss_mb"], repeated[-1]["worker_rss_mb"]
    return biggest, max(last, default=0.0) - max(first, default=0.0)


def _memory(name: str, engine: dict[str, Any]) -> Verdict:
    biggest, growth = rss_growth(engine)
    repeats = len(runs(engine, 50))
    if name == "pg":
        return Verdict(
            "T11",
            f"{LABELS[name]}: RSS per worker after load; growth over {repeats} page-50 runs",
            "≤ 100 MB, no growth (≤ 5%)",
            f"max {biggest:.0f} MB; growth {growth:+.1f} MB",
            _ok(biggest <= 100 and growth <= 0.05 * biggest),
        )
    return Verdict(
        "T12",
        f"{LABELS[name]}: RSS per worker after load",
        "≤ 120 MB",
        f"max {biggest:.0f} MB (growth over {repeats} page-50 runs {growth:+.1f} MB)",
        _ok(biggest <= 120),
    )


def errors(engine: dict[str, Any]) -> tuple[int, int]:
    """(socket errors and timeouts, responses >= 400) over every HTTP run of the engine."""
    every = [engine["http"]["health"], *[r for rs in engine["http"]["orders"].values() for r in rs]]
    return (
        sum(r["load"]["socket_errors"] for r in every),
        sum(r["load"]["non_2xx"] for r in every),
    )


def _errors(name: str, engine: dict[str, Any]) -> Verdict:
    sockets, statuses = errors(engine)
    measured = f"{sockets} socket errors/timeouts, {statuses} responses ≥ 400"
    rounds = engine.get("rounds") or []
    in_rounds = sum(r["endpoint"]["errors"] for r in rounds)  # both kinds, as one count
    if rounds:
        measured += f"; {in_rounds} in the endpoint's paired-round runs"
    return Verdict(
        "T13",
        f"{LABELS[name]}: errors and non-2xx under load (all runs)",
        "0",
        measured,
        _ok(sockets == 0 and statuses == 0 and in_rounds == 0),
    )


def _plan(name: str, engine: dict[str, Any]) -> Verdict:
    pages = [p for p in engine["plans"] if p["name"] == "page"]
    sorts = [p["mode"] for p in pages if p["has_sort"]]
    return Verdict(
        "T14",
        f"{LABELS[name]}: single-customer page statement needs no Sort",
        "no Sort node (custom and generic plan)" if name == "pg" else "no temp B-tree sort",
        ("Sort in: " + ", ".join(sorts)) if sorts else "no Sort",
        _ok(not sorts and bool(pages)),
    )


def _data_size(t8: dict[str, Any] | None) -> Verdict:
    what = "PostgreSQL, page 50: 10× data ÷ 1× (A/B, median req/s)"
    if not t8:
        return Verdict("T8", what, "within ±15%", "not run", "n/a")
    one, ten = (median(r["load"]["rps"] for r in t8["runs"][k]) for k in ("1x", "10x"))
    measured = f"{t8['ratio']:.2f} ({ten:,.0f} ÷ {one:,.0f} req/s)"
    return Verdict("T8", what, "within ±15%", measured, _ok(0.85 <= t8["ratio"] <= 1.15))


def evaluate(summary: dict[str, Any]) -> list[Verdict]:
    engines: dict[str, Any] = summary["engines"]
    hello = summary["hello"]
    checks: list[Callable[[str, dict[str, Any]], Verdict]] = [
        _throughput,
        _latency,
        _cpu,
        _statements,
        _scaling,
        _memory,
        _errors,
        _plan,
    ]
    out = [check(name, engine) for check in checks for name, engine in engines.items()]
    out += [_framework(name, engine, hello) for name, engine in engines.items()]
    out.append(_data_size(summary.get("data_size")))
    out.append(Verdict("T9", "cache hit ÷ uncached", "≥ 5×", "the app has no cache", "n/a"))
    order = [f"T{i}" for i in range(1, 15)]
    return sorted(out, key=lambda v: order.index(v.tid))  # stable: engines keep their order
