"""The ``selfserve`` command against real databases (it commits, so it uses fresh tenants)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from typing import Any

import httpx

from selfserve.app import create_app
from selfserve.auth.keys import parse_key
from selfserve.config import Settings
from selfserve.db import create_database


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


def test_rotate_keeps_the_old_key_for_the_overlap_only(db_url: str, run: asyncio.Runner) -> None:
    tenant = f"cli-{uuid.uuid4().hex[:8]}"
    old = json.loads(
        selfserve(
            db_url, "keys", "create", "--tenant", tenant, "--role", "integration", "--json"
        ).stdout
    )
    rotated = selfserve(
        db_url, "keys", "rotate", old["keyId"], "--overlap-seconds", "3600", "--json"
    )
    assert rotated.returncode == 0, rotated.stderr
    new = json.loads(rotated.stdout)
    assert new["replaces"] == old["keyId"] and new["role"] == "integration"
    app = create_app(Settings(database_url=db_url))
    assert call(run, app, "/customers", old["key"]) == 200
    assert call(run, app, "/customers", new["key"]) == 200
    assert (
        selfserve(db_url, "keys", "rotate", new["keyId"], "--overlap-seconds", "0").returncode == 0
    )
    assert call(run, app, "/customers", new["key"]) == 401
    listed = json.loads(selfserve(db_url, "keys", "list", "--tenant", tenant, "--json").stdout)
    assert len(listed) == 3


def call(run: asyncio.Runner, app: Any, path: str, key: str) -> int:
    async def go() -> int:
        async with app.lifespan():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                return (await client.get(path, headers={"nue-api-key": key})).status_code

    return int(run.run(go()))


def test_seed_writes_the_order_documents(db_url: str, run: asyncio.Runner) -> None:
    tenant = f"cli-{uuid.uuid4().hex[:8]}"
    seeded = selfserve(
        db_url, "seed", "--tenant", tenant, "--customers", "3", "--orders", "20", "--json"
    )
    assert seeded.returncode == 0, seeded.stderr
    report = json.loads(seeded.stdout.strip().splitlines()[-1])
    orders = report["counts"]["orders"]
    assert orders >= 20
    built = selfserve(db_url, "documents", "build")
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("built ") and built.stdout.endswith(" documents\n")

    async def missing() -> int:
        db = create_database(db_url, pool_min=1, pool_max=1)
        try:
            async with db.read() as conn:
                sql = conn.sql()
                return int(
                    await conn.fetchval(
                        "SELECT count(*) FROM orders o JOIN tenants t ON t.id = o.tenant_id "
                        f"WHERE t.slug = {sql.p(tenant)} AND o.document IS NULL",
                        sql.params,
                    )
                )
        finally:
            await db.close()

    assert run.run(missing()) == 0
