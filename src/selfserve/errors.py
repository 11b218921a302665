"""The error hierarchy and the one renderer of Nue's failure envelope.

Every failure leaves the API as::

    {"status": "FAILURE", "errorType": "...", "errorCode": "...", "message": "...",
     "requestId": "...", "details": [...]}

``SelfserveError`` subclasses carry the HTTP status, a stable ``error_code`` and a message
that names the parameter and what was expected. Domain packages subclass it in their own
``errors.py``; ``app.py`` registers :func:`exception_handlers` once. A 500 never shows a
stack trace: it carries only the ``requestId`` to find the logged traceback.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    ValidationException,
)

from selfserve.db import DatabaseUnavailable

logger = logging.getLogger("selfserve.errors")

ERROR_TYPES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    412: "PreconditionFailed",
    413: "PayloadTooLarge",
    414: "URITooLong",
    422: "UnprocessableEntity",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
}


class ErrorDetail(msgspec.Struct, omit_defaults=True):
    """One problem with the request, e.g. one invalid parameter."""

    parameter: str | None = None
    message: str = ""
    allowed: list[str] | None = None


class SelfserveError(Exception):
    """Base of every error the API reports on purpose."""

    status_code: int = 400
    error_code: str = "BAD_REQUEST"

    def __init__(
        self,
        message: str,
        *,
        error_code: str | None = None,
        status_code: int | None = None,
        details: list[ErrorDetail] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if error_code is not None:
            self.error_code = error_code
        if status_code is not None:
            self.status_code = status_code
        self.details = details
        self.headers = headers or {}


class InvalidParameter(SelfserveError):
    """A query parameter or body field is malformed, unknown or out of range (400)."""

    error_code = "INVALID_PARAMETER"

    def __init__(
        self, parameter: str, message: str, *, allowed: list[str] | None = None, code: str = ""
    ) -> None:
        super().__init__(
            message,
            error_code=code or None,
            details=[ErrorDetail(parameter=parameter, message=message, allowed=allowed)],
        )
        self.parameter = parameter


class NotAuthenticated(SelfserveError):
    status_code = 401
    error_code = "UNAUTHENTICATED"


class Forbidden(SelfserveError):
    status_code = 403
    error_code = "FORBIDDEN"


class ResourceNotFound(SelfserveError):
    """Unknown, or outside the caller's reach: the two are indistinguishable on purpose."""

    status_code = 404
    error_code = "NOT_FOUND"


class Conflict(SelfserveError):
    status_code = 409
    error_code = "CONFLICT"


class _Envelope(msgspec.Struct, omit_defaults=True):
    status: str
    errorType: str  # noqa: N815 - Nue's spelling on the wire
    errorCode: str  # noqa: N815
    message: str
    requestId: str  # noqa: N815
    details: list[ErrorDetail] | None = None


_encoder = msgspec.json.Encoder()


def request_id_of(request: Request[Any, Any, Any]) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


def error_response(
    request: Request[Any, Any, Any],
    status: int,
    code: str,
    message: str,
    details: list[ErrorDetail] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    body = _Envelope(
        status="FAILURE",
        errorType=ERROR_TYPES.get(status, "Error"),
        errorCode=code,
        message=message,
        requestId=request_id_of(request),
        details=details,
    )
    return Response(
        content=_encoder.encode(body),
        status_code=status,
        media_type="application/json",
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _selfserve(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    assert isinstance(exc, SelfserveError)
    return error_response(
        request, exc.status_code, exc.error_code, exc.message, exc.details, exc.headers
    )


def _http(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    assert isinstance(exc, HTTPException)
    if isinstance(exc, NotFoundException):
        return error_response(request, 404, "ROUTE_NOT_FOUND", f"No route for {request.url.path}")
    if isinstance(exc, MethodNotAllowedException):
        message = f"{request.method} is not allowed on {request.url.path}"
        return error_response(request, 405, "METHOD_NOT_ALLOWED", message, headers=exc.headers)
    if isinstance(exc, ValidationException):
        return error_response(request, 400, "INVALID_REQUEST", str(exc.detail))
    status = exc.status_code
    code = {413: "BODY_TOO_LARGE"}.get(status) or ERROR_TYPES.get(status, "ERROR").upper()
    return error_response(request, status, code, str(exc.detail), headers=exc.headers)


def _unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    logger.error("database unavailable: %s", exc, extra={"request_id": request_id_of(request)})
    message = "The database is unavailable; retry shortly."
    return error_response(
        request, 503, "DATABASE_UNAVAILABLE", message, headers={"Retry-After": "5"}
    )


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    rid = request_id_of(request)
    logger.exception("unhandled error (request %s)", rid, exc_info=exc)
    message = f"An internal error occurred. Quote request id {rid} when reporting it."
    return error_response(request, 500, "INTERNAL_ERROR", message)


def exception_handlers() -> dict[int | type[Exception], Any]:
    """The one mapping from exceptions to responses; registered by the app factory."""
    return {
        SelfserveError: _selfserve,
        HTTPException: _http,
        DatabaseUnavailable: _unavailable,
        ConnectionError: _unavailable,
        Exception: _internal,
    }
