"""Flask around Connect views, over real servers: hooks and ``abort`` mapping, ``g`` and the
request in handlers (while streaming too), app error handlers, ``after_request``,
Flask-Login sessions, Flask-CORS, async unary services, the extension form, Flask's limits."""

from __future__ import annotations

import json
import socket
import struct
import time
import uuid

import httpx
import pytest
from echo.v1.echo_connect import EchoServiceClientSync
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from servers.flask_features import ORIGIN
from servers.integrations import ServerPool
from servers.run import FLASK_DEV, RunningServer

from connect_core import JSON, Code, ConnectError

pytestmark = pytest.mark.timeout(60)

SVC = "/echo.v1.EchoService/"
JSON_HEADERS = {"connect-protocol-version": "1"}
STREAM_PROTO = {"content-type": "application/connect+proto"}
FEATURES = "servers.flask_features:app"


def envelope(data: bytes, flags: int = 0) -> bytes:
    return bytes([flags]) + len(data).to_bytes(4, "big") + data


def envelopes(body: bytes) -> list[tuple[int, bytes]]:
    out = []
    pos = 0
    while pos < len(body):
        size = int.from_bytes(body[pos + 1 : pos + 5], "big")
        out.append((body[pos], body[pos + 5 : pos + 5 + size]))
        pos += 5 + size
    return out


def stream_messages(body: bytes) -> tuple[list[EchoResponse], dict[str, object]]:
    """The messages of a Connect stream body and its parsed end-of-stream message."""
    frames = envelopes(body)
    assert frames and frames[-1][0] == 2, body
    return [EchoResponse.FromString(d) for _, d in frames[:-1]], json.loads(frames[-1][1])


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def http(server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=10)


def client(server: RunningServer, prefix: str, **options: object) -> EchoServiceClientSync:
    return EchoServiceClientSync(server.url + prefix, **options)  # type: ignore[arg-type]


# -- before_request hooks and abort() ------------------------------------------------------


def test_hook_abort_401_and_403_are_connect_errors_for_unary(features: RunningServer) -> None:
    with http(features) as h:
        r = h.post("/secure" + SVC + "Echo", json={"message": "x"}, headers=JSON_HEADERS)
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/json"
        assert r.json() == {"code": "unauthenticated", "message": "missing bearer token"}
        assert "x-interceptor" not in r.headers  # refused before the call started
        r = h.post(
            "/secure" + SVC + "Echo",
            json={"message": "x"},
            headers={**JSON_HEADERS, **bearer("no")},
        )
        assert (r.status_code, r.json()) == (
            403,
            {"code": "permission_denied", "message": "this token may not call"},
        )
    # Our own client sees the same as ConnectErrors, over binary Protobuf.
    with client(features, "/secure") as c, pytest.raises(ConnectError) as info:
        c.echo(EchoRequest(message="x"))
    assert info.value.code is Code.UNAUTHENTICATED


def test_hook_abort_is_a_connect_error_in_stream_framing(features: RunningServer) -> None:
    body = envelope(EchoRequest(message="x", count=2).SerializeToString())
    with http(features) as h:
        r = h.post("/secure" + SVC + "Repeat", content=body, headers=STREAM_PROTO)
        assert r.status_code == 200  # a stream carries its error in its end message
        assert r.headers["content-type"] == "application/connect+proto"
        messages, end = stream_messages(r.content)
        assert messages == []
        assert end["error"] == {"code": "unauthenticated", "message": "missing bearer token"}
        r = h.post("/secure" + SVC + "Chat", content=body, headers={**STREAM_PROTO, **bearer("no")})
        assert stream_messages(r.content)[1]["error"]["code"] == "permission_denied"  # type: ignore[index]
    with client(features, "/secure") as c, pytest.raises(ConnectError) as info:
        list(c.repeat(EchoRequest(count=2), headers=bearer("no")))
    assert info.value.code is Code.PERMISSION_DENIED


def test_hook_may_raise_a_connect_error(features: RunningServer) -> None:
    with client(features, "/secure", codec=JSON) as c:
        with pytest.raises(ConnectError) as info:
            c.echo(EchoRequest(), headers=bearer("quota"))
        assert (info.value.code, info.value.message) == (
            Code.RESOURCE_EXHAUSTED,
            "quota exceeded for today",
        )
        with pytest.raises(ConnectError) as info:
            c.collect(iter([EchoRequest()]), headers=bearer("quota"))
        assert info.value.code is Code.RESOURCE_EXHAUSTED


