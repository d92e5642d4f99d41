"""Client interceptors against a real server (our echo ASGI app under uvicorn), per transport.

The in-memory tests in ``test_interceptors.py`` cover ordering in detail; these prove that
what interceptors change reaches the wire and what the server sends reaches them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from echo.v1.echo_connect import EchoServiceClient, EchoServiceClientSync
from echo.v1.echo_pb2 import EchoRequest

from client.helpers import arun
from client.test_interceptors import Meta, Recorder, SyncMeta, SyncRecorder
from connect_core import (
    HttptoolsAsyncTransport,
    HttptoolsSyncTransport,
    HttpxAsyncTransport,
    HttpxSyncTransport,
)

ASYNC_TRANSPORTS = {"httpx": HttpxAsyncTransport, "httptools": HttptoolsAsyncTransport}
SYNC_TRANSPORTS = {"httpx": HttpxSyncTransport, "httptools": HttptoolsSyncTransport}


@pytest.mark.parametrize("name", sorted(ASYNC_TRANSPORTS))
@arun
async def test_async_interceptors_over_the_network(uvicorn_server: Any, name: str) -> None:
    log: list[str] = []
    transport = ASYNC_TRANSPORTS[name]()
    try:
        client = EchoServiceClient(
            uvicorn_server.url,
            transport=transport,
            interceptors=[Recorder("outer", log), Meta(log)],
        )
        reply = await client.echo(EchoRequest(message="m"))
        assert reply.message == "m+outer"
        assert reply.request_headers["x-outer"] == "1"  # the server saw the added header
        # The server's metadata interceptor set these; the client interceptor read them.
        assert log == ["outer:unary:Echo:POST", "meta:end:Echo", "outer:headers:asgi",
                       "outer:trailers:Echo"]  # fmt: skip

        async def reqs() -> AsyncIterator[EchoRequest]:
            yield EchoRequest(message="a")
            yield EchoRequest(message="b")

        assert (await client.collect(reqs())).message == "a+outer b+outer"
        got = [m.message async for m in client.repeat(EchoRequest(message="s", count=2))]
        assert got == ["s<outer"] * 2
    finally:
        await transport.aclose()


@pytest.mark.parametrize("name", sorted(SYNC_TRANSPORTS))
def test_sync_interceptors_over_the_network(uvicorn_server: Any, name: str) -> None:
    log: list[str] = []
    transport = SYNC_TRANSPORTS[name]()
    try:
        client = EchoServiceClientSync(
            uvicorn_server.url, transport=transport, interceptors=[SyncRecorder(log), SyncMeta(log)]
        )
        reply = client.echo(EchoRequest(message="q"))
        assert reply.request_headers["x-sync"] == "1"
        messages: Iterator[Any] = client.repeat(EchoRequest(message="r", count=2))
        assert [m.message for m in messages] == ["seen", "seen"]
        # The inner metadata interceptor ends first; the outer one then reads the header the
        # server's interceptor set.
        assert log[:2] == ["end:Echo", "unary:asgi"]
        assert "end:Repeat" in log
    finally:
        transport.close()
