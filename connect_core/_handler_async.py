"""Runs one call against an async handler: decode, deadline, interceptors, encode.

Adapters (the ASGI app here, framework plugins elsewhere) read the request body, call
:func:`run_unary` or :func:`open_stream`, and write out what they return.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from google.protobuf.message import Message

from ._code import Code
from ._context import RequestContext
from ._errors import ConnectError
from ._options import Endpoint
from ._protocol import CallSetup, HeaderList, StreamDecoder
from ._server_shared import as_connect_error, check_output, deadline_error

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


async def run_unary(
    ep: Endpoint, setup: CallSetup, ctx: RequestContext, body: bytes
) -> tuple[int, HeaderList, bytes]:
    """Run a unary call whose request body is ``body``; return status, headers and body."""
    proto = setup.protocol
    try:
        data = body if setup.get_message is None else setup.get_message
        request = proto.decode_unary(setup, data, ep.method.input)
        if setup.timeout_ms is None:
            response = await ep.call(request, ctx)
        else:
            response = await _with_deadline(ep.call(request, ctx), ctx)
        if type(response) is not ep.method.output:
            response = check_output(ep, response)
        return proto.unary_response(setup, response, ctx._response_headers, ctx._response_trailers)
    except Exception as e:
        err = as_connect_error(e, ep.method.procedure)
        return proto.unary_error(setup, err, ctx._response_headers, ctx._response_trailers)


async def _requests(decoder: StreamDecoder, chunks: AsyncIterator[bytes]) -> AsyncIterator[Message]:
    async for chunk in chunks:
        decoder.feed(chunk)
        while (message := decoder.next()) is not None:
            yield message
    decoder.finish()


async def _single_request(
    decoder: StreamDecoder, chunks: AsyncIterator[bytes], ep: Endpoint
) -> Message:
    found: Message | None = None
    async for message in _requests(decoder, chunks):
        if found is not None:
            raise ConnectError(
                Code.UNIMPLEMENTED, f"{ep.method.procedure} takes exactly one request message"
            )
        found = message
    if found is None:
        raise ConnectError(
            Code.UNIMPLEMENTED, f"{ep.method.procedure} takes exactly one request message"
        )
    return found


async def _client_stream_reply(
    ep: Endpoint, requests: AsyncIterator[Message], ctx: RequestContext
) -> AsyncIterator[Message]:
    yield await ep.call(requests, ctx)


async def _next(it: AsyncIterator[Any], ctx: RequestContext) -> Any:
    if ctx._deadline is None:
        return await anext(it, _END)
    return await _with_deadline(anext(it, _END), ctx)


async def open_stream(
    ep: Endpoint,
    setup: CallSetup,
    ctx: RequestContext,
    chunks: AsyncIterator[bytes],
    before_end: Callable[[], Awaitable[None]] | None = None,
) -> tuple[int, HeaderList, AsyncIterator[bytes]]:
    """Start a streaming call (client, server or bidi) reading its body from ``chunks``.

    Runs the handler up to its first response message (or its end), so that response
    headers it sets are known, then returns the status, the headers and the body chunks.
    Closing the returned iterator early closes the handler. ``before_end`` is awaited once
    the handler is done, before the end of the stream is produced (an adapter finishes
    reading the request body there).
    """
    proto = setup.protocol
    kind = ep.method.stream_type
    decoder = StreamDecoder(setup, ep.method.input, ep.read_max_bytes)
    it: AsyncIterator[Any] | None = None
    first: Any = _END
    err: ConnectError | None = None
    try:
        if kind.client_streams:
            requests = _requests(decoder, chunks)
            if kind.server_streams:
                it = ep.call(requests, ctx)
            else:
                it = _client_stream_reply(ep, requests, ctx)
        else:
            request = await _single_request(decoder, chunks, ep)
            it = ep.call(request, ctx)
        first = await _next(it, ctx)
    except Exception as e:
        err = as_connect_error(e, ep.method.procedure)
    if before_end is not None and (err is not None or first is _END):
        # The handler is done before its first message: the whole reply is known, and its
        # head waits for the request body too, so that no client cuts the body short on it.
        await before_end()
        before_end = None
    status, headers = proto.stream_response_head(setup, ctx._response_headers)
    return status, headers, _stream_body(ep, setup, ctx, it, first, err, before_end)


async def _stream_body(
    ep: Endpoint,
    setup: CallSetup,
    ctx: RequestContext,
    it: AsyncIterator[Any] | None,
    message: Any,
    err: ConnectError | None,
    before_end: Callable[[], Awaitable[None]] | None,
) -> AsyncIterator[bytes]:
    proto = setup.protocol
    output = ep.method.output
    encode = proto.stream_encoder(setup)
    timed = ctx._deadline is not None
    try:
        if err is None and it is not None:
            try:
                while message is not _END:
                    if type(message) is not output:
                        message = check_output(ep, message)
                    yield encode(message)
                    if timed:
                        message = await _with_deadline(anext(it, _END), ctx)
                    else:
                        message = await anext(it, _END)
            except Exception as e:
                err = as_connect_error(e, ep.method.procedure)
        if before_end is not None:
            await before_end()
        yield proto.stream_end(setup, err, ctx._response_trailers)
    finally:
        aclose = getattr(it, "aclose", None)
        if aclose is not None:
            await aclose()
