"""The interpretation paragraphs of docs/performance.md, each derived from the numbers.

Each function returns one paragraph, or None when the run lacks the data it needs (for
example when ``--only`` left an engine out).
"""

from __future__ import annotations

import re
from typing import Any

from bench.rounds import ratios
from bench.targets import LABELS, PER_REQUEST, denominator, median_run, median_stack_run, rps

STUDY_PAGE50_KB = 46


def _cpu_budget(summary: dict[str, Any]) -> str | None:
    e = summary["engines"].get("pg")
    run = median_run(e, 50) if e else None
    if not e or run is None or run["server_cpu_ms"] is None:
        return None
    others = (run["db_cpu_ms"] or 0) + run["loadgen_cpu_ms"]
    total = run["server_cpu_ms"] + others
    cores = summary["machine"]["cores"]
    floor = e["floors"]["50"]["p1"]["rps"]
    budget = 1000 * cores / (0.85 * floor) - others
    biggest = "the API server" if run["server_cpu_ms"] >= others else "PostgreSQL"
    return (
        f"**CPU per request sets the throughput; the largest share goes to {biggest}.** At page "
        f"50 on PostgreSQL each request costs {run['server_cpu_ms']:.2f} ms of API-server CPU, "
        f"{run['db_cpu_ms']:.2f} ms of PostgreSQL CPU and {run['loadgen_cpu_ms']:.2f} ms of wrk "
        f"CPU: {total:.2f} ms in all, which caps {cores} cores at about "
        f"{1000 * cores / total:,.0f} req/s; the run measured {rps(e, 50):,.0f} req/s with "
        f"{run['machine_busy']:.0%} of the cores busy. To reach 85% of the floor "
        f"({0.85 * floor:,.0f} req/s, T1's good mark and what the project requires) on this "
        f"box, the API server could spend about {max(budget, 0):.2f} ms per request"
        + (
            f", {run['server_cpu_ms'] / max(budget, 1e-9):.1f}× less than it does."
            if run["server_cpu_ms"] > budget
            else "; it spends less."
        )
        + _preemption(e, run)
    )


def _preemption(e: dict[str, Any], run: dict[str, Any]) -> str:
    """Why a request costs the server more CPU under load than in-process, when measured."""
    server, db = run.get("server_switches"), run.get("db_switches")
    if not server or not db:
        return ""
    alone = e["inproc"]["pages"]["50"]["asgi"]["cpu_us"] / 1000
    return (
        f" Under load the server's workers were preempted {server[1]:.1f} times per request "
        f"(involuntary context switches; {server[0]:.2f} voluntary ones, so they hardly ever "
        f"waited), while the PostgreSQL backends went to sleep {db[0]:.1f} times per request, "
        "once per statement: each statement wakes a backend on the same cores, which takes "
        "the CPU from a worker, and the worker resumes with colder caches. That is part of "
        f"why a request costs {run['server_cpu_ms']:.2f} ms of server CPU under load against "
        f"{alone:.2f} ms in-process, one at a time."
    )


