"""FastAPI's ``HTTPException`` (and request validation errors) as Connect errors."""

from __future__ import annotations

import json

from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from connect_core import Code, ConnectError
from connect_core.server import HTTPErrorTranslation, error_for_status, status_refusal
from connect_core.server import speaks_connect as is_connect_request


def http_error_to_connect_error(exc: BaseException) -> ConnectError | None:
    """The Connect error for an exception with an HTTP meaning in FastAPI, or ``None``.

    An ``HTTPException`` (FastAPI's or Starlette's) has the code of its status, through the
    core's one table, :data:`connect_core.server.HTTP_STATUS_CODES` (401 ``unauthenticated``,
    403 ``permission_denied``, 404 ``not_found``, ...), and its ``detail`` as the message
    (JSON-encoded when it is not a string). A ``RequestValidationError`` (a dependency's
    parameters did not validate) is ``invalid_argument`` naming what was missed. The
    exception's ``headers`` are not part of the error: they are sent as response headers.
    """
    if isinstance(exc, HTTPException):
        detail = exc.detail
        message = detail if isinstance(detail, str) else json.dumps(detail, default=str)
        return error_for_status(exc.status_code, message)
    if isinstance(exc, RequestValidationError):
        parts = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()))
            parts.append(f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg")))
        return ConnectError(Code.INVALID_ARGUMENT, "; ".join(parts) or "invalid request")
    return None


def http_error_headers(exc: BaseException) -> list[tuple[str, str]]:
    """The response headers an ``HTTPException`` carries (``WWW-Authenticate`` of a 401)."""
    headers = exc.headers if isinstance(exc, HTTPException) else None
    return [(k.lower(), v) for k, v in (headers or {}).items()]


def translate_http_error(exc: Exception) -> HTTPErrorTranslation | None:
    """The seam's translation of an exception raised inside a handler (see
    :class:`connect_core.server.Service`'s ``http_errors``)."""
    error = http_error_to_connect_error(exc)
    return None if error is None else (error, http_error_headers(exc))


def speaks_connect(request: Request) -> bool:
    """True when ``request`` is a Connect call by its head (see
    :func:`connect_core.server.speaks_connect`)."""
    return is_connect_request(request.method, request.headers, request.query_params)


async def connect_exception_handler(request: Request, exc: Exception) -> Response:
    """An app-level ``HTTPException`` handler that answers Connect clients in Connect's format.

    A ``ConnectRouter`` answers unknown names under its service's path itself, but a path
    outside every router (a mistyped service or prefix) gets the app's own 404, which FastAPI
    writes as ``{"detail": "Not Found"}``: JSON a Connect client cannot read as an error.
    Register this handler to give Connect calls (see :func:`speaks_connect`) a Connect error
    instead, with the code from :data:`connect_core.server.HTTP_STATUS_CODES` (404 is
    ``unimplemented``, as the protocol says for an unknown procedure); every other request
    gets FastAPI's default::

        from starlette.exceptions import HTTPException
        app.add_exception_handler(HTTPException, connect_exception_handler)

    It is the FastAPI form of what ``connect_flask.Connect(app)`` and
    ``connect_django.ConnectErrorPagesMiddleware`` do for their frameworks.
    """
    if not isinstance(exc, HTTPException):
        raise exc
    if not speaks_connect(request):
        return await http_exception_handler(request, exc)
    from ._serve import RefusalResponse  # _serve imports this module

    error = http_error_to_connect_error(exc)
    assert error is not None
    refusal = status_refusal(
        exc.status_code,
        error.message,
        request.url.path,
        http_error_headers(exc),
        http_method=request.method,
        request_headers=request.headers,
    )
    # The refusal reads the request body first: hypercorn drops an HTTP/2 connection whose
    # client sends body bytes after the response ended.
    return RefusalResponse(request, refusal)
