"""Transports: what moves a client's bytes. The Connect logic never touches HTTP libraries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol

from ._headers import Headers

HeaderList = list[tuple[str, str]]


class AsyncResponse(Protocol):
    """A response head plus a body to stream, from an async transport."""

    status: int
    headers: Headers

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        """The body's chunks as they arrive."""
        ...

    async def aread(self) -> bytes:
        """The whole body."""
        ...

    async def aclose(self) -> None:
        """Release the response (resetting the stream when it is not finished)."""
        ...


class AsyncTransport(Protocol):
    """Sends one HTTP request and returns its response head without reading the body."""

    async def send(
        self,
        method: str,
        url: str,
        headers: HeaderList,
        body: bytes | AsyncIterator[bytes],
    ) -> AsyncResponse:
        """Send the request (streaming ``body`` when it is an iterator).

        Deadlines are enforced by the client around this call, with ``asyncio.timeout``.
        """
        ...

    async def aclose(self) -> None:
        """Close what the transport owns."""
        ...


class SyncResponse(Protocol):
    """A response head plus a body to stream, from a sync transport."""

    status: int
    headers: Headers

    def iter_bytes(self) -> Iterator[bytes]:
        """The body's chunks as they arrive."""
        ...

    def read(self) -> bytes:
        """The whole body."""
        ...

    def close(self) -> None:
        """Release the response."""
        ...


class SyncTransport(Protocol):
    """Sends one HTTP request and returns its response head without reading the body."""

    def send(
        self,
        method: str,
        url: str,
        headers: HeaderList,
        body: bytes | Iterator[bytes],
        timeout: float | None,
    ) -> SyncResponse:
        """Send the request (streaming ``body`` when it is an iterator)."""
        ...

    def close(self) -> None:
        """Close what the transport owns."""
        ...


class _HttpxAsyncResponse:
    __slots__ = ("_r", "headers", "status")

    def __init__(self, r: Any) -> None:
        self._r = r
        self.status: int = r.status_code
        self.headers = Headers(r.headers.multi_items())

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        it: AsyncIterator[bytes] = self._r.aiter_raw()
        return it

    async def aread(self) -> bytes:
        # Raw bytes: the Connect layer, not httpx, undoes Content-Encoding (with its limits).
        return b"".join([chunk async for chunk in self._r.aiter_raw()])

    async def aclose(self) -> None:
        await self._r.aclose()


class HttpxAsyncTransport:
    """The default async transport, on ``httpx.AsyncClient`` (or the API-compatible fork).

    Pass your own client to reuse its pool, auth, proxies, TLS and event hooks; a client you
    pass is never closed by this transport.
    """

    def __init__(self, client: Any = None) -> None:
        """Use ``client``, or create (and own) a default ``httpx.AsyncClient``."""
        if client is None:
            import httpx

            client = httpx.AsyncClient(timeout=None)
            self._owned = True
        else:
            self._owned = False
        self.client = client

    async def send(
        self, method: str, url: str, headers: HeaderList, body: bytes | AsyncIterator[bytes]
    ) -> AsyncResponse:
        """Send the request and return once the response head has arrived."""
        request = self.client.build_request(method, url, headers=headers, content=body)
        response = await self.client.send(request, stream=True)
        return _HttpxAsyncResponse(response)

    async def aclose(self) -> None:
        """Close the client when this transport created it."""
        if self._owned:
            await self.client.aclose()


class _HttpxSyncResponse:
    __slots__ = ("_r", "headers", "status")

    def __init__(self, r: Any) -> None:
        self._r = r
        self.status: int = r.status_code
        self.headers = Headers(r.headers.multi_items())

    def iter_bytes(self) -> Iterator[bytes]:
        it: Iterator[bytes] = self._r.iter_raw()
        return it

    def read(self) -> bytes:
        # Raw bytes: the Connect layer, not httpx, undoes Content-Encoding (with its limits).
        return b"".join(self._r.iter_raw())

    def close(self) -> None:
        self._r.close()


class HttpxSyncTransport:
    """The default sync transport, on ``httpx.Client``; a client you pass is never closed."""

    def __init__(self, client: Any = None) -> None:
        """Use ``client``, or create (and own) a default ``httpx.Client``."""
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
    ) -> SyncResponse:
        """Send the request and return once the response head has arrived."""
        request = self.client.build_request(method, url, headers=headers, content=body)
        if timeout is not None:
            request.extensions["timeout"] = {
                "connect": timeout,
                "read": timeout,
                "write": timeout,
                "pool": timeout,
            }
        response = self.client.send(request, stream=True)
        return _HttpxSyncResponse(response)

    def close(self) -> None:
        """Close the client when this transport created it."""
        if self._owned:
            self.client.close()
