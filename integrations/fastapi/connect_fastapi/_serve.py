"""Serving one Connect procedure for a Starlette ``Request``: the adapter over the core seam.

Everything protocol-shaped (negotiation, limits, running the handler, framing, draining,
client disconnects) happens in :mod:`connect_core.server`; this module only hands it the
Starlette request's head and body and turns its replies into Starlette responses. Sync
services run in Starlette's threadpool (``run_in_threadpool``), one step at a time, so the
event loop is never blocked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from connect_core import Code, ConnectError, Headers
from connect_core.server import (
    Call,
    ClientDisconnected,
    Endpoint,
    Refusal,
    asgi_sends_trailers,
    drain,
    not_found,
    outside_refusal,
    run_unary_asgi,
    serve_asgi,
)

from ._errors import http_error_to_connect_error


class ConnectResponse(Response):
    """A complete response whose status, headers, body and HTTP trailers the protocol
    engine produced."""

    def __init__(
        self,
        status: int,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        trailers: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Send ``body`` with ``status`` and ``headers`` (a content length is added), then
        ``trailers`` (only started where the server sends them: see
        :func:`connect_core.server.asgi_sends_trailers`)."""
        self.status_code = status
        self.body = body
        self.background: BackgroundTask | None = None
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        raw.append((b"content-length", str(len(body)).encode()))
        self.raw_headers = raw
        self._trailers = list(trailers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the response, with its trailers when it has any."""
        if not self._trailers:
            await super().__call__(scope, receive, send)
            return
        start = {"type": "http.response.start", "status": self.status_code, "trailers": True}
        await send({**start, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body})
        trailers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in self._trailers]
        await send({"type": "http.response.trailers", "headers": trailers})


async def request_chunks(request: Request) -> AsyncIterator[bytes]:
    """The request body from ``request.stream()``, in the seam's terms: a client that went
    away is :class:`~connect_core.server.ClientDisconnected`, an ``HTTPException`` raised while
    receiving (FastAPI's ``max_body_size``) is its Connect error, and a body that middleware
    or a dependency consumed already ends at once."""
    try:
        async for chunk in request.stream():
            if chunk:
                yield chunk
    except ClientDisconnect:
        raise ClientDisconnected from None
    except HTTPException as e:
        error = http_error_to_connect_error(e)
        assert error is not None
        raise error from None
    except RuntimeError:  # "Stream consumed": read by someone else before
        return


class RefusalResponse(ConnectResponse):
    """A response refusing a call: the unread request body is drained first, within the
    seam's drain policy."""

    def __init__(self, request: Request, refusal: Refusal) -> None:
        """Refuse ``request`` with ``refusal``."""
        super().__init__(refusal.status, refusal.headers, refusal.body)
        self._request = request
        self._refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Drain the request body, then send the response."""
        await drain(request_chunks(self._request), self._refusal.drain)
        await super().__call__(scope, receive, send)


class NoResponse(Response):
    """What a call whose client went away answers: nothing (the seam's disconnect policy)."""

    def __init__(self) -> None:
        """Send nothing."""
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send nothing."""


def _cache_body(call: Call, body: bytes) -> None:
    """Keep a unary request body on the Starlette request, as ``Request.body()`` does."""
    call.context.request._body = body


class ConnectStreamingResponse(Response):
    """A Connect streaming call: runs the handler and sends its messages as they come.

    The handler starts when the response is sent, and everything else is the seam's
    (:func:`connect_core.server.serve_asgi`): the status and headers go out with the first
    message (or earlier, with ``await ctx.send_headers()``), each later message as soon as the
    handler yields it, request messages are read as they arrive (full duplex where the server
    is), and once the request body is read a client disconnect cancels the handler.
    """

    def __init__(self, call: Call, request: Request) -> None:
        """Stream ``call``, reading its body from ``request``."""
        self.status_code = 200
        self.background = None
        self.raw_headers = []
        self._call = call
        self._request = request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the stream (its body from ``request.stream()``, which a dependency may have
        read before), then run the background tasks of its dependencies."""
        completed = await serve_asgi(
            self._call,
            receive,
            send,
            to_thread=run_in_threadpool,
            chunks=request_chunks(self._request),
        )
        if completed and self.background is not None:
            await self.background()


class ConnectCall:
    """Serves one procedure: ``await call(request)`` returns the Starlette response."""

    __slots__ = ("endpoint",)

    def __init__(self, endpoint: Endpoint) -> None:
        """Serve ``endpoint`` (a procedure of a service, with its interceptors)."""
        self.endpoint = endpoint

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the call as an ASGI app, where no FastAPI request handling applies.

        ``ctx.request`` is still a Starlette ``Request``, whose ``body()`` gives a unary
        call's request body.
        """
        request = Request(scope, receive, send)
        target = self.endpoint.start(
            scope["method"],
            Headers.from_raw(scope["headers"]),
            scope["query_string"].decode("latin-1"),
            request,
            http_trailers=asgi_sends_trailers(scope),
        )
        await serve_asgi(target, receive, send, to_thread=run_in_threadpool, on_body=_cache_body)

    async def __call__(self, request: Request) -> Response:
        """Start the call ``request`` carries; run it when it is unary, and return the
        response (a stream runs as its response is sent)."""
        scope = request.scope
        target = self.endpoint.start(
            scope["method"],
            Headers.from_raw(scope["headers"]),
            scope["query_string"].decode("latin-1"),
            request,
            http_trailers=asgi_sends_trailers(scope),
        )
        if isinstance(target, Refusal):
            return RefusalResponse(request, target)
        call = target
        if call.streams:
            return ConnectStreamingResponse(call, request)
        try:
            body = await call.read_body(request_chunks(request))
        except ClientDisconnected:
            return NoResponse()
        except ConnectError as e:
            return RefusalResponse(request, call.error_reply(e))
        _cache_body(call, body)
        if call.endpoint.is_async:
            watched = await run_unary_asgi(call, body, request.receive)
            if watched is None:  # the client went away: the handler was cancelled
                return NoResponse()
            reply = watched
        else:
            reply = await run_in_threadpool(call.run_unary_sync, body)
        return ConnectResponse(reply.status, reply.headers, reply.body, reply.trailers)

    def error_response(
        self, request: Request, error: ConnectError, headers: Iterable[tuple[str, str]] = ()
    ) -> Response:
        """The response for a call refused before it ran (e.g. by a FastAPI dependency), in
        the error format the request head asks for, with ``headers`` as response headers."""
        refusal = self.endpoint.refuse(
            error, request.method, Headers.from_raw(request.scope["headers"]), headers
        )
        return RefusalResponse(request, refusal)


class UnknownProcedure:
    """Answers calls to a procedure the service does not have: 404 ``unimplemented``."""

    __slots__ = ()

    async def __call__(self, request: Request) -> Response:
        """The 404 response, with the Connect JSON error body."""
        refusal = not_found(
            request.url.path, http_method=request.method, request_headers=request.headers
        )
        return RefusalResponse(request, refusal)

    def error_response(
        self, request: Request, error: ConnectError, headers: Iterable[tuple[str, str]] = ()
    ) -> Response:
        """A unary Connect error response (the procedure is unknown, so is its kind)."""
        refusal = outside_refusal(
            error,
            headers,
            404 if error.code is Code.UNIMPLEMENTED else None,
            http_method=request.method,
            request_headers=request.headers,
        )
        return RefusalResponse(request, refusal)
