"""Our ``connect_core`` ASGI application serving ``bench.v1.BenchService``.

Run with ``bench/gen`` on ``sys.path``; the handlers match ``official_app.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from bench.v1.bench_connect import BenchServiceASGIApplication
from bench.v1.bench_pb2 import Payload, StreamRequest

from connect_core import RequestContext


class Bench:
    """Echo for unary; ``count`` messages of ``size`` bytes for the stream."""

    async def unary(self, request: Payload, ctx: RequestContext) -> Payload:
        """Echo the request."""
        return request

    async def stream(self, request: StreamRequest, ctx: RequestContext) -> AsyncIterator[Payload]:
        """Send ``request.count`` payloads of ``request.size`` bytes."""
        data = b"x" * request.size
        for _ in range(request.count):
            yield Payload(data=data)


app = BenchServiceASGIApplication(Bench())
