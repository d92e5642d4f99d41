"""The client's protocol handling against hand-made responses, options, and ownership rules."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx
import pytest
from echo.v1.echo_connect import EchoServiceClient, EchoServiceClientSync
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from servers.apps import asgi_app, wsgi_app
from servers.run import RunningServer

from client.helpers import arun
from connect_core import (
    JSON,
    AiohttpTransport,
    ASGITransport,
    Code,
    ConnectError,
    GzipCompression,
    H2Transport,
    HttpClientTransport,
    HttptoolsAsyncTransport,
    HttptoolsSyncTransport,
    HttpxAsyncTransport,
    HttpxSyncTransport,
    ResponseMetadata,
    WSGITransport,
)

Scope = MutableMapping[str, Any]
URL = "http://in-memory"


def canned(
    status: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes | list[bytes],
    seen: list[Scope] | None = None,
) -> Callable[[Scope, Any, Any], Awaitable[None]]:
    """An ASGI app answering every request with the same response."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        if seen is not None:
            seen.append(scope)
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": status, "headers": headers})
        chunks = body if isinstance(body, list) else [body]
        for chunk in chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    return app


def envelope(flags: int, data: bytes) -> bytes:
    return bytes([flags]) + len(data).to_bytes(4, "big") + data


PROTO_STREAM = [(b"content-type", b"application/connect+proto")]
MESSAGE = EchoResponse(message="hi").SerializeToString()


async def unary_error(app: Any) -> ConnectError:
    client = EchoServiceClient(URL, transport=ASGITransport(app))
    with pytest.raises(ConnectError) as info:
        await client.echo(EchoRequest())
    return info.value


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, Code.INTERNAL),
        (401, Code.UNAUTHENTICATED),
        (403, Code.PERMISSION_DENIED),
        (404, Code.UNIMPLEMENTED),
        (429, Code.UNAVAILABLE),
        (502, Code.UNAVAILABLE),
        (503, Code.UNAVAILABLE),
        (504, Code.UNAVAILABLE),
        (500, Code.UNKNOWN),
        (418, Code.UNKNOWN),
    ],
)
@arun
async def test_http_status_without_connect_body(status: int, code: Code) -> None:
    app = canned(status, [(b"content-type", b"text/html")], b"<h1>proxy says no</h1>")
    err = await unary_error(app)
    # The status, the URL, what came back, and (for a 404) what to check.
    assert err.code is code
    assert err.message.startswith(
        f"HTTP {status} from POST {URL}/echo.v1.EchoService/Echo, not a Connect response "
        "(its body: <h1>proxy says no</h1>)"
    ), err.message
    assert ("check the client's base URL" in err.message) is (status == 404)
    client = EchoServiceClient(URL, transport=ASGITransport(app))
    with pytest.raises(ConnectError) as info:
        async for _ in client.repeat(EchoRequest()):
            pass
    assert info.value.code is code
    assert info.value.message.startswith(
        f"HTTP {status} from POST {URL}/echo.v1.EchoService/Repeat, not a Connect response"
    )


@arun
async def test_json_error_body() -> None:
    error = {"code": "aborted", "message": "m", "details": [{"type": "x.Y", "value": ""}]}
    body = json.dumps(error)
    err = await unary_error(canned(409, [(b"content-type", b"application/json")], body.encode()))
    assert (err.code, err.message, err.details[0].type_name) == (Code.ABORTED, "m", "x.Y")
    # A JSON body without a code keeps the status's code; a broken one too.
    err = await unary_error(canned(403, [(b"content-type", b"application/json")], b'{"x": 1}'))
    assert err.code is Code.PERMISSION_DENIED
    assert 'not a Connect response (its body: {"x": 1})' in err.message
    err = await unary_error(
        canned(403, [(b"content-type", b"application/json")], b'{"message": "m"}')
    )
    assert (err.code, err.message) == (Code.PERMISSION_DENIED, "m")
    err = await unary_error(canned(503, [(b"content-type", b"application/json")], b"{oops"))
    assert err.code is Code.UNAVAILABLE


