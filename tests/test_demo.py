"""``selfserve serve --demo`` (what ``make run`` runs): the printed portal link works in the
server's worker processes."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.test_workers import free_port

LINK = re.compile(r"Customer portal \(demo customer\): (http://\S+)")


def _printed_link(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        found = LINK.search(line)
        if found:
            return found[1]
    raise AssertionError("serve --demo printed no portal link")


def test_the_printed_portal_link_opens_the_demo_customers_overview(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "SELFSERVE_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    env.pop("SELFSERVE_PORTAL_DEMO_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "selfserve.cli", "serve", "--demo", "--port", str(port),
         "--workers", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        link = _printed_link(process)
        deadline, page = time.monotonic() + 30, None
        while time.monotonic() < deadline:
            try:
                page = httpx.get(link, follow_redirects=True, timeout=5)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert page is not None and page.status_code == 200, page
        assert "<h1>Overview</h1>" in page.text
        assert httpx.get(f"http://127.0.0.1:{port}/portal/demo/wrong").status_code == 404
        # Every demo order has its stored document (built with the seed, or by the workers).
        with sqlite3.connect(tmp_path / "demo.db") as db:
            pending = db.execute("SELECT count(*) FROM orders WHERE document IS NULL").fetchone()
        assert pending == (0,)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        if process.stdout is not None:
            process.stdout.close()
