"""The authorization matrix: every route of the app × every kind of caller.

Routes come from the app's own route table, so a new route without a recipe here fails the
test (and one without a declared policy stops the app from starting at all). Each cell
asserts the status and that the body names no customer or order outside the caller's reach.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from selfserve.auth.guard import route_policy
from selfserve.auth.keys import parse_key
from selfserve.auth.repository import revoke_key
from selfserve.auth.scopes import ROLES, TOKEN_SCOPE_GRANTS
from tests.fixtures import builders as b
from tests.fixtures.app import NOW, Api
from tests.fixtures.world import World, ids_param

SIGNING = "current:" + "c" * 40
OLD_SIGNING = "retired:" + "r" * 40


@dataclass
class Caller:
    name: str
    headers: dict[str, str]
    kind: str  # none | key | token
    scopes: frozenset[str] = frozenset()
    sees: frozenset[str] = frozenset()  # customers whose ids may appear in bodies
    tenant_ok: bool = True  # belongs to the world's tenant
    valid: bool = True


@dataclass
class Recipe:
    """How to call a route, and what a valid caller with the scope should get."""

    method: str
    path: Callable[[World, Caller], str]
    body: Callable[[World, Caller], Any] | None = None
    ok: Callable[[World, Caller], int] = field(default=lambda w, c: 200)


def _own_order(w: World, c: Caller) -> int:
    return 200 if c.tenant_ok and w.alice in c.sees else 404


def _keyed_list(w: World, c: Caller) -> str:
    return f"/orders?customerIds={ids_param(w.alice)}" if c.kind == "key" else "/orders"


def _mint_status(w: World, c: Caller) -> int:
    return 201 if c.tenant_ok else 404


def _revoke_status(w: World, c: Caller) -> int:
    return 200 if c.tenant_ok else 404


RECIPES: dict[tuple[str, str], Recipe] = {
    ("GET", "/orders"): Recipe("GET", _keyed_list),
    ("POST", "/orders/query"): Recipe(
        "POST", lambda w, c: "/orders/query",
        body=lambda w, c: {"customerIds": [w.alice]} if c.kind == "key" else {},
    ),
    ("GET", "/orders/{order_id}"): Recipe(
        "GET", lambda w, c: f"/orders/{w.orders[0]}?includes=assets,invoices,history", ok=_own_order
    ),
    ("GET", "/orders/{order_id}/history"): Recipe(
        "GET", lambda w, c: f"/orders/{w.orders[0]}/history", ok=_own_order
    ),
    ("GET", "/customers"): Recipe("GET", lambda w, c: "/customers"),
    ("POST", "/customers"): Recipe(  # no accountNumber: each cell gets the next free one
        "POST", lambda w, c: "/customers", ok=lambda w, c: 201,
        body=lambda w, c: [{"name": f"Matrix {c.name}", "timeZone": "UTC", "currency": "USD"}],
    ),
    ("POST", "/auth/customer-tokens"): Recipe(
        "POST", lambda w, c: "/auth/customer-tokens",
        body=lambda w, c: {"customerIds": [w.alice]}, ok=_mint_status,
    ),
    ("POST", "/auth/customer-tokens/revoke"): Recipe(
        "POST", lambda w, c: "/auth/customer-tokens/revoke",
        body=lambda w, c: {"customerId": w.extra["carol"]}, ok=_revoke_status,
    ),
    ("GET", "/metrics"): Recipe("GET", lambda w, c: "/metrics"),
    ("GET", "/subscriptions"): Recipe(
        "GET",
        lambda w, c: "/subscriptions" + (f"?customerIds={w.alice}" if c.kind == "key" else ""),
    ),
    ("GET", "/assets"): Recipe(
        "GET", lambda w, c: "/assets" + (f"?customerIds={w.alice}" if c.kind == "key" else "")
    ),
    ("GET", "/entitlements"): Recipe(
        "GET", lambda w, c: "/entitlements" + (f"?customerIds={w.alice}" if c.kind == "key" else "")
    ),
    ("GET", "/invoices"): Recipe(
        "GET", lambda w, c: "/invoices" + (f"?customerIds={w.alice}" if c.kind == "key" else "")
    ),
    ("GET", "/invoices/{invoice_id}"): Recipe(
        "GET", lambda w, c: f"/invoices/{_alice_invoice(w)}", ok=_own_order
    ),
    ("GET", "/invoices/{invoice_id}/pdf"): Recipe(
        "GET", lambda w, c: f"/invoices/{_alice_invoice(w)}/pdf", ok=_own_order
    ),
    ("GET", "/customers/{customer_id}"): Recipe(
        "GET", lambda w, c: f"/customers/{w.alice}", ok=_own_order
    ),
    ("GET", "/catalog/products"): Recipe("GET", lambda w, c: "/catalog/products"),
    ("POST", "/orders"): Recipe(
        "POST", lambda w, c: "/orders",
        body=lambda w, c: {
            "customer": {"id": w.alice}, "effectiveDate": "2025-06-01",
            "orderProducts": [{"priceBookEntryId": w.extra["price"], "quantity": 1}],
        },
        ok=lambda w, c: 201 if c.tenant_ok else 404,
    ),
    ("POST", "/orders/{order_id}"): Recipe(
        "POST", lambda w, c: f"/orders/{_fresh_draft(w)}", body=lambda w, c: {},
        ok=lambda w, c: 200 if c.tenant_ok else 404,
    ),
    ("POST", "/change-orders"): Recipe(
        "POST", lambda w, c: "/change-orders",
        body=lambda w, c: {"assetChanges": [{
            "changeType": "Cancel", "assetNumber": w.extra["subscription"],
            "cancellationDate": "2025-07-01",
        }]},
        ok=lambda w, c: 201 if c.tenant_ok else 404,
    ),
    ("POST", "/orders/{order_id}/cancel"): Recipe(
        "POST", lambda w, c: f"/orders/{_fresh_draft(w)}/cancel",
        body=lambda w, c: {"cancellationDate": "2025-06-01", "reason": "Test"},
        ok=lambda w, c: 200 if c.tenant_ok else 404,
    ),
    ("GET", "/renewals"): Recipe(
        "GET", lambda w, c: "/renewals" + (f"?customerIds={w.alice}" if c.kind == "key" else "")
    ),
    ("POST", "/portal/sessions"): Recipe(
        "POST", lambda w, c: "/portal/sessions",
        body=lambda w, c: {"customerIds": [w.alice]}, ok=_mint_status,
    ),
    ("POST", "/portal/sessions/{session_id}/revoke"): Recipe(
        "POST", lambda w, c: f"/portal/sessions/{_fresh_portal_session(w)}/revoke",
        ok=_revoke_status,
    ),
    ("GET", "/portal/settings"): Recipe("GET", lambda w, c: "/portal/settings"),
    ("PUT", "/portal/settings"): Recipe(
        "PUT", lambda w, c: "/portal/settings", body=lambda w, c: {"supportUrl": "https://a.test"}
    ),
    ("PATCH", "/subscriptions/{subscription_id}"): Recipe(
        "PATCH", lambda w, c: f"/subscriptions/{_fresh_subscription(w)}",
        body=lambda w, c: {"autoRenew": False}, ok=lambda w, c: 200 if c.tenant_ok else 404,
    ),
    ("POST", "/subscriptions/{subscription_id}/uncancel"): Recipe(
        "POST", lambda w, c: f"/subscriptions/{_fresh_scheduled(w)}/uncancel",
        ok=lambda w, c: 200 if c.tenant_ok else 404,
    ),
}  # fmt: skip


def _alice_invoice(world: World) -> str:
    """One invoice of customer A, shared by the cells (they only read it)."""
    if "alice_invoice" not in world.extra:
        world.extra["alice_invoice"] = world.run.run(
            b.invoice(world.conn, world.tenant_id, world.alice, world.orders[0])
        )
    return world.extra["alice_invoice"]


def _fresh_subscription(world: World) -> str:
    """A live subscription of customer A per cell, so cells cannot affect each other."""
    return world.run.run(b.asset(world.conn, world.tenant_id, world.alice, world.orders[0],
                                 world.product))  # fmt: skip


def _fresh_portal_session(world: World) -> str:
    """A portal session of customer A per cell, minted with the world's own key."""
    response = world.api.post("/portal/sessions", json={"customerIds": [world.alice]})
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