@pytest.mark.parametrize(
    ("headers", "body", "fragment"),
    [
        ([(b"content-type", b"application/connect+json")], [envelope(0, b"{}")], "content type"),
        (PROTO_STREAM, [envelope(0, MESSAGE)], "end-of-stream"),
        (PROTO_STREAM, [envelope(0, MESSAGE)[:-2]], "inside a message"),
        (PROTO_STREAM, [envelope(1, MESSAGE)], "compressed message"),
        (PROTO_STREAM, [envelope(2, b"{"), envelope(2, b"{}")], "malformed"),
        (PROTO_STREAM, [envelope(2, b"{}"), envelope(0, MESSAGE)], "after the end"),
        ([*PROTO_STREAM, (b"connect-content-encoding", b"lz4")], [b""], "unsupported compression"),
        (PROTO_STREAM, [envelope(0, b"\xff\xff")], "could not decode"),
    ],
)
@arun
async def test_malformed_stream_responses(
    headers: list[tuple[bytes, bytes]], body: list[bytes], fragment: str
) -> None:
    client = EchoServiceClient(URL, transport=ASGITransport(canned(200, headers, body)))
    with pytest.raises(ConnectError) as info:
        async for _ in client.repeat(EchoRequest()):
            pass
    assert info.value.code is Code.INTERNAL
    assert fragment in info.value.message


@arun
async def test_stream_chunked_at_every_byte_boundary() -> None:
    end = json.dumps({"metadata": {"x-t": ["1", "2"]}}).encode()
    data = envelope(0, MESSAGE) * 3 + envelope(2, end)
    client = EchoServiceClient(
        URL, transport=ASGITransport(canned(200, PROTO_STREAM, [bytes([b]) for b in data]))
    )
    with ResponseMetadata() as meta:
        got = [m.message async for m in client.repeat(EchoRequest())]
    assert got == ["hi"] * 3
    assert meta.trailers().getall("x-t") == ["1", "2"]


@arun
async def test_client_stream_needs_exactly_one_message() -> None:
    end = envelope(2, b"{}")
    for body, fragment in ((end, "no response"), (envelope(0, MESSAGE) * 2 + end, "more than one")):
        client = EchoServiceClient(URL, transport=ASGITransport(canned(200, PROTO_STREAM, body)))
        with pytest.raises(ConnectError) as info:
            await client.collect([EchoRequest()])
        assert info.value.code is Code.UNIMPLEMENTED
        assert fragment in info.value.message


@pytest.mark.parametrize(
    ("ctype", "code"),
    [
        # Not a Connect response at all (a proxy's page, an image): unknown, as connect-go.
        (b"text/html", Code.UNKNOWN),
        (b"image/jpeg", Code.UNKNOWN),
        (b"", Code.UNKNOWN),
        # A Connect content type, but not the codec asked for: the server broke the protocol.
        (b"application/json", Code.INTERNAL),
        (b"Application/JSON; charset=utf-8", Code.INTERNAL),
    ],
)
@arun
async def test_unary_unexpected_content_type(ctype: bytes, code: Code) -> None:
    headers = [(b"content-type", ctype)] if ctype else []
    err = await unary_error(canned(200, headers, MESSAGE))
    assert err.code is code
    assert "content type" in err.message


@pytest.mark.parametrize(
    ("ctype", "code"),
    [
        (b"text/plain", Code.UNKNOWN),
        (b"application/proto", Code.UNKNOWN),  # a unary type on a stream is not a stream's
        (b"application/connect+json", Code.INTERNAL),
    ],
)
@arun
async def test_stream_unexpected_content_type(ctype: bytes, code: Code) -> None:
    client = EchoServiceClient(
        URL, transport=ASGITransport(canned(200, [(b"content-type", ctype)], [b""]))
    )
    with pytest.raises(ConnectError) as info:
        async for _ in client.repeat(EchoRequest()):
            pass
    assert info.value.code is code
    assert "content type" in info.value.message


