"""``CancelHandle``: another thread cancels a sync call, on every sync transport.

The echo servers sleep ``delay_ms`` before answering; a call cancelled while it waits must
end with ``canceled`` at once (not when the answer comes), and the transport must stay
usable for the next call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from echo.v1.echo_connect import EchoServiceClientSync
from echo.v1.echo_pb2 import EchoRequest
from servers.run import RunningServer

from connect_core import (
    CancelHandle,
    Code,
    ConnectError,
    H2SyncTransport,
    HttpClientTransport,
    HttptoolsSyncTransport,
    HttpxSyncTransport,
    SyncTransport,
)

DELAY_MS = 3000  # the server's answer comes this late; a cancelled call must not wait for it
FAST = 1.5  # seconds within which a cancelled call must have ended


def _http1_transports() -> list[tuple[str, Callable[[], SyncTransport]]]:
    return [
        ("httptools", HttptoolsSyncTransport),
        ("http-client", HttpClientTransport),
        ("httpx", HttpxSyncTransport),
    ]


@pytest.fixture(params=[*_http1_transports(), ("h2", H2SyncTransport)], ids=lambda p: p[0])
def client(
    request: pytest.FixtureRequest, uvicorn_server: RunningServer, hypercorn_server: RunningServer
) -> Iterator[EchoServiceClientSync]:
    """A sync client per transport (h2 against hypercorn over h2c, the rest against uvicorn)."""
    name, make = request.param
    server = hypercorn_server if name == "h2" else uvicorn_server
    transport = make()
    try:
        yield EchoServiceClientSync(server.url, transport=transport)
    finally:
        transport.close()


def _cancel_in(handle: CancelHandle, seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, handle.cancel)
    timer.start()
    return timer


def test_unary_cancelled_from_another_thread(client: EchoServiceClientSync) -> None:
    handle = CancelHandle()
    _cancel_in(handle, 0.2)
    start = time.monotonic()
    with pytest.raises(ConnectError) as info:
        client.echo_post(EchoRequest(message="slow", delay_ms=DELAY_MS), cancel=handle)
    assert info.value.code is Code.CANCELED
    assert time.monotonic() - start < FAST
    # The transport carries on: the aborted connection was not put back in the pool.
    assert client.echo_post(EchoRequest(message="next")).message == "next"


def test_server_stream_cancelled_while_reading(client: EchoServiceClientSync) -> None:
    handle = CancelHandle()
    got: list[str] = []
    start = time.monotonic()
    with pytest.raises(ConnectError) as info:
        for reply in client.repeat(
            EchoRequest(message="m", count=3, delay_ms=DELAY_MS // 3), cancel=handle
        ):
            got.append(reply.message)
            if len(got) == 1:
                _cancel_in(handle, 0.1)
    assert info.value.code is Code.CANCELED
    assert got == ["m"]
    assert time.monotonic() - start < DELAY_MS / 3000 + FAST


def test_client_stream_cancelled_while_sending(client: EchoServiceClientSync) -> None:
    handle = CancelHandle()

    def requests() -> Iterator[EchoRequest]:
        yield EchoRequest(message="a")
        handle.cancel()  # instead of ending the request stream
        yield EchoRequest(message="b")

    with pytest.raises(ConnectError) as info:
        client.collect(requests(), cancel=handle)
    assert info.value.code is Code.CANCELED


def test_a_cancelled_handle_stops_calls_before_they_start(client: EchoServiceClientSync) -> None:
    handle = CancelHandle()
    handle.cancel()
    assert handle.canceled
    with pytest.raises(ConnectError) as info:
        client.echo_post(EchoRequest(message="x"), cancel=handle)
    assert info.value.code is Code.CANCELED


def test_on_cancel_runs_aborts_once_and_unregisters() -> None:
    handle = CancelHandle()
    calls: list[str] = []
    unregister = handle.on_cancel(lambda: calls.append("a"))
    handle.on_cancel(lambda: calls.append("b"))
    unregister()
    handle.cancel()
    handle.cancel()
    assert calls == ["b"]
    handle.on_cancel(lambda: calls.append("late"))  # already cancelled: runs at once
    assert calls == ["b", "late"]
