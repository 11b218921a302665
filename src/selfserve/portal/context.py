"""What a portal page handler gets: the session, the tenant's settings, the chosen locale and
a ``ReadContext`` for the same services the JSON API calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency

from selfserve.db import request_lease
from selfserve.orders.service import ReadContext
from selfserve.portal import settings as portal_settings
from selfserve.portal.guard import current_session
from selfserve.portal.i18n import choose, translator
from selfserve.portal.render import View
from selfserve.portal.schemas import PortalSettings
from selfserve.portal.sessions import PortalSession


@dataclass(frozen=True, slots=True)
class Portal:
    session: PortalSession
    settings: PortalSettings
    view: View
    ctx: ReadContext
    htmx: bool

    @property
    def customer_id(self) -> str:
        return self.session.current_customer_id


def page_view(
    request: Request[Any, Any, Any], session: PortalSession | None, settings: PortalSettings
) -> View:
    locale = choose(
        request.query_params.get("locale"),
        session.locale if session else None,
        request.headers.get("accept-language"),
    )
    return View(session, settings, locale, translator(locale), request.url.path)


async def provide_portal(request: Request[Any, Any, Any], state: State) -> Portal:
    session = current_session(request)
    conn = await request_lease(request.scope).read()
    settings = await portal_settings.load(conn, session.tenant_id)
    ctx = ReadContext(
        principal=session.principal(),
        now=state.clock(),
        include_cap=state.settings.include_cap,
        served_routes=state.served_routes,
    )
    htmx = request.headers.get("hx-request") == "true"
    return Portal(session, settings, page_view(request, session, settings), ctx, htmx)


PortalPage = NamedDependency[Portal]
"""``portal``: the session, settings, locale and read context of a portal page."""
