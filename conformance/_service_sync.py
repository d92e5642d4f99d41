"""``ConformanceService`` with sync handlers (for the WSGI app and the WSGI frameworks)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import connectrpc.conformance.v1.service_pb2 as service_pb2
from connectrpc.conformance.v1.service_connect import ConformanceServiceSync

from connect_core import RequestContext

from ._service_shared import StreamReplies, definition_of, unary_payload, unimplemented_error


def _delay(ms: int) -> None:
    if ms:
        time.sleep(ms / 1000.0)


class ConformanceServerSync(ConformanceServiceSync):
    """The conformance service as ``service.proto`` describes it, sync."""

    def unary(
        self, request: service_pb2.UnaryRequest, ctx: RequestContext
    ) -> service_pb2.UnaryResponse:
        """Answer as the request's response definition says."""
        definition = (
            request.response_definition if request.HasField("response_definition") else None
        )
        if definition is not None:
            _delay(definition.response_delay_ms)
        return service_pb2.UnaryResponse(payload=unary_payload(ctx, definition, [request]))

    def idempotent_unary(
        self, request: service_pb2.IdempotentUnaryRequest, ctx: RequestContext
    ) -> service_pb2.IdempotentUnaryResponse:
        """Answer as the request's response definition says (called with GET)."""
        definition = (
            request.response_definition if request.HasField("response_definition") else None
        )
        if definition is not None:
            _delay(definition.response_delay_ms)
        return service_pb2.IdempotentUnaryResponse(
            payload=unary_payload(ctx, definition, [request])
        )

    def client_stream(
        self, request: Iterator[service_pb2.ClientStreamRequest], ctx: RequestContext
    ) -> service_pb2.ClientStreamResponse:
        """Read every request, then answer as the first one's definition says."""
        requests = list(request)
        definition = definition_of(requests[0]) if requests else None
        if definition is not None:
            _delay(definition.response_delay_ms)
        return service_pb2.ClientStreamResponse(payload=unary_payload(ctx, definition, requests))

    def server_stream(
        self, request: service_pb2.ServerStreamRequest, ctx: RequestContext
    ) -> Iterator[service_pb2.ServerStreamResponse]:
        """Send the defined responses, then end with the defined error, if any."""
        replies = StreamReplies(ctx, request.response_definition)
        replies.on_request(request)
        for out in replies.remaining():
            time.sleep(replies.delay_seconds)
            yield service_pb2.ServerStreamResponse(payload=out)
        replies.finish()

    def bidi_stream(
        self, request: Iterator[service_pb2.BidiStreamRequest], ctx: RequestContext
    ) -> Iterator[service_pb2.BidiStreamResponse]:
        """Answer each request (full duplex) or all of them at the end (half duplex)."""
        replies: StreamReplies | None = None
        for message in request:
            if replies is None:
                replies = StreamReplies(ctx, message.response_definition, message.full_duplex)
            out = replies.on_request(message)
            if out is not None:
                time.sleep(replies.delay_seconds)
                yield service_pb2.BidiStreamResponse(payload=out)
        if replies is None:
            return
        for out in replies.remaining():
            time.sleep(replies.delay_seconds)
            yield service_pb2.BidiStreamResponse(payload=out)
        replies.finish()

    def unimplemented(
        self, request: service_pb2.UnimplementedRequest, ctx: RequestContext
    ) -> service_pb2.UnimplementedResponse:
        """Always ``unimplemented``."""
        raise unimplemented_error()
