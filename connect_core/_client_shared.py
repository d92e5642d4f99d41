"""The Connect protocol, client side (sans-IO), shared by the async and sync clients."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypedDict

from google.protobuf.message import Message

from ._code import Code
from ._codec import PROTO, Codec
from ._compression import Compression, default_compressions
from ._envelope import FLAG_COMPRESSED, FLAG_END_STREAM, EnvelopeReader, encode_envelope
from ._errors import ConnectError
from ._headers import Headers
from ._method import IdempotencyLevel, MethodInfo

HeaderList = list[tuple[str, str]]
USER_AGENT = "connect-core-python/0.1"


class CallOptions(TypedDict, total=False):
    """Per-call options of every generated client method.

    Attributes:
        headers: Extra request headers.
        timeout_ms: The call's deadline in milliseconds: sent as ``connect-timeout-ms`` and
            enforced locally (the call fails with ``deadline_exceeded``).
        use_get: Send a unary call with HTTP GET (only for ``NO_SIDE_EFFECTS`` methods).
    """

    headers: Headers | dict[str, str] | Sequence[tuple[str, str]]
    timeout_ms: int
    use_get: bool


@dataclass
class ClientConfig:
    """How a client speaks: codec, compression, limits. Shared by both twins."""

    codec: Codec = PROTO
    send_compression: Compression | None = None
    accept_compressions: Sequence[Compression] = field(default_factory=default_compressions)
    compress_min_bytes: int = 1024
    read_max_bytes: int = 4 * 1024 * 1024
    timeout_ms: int | None = None

    def __post_init__(self) -> None:
        self._by_name = {c.name: c for c in self.accept_compressions}
        if self.send_compression is not None:
            self._by_name.setdefault(self.send_compression.name, self.send_compression)
        self._accept = ", ".join(self._by_name)

    def compression(self, name: str | None) -> Compression | None:
        """The compression called ``name`` in a response; error when unknown."""
        if not name or name == "identity":
            return None
        found = self._by_name.get(name)
        if found is None:
            raise ConnectError(
                Code.INTERNAL, f"server answered with unsupported compression {name!r}"
            )
        return found


@dataclass(slots=True)
class PreparedRequest:
    """A request head and body ready for a transport."""

    method: str
    url: str
    headers: HeaderList
    body: bytes


def _headers_out(base: HeaderList, extra: Any) -> HeaderList:
    if extra:
        items = (
            extra.multi_items()
            if isinstance(extra, Headers)
            else (extra.items() if isinstance(extra, dict) else extra)
        )
        base.extend((k.lower(), v) for k, v in items)
    return base


def effective_timeout(config: ClientConfig, options: CallOptions) -> int | None:
    """The call's timeout in milliseconds, if any."""
    t = options.get("timeout_ms", config.timeout_ms)
    return t if t is None else int(t)


def prepare_unary(
    base_url: str,
    config: ClientConfig,
    method: MethodInfo[Message, Message],
    request: Message,
    options: CallOptions,
) -> PreparedRequest:
    """Build a unary request (POST, or GET when asked and allowed)."""
    codec = config.codec
    data = codec.encode(request)
    url = base_url + method.procedure
    headers: HeaderList = [("connect-protocol-version", "1"), ("user-agent", USER_AGENT)]
    timeout = effective_timeout(config, options)
    if timeout is not None:
        headers.append(("connect-timeout-ms", str(max(timeout, 1))))
    if config._accept:
        headers.append(("accept-encoding", config._accept))
    comp = config.send_compression
    compressed = comp is not None and len(data) >= config.compress_min_bytes
    if options.get("use_get"):
        if method.idempotency_level is not IdempotencyLevel.NO_SIDE_EFFECTS:
            raise ConnectError(
                Code.INVALID_ARGUMENT,
                f"{method.procedure} has side effects, so it cannot be called with GET",
            )
        if compressed:
            assert comp is not None
            data = comp.compress(data)
        query = f"?connect=v1&encoding={codec.name}&base64=1&message=" + base64.urlsafe_b64encode(
            data
        ).decode().rstrip("=")
        if compressed:
            assert comp is not None
            query += f"&compression={comp.name}"
        return PreparedRequest(
            "GET", url + query, _headers_out(headers, options.get("headers")), b""
        )
    headers.append(("content-type", "application/" + codec.name))
    if compressed:
        assert comp is not None
        data = comp.compress(data)
        headers.append(("content-encoding", comp.name))
    return PreparedRequest("POST", url, _headers_out(headers, options.get("headers")), data)


def stream_headers(config: ClientConfig, options: CallOptions) -> HeaderList:
    """Headers of a streaming request."""
    headers: HeaderList = [
        ("content-type", "application/connect+" + config.codec.name),
        ("connect-protocol-version", "1"),
        ("user-agent", USER_AGENT),
    ]
    timeout = effective_timeout(config, options)
    if timeout is not None:
        headers.append(("connect-timeout-ms", str(max(timeout, 1))))
    if config.send_compression is not None:
        headers.append(("connect-content-encoding", config.send_compression.name))
    if config._accept:
        headers.append(("connect-accept-encoding", config._accept))
    return _headers_out(headers, options.get("headers"))


def encode_stream_message(config: ClientConfig, message: Message) -> bytes:
    """One request message, framed (and compressed when large enough)."""
    data = config.codec.encode(message)
    comp = config.send_compression
    if comp is not None and len(data) >= config.compress_min_bytes:
        return encode_envelope(FLAG_COMPRESSED, comp.compress(data))
    return encode_envelope(0, data)


def split_trailers(headers: Headers) -> tuple[Headers, Headers]:
    """Split a unary response's headers into headers and ``trailer-`` trailers."""
    plain, trailers = Headers(), Headers()
    for k, v in headers.multi_items():
        if k.startswith("trailer-"):
            trailers.add(k[8:], v)
        else:
            plain.add(k, v)
    return plain, trailers


