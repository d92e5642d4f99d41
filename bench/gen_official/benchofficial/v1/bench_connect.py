# Written by hand for bench/: the official `connectrpc` 0.13 wheel ships no protoc plugin
# (its generator is a separate tool), so this module mirrors the shape of what that generator
# writes for the server side of benchofficial/v1/bench.proto, using connectrpc's public API.

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Protocol

from connectrpc.codec import Codec
from connectrpc.compression import Compression
from connectrpc.interceptor import Interceptor
from connectrpc.method import IdempotencyLevel, MethodInfo, StreamType
from connectrpc.request import RequestContext
from connectrpc.server import DEFAULT_READ_MAX_BYTES, ConnectASGIApplication, Endpoint

from . import bench_pb2


class BenchService(Protocol):
    """The handler interface of benchofficial.v1.BenchService."""

    async def unary(
        self, request: bench_pb2.Payload, ctx: RequestContext[bench_pb2.Payload, bench_pb2.Payload]
    ) -> bench_pb2.Payload: ...

    def stream(
        self,
        request: bench_pb2.StreamRequest,
        ctx: RequestContext[bench_pb2.StreamRequest, bench_pb2.Payload],
    ) -> AsyncIterator[bench_pb2.Payload]: ...


UNARY = MethodInfo(
    name="Unary",
    service_name="benchofficial.v1.BenchService",
    input=bench_pb2.Payload,
    output=bench_pb2.Payload,
    idempotency_level=IdempotencyLevel.UNKNOWN,
    stream_type=StreamType.UNARY,
)
STREAM = MethodInfo(
    name="Stream",
    service_name="benchofficial.v1.BenchService",
    input=bench_pb2.StreamRequest,
    output=bench_pb2.Payload,
    idempotency_level=IdempotencyLevel.UNKNOWN,
    stream_type=StreamType.SERVER_STREAM,
)


class BenchServiceASGIApplication(ConnectASGIApplication[BenchService]):
    """Serves benchofficial.v1.BenchService with the official runtime."""

    def __init__(
        self,
        service: BenchService,
        *,
        interceptors: Iterable[Interceptor] = (),
        read_max_bytes: int | None = DEFAULT_READ_MAX_BYTES,
        compressions: Iterable[Compression] | None = None,
        codecs: Iterable[Codec] | None = None,
    ) -> None:
        """Serve ``service``."""
        super().__init__(
            service=service,
            endpoints=_endpoints,
            interceptors=interceptors,
            read_max_bytes=read_max_bytes,
            compressions=compressions,
            codecs=codecs,
        )

    @property
    def path(self) -> str:
        """The path prefix the application serves."""
        return "/benchofficial.v1.BenchService"


def _endpoints(svc: BenchService) -> Mapping[str, Endpoint]:
    return {
        "/benchofficial.v1.BenchService/Unary": Endpoint.unary(method=UNARY, function=svc.unary),
        "/benchofficial.v1.BenchService/Stream": Endpoint.server_stream(
            method=STREAM, function=svc.stream
        ),
    }