@arun
async def test_unary_wrong_content_type_and_unknown_encoding() -> None:
    headers = [(b"content-type", b"application/proto"), (b"content-encoding", b"lz4")]
    err = await unary_error(canned(200, headers, MESSAGE))
    assert err.code is Code.INTERNAL and "lz4" in err.message
    headers = [(b"content-type", b"application/proto; charset=x"), (b"trailer-x", b"y")]
    client = EchoServiceClient(URL, transport=ASGITransport(canned(200, headers, MESSAGE)))
    with ResponseMetadata() as meta:
        assert (await client.echo(EchoRequest())).message == "hi"
    assert meta.trailers()["x"] == "y"


@arun
async def test_request_head() -> None:
    seen: list[Scope] = []
    ok = [(b"content-type", b"application/proto")]
    client = EchoServiceClient(
        URL + "/prefix/",
        transport=ASGITransport(canned(200, ok, MESSAGE, seen)),
        headers={"x-client": "c"},
        timeout_ms=4000,
    )
    await client.echo(
        EchoRequest(),
        headers=[("X-Multi", "1"), ("x-multi", "2"), ("user-agent", "mine/1")],
        timeout_ms=2500,
    )
    scope = seen[0]
    assert scope["path"] == "/prefix/echo.v1.EchoService/Echo"
    headers = [(k.decode(), v.decode()) for k, v in scope["headers"]]
    names = [k for k, _ in headers]
    assert ("content-type", "application/proto") in headers
    assert ("connect-protocol-version", "1") in headers
    assert ("connect-timeout-ms", "2500") in headers
    assert ("x-client", "c") in headers
    assert [v for k, v in headers if k == "x-multi"] == ["1", "2"]
    assert [v for k, v in headers if k == "user-agent"] == ["mine/1"]
    assert names.count("accept-encoding") == 1

    with pytest.raises(ConnectError):  # the canned answer is not JSON
        await client.echo(EchoRequest(message="q"), use_get=True, codec=JSON)
    query = seen[1]["query_string"].decode()
    assert seen[1]["method"] == "GET"
    assert "connect=v1" in query and "encoding=json" in query and "message=" in query
    assert b"content-type" not in dict(seen[1]["headers"])


@arun
async def test_local_refusals_send_nothing() -> None:
    seen: list[Scope] = []
    client = EchoServiceClient(
        URL, transport=ASGITransport(canned(200, [], b"", seen)), send_max_bytes=10
    )
    with pytest.raises(ConnectError) as info:
        await client.echo_post(EchoRequest(), use_get=True)
    assert info.value.code is Code.INVALID_ARGUMENT
    with pytest.raises(ConnectError) as info:
        await client.echo(EchoRequest(payload=b"x" * 100))
    assert info.value.code is Code.RESOURCE_EXHAUSTED
    assert seen == []
    # A stream's head goes out before its messages are encoded; the call still fails.
    with pytest.raises(ConnectError) as info:
        await client.collect([EchoRequest(payload=b"x" * 100)])
    assert info.value.code is Code.RESOURCE_EXHAUSTED


@arun
async def test_per_call_options_override_the_client() -> None:
    payload = b"z" * 5000
    client = EchoServiceClient(URL, transport=ASGITransport(asgi_app))
    with ResponseMetadata() as meta:
        reply = await client.echo(
            EchoRequest(payload=payload), codec=JSON, send_compression=GzipCompression()
        )
    assert reply.payload == payload
    assert meta.headers()["content-type"] == "application/json"
    assert meta.headers().get("content-encoding") == "gzip"
    with ResponseMetadata() as meta:
        await client.echo(EchoRequest(payload=payload), accept_compressions=())
    assert "content-encoding" not in meta.headers()
    with pytest.raises(ConnectError) as info:
        await client.echo(EchoRequest(payload=payload), read_max_bytes=100)
    assert info.value.code is Code.RESOURCE_EXHAUSTED


