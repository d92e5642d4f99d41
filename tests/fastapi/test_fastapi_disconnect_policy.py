"""One disconnect policy for every integration: a client that goes away before its request
body is complete gets nothing sent (no invented 499), and the handler never runs."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from connect_fastapi import ConnectRouter
from echo.v1.echo_connect import EchoServiceASGIApplication
from fastapi import Depends, FastAPI
from servers.echo_service import AsyncEcho, SyncEcho


class CountingEcho(AsyncEcho):
    calls = 0

    async def echo(self, request, ctx):  # type: ignore[no-untyped-def]
        CountingEcho.calls += 1
        return await super().echo(request, ctx)


async def _nothing() -> None:
    pass


def _apps() -> dict[str, Any]:
    direct = FastAPI()
    direct.include_router(ConnectRouter(CountingEcho()))
    with_dependency = FastAPI(dependencies=[Depends(_nothing)])
    with_dependency.include_router(ConnectRouter(CountingEcho()))
    sync = FastAPI()
    sync.include_router(ConnectRouter(SyncEcho()))
    return {
        "core-asgi": EchoServiceASGIApplication(CountingEcho()),
        "fastapi-direct": direct,
        "fastapi-dependency": with_dependency,
        "fastapi-sync": sync,
    }


APPS = _apps()


@pytest.mark.parametrize("name", list(APPS))
def test_client_gone_mid_body_gets_nothing(name: str) -> None:
    sent: list[dict[str, Any]] = []
    incoming = [
        {"type": "http.request", "body": b"\x0a\x05he", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        if incoming:
            return incoming.pop(0)
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/echo.v1.EchoService/Echo",
        "raw_path": b"/echo.v1.EchoService/Echo",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/proto"), (b"content-length", b"7")],
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 80),
    }
    before = CountingEcho.calls

    async def run() -> None:
        await asyncio.wait_for(APPS[name](scope, receive, send), 5)

    asyncio.run(run())
    assert sent == []
    assert CountingEcho.calls == before
