"""A client given a transport, HTTP client or interceptor of the other flavour says so at
construction."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from echo.v1.echo_connect import EchoServiceClient, EchoServiceClientSync

from connect_core import HttpxAsyncTransport, HttpxSyncTransport


def test_sync_client_with_an_async_transport() -> None:
    transport = HttpxAsyncTransport()
    with pytest.raises(TypeError, match="HttpxAsyncTransport is async and this client is sync"):
        EchoServiceClientSync("http://127.0.0.1:1", transport=transport)


def test_async_client_with_a_sync_transport() -> None:
    transport = HttpxSyncTransport()
    with pytest.raises(TypeError, match="HttpxSyncTransport is sync and this client is async"):
        EchoServiceClient("http://127.0.0.1:1", transport=transport)
    transport.close()


def test_http_clients_of_the_other_flavour() -> None:
    with httpx.Client() as sync_http, pytest.raises(TypeError, match="http_client Client"):
        EchoServiceClient("http://127.0.0.1:1", http_client=sync_http)
    async_http = httpx.AsyncClient()
    with pytest.raises(TypeError, match="http_client AsyncClient is async"):
        EchoServiceClientSync("http://127.0.0.1:1", http_client=async_http)


class _AsyncAuth:
    """Async-only: an ``intercept_unary`` and an ``async`` ``on_start``."""

    async def intercept_unary(self, call_next: Any, request: Any, ctx: Any) -> Any:
        return await call_next(request, ctx)

    async def on_start(self, ctx: Any) -> None:
        pass


class _SyncAuth:
    """Sync-only: a plain ``on_start``, which counts as sync."""

    def on_start(self, ctx: Any) -> None:
        pass


class _SyncStreams:
    """Sync-only: a server-stream interceptor."""

    def intercept_server_stream_sync(self, call_next: Any, request: Any, ctx: Any) -> Any:
        return call_next(request, ctx)


class _Both:
    """Both flavours: fits either client."""

    async def on_start(self, ctx: Any) -> None:
        pass

    def on_start_sync(self, ctx: Any) -> None:
        pass


def test_sync_client_with_an_async_interceptor() -> None:
    with pytest.raises(
        TypeError,
        match=r"interceptor _AsyncAuth is async-only \(intercept_unary, on_start\) and this "
        r"client is sync: implement the _sync methods .* or use the async client",
    ):
        EchoServiceClientSync("http://127.0.0.1:1", interceptors=[_Both(), _AsyncAuth()])


@pytest.mark.parametrize("interceptor", [_SyncAuth(), _SyncStreams()])
def test_async_client_with_a_sync_interceptor(interceptor: object) -> None:
    name = type(interceptor).__name__
    with pytest.raises(
        TypeError,
        match=rf"interceptor {name} is sync-only \(.*\) and this client is async: implement the "
        r"async methods .* or use the sync client",
    ):
        EchoServiceClient("http://127.0.0.1:1", interceptors=[interceptor])


def test_clients_with_something_that_is_no_interceptor() -> None:
    with pytest.raises(TypeError, match=r"object is not an interceptor: .* for sync clients"):
        EchoServiceClientSync("http://127.0.0.1:1", interceptors=[object()])
    with pytest.raises(TypeError, match="object is not an interceptor"):
        EchoServiceClient("http://127.0.0.1:1", interceptors=[object()])


def test_interceptors_of_both_flavours_fit_both_clients() -> None:
    with EchoServiceClientSync("http://127.0.0.1:1", interceptors=[_Both(), _SyncAuth()]):
        pass
    EchoServiceClient("http://127.0.0.1:1", interceptors=[_Both(), _AsyncAuth()])
