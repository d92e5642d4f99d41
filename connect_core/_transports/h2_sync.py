"""Full-duplex HTTP/2 for sync clients: :class:`H2Transport` on a private event loop thread.

Every HTTP/2 connection, stream and flow-control window lives on one background thread
running an asyncio loop (started with the first call, stopped by :meth:`H2SyncTransport.close`);
callers in any thread hand work to it and wait for the answer. A streamed request body (a sync
iterator) is pulled one chunk at a time by a thread of its own, only when the connection can
send it, so a request iterator that waits for a reply (ping-pong) blocks nobody else: that is
what makes a sync bidirectional call full duplex.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ssl
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

from .._clients.cancel import CancelHandle
from .._code import Code
from .._headers import HeaderList, Headers
from .base import AsyncResponse, TransportError
from .h2 import H2Transport

T = TypeVar("T")
_END = object()


class H2SyncTransport:
    """Full-duplex HTTP/2 for sync clients (``pip install connect-core[h2]``): h2c or TLS, one
    connection per origin, multiplexed, shared by every thread that calls through it.

    Example::

        with H2SyncTransport() as transport:
            client = EchoServiceClientSync("http://127.0.0.1:8000", transport=transport)
            for reply in client.chat(requests()):   # full duplex
                ...

    It runs an :class:`H2Transport` on a private event loop thread; the options are that
    transport's.
    """

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        connect_timeout: float | None = 30.0,
        stream_window: int = 1 << 20,
        connection_window: int = 1 << 24,
    ) -> None:
        """Create a transport; nothing starts before the first call.

        Args:
            ssl_context: TLS settings for ``https://`` URLs (default: the system's trust
                store, ALPN ``h2``).
            connect_timeout: Seconds to open a connection (``None``: no limit).
            stream_window: The receive window of each stream, in bytes.
            connection_window: The receive window of each connection, in bytes.
        """
        self._options: dict[str, Any] = {
            "ssl_context": ssl_context,
            "connect_timeout": connect_timeout,
            "stream_window": stream_window,
            "connection_window": connection_window,
        }
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._transport: H2Transport | None = None
        self._closed = False

    @property
    def connection_count(self) -> int:
        """How many HTTP/2 connections are open (one per origin in use)."""
        return 0 if self._transport is None else self._transport.connection_count

    def _start(self) -> tuple[asyncio.AbstractEventLoop, H2Transport]:
        with self._lock:
            if self._closed:
                raise TransportError("the transport is closed")
            if self._loop is None or self._transport is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="connect-h2-loop", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
                self._transport = _wait(loop, _make(self._options), None)
            return self._loop, self._transport

    def send(
        self,
        method: str,
        url: str,
        headers: HeaderList,
        body: bytes | Iterator[bytes],
        timeout: float | None,
        cancel: CancelHandle | None = None,
    ) -> _H2SyncResponse:
        """Send a request; return when the response head arrives (the body keeps streaming).

        ``cancel`` aborts the exchange from another thread: the wait on the loop is
        cancelled and the stream reset (``RST_STREAM``); the connection carries on.
        """
        loop, transport = self._start()
        stream: bytes | AsyncIterator[bytes] = (
            body if isinstance(body, bytes) else _pull(body, loop)
        )
        response = _wait(loop, transport.send(method, url, headers, stream), timeout, cancel)
        return _H2SyncResponse(loop, response, timeout, cancel)

    def close(self) -> None:
        """Close every connection and stop the loop thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            loop, thread, transport = self._loop, self._thread, self._transport
        if loop is None:
            return
        try:
            if transport is not None:
                _wait(loop, transport.aclose(), 10.0)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            if thread is not None:
                thread.join(10.0)
            if not loop.is_running():
                loop.close()

    def __enter__(self) -> H2SyncTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


async def _make(options: dict[str, Any]) -> H2Transport:
    return H2Transport(**options)


