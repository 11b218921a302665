"""The portal's authorization matrix: every portal route of the app × every kind of session.

Routes come from the app's own route table, so a new portal page without a recipe here fails
the test. Each cell asserts the status and that the page names no customer, order,
subscription or invoice outside the session's reach:

* no cookie, an expired session and a revoked session are sent to the "link expired" page;
* a read session sees its own pages and cannot act (403, nothing changes);
* a write session of customer A may act on A's subscriptions;
* a session of customer B (same tenant) and one of another tenant get the 404 page for A's
  objects and never see A's data in lists.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import httpx

from tests.fixtures import builders as b
from tests.fixtures.app import NOW, Api
from tests.fixtures.world import World
from tests.portal.helpers import CSRF, Browser, open_portal

ACTION_PREFIX = "/portal/subscriptions/{subscription_id}/"


@dataclass
class Ids:
    order: str
    subscription: str
    invoice: str
    stranger: str
    stranger_order: str


@dataclass
class Session:
    name: str
    browser: Browser | None
    kind: str  # none | invalid | reader | writer | neighbour
    sees: frozenset[str] = frozenset()
    csrf: str = ""
    hidden: set[str] = field(default_factory=set)


PathOf = Callable[[Ids], str]
FIELDS: dict[str, dict[str, str]] = {
    "cancel": {"timing": "endOfTerm", "reason": "other", "comment": ""},
    "quantity": {"quantity": "2"},
    "renew": {"term": "12"},
    "auto-renew": {"autoRenew": "false"},
}
ROUTES: dict[tuple[str, str], PathOf] = {
    ("GET", "/portal"): lambda i: "/portal",
    ("GET", "/portal/orders"): lambda i: "/portal/orders",
    ("GET", "/portal/orders/{order_id}"): lambda i: f"/portal/orders/{i.order}",
    ("GET", "/portal/subscriptions"): lambda i: "/portal/subscriptions",
    ("GET", "/portal/subscriptions/{subscription_id}"): (
        lambda i: f"/portal/subscriptions/{i.subscription}"
    ),
    ("GET", "/portal/invoices"): lambda i: "/portal/invoices",
    ("GET", "/portal/invoices/{invoice_id}"): lambda i: f"/portal/invoices/{i.invoice}",
    ("GET", "/portal/invoices/{invoice_id}/pdf"): lambda i: f"/portal/invoices/{i.invoice}/pdf",
    ("GET", "/portal/renewals"): lambda i: "/portal/renewals",
    ("GET", "/portal/theme.css"): lambda i: "/portal/theme.css",
    ("POST", "/portal/account"): lambda i: "/portal/account",
    ("POST", "/portal/logout"): lambda i: "/portal/logout",
}
ACTIONS = ("cancel", "quantity", "renew", "auto-renew", "uncancel")


def _action_path(action: str, suffix: str) -> PathOf:
    return lambda i: f"/portal/subscriptions/{i.subscription}/{action}{suffix}"


for _action in ACTIONS:
    for _method, _suffix in (("GET", ""), ("POST", ""), ("POST", "/preview")):
        ROUTES[(_method, f"/portal/subscriptions/{{subscription_id}}/{_action}{_suffix}")] = (
            _action_path(_action, _suffix)
        )


def portal_routes(api: Api) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for route in api.app.routes:
        for handler in getattr(route, "route_handlers", []):
            mode = handler.opt.get("portal")
            if mode in ("read", "write"):
                found.extend((m, route.path_format, mode) for m in sorted(handler.http_methods))
    return found


def build_ids(world: World) -> Ids:
    run, conn, tenant = world.run.run, world.conn, world.tenant_id
    subscription = run(b.asset(conn, tenant, world.alice, world.orders[0], world.product))
    invoice = run(b.invoice(conn, tenant, world.alice, world.orders[0]))
    other = run(b.tenant(conn, "portal-other"))
    stranger = run(b.customer(conn, other))
    return Ids(world.orders[0], subscription, invoice, stranger, world.other_tenant_order)


def sessions(world: World, ids: Ids) -> list[Session]:
    alice_things = {world.alice, *world.orders, ids.subscription, ids.invoice}
    bob_things = {world.bob, world.bob_order}
    stranger_things = {ids.stranger, ids.stranger_order}
    later = Api(world.conn, world.run, now=NOW + timedelta(seconds=400), rate_limit_token_burst=99)

    def opened(kind: str, name: str, customers: list[str], scopes: list[str]) -> Session:
        browser = open_portal(world, customers, scopes=scopes)
        page = browser.get("/portal").text
        token = CSRF.search(page)
        hidden = bob_things | stranger_things if kind in ("reader", "writer") else alice_things
        return Session(name, browser, kind, csrf=token[1] if token else "", hidden=hidden)

    expired = open_portal(world, [world.alice], expiresInSeconds=300)
    expired.client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=later.app),  # type: ignore[arg-type]
        base_url="http://testserver",
        cookies=expired.client.cookies,
    )
    revoked = open_portal(world, [world.alice])
    assert world.api.post(f"/portal/sessions/{revoked.session_id}/revoke").status_code == 200
    return [
        Session("no cookie", Browser(world), "none"),
        Session("expired session", expired, "invalid"),
        Session("revoked session", revoked, "invalid"),
        opened("reader", "read session of A", [world.alice], ["read"]),
        opened("writer", "write session of A", [world.alice], ["read", "write"]),
        opened("neighbour", "write session of B", [world.bob], ["read", "write"]),
        _stranger_session(world, ids),
    ]


def _stranger_session(world: World, ids: Ids) -> Session:
    """A write session of another tenant's customer, minted with that tenant's key."""
    other = Api(world.conn, world.run, rate_limit_token_burst=100_000)
    other.key = world.run.run(b.api_key(world.conn, "portal-other"))
    minted = other.post(
        "/portal/sessions", json={"customerIds": [ids.stranger], "scopes": ["read", "write"]}
    )
    assert minted.status_code == 201, minted.text
    browser = Browser(world)
    browser.get(minted.json()["data"]["url"].removeprefix("http://testserver"))
    token = CSRF.search(browser.get("/portal").text)
    hidden = {world.alice, *world.orders, ids.subscription, ids.invoice, world.bob}
    return Session(
        "another tenant's session", browser, "neighbour", csrf=token[1] if token else "",
        hidden=hidden,
    )  # fmt: skip


def expected(session: Session, method: str, path: str, mode: str) -> set[int]:
    """The statuses a cell may answer with."""
    if session.kind in ("none", "invalid"):
        return {303}
    names_object = "{" in path
    if session.kind == "neighbour":
        if path == "/portal/account":
            return {404}
        if path == "/portal/logout":
            return {303}
        return {404} if names_object else {200}
    if mode == "write" and session.kind == "reader":
        return {403}
    if method == "GET":
        if path.startswith(ACTION_PREFIX):  # an action's form: refused, or not possible now
            return {200, 403, 409} if session.kind == "reader" else {200, 409}
        return {200}
    if path in ("/portal/account", "/portal/logout"):
        return {303}
    return {200, 303, 400, 409, 422}  # an action: done, previewed, a form error, not possible


def call(session: Session, world: World, ids: Ids, method: str, path: str) -> httpx.Response:
    assert session.browser is not None
    if session.kind == "writer" and path.startswith(ACTION_PREFIX):
        # An action done changes the subscription's version: every cell acts on its own.
        own = world.run.run(b.asset(world.conn, world.tenant_id, world.alice, world.orders[0],
                                    world.product))  # fmt: skip
        ids = Ids(ids.order, own, ids.invoice, ids.stranger, ids.stranger_order)
    url = ROUTES[(method, path)](ids)
    if method == "GET":
        return session.browser.get(url)
    action = path.rsplit("/", 2)[-1] if path.endswith("preview") else path.rsplit("/", 1)[-1]
    # A confirmation carries the idempotency key its preview minted.
    data = {"_csrf": session.csrf, "_key": str(uuid.uuid4()), **FIELDS.get(action, {})}
    if path == "/portal/account":
        data["customerId"] = world.alice
    if path == "/portal/logout":  # signing out ends the session: use a fresh one
        signing_out = _fresh_like(session, world)
        if signing_out is not None:
            return signing_out.submit(url, {})
    return session.browser.post(url, data)


def _fresh_like(session: Session, world: World) -> Browser | None:
    if session.kind not in ("reader", "writer"):
        return None
    scopes = ["read", "write"] if session.kind == "writer" else ["read"]
    return open_portal(world, [world.alice], scopes=scopes)


def test_every_portal_route_for_every_session(world: World) -> None:
    # One session makes every request of its row here: lift the per-session rate limit.
    key = world.api.key
    world.api = Api(world.conn, world.run, rate_limit_token_burst=100_000)
    world.api.key = key
    ids = build_ids(world)
    routes = portal_routes(world.api)
    missing = [(m, p) for m, p, _ in routes if (m, p) not in ROUTES]
    assert not missing, f"portal routes without a recipe: {missing}"
    failures = []
    routes.sort(key=lambda r: r[1] == "/portal/logout")  # signing out last: it ends the session
    for session in sessions(world, ids):
        for method, path, mode in routes:
            response = call(session, world, ids, method, path)
            want = expected(session, method, path, mode)
            if response.status_code not in want:
                failures.append(f"{method} {path} as {session.name}: {response.status_code} {want}")
            if session.kind in ("none", "invalid"):
                location = response.headers.get("location") or response.headers.get("hx-redirect")
                if location != "/portal/expired":
                    failures.append(f"{method} {path} as {session.name}: to {location}")
            leaked = [i for i in session.hidden if i in response.text]
            if leaked:
                failures.append(f"{method} {path} as {session.name}: page names {leaked}")
    assert not failures, "\n".join(failures)
