"""Runs one call against an async handler: decode, deadline, interceptors, encode.

Adapters reach it through :meth:`Call.run_unary <connect_core.server.Call.run_unary>` and
:meth:`Call.open_stream <connect_core.server.Call.open_stream>`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from google.protobuf.message import Message

from .._code import Code
from .._context import RequestContext
from .._errors import ConnectError
from .._headers import HeaderList
from .._protocol.server import RequestDecoder
from ._handler_errors import as_connect_error, check_output, deadline_error
from ._replies import Reply, StreamReply

if TYPE_CHECKING:
    from ._call import Call

_END = object()


async def _with_deadline(aw: Awaitable[Any], ctx: RequestContext) -> Any:
    remaining = ctx.timeout_ms()
    assert remaining is not None
    timeout = asyncio.timeout(max(remaining, 0.0) / 1000.0)
    try:
        async with timeout:
            return await aw
    except TimeoutError:
        if timeout.expired():
            raise deadline_error() from None
        raise


async def run_unary(call: Call, body: bytes) -> Reply:
    """Run a unary call whose request body is ``body``."""
    ep, setup, ctx = call.endpoint, call.setup, call.context
    proto = setup.protocol
    method = ep.method
    try:
        request = proto.decode_unary(setup, body, method.input)
        if setup.timeout_ms is None:
            response = await ep.call(request, ctx)
        else:
            response = await _with_deadline(ep.call(request, ctx), ctx)
        if type(response) is not method.output:
            response = check_output(method, response)
        return proto.unary_response(setup, response, ctx._response_headers, ctx._response_trailers)
    except Exception as e:
        err = as_connect_error(e, method)
        return proto.unary_error(setup, err, ctx._response_headers, ctx._response_trailers)


async def _requests(
    decoder: RequestDecoder, chunks: AsyncIterator[bytes]
) -> AsyncIterator[Message]:
    async for chunk in chunks:
        decoder.feed(chunk)
        while (message := decoder.next()) is not None:
            yield message
    decoder.finish()


async def _single_request(
    decoder: RequestDecoder, chunks: AsyncIterator[bytes], call: Call
) -> Message:
    found: Message | None = None
    async for message in _requests(decoder, chunks):
        if found is not None:
            break
        found = message
    else:
        if found is not None:
            return found
    raise ConnectError(
        Code.UNIMPLEMENTED, f"{call.endpoint.method.procedure} takes exactly one request message"
    )


async def _one_reply(aw: Awaitable[Message]) -> AsyncIterator[Message]:
    yield await aw


async def _next(it: AsyncIterator[Any], ctx: RequestContext) -> Any:
    if ctx._deadline is None:
        return await anext(it, _END)
    return await _with_deadline(anext(it, _END), ctx)


async def open_stream(
    call: Call,
    chunks: AsyncIterator[bytes],
    before_end: Callable[[], Awaitable[None]] | None = None,
) -> StreamReply:
    """Start a call whose requests and responses are message streams, reading its body from
    ``chunks``; see :meth:`Call.open_stream <connect_core.server.Call.open_stream>`.

    Every stream kind goes through here, unary included when the protocol frames it as a
    stream (gRPC does).
    """
    ep, setup, ctx = call.endpoint, call.setup, call.context
    kind = ep.method.stream_type
    decoder = RequestDecoder(setup, ep.method.input, ep.read_max_bytes)
    it: AsyncIterator[Any] | None = None
    first: Any = _END
    err: ConnectError | None = None
    try:
        if kind.client_streams:
            requests = _requests(decoder, chunks)
            if kind.server_streams:
                it = ep.call(requests, ctx)
            else:
                it = _one_reply(ep.call(requests, ctx))
        else:
            request = await _single_request(decoder, chunks, call)
            if kind.server_streams:
                it = ep.call(request, ctx)
            else:
                it = _one_reply(ep.call(request, ctx))
        first = await _next(it, ctx)
    except Exception as e:
        err = as_connect_error(e, ep.method)
    if before_end is not None and (err is not None or first is _END):
        # The handler is done before its first message: the whole reply is known, and its
        # head waits for the request body too, so that no client cuts the body short on it.
        await before_end()
        before_end = None
    status, headers = setup.protocol.stream_response_head(setup, ctx._response_headers)
    trailers: HeaderList = []
    return StreamReply(
        status, headers, _stream_body(call, trailers, it, first, err, before_end), trailers
    )


async def _stream_body(
    call: Call,
    trailers: HeaderList,
    it: AsyncIterator[Any] | None,
    message: Any,
    err: ConnectError | None,
    before_end: Callable[[], Awaitable[None]] | None,
) -> AsyncIterator[bytes]:
    ep, setup, ctx = call.endpoint, call.setup, call.context
    method = ep.method
    output = method.output
    encode = setup.protocol.stream_encoder(setup)
    timed = ctx._deadline is not None
    try:
        if err is None and it is not None:
            try:
                while message is not _END:
                    if type(message) is not output:
                        message = check_output(method, message)
                    yield encode(message)
                    if timed:
                        message = await _with_deadline(anext(it, _END), ctx)
                    else:
                        message = await anext(it, _END)
            except Exception as e:
                err = as_connect_error(e, method)
        if before_end is not None:
            await before_end()
        end, http_trailers = setup.protocol.stream_end(setup, err, ctx._response_trailers)
        trailers.extend(http_trailers)
        yield end
    finally:
        aclose = getattr(it, "aclose", None)
        if aclose is not None:
            await aclose()
