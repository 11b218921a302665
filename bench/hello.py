"""The HTTP floor: a bare ASGI "hello" app, served by granian exactly like ``selfserve serve``.

``python -m bench.hello --port P --workers 2`` serves it on 127.0.0.1.
"""

from __future__ import annotations

import argparse
from typing import Any

BODY = b"hello"
_START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"text/plain"), (b"content-length", b"5")],
}
_BODY = {"type": "http.response.body", "body": BODY}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers every HTTP request with 200 ``hello`` (with a content-length)."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send(_START)
    await send(_BODY)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    serve("bench.hello:app", args.host, args.port, args.workers)


def serve(target: str, host: str, port: int, workers: int) -> None:
    """Serves the ASGI app ``target`` (``module:attribute``) as ``selfserve serve`` does."""
    from granian import Granian
    from granian.constants import Interfaces, Loops

    Granian(
        target,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        loop=Loops.uvloop,
        log_access=False,
    ).serve()


if __name__ == "__main__":
    main()
