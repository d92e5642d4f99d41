"""``ConnectASGIApplication``: serves one Connect service as a plain ASGI application."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from typing_extensions import Unpack

from ._code import Code
from ._context import RequestContext
from ._errors import ConnectError
from ._handler_async import open_stream, run_unary
from ._headers import Headers
from ._method import AnyServiceInfo
from ._options import Endpoint, ServerOptions, build_endpoints
from ._protocol import CallSetup, HeaderList
from ._server_shared import (
    DRAIN_SECONDS,
    Reply,
    body_read_before_end,
    body_too_large,
    drain_cap,
    drain_idle,
    error_reply,
    negotiate,
    not_found,
    procedure_of,
)

Scope = MutableMapping[str, Any]
Message_ = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message_]]
Send = Callable[[Message_], Awaitable[None]]


class ClientDisconnected(ConnectError):
    """The client went away before the request body was complete."""

    def __init__(self) -> None:
        """Create the error (code ``canceled``)."""
        super().__init__(Code.CANCELED, "the client disconnected")


def encode_headers(headers: HeaderList) -> list[tuple[bytes, bytes]]:
    """Encode header pairs for ASGI."""
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]


def parse_query(query_string: bytes) -> dict[str, str]:
    """Parse a query string into its first values."""
    out: dict[str, str] = {}
    for k, v in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        out.setdefault(k, v)
    return out


class _Watcher:
    """Waits for ``http.disconnect`` once the request body is read, and cancels the call.

    ``body_done`` says that the request body needs no more reading: it was read to its end,
    or drained.
    """

    __slots__ = ("body_done", "disconnected", "task")

    def __init__(self) -> None:
        self.disconnected = False
        self.body_done = False
        self.task: asyncio.Task[None] | None = None

    def start(self, receive: Receive) -> None:
        self.body_done = True
        if self.task is None:
            self.task = asyncio.create_task(self._watch(receive, asyncio.current_task()))

    async def _watch(self, receive: Receive, main: asyncio.Task[Any] | None) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True
                if main is not None:
                    main.cancel()
                return

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()


async def _body_chunks(receive: Receive, watcher: _Watcher) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = message.get("body", b"")
        if not message.get("more_body", False):
            watcher.start(receive)  # the body is complete before its last chunk is decoded
            if chunk:
                yield chunk
            return
        if chunk:
            yield chunk


async def read_body(receive: Receive, limit: int) -> bytes:
    """Read a whole request body, refusing more than ``limit`` bytes (<= 0: no limit)."""
    message = await receive()
    if message["type"] == "http.disconnect":
        raise ClientDisconnected()
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        if 0 < limit < len(body):
            raise _too_large(limit, complete=True)
        return body
    parts = [body]
    size = len(body)
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if 0 < limit < size:
            raise _too_large(limit)
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


async def drain(receive: Receive, limit: int, idle: float | None = None) -> None:
    """Read and discard what is left of a request body we answer without reading, within
    the drain policy (:func:`drain_cap` bytes, :data:`DRAIN_SECONDS`); with ``idle``, stop
    too when no part of the body comes for that many seconds."""
    cap = drain_cap(limit)
    seen = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(DRAIN_SECONDS):
            while seen <= cap:
                if idle is None:
                    message = await receive()
                else:
                    async with asyncio.timeout(idle):
                        message = await receive()
                if message["type"] != "http.request" or not message.get("more_body", False):
                    return
                seen += len(message.get("body", b""))


class _TooLarge(ConnectError):
    """A body over the limit; ``complete`` when all of it was received anyway."""

    def __init__(self, limit: int, complete: bool) -> None:
        error = body_too_large(limit)
        super().__init__(error.code, error.message)
        self.complete = complete


def _too_large(limit: int, complete: bool = False) -> ConnectError:
    return _TooLarge(limit, complete)


class ConnectASGIApplication:
    """An ASGI application serving every procedure of one service.

    The generated ``XServiceASGIApplication`` classes subclass this; use those. Requests whose
    path does not end in one of the service's procedures get 404 ``unimplemented``.
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
            service, info, options, is_async=True
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope."""
        kind = scope["type"]
        if kind != "http":
            if kind == "lifespan":
                await _lifespan(receive, send)
            return
        path: str = scope["path"]
        ep = self._endpoints.get(path) or self._endpoints.get(procedure_of(path))
        if ep is None:
            await drain(receive, 0)
            await send_reply(send, not_found(path))
            return
        await serve_asgi(ep, scope, receive, send)


async def serve_asgi(
    ep: Endpoint,
    scope: Scope,
    receive: Receive,
    send: Send,
    request: Any = None,
    on_body: Callable[[RequestContext, bytes], None] | None = None,
) -> None:
    """Serve one call to ``ep`` over raw ASGI (used by the application and by adapters).

    ``request`` is put on :attr:`RequestContext.request` for handlers to use. ``on_body`` is
    called with the context and the whole request body of a unary call once it is read, before
    the handler runs (an adapter caches it on its request object there).
    """
    headers = Headers.from_raw(scope["headers"])
    http_method: str = scope["method"]
    query = parse_query(scope["query_string"]) if http_method == "GET" else {}
    setup = negotiate(ep, http_method, headers, query)
    if isinstance(setup, Reply):
        await drain(receive, ep.read_max_bytes)
        await send_reply(send, setup)
        return
    ctx = RequestContext(ep.method, http_method, headers, setup.timeout_ms, request)
    if ep.streaming:
        await _serve_stream(ep, setup, ctx, receive, send)
        return
    try:
        body = await read_body(receive, ep.read_max_bytes)
        if http_method == "GET":
            body = b""  # a GET's message is in its query; an HTTP/2 body end still comes
    except ClientDisconnected:
        return
    except ConnectError as e:
        if not (isinstance(e, _TooLarge) and e.complete):
            await drain(receive, ep.read_max_bytes)
        await send_reply(send, error_reply(ep, setup, e))
        return
    if on_body is not None:
        on_body(ctx, body)
    status, hdrs, body = await run_unary(ep, setup, ctx, body)
    raw = encode_headers(hdrs)
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class StreamHead:
    """Sends a streaming response's head on request: what :meth:`RequestContext.send_headers`
    calls under ASGI. Installed on the context before the handler starts; ``sent`` tells the
    server not to send the head again when the first message comes."""

    __slots__ = ("_send", "_setup", "sent")

    def __init__(self, send: Send, setup: CallSetup, ctx: RequestContext) -> None:
        """Send through ``send`` the head of the stream ``setup`` describes, for ``ctx``."""
        self._send = send
        self._setup = setup
        self.sent = False
        ctx._send_head = self

    async def __call__(self, headers: Headers | None) -> None:
        """Send the head now, with ``headers`` (the handler's response headers so far)."""
        self.sent = True
        status, hdrs = self._setup.protocol.stream_response_head(self._setup, headers)
        await self._send(
            {"type": "http.response.start", "status": status, "headers": encode_headers(hdrs)}
        )


async def _serve_stream(
    ep: Endpoint, setup: CallSetup, ctx: RequestContext, receive: Receive, send: Send
) -> None:
    watcher = _Watcher()
    head = StreamHead(send, setup, ctx)
    body_iter: AsyncIterator[bytes] | None = None

    async def finish_body() -> None:
        if not watcher.body_done:
            watcher.body_done = True
            await drain(receive, ep.read_max_bytes)

    before_end = finish_body if body_read_before_end(ctx.request_headers()) else None
    try:
        status, hdrs, body_iter = await open_stream(
            ep, setup, ctx, _body_chunks(receive, watcher), before_end
        )
        ctx._send_head = None
        if not head.sent:
            await send(
                {"type": "http.response.start", "status": status, "headers": encode_headers(hdrs)}
            )
        async for chunk in body_iter:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if not watcher.body_done:
            # The handler finished before the request body did; the end-of-stream message
            # is out, so the client will stop sending.
            await drain(receive, ep.read_max_bytes, drain_idle(ep.method.stream_type))
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    except asyncio.CancelledError:
        if not watcher.disconnected:
            raise
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
    except OSError:
        pass
    finally:
        watcher.stop()
        if body_iter is not None:
            await body_iter.aclose()  # type: ignore[attr-defined]


async def send_reply(send: Send, reply: Reply) -> None:
    """Send a buffered reply."""
    await send(
        {
            "type": "http.response.start",
            "status": reply.status,
            "headers": encode_headers(reply.headers_with_length()),
        }
    )
    await send({"type": "http.response.body", "body": reply.body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
