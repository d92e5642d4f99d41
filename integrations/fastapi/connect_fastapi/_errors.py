"""Turning FastAPI's ``HTTPException`` (and request validation errors) into Connect errors."""

from __future__ import annotations

import json
from collections.abc import Mapping

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from connect_core import Code, ConnectError

HTTP_STATUS_CODES: Mapping[int, Code] = {
    400: Code.INVALID_ARGUMENT,
    401: Code.UNAUTHENTICATED,
    403: Code.PERMISSION_DENIED,
    404: Code.NOT_FOUND,
    405: Code.UNIMPLEMENTED,
    408: Code.DEADLINE_EXCEEDED,
    409: Code.ALREADY_EXISTS,
    412: Code.FAILED_PRECONDITION,
    413: Code.RESOURCE_EXHAUSTED,
    416: Code.OUT_OF_RANGE,
    422: Code.INVALID_ARGUMENT,
    429: Code.RESOURCE_EXHAUSTED,
    499: Code.CANCELED,
    500: Code.INTERNAL,
    501: Code.UNIMPLEMENTED,
    502: Code.UNAVAILABLE,
    503: Code.UNAVAILABLE,
    504: Code.DEADLINE_EXCEEDED,
}
"""The Connect code for an HTTP status an ``HTTPException`` carries.

409 Conflict becomes ``already_exists`` (what FastAPI apps mostly mean by it; Connect maps
both ``already_exists`` and ``aborted`` back to 409). Other 4xx become ``unknown`` and other
5xx ``internal``.
"""


def code_for_status(status: int) -> Code:
    """The Connect code for the HTTP ``status`` of an ``HTTPException``."""
    found = HTTP_STATUS_CODES.get(status)
    if found is not None:
        return found
    return Code.INTERNAL if status >= 500 else Code.UNKNOWN


def http_exception_to_connect_error(exc: HTTPException) -> ConnectError:
    """The Connect error an ``HTTPException`` raised by a dependency is sent as.

    The code follows :data:`HTTP_STATUS_CODES`; the message is the exception's ``detail``
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
