"""The Connect protocol, client side (sans-IO).

:class:`ConnectClientProtocol` turns calls into request heads and bodies and responses into
messages, trailers and errors; it never performs I/O. The clients hand its output to a
transport and feed back what the transport received.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from google.protobuf.message import DecodeError, Message

from .._code import Code
from .._errors import ConnectError
from .._headers import HeaderList, Headers
from .._method import MethodInfo, StreamType
from .client import ClientConfig, UnaryRequest
from .codec import PROTO, Codec
from .compression import Compression
from .connect_errors import code_for_http_status, error_from_dict

USER_AGENT = "connect-core-python/0.1"


def _attach_metadata(err: ConnectError, headers: Headers, trailers: Headers) -> ConnectError:
    for source in (headers, trailers):
        for k, v in source.multi_items():
            err.metadata.setdefault(k, []).append(v)
    return err


def _bad_content_type(ctype: str, expected: str, family: str) -> ConnectError:
    """The error of a successful response with the wrong content type.

    ``family`` is the prefix every content type of the call's kind shares (``application/``
    for unary calls, ``application/connect+`` for streams). A response outside it does not
    even look like Connect (an HTML error page from a proxy, say): its meaning is ``unknown``.
    One inside it is a Connect response in another codec than the one asked for: the server
    broke the protocol, which is ``internal``. connect-go draws the same line.
    """
    media = ctype.split(";", 1)[0].strip().lower()
    code = Code.INTERNAL if media.startswith(family) else Code.UNKNOWN
    return ConnectError(code, f"unexpected response content type {ctype!r}, expected {expected!r}")


def _encoded_size_error(size: int, limit: int) -> ConnectError:
    return ConnectError(
        Code.RESOURCE_EXHAUSTED,
        f"request message of {size} bytes is larger than the configured limit of {limit} bytes",
    )


def _decode(codec: Codec, data: bytes, message_type: type[Message]) -> Any:
    if codec is PROTO:
        try:
            return message_type.FromString(data)
        except DecodeError as e:
            raise ConnectError(
                Code.INTERNAL,
                f"could not decode {message_type.DESCRIPTOR.full_name} as binary protobuf: {e}",
            ) from e
    try:
        return codec.decode(data, message_type)
    except ConnectError as e:
        # A response the client cannot decode is the server's fault, not an invalid argument.
        raise ConnectError(Code.INTERNAL, e.message) from e


class ConnectClientProtocol:
    """The Connect protocol, client side: heads, bodies, envelopes, errors. No I/O."""

    __slots__ = (
        "_accept",
        "_by_name",
        "_stream_ctype",
        "_stream_head",
        "_unary_ctype",
        "_unary_get_head",
        "_unary_post_head",
        "config",
    )

    def __init__(self, config: ClientConfig) -> None:
        """Speak Connect as ``config`` says; the static parts of every head are built here."""
        self.config = config
        by_name = {c.name: c for c in config.accept_compressions}
        self._by_name = by_name
        # "identity" when nothing is accepted, so the HTTP library adds no default of its own.
        accept = ", ".join(by_name) or "identity"
        self._accept = accept
        codec = config.codec.name
        self._unary_ctype = "application/" + codec
        self._stream_ctype = "application/connect+" + codec
        base: HeaderList = [("user-agent", USER_AGENT)]
        self._unary_get_head = [*base, ("accept-encoding", accept)]
        self._unary_post_head = [
            ("content-type", self._unary_ctype),
            ("connect-protocol-version", "1"),
            *self._unary_get_head,
        ]
        # Transports hand over the body undecoded, so no HTTP-level compression of the stream
        # itself is invited: messages are compressed one by one (connect-accept-encoding).
        stream: HeaderList = [
            ("content-type", self._stream_ctype),
            ("connect-protocol-version", "1"),
            *base,
            ("accept-encoding", "identity"),
        ]
        if config.send_compression is not None:
            stream.append(("connect-content-encoding", config.send_compression.name))
        if by_name:
            stream.append(("connect-accept-encoding", accept))
        self._stream_head = stream

    # -- requests ------------------------------------------------------------------------------

    def request_headers(
        self,
        method: MethodInfo[Any, Any],
        get: bool,
        timeout_ms: int | None,
        user: HeaderList,
    ) -> HeaderList:
        """The head of a call: protocol headers first, then ``user`` headers.

        A ``user-agent`` among ``user`` replaces the client's own.
        """
        if method.stream_type is StreamType.UNARY:
            head = self._unary_get_head if get else self._unary_post_head
        else:
            head = self._stream_head
        headers = head.copy()
        if timeout_ms is not None:
            headers.append(("connect-timeout-ms", str(max(int(timeout_ms), 1))))
        if user:
            for k, _ in user:
                if k == "user-agent":
                    headers = [h for h in headers if h[0] != "user-agent"]
                    break
            headers += user
        return headers

    def unary_request(
        self, method: MethodInfo[Any, Any], message: Message, headers: HeaderList, get: bool
    ) -> UnaryRequest:
        """The request of a unary call: a POST with the message as body, or a GET with the
        message in the query string."""
        config = self.config
        data = config.codec.encode(message)
        size = len(data)
        if 0 < config.send_max_bytes < size:
            raise _encoded_size_error(size, config.send_max_bytes)
        comp = config.send_compression
        if comp is not None and size >= config.compress_min_bytes:
            data = comp.compress(data)
        else:
            comp = None
        if get:
            query = (
                "?connect=v1&encoding="
                + config.codec.name
                + "&base64=1&message="
                + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
            )
            if comp is not None:
                query += "&compression=" + comp.name
            return UnaryRequest("GET", method.procedure + query, headers, b"")
        if comp is not None:
            headers.append(("content-encoding", comp.name))
        return UnaryRequest("POST", method.procedure, headers, data)

    def encode_message(self, message: Message) -> bytes:
        """One request message of a stream, framed (and compressed when large enough)."""
        config = self.config
        data = config.codec.encode(message)
        size = len(data)
        if 0 < config.send_max_bytes < size:
            raise _encoded_size_error(size, config.send_max_bytes)
        comp = config.send_compression
        if comp is not None and size >= config.compress_min_bytes:
            data = comp.compress(data)
            return b"\x01" + len(data).to_bytes(4, "big") + data
        return b"\x00" + size.to_bytes(4, "big") + data

    # -- responses -----------------------------------------------------------------------------

    def compression(self, name: str | None) -> Compression | None:
        """The compression a response names; an error when it was not offered."""
        if not name or name == "identity":
            return None
        found = self._by_name.get(name)
        if found is None:
            raise ConnectError(
                Code.INTERNAL, f"server answered with unsupported compression {name!r}"
            )
        return found

    def unary_response(
        self,
        method: MethodInfo[Any, Any],
        status: int,
        headers: Headers,
        body: bytes,
        trailers: Headers,
        url: str = "",
    ) -> tuple[Any, Headers, Headers]:
        """``(message, headers, trailers)`` of a unary response; raise its error.

        Trailers travel as ``trailer-``-prefixed headers; they are split off (HTTP trailers a
        transport received, if any, are added to them).
        """
        plain, trailers = self.response_metadata(headers, trailers)
        if status != 200:
            raise _attach_metadata(self.http_error(status, headers, body, url), plain, trailers)
        ctype = headers.get("content-type") or ""
        if ctype != self._unary_ctype and not _same_media_type(ctype, self._unary_ctype):
            raise _attach_metadata(
                _bad_content_type(ctype, self._unary_ctype, _UNARY_FAMILY), plain, trailers
            )
        config = self.config
        encoding = headers.get("content-encoding")
        if encoding:
            comp = self.compression(encoding)
            if comp is not None:
                body = comp.decompress(body, config.read_max_bytes)
        if 0 < config.read_max_bytes < len(body):
            raise ConnectError(
                Code.RESOURCE_EXHAUSTED,
                f"response message of {len(body)} bytes is larger than the configured limit "
                f"of {config.read_max_bytes} bytes",
            )
        return _decode(config.codec, body, method.output), plain, trailers

    def response_metadata(
        self, headers: Headers, http_trailers: Headers
    ) -> tuple[Headers, Headers]:
        """A unary response's ``(headers, trailers)`` (``trailer-`` headers are trailers)."""
        for k in headers:
            if k.startswith("trailer-"):
                return _split_trailers(headers, http_trailers)
        return headers, http_trailers

    def http_error(self, status: int, headers: Headers, body: bytes, url: str = "") -> ConnectError:
        """The error of a non-200 response: its Connect JSON error body when it has one, else
        the code the protocol's HTTP-to-code table gives for the status, with a message that
        names the status and ``url`` (a response that is not Connect's, such as a framework's
        404 page, most often means the URL is wrong)."""
        fallback = code_for_http_status(status)
        ctype = headers.get("content-type") or ""
        if ctype.startswith("application/json") and body:
            encoding = headers.get("content-encoding")
            try:
                comp = self.compression(encoding) if encoding else None
                if comp is not None:
                    body = comp.decompress(body, self.config.read_max_bytes)
            except ConnectError:
                return ConnectError(fallback, _not_connect(status, b"", url), wire=True)
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            if isinstance(data, dict) and ("code" in data or "message" in data):
                return error_from_dict(data, fallback=fallback)
        return ConnectError(fallback, _not_connect(status, body, url), wire=True)

    def stream_decoder(
        self, method: MethodInfo[Any, Any], status: int, headers: Headers
    ) -> ConnectResponseDecoder | None:
        """The decoder of a streaming response; ``None`` for an HTTP error status."""
        if status != 200:
            return None
        ctype = headers.get("content-type") or ""
        if ctype != self._stream_ctype and not _same_media_type(ctype, self._stream_ctype):
            raise _attach_metadata(
                _bad_content_type(ctype, self._stream_ctype, _STREAM_FAMILY), headers, Headers()
            )
        encoding = headers.get("connect-content-encoding")
        comp = self.compression(encoding) if encoding else None
        return ConnectResponseDecoder(self.config, method.output, comp, headers)


