"""``connect_core.server``, the seam adapters build on: its parts, and a protocol of another
shape (enveloped unary calls, HTTP trailers) served through it with no adapter change."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
from echo.v1.echo_connect import ECHO_SERVICE_INFO
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from servers.echo_service import AsyncEcho, SyncEcho

from connect_core import Code, ConnectError, Headers
from connect_core._protocol.envelope import encode_envelope
from connect_core.server import (
    HTTP_STATUS_CODES,
    BodyReader,
    Call,
    DrainPolicy,
    Refusal,
    Service,
    asgi_sends_trailers,
    chunks_in_thread,
    code_for_status,
    drain,
    error_for_status,
    reply_chunks,
    serve_asgi,
)
from connect_core.server._endpoints import build_endpoints

from .trailers_app import protocols as protocols_of_trailers

ECHO = "/echo.v1.EchoService/Echo"
REPEAT = "/echo.v1.EchoService/Repeat"
PROTO_HEAD = Headers({"content-type": "application/proto"})


# -- the parts --------------------------------------------------------------------------------


def test_body_reader_enforces_limit_and_declared_length() -> None:
    reader = BodyReader(10, declared=6)
    reader.feed(b"abc")
    reader.feed(b"def")
    assert reader.finish() == b"abcdef"
    short = BodyReader(10, declared=6)
    short.feed(b"abc")
    with pytest.raises(ConnectError) as info:
        short.finish()
    assert info.value.code is Code.INVALID_ARGUMENT
    assert "3 of the 6 bytes" in info.value.message
    big = BodyReader(4)
    big.feed(b"abcd")
    with pytest.raises(ConnectError) as info:
        big.feed(b"e")
    assert info.value.code is Code.RESOURCE_EXHAUSTED
    unlimited = BodyReader(0)
    unlimited.feed(b"x" * 100)
    assert len(unlimited.finish()) == 100


def test_service_finds_its_descriptor_and_flavour() -> None:
    assert Service(AsyncEcho()).info is ECHO_SERVICE_INFO
    assert Service(AsyncEcho()).is_async
    assert not Service(SyncEcho()).is_async
    with pytest.raises(TypeError, match="pass info=X_SERVICE_INFO"):
        Service(object())


def test_start_gives_a_call_or_a_complete_refusal() -> None:
    service = Service(AsyncEcho())
    unknown = service.start("POST", "/echo.v1.EchoService/Nope", PROTO_HEAD)
    assert isinstance(unknown, Refusal) and unknown.status == 404
    assert b"unimplemented" in unknown.body
    verb = service.start("PUT", ECHO, PROTO_HEAD)
    assert isinstance(verb, Refusal) and verb.status == 405
    assert ("allow", "GET, POST") in verb.headers
    call = service.start("POST", "/mounted/under/a/prefix" + ECHO, PROTO_HEAD, request="req")
    assert isinstance(call, Call) and not call.streams
    assert call.context.request == "req"
    stream = service.start("POST", REPEAT, Headers({"content-type": "application/connect+proto"}))
    assert isinstance(stream, Call) and stream.streams and not stream.needs_http_trailers


def test_a_refusal_carries_the_drain_policy_of_its_endpoint() -> None:
    service = Service(AsyncEcho(), read_max_bytes=1000)
    refusal = service.start("POST", ECHO, Headers({"content-type": "text/plain"}))
    assert isinstance(refusal, Refusal) and refusal.status == 415
    assert refusal.drain == DrainPolicy.for_limit(1000)
    assert refusal.drain.max_bytes == 2 * 1000 + (1 << 20)


def test_errors_raised_around_a_handler_use_one_status_table() -> None:
    assert code_for_status(401) is Code.UNAUTHENTICATED
    assert code_for_status(403) is Code.PERMISSION_DENIED
    assert code_for_status(404) is Code.NOT_FOUND
    assert code_for_status(418) is Code.UNKNOWN
    assert code_for_status(507) is Code.INTERNAL
    assert error_for_status(429, "slow down").code is HTTP_STATUS_CODES[429]
    endpoint = Service(AsyncEcho()).endpoints[REPEAT]
    stream_head = Headers({"content-type": "application/connect+json"})
    refusal = endpoint.refuse(error_for_status(403, "no"), "POST", stream_head, [("x-a", "1")])
    assert refusal.status == 200  # a stream's error travels in its end-of-stream message
    assert ("content-type", "application/connect+json") in refusal.headers
    assert ("x-a", "1") in refusal.headers
    assert b"permission_denied" in refusal.body


async def _chunks(*parts: bytes):  # type: ignore[no-untyped-def]
    for p in parts:
        yield p


def test_drain_stops_at_its_byte_cap_and_at_a_pause() -> None:
    async def run() -> None:
        seen: list[int] = []

        async def endless():  # type: ignore[no-untyped-def]
            i = 0
            while True:
                seen.append(i)
                i += 1
                yield b"x" * 10

        await drain(endless(), DrainPolicy(max_bytes=35))
        assert len(seen) == 4  # 40 bytes: over the cap

        async def pauses():  # type: ignore[no-untyped-def]
            yield b"x"
            await asyncio.sleep(10)
            yield b"never"

        started = asyncio.get_running_loop().time()
        await drain(pauses(), DrainPolicy(max_bytes=100, idle_seconds=0.05))
        assert asyncio.get_running_loop().time() - started < 1

    asyncio.run(run())


def test_chunks_in_thread_steps_and_closes_a_sync_stream_off_the_loop() -> None:
    events: list[tuple[str, bool]] = []

    def stream():  # type: ignore[no-untyped-def]
        try:
            for i in range(5):
                events.append(("step", threading.current_thread() is threading.main_thread()))
                yield b"%d" % i
        finally:
            events.append(("closed", threading.current_thread() is threading.main_thread()))

    async def run() -> list[bytes]:
        chunks = chunks_in_thread(stream(), asyncio.to_thread)
        got = [await anext(chunks), await anext(chunks)]
        await chunks.aclose()  # the client went away: the handler's generator is closed
        return got

    assert asyncio.run(run()) == [b"0", b"1"]
    assert events == [("step", False), ("step", False), ("closed", False)]


def test_chunks_in_thread_dropped_unclosed_still_closes_off_the_loop() -> None:
    closed_on_loop: list[bool] = []

    def stream():  # type: ignore[no-untyped-def]
        try:
            while True:
                yield b"x"
        finally:
            closed_on_loop.append(threading.current_thread() is threading.main_thread())

    async def run() -> None:
        chunks = chunks_in_thread(stream(), asyncio.to_thread)
        assert await anext(chunks) == b"x"
        del chunks  # a framework that drops the stream when its client goes away
        for _ in range(200):
            if closed_on_loop:
                return
            await asyncio.sleep(0.01)

    asyncio.run(run())
    assert closed_on_loop == [False]  # closed, and in a worker thread, not on the loop


def test_reply_chunks_paces_the_stream_then_drains_the_rest_of_the_body() -> None:
    call = Service(AsyncEcho()).start(
        "POST", "/echo.v1.EchoService/Chat", Headers({"content-type": "application/connect+proto"})
    )
    assert isinstance(call, Call)
    turns = 0
    body_read: list[bytes] = []

    async def reply():  # type: ignore[no-untyped-def]
        for i in range(160):  # never awaits: only the pacing lets other tasks run
            yield b"%d" % i

    async def body():  # type: ignore[no-untyped-def]
        for part in (b"a", b"b", b"c"):
            body_read.append(part)
            yield part

    async def count_turns() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    async def run() -> list[bytes]:
        counter = asyncio.ensure_future(count_turns())
        await asyncio.sleep(0)
        got = [chunk async for chunk in reply_chunks(call, reply(), body())]
        counter.cancel()
        return got

    assert asyncio.run(run()) == [b"%d" % i for i in range(160)]
    assert turns >= 160 // 16  # the loop had a turn every 16 messages
    assert body_read == [b"a", b"b", b"c"]  # and the unread body was drained after the end


# -- another protocol through the same adapter ------------------------------------------------


def _app(service: object, is_async: bool):  # type: ignore[no-untyped-def]
    protocols = protocols_of_trailers()
    endpoints = build_endpoints(
        service, ECHO_SERVICE_INFO, {}, is_async=is_async, protocols=protocols
    )

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        ep = endpoints[scope["path"]]
        target = ep.start(
            scope["method"],
            Headers.from_raw(scope["headers"]),
            http_trailers=asgi_sends_trailers(scope),
        )
        await serve_asgi(target, receive, send)

    return app


def _call(
    app: Any, path: str, content_type: str, body: bytes, *, trailers: bool = True
) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(b"content-type", content_type.encode()), (b"te", b"trailers")],
        "query_string": b"",
        "extensions": {"http.response.trailers": {}} if trailers else {},
    }
    asyncio.run(app(scope, receive, send))
    return sent


@pytest.mark.parametrize("flavour", ["async", "sync"])
def test_a_protocol_with_http_trailers_needs_no_adapter_change(flavour: str) -> None:
    service = AsyncEcho() if flavour == "async" else SyncEcho()
    app = _app(service, flavour == "async")
    request = EchoRequest(message="hi", response_trailers={"x-t": "1"}).SerializeToString()
    sent = _call(app, ECHO, "application/x-trailers", encode_envelope(0, request))
    start, *bodies, trailers = sent
    assert start["type"] == "http.response.start" and start["trailers"] is True
    body = b"".join(m["body"] for m in bodies)
    assert EchoResponse.FromString(body[5:]).message == "hi"  # one enveloped unary reply
    assert trailers["type"] == "http.response.trailers"
    assert dict(trailers["headers"]) == {b"x-status": b"ok", b"x-t": b"1"}
    # The same endpoint still speaks Connect to a Connect request.
    sent = _call(app, ECHO, "application/proto", request)
    assert sent[0]["status"] == 200 and "trailers" not in sent[0]
    assert EchoResponse.FromString(sent[1]["body"]).message == "hi"
    assert (b"trailer-x-t", b"1") in sent[0]["headers"]


@pytest.mark.parametrize("flavour", ["async", "sync"])
def test_a_protocol_with_http_trailers_is_refused_where_the_server_sends_none(
    flavour: str,
) -> None:
    """Under a server without the ASGI trailers extension (uvicorn) a call of a protocol that
    needs trailers is refused readably, its error in the response itself: never answered
    with the trailers dropped. Connect calls are served as before."""
    service = AsyncEcho() if flavour == "async" else SyncEcho()
    app = _app(service, flavour == "async")
    request = EchoRequest(message="hi").SerializeToString()
    sent = _call(app, ECHO, "application/x-trailers", encode_envelope(0, request), trailers=False)
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert "trailers" not in sent[0] and sent[1]["body"] == b""
    head = dict(sent[0]["headers"])
    assert head[b"x-status"] == b"unimplemented"
    assert b"HTTP trailers, which this server does not send" in head[b"x-message"]
    sent = _call(app, ECHO, "application/proto", request, trailers=False)
    assert sent[0]["status"] == 200
    assert EchoResponse.FromString(sent[1]["body"]).message == "hi"


def test_asgi_sends_trailers_reads_the_scope() -> None:
    te = [(b"te", b"trailers")]
    assert asgi_sends_trailers({"extensions": {"http.response.trailers": {}}, "headers": te})
    assert not asgi_sends_trailers({"extensions": {"http.response.trailers": {}}, "headers": []})
    assert not asgi_sends_trailers({"extensions": {}, "headers": te})
    assert not asgi_sends_trailers({"extensions": None, "headers": te})
    assert not asgi_sends_trailers({"headers": te})


# -- answering outside every procedure -------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "headers", "query", "expected"),
    [
        ("POST", {"content-type": "application/proto"}, {}, True),
        ("POST", {"Content-Type": "Application/Connect+JSON"}, {}, True),
        ("POST", {"content-type": "application/json", "connect-protocol-version": "1"}, {}, True),
        ("POST", {"content-type": "application/json"}, {}, False),
        ("GET", {}, {"connect": "v1", "encoding": "json"}, True),
        ("GET", {}, {"encoding": "json"}, False),
        ("POST", {}, {"connect": "v1"}, False),
    ],
)
def test_speaks_connect_by_the_request_head(
    method: str, headers: dict[str, str], query: dict[str, str], expected: bool
) -> None:
    from connect_core.server import speaks_connect

    assert speaks_connect(method, Headers(headers), query) is expected


def test_status_refusal_answers_in_connects_unary_format() -> None:
    from connect_core.server import not_found, status_refusal

    refusal = status_refusal(404, "Not Found", "/rpc/nope.v1.Nope/Call")
    assert refusal.status == 404
    assert refusal.headers == [("content-type", "application/json")]
    assert json.loads(refusal.body) == {
        "code": "unimplemented",
        "message": "no procedure at /rpc/nope.v1.Nope/Call",
    }
    assert refusal.body == not_found("/rpc/nope.v1.Nope/Call").body
    refusal = status_refusal(401, "sign in", "/x", [("www-authenticate", "Bearer")])
    assert refusal.status == 401
    assert ("www-authenticate", "Bearer") in refusal.headers
    assert json.loads(refusal.body) == {"code": "unauthenticated", "message": "sign in"}
    refusal = status_refusal(422, "bad field", "/x")  # the code's own status, as Connect maps
    assert (refusal.status, json.loads(refusal.body)["code"]) == (400, "invalid_argument")


# -- a framework's HTTP errors inside handlers (Service's http_errors) ----------------------


class _Teapot(Exception):
    """A framework's HTTP error, as an adapter knows it."""


