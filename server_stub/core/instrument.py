"""The one AppConfig of an instrument app: its package, pages, API and menu entries follow from a
declaration of three lines.

    class BudgetConfig(instrument.Instrument):
        label = "budget"                                       # the package server_stub.budget
        verbose_name = _("Participatory budget")
        home = ("budget/", _("Participatory budget"))          # pages, API and menu entry at one path

``home = (path, menu label)``: ``<app>.urls`` is mounted at ``/<path>``, ``<app>.api.router`` at
``/api/<path>`` and ``(/<path>, menu label)`` joins the main navigation.
``sections = {path: menu label}``: an app with several page trees; each ``<app>.urls_<path>`` is
mounted at ``/<path>`` with its menu entry, and the API at ``/api/<label>/``.

What the URLconf and the API read are the attributes every app may declare (see ``core/apps.py``):
``url_prefix``, ``url_mounts``, ``api_prefix`` and ``nav``.

Apps import this module, not the class, so that Django finds exactly one AppConfig in their
``apps.py``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.apps import AppConfig


class Instrument(AppConfig):
    home: ClassVar[tuple[str, Any] | None] = None
    sections: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = f"server_stub.{cls.label}"
        if cls.home is not None:
            path, menu = cls.home
            cls.url_prefix = path
            cls.api_prefix = path
            cls.nav = [(f"/{path}", menu)]
        elif cls.sections:
            cls.url_mounts = {path: f"{cls.name}.urls_{path.strip('/')}" for path in cls.sections}
            cls.api_prefix = f"{cls.label}/"
            cls.nav = [(f"/{path}", menu) for path, menu in cls.sections.items()]
