"""Apps that hold server streams open and idle, for ``stream_memory.py``.

Each answers ``BenchService/Stream`` with one message and then waits, doing nothing, until the
client goes away. ``raw`` is the floor: a bare ASGI app that does the same with no RPC layer.
``fastapi`` is the core service mounted in a FastAPI app with ``connect_fastapi.ConnectRouter``;
``fastapi-plain`` is FastAPI's own floor for it: a plain route returning a ``StreamingResponse``
that sends the envelope and waits. Select one with the ``IDLE_APP`` environment variable
(``raw``, ``core``, ``official``, ``fastapi`` or ``fastapi-plain``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# One Connect envelope holding Payload{data: b"x" * 10}.
FIRST_CHUNK = b"\x00\x00\x00\x00\x0c\x0a\x0a" + b"x" * 10


async def raw_app(scope: Message, receive: Receive, send: Send) -> None:
    """Send the response head and one envelope, then wait for the disconnect."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/connect+proto")],
        }
    )
    await send({"type": "http.response.body", "body": FIRST_CHUNK, "more_body": True})
    while (await receive())["type"] != "http.disconnect":
        pass


def _core_app() -> Any:
    from bench.v1.bench_connect import BenchServiceASGIApplication
    from bench.v1.bench_pb2 import Payload

    class Idle:
        async def unary(self, request: Payload, ctx: object) -> Payload:
            return request

        async def stream(self, request: object, ctx: object) -> AsyncIterator[Payload]:
            yield Payload(data=b"x" * 10)
            await asyncio.Event().wait()

    return BenchServiceASGIApplication(Idle())


def _fastapi_app() -> Any:
    from connect_fastapi import ConnectRouter
    from fastapi import FastAPI

    core = _core_app()
    app = FastAPI()
    app.include_router(ConnectRouter(core.service, core.info))
    return app


def _fastapi_plain_app() -> Any:
    from fastapi import FastAPI
    from starlette.responses import StreamingResponse

    app = FastAPI()

    @app.post("/bench.v1.BenchService/Stream")
    async def stream() -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            yield FIRST_CHUNK
            await asyncio.Event().wait()

        return StreamingResponse(body(), media_type="application/connect+proto")

    return app


def _official_app() -> Any:
    from benchofficial.v1.bench_connect import BenchServiceASGIApplication
    from benchofficial.v1.bench_pb2 import Payload
    from connectrpc.compat import google_protobuf_codecs

    class Idle:
        async def unary(self, request: Payload, ctx: object) -> Payload:
            return request

        async def stream(self, request: object, ctx: object) -> AsyncIterator[Payload]:
            yield Payload(data=b"x" * 10)
            await asyncio.Event().wait()

    return BenchServiceASGIApplication(Idle(), codecs=google_protobuf_codecs())


_which = os.environ.get("IDLE_APP", "raw")
app: Any = {
    "raw": lambda: raw_app,
    "core": _core_app,
    "official": _official_app,
    "fastapi": _fastapi_app,
    "fastapi-plain": _fastapi_plain_app,
}[_which]()