def _translate(exc: Exception) -> tuple[ConnectError, list[tuple[str, str]]] | None:
    if isinstance(exc, _Teapot):
        return error_for_status(429, "slow down"), [("retry-after", "7")]
    return None


class _RaisingSync(SyncEcho):
    def echo(self, request: EchoRequest, ctx: Any) -> EchoResponse:
        if request.message == "teapot":
            raise _Teapot
        if request.message == "bug":
            raise LookupError("a bug")
        raise ConnectError(Code.ABORTED, "as it is")

    def repeat(self, request: EchoRequest, ctx: Any) -> Any:
        yield EchoResponse(message="first")
        raise _Teapot


class _RaisingAsync(AsyncEcho):
    async def echo(self, request: EchoRequest, ctx: Any) -> EchoResponse:
        raise _Teapot

    async def repeat(self, request: EchoRequest, ctx: Any) -> Any:
        yield EchoResponse(message="first")
        raise _Teapot


def _envelopes(body: bytes) -> list[tuple[int, bytes]]:
    out = []
    while body:
        flags, size = body[0], int.from_bytes(body[1:5], "big")
        out.append((flags, body[5 : 5 + size]))
        body = body[5 + size :]
    return out


def test_http_errors_in_a_sync_handler_are_translated_with_their_headers() -> None:
    service = Service(_RaisingSync(), http_errors=_translate)
    for message, status, code, headers in (
        ("teapot", 429, "resource_exhausted", [("retry-after", "7")]),
        ("bug", 500, "internal", []),  # not the framework's: the usual way
        ("other", 409, "aborted", []),  # a ConnectError is left as it is
    ):
        call = service.start("POST", ECHO, PROTO_HEAD)
        assert isinstance(call, Call)
        reply = call.run_unary_sync(EchoRequest(message=message).SerializeToString())
        assert reply.status == status
        assert json.loads(reply.body)["code"] == code
        assert [h for h in reply.headers if h[0] == "retry-after"] == headers
    stream = service.start("POST", REPEAT, Headers({"content-type": "application/connect+proto"}))
    assert isinstance(stream, Call)
    opened = stream.open_stream_sync(iter([encode_envelope(0, EchoRequest().SerializeToString())]))
    frames = _envelopes(b"".join(opened.chunks))
    assert ("retry-after", "7") not in opened.headers  # sent before the error
    assert frames[0] == (0, EchoResponse(message="first").SerializeToString())
    end = json.loads(frames[-1][1])
    assert end["error"] == {"code": "resource_exhausted", "message": "slow down"}
    assert end["metadata"]["retry-after"] == ["7"]  # a trailer, after the first message


