"""The Connect protocol through ``ConnectRouter`` under uvicorn (HTTP/1.1) and hypercorn (h2c).

Driven by our own generated client; ``/rpc`` serves the async echo service (event loop) and
``/sync`` the sync one (threadpool), both with a metadata interceptor, and ``/bare/rpc`` the
async one in a mounted sub-app without dependencies (served without FastAPI's request
handler).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest
from echo.v1.echo_pb2 import EchoRequest
from fastapi_servers import Server
from fastapi_wire import arun, detail, echo_client, end_stream, http_client, json_envelope
from greet.v1.greet_connect import GreetServiceClient
from greet.v1.greet_pb2 import GreetRequest

from connect_core import (
    JSON,
    PROTO,
    BrotliCompression,
    Code,
    ConnectError,
    GzipCompression,
    ResponseMetadata,
    ZstdCompression,
)

pytestmark = pytest.mark.timeout(60)

PREFIXES = [
    pytest.param("/rpc", id="async"),
    pytest.param("/sync", id="sync"),
    pytest.param("/bare/rpc", id="direct"),
]
CODECS = [pytest.param(PROTO, id="proto"), pytest.param(JSON, id="json")]
INTERFACE = {"/rpc": "asgi", "/sync": "wsgi", "/bare/rpc": "asgi"}  # what interceptors stamp
BIG = bytes(range(256)) * 16
B64_3K = base64.b64encode(b"x" * 3000).decode()


async def _requests(*messages: EchoRequest) -> AsyncIterator[EchoRequest]:
    for m in messages:
        yield m


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("codec", CODECS)
@arun
async def test_unary(fserver: Server, prefix: str, codec: object) -> None:
    async with echo_client(fserver, prefix, codec=codec) as client:
        with ResponseMetadata() as meta:
            reply = await client.echo_post(
                EchoRequest(
                    message="hi",
                    payload=b"\x00\xff",
                    response_headers={"x-h": "1"},
                    response_trailers={"x-t": "2"},
                ),
                headers={"x-custom": "yes"},
            )
    assert (reply.message, reply.payload, reply.http_method) == ("hi", b"\x00\xff", "POST")
    assert reply.request_headers["x-custom"] == "yes"
    assert reply.request_headers["content-type"] == f"application/{codec.name}"  # type: ignore[attr-defined]
    assert meta.headers()["x-h"] == "1"
    assert meta.headers()["x-interceptor"] == INTERFACE[prefix]
    assert meta.headers()["x-custom-middleware"] == "seen"
    assert meta.trailers()["x-t"] == "2"
    assert meta.trailers()["x-interceptor-end"] == "EchoPost"


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("codec", CODECS)
@arun
async def test_unary_get(fserver: Server, prefix: str, codec: object) -> None:
    async with echo_client(fserver, prefix, codec=codec) as client:
        reply = await client.echo(EchoRequest(message="by get"), use_get=True)
    assert (reply.message, reply.http_method) == ("by get", "GET")


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("codec", CODECS)
@arun
async def test_client_stream(fserver: Server, prefix: str, codec: object) -> None:
    async with echo_client(fserver, prefix, codec=codec) as client:
        reply = await client.collect(
            _requests(*(EchoRequest(message=w, payload=w.encode()) for w in "xyz"))
        )
    assert (reply.message, reply.index, reply.payload) == ("x y z", 3, b"xyz")


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("codec", CODECS)
@arun
async def test_server_stream(fserver: Server, prefix: str, codec: object) -> None:
    async with echo_client(fserver, prefix, codec=codec) as client:
        with ResponseMetadata() as meta:
            got = [
                (m.message, m.index)
                async for m in client.repeat(
                    EchoRequest(
                        message="s",
                        count=4,
                        response_headers={"x-sh": "h"},
                        response_trailers={"x-st": "t"},
                    )
                )
            ]
    assert got == [("s", i) for i in range(4)]
    assert meta.headers()["x-sh"] == "h"
    assert meta.trailers()["x-st"] == "t"
    assert meta.trailers()["x-interceptor-end"] == "Repeat"


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("codec", CODECS)
@arun
async def test_bidi_stream(fserver: Server, prefix: str, codec: object) -> None:
    async with echo_client(fserver, prefix, codec=codec) as client:
        got = [
            (m.message, m.index)
            async for m in client.chat(_requests(*(EchoRequest(message=f"b{i}") for i in range(3))))
        ]
    assert got == [("b0", 0), ("b1", 1), ("b2", 2)]


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize(
    "compression",
    [GzipCompression(), BrotliCompression(), ZstdCompression()],
    ids=["gzip", "br", "zstd"],
)
@arun
async def test_compression(fserver: Server, prefix: str, compression: object) -> None:
    async with echo_client(
        fserver, prefix, send_compression=compression, accept_compressions=[compression]
    ) as client:
        reply = await client.echo_post(EchoRequest(payload=BIG))
        assert reply.payload == BIG
        assert reply.request_headers["content-encoding"] == compression.name  # type: ignore[attr-defined]
        stream = [m async for m in client.repeat(EchoRequest(payload=BIG, count=2))]
    assert [m.payload for m in stream] == [BIG, BIG]
    assert stream[0].request_headers["connect-content-encoding"] == compression.name  # type: ignore[attr-defined]


def test_response_compression_on_the_wire(fserver: Server) -> None:
    with http_client(fserver) as http:
        r = http.post(
            "/rpc/echo.v1.EchoService/EchoPost",
            json={"payload": B64_3K},
            headers={"accept-encoding": "gzip"},
        )
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert base64.b64decode(r.json()["payload"]) == b"x" * 3000  # httpx decoded it


@pytest.mark.parametrize("prefix", PREFIXES)
@arun
async def test_unary_error_with_details(fserver: Server, prefix: str) -> None:
    async with echo_client(fserver, prefix) as client:
        with ResponseMetadata() as meta, pytest.raises(ConnectError) as info:
            await client.echo_post(
                EchoRequest(
                    error_code=Code.NOT_FOUND.number,
                    error_message="nope",
                    error_details=[detail("why")],
                    response_headers={"x-eh": "1"},
                    response_trailers={"x-et": "2"},
                )
            )
    err = info.value
    assert (err.code, err.message) == (Code.NOT_FOUND, "nope")
    found = err.detail(EchoRequest.Nested)
    assert found is not None and found.value == "why"
    assert meta.headers()["x-eh"] == "1"
    assert meta.trailers()["x-et"] == "2"


@pytest.mark.parametrize("prefix", PREFIXES)
@arun
async def test_stream_error_mid_stream(fserver: Server, prefix: str) -> None:
    got: list[int] = []
    async with echo_client(fserver, prefix) as client:
        with pytest.raises(ConnectError) as info:
            async for m in client.repeat(
                EchoRequest(
                    count=2,
                    error_code=Code.UNAVAILABLE.number,
                    error_message="later",
                    error_details=[detail("d")],
                )
            ):
                got.append(m.index)
    assert got == [0, 1]
    assert (info.value.code, info.value.message) == (Code.UNAVAILABLE, "later")
    assert info.value.detail(EchoRequest.Nested) == EchoRequest.Nested(value="d")


@pytest.mark.parametrize("prefix", PREFIXES)
@arun
async def test_deadline(fserver: Server, prefix: str) -> None:
    async with echo_client(fserver, prefix) as client:
        reply = await client.echo_post(EchoRequest(), timeout_ms=5000)
        assert 0 < reply.timeout_ms <= 5000
        with pytest.raises(ConnectError) as info:
            await client.echo_post(EchoRequest(delay_ms=1500), timeout_ms=200)
    assert info.value.code == Code.DEADLINE_EXCEEDED


def test_deadline_enforced_by_server(fserver: Server) -> None:
    """Without a client-side timer: the server answers ``deadline_exceeded`` itself."""
    with http_client(fserver) as http:
        r = http.post(
            "/rpc/echo.v1.EchoService/EchoPost",
            json={"delayMs": 2000},
            headers={"connect-timeout-ms": "100"},
        )
        assert (r.status_code, r.json()["code"]) == (504, "deadline_exceeded")
        r = http.post(
            "/rpc/echo.v1.EchoService/Repeat",
            content=json_envelope({"count": 5, "delayMs": 300}),
            headers={"content-type": "application/connect+json", "connect-timeout-ms": "100"},
        )
    assert r.status_code == 200
    assert end_stream(r.content)["error"]["code"] == "deadline_exceeded"


def test_read_limit_and_protocol_header(fserver: Server) -> None:
    url = "/limited/echo.v1.EchoService/EchoPost"
    hdrs = {"connect-protocol-version": "1"}
    with http_client(fserver) as http:
        assert http.post(url, json={"message": "small"}, headers=hdrs).status_code == 200
        r = http.post(url, json={"payload": B64_3K}, headers=hdrs)
        assert (r.status_code, r.json()["code"]) == (429, "resource_exhausted")
        r = http.post(url, json={"message": "no header"})
        assert (r.status_code, r.json()["code"]) == (400, "invalid_argument")
        r = http.post(
            "/limited/echo.v1.EchoService/Collect",
            content=json_envelope({"payload": B64_3K}),
            headers={"content-type": "application/connect+json", **hdrs},
        )
    assert end_stream(r.content)["error"]["code"] == "resource_exhausted"


@arun
async def test_service_without_prefix(fserver: Server) -> None:
    http = (
        __import__("httpx").AsyncClient(http1=False, http2=True)
        if fserver.http2
        else __import__("httpx").AsyncClient()
    )
    async with http, GreetServiceClient(fserver.url, http_client=http) as client:

        async def names() -> AsyncIterator[GreetRequest]:
            for n in ("Ada", "Linus"):
                yield GreetRequest(name=n)

        with ResponseMetadata() as meta:
            reply = await client.greet(names())
    assert reply.greeting == "Hello, Ada!\nHello, Linus!\n"
    assert meta.headers()["greet-version"] == "v1"
