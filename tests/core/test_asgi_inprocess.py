"""The ASGI application driven in-process (no server): fast checks of the I/O layer."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import pytest
from echo.v1.echo_connect import EchoServiceASGIApplication
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from servers.echo_service import AsyncEcho

from connect_core import Code, ConnectError, RequestContext

from .drivers import ASGIDriver, asgi_call

pytestmark = pytest.mark.timeout(30)

APP = EchoServiceASGIApplication(AsyncEcho())
PROTO = [("content-type", "application/proto")]
STREAM = [("content-type", "application/connect+proto")]


def env(msg: EchoRequest, flags: int = 0) -> bytes:
    data = msg.SerializeToString()
    return bytes([flags]) + len(data).to_bytes(4, "big") + data


def frames(body: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 0
    while pos < len(body):
        size = int.from_bytes(body[pos + 1 : pos + 5], "big")
        out.append((body[pos], body[pos + 5 : pos + 5 + size]))
        pos += 5 + size
    assert pos == len(body)
    return out


def test_unary() -> None:
    r = asgi_call(
        APP,
        "POST",
        "/echo.v1.EchoService/Echo",
        headers=PROTO,
        body=EchoRequest(message="in-process").SerializeToString(),
    )
    assert r.status == 200
    assert r.headers["content-type"] == "application/proto"
    assert int(r.headers["content-length"]) == len(r.body)
    assert EchoResponse.FromString(r.body).message == "in-process"


def test_unary_body_split_across_receive_messages() -> None:
    data = EchoRequest(message="split", payload=b"p" * 100).SerializeToString()
    pieces = [data[i : i + 7] for i in range(0, len(data), 7)]
    r = asgi_call(APP, "POST", "/echo.v1.EchoService/Echo", headers=PROTO, body=pieces)
    assert EchoResponse.FromString(r.body).payload == b"p" * 100


def test_mounted_under_prefix() -> None:
    r = asgi_call(
        APP,
        "POST",
        "/api/rpc/echo.v1.EchoService/Echo",
        headers=PROTO,
        body=EchoRequest(message="prefixed").SerializeToString(),
    )
    assert r.status == 200
    assert EchoResponse.FromString(r.body).message == "prefixed"


def test_unknown_path() -> None:
    r = asgi_call(APP, "POST", "/echo.v1.EchoService/Missing", headers=PROTO)
    assert r.status == 404
    assert json.loads(r.body)["code"] == "unimplemented"


def test_get() -> None:
    r = asgi_call(
        APP,
        "GET",
        "/echo.v1.EchoService/Echo",
        query=b"connect=v1&encoding=json&message=%7B%22message%22%3A%22q%22%7D",
    )
    assert r.status == 200
    assert json.loads(r.body)["httpMethod"] == "GET"


def test_unary_body_over_limit_is_refused_while_reading() -> None:
    app = EchoServiceASGIApplication(AsyncEcho(), read_max_bytes=1000)
    driver = ASGIDriver(
        app,
        "POST",
        "/echo.v1.EchoService/Echo",
        headers=PROTO,
        body=[b"\x0a" * 600, b"\x0a" * 600, b"\x0a" * 600, b"\x0a" * 600],
    )
    r = asyncio.run(driver.run())
    assert r.status == 429
    assert json.loads(r.body)["code"] == "resource_exhausted"


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("POST", "/echo.v1.EchoService/Nope", PROTO, 404),
        ("POST", "/echo.v1.EchoService/Echo", [("content-type", "text/plain")], 415),
        ("DELETE", "/echo.v1.EchoService/Echo", PROTO, 405),
        ("POST", "/echo.v1.EchoService/Echo", [*PROTO, ("connect-timeout-ms", "x")], 400),
        ("POST", "/echo.v1.EchoService/Echo", [*PROTO, ("content-encoding", "lz4")], 501),
        ("POST", "/echo.v1.EchoService/Collect", STREAM, 200),
    ],
    ids=["404", "415", "405", "bad-timeout", "bad-encoding", "stream-error"],
)
def test_refusal_reads_request_body_before_completing(
    method: str, path: str, headers: list[tuple[str, str]], status: int
) -> None:
    """A refused request's (small) body is read before the response completes.

    Hypercorn's HTTP/2 server drops the whole connection when DATA arrives for a stream whose
    response already completed (see tests/e2e/test_streaming_io.py), so the application must
    consume what is left of the body first.
    """
    body = (
        [b"\x00\xff\xff\xff\xff", b"x" * 10, b"y" * 10]
        if status == 200
        else [b"a" * 10, b"b" * 10, b"c" * 10]
    )
    driver = ASGIDriver(APP, method, path, headers=headers, body=body)
    completed_with_body_read: list[bool] = []
    send = driver._send

    async def watch(message):  # type: ignore[no-untyped-def]
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            completed_with_body_read.append(driver.body_read)
        await send(message)

    driver._send = watch  # type: ignore[method-assign]
    r = asyncio.run(driver.run())
    assert r.status == status
    assert completed_with_body_read == [True]


def test_server_stream_chunks_sent_per_message() -> None:
    r = asgi_call(
        APP,
        "POST",
        "/echo.v1.EchoService/Repeat",
        headers=STREAM,
        body=env(EchoRequest(message="m", count=3)),
    )
    assert r.status == 200
    assert "content-length" not in r.headers
    assert len(r.chunks) == 4  # three messages and the end-of-stream message
    fs = frames(r.body)
    assert [f for f, _ in fs] == [0, 0, 0, 2]
    assert json.loads(fs[-1][1]) == {}


def test_client_stream_envelopes_straddling_receives() -> None:
    body = b"".join(env(EchoRequest(message=w)) for w in ["a", "b", "c"])
    r = asgi_call(
        APP,
        "POST",
        "/echo.v1.EchoService/Collect",
        headers=STREAM,
        body=[body[i : i + 2] for i in range(0, len(body), 2)],
    )
    fs = frames(r.body)
    assert EchoResponse.FromString(fs[0][1]).message == "a b c"


def test_lifespan() -> None:
    sent = []
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]

    async def receive():  # type: ignore[no-untyped-def]
        return messages.pop(0)

    async def send(m):  # type: ignore[no-untyped-def]
        sent.append(m["type"])

    asyncio.run(APP({"type": "lifespan"}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_disconnect_cancels_server_stream() -> None:
    """The client goes away after the first message: the handler is cancelled promptly."""
    log: list[str] = []

    class Slow(AsyncEcho):
        async def repeat(self, request, ctx) -> AsyncIterator[EchoResponse]:  # type: ignore[no-untyped-def, override]
            try:
                for i in range(1000):
                    yield EchoResponse(index=i)
                    await asyncio.sleep(0.05)
            except asyncio.CancelledError:
                log.append("cancelled")
                raise
            finally:
                log.append("finally")

    app = EchoServiceASGIApplication(Slow())
    driver = ASGIDriver(
        app,
        "POST",
        "/echo.v1.EchoService/Repeat",
        headers=STREAM,
        body=env(EchoRequest()),
        disconnect_after_chunks=1,
    )
    start = time.monotonic()
    asyncio.run(asyncio.wait_for(driver.run(), 5))
    assert time.monotonic() - start < 1
    assert "finally" in log
    assert len(driver.chunks) == 1


def test_disconnect_cancels_bidi_waiting_for_input() -> None:
    """A bidi handler blocked on the next request message ends when the client goes away."""
    log: list[str] = []

    class Waiting(AsyncEcho):
        async def chat(self, request, ctx) -> AsyncIterator[EchoResponse]:  # type: ignore[no-untyped-def, override]
            try:
                async for m in request:
                    yield EchoResponse(message=m.message)
            finally:
                log.append("finally")

    app = EchoServiceASGIApplication(Waiting())

    async def run() -> None:
        driver = ASGIDriver(
            app,
            "POST",
            "/echo.v1.EchoService/Chat",
            headers=STREAM,
            body=[env(EchoRequest(message="1")), b""],
        )
        driver.body_messages[-1]["more_body"] = True  # the body never ends...
        task = asyncio.create_task(driver.run())
        await asyncio.sleep(0.2)
        assert driver.chunks and not driver.complete
        driver.disconnected.set()  # ...until the client disconnects
        await asyncio.wait_for(task, 3)

    asyncio.run(run())
    assert log == ["finally"]


def test_unary_deadline_cancels_handler() -> None:
    log: list[str] = []

    class Slow(AsyncEcho):
        async def echo(self, request, ctx):  # type: ignore[no-untyped-def, override]
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                log.append("cancelled")
                raise
            return EchoResponse()

    app = EchoServiceASGIApplication(Slow())
    start = time.monotonic()
    r = asgi_call(
        app,
        "POST",
        "/echo.v1.EchoService/Echo",
        headers=[*PROTO, ("connect-timeout-ms", "30")],
        body=b"",
    )
    assert time.monotonic() - start < 1
    assert r.status == 504
    assert json.loads(r.body)["code"] == "deadline_exceeded"
    assert log == ["cancelled"]


def test_handler_timeout_error_is_not_a_deadline() -> None:
    """A TimeoutError the handler raises itself is an internal error, not deadline_exceeded."""

    class Raises(AsyncEcho):
        async def echo(self, request, ctx):  # type: ignore[no-untyped-def, override]
            raise TimeoutError("my own")

    app = EchoServiceASGIApplication(Raises())
    r = asgi_call(
        app,
        "POST",
        "/echo.v1.EchoService/Echo",
        headers=[*PROTO, ("connect-timeout-ms", "5000")],
        body=b"",
    )
    assert json.loads(r.body)["code"] == "internal"


def test_unexpected_exception_is_internal_without_leaking(caplog) -> None:  # type: ignore[no-untyped-def]
    class Boom(AsyncEcho):
        async def echo(self, request, ctx):  # type: ignore[no-untyped-def, override]
            raise RuntimeError("secret detail")

    app = EchoServiceASGIApplication(Boom())
    r = asgi_call(app, "POST", "/echo.v1.EchoService/Echo", headers=PROTO, body=b"")
    assert r.status == 500
    assert json.loads(r.body)["code"] == "internal"
    assert b"secret" not in r.body
    assert any("secret detail" in str(rec.exc_info) for rec in caplog.records)


def test_wrong_response_type_is_internal(caplog: pytest.LogCaptureFixture) -> None:
    """The client gets ``internal``; the server's log says what the handler did wrong, with
    "returned" for a unary reply and "yielded" for a stream item."""

    class Wrong(AsyncEcho):
        async def echo(self, request, ctx):  # type: ignore[no-untyped-def, override]
            return EchoRequest()

        async def repeat(self, request, ctx):  # type: ignore[no-untyped-def, override]
            yield EchoRequest()

    app = EchoServiceASGIApplication(Wrong())
    r = asgi_call(app, "POST", "/echo.v1.EchoService/Echo", headers=PROTO, body=b"")
    assert r.status == 500
    assert "EchoRequest" in json.loads(r.body)["message"]
    r = asgi_call(
        app, "POST", "/echo.v1.EchoService/Repeat", headers=STREAM, body=env(EchoRequest(count=1))
    )
    error = json.loads(frames(r.body)[-1][1])["error"]
    assert error["code"] == "internal"
    logged = [rec.getMessage() for rec in caplog.records if rec.name == "connect_core"]
    assert "echo.v1.EchoService/Echo handler returned EchoRequest" in logged[0]
    assert "echo.v1.EchoService/Repeat handler yielded EchoRequest" in logged[1]


def test_interceptor_refusal_over_asgi() -> None:
    class Auth:
        async def on_start(self, ctx: RequestContext) -> None:
            if ctx.request_headers().get("authorization") != "Bearer ok":
                raise ConnectError(Code.UNAUTHENTICATED, "missing token")

    app = EchoServiceASGIApplication(AsyncEcho(), interceptors=[Auth()])
    r = asgi_call(app, "POST", "/echo.v1.EchoService/Echo", headers=PROTO, body=b"")
    assert (r.status, json.loads(r.body)["code"]) == (401, "unauthenticated")
    r = asgi_call(
        app, "POST", "/echo.v1.EchoService/Repeat", headers=STREAM, body=env(EchoRequest(count=1))
    )
    assert json.loads(frames(r.body)[-1][1])["error"]["code"] == "unauthenticated"
    r = asgi_call(
        app,
        "POST",
        "/echo.v1.EchoService/Echo",
        headers=[*PROTO, ("authorization", "Bearer ok")],
        body=b"",
    )
    assert r.status == 200
