"""Serving one Connect procedure for a Starlette ``Request``: the adapter over the core engine.

Unary calls read the body from ``Request.stream()`` (bounded by ``read_max_bytes``) and answer
with a plain :class:`~starlette.responses.Response` carrying a content length. Streaming calls
answer with :class:`ConnectStreamingResponse`, which starts the handler, sends each message as
it is produced, and reads request messages from ``Request.stream()`` as they arrive, so a
bidirectional stream is full-duplex where the server is (HTTP/2).

Sync services run in Starlette's threadpool: the unary handler call, the start of a stream and
each later stream step are separate ``run_in_threadpool`` calls, and a sync handler reading its
request stream pulls each chunk from the event loop, so the loop is never blocked.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Iterator
from typing import Any

import anyio
import anyio.from_thread
from starlette.background import BackgroundTask
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from connect_core import Code, ConnectError, Headers, RequestContext
from connect_core._asgi import StreamHead, encode_headers, parse_query, serve_asgi
from connect_core._handler_async import open_stream, run_unary
from connect_core._handler_sync import open_stream_sync, run_unary_sync
from connect_core._options import Endpoint
from connect_core._protocol import CallSetup, HeaderList
from connect_core._server_shared import (
    DRAIN_SECONDS,
    Reply,
    body_read_before_end,
    body_too_large,
    drain_cap,
    drain_idle,
    error_reply,
    negotiate,
    not_found,
)

from ._errors import http_exception_to_connect_error

_NO_QUERY: dict[str, str] = {}


class ConnectResponse(Response):
    """A complete response whose status, headers and body the protocol engine produced."""

    def __init__(self, status: int, headers: HeaderList, body: bytes) -> None:
        """Send ``body`` with ``status`` and ``headers`` (a content length is added)."""
        self.status_code = status
        self.body = body
        self.background: BackgroundTask | None = None
        raw = encode_headers(headers)
        raw.append((b"content-length", str(len(body)).encode()))
        self.raw_headers = raw


async def drain(request: Request, limit: int, idle: float | None = None) -> None:
    """Read and drop what is left of the request body, within the core's drain policy
    (``drain_cap(limit)`` bytes for ``read_max_bytes`` ``limit``, ``DRAIN_SECONDS``).

    A response that completes before the request body has fully arrived is legal HTTP, but
    under HTTP/2 hypercorn drops the whole connection when data then arrives for the finished
    stream, and HTTP/1.1 servers may reset a connection closed with unread request bytes. So
    refusals, and streams that end before reading all their requests, take in the rest of a
    (reasonably sized, promptly sent) body first. With ``idle``, stop too when no part of the
    body comes for that many seconds.
    """
    cap = drain_cap(limit)
    size = 0
    with anyio.move_on_after(DRAIN_SECONDS):
        try:
            chunks = request.stream()
            while size <= cap:
                if idle is None:
                    chunk = await anext(chunks)
                else:
                    with anyio.fail_after(idle):
                        chunk = await anext(chunks)
                size += len(chunk)
        except (StopAsyncIteration, TimeoutError):
            return
        except (ClientDisconnect, RuntimeError, HTTPException):  # gone, read, or over a limit
            return


class RefusalResponse(ConnectResponse):
    """A :class:`ConnectResponse` refusing a call: the unread request body is drained first."""

    def __init__(
        self,
        request: Request,
        status: int,
        headers: HeaderList,
        body: bytes,
        *,
        limit: int = 0,
    ) -> None:
        """Refuse ``request`` with ``status``, ``headers`` and ``body``; ``limit`` is the
        endpoint's ``read_max_bytes`` (0: unknown), which bounds the drain."""
        super().__init__(status, headers, body)
        self._request = request
        self._limit = limit

    @classmethod
    def for_reply(cls, request: Request, reply: Reply, *, limit: int = 0) -> RefusalResponse:
        """The response refusing ``request`` with a buffered core :class:`Reply`."""
        return cls(request, reply.status, reply.headers, reply.body, limit=limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Drain the request body, then send the response."""
        await drain(self._request, self._limit)
        await super().__call__(scope, receive, send)


async def read_body(request: Request, limit: int) -> bytes:
    """Read the whole request body from ``request.stream()``, refusing more than ``limit``."""
    parts: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            if chunk:
                size += len(chunk)
                if 0 < limit < size:
                    raise body_too_large(limit)
                parts.append(chunk)
    except HTTPException as e:  # e.g. FastAPI's ``max_body_size``, raised while receiving
        raise http_exception_to_connect_error(e) from None
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _cache_body(ctx: RequestContext, body: bytes) -> None:
    """Keep a unary request body on the Starlette request, as ``Request.body()`` does."""
    ctx.request._body = body


class ConnectCall:
    """Serves one procedure: ``await call(request)`` returns the Starlette response."""

    __slots__ = ("_asgi_unary", "endpoint", "streaming")

    def __init__(self, endpoint: Endpoint) -> None:
        """Serve ``endpoint`` (a procedure of a service, with its interceptors)."""
        self.endpoint = endpoint
        self.streaming = endpoint.streaming
        self._asgi_unary = endpoint.is_async and not endpoint.streaming

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the call as an ASGI app, where no FastAPI request handling applies.

        Async unary calls go straight through the core's ASGI serving (``ctx.request`` is
        still a Starlette ``Request``, whose ``body()`` gives the request body); streaming
        calls and sync services take the same path as under FastAPI's request handler.
        """
        request = Request(scope, receive, send)
        if self._asgi_unary:
            await serve_asgi(self.endpoint, scope, receive, send, request, _cache_body)
            return
        response = await self(request)
        await response(scope, receive, send)

    async def __call__(self, request: Request) -> Response:
        """Run the call ``request`` carries and return its response."""
        ep = self.endpoint
        scope = request.scope
        http_method: str = scope["method"]
        headers = Headers.from_raw(scope["headers"])
        query = parse_query(scope["query_string"]) if http_method == "GET" else _NO_QUERY
        setup = negotiate(ep, http_method, headers, query)
        if isinstance(setup, Reply):
            return RefusalResponse.for_reply(request, setup, limit=ep.read_max_bytes)
        ctx = RequestContext(ep.method, http_method, headers, setup.timeout_ms, request)
        if self.streaming:
            return ConnectStreamingResponse(ep, setup, ctx, request)
        body = b""
        if http_method == "POST":
            try:
                body = await read_body(request, ep.read_max_bytes)
            except ClientDisconnect:
                return ConnectResponse(499, [], b"")
            except ConnectError as e:
                return RefusalResponse.for_reply(
                    request, error_reply(ep, setup, e), limit=ep.read_max_bytes
                )
            _cache_body(ctx, body)
        else:
            # A GET has no body, but an HTTP/2 client may end its request after the headers.
            await drain(request, ep.read_max_bytes)
        if ep.is_async:
            return ConnectResponse(*await run_unary(ep, setup, ctx, body))
        return ConnectResponse(*await run_in_threadpool(run_unary_sync, ep, setup, ctx, body))

    def error_response(
        self, request: Request, error: ConnectError, headers: Iterable[tuple[str, str]] = ()
    ) -> Response:
        """The response for a call refused before it ran (e.g. by a FastAPI dependency).

        Unary calls get the JSON error body with the code's HTTP status; streaming calls get
        HTTP 200 and an end-of-stream message carrying the error, in the stream content type
        the request asked for. ``headers`` are sent as response headers.
        """
        ep = self.endpoint
        extra = Headers(list(headers)) or None
        if not self.streaming:
            return RefusalResponse(
                request, *ep.protocol.unary_error(None, error, extra, None), limit=ep.read_max_bytes
            )
        negotiated = negotiate(
            ep, request.method, Headers.from_raw(request.scope["headers"]), _NO_QUERY
        )
        setup = None if isinstance(negotiated, Reply) else negotiated
        proto = ep.protocol if setup is None else setup.protocol
        return RefusalResponse(
            request,
            *proto.stream_error_response(setup, error, extra, None),
            limit=ep.read_max_bytes,
        )


class UnknownProcedure:
    """Answers calls to a procedure the service does not have: 404 ``unimplemented``."""

    __slots__ = ()

    async def __call__(self, request: Request) -> Response:
        """The 404 response, with the Connect JSON error body."""
        return RefusalResponse.for_reply(request, not_found(request.url.path))

    def error_response(
        self, request: Request, error: ConnectError, headers: Iterable[tuple[str, str]] = ()
    ) -> Response:
        """A unary Connect error response (the procedure is unknown, so is its kind)."""
        status = 404 if error.code is Code.UNIMPLEMENTED else error.code.http_status
        return RefusalResponse(
            request, status, [("content-type", "application/json"), *headers], error.to_json()
        )


class _SyncChunks(Iterator[bytes]):
    """The request body chunks for a sync handler: each one is read on the event loop."""

    __slots__ = ("_chunks",)

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks

    def __next__(self) -> bytes:
        chunk = anyio.from_thread.run(self._next)
        if chunk is None:
            raise StopIteration
        return chunk

    async def _next(self) -> bytes | None:
        return await anext(self._chunks, None)


class ConnectStreamingResponse(StreamingResponse):
    """A Connect streaming call: runs the handler and sends its messages as they come.

    The handler starts when the response is sent. Response headers are known once it has
    produced its first message (or ended), so the status and headers go out with that first
    message, unless the handler sends them earlier with ``await ctx.send_headers()``; each
    later message is sent as soon as the handler yields it.

    Starlette's ``StreamingResponse`` listens for ``http.disconnect`` from the start of the
    response (ASGI spec < 2.4, which uvicorn and hypercorn speak), calling ``receive()``
    concurrently with whoever reads the request body; in a bidirectional stream that would
    swallow request messages. This response reads the body from ``Request.stream()`` in the
    handler's own pace and only starts listening for the disconnect once the body is fully
    read; when the client goes away then, the handler is cancelled (its ``finally`` blocks
    run) and nothing more is sent.
    """

    def __init__(
        self, endpoint: Endpoint, setup: CallSetup, ctx: RequestContext, request: Request
    ) -> None:
        """Stream the call to ``endpoint`` negotiated as ``setup``."""
        self.status_code = 200
        self.background = None
        self.raw_headers = []
        self._endpoint = endpoint
        self._setup = setup
        self._ctx = ctx
        self._request = request
        self._body_read = anyio.Event()
        self._cancel: anyio.CancelScope | None = None
        self._body = self._produce()
        self.body_iterator = self._body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the response; stop the handler when the client disconnects."""
        completed = False
        head = StreamHead(send, self._setup, self._ctx)  # for ``await ctx.send_headers()``
        async with anyio.create_task_group() as tg:
            self._cancel = tg.cancel_scope
            tg.start_soon(self._watch_disconnect, receive)
            try:
                completed = await self._send_all(send, head)
            except OSError:  # ASGI 2.4 servers raise on send once the client is gone
                pass
            finally:
                tg.cancel_scope.cancel()
                with anyio.CancelScope(shield=True):
                    await self._body.aclose()
        if completed and self.background is not None:
            await self.background()

    async def _send_all(self, send: Send, head: StreamHead) -> bool:
        body = self._body
        first = await anext(body)
        self._ctx._send_head = None
        if not head.sent:
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
        await send({"type": "http.response.body", "body": first, "more_body": True})
        async for chunk in body:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if not self._body_read.is_set():
            ep = self._endpoint
            await drain(self._request, ep.read_max_bytes, drain_idle(ep.method.stream_type))
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return True

    async def _watch_disconnect(self, receive: Receive) -> None:
        await self._body_read.wait()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                if self._cancel is not None:
                    self._cancel.cancel()
                return

    async def _request_chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._request.stream():
                if chunk:
                    yield chunk
        except ClientDisconnect:
            if self._cancel is not None:
                self._cancel.cancel()
            raise ConnectError(Code.CANCELED, "the client disconnected") from None
        except HTTPException as e:  # e.g. FastAPI's ``max_body_size``, raised while receiving
            raise http_exception_to_connect_error(e) from None
        self._body_read.set()

    async def _finish_body(self) -> None:
        if not self._body_read.is_set():
            await drain(self._request, self._endpoint.read_max_bytes)
            self._body_read.set()

    def _finish_body_from_thread(self) -> None:
        # The sync handler's stream runs in the threadpool; the body is read on the loop.
        anyio.from_thread.run(self._finish_body)

    def _head(self, status: int, headers: HeaderList) -> None:
        self.status_code = status
        self.raw_headers = encode_headers(headers)

    async def _produce(self) -> AsyncGenerator[bytes, None]:
        ep, setup, ctx = self._endpoint, self._setup, self._ctx
        if ep.is_async:
            drain_first = body_read_before_end(ctx.request_headers())
            before_end = self._finish_body if drain_first else None
            status, headers, body = await open_stream(
                ep, setup, ctx, self._request_chunks(), before_end
            )
            self._head(status, headers)
            try:
                async for chunk in body:
                    yield chunk
            finally:
                await body.aclose()  # type: ignore[attr-defined]
            return
        sync_chunks = _SyncChunks(self._request_chunks())
        sync_before_end = (
            self._finish_body_from_thread if body_read_before_end(ctx.request_headers()) else None
        )
        status, headers, sync_body = await run_in_threadpool(
            open_stream_sync, ep, setup, ctx, sync_chunks, sync_before_end
        )
        self._head(status, headers)
        try:
            async for chunk in iterate_in_threadpool(sync_body):
                yield chunk
        finally:
            close: Any = getattr(sync_body, "close", None)
            if close is not None:
                await run_in_threadpool(close)
