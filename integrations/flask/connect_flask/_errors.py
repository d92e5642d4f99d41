"""Turning what Flask raises around a Connect view (``abort(401)``, any ``HTTPException``, a
``ConnectError`` from a ``before_request`` hook) into Connect errors."""

from __future__ import annotations

from flask import Request
from werkzeug.exceptions import HTTPException

from connect_core import ConnectError
from connect_core.server import error_for_status
from connect_core.server import speaks_connect as is_connect_request


def http_exception_to_connect_error(exc: HTTPException) -> ConnectError:
    """The Connect error an ``HTTPException`` (``abort(403)``) is answered with.

    The code follows the core's one table, :data:`connect_core.server.HTTP_STATUS_CODES`
    (401 ``unauthenticated``, 403 ``permission_denied``, 404 ``not_found``, ...); the message
    is the exception's description (``abort(403, "admins only")``), or its name.
    """
    status = exc.code if exc.code is not None else 500
    return error_for_status(status, exc.description or exc.name)


def http_exception_headers(exc: HTTPException) -> list[tuple[str, str]]:
    """The response headers an ``HTTPException`` carries beyond its HTML body's content type
    (``WWW-Authenticate`` of a 401, ``Allow`` of a 405, ``Retry-After`` of a 429)."""
    return [(k.lower(), v) for k, v in exc.get_headers() if k.lower() != "content-type"]


def speaks_connect(flask_request: Request) -> bool:
    """True when ``flask_request`` is a Connect call by its head (see
    :func:`connect_core.server.speaks_connect`)."""
    return is_connect_request(flask_request.method, flask_request.headers, flask_request.args)
