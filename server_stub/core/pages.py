"""An app's HTML pages declared on their views, as its API declares operations on a django-ninja
``Router``:

    pages = Pages()

    @pages.route("requests/<int:rid>/", name="detail")
    @staff_required("handle_requests")
    def detail(request: HttpRequest, rid: int) -> HttpResponse: ...

``pages.urlpatterns`` is the Django ``path()`` list (``re_path()`` with ``regex=True``) in the order
of declaration, which is the order Django tries them: declare a catch-all such as ``<slug:name>/``
after the pages it would swallow. ``pages.add(other)`` puts another module's pages at that point.
Several ``@pages.route`` lines on one view stand in the URL list in the order they are written;
``kwargs`` are passed to the view, as ``path()`` passes them, so one view can serve several pages.

``@pages.route`` is the view's outermost decorator: the URL must call what the module exports under
the view's name (with ``login_required`` or ``staff_required`` applied), so a decorator above it
stops the URL configuration from loading rather than going missing from the URL.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, path, re_path

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class _Route:
    route: str
    view: Callable[..., Any]
    name: str | None
    regex: bool
    kwargs: dict[str, Any] | None

    def pattern(self) -> URLPattern:
        module = sys.modules[self.view.__module__]
        if getattr(module, self.view.__name__, None) is not self.view:
            raise ImproperlyConfigured(f"{self.view.__module__}.{self.view.__qualname__}: @pages.route "
                                       f"({self.route!r}) must be the outermost decorator of a module-level view")
        return (re_path if self.regex else path)(self.route, self.view, self.kwargs, name=self.name)


class Pages:
    """The pages of one module, in the order they are declared."""

    def __init__(self) -> None:
        self._entries: list[_Route | Pages] = []

    def route(self, route: str, *, name: str | None = None, regex: bool = False,
              kwargs: dict[str, Any] | None = None) -> Callable[[View], View]:
        """Declare the view below as the page at ``route`` (a ``path()`` route, or a regex)."""
        def declare(view: View) -> View:
            # stacked decorators run from the bottom up: a route written above another of the same
            # view goes before it
            at = next((i for i, e in enumerate(self._entries) if isinstance(e, _Route) and e.view is view),
                      len(self._entries))
            self._entries.insert(at, _Route(route, view, name, regex, kwargs))
            return view
        return declare

    def add(self, other: Pages) -> None:
        """Another module's pages, at this point of the order."""
        self._entries.append(other)

    @property
    def urlpatterns(self) -> list[URLPattern]:
        out: list[URLPattern] = []
        for entry in self._entries:
            if isinstance(entry, Pages):
                out += entry.urlpatterns
            else:
                out.append(entry.pattern())
        return out
