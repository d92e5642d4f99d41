"""Full-duplex bidi for sync clients: ``H2SyncTransport`` against hypercorn and connect-node.

Each request is sent only after the previous reply arrived, so only a transport that sends
and receives at once gets through. Cancelling one call resets its HTTP/2 stream only: the
connection carries the next call, from any thread.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from echo.v1.echo_pb2 import EchoRequest

from client.helpers import Target, sync_client
from connect_core import Code, ConnectError, H2SyncTransport

pytestmark = pytest.mark.timeout(60)


def _request_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "connect-h2-request"]


def test_interleaved_ping_pong(sync_duplex_target: Target) -> None:
    replies: queue.Queue[str] = queue.Queue()
    sent: list[str] = []

    def requests() -> Iterator[EchoRequest]:
        for i in range(5):
            sent.append(f"ping {i}")
            yield EchoRequest(message=f"ping {i}")
            # The next request waits for this one's reply: only full duplex gets further.
            assert replies.get(timeout=5) == f"ping {i}"

    with sync_client(sync_duplex_target) as client:
        got = []
        for reply in client.chat(requests()):
            got.append(reply.message)
            replies.put(reply.message)
    assert got == sent == [f"ping {i}" for i in range(5)]


def test_request_stream_error_fails_the_call(sync_duplex_target: Target) -> None:
    class Boom(Exception):
        pass

    def requests() -> Iterator[EchoRequest]:
        yield EchoRequest(message="one")
        time.sleep(0.05)
        raise Boom

    with sync_client(sync_duplex_target) as client:
        with pytest.raises((Boom, ConnectError)):
            for _ in client.chat(requests()):
                pass
        assert client.echo(EchoRequest(message="after")).message == "after"


def test_cancel_mid_bidi_keeps_the_connection(sync_duplex_target: Target) -> None:
    release = threading.Event()

    def requests() -> Iterator[EchoRequest]:
        yield EchoRequest(message="first")
        release.wait(10)

    with sync_client(sync_duplex_target) as client:
        transport = client._transport
        assert isinstance(transport, H2SyncTransport)
        stream = client.chat(requests())
        assert next(stream).message == "first"
        stream.close()  # resets the HTTP/2 stream
        for i in range(3):
            assert client.echo(EchoRequest(message=str(i))).message == str(i)
        assert [m.index for m in client.repeat(EchoRequest(count=3))] == [0, 1, 2]
        assert transport.connection_count == 1
        # The thread pulling the abandoned request iterator ends once its next() returns.
        release.set()
        deadline = time.monotonic() + 5
        while _request_threads() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not _request_threads()


def test_deadline_mid_bidi(sync_duplex_target: Target) -> None:
    release = threading.Event()

    def requests() -> Iterator[EchoRequest]:
        yield EchoRequest(message="first")
        release.wait(10)

    with sync_client(sync_duplex_target) as client:
        got = []
        started = time.monotonic()
        with pytest.raises(ConnectError) as info:
            for reply in client.chat(requests(), timeout_ms=300):
                got.append(reply.message)
        assert info.value.code is Code.DEADLINE_EXCEEDED
        assert time.monotonic() - started < 5
        assert got == ["first"]
        release.set()
        assert client.echo(EchoRequest(message="after")).message == "after"


def test_threads_share_one_connection(sync_duplex_target: Target) -> None:
    with sync_client(sync_duplex_target) as client:

        def one(i: int) -> list[int]:
            return [m.index for m in client.repeat(EchoRequest(message=str(i), count=20))]

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(one, range(40)))
        assert all(r == list(range(20)) for r in results)
        assert client._transport.connection_count == 1


def test_large_messages_respect_flow_control(sync_duplex_target: Target) -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB, past every default HTTP/2 window
    with sync_client(sync_duplex_target, read_max_bytes=8 << 20) as client:
        assert client.echo(EchoRequest(payload=payload)).payload == payload
        got = [m.payload for m in client.chat([EchoRequest(payload=payload)] * 3)]
        assert got == [payload] * 3


def test_closed_transport_refuses_calls(sync_duplex_target: Target) -> None:
    with sync_client(sync_duplex_target) as client:
        assert client.echo(EchoRequest(message="x")).message == "x"
        client._transport.close()
        with pytest.raises(ConnectError) as info:
            client.echo(EchoRequest(message="y"))
        assert info.value.code is Code.UNAVAILABLE
    assert not any(t.name == "connect-h2-loop" and t.is_alive() for t in threading.enumerate())


def test_unreachable_server_is_unavailable() -> None:
    from echo.v1.echo_connect import EchoServiceClientSync

    with H2SyncTransport(connect_timeout=2) as transport:
        client = EchoServiceClientSync("http://127.0.0.1:9", transport=transport)
        with pytest.raises(ConnectError) as info:
            client.echo(EchoRequest(message="x"))
        assert info.value.code is Code.UNAVAILABLE
