"""Answering Connect clients outside every procedure: a path no procedure claims, or a
request the framework refused before routing it to one (its own 404, an ``abort`` in an
app-wide hook).

A framework's own error page (FastAPI's ``{"detail": ...}``, Flask's HTML) is nothing a
Connect client can read, so an adapter that catches those errors answers the requests that
:func:`speaks_connect` recognises with :func:`status_refusal` instead, in Connect's unary
error format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from .._code import Code
from .._errors import ConnectError
from ._replies import Refusal
from ._status import error_for_status

_RPC_CONTENT_TYPES = ("application/proto", "application/connect+")


class _HeaderLookup(Protocol):
    """Request headers looked up by name whatever its case (Starlette's and werkzeug's
    header maps, :class:`~connect_core.Headers`)."""

    def get(self, key: str, /) -> str | None: ...

    def __contains__(self, key: str, /) -> bool: ...


def speaks_connect(http_method: str, headers: _HeaderLookup, query: Mapping[str, str]) -> bool:
    """True when a request is a Connect call by its head.

    Binary Protobuf and enveloped (streaming) content types are RPC; JSON counts when the
    ``Connect-Protocol-Version`` header says so (a plain JSON API client sends none); a GET
    counts with ``connect=v1`` in its ``query``. ``headers`` must look names up whatever
    their case, as the frameworks' header maps and :class:`~connect_core.Headers` do.
    """
    content_type = (headers.get("content-type") or "").lower()
    if content_type.startswith(_RPC_CONTENT_TYPES):
        return True
    if "connect-protocol-version" in headers:
        return True
    return http_method == "GET" and query.get("connect") == "v1"


def not_found(path: str) -> Refusal:
    """The refusal for a path that names no procedure: 404 ``unimplemented``."""
    return unary_refusal(ConnectError(Code.UNIMPLEMENTED, f"no procedure at {path}"), status=404)


def status_refusal(
    status: int, message: str, path: str, headers: Iterable[tuple[str, str]] = ()
) -> Refusal:
    """The refusal for a Connect request the framework refused with HTTP ``status`` before
    any procedure saw it: 404 is :func:`not_found` for ``path``; any other status has its
    code from :data:`~connect_core.server.HTTP_STATUS_CODES`, with ``message``. ``headers``
    are the framework error's own (``WWW-Authenticate`` of a 401, ``Retry-After`` of a
    429)."""
    if status == 404:
        error, reply_status = ConnectError(Code.UNIMPLEMENTED, f"no procedure at {path}"), 404
    else:
        error, reply_status = error_for_status(status, message), None
    return unary_refusal(error, headers, reply_status)


def unary_refusal(
    error: ConnectError, headers: Iterable[tuple[str, str]] = (), status: int | None = None
) -> Refusal:
    """A refusal carrying ``error`` in Connect's unary format, for a request no procedure
    claimed (so its stream kind is unknown), with HTTP ``status`` (default: the code's own,
    as Connect maps them)."""
    return Refusal(
        error.code.http_status if status is None else status,
        [("content-type", "application/json"), *headers],
        error.to_json(),
    )
