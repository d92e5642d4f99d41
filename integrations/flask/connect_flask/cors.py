"""CORS for Connect views: the settings of Flask-CORS that browsers need.

Example::

    from flask_cors import CORS
    from connect_flask import cors_options

    CORS(app, **cors_options(["https://app.example"], expose=["greet-version"]))

or, for the Connect paths only, ``CORS(app, resources={r"/rpc/*": cors_options([...])})``.
The header lists come from :mod:`connect_core.cors`. Preflight requests (``OPTIONS``) are
answered by Flask's automatic ``OPTIONS`` response, which Flask-CORS completes: a
:class:`~connect_flask.ConnectBlueprint` leaves ``OPTIONS`` to Flask.
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
    origins: Sequence[str] | str = (),
    *,
    extra_headers: Iterable[str] = (),
    expose: Iterable[str] = (),
    supports_credentials: bool = False,
    extra_methods: Iterable[str] = (),
    max_age: int = 7200,
) -> dict[str, Any]:
    """Keyword arguments for ``flask_cors.CORS`` (or one of its ``resources``) that let
    browsers call Connect views.

    Its arguments are named as Flask-CORS names them (``origins``, ``supports_credentials``),
    as ``connect_fastapi.cors_options`` follows Starlette's ``CORSMiddleware`` and
    ``connect_django.cors_settings`` gives django-cors-headers' settings; the lists are
    :mod:`connect_core.cors`'s in all three.

    Args:
        origins: The origins allowed to call (``"*"`` for any, without credentials), or
            regular expressions of them, as Flask-CORS takes them.
        extra_headers: Request headers your clients send beyond the protocol's, e.g.
            ``authorization`` or ``x-tenant``.
        expose: Response headers your handlers set that browsers may read. Unary trailers
            arrive as ``trailer-<name>`` headers: list each by its full name.
        supports_credentials: Allow cookies and HTTP authentication (the session of a
            Flask-Login app).
        extra_methods: HTTP methods beyond ``GET`` and ``POST`` (for other routes of the app).
        max_age: How long browsers may cache a preflight answer, in seconds.
    """
    return {
        "origins": origins if isinstance(origins, str) else list(origins),
        "methods": allowed_methods(extra_methods),
        "allow_headers": allowed_headers(extra_headers),
        "expose_headers": exposed_headers(expose),
        "supports_credentials": supports_credentials,
        "max_age": max_age,
    }


__all__ = ["ALLOWED_HEADERS", "ALLOWED_METHODS", "EXPOSED_HEADERS", "cors_options"]
