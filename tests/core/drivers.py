"""Small in-process drivers: call an ASGI app or a WSGI app without a server."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from connect_core import Headers


@dataclass
class Response:
    status: int
    headers: Headers
    chunks: list[bytes] = field(default_factory=list)

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


class ASGIDriver:
    """Drives one ASGI ``http`` call: feeds the body, records what the app sends.

    ``disconnect_after_chunks``: after the app sent that many non-empty body chunks, the
    client "goes away": ``receive`` returns ``http.disconnect`` and ``send`` is ignored (as
    uvicorn does).
    """

    def __init__(
        self,
        app: Any,
        method: str,
        path: str,
        headers: Iterable[tuple[str, str]] = (),
        body: bytes | list[bytes] = b"",
        query: bytes = b"",
        disconnect_after_chunks: int | None = None,
    ) -> None:
        self.app = app
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query,
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
            "client": ("127.0.0.1", 1234),
            "server": ("127.0.0.1", 80),
        }
        chunks = [body] if isinstance(body, bytes) else list(body)
        self.body_messages = [
            {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
            for i, c in enumerate(chunks or [b""])
        ]
        self.disconnect_after_chunks = disconnect_after_chunks
        self.receive_calls = 0
        self.body_read = False
        self.status: int | None = None
        self.headers = Headers()
        self.chunks: list[bytes] = []
        self.complete = False

    async def run(self) -> Response:
        self.disconnected = asyncio.Event()
        await self.app(self.scope, self._receive, self._send)
        assert self.status is not None, "the app sent no response"
        return Response(self.status, self.headers, self.chunks)

    async def _receive(self) -> dict[str, Any]:
        self.receive_calls += 1
        if self.body_messages:
            message = self.body_messages.pop(0)
            if not message["more_body"]:
                self.body_read = True
            return message
        await self.disconnected.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, Any]) -> None:
        if self.disconnected.is_set():
            return
        if message["type"] == "http.response.start":
            assert self.status is None, "response started twice"
            self.status = message["status"]
            self.headers = Headers.from_raw(message.get("headers", []))
        elif message["type"] == "http.response.body":
            assert self.status is not None, "body before start"
            assert not self.complete, "body after the response completed"
            if message.get("body"):
                self.chunks.append(message["body"])
            if not message.get("more_body", False):
                self.complete = True
            n = self.disconnect_after_chunks
            if n is not None and len(self.chunks) >= n:
                self.disconnected.set()
        else:
            raise AssertionError(f"unexpected message {message['type']}")


def asgi_call(app: Any, method: str, path: str, **kwargs: Any) -> Response:
    """Run one ASGI call to completion (in a fresh event loop)."""
    return asyncio.run(ASGIDriver(app, method, path, **kwargs).run())


class _ChunkedInput(io.RawIOBase):
    """A ``wsgi.input`` without ``CONTENT_LENGTH`` (like a chunked body) that yields chunks."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = list(chunks)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._chunks.pop(0) if self._chunks else b""

    read1 = read


def wsgi_call(
    app: Callable[..., Iterable[bytes]],
    method: str,
    path: str,
    headers: Iterable[tuple[str, str]] = (),
    body: bytes | list[bytes] = b"",
    query: str = "",
    consume: int | None = None,
) -> tuple[Response, Iterable[bytes]]:
    """Call a WSGI app; read ``consume`` body chunks (all when ``None``), then close.

    Returns the response and the app's iterable (already closed).
    """
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if isinstance(body, bytes):
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
    else:
        environ["wsgi.input"] = _ChunkedInput(body)
    for k, v in headers:
        key = k.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = v
        else:
            environ["HTTP_" + key] = v
    started: dict[str, Any] = {}

    def start_response(status: str, hdrs: list[tuple[str, str]], exc_info: Any = None) -> None:
        started["status"] = int(status.split(" ", 1)[0])
        started["headers"] = Headers(hdrs)

    result = app(environ, start_response)
    chunks: list[bytes] = []
    try:
        for i, chunk in enumerate(result):
            if chunk:
                chunks.append(chunk)
            if consume is not None and i + 1 >= consume:
                break
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return Response(started["status"], started["headers"], chunks), result