def test_sync_per_call_options() -> None:
    with EchoServiceClientSync(URL, transport=WSGITransport(wsgi_app), codec=JSON) as client:
        with ResponseMetadata() as meta:
            client.echo(EchoRequest(message="x"))
        assert meta.headers()["content-type"] == "application/json"
        with ResponseMetadata() as meta:
            client.echo(EchoRequest(message="x"), codec=JSON.__class__(), timeout_ms=3000)
        assert meta.headers()["content-type"] == "application/json"


# -- HTTP clients: ownership, httpx2, httpx HTTP/2 -------------------------------------------------


@arun
async def test_clients_close_only_what_they_own(uvicorn_server: RunningServer) -> None:
    import aiohttp

    url = uvicorn_server.url
    mine = httpx.AsyncClient()
    async with EchoServiceClient(url, http_client=mine) as client:
        assert (await client.echo(EchoRequest(message="a"))).message == "a"
    assert not mine.is_closed
    await mine.aclose()

    async with EchoServiceClient(url) as client:
        transport = client._transport
        assert isinstance(transport, HttpxAsyncTransport)
        await client.echo(EchoRequest())
    assert transport.client.is_closed

    async with aiohttp.ClientSession(auto_decompress=False) as session:
        async with EchoServiceClient(url, http_client=session) as client:
            assert isinstance(client._transport, AiohttpTransport)
            assert (await client.echo(EchoRequest(message="b"))).message == "b"
        assert not session.closed

    shared = AiohttpTransport()
    async with EchoServiceClient(url, transport=shared) as client:
        await client.echo(EchoRequest())
    async with EchoServiceClient(url, transport=shared) as client:  # still open: not the client's
        assert (await client.echo(EchoRequest(message="c"))).message == "c"
    await shared.aclose()


def test_sync_clients_close_only_what_they_own(uvicorn_server: RunningServer) -> None:
    url = uvicorn_server.url
    with httpx.Client() as mine:
        with EchoServiceClientSync(url, http_client=mine) as client:
            assert client.echo(EchoRequest(message="a")).message == "a"
        assert not mine.is_closed
    with EchoServiceClientSync(url) as client:
        transport = client._transport
        assert isinstance(transport, HttpxSyncTransport)
        client.echo(EchoRequest())
    assert transport.client.is_closed
    with HttpClientTransport() as shared:
        with EchoServiceClientSync(url, transport=shared) as client:
            client.echo(EchoRequest())
        with EchoServiceClientSync(url, transport=shared) as client:
            assert client.echo(EchoRequest(message="b")).message == "b"


@arun
async def test_httpx2_clients(uvicorn_server: RunningServer) -> None:
    import httpx2

    async with httpx2.AsyncClient() as http:
        client = EchoServiceClient(uvicorn_server.url, http_client=http)
        assert (await client.echo(EchoRequest(message="fork"))).message == "fork"
        got = [m.index async for m in client.repeat(EchoRequest(count=3))]
        assert got == [0, 1, 2]
    with httpx2.Client() as http_sync:
        sync = EchoServiceClientSync(uvicorn_server.url, http_client=http_sync)
        assert sync.collect([EchoRequest(message="s")]).message == "s"


@arun
async def test_httpx_over_http2(official_hypercorn: RunningServer) -> None:
    async with httpx.AsyncClient(http1=False, http2=True) as http:
        client = EchoServiceClient(official_hypercorn.url, http_client=http)
        assert (await client.echo(EchoRequest(message="h2"))).message == "h2"
        got = [m.message async for m in client.chat([EchoRequest(message="x")] * 2)]
        assert got == ["x", "x"]


# -- failures of the connection --------------------------------------------------------------------


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


ASYNC_TRANSPORTS: dict[str, Any] = {
    "httpx": HttpxAsyncTransport,
    "aiohttp": AiohttpTransport,
    "httptools": HttptoolsAsyncTransport,
    "h2": H2Transport,
}


