"""The Django views of one procedure: a request in, the seam's reply out as a response.

Everything protocol-shaped (negotiation, limits, running the handler, framing, draining)
happens in :mod:`connect_core.server`; a view only hands it the request's head and body and
turns its replies into Django responses.

A sync service gets sync views. Under WSGI the request body is read from ``wsgi.input`` as it
arrives and a stream is a ``StreamingHttpResponse`` over a sync iterator; under ASGI Django
runs the view in the request's thread (``sync_to_async``, thread-sensitive), and each step of
a stream runs there too, from an async iterator, so the event loop is never blocked and the
ORM always sees the same thread. An async service gets async views, and its streams are
``StreamingHttpResponse`` over async iterators.

Under :class:`~connect_django.asgi.ConnectASGIHandler` a view only starts the call: the
handler then serves it over ASGI itself, reading the request body as it arrives.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any

from asgiref.sync import markcoroutinefunction
from django.db import connections, transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from connect_core import ConnectError
from connect_core.server import (
    Call,
    Endpoint,
    Refusal,
    StreamReply,
    asgi_sends_trailers,
    chunks_in_thread,
    drain,
    drain_sync,
    not_found,
    open_wsgi_stream,
    outside_refusal,
    reply_chunks,
)

from ._body import async_body, sync_body
from ._errors import http_error_to_connect_error
from ._responses import query_string, reply_response, request_headers, stream_response
from ._threads import in_request_thread

View = Callable[..., Any]
HeaderList = list[tuple[str, str]]
ENDPOINT_ATTRIBUTE = "connect_endpoint"
"""The attribute naming the :class:`~connect_core.server.Endpoint` a Connect view serves."""


class DeferredCall(HttpResponseBase):
    """What a Connect view answers under :class:`~connect_django.asgi.ConnectASGIHandler`:
    the started call (or its refusal), served over ASGI by the handler once middleware has
    seen the response. Headers and cookies that middleware adds are sent with the call's."""

    streaming = True

    def __init__(self, target: Call | Refusal) -> None:
        """Defer ``target`` to the handler."""
        super().__init__()
        del self.headers["Content-Type"]
        self.target = target

    def __iter__(self) -> Iterator[bytes]:
        raise TypeError("a deferred Connect call is served by ConnectASGIHandler only")


FULL_DUPLEX_FLAG = "_connect_served_by_handler"
"""Set on a request that :class:`~connect_django.asgi.ConnectASGIHandler` serves itself."""


def _full_duplex(request: HttpRequest) -> bool:
    return getattr(request, FULL_DUPLEX_FLAG, False)


def _start(endpoint: Endpoint, request: HttpRequest) -> Call | Refusal:
    # HTTP trailers reach the client only where connect_django.asgi serves the call itself
    # (Django's responses have none) on a server that sends them.
    trailers = _full_duplex(request) and asgi_sends_trailers(request.scope)  # type: ignore[attr-defined]
    return endpoint.start(
        request.method or "GET",
        request_headers(request),
        query_string(request),
        request,
        http_trailers=trailers,
    )


def serve_sync(endpoint: Endpoint, request: HttpRequest) -> HttpResponseBase:
    """Serve one call of a sync service."""
    target = _start(endpoint, request)
    if _full_duplex(request):
        return DeferredCall(target)
    body = sync_body(request)
    if isinstance(target, Refusal):
        drain_sync(body, target.drain)
        return reply_response(target)
    call = target
    if not call.streams:
        try:
            data = call.read_body_sync(body)
        except ConnectError as e:
            refusal = call.error_reply(e)
            drain_sync(body, refusal.drain)
            return reply_response(refusal)
        return reply_response(call.run_unary_sync(data))
    stream = open_wsgi_stream(call, body)
    if getattr(request, "scope", None) is not None:  # Django's ASGI handler
        chunks = chunks_in_thread(stream.chunks, in_request_thread)
        return stream_response(stream.status, stream.headers, chunks)
    return stream_response(stream.status, stream.headers, stream.chunks)


async def serve_async(endpoint: Endpoint, request: HttpRequest) -> HttpResponseBase:
    """Serve one call of an async service."""
    target = _start(endpoint, request)
    if _full_duplex(request):
        return DeferredCall(target)
    body = async_body(request)
    if isinstance(target, Refusal):
        await drain(body, target.drain)
        return reply_response(target)
    call = target
    if not call.streams:
        try:
            data = await call.read_body(body)
        except ConnectError as e:
            refusal = call.error_reply(e)
            await drain(body, refusal.drain)
            return reply_response(refusal)
        return reply_response(await call.run_unary(data))
    before_end = None
    if call.reads_body_before_end:
        before_end = functools.partial(drain, body, call.drain_policy)
    return await _open_async_stream(call, body, before_end)


