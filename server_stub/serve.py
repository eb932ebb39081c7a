"""What ``city-server run`` serves under uvicorn: Django's WSGI handler in a fixed thread pool
(a2wsgi), an ASGI application. Compared with Django's native ASGI handler (``asgi.py``), which
starts a fresh thread - and so a fresh database connection - for every request, the pool keeps
one persistent connection per thread; on the 2-core reference machine that doubles requests/s.
Without a2wsgi installed the native ASGI handler is served (correct, slower)."""

from __future__ import annotations

import logging
import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server_stub.settings")
logger = logging.getLogger(__name__)

application: Any
try:
    from a2wsgi import WSGIMiddleware
except ImportError:  # pragma: no cover - depends on the environment
    from django.core.asgi import get_asgi_application

    logger.warning("a2wsgi is not installed: serving Django's native ASGI handler")
    application = get_asgi_application()
else:
    from django.core.wsgi import get_wsgi_application

    application = WSGIMiddleware(get_wsgi_application(), workers=int(os.environ.get("CITY_SERVER_THREADS", "8")))
