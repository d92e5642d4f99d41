"""The async client on every transport against servers nobody here wrote, and ours.

Each test runs for every (server, transport) pair of ``conftest.ASYNC_TARGETS``: the official
connectrpc app (uvicorn over HTTP/1.1, hypercorn over h2c, in memory), connect-node (HTTP/1.1
and h2c), and the core app (uvicorn, hypercorn, gunicorn, in memory).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from echo.v1.echo_pb2 import EchoRequest

from client.helpers import Target, arun, async_client, detail
from connect_core import (
    JSON,
    BrotliCompression,
    Code,
    ConnectError,
    GzipCompression,
    ResponseMetadata,
    ZstdCompression,
)


async def requests(*messages: str) -> AsyncIterator[EchoRequest]:
    for m in messages:
        yield EchoRequest(message=m)


@arun
async def test_unary(atarget: Target) -> None:
    async with async_client(atarget) as client:
        reply = await client.echo(
            EchoRequest(message="hello", payload=b"\x00\xff"),
            headers={"x-tenant": "1"},
            timeout_ms=5000,
        )
    assert reply.message == "hello"
    assert reply.payload == b"\x00\xff"
    assert reply.request_headers["x-tenant"] == "1"
    assert 0 < reply.timeout_ms <= 5000
    assert reply.http_method == "POST"


@arun
async def test_unary_json(atarget: Target) -> None:
    async with async_client(atarget, codec=JSON) as client:
        with ResponseMetadata() as meta:
            reply = await client.echo_post(EchoRequest(message="json", payload=b"\x01"))
    assert (reply.message, reply.payload) == ("json", b"\x01")
    assert meta.headers()["content-type"].startswith("application/json")


@pytest.mark.parametrize("codec", ["proto", "json"])
@arun
async def test_unary_get(atarget: Target, codec: str) -> None:
    async with async_client(atarget) as client:
        options = {"codec": JSON} if codec == "json" else {}
        reply = await client.echo(EchoRequest(message="get me"), use_get=True, **options)
    assert (reply.message, reply.http_method) == ("get me", "GET")


@arun
async def test_client_stream(atarget: Target) -> None:
    async with async_client(atarget) as client:
        reply = await client.collect(requests("a", "b", "c"))
        assert (reply.message, reply.index) == ("a b c", 3)
        reply = await client.collect([EchoRequest(message="sync"), EchoRequest(message="iter")])
        assert reply.message == "sync iter"


@pytest.mark.parametrize("codec", ["proto", "json"])
@arun
async def test_server_stream(atarget: Target, codec: str) -> None:
    options = {"codec": JSON} if codec == "json" else {}
    async with async_client(atarget, **options) as client:
        got = [m.index async for m in client.repeat(EchoRequest(message="s", count=5))]
    assert got == [0, 1, 2, 3, 4]


@arun
async def test_bidi_stream(atarget: Target) -> None:
    async with async_client(atarget) as client:
        if not atarget.bidi:
            # connect-node refuses bidi over HTTP/1.1: 505 (mapped by the HTTP-to-code table),
            # or a closed connection when the refusal races the request body.
            with pytest.raises(ConnectError) as info:
                [m async for m in client.chat(requests("x"))]
            assert info.value.code in (Code.UNKNOWN, Code.UNAVAILABLE)
            return
        got = [m.message async for m in client.chat(requests("x", "y", "z"))]
    assert got == ["x", "y", "z"]


@arun
async def test_error_with_details(atarget: Target) -> None:
    async with async_client(atarget) as client:
        with pytest.raises(ConnectError) as info:
            await client.echo(
                EchoRequest(
                    error_code=Code.FAILED_PRECONDITION.number,
                    error_message="not now",
                    error_details=[detail("why")],
                    response_headers={"x-err": "h"},
                )
            )
    err = info.value
    assert (err.code, err.message) == (Code.FAILED_PRECONDITION, "not now")
    nested = err.detail(EchoRequest.Nested)
    assert nested is not None and nested.value == "why"
    assert err.metadata["x-err"] == ["h"]


@arun
async def test_stream_error_after_messages(atarget: Target) -> None:
    async with async_client(atarget) as client:
        got: list[int] = []
        with pytest.raises(ConnectError) as info, ResponseMetadata() as meta:
            async for m in client.repeat(
                EchoRequest(
                    count=2,
                    error_code=Code.RESOURCE_EXHAUSTED.number,
                    error_message="enough",
                    error_details=[detail("quota")],
                    response_trailers={"x-t": "end"},
                )
            ):
                got.append(m.index)
    assert got == [0, 1]
    err = info.value
    assert (err.code, err.message) == (Code.RESOURCE_EXHAUSTED, "enough")
    assert err.detail(EchoRequest.Nested).value == "quota"  # type: ignore[union-attr]
    assert err.metadata["x-t"] == ["end"]
    assert meta.trailers()["x-t"] == "end"


@arun
async def test_headers_and_trailers(atarget: Target) -> None:
    async with async_client(atarget) as client:
        with ResponseMetadata() as meta:
            await client.echo(
                EchoRequest(response_headers={"x-h": "1"}, response_trailers={"x-t": "2"})
            )
        assert (meta.headers()["x-h"], meta.trailers()["x-t"]) == ("1", "2")
        assert "x-t" not in meta.headers() and "trailer-x-t" not in meta.headers()
        with ResponseMetadata() as meta:
            async for _ in client.repeat(
                EchoRequest(count=2, response_headers={"x-h": "3"}, response_trailers={"x-t": "4"})
            ):
                # A stream's headers are readable from its first message on; trailers at the end.
                assert meta.headers()["x-h"] == "3"
                assert "x-t" not in meta.trailers()
        assert (meta.headers()["x-h"], meta.trailers()["x-t"]) == ("3", "4")


@pytest.mark.parametrize("algo", ["gzip", "br", "zstd"])
@arun
async def test_compression(atarget: Target, algo: str) -> None:
    if algo == "zstd" and not atarget.zstd:
        pytest.skip("this server does not do zstd")
    comp = {"gzip": GzipCompression, "br": BrotliCompression, "zstd": ZstdCompression}[algo]()
    payload = b"compress me " * 400
    async with async_client(
        atarget, send_compression=comp, compress_min_bytes=0, accept_compressions=[comp]
    ) as client:
        with ResponseMetadata() as meta:
            reply = await client.echo(EchoRequest(payload=payload))
        assert reply.payload == payload
        assert meta.headers().get("content-encoding") == algo
        with ResponseMetadata() as meta:
            got = [m.payload async for m in client.repeat(EchoRequest(payload=payload, count=2))]
        assert got == [payload, payload]
        assert meta.headers().get("connect-content-encoding") == algo
        reply = await client.collect([EchoRequest(payload=payload)] * 2)
        assert reply.payload == payload * 2


@arun
async def test_unary_deadline(atarget: Target) -> None:
    async with async_client(atarget) as client:
        started = time.monotonic()
        with pytest.raises(ConnectError) as info:
            await client.echo(EchoRequest(delay_ms=1500), timeout_ms=150)
        assert info.value.code is Code.DEADLINE_EXCEEDED
        assert time.monotonic() - started < 1.2
        assert (await client.echo(EchoRequest(message="after"))).message == "after"


@arun
async def test_stream_deadline(atarget: Target) -> None:
    async with async_client(atarget, timeout_ms=300) as client:
        got: list[int] = []
        started = time.monotonic()
        with pytest.raises(ConnectError) as info:
            async for m in client.repeat(EchoRequest(count=50, delay_ms=50)):
                got.append(m.index)
    assert info.value.code is Code.DEADLINE_EXCEEDED
    assert 0 < len(got) < 50
    assert time.monotonic() - started < 2.0


async def _active(client: object, key: str) -> tuple[int, int]:
    reply = await client.echo(EchoRequest(message="__active__:" + key))  # type: ignore[attr-defined]
    return int(reply.message), reply.index


async def _wait_released(atarget: Target, client: object, key: str) -> None:
    """The server saw the stream go away: no handler left running, one abandoned."""
    if not atarget.cancel_tracking:
        return
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        running, abandoned = await _active(client, key)
        if running == 0 and abandoned >= 1:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the server still runs the stream: {await _active(client, key)}")


@arun
async def test_break_closes_the_stream(atarget: Target) -> None:
    key = uuid.uuid4().hex
    async with async_client(atarget) as client:
        stream = client.repeat(EchoRequest(message=key, count=1000, delay_ms=10))
        async with contextlib.aclosing(stream):
            async for m in stream:
                if m.index == 1:
                    break
        await _wait_released(atarget, client, key)
        assert (await client.echo(EchoRequest(message="next"))).message == "next"


@arun
async def test_plain_break_closes_the_stream(atarget: Target) -> None:
    """Without ``aclosing``: the dropped generator is closed by the event loop's finalizer."""
    key = uuid.uuid4().hex
    async with async_client(atarget) as client:
        async for m in client.repeat(EchoRequest(message=key, count=1000, delay_ms=10)):
            if m.index == 1:
                break
        await _wait_released(atarget, client, key)


