"""The default transports, on ``httpx`` (or ``httpx2``, the maintained fork with the same API)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from ._headers import Headers
from ._transport import HeaderList, lower_headers


def _headers(r: Any) -> Headers:
    return lower_headers(r.headers.multi_items())  # httpx gives lower-case names


class _HttpxAsyncResponse:
    __slots__ = ("_r", "headers", "status", "trailers")

    def __init__(self, r: Any) -> None:
        self._r = r
        self.status: int = r.status_code
        self.headers = _headers(r)
        self.trailers = Headers()  # httpx does not expose HTTP trailers

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        # Raw bytes: the Connect layer, not httpx, undoes Content-Encoding (with its limits).
        it: AsyncIterator[bytes] = self._r.aiter_raw()
        return it

    async def aread(self) -> bytes:
        chunks = [chunk async for chunk in self._r.aiter_raw()]
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def aclose(self) -> None:
        await self._r.aclose()


class HttpxAsyncTransport:
    """The default async transport, on ``httpx.AsyncClient`` (or ``httpx2.AsyncClient``).

    Pass your own client to keep its pool, auth, proxies, TLS settings, event hooks and HTTP/2
    (``httpx.AsyncClient(http2=True)`` with ``httpx[http2]``); a client passed in is never
    closed by this transport. httpx sends the whole request body before it reads the
    response, so bidirectional streams are half-duplex here.
    """

    def __init__(self, client: Any = None) -> None:
        """Send with ``client``, or with a default ``httpx.AsyncClient`` this transport owns."""
        if client is None:
            import httpx

            client = httpx.AsyncClient(timeout=None)
            self._owned = True
        else:
            self._owned = False
        self.client = client

    async def send(
        self, method: str, url: str, headers: HeaderList, body: bytes | AsyncIterator[bytes]
    ) -> _HttpxAsyncResponse:
        """Send the request and return once the response head has arrived."""
        client = self.client
        request = client.build_request(method, url, headers=headers, content=body)
        return _HttpxAsyncResponse(await client.send(request, stream=True))

    async def aclose(self) -> None:
        """Close the client when this transport created it."""
        if self._owned:
            await self.client.aclose()

    async def __aenter__(self) -> HttpxAsyncTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _HttpxSyncResponse:
    __slots__ = ("_r", "headers", "status", "trailers")

    def __init__(self, r: Any) -> None:
        self._r = r
        self.status: int = r.status_code
        self.headers = _headers(r)
        self.trailers = Headers()

    def iter_bytes(self) -> Iterator[bytes]:
        it: Iterator[bytes] = self._r.iter_raw()
        return it

    def read(self) -> bytes:
        chunks = list(self._r.iter_raw())
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def close(self) -> None:
        self._r.close()


class HttpxSyncTransport:
    """The default sync transport, on ``httpx.Client`` (or ``httpx2.Client``).

    A client passed in is never closed by this transport.
    """

    def __init__(self, client: Any = None) -> None:
        """Send with ``client``, or with a default ``httpx.Client`` this transport owns."""
        if client is None:
            import httpx

            client = httpx.Client(timeout=None)
            self._owned = True
        else:
            self._owned = False
        self.client = client

    def send(
        self,
        method: str,
        url: str,
        headers: HeaderList,
        body: bytes | Iterator[bytes],
        timeout: float | None,
    ) -> _HttpxSyncResponse:
        """Send the request and return once the response head has arrived."""
        request = self.client.build_request(method, url, headers=headers, content=body)
        if timeout is not None:
            request.extensions["timeout"] = {
                "connect": timeout,
                "read": timeout,
                "write": timeout,
                "pool": timeout,
            }
        return _HttpxSyncResponse(self.client.send(request, stream=True))

    def close(self) -> None:
        """Close the client when this transport created it."""
        if self._owned:
            self.client.close()

    def __enter__(self) -> HttpxSyncTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
