"""Every transport maps what its HTTP library and sockets raise into ``TransportError``.

The transports are called directly here, against servers that misbehave on purpose: none
listening (refused), one whose accept queue is full (connecting times out), one that accepts
and never answers (reading times out), and one that closes before or in the middle of its
response. The clients' side (a ``TransportError`` becomes a ``ConnectError``) is at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import httpx
import pytest
from echo.v1.echo_connect import EchoServiceClient, EchoServiceClientSync
from echo.v1.echo_pb2 import EchoRequest

from connect_core import (
    AiohttpTransport,
    ASGITransport,
    Code,
    ConnectError,
    H2SyncTransport,
    H2Transport,
    HttpClientTransport,
    HttptoolsAsyncTransport,
    HttptoolsSyncTransport,
    HttpxAsyncTransport,
    HttpxSyncTransport,
    TransportError,
    WSGITransport,
)

ASYNC = ["httpx", "aiohttp", "httptools", "h2"]
SYNC = ["httpx", "httptools", "http_client", "h2"]
HTTP1_ASYNC = ["httpx", "aiohttp", "httptools"]
TIMEOUT = 0.3


@contextlib.asynccontextmanager
async def async_transport(name: str, own_timeout: float | None = None) -> AsyncIterator[Any]:
    """The async transport ``name``, its own (connect) timeout set to ``own_timeout``."""
    if name == "httpx":
        async with httpx.AsyncClient(timeout=own_timeout) as http:
            yield HttpxAsyncTransport(http)
    elif name == "aiohttp":
        session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=own_timeout), auto_decompress=False
        )
        async with session:
            yield AiohttpTransport(session=session)
    else:
        transport = (HttptoolsAsyncTransport if name == "httptools" else H2Transport)(
            connect_timeout=own_timeout
        )
        async with transport:
            yield transport


def sync_transport(name: str) -> Any:
    """A new sync transport ``name`` (a context manager)."""
    factories: dict[str, Any] = {
        "httpx": HttpxSyncTransport,
        "httptools": HttptoolsSyncTransport,
        "http_client": HttpClientTransport,
        "h2": H2SyncTransport,
    }
    return factories[name]()


# -- misbehaving servers ---------------------------------------------------------------------------


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def refused_url() -> str:
    """The URL of a server that is not there."""
    return f"http://127.0.0.1:{_closed_port()}"


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A server that lets connections in (the kernel accepts them) and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


@pytest.fixture
def full_url() -> Iterator[str]:
    """A server whose accept queue is full: connecting to it hangs."""
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(socket.socket())
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        address = server.getsockname()
        for _ in range(4):
            s = stack.enter_context(socket.socket())
            s.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                s.connect(address)
        probe = stack.enter_context(socket.socket())
        probe.settimeout(0.2)
        try:
            probe.connect(address)
        except TimeoutError:
            yield f"http://127.0.0.1:{address[1]}"
            return
        pytest.skip("this system accepts connections beyond a full accept queue")


class _RudeServer:
    """Reads each request (head and ``content-length`` body), sends ``reply`` and closes."""

    def __init__(self, reply: bytes) -> None:
        self._reply = reply
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self._server.settimeout(0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5.0)
                with contextlib.suppress(OSError):
                    self._answer(conn)

    def _answer(self, conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return
            body += chunk
        conn.sendall(self._reply)
        conn.shutdown(socket.SHUT_WR)
        while conn.recv(65536):  # until the client closes too: no reset from unread bytes
            pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5.0)
        self._server.close()


@pytest.fixture
def closing_url() -> Iterator[str]:
    """A server that closes each connection without answering."""
    server = _RudeServer(b"")
    yield server.url
    server.close()


@pytest.fixture
def cut_url() -> Iterator[str]:
    """A server whose responses stop in the middle of their body."""
    server = _RudeServer(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/proto\r\ncontent-length: 100\r\n\r\n"
        b"only part of it"
    )
    yield server.url
    server.close()


# -- async transports ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ASYNC)
def test_async_refused_connection(name: str, refused_url: str) -> None:
    async def call() -> None:
        async with async_transport(name) as transport:
            await transport.send("POST", refused_url + "/x", [], b"x")

    with pytest.raises(TransportError) as info:
        asyncio.run(call())
    assert info.value.code is Code.UNAVAILABLE
    assert info.value.address == refused_url.removeprefix("http://")
    assert info.value.__cause__ is not None  # what the library raised


@pytest.mark.parametrize("name", ASYNC)
def test_async_connect_timeout(name: str, full_url: str) -> None:
    async def call() -> None:
        async with async_transport(name, TIMEOUT) as transport:
            await transport.send("POST", full_url + "/x", [], b"x")

    with pytest.raises(TransportError) as info:
        asyncio.run(call())
    assert info.value.code is Code.DEADLINE_EXCEEDED


@pytest.mark.parametrize("name", ASYNC)
def test_async_connection_closed_before_the_response(name: str, closing_url: str) -> None:
    async def call() -> None:
        async with async_transport(name) as transport:
            await transport.send("POST", closing_url + "/x", [], b"x")

    with pytest.raises(TransportError) as info:
        asyncio.run(call())
    assert info.value.code is Code.UNAVAILABLE
    assert info.value.address is None


@pytest.mark.parametrize("read", ["aiter_bytes", "aread"])
@pytest.mark.parametrize("name", HTTP1_ASYNC)
def test_async_body_cut_off(name: str, read: str, cut_url: str) -> None:
    async def call() -> None:
        async with async_transport(name) as transport:
            response = await transport.send("POST", cut_url + "/x", [], b"x")
            assert response.status == 200
            try:
                if read == "aread":
                    await response.aread()
                else:
                    async for _ in response.aiter_bytes():
                        pass
            finally:
                await response.aclose()

    with pytest.raises(TransportError) as info:
        asyncio.run(call())
    assert info.value.code is Code.UNAVAILABLE


# -- sync transports -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", SYNC)
def test_sync_refused_connection(name: str, refused_url: str) -> None:
    with sync_transport(name) as transport, pytest.raises(TransportError) as info:
        transport.send("POST", refused_url + "/x", [], b"x", 5.0)
    assert info.value.code is Code.UNAVAILABLE
    assert info.value.address == refused_url.removeprefix("http://")
    assert info.value.__cause__ is not None


@pytest.mark.parametrize("name", SYNC)
def test_sync_connect_timeout(name: str, full_url: str) -> None:
    with sync_transport(name) as transport, pytest.raises(TransportError) as info:
        transport.send("POST", full_url + "/x", [], b"x", TIMEOUT)
    assert info.value.code is Code.DEADLINE_EXCEEDED


@pytest.mark.parametrize("name", SYNC)
def test_sync_read_timeout(name: str, silent_url: str) -> None:
    with sync_transport(name) as transport, pytest.raises(TransportError) as info:
        transport.send("POST", silent_url + "/x", [], b"x", TIMEOUT)
    assert info.value.code is Code.DEADLINE_EXCEEDED


@pytest.mark.parametrize("name", SYNC)
def test_sync_connection_closed_before_the_response(name: str, closing_url: str) -> None:
    with sync_transport(name) as transport, pytest.raises(TransportError) as info:
        transport.send("POST", closing_url + "/x", [], b"x", 5.0)
    assert info.value.code is Code.UNAVAILABLE
    assert info.value.address is None


@pytest.mark.parametrize("read", ["iter_bytes", "read"])
@pytest.mark.parametrize("name", ["httpx", "httptools", "http_client"])
def test_sync_body_cut_off(name: str, read: str, cut_url: str) -> None:
    with sync_transport(name) as transport:
        response = transport.send("POST", cut_url + "/x", [], b"x", 5.0)
        assert response.status == 200
        try:
            with pytest.raises(TransportError) as info:
                if read == "read":
                    response.read()
                else:
                    for _ in response.iter_bytes():
                        pass
        finally:
            response.close()
    assert info.value.code is Code.UNAVAILABLE


# -- in-memory transports ------------------------------------------------------------------------


async def _asgi_refusing(scope: Any, receive: Any, send: Any) -> None:
    raise ConnectionRefusedError("the application's own connection failed")


def _wsgi_refusing(environ: Any, start_response: Any) -> Any:
    raise ConnectionRefusedError("the application's own connection failed")


def test_asgi_socket_error() -> None:
    """An ``OSError`` escaping the application is a socket's failure to the client, as it was
    before transports mapped their own errors."""

    async def call() -> None:
        await ASGITransport(_asgi_refusing).send("POST", "http://test/x", [], b"x")

    with pytest.raises(TransportError) as info:
        asyncio.run(call())
    assert info.value.code is Code.UNAVAILABLE
    assert isinstance(info.value.__cause__, ConnectionRefusedError)


def test_wsgi_socket_error() -> None:
    with pytest.raises(TransportError) as info:
        WSGITransport(_wsgi_refusing).send("POST", "http://test/x", [], b"x", None)
    assert info.value.code is Code.UNAVAILABLE
    assert isinstance(info.value.__cause__, ConnectionRefusedError)


# -- what the clients make of them -----------------------------------------------------------------


class _LibraryError(Exception):
    """An exception that claims to come from an HTTP library: its module says httpx."""


_LibraryError.__module__ = "httpx._exceptions"


class _FailingAsync:
    def __init__(self, error: Exception) -> None:
        self.error = error

    async def send(self, method: str, url: str, headers: Any, body: Any) -> Any:
        raise self.error

    async def aclose(self) -> None:
        pass


class _FailingSync:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def send(self, method: str, url: str, headers: Any, body: Any, timeout: Any) -> Any:
        raise self.error

    def close(self) -> None:
        pass


def _call_async(transport: Any) -> None:
    async def call() -> None:
        async with EchoServiceClient("http://rpc.test/api", transport=transport) as client:
            await client.echo(EchoRequest(message="x"))

    asyncio.run(call())


def _call_sync(transport: Any) -> None:
    with EchoServiceClientSync("http://rpc.test/api", transport=transport) as client:
        client.echo(EchoRequest(message="x"))


@pytest.mark.parametrize(
    ("call", "failing"),
    [(_call_async, _FailingAsync), (_call_sync, _FailingSync)],
    ids=["async", "sync"],
)
def test_clients_turn_a_transport_error_into_a_connect_error(call: Any, failing: Any) -> None:
    error = TransportError(
        "TLS handshake failed", code=Code.PERMISSION_DENIED, address="rpc.test:443"
    )
    with pytest.raises(ConnectError) as info:
        call(failing(error))
    assert info.value.code is Code.PERMISSION_DENIED
    assert info.value.message == (
        "cannot connect to rpc.test:443: TLS handshake failed; is the server running, and is "
        "http://rpc.test/api its address?"
    )
    assert info.value.__cause__ is error

    with pytest.raises(ConnectError) as info:
        call(failing(TransportError("stream reset", code=Code.RESOURCE_EXHAUSTED)))
    assert info.value.code is Code.RESOURCE_EXHAUSTED
    assert info.value.message == "stream reset"

    with pytest.raises(ConnectError) as info:
        call(failing(TransportError("timed out", code=Code.DEADLINE_EXCEEDED)))
    assert info.value.code is Code.DEADLINE_EXCEEDED


@pytest.mark.parametrize("call", [_call_async, _call_sync], ids=["async", "sync"])
def test_clients_pass_other_exceptions_through(call: Any) -> None:
    """Only a ``TransportError`` is a transport's failure: the module an exception comes from
    does not make it one."""
    transport = (_FailingAsync if call is _call_async else _FailingSync)(_LibraryError("boom"))
    with pytest.raises(_LibraryError):
        call(transport)


def test_an_aiohttp_lookalike_is_not_an_aiohttp_session() -> None:
    lookalike = type("ClientSession", (), {"__module__": "aiohttp.client"})()
    client = EchoServiceClient("http://rpc.test", http_client=lookalike)
    assert isinstance(client._transport, HttpxAsyncTransport)
    assert client._transport.client is lookalike
