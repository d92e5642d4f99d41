"""``ConnectClient``: the async client the generated ``XServiceClient`` classes build on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from types import TracebackType
from typing import Any, Self

from google.protobuf.message import Message
from typing_extensions import Unpack

from ._client_shared import (
    CallOptions,
    ClientConfig,
    StreamResponseDecoder,
    check_stream_head,
    deadline_error,
    effective_timeout,
    encode_stream_message,
    one_message,
    prepare_unary,
    stream_headers,
    transport_errors,
    unary_result,
)
from ._codec import PROTO, Codec
from ._compression import Compression, default_compressions
from ._metadata import record_response
from ._method import MethodInfo
from ._transport import AsyncTransport, HttpxAsyncTransport


class ConnectClient:
    """Async Connect client for one service; generated ``XServiceClient`` classes subclass it.

    Example::

        async with GreetServiceClient("http://localhost:8000") as client:
            reply = await client.greet(GreetRequest(name="Jane"), timeout_ms=2000)
    """

    def __init__(
        self,
        base_url: str,
        *,
        http_client: Any = None,
        transport: AsyncTransport | None = None,
        codec: Codec = PROTO,
        send_compression: Compression | None = None,
        accept_compressions: Sequence[Compression] | None = None,
        compress_min_bytes: int = 1024,
        read_max_bytes: int = 4 * 1024 * 1024,
        timeout_ms: int | None = None,
    ) -> None:
        """Create a client.

        Args:
            base_url: Where the service is served, e.g. ``"http://localhost:8000"`` or with a
                path prefix (``"http://host/rpc"``).
            http_client: An ``httpx.AsyncClient`` (or compatible) to send with; not closed by
                this client.
            transport: A transport other than httpx (overrides ``http_client``).
            codec: ``PROTO`` (default) or ``JSON``.
            send_compression: Compress request messages (at least ``compress_min_bytes``).
            accept_compressions: Compressions offered for responses (default gzip, br, zstd).
            compress_min_bytes: Smallest request message worth compressing.
            read_max_bytes: Largest response message accepted.
            timeout_ms: Default deadline for every call.
        """
        self.base_url = base_url.rstrip("/")
        self._transport: AsyncTransport = transport or HttpxAsyncTransport(http_client)
        self._config = ClientConfig(
            codec=codec,
            send_compression=send_compression,
            accept_compressions=(
                tuple(accept_compressions)
                if accept_compressions is not None
                else default_compressions()
            ),
            compress_min_bytes=compress_min_bytes,
            read_max_bytes=read_max_bytes,
            timeout_ms=timeout_ms,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the transport, when this client owns it."""
        await self._transport.aclose()

    async def _unary(
        self, method: MethodInfo[Any, Any], request: Message, **options: Unpack[CallOptions]
    ) -> Any:
        timeout = effective_timeout(self._config, options)
        if timeout is None:
            return await self._unary_call(method, request, options)
        try:
            async with asyncio.timeout(timeout / 1000.0):
                return await self._unary_call(method, request, options)
        except TimeoutError:
            raise deadline_error() from None

    async def _unary_call(
        self, method: MethodInfo[Any, Any], request: Message, options: CallOptions
    ) -> Message:
        config = self._config
        prepared = prepare_unary(self.base_url, config, method, request, options)
        with transport_errors(None):
            response = await self._transport.send(
                prepared.method, prepared.url, prepared.headers, prepared.body
            )
            try:
                body = await response.aread()
            finally:
                await response.aclose()
        message, headers, trailers = unary_result(
            config, method, response.status, response.headers, body
        )
        record_response(headers, trailers)
        return message

    async def _client_stream(
        self,
        method: MethodInfo[Any, Any],
        request: AsyncIterable[Message] | Iterable[Message],
        **options: Unpack[CallOptions],
    ) -> Any:
        return one_message([m async for m in self._stream(method, request, options)])

    def _server_stream(
        self, method: MethodInfo[Any, Any], request: Message, **options: Unpack[CallOptions]
    ) -> AsyncIterator[Any]:
        return self._stream(method, (request,), options)

    def _bidi_stream(
        self,
        method: MethodInfo[Any, Any],
        request: AsyncIterable[Message] | Iterable[Message],
        **options: Unpack[CallOptions],
    ) -> AsyncIterator[Any]:
        return self._stream(method, request, options)

    async def _stream(
        self,
        method: MethodInfo[Any, Any],
        request: AsyncIterable[Message] | Iterable[Message],
        options: CallOptions,
    ) -> AsyncIterator[Any]:
        config = self._config
        timeout = effective_timeout(config, options)
        deadline = (
            asyncio.get_running_loop().time() + timeout / 1000.0 if timeout is not None else None
        )

        async def body() -> AsyncIterator[bytes]:
            if isinstance(request, AsyncIterable):
                async for m in request:
                    yield encode_stream_message(config, m)
            else:
                for m in request:
                    yield encode_stream_message(config, m)

        try:
            async with asyncio.timeout_at(deadline):
                with transport_errors(None):
                    response = await self._transport.send(
                        "POST",
                        self.base_url + method.procedure,
                        stream_headers(config, options),
                        body(),
                    )
        except TimeoutError:
            raise deadline_error() from None
        try:
            if response.status != 200:
                body_bytes = await response.aread()
                unary_result(config, method, response.status, response.headers, body_bytes)
            compression = check_stream_head(config, response.status, response.headers)
            decoder = StreamResponseDecoder(config, method.output, compression)
            chunks = response.aiter_bytes()
            while True:
                try:
                    async with asyncio.timeout_at(deadline):
                        with transport_errors(None):
                            chunk = await anext(chunks, None)
                except TimeoutError:
                    raise deadline_error() from None
                if chunk is None:
                    break
                decoder.feed(chunk)
                while (message := decoder.next()) is not None:
                    yield message
            decoder.finish()
            record_response(response.headers, decoder.trailers)
        finally:
            await response.aclose()
