"""The interface every wire protocol implements on the server side.

Connect is the only protocol today; gRPC and gRPC-Web are meant to become siblings of
:class:`~connect_core._protocol.connect_server.ConnectServerProtocol` without the handler runner or
any adapter changing. Everything here is sans-IO: plain values in, plain values out. A
protocol makes every wire decision: the framing of each call, GET, trailers, and the bytes of
every answer, its refusals included (an unknown procedure, a wrong verb, an unsupported
content type, a request the framework refused), so that nothing above it writes a
protocol's bytes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

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
class Reply:
    """A complete, buffered response: status, headers, body and HTTP trailers (none for
    Connect; gRPC ends every response with them)."""

    status: int
    headers: HeaderList
    body: bytes
    trailers: HeaderList = field(default_factory=list)

    def headers_with_length(self) -> HeaderList:
        """The headers plus ``content-length``."""
        return [*self.headers, ("content-length", str(len(self.body)))]


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
    state: Any = None
    """What the protocol keeps of the request head for itself (Connect: a unary GET's
    request message, taken from the query); only the protocol reads it."""


class ServerProtocol(ABC):
    """One wire protocol, server side: negotiation, framing, errors, trailers.

    A server holds several, and each request goes to the first whose :meth:`accepts` claims
    it (by HTTP method and content type).
    """

    needs_http_trailers: bool = False
    """True when the protocol ends its responses with HTTP trailers (gRPC); Connect carries
    its trailers in the body. Such a protocol renders every error answered before a message
    was sent without HTTP trailers (gRPC's trailers-only response), so that a server that
    sends none can still refuse its calls readably (:meth:`trailers_missing_error`)."""

    def trailers_missing_error(self) -> ConnectError:
        """The error a call of this protocol gets from a server that sends no HTTP trailers
        (it says which servers do); only asked when :attr:`needs_http_trailers` is true."""
        from .._code import Code

        return ConnectError(
            Code.UNIMPLEMENTED,
            "this protocol ends every response with HTTP trailers, which this server does not "
            "send: serve the app with an ASGI server that sends them (hypercorn, pyvoy) to "
            "call it with this protocol",
        )

    @abstractmethod
    def accepts(self, http_method: str, content_type: str) -> bool:
        """True when a request with this method and content type speaks this protocol."""

    @abstractmethod
    def streams_for(self, method: MethodInfo[Message, Message]) -> bool:
        """Whether calls of ``method`` are enveloped message streams in this protocol: the
        framing of an error answered before negotiation finished."""

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
        """Decode a unary request: its body, or what the request head carried (a GET's
        query message)."""

    @abstractmethod
    def unary_response(
        self,
        setup: CallSetup,
        message: Message,
        headers: Headers | None,
        trailers: Headers | None,
    ) -> Reply:
        """Encode a successful unary response."""

    @abstractmethod
    def unary_error(
        self,
        setup: CallSetup | None,
        error: ConnectError,
        headers: Headers | None,
        trailers: Headers | None,
    ) -> Reply:
        """Encode a failed unary call."""

    @abstractmethod
    def http_error_response(self, error: HTTPError) -> Reply:
        """Encode a refusal at the HTTP level (404, 405, 415) that :meth:`negotiate` raised."""

    @abstractmethod
    def outside_error(
        self, error: ConnectError, headers: HeaderList, status: int | None = None
    ) -> Reply:
        """Encode ``error`` for a request no procedure claimed (an unknown path, a request
        the framework refused before routing it), whose stream kind is therefore unknown,
        with extra response ``headers`` and HTTP ``status`` when it is not the code's own."""

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
    ) -> Reply:
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
