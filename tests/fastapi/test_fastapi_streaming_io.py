"""Streaming I/O through ``ConnectRouter`` on real servers: full-duplex bidi over h2c,
client disconnects mid-stream, and refusals that must not break an HTTP/2 connection."""

from __future__ import annotations

import json
import socket
import time
import uuid

import pytest
from fastapi_h2 import H2Stream
from fastapi_servers import Server
from fastapi_wire import end_stream, envelopes, http_client, json_envelope, wait_until

pytestmark = pytest.mark.timeout(60)

STREAM_JSON = {"content-type": "application/connect+json"}
PREFIXES = [
    pytest.param("/rpc", id="async"),
    pytest.param("/sync", id="sync"),
    pytest.param("/bare/rpc", id="direct"),
]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_bidi_is_full_duplex_over_h2(fastapi_hypercorn: Server, prefix: str) -> None:
    """Reply 1 arrives before request 2 is even sent (through the app's middleware, too)."""
    with H2Stream(fastapi_hypercorn.port, prefix + "/echo.v1.EchoService/Chat", STREAM_JSON) as s:
        s.send(json_envelope({"message": "one"}))
        assert s.wait(lambda: len(envelopes(bytes(s.body))) >= 1), "no reply to message 1"
        assert s.status == 200 and not s.ended
        assert s.headers["x-custom-middleware"] == "seen"
        s.send(json_envelope({"message": "two"}))
        assert s.wait(lambda: len(envelopes(bytes(s.body))) >= 2), "no reply to message 2"
        s.send(json_envelope({"message": "three"}), end=True)
        assert s.wait(lambda: s.ended)
    got = envelopes(bytes(s.body))
    assert [json.loads(d)["message"] for _, d in got[:-1]] == ["one", "two", "three"]
    assert [json.loads(d).get("index", 0) for _, d in got[:-1]] == [0, 1, 2]
    assert end_stream(bytes(s.body)).get("error") is None


def test_bidi_error_after_first_reply_over_h2(fastapi_hypercorn: Server) -> None:
    with H2Stream(fastapi_hypercorn.port, "/rpc/echo.v1.EchoService/Chat", STREAM_JSON) as s:
        s.send(json_envelope({"message": "ok"}))
        assert s.wait(lambda: len(envelopes(bytes(s.body))) >= 1)
        s.send(json_envelope({"errorCode": 9, "errorMessage": "stop"}), end=True)
        assert s.wait(lambda: s.ended)
        assert s.ping()
    assert end_stream(bytes(s.body))["error"] == {"code": "failed_precondition", "message": "stop"}


def _active(server: Server, prefix: str, key: str) -> tuple[int, int]:
    """(running, abandoned) Repeat streams with message ``key``, from the service's debug hook."""
    with http_client(server) as http:
        r = http.post(prefix + "/echo.v1.EchoService/Echo", json={"message": f"__active__:{key}"})
    body = r.json()
    return int(body.get("message", "0")), int(body.get("index", 0))


def _request_h1(port: int, path: str, body: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/connect+json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    sock.sendall(head + body)
    return sock


@pytest.mark.parametrize("prefix", PREFIXES)
def test_disconnect_cancels_server_stream_h1(fastapi_uvicorn: Server, prefix: str) -> None:
    key = uuid.uuid4().hex
    log_before = len(fastapi_uvicorn.log_tail(10**9))
    body = json_envelope({"message": key, "count": 200, "delayMs": 50})
    sock = _request_h1(fastapi_uvicorn.port, prefix + "/echo.v1.EchoService/Repeat", body)
    got = b""
    while b"\r\n\r\n" not in got or len(got) < 300:
        got += sock.recv(65536)
    assert got.startswith(b"HTTP/1.1 200")
    assert wait_until(lambda: _active(fastapi_uvicorn, prefix, key)[0] == 1)
    sock.close()
    assert wait_until(lambda: _active(fastapi_uvicorn, prefix, key) == (0, 1)), _active(
        fastapi_uvicorn, prefix, key
    )
    assert "Traceback" not in fastapi_uvicorn.log_tail(10**9)[log_before:]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_disconnect_cancels_server_stream_h2(fastapi_hypercorn: Server, prefix: str) -> None:
    key = uuid.uuid4().hex
    log_before = len(fastapi_hypercorn.log_tail(10**9))
    s = H2Stream(fastapi_hypercorn.port, prefix + "/echo.v1.EchoService/Repeat", STREAM_JSON)
    s.send(json_envelope({"message": key, "count": 200, "delayMs": 50}), end=True)
    assert s.wait(lambda: len(envelopes(bytes(s.body))) >= 2)
    assert _active(fastapi_hypercorn, prefix, key)[0] == 1
    s.close()
    assert wait_until(lambda: _active(fastapi_hypercorn, prefix, key) == (0, 1)), _active(
        fastapi_hypercorn, prefix, key
    )
    assert "Traceback" not in fastapi_hypercorn.log_tail(10**9)[log_before:]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_disconnect_while_bidi_waits_for_requests_h2(
    fastapi_hypercorn: Server, prefix: str
) -> None:
    """The client goes away in the middle of its request stream: no error, server healthy."""
    log_before = len(fastapi_hypercorn.log_tail(10**9))
    s = H2Stream(fastapi_hypercorn.port, prefix + "/echo.v1.EchoService/Chat", STREAM_JSON)
    s.send(json_envelope({"message": "first"}))
    assert s.wait(lambda: len(envelopes(bytes(s.body))) >= 1)
    s.close()
    with http_client(fastapi_hypercorn) as http:  # the server is fine afterwards
        for _ in range(3):
            assert http.post(prefix + "/echo.v1.EchoService/EchoPost", json={}).status_code == 200
    assert "Traceback" not in fastapi_hypercorn.log_tail(10**9)[log_before:]


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/rpc/echo.v1.EchoService/EchoPost", {"content-type": "text/plain"}, 415),
        ("/rpc/echo.v1.EchoService/Nope", {"content-type": "application/json"}, 404),
        ("/secure/echo.v1.EchoService/EchoPost", {"content-type": "application/json"}, 401),
        (
            "/rpc/echo.v1.EchoService/Repeat",
            {"content-type": "application/connect+json", "connect-timeout-ms": "x"},
            200,
        ),
    ],
    ids=["bad-content-type", "unknown-method", "dependency", "bad-timeout"],
)
def test_refusal_keeps_h2_connection(
    fastapi_hypercorn: Server, path: str, headers: dict[str, str], status: int
) -> None:
    """The body arrives after the server could have answered; the connection must survive."""
    with H2Stream(fastapi_hypercorn.port, path, headers) as s:
        s.wait(lambda: s.ended, timeout=0.3)
        s.send(b"{}" * 32, end=True)
        assert s.wait(lambda: s.ended)
        assert s.status == status
        assert s.ping(), "the server dropped the HTTP/2 connection"


