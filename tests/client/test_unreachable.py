"""A call to a server that is not there names the address it tried."""

from __future__ import annotations

import asyncio
import contextlib
import socket

import pytest
from echo.v1.echo_connect import EchoServiceClient, EchoServiceClientSync
from echo.v1.echo_pb2 import EchoRequest

from connect_core import (
    AiohttpTransport,
    Code,
    ConnectError,
    H2SyncTransport,
    H2Transport,
    HttpClientTransport,
    HttptoolsAsyncTransport,
    HttptoolsSyncTransport,
    HttpxAsyncTransport,
    HttpxSyncTransport,
)


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    "transport",
    [None, HttpxSyncTransport, HttptoolsSyncTransport, HttpClientTransport, H2SyncTransport],
)
def test_sync_client_names_the_address(transport) -> None:  # type: ignore[no-untyped-def]
    port = _closed_port()
    url = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as stack:
        kwargs = {} if transport is None else {"transport": stack.enter_context(transport())}
        client = stack.enter_context(EchoServiceClientSync(url, **kwargs))
        with pytest.raises(ConnectError) as info:
            client.echo(EchoRequest(message="x"))
    assert info.value.code is Code.UNAVAILABLE
    # Where, why (the system's reason, not an HTTP library's class name), and what to check.
    assert info.value.message == (
        f"cannot connect to 127.0.0.1:{port}: connection refused; is the server running, and "
        f"is {url} its address?"
    )


@pytest.mark.parametrize(
    "transport",
    [None, HttpxAsyncTransport, HttptoolsAsyncTransport, AiohttpTransport, H2Transport],
)
def test_async_client_names_the_address(transport) -> None:  # type: ignore[no-untyped-def]
    port = _closed_port()
    url = f"http://127.0.0.1:{port}"

    async def call() -> ConnectError:
        async with contextlib.AsyncExitStack() as stack:
            kwargs = (
                {}
                if transport is None
                else {"transport": await stack.enter_async_context(transport())}
            )
            client = await stack.enter_async_context(EchoServiceClient(url, **kwargs))
            try:
                await client.echo(EchoRequest(message="x"))
            except ConnectError as e:
                return e
        raise AssertionError("the call succeeded")

    error = asyncio.run(call())
    assert error.code is Code.UNAVAILABLE
    assert error.message == (
        f"cannot connect to 127.0.0.1:{port}: connection refused; is the server running, and "
        f"is {url} its address?"
    )


def test_an_unknown_host_is_named_with_the_resolver_reason() -> None:
    url = "http://no-such-host.invalid:8000"
    with EchoServiceClientSync(url) as client, pytest.raises(ConnectError) as info:
        client.echo(EchoRequest(message="x"))
    assert info.value.code is Code.UNAVAILABLE
    assert info.value.message.startswith("cannot connect to no-such-host.invalid:8000: ")
    assert info.value.message.endswith(f"; is the server running, and is {url} its address?")
    assert "Error" not in info.value.message  # a reason, not an exception's class name
