"""``ConnectClientSync``: the sync twin of :class:`~connect_core.ConnectClient`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

from google.protobuf.message import Message
from typing_extensions import Unpack

from .._context import RequestContext
from .._errors import ConnectError
from .._headers import Headers
from .._interceptor import check_interceptors, wrap_sync
from .._method import MethodInfo, StreamType
from .._protocol.client import ClientProtocol
from .._protocol.codec import PROTO, Codec
from .._protocol.compression import Compression
from .._transports.base import SyncTransport, TransportError, check_flavour
from .base import (
    CallOptions,
    CallPlan,
    ClientBase,
    HeadersLike,
    canceled_error,
    check_request,
    check_stream,
    deadline_error,
    single_response,
    transport_error,
    wrong_request,
)
from .cancel import CancelHandle
from .metadata import record_headers, record_response

REQ = TypeVar("REQ", bound=Message)
RES = TypeVar("RES", bound=Message)


class ClientContextSync(RequestContext):
    """The :class:`RequestContext` of a sync client call (see ``ClientContext``)."""

    __slots__ = ("_deadline_at", "_setup")
    _deadline_at: float | None
    _setup: CallPlan


def _context(method: MethodInfo[Any, Any], setup: CallPlan) -> ClientContextSync:
    ctx = ClientContextSync(
        method, "GET" if setup.get else "POST", Headers(setup.headers), setup.timeout_ms
    )
    ctx._setup = setup
    return ctx


def _encode(
    protocol: ClientProtocol, messages: Iterable[Message], method: MethodInfo[Any, Any]
) -> Iterator[bytes]:
    encode = protocol.encode_message
    expected = method.input
    for m in messages:
        if type(m) is not expected:
            raise wrong_request(method, m)
        yield encode(m)


class ConnectClientSync(ClientBase):
    """Sync Connect client for one service; generated ``XServiceClientSync`` classes subclass it.

    Deadlines are enforced with the transport's socket timeouts and checked between reads: a
    call that runs past its ``timeout_ms`` fails with ``deadline_exceeded``. Another thread
    cancels a call through the :class:`~connect_core.CancelHandle` passed as ``cancel=``: the
    exchange is aborted and the call raises ``canceled``. Bidirectional streams are
    half-duplex over HTTP/1.1: the request iterator is consumed while the request is sent,
    before the first response message is read (``H2SyncTransport`` is full duplex).
    """

    def __init__(
        self,
        base_url: str,
        *,
        transport: SyncTransport | None = None,
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
        """Create a client; the arguments are those of :class:`~connect_core.ConnectClient`,
        with an ``httpx.Client`` as ``http_client``, sync transports (``HttptoolsSyncTransport``
        for speed, ``HttpClientTransport`` with the standard library only, ``WSGITransport``
        in memory) and sync interceptors (one without a sync method is a ``TypeError``)."""
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
        check_flavour(transport, http_client, is_async=False)
        check_interceptors(interceptors, is_async=False, client=True)
        self._owns_transport = transport is None
        if transport is None:
            from .._transports.httpx import HttpxSyncTransport

            transport = HttpxSyncTransport(http_client)
        self._transport: SyncTransport = transport
        self._chains: dict[StreamType, Callable[..., Any]] | None = None
        if interceptors:
            self._chains = {
                StreamType.UNARY: wrap_sync(self._unary_terminal, StreamType.UNARY, interceptors),
                StreamType.CLIENT_STREAM: wrap_sync(
                    self._client_stream_terminal, StreamType.CLIENT_STREAM, interceptors
                ),
                StreamType.SERVER_STREAM: wrap_sync(
                    self._server_stream_terminal, StreamType.SERVER_STREAM, interceptors
                ),
                StreamType.BIDI_STREAM: wrap_sync(
                    self._bidi_stream_terminal, StreamType.BIDI_STREAM, interceptors
                ),
            }

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the transport when this client created it (a passed-in one is left open)."""
        if self._owns_transport:
            self._transport.close()

    # -- unary ---------------------------------------------------------------------------------

    def _unary(
        self, method: MethodInfo[REQ, RES], request: REQ, **options: Unpack[CallOptions]
    ) -> RES:
        if type(request) is not method.input:
            raise wrong_request(method, request)
        setup = self._setup(method, options)
        chains = self._chains
        reply: RES
        if chains is None:
            reply = self._send_unary(setup, method, request, None, _deadline(setup))
            return reply
        ctx = _context(method, setup)
        ctx._deadline_at = _deadline(setup)
        reply = chains[StreamType.UNARY](request, ctx)
        return reply

    def _unary_terminal(self, request: Message, ctx: ClientContextSync) -> Any:
        setup = ctx._setup
        setup.headers = list(ctx.request_headers().multi_items())
        return self._send_unary(setup, ctx.method(), request, ctx, ctx._deadline_at)

    def _send_unary(
        self,
        setup: CallPlan,
        method: MethodInfo[Any, Any],
        request: Message,
        ctx: ClientContextSync | None,
        deadline: float | None,
    ) -> Any:
        protocol = setup.protocol
        req = protocol.unary_request(method, request, setup.headers, setup.get)
        cancel = setup.cancel
        try:
            response = self._transport.send(
                req.method,
                self.base_url + req.path,
                req.headers,
                req.body,
                _left(deadline),
                **_cancel_kwargs(cancel),
            )
            try:
                body = response.read()
            finally:
                response.close()
        except Exception as e:
            err = self._failure(e, cancel)
            if err is e:
                raise
            raise err from e
        if cancel is not None and cancel.canceled:
            raise canceled_error()  # the body may have been cut short
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

    def _client_stream(
        self,
        method: MethodInfo[REQ, RES],
        request: Iterable[REQ],
        **options: Unpack[CallOptions],
    ) -> RES:
        check_stream(method, request, is_async=False)
        setup = self._setup(method, options)
        chains = self._chains
        reply: RES
        if chains is None:
            reply = _collect(self._send_stream(setup, method, request, None, _deadline(setup)))
            return reply
        ctx = _context(method, setup)
        ctx._deadline_at = _deadline(setup)
        reply = chains[StreamType.CLIENT_STREAM](iter(request), ctx)
        return reply

    def _client_stream_terminal(self, request: Iterator[Message], ctx: ClientContextSync) -> Any:
        setup = ctx._setup
        setup.headers = list(ctx.request_headers().multi_items())
        return _collect(self._send_stream(setup, ctx.method(), request, ctx, ctx._deadline_at))

    def _server_stream(
        self, method: MethodInfo[REQ, RES], request: REQ, **options: Unpack[CallOptions]
    ) -> Iterator[RES]:
        check_request(method, request)
        setup = self._setup(method, options)
        chains = self._chains
        if chains is None:
            return self._send_stream(setup, method, request, None, _deadline(setup))
        ctx = _context(method, setup)
        ctx._deadline_at = _deadline(setup)
        it: Iterator[Any] = chains[StreamType.SERVER_STREAM](request, ctx)
        return it

    def _server_stream_terminal(self, request: Message, ctx: ClientContextSync) -> Iterator[Any]:
        setup = ctx._setup
        setup.headers = list(ctx.request_headers().multi_items())
        return self._send_stream(setup, ctx.method(), request, ctx, ctx._deadline_at)

    def _bidi_stream(
        self,
        method: MethodInfo[REQ, RES],
        request: Iterable[REQ],
        **options: Unpack[CallOptions],
    ) -> Iterator[RES]:
        check_stream(method, request, is_async=False)
        setup = self._setup(method, options)
        chains = self._chains
        if chains is None:
            return self._send_stream(setup, method, request, None, _deadline(setup))
        ctx = _context(method, setup)
        ctx._deadline_at = _deadline(setup)
        it: Iterator[Any] = chains[StreamType.BIDI_STREAM](iter(request), ctx)
        return it

    def _bidi_stream_terminal(
        self, request: Iterator[Message], ctx: ClientContextSync
    ) -> Iterator[Any]:
        setup = ctx._setup
        setup.headers = list(ctx.request_headers().multi_items())
        return self._send_stream(setup, ctx.method(), request, ctx, ctx._deadline_at)

    def _send_stream(
        self,
        setup: CallPlan,
        method: MethodInfo[Any, Any],
        request: Message | Iterable[Message],
        ctx: ClientContextSync | None,
        deadline: float | None,
    ) -> Iterator[Any]:
        """Run a streaming call, yielding response messages as they arrive.

        Closing the generator early (``break`` and dropping it, or ``.close()``) releases the
        response, closing its connection.
        """
        protocol = setup.protocol
        cancel = setup.cancel
        body: bytes | Iterator[bytes] = (
            protocol.encode_message(request)
            if isinstance(request, Message)
            else _encode(protocol, request, method)
        )
        try:
            response = self._transport.send(
                "POST",
                self.base_url + method.procedure,
                setup.headers,
                body,
                _left(deadline),
                **_cancel_kwargs(cancel),
            )
        except Exception as e:
            err = self._failure(e, cancel)
            if err is e:
                raise
            raise err from e
        decoder = None
        try:
            decoder = protocol.stream_decoder(method, response.status, response.headers)
            if decoder is None:
                try:
                    raw = response.read()
                except Exception as e:
                    err = self._failure(e, cancel)
                    if err is e:
                        raise
                    raise err from e
                if cancel is not None and cancel.canceled:
                    raise canceled_error()
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
            decode = decoder.decode
            try:
                for chunk in response.iter_bytes():
                    if cancel is not None and cancel.canceled:
                        raise canceled_error()
                    yield from decode(chunk)
                    if deadline is not None and time.monotonic() >= deadline:
                        raise deadline_error()
            except Exception as e:
                err = self._failure(e, cancel)
                if err is e:
                    raise
                raise err from e
            if cancel is not None and cancel.canceled:
                raise canceled_error()
            trailers = decoder.finish(response.trailers)
        except ConnectError:
            _record(response.headers, decoder.trailers if decoder else Headers(), ctx)
            raise
        finally:
            try:
                response.close()
            except TransportError as e:
                raise transport_error(e, self.base_url) from e
        record_response(response.headers, trailers)
        if ctx is not None:
            ctx._response_trailers = trailers

    def _failure(self, e: Exception, cancel: CancelHandle | None) -> Exception:
        """What a call raises when its exchange failed with ``e``: ``canceled`` once the call
        was cancelled (whatever an aborted exchange ends with, a reset or a cut-off body, the
        cancellation is what happened), the :class:`ConnectError` a transport's
        :class:`TransportError` stands for, otherwise ``e`` itself."""
        if cancel is not None and cancel.canceled:
            return canceled_error()
        if isinstance(e, TransportError):
            return transport_error(e, self.base_url)
        return e


def _cancel_kwargs(cancel: CancelHandle | None) -> dict[str, Any]:
    """The transport's ``cancel`` argument, passed only when there is a handle, so transports
    written before it existed keep working for calls that do not use it."""
    if cancel is None:
        return {}
    if cancel.canceled:
        raise canceled_error()
    return {"cancel": cancel}


def _deadline(setup: CallPlan) -> float | None:
    timeout = setup.timeout_ms
    return None if timeout is None else time.monotonic() + max(timeout, 1) / 1000.0


def _left(deadline: float | None) -> float | None:
    """Seconds left before ``deadline``; the deadline error when none are."""
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise deadline_error()
    return left


def _collect(messages: Iterator[Any]) -> Any:
    first = second = None
    for m in messages:
        if first is None:
            first = m
        else:
            second = m
    return single_response(first, second)


def _record(headers: Headers, trailers: Headers, ctx: ClientContextSync | None) -> None:
    record_response(headers, trailers)
    if ctx is not None:
        ctx._response_headers = headers
        ctx._response_trailers = trailers