def unary_result(
    config: ClientConfig,
    method: MethodInfo[Message, Message],
    status: int,
    headers: Headers,
    body: bytes,
) -> tuple[Message, Headers, Headers]:
    """Decode a unary response into (message, headers, trailers); raise its error."""
    plain, trailers = split_trailers(headers)
    comp = config.compression(headers.get("content-encoding"))
    if comp is not None:
        body = comp.decompress(body, config.read_max_bytes)
    if status != 200:
        ctype = headers.get("content-type", "") or ""
        fallback = Code.from_http_status(status)
        if ctype.startswith("application/json"):
            err = ConnectError.from_json(body, fallback=fallback)
        else:
            err = ConnectError(fallback, f"HTTP {status}", wire=True)
        _attach_metadata(err, plain, trailers)
        raise err
    ctype = headers.get("content-type", "") or ""
    expected = "application/" + config.codec.name
    if not ctype.startswith(expected):
        raise ConnectError(
            Code.INTERNAL, f"unexpected response content type {ctype!r}, expected {expected!r}"
        )
    if 0 < config.read_max_bytes < len(body):
        raise ConnectError(Code.RESOURCE_EXHAUSTED, "response message is larger than the limit")
    return config.codec.decode(body, method.output), plain, trailers


def _attach_metadata(err: ConnectError, headers: Headers, trailers: Headers) -> None:
    for source in (headers, trailers):
        for k, v in source.multi_items():
            err.metadata.setdefault(k, []).append(v)


def check_stream_head(config: ClientConfig, status: int, headers: Headers) -> Compression | None:
    """Validate the head of a streaming response; return its compression."""
    if status != 200:
        raise ConnectError(Code.from_http_status(status), f"HTTP {status}", wire=True)
    ctype = headers.get("content-type", "") or ""
    expected = "application/connect+" + config.codec.name
    if not ctype.startswith(expected):
        raise ConnectError(
            Code.INTERNAL, f"unexpected response content type {ctype!r}, expected {expected!r}"
        )
    return config.compression(headers.get("connect-content-encoding"))


class StreamResponseDecoder:
    """Turns the chunks of a streaming response into messages and the end-of-stream."""

    __slots__ = ("_comp", "_config", "_reader", "_type", "ended", "trailers")

    def __init__(
        self, config: ClientConfig, message_type: type[Message], compression: Compression | None
    ) -> None:
        """Decode ``message_type`` messages compressed with ``compression``."""
        self._reader = EnvelopeReader(config.read_max_bytes)
        self._config = config
        self._type = message_type
        self._comp = compression
        self.ended = False
        self.trailers = Headers()

    def feed(self, data: bytes) -> None:
        """Append received bytes."""
        self._reader.feed(data)

    def next(self) -> Message | None:
        """The next message; ``None`` when more bytes are needed or the stream ended.

        Raises the stream's error when the end-of-stream message carries one.
        """
        if self.ended:
            return None
        env = self._reader.next()
        if env is None:
            return None
        data = env.data
        if env.flags & FLAG_COMPRESSED:
            if self._comp is None:
                raise ConnectError(Code.INTERNAL, "compressed message in an uncompressed stream")
            data = self._comp.decompress(data, self._config.read_max_bytes)
        if env.flags & FLAG_END_STREAM:
            self.ended = True
            self._end(data)
            return None
        return self._config.codec.decode(data, self._type)

    def _end(self, data: bytes) -> None:
        try:
            end = json.loads(data) if data else {}
        except ValueError as e:
            raise ConnectError(Code.INTERNAL, f"malformed end-of-stream message: {e}") from e
        if not isinstance(end, dict):
            raise ConnectError(Code.INTERNAL, "malformed end-of-stream message")
        metadata = end.get("metadata")
        if isinstance(metadata, dict):
            for k, values in metadata.items():
                for v in values if isinstance(values, list) else [values]:
                    self.trailers.add(k, str(v))
        error = end.get("error")
        if error is not None:
            err = ConnectError.from_dict(error)
            _attach_metadata(err, Headers(), self.trailers)
            raise err

    def finish(self) -> None:
        """Declare the body complete; raise when the stream ended without its end message."""
        if not self.ended:
            raise ConnectError(Code.INTERNAL, "stream ended without an end-of-stream message")


def one_message(messages: Iterable[Message]) -> Message:
    """The single response of a client-streaming call."""
    result: Message | None = None
    for message in messages:
        if result is not None:
            raise ConnectError(Code.UNIMPLEMENTED, "server sent more than one response message")
        result = message
    if result is None:
        raise ConnectError(Code.UNIMPLEMENTED, "server sent no response message")
    return result


@contextmanager
def transport_errors(timeout_ms: int | None) -> Iterator[None]:
    """Translate the HTTP library's exceptions into :class:`ConnectError`, in one place."""
    try:
        yield
    except ConnectError:
        raise
    except Exception as e:
        name = type(e).__name__
        if "Timeout" in name and timeout_ms is not None:
            raise deadline_error() from e
        if isinstance(e, (OSError, ConnectionError)) or _is_http_error(e):
            raise ConnectError(Code.UNAVAILABLE, f"{name}: {e}") from e
        raise


def _is_http_error(e: Exception) -> bool:
    module = type(e).__module__.split(".", 1)[0]
    return module in ("httpx", "httpcore", "h2", "h11", "aiohttp", "urllib3")


def deadline_error() -> ConnectError:
    """The error of a call that ran past its deadline."""
    return ConnectError(Code.DEADLINE_EXCEEDED, "the call's deadline expired")