def _fresh_scheduled(world: World) -> str:
    """A subscription of customer A whose cancellation is scheduled for July, per cell."""
    run, conn, tenant = world.run.run, world.conn, world.tenant_id
    number = f"SUB-{70000000 + b.next_number():08d}"
    first = run(b.asset(conn, tenant, world.alice, world.orders[0], world.product,
                        asset_number=number, is_current=False))  # fmt: skip
    return run(b.asset(conn, tenant, world.alice, world.orders[0], world.product,
                       asset_number=number, asset_version=2, last_versioned_asset_id=first,
                       status="Scheduled for Cancellation",
                       cancellation_date=date(2025, 7, 1)))  # fmt: skip


def _fresh_draft(world: World) -> str:
    """Every cell acts on its own draft of customer A, so cells cannot affect each other."""
    return world.run.run(b.order(world.conn, world.tenant_id, world.alice, status="Draft"))


def protected_routes(api: Api) -> list[tuple[str, str, str]]:
    found = []
    for route in api.app.routes:
        for handler in getattr(route, "route_handlers", []):
            scope = route_policy(handler)
            if scope is None:
                continue
            for method in sorted(handler.http_methods):
                found.append((method, route.path_format, scope))
    return found


def callers(world: World) -> list[Caller]:
    run, conn, tenant = world.run.run, world.conn, world.tenant_id
    parent = run(b.customer(conn, tenant))
    child = run(b.customer(conn, tenant, parent_customer_id=parent))
    world.extra.update(parent=parent, child=child, carol=run(b.customer(conn, tenant)))
    world.extra["child_order"] = run(b.order(conn, tenant, child))
    world.extra["price"] = run(b.price_book_entry(conn, tenant, world.product, list_price=10**6))
    world.extra["subscription"] = f"SUB-{80000000 + b.next_number():08d}"
    run(b.asset(conn, tenant, world.alice, world.orders[0], world.product,
                asset_number=world.extra["subscription"]))  # fmt: skip
    revoked = run(b.api_key(conn, "acme"))
    material = parse_key(revoked)
    assert material is not None
    run(revoke_key(conn, material.key_id, NOW))
    admin = run(b.api_key(conn, "acme", role="admin"))
    minter = run(b.api_key(conn, "acme", role="token-minter"))
    issuer = Api(conn, world.run, token_signing_keys=SIGNING)
    issuer.key = world.key
    retired = Api(conn, world.run, token_signing_keys=OLD_SIGNING)
    retired.key = world.key
    token_a = _mint(issuer, [world.alice])
    family = _mint(issuer, [parent], includeChildren=True)
    expired = _mint(issuer, [world.alice], expiresInSeconds=60)
    tampered = token_a[:-3] + ("AAA" if not token_a.endswith("AAA") else "BBB")
    old = _mint(retired, [world.alice])
    read = TOKEN_SCOPE_GRANTS["read"]
    everyone = frozenset({world.alice, world.bob, parent, child, world.extra["carol"]})

    def key(name: str, value: str, role: str, **kw: Any) -> Caller:
        return Caller(name, {"nue-api-key": value}, "key", ROLES[role], everyone, **kw)

    def token(name: str, value: str, sees: frozenset[str], **kw: Any) -> Caller:
        return Caller(name, {"Authorization": f"Bearer {value}"}, "token", read, sees, **kw)

    return [
        Caller("no credential", {}, "none", valid=False),
        Caller("malformed key", {"nue-api-key": "not-a-key"}, "key", valid=False),
        key("revoked key", revoked, "integration", valid=False),
        key("integration key", world.key, "integration"),
        key("admin key", admin, "admin"),
        key("other tenant's key", world.other_key, "integration", tenant_ok=False),
        key("key without the scope", minter, "token-minter"),
        token("token of customer A", token_a, frozenset({world.alice})),
        token("token of parent with children", family, frozenset({parent, child})),
        token("expired token", expired, frozenset(), valid=False),
        token("tampered token", tampered, frozenset(), valid=False),
        token("token of a retired signing key", old, frozenset(), valid=False),
    ]


