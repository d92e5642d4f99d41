"""A protocol shaped like gRPC, for the seam's tests, and the echo service served with it.

:class:`TrailersProtocol` claims its own content type (``application/x-trailers``), frames
unary calls as streams, ends every response with HTTP trailers (``x-status``) and answers an
error before any message in its headers, as gRPC's trailers-only responses do. It shows the
seam carries a protocol of another shape with no adapter change, and that HTTP trailers go
out where the server sends them and are refused readably where it does not.

``core.trailers_app:asgi_app`` and ``core.trailers_app:wsgi_app`` serve the async and the
sync echo service with it (and Connect) under any ASGI or WSGI server.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from echo.v1.echo_connect import ECHO_SERVICE_INFO
from google.protobuf.message import Message
from servers.echo_service import AsyncEcho, SyncEcho

from connect_core import ConnectError, Headers, MethodInfo
from connect_core._protocol.connect_server import ConnectServerProtocol
from connect_core._protocol.server import CallSetup, HeaderList, Reply
from connect_core.server import (
    asgi_sends_trailers,
    environ_headers,
    serve_asgi,
    serve_wsgi,
    wsgi_sends_trailers,
)
from connect_core.server._endpoints import build_connect_protocol, build_endpoints


class TrailersProtocol(ConnectServerProtocol):
    """A protocol shaped like gRPC: claims its own content type, frames unary calls as
    streams and ends every response with HTTP trailers."""

    needs_http_trailers = True

    def accepts(self, http_method: str, content_type: str) -> bool:
        return content_type == "application/x-trailers"

    def negotiate(
        self,
        method: MethodInfo[Message, Message],
        http_method: str,
        headers: Headers,
        query_string: str,
    ) -> CallSetup:
        unary = method.stream_type.value == "unary"
        content_type = "application/proto" if unary else "application/connect+proto"
        as_connect = Headers({"content-type": content_type})
        setup = super().negotiate(method, http_method, as_connect, query_string)
        setup.protocol = self
        setup.streams = True
        return setup

    def stream_end(
        self, setup: CallSetup | None, error: Any, trailers: Headers | None
    ) -> tuple[bytes, HeaderList]:
        status = "ok" if error is None else error.code.value
        extra = list(trailers.multi_items()) if trailers else []
        return b"", [("x-status", status), *extra]

    def stream_error_response(
        self, setup: CallSetup | None, error: ConnectError, headers: Any, trailers: Any
    ) -> Reply:
        """An error before any message: its status in the headers, as gRPC's trailers-only
        response has it."""
        return Reply(
            200,
            [
                ("content-type", "application/x-trailers"),
                ("x-status", error.code.value),
                ("x-message", error.message),
            ],
            b"",
        )

    def outside_error(
        self, error: ConnectError, headers: HeaderList, status: int | None = None
    ) -> Reply:
        return Reply(
            200,
            [("content-type", "application/x-trailers"), *headers],
            b"",
            [
                ("x-status", error.code.value),
                ("x-message", error.message),
            ],
        )


def _connect_args() -> dict[str, Any]:
    p = build_connect_protocol({})
    return {
        "codecs": tuple(p.codecs.values()),
        "compressions": tuple(p.compressions.values()),
        "compress_min_bytes": p.compress_min_bytes,
        "read_max_bytes": p.read_max_bytes,
    }


def protocols() -> tuple[Any, ...]:
    """The trailers protocol first, then Connect."""
    return (TrailersProtocol(**_connect_args()), build_connect_protocol({}))


_ASYNC = build_endpoints(AsyncEcho(), ECHO_SERVICE_INFO, {}, is_async=True, protocols=protocols())
_SYNC = build_endpoints(SyncEcho(), ECHO_SERVICE_INFO, {}, is_async=False, protocols=protocols())


async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The async echo service, with the trailers protocol and Connect."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    target = _ASYNC[scope["path"]].start(
        scope["method"],
        Headers.from_raw(scope["headers"]),
        http_trailers=asgi_sends_trailers(scope),
    )
    await serve_asgi(target, receive, send)


def wsgi_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """The sync echo service, with the trailers protocol and Connect."""
    target = _SYNC[environ["PATH_INFO"]].start(
        environ["REQUEST_METHOD"],
        environ_headers(environ),
        http_trailers=wsgi_sends_trailers(environ),
    )
    return serve_wsgi(target, environ, start_response)
