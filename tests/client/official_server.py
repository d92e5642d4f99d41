"""``echo.v1.EchoService`` on the official ``connectrpc`` runtime: a server nobody here wrote.

The ``connectrpc`` wheel ships no protoc plugin, so the service is wired by hand through its
public server API (``ConnectASGIApplication`` + ``Endpoint``), with the ``google.protobuf``
codecs over the messages generated in ``tests/gen``. It follows the same steering fields as
``tests/servers/echo_service.py`` (see ``tests/proto/echo/v1/echo.proto``), including the
``__active__:<key>`` debug hook that counts running and abandoned ``Repeat`` streams.

Run as ``client.official_server:app`` with ``tests`` and ``tests/gen`` on ``PYTHONPATH``;
this module must not import ``connect_core``. That is why it does not share the handlers of
``servers/echo_service.py``: those import ``connect_core`` (its ``ConnectError``, ``Code``,
``ErrorDetail`` and the generated ``EchoService`` bases), and every step they share goes
through a context and error API that differs here (``ctx.response_headers`` is an attribute,
not a method, and so are ``timeout_ms`` and ``http_method``; errors are ``connectrpc``'s).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping

from connectrpc.code import Code
from connectrpc.compat import google_protobuf_codecs
from connectrpc.compression.brotli import BrotliCompression
from connectrpc.compression.gzip import GzipCompression
from connectrpc.compression.zstd import ZstdCompression
from connectrpc.errors import ConnectError
from connectrpc.method import IdempotencyLevel, MethodInfo, StreamType
from connectrpc.request import RequestContext
from connectrpc.server import ConnectASGIApplication, Endpoint
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from protobuf.wkt import Any as WktAny

ACTIVE_PREFIX = "__active__:"
SERVICE = "echo.v1.EchoService"
CODES = [
    "canceled", "unknown", "invalid_argument", "deadline_exceeded", "not_found",
    "already_exists", "permission_denied", "resource_exhausted", "failed_precondition",
    "aborted", "out_of_range", "unimplemented", "internal", "unavailable", "data_loss",
    "unauthenticated",
]  # fmt: skip


def _method(name: str, kind: StreamType, level: IdempotencyLevel) -> MethodInfo:  # type: ignore[type-arg]
    return MethodInfo(
        name=name,
        service_name=SERVICE,
        input=EchoRequest,
        output=EchoResponse,
        idempotency_level=level,
        stream_type=kind,
    )


ECHO = _method("Echo", StreamType.UNARY, IdempotencyLevel.NO_SIDE_EFFECTS)
ECHO_POST = _method("EchoPost", StreamType.UNARY, IdempotencyLevel.UNKNOWN)
COLLECT = _method("Collect", StreamType.CLIENT_STREAM, IdempotencyLevel.UNKNOWN)
REPEAT = _method("Repeat", StreamType.SERVER_STREAM, IdempotencyLevel.UNKNOWN)
CHAT = _method("Chat", StreamType.BIDI_STREAM, IdempotencyLevel.UNKNOWN)

active: dict[str, int] = {}
abandoned: dict[str, int] = {}


def apply_metadata(request: EchoRequest, ctx: RequestContext) -> None:  # type: ignore[type-arg]
    for k, v in request.response_headers.items():
        ctx.response_headers[k] = v
    for k, v in request.response_trailers.items():
        ctx.response_trailers[k] = v


def maybe_raise(request: EchoRequest) -> None:
    if request.error_code:
        raise ConnectError(
            Code(CODES[request.error_code - 1]),
            request.error_message,
            details=[WktAny(type_url=d.type_url, value=d.value) for d in request.error_details],
        )


def make_response(
    request: EchoRequest,
    ctx: RequestContext,  # type: ignore[type-arg]
    *,
    index: int = 0,
    message: str | None = None,
    payload: bytes | None = None,
) -> EchoResponse:
    remaining = ctx.timeout_ms
    headers: Mapping[str, str] = ctx.request_headers
    return EchoResponse(
        message=request.message if message is None else message,
        payload=request.payload if payload is None else payload,
        index=index,
        request_headers={k: headers[k] for k in headers},
        timeout_ms=-1 if remaining is None else int(remaining),
        http_method=ctx.http_method,
    )


class Echo:
    async def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:  # type: ignore[type-arg]
        if request.message.startswith(ACTIVE_PREFIX):
            key = request.message[len(ACTIVE_PREFIX) :]
            return EchoResponse(message=str(active.get(key, 0)), index=abandoned.get(key, 0))
        return await self.echo_post(request, ctx)

    async def echo_post(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:  # type: ignore[type-arg]
        apply_metadata(request, ctx)
        if request.delay_ms:
            await asyncio.sleep(request.delay_ms / 1000)
        maybe_raise(request)
        return make_response(request, ctx)

    async def collect(
        self,
        request: AsyncIterator[EchoRequest],
        ctx: RequestContext,  # type: ignore[type-arg]
    ) -> EchoResponse:
        messages: list[str] = []
        payload = b""
        first: EchoRequest | None = None
        async for message in request:
            first = first or message
            apply_metadata(message, ctx)
            if message.delay_ms:
                await asyncio.sleep(message.delay_ms / 1000)
            maybe_raise(message)
            messages.append(message.message)
            payload += message.payload
        return make_response(
            first or EchoRequest(),
            ctx,
            index=len(messages),
            message=" ".join(messages),
            payload=payload,
        )

    async def repeat(
        self,
        request: EchoRequest,
        ctx: RequestContext,  # type: ignore[type-arg]
    ) -> AsyncIterator[EchoResponse]:
        apply_metadata(request, ctx)
        key = request.message
        active[key] = active.get(key, 0) + 1
        finished = False
        try:
            for i in range(request.count):
                if request.delay_ms:
                    await asyncio.sleep(request.delay_ms / 1000)
                yield make_response(request, ctx, index=i)
            maybe_raise(request)
            finished = True
        finally:
            active[key] -= 1
            if not finished:
                abandoned[key] = abandoned.get(key, 0) + 1

    async def chat(
        self,
        request: AsyncIterator[EchoRequest],
        ctx: RequestContext,  # type: ignore[type-arg]
    ) -> AsyncIterator[EchoResponse]:
        i = 0
        async for message in request:
            apply_metadata(message, ctx)
            if message.delay_ms:
                await asyncio.sleep(message.delay_ms / 1000)
            maybe_raise(message)
            yield make_response(message, ctx, index=i)
            i += 1


def _endpoints(svc: Echo) -> Mapping[str, Endpoint]:  # type: ignore[type-arg]
    prefix = f"/{SERVICE}/"
    return {
        prefix + "Echo": Endpoint.unary(method=ECHO, function=svc.echo),
        prefix + "EchoPost": Endpoint.unary(method=ECHO_POST, function=svc.echo_post),
        prefix + "Collect": Endpoint.client_stream(method=COLLECT, function=svc.collect),
        prefix + "Repeat": Endpoint.server_stream(method=REPEAT, function=svc.repeat),
        prefix + "Chat": Endpoint.bidi_stream(method=CHAT, function=svc.chat),
    }


class EchoApp(ConnectASGIApplication[Echo]):
    @property
    def path(self) -> str:
        return f"/{SERVICE}"


app = EchoApp(
    service=Echo(),
    endpoints=_endpoints,
    codecs=google_protobuf_codecs(),
    compressions=[GzipCompression(), BrotliCompression(), ZstdCompression()],
)
