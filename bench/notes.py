"""The explanatory parts of docs/performance.md, written from the measured numbers."""

from __future__ import annotations

from typing import Any

from bench.interpret import paragraphs
from bench.md import num, table
from bench.targets import LABELS, denominator, errors, evaluate, median_run, rps


def _engine_line(name: str, e: dict[str, Any], seconds: int) -> str | None:
    run, floor = median_run(e, 50), denominator(name, e, 50)
    if run is None or not floor:
        return None
    kb = e["statements"]["body_bytes"]["50"] / 1024
    head = f"* **{LABELS[name]}**, page 50 ({kb:,.0f} KB per response): "
    if rps(e, 50) == 0:
        return head + (
            f"**no request completed** within a {seconds} s run; the DB floor itself does "
            f"{floor:,.1f} req/s."
        )
    sockets, statuses = errors(e)
    return head + (
        f"**{rps(e, 50):,.0f} req/s**, {rps(e, 50) / floor:.0%} of the DB floor "
        f"({floor:,.0f} req/s), p50 {run['load']['p50_ms']:.0f} ms, p99 "
        f"{run['load']['p99_ms']:.0f} ms, {num(run['server_cpu_ms'], 2)} ms of server CPU per "
        f"request, {sockets + statuses} errors in all runs."
    )


def _statement_line(summary: dict[str, Any]) -> str:
    per_limit = [e["statements"]["per_limit"] for e in summary["engines"].values()]
    counts = {n for limits in per_limit for c in limits.values() for n in c}
    if counts == {"5"}:
        return (
            "* Every request runs exactly 5 statements at every page size (API key, page, lines, "
            "assets, invoices), verified by a counting run over all 100 customers at each limit."
        )
    return f"* Statements per request vary: {sorted(counts)} (expected 5; see below)."


def findings(summary: dict[str, Any]) -> str:
    seconds = summary["settings"]["duration_s"]
    lines = ["## Summary\n"]
    for name, e in summary["engines"].items():
        line = _engine_line(name, e, seconds)
        if line:
            lines.append(line)
    verdicts = evaluate(summary)
    failed = sorted({v.tid for v in verdicts if v.status == "FAIL"}, key=lambda t: int(t[1:]))
    passed = [v for v in verdicts if v.status in ("pass", "good")]
    lines.append(
        f"* Targets: {len(passed)} checks pass, {sum(v.status == 'FAIL' for v in verdicts)} "
        f"fail{': ' + ', '.join(failed) if failed else ''} (T8 and T9 were not measured)."
    )
    lines.append(_statement_line(summary))
    return "\n".join(lines) + "\n"


def statements(summary: dict[str, Any]) -> str:
    rows = []
    for name, e in summary["engines"].items():
        s = e["statements"]
        per_limit = " · ".join(
            f"page {k}: " + ", ".join(f"{n} ({c} customers)" for n, c in v.items())
            for k, v in s["per_limit"].items()
        )
        by_inc = ", ".join(f"{k} → {v}" for k, v in s["by_includes"].items())
        trips = e.get("round_trips")
        wire = f"{trips['per_request']:.2f}" if trips else "–"
        rows.append([LABELS[name], per_limit, by_inc, wire])
    return (
        "## Statements per request\n\n"
        "Counted by running real requests through the app in-process with a counting wrapper "
        "around its database (the guard's API key lookup included). On PostgreSQL the number of "
        "server-side transactions per request was also read from `pg_stat_database` around a "
        "server that answered 200 sequential page-50 requests: every statement outside a "
        "transaction, and every pool reset on release, is one transaction there.\n\n"
        + table(
            ["engine", "counting run", "by includes (page 50)", "PG transactions/request"],
            rows,
            text_columns=3,
        )
    )


def auth(summary: dict[str, Any]) -> str:
    rows = []
    for name, e in summary["engines"].items():
        a = e["inproc"]["auth"]
        db_part = a["service"]["wall_us"] - a["python"]["wall_us"]
        checkout = a["guard"]["wall_us"] - a["service"]["wall_us"]
        rows.append(
            [LABELS[name]]
            + [
                f"{a[k]['wall_us']:.0f} / {a[k]['cpu_us']:.0f}"
                for k in ("guard", "service", "sql", "python")
            ]
            + [f"{db_part:.0f} ({db_part / a['service']['wall_us']:.0%})", f"{checkout:.0f}"]
        )
    headers = [
        "engine",
        "checkout + authenticate",
        "authenticate (held conn)",
        "lookup SQL only",
        "Python only",
        "DB part of authenticate",
        "pool checkout + release",
    ]
    return (
        "## Authentication cost (in-process, sequential, µs per call: wall / process CPU)\n\n"
        "`authenticate_api_key` against the real database, 3,000 calls each: wrapped in its "
        "own pool checkout and release, on a connection already held (what a request does), "
        "the lookup statement alone through the raw driver, and the call against a stub "
        "connection that answers instantly (parsing the key, SHA-256 and constant-time compare, "
        "building the principal).\n\n" + table(headers, rows)
    )


def breakdown(summary: dict[str, Any]) -> str:
    rows = []
    for name, e in summary["engines"].items():
        for limit in ("10", "50", "200"):
            p = e["inproc"]["pages"][limit]
            rows.append(
                [LABELS[name], limit]
                + [
                    f"{p[k]['wall_us'] / 1000:.2f} / {p[k]['cpu_us'] / 1000:.2f}"
                    for k in ("statements", "service", "encode", "etag", "asgi")
                ]
            )
    headers = [
        "engine",
        "limit",
        "5 statements (raw driver)",
        "service (4 stmts + objects)",
        "msgspec encode",
        "ETag (blake2b)",
        "whole app via ASGI",
    ]
    return (
        "## One page, in-process and sequential (ms: wall / process CPU)\n\n"
        'The same customer each time, one connection, no concurrency. "whole app via ASGI" '
        "calls the Litestar app directly (guard, pool checkout, service, encoding, ETag) "
        "with no server and no socket.\n\n" + table(headers, rows)
    )


def _trim(text: str, width: int = 150, lines: int = 40) -> str:
    out = [line if len(line) <= width else line[:width] + " …" for line in text.splitlines()]
    return "\n".join(out[:lines])


def plans(summary: dict[str, Any]) -> str:
    parts = ["## Query plans of the page statement (T14)\n"]
    for name, e in summary["engines"].items():
        for p in e["plans"]:
            if p["name"] != "page" and not (name != "pg" and p["has_sort"]):
                continue
            timing = f", execution {p['execution_ms']:.2f} ms" if p["execution_ms"] else ""
            parts.append(
                f"**{LABELS[name]}, {p['name']} statement ({p['mode']} plan{timing})**\n\n"
                f"```\n{_trim(p['text'])}\n```\n"
            )
    parts.append(
        "All plans, including the other statements: `bench/results/raw/<engine>-plans.txt`.\n"
    )
    return "\n".join(parts)


def interpretation(summary: dict[str, Any]) -> str:
    return "## Interpretation\n\n" + "\n\n".join(paragraphs(summary)) + "\n"
