"""A call to a server that is not there names the address it tried."""

from __future__ import annotations

import asyncio
import socket

import pytest
from echo.v1.echo_connect import EchoServiceClient, EchoServiceClientSync
from echo.v1.echo_pb2 import EchoRequest

from connect_core import (
    Code,
    ConnectError,
    HttpClientTransport,
    HttptoolsAsyncTransport,
    HttptoolsSyncTransport,
)


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("transport", [None, HttptoolsSyncTransport, HttpClientTransport])
def test_sync_client_names_the_address(transport) -> None:  # type: ignore[no-untyped-def]
    port = _closed_port()
    url = f"http://127.0.0.1:{port}"
    kwargs = {} if transport is None else {"transport": transport()}
    with EchoServiceClientSync(url, **kwargs) as client, pytest.raises(ConnectError) as info:
        client.echo(EchoRequest(message="x"))
    assert info.value.code is Code.UNAVAILABLE
    assert f"cannot connect to 127.0.0.1:{port}" in info.value.message
    assert url in info.value.message


@pytest.mark.parametrize("transport", [None, HttptoolsAsyncTransport])
def test_async_client_names_the_address(transport) -> None:  # type: ignore[no-untyped-def]
    port = _closed_port()
    url = f"http://127.0.0.1:{port}"

    async def call() -> ConnectError:
        kwargs = {} if transport is None else {"transport": transport()}
        async with EchoServiceClient(url, **kwargs) as client:
            try:
                await client.echo(EchoRequest(message="x"))
            except ConnectError as e:
                return e
        raise AssertionError("the call succeeded")

    error = asyncio.run(call())
    assert error.code is Code.UNAVAILABLE
    assert f"cannot connect to 127.0.0.1:{port}" in error.message