def _sqlite_budget(summary: dict[str, Any]) -> str | None:
    """SQLite runs inside the workers: the floor ratio is the app's share of a request."""
    e = summary["engines"].get("sqlite")
    run = median_run(e, 50) if e else None
    if not e or run is None or run["server_cpu_ms"] is None:
        return None
    floor = e["floors"]["50"]["p2"]
    server, client = run["server_cpu_ms"], floor["client_cpu_ms"]
    page = e["inproc"]["pages"]["50"]
    return (
        f"**SQLite: {rps(e, 50) / floor['rps']:.0%} of its floor; the app's own work costs "
        f"{server - client:.2f} ms per request beyond the queries.** SQLite runs inside each "
        "worker, so a page-50 "
        f"request's {server:.2f} ms of server CPU includes the queries; the floor's processes "
        f"spend {client:.2f} ms on the same statements, and the difference, "
        f"{server - client:.2f} ms, is the app's work around them. In-process, one request "
        f"costs {page['asgi']['cpu_us'] / 1000:.2f} ms through the whole app against "
        f"{page['statements']['cpu_us'] / 1000:.2f} ms for its statements alone. 55% of the "
        f"floor ({0.55 * floor['rps']:,.0f} req/s) would leave the app about "
        f"{client / 0.55 - client:.2f} ms per request beyond the queries: the cheaper the "
        "statements, the smaller that allowance, since the floor runs the very same ones (a "
        "change that makes them cheaper raises the endpoint's throughput and can lower this "
        "ratio at once). Latency follows "
        f"throughput: with {summary['settings']['connections']} connections in flight, "
        f"{rps(e, 50):,.0f} req/s means about "
        f"{1000 * summary['settings']['connections'] / rps(e, 50):.0f} ms per request on "
        f"average, and the p99 was {run['load']['p99_ms']:.0f} ms."
    )


def _floor_gap(summary: dict[str, Any]) -> str | None:
    e = summary["engines"].get("pg")
    if not e or median_run(e, 50) is None:
        return None
    floor, again = e["floors"]["50"]["p1"], e["floors"]["50"].get("p1-after")
    page = e["inproc"]["pages"]["50"]
    drift = (
        f" Read again after the HTTP runs, the same floor did {again['rps']:,.0f} req/s "
        f"({again['rps'] / floor['rps'] - 1:+.0%}), against which the endpoint reaches "
        f"{rps(e, 50) / again['rps']:.0%}."
        if again
        else ""
    )
    objects = page["service"]["cpu_us"] - page["statements"]["cpu_us"]
    return (
        f"**Against the DB floor.** Replaying the same {PER_REQUEST} statements in-process costs "
        f"{floor['client_cpu_ms']:.2f} ms of client CPU and {floor['db_cpu_ms']:.2f} ms of "
        f"PostgreSQL CPU per request and reaches {floor['rps']:,.0f} req/s; the endpoint reaches "
        f"{rps(e, 50) / floor['rps']:.0%} of that.{drift} The statements read each order's "
        "stored "
        "document (its fields and lines as JSON, `orders.document`) and only the columns a read "
        "still computes from, so the floor receives the same bytes the endpoint sends on. In-"
        f"process, one page-50 request through the whole app costs "
        f"{page['asgi']['cpu_us'] / 1000:.2f} ms of CPU, of which about {objects / 1000:.2f} ms "
        "is the service's own work beyond its statements (grouping the assets and invoices by "
        "order, each order's lifecycle and actions, and joining the stored documents of the "
        "orders, assets and invoices with them into the response body) and "
        f"{page['etag']['cpu_us'] / 1000:.2f} "
        "ms hashing the body; the rest is HTTP, routing and authentication. The "
        "floor does none of that work, which is where the gap comes from."
    )


def _stack_floor(summary: dict[str, Any]) -> str | None:
    """The endpoint against a server that does nothing but the same statements and bytes."""
    lines = []
    for name in ("pg", "sqlite"):
        e = summary["engines"].get(name)
        run = median_run(e, 50) if e else None
        stack = median_stack_run(e) if e else None
        floor = denominator(name, e, 50) if e else None
        if not e or run is None or not stack or not floor or run["server_cpu_ms"] is None:
            continue
        own = run["server_cpu_ms"] - stack["server_cpu_ms"]
        goal = 0.85 if name == "pg" else 0.55
        lines.append(
            f"On {LABELS[name]} it did {stack['load']['rps']:,.0f} req/s, "
            f"{stack['load']['rps'] / floor:.0%} of the DB floor, at "
            f"{stack['server_cpu_ms']:.2f} ms of server CPU per request; the endpoint did "
            f"{rps(e, 50):,.0f} req/s ({rps(e, 50) / stack['load']['rps']:.0%} of the stack "
            f"floor) at {run['server_cpu_ms']:.2f} ms, so the application's own work (routing, "
            f"authentication, validation, assembly) costs about {own:.2f} ms per request under "
            f"load. {goal:.0%} of the DB floor needs {goal * floor:,.0f} req/s"
            + (
                ", which the stack alone cannot reach here."
                if stack["load"]["rps"] < goal * floor
                else "."
            )
            + _framework_floor(e, stack, floor, goal)
        )
    if not lines:
        return None
    return (
        "**Against the stack floor.** A bare ASGI app under the same granian configuration "
        "that runs the same recorded statements per request through the same driver and "
        "answers a body of the same size (`bench/stack.py`: no routing, authentication, "
        "validation or assembly) shows what any application on this stack could do on this "
        "machine, with wrk and the database on the same cores. " + " ".join(lines)
    )


