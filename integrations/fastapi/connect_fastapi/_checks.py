"""Start-up checks over a whole app: no Connect route may be shadowed by another route."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import routing as fastapi_routing
from starlette.routing import BaseRoute, Route


def _http_routes(routes: Sequence[BaseRoute]) -> Iterator[tuple[Any, str, set[str]]]:
    """``(route, path, methods)`` for every HTTP route of an app, included routers expanded."""
    iter_contexts = getattr(fastapi_routing, "iter_route_contexts", None)
    if iter_contexts is not None:  # FastAPI keeps included routers as one route each
        for context in iter_contexts(routes):
            original = context.original_route
            path = context.path_format or context.path
            methods = context.methods
            if isinstance(path, str) and methods:
                yield original, path, set(methods)
        return
    for route in routes:  # FastAPI copies included routes into the app
        if isinstance(route, Route) and route.methods:
            yield route, route.path_format, set(route.methods)


def _describe(route: Any) -> str:
    connect_name = getattr(route, "connect_service", None)
    if connect_name is not None:
        return f"ConnectRouter({connect_name}) route {route.name!r}"
    return f"route {getattr(route, 'name', None) or type(route).__name__!r}"


def check_routes(routes: Sequence[BaseRoute]) -> None:
    """Raise ``RuntimeError`` when a Connect route shares its path and method with another.

    That happens when the same service is included twice at the same prefix, or an app route
    sits on a Connect path: only the first route would ever answer. Routes that never match
    (the OpenAPI stand-ins of unary methods) are ignored.
    """
    seen: dict[tuple[str, str], Any] = {}
    clashes: list[str] = []
    for route, path, methods in _http_routes(routes):
        if getattr(route, "connect_openapi_only", False):
            continue
        for method in sorted(methods):
            first = seen.setdefault((path, method), route)
            if first is route:
                continue
            if getattr(route, "connect_service", None) or getattr(first, "connect_service", None):
                clashes.append(
                    f"{method} {path} is served by {_describe(first)} and again by "
                    f"{_describe(route)}"
                )
    if clashes:
        raise RuntimeError(
            "connect_fastapi: " + "; ".join(clashes) + ". A Connect service is mounted twice "
            "at the same path (or collides with another route); include each ConnectRouter "
            "once per prefix."
        )
