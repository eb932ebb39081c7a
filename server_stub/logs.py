"""The city server's logging: one JSON object per line on stderr (python-json-logger), with the
same fields as the terminal's programs (``t``, ``level``, ``logger``, ``msg``, extras, ``exc``).
Used by Django's ``LOGGING`` setting and by ``city-server`` before Django starts."""

from __future__ import annotations

import os
from typing import Any


def logging_config(level: str | None = None) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s", "datefmt": "%Y-%m-%dT%H:%M:%S",
            "rename_fields": {"asctime": "t", "levelname": "level", "name": "logger", "message": "msg",
                              "exc_info": "exc"},
            "json_ensure_ascii": False, "json_default": str,
        }},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level or os.environ.get("CITY_SERVER_LOG_LEVEL", "INFO")},
        "loggers": {"django.request": {"level": "ERROR"}},
    }
