"""``selfserve renew`` and ``selfserve bill`` as commands (they commit: a fresh tenant)."""

from __future__ import annotations

import json
import uuid

from tests.test_cli import selfserve


def test_runs_print_a_summary_or_json(db_url: str) -> None:
    tenant = f"cli-{uuid.uuid4().hex[:8]}"
    created = selfserve(db_url, "keys", "create", "--tenant", tenant, "--role", "read-only")
    assert created.returncode == 0, created.stderr
    renewed = selfserve(db_url, "renew", "--as-of", "2025-06-01", "--tenant", tenant, "--json")
    assert renewed.returncode == 0, renewed.stderr
    counts = {"renewed": 0, "ended": 0, "expired": 0, "canceled": 0, "skipped": 0, "failed": 0}
    assert json.loads(renewed.stdout) == {"asOf": "2025-06-01", "tenants": 1, **counts}
    billed = selfserve(db_url, "bill", "--as-of", "2025-06-01", "--tenant", tenant)
    assert billed.returncode == 0, billed.stderr
    assert billed.stdout.strip() == (
        "bill as of 2025-06-01: 0 invoices issued for 0 of 0 orders, 0 failed (1 tenant)"
    )


def test_refuses_unknown_tenants_and_dates(db_url: str) -> None:
    unknown = selfserve(db_url, "renew", "--as-of", "2025-06-01", "--tenant", "no-such-tenant")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "selfserve: No tenant with the slug 'no-such-tenant'."
    bad = selfserve(db_url, "bill", "--as-of", "June 1st")
    assert bad.returncode == 2 and "--as-of" in bad.stderr
    assert selfserve(db_url, "bill").returncode == 2  # --as-of is required
