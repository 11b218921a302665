"""The real app in a subprocess for the browser tests: a fresh SQLite file, the demo data
generator for a believable history, an API key from the CLI, and the business's side of the
portal over HTTP (customers, orders, portal links) exactly as an integrator calls it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

TENANT = "browser"
ZONE = "America/New_York"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(directory: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELFSERVE_")}
    return {
        **env,
        "SELFSERVE_DATABASE_URL": f"sqlite:///{directory / 'portal.db'}",
        # A browser fetches a page, its stylesheets and scripts at once; the customer-token
        # limits would throttle a test that clicks faster than a person.
        "SELFSERVE_RATE_LIMIT_TOKEN_BURST": "100000",
        "SELFSERVE_RATE_LIMIT_TOKEN_PER_SECOND": "100000",
        "SELFSERVE_RATE_LIMIT_KEY_BURST": "100000",
        "SELFSERVE_RATE_LIMIT_KEY_PER_SECOND": "100000",
    }


# ``selfserve migrate``, ``seed`` and ``keys create`` in one interpreter (three would spend
# seconds importing the same modules); the last two print one JSON line each.
PREPARE = f"""
from selfserve.cli import main
for args in (["migrate"],
             ["seed", "--tenant", "{TENANT}", "--customers", "3", "--orders", "30", "--json"],
             ["keys", "create", "--tenant", "{TENANT}", "--role", "integration", "--json"]):
    assert main(args) == 0, args
"""


def prepare(env: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Migrate a new database, fill it with demo data and create an integration key."""
    result = subprocess.run(
        [sys.executable, "-c", PREPARE],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"preparing the database failed: {result.stderr}"
    seeded, created = result.stdout.strip().splitlines()[-2:]
    return json.loads(seeded), json.loads(created)


@dataclass
class PortalServer:
    """A running ``selfserve serve`` and an integration key of its tenant."""

    base: str
    key: str
    history_customer: str  # a seeded customer with years of orders and invoices
    process: subprocess.Popen[bytes]
    log: Path
    api: httpx.Client = field(init=False)
    _prices: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.api = httpx.Client(base_url=self.base, headers={"nue-api-key": self.key}, timeout=30)

    def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = self.api.request(method, path, json=body)
        assert response.status_code == status, f"{method} {path}: {response.text}"
        return response.json()["data"]

    def price(self, sku: str, currency: str = "USD", period: str = "Month") -> str:
        """The price book entry id of a catalog product (the seeded catalog)."""
        if not self._prices:
            for product in self.call("GET", "/catalog/products"):
                for entry in product["priceBookEntries"]:
                    key = (product["sku"], entry["currency"], entry["pricePeriod"])
                    self._prices[key] = entry["id"]
        return self._prices[(sku, currency, period)]

    def customer_with_subscription(self, name: str, seats: int = 5) -> str:
        """A new customer with one activated order: a 12-month monthly-priced subscription,
        onboarding, and the first invoice. Every flow gets its own, so flows never meet."""
        customer = {"name": name, "timeZone": ZONE, "currency": "USD",
                    "country": "US"}  # fmt: skip
        customer_id: str = self.call("POST", "/customers", [customer], status=201)[0]["id"]
        draft = {
            "customer": {"id": customer_id},
            # The customer's own today: the server's UTC date can already be tomorrow there.
            "effectiveDate": datetime.now(ZoneInfo(ZONE)).date().isoformat(),
            "name": "Platform for the team",
            "orderProducts": [
                {"priceBookEntryId": self.price("PLAT-PRO"), "quantity": seats,
                 "subscriptionTerm": 12},
                {"priceBookEntryId": self.price("PS-ONBOARD", period="OneTime"), "quantity": 1},
            ],
            "options": {"calculateTax": True},
        }  # fmt: skip
        order_id = self.call("POST", "/orders", draft, status=201)["order"]["id"]
        options = {"generateInvoice": True, "activateInvoice": True}
        self.call("POST", f"/orders/{order_id}", {"options": options})
        return customer_id

    def portal_link(self, customer_id: str, scopes: tuple[str, ...] = ("read", "write"),
                    **extra: Any) -> str:  # fmt: skip
        """A fresh single-use portal link, as the business's back end mints it."""
        body = {"customerIds": [customer_id], "scopes": list(scopes), **extra}
        url: str = self.call("POST", "/portal/sessions", body, status=201)["url"]
        return url

    def log_tail(self, lines: int = 60) -> str:
        """The server's latest log lines, without granian's start-up chatter."""
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(line for line in text if not line.startswith("[INFO]"))[-8000:]

    def stop(self) -> None:
        self.api.close()
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def start(directory: Path) -> PortalServer:
    """Migrate and seed a new database, create a key, then serve it on a free port."""
    env = server_env(directory)
    seeded, created = prepare(env)
    port = free_port()
    log = (directory / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "selfserve.cli", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    log.close()
    server = PortalServer(
        base=f"http://127.0.0.1:{port}",
        key=created["key"],
        history_customer=seeded["sample_customer_ids"][0],
        process=process,
        log=directory / "server.log",
    )
    try:
        _wait_healthy(server, server.log)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_healthy(server: PortalServer, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text()}")
        try:
            if httpx.get(f"{server.base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not become healthy: {log.read_text()}")
