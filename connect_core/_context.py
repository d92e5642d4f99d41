"""``RequestContext``: what a handler and an interceptor know about the call in progress."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from google.protobuf.message import Message

from ._headers import Headers
from ._method import MethodInfo


class RequestContext:
    """The call in progress, handed to every handler and interceptor.

    Read the request's metadata, set response headers and trailers, and see the deadline.
    Framework adapters put their native request object on :attr:`request` (a Starlette
    ``Request`` under FastAPI, an ``HttpRequest`` under Django, Flask's ``request``).
    """

    __slots__ = (
        "_deadline",
        "_http_method",
        "_method",
        "_request_headers",
        "_response_headers",
        "_response_trailers",
        "_send_head",
        "request",
        "state",
    )

    def __init__(
        self,
        method: MethodInfo[Message, Message],
        http_method: str,
        request_headers: Headers,
        timeout_ms: int | None = None,
        request: Any = None,
    ) -> None:
        """Create the context of one call (done by the runtime, not by users)."""
        self._method = method
        self._http_method = http_method
        self._request_headers = request_headers
        self._response_headers: Headers | None = None
        self._response_trailers: Headers | None = None
        self._send_head: Callable[[Headers | None], Awaitable[None]] | None = None
        self._deadline = time.monotonic() + timeout_ms / 1000.0 if timeout_ms is not None else None
        self.request = request
        """The framework's own request object, when the call arrived through an adapter."""
        self.state: dict[str, Any] = {}
        """Free-form per-call storage for interceptors and handlers."""

    def method(self) -> MethodInfo[Message, Message]:
        """The method being called."""
        return self._method

    def http_method(self) -> str:
        """``"POST"``, or ``"GET"`` for a unary call made with GET."""
        return self._http_method

    def request_headers(self) -> Headers:
        """The request's headers."""
        return self._request_headers

    def response_headers(self) -> Headers:
        """Headers to send with the response; set them before the first message is sent (or
        before :meth:`send_headers`)."""
        if self._response_headers is None:
            self._response_headers = Headers()
        return self._response_headers

    async def send_headers(self) -> None:
        """Send the response headers now, before the first response message.

        A streaming handler that may wait long before its first message (a watch, a
        subscription) calls this so that the client sees the stream open, with the headers
        set so far, right away. Headers added afterwards are not sent; trailers still are.
        Without it, headers go out with the first message (or the end of the stream).

        Works for streaming calls served over ASGI (the core ASGI application and the ASGI
        framework adapters). Does nothing for unary calls, under WSGI (WSGI servers send
        headers with the first body bytes), or once the headers are out.
        """
        send = self._send_head
        if send is not None:
            self._send_head = None
            await send(self._response_headers)

    def response_trailers(self) -> Headers:
        """Trailers to send at the end of the response."""
        if self._response_trailers is None:
            self._response_trailers = Headers()
        return self._response_trailers

    def timeout_ms(self) -> float | None:
        """Milliseconds left before the call's deadline, or ``None`` when it has none."""
        if self._deadline is None:
            return None
        return (self._deadline - time.monotonic()) * 1000.0

    def deadline(self) -> float | None:
        """The deadline as a ``time.monotonic()`` value, or ``None``."""
        return self._deadline