async def _open_async_stream(
    call: Call, body: AsyncIterator[bytes], before_end: Callable[[], Awaitable[None]] | None
) -> HttpResponseBase:
    """Run the handler to its first message and answer the stream, or answer as soon as the
    handler sends its headers early (``await ctx.send_headers()``): the response head goes
    out then, and its messages follow once they come."""
    head: asyncio.Future[tuple[int, HeaderList]] = asyncio.get_running_loop().create_future()

    async def send_head(status: int, headers: HeaderList) -> None:
        if not head.done():
            head.set_result((status, headers))

    call.on_send_headers(send_head)
    opening = asyncio.ensure_future(call.open_stream(body, before_end))
    try:
        await asyncio.wait((opening, head), return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        opening.cancel()
        raise
    if head.done():
        status, headers = head.result()
        return stream_response(status, headers, _after_opening(opening, body, call))
    stream = opening.result()
    call.headers_sent_early()
    return stream_response(stream.status, stream.headers, reply_chunks(call, stream.chunks, body))


async def _after_opening(
    opening: asyncio.Future[StreamReply], body: AsyncIterator[bytes], call: Call
) -> AsyncIterator[bytes]:
    """The messages of a stream whose head went out early, once the handler produced them."""
    try:
        stream = await opening
    finally:
        opening.cancel()  # a response closed before the handler's first message
    async for chunk in reply_chunks(call, stream.chunks, body):
        yield chunk


def _not_found(request: HttpRequest) -> Refusal:
    return not_found(
        request.path, http_method=request.method or "GET", request_headers=request.headers
    )


def _refuse(endpoint: Endpoint | None, request: HttpRequest, error: ConnectError) -> Refusal:
    if endpoint is None:
        return outside_refusal(
            error, http_method=request.method or "GET", request_headers=request.headers
        )
    return endpoint.refuse(error, request.method or "GET", request_headers(request))


def _answer_django_errors(view: View, endpoint: Endpoint | None, is_async: bool) -> View:
    """Wrap ``view`` (with the decorators applied to it) so that a Django exception raised
    before the call started (by a decorator) is answered as its Connect error."""
    if is_async:

        async def async_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                response: HttpResponseBase = await view(request, *args, **kwargs)
            except Exception as e:
                error = http_error_to_connect_error(e)
                if error is None:
                    raise
                refusal = _refuse(endpoint, request, error)
                if _full_duplex(request):
                    return DeferredCall(refusal)
                await drain(async_body(request), refusal.drain)
                return reply_response(refusal)
            return response

        return markcoroutinefunction(async_view)

    def sync_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response: HttpResponseBase = view(request, *args, **kwargs)
        except Exception as e:
            error = http_error_to_connect_error(e)
            if error is None:
                raise
            refusal = _refuse(endpoint, request, error)
            if _full_duplex(request):
                return DeferredCall(refusal)
            drain_sync(sync_body(request), refusal.drain)
            return reply_response(refusal)
        return response

    return sync_view


def procedure_view(
    endpoint: Endpoint, name: str, decorators: Sequence[Callable[[View], View]] = ()
) -> View:
    """The Django view serving ``endpoint``: CSRF-exempt, outside Django's per-view
    ``ATOMIC_REQUESTS`` (the handler runs in the transaction instead: see ``_errors``), with
    ``decorators`` applied (innermost first)."""
    if endpoint.is_async:

        async def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            return await serve_async(endpoint, request)

    else:

        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[misc]
            return serve_sync(endpoint, request)

    return _finish(view, endpoint, name, decorators)


def unknown_procedure_view(
    is_async: bool, name: str, decorators: Sequence[Callable[[View], View]] = ()
) -> View:
    """The view answering a name under the service's path that is none of its procedures:
    404 ``unimplemented``, once the request body is drained."""
    if is_async:

        async def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            refusal = _not_found(request)
            if _full_duplex(request):
                return DeferredCall(refusal)
            await drain(async_body(request), refusal.drain)
            return reply_response(refusal)

    else:

        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[misc]
            refusal = _not_found(request)
            if _full_duplex(request):
                return DeferredCall(refusal)
            drain_sync(sync_body(request), refusal.drain)
            return reply_response(refusal)

    return _finish(view, None, name, decorators, is_async=is_async)


def _finish(
    view: View,
    endpoint: Endpoint | None,
    name: str,
    decorators: Sequence[Callable[[View], View]],
    *,
    is_async: bool | None = None,
) -> View:
    view.__name__ = view.__qualname__ = name
    for decorate in decorators:
        view = decorate(view)
    view = _answer_django_errors(
        view, endpoint, endpoint.is_async if endpoint is not None else bool(is_async)
    )
    view.__name__ = view.__qualname__ = name
    for alias in connections.settings:
        view = transaction.non_atomic_requests(using=alias)(view)
    setattr(view, ENDPOINT_ATTRIBUTE, endpoint)
    # Connect calls are not form posts: browsers reach them only through CORS (a
    # cross-origin POST with a Connect content type is preflighted), so Django's CSRF
    # token check does not apply.
    return csrf_exempt(view)
