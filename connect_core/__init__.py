"""Connect RPC for Python: the framework-agnostic protocol core.

Servers: the generated ``XServiceASGIApplication`` / ``XServiceWSGIApplication`` (built on
:class:`ConnectASGIApplication` and :class:`ConnectWSGIApplication`), or a framework adapter
(``connect_fastapi``, ``connect_django``, ``connect_flask``). Clients: the generated
``XServiceClient`` / ``XServiceClientSync``.
"""

from ._asgi import ConnectASGIApplication
from ._client_async import ConnectClient
from ._client_shared import CallOptions
from ._client_sync import ConnectClientSync
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
from ._options import ServerOptions
from ._transport import (
    AsyncResponse,
    AsyncTransport,
    HttpxAsyncTransport,
    HttpxSyncTransport,
    SyncResponse,
    SyncTransport,
)
from ._wsgi import ConnectWSGIApplication

__all__ = [
    "JSON",
    "PROTO",
    "AnyServiceInfo",
    "AsyncResponse",
    "AsyncTransport",
    "BidiStreamInterceptor",
    "BidiStreamInterceptorSync",
    "BrotliCompression",
    "CallOptions",
    "ClientStreamInterceptor",
    "ClientStreamInterceptorSync",
    "Code",
    "Codec",
    "Compression",
    "ConnectASGIApplication",
    "ConnectClient",
    "ConnectClientSync",
    "ConnectError",
    "ConnectWSGIApplication",
    "ErrorDetail",
    "GzipCompression",
    "Headers",
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
    "UnaryInterceptor",
    "UnaryInterceptorSync",
    "ZstdCompression",
    "decode_binary_header",
    "encode_binary_header",
]
