"""The client side of a wire protocol, as the clients use it (sans-IO): how a client speaks
(:class:`ClientConfig`), a unary request ready for a transport, and the interface every
protocol implements (:class:`ClientProtocol`, :class:`ResponseDecoder`).

Connect implements it in ``connect_client.py``; gRPC and gRPC-Web would be siblings, with the
clients and transports unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from google.protobuf.message import Message

from .._errors import ConnectError
from .._headers import HeaderList, Headers
from .._method import MethodInfo
from .codec import PROTO, Codec
from .compression import Compression, default_compressions

if TYPE_CHECKING:
    from .._clients.base import CallOptions

CONFIG_OPTIONS = frozenset(("codec", "send_compression", "accept_compressions", "read_max_bytes"))


@dataclass(frozen=True)
class ClientConfig:
    """How a client speaks: codec, compression, limits, defaults. Shared by both twins.

    Attributes:
        codec: The codec of request and response messages.
        send_compression: Compression for request messages of at least ``compress_min_bytes``.
        accept_compressions: Compressions offered for (and accepted in) responses.
        compress_min_bytes: Smallest request message worth compressing.
        read_max_bytes: Largest response message accepted, after decompression (<= 0: no limit).
        send_max_bytes: Largest request message sent (<= 0: no limit).
        timeout_ms: Default deadline of every call.
        headers: Headers sent with every call.
        use_get: Send unary calls to ``NO_SIDE_EFFECTS`` methods with GET.
    """

    codec: Codec = PROTO
    send_compression: Compression | None = None
    accept_compressions: tuple[Compression, ...] = field(default_factory=default_compressions)
    compress_min_bytes: int = 1024
    read_max_bytes: int = 4 * 1024 * 1024
    send_max_bytes: int = 0
    timeout_ms: int | None = None
    headers: HeaderList = field(default_factory=list)
    use_get: bool = False

    def with_options(self, options: CallOptions) -> ClientConfig:
        """This configuration with a call's overrides applied."""
        changes: dict[str, Any] = {k: options[k] for k in CONFIG_OPTIONS if k in options}  # type: ignore[literal-required]
        if "accept_compressions" in changes:
            changes["accept_compressions"] = tuple(changes["accept_compressions"])
        return replace(self, **changes)


@dataclass(slots=True)
class UnaryRequest:
    """A unary request ready for a transport."""

    method: str
    path: str
    headers: HeaderList
    body: bytes


class ResponseDecoder(Protocol):
    """Turns the body of a streaming response into messages and, at the end, trailers."""

    trailers: Headers

    def decode(self, data: bytes) -> list[Any]:
        """The messages completed by ``data``, the next chunk of the body."""
        ...

    def finish(self, http_trailers: Headers) -> Headers:
        """Declare the body complete; return the trailers or raise the stream's error."""
        ...


class ClientProtocol(Protocol):
    """A wire protocol as the clients use it; ``ConnectClientProtocol`` is the one today."""

    config: ClientConfig

    def request_headers(
        self,
        method: MethodInfo[Any, Any],
        get: bool,
        timeout_ms: int | None,
        user: HeaderList,
    ) -> HeaderList:
        """The head of a call: protocol headers first, then ``user`` headers."""
        ...

    def unary_request(
        self, method: MethodInfo[Any, Any], message: Message, headers: HeaderList, get: bool
    ) -> UnaryRequest:
        """The request of a unary call (``headers`` from :meth:`request_headers`)."""
        ...

    def unary_response(
        self,
        method: MethodInfo[Any, Any],
        status: int,
        headers: Headers,
        body: bytes,
        trailers: Headers,
        url: str = "",
    ) -> tuple[Any, Headers, Headers]:
        """``(message, headers, trailers)`` of a unary response; raise its error (``url``,
        the request's, is named in the error of a response that is not the protocol's)."""
        ...

    def response_metadata(
        self, headers: Headers, http_trailers: Headers
    ) -> tuple[Headers, Headers]:
        """A unary response's ``(headers, trailers)``, as the protocol carries them."""
        ...

    def encode_message(self, message: Message) -> bytes:
        """One request message of a stream, framed."""
        ...

    def stream_decoder(
        self, method: MethodInfo[Any, Any], status: int, headers: Headers
    ) -> ResponseDecoder | None:
        """A decoder for a streaming response, or ``None`` when the head is an HTTP error
        (read the body and pass it to :meth:`http_error`)."""
        ...

    def http_error(self, status: int, headers: Headers, body: bytes, url: str = "") -> ConnectError:
        """The error a non-200 response stands for (a response that carries no error of the
        protocol's, such as a framework's 404 page, names its status and ``url``)."""
        ...
