"""CORS for Connect views: the ``django-cors-headers`` settings browsers need.

Example (``settings.py``)::

    from connect_django import cors_settings

    INSTALLED_APPS = [..., "corsheaders", "connect_django"]
    MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", ...]  # as high as possible
    globals().update(cors_settings(["https://app.example"], expose=["greet-version"]))

or copy what ``cors_settings(...)`` returns into the settings by hand. The header lists come
from :mod:`connect_core.cors`, derived from the protocol.
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


def cors_settings(
    allowed_origins: Sequence[str] = (),
    *,
    extra_headers: Iterable[str] = (),
    expose: Iterable[str] = (),
    allowed_origin_regexes: Sequence[str] = (),
    allow_all_origins: bool = False,
    allow_credentials: bool = False,
    extra_methods: Iterable[str] = (),
    max_age: int = 7200,
    urls_regex: str | None = None,
) -> dict[str, Any]:
    """The ``CORS_*`` settings of ``django-cors-headers`` that let browsers call Connect views.

    Settings, not keyword arguments as ``connect_fastapi.cors_options`` and
    ``connect_flask.cors_options`` give, because django-cors-headers is configured by
    settings; the lists are :mod:`connect_core.cors`'s in all three.

    Args:
        allowed_origins: The origins allowed to call (``CORS_ALLOWED_ORIGINS``).
        extra_headers: Request headers your clients send beyond the protocol's, e.g.
            ``authorization`` or ``x-tenant``.
        expose: Response headers your handlers set that browsers may read. Unary trailers
            arrive as ``trailer-<name>`` headers: list each by its full name.
        allowed_origin_regexes: Regexes of allowed origins.
        allow_all_origins: Allow any origin (without credentials).
        allow_credentials: Allow cookies and HTTP authentication.
        extra_methods: HTTP methods beyond ``GET`` and ``POST`` (for other views).
        max_age: How long browsers may cache a preflight answer, in seconds.
        urls_regex: Limit CORS to these paths (``CORS_URLS_REGEX``, e.g. ``r"^/rpc/.*$"``).
    """
    options: dict[str, Any] = {
        "CORS_ALLOWED_ORIGINS": list(allowed_origins),
        "CORS_ALLOW_METHODS": allowed_methods(extra_methods),
        "CORS_ALLOW_HEADERS": allowed_headers(extra_headers),
        "CORS_EXPOSE_HEADERS": exposed_headers(expose),
        "CORS_ALLOW_CREDENTIALS": allow_credentials,
        "CORS_PREFLIGHT_MAX_AGE": max_age,
    }
    if allowed_origin_regexes:
        options["CORS_ALLOWED_ORIGIN_REGEXES"] = list(allowed_origin_regexes)
    if allow_all_origins:
        options["CORS_ALLOW_ALL_ORIGINS"] = True
    if urls_regex is not None:
        options["CORS_URLS_REGEX"] = urls_regex
    return options


__all__ = ["ALLOWED_HEADERS", "ALLOWED_METHODS", "EXPOSED_HEADERS", "cors_settings"]
