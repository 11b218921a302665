"""Input limits, credentials in URLs, security headers, CORS, rate limits, metrics, audit."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from selfserve.auth.keys import parse_key
from tests.fixtures import builders as b
from tests.fixtures.app import Api
from tests.fixtures.world import World, ids_param

SIGNING = "k1:" + "s" * 40


def client(world: World, **settings: Any) -> Api:
    api = Api(world.conn, world.run, **settings)
    api.key = world.key
    return api


class TestInputLimits:
    def test_body_too_large_is_413(self, world: World) -> None:
        api = client(world, max_body_bytes=1024)
        response = api.post("/orders/query", content=b'{"q": "' + b"x" * 2000 + b'"}')
        assert response.status_code == 413
        assert response.json()["errorCode"] == "BODY_TOO_LARGE"

    def test_deep_json_is_400(self, world: World) -> None:
        body = b'{"customerIds": ' + b"[" * 100 + b"]" * 100 + b"}"
        response = world.api.post("/orders/query", content=body)
        assert response.status_code == 400
        assert response.json()["errorCode"] == "BODY_TOO_DEEP"

    def test_long_query_string_is_414(self, world: World) -> None:
        response = world.api.get("/orders?q=" + "x" * 9000)
        assert response.status_code == 414
        assert "POST /orders/query" in response.json()["message"]

    def test_too_many_customer_ids_and_pages(self, world: World) -> None:
        ids = ",".join([world.alice] * 101)
        assert world.api.get(f"/orders?customerIds={ids}").status_code == 400
        assert world.api.get(f"/orders?customerIds={world.alice}&limit=100000").status_code == 400


@pytest.mark.parametrize("name", ["nue-api-key", "api_key", "access_token", "token", "Token"])
def test_credentials_in_urls_are_refused_without_echo(world: World, name: str) -> None:
    response = world.api.get(f"/orders?customerIds={world.alice}&{name}=sekret-value", key="")
    assert response.status_code == 400
    assert response.json()["errorCode"] == "CREDENTIALS_IN_URL"
    assert "sekret-value" not in response.text


def test_security_headers_on_every_response(world: World) -> None:
    for response in (
        world.api.get(f"/orders?customerIds={ids_param(world.alice)}"),
        world.api.get("/nowhere"),
        world.api.get("/orders", key=""),
    ):
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["content-security-policy"].startswith("default-src 'none'")
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-request-id"]
    docs = world.api.get("/docs")
    assert "script-src 'self'" in docs.headers["content-security-policy"]


def test_cors_only_for_configured_origins(world: World) -> None:
    api = client(world, cors_origins=["https://portal.example.com"])
    preflight = {
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    allowed = api.request(
        "OPTIONS", "/orders", key="", headers={"Origin": "https://portal.example.com", **preflight}
    )
    assert allowed.headers.get("access-control-allow-origin") == "https://portal.example.com"
    other = api.request(
        "OPTIONS", "/orders", key="", headers={"Origin": "https://evil.example", **preflight}
    )
    assert other.headers.get("access-control-allow-origin") is None
    default = world.api.get("/health", headers={"Origin": "https://portal.example.com"})
    assert "access-control-allow-origin" not in default.headers


def test_rate_limit_answers_429_with_headers(world: World) -> None:
    api = client(world, rate_limit_key_burst=3, rate_limit_key_per_second=0.01)
    url = f"/orders?customerIds={world.alice}"
    statuses = [api.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = api.get(url)
    assert int(refused.headers["retry-after"]) >= 1
    assert (
        refused.headers["ratelimit-limit"] == "3" and refused.headers["ratelimit-remaining"] == "0"
    )
    assert refused.json()["errorCode"] == "RATE_LIMITED"
    other = client(world, rate_limit_key_burst=3, rate_limit_key_per_second=0.01)
    other.key = world.other_key
    assert other.get("/customers").status_code == 200  # buckets are per credential


def test_metrics_need_an_admin_key(world: World) -> None:
    assert world.api.get("/metrics").status_code == 403
    from tests.fixtures import builders as b

    admin = client(world)
    admin.key = world.run.run(b.api_key(world.conn, "acme", role="admin"))
    response = admin.get("/metrics")
    assert response.status_code == 200
    assert "selfserve_ratelimit_redis_errors_total" in response.text


def audit_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "selfserve.audit"]


def test_audit_lines_for_writes_and_failures(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="selfserve.audit")
    api = client(world, token_signing_keys=SIGNING)
    api.get(f"/orders?customerIds={world.alice}")  # a read: no line
    minted = api.post("/auth/customer-tokens", json={"customerIds": [world.alice]})
    api.get("/orders", key="ssk_0000000000000000_" + "A" * 43)
    token_minter = world.run.run(b.api_key(world.conn, "acme", role="token-minter"))
    api.get(f"/orders?customerIds={world.alice}", key=token_minter)
    lines = audit_lines(caplog)
    assert [(line["action"], line["outcome"], line["status"]) for line in lines] == [
        ("customer_token.created", "success", 201),
        ("GET list_orders", "denied", 401),
        ("GET list_orders", "denied", 403),
    ]
    created, unknown, forbidden = lines
    assert (
        created["tenant"] == world.tenant_id
        and created["principal"] == "key:" + world.key.split("_")[1]
    )
    assert created["requestId"] == minted.headers["x-request-id"]
    assert unknown["principal"] == "key:0000000000000000"
    assert forbidden["principal"] == "key:" + token_minter.split("_")[1]
    for line in lines:
        assert set(line) >= {
            "time",
            "requestId",
            "tenant",
            "principal",
            "action",
            "target",
            "outcome",
        }


def test_no_secret_reaches_the_logs(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = client(world, token_signing_keys=SIGNING)
    token = api.post("/auth/customer-tokens", json={"customerIds": [world.alice]}).json()["data"][
        "token"
    ]
    api.request("GET", "/orders", key="", headers={"Authorization": f"Bearer {token}"})
    api.request("GET", "/orders", key="", headers={"Authorization": f"Bearer {token}x"})
    api.get(f"/orders?customerIds={world.alice}", key=world.key + "x")
    api.get(f"/orders?customerIds={world.alice}&token={token}", key="")
    # Everything the server side logged; httpx's own lines belong to the test's client.
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(r.getMessage() + str(r.args) + str(r.exc_info) for r in server)
    assert logged  # the requests above were logged
    material = parse_key(world.key)
    assert material is not None
    for secret in (world.key, material.secret, token, "s" * 40):
        assert secret not in logged
