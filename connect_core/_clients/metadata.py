"""``ResponseMetadata``: read the headers and trailers of calls made inside a ``with`` block."""

from __future__ import annotations

from contextvars import ContextVar, Token
from types import TracebackType

from .._headers import Headers

_current: ContextVar[ResponseMetadata | None] = ContextVar(
    "connect_response_metadata", default=None
)


class ResponseMetadata:
    """Captures the response headers and trailers of the last call made inside the block.

    For a streaming call, the headers are there from its first message on, the trailers once
    the stream has ended.

    Example::

        with ResponseMetadata() as meta:
            reply = await client.greet(request)
        print(meta.headers()["greet-version"], meta.trailers())
    """

    __slots__ = ("_headers", "_token", "_trailers")

    def __init__(self) -> None:
        """Create an empty capture."""
        self._headers = Headers()
        self._trailers = Headers()
        self._token: Token[ResponseMetadata | None] | None = None

    def __enter__(self) -> ResponseMetadata:
        self._token = _current.set(self)
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._token is not None:
            _current.reset(self._token)

    def headers(self) -> Headers:
        """The response headers of the last call."""
        return self._headers

    def trailers(self) -> Headers:
        """The response trailers of the last call."""
        return self._trailers


def record_headers(headers: Headers) -> None:
    """Store a stream's response headers in the active :class:`ResponseMetadata` as soon as
    they arrive, so they can be read while the messages are (the trailers come at the end)."""
    current = _current.get()
    if current is not None:
        current._headers = headers
        current._trailers = Headers()


def record_response(headers: Headers, trailers: Headers) -> None:
    """Store a finished call's metadata in the active :class:`ResponseMetadata`, if any."""
    current = _current.get()
    if current is not None:
        current._headers = headers
        current._trailers = trailers
