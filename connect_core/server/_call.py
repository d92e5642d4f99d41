"""One call from its request head to its reply: the objects an adapter handles (sans-IO)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .._context import RequestContext
from .._errors import ConnectError
from .._headers import HeaderList, Headers
from .._protocol.server import CallSetup, HTTPError, ServerProtocol
from ._body import DRAIN_IDLE_SECONDS, BodyReader, DrainPolicy
from ._handler_errors import deadline_error
from ._replies import Refusal, Reply, StreamReply, StreamReplySync
from ._run_async import open_stream, run_unary
from ._run_sync import open_stream_sync, run_unary_sync

if TYPE_CHECKING:
    from ._endpoints import Endpoint


def procedure_of(path: str) -> str:
    """The last two segments of ``path`` (``/pkg.Service/Method``), whatever prefix precedes."""
    cut = path.rfind("/", 0, path.rfind("/"))
    return path[cut:] if cut > 0 else path


def choose_protocol(
    protocols: tuple[ServerProtocol, ...], http_method: str, headers: Headers
) -> ServerProtocol:
    """The first of ``protocols`` that claims a request by its method and content type (the
    last one answers what none claims)."""
    if len(protocols) == 1:
        return protocols[0]
    content_type = headers.get("content-type") or ""
    for protocol in protocols:
        if protocol.accepts(http_method, content_type):
            return protocol
    return protocols[-1]


def start_call(
    ep: Endpoint,
    http_method: str,
    headers: Headers,
    query_string: str,
    request: Any,
    http_trailers: bool = False,
) -> Call | Refusal:
    """Negotiate a request head for ``ep``: the call, or the refusal that answers it.

    ``http_trailers`` says whether the server under the adapter sends HTTP trailers (and the
    adapter passes them on): a call of a protocol that needs them is refused readably
    otherwise, never answered with its trailers silently dropped.
    """
    protocols = ep.protocols
    protocol = (
        protocols[0] if len(protocols) == 1 else choose_protocol(protocols, http_method, headers)
    )
    try:
        setup = protocol.negotiate(ep.method, http_method, headers, query_string)
    except HTTPError as e:
        return Refusal.of(protocol.http_error_response(e), ep.drain_policy)
    except ConnectError as e:
        return refusal_for(protocol, None, protocol.streams_for(ep.method), e, ep.drain_policy)
    if protocol.needs_http_trailers and not http_trailers:
        error = protocol.trailers_missing_error()
        return refusal_for(protocol, setup, setup.streams, error, ep.drain_policy)
    ctx = RequestContext(ep.method, http_method, headers, setup.timeout_ms, request)
    return Call(ep, setup, ctx)


def refusal_for(
    protocol: ServerProtocol,
    setup: CallSetup | None,
    streams: bool,
    error: ConnectError,
    drain: DrainPolicy,
    headers: Headers | None = None,
) -> Refusal:
    """A refusal carrying ``error`` in the protocol's unary or streaming error format."""
    if streams:
        reply = protocol.stream_error_response(setup, error, headers, None)
    else:
        reply = protocol.unary_error(setup, error, headers, None)
    return Refusal.of(reply, drain)


HeadSender = Callable[[int, HeaderList], Awaitable[None]]
_NO_DRAIN = DrainPolicy(0, 0.0)


