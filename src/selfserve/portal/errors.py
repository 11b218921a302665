"""What can go wrong in the portal."""

from __future__ import annotations

from selfserve.errors import Forbidden, NotAuthenticated


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name
    """Marks a message for the catalogs; the error page translates it when it shows it."""
    return message


class SessionInvalid(NotAuthenticated):
    """No cookie, or a session that expired, was revoked or never existed: the browser is
    sent to the "link expired" page."""

    error_code = "PORTAL_SESSION_INVALID"

    def __init__(self) -> None:
        super().__init__(N_("This portal link has expired or was revoked."))


class CsrfRejected(Forbidden):
    error_code = "CSRF_REJECTED"

    def __init__(self) -> None:
        super().__init__(N_("This form is out of date; reload the page and try again."))


class ReadOnlySession(Forbidden):
    error_code = "READ_ONLY_SESSION"

    def __init__(self) -> None:
        super().__init__(N_("This portal session can view but not change anything."))


class ActionNotAllowed(Forbidden):
    error_code = "ACTION_NOT_ALLOWED"
