"""Runs one call against a sync handler: the twin of ``_run_async``.

A thread cannot be cancelled, so deadlines are enforced at message boundaries: a unary
handler that overruns its deadline has its result replaced by ``deadline_exceeded``, and a
stream is ended with that error before its next message. Handlers can cooperate by checking
``ctx.timeout_ms()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from google.protobuf.message import Message

from .._code import Code
from .._context import RequestContext
from .._errors import ConnectError
from .._headers import HeaderList
from .._protocol.server import RequestDecoder
from ._handler_errors import as_connect_error, check_output, deadline_error
from ._replies import Reply, StreamReplySync

if TYPE_CHECKING:
    from ._call import Call

_END = object()


def _expired(ctx: RequestContext) -> bool:
    remaining = ctx.timeout_ms()
    return remaining is not None and remaining <= 0


def run_unary_sync(call: Call, body: bytes) -> Reply:
    """Run a unary call whose request body is ``body``."""
    ep, setup, ctx = call.endpoint, call.setup, call.context
    proto = setup.protocol
    method = ep.method
    try:
        request = proto.decode_unary(setup, body, method.input)
        if _expired(ctx):
            raise deadline_error()
        response = ep.call(request, ctx)
        if _expired(ctx):
            raise deadline_error()
        if type(response) is not method.output:
            response = check_output(method, response)
        return proto.unary_response(setup, response, ctx._response_headers, ctx._response_trailers)
    except Exception as e:
        err = as_connect_error(e, method)
        return proto.unary_error(setup, err, ctx._response_headers, ctx._response_trailers)


def _requests(decoder: RequestDecoder, chunks: Iterator[bytes]) -> Iterator[Message]:
    for chunk in chunks:
        decoder.feed(chunk)
        while (message := decoder.next()) is not None:
            yield message
    decoder.finish()


def _single_request(decoder: RequestDecoder, chunks: Iterator[bytes], call: Call) -> Message:
    found: Message | None = None
    for message in _requests(decoder, chunks):
        if found is not None:
            break
        found = message
    else:
        if found is not None:
            return found
    raise ConnectError(
        Code.UNIMPLEMENTED, f"{call.endpoint.method.procedure} takes exactly one request message"
    )


def _one_reply(produce: Callable[[], Message]) -> Iterator[Message]:
    yield produce()


def _next(it: Iterator[Any], ctx: RequestContext) -> Any:
    if _expired(ctx):
        raise deadline_error()
    message = next(it, _END)
    if message is not _END and _expired(ctx):
        raise deadline_error()
    return message


def open_stream_sync(
    call: Call, chunks: Iterator[bytes], before_end: Callable[[], None] | None = None
) -> StreamReplySync:
    """Start a streaming call, run it to its first message, return the reply (the twin of
    :func:`~connect_core.server._run_async.open_stream`)."""
    ep, setup, ctx = call.endpoint, call.setup, call.context
    kind = ep.method.stream_type
    decoder = RequestDecoder(setup, ep.method.input, ep.read_max_bytes)
    it: Iterator[Any] | None = None
    first: Any = _END
    err: ConnectError | None = None
    try:
        if kind.client_streams:
            requests = _requests(decoder, chunks)
            if kind.server_streams:
                it = ep.call(requests, ctx)
            else:
                it = _one_reply(lambda: ep.call(requests, ctx))
        else:
            request = _single_request(decoder, chunks, call)
            if kind.server_streams:
                it = ep.call(request, ctx)
            else:
                it = _one_reply(lambda: ep.call(request, ctx))
        first = _next(it, ctx)
    except Exception as e:
        err = as_connect_error(e, ep.method)
    if before_end is not None and (err is not None or first is _END):
        # The handler is done before its first message: the head waits for the request body
        # too (see connect_core.server._run_async.open_stream).
        before_end()
        before_end = None
    status, headers = setup.protocol.stream_response_head(setup, ctx._response_headers)
    trailers: HeaderList = []
    return StreamReplySync(
        status, headers, _stream_body(call, trailers, it, first, err, before_end), trailers
    )


def _stream_body(
    call: Call,
    trailers: HeaderList,
    it: Iterator[Any] | None,
    message: Any,
    err: ConnectError | None,
    before_end: Callable[[], None] | None,
) -> Iterator[bytes]:
    ep, setup, ctx = call.endpoint, call.setup, call.context
    method = ep.method
    output = method.output
    encode = setup.protocol.stream_encoder(setup)
    try:
        if err is None and it is not None:
            try:
                while message is not _END:
                    if type(message) is not output:
                        message = check_output(method, message)
                    yield encode(message)
                    message = _next(it, ctx)
            except Exception as e:
                err = as_connect_error(e, method)
        if before_end is not None:
            before_end()
        end, http_trailers = setup.protocol.stream_end(setup, err, ctx._response_trailers)
        trailers.extend(http_trailers)
        yield end
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()
