"""Paired rounds on PostgreSQL at page 50: the DB floor, the bare ASGI stack floor, the
framework floor (``bench.stack``) and the endpoint, one after another, ``--rounds`` times.

A shared machine's speed can drift by more than the differences between these four within
minutes, so the main runs, taken in blocks, can set a floor measured in a fast minute against
an endpoint measured in a slow one.
Within a round the four runs are seconds apart; each round's ratios are read against its own
DB floor, and the report gives their medians.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from statistics import median
from typing import Any

from bench.common import RAW, log
from bench.dataset import Dataset
from bench.floors import run_floor
from bench.httprun import app_server, measure, stack_server
from bench.load import Target

SERVERS = ("stack", "framework", "endpoint")


def paired_rounds(
    name: str,
    ds: Dataset,
    key: str,
    statements: Path,
    body_bytes: int,
    args: argparse.Namespace,
) -> list[dict[str, Any]]:
    """``args.rounds`` rounds; each: the DB floor's req/s, then each server's req/s and
    server CPU per request. The three servers run throughout, idle outside their runs."""
    url = ds.spec.url
    pg_db = url.rpartition("/")[2]
    ids_file = RAW / f"{name}-customers.txt"
    stack_args = (url, statements, body_bytes)
    rounds: list[dict[str, Any]] = []
    with (
        stack_server(*stack_args, f"{name}-round-stack-server") as stack,
        stack_server(*stack_args, f"{name}-round-framework-server", True) as framework,
        app_server(url, f"{name}-round-endpoint-server") as endpoint,
    ):
        servers = dict(zip(SERVERS, (stack, framework, endpoint), strict=True))
        for i in range(args.rounds):
            floor = run_floor("pg", url, statements, args.duration)
            entry: dict[str, Any] = {"floor_rps": floor["rps"]}
            for kind, (pid, base) in servers.items():
                target = Target(base, ids_file=ids_file, key=key, limit=50)
                run = measure(target, args.duration, f"{name}-round-{i}-{kind}", pid, pg_db)
                errors = run.load.errors  # socket errors, timeouts and responses >= 400
                entry[kind] = {"rps": run.load.rps, "cpu_ms": run.server_cpu_ms, "errors": errors}
            rounds.append(entry)
            log(f"{name} round {i}: " + _progress(entry))
    return rounds


def _progress(entry: dict[str, Any]) -> str:
    floor = entry["floor_rps"]
    parts = [f"DB floor {floor:,.0f}/s"]
    parts += [f"{kind} {entry[kind]['rps'] / floor:.0%}" for kind in SERVERS]
    return ", ".join(parts)


def ratios(rounds: list[dict[str, Any]]) -> dict[str, float]:
    """Each server's median, over the rounds, of its req/s over its round's DB floor."""
    return {kind: median(r[kind]["rps"] / r["floor_rps"] for r in rounds) for kind in SERVERS}
