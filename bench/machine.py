"""What the benchmark ran on: CPU, memory, kernel, Python, packages, database versions."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg

from bench.common import ROOT, run_async

PACKAGES = (
    "selfserve",
    "litestar",
    "msgspec",
    "granian",
    "uvloop",
    "asyncpg",
    "psutil",
    "httpx",
)


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return 0.0


def wrk_version() -> str:
    try:
        done = subprocess.run(  # bounded, local binary
            ["wrk", "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except FileNotFoundError:
        return "not installed"
    return (done.stdout + done.stderr).splitlines()[0].strip()


def _os_release() -> str:
    path = Path("/etc/os-release")
    if not path.exists():
        return platform.platform()
    for line in path.read_text().splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip('"')
    return platform.platform()


async def _pg_settings(url: str) -> dict[str, str]:
    conn = await asyncpg.connect(url)
    try:
        out = {"version": str(await conn.fetchval("SHOW server_version"))}
        for name in ("shared_buffers", "max_connections", "work_mem", "jit"):
            out[name] = str(await conn.fetchval(f"SHOW {name}"))
        out["database size"] = str(
            await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
        )
    finally:
        await conn.close()
    return out


def revision() -> str:
    """The commit measured, and how many files differed from it."""

    def git(*args: str) -> str:
        done = subprocess.run(  # bounded, local repository
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
        )
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    status = git("status", "--porcelain", "--", "src", "migrations", "pyproject.toml")
    changed = [line for line in status.splitlines() if line.strip()]
    return f"{commit} with {len(changed)} uncommitted changes in src/" if changed else commit


def describe(pg_url: str | None, sqlite_file: Path | None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "revision": revision(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(memory_gib(), 1),
        "os": _os_release(),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "packages": {p: _version(p) for p in PACKAGES},
        "sqlite": sqlite3.sqlite_version,
        "wrk": wrk_version(),
    }
    if pg_url:
        info["postgresql"] = run_async(_pg_settings(pg_url))
    if sqlite_file and sqlite_file.exists():
        info["sqlite_file_mb"] = round(sqlite_file.stat().st_size / 2**20)
    return info


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"