def test_app_error_handlers_keep_their_say(features: RunningServer) -> None:
    """Flask's order holds: the app's handler for a status, or for its own exception class,
    answers before the blueprint's generic HTTPException handler."""
    with http(features) as h:
        r = h.post("/secure" + SVC + "Echo", json={}, headers={**JSON_HEADERS, **bearer("teapot")})
        assert (r.status_code, r.text) == (418, "short and stout")
        r = h.post("/secure" + SVC + "Echo", json={}, headers={**JSON_HEADERS, **bearer("custom")})
        assert (r.status_code, r.json()) == (409, {"handled": "an app exception"})


def test_abort_in_a_handler_is_its_connect_error(features: RunningServer) -> None:
    with client(features, "/secure", headers=bearer("ada")) as c:
        with pytest.raises(ConnectError) as info:
            c.echo(EchoRequest(message="abort"))
        assert (info.value.code, info.value.message) == (
            Code.PERMISSION_DENIED,
            "the handler says no",
        )
        got = []
        with pytest.raises(ConnectError) as info:
            for message in c.repeat(EchoRequest(message="abort-mid", count=3)):
                got.append(message.index)
        assert got == [0]
        assert info.value.code is Code.PERMISSION_DENIED


def test_abort_in_a_handler_keeps_its_headers(features: RunningServer) -> None:
    """``abort(429, retry_after=7)`` in a handler: ``resource_exhausted`` with its
    description and ``Retry-After`` (response headers before a stream's first message,
    trailers after it), for every stream kind."""

    def check(error: ConnectError) -> None:
        assert (error.code, error.message) == (Code.RESOURCE_EXHAUSTED, "slow down")
        assert error.metadata["retry-after"] == ["7"]

    with client(features, "/secure", headers=bearer("ada")) as c:
        with pytest.raises(ConnectError) as info:
            c.echo(EchoRequest(message="slow"))
        check(info.value)
        with pytest.raises(ConnectError) as info:
            c.collect(iter([EchoRequest(message="a"), EchoRequest(message="slow")]))
        check(info.value)
        for message, wanted in (("slow", []), ("slow-mid", [0])):
            got = []
            with pytest.raises(ConnectError) as info:
                for reply in c.repeat(EchoRequest(message=message, count=3)):
                    got.append(reply.index)
            assert got == wanted
            check(info.value)
        got = []
        with pytest.raises(ConnectError) as info:
            for reply in c.chat(iter([EchoRequest(message="a"), EchoRequest(message="slow-mid")])):
                got.append(reply.index)
        assert got == [0]
        check(info.value)
    with http(features) as h:  # on the wire: the JSON error and the header
        r = h.post(
            "/secure" + SVC + "EchoPost",
            json={"message": "slow"},
            headers={"connect-protocol-version": "1", **bearer("ada")},
        )
        assert (r.status_code, r.json()) == (
            429,
            {"code": "resource_exhausted", "message": "slow down"},
        )
        assert r.headers["retry-after"] == "7"


# -- g, the request and the app in handlers ------------------------------------------------


def test_handlers_see_g_the_flask_request_and_the_app(features: RunningServer) -> None:
    seen = "user=ada path=/secure/echo.v1.EchoService/{} app=servers.flask_features same=True"
    with client(features, "/secure", headers=bearer("ada")) as c:
        assert c.echo(EchoRequest()).message == seen.format("Echo")
        assert c.echo(EchoRequest(), use_get=True).message == seen.format("Echo")
        reply = c.collect(iter([EchoRequest(message="a"), EchoRequest(message="b")]))
        assert reply.message == seen.format("Collect") + " got=a,b"
        # Every message of a stream is produced with the request's context still there.
        repeated = list(c.repeat(EchoRequest(count=3, delay_ms=20)))
        assert [m.message for m in repeated] == [seen.format("Repeat")] * 3
        chatted = list(c.chat(iter([EchoRequest(message="a"), EchoRequest(message="b")])))
        assert [m.message for m in chatted] == [
            seen.format("Chat") + " got=a",
            seen.format("Chat") + " got=b",
        ]