def _framework_floor(e: dict[str, Any], stack: dict[str, Any], floor: float, goal: float) -> str:
    """What Litestar alone, around the stack floor's work, leaves of the DB floor."""
    framework = median_stack_run(e, "framework_floor")
    if not framework:
        return ""
    done = framework["load"]["rps"]
    cost = framework["server_cpu_ms"] - stack["server_cpu_ms"]
    return (
        f" The same work as one Litestar route (the framework floor, nothing of the API "
        f"around it) did {done:,.0f} req/s, {done / floor:.0%} of the DB floor, at "
        f"{framework['server_cpu_ms']:.2f} ms of server CPU ({cost:+.2f} ms against the bare "
        "ASGI app)"
        + (
            f": below {goal:.0%} before the API does any work of its own."
            if done < goal * floor
            else "."
        )
    )


def _rounds(summary: dict[str, Any]) -> str | None:
    """The paired rounds, read against the targets."""
    e = summary["engines"].get("pg") or {}
    rounds = e.get("rounds") or []
    if not rounds:
        return None
    medians = ratios(rounds)
    floors = [r["floor_rps"] for r in rounds]
    return (
        f"**Paired rounds.** In {len(rounds)} rounds, each running the DB floor, the stack "
        "floor, the framework floor and the endpoint seconds apart (the DB floor read "
        f"{min(floors):,.0f} to {max(floors):,.0f} req/s across them), the median ratios to "
        f"the round's DB floor were: bare ASGI stack {medians['stack']:.0%}, the same work as "
        f"a Litestar route {medians['framework']:.0%}, the endpoint {medians['endpoint']:.0%}. "
        + (
            "T1's 85% is above what Litestar reaches with none of the API's work in it, so no "
            "application on this framework meets it on this machine."
            if medians["framework"] < 0.85
            else f"T1's 85% leaves the API's own work {medians['framework'] - 0.85:.0%} of "
            "the DB floor's throughput on this machine."
        )
    )


def _floor_limits(summary: dict[str, Any]) -> str | None:
    """What the floors imply for the absolute targets (T3, T5) on this machine."""
    e = summary["engines"].get("pg")
    run = median_run(e, 50) if e else None
    if not e or run is None or "50" not in e["floors"]:
        return None
    floor, clients = e["floors"]["50"]["p1"], summary["settings"]["connections"]
    return (
        "**The absolute targets against the floors.** T3 asks for a p50 of at most 40 ms with "
        f"{clients} connections, which by Little's law needs at least {clients / 0.040:,.0f} "
        f"req/s: the DB floor does {floor['rps']:,.0f} req/s (about "
        f"{1000 * clients / floor['rps']:.0f} ms per request in flight), the endpoint "
        f"{rps(e, 50):,.0f} req/s with a p50 of {run['load']['p50_ms']:.1f} ms. T5 asks for "
        "at most 1.5 ms of API-server CPU per page-50 request; the floor's client alone, "
        "receiving and decoding the same rows with the same driver, spends "
        f"{floor['client_cpu_ms']:.2f} ms, the server {run['server_cpu_ms']:.2f} ms."
    )


