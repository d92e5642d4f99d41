"""``ConnectClientSync``: the sync twin of :class:`~connect_core.ConnectClient`."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
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
from ._transport import HttpxSyncTransport, SyncTransport


class ConnectClientSync:
    """Sync Connect client for one service; generated ``XServiceClientSync`` classes subclass it.

    Deadlines are enforced through the transport's timeouts: a call that runs past its
    ``timeout_ms`` fails with ``deadline_exceeded``.
    """

    def __init__(
        self,
        base_url: str,
        *,
        http_client: Any = None,
        transport: SyncTransport | None = None,
        codec: Codec = PROTO,
        send_compression: Compression | None = None,
        accept_compressions: Sequence[Compression] | None = None,
        compress_min_bytes: int = 1024,
        read_max_bytes: int = 4 * 1024 * 1024,
        timeout_ms: int | None = None,
    ) -> None:
        """Create a client; the arguments are those of :class:`~connect_core.ConnectClient`,
        with an ``httpx.Client`` as ``http_client``."""
        self.base_url = base_url.rstrip("/")
        self._transport: SyncTransport = transport or HttpxSyncTransport(http_client)
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

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the transport, when this client owns it."""
        self._transport.close()

    def _unary(
        self, method: MethodInfo[Any, Any], request: Message, **options: Unpack[CallOptions]
    ) -> Any:
        config = self._config
        timeout = effective_timeout(config, options)
        prepared = prepare_unary(self.base_url, config, method, request, options)
        with transport_errors(timeout):
            response = self._transport.send(
                prepared.method,
                prepared.url,
                prepared.headers,
                prepared.body,
                timeout / 1000.0 if timeout is not None else None,
            )
            try:
                body = response.read()
            finally:
                response.close()
        message, headers, trailers = unary_result(
            config, method, response.status, response.headers, body
        )
        record_response(headers, trailers)
        return message

    def _client_stream(
        self,
        method: MethodInfo[Any, Any],
        request: Iterable[Message],
        **options: Unpack[CallOptions],
    ) -> Any:
        return one_message(self._stream(method, request, options))

    def _server_stream(
        self, method: MethodInfo[Any, Any], request: Message, **options: Unpack[CallOptions]
    ) -> Iterator[Any]:
        return self._stream(method, (request,), options)

    def _bidi_stream(
        self,
        method: MethodInfo[Any, Any],
        request: Iterable[Message],
        **options: Unpack[CallOptions],
    ) -> Iterator[Any]:
        return self._stream(method, request, options)

    def _stream(
        self, method: MethodInfo[Any, Any], request: Iterable[Message], options: CallOptions
    ) -> Iterator[Any]:
        config = self._config
        timeout = effective_timeout(config, options)
        deadline = time.monotonic() + timeout / 1000.0 if timeout is not None else None

        def body() -> Iterator[bytes]:
            for m in request:
                yield encode_stream_message(config, m)

        def remaining() -> float | None:
            if deadline is None:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                raise deadline_error()
            return left

        with transport_errors(timeout):
            response = self._transport.send(
                "POST",
                self.base_url + method.procedure,
                stream_headers(config, options),
                body(),
                remaining(),
            )
            try:
                if response.status != 200:
                    unary_result(config, method, response.status, response.headers, response.read())
                compression = check_stream_head(config, response.status, response.headers)
                decoder = StreamResponseDecoder(config, method.output, compression)
                for chunk in response.iter_bytes():
                    decoder.feed(chunk)
                    while (message := decoder.next()) is not None:
                        yield message
                    remaining()
                decoder.finish()
                record_response(response.headers, decoder.trailers)
            finally:
                response.close()
