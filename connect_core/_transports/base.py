"""Transports: what moves a client's bytes. They know HTTP, and nothing of Connect.

A transport sends one request head plus a body (``bytes``, or an iterator of chunks to stream)
and hands back the response status, headers and a body to iterate. Everything about the RPC
protocol (content types, envelopes, compression, errors, trailers in the body) lives in the
client's protocol object, so the same transports will carry gRPC and gRPC-Web later.

Implementations in this package:

==========================  ==========================  =====================================
transport                   HTTP library                notes
==========================  ==========================  =====================================
``HttpxAsyncTransport``     ``httpx.AsyncClient``       the async default; HTTP/1.1, HTTP/2
``HttpxSyncTransport``      ``httpx.Client``            the sync default
``HttptoolsAsyncTransport`` ``httptools`` (llhttp)      the fast async transport (HTTP/1.1)
``HttptoolsSyncTransport``  ``httptools`` (llhttp)      the fast sync transport (HTTP/1.1)
``AiohttpTransport``        ``aiohttp``                 async, keeps an aiohttp session's setup
``HttpClientTransport``     ``http.client`` (stdlib)    sync, no third-party dependency
``H2Transport``             ``h2`` on asyncio streams   full-duplex HTTP/2 (h2c and TLS)
``H2SyncTransport``         ``H2Transport`` on a thread full-duplex HTTP/2 for sync clients
``ASGITransport``           none: calls an ASGI app     in memory, streams both ways
``WSGITransport``           none: calls a WSGI app      in memory, sync
==========================  ==========================  =====================================

A transport maps what its HTTP library and its sockets raise into :class:`TransportError`
once, where it calls them (sending the request, waiting for the response head, reading each
body chunk, closing), the way httpx maps httpcore's exceptions into its own; a transport
written outside this package must do the same. The client turns a ``TransportError`` into a
``ConnectError`` with the error's code (``unavailable`` unless the transport says otherwise);
any other exception reaches the caller as it is.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Protocol
from urllib.parse import urlsplit

from .._code import Code
from .._headers import HeaderList, Headers

"""Request headers: ``(name, value)`` pairs with lower-case names, in order, repeats allowed."""


class TransportError(ConnectionError):
    """A transport-level failure: no connection could be made, the connection was lost, the
    peer reset the stream, the response was malformed, or a timeout ran out.

    Transports raise it (and no other exception of their own, their HTTP library's or their
    sockets') for whatever fails at their boundary; what they caught is its ``__cause__``. The
    client turns it into a :class:`~connect_core.ConnectError` with :attr:`code`.

    Attributes:
        code: The :class:`~connect_core.Code` this failure stands for: ``unavailable`` unless
            the transport knows better (``deadline_exceeded`` for a timeout, ``canceled`` for
            an exchange aborted by a cancellation, an HTTP/2 reset's code).
        address: The ``host:port`` a connection could not be made to, ``None`` when the failure
            is not about connecting: the client's error then names it and the client's base
            URL.
    """

    def __init__(
        self, message: str, *, code: Code = Code.UNAVAILABLE, address: str | None = None
    ) -> None:
        """Create the error; ``message`` says what failed (the client's error repeats it)."""
        super().__init__(message)
        self.code = code
        self.address = address


def describe(e: BaseException) -> str:
    """``"Type: message"`` of an exception, or its type's name when it has no message."""
    name = type(e).__name__
    text = str(e)
    return f"{name}: {text}" if text else name


def wrap_error(
    e: BaseException, *, code: Code = Code.UNAVAILABLE, address: str | None = None
) -> TransportError:
    """A :class:`TransportError` standing for ``e`` (an HTTP library's or a socket's exception),
    naming it in its message and chained to it."""
    err = TransportError(describe(e), code=code, address=address)
    err.__cause__ = e
    return err


def os_error(e: OSError, *, address: str | None = None) -> TransportError:
    """The :class:`TransportError` for an ``OSError`` a transport's socket raised.

    A ``TransportError`` is returned as it is, a timeout is ``deadline_exceeded`` (a sync
    transport's socket timeouts are the call's deadline); pass ``address`` (``host:port``) when
    the error came from connecting to it.
    """
    if isinstance(e, TransportError):
        return e
    if isinstance(e, TimeoutError):
        return wrap_error(e, code=Code.DEADLINE_EXCEEDED)
    return wrap_error(e, address=address)


def host_port(host: str, port: int) -> str:
    """``host:port``, with an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def url_address(url: str) -> str:
    """The ``host:port`` a request to ``url`` connects to (the scheme's port when none is
    given)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # not a valid port: name what was given
        return parts.netloc.rsplit("@", 1)[-1]
    return host_port(parts.hostname or "", port or (443 if parts.scheme == "https" else 80))


class AsyncResponse(Protocol):
    """A response head plus a body to stream, from an async transport.

    Attributes:
        status: The HTTP status code.
        headers: The response headers.
        trailers: The HTTP trailers; complete once the body has been read to its end. Empty
            when there are none or the transport cannot receive them (HTTP/1.1 libraries).
    """

    status: int
    headers: Headers
    trailers: Headers

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        """The body's chunks as they arrive, undecoded (``Content-Encoding`` is left alone)."""
        ...

    async def aread(self) -> bytes:
        """The whole body, undecoded."""
        ...

    async def aclose(self) -> None:
        """Release the response: return the connection to the pool when the body was read to
        its end, otherwise close it (HTTP/1.1) or reset the stream (HTTP/2)."""
        ...


class AsyncTransport(Protocol):
    """Sends one HTTP request and returns once the response head has arrived."""

    async def send(
        self,
        method: str,
        url: str,
        headers: HeaderList,
        body: bytes | AsyncIterator[bytes],
    ) -> AsyncResponse:
        """Send a request; stream ``body`` when it is an iterator.

        A transport that can send and receive at once (HTTP/2) returns as soon as the response
        head arrives and keeps sending the body in the background: that is full duplex. Others
        send the whole body first. Deadlines are enforced by the client (``asyncio.timeout``
        around this call and around every read), so a transport needs no timeout of its own.

        What fails in the transport, here or in the response's methods, raises
        :class:`TransportError`; an exception from ``body`` may be raised as it is.
        """
        ...

    async def aclose(self) -> None:
        """Close what the transport owns (never a client that was passed in)."""
        ...


class SyncResponse(Protocol):
    """A response head plus a body to stream, from a sync transport (see :class:`AsyncResponse`)."""

    status: int
    headers: Headers
    trailers: Headers

    def iter_bytes(self) -> Iterator[bytes]:
        """The body's chunks as they arrive, undecoded."""
        ...

    def read(self) -> bytes:
        """The whole body, undecoded."""
        ...

    def close(self) -> None:
        """Release the response (closing the connection when the body was not read to its end)."""
        ...


class SyncTransport(Protocol):
    """Sends one HTTP request and returns once the response head has arrived."""

    def send(
        self,
        method: str,
        url: str,
        headers: HeaderList,
        body: bytes | Iterator[bytes],
        timeout: float | None,
    ) -> SyncResponse:
        """Send a request (streaming ``body`` when it is an iterator).

        ``timeout`` is the seconds left before the call's deadline (``None``: no deadline); the
        transport applies it to connecting, sending and every read, so a blocked call fails
        with a :class:`TransportError` (``deadline_exceeded``) instead of hanging. The client
        checks the deadline between reads. Other failures, here or in the response's methods,
        raise :class:`TransportError` too.

        A call made with a :class:`~connect_core.CancelHandle` passes it as the keyword
        argument ``cancel``: a transport that accepts it registers an abort with
        ``cancel.on_cancel(...)`` while it blocks (sending, waiting for the head, reading the
        body), so another thread stops the exchange at once. The client passes ``cancel``
        only to calls that have a handle; a transport without the parameter still works for
        every other call.
        """
        ...

    def close(self) -> None:
        """Close what the transport owns (never a client that was passed in)."""
        ...


def lower_headers(pairs: Iterable[tuple[str, str]]) -> Headers:
    """:class:`Headers` from ``(name, value)`` pairs (names in any case)."""
    return Headers(pairs)


any_case_headers = lower_headers


def check_flavour(transport: object, http_client: object, *, is_async: bool) -> None:
    """Raise ``TypeError`` when a client is given a transport or HTTP client of the other
    flavour (an async one for a sync client, or the reverse), which would fail only at the
    first call, with an error that does not say why."""
    client_kind, other = ("async", "sync") if is_async else ("sync", "async")
    example = (
        "HttpxAsyncTransport, httpx.AsyncClient" if is_async else "HttpxSyncTransport, httpx.Client"
    )
    for what, obj in (("transport", transport), ("http_client", http_client)):
        send = getattr(obj, "send", None)
        if obj is None or send is None:
            continue
        if inspect.iscoroutinefunction(send) != is_async:
            raise TypeError(
                f"{what} {type(obj).__name__} is {other} and this client is {client_kind}: "
                f"give the {client_kind} client an {client_kind} {what} (e.g. {example}), "
                f"or use the {other} client"
            )