def _payload(summary: dict[str, Any]) -> str | None:
    e = summary["engines"].get("pg") or next(iter(summary["engines"].values()), None)
    if not e:
        return None
    kb = {k: v / 1024 for k, v in e["statements"]["body_bytes"].items()}
    return (
        f"**The responses are about {kb['50'] / STUDY_PAGE50_KB:.0f}× larger than the study's.** "
        f"A page of 50 is {kb['50']:,.0f} KB here ({kb['10']:,.0f} KB at 10, {kb['200']:,.0f} KB "
        f"at 200) against {STUDY_PAGE50_KB} KB in the study, because every order carries the "
        "Nue-shaped fields (money as decimals, lifecycle, actions, order products, and every "
        "asset and invoice with their own fields). The study's absolute CPU targets (T5) and "
        "its page-size ratios (T7) assume the smaller objects; the floor ratios (T1, T2) do "
        "not, since the floor fetches the same rows."
    )


def _sqlite_stats(summary: dict[str, Any]) -> str | None:
    engines = summary["engines"]
    tuned, raw = engines.get("sqlite"), engines.get("sqlite-nostats")
    if not raw or not tuned:
        return None
    plans = {p["name"]: p["text"] for p in tuned["plans"]}
    # The key lookup reads a table of a few rows, which SQLite scans whatever it knows.
    data = [p for p in raw["plans"] if p["name"] != "api key"]
    if all(plans.get(p["name"]) == p["text"] for p in data):
        return _sqlite_same_plans(tuned, raw)
    slow, fast = raw["inproc"]["pages"]["50"], tuned["inproc"]["pages"]["50"]
    page = next(p for p in raw["plans"] if p["name"] == "page")
    tenant_scan = "tenant_id=?)" in page["text"]
    version = summary["machine"]["sqlite"]
    return (
        "**SQLite depends on planner statistics, and nothing gathers them after the seed.** "
        "Without `sqlite_stat1` SQLite prefers the `(tenant_id, …)` indexes over `customer_id` "
        "and `order_id`"
        + (" (see the no-statistics plans below)" if tenant_scan else "")
        + ", and with one tenant that reads every row of the tenant: the "
        f"{PER_REQUEST} statements of one page-50 request take "
        f"{slow['statements']['wall_us'] / 1000:,.1f} ms without "
        f"statistics against {fast['statements']['wall_us'] / 1000:,.2f} ms with them; the "
        f"endpoint does {rps(raw, 50):,.1f} against {rps(tuned, 50):,.0f} req/s. `selfserve "
        "seed` now ends with `ANALYZE`, but a database filled through the API never gets "
        "one, and the `PRAGMA optimize=0x10002` the app runs when it opens a connection did "
        f"not add any here (SQLite {version}: optimize considers only tables the connection "
        "has already queried; checking every table at open needs SQLite 3.46). The floor "
        "ratio (T2) hides all this, because the floor runs the same slow plans."
    )


def _sqlite_same_plans(tuned: dict[str, Any], raw: dict[str, Any]) -> str:
    floors = (tuned["floors"]["50"]["p2"]["rps"], raw["floors"]["50"]["p2"]["rps"])
    spread = abs(floors[0] - floors[1]) / min(floors)
    return (
        "**SQLite plans the same with and without statistics.** A database that never saw "
        "`ANALYZE` (one filled through the API rather than by the seed) gets exactly the plans "
        "of the analysed one for every statement that reads orders and their related rows "
        "(both sets below): the indexes "
        "`(customer_id, tenant_id)` for the total and `(order_id, asset_number)` for the "
        "assets leave the planner no worse choice, where it used to read every order of the "
        "tenant. The two SQLite rows therefore measure the same plans, and the gap between "
        f"them ({rps(tuned, 50):,.0f} against {rps(raw, 50):,.0f} req/s) is this machine's "
        "drift between runs, not the planner: the DB floors, which run the same statements "
        f"without a server, differ by {spread:.0%} between the two runs as well "
        f"({floors[0]:,.0f} and {floors[1]:,.0f} req/s, 2 processes)."
    )


