"""``ConnectClient``: the async client the generated ``XServiceClient`` classes build on."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

from google.protobuf.message import Message
from typing_extensions import Unpack

from .._context import RequestContext
from .._errors import ConnectError
from .._headers import Headers
from .._interceptor import check_interceptors, wrap_async
from .._method import MethodInfo, StreamType
from .._protocol.client import ClientProtocol
from .._protocol.codec import PROTO, Codec
from .._protocol.compression import Compression
from .._transports.base import AsyncResponse, AsyncTransport, TransportError, check_flavour
from .base import (
    CallOptions,
    CallPlan,
    ClientBase,
    HeadersLike,
    check_request,
    check_stream,
    deadline_error,
    single_response,
    transport_error,
    wrong_request,
)
from .metadata import record_headers, record_response

REQ = TypeVar("REQ", bound=Message)
RES = TypeVar("RES", bound=Message)


class ClientContext(RequestContext):
    """The :class:`RequestContext` of a client call, as client interceptors see it.

    ``request_headers()`` are the headers about to be sent (change them before calling
    ``call_next``); ``response_headers()`` and ``response_trailers()`` hold what the server
    answered once the call (or, for a stream, its head or its end) has arrived.
    """

    __slots__ = ("_setup",)
    _setup: CallPlan


def _context(method: MethodInfo[Any, Any], setup: CallPlan) -> ClientContext:
    ctx = ClientContext(
        method, "GET" if setup.get else "POST", Headers(setup.headers), setup.timeout_ms
    )
    ctx._setup = setup
    return ctx


def _headers_of(ctx: ClientContext) -> list[tuple[str, str]]:
    return list(ctx.request_headers().multi_items())


async def _aiter(messages: AsyncIterable[Message] | Iterable[Message]) -> AsyncIterator[Message]:
    if isinstance(messages, AsyncIterable):
        async for m in messages:
            yield m
    else:
        for m in messages:
            yield m


async def _encode(
    protocol: ClientProtocol, messages: AsyncIterator[Message], method: MethodInfo[Any, Any]
) -> AsyncIterator[bytes]:
    encode = protocol.encode_message
    expected = method.input
    async for m in messages:
        if type(m) is not expected:
            raise wrong_request(method, m)
        yield encode(m)


class ConnectClient(ClientBase):
    """Async Connect client for one service; generated ``XServiceClient`` classes subclass it.

    Example::

        async with GreetServiceClient("http://localhost:8000") as client:
            reply = await client.greet(GreetRequest(name="Jane"), timeout_ms=2000)
    """

    def __init__(
        self,
        base_url: str,
        *,
        transport: AsyncTransport | None = None,
        http_client: Any = None,
        codec: Codec = PROTO,
        send_compression: Compression | None = None,
        accept_compressions: Sequence[Compression] | None = None,
        compress_min_bytes: int = 1024,
        read_max_bytes: int = 4 * 1024 * 1024,
        send_max_bytes: int = 0,
        timeout_ms: int | None = None,
        headers: HeadersLike | None = None,
        use_get: bool = False,
        interceptors: Sequence[object] = (),
    ) -> None:
        """Create a client.

        Args:
            base_url: Where the service is served, e.g. ``"http://localhost:8000"`` or with a
                path prefix (``"http://host/rpc"``).
            transport: What sends the requests: ``HttptoolsAsyncTransport`` (fast),
                ``H2Transport`` (full-duplex HTTP/2), ``AiohttpTransport``,
                ``ASGITransport`` (in memory), ... Default: httpx. A transport passed in is
                not closed by this client.
            http_client: An ``httpx.AsyncClient`` (or ``httpx2.AsyncClient``) or an
                ``aiohttp.ClientSession`` to send with, keeping its pool, auth, proxies, TLS
                and hooks; not closed by this client. Ignored when ``transport`` is given.
            codec: ``PROTO`` (default) or ``JSON``.
            send_compression: Compress request messages of at least ``compress_min_bytes``.
            accept_compressions: Compressions offered for responses (default gzip, br, zstd).
            compress_min_bytes: Smallest request message worth compressing.
            read_max_bytes: Largest response message accepted (<= 0: no limit).
            send_max_bytes: Largest request message sent (<= 0: no limit).
            timeout_ms: Default deadline of every call.
            headers: Headers sent with every call.
            use_get: Send unary calls to ``NO_SIDE_EFFECTS`` methods with GET.
            interceptors: Client interceptors (the server's protocols: ``intercept_unary``,
                ``intercept_server_stream``, ..., or ``on_start``/``on_end``); the first is
                the outermost. One without an async method is a ``TypeError``.
        """
        super().__init__(
            base_url,
            codec=codec,
            send_compression=send_compression,
            accept_compressions=accept_compressions,
            compress_min_bytes=compress_min_bytes,
            read_max_bytes=read_max_bytes,
            send_max_bytes=send_max_bytes,
            timeout_ms=timeout_ms,
            headers=headers,
            use_get=use_get,
        )
        check_flavour(transport, http_client, is_async=True)
        check_interceptors(interceptors, is_async=True, client=True)
        self._owns_transport = transport is None
        if transport is None:
            transport = _default_transport(http_client)
        self._transport: AsyncTransport = transport
        self._chains: dict[StreamType, Callable[..., Any]] | None = None
        if interceptors:
            self._chains = {
                StreamType.UNARY: wrap_async(self._unary_terminal, StreamType.UNARY, interceptors),
                StreamType.CLIENT_STREAM: wrap_async(
                    self._client_stream_terminal, StreamType.CLIENT_STREAM, interceptors
                ),
                StreamType.SERVER_STREAM: wrap_async(
                    self._server_stream_terminal, StreamType.SERVER_STREAM, interceptors
                ),
                StreamType.BIDI_STREAM: wrap_async(
                    self._bidi_stream_terminal, StreamType.BIDI_STREAM, interceptors
                ),
            }

    def _setup(self, method: MethodInfo[Any, Any], options: CallOptions) -> CallPlan:
        setup = super()._setup(method, options)
        if setup.cancel is not None:
            raise TypeError(
                "cancel= takes a CancelHandle for sync clients; cancel an async call's task"
            )
        return setup

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the transport when this client created it (a passed-in one is left open)."""
        if self._owns_transport:
            await self._transport.aclose()

    # -- unary ---------------------------------------------------------------------------------

    async def _unary(
        self, method: MethodInfo[REQ, RES], request: REQ, **options: Unpack[CallOptions]
    ) -> RES:
        if type(request) is not method.input:
            raise wrong_request(method, request)
        setup = self._setup(method, options)
        chains = self._chains
        timeout = setup.timeout_ms
        reply: RES
        try:
            if timeout is None:
                if chains is None:
                    reply = await self._send_unary(setup, method, request, None)
                else:
                    reply = await chains[StreamType.UNARY](request, _context(method, setup))
                return reply
            async with asyncio.timeout(max(timeout, 1) / 1000.0):
                if chains is None:
                    reply = await self._send_unary(setup, method, request, None)
                else:
                    reply = await chains[StreamType.UNARY](request, _context(method, setup))
        except TimeoutError:
            raise deadline_error() from None
        return reply

    async def _unary_terminal(self, request: Message, ctx: ClientContext) -> Any:
        setup = ctx._setup
        setup.headers = _headers_of(ctx)
        return await self._send_unary(setup, ctx.method(), request, ctx)

    async def _send_unary(
        self,
        setup: CallPlan,
        method: MethodInfo[Any, Any],
        request: Message,
        ctx: ClientContext | None,
    ) -> Any:
        protocol = setup.protocol
        req = protocol.unary_request(method, request, setup.headers, setup.get)
        try:
            response = await self._transport.send(
                req.method, self.base_url + req.path, req.headers, req.body
            )
            try:
                body = await response.aread()
            finally:
                await response.aclose()
        except TransportError as e:
            raise transport_error(e, self.base_url) from e
        try:
            message, headers, trailers = protocol.unary_response(
                method,
                response.status,
                response.headers,
                body,
                response.trailers,
                f"{req.method} {self.base_url}{method.procedure}",
            )
        except ConnectError:
            headers, trailers = protocol.response_metadata(response.headers, response.trailers)
            _record(headers, trailers, ctx)
            raise
        record_response(headers, trailers)
        if ctx is not None:
            ctx._response_headers = headers
            ctx._response_trailers = trailers
        return message

    # -- streams -------------------------------------------------------------------------------

    async def _client_stream(
        self,
        method: MethodInfo[REQ, RES],
        request: AsyncIterable[REQ] | Iterable[REQ],
        **options: Unpack[CallOptions],
    ) -> RES:
        check_stream(method, request, is_async=True)
        setup = self._setup(method, options)
        chains = self._chains
        reply: RES
        if chains is None:
            reply = await self._collect(self._send_stream(setup, method, _aiter(request), None))
        else:
            reply = await chains[StreamType.CLIENT_STREAM](_aiter(request), _context(method, setup))
        return reply

    async def _client_stream_terminal(
        self, request: AsyncIterator[Message], ctx: ClientContext
    ) -> Any:
        setup = ctx._setup
        setup.headers = _headers_of(ctx)
        return await self._collect(self._send_stream(setup, ctx.method(), request, ctx))

    @staticmethod
    async def _collect(messages: AsyncIterator[Any]) -> Any:
        first = second = None
        async for m in messages:
            if first is None:
                first = m
            else:
                second = m
        return single_response(first, second)

    def _server_stream(
        self, method: MethodInfo[REQ, RES], request: REQ, **options: Unpack[CallOptions]
    ) -> AsyncIterator[RES]:
        check_request(method, request)
        setup = self._setup(method, options)
        chains = self._chains
        if chains is None:
            return self._send_stream(setup, method, request, None)
        it: AsyncIterator[Any] = chains[StreamType.SERVER_STREAM](request, _context(method, setup))
        return it

    def _server_stream_terminal(self, request: Message, ctx: ClientContext) -> AsyncIterator[Any]:
        setup = ctx._setup
        setup.headers = _headers_of(ctx)
        return self._send_stream(setup, ctx.method(), request, ctx)

    def _bidi_stream(
        self,
        method: MethodInfo[REQ, RES],
        request: AsyncIterable[REQ] | Iterable[REQ],
        **options: Unpack[CallOptions],
    ) -> AsyncIterator[RES]:
        check_stream(method, request, is_async=True)
        setup = self._setup(method, options)
        chains = self._chains
        if chains is None:
            return self._send_stream(setup, method, _aiter(request), None)
        it: AsyncIterator[Any] = chains[StreamType.BIDI_STREAM](
            _aiter(request), _context(method, setup)
        )
        return it

    def _bidi_stream_terminal(
        self, request: AsyncIterator[Message], ctx: ClientContext
    ) -> AsyncIterator[Any]:
        setup = ctx._setup
        setup.headers = _headers_of(ctx)
        return self._send_stream(setup, ctx.method(), request, ctx)

    async def _send_stream(
        self,
        setup: CallPlan,
        method: MethodInfo[Any, Any],
        request: Message | AsyncIterator[Message],
        ctx: ClientContext | None,
    ) -> AsyncIterator[Any]:
        """Run a streaming call, yielding response messages as they arrive.

        A single request message (server streaming) goes out as one body; a stream of them is
        encoded as the transport asks for it. Closing this generator early (``break``, task
        cancellation) releases the response, which resets an HTTP/2 stream.
        """
        protocol = setup.protocol
        timeout = setup.timeout_ms
        deadline = (
            None
            if timeout is None
            else asyncio.get_running_loop().time() + max(timeout, 1) / 1000.0
        )
        body: bytes | AsyncIterator[bytes] = (
            protocol.encode_message(request)
            if isinstance(request, Message)
            else _encode(protocol, request, method)
        )
        transport = self._transport
        url = self.base_url + method.procedure
        try:
            if deadline is None:
                response = await transport.send("POST", url, setup.headers, body)
            else:
                async with asyncio.timeout_at(deadline):
                    response = await transport.send("POST", url, setup.headers, body)
        except TimeoutError:
            raise deadline_error() from None
        except TransportError as e:
            raise transport_error(e, self.base_url) from e
        decoder = None
        try:
            decoder = protocol.stream_decoder(method, response.status, response.headers)
            if decoder is None:
                raw = await _read(response, deadline, self.base_url)
                err = protocol.http_error(
                    response.status,
                    response.headers,
                    raw,
                    f"POST {self.base_url}{method.procedure}",
                )
                for k, v in response.headers.multi_items():
                    err.metadata.setdefault(k, []).append(v)
                raise err
            record_headers(response.headers)
            if ctx is not None:
                ctx._response_headers = response.headers
            chunks = response.aiter_bytes()
            decode = decoder.decode
            if deadline is None:
                try:
                    async for chunk in chunks:
                        for message in decode(chunk):
                            yield message
                except TransportError as e:
                    raise transport_error(e, self.base_url) from e
            else:
                while True:
                    try:
                        async with asyncio.timeout_at(deadline):
                            item = await anext(chunks, None)
                    except TimeoutError:
                        raise deadline_error() from None
                    except TransportError as e:
                        raise transport_error(e, self.base_url) from e
                    if item is None:
                        break
                    for message in decode(item):
                        yield message
            trailers = decoder.finish(response.trailers)
        except ConnectError:
            _record(response.headers, decoder.trailers if decoder else Headers(), ctx)
            raise
        finally:
            try:
                await response.aclose()
            except TransportError as e:
                raise transport_error(e, self.base_url) from e
        record_response(response.headers, trailers)
        if ctx is not None:
            ctx._response_trailers = trailers


