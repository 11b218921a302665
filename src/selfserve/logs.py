"""Process logging: plain lines to stderr; the audit logger's messages are JSON already."""

from __future__ import annotations

import logging
import sys


def configure_logging(level: str = "INFO") -> None:
    """Configure the root logger once per process (servers call this before serving)."""
    root = logging.getLogger()
    if getattr(configure_logging, "done", False):
        root.setLevel(level.upper())
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(level.upper())
    # fontTools reports every font subset it makes at INFO: one line per PDF is noise.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    configure_logging.done = True  # type: ignore[attr-defined]