def _round_trips(summary: dict[str, Any]) -> str | None:
    e = summary["engines"].get("pg")
    if not e or not e.get("round_trips"):
        return None
    a, per_request = e["inproc"]["auth"], e["round_trips"]["per_request"]
    extra = per_request - 5
    head = (
        f"**{extra:.0f} extra round trips per request on PostgreSQL.** "
        if extra >= 0.5
        else "**No hidden round trips on PostgreSQL.** "
    )
    wire = (
        "so nothing else (no pool reset, no session setup) goes over the wire"
        if extra < 0.5
        else "asyncpg's reset of a connection returned to the pool is one more each time"
    )
    return head + (
        f"PostgreSQL counted {per_request:.2f} transactions per request for the {PER_REQUEST} "
        "statements "
        f"of the counting run, {wire}. "
        f"Authentication is cheap: `authenticate_api_key` takes {a['service']['wall_us']:.0f} µs "
        f"on a held connection, of which the key lookup's round trip is about "
        f"{a['sql']['wall_us']:.0f} µs and the Python part (key parsing, SHA-256, "
        f"constant-time compare) {a['python']['wall_us']:.1f} µs; a separate pool checkout "
        f"and release around it adds {a['guard']['wall_us'] - a['service']['wall_us']:.0f} µs."
    )


def _sort(summary: dict[str, Any]) -> str | None:
    e = summary["engines"].get("pg")
    if not e:
        return None
    page = next((p for p in e["plans"] if p["name"] == "page" and p["mode"] == "custom"), None)
    if page is None or not page["has_sort"]:
        return None
    m = re.search(r"on orders o .*?rows=(\d+) .*?actual time=\S+ rows=(\d+)", page["text"])
    estimate = f" (it estimates {m[1]} rows for a customer that has {m[2]})" if m else ""
    return (
        "**T14 fails: the single-customer page is sorted, not read in index order.** The "
        f"planner chose a bitmap scan on a `customer_id` index plus a top-N sort{estimate}, "
        "instead of walking `ix_orders_customer_created` backwards and stopping after "
        f"`limit + 1` rows. The statement still runs in {page['execution_ms']:.2f} ms here, "
        "so the cost is small at 500 orders per customer, but it grows with the customer's "
        "order count, and the count subquery reads all of them anyway."
    )


def _memory(summary: dict[str, Any]) -> str | None:
    e = summary["engines"].get("sqlite")
    run = median_run(e, 50) if e else None
    if not e or run is None or not run.get("worker_uss_mb"):
        return None
    rss, uss = max(run["worker_rss_mb"]), max(run["worker_uss_mb"])
    pg = summary["engines"].get("pg")
    pg_run = median_run(pg, 50) if pg else None
    pg_part = f" (PostgreSQL workers: {max(pg_run['worker_rss_mb']):.0f} MB)" if pg_run else ""
    return (
        f"**SQLite workers look big in RSS because of the memory-mapped file.** A SQLite worker "
        f"shows {rss:.0f} MB RSS after load{pg_part}, of which {uss:.0f} MB is private "
        "(USS); the rest is pages of the database file mapped with `mmap_size=256MB` and "
        "shared with the page cache. The study's 85–88 MB came from a 117 MB file; this one is "
        f"{summary['machine'].get('sqlite_file_mb', '?')} MB, so the 256 MB window fills. T12 "
        "counts RSS and fails; on private memory it would pass."
    )


