"""What a ``ClientCompatRequest`` asks of the client: options, messages, TLS, in our terms.

Both the async and the sync runners (``_client_async.py``, ``_client_sync.py``) read a request
through :class:`CallPlan`, so the mapping from the suite's vocabulary (enums, ``Any`` messages,
header lists) to the client's options is written once.
"""

from __future__ import annotations

import os
import ssl
import tempfile
import threading
from dataclasses import dataclass
from typing import Any

from connectrpc.conformance.v1 import client_compat_pb2, config_pb2, service_pb2
from google.protobuf.message import Message

from connect_core import (
    JSON,
    PROTO,
    BrotliCompression,
    Codec,
    Compression,
    GzipCompression,
    ZstdCompression,
)

SERVICE = "connectrpc.conformance.v1.ConformanceService"

# The method a request names (or, when it names none, the one its stream type implies) and
# the attribute of the generated client that calls it.
_METHOD_ATTRS = {
    "Unary": "unary",
    "ServerStream": "server_stream",
    "ClientStream": "client_stream",
    "BidiStream": "bidi_stream",
    "Unimplemented": "unimplemented",
    "IdempotentUnary": "idempotent_unary",
}
_DEFAULT_METHODS = {
    config_pb2.STREAM_TYPE_UNARY: "Unary",
    config_pb2.STREAM_TYPE_CLIENT_STREAM: "ClientStream",
    config_pb2.STREAM_TYPE_SERVER_STREAM: "ServerStream",
    config_pb2.STREAM_TYPE_HALF_DUPLEX_BIDI_STREAM: "BidiStream",
    config_pb2.STREAM_TYPE_FULL_DUPLEX_BIDI_STREAM: "BidiStream",
}


class UnsupportedRequest(Exception):
    """The request asks for something this client program cannot do (reported as such)."""


def _codec(value: int) -> Codec:
    if value in (config_pb2.CODEC_PROTO, config_pb2.CODEC_UNSPECIFIED):
        return PROTO
    if value == config_pb2.CODEC_JSON:
        return JSON
    raise UnsupportedRequest(f"codec {config_pb2.Codec.Name(value)} is not supported")


def _compression(value: int) -> Compression | None:
    if value in (config_pb2.COMPRESSION_IDENTITY, config_pb2.COMPRESSION_UNSPECIFIED):
        return None
    if value == config_pb2.COMPRESSION_GZIP:
        return GzipCompression()
    if value == config_pb2.COMPRESSION_BR:
        return BrotliCompression()
    if value == config_pb2.COMPRESSION_ZSTD:
        return ZstdCompression()
    raise UnsupportedRequest(f"compression {config_pb2.Compression.Name(value)} is not supported")


def _unpack(message: Any) -> Message:
    """A request message from its ``Any``; its type must be one of the service's."""
    name = message.type_url.rsplit("/", 1)[-1]
    package, _, short = name.rpartition(".")
    cls = getattr(service_pb2, short, None)
    if package != "connectrpc.conformance.v1" or cls is None:
        raise UnsupportedRequest(f"unknown request message type {name!r}")
    out: Message = cls()
    if not message.Unpack(out):
        raise UnsupportedRequest(f"could not unpack a {name}")
    return out


@dataclass(frozen=True)
class TLSKey:
    """What identifies a TLS setup: the server's certificate and the client's credentials."""

    server_cert: bytes
    client_cert: bytes
    client_key: bytes


_ssl_lock = threading.Lock()
_ssl_cache: dict[tuple[TLSKey, str], ssl.SSLContext] = {}


def ssl_context(key: TLSKey, user: str) -> ssl.SSLContext:
    """A client context trusting exactly the server's certificate, presenting the client's
    certificate when there is one.

    Contexts are cached (building one parses PEM files), one per ``user``: HTTP libraries set
    ALPN protocols on the context they are given, so two transports must not share one.
    """
    with _ssl_lock:
        found = _ssl_cache.get((key, user))
        if found is not None:
            return found
        context = ssl.create_default_context(cadata=key.server_cert.decode("ascii"))
        if key.client_cert:
            # load_cert_chain reads files only: write the PEM blocks to a private temp dir.
            with tempfile.TemporaryDirectory() as tmp:
                cert = os.path.join(tmp, "cert.pem")
                private = os.path.join(tmp, "key.pem")
                with open(cert, "wb") as f:
                    f.write(key.client_cert)
                with open(private, "wb") as f:
                    f.write(key.client_key)
                context.load_cert_chain(cert, private)
        _ssl_cache[key, user] = context
        return context


