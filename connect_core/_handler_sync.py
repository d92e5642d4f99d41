"""Runs one call against a sync handler: the twin of ``_handler_async``.

A thread cannot be cancelled, so deadlines are enforced at message boundaries: a unary
handler that overruns its deadline has its result replaced by ``deadline_exceeded``, and a
stream is ended with that error before its next message. Handlers can cooperate by checking
``ctx.timeout_ms()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from google.protobuf.message import Message

from ._code import Code
from ._context import RequestContext
from ._errors import ConnectError
from ._options import Endpoint
from ._protocol import CallSetup, HeaderList, StreamDecoder
from ._server_shared import as_connect_error, check_output, deadline_error

_END = object()


def _expired(ctx: RequestContext) -> bool:
    remaining = ctx.timeout_ms()
    return remaining is not None and remaining <= 0


def run_unary_sync(
    ep: Endpoint, setup: CallSetup, ctx: RequestContext, body: bytes
) -> tuple[int, HeaderList, bytes]:
    """Run a unary call whose request body is ``body``; return status, headers and body."""
    proto = setup.protocol
    try:
        data = body if setup.get_message is None else setup.get_message
        request = proto.decode_unary(setup, data, ep.method.input)
        if _expired(ctx):
            raise deadline_error()
        response = ep.call(request, ctx)
        if _expired(ctx):
            raise deadline_error()
        if type(response) is not ep.method.output:
            response = check_output(ep, response)
        return proto.unary_response(setup, response, ctx._response_headers, ctx._response_trailers)
    except Exception as e:
        err = as_connect_error(e, ep.method.procedure)
        return proto.unary_error(setup, err, ctx._response_headers, ctx._response_trailers)


def _requests(decoder: StreamDecoder, chunks: Iterator[bytes]) -> Iterator[Message]:
    for chunk in chunks:
        decoder.feed(chunk)
        while (message := decoder.next()) is not None:
            yield message
    decoder.finish()


def _single_request(decoder: StreamDecoder, chunks: Iterator[bytes], ep: Endpoint) -> Message:
    found: Message | None = None
    for message in _requests(decoder, chunks):
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


def _client_stream_reply(
    ep: Endpoint, requests: Iterator[Message], ctx: RequestContext
) -> Iterator[Message]:
    yield ep.call(requests, ctx)


def _next(it: Iterator[Any], ctx: RequestContext) -> Any:
    if _expired(ctx):
        raise deadline_error()
    message = next(it, _END)
    if message is not _END and _expired(ctx):
        raise deadline_error()
    return message


def open_stream_sync(
    ep: Endpoint,
    setup: CallSetup,
    ctx: RequestContext,
    chunks: Iterator[bytes],
    before_end: Callable[[], None] | None = None,
) -> tuple[int, HeaderList, Iterator[bytes]]:
    """Start a streaming call, run it to its first message, return status, headers, body.

    ``before_end`` is called once the handler is done, before the end of the stream is
    produced (the twin of :func:`~connect_core._handler_async.open_stream`'s).
    """
    proto = setup.protocol
    kind = ep.method.stream_type
    decoder = StreamDecoder(setup, ep.method.input, ep.read_max_bytes)
    it: Iterator[Any] | None = None
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
            it = ep.call(_single_request(decoder, chunks, ep), ctx)
        first = _next(it, ctx)
    except Exception as e:
        err = as_connect_error(e, ep.method.procedure)
    if before_end is not None and (err is not None or first is _END):
        # The handler is done before its first message: the head waits for the request body
        # too (see connect_core._handler_async.open_stream).
        before_end()
        before_end = None
    status, headers = proto.stream_response_head(setup, ctx._response_headers)
    return status, headers, _stream_body(ep, setup, ctx, it, first, err, before_end)


def _stream_body(
    ep: Endpoint,
    setup: CallSetup,
    ctx: RequestContext,
    it: Iterator[Any] | None,
    message: Any,
    err: ConnectError | None,
    before_end: Callable[[], None] | None,
) -> Iterator[bytes]:
    proto = setup.protocol
    output = ep.method.output
    encode = proto.stream_encoder(setup)
    try:
        if err is None and it is not None:
            try:
                while message is not _END:
                    if type(message) is not output:
                        message = check_output(ep, message)
                    yield encode(message)
                    message = _next(it, ctx)
            except Exception as e:
                err = as_connect_error(e, ep.method.procedure)
        if before_end is not None:
            before_end()
        yield proto.stream_end(setup, err, ctx._response_trailers)
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()
