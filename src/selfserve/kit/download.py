"""Documents over HTTP (an invoice's PDF): the bytes with a file name, a strong ETag and 304
support, cached exactly like the JSON reads of ``kit.http.json_response``."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response

from selfserve.kit.http import CREDENTIAL_VARY, etag_of
from selfserve.kit.http import _matches as matches_etag

_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


def document_response(
    request: Request[Any, Any, Any],
    body: bytes,
    *,
    media_type: str,
    filename: str,
    vary: str = CREDENTIAL_VARY,
) -> Response[bytes]:
    """``body`` as an attachment named ``filename``; ``vary`` lists every request header the
    bytes depend on (the credential's, and e.g. ``Accept-Language``)."""
    etag = etag_of(body)
    safe_name = _UNSAFE_IN_FILENAME.sub("_", filename)
    headers = {
        "ETag": etag,
        "Cache-Control": "private, no-cache",
        "Vary": vary,
        "Content-Disposition": f'attachment; filename="{safe_name}"',
    }
    if_none_match = request.headers.get("if-none-match")
    if if_none_match and matches_etag(if_none_match, etag):
        return Response(b"", status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)
