"""The ``selfserve`` command against real databases (it commits, so it uses fresh tenants)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

from selfserve.auth.keys import parse_key


def selfserve(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SELFSERVE_DATABASE_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "selfserve.cli", *args],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_keys_create_list_revoke(db_url: str) -> None:
    tenant = f"cli-{uuid.uuid4().hex[:8]}"
    created = selfserve(
        db_url, "keys", "create", "--tenant", tenant, "--role", "read-only", "--json"
    )
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)
    assert key["tenant"] == tenant and key["role"] == "read-only"
    material = parse_key(key["key"])
    assert material is not None and material.key_id == key["keyId"]

    listed = selfserve(db_url, "keys", "list", "--tenant", tenant, "--json")
    rows = json.loads(listed.stdout)
    assert [(r["keyId"], r["revokedAt"]) for r in rows] == [(key["keyId"], None)]
    assert material.secret not in listed.stdout

    assert selfserve(db_url, "keys", "revoke", key["keyId"]).returncode == 0
    again = selfserve(db_url, "keys", "revoke", key["keyId"])
    assert again.returncode == 1 and "no active key" in again.stderr
    assert json.loads(selfserve(db_url, "keys", "list", "--tenant", tenant, "--json").stdout)[0][
        "revokedAt"
    ]


def test_unknown_role_is_refused(db_url: str) -> None:
    result = selfserve(db_url, "keys", "create", "--tenant", "x", "--role", "root")
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "selfserve: role must be one of admin, integration, read-only, token-minter; got 'root'."
    )
