"""A sync transport on the standard library's ``http.client`` (HTTP/1.1, keep-alive)."""

from __future__ import annotations

import http.client
import ssl
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

from .._clients.cancel import CancelHandle, shutdown_socket
from .._code import Code
from .._headers import HeaderList
from .base import (
    TransportError,
    any_case_headers,
    host_port,
    os_error,
    wrap_error,
)

_READ_SIZE = 1 << 16
_RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
_ERRORS = (OSError, http.client.HTTPException)
"""What ``http.client`` and its sockets raise; the transport maps them with :func:`_mapped`."""


class _Canceled(ConnectionAbortedError):
    """The exchange stopped because its call was cancelled."""


def _mapped(e: Exception, address: str | None = None) -> TransportError:
    """The :class:`TransportError` for ``e``, one of :data:`_ERRORS`; ``address`` is the
    ``host:port`` being connected to, when ``e`` came from connecting."""
    if isinstance(e, _Canceled):
        return wrap_error(e, code=Code.CANCELED)
    if isinstance(e, OSError):
        return os_error(e, address=address)
    return wrap_error(e)


class _Abort:
    """Shuts a connection's socket down when its call is cancelled (from another thread)."""

    __slots__ = ("_conn", "aborted", "unregister")

    def __init__(self, conn: http.client.HTTPConnection, cancel: CancelHandle | None) -> None:
        self._conn = conn
        self.aborted = False
        self.unregister = None if cancel is None else cancel.on_cancel(self)

    def __call__(self) -> None:
        self.aborted = True
        # The socket may not exist yet (still connecting): the client thread then sees
        # ``aborted`` before it blocks (see _connect and _exchange).
        shutdown_socket(self._conn.sock)

    def release(self) -> None:
        if self.unregister is not None:
            self.unregister()
            self.unregister = None


class _Response:
    __slots__ = (
        "_abort",
        "_conn",
        "_deadline",
        "_key",
        "_owner",
        "_r",
        "headers",
        "status",
        "trailers",
    )

    def __init__(
        self,
        owner: HttpClientTransport,
        key: tuple[str, str, int],
        conn: http.client.HTTPConnection,
        r: http.client.HTTPResponse,
        deadline: float | None,
        abort: _Abort,
    ) -> None:
        self._owner = owner
        self._key = key
        self._conn: http.client.HTTPConnection | None = conn
        self._r = r
        self._deadline = deadline
        self._abort = abort
        self.status = r.status
        self.headers = any_case_headers(r.msg.items())
        self.trailers = any_case_headers(())

    def _arm(self) -> None:
        """Give the next blocking read what is left of the call's deadline."""
        deadline = self._deadline
        conn = self._conn
        if deadline is not None and conn is not None and conn.sock is not None:
            conn.sock.settimeout(max(deadline - time.monotonic(), 0.001))

    def iter_bytes(self) -> Iterator[bytes]:
        r = self._r
        read1 = r.read1
        try:
            while True:
                self._arm()
                chunk = read1(_READ_SIZE)
                if not chunk:
                    break
                yield chunk
        except _ERRORS as e:
            raise _mapped(e) from e
        if r.length:  # read1 ends a body cut short of its content-length without a word
            raise TransportError(
                f"the server closed the connection {r.length} bytes before the response ended"
            )

    def read(self) -> bytes:
        try:
            self._arm()
            return self._r.read()
        except _ERRORS as e:
            raise _mapped(e) from e

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        self._abort.release()
        r = self._r
        try:
            if r.isclosed() and not r.will_close and not self._abort.aborted:
                self._owner._release(self._key, conn)  # read to its end: reuse the connection
            else:
                r.close()
                conn.close()
        except _ERRORS as e:
            raise _mapped(e) from e