def test_http_errors_in_an_async_handler_are_translated_with_their_headers() -> None:
    service = Service(_RaisingAsync(), http_errors=_translate)

    async def main() -> None:
        call = service.start("POST", ECHO, PROTO_HEAD)
        assert isinstance(call, Call)
        reply = await call.run_unary(EchoRequest().SerializeToString())
        assert (reply.status, json.loads(reply.body)["code"]) == (429, "resource_exhausted")
        assert ("retry-after", "7") in reply.headers
        stream = service.start(
            "POST", REPEAT, Headers({"content-type": "application/connect+proto"})
        )
        assert isinstance(stream, Call)

        async def body() -> Any:
            yield encode_envelope(0, EchoRequest().SerializeToString())

        opened = await stream.open_stream(body())
        chunks = b"".join([chunk async for chunk in opened.chunks])
        end = json.loads(_envelopes(chunks)[-1][1])
        assert end["error"]["code"] == "resource_exhausted"
        assert end["metadata"]["retry-after"] == ["7"]

    asyncio.run(main())


def test_without_http_errors_a_framework_error_is_internal() -> None:
    call = Service(_RaisingSync()).start("POST", ECHO, PROTO_HEAD)
    assert isinstance(call, Call)
    reply = call.run_unary_sync(EchoRequest(message="teapot").SerializeToString())
    assert (reply.status, json.loads(reply.body)["code"]) == (500, "internal")


