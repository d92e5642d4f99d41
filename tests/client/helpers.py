"""Helpers shared by the client tests."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from echo.v1.echo_pb2 import EchoRequest
from google.protobuf import any_pb2


def detail(value: str) -> any_pb2.Any:
    """An error detail the echo servers attach as they are told."""
    packed = any_pb2.Any()
    packed.Pack(EchoRequest.Nested(value=value))
    return packed


def wait_until(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``check`` until it holds or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


@dataclass(frozen=True)
class Target:
    """Where a client test sends its calls, and what that server supports."""

    name: str
    url: str
    transport: (
        str  # async: httpx|aiohttp|httptools|h2|asgi; sync: httpx|http_client|httptools|h2|wsgi
    )
    app: Any = None  # the application, for in-memory transports
    zstd: bool = True
    duplex: bool = False  # full-duplex bidi works end to end
    cancel_tracking: bool = True  # the __active__ hook sees this server's streams reliably
    bidi: bool = True  # serves bidi streams (connect-node answers 505 over HTTP/1.1)

    def make_async(self) -> Any:
        """A new async transport for this target (the caller closes it)."""
        from connect_core import (
            AiohttpTransport,
            ASGITransport,
            H2Transport,
            HttptoolsAsyncTransport,
            HttpxAsyncTransport,
        )

        if self.transport == "httpx":
            return HttpxAsyncTransport()
        if self.transport == "aiohttp":
            return AiohttpTransport()
        if self.transport == "httptools":
            return HttptoolsAsyncTransport()
        if self.transport == "h2":
            return H2Transport()
        if self.transport == "asgi":
            return ASGITransport(self.app)
        raise ValueError(self.transport)

    def make_sync(self) -> Any:
        """A new sync transport for this target (the caller closes it)."""
        from connect_core import (
            H2SyncTransport,
            HttpClientTransport,
            HttptoolsSyncTransport,
            HttpxSyncTransport,
            WSGITransport,
        )

        if self.transport == "httpx":
            return HttpxSyncTransport()
        if self.transport == "http_client":
            return HttpClientTransport()
        if self.transport == "httptools":
            return HttptoolsSyncTransport()
        if self.transport == "h2":
            return H2SyncTransport()
        if self.transport == "wsgi":
            return WSGITransport(self.app)
        raise ValueError(self.transport)


@contextlib.asynccontextmanager
async def async_client(target: Target, **options: Any) -> AsyncIterator[Any]:
    """An ``EchoServiceClient`` on a fresh transport for ``target``; both closed afterwards."""
    from echo.v1.echo_connect import EchoServiceClient

    transport = target.make_async()
    try:
        yield EchoServiceClient(target.url, transport=transport, **options)
    finally:
        await transport.aclose()


@contextlib.contextmanager
def sync_client(target: Target, **options: Any) -> Iterator[Any]:
    """An ``EchoServiceClientSync`` on a fresh transport for ``target``."""
    from echo.v1.echo_connect import EchoServiceClientSync

    transport = target.make_sync()
    try:
        yield EchoServiceClientSync(target.url, transport=transport, **options)
    finally:
        transport.close()


def arun(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run an ``async def`` test with ``asyncio.run`` (a fresh event loop per test)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return asyncio.run(fn(*args, **kwargs))

    return wrapper