@pytest.mark.parametrize("kind", list(ASYNC_TRANSPORTS))
@arun
async def test_connection_refused_is_unavailable(kind: str) -> None:
    transport = ASYNC_TRANSPORTS[kind]()
    async with transport:
        client = EchoServiceClient(f"http://127.0.0.1:{_dead_port()}", transport=transport)
        with pytest.raises(ConnectError) as info:
            await client.echo(EchoRequest())
        assert info.value.code is Code.UNAVAILABLE
        with pytest.raises(ConnectError) as info:
            async for _ in client.repeat(EchoRequest()):
                pass
        assert info.value.code is Code.UNAVAILABLE


SYNC_TRANSPORTS: dict[str, Any] = {
    "httpx": HttpxSyncTransport,
    "http_client": HttpClientTransport,
    "httptools": HttptoolsSyncTransport,
}


@pytest.mark.parametrize("kind", list(SYNC_TRANSPORTS))
def test_sync_connection_refused_is_unavailable(kind: str) -> None:
    transport = SYNC_TRANSPORTS[kind]()
    with (
        transport,
        EchoServiceClientSync(f"http://127.0.0.1:{_dead_port()}", transport=transport) as client,
    ):
        with pytest.raises(ConnectError) as info:
            client.echo(EchoRequest())
        assert info.value.code is Code.UNAVAILABLE


@arun
async def test_h2_server_going_away_fails_calls_in_flight() -> None:
    """A server that dies mid-stream: the call fails with unavailable, the next one reconnects."""
    import h2.config
    import h2.connection
    import h2.events

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        conn.initiate_connection()
        writer.write(conn.data_to_send())
        while data := await reader.read(65536):
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    conn.send_headers(
                        event.stream_id,
                        [(":status", "200"), ("content-type", "application/connect+proto")],
                    )
                    conn.send_data(event.stream_id, envelope(0, MESSAGE))
                    writer.write(conn.data_to_send())
                    await writer.drain()
                    writer.close()  # dies mid-stream
                    return
            writer.write(conn.data_to_send())

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, H2Transport() as transport:
        client = EchoServiceClient(f"http://127.0.0.1:{port}", transport=transport)
        for _ in range(2):
            got = []
            with pytest.raises(ConnectError) as info:
                async for m in client.repeat(EchoRequest()):
                    got.append(m.message)
            assert info.value.code is Code.UNAVAILABLE
            assert got == ["hi"]


def _one_shot_http_server(
    responses: list[bytes], reset: bool = False
) -> tuple[int, Callable[[], None]]:
    """A raw HTTP/1.1 server answering each connection's first request with the next canned
    response, then closing the connection (with a reset when ``reset``): kept-alive
    connections go stale under clients."""
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        i = 0
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, rest = data.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                while len(rest) < length:
                    rest += conn.recv(65536)
                conn.sendall(responses[min(i, len(responses) - 1)])
                i += 1
                if reset:  # take the next request, then reset instead of answering it
                    conn.settimeout(2)
                    with contextlib.suppress(OSError):
                        conn.recv(65536)
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def close() -> None:
        stop.set()
        thread.join(5)
        listener.close()

    return listener.getsockname()[1], close


KEEP_ALIVE_OK = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/proto\r\n"
    b"content-length: %d\r\n\r\n%b" % (len(MESSAGE), MESSAGE)
)
UNTIL_EOF_OK = b"HTTP/1.1 200 OK\r\ncontent-type: application/proto\r\nconnection: close\r\n\r\n"


@pytest.mark.parametrize("kind", ["http_client", "httptools"])
def test_sync_stale_keep_alive_connections_are_retried(kind: str) -> None:
    port, close = _one_shot_http_server([KEEP_ALIVE_OK])
    try:
        with SYNC_TRANSPORTS[kind]() as transport:
            client = EchoServiceClientSync(f"http://127.0.0.1:{port}", transport=transport)
            for _ in range(3):
                assert client.echo(EchoRequest()).message == "hi"
    finally:
        close()


