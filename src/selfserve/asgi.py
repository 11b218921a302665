"""The ASGI entry point for servers: ``granian --interface asgi selfserve.asgi:app``."""

import gc

from selfserve.app import create_app
from selfserve.config import get_settings
from selfserve.logs import configure_logging

configure_logging(get_settings().log_level)
app = create_app()

# A page of orders allocates thousands of short-lived objects, and with CPython's default
# thresholds the cyclic collector ran every 700 of them, re-scanning the few hundred
# thousand objects the imports left behind at each older-generation pass: about 8% of a
# request's instructions. The imported world is moved out of the collector's sight, and the
# youngest generation is collected every 10,000 allocations instead (memory stays bounded:
# request objects are freed by reference counting, the collector only finds cycles).
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 10, 10)
