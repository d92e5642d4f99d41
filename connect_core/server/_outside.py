"""Answering Connect clients outside every procedure: a path no procedure claims, or a
request the framework refused before routing it to one (its own 404, an ``abort`` in an
app-wide hook).

A framework's own error page (FastAPI's ``{"detail": ...}``, Flask's HTML) is nothing a
Connect client can read, so an adapter that catches those errors answers the requests that
:func:`speaks_connect` recognises with :func:`status_refusal` instead, in the format of the
protocol the request head speaks (its ``outside_error``): Connect's unary error format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from .._code import Code
from .._errors import ConnectError
from .._protocol.server import ServerProtocol
from ._body import DrainPolicy
from ._replies import Refusal
from ._status import error_for_status

_RPC_CONTENT_TYPES = ("application/proto", "application/connect+")
_NO_BODY_EXPECTED = DrainPolicy.for_limit(0)


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


def _protocol(
    http_method: str, headers: _HeaderLookup | None, protocols: tuple[ServerProtocol, ...] | None
) -> ServerProtocol:
    """The protocol a request head speaks, among ``protocols`` (default: every protocol with
    the default options), which renders the answer."""
    from ._call import choose_protocol
    from ._endpoints import default_protocols

    found = protocols or default_protocols()
    if headers is None:
        return found[-1]
    return choose_protocol(found, http_method, headers)  # type: ignore[arg-type]


def not_found(
    path: str, *, http_method: str = "POST", request_headers: _HeaderLookup | None = None
) -> Refusal:
    """The refusal for a path that names no procedure: 404 ``unimplemented``, in the format
    of the protocol the request head speaks (``http_method``, ``request_headers``; Connect's
    without them)."""
    return not_found_among(path, http_method, request_headers, None)


def not_found_among(
    path: str,
    http_method: str,
    request_headers: _HeaderLookup | None,
    protocols: tuple[ServerProtocol, ...] | None,
) -> Refusal:
    """:func:`not_found` in the format of one of ``protocols`` (a service's own)."""
    error = ConnectError(Code.UNIMPLEMENTED, f"no procedure at {path}")
    reply = _protocol(http_method, request_headers, protocols).outside_error(error, [], 404)
    return Refusal.of(reply, _NO_BODY_EXPECTED)


def status_refusal(
    status: int,
    message: str,
    path: str,
    headers: Iterable[tuple[str, str]] = (),
    *,
    http_method: str = "POST",
    request_headers: _HeaderLookup | None = None,
) -> Refusal:
    """The refusal for a Connect request the framework refused with HTTP ``status`` before
    any procedure saw it: 404 is :func:`not_found` for ``path``; any other status has its
    code from :data:`~connect_core.server.HTTP_STATUS_CODES`, with ``message``. ``headers``
    are the framework error's own (``WWW-Authenticate`` of a 401, ``Retry-After`` of a
    429); the request head (``http_method``, ``request_headers``) picks the protocol whose
    format answers."""
    if status == 404:
        error, reply_status = ConnectError(Code.UNIMPLEMENTED, f"no procedure at {path}"), 404
    else:
        error, reply_status = error_for_status(status, message), None
    return outside_refusal(
        error,
        headers,
        reply_status,
        http_method=http_method,
        request_headers=request_headers,
    )


def outside_refusal(
    error: ConnectError,
    headers: Iterable[tuple[str, str]] = (),
    status: int | None = None,
    *,
    http_method: str = "POST",
    request_headers: _HeaderLookup | None = None,
) -> Refusal:
    """A refusal carrying ``error`` for a request no procedure claimed (so its stream kind
    is unknown), with extra response ``headers`` and HTTP ``status`` (default: the code's
    own, as the protocol maps them), in the format of the protocol the request head speaks."""
    protocol = _protocol(http_method, request_headers, None)
    return Refusal.of(protocol.outside_error(error, list(headers), status), _NO_BODY_EXPECTED)