@pytest.mark.parametrize("kind", ["http_client", "httptools"])
def test_sync_kept_alive_connections_reset_by_the_server_are_retried(kind: str) -> None:
    """A kept-alive connection that the server resets when the next request comes (instead
    of closing it while idle) fails that request's first read with ECONNRESET rather than an
    end of stream: still a stale connection, retried on a new one."""
    port, close = _one_shot_http_server([KEEP_ALIVE_OK], reset=True)
    try:
        with SYNC_TRANSPORTS[kind]() as transport:
            client = EchoServiceClientSync(f"http://127.0.0.1:{port}", transport=transport)
            for _ in range(3):
                assert client.echo(EchoRequest()).message == "hi"
    finally:
        close()


@pytest.mark.parametrize("kind", ["httptools", "aiohttp"])
@arun
async def test_async_stale_keep_alive_connections_are_retried(kind: str) -> None:
    port, close = _one_shot_http_server([KEEP_ALIVE_OK])
    try:
        async with ASYNC_TRANSPORTS[kind]() as transport:
            client = EchoServiceClient(f"http://127.0.0.1:{port}", transport=transport)
            for _ in range(3):
                assert (await client.echo(EchoRequest())).message == "hi"
                await asyncio.sleep(0.05)  # the server has closed the idle connection by now
    finally:
        close()


@pytest.mark.parametrize("kind", ["httptools"])
@arun
async def test_body_until_eof_and_malformed_responses(kind: str) -> None:
    port, close = _one_shot_http_server([UNTIL_EOF_OK + MESSAGE, b"HTTP/1.1 2xx nonsense\r\n\r\n"])
    try:
        async with ASYNC_TRANSPORTS[kind]() as transport:
            client = EchoServiceClient(f"http://127.0.0.1:{port}", transport=transport)
            assert (await client.echo(EchoRequest())).message == "hi"
            with pytest.raises(ConnectError) as info:
                await client.echo(EchoRequest())
            assert info.value.code is Code.UNAVAILABLE
    finally:
        close()
    port, close = _one_shot_http_server([UNTIL_EOF_OK + MESSAGE])
    try:
        with HttptoolsSyncTransport() as sync_transport:
            sync = EchoServiceClientSync(f"http://127.0.0.1:{port}", transport=sync_transport)
            assert sync.echo(EchoRequest()).message == "hi"
    finally:
        close()


# -- in memory through a framework -----------------------------------------------------------------


@arun
async def test_asgi_transport_through_a_fastapi_mount() -> None:
    from fastapi import FastAPI

    app = FastAPI()
    app.mount("/rpc", asgi_app)
    client = EchoServiceClient("http://in-memory/rpc", transport=ASGITransport(app))
    assert (await client.echo(EchoRequest(message="fastapi"))).message == "fastapi"
    got = [m.index async for m in client.repeat(EchoRequest(count=3))]
    assert got == [0, 1, 2]
    replies: asyncio.Queue[str] = asyncio.Queue()

    async def requests() -> Any:
        for i in range(3):
            yield EchoRequest(message=str(i))
            await asyncio.wait_for(replies.get(), 5)

    async for m in client.chat(requests()):
        replies.put_nowait(m.message)


@arun
async def test_asgi_app_exceptions() -> None:
    async def broken(scope: Scope, receive: Any, send: Any) -> None:
        raise RuntimeError("bug in the app")

    client = EchoServiceClient(URL, transport=ASGITransport(broken))
    with pytest.raises(RuntimeError, match="bug in the app"):
        await client.echo(EchoRequest())
    client = EchoServiceClient(URL, transport=ASGITransport(broken, raise_app_exceptions=False))
    with pytest.raises(ConnectError) as info:
        await client.echo(EchoRequest())
    assert info.value.code is Code.UNKNOWN
