"""CORS for Connect routes: the settings of Starlette's ``CORSMiddleware`` browsers need.

Example::

    from fastapi.middleware.cors import CORSMiddleware
    from connect_fastapi import cors_options

    app.add_middleware(
        CORSMiddleware,
        **cors_options(allow_origins=["https://app.example"], expose=["greet-version"]),
    )

The header lists come from :mod:`connect_core.cors`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from connect_core.cors import (
    ALLOWED_HEADERS,
    ALLOWED_METHODS,
    EXPOSED_HEADERS,
    allowed_headers,
    allowed_methods,
    exposed_headers,
)


def cors_options(
    allow_origins: Sequence[str] = (),
    *,
    extra_headers: Iterable[str] = (),
    expose: Iterable[str] = (),
    allow_origin_regex: str | None = None,
    allow_credentials: bool = False,
    extra_methods: Iterable[str] = (),
    max_age: int = 7200,
) -> dict[str, Any]:
    """Keyword arguments for ``CORSMiddleware`` that let browsers call Connect routes.

    The one helper whose name and form differ between the integrations, because it follows
    each framework's CORS library: keyword arguments here and for Flask-CORS
    (``connect_flask.cors_options``), settings for django-cors-headers
    (``connect_django.cors_settings``); the lists are :mod:`connect_core.cors`'s in all three.

    Args:
        allow_origins: The origins allowed to call (``["*"]`` for any, without credentials).
        extra_headers: Request headers your clients send beyond the protocol's, e.g.
            ``authorization`` or ``x-tenant``.
        expose: Response headers your handlers set that browsers may read. Unary trailers
            arrive as ``trailer-<name>`` headers: list each by its full name.
        allow_origin_regex: A regex of allowed origins, as ``CORSMiddleware`` takes it.
        allow_credentials: Allow cookies and HTTP authentication.
        extra_methods: HTTP methods beyond ``GET`` and ``POST`` (for other routes of the app).
        max_age: How long browsers may cache a preflight answer, in seconds.
    """
    options: dict[str, Any] = {
        "allow_origins": list(allow_origins),
        "allow_methods": allowed_methods(extra_methods),
        "allow_headers": allowed_headers(extra_headers),
        "expose_headers": exposed_headers(expose),
        "allow_credentials": allow_credentials,
        "max_age": max_age,
    }
    if allow_origin_regex is not None:
        options["allow_origin_regex"] = allow_origin_regex
    return options


__all__ = ["ALLOWED_HEADERS", "ALLOWED_METHODS", "EXPOSED_HEADERS", "cors_options"]
