"""Connect RPC for Python: the framework-agnostic protocol core.

Servers: the generated ``XServiceASGIApplication`` / ``XServiceWSGIApplication`` (built on
:class:`ConnectASGIApplication` and :class:`ConnectWSGIApplication`), or a framework adapter
(``connect_fastapi``, ``connect_django``, ``connect_flask``). Clients: the generated
``XServiceClient`` / ``XServiceClientSync``.
"""

from ._client_async import ClientContext, ConnectClient
from ._client_cancel import CancelHandle
from ._client_shared import CallOptions, ClientProtocol, ConnectClientProtocol
from ._client_sync import ClientContextSync, ConnectClientSync
from ._code import Code
from ._codec import JSON, PROTO, Codec, JSONCodec, ProtoCodec
from ._compression import BrotliCompression, Compression, GzipCompression, ZstdCompression
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
from ._metadata import ResponseMetadata
from ._method import AnyServiceInfo, IdempotencyLevel, MethodInfo, ServiceInfo, StreamType
from ._transport import AsyncResponse, AsyncTransport, SyncResponse, SyncTransport, TransportError
from ._transport_aiohttp import AiohttpTransport
from ._transport_asgi import ASGITransport
from ._transport_h2 import H2Transport
from ._transport_h2_sync import H2SyncTransport
from ._transport_http_client import HttpClientTransport
from ._transport_httptools import HttptoolsAsyncTransport, HttptoolsSyncTransport
from ._transport_httpx import HttpxAsyncTransport, HttpxSyncTransport
from ._transport_wsgi import WSGITransport
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
