"""A client given a transport or HTTP client of the other flavour says so at construction."""

from __future__ import annotations

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
