"""Small helpers for the ``connect_fastapi`` tests: envelopes, raw HTTP, our own clients."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import struct
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from echo.v1.echo_connect import EchoServiceClient
from echo.v1.echo_pb2 import EchoRequest
from fastapi_servers import Server
from google.protobuf import any_pb2


def envelope(data: bytes, flags: int = 0) -> bytes:
    """One Connect envelope."""
    return struct.pack(">BI", flags, len(data)) + data


def json_envelope(obj: Any) -> bytes:
    """One envelope carrying ``obj`` as JSON."""
    return envelope(json.dumps(obj).encode())


def envelopes(body: bytes) -> list[tuple[int, bytes]]:
    """Split a streaming body into ``(flags, data)`` envelopes (complete ones only)."""
    out: list[tuple[int, bytes]] = []
    pos = 0
    while len(body) - pos >= 5:
        flags, size = struct.unpack(">BI", body[pos : pos + 5])
        if len(body) - pos - 5 < size:
            break
        out.append((flags, body[pos + 5 : pos + 5 + size]))
        pos += 5 + size
    return out


def end_stream(body: bytes) -> dict[str, Any]:
    """The end-of-stream message of a streaming body, parsed."""
    flags, data = envelopes(body)[-1]
    assert flags & 0x02, f"no end-of-stream message in {body!r}"
    return json.loads(data)  # type: ignore[no-any-return]


def http_client(server: Server, **kwargs: Any) -> httpx.Client:
    """A sync httpx client speaking the server's HTTP version."""
    if server.http2:
        return httpx.Client(base_url=server.url, http1=False, http2=True, timeout=10, **kwargs)
    return httpx.Client(base_url=server.url, timeout=10, **kwargs)


@contextlib.asynccontextmanager
async def echo_client(
    server: Server, prefix: str, **options: Any
) -> AsyncIterator[EchoServiceClient]:
    """Our async ``EchoServiceClient`` for the echo service under ``prefix``."""
    if server.http2:
        http = httpx.AsyncClient(http1=False, http2=True, timeout=10)
    else:
        http = httpx.AsyncClient(timeout=10)
    async with (
        http,
        EchoServiceClient(server.url + prefix, http_client=http, **options) as client,
    ):
        yield client


def detail(value: str) -> any_pb2.Any:
    """An error detail the echo service attaches when asked to."""
    packed = any_pb2.Any()
    packed.Pack(EchoRequest.Nested(value=value))
    return packed


def arun(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run an ``async def`` test in a fresh event loop."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


def wait_until(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``check`` until it holds or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()
