"""WSGI entry point (for a WSGI server; the CLI serves the ASGI app with uvicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server_stub.settings")
application = get_wsgi_application()
