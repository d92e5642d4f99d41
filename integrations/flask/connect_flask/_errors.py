"""Turning what Flask raises around or inside a Connect view (``abort(401)``, any
``HTTPException``) into Connect errors."""

from __future__ import annotations

from flask import Request
from werkzeug.exceptions import HTTPException

from connect_core import ConnectError
from connect_core.server import HTTPErrorTranslation, error_for_status
from connect_core.server import speaks_connect as is_connect_request


def http_error_to_connect_error(exc: BaseException) -> ConnectError | None:
    """The Connect error for an exception with an HTTP meaning in Flask, or ``None``.

    An ``HTTPException`` (``abort(403)``) has the code of its status, through the core's one
    table, :data:`connect_core.server.HTTP_STATUS_CODES` (401 ``unauthenticated``, 403
    ``permission_denied``, 404 ``not_found``, ...), and its description as the message
    (``abort(403, description="admins only")``), or its name. The exception's headers are not
    part of the error: they are sent as response headers.
    """
    if not isinstance(exc, HTTPException):
        return None
    status = exc.code if exc.code is not None else 500
    return error_for_status(status, exc.description or exc.name)


def http_error_headers(exc: HTTPException) -> list[tuple[str, str]]:
    """The response headers an ``HTTPException`` carries beyond its HTML body's content type
    (``WWW-Authenticate`` of a 401, ``Allow`` of a 405, ``Retry-After`` of a 429)."""
    return [(k.lower(), v) for k, v in exc.get_headers() if k.lower() != "content-type"]


def translate_http_error(exc: Exception) -> HTTPErrorTranslation | None:
    """The seam's translation of an exception raised inside a handler (``abort()``: see
    :class:`connect_core.server.Service`'s ``http_errors``)."""
    if not isinstance(exc, HTTPException):
        return None
    error = http_error_to_connect_error(exc)
    assert error is not None
    return error, http_error_headers(exc)


def speaks_connect(flask_request: Request) -> bool:
    """True when ``flask_request`` is a Connect call by its head (see
    :func:`connect_core.server.speaks_connect`)."""
    return is_connect_request(flask_request.method, flask_request.headers, flask_request.args)