@dataclass
class CallPlan:
    """One ``ClientCompatRequest`` resolved into what the client needs."""

    request: client_compat_pb2.ClientCompatRequest
    method_attr: str
    messages: list[Message]
    base_url: str
    tls: TLSKey | None
    http2: bool
    client_options: dict[str, Any]
    call_options: dict[str, Any]

    @property
    def stream_type(self) -> int:
        """The request's ``StreamType``."""
        return self.request.stream_type

    @property
    def full_duplex(self) -> bool:
        """True for a full-duplex bidirectional stream."""
        return self.request.stream_type == config_pb2.STREAM_TYPE_FULL_DUPLEX_BIDI_STREAM

    @property
    def delay_s(self) -> float:
        """The pause before each request message, in seconds."""
        return self.request.request_delay_ms / 1000.0

    @property
    def cancel_timing(self) -> str | None:
        """``before_close_send``, ``after_close_send_ms``, ``after_num_responses`` or ``None``."""
        if not self.request.HasField("cancel"):
            return None
        # An empty Cancel message means "right after close send" (after_close_send_ms=0).
        return self.request.cancel.WhichOneof("cancel_timing") or "after_close_send_ms"


def plan(request: client_compat_pb2.ClientCompatRequest) -> CallPlan:
    """Resolve ``request``; :class:`UnsupportedRequest` when it cannot be performed."""
    if request.protocol != config_pb2.PROTOCOL_CONNECT:
        raise UnsupportedRequest(
            f"protocol {config_pb2.Protocol.Name(request.protocol)} is not supported"
        )
    if request.HasField("raw_request"):
        raise UnsupportedRequest("raw requests are for the reference client only")
    if request.http_version not in (config_pb2.HTTP_VERSION_1, config_pb2.HTTP_VERSION_2):
        raise UnsupportedRequest(
            f"HTTP version {config_pb2.HTTPVersion.Name(request.http_version)} is not supported"
        )
    service = request.service if request.HasField("service") else SERVICE
    if service != SERVICE:
        raise UnsupportedRequest(f"unknown service {service!r}")
    method = (
        request.method if request.HasField("method") else _DEFAULT_METHODS.get(request.stream_type)
    )
    attr = _METHOD_ATTRS.get(method or "")
    if attr is None:
        raise UnsupportedRequest(f"unknown method {method!r}")
    tls = None
    scheme = "http"
    if request.server_tls_cert:
        scheme = "https"
        tls = TLSKey(
            request.server_tls_cert,
            request.client_tls_creds.cert,
            request.client_tls_creds.key,
        )
    client_options: dict[str, Any] = {
        "codec": _codec(request.codec),
        "send_compression": _compression(request.compression),
        # Compress every request message the suite sends, however small, so that the
        # compression it asks for is the one on the wire.
        "compress_min_bytes": 0,
    }
    if request.message_receive_limit:
        client_options["read_max_bytes"] = request.message_receive_limit
    call_options: dict[str, Any] = {}
    headers = [(h.name, v) for h in request.request_headers for v in h.value]
    if headers:
        call_options["headers"] = headers
    if request.HasField("timeout_ms"):
        call_options["timeout_ms"] = request.timeout_ms
    if request.use_get_http_method:
        call_options["use_get"] = True
    return CallPlan(
        request=request,
        method_attr=attr,
        messages=[_unpack(m) for m in request.request_messages],
        base_url=f"{scheme}://{request.host}:{request.port}",
        tls=tls,
        http2=request.http_version == config_pb2.HTTP_VERSION_2,
        client_options=client_options,
        call_options=call_options,
    )
