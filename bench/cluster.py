"""The benchmark's own PostgreSQL cluster, set up as the performance study's was.

The study measured on a private cluster with ``shared_buffers=512MB``, so that the
benchmark's working set (about 400 MB of order, asset and invoice pages for the big
customers) sits in PostgreSQL's own buffers. A distribution's default server has 128 MB:
every request then copies pages in from the operating system's cache, which costs
PostgreSQL CPU that has nothing to do with the API, and more on the 10× dataset than on
the 1× one. So ``make bench`` starts its own cluster under ``data/pg`` (kept between runs
with its datasets) on port 5433 and stops it afterwards. ``--pg-admin-url`` measures
another server instead.

Durability settings are off (``fsync``, ``synchronous_commit``, ``full_page_writes``): the
cluster holds nothing but generated data, the measured requests only read, and loading the
1,000,000-order dataset gets faster.

    python -m bench.cluster start|stop|status
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bench.common import HOST, ROOT, log

DATA = ROOT / "data" / "pg"
PORT = 5433
ADMIN_URL = f"postgresql://postgres@{HOST}:{PORT}/postgres"
SETTINGS = {
    "listen_addresses": HOST,
    "port": str(PORT),
    "unix_socket_directories": "''",  # TCP only: no socket file to collide with another server
    "shared_buffers": "512MB",
    "max_connections": "200",
    "maintenance_work_mem": "512MB",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}
_OWNER = "postgres"  # initdb refuses to run as root; the cluster then belongs to this user


def bindir() -> Path:
    """Where initdb and pg_ctl live: ``pg_config --bindir``, else Debian's newest version."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = Path(subprocess.check_output([pg_config, "--bindir"], text=True).strip())
        if (found / "initdb").exists():
            return found
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_major)
    if debian:
        return debian[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise SystemExit(
        "bench: PostgreSQL's server programs (initdb, pg_ctl) are not installed. Install "
        "them (Debian: apt-get install postgresql) or measure another server with "
        "--pg-admin-url postgresql://USER@HOST:PORT/DB."
    )


def _major(path: Path) -> int:
    name = path.parent.parent.name
    return int(name) if name.isdigit() else 0


def _as_owner(argv: list[str]) -> list[str]:
    return ["runuser", "-u", _OWNER, "--", *argv] if os.geteuid() == 0 else argv


def _pg_ctl(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    argv = _as_owner([str(bindir() / "pg_ctl"), "-D", str(DATA), *args])
    return subprocess.run(argv, check=check, capture_output=True, text=True)


def _init() -> None:
    log(f"creating the benchmark's PostgreSQL cluster in {DATA}")
    DATA.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(DATA, _OWNER, _OWNER)
    argv = [str(bindir() / "initdb"), "-D", str(DATA), "-A", "trust", "-U", "postgres"]
    subprocess.run(_as_owner([*argv, "--no-sync"]), check=True, capture_output=True)


def running() -> bool:
    return DATA.joinpath("PG_VERSION").exists() and _pg_ctl("status", check=False).returncode == 0


def start() -> None:
    if not DATA.joinpath("PG_VERSION").exists():
        _init()
    options = " ".join(f"-c {name}={value}" for name, value in SETTINGS.items())
    log(f"starting the benchmark's PostgreSQL cluster on {HOST}:{PORT}")
    _pg_ctl("-w", "-l", str(DATA / "server.log"), "-o", options, "start")


def stop() -> None:
    _pg_ctl("-w", "-m", "fast", "stop")
    log("stopped the benchmark's PostgreSQL cluster")


@contextlib.contextmanager
def serving() -> Iterator[str]:
    """The cluster's admin URL, started for the block if it was not running; a cluster
    someone else started is left running."""
    started = not running()
    if started:
        start()
    try:
        yield ADMIN_URL
    finally:
        if started:
            stop()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    if command == "start" and not running():
        start()
    elif command == "stop" and running():
        stop()
    print(f"{'running' if running() else 'stopped'}: {ADMIN_URL} ({DATA})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