class Call:
    """One negotiated call: what an adapter runs and answers.

    Made by :meth:`Endpoint.start <connect_core.server.Endpoint.start>`. The protocol chose
    the framing: :attr:`streams` tells the adapter whether to serve it with
    :meth:`open_stream` (a streamed body) or :meth:`run_unary` (a buffered one).
    """

    __slots__ = ("_head_sent", "_send_head", "context", "endpoint", "setup")

    def __init__(self, endpoint: Endpoint, setup: CallSetup, context: RequestContext) -> None:
        """The call to ``endpoint`` negotiated as ``setup``, with its handler ``context``."""
        self.endpoint = endpoint
        self.setup = setup
        self.context = context
        """The :class:`~connect_core.RequestContext` the handler and interceptors receive."""
        self._head_sent = False
        self._send_head: HeadSender | None = None

    @property
    def streams(self) -> bool:
        """True when the reply is a stream (:meth:`open_stream`), False when it is one
        buffered message (:meth:`read_body`, then :meth:`run_unary`)."""
        return self.setup.streams

    @property
    def needs_http_trailers(self) -> bool:
        """True when the protocol ends the response with HTTP trailers (never for Connect)."""
        return self.setup.protocol.needs_http_trailers

    @property
    def reads_body_before_end(self) -> bool:
        """Whether a stream reads the rest of its request body before the end of its reply.

        Yes when the request declared its length: such a body is sent whole whatever the reply
        says, and a client that sees the end of the reply may cut it short, which servers
        punish (hypercorn drops the whole HTTP/2 connection, granian resets the stream). A body
        without a declared length (client and bidi streams) is drained after the end instead,
        since a bidi client may wait for that end before it stops sending.
        """
        return "content-length" in self.context.request_headers()

    @property
    def drain_policy(self) -> DrainPolicy:
        """How to drain a request body before a reply that did not read it goes out."""
        return DrainPolicy.for_limit(self.endpoint.read_max_bytes)

    @property
    def drain_after_end_policy(self) -> DrainPolicy:
        """How to drain a request body after the end of the reply went out: a bidi client may
        wait for that end before it closes its side, so a pause of
        :data:`~connect_core.server.DRAIN_IDLE_SECONDS` ends a bidi stream's drain; a client
        stream's body is drained within the whole policy."""
        kind = self.endpoint.method.stream_type
        idle = DRAIN_IDLE_SECONDS if kind.client_streams and kind.server_streams else None
        return DrainPolicy.for_limit(self.endpoint.read_max_bytes, idle)

    def body_reader(self) -> BodyReader:
        """A reader collecting this call's whole request body within its limits."""
        length = self.context.request_headers().get("content-length")
        declared = int(length) if length and length.isascii() and length.isdigit() else None
        return BodyReader(self.endpoint.read_max_bytes, declared)

    async def read_body(self, chunks: AsyncIterable[bytes]) -> bytes:
        """Read the whole request body from ``chunks`` (see :meth:`body_reader`) within the
        call's deadline, which runs from the request head; raises
        :class:`~connect_core.ConnectError` for a body over the limit, shorter than declared
        or still arriving at the deadline (``deadline_exceeded``), and lets
        :class:`~connect_core.server.ClientDisconnected` through."""
        reader = self.body_reader()
        remaining = self.context.timeout_ms()
        if remaining is None:
            async for chunk in chunks:
                reader.feed(chunk)
            return reader.finish()
        try:
            async with asyncio.timeout(max(remaining, 0.0) / 1000.0):
                async for chunk in chunks:
                    reader.feed(chunk)
        except TimeoutError:
            raise deadline_error() from None
        return reader.finish()

    def read_body_sync(self, chunks: Iterable[bytes]) -> bytes:
        """The sync twin of :meth:`read_body`. A blocking read cannot be interrupted, so the
        deadline is checked as each chunk arrives: a client that trickles its body gets
        ``deadline_exceeded`` with its next bytes, one that sends nothing waits for the
        server's own timeout."""
        reader = self.body_reader()
        ctx = self.context
        timed = ctx.deadline() is not None
        for chunk in chunks:
            reader.feed(chunk)
            if timed and ctx.timeout_ms() <= 0:  # type: ignore[operator]
                raise deadline_error()
        return reader.finish()

    async def run_unary(self, body: bytes) -> Reply:
        """Run an async handler on the request ``body``: the reply, success or error."""
        return await run_unary(self, body)

    def run_unary_sync(self, body: bytes) -> Reply:
        """Run a sync handler on the request ``body``: the reply, success or error."""
        return run_unary_sync(self, body)

    async def open_stream(
        self,
        chunks: AsyncIterator[bytes],
        before_end: Callable[[], Awaitable[None]] | None = None,
    ) -> StreamReply:
        """Start an async handler reading its requests from ``chunks``; run it to its first
        message (so headers it set are known) and return the reply.

        ``before_end`` is awaited once the handler is done and before the end of the stream
        is produced (an adapter finishes reading the request body there: see
        :attr:`reads_body_before_end`).
        """
        return await open_stream(self, chunks, before_end)

    def open_stream_sync(
        self, chunks: Iterator[bytes], before_end: Callable[[], None] | None = None
    ) -> StreamReplySync:
        """The sync twin of :meth:`open_stream`, for sync handlers."""
        return open_stream_sync(self, chunks, before_end)

    def on_send_headers(self, send_head: HeadSender) -> None:
        """Let the handler send the response head early with ``await ctx.send_headers()``:
        ``send_head`` gets the status and headers of the stream. An adapter whose framework
        cannot send a head before the body skips this (``send_headers()`` is then a no-op)."""
        self._send_head = send_head
        self.context._send_head = self._send_head_early

    async def _send_head_early(self, headers: Headers | None) -> None:
        send_head = self._send_head
        if send_head is not None:
            self._send_head = None
            self._head_sent = True
            setup = self.setup
            status, hdrs = setup.protocol.stream_response_head(setup, headers)
            await send_head(status, hdrs)

    def headers_sent_early(self) -> bool:
        """True when the handler already sent the head through :meth:`on_send_headers`; the
        adapter must not send the reply's status and headers again. Stops further early
        sends."""
        self.context._send_head = None
        self._send_head = None
        return self._head_sent

    def error_reply(self, error: ConnectError, headers: Iterable[tuple[str, str]] = ()) -> Refusal:
        """The refusal carrying ``error`` (a body that could not be read, an error the
        framework raised around the handler) with extra response ``headers``."""
        extra = Headers(list(headers)) or None
        remaining = self.context.timeout_ms()
        # Past the deadline the client gives up too: answer at once, draining nothing.
        drain = _NO_DRAIN if remaining is not None and remaining <= 0 else self.drain_policy
        return refusal_for(self.setup.protocol, self.setup, self.setup.streams, error, drain, extra)
