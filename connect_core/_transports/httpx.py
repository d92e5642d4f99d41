"""The default transports, on ``httpx`` (or ``httpx2``, the maintained fork with the same API)."""

from __future__ import annotations

import sys
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

from .._clients.cancel import CancelHandle, shutdown_socket
from .._code import Code
from .._headers import HeaderList, Headers
from .base import TransportError, lower_headers, os_error, url_address, wrap_error


def _headers(r: Any) -> Headers:
    return lower_headers(r.headers.multi_items())  # httpx gives lower-case names


class _Errors:
    """The exceptions the httpx transports map: those of httpx and httpx2, whichever are
    loaded (a client of either is sent with, so its library is), and ``OSError``."""

    __slots__ = ("all", "connects", "timeouts")

    def __init__(self) -> None:
        timeouts: list[type[Exception]] = []
        connects: list[type[Exception]] = []
        others: list[type[Exception]] = [OSError]
        for name in ("httpx", "httpx2"):
            lib = sys.modules.get(name)
            if lib is None:
                continue
            timeouts.append(lib.TimeoutException)
            connects.append(lib.ConnectError)
            others += [lib.HTTPError, lib.StreamError]
            invalid_url = getattr(lib, "InvalidURL", None)
            if invalid_url is not None:
                others.append(invalid_url)
        h2 = sys.modules.get("h2.exceptions")
        if h2 is not None:
            others.append(h2.H2Error)  # httpx's HTTP/2 lets a few of h2's through
        self.timeouts = tuple(timeouts)
        self.connects = tuple(connects)
        self.all = (*timeouts, *connects, *others)


def _errors() -> tuple[type[Exception], ...]:
    """What to catch around a call into httpx (looked up only when something was raised)."""
    return _Errors().all


def _mapped(e: Exception, url: str) -> TransportError:
    """The :class:`TransportError` for ``e``, one of :func:`_errors`, raised while exchanging
    with ``url``."""
    errors = _Errors()
    if isinstance(e, errors.timeouts):
        return wrap_error(e, code=Code.DEADLINE_EXCEEDED)
    if isinstance(e, errors.connects):
        return wrap_error(e, address=url_address(url))
    if isinstance(e, OSError):
        return os_error(e)
    return wrap_error(e)


class _HttpxAsyncResponse:
    __slots__ = ("_r", "_url", "headers", "status", "trailers")

    def __init__(self, r: Any, url: str) -> None:
        self._r = r
        self._url = url
        self.status: int = r.status_code
        self.headers = _headers(r)
        self.trailers = Headers()  # httpx does not expose HTTP trailers

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        # Raw bytes: the Connect layer, not httpx, undoes Content-Encoding (with its limits).
        try:
            async for chunk in self._r.aiter_raw():
                yield chunk
        except _errors() as e:
            raise _mapped(e, self._url) from e

    async def aread(self) -> bytes:
        try:
            chunks = [chunk async for chunk in self._r.aiter_raw()]
        except _errors() as e:
            raise _mapped(e, self._url) from e
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def aclose(self) -> None:
        try:
            await self._r.aclose()
        except _errors() as e:
            raise _mapped(e, self._url) from e


class HttpxAsyncTransport:
    """The default async transport, on ``httpx.AsyncClient`` (or ``httpx2.AsyncClient``).

    Pass your own client to keep its pool, auth, proxies, TLS settings, event hooks and HTTP/2
    (``httpx.AsyncClient(http2=True)`` with ``httpx[http2]``); a client passed in is never
    closed by this transport. httpx sends the whole request body before it reads the
    response, so bidirectional streams are half-duplex here.
    """

    def __init__(self, client: Any = None) -> None:
        """Send with ``client``, or with a default ``httpx.AsyncClient`` this transport owns."""
        if client is None:
            import httpx

            client = httpx.AsyncClient(timeout=None)
            self._owned = True
        else:
            self._owned = False
        self.client = client

    async def send(
        self, method: str, url: str, headers: HeaderList, body: bytes | AsyncIterator[bytes]
    ) -> _HttpxAsyncResponse:
        """Send the request and return once the response head has arrived.

        Raises :class:`~connect_core.TransportError` for what httpx raised.
        """
        client = self.client
        try:
            request = client.build_request(method, url, headers=headers, content=body)
            r = await client.send(request, stream=True)
        except _errors() as e:
            raise _mapped(e, url) from e
        return _HttpxAsyncResponse(r, url)

    async def aclose(self) -> None:
        """Close the client when this transport created it."""
        if self._owned:
            await self.client.aclose()

    async def __aenter__(self) -> HttpxAsyncTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


# -- sync cancellation ------------------------------------------------------------------------
#
# httpx's sync API has no way to stop a request another thread is blocked in. Its pool
# (httpcore) reads and writes through a pluggable network backend, so the transport wraps
# that backend: while a call made with a CancelHandle blocks on a connection's socket, the
# handle can shut that socket down, and httpx raises in the blocked thread at once. Which
# handle is current is known per thread: the call runs in the thread that does the I/O.

_active = threading.local()


def _current() -> CancelHandle | None:
    handle: CancelHandle | None = getattr(_active, "cancel", None)
    return handle


