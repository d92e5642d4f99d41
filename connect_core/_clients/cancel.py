"""``CancelHandle``: cancel a sync client's calls from another thread.

A blocked sync call cannot be interrupted by the thread that made it, so the handle is given
to the call (``cancel=handle``) and :meth:`CancelHandle.cancel` is called from elsewhere: a
timer, a UI thread, a shutdown hook. The transports register an *abort* with the handle for
as long as they block (shutting a socket down, cancelling the HTTP/2 stream's wait), so the
exchange stops at once and the call raises ``ConnectError(Code.CANCELED)``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable

_Abort = Callable[[], None]


class CancelHandle:
    """Cancels the sync calls it is passed to (``cancel=handle``), from any thread.

    A handle is like a context's cancellation: once :meth:`cancel` has been called it stays
    cancelled, so calls in flight stop and calls started with it later fail at once. Use one
    handle per call (or per group of calls that end together).

    Example::

        handle = CancelHandle()
        threading.Timer(1.0, handle.cancel).start()
        try:
            reply = client.slow(request, cancel=handle)
        except ConnectError as e:
            assert e.code is Code.CANCELED
    """

    __slots__ = ("_aborts", "_canceled", "_lock", "_next")

    def __init__(self) -> None:
        """Create a handle that is not cancelled."""
        self._lock = threading.Lock()
        self._canceled = False
        self._aborts: dict[int, _Abort] = {}
        self._next = 0

    @property
    def canceled(self) -> bool:
        """True once :meth:`cancel` has been called."""
        return self._canceled

    def cancel(self) -> None:
        """Cancel every call made with this handle: the ones in flight stop at once and raise
        ``ConnectError(Code.CANCELED)``, later ones raise it before sending anything."""
        with self._lock:
            if self._canceled:
                return
            self._canceled = True
            aborts = list(self._aborts.values())
            self._aborts.clear()
        for abort in aborts:
            with contextlib.suppress(Exception):  # an abort must not stop the others
                abort()

    def on_cancel(self, abort: _Abort) -> Callable[[], None]:
        """Run ``abort`` (from the cancelling thread) when the handle is cancelled; return a
        function that unregisters it. Already cancelled: ``abort`` runs now.

        This is the hook transports use to stop a blocked exchange.
        """
        with self._lock:
            if not self._canceled:
                key = self._next
                self._next += 1
                self._aborts[key] = abort
                return lambda: self._forget(key)
        with contextlib.suppress(Exception):
            abort()
        return _nothing

    def _forget(self, key: int) -> None:
        with self._lock:
            self._aborts.pop(key, None)


def _nothing() -> None:
    return None


def shutdown_socket(sock: socket.socket | None) -> None:
    """Stop a socket that another thread may be blocked on (``recv``, ``send``, ``connect``).

    ``shutdown`` wakes the blocked call (it returns end-of-file or fails) where ``close`` would
    not. The plain-socket method is used even for TLS sockets: ``SSLSocket.shutdown`` would
    also tear down the TLS object under the other thread's feet.
    """
    if sock is None:
        return
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
