"""HTTP of the portal's actions: each one a preview, a confirmation and a result."""

from __future__ import annotations

from litestar.handlers import HTTPRouteHandler

ROUTES: list[HTTPRouteHandler] = []