def test_an_answer_outside_every_procedure_is_in_the_requests_protocol() -> None:
    """The protocol a request head speaks renders the answer to a path no procedure claims
    (nothing outside the protocol writes its bytes)."""
    from connect_core.server._outside import not_found_among

    protocols = tuple(protocols_of_trailers())
    head = Headers({"content-type": "application/x-trailers"})
    refusal = not_found_among("/nope.v1.Nope/Call", "POST", head, protocols)
    assert (refusal.status, refusal.body) == (200, b"")
    assert refusal.trailers == [
        ("x-status", "unimplemented"),
        ("x-message", "no procedure at /nope.v1.Nope/Call"),
    ]
    connect = not_found_among("/nope.v1.Nope/Call", "POST", PROTO_HEAD, protocols)
    assert (connect.status, json.loads(connect.body)["code"]) == (404, "unimplemented")
    assert connect.trailers == []


def test_a_refused_head_is_rendered_by_its_protocol() -> None:
    """A wrong verb is the protocol's HTTP-level refusal; a bad header its error, framed as
    the protocol frames that method."""
    service = Service(AsyncEcho())
    verb = service.start("DELETE", REPEAT, Headers({"content-type": "application/connect+proto"}))
    assert isinstance(verb, Refusal)
    assert (verb.status, verb.headers[0]) == (405, ("content-type", "text/plain; charset=utf-8"))
    bad = service.start(
        "POST",
        REPEAT,
        Headers({"content-type": "application/connect+proto", "connect-timeout-ms": "soon"}),
    )
    assert isinstance(bad, Refusal) and bad.status == 200  # a stream's error is its end
    assert bad.headers[0] == ("content-type", "application/connect+proto")
