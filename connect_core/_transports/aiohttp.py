"""An async transport on ``aiohttp`` (``pip install connect-core[aiohttp]``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from .._code import Code
from .._headers import HeaderList, Headers
from .base import (
    TransportError,
    any_case_headers,
    host_port,
    os_error,
    wrap_error,
)


def _errors() -> tuple[type[Exception], ...]:
    """What to catch around a call into aiohttp: its exceptions and the sockets'."""
    import aiohttp  # loaded already: a session of it is sending

    return (aiohttp.ClientError, OSError)


def _mapped(e: Exception, address: str | None = None) -> TransportError:
    """The :class:`TransportError` for ``e``, one of :func:`_errors`; ``address`` is the
    ``host:port`` a request was sent to, named when aiohttp could not connect to it."""
    import aiohttp

    if isinstance(e, TimeoutError):  # aiohttp's timeouts (ServerTimeoutError) are too
        return wrap_error(e, code=Code.DEADLINE_EXCEEDED)
    if isinstance(e, aiohttp.ClientConnectorError):
        return wrap_error(e, address=address)
    if isinstance(e, OSError):
        return os_error(e)
    return wrap_error(e)


class _AiohttpResponse:
    __slots__ = ("_r", "headers", "status", "trailers")

    def __init__(self, r: Any) -> None:
        self._r = r
        self.status: int = r.status
        self.headers = any_case_headers(r.headers.items())
        self.trailers = Headers()  # HTTP/1.1 trailers are not exposed by aiohttp

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        # ``iter_any`` yields whatever has arrived, without waiting to fill a buffer.
        try:
            async for chunk in self._r.content.iter_any():
                yield chunk
        except _errors() as e:
            raise _mapped(e) from e

    async def aread(self) -> bytes:
        try:
            data: bytes = await self._r.read()
        except _errors() as e:
            raise _mapped(e) from e
        return data

    async def aclose(self) -> None:
        r = self._r
        try:
            if r.content.is_eof():
                r.release()  # the connection goes back to the pool
            else:
                r.close()  # unread body: the connection cannot be reused
        except _errors() as e:
            raise _mapped(e) from e


class AiohttpTransport:
    """An async transport on ``aiohttp.ClientSession`` (HTTP/1.1, keep-alive pool).

    Pass your own session to keep its connector, TLS settings, proxies, auth and tracing; a
    session passed in is never closed by this transport (create it with
    ``auto_decompress=False``: Connect undoes compression itself, within its size limits).

    aiohttp writes a streamed request body while it reads the response, so a bidirectional
    stream is full duplex when the server answers before the request ends; HTTP/1.1 servers
    are not required to, so over HTTP/1.1 only half duplex is guaranteed.
    """

    def __init__(self, session: Any = None, *, limit: int = 100) -> None:
        """Send with ``session``, or with a session this transport creates (and owns) on its
        first request, with at most ``limit`` connections."""
        self._session = session
        self._owned = session is None
        self._limit = limit
        self._urls: dict[str, Any] = {}

    def _new_session(self) -> Any:
        import aiohttp

        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._limit),
            timeout=aiohttp.ClientTimeout(total=None),
            auto_decompress=False,
        )
        return self._session

    def _url(self, url: str) -> Any:
        # yarl parses and normalizes every str URL; the few distinct POST URLs are cached.
        u = self._urls.get(url)
        if u is None:
            from yarl import URL

            u = URL(url)
            if "?" not in url and len(self._urls) < 1024:
                self._urls[url] = u
        return u

    async def send(
        self, method: str, url: str, headers: HeaderList, body: bytes | AsyncIterator[bytes]
    ) -> _AiohttpResponse:
        """Send the request and return once the response head has arrived.

        Raises :class:`~connect_core.TransportError` for what aiohttp raised.
        """
        session = self._session or self._new_session()
        u = self._url(url)
        try:
            # An empty bytes body would make aiohttp add "content-type: application/octet-stream".
            r = await session.request(method, u, headers=headers, data=body or None)
        except _errors() as e:
            raise _mapped(e, host_port(u.host or "", u.port or 0)) from e
        return _AiohttpResponse(r)

    async def aclose(self) -> None:
        """Close the session when this transport created it."""
        if self._owned and self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def __aenter__(self) -> AiohttpTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
