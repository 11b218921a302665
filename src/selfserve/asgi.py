"""The ASGI entry point for servers: ``granian --interface asgi selfserve.asgi:app``."""

from selfserve.app import create_app
from selfserve.config import get_settings
from selfserve.logs import configure_logging

configure_logging(get_settings().log_level)
app = create_app()
