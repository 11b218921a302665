"""Where the API-server CPU of one request goes: cProfile over in-process ASGI calls.

Requests run one at a time; the time the event loop spends waiting for the database is left
out. Each function's own time goes to a package by its file (or, for C built-ins, by its
name). cProfile slows small Python calls down more than C code, so the shares are a guide to
where the time goes, not exact costs.
"""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Awaitable, Callable
from typing import Any

PACKAGES = (
    ("selfserve", "app code (selfserve)"),
    ("litestar", "Litestar"),
    ("asyncpg", "asyncpg"),
    ("msgspec", "msgspec"),
    ("decimal", "decimal"),
    ("zoneinfo", "zoneinfo"),
    ("sqlite3", "sqlite3"),
)


# The event loop's own frames: with one request at a time, their time is the wait for the
# database (and the profiler cannot see inside them anyway).
_WAITING = ("run_until_complete", "run_forever", "'poll' of", "'select' of")


def _package(path: str, name: str) -> str:
    for needle, label in PACKAGES:
        if f"/{needle}/" in path or f"{needle}." in name or f"'{needle}" in name:
            return label
    return "C built-ins" if path == "~" else "other Python (stdlib, anyio, …)"


def _short(path: str, line: int, name: str) -> str:
    if path == "~":
        return name
    for marker in ("/site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{line} {name}"


async def profile(call: Callable[[], Awaitable[Any]], n: int = 30, top: int = 12) -> Any:
    """CPU per request by package and the ``top`` functions by own CPU time."""
    for _ in range(5):
        await call()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        await call()
    profiler.disable()
    raw: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    raw = {k: v for k, v in raw.items() if not any(loop in k[2] for loop in _WAITING)}
    total = sum(entry[2] for entry in raw.values()) or 1e-12
    packages: dict[str, float] = {}
    functions = []
    for (path, line, name), (_, calls, own, _, _) in raw.items():
        label = _package(path, name)
        packages[label] = packages.get(label, 0.0) + own
        functions.append((own, calls, _short(path, line, name)))
    functions.sort(reverse=True)
    return {
        "requests": n,
        "cpu_ms_per_request": 1000 * total / n,
        "packages": {k: v / total for k, v in sorted(packages.items(), key=lambda kv: -kv[1])},
        "functions": [
            {"function": f, "calls_per_request": c / n, "share": own / total}
            for own, c, f in functions[:top]
        ],
    }
