"""A small keep-alive HTTP/1.1 load generator, used ONLY when ``wrk`` is not installed.

It reads the same ``BENCH_*`` environment variables as ``load.lua`` and prints the same
``BENCH_JSON`` line. It is written in Python, so it competes harder with the server for the
CPU than wrk does: numbers measured with it are labelled and are not comparable with wrk's.

``python -m bench.pyload URL --connections 32 --duration 10 --timeout 5``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(slots=True)
class Tally:
    latencies_us: list[int] = field(default_factory=list)
    bytes: int = 0
    status_errors: int = 0
    read_errors: int = 0
    timeouts: int = 0
    connect_errors: int = 0


def _paths(default_path: str, count: int) -> list[str]:
    """Request paths: random customers as in ``load.lua``, or the fixed path."""
    ids_file = os.environ.get("BENCH_IDS_FILE")
    if not ids_file:
        return [default_path]
    with open(ids_file) as f:
        ids = [line.strip() for line in f if line.strip()]
    limit = os.environ.get("BENCH_LIMIT", "50")
    includes = os.environ.get("BENCH_INCLUDES", "assets,invoices")
    rng = random.Random(42)
    return [
        f"/orders?customerIds=%5B%22{rng.choice(ids)}%22%5D&includes={includes}&limit={limit}"
        for _ in range(count)
    ]


async def _one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, req: bytes) -> int:
    """Sends one request and reads the whole response; returns its size in bytes."""
    writer.write(req)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    if status >= 400:
        raise _StatusError(len(head) + length)
    return len(head) + length


class _StatusError(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


async def _client(
    host: str, port: int, reqs: list[bytes], stop: float, limit_s: float, tally: Tally, i: int
) -> None:
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        tally.connect_errors += 1
        return
    while time.monotonic() < stop:
        start = time.perf_counter_ns()
        try:
            size = await asyncio.wait_for(_one(reader, writer, reqs[i % len(reqs)]), limit_s)
            tally.bytes += size  # after the await: concurrent clients share the tally
        except _StatusError as exc:
            tally.status_errors += 1
            tally.bytes += exc.size
        except TimeoutError:
            tally.timeouts += 1
            break
        except (OSError, asyncio.IncompleteReadError):
            tally.read_errors += 1
            break
        tally.latencies_us.append((time.perf_counter_ns() - start) // 1000)
        i += 1
    writer.close()


def _pct(values: list[int], p: float) -> int:
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else 0


async def run(url: str, connections: int, duration: float, limit_s: float) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    headers = f"Host: {host}:{port}\r\n"
    if os.environ.get("BENCH_KEY"):
        headers += f"nue-api-key: {os.environ['BENCH_KEY']}\r\n"
    paths = _paths(parts.path or "/", 4096)
    reqs = [f"GET {p} HTTP/1.1\r\n{headers}\r\n".encode() for p in paths]
    tally, started = Tally(), time.monotonic()
    stop = started + duration
    await asyncio.gather(
        *(
            _client(host, port, reqs, stop, limit_s, tally, k * len(reqs) // connections)
            for k in range(connections)
        )
    )
    lat = sorted(tally.latencies_us)
    return {
        "requests": len(lat),
        "duration_us": int((time.monotonic() - started) * 1e6),
        "bytes": tally.bytes,
        "connect_errors": tally.connect_errors,
        "read_errors": tally.read_errors,
        "write_errors": 0,
        "status_errors": tally.status_errors,
        "timeouts": tally.timeouts,
        "p50_us": _pct(lat, 50),
        "p90_us": _pct(lat, 90),
        "p99_us": _pct(lat, 99),
        "max_us": lat[-1] if lat else 0,
        "mean_us": sum(lat) / len(lat) if lat else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    result = asyncio.run(run(args.url, args.connections, args.duration, args.timeout))
    print("BENCH_JSON " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
