"""Client interceptors: the server's protocols, on the client, async and sync."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from echo.v1.echo_connect import EchoServiceClient, EchoServiceClientSync
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from servers.apps import asgi_app, wsgi_app

from client.helpers import arun
from connect_core import (
    ASGITransport,
    BidiStreamInterceptor,
    ClientStreamInterceptor,
    Code,
    ConnectError,
    MetadataInterceptor,
    RequestContext,
    ServerStreamInterceptor,
    UnaryInterceptor,
    WSGITransport,
)

URL = "http://in-memory"


class Recorder:
    """Every async protocol at once: records what it saw, adds a header, rewrites messages."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log

    async def intercept_unary(
        self,
        call_next: Callable[[Any, RequestContext], Awaitable[Any]],
        request: Any,
        ctx: RequestContext,
    ) -> Any:
        self.log.append(f"{self.name}:unary:{ctx.method().name}:{ctx.http_method()}")
        ctx.request_headers()["x-" + self.name] = "1"
        request.message += "+" + self.name
        reply = await call_next(request, ctx)
        self.log.append(f"{self.name}:headers:{ctx.response_headers().get('x-interceptor')}")
        self.log.append(f"{self.name}:trailers:{ctx.response_trailers().get('x-interceptor-end')}")
        return reply

    async def intercept_client_stream(
        self,
        call_next: Callable[[AsyncIterator[Any], RequestContext], Awaitable[Any]],
        request: AsyncIterator[Any],
        ctx: RequestContext,
    ) -> Any:
        self.log.append(f"{self.name}:client_stream")

        async def tagged() -> AsyncIterator[Any]:
            async for m in request:
                m.message += "+" + self.name
                yield m

        return await call_next(tagged(), ctx)

    async def intercept_server_stream(
        self,
        call_next: Callable[[Any, RequestContext], AsyncIterator[Any]],
        request: Any,
        ctx: RequestContext,
    ) -> AsyncIterator[Any]:
        self.log.append(f"{self.name}:server_stream")
        ctx.request_headers()["x-" + self.name] = "1"
        async for m in call_next(request, ctx):
            m.message += "<" + self.name
            yield m
        self.log.append(f"{self.name}:trailers:{ctx.response_trailers().get('x-interceptor-end')}")

    async def intercept_bidi_stream(
        self,
        call_next: Callable[[AsyncIterator[Any], RequestContext], AsyncIterator[Any]],
        request: AsyncIterator[Any],
        ctx: RequestContext,
    ) -> AsyncIterator[Any]:
        self.log.append(f"{self.name}:bidi")
        async for m in call_next(request, ctx):
            yield m


class Meta:
    """A metadata interceptor: ``on_start`` may refuse; ``on_end`` gets the token."""

    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def on_start(self, ctx: RequestContext) -> str:
        if ctx.request_headers().get("x-refuse"):
            raise ConnectError(Code.UNAUTHENTICATED, "refused by the client interceptor")
        ctx.request_headers()["authorization"] = "Bearer t"
        return ctx.method().name

    async def on_end(self, token: str, ctx: RequestContext) -> None:
        self.log.append(f"meta:end:{token}")


def test_protocols_are_recognised() -> None:
    r = Recorder("a", [])
    assert isinstance(r, UnaryInterceptor)
    assert isinstance(r, ClientStreamInterceptor)
    assert isinstance(r, ServerStreamInterceptor)
    assert isinstance(r, BidiStreamInterceptor)
    assert isinstance(Meta([]), MetadataInterceptor)


@arun
async def test_async_interceptors_every_kind() -> None:
    log: list[str] = []
    client = EchoServiceClient(
        URL,
        transport=ASGITransport(asgi_app),
        interceptors=[Recorder("outer", log), Recorder("inner", log), Meta(log)],
    )
    reply = await client.echo(EchoRequest(message="m"), use_get=True)
    # Outer runs first on the way out: its change is seen by the inner one.
    assert reply.message == "m+outer+inner"
    assert reply.request_headers["x-outer"] == reply.request_headers["x-inner"] == "1"
    assert reply.request_headers["authorization"] == "Bearer t"
    assert log == [
        "outer:unary:Echo:GET",
        "inner:unary:Echo:GET",
        "meta:end:Echo",
        "inner:headers:asgi",
        "inner:trailers:Echo",
        "outer:headers:asgi",
        "outer:trailers:Echo",
    ]
    log.clear()

    async def reqs() -> AsyncIterator[EchoRequest]:
        yield EchoRequest(message="a")
        yield EchoRequest(message="b")

    assert (await client.collect(reqs())).message == "a+outer+inner b+outer+inner"
    got = [m.message async for m in client.repeat(EchoRequest(message="s", count=2))]
    assert got == ["s<inner<outer"] * 2
    assert [m.message async for m in client.chat(reqs())] == ["a", "b"]
    assert log == [
        "outer:client_stream",
        "inner:client_stream",
        "meta:end:Collect",
        "outer:server_stream",
        "inner:server_stream",
        "meta:end:Repeat",
        "inner:trailers:Repeat",
        "outer:trailers:Repeat",
        "outer:bidi",
        "inner:bidi",
        "meta:end:Chat",
    ]
    with pytest.raises(ConnectError) as info:
        await client.echo(EchoRequest(), headers={"x-refuse": "1"})
    assert info.value.code is Code.UNAUTHENTICATED


class SyncRecorder:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def intercept_unary_sync(
        self, call_next: Callable[[Any, RequestContext], Any], request: Any, ctx: RequestContext
    ) -> Any:
        ctx.request_headers()["x-sync"] = "1"
        try:
            return call_next(request, ctx)
        finally:
            self.log.append(f"unary:{ctx.response_headers().get('x-interceptor')}")

    def intercept_server_stream_sync(
        self,
        call_next: Callable[[Any, RequestContext], Iterator[Any]],
        request: Any,
        ctx: RequestContext,
    ) -> Iterator[Any]:
        for m in call_next(request, ctx):
            m.message = "seen"
            yield m
        self.log.append(f"stream:{ctx.response_trailers().get('x-interceptor-end')}")


class SyncMeta:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def on_start_sync(self, ctx: RequestContext) -> str:
        return ctx.method().name

    def on_end_sync(self, token: str, ctx: RequestContext) -> None:
        self.log.append(f"end:{token}")


def test_sync_interceptors() -> None:
    log: list[str] = []
    with EchoServiceClientSync(
        URL, transport=WSGITransport(wsgi_app), interceptors=[SyncRecorder(log), SyncMeta(log)]
    ) as client:
        reply: EchoResponse = client.echo(EchoRequest(message="m"))
        assert reply.request_headers["x-sync"] == "1"
        assert [m.message for m in client.repeat(EchoRequest(count=2))] == ["seen", "seen"]
        assert client.collect([EchoRequest(message="c")]).message == "c"
    assert log == ["end:Echo", "unary:wsgi", "end:Repeat", "stream:Repeat", "end:Collect"]
