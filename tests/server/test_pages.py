"""server_stub/core/pages.py on its own: the URL list it gives is the declarations, in their order,
calling what the module exports. (The whole server's table: test_url_table.py.)"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from server_stub.core.pages import Pages

main, extra = Pages(), Pages()


def guarded(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any) -> Any:
        return "guarded " + view(*args)
    return wrapper


@main.route("", name="index", kwargs={"section": "main"})
def index(request: object, section: str) -> str:
    return section


@main.route("a/<str:number>", name="status")
@main.route("a/<str:number>/")
def status(request: object, number: str) -> str:
    return number


@extra.route("usage/", name="usage")
def usage(request: object) -> str:
    return "usage"


main.add(extra)


@main.route(r"^catalog\.(?P<fmt>jsonld|ttl)$", name="catalog", regex=True)
@guarded
def catalog(request: object, fmt: str) -> str:
    return fmt


@main.route("<slug:name>/", name="dataset")
def dataset(request: object, name: str) -> str:
    return name


def table(pages: Pages) -> list[tuple[str, str | None, str, Any, dict[str, Any]]]:
    return [(str(p.pattern), p.name, type(p.pattern).__name__, p.callback, p.default_args)
            for p in pages.urlpatterns]


def test_the_url_list_is_the_declarations_in_the_order_written() -> None:
    assert table(main) == [
        ("", "index", "RoutePattern", index, {"section": "main"}),
        ("a/<str:number>", "status", "RoutePattern", status, {}),  # the upper of two routes on one view first
        ("a/<str:number>/", None, "RoutePattern", status, {}),
        ("usage/", "usage", "RoutePattern", usage, {}),             # another module's pages where they were added
        ("^catalog\\.(?P<fmt>jsonld|ttl)$", "catalog", "RegexPattern", catalog, {}),
        ("<slug:name>/", "dataset", "RoutePattern", dataset, {}),
    ]
    assert catalog(None, "ttl") == "guarded ttl"  # the URL calls the decorated view the module exports


def test_the_url_list_resolves_as_django_would() -> None:
    from django.urls.resolvers import RegexPattern, URLResolver

    resolver = URLResolver(RegexPattern(r"^/"), main.urlpatterns)
    assert resolver.resolve("/").kwargs == {"section": "main"}
    assert resolver.resolve("/usage/").func is usage  # before the catch-all declared after it
    assert resolver.resolve("/catalog.ttl").kwargs == {"fmt": "ttl"}
    assert resolver.resolve("/other/").url_name == "dataset"


def test_a_decorator_above_the_route_stops_the_url_configuration() -> None:
    late = Pages()

    @guarded
    @late.route("x/", name="x")
    def unguarded(request: object) -> str:
        return "x"

    globals()["unguarded"] = unguarded  # even as a module-level name, the URL would call the bare function
    try:
        with pytest.raises(ImproperlyConfigured, match="outermost decorator"):
            late.urlpatterns  # noqa: B018
    finally:
        del globals()["unguarded"]
