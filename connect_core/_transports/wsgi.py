"""An in-memory sync transport: calls a WSGI application directly, streaming its response.

The request body is handed to the application through ``wsgi.input`` as it is produced (a
streamed body is pulled from the caller's iterator as the application reads), and the
response iterable is consumed chunk by chunk as the client reads, so server streams arrive
message by message. Closing the response early closes the application's iterable (which
runs its generators' ``finally`` blocks), as a WSGI server does when a client goes away.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from .._clients.cancel import CancelHandle
from .._headers import HeaderList, Headers
from .base import TransportError, os_error

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Input:
    """``wsgi.input`` over a request body that may still be arriving."""

    def __init__(self, body: bytes | Iterator[bytes]) -> None:
        if isinstance(body, bytes):
            self._buf = body
            self._chunks: Iterator[bytes] | None = None
        else:
            self._buf = b""
            self._chunks = body
        self._pos = 0

    def _more(self) -> bool:
        if self._chunks is None:
            return False
        for chunk in self._chunks:
            if chunk:
                self._buf = self._buf[self._pos :] + chunk
                self._pos = 0
                return True
        self._chunks = None
        return False

    def read1(self, size: int = -1) -> bytes:
        if self._pos >= len(self._buf) and not self._more():
            return b""
        end = len(self._buf) if size < 0 else min(len(self._buf), self._pos + size)
        data = self._buf[self._pos : end]
        self._pos = end
        return data

    def read(self, size: int = -1) -> bytes:
        parts = []
        left = size
        while left != 0:
            data = self.read1(left)
            if not data:
                break
            parts.append(data)
            if left > 0:
                left -= len(data)
        return b"".join(parts)

    def readline(self, size: int = -1) -> bytes:
        parts: list[bytes] = []
        got = 0
        while size < 0 or got < size:
            if self._pos >= len(self._buf) and not self._more():
                break
            nl = self._buf.find(b"\n", self._pos)
            end = len(self._buf) if nl < 0 else nl + 1
            if size >= 0:
                end = min(end, self._pos + size - got)
            parts.append(self._buf[self._pos : end])
            got += end - self._pos
            self._pos = end
            if nl >= 0 and end == nl + 1:
                break
        return b"".join(parts)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line


class WSGITransport:
    """Calls a WSGI application (ours, Flask, Django's WSGI handler) in memory.

    Example::

        transport = WSGITransport(EchoServiceWSGIApplication(Echo()))
        client = EchoServiceClientSync("http://test", transport=transport)

    Deadlines are checked between response chunks only: the application runs on the calling
    thread, which cannot be interrupted.
    """

    def __init__(
        self,
        app: WSGIApp,
        *,
        script_name: str = "",
        remote_addr: str = "127.0.0.1",
        raise_app_exceptions: bool = True,
    ) -> None:
        """Create a transport.

        Args:
            app: The WSGI application.
            script_name: The ``SCRIPT_NAME`` of every request (a mount prefix).
            remote_addr: The ``REMOTE_ADDR`` the application sees.
            raise_app_exceptions: Re-raise an exception escaping the application in the client
                (otherwise the client sees a 500, as from a server).
        """
        self.app = app
        self.script_name = script_name
        self.remote_addr = remote_addr
        self.raise_app_exceptions = raise_app_exceptions

    def send(
        self,
        method: str,
        url: str,
        headers: HeaderList,
        body: bytes | Iterator[bytes],
        timeout: float | None,
        cancel: CancelHandle | None = None,
    ) -> _WSGIResponse:
        """Call the application; return once it has started its response.

        The application runs in the calling thread, so nothing can be aborted from outside:
        a cancelled call stops at the client's next check, between response chunks.
        """
        parts = urlsplit(url)
        scheme = parts.scheme or "http"
        path = unquote(parts.path)
        if self.script_name and path.startswith(self.script_name):
            path = path[len(self.script_name) :]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": self.script_name,
            "PATH_INFO": path.encode("utf-8").decode("latin-1"),
            "QUERY_STRING": parts.query,
            "SERVER_NAME": parts.hostname or "testserver",
            "SERVER_PORT": str(parts.port or (443 if scheme == "https" else 80)),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": self.remote_addr,
            "HTTP_HOST": parts.netloc,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scheme,
            "wsgi.input": _Input(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if isinstance(body, bytes):
            environ["CONTENT_LENGTH"] = str(len(body))
        else:
            environ["HTTP_TRANSFER_ENCODING"] = "chunked"
            environ["wsgi.input_terminated"] = True
        for k, v in headers:
            if k == "content-type":
                environ["CONTENT_TYPE"] = v
            elif k == "content-length":
                environ["CONTENT_LENGTH"] = v
            else:
                key = "HTTP_" + k.upper().replace("-", "_")
                environ[key] = f"{environ[key]},{v}" if key in environ else v
        response = _WSGIResponse()
        try:
            try:
                result = self.app(environ, response.start_response)
            except Exception:
                if self.raise_app_exceptions:
                    raise
                response.fail_500()
                return response
            response.attach(result, self.raise_app_exceptions)
        except TransportError:
            raise
        except OSError as e:
            raise os_error(e) from e  # as from a socket, whoever raised it
        return response

    def close(self) -> None:
        """Nothing to close: the application is not owned by the transport."""

    def __enter__(self) -> WSGITransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _WSGIResponse:
    def __init__(self) -> None:
        self.status = 0
        self.headers = Headers()
        self.trailers = Headers()
        self._result: Iterable[bytes] | None = None
        self._iter: Iterator[bytes] | None = None
        self._first: list[bytes] = []
        self._raise = True

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info is not None and self.status and self._first:
            raise exc_info[1].with_traceback(exc_info[2])
        self.status = int(status.split(" ", 1)[0])
        self.headers = Headers(headers)
        return self._first.append  # the legacy write() callable

    def fail_500(self) -> None:
        self.status = 500
        self.headers = Headers({"content-length": "0"})

    def attach(self, result: Iterable[bytes], raise_errors: bool) -> None:
        self._result = result
        self._raise = raise_errors
        it = iter(result)
        self._iter = it
        # Generators call start_response lazily: run to the first chunk to get the head.
        try:
            while not self.status:
                chunk = next(it)
                if chunk:
                    self._first.append(chunk)
        except StopIteration:
            self._iter = None
        except Exception:
            self.close()
            if raise_errors:
                raise
            self.fail_500()
        if not self.status:
            self.fail_500()

    def iter_bytes(self) -> Iterator[bytes]:
        while self._first:
            yield self._first.pop(0)
        it = self._iter
        if it is None:
            return
        try:
            for chunk in it:
                if chunk:
                    yield chunk
        except TransportError:
            raise
        except Exception as e:
            if not self._raise:
                raise TransportError(f"the WSGI application failed: {e!r}") from e
            if isinstance(e, OSError):
                raise os_error(e) from e  # as from a socket, whoever raised it
            raise
        finally:
            self._iter = None

    def read(self) -> bytes:
        return b"".join(self.iter_bytes())

    def close(self) -> None:
        self._iter = None
        result, self._result = self._result, None
        close = getattr(result, "close", None)
        if close is None:
            return
        try:
            close()
        except TransportError:
            raise
        except OSError as e:
            raise os_error(e) from e  # as from a socket, whoever raised it
