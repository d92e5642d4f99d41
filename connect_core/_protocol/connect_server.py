"""The Connect protocol, server side (sans-IO)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import unquote_plus, unquote_to_bytes

from google.protobuf.message import Message

from .._code import Code
from .._errors import ConnectError
from .._headers import HeaderList, Headers, decode_binary_header
from .._method import IdempotencyLevel, MethodInfo, StreamType
from .codec import PROTO, Codec
from .compression import Compression
from .connect_errors import error_to_dict, error_to_json, http_status
from .envelope import FLAG_COMPRESSED, FLAG_END_STREAM, encode_envelope
from .envelope import HEAD as _ENVELOPE_HEAD
from .server import CallSetup, HTTPError, Reply, ServerProtocol

_UNARY_PREFIX = "application/"
_STREAM_PREFIX = "application/connect+"


def _codec_name(content_type: str, prefix: str) -> str | None:
    if not content_type.startswith(prefix):
        return None
    name = content_type[len(prefix) :]
    semi = name.find(";")
    if semi >= 0:
        params = name[semi + 1 :].strip().lower()
        name = name[:semi]
        if params and params.replace(" ", "") != "charset=utf-8":
            return None
    return name.strip().lower()


def parse_query(query_string: str) -> dict[str, str]:
    """Parse a query string into its first values, each still percent-encoded: the caller
    decodes a value exactly once, as text (:func:`query_text`) or as bytes (the message)."""
    out: dict[str, str] = {}
    for part in query_string.split("&"):
        if part:
            key, _, value = part.partition("=")
            out.setdefault(unquote_plus(key), value)
    return out


def query_text(value: str | None) -> str | None:
    """A percent-encoded query value as text (``+`` is a space), or ``None``."""
    return None if value is None else unquote_plus(value)


def parse_timeout_ms(value: str) -> int:
    """Parse ``Connect-Timeout-Ms``: a positive integer of at most 10 ASCII digits (not the
    other Unicode digits ``str.isdigit`` and ``int`` accept)."""
    if not value or len(value) > 10 or not (value.isascii() and value.isdigit()):
        raise ConnectError(
            Code.INVALID_ARGUMENT,
            f"connect-timeout-ms must be a positive integer of at most 10 digits, got {value!r}",
        )
    return int(value)


def _choose_compression(
    accept: str | None, available: Mapping[str, Compression]
) -> Compression | None:
    if not accept:
        return None
    for token in accept.split(","):
        name = token.split(";", 1)[0].strip().lower()
        found = available.get(name)
        if found is not None:
            return found
    return None


def _trailer_headers(out: HeaderList, trailers: Headers | None) -> None:
    if trailers:
        for k, v in trailers.multi_items():
            out.append(("trailer-" + k, v))


def _metadata_json(headers: Headers | None) -> dict[str, list[str]]:
    if not headers:
        return {}
    return {k: headers.getall(k) for k in headers}


class ConnectServerProtocol(ServerProtocol):
    """Connect: unary POST and GET with plain bodies, streams with envelopes."""

    def __init__(
        self,
        codecs: Sequence[Codec],
        compressions: Sequence[Compression],
        *,
        compress_min_bytes: int,
        read_max_bytes: int,
        require_protocol_header: bool = False,
    ) -> None:
        """Serve ``codecs`` and ``compressions``; compress responses of at least
        ``compress_min_bytes``; refuse messages over ``read_max_bytes`` (<= 0: no limit)."""
        self.codecs = {c.name: c for c in codecs}
        self.compressions = {c.name: c for c in compressions}
        self.compress_min_bytes = compress_min_bytes
        self.read_max_bytes = read_max_bytes
        self.require_protocol_header = require_protocol_header
        self._accept_encoding = ",".join(self.compressions)
        self._unary_types = {f"application/{n}": c for n, c in self.codecs.items()}
        self._stream_types = {f"application/connect+{n}": c for n, c in self.codecs.items()}
        self._unary_content_types = {n: [("content-type", f"application/{n}")] for n in self.codecs}
        self._accept_post = ", ".join(
            [f"application/{n}" for n in self.codecs]
            + [f"application/connect+{n}" for n in self.codecs]
        )

    def accepts(self, http_method: str, content_type: str) -> bool:
        """Every request is Connect's to answer: it comes last among a server's protocols,
        and refuses what no protocol claimed (405, 415) in its own format."""
        return True

    def streams_for(self, method: MethodInfo[Message, Message]) -> bool:
        """Streaming methods are enveloped; unary calls have plain bodies."""
        return method.stream_type is not StreamType.UNARY

    # -- negotiation --------------------------------------------------------------------------

    def _unsupported(self, content_type: str) -> HTTPError:
        return HTTPError(
            415,
            f"unsupported content type {content_type!r}; this server accepts {self._accept_post}",
            [("accept-post", self._accept_post)],
        )

    def negotiate(
        self,
        method: MethodInfo[Message, Message],
        http_method: str,
        headers: Headers,
        query_string: str,
    ) -> CallSetup:
        """Validate the request head and pick framing, codec, compressions and deadline."""
        get = headers.first_values().get
        timeout_raw = get("connect-timeout-ms")
        timeout = parse_timeout_ms(timeout_raw) if timeout_raw is not None else None
        streaming = method.stream_type is not StreamType.UNARY
        if http_method == "GET":
            return self._negotiate_get(method, parse_query(query_string), timeout, headers)
        if http_method != "POST":
            allow = "GET, POST" if self._get_allowed(method) else "POST"
            raise HTTPError(
                405, f"method {http_method} is not allowed; use {allow}", [("allow", allow)]
            )
        version = get("connect-protocol-version")
        if version is None:
            if self.require_protocol_header:
                raise ConnectError(
                    Code.INVALID_ARGUMENT, "missing required header connect-protocol-version: 1"
                )
        elif version != "1":
            raise ConnectError(
                Code.INVALID_ARGUMENT, f"connect-protocol-version must be '1', got {version!r}"
            )
        content_type = get("content-type") or ""
        if streaming:
            name = _codec_name(content_type, _STREAM_PREFIX)
            codec = self.codecs.get(name) if name else None
            if codec is None:
                raise self._unsupported(content_type)
            req_enc = get("connect-content-encoding")
            accept = get("connect-accept-encoding")
        else:
            codec = self._unary_types.get(content_type)
            if codec is None:
                name = _codec_name(content_type, _UNARY_PREFIX)
                codec = self.codecs.get(name) if name else None
                if codec is None:
                    raise self._unsupported(content_type)
            req_enc = get("content-encoding")
            accept = get("accept-encoding")
        return CallSetup(
            self,
            codec,
            self._request_compression(req_enc),
            _choose_compression(accept, self.compressions),
            timeout,
            streaming,
        )

    def _get_allowed(self, method: MethodInfo[Message, Message]) -> bool:
        return (
            method.idempotency_level is IdempotencyLevel.NO_SIDE_EFFECTS
            and method.stream_type.value == "unary"
        )

    def _request_compression(self, name: str | None) -> Compression | None:
        if name is None or name == "identity" or name == "":
            return None
        found = self.compressions.get(name.strip().lower())
        if found is None:
            raise ConnectError(
                Code.UNIMPLEMENTED,
                f"unknown compression {name!r}; this server supports: "
                f"{self._accept_encoding or 'identity only'}",
            )
        return found

    def _negotiate_get(
        self,
        method: MethodInfo[Message, Message],
        query: Mapping[str, str],
        timeout: int | None,
        headers: Headers,
    ) -> CallSetup:
        if not self._get_allowed(method):
            raise HTTPError(
                405,
                f"{method.procedure} does not allow GET: only unary methods with "
                "idempotency_level = NO_SIDE_EFFECTS do",
                [("allow", "POST")],
            )
        connect = query_text(query.get("connect"))
        if connect is None:
            if self.require_protocol_header:
                raise ConnectError(
                    Code.INVALID_ARGUMENT, "missing required query parameter connect=v1"
                )
        elif connect != "v1":
            raise ConnectError(
                Code.INVALID_ARGUMENT, f"query parameter connect must be 'v1', got {connect!r}"
            )
        encoding = query_text(query.get("encoding"))
        if encoding is None:
            raise ConnectError(Code.INVALID_ARGUMENT, "missing required query parameter encoding")
        codec = self.codecs.get(encoding)
        if codec is None:
            raise self._unsupported(f"application/{encoding}")
        # Percent-decoded once, to bytes: a binary message survives, and so does a JSON one
        # whose text holds "%41" or "%25".
        data = unquote_to_bytes(query.get("message", "").replace("+", " "))
        if query_text(query.get("base64")) == "1":
            try:
                data = decode_binary_header(data.decode("ascii"))
            except ValueError as e:
                raise ConnectError(
                    Code.INVALID_ARGUMENT, f"query parameter message is not valid base64: {e}"
                ) from e
        return CallSetup(
            self,
            codec,
            self._request_compression(query_text(query.get("compression"))),
            _choose_compression(headers.get("accept-encoding"), self.compressions),
            timeout,
            False,
            state=data,
        )

    # -- unary ---------------------------------------------------------------------------------

    def decode_unary(self, setup: CallSetup, body: bytes, message_type: type[Message]) -> Message:
        """Decompress (bounded) and decode a unary request body, or a GET's query message."""
        if setup.state is not None:
            body = setup.state
        limit = self.read_max_bytes
        if setup.request_compression is not None:
            body = setup.request_compression.decompress(body, limit)
        elif 0 < limit < len(body):
            raise ConnectError(
                Code.RESOURCE_EXHAUSTED,
                f"message of {len(body)} bytes is larger than the configured limit of "
                f"{limit} bytes",
            )
        return setup.codec.decode(body, message_type)

    def unary_response(
        self,
        setup: CallSetup,
        message: Message,
        headers: Headers | None,
        trailers: Headers | None,
    ) -> Reply:
        """Encode a successful unary response."""
        body = setup.codec.encode(message)
        out = list(self._unary_content_types[setup.codec.name])
        comp = setup.response_compression
        if comp is not None and len(body) >= self.compress_min_bytes:
            body = comp.compress(body)
            out.append(("content-encoding", comp.name))
        if headers:
            out.extend(headers.multi_items())
        _trailer_headers(out, trailers)
        return Reply(200, out, body)

    def unary_error(
        self,
        setup: CallSetup | None,
        error: ConnectError,
        headers: Headers | None,
        trailers: Headers | None,
    ) -> Reply:
        """Encode a failed unary call as the protocol's JSON error body."""
        out: HeaderList = [("content-type", "application/json")]
        if headers:
            out.extend(headers.multi_items())
        _trailer_headers(out, trailers)
        return Reply(http_status(error.code), out, error_to_json(error))

    def http_error_response(self, error: HTTPError) -> Reply:
        """A plain-text body with the status and headers of the refusal."""
        return Reply(
            error.status,
            [("content-type", "text/plain; charset=utf-8"), *error.headers],
            error.message.encode(),
        )

    def outside_error(
        self, error: ConnectError, headers: HeaderList, status: int | None = None
    ) -> Reply:
        """The unary JSON error form, which a Connect client reads whatever it called: the
        stream kind of a request no procedure claimed is unknown."""
        return Reply(
            http_status(error.code) if status is None else status,
            [("content-type", "application/json"), *headers],
            error_to_json(error),
        )

    # -- streams -------------------------------------------------------------------------------

    def stream_response_head(
        self, setup: CallSetup, headers: Headers | None
    ) -> tuple[int, HeaderList]:
        """200, the streaming content type, the chosen compression and the handler's headers."""
        out: HeaderList = [("content-type", "application/connect+" + setup.codec.name)]
        if setup.response_compression is not None:
            out.append(("connect-content-encoding", setup.response_compression.name))
        if headers:
            out.extend(headers.multi_items())
        return 200, out

    def stream_message(self, setup: CallSetup, message: Message) -> bytes:
        """One response message in an envelope, compressed when it is large enough."""
        data = setup.codec.encode(message)
        comp = setup.response_compression
        if comp is not None and len(data) >= self.compress_min_bytes:
            return encode_envelope(FLAG_COMPRESSED, comp.compress(data))
        return encode_envelope(0, data)

    def stream_encoder(self, setup: CallSetup) -> Callable[[Message], bytes]:
        """Frame messages for this call; binary Protobuf without compression skips the
        general path, since it is the common case of long streams."""
        if setup.codec is PROTO and setup.response_compression is None:
            pack = _ENVELOPE_HEAD.pack

            def encode(message: Message) -> bytes:
                data = message.SerializeToString()
                return pack(0, len(data)) + data

            return encode
        return super().stream_encoder(setup)

    def stream_end(
        self, setup: CallSetup | None, error: ConnectError | None, trailers: Headers | None
    ) -> tuple[bytes, HeaderList]:
        """The end-of-stream message: JSON with ``error`` and ``metadata`` (the trailers);
        no HTTP trailers."""
        end: dict[str, object] = {}
        if error is not None:
            end["error"] = error_to_dict(error)
        if trailers:
            end["metadata"] = _metadata_json(trailers)
        data = json.dumps(end, separators=(",", ":")).encode()
        comp = setup.response_compression if setup is not None else None
        if comp is not None and len(data) >= self.compress_min_bytes:
            return encode_envelope(FLAG_END_STREAM | FLAG_COMPRESSED, comp.compress(data)), []
        return encode_envelope(FLAG_END_STREAM, data), []

    def stream_error_response(
        self,
        setup: CallSetup | None,
        error: ConnectError,
        headers: Headers | None,
        trailers: Headers | None,
    ) -> Reply:
        """A streaming response holding only the end-of-stream message with the error."""
        codec = setup.codec.name if setup is not None else "proto"
        out: HeaderList = [("content-type", "application/connect+" + codec)]
        if setup is not None and setup.response_compression is not None:
            out.append(("connect-content-encoding", setup.response_compression.name))
        if headers:
            out.extend(headers.multi_items())
        return Reply(200, out, self.stream_end(setup, error, trailers)[0])
