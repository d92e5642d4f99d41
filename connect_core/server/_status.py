"""The one table from an HTTP status, raised by a framework around a handler, to a Connect code."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .._code import Code
from .._errors import ConnectError

HTTP_STATUS_CODES: Mapping[int, Code] = MappingProxyType(
    {
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
)
"""The Connect code for an HTTP status that a framework raised around a handler (FastAPI's
``HTTPException``, Django's ``PermissionDenied`` and ``Http404``, Flask's ``abort``).

409 Conflict becomes ``already_exists`` (what web apps mostly mean by it; Connect maps both
``already_exists`` and ``aborted`` back to 409). Other 4xx become ``unknown`` and other 5xx
``internal``.
"""


def code_for_status(status: int) -> Code:
    """The Connect code for the HTTP ``status`` a framework raised (see
    :data:`HTTP_STATUS_CODES`)."""
    found = HTTP_STATUS_CODES.get(status)
    if found is not None:
        return found
    return Code.INTERNAL if status >= 500 else Code.UNKNOWN


def error_for_status(status: int, message: str) -> ConnectError:
    """The Connect error for an HTTP ``status`` a framework raised with ``message``."""
    return ConnectError(code_for_status(status), message)