@arun
async def test_task_cancel_closes_the_stream(atarget: Target) -> None:
    key = uuid.uuid4().hex
    async with async_client(atarget) as client:
        seen = asyncio.Event()

        async def consume() -> None:
            async for m in client.repeat(EchoRequest(message=key, count=1000, delay_ms=10)):
                if m.index == 1:
                    seen.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(seen.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await _wait_released(atarget, client, key)
        assert (await client.echo(EchoRequest(message="next"))).message == "next"


@arun
async def test_read_max_bytes(atarget: Target) -> None:
    async with async_client(atarget, read_max_bytes=1000) as client:
        with pytest.raises(ConnectError) as info:
            await client.echo(EchoRequest(payload=b"x" * 2000))
        assert info.value.code is Code.RESOURCE_EXHAUSTED
        with pytest.raises(ConnectError) as info:
            async for _ in client.repeat(EchoRequest(payload=b"x" * 2000, count=1)):
                pass
        assert info.value.code is Code.RESOURCE_EXHAUSTED
        assert (await client.echo(EchoRequest(payload=b"x" * 500))).payload == b"x" * 500


@arun
async def test_unknown_procedure_is_unimplemented(atarget: Target) -> None:
    from echo.v1.echo_connect import ECHO_SERVICE_INFO
    from echo.v1.echo_pb2 import EchoResponse

    from connect_core import MethodInfo, StreamType

    missing = MethodInfo(
        name="Missing",
        python_name="missing",
        service_name=ECHO_SERVICE_INFO.name,
        input=EchoRequest,
        output=EchoResponse,
        stream_type=StreamType.UNARY,
    )
    async with async_client(atarget) as client:
        with pytest.raises(ConnectError) as info:
            await client._unary(missing, EchoRequest())
    assert info.value.code is Code.UNIMPLEMENTED
