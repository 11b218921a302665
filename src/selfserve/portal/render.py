"""HTML responses of the portal: Jinja templates (autoescaped), CLDR filters, and the headers
every portal page carries (strict CSP, no caching, framing only by allowed origins)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from litestar import Request, Response

from selfserve.kit import l10n
from selfserve.portal.i18n import Translate, translator
from selfserve.portal.schemas import PortalSettings
from selfserve.portal.sessions import PortalSession

HTMX = "vendor/htmx-2.0.11.min.js"

_env = Environment(
    loader=PackageLoader("selfserve.portal", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class View:
    """What every page template may use besides its own values."""

    session: PortalSession | None
    settings: PortalSettings
    locale: str
    _: Translate
    path: str

    def money(self, amount: Decimal | int | None, currency: str) -> str:
        return "" if amount is None else l10n.money(amount, currency, self.locale)

    def price(self, amount: Decimal | int | None, currency: str) -> str:
        """A unit price, never rounded to the currency's decimals."""
        return "" if amount is None else l10n.unit_price(amount, currency, self.locale)

    def day(self, value: date | datetime | None) -> str:
        """A calendar date; an instant shows its UTC date (times are noise on these pages)."""
        if isinstance(value, datetime):
            value = value.astimezone(UTC).date()
        return l10n.day(value, self.locale)

    def instant(self, value: datetime | None) -> str:
        return l10n.instant(value, self.locale)

    def number(self, value: Decimal | int) -> str:
        return l10n.number(value, self.locale)

    def status(self, value: str) -> str:
        """A subscription's or asset's status in the page's language."""
        return _statuses(self.locale).get(value, value)

    def period(self, price_period: str) -> str:
        """ "per month", "per year", ... for a price period."""
        return _periods(self.locale).get(price_period, price_period)


@cache
def _statuses(locale: str) -> dict[str, str]:
    _ = translator(locale)
    return {
        "Active": _("Active"), "Pending": _("Pending"),
        "Scheduled for Cancellation": _("Scheduled for cancellation"),
        "Canceled": _("Canceled"), "Ended": _("Ended"), "Expired": _("Expired"),
    }  # fmt: skip


@cache
def _periods(locale: str) -> dict[str, str]:
    _ = translator(locale)
    return {
        "Month": _("per month"), "Quarter": _("per quarter"), "Year": _("per year"),
        "OneTime": _("one time"),
    }  # fmt: skip


def content_security_policy(settings: PortalSettings) -> str:
    ancestors = " ".join(settings.embed_origins) if settings.embed_origins else "'none'"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; "
        f"frame-ancestors {ancestors}"
    )


def headers_for(settings: PortalSettings) -> dict[str, str]:
    headers = {
        "Cache-Control": "no-store",
        "Vary": "Cookie, Accept-Language, HX-Request",
        "Content-Security-Policy": content_security_policy(settings),
    }
    if not settings.embed_origins:
        headers["X-Frame-Options"] = "DENY"
    return headers


def html(
    request: Request[Any, Any, Any],
    view: View,
    template: str,
    *,
    status_code: int = 200,
    **values: Any,
) -> Response[bytes]:
    body = _env.get_template(template).render(
        view=view, _=view._, htmx=HTMX, csrf=view.session.csrf_token if view.session else "",
        request_path=view.path, **values,
    )  # fmt: skip
    return Response(
        body.encode(),
        status_code=status_code,
        media_type="text/html",
        headers=headers_for(view.settings),
    )


def redirect(location: str, settings: PortalSettings, *, htmx: bool = False) -> Response[bytes]:
    """303 See Other (after a form post, the browser GETs the result); for an htmx request,
    ``HX-Redirect`` so the whole page changes rather than a fragment."""
    headers = headers_for(settings)
    if htmx:
        headers["HX-Redirect"] = location
        return Response(b"", status_code=200, headers=headers)
    headers["Location"] = location
    return Response(b"", status_code=303, headers=headers)
