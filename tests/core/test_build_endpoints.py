"""Start-up checks: a service that does not fit its application fails at construction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from echo.v1.echo_connect import (
    ECHO_SERVICE_INFO,
    EchoServiceASGIApplication,
    EchoServiceWSGIApplication,
)
from greet.v1.greet_connect import GreetServiceASGIApplication, GreetServiceWSGIApplication
from greet.v1.greet_pb2 import GreetResponse
from servers.echo_service import AsyncEcho, SyncEcho

from connect_core.server._endpoints import build_endpoints


class AsyncGreeter:
    async def greet(self, request, ctx):  # type: ignore[no-untyped-def]
        return GreetResponse()


class SyncGreeter:
    def greet(self, request, ctx):  # type: ignore[no-untyped-def]
        return GreetResponse()


def test_complete_services_build() -> None:
    eps = build_endpoints(AsyncEcho(), ECHO_SERVICE_INFO, {}, is_async=True)
    assert sorted(eps) == sorted(
        f"/echo.v1.EchoService/{m}" for m in ["Echo", "EchoPost", "Collect", "Repeat", "Chat"]
    )
    assert all(ep.is_async for ep in eps.values())
    eps = build_endpoints(SyncEcho(), ECHO_SERVICE_INFO, {}, is_async=False)
    assert not any(ep.is_async for ep in eps.values())


def test_missing_method() -> None:
    class NoGreet:
        pass

    with pytest.raises(TypeError, match=r"does not implement greet\(\)"):
        GreetServiceASGIApplication(NoGreet())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="greet"):
        GreetServiceWSGIApplication(NoGreet())  # type: ignore[arg-type]


def test_not_callable() -> None:
    class Attr:
        greet = "nope"

    with pytest.raises(TypeError, match="greet"):
        GreetServiceASGIApplication(Attr())  # type: ignore[arg-type]


def test_sync_handler_in_async_app() -> None:
    with pytest.raises(TypeError, match="async def"):
        GreetServiceASGIApplication(SyncGreeter())  # type: ignore[arg-type]


def test_async_handler_in_sync_app() -> None:
    with pytest.raises(TypeError, match="ASGI"):
        GreetServiceWSGIApplication(AsyncGreeter())  # type: ignore[arg-type]


def test_async_generator_in_sync_app() -> None:
    class Bad(SyncEcho):
        async def repeat(self, request, ctx) -> AsyncIterator[object]:  # type: ignore[no-untyped-def, override]
            yield None

    with pytest.raises(TypeError, match="repeat"):
        EchoServiceWSGIApplication(Bad())


def test_coroutine_for_server_stream() -> None:
    class Bad(AsyncEcho):
        async def repeat(self, request, ctx):  # type: ignore[no-untyped-def, override]
            return None

    with pytest.raises(TypeError, match="async generator"):
        EchoServiceASGIApplication(Bad())


def test_sync_generator_for_server_stream_in_async_app() -> None:
    class Bad(AsyncEcho):
        def repeat(self, request, ctx) -> Iterator[object]:  # type: ignore[no-untyped-def, override]
            yield None

    with pytest.raises(TypeError, match="repeat"):
        EchoServiceASGIApplication(Bad())  # type: ignore[arg-type]


def test_sync_function_for_unary_in_async_app() -> None:
    class Bad(AsyncEcho):
        def echo(self, request, ctx):  # type: ignore[no-untyped-def, override]
            return None

    with pytest.raises(TypeError, match="echo"):
        EchoServiceASGIApplication(Bad())


@pytest.mark.parametrize("name", ["Echo", "ECHO", "e_cho"])
def test_misnamed_method_is_named_at_construction(name: str) -> None:
    """A subclass of the generated base whose method has the wrong name would answer every
    call ``unimplemented`` through the base's default; construction says which name."""
    from echo.v1.echo_connect import EchoService, EchoServiceASGIApplication

    async def handler(self: object, request: object, ctx: object) -> object:
        return request

    cls = type("Misnamed", (EchoService,), {name: handler})
    with pytest.raises(TypeError, match=rf"Misnamed\.{name}\(\) looks meant for .*named echo\(\)"):
        EchoServiceASGIApplication(cls())