def _mint(api: Api, customers: list[str], **extra: Any) -> str:
    response = api.post("/auth/customer-tokens", json={"customerIds": customers, **extra})
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["token"])


def expected(world: World, caller: Caller, scope: str, recipe: Recipe) -> int:
    if not caller.valid:
        return 401
    if scope not in caller.scopes:
        return 403
    return recipe.ok(world, caller)


def forbidden_ids(world: World, caller: Caller) -> set[str]:
    """Ids of customers (and their orders) this caller must never see in a body."""
    owners = {world.alice: world.orders, world.bob: [world.bob_order],
              world.extra["child"]: [world.extra["child_order"]]}  # fmt: skip
    hidden: set[str] = set()
    for customer, orders in owners.items():
        if customer not in caller.sees or not caller.tenant_ok:
            hidden.add(customer)
            hidden.update(orders)
    return hidden


def test_every_route_for_every_caller(world: World) -> None:
    all_callers = callers(world)
    api = Api(
        world.conn, world.run, token_signing_keys=f"{SIGNING}", now=NOW + timedelta(seconds=90)
    )
    routes = protected_routes(api)
    missing = [(m, p) for m, p, _ in routes if (m, p) not in RECIPES]
    assert not missing, f"routes without an authorization recipe: {missing}"
    failures = []
    for method, path, scope in routes:
        recipe = RECIPES[(method, path)]
        for caller in all_callers:
            response = _call(api, recipe, world, caller)
            want = expected(world, caller, scope, recipe)
            if response.status_code != want:
                failures.append(
                    f"{method} {path} as {caller.name}: {response.status_code} != {want}"
                )
            leaked = [i for i in forbidden_ids(world, caller) if i in response.text]
            if leaked:
                failures.append(f"{method} {path} as {caller.name}: body names {leaked}")
    assert not failures, "\n".join(failures)
    assert len(routes) * len(all_callers) >= 8 * 12


def _call(api: Api, recipe: Recipe, world: World, caller: Caller) -> httpx.Response:
    kwargs: dict[str, Any] = {"headers": caller.headers}
    if recipe.body is not None:
        kwargs["json"] = recipe.body(world, caller)
    return api.request(recipe.method, recipe.path(world, caller), key="", **kwargs)
