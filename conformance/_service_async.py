"""``ConformanceService`` with async handlers (for the ASGI app and the ASGI frameworks)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import connectrpc.conformance.v1.service_pb2 as service_pb2
from connectrpc.conformance.v1.service_connect import ConformanceService

from connect_core import RequestContext

from ._service_shared import StreamReplies, definition_of, unary_payload, unimplemented_error


async def _delay(ms: int) -> None:
    if ms:
        await asyncio.sleep(ms / 1000.0)


class ConformanceServer(ConformanceService):
    """The conformance service as ``service.proto`` describes it, async."""

    async def unary(
        self, request: service_pb2.UnaryRequest, ctx: RequestContext
    ) -> service_pb2.UnaryResponse:
        """Answer as the request's response definition says."""
        definition = (
            request.response_definition if request.HasField("response_definition") else None
        )
        if definition is not None:
            await _delay(definition.response_delay_ms)
        return service_pb2.UnaryResponse(payload=unary_payload(ctx, definition, [request]))

    async def idempotent_unary(
        self, request: service_pb2.IdempotentUnaryRequest, ctx: RequestContext
    ) -> service_pb2.IdempotentUnaryResponse:
        """Answer as the request's response definition says (called with GET)."""
        definition = (
            request.response_definition if request.HasField("response_definition") else None
        )
        if definition is not None:
            await _delay(definition.response_delay_ms)
        return service_pb2.IdempotentUnaryResponse(
            payload=unary_payload(ctx, definition, [request])
        )

    async def client_stream(
        self, request: AsyncIterator[service_pb2.ClientStreamRequest], ctx: RequestContext
    ) -> service_pb2.ClientStreamResponse:
        """Read every request, then answer as the first one's definition says."""
        requests = [message async for message in request]
        definition = definition_of(requests[0]) if requests else None
        if definition is not None:
            await _delay(definition.response_delay_ms)
        return service_pb2.ClientStreamResponse(payload=unary_payload(ctx, definition, requests))

    async def server_stream(
        self, request: service_pb2.ServerStreamRequest, ctx: RequestContext
    ) -> AsyncIterator[service_pb2.ServerStreamResponse]:
        """Send the defined responses, then end with the defined error, if any."""
        replies = StreamReplies(ctx, request.response_definition)
        await ctx.send_headers()
        replies.on_request(request)
        for out in replies.remaining():
            await asyncio.sleep(replies.delay_seconds)
            yield service_pb2.ServerStreamResponse(payload=out)
        replies.finish()

    async def bidi_stream(
        self, request: AsyncIterator[service_pb2.BidiStreamRequest], ctx: RequestContext
    ) -> AsyncIterator[service_pb2.BidiStreamResponse]:
        """Answer each request (full duplex) or all of them at the end (half duplex)."""
        replies: StreamReplies | None = None
        async for message in request:
            if replies is None:
                replies = StreamReplies(ctx, message.response_definition, message.full_duplex)
                await ctx.send_headers()
            out = replies.on_request(message)
            if out is not None:
                await asyncio.sleep(replies.delay_seconds)
                yield service_pb2.BidiStreamResponse(payload=out)
        if replies is None:
            return
        for out in replies.remaining():
            await asyncio.sleep(replies.delay_seconds)
            yield service_pb2.BidiStreamResponse(payload=out)
        replies.finish()

    async def unimplemented(
        self, request: service_pb2.UnimplementedRequest, ctx: RequestContext
    ) -> service_pb2.UnimplementedResponse:
        """Always ``unimplemented``."""
        raise unimplemented_error()
