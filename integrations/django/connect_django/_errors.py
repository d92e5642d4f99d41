"""Django's exceptions with an HTTP meaning, raised in a handler or a decorator, as Connect
errors.

A handler that raises ``PermissionDenied`` (``permission_denied``), ``Http404``
(``not_found``), ``BadRequest`` or ``SuspiciousOperation`` (``invalid_argument``) answers the
Connect error of that HTTP status, through the core's one table
(:data:`connect_core.server.HTTP_STATUS_CODES`). The seam's innermost interceptor does that
(``Service(..., http_errors=translate_http_error)``), so that user interceptors see the
Connect error.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404

from connect_core import ConnectError
from connect_core.server import HTTPErrorTranslation, error_for_status

_STATUS: tuple[tuple[type[Exception], int, str], ...] = (
    (PermissionDenied, 403, "permission denied"),
    (Http404, 404, "not found"),
    (BadRequest, 400, "bad request"),
    (SuspiciousOperation, 400, "bad request"),
)


def http_error_to_connect_error(exc: BaseException) -> ConnectError | None:
    """The Connect error for an exception with an HTTP meaning in Django, or ``None``.

    ``PermissionDenied`` is ``permission_denied``, ``Http404`` (``get_object_or_404``)
    ``not_found``, ``BadRequest`` and ``SuspiciousOperation`` ``invalid_argument``, through
    the core's one table, :data:`connect_core.server.HTTP_STATUS_CODES`; the message is the
    exception's own (``PermissionDenied("admins only")``), or the status's meaning.
    """
    for cls, status, default in _STATUS:
        if isinstance(exc, cls):
            return error_for_status(status, str(exc) or default)
    return None


def translate_http_error(exc: Exception) -> HTTPErrorTranslation | None:
    """The seam's translation of an exception raised inside a handler (see
    :class:`connect_core.server.Service`'s ``http_errors``): Django's exceptions carry no
    headers."""
    error = http_error_to_connect_error(exc)
    return None if error is None else (error, ())
