"""Paths, settings and small helpers shared by the benchmark modules."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"  # summary.json (small, meant to be kept)
RAW = RESULTS / "raw"  # everything else the harness writes (ignored by git)
DOC = ROOT / "docs" / "performance.md"
HOST = "127.0.0.1"
TENANT = "bench"
AS_OF = "2026-11-27"
SEED = 42
LIMITS = (10, 50, 200)
INCLUDES = "assets,invoices"
CONNECTIONS = 32
THREADS = 2
WORKERS = 2
WARMUP_S = 2
TIMEOUT_S = 5

# The app limits each API key to 50 requests/s by default. One key drives the whole load
# here, so the limit is lifted: the benchmark measures the endpoint, not the limiter's 429s.
APP_SETTINGS: dict[str, Any] = {
    "rate_limit_key_per_second": 1e9,
    "rate_limit_key_burst": 1_000_000_000,
}

_T0 = time.monotonic()
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    """One engine's benchmark dataset."""

    engine: str  # "pg" | "sqlite"
    url: str
    customers: int
    orders: int
    big_customers: int = 100
    big_customer_orders: int = 500


def log(message: str) -> None:
    """Progress on stderr, with the seconds since the harness started."""
    print(f"[bench {time.monotonic() - _T0:7.1f}s] {message}", file=sys.stderr, flush=True)


def env_for(url: str) -> dict[str, str]:
    """The environment of a ``selfserve`` child process using the database at ``url``."""
    env = dict(os.environ)
    env["SELFSERVE_DATABASE_URL"] = url
    env.setdefault("SELFSERVE_LOG_LEVEL", "WARNING")
    for name, value in APP_SETTINGS.items():
        env[f"SELFSERVE_{name.upper()}"] = str(value)
    env["PYTHONPATH"] = str(ROOT)
    return env


def selfserve(url: str, *args: str, timeout: float = 3600) -> str:
    """Runs ``selfserve ARGS`` against ``url``; its stdout, or an error with its stderr."""
    done = subprocess.run(  # bounded by ``timeout``
        [str(BIN / "selfserve"), *args],
        env=env_for(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"selfserve {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return done.stdout


def save_json(name: str, data: Any, directory: Path = RAW) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def load_json(path: Path) -> Any:
    return json.loads(path.read_text())


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Runs ``coro`` on uvloop (the loop the server uses) when available."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency off Windows
        return asyncio.run(coro)
    return uvloop.run(coro)