class _CancelableStream:
    """A network stream whose blocking reads and writes the current call can abort."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def _guard(self) -> Any:
        handle = _current()
        if handle is None:
            return None
        return handle.on_cancel(self._abort)

    def _abort(self) -> None:
        shutdown_socket(self._stream.get_extra_info("socket"))

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        handle: CancelHandle | None = getattr(_active, "cancel", None)
        if handle is None:  # the common case: no handle, no bookkeeping
            data: bytes = self._stream.read(max_bytes, timeout)
            return data
        unregister = handle.on_cancel(self._abort)
        try:
            data = self._stream.read(max_bytes, timeout)
        finally:
            unregister()
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        handle: CancelHandle | None = getattr(_active, "cancel", None)
        if handle is None:
            self._stream.write(buffer, timeout)
            return
        unregister = handle.on_cancel(self._abort)
        try:
            self._stream.write(buffer, timeout)
        finally:
            unregister()

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, *args: Any, **kwargs: Any) -> _CancelableStream:
        unregister = self._guard()
        try:
            return _CancelableStream(self._stream.start_tls(*args, **kwargs))
        finally:
            if unregister is not None:
                unregister()

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _CancelableBackend:
    """httpcore's network backend, handing out :class:`_CancelableStream` connections."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    def connect_tcp(self, *args: Any, **kwargs: Any) -> _CancelableStream:
        return _CancelableStream(self._backend.connect_tcp(*args, **kwargs))

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> _CancelableStream:
        return _CancelableStream(self._backend.connect_unix_socket(*args, **kwargs))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _make_cancelable(client: Any) -> bool:
    """Wrap the network backend of ``client``'s default transport; False when the client is
    built differently (a custom or mounted transport), where calls are cancelled between
    reads only.

    Not with HTTP/2 enabled either: there one socket carries every call, and shutting it down
    would fail the others too.
    """
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is None or getattr(pool, "_http2", False):
        return False
    if not isinstance(backend, _CancelableBackend):
        pool._network_backend = _CancelableBackend(backend)  # type: ignore[union-attr]
    return True


class _Cancelable:
    """Makes ``cancel`` the current handle of this thread for a block of I/O."""

    __slots__ = ("_cancel", "_previous")

    def __init__(self, cancel: CancelHandle | None) -> None:
        self._cancel = cancel
        self._previous: CancelHandle | None = None

    def __enter__(self) -> None:
        self._previous = _current()
        _active.cancel = self._cancel

    def __exit__(self, *exc_info: object) -> None:
        _active.cancel = self._previous


class _HttpxSyncResponse:
    __slots__ = ("_cancel", "_r", "_url", "headers", "status", "trailers")

    def __init__(self, r: Any, url: str, cancel: CancelHandle | None) -> None:
        self._r = r
        self._url = url
        self._cancel = cancel
        self.status: int = r.status_code
        self.headers = _headers(r)
        self.trailers = Headers()

    def iter_bytes(self) -> Iterator[bytes]:
        it: Iterator[bytes] = self._r.iter_raw()
        try:
            if self._cancel is None:
                yield from it
                return
            while True:
                with _Cancelable(self._cancel):
                    chunk = next(it, None)
                if chunk is None:
                    return
                yield chunk
        except _errors() as e:
            raise _mapped(e, self._url) from e

    def read(self) -> bytes:
        try:
            with _Cancelable(self._cancel):
                chunks = list(self._r.iter_raw())
        except _errors() as e:
            raise _mapped(e, self._url) from e
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def close(self) -> None:
        try:
            self._r.close()
        except _errors() as e:
            raise _mapped(e, self._url) from e


class HttpxSyncTransport:
    """The default sync transport, on ``httpx.Client`` (or ``httpx2.Client``).

    A client passed in is never closed by this transport. Calls made with a
    :class:`~connect_core.CancelHandle` are aborted mid-exchange when the client uses httpx's
    default HTTP/1.1 transport (its network backend is wrapped to make that possible); with
    HTTP/2 enabled, or a custom or mounted httpx transport, they end at their next read.
    """

    def __init__(self, client: Any = None) -> None:
        """Send with ``client``, or with a default ``httpx.Client`` this transport owns."""
        if client is None:
            import httpx

            client = httpx.Client(timeout=None)
            self._owned = True
        else:
            self._owned = False
        self.client = client
        _make_cancelable(client)

    def send(
        self,
        method: str,
        url: str,
        headers: HeaderList,
        body: bytes | Iterator[bytes],
        timeout: float | None,
        cancel: CancelHandle | None = None,
    ) -> _HttpxSyncResponse:
        """Send the request and return once the response head has arrived; ``cancel`` aborts
        the exchange from another thread.

        Raises :class:`~connect_core.TransportError` for what httpx raised (a timeout's code
        is ``deadline_exceeded``).
        """
        try:
            request = self.client.build_request(method, url, headers=headers, content=body)
            if timeout is not None:
                request.extensions["timeout"] = {
                    "connect": timeout,
                    "read": timeout,
                    "write": timeout,
                    "pool": timeout,
                }
            if cancel is None:
                r = self.client.send(request, stream=True)
            else:
                with _Cancelable(cancel):
                    r = self.client.send(request, stream=True)
        except _errors() as e:
            raise _mapped(e, url) from e
        return _HttpxSyncResponse(r, url, cancel)

    def close(self) -> None:
        """Close the client when this transport created it."""
        if self._owned:
            self.client.close()

    def __enter__(self) -> HttpxSyncTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