def test_stream_messages_flow_as_produced(gunicorn_features: RunningServer) -> None:
    """A server stream is a generator response: the first message arrives while the handler
    is still sleeping before the next ones (nothing is buffered whole)."""
    body = envelope(EchoRequest(count=3, delay_ms=400).SerializeToString())
    headers = {**STREAM_PROTO, **bearer("ada")}
    with http(gunicorn_features) as h:
        start = time.monotonic()
        with h.stream("POST", "/secure" + SVC + "Repeat", content=body, headers=headers) as r:
            first_at = None
            raw = b""
            for chunk in r.iter_raw():
                raw += chunk
                if first_at is None and len(envelopes_complete(raw)) >= 1:
                    first_at = time.monotonic() - start
            total = time.monotonic() - start
    assert first_at is not None and first_at < 0.3 < 0.7 < total, (first_at, total)
    messages, end = stream_messages(raw)
    assert [m.index for m in messages] == [0, 1, 2] and "error" not in end


def test_client_gone_mid_stream_closes_the_handler_and_the_context(
    server_pool: ServerPool,
) -> None:
    """A client that goes away mid-stream: the handler's generator is closed at its next
    message, then Flask tears the request context down (``teardown_request`` runs), as for a
    stream that ended; nothing is left behind. One process, so the events are seen."""
    server = server_pool.get(FLASK_DEV, FEATURES)
    key = f"track:{uuid.uuid4()}"
    body = envelope(EchoRequest(message=key, count=1000, delay_ms=20).SerializeToString())
    head = (
        f"POST /secure{SVC}Repeat HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/connect+proto\r\nAuthorization: Bearer ada\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + body)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    # The socket is reset: the server's next write fails.
    deadline = time.monotonic() + 10
    events: list[str] = []
    with http(server) as h:
        while time.monotonic() < deadline:
            events = h.get(f"/events/{key}").json()
            if "teardown" in events:
                break
            time.sleep(0.05)
    # Flask 3.1 also runs teardown_request once when the view returns a streamed response
    # (before stream_with_context pushes the context again): what counts is the end.
    assert events[-2:] == ["closed", "teardown"], events
    assert events.count("closed") == 1 and "finished" not in events


def envelopes_complete(raw: bytes) -> list[int]:
    out, pos = [], 0
    while len(raw) - pos >= 5:
        size = int.from_bytes(raw[pos + 1 : pos + 5], "big")
        if len(raw) - pos - 5 < size:
            break
        out.append(raw[pos])
        pos += 5 + size
    return out


def test_after_request_applies_to_connect_responses(features: RunningServer) -> None:
    body = envelope(EchoRequest(count=1).SerializeToString())
    with http(features) as h:
        r = h.post("/secure" + SVC + "Echo", json={}, headers={**JSON_HEADERS, **bearer("ada")})
        assert r.headers["x-after"] == "1" and r.headers["x-interceptor"] == "wsgi"
        r = h.post(
            "/secure" + SVC + "Repeat", content=body, headers={**STREAM_PROTO, **bearer("a")}
        )
        assert r.headers["x-after"] == "1"
        assert len(stream_messages(r.content)[0]) == 1


# -- Flask-Login sessions --------------------------------------------------------------------


def test_flask_login_session_auth(features: RunningServer) -> None:
    with http(features) as h:
        r = h.post("/session" + SVC + "Echo", json={}, headers=JSON_HEADERS)
        assert (r.status_code, r.json()["code"]) == (401, "unauthenticated")
        assert h.post("/login", data={"user": "grace"}).status_code == 200
        assert "session" in h.cookies
        r = h.post("/session" + SVC + "Echo", json={}, headers=JSON_HEADERS)
        assert r.status_code == 200
        assert r.json()["message"].startswith("user=grace path=/session/")
        # The session cookie works for our client too.
        cookie = f"session={h.cookies['session']}"
    with client(features, "/session", headers={"cookie": cookie}) as c:
        assert list(c.repeat(EchoRequest(count=2)))[1].message.startswith("user=grace ")


# -- Flask-CORS ------------------------------------------------------------------------------


def test_cors_preflight_and_call(features: RunningServer) -> None:
    with http(features) as h:
        r = h.options(
            "/cors" + SVC + "Echo",
            headers={
                "origin": ORIGIN,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type,connect-protocol-version,"
                "connect-timeout-ms,authorization",
            },
        )
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == ORIGIN
        assert "POST" in r.headers["access-control-allow-methods"]
        allowed = r.headers["access-control-allow-headers"].lower()
        for name in ("content-type", "connect-protocol-version", "connect-timeout-ms"):
            assert name in allowed
        assert "authorization" in allowed
        assert r.headers["access-control-max-age"] == "7200"
        r = h.options(
            "/cors" + SVC + "Echo",
            headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        )
        assert "access-control-allow-origin" not in r.headers
        r = h.post("/cors" + SVC + "Echo", json={}, headers={**JSON_HEADERS, "origin": ORIGIN})
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == ORIGIN
        exposed = r.headers["access-control-expose-headers"].lower()
        assert "x-after" in exposed and "connect-content-encoding" in exposed


# -- async services --------------------------------------------------------------------------


def test_async_unary_service(features: RunningServer) -> None:
    with client(features, "/async") as c:
        reply = c.echo(EchoRequest())
        assert reply.message.startswith("async user=async-user path=/async/")
        assert reply.message.endswith("same=True")
        assert c.echo_post(EchoRequest(), codec=JSON).message.startswith("async ")
        with pytest.raises(ConnectError) as info:
            c.echo(EchoRequest(message="abort"))
        assert info.value.code is Code.PERMISSION_DENIED


# -- the extension form and paths outside every blueprint ------------------------------------


def test_extension_form_serves_and_answers_unknown_paths(features: RunningServer) -> None:
    with client(features, "/ext") as c:
        assert c.echo(EchoRequest()).message.startswith("user=None path=/ext/")
    with http(features) as h:
        r = h.post("/nowhere" + SVC + "Echo", json={}, headers=JSON_HEADERS)
        assert r.status_code == 404
        assert r.json() == {
            "code": "unimplemented",
            "message": "no procedure at /nowhere/echo.v1.EchoService/Echo",
        }
        r = h.post("/ext" + SVC + "Nope", json={}, headers=JSON_HEADERS)
        assert (r.status_code, r.json()["code"]) == (404, "unimplemented")
        # A browser (no Connect header) still gets Flask's own 404 page.
        r = h.get("/nowhere")
        assert r.status_code == 404 and "text/html" in r.headers["content-type"]
        assert h.get("/plain").json() == {"plain": True}


def test_a_wrong_verb_outside_every_blueprint_is_connects_for_connect_calls(
    features: RunningServer,
) -> None:
    """The extension form answers Flask's 405 for an app route in Connect's format when the
    call is a Connect one: ``unimplemented`` with its own HTTP status (501) and Flask's
    ``Allow``; a plain client still gets Flask's page."""
    with http(features) as h:
        r = h.get("/login", params={"connect": "v1"})
        assert r.status_code == 501
        assert r.json() == {
            "code": "unimplemented",
            "message": "The method is not allowed for the requested URL.",
        }
        assert "POST" in r.headers["allow"]
        r = h.get("/login")
        assert r.status_code == 405 and "text/html" in r.headers["content-type"]


def test_a_hook_that_read_the_body_leaves_it_for_the_call(features: RunningServer) -> None:
    seen = "user=digest-{} path=/secure/echo.v1.EchoService/{} app=servers.flask_features same=True"
    with client(features, "/secure", headers=bearer("digest")) as c:
        size = len(EchoRequest(message="hello").SerializeToString())
        assert c.echo(EchoRequest(message="hello")).message == seen.format(size, "Echo")
        reply = c.collect(iter([EchoRequest(message="a"), EchoRequest(message="b")]))
        assert reply.message == seen.format(2 * (5 + 3), "Collect") + " got=a,b"


# -- limits ----------------------------------------------------------------------------------


def test_flask_max_content_length_is_resource_exhausted(features: RunningServer) -> None:
    big = EchoRequest(payload=b"x" * (2 * 1024 * 1024)).SerializeToString()
    with http(features) as h:
        r = h.post(
            "/secure" + SVC + "Echo",
            content=big,
            headers={"content-type": "application/proto", **bearer("ada")},
        )
        assert r.status_code == 429
        assert r.headers["content-type"] == "application/json"
        assert r.json()["code"] == "resource_exhausted"
