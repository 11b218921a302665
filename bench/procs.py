"""Starting, watching and stopping the processes the benchmark launches (always by PID)."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from bench.common import HOST, RAW, log


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def stop(proc: subprocess.Popen[Any], name: str, grace: float = 10.0) -> None:
    """SIGTERM the process, wait, then SIGKILL it and every descendant still alive."""
    try:
        family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log(f"{name} (pid {proc.pid}) ignored SIGTERM for {grace:.0f} s: SIGKILL")
    _, alive = psutil.wait_procs(family, timeout=2)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=5)


@contextlib.contextmanager
def launched(
    argv: list[str], name: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Iterator[subprocess.Popen[Any]]:
    """Runs ``argv`` (output to ``bench/results/raw/<name>.log``) and always stops it afterwards.

    The server gets a session of its own, as a service manager would give it. Linux's
    scheduler shares the CPU between sessions first (autogroups): a server in the harness's
    session would share one slice with wrk, and wrk, starved by the server it measures, would
    read answers late and report a p99 two to three times the one it reports otherwise.
    """
    RAW.mkdir(parents=True, exist_ok=True)
    with (RAW / f"{name}.log").open("w") as out:
        proc = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )
        try:
            yield proc
        finally:
            stop(proc, name)


def wait_http(url: str, proc: subprocess.Popen[Any], timeout: float = 60.0) -> None:
    """Polls ``url`` until it answers 200; fails early when the server process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s")


def tree(pid: int) -> list[Any]:
    """The process and all its descendants (psutil.Process objects)."""
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def cpu_seconds(procs: list[Any]) -> dict[int, float]:
    """User + system CPU seconds of each of ``procs`` so far, by PID (vanished ones left out)."""
    out: dict[int, float] = {}
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            times = proc.cpu_times()
            out[proc.pid] = times.user + times.system
    return out


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two ``cpu_seconds`` readings by the processes in both: one
    that exited in between (a backend closing a connection of an earlier step) would
    otherwise count its whole lifetime against the interval."""
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


def switches(procs: list[Any]) -> dict[int, tuple[int, int]]:
    """(voluntary, involuntary) context switches of each of ``procs`` so far, by PID: a
    voluntary one waits (for a socket, say), an involuntary one was preempted."""
    out: dict[int, tuple[int, int]] = {}
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            counts = proc.num_ctx_switches()
            out[proc.pid] = (counts.voluntary, counts.involuntary)
    return out


def switches_per(
    before: dict[int, tuple[int, int]], after: dict[int, tuple[int, int]], requests: int
) -> list[float] | None:
    """[voluntary, involuntary] switches per request between two readings, over the
    processes in both."""
    if not requests:
        return None
    both = before.keys() & after.keys()
    return [sum(after[p][i] - before[p][i] for p in both) / requests for i in (0, 1)]


def postgres_procs(database: str | None = None) -> list[Any]:
    """PostgreSQL server processes: the backends connected to ``database`` when given (their
    title reads ``postgres: <cluster>: <user> <database> <client> <state>``), else all."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        if not (proc.info.get("name") or "").startswith("postgres"):
            continue
        title = " ".join(proc.info.get("cmdline") or [])
        if database is None or f" {database} " in title:
            found.append(proc)
    return found


@dataclass(frozen=True, slots=True)
class Worker:
    pid: int
    rss_mb: float
    uss_mb: float  # private memory: RSS without shared pages (mmap'd files, shared libraries)


def workers(pid: int) -> list[Worker]:
    """Memory of each worker process under the server's main process."""
    out = []
    for child in psutil.Process(pid).children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            info = child.memory_full_info()
            out.append(Worker(child.pid, info.rss / 2**20, info.uss / 2**20))
    return out


def main_rss_mb(pid: int) -> float:
    return float(psutil.Process(pid).memory_info().rss) / 2**20


_QUIET = {"wait_s": 0.0}


def set_quiet_wait(seconds: float) -> None:
    """Before each measurement, wait up to ``seconds`` for other processes to go quiet."""
    _QUIET["wait_s"] = seconds


def wait_quiet(threshold: float = 0.15) -> float:
    """Waits (up to the configured time) until under ``threshold`` of all cores are busy for
    one second; returns the last reading. With no wait configured, returns at once."""
    deadline = time.monotonic() + _QUIET["wait_s"]
    busy = 0.0
    announced = False
    while _QUIET["wait_s"] > 0:
        busy = psutil.cpu_percent(interval=1.0) / 100
        if busy < threshold or time.monotonic() >= deadline:
            break
        if not announced:
            log(f"waiting for the machine to go quiet ({busy:.0%} busy)")
            announced = True
    return busy