def _health(summary: dict[str, Any]) -> str | None:
    e, hello = summary["engines"].get("pg"), summary["hello"]
    if not e:
        return None
    h = e["http"]["health"]
    return (
        f"**T10: `/health` answers from memory.** It answers "
        f"{h['load']['rps']:,.0f} req/s on PostgreSQL against {hello['load']['rps']:,.0f} for "
        f"the bare hello, {h['load']['rps'] / hello['load']['rps']:.0%} "
        f"({h['server_cpu_ms'] * 1000:.0f} against "
        f"{hello['server_cpu_ms'] * 1000:.0f} µs of server CPU per request): it reports the last "
        "background database check instead of querying, and a plain `GET /health` is answered "
        "before the framework, inside the request-id and security-header layers."
    )


def _noise(summary: dict[str, Any]) -> str:
    others = [
        r["other_cpu_share"]
        for e in summary["engines"].values()
        for rs in e["http"]["orders"].values()
        for r in rs
    ]
    worst = max(others, default=0.0)
    return (
        f"**Noise.** {summary.get('background_busy', 0):.0%} of the cores were busy in the "
        f"3 s before the run; during the measured runs, processes other than the server, "
        f"PostgreSQL and wrk used up to {worst:.0%} of the machine. Repeated runs of one "
        "configuration (the page-50 table) show the spread; as in the study, differences "
        "below 10–15% are not meaningful."
    )


def _data_size(summary: dict[str, Any]) -> str | None:
    t8 = summary.get("data_size")
    if not t8 or "layout" not in t8:
        return None
    small, large = t8["layout"]["1x"], t8["layout"]["10x"]
    big = summary["engines"].get("pg", {}).get("dataset", {}).get("big_customers", 100)
    touched = {k: v["pages_per_customer"] * big * 8192 / 2**20 for k, v in t8["layout"].items()}
    spread = large["pages_per_customer"] > 1.1 * small["pages_per_customer"]
    fits = touched["10x"] < _megabytes(large["shared_buffers"])
    ratio = t8["ratio"]
    speed = f"{abs(1 - ratio):.0%} {'slower' if ratio < 1 else 'faster'}"
    return (
        f"**T8: the 10× dataset answers {speed} than the 1× one"
        + ("; its rows are spread over more pages.** " if spread else ".** ")
        + f"Both datasets hold the same {big} big customers; one big customer's orders lie "
        f"on {large['pages_per_customer']:.0f} heap pages on average at 10× and "
        f"{small['pages_per_customer']:.0f} at 1×"
        + (
            ": at 10× they sit among ten times as many other orders, so the same page of 50 "
            "orders touches more pages. "
            if spread
            else ". "
        )
        + f"The runs spread over about {touched['10x']:,.0f} MB of order pages at 10× "
        f"({touched['1x']:,.0f} MB at 1×) against PostgreSQL's shared_buffers of "
        f"{large['shared_buffers']}, "
        + (
            "so they all stay in PostgreSQL's own buffers."
            if fits
            else "so more of them are likely copied in from the operating system's cache on "
            "each request."
        )
        + " The statements and the indexes they use are the same on both."
    )


def _megabytes(setting: str) -> float:
    """A PostgreSQL memory setting as SHOW prints it (``128MB``, ``1GB``, ``8192kB``)."""
    units = {"kB": 1 / 1024, "MB": 1.0, "GB": 1024.0, "TB": 1024.0**2}
    for unit, factor in units.items():
        if setting.endswith(unit):
            return float(setting[: -len(unit)]) * factor
    return float(setting) * 8 / 1024  # a bare number counts 8 kB pages


def paragraphs(summary: dict[str, Any]) -> list[str]:
    found = [
        _cpu_budget(summary),
        _floor_gap(summary),
        _sqlite_budget(summary),
        _stack_floor(summary),
        _rounds(summary),
        _floor_limits(summary),
        _payload(summary),
        _round_trips(summary),
        _sort(summary),
        _data_size(summary),
        _sqlite_stats(summary),
        _memory(summary),
        _health(summary),
        _noise(summary),
    ]
    return [p for p in found if p]
