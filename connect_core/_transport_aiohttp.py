"""An async transport on ``aiohttp`` (``pip install connect-core[aiohttp]``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from ._headers import Headers
from ._transport import HeaderList, any_case_headers


class _AiohttpResponse:
    __slots__ = ("_r", "headers", "status", "trailers")

    def __init__(self, r: Any) -> None:
        self._r = r
        self.status: int = r.status
        self.headers = any_case_headers(r.headers.items())
        self.trailers = Headers()  # HTTP/1.1 trailers are not exposed by aiohttp

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        # ``iter_any`` yields whatever has arrived, without waiting to fill a buffer.
        it: AsyncIterator[bytes] = self._r.content.iter_any()
        return it

    async def aread(self) -> bytes:
        data: bytes = await self._r.read()
        return data

    async def aclose(self) -> None:
        r = self._r
        if r.content.is_eof():
            r.release()  # the connection goes back to the pool
        else:
            r.close()  # unread body: the connection cannot be reused


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
        """Send the request and return once the response head has arrived."""
        session = self._session or self._new_session()
        # An empty bytes body would make aiohttp add "content-type: application/octet-stream".
        r = await session.request(method, self._url(url), headers=headers, data=body or None)
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