def _not_connect(status: int, body: bytes, url: str) -> str:
    """The message of an HTTP error response that carries no Connect error."""
    where = f" from {url}" if url else ""
    text = body.decode("utf-8", "replace").strip()[:200]
    shown = f" (its body: {text})" if text else ""
    if status == 404:
        return (
            f"HTTP 404{where}, not a Connect response{shown}: nothing serves this procedure "
            "at that URL; check the client's base URL, which must include the path the "
            "service is mounted under (a ConnectRouter's prefix in FastAPI, a blueprint's "
            "url_prefix in Flask, the path() that includes connect_urls in Django, an "
            "ASGI or WSGI mount path)"
        )
    return (
        f"HTTP {status}{where}, not a Connect response{shown}: something other than the "
        "Connect service answered (a proxy, the framework, or a server that is not Connect)"
    )


_UNARY_FAMILY = "application/"
_STREAM_FAMILY = "application/connect+"


def _same_media_type(ctype: str, expected: str) -> bool:
    """``application/proto; charset=utf-8`` matches ``application/proto``, in any case."""
    return ctype.split(";", 1)[0].strip().lower() == expected


def _split_trailers(headers: Headers, extra: Headers) -> tuple[Headers, Headers]:
    plain, trailers = Headers(), Headers()
    for k, v in headers.multi_items():
        if k.startswith("trailer-"):
            trailers.add(k[8:], v)
        else:
            plain.add(k, v)
    for k, v in extra.multi_items():
        trailers.add(k, v)
    return plain, trailers


