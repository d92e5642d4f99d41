"""Streaming as it happens on a real connection: incremental delivery, full-duplex bidi over
HTTP/2, and handler cancellation when the client goes away.

Each test runs against every integration (``INTEGRATIONS`` in ``tests/servers/integrations.py``)
that has what it needs: HTTP/2 tests against those tests talk h2c to (granian and pyvoy too),
cancellation tests against those served by one process, ``ctx.send_headers()`` tests against
async services.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from servers.integrations import WireServer

from .h2client import H2Call
from .wire import ECHO, active_count, client_for, envelope, split_envelopes, wait_idle

pytestmark = pytest.mark.timeout(60)


def test_server_stream_messages_arrive_as_produced(server: WireServer) -> None:
    """The first message reaches the client long before the handler finishes."""
    body = envelope(EchoRequest(message="slow", count=3, delay_ms=400).SerializeToString())
    with client_for(server) as client:
        start = time.monotonic()
        arrivals = []
        received = b""
        with client.stream(
            "POST",
            ECHO + "Repeat",
            content=body,
            headers={"content-type": "application/connect+proto"},
        ) as r:
            assert r.status_code == 200
            for chunk in r.iter_raw():
                received += chunk
                arrivals.append((time.monotonic() - start, len(received)))
        total = time.monotonic() - start
    frames = split_envelopes(received)
    assert [f for f, _ in frames] == [0, 0, 0, 2]
    first_message_at = next(t for t, n in arrivals if n >= 5 + len(frames[0][1]))
    assert total >= 1.1
    assert first_message_at < total - 0.6, (first_message_at, total)


def test_bidi_full_duplex_over_h2(h2_server: WireServer) -> None:
    """Message 2 is only sent after reply 1 arrived: the server must answer as it reads."""
    with H2Call(
        "127.0.0.1",
        h2_server.port,
        ECHO + "Chat",
        {"content-type": "application/connect+proto", "x-duplex": "1"},
    ) as call:
        call.send(envelope(EchoRequest(message="one").SerializeToString()))
        [(flags, data)] = call.wait_envelopes(1)
        assert call.status == 200
        assert call.headers["content-type"] == "application/connect+proto"
        assert flags == 0
        reply = EchoResponse.FromString(data)
        assert (reply.message, reply.index) == ("one", 0)
        assert reply.request_headers["x-duplex"] == "1"

        call.send(envelope(EchoRequest(message="two").SerializeToString()))
        frames = call.wait_envelopes(2)
        reply = EchoResponse.FromString(frames[1][1])
        assert (reply.message, reply.index) == ("two", 1)

        call.end()
        call.wait_end()
        frames = call.envelopes()
        assert len(frames) == 3
        flags, data = frames[2]
        assert flags == 2
        end = json.loads(data)
        assert "error" not in end
        assert end["metadata"]["x-interceptor-end"] == ["Chat"]


def test_bidi_full_duplex_error_after_first_reply(h2_server: WireServer) -> None:
    with H2Call(
        "127.0.0.1",
        h2_server.port,
        ECHO + "Chat",
        {"content-type": "application/connect+json"},
    ) as call:
        call.send(envelope(b'{"message": "first"}'))
        [(_, data)] = call.wait_envelopes(1)
        assert json.loads(data)["message"] == "first"
        call.send(envelope(b'{"errorCode": 3, "errorMessage": "bad second"}'), end=True)
        call.wait_end()
        flags, data = call.envelopes()[-1]
        assert flags == 2
        assert json.loads(data)["error"] == {"code": "invalid_argument", "message": "bad second"}


def test_client_disconnect_cancels_server_stream(single_process_server: WireServer) -> None:
    """Closing the connection mid-stream stops the handler (it would otherwise run 100 s).

    Servers of one process only: the stream tracker lives in the server process, and gunicorn
    runs two worker processes, so a second request may not reach the process running the
    stream (the WSGI side of this, closing the response iterable, is covered in-process in
    tests/core).
    """
    server = single_process_server
    key = f"disconnect-{uuid.uuid4()}"
    body = envelope(EchoRequest(message=key, count=1000, delay_ms=100).SerializeToString())
    with (
        client_for(server) as client,
        client.stream(
            "POST",
            ECHO + "Repeat",
            content=body,
            headers={"content-type": "application/connect+proto"},
        ) as r,
    ):
        assert r.status_code == 200
        # Keep a reference to the iterator: a generator dropped mid-way is closed, and
        # httpcore closes the connection when its body iterator is closed early.
        chunks = r.iter_raw()
        received = b""
        while len(received) < 5:
            received += next(chunks)
        with client_for(server) as other:
            assert active_count(other, key) == (1, 0)  # still running while connected
        chunks.close()
    # The client and its connection are closed now.
    active, abandoned = wait_idle(server, key, timeout=2.0)
    assert active == 0, "handler still running after the client disconnected"
    assert abandoned == 1, "handler ended without being cancelled"


def test_client_disconnect_cancels_server_stream_h2_socket_close(h2_server: WireServer) -> None:
    key = f"h2-disconnect-{uuid.uuid4()}"
    call = H2Call(
        "127.0.0.1",
        h2_server.port,
        ECHO + "Repeat",
        {"content-type": "application/connect+proto"},
    )
    try:
        call.send(
            envelope(EchoRequest(message=key, count=1000, delay_ms=100).SerializeToString()),
            end=True,
        )
        call.wait_envelopes(1)
    finally:
        call.close()
    active, abandoned = wait_idle(h2_server, key, timeout=2.0)
    assert (active, abandoned) == (0, 1)


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/echo.v1.EchoService/Nope", {"content-type": "application/proto"}, 404),
        (ECHO + "Echo", {"content-type": "text/plain"}, 415),
        (ECHO + "Echo", {"content-type": "application/proto", "connect-timeout-ms": "x"}, 400),
        (ECHO + "Echo", {"content-type": "application/proto", "content-encoding": "lz4"}, 501),
        (ECHO + "Collect", {"content-type": "application/connect+proto"}, 200),
    ],
    ids=["unknown-route", "bad-content-type", "bad-timeout", "bad-encoding", "stream-error"],
)
def test_h2_connection_survives_refused_request(
    h2_server: WireServer, path: str, headers: dict[str, str], status: int
) -> None:
    """A refused request whose body arrives after the refusal must not kill the connection.

    The request head goes first; the body (with END_STREAM) only after the server had a
    chance to answer. A server that answers before reading the body must still cope with
    the body arriving afterwards; the connection must stay usable (answer a PING).
    """
    with H2Call("127.0.0.1", h2_server.port, path, headers) as call:
        if status == 200:
            # A length prefix over the limit: refused from the first 5 bytes.
            call.send(b"\x00\xff\xff\xff\xff")
        call.wait_response(timeout=0.5)
        call.send(b"\x00" * 64, end=True)
        call.wait_end()
        assert call.status == status
        assert call.ping(), "the server dropped the HTTP/2 connection"


def test_send_headers_before_the_first_message(async_server: WireServer) -> None:
    """``await ctx.send_headers()`` opens the stream at once: the client has the headers set
    so far long before the first message, and headers set afterwards are not sent."""
    request = EchoRequest(
        message="__headers_first__", count=1, delay_ms=1500, response_headers={"x-early": "yes"}
    )
    with client_for(async_server) as client:
        start = time.monotonic()
        with client.stream(
            "POST",
            ECHO + "Repeat",
            content=envelope(request.SerializeToString()),
            headers={"content-type": "application/connect+proto"},
        ) as r:
            head_at = time.monotonic() - start
            assert r.status_code == 200
            assert r.headers["x-early"] == "yes"
            assert r.headers["content-type"] == "application/connect+proto"
            assert "x-too-late" not in r.headers
            received = r.read()
        total = time.monotonic() - start
    assert head_at < 1.0 <= total, (head_at, total)
    frames = split_envelopes(received)
    assert [f for f, _ in frames] == [0, 2]
    assert EchoResponse.FromString(frames[0][1]).message == "__headers_first__"


def test_send_headers_is_a_no_op_for_unary_calls(async_server: WireServer) -> None:
    """A unary handler calling it answers as usual."""
    with client_for(async_server) as client:
        r = client.post(
            ECHO + "Echo",
            content=EchoRequest(message="__headers_first__").SerializeToString(),
            headers={"content-type": "application/proto"},
        )
        assert r.status_code == 200
        assert EchoResponse.FromString(r.content).message == "__headers_first__"


def test_stream_refused_before_its_declared_body_answers_after_it(h2_server: WireServer) -> None:
    """A server stream refused from its first bytes (a message over the limit) sends no head
    until its declared-length body is in: a client that sees the reply may stop its body
    short of its Content-Length, which servers punish (hypercorn drops the connection)."""
    rest = b"\x00" * 64
    with H2Call(
        "127.0.0.1",
        h2_server.port,
        ECHO + "Repeat",
        {"content-type": "application/connect+proto", "content-length": str(5 + len(rest))},
    ) as call:
        call.send(b"\x00\xff\xff\xff\xff")
        call.wait_response(timeout=0.5)
        assert call.status is None, "the reply's head went out before the request body was in"
        call.send(rest, end=True)
        call.wait_end()
        assert call.status == 200
        [(flags, data)] = call.envelopes()
        assert flags == 2
        assert json.loads(data)["error"]["code"] == "resource_exhausted"
        assert call.ping(), "the server dropped the HTTP/2 connection"


def test_bidi_reply_ends_without_waiting_for_the_client(h2_server: WireServer) -> None:
    """A full-duplex stream whose handler fails ends its reply at once, although the client
    keeps its side open: clients such as connect-go's close their side only after the end."""
    failing = EchoRequest(message="x", error_code=9, error_message="no more")
    with H2Call(
        "127.0.0.1",
        h2_server.port,
        ECHO + "Chat",
        {"content-type": "application/connect+proto"},
    ) as call:
        call.send(envelope(failing.SerializeToString()))
        start = time.monotonic()
        call.wait_end(timeout=3.0)
        waited = time.monotonic() - start
        [(flags, data)] = call.envelopes()
        assert flags == 2
        assert json.loads(data)["error"] == {"code": "failed_precondition", "message": "no more"}
        assert waited < 2.0, f"the reply's end waited {waited:.1f} s for the client"
