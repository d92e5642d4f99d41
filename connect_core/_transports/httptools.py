"""The fast transports: HTTP/1.1 keep-alive connections parsed by ``httptools`` (llhttp).

``httptools`` is the C HTTP parser uvicorn serves with; here it parses responses. What is left
to this module is what a client must do anyway and cheaply: write a request head, frame a
streamed body in chunks, keep a pool of idle connections, and hand the body over as it
arrives. The async transport is an ``asyncio.Protocol`` (no stream wrappers, no per-request
tasks for a bytes body); the sync one works on a blocking socket.

Limits, by design: HTTP/1.1 only, no proxies, no redirects, no cookies, and no ``HEAD``
requests (their responses carry no body the parser could know about). The httpx transports
cover all of that.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

from .._clients.cancel import CancelHandle, shutdown_socket
from .._headers import HeaderList, Headers
from .base import TransportError, host_port, os_error

_FORBIDDEN = frozenset(("host", "content-length", "transfer-encoding", "connection"))
_READ_SIZE = 1 << 16
_HIGH_WATER = 1 << 20  # response bytes buffered before the socket stops being read

Origin = tuple[str, str, int]


class StaleConnectionError(TransportError):
    """A kept-alive connection was closed by the server before it answered (retried once)."""


def _target(cache: dict[str, tuple[Origin, str, bytes]], url: str) -> tuple[Origin, str, bytes]:
    """``(origin, path, head prefix)`` of ``url``, cached for URLs without a query."""
    found = cache.get(url)
    if found is not None:
        return found
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme not in ("http", "https"):
        raise ValueError(f"the httptools transports need an http:// or https:// URL, got {url!r}")
    port = parts.port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    host = parts.netloc.rsplit("@", 1)[-1]
    found = ((scheme, parts.hostname or "", port), path, f"host: {host}\r\n".encode("latin-1"))
    if not parts.query and len(cache) < 1024:
        cache[url] = found
    return found


def _head(method: str, path: str, host: bytes, headers: HeaderList, length: int | None) -> bytes:
    """The request head; ``length`` ``None`` means a chunked body."""
    lines = [f"{method} {path} HTTP/1.1\r\n"]
    for k, v in headers:
        if k in _FORBIDDEN:
            continue
        if "\n" in v or "\r" in v or "\n" in k or "\r" in k or ":" in k:
            raise ValueError(f"invalid header {k!r}: {v!r}")
        lines.append(f"{k}: {v}\r\n")
    if length is None:
        lines.append("transfer-encoding: chunked\r\n\r\n")
    elif length or method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
        lines.append(f"content-length: {length}\r\n\r\n")
    else:
        lines.append("\r\n")
    return lines[0].encode("latin-1") + host + "".join(lines[1:]).encode("latin-1")


_PARSER: list[Any] = []


def _parser_type() -> Any:
    """``httptools.HttpResponseParser``, imported on first use (an optional dependency)."""
    if not _PARSER:
        import httptools

        _PARSER.append(httptools.HttpResponseParser)
    return _PARSER[0]


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%b\r\n" % (len(data), data)


class _Response:
    """Parser callbacks for one response, shared by the async and sync transports."""

    __slots__ = (
        "_eof_body",
        "_informational",
        "_raw",
        "chunks",
        "ended",
        "headers",
        "keep_alive",
        "parser",
        "started",
        "status",
        "trailers",
    )

    def __init__(self) -> None:
        self.parser = _parser_type()(self)
        self.status = 0
        self.headers = Headers()
        self.trailers = Headers()
        self._raw: list[tuple[str, str]] = []
        self.chunks: deque[bytes] = deque()
        self.started = False  # the head has arrived
        self.ended = False  # the body has arrived to its end
        self.keep_alive = False
        self._eof_body = False  # the body ends when the connection does
        self._informational = False

    def feed(self, data: bytes) -> None:
        """Parse received bytes; a malformed response raises :class:`TransportError`."""
        try:
            self.parser.feed_data(data)
        except Exception as e:  # httptools.HttpParserError and its subclasses
            raise TransportError(f"malformed HTTP response: {e}") from e

    def eof(self) -> bool:
        """The connection ended: True when that completes the response."""
        if self.started and self._eof_body and not self.ended:
            self.ended = True
            self.keep_alive = False
            self.on_end()
        return self.ended

    # -- httptools callbacks ----------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self._raw.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        raw, self._raw = self._raw, []
        if status < 200:  # 100 Continue, 103 Early Hints: wait for the real response
            self._informational = True
            return
        self.status = status
        headers = Headers(raw)
        self.headers = headers
        self._eof_body = (
            "content-length" not in headers
            and "transfer-encoding" not in headers
            and status not in (204, 304)
        )
        self.started = True
        self.on_head()

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.on_data()

    def on_message_complete(self) -> None:
        if self._informational:
            self._informational = False
            return
        self.ended = True
        self.keep_alive = self.parser.should_keep_alive()
        self.on_end()

    # -- hooks for the transports -------------------------------------------------------------

    def on_head(self) -> None:
        pass

    def on_data(self) -> None:
        pass

    def on_end(self) -> None:
        pass


# -- async -----------------------------------------------------------------------------------------


class _AsyncExchange(_Response):
    """One request on an async connection and the response, as the client reads it."""

    __slots__ = (
        "_buffered",
        "_conn",
        "_error",
        "_waiter",
        "head_future",
        "pump",
        "sent_all",
    )

    def __init__(self, conn: _Connection) -> None:
        super().__init__()
        self._conn = conn
        self.head_future: asyncio.Future[None] = conn.loop.create_future()
        self._waiter: asyncio.Future[None] | None = None
        self._error: BaseException | None = None
        self._buffered = 0
        self.pump: asyncio.Task[None] | None = None
        self.sent_all = False

    def on_head(self) -> None:
        if not self.head_future.done():
            self.head_future.set_result(None)

    def on_data(self) -> None:
        self._buffered += len(self.chunks[-1])
        if self._buffered > _HIGH_WATER:
            self._conn.pause_reading()
        self._wake()

    def on_end(self) -> None:
        self._wake()

    def fail(self, err: BaseException) -> None:
        """End the exchange with ``err`` (a socket's ``OSError`` becomes a TransportError)."""
        if isinstance(err, OSError):
            err = os_error(err)
        if self._error is None and not self.ended:
            self._error = err
        if not self.head_future.done():
            self.head_future.set_exception(err)
            self.head_future.exception()  # retrieved; send() re-raises it by awaiting
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    # The response API.

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        chunks = self.chunks
        while True:
            if chunks:
                chunk = chunks.popleft()
                self._buffered -= len(chunk)
                if self._buffered <= _HIGH_WATER // 2:
                    self._conn.resume_reading()
                yield chunk
                continue
            if self._error is not None:
                raise self._error
            if self.ended:
                return
            waiter = self._waiter = self._conn.loop.create_future()
            await waiter

    async def aread(self) -> bytes:
        if self.ended and self._error is None:  # the usual case for a unary response
            chunks = self.chunks
            data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
            chunks.clear()
            return data
        parts = [chunk async for chunk in self.aiter_bytes()]
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def aclose(self) -> None:
        pump = self.pump
        if pump is not None and not pump.done():
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
        self._conn.finish(self)


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: one exchange at a time, kept alive between them."""

    def __init__(self, owner: HttptoolsAsyncTransport, origin: Origin) -> None:
        self._owner = owner
        self.origin = origin
        self.loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self.exchange: _AsyncExchange | None = None
        self.closed = False
        self.reused = False
        self._paused = False
        self._writable: asyncio.Future[None] | None = None

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        ex = self.exchange
        if ex is None:
            self.close()  # bytes nobody asked for: the connection cannot be trusted
            return
        try:
            ex.feed(data)
        except TransportError as e:
            ex.fail(e)
            self.close()

    def eof_received(self) -> bool:
        return False  # close the transport; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        writable = self._writable
        if writable is not None and not writable.done():
            writable.set_result(None)
        ex = self.exchange
        if ex is not None and not ex.eof():
            if not ex.started and self.reused:
                ex.fail(StaleConnectionError("the server closed the kept-alive connection"))
            else:
                err = TransportError("the server closed the connection before the response ended")
                if exc is not None:
                    err.__cause__ = exc
                ex.fail(err)

    def pause_writing(self) -> None:
        self._writable = self.loop.create_future()

    def resume_writing(self) -> None:
        writable, self._writable = self._writable, None
        if writable is not None and not writable.done():
            writable.set_result(None)

    # Used by the exchange and the transport.

    def pause_reading(self) -> None:
        if not self._paused and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()

    def resume_reading(self) -> None:
        if self._paused and self._transport is not None and not self.closed:
            self._paused = False
            self._transport.resume_reading()

    async def drain(self) -> None:
        writable = self._writable
        if writable is not None:
            await writable
        if self.closed:
            raise TransportError("the connection closed while sending the request")

    def write(self, data: bytes) -> None:
        if self.closed or self._transport is None:
            raise TransportError("the connection is closed")
        self._transport.write(data)

    def start(self, head: bytes, body: bytes | AsyncIterator[bytes]) -> _AsyncExchange:
        ex = self.exchange = _AsyncExchange(self)
        if isinstance(body, bytes):
            self.write(head + body if body else head)
            ex.sent_all = True
        else:
            self.write(head)
            ex.pump = self.loop.create_task(self._pump(ex, body))
        return ex

    async def _pump(self, ex: _AsyncExchange, body: AsyncIterator[bytes]) -> None:
        """Send a streamed request body (in chunks) while the response is being read."""
        try:
            async for data in body:
                if ex.ended or self.closed:
                    return  # the server answered already: the rest is not wanted
                if data:
                    self.write(_chunk(data))
                    await self.drain()
            if not self.closed:
                self.write(b"0\r\n\r\n")
                ex.sent_all = True
        except asyncio.CancelledError:
            raise
        except BaseException as e:
            ex.fail(e)  # the caller's request stream failed: so does the call
            self.close()
        finally:
            aclose = getattr(body, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

    def finish(self, ex: _AsyncExchange) -> None:
        """The client released ``ex``: keep the connection when it is clean, else close it."""
        if self.exchange is not ex:
            return
        self.exchange = None
        if (
            ex.ended
            and ex.sent_all
            and ex.keep_alive
            and ex._error is None
            and not self.closed
            and not ex.chunks
        ):
            self.resume_reading()
            self.reused = True
            self._owner._release(self)
        else:
            self.close()

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()


class HttptoolsAsyncTransport:
    """The fast async transport (``pip install connect-core[fast]``): HTTP/1.1 with keep-alive,
    responses parsed by ``httptools``, one ``asyncio.Protocol`` per connection.

    A streamed request body is written while the response is read, so a bidi call is full
    duplex when the server answers before the request ends; HTTP/1.1 servers need not, so
    only half duplex is guaranteed (``H2Transport`` is full duplex).
    """

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_idle_per_origin: int = 100,
        connect_timeout: float | None = 30.0,
    ) -> None:
        """Create a transport.

        Args:
            ssl_context: TLS settings for ``https://`` origins (default: the system's).
            max_idle_per_origin: Idle keep-alive connections kept per origin.
            connect_timeout: Seconds to wait for a new connection.
        """
        self._ssl = ssl_context
        self._max_idle = max_idle_per_origin
        self._connect_timeout = connect_timeout
        self._idle: dict[Origin, list[_Connection]] = {}
        self._targets: dict[str, tuple[Origin, str, bytes]] = {}
        self._closed = False

    async def send(
        self, method: str, url: str, headers: HeaderList, body: bytes | AsyncIterator[bytes]
    ) -> _AsyncExchange:
        """Send the request and return once the response head has arrived.

        Raises :class:`~connect_core.TransportError` for a connection that fails or a
        malformed response.
        """
        origin, path, host = _target(self._targets, url)
        head = _head(method, path, host, headers, len(body) if isinstance(body, bytes) else None)
        conn = self._acquire(origin)
        if conn is not None:
            try:
                return await self._exchange(conn, head, body)
            except StaleConnectionError:
                if not isinstance(body, bytes):
                    raise
        conn = await self._connect(origin)
        return await self._exchange(conn, head, body)

    async def _exchange(
        self, conn: _Connection, head: bytes, body: bytes | AsyncIterator[bytes]
    ) -> _AsyncExchange:
        ex = conn.start(head, body)
        try:
            await ex.head_future
        except BaseException:
            await ex.aclose()
            raise
        return ex

    def _acquire(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        loop = asyncio.get_running_loop()
        while idle:
            conn = idle.pop()
            if not conn.closed and conn.loop is loop:
                return conn
            conn.close()
        return None

    async def _connect(self, origin: Origin) -> _Connection:
        scheme, host, port = origin
        context: ssl.SSLContext | None = None
        if scheme == "https":
            context = self._ssl or ssl.create_default_context()
        loop = asyncio.get_running_loop()
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for drops a cancellation that
            # arrives as the connection completes (the call would go on as if not cancelled).
            async with asyncio.timeout(self._connect_timeout):
                _, conn = await loop.create_connection(
                    lambda: _Connection(self, origin),
                    host,
                    port,
                    ssl=context,
                    server_hostname=host if context else None,
                )
        except OSError as e:  # the connect timeout too: deadline_exceeded
            raise os_error(e, address=host_port(host, port)) from e
        return conn

    def _release(self, conn: _Connection) -> None:
        idle = self._idle.setdefault(conn.origin, [])
        if self._closed or len(idle) >= self._max_idle:
            conn.close()
        else:
            idle.append(conn)

    async def aclose(self) -> None:
        """Close every idle connection (responses still open close theirs when released)."""
        self._closed = True
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()
        await asyncio.sleep(0)  # let the transports finish closing

    async def __aenter__(self) -> HttptoolsAsyncTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


# -- sync ------------------------------------------------------------------------------------------


class _SyncExchange(_Response):
    """One request on a blocking socket and the response, read as the client asks."""

    __slots__ = ("_deadline", "_owner", "_sock", "_unregister", "aborted", "origin")

    def __init__(
        self,
        owner: HttptoolsSyncTransport,
        origin: Origin,
        sock: socket.socket,
        deadline: float | None,
        cancel: CancelHandle | None,
    ) -> None:
        super().__init__()
        self._owner = owner
        self.origin = origin
        self._sock: socket.socket | None = sock
        self._deadline = deadline
        self.aborted = False
        # Until the response is released, cancelling shuts the socket down: a recv or send
        # blocked in the calling thread returns at once.
        self._unregister = None if cancel is None else cancel.on_cancel(self._abort)

    def _abort(self) -> None:
        self.aborted = True
        shutdown_socket(self._sock)

    def _recv(self) -> bool:
        """Receive and parse more bytes; False at the end of the connection."""
        sock = self._sock
        if sock is None:
            return False
        deadline = self._deadline
        try:
            if deadline is not None:
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
            data = sock.recv(_READ_SIZE)
        except (ConnectionResetError, BrokenPipeError) as e:
            if not self.started:  # a kept-alive connection the server had closed: retried
                raise StaleConnectionError(f"the server reset the connection: {e}") from e
            raise os_error(e) from e
        except OSError as e:  # a timeout too: deadline_exceeded
            raise os_error(e) from e
        if not data:
            if not self.started:
                raise StaleConnectionError("the server closed the connection without a response")
            if not self.eof():
                raise TransportError("the server closed the connection before the response ended")
            return False
        self.feed(data)
        return True

    def read_head(self) -> None:
        while not self.started:
            self._recv()

    def iter_bytes(self) -> Iterator[bytes]:
        chunks = self.chunks
        while True:
            while chunks:
                yield chunks.popleft()
            if self.ended or not self._recv():
                while chunks:
                    yield chunks.popleft()
                return

    def read(self) -> bytes:
        while not self.ended and self._recv():
            pass
        chunks = self.chunks
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        chunks.clear()
        return data

    def close(self) -> None:
        if self._unregister is not None:
            self._unregister()
            self._unregister = None
        sock, self._sock = self._sock, None
        if sock is None:
            return
        if self.ended and self.keep_alive and not self.chunks and not self.aborted:
            self._owner._release(self.origin, sock)
        else:
            sock.close()


class HttptoolsSyncTransport:
    """The fast sync transport: HTTP/1.1 keep-alive sockets, responses parsed by ``httptools``.

    Thread-safe (a pool of idle connections per origin). Deadlines become socket timeouts,
    renewed with the time left before every read. A streamed request body is sent whole
    before the response is read (half duplex).
    """

    def __init__(
        self, *, ssl_context: ssl.SSLContext | None = None, max_idle_per_origin: int = 32
    ) -> None:
        """Create a transport.

        Args:
            ssl_context: TLS settings for ``https://`` origins (default: the system's).
            max_idle_per_origin: Idle keep-alive connections kept per origin.
        """
        self._ssl = ssl_context
        self._max_idle = max_idle_per_origin
        self._idle: dict[Origin, list[socket.socket]] = {}
        self._lock = threading.Lock()
        self._targets: dict[str, tuple[Origin, str, bytes]] = {}
        self._closed = False

    def send(
        self,
        method: str,
        url: str,
        headers: HeaderList,
        body: bytes | Iterator[bytes],
        timeout: float | None,
        cancel: CancelHandle | None = None,
    ) -> _SyncExchange:
        """Send the request and return once the response head has arrived; ``cancel`` aborts
        the exchange from another thread (the connection is closed, never reused).

        Raises :class:`~connect_core.TransportError` for a connection that fails (a timeout's
        code is ``deadline_exceeded``) or a malformed response.
        """
        origin, path, host = _target(self._targets, url)
        head = _head(method, path, host, headers, len(body) if isinstance(body, bytes) else None)
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            idle = self._idle.get(origin)
            sock = idle.pop() if idle else None
        try:
            if sock is not None:
                try:
                    return self._exchange(origin, sock, head, body, deadline, cancel)
                except (StaleConnectionError, ConnectionResetError, BrokenPipeError):
                    if not isinstance(body, bytes) or (cancel is not None and cancel.canceled):
                        raise
            sock = self._connect(origin, deadline, cancel)
            return self._exchange(origin, sock, head, body, deadline, cancel)
        except TransportError:
            raise
        except OSError as e:  # from sending (receiving maps its own); a timeout too
            raise os_error(e) from e

    def _connect(
        self, origin: Origin, deadline: float | None, cancel: CancelHandle | None
    ) -> socket.socket:
        scheme, host, port = origin
        timeout = None if deadline is None else max(deadline - time.monotonic(), 0.001)
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as e:  # a timeout too: deadline_exceeded
            raise os_error(e, address=host_port(host, port)) from e
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if scheme == "https":
                context = self._ssl or ssl.create_default_context()
                # The TLS handshake blocks too: a cancel during it shuts the socket down.
                unregister = (
                    None if cancel is None else cancel.on_cancel(lambda: shutdown_socket(sock))
                )
                try:
                    sock = context.wrap_socket(sock, server_hostname=host)
                finally:
                    if unregister is not None:
                        unregister()
        except BaseException as e:
            sock.close()
            if isinstance(e, OSError):  # the TLS handshake failed: no connection either
                raise os_error(e, address=host_port(host, port)) from e
            raise
        return sock

    def _exchange(
        self,
        origin: Origin,
        sock: socket.socket,
        head: bytes,
        body: bytes | Iterator[bytes],
        deadline: float | None,
        cancel: CancelHandle | None,
    ) -> _SyncExchange:
        ex = _SyncExchange(self, origin, sock, deadline, cancel)
        try:
            sock.settimeout(None if deadline is None else max(deadline - time.monotonic(), 0.001))
            if isinstance(body, bytes):
                sock.sendall(head + body if body else head)
            else:
                sock.sendall(head)
                for data in body:
                    if data:
                        sock.sendall(_chunk(data))
                sock.sendall(b"0\r\n\r\n")
            ex.read_head()
        except BaseException:
            ex.aborted = True
            ex.close()
            raise
        return ex

    def _release(self, origin: Origin, sock: socket.socket) -> None:
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if not self._closed and len(idle) < self._max_idle:
                idle.append(sock)
                return
        sock.close()

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            self._closed = True
            socks = [s for idle in self._idle.values() for s in idle]
            self._idle.clear()
        for sock in socks:
            sock.close()

    def __enter__(self) -> HttptoolsSyncTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
