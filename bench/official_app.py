"""The official ``connectrpc`` ASGI application serving ``benchofficial.v1.BenchService``.

Run with ``bench/gen_official`` on ``sys.path``; the handlers match ``core_app.py``. Messages
are ``google.protobuf`` (upb) ones, as for the core app, so both share one protobuf runtime.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from benchofficial.v1.bench_connect import BenchServiceASGIApplication
from benchofficial.v1.bench_pb2 import Payload, StreamRequest
from connectrpc.compat import google_protobuf_codecs
from connectrpc.request import RequestContext


class Bench:
    """Echo for unary; ``count`` messages of ``size`` bytes for the stream."""

    async def unary(self, request: Payload, ctx: RequestContext[Payload, Payload]) -> Payload:
        """Echo the request."""
        return request

    async def stream(
        self, request: StreamRequest, ctx: RequestContext[StreamRequest, Payload]
    ) -> AsyncIterator[Payload]:
        """Send ``request.count`` payloads of ``request.size`` bytes."""
        data = b"x" * request.size
        for _ in range(request.count):
            yield Payload(data=data)


# connectrpc 0.13 defaults to the `protobuf` (protobuf-py) runtime; these messages are
# google.protobuf ones, as in core_app.py, so use its google.protobuf codecs.
app = BenchServiceASGIApplication(Bench(), codecs=google_protobuf_codecs())