@pytest.mark.parametrize("prefix", ["/rpc", "/bare/rpc"])
def test_send_headers_opens_the_stream_early(fserver: Server, prefix: str) -> None:
    """``await ctx.send_headers()`` under FastAPI: the head (with the app middleware's header)
    arrives long before the first message."""
    request = {
        "message": "__headers_first__",
        "count": 1,
        "delayMs": 1500,
        "responseHeaders": {"x-early": "yes"},
    }
    with http_client(fserver) as http:
        start = time.monotonic()
        with http.stream(
            "POST",
            prefix + "/echo.v1.EchoService/Repeat",
            content=json_envelope(request),
            headers=STREAM_JSON,
        ) as r:
            head_at = time.monotonic() - start
            assert r.status_code == 200
            assert r.headers["x-early"] == "yes"
            assert r.headers["x-custom-middleware"] == "seen"
            assert r.headers["x-interceptor"] == "asgi"  # set by an interceptor before the call
            assert "x-too-late" not in r.headers
            body = r.read()
        total = time.monotonic() - start
    assert head_at < 1.0 <= total, (head_at, total)
    assert json.loads(envelopes(body)[0][1])["message"] == "__headers_first__"
    assert "error" not in end_stream(body)


@pytest.mark.parametrize("prefix", ["/rpc", "/sync"], ids=["async", "sync"])
def test_h2_stream_reply_ends_after_a_declared_body(fastapi_hypercorn: Server, prefix: str) -> None:
    """As the core app does (see tests/e2e/test_body_drain.py), for async and sync services."""
    from e2e.test_body_drain import h2_refused_stream_waits_for_its_body

    h2_refused_stream_waits_for_its_body(
        fastapi_hypercorn.port, prefix + "/echo.v1.EchoService/Repeat"
    )


def test_refused_stream_drains_past_the_message_limit() -> None:
    """A stream refused for a message over ``read_max_bytes`` still reads the rest of its body
    before the response ends, within the core's drain policy (twice the limit plus 1 MiB),
    not just up to the limit: a server that ends a response with request bytes unread may
    reset the connection under it (granian did, in the conformance suite)."""
    import asyncio

    from connect_fastapi import ConnectRouter
    from fastapi import FastAPI
    from servers.echo_service import AsyncEcho

    app = FastAPI()
    app.include_router(ConnectRouter(AsyncEcho(), read_max_bytes=1024))
    first = b"\x00" + (2000).to_bytes(4, "big") + b"\x00" * 2000
    chunks = [first] + [b"\x00" * 1000] * 8
    read: list[int] = []
    ended_after: list[int] = []

    async def receive() -> dict[str, object]:
        if len(read) < len(chunks):
            read.append(len(read))
            last = len(read) == len(chunks)
            return {"type": "http.request", "body": chunks[len(read) - 1], "more_body": not last}
        await asyncio.sleep(10)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            ended_after.append(len(read))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/echo.v1.EchoService/Collect",
        "raw_path": b"/echo.v1.EchoService/Collect",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/connect+proto")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 5))
    assert ended_after == [len(chunks)], "the response ended before the body was read"
