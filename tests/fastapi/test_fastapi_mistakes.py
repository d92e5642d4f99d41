"""The likeliest first mistakes with a FastAPI app, and errors that say what to do.

Each is the few lines a new user writes: a client without the router's prefix, a service
class where an instance belongs, sync handlers on the async generated class, a generated
ASGI application handed to ``include_router``; and the documented alternative to the last
one, ``app.mount``, working.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Iterator

import pytest
from connect_fastapi import ConnectRouter
from echo.v1.echo_connect import (
    EchoService,
    EchoServiceASGIApplication,
    EchoServiceClient,
    EchoServiceClientSync,
    EchoServiceSync,
)
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from fastapi import FastAPI
from fastapi_servers import TESTS, Server, start

from connect_core import ASGITransport, Code, ConnectError, RequestContext
from connect_core.server import Service

APP = """
from connect_fastapi import ConnectRouter
from echo.v1.echo_connect import EchoService
from echo.v1.echo_pb2 import EchoResponse
from fastapi import FastAPI


class Echo(EchoService):
    async def echo(self, request, ctx):
        return EchoResponse(message=request.message)


app = FastAPI()
app.include_router(ConnectRouter(Echo()), prefix="/rpc")
"""


@pytest.fixture(scope="module")
def prefixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A FastAPI app with its ConnectRouter under ``/rpc``, on uvicorn."""
    folder = tmp_path_factory.mktemp("prefixed")
    (folder / "prefixed_app.py").write_text(textwrap.dedent(APP))
    server = start("uvicorn", "prefixed_app:app", folder, pythonpath=[folder, TESTS / "gen"])
    try:
        yield server
    finally:
        server.stop()


def _check_missing_prefix(error: ConnectError, url: str, rpc: str) -> None:
    # The protocol's code for a 404 stays; the message says what happened and what to check.
    assert error.code is Code.UNIMPLEMENTED
    assert error.message == (
        f"HTTP 404 from POST {url}/echo.v1.EchoService/{rpc}, not a Connect response (its "
        'body: {"detail":"Not Found"}): nothing serves this procedure at that URL; check the '
        "client's base URL, which must include the path the service is mounted under (a "
        "ConnectRouter's prefix in FastAPI, a blueprint's url_prefix in Flask, the path() "
        "that includes connect_urls in Django, an ASGI or WSGI mount path)"
    )


def test_a_client_without_the_routers_prefix(prefixed: Server) -> None:
    url = prefixed.url  # the prefix /rpc is missing
    with EchoServiceClientSync(url) as client:
        with pytest.raises(ConnectError) as info:
            client.echo(EchoRequest(message="x"))
        _check_missing_prefix(info.value, url, "Echo")
        with pytest.raises(ConnectError) as info:
            list(client.repeat(EchoRequest(message="x")))
        _check_missing_prefix(info.value, url, "Repeat")
        with EchoServiceClientSync(url + "/rpc") as right:  # and with it, the call works
            assert right.echo(EchoRequest(message="x")).message == "x"

    async def run() -> ConnectError:
        async with EchoServiceClient(url) as client:
            try:
                await client.echo(EchoRequest(message="x"))
            except ConnectError as e:
                return e
        raise AssertionError("the call succeeded")

    _check_missing_prefix(asyncio.run(run()), url, "Echo")


class Echo(EchoService):
    async def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        return EchoResponse(message=request.message)


def test_the_service_class_instead_of_an_instance() -> None:
    expected = (
        "got the class Echo where a service object belongs: pass an instance, Echo() (e.g. "
        "ConnectRouter(Echo()), EchoServiceASGIApplication(Echo()))"
    )
    for build in (ConnectRouter, Service, EchoServiceASGIApplication):
        with pytest.raises(TypeError) as info:
            build(Echo)  # type: ignore[arg-type]
        assert str(info.value) == expected, build


class SyncOnAsync(EchoService):
    """Sync handlers on the async generated class: collect, chat, echo_post are its
    inherited defaults, not the user's."""

    def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:  # type: ignore[override]
        return EchoResponse(message=request.message)

    def repeat(self, request: EchoRequest, ctx: RequestContext) -> Iterator[EchoResponse]:  # type: ignore[override]
        yield EchoResponse(message=request.message)


class Mixed(EchoServiceSync):
    async def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:  # type: ignore[override]
        return EchoResponse(message=request.message)

    def repeat(self, request: EchoRequest, ctx: RequestContext) -> Iterator[EchoResponse]:
        yield EchoResponse(message=request.message)


@pytest.mark.parametrize("build", [ConnectRouter, Service], ids=["ConnectRouter", "Service"])
def test_sync_handlers_on_the_async_class_name_the_users_methods(build: type) -> None:
    with pytest.raises(TypeError) as info:
        build(SyncOnAsync())
    assert str(info.value) == (
        "SyncOnAsync defines sync handlers (echo, repeat) but subclasses the async "
        "EchoService; subclass EchoServiceSync for sync handlers, or make them async def "
        "(async generators for server streams)"
    )
    assert "collect" not in str(info.value)  # an inherited default, not the user's
    with pytest.raises(TypeError) as info:
        build(Mixed())
    assert str(info.value) == (
        "Mixed mixes async handlers (echo) with sync ones (repeat); a service is either "
        "async (subclass EchoService: async def, async generators for server streams) or "
        "sync (subclass EchoServiceSync: def, generators)"
    )


def test_the_same_handlers_on_the_sync_class_serve() -> None:
    class Fixed(EchoServiceSync):
        def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
            return EchoResponse(message=request.message)

        def repeat(self, request: EchoRequest, ctx: RequestContext) -> Iterator[EchoResponse]:
            yield EchoResponse(message=request.message)

    assert Service(Fixed()).is_async is False
    assert Service(Echo()).is_async is True


def test_include_router_of_an_asgi_application_points_to_connect_router() -> None:
    app = FastAPI()
    with pytest.raises(AttributeError) as info:
        app.include_router(EchoServiceASGIApplication(Echo()))  # type: ignore[arg-type]
    assert str(info.value) == (
        "EchoServiceASGIApplication is an ASGI application, not a router, so "
        "app.include_router() cannot take it: in FastAPI, serve the service with "
        "app.include_router(ConnectRouter(service), prefix='/rpc') (from connect_fastapi), or "
        "mount the application with app.mount('/rpc', EchoServiceASGIApplication(service)), "
        "which skips FastAPI's dependencies and /docs; clients then call http://host:port/rpc"
    )


def test_a_mounted_application_serves_under_its_path() -> None:
    """The documented alternative: ``app.mount('/rpc', application)``."""
    app = FastAPI()
    app.mount("/rpc", EchoServiceASGIApplication(Echo()))
    assert app.routes[-1].routes == []  # type: ignore[attr-defined]  # Starlette's Mount asks

    async def run() -> tuple[str, str]:
        transport = ASGITransport(app)
        async with EchoServiceClient("http://app/rpc", transport=transport) as client:
            reply = await client.echo(EchoRequest(message="mounted"))
        async with EchoServiceClient("http://app", transport=transport) as client:
            try:
                await client.echo(EchoRequest(message="x"))
            except ConnectError as e:
                return reply.message, e.message
        raise AssertionError("the call without the mount path succeeded")

    message, error = asyncio.run(run())
    assert message == "mounted"
    assert "check the client's base URL" in error
