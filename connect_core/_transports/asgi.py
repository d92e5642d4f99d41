"""An in-memory async transport: calls an ASGI application directly, streaming both ways.

Unlike ``httpx.ASGITransport``, which runs the application to completion and then hands over
the collected response, this runs the application as a task beside the caller: response
chunks reach the client as the application sends them, request chunks reach the
application as the client produces them, so server streams arrive message by message and a
bidirectional call is full duplex, all without a socket.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote, urlsplit

from .._headers import HeaderList, Headers
from .base import TransportError, os_error

ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[MutableMapping[str, Any]]],
        Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]


class ClientDisconnectedError(OSError):
    """Raised by ``send`` once the client has released the response (ASGI spec 2.4)."""


class ASGITransport:
    """Calls an ASGI application (ours, FastAPI, Starlette, Django's ASGI handler) in memory.

    Example::

        transport = ASGITransport(EchoServiceASGIApplication(Echo()))
        client = EchoServiceClient("http://test", transport=transport)
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        root_path: str = "",
        client: tuple[str, int] = ("127.0.0.1", 50000),
        http_version: str = "1.1",
        raise_app_exceptions: bool = True,
        buffer_bytes: int = 1 << 20,
    ) -> None:
        """Create a transport.

        Args:
            app: The ASGI application.
            root_path: The ``root_path`` of every request scope (a mount prefix).
            client: The ``client`` address the application sees.
            http_version: The ``http_version`` the application sees.
            raise_app_exceptions: Re-raise an exception escaping the application in the client
                (otherwise the client sees what a server would send: a 500, or a cut body).
            buffer_bytes: Response bytes buffered before the application's ``send`` waits
                for the client to read.
        """
        self.app = app
        self.root_path = root_path
        self.client = client
        self.http_version = http_version
        self.raise_app_exceptions = raise_app_exceptions
        self.buffer_bytes = buffer_bytes

    async def send(
        self, method: str, url: str, headers: HeaderList, body: bytes | AsyncIterator[bytes]
    ) -> _Exchange:
        """Start the application on the request; return once it has sent its response head."""
        parts = urlsplit(url)
        scheme = parts.scheme or "http"
        host = parts.hostname or "testserver"
        port = parts.port or (443 if scheme == "https" else 80)
        raw_headers = [(b"host", parts.netloc.encode("latin-1"))]
        raw_headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        if isinstance(body, bytes):
            raw_headers.append((b"content-length", str(len(body)).encode()))
        else:
            raw_headers.append((b"transfer-encoding", b"chunked"))
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": self.http_version,
            "method": method,
            "scheme": scheme,
            "path": unquote(parts.path),
            "raw_path": parts.path.encode("latin-1"),
            "query_string": parts.query.encode("latin-1"),
            "root_path": self.root_path,
            "headers": raw_headers,
            "client": self.client,
            "server": (host, port),
            "extensions": {"http.response.trailers": {}},
            "state": {},
        }
        exchange = _Exchange(body, self.buffer_bytes, self.raise_app_exceptions)
        exchange.task = asyncio.get_running_loop().create_task(
            exchange.run(self.app, scope), name=f"asgi {method} {parts.path}"
        )
        try:
            await exchange.wait_head()
        except BaseException as e:
            await exchange.aclose()
            if isinstance(e, OSError) and not isinstance(e, TransportError):
                raise os_error(e) from e  # as from a socket, whoever raised it
            raise
        return exchange

    async def aclose(self) -> None:
        """Nothing to close: the application is not owned by the transport."""

    async def __aenter__(self) -> ASGITransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _Exchange:
    """One request to the application and its response, as the client reads it."""

    def __init__(
        self, body: bytes | AsyncIterator[bytes], buffer_bytes: int, raise_errors: bool
    ) -> None:
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._body = body
        self._body_done = False
        self._buffer_bytes = buffer_bytes
        self._raise = raise_errors
        self.status = 0
        self.headers = Headers()
        self.trailers = Headers()
        self._head: asyncio.Future[None] = loop.create_future()
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._ended = False
        self._expect_trailers = False
        self._error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None  # the client, waiting for chunks
        self._drained: asyncio.Future[None] | None = None  # the app, waiting for room
        self._disconnected = loop.create_future()
        self.task: asyncio.Task[None] | None = None

    # -- the application's side ----------------------------------------------------------------

    async def run(self, app: ASGIApp, scope: dict[str, Any]) -> None:
        try:
            await app(scope, self.receive, self.send)
        except asyncio.CancelledError:
            self._finish(TransportError("the ASGI application was cancelled"))
            raise
        except BaseException as e:
            if self._raise:
                self._finish(e)
            elif not self._head.done():
                self._start(500, [(b"content-length", b"0")])
                self._finish(None)
            else:
                self._finish(TransportError(f"the ASGI application failed: {e!r}"))
            if not isinstance(e, Exception):
                raise
            return
        if not self._head.done():
            self._start(500, [(b"content-length", b"0")])
        self._finish(None if self._ended else TransportError("the ASGI app sent no full body"))

    async def receive(self) -> dict[str, Any]:
        if self._disconnected.done():
            return {"type": "http.disconnect"}
        if self._body_done:
            await asyncio.shield(self._disconnected)
            return {"type": "http.disconnect"}
        body = self._body
        if isinstance(body, bytes):
            self._body_done = True
            return {"type": "http.request", "body": body, "more_body": False}
        try:
            chunk = await anext(body, None)
        except Exception as e:
            # The caller's request stream failed: the call fails with its error.
            self._error = self._error or e
            self._wake()
            if not self._disconnected.done():
                self._disconnected.set_result(None)
            return {"type": "http.disconnect"}
        if chunk is None:
            self._body_done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(self, message: MutableMapping[str, Any]) -> None:
        if self._disconnected.done():
            raise ClientDisconnectedError("the client released the response")
        kind = message["type"]
        if kind == "http.response.body":
            chunk = message.get("body", b"")
            if chunk:
                self._chunks.append(chunk)
                self._buffered += len(chunk)
            if not message.get("more_body", False) and not self._expect_trailers:
                self._ended = True
            self._wake()
            if self._buffered > self._buffer_bytes and not self._ended:
                drained = self._drained = self._loop.create_future()
                await drained
        elif kind == "http.response.start":
            if self._head.done():
                raise RuntimeError("http.response.start sent twice")
            self._expect_trailers = bool(message.get("trailers", False))
            self._start(int(message["status"]), message.get("headers", ()))
        elif kind == "http.response.trailers":
            for k, v in message.get("headers", ()):
                self.trailers.add(k.decode("latin-1").lower(), v.decode("latin-1"))
            if not message.get("more_trailers", False):
                self._ended = True
                self._wake()

    def _start(self, status: int, raw: Any) -> None:
        self.status = status
        for k, v in raw:
            self.headers.add(k.decode("latin-1"), v.decode("latin-1"))
        if not self._head.done():
            self._head.set_result(None)

    def _finish(self, error: BaseException | None) -> None:
        if error is not None and self._error is None and not self._ended:
            self._error = error
        if not self._head.done():
            self._head.set_exception(self._error or TransportError("no response"))
        self._ended = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        self._waiter = None

    # -- the client's side ---------------------------------------------------------------------

    async def wait_head(self) -> None:
        await self._head

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        chunks = self._chunks
        while True:
            if chunks:
                chunk = chunks.popleft()
                self._buffered -= len(chunk)
                drained = self._drained
                if drained is not None and self._buffered <= self._buffer_bytes:
                    self._drained = None
                    if not drained.done():
                        drained.set_result(None)
                yield chunk
                continue
            error = self._error
            if error is not None:
                if isinstance(error, OSError) and not isinstance(error, TransportError):
                    raise os_error(error) from error  # as from a socket, whoever raised it
                raise error
            if self._ended:
                return
            waiter = self._waiter = self._loop.create_future()
            await waiter

    async def aread(self) -> bytes:
        return b"".join([chunk async for chunk in self.aiter_bytes()])

    async def aclose(self) -> None:
        """Release the response; an application still running sees a disconnect and is
        cancelled."""
        if not self._disconnected.done():
            self._disconnected.set_result(None)
        drained = self._drained
        if drained is not None and not drained.done():
            drained.set_result(None)
        task = self.task
        if task is not None and not task.done():
            await asyncio.sleep(0)  # let the application see the disconnect first
            if not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        body = self._body
        if not self._body_done and not isinstance(body, bytes):
            self._body_done = True
            aclose = getattr(body, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()