async def _read(response: AsyncResponse, deadline: float | None, base_url: str) -> bytes:
    try:
        if deadline is None:
            return await response.aread()
        async with asyncio.timeout_at(deadline):
            return await response.aread()
    except TimeoutError:
        raise deadline_error() from None
    except TransportError as e:
        raise transport_error(e, base_url) from e


def _record(headers: Headers, trailers: Headers, ctx: ClientContext | None) -> None:
    """Make a failed call's metadata visible to ``ResponseMetadata`` and interceptors."""
    record_response(headers, trailers)
    if ctx is not None:
        ctx._response_headers = headers
        ctx._response_trailers = trailers


def _default_transport(http_client: Any) -> AsyncTransport:
    """The transport that sends with ``http_client``: an aiohttp session's, or httpx's."""
    if _is_aiohttp_session(http_client):
        from .._transports.aiohttp import AiohttpTransport

        return AiohttpTransport(session=http_client)
    from .._transports.httpx import HttpxAsyncTransport

    return HttpxAsyncTransport(http_client)


def _is_aiohttp_session(obj: object) -> bool:
    """Whether ``obj`` is an ``aiohttp.ClientSession`` (or a subclass's instance).

    aiohttp is optional and slow to import: when it has not been imported, nothing can be
    one of its sessions, so it is looked up among the loaded modules instead of imported.
    """
    aiohttp = sys.modules.get("aiohttp")
    return aiohttp is not None and isinstance(obj, aiohttp.ClientSession)
