"""Connect RPC for Python: the framework-agnostic protocol core.

Servers: the generated ``XServiceASGIApplication`` / ``XServiceWSGIApplication`` (built on
:class:`ConnectASGIApplication` and :class:`ConnectWSGIApplication`), or a framework adapter
(``connect_fastapi``, ``connect_django``, ``connect_flask``). Clients: the generated
``XServiceClient`` / ``XServiceClientSync``.
"""

from ._clients.async_client import ClientContext, ConnectClient
from ._clients.base import CallOptions
from ._clients.cancel import CancelHandle
from ._clients.metadata import ResponseMetadata
from ._clients.sync_client import ClientContextSync, ConnectClientSync
from ._code import Code
from ._context import RequestContext
from ._errors import ConnectError, ErrorDetail
from ._headers import Headers, decode_binary_header, encode_binary_header
from ._interceptor import (
    BidiStreamInterceptor,
    BidiStreamInterceptorSync,
    ClientStreamInterceptor,
    ClientStreamInterceptorSync,
    MetadataInterceptor,
    MetadataInterceptorSync,
    ServerStreamInterceptor,
    ServerStreamInterceptorSync,
    UnaryInterceptor,
    UnaryInterceptorSync,
)
from ._method import AnyServiceInfo, IdempotencyLevel, MethodInfo, ServiceInfo, StreamType
from ._protocol.client import ClientProtocol
from ._protocol.codec import JSON, PROTO, Codec, JSONCodec, ProtoCodec
from ._protocol.compression import BrotliCompression, Compression, GzipCompression, ZstdCompression
from ._protocol.connect_client import ConnectClientProtocol
from ._transports.aiohttp import AiohttpTransport
from ._transports.asgi import ASGITransport
from ._transports.base import (
    AsyncResponse,
    AsyncTransport,
    SyncResponse,
    SyncTransport,
    TransportError,
)
from ._transports.h2 import H2Transport
from ._transports.h2_sync import H2SyncTransport
from ._transports.http_client import HttpClientTransport
from ._transports.httptools import HttptoolsAsyncTransport, HttptoolsSyncTransport
from ._transports.httpx import HttpxAsyncTransport, HttpxSyncTransport
from ._transports.wsgi import WSGITransport
from .server._asgi import ConnectASGIApplication
from .server._endpoints import ServerOptions
from .server._wsgi import ConnectWSGIApplication

__all__ = [
    "JSON",
    "PROTO",
    "ASGITransport",
    "AiohttpTransport",
    "AnyServiceInfo",
    "AsyncResponse",
    "AsyncTransport",
    "BidiStreamInterceptor",
    "BidiStreamInterceptorSync",
    "BrotliCompression",
    "CallOptions",
    "CancelHandle",
    "ClientContext",
    "ClientContextSync",
    "ClientProtocol",
    "ClientStreamInterceptor",
    "ClientStreamInterceptorSync",
    "Code",
    "Codec",
    "Compression",
    "ConnectASGIApplication",
    "ConnectClient",
    "ConnectClientProtocol",
    "ConnectClientSync",
    "ConnectError",
    "ConnectWSGIApplication",
    "ErrorDetail",
    "GzipCompression",
    "H2SyncTransport",
    "H2Transport",
    "Headers",
    "HttpClientTransport",
    "HttptoolsAsyncTransport",
    "HttptoolsSyncTransport",
    "HttpxAsyncTransport",
    "HttpxSyncTransport",
    "IdempotencyLevel",
    "JSONCodec",
    "MetadataInterceptor",
    "MetadataInterceptorSync",
    "MethodInfo",
    "ProtoCodec",
    "RequestContext",
    "ResponseMetadata",
    "ServerOptions",
    "ServerStreamInterceptor",
    "ServerStreamInterceptorSync",
    "ServiceInfo",
    "StreamType",
    "SyncResponse",
    "SyncTransport",
    "TransportError",
    "UnaryInterceptor",
    "UnaryInterceptorSync",
    "WSGITransport",
    "ZstdCompression",
    "decode_binary_header",
    "encode_binary_header",
]
