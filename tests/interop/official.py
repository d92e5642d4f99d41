"""The official ``connectrpc`` client (PyPI ``connectrpc``, on pyqwest) set up for the echo
service.

The official code generator is a separate binary that is not installed here (the
``protoc-gen-connect-python`` in the venv is this project's own plugin), so the method
descriptors are written with the official package's public ``MethodInfo``; messages are the
``google.protobuf`` classes in ``tests/gen``, through the official ``compat`` codecs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from connectrpc.client import ConnectClientSync
from connectrpc.compat import google_protobuf_binary_codec, google_protobuf_json_codec
from connectrpc.compression.brotli import BrotliCompression
from connectrpc.compression.gzip import GzipCompression
from connectrpc.compression.zstd import ZstdCompression
from connectrpc.method import IdempotencyLevel, MethodInfo, StreamType
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from google.protobuf import any_pb2
from pyqwest import HTTPVersion, SyncClient, SyncHTTPTransport


def _method(
    name: str, kind: StreamType, level: IdempotencyLevel = IdempotencyLevel.UNKNOWN
) -> MethodInfo[EchoRequest, EchoResponse]:
    return MethodInfo(
        name=name,
        service_name="echo.v1.EchoService",
        input=EchoRequest,
        output=EchoResponse,
        idempotency_level=level,
        stream_type=kind,
    )


ECHO = _method("Echo", StreamType.UNARY, IdempotencyLevel.NO_SIDE_EFFECTS)
ECHO_POST = _method("EchoPost", StreamType.UNARY)
COLLECT = _method("Collect", StreamType.CLIENT_STREAM)
REPEAT = _method("Repeat", StreamType.SERVER_STREAM)
CHAT = _method("Chat", StreamType.BIDI_STREAM)

CODECS = {"proto": google_protobuf_binary_codec, "json": google_protobuf_json_codec}
COMPRESSIONS = {"gzip": GzipCompression, "br": BrotliCompression, "zstd": ZstdCompression}


@contextmanager
def transport(http2: bool) -> Iterator[SyncHTTPTransport]:
    """An HTTP transport speaking HTTP/2 with prior knowledge when ``http2``, else
    HTTP/1.1."""
    version = HTTPVersion.HTTP2 if http2 else HTTPVersion.HTTP1
    with SyncHTTPTransport(http_version=version, enable_otel=False) as t:
        yield t


def make_client(
    url: str,
    transport: SyncHTTPTransport,
    codec: str = "proto",
    compression: str | None = None,
) -> ConnectClientSync:
    """A client of the service at ``url`` accepting every compression, sending with
    ``compression`` when given."""
    return ConnectClientSync(
        url,
        codec=CODECS[codec](),
        accept_compression=[c() for c in COMPRESSIONS.values()],
        send_compression=COMPRESSIONS[compression]() if compression else None,
        http_client=SyncClient(transport),
    )


def detail(value: str) -> any_pb2.Any:
    """An error detail: ``echo.v1.EchoRequest.Nested`` with ``value``, packed."""
    packed = any_pb2.Any()
    packed.Pack(EchoRequest.Nested(value=value))
    return packed
