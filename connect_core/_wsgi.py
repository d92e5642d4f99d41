"""``ConnectWSGIApplication``: serves one Connect service (sync handlers) over WSGI."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

from typing_extensions import Unpack

from ._asgi import parse_query
from ._context import RequestContext
from ._errors import ConnectError
from ._handler_sync import open_stream_sync, run_unary_sync
from ._headers import Headers
from ._method import AnyServiceInfo
from ._options import Endpoint, ServerOptions, build_endpoints
from ._server_shared import (
    Reply,
    body_ended_early,
    body_read_before_end,
    body_too_large,
    drain_cap,
    error_reply,
    negotiate,
    not_found,
    procedure_of,
)

StartResponse = Callable[..., Any]
WSGIEnviron = dict[str, Any]

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    499: "Client Closed Request",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_CHUNK = 65536


def status_line(status: int) -> str:
    """``"200 OK"`` and friends."""
    return f"{status} {_REASONS.get(status, 'Unknown')}"


def environ_headers(environ: WSGIEnviron) -> Headers:
    """Collect the request headers of a WSGI environ."""
    pairs: list[tuple[str, str]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            pairs.append((key[5:].replace("_", "-").lower(), value))
    if "CONTENT_TYPE" in environ:
        pairs.append(("content-type", environ["CONTENT_TYPE"]))
    if environ.get("CONTENT_LENGTH"):
        pairs.append(("content-length", environ["CONTENT_LENGTH"]))
    return Headers(pairs)


def body_chunks(environ: WSGIEnviron) -> Iterator[bytes]:
    """Read the request body in chunks as they arrive (chunked bodies included)."""
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        declared = remaining = int(length)
        while remaining > 0:
            chunk = stream.read(min(remaining, _CHUNK))
            if not chunk:
                raise body_ended_early(declared - remaining, declared)
            remaining -= len(chunk)
            yield chunk
        return
    read = getattr(stream, "read1", None) or stream.read
    while True:
        chunk = read(_CHUNK)
        if not chunk:
            return
        yield chunk


class RequestBody:
    """The request body's chunks as they arrive, knowing whether all of it was read.

    A reply that goes out before the body is read (a refusal, an error, a handler that
    finished early) drains the rest first: a server that closes a connection with unread
    request bytes makes the kernel reset it, and the client can lose the reply's end.
    """

    __slots__ = ("_chunks", "complete")

    def __init__(self, environ: WSGIEnviron) -> None:
        """Read the body of the request ``environ`` describes."""
        self._chunks = body_chunks(environ)
        self.complete = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except (StopIteration, ConnectError):  # the end, or a body that ended early
            self.complete = True
            raise

    def read(self, limit: int) -> bytes:
        """Read the whole body, refusing more than ``limit`` bytes (<= 0: no limit)."""
        parts: list[bytes] = []
        size = 0
        for chunk in self:
            size += len(chunk)
            if 0 < limit < size:
                raise body_too_large(limit)
            parts.append(chunk)
        return b"".join(parts)

    def drain(self, limit: int) -> None:
        """Read and discard the rest of the body, up to :func:`drain_cap` bytes (a blocking
        read cannot be bounded in time here); past that the server may reset the
        connection. Nothing happens once the body was read to its end."""
        cap = drain_cap(limit)
        seen = 0
        with contextlib.suppress(ConnectError):  # a body that ended early: nothing left
            for chunk in self:
                seen += len(chunk)
                if seen > cap:
                    return

    def drained_after(self, chunks: Iterable[bytes], limit: int) -> Iterator[bytes]:
        """Yield ``chunks``, then drain what the call left of the body."""
        yield from chunks
        if not self.complete:
            self.drain(limit)


class ConnectWSGIApplication:
    """A WSGI application serving every procedure of one service with sync handlers.

    The generated ``XServiceWSGIApplication`` classes subclass this; use those.
    """

    def __init__(
        self, service: object, info: AnyServiceInfo, **options: Unpack[ServerOptions]
    ) -> None:
        """Serve ``service`` (which implements ``info``) with ``options``."""
        self.service = service
        self.info = info
        self.path = f"/{info.name}/"
        """The path prefix of every procedure, e.g. ``/greet.v1.GreetService/``."""
        self._endpoints: dict[str, Endpoint] = build_endpoints(
            service, info, options, is_async=False
        )

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        """Serve one WSGI request."""
        path: str = environ.get("PATH_INFO", "")
        ep = self._endpoints.get(path) or self._endpoints.get(procedure_of(path))
        if ep is None:
            return respond(start_response, not_found(path))
        return serve_wsgi(ep, environ, start_response)


def serve_wsgi(
    ep: Endpoint, environ: WSGIEnviron, start_response: StartResponse, request: Any = None
) -> Iterable[bytes]:
    """Serve one call to ``ep`` over WSGI (used by the application and by adapters)."""
    headers = environ_headers(environ)
    http_method: str = environ.get("REQUEST_METHOD", "GET")
    query = (
        parse_query(environ.get("QUERY_STRING", "").encode("latin-1"))
        if http_method == "GET"
        else {}
    )
    body = RequestBody(environ)
    setup = negotiate(ep, http_method, headers, query)
    if isinstance(setup, Reply):
        if http_method != "GET":
            body.drain(ep.read_max_bytes)
        return respond(start_response, setup)
    ctx = RequestContext(ep.method, http_method, headers, setup.timeout_ms, request)
    if ep.streaming:
        drain_first = body_read_before_end(headers)
        before_end = partial(body.drain, ep.read_max_bytes) if drain_first else None
        status, hdrs, chunks = open_stream_sync(ep, setup, ctx, body, before_end)
        start_response(status_line(status), hdrs)
        return body.drained_after(chunks, ep.read_max_bytes)
    try:
        data = body.read(ep.read_max_bytes) if http_method == "POST" else b""
    except ConnectError as e:
        body.drain(ep.read_max_bytes)
        return respond(start_response, error_reply(ep, setup, e))
    return respond(start_response, Reply(*run_unary_sync(ep, setup, ctx, data)))


def respond(start_response: StartResponse, reply: Reply) -> list[bytes]:
    """Start a buffered reply and return its body."""
    start_response(status_line(reply.status), reply.headers_with_length())
    return [reply.body]
