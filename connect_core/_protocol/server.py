"""The interface every wire protocol implements on the server side.

Connect is the only protocol today; gRPC and gRPC-Web are meant to become siblings of
:class:`~connect_core._protocol.connect_server.ConnectServerProtocol` without the handler runner or
any adapter changing. Everything here is sans-IO: plain values in, plain values out.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from google.protobuf.message import Message

from .._errors import ConnectError
from .._headers import HeaderList, Headers
from .codec import Codec
from .compression import Compression

if TYPE_CHECKING:
    from .._method import MethodInfo


class HTTPError(Exception):
    """A request the protocol refuses at the HTTP level (404, 405, 415), with a plain body."""

    def __init__(self, status: int, message: str, headers: HeaderList | None = None) -> None:
        """Answer with ``status``, ``message`` as a text body, and extra ``headers``."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or []


@dataclass(slots=True)
class CallSetup:
    """What the protocol negotiated for one call from its request head."""

    protocol: ServerProtocol
    """The protocol the request speaks; it frames the response too."""
    codec: Codec
    request_compression: Compression | None
    response_compression: Compression | None
    timeout_ms: int | None
    streams: bool
    """True when requests and responses are enveloped message streams (``open_stream``),
    False for one plain message each way (``run_unary``): the protocol decides per call."""
    get_message: bytes | None = None
    """For a unary GET: the request message bytes taken from the query (still compressed)."""


class ServerProtocol(ABC):
    """One wire protocol, server side: negotiation, framing, errors, trailers.

    A server holds several, and each request goes to the first whose :meth:`accepts` claims
    it (by HTTP method and content type).
    """

    needs_http_trailers: bool = False
    """True when the protocol ends its responses with HTTP trailers (gRPC); Connect carries
    its trailers in the body."""

    @abstractmethod
    def accepts(self, http_method: str, content_type: str) -> bool:
        """True when a request with this method and content type speaks this protocol."""

    @abstractmethod
    def negotiate(
        self,
        method: MethodInfo[Message, Message],
        http_method: str,
        headers: Headers,
        query_string: str,
    ) -> CallSetup:
        """Validate the request head and pick framing, codec, compressions and deadline."""

    @abstractmethod
    def decode_unary(self, setup: CallSetup, body: bytes, message_type: type[Message]) -> Message:
        """Decode a unary request body (or the GET query message)."""

    @abstractmethod
    def unary_response(
        self,
        setup: CallSetup,
        message: Message,
        headers: Headers | None,
        trailers: Headers | None,
    ) -> tuple[int, HeaderList, bytes]:
        """Encode a successful unary response: status, headers, body."""

    @abstractmethod
    def unary_error(
        self,
        setup: CallSetup | None,
        error: ConnectError,
        headers: Headers | None,
        trailers: Headers | None,
    ) -> tuple[int, HeaderList, bytes]:
        """Encode a failed unary call: status, headers, body."""

    @abstractmethod
    def stream_response_head(
        self, setup: CallSetup, headers: Headers | None
    ) -> tuple[int, HeaderList]:
        """The status and headers that open a streaming response."""

    @abstractmethod
    def stream_message(self, setup: CallSetup, message: Message) -> bytes:
        """One response message, framed."""

    def stream_encoder(self, setup: CallSetup) -> Callable[[Message], bytes]:
        """A function framing response messages for this call (chosen once per stream)."""
        return partial(self.stream_message, setup)

    @abstractmethod
    def stream_end(
        self, setup: CallSetup | None, error: ConnectError | None, trailers: Headers | None
    ) -> tuple[bytes, HeaderList]:
        """What closes a streaming response, carrying the error and trailers: the last body
        bytes, and the HTTP trailers (empty for protocols that carry trailers in the body)."""

    @abstractmethod
    def stream_error_response(
        self,
        setup: CallSetup | None,
        error: ConnectError,
        headers: Headers | None,
        trailers: Headers | None,
    ) -> tuple[int, HeaderList, bytes]:
        """A whole streaming response that is only an error (nothing was sent yet)."""


class RequestDecoder:
    """Turns the chunks of an enveloped request body into messages (sans-IO).

    Shared by the enveloped protocols: Connect streaming now, gRPC and gRPC-Web later.
    """

    __slots__ = ("_codec", "_compression", "_max_bytes", "_reader", "_type")

    def __init__(self, setup: CallSetup, message_type: type[Message], max_bytes: int) -> None:
        """Decode ``message_type`` messages with the call's codec and request compression."""
        from .envelope import EnvelopeReader

        self._reader = EnvelopeReader(max_bytes)
        self._codec = setup.codec
        self._compression = setup.request_compression
        self._type = message_type
        self._max_bytes = max_bytes

    def feed(self, data: bytes) -> None:
        """Append received body bytes."""
        self._reader.feed(data)

    def next(self) -> Message | None:
        """Return the next complete message, or ``None`` until more bytes arrive."""
        from .._code import Code

        env = self._reader.next()
        if env is None:
            return None
        data = env.data
        if env.flags & 0x01:
            if self._compression is None:
                raise ConnectError(
                    Code.INTERNAL,
                    "received a compressed message but the request declared no compression",
                )
            data = self._compression.decompress(data, self._max_bytes)
        if env.flags & 0x02:
            raise ConnectError(
                Code.INVALID_ARGUMENT, "request stream must not carry an end-of-stream message"
            )
        return self._codec.decode(data, self._type)

    def finish(self) -> None:
        """Declare the body complete; raise when it ended inside an envelope."""
        self._reader.finish()
