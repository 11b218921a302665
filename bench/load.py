"""Drives a server with wrk (or, only when wrk is missing, with ``bench.pyload``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.common import CONNECTIONS, INCLUDES, RAW, ROOT, THREADS, TIMEOUT_S, log

LUA = ROOT / "bench" / "load.lua"
WRK_MISSING = (
    "wrk is not installed. Install it with `sudo apt-get install -y wrk` (Debian/Ubuntu) or "
    "`brew install wrk` (macOS). Falling back to the Python load generator (bench/pyload.py); "
    "its numbers are NOT comparable with wrk's."
)


@dataclass(frozen=True, slots=True)
class Target:
    """What to request: a fixed URL, or GET /orders for random customers of ``ids_file``."""

    base_url: str
    path: str = "/"
    ids_file: Path | None = None
    key: str = ""
    limit: int = 50
    includes: str = INCLUDES


@dataclass(frozen=True, slots=True)
class LoadResult:
    tool: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    bytes_per_request: float
    socket_errors: int
    non_2xx: int  # wrk counts responses with status >= 400

    @property
    def errors(self) -> int:
        return self.socket_errors + self.non_2xx


def tool() -> str:
    """``wrk`` when installed, else ``python`` (and a warning once)."""
    return "wrk" if shutil.which("wrk") else "python"


def _env(target: Target) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("BENCH_IDS_FILE", "BENCH_KEY", "BENCH_LIMIT", "BENCH_INCLUDES"):
        env.pop(name, None)
    if target.ids_file is not None:
        env["BENCH_IDS_FILE"] = str(target.ids_file)
        env["BENCH_LIMIT"] = str(target.limit)
        env["BENCH_INCLUDES"] = target.includes
    if target.key:
        env["BENCH_KEY"] = target.key
    env["PYTHONPATH"] = str(ROOT)
    return env


def _argv(which: str, url: str, seconds: int) -> list[str]:
    if which == "wrk":
        return [
            *("wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s"),
            *("--timeout", f"{TIMEOUT_S}s", "-s", str(LUA), url),
        ]
    return [
        *(sys.executable, "-m", "bench.pyload", url),
        *("--connections", str(CONNECTIONS), "--duration", str(seconds)),
        *("--timeout", str(TIMEOUT_S)),
    ]


def drive(target: Target, seconds: int, label: str) -> LoadResult:
    """One bounded load run; raw output saved as ``bench/results/<label>.txt``."""
    which = tool()
    url = target.base_url + target.path
    done = subprocess.run(  # bounded: the tool stops itself; timeout is a safety net
        _argv(which, url, seconds),
        env=_env(target),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=seconds + TIMEOUT_S + 30,
        check=False,
    )
    RAW.mkdir(parents=True, exist_ok=True)
    (RAW / f"{label}.txt").write_text(done.stdout + done.stderr)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"{which} failed ({done.returncode}): {done.stderr[-2000:]}")
    raw = json.loads(line.split(" ", 1)[1])
    return _result(which, raw)


def _result(which: str, raw: dict[str, float]) -> LoadResult:
    requests = int(raw["requests"])
    seconds = raw["duration_us"] / 1e6
    return LoadResult(
        tool=which,
        requests=requests,
        seconds=seconds,
        rps=requests / seconds if seconds else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        mean_ms=raw["mean_us"] / 1000,
        bytes_per_request=raw["bytes"] / requests if requests else 0.0,
        socket_errors=int(
            raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
        ),
        non_2xx=int(raw["status_errors"]),
    )


def warn_if_missing() -> None:
    if tool() != "wrk":
        log(WRK_MISSING)
