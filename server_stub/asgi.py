"""ASGI entry point: ``uvicorn server_stub.asgi:application``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server_stub.settings")
application = get_asgi_application()