def _wait(
    loop: asyncio.AbstractEventLoop,
    coro: Coroutine[Any, Any, T],
    timeout: float | None,
    cancel: CancelHandle | None = None,
) -> T:
    """Run ``coro`` on ``loop`` and wait for it.

    A timeout cancels it and raises :class:`TransportError` (``deadline_exceeded``), and so
    does ``cancel``, cancelling the task on the loop (``canceled``). What the coroutine raises
    is raised here: :class:`H2Transport` maps its own failures already.
    """
    future = asyncio.run_coroutine_threadsafe(coro, loop)
    unregister = None if cancel is None else cancel.on_cancel(lambda: _cancel(future))
    try:
        return future.result(timeout)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise TransportError("the HTTP/2 call timed out", code=Code.DEADLINE_EXCEEDED) from None
    except concurrent.futures.CancelledError:
        raise TransportError("the call was canceled", code=Code.CANCELED) from None
    finally:
        if unregister is not None:
            unregister()


def _cancel(future: concurrent.futures.Future[Any]) -> None:
    future.cancel()  # cancels the task on the loop too


async def _next(chunks: AsyncIterator[bytes]) -> bytes | None:
    return await anext(chunks, None)


class _H2SyncResponse:
    """A response of :class:`H2SyncTransport`: each read waits on the loop thread."""

    __slots__ = ("_cancel", "_loop", "_r", "_timeout", "headers", "status")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        r: AsyncResponse,
        timeout: float | None,
        cancel: CancelHandle | None = None,
    ) -> None:
        self._loop = loop
        self._r = r
        self._timeout = timeout
        self._cancel = cancel
        self.status = r.status
        self.headers = r.headers

    @property
    def trailers(self) -> Headers:
        """The HTTP/2 trailers, complete once the body has been read to its end."""
        return self._r.trailers

    def iter_bytes(self) -> Iterator[bytes]:
        """The body's chunks as they arrive (each read bounded by the call's timeout)."""
        chunks = self._r.aiter_bytes()
        while True:
            chunk = _wait(self._loop, _next(chunks), self._timeout, self._cancel)
            if chunk is None:
                return
            yield chunk

    def read(self) -> bytes:
        """The whole body."""
        return _wait(self._loop, self._r.aread(), self._timeout, self._cancel)

    def close(self) -> None:
        """Release the stream (reset it when the body was not read to its end)."""
        if self._loop.is_running():
            _wait(self._loop, self._r.aclose(), 10.0)


class _Puller:
    """Pulls a sync request iterator on a thread of its own, one chunk per request from the
    loop, so a blocking ``next()`` never holds up the loop (or another stream)."""

    def __init__(self, it: Iterator[bytes], loop: asyncio.AbstractEventLoop) -> None:
        self._it = it
        self._loop = loop
        self._wanted = threading.Semaphore(0)
        self._future: asyncio.Future[Any] | None = None
        self._stopped = False
        self._thread: threading.Thread | None = None

    def request(self) -> asyncio.Future[Any]:
        """Ask for the next chunk: the future resolves to it, or to ``_END``."""
        future = self._loop.create_future()
        self._future = future
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="connect-h2-request", daemon=True
            )
            self._thread.start()
        self._wanted.release()
        return future

    def stop(self) -> None:
        """No more chunks are wanted: the thread ends after its current ``next()``."""
        self._stopped = True
        self._wanted.release()

    def _run(self) -> None:
        while True:
            self._wanted.acquire()
            if self._stopped:
                return
            future = self._future
            try:
                item: Any = next(self._it, _END)
            except BaseException as e:  # handed to the stream, which fails the call
                self._hand(future, None, e)
                return
            self._hand(future, item, None)
            if item is _END:
                return

    def _hand(
        self, future: asyncio.Future[Any] | None, item: Any, error: BaseException | None
    ) -> None:
        if future is None:
            return
        with contextlib.suppress(RuntimeError):  # a closed loop: the transport is gone
            self._loop.call_soon_threadsafe(_resolve, future, item, error)


def _resolve(future: asyncio.Future[Any], item: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(item)


async def _pull(it: Iterator[bytes], loop: asyncio.AbstractEventLoop) -> AsyncIterator[bytes]:
    """``it`` as an async iterator on ``loop``."""
    puller = _Puller(it, loop)
    try:
        while True:
            item = await puller.request()
            if item is _END:
                return
            yield item
    finally:
        puller.stop()
