"""HTTP of the portal's pages: declare inputs, assemble the view, render the template."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from selfserve.deps import DbConn
from selfserve.portal import views
from selfserve.portal.context import PortalPage
from selfserve.portal.render import html

NOTICES = frozenset({"canceled", "uncanceled", "renewed", "quantity", "autorenew", "account"})


def notice_of(request: Request[Any, Any, Any]) -> str | None:
    """The result message after an action (the action redirects here with ``?done=``)."""
    done = request.query_params.get("done")
    return done if done in NOTICES else None


@get("/portal", opt={"portal": "read"}, include_in_schema=False)
async def overview(
    request: Request[Any, Any, Any], portal: PortalPage, conn: DbConn
) -> Response[bytes]:
    """Live subscriptions with their next renewal or end, unpaid invoices, recent orders."""
    data = await views.overview(conn, portal.ctx)
    return html(request, portal.view, "overview.html", data=data, notice=notice_of(request))


ROUTES = [overview]