class HttpClientTransport:
    """A sync transport on ``http.client``: a keep-alive pool per origin, thread-safe.

    No third-party dependency; HTTP/1.1 only, no proxies (use ``HttpxSyncTransport`` for
    those). Deadlines become socket timeouts, renewed with the time left before every read.
    """

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_idle_per_origin: int = 32,
    ) -> None:
        """Create a transport.

        Args:
            ssl_context: TLS settings for ``https://`` origins (default: the system's).
            max_idle_per_origin: Idle keep-alive connections kept per origin.
        """
        self._ssl = ssl_context
        self._max_idle = max_idle_per_origin
        self._idle: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._targets: dict[str, tuple[tuple[str, str, int], str]] = {}
        self._closed = False

    def _target(self, url: str) -> tuple[tuple[str, str, int], str]:
        found = self._targets.get(url)
        if found is not None:
            return found
        parts = urlsplit(url)
        scheme = parts.scheme
        if scheme not in ("http", "https"):
            raise ValueError(f"HttpClientTransport needs an http:// or https:// URL, got {url!r}")
        port = parts.port or (443 if scheme == "https" else 80)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        target = ((scheme, parts.hostname or "", port), path)
        if not parts.query and len(self._targets) < 1024:
            self._targets[url] = target
        return target

    def _acquire(self, key: tuple[str, str, int]) -> http.client.HTTPConnection | None:
        with self._lock:
            idle = self._idle.get(key)
            if idle:
                return idle.pop()
        return None

    def _new(self, key: tuple[str, str, int], timeout: float | None) -> http.client.HTTPConnection:
        scheme, host, port = key
        if scheme == "https":
            return http.client.HTTPSConnection(
                host, port, timeout=timeout, context=self._ssl or ssl.create_default_context()
            )
        return http.client.HTTPConnection(host, port, timeout=timeout)

    def _release(self, key: tuple[str, str, int], conn: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if not self._closed and len(idle) < self._max_idle:
                idle.append(conn)
                return
        conn.close()

    def send(
        self,
        method: str,
        url: str,
        headers: HeaderList,
        body: bytes | Iterator[bytes],
        timeout: float | None,
        cancel: CancelHandle | None = None,
    ) -> _Response:
        """Send the request and return once the response head has arrived; ``cancel`` aborts
        the exchange from another thread (the connection is closed, never reused).

        Raises :class:`~connect_core.TransportError` for what ``http.client`` and the socket
        raised (a timeout's code is ``deadline_exceeded``).
        """
        key, path = self._target(url)
        deadline = None if timeout is None else time.monotonic() + timeout
        conn = self._acquire(key)
        try:
            if conn is not None:
                try:
                    return self._exchange(
                        key, conn, method, path, headers, body, timeout, deadline, cancel
                    )
                except _RETRYABLE:
                    # The server closed the idle connection before it saw this request: retry
                    # on a new one when the body can be sent again.
                    if not isinstance(body, bytes) or (cancel is not None and cancel.canceled):
                        raise
                    if deadline is not None:
                        timeout = max(deadline - time.monotonic(), 0.001)
            conn = self._connect(key, timeout, cancel)
            return self._exchange(key, conn, method, path, headers, body, timeout, deadline, cancel)
        except TransportError:
            raise
        except _ERRORS as e:
            raise _mapped(e) from e

    def _connect(
        self, key: tuple[str, str, int], timeout: float | None, cancel: CancelHandle | None
    ) -> http.client.HTTPConnection:
        """A new connection, connected (and through its TLS handshake)."""
        conn = self._new(key, timeout)
        abort = _Abort(conn, cancel)
        try:
            conn.connect()
        except OSError as e:
            conn.close()
            raise os_error(e, address=host_port(key[1], key[2])) from e
        finally:
            abort.release()
        if abort.aborted:
            conn.close()
            raise _Canceled("the call was canceled")
        return conn

    def _exchange(
        self,
        key: tuple[str, str, int],
        conn: http.client.HTTPConnection,
        method: str,
        path: str,
        headers: HeaderList,
        body: bytes | Iterator[bytes],
        timeout: float | None,
        deadline: float | None,
        cancel: CancelHandle | None,
    ) -> _Response:
        abort = _Abort(conn, cancel)
        try:
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            else:
                conn.timeout = timeout
            conn.putrequest(method, path, skip_accept_encoding=True)
            put = conn.putheader
            for k, v in headers:
                put(k, v)
            if isinstance(body, bytes):
                if body or method != "GET":
                    put("content-length", str(len(body)))
                conn.endheaders(body or None)
            else:
                put("transfer-encoding", "chunked")
                conn.endheaders(body, encode_chunked=True)
            if deadline is not None and conn.sock is not None:
                conn.sock.settimeout(max(deadline - time.monotonic(), 0.001))
            if abort.aborted:
                # Cancelled while the request went out: stop here rather than wait for the
                # response on a socket that may not have been shut down in time.
                raise _Canceled("the call was canceled")
            r = conn.getresponse()
        except BaseException:
            abort.release()
            conn.close()
            raise
        return _Response(self, key, conn, r, deadline, abort)

    def close(self) -> None:
        """Close every idle connection (responses still open close theirs when released)."""
        with self._lock:
            self._closed = True
            conns = [c for idle in self._idle.values() for c in idle]
            self._idle.clear()
        for conn in conns:
            conn.close()

    def __enter__(self) -> HttpClientTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