class ConnectResponseDecoder:
    """Splits a Connect streaming response into messages and the end-of-stream message.

    Bytes arrive in chunks of any size; :meth:`decode` turns each into the messages it
    completes. Whole envelopes are decoded in place; only an envelope split across chunks is
    buffered (its pieces are collected and joined once, when the last one arrives).
    """

    __slots__ = (
        "_codec",
        "_comp",
        "_error",
        "_fast",
        "_fast_max",
        "_from_string",
        "_headers",
        "_max",
        "_need",
        "_pending",
        "_pending_len",
        "_rest",
        "_type",
        "ended",
        "trailers",
    )

    def __init__(
        self,
        config: ClientConfig,
        message_type: type[Message],
        compression: Compression | None,
        headers: Headers,
    ) -> None:
        """Decode ``message_type`` messages compressed with ``compression``."""
        self._codec = config.codec
        self._type = message_type
        self._from_string = message_type.FromString if config.codec is PROTO else None
        self._comp = compression
        self._max = config.read_max_bytes
        self._headers = headers
        self._rest = b""
        self._pending: list[bytes] | None = None
        self._pending_len = 0
        self._need = 0
        self._error: ConnectError | None = None
        self.ended = False
        self.trailers = Headers()
        self._fast = self._from_string is not None
        self._fast_max = self._max if self._max > 0 else 1 << 62

    def decode(self, data: bytes) -> list[Any]:
        """The messages completed by ``data``, the next chunk of the body.

        Raises the stream's error when the end-of-stream message carries one.
        """
        if self._fast:
            # The common case, a chunk holding exactly one plain message, without the loop.
            n = len(data)
            if (
                n > 5
                and not data[0]
                and int.from_bytes(data[1:5], "big") == n - 5
                and n - 5 <= self._fast_max
            ):
                try:
                    return [self._from_string(data[5:])]  # type: ignore[misc]
                except DecodeError:
                    pass  # the general path below reports it
        return self._decode(data)

    def _decode(self, data: bytes) -> list[Any]:
        if self._error is not None:
            raise self._error
        pending = self._pending
        if pending is not None:
            pending.append(data)
            self._pending_len += len(data)
            if self._pending_len < self._need:
                return []
            data = b"".join(pending)
            self._pending = None
        elif self._rest:
            data = self._rest + data
            self._rest = b""
        out: list[Any] = []
        try:
            self._split(data, out)
        except ConnectError as e:
            if not out:
                self._fast = False
                raise
            # Hand over the messages before the error first; the next call raises it.
            self._error = e
        self._fast = (
            self._from_string is not None
            and self._pending is None
            and not self._rest
            and self._error is None
            and not self.ended
        )
        return out

    def _split(self, data: bytes, out: list[Any]) -> None:
        pos = 0
        n = len(data)
        limit = self._max
        from_string = self._from_string
        while n - pos >= 5:
            size = int.from_bytes(data[pos + 1 : pos + 5], "big")
            if 0 < limit < size:
                raise ConnectError(
                    Code.RESOURCE_EXHAUSTED,
                    f"response message of {size} bytes is larger than the configured limit "
                    f"of {limit} bytes",
                )
            end = pos + 5 + size
            if end > n:
                # Wait for the rest of this envelope without re-copying what is buffered.
                self._pending = [data[pos:] if pos else data]
                self._pending_len = n - pos
                self._need = 5 + size
                return
            flags = data[pos]
            if self.ended:
                raise ConnectError(Code.INTERNAL, "message after the end-of-stream message")
            if flags:
                message = self._special(flags, data[pos + 5 : end])
                if message is not None:
                    out.append(message)
            elif from_string is not None:
                try:
                    out.append(from_string(data[pos + 5 : end]))
                except DecodeError:
                    _decode(PROTO, data[pos + 5 : end], self._type)  # raises the right error
            else:
                out.append(_decode(self._codec, data[pos + 5 : end], self._type))
            pos = end
        if pos < n:
            self._rest = data[pos:]

    def _special(self, flags: int, data: bytes) -> Any:
        if flags & 0x01:
            if self._comp is None:
                raise ConnectError(
                    Code.INTERNAL, "compressed message in a stream without connect-content-encoding"
                )
            data = self._comp.decompress(data, self._max)
        if flags & 0x02:
            self._end(data)
            return None
        return _decode(self._codec, data, self._type)

    def _end(self, data: bytes) -> None:
        self.ended = True
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
            raise _attach_metadata(error_from_dict(error), self._headers, self.trailers)

    def finish(self, http_trailers: Headers) -> Headers:
        """Declare the body complete; return the trailers.

        Raises when the body ended inside an envelope or without the end-of-stream message.
        """
        if self._error is not None:
            raise self._error
        if self._pending is not None or self._rest:
            raise ConnectError(Code.INTERNAL, "response body ended inside a message")
        if not self.ended:
            raise ConnectError(Code.INTERNAL, "stream ended without an end-of-stream message")
        for k, v in http_trailers.multi_items():
            self.trailers.add(k, v)
        return self.trailers
