"""Wire contract of portal sessions and portal settings (the JSON API a business calls)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from selfserve.auth.schemas import CustomerId
from selfserve.kit.schemas import doc

Locale = Literal["en", "de", "ja"]
HttpUrl = Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s]+$", max_length=2048)]
Origin = Annotated[str, msgspec.Meta(pattern=r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")]
DEFAULT_REASONS = ("too_expensive", "missing_features", "switched_service", "unused", "other")
Color = Annotated[str, msgspec.Meta(pattern=r"^#[0-9a-fA-F]{6}$")]


class PortalSessionCreate(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Whose portal to open, with which rights, for how long, and where "back" goes."""

    customer_ids: Annotated[list[CustomerId], msgspec.Meta(min_length=1, max_length=100)]
    include_children: bool = False
    scopes: Annotated[
        list[Literal["read", "write"]],
        msgspec.Meta(min_length=1, max_length=2),
        doc("read, or read and write (cancel, renew, change quantity, auto-renew)", ["read"]),
    ] = msgspec.field(default_factory=lambda: ["read"])
    return_url: Annotated[
        HttpUrl | None, doc("Where the portal's back link goes", "https://example.com/account")
    ] = None
    locale: Annotated[
        Locale | None, doc("en, de or ja; otherwise the browser's Accept-Language", "de")
    ] = None
    expires_in_seconds: Annotated[
        int, doc("Session lifetime once opened: 300 to 86400 seconds", 3600)
    ] = 3600


class PortalSessionRead(msgspec.Struct, rename="camel"):
    id: str
    url: Annotated[str, doc("Single-use link; open it within 60 seconds")]
    url_expires_at: datetime
    expires_at: Annotated[datetime, doc("When the session ends, however it is used")]
    customer_ids: list[str]
    scopes: list[str]
    locale: str | None
    return_url: str | None


class PortalSessionEnvelope(msgspec.Struct):
    status: str
    data: PortalSessionRead


class PortalSessionRevoked(msgspec.Struct, rename="camel"):
    id: str
    revoked_at: datetime


class PortalSessionRevokedEnvelope(msgspec.Struct):
    status: str
    data: PortalSessionRevoked


class PortalActions(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Which self-service actions the portal offers (each also needs a ``write`` session and
    the subscription's or order's ``actions`` to allow it)."""

    cancel: bool = True
    uncancel: bool = True
    renew: bool = True
    change_quantity: bool = True
    auto_renew: bool = True


class CancellationPolicy(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    timing: Annotated[
        list[Literal["endOfTerm", "date"]],
        msgspec.Meta(min_length=1, max_length=2),
        doc("endOfTerm: at the current term's end; date: a date the customer picks"),
    ] = msgspec.field(default_factory=lambda: ["endOfTerm", "date"])
    reasons: Annotated[
        list[Annotated[str, msgspec.Meta(min_length=1, max_length=80)]],
        msgspec.Meta(max_length=20),
    ] = msgspec.field(default_factory=lambda: list(DEFAULT_REASONS))
    require_reason: bool = False


class Branding(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=120)] | None = None
    logo_url: HttpUrl | None = None
    accent_color: Color = "#2f5bd3"
    theme: Literal["auto", "light", "dark"] = "auto"


class PortalSettings(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """A tenant's portal: actions offered, cancellation policy, branding, links, embedding."""

    actions: PortalActions = msgspec.field(default_factory=PortalActions)
    cancellation: CancellationPolicy = msgspec.field(default_factory=CancellationPolicy)
    branding: Branding = msgspec.field(default_factory=Branding)
    support_url: HttpUrl | None = None
    terms_url: HttpUrl | None = None
    embed_origins: Annotated[
        list[Origin],
        msgspec.Meta(max_length=20),
        doc("Origins allowed to show the portal in an iframe", ["https://app.example.com"]),
    ] = msgspec.field(default_factory=list)


class PortalSettingsEnvelope(msgspec.Struct):
    status: str
    data: PortalSettings
