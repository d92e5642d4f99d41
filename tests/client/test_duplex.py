"""Full-duplex bidi: each request is sent only after the previous reply arrived.

Over HTTP/2 (``H2Transport`` against hypercorn and connect-node over h2c) and in memory
(``ASGITransport``), the request stream and the response stream run at once. Cancelling one
call resets its HTTP/2 stream only: the connection carries the next call.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from echo.v1.echo_pb2 import EchoRequest

from client.helpers import Target, arun, async_client
from connect_core import Code, ConnectError, H2Transport


@arun
async def test_interleaved_ping_pong(duplex_target: Target) -> None:
    replies: asyncio.Queue[str] = asyncio.Queue()
    sent: list[str] = []

    async def requests() -> AsyncIterator[EchoRequest]:
        for i in range(5):
            sent.append(f"ping {i}")
            yield EchoRequest(message=f"ping {i}")
            # The next request waits for this one's reply: only full duplex gets further.
            assert await asyncio.wait_for(replies.get(), 5) == f"ping {i}"

    async with async_client(duplex_target) as client:
        got = []
        async for reply in client.chat(requests()):
            got.append(reply.message)
            replies.put_nowait(reply.message)
    assert got == sent == [f"ping {i}" for i in range(5)]


@arun
async def test_request_stream_error_fails_the_call(duplex_target: Target) -> None:
    class Boom(Exception):
        pass

    async def requests() -> AsyncIterator[EchoRequest]:
        yield EchoRequest(message="one")
        await asyncio.sleep(0.05)
        raise Boom

    async with async_client(duplex_target) as client:
        with pytest.raises((Boom, ConnectError)):
            async for _ in client.chat(requests()):
                pass
        assert (await client.echo(EchoRequest(message="after"))).message == "after"


@arun
async def test_cancel_mid_bidi_keeps_the_connection(duplex_target: Target) -> None:
    if duplex_target.transport != "h2":
        pytest.skip("connection reuse is an HTTP/2 matter")
    forever = asyncio.Event()

    async def requests() -> AsyncIterator[EchoRequest]:
        yield EchoRequest(message="first")
        await forever.wait()

    async with async_client(duplex_target) as client:
        transport = client._transport
        assert isinstance(transport, H2Transport)
        stream = client.chat(requests())
        async with contextlib.aclosing(stream):
            first = await anext(stream)
            assert first.message == "first"
        # The stream was reset; the same connection serves the next calls.
        for i in range(3):
            assert (await client.echo(EchoRequest(message=str(i)))).message == str(i)
        got = [m.index async for m in client.repeat(EchoRequest(count=3))]
        assert got == [0, 1, 2]
        assert transport.connection_count == 1


@arun
async def test_deadline_mid_bidi(duplex_target: Target) -> None:
    forever = asyncio.Event()

    async def requests() -> AsyncIterator[EchoRequest]:
        yield EchoRequest(message="first")
        await forever.wait()

    async with async_client(duplex_target) as client:
        got = []
        with pytest.raises(ConnectError) as info:
            async for reply in client.chat(requests(), timeout_ms=300):
                got.append(reply.message)
        assert info.value.code is Code.DEADLINE_EXCEEDED
        assert got == ["first"]
        assert (await client.echo(EchoRequest(message="after"))).message == "after"


@arun
async def test_many_concurrent_streams_on_one_connection(duplex_target: Target) -> None:
    async with async_client(duplex_target) as client:

        async def one(i: int) -> list[int]:
            return [m.index async for m in client.repeat(EchoRequest(message=str(i), count=20))]

        results = await asyncio.gather(*(one(i) for i in range(40)))
        assert all(r == list(range(20)) for r in results)
        if isinstance(client._transport, H2Transport):
            assert client._transport.connection_count == 1


@arun
async def test_large_messages_respect_flow_control(duplex_target: Target) -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB, past every default HTTP/2 window
    async with async_client(duplex_target, read_max_bytes=8 << 20) as client:
        reply = await client.echo(EchoRequest(payload=payload))
        assert reply.payload == payload
        got = [m.payload async for m in client.chat([EchoRequest(payload=payload)] * 3)]
        assert got == [payload] * 3
