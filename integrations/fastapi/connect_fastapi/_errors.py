"""Turning FastAPI's ``HTTPException`` (and request validation errors) into Connect errors."""

from __future__ import annotations

import json

from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from connect_core import Code, ConnectError
from connect_core.server import code_for_status, status_refusal
from connect_core.server import speaks_connect as is_connect_request


def http_exception_to_connect_error(exc: HTTPException) -> ConnectError:
    """The Connect error an ``HTTPException`` raised by a dependency is sent as.

    The code follows the core's one table, :data:`connect_core.server.HTTP_STATUS_CODES`; the
    message is the exception's ``detail``
    (JSON-encoded when it is not a string). The exception's ``headers`` are not part of the
    error: the router sends them as response headers.
    """
    detail = exc.detail
    message = detail if isinstance(detail, str) else json.dumps(detail, default=str)
    return ConnectError(code_for_status(exc.status_code), message)


def validation_error_to_connect_error(exc: RequestValidationError) -> ConnectError:
    """An ``invalid_argument`` error describing what a dependency's parameters missed."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg")))
    return ConnectError(Code.INVALID_ARGUMENT, "; ".join(parts) or "invalid request")


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
    """
    if not isinstance(exc, HTTPException):
        raise exc
    if not speaks_connect(request):
        return await http_exception_handler(request, exc)
    from ._serve import RefusalResponse  # _serve imports this module

    message = http_exception_to_connect_error(exc).message
    headers = [(k.lower(), v) for k, v in (exc.headers or {}).items()]
    refusal = status_refusal(exc.status_code, message, request.url.path, headers)
    # The refusal reads the request body first: hypercorn drops an HTTP/2 connection whose
    # client sends body bytes after the response ended.
    return RefusalResponse(request, refusal)
