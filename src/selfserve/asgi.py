"""The ASGI entry point for servers: ``granian --interface asgi selfserve.asgi:app``."""

from selfserve.app import create_app

app = create_app()
