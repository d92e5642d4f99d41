"""Interceptor chains: ordering, per-kind selection, metadata on_start/on_end with tokens."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from echo.v1.echo_connect import ECHO_SERVICE_INFO
from echo.v1.echo_pb2 import EchoRequest, EchoResponse

from connect_core import Code, ConnectError, Headers, RequestContext, StreamType
from connect_core._interceptor import wrap_async, wrap_sync


def ctx(name: str = "Echo") -> RequestContext:
    return RequestContext(ECHO_SERVICE_INFO.method(name), "POST", Headers())


class Recorder:
    """Implements every async interceptor kind, recording calls into a shared log."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log

    async def intercept_unary(self, call_next, request, ctx):  # type: ignore[no-untyped-def]
        self.log.append(f"{self.name}>")
        res = await call_next(request, ctx)
        self.log.append(f"<{self.name}")
        return res

    async def intercept_client_stream(self, call_next, request, ctx):  # type: ignore[no-untyped-def]
        self.log.append(f"{self.name}>")

        async def tagged() -> AsyncIterator[Any]:
            async for m in request:
                yield EchoRequest(message=f"{m.message}+{self.name}")

        res = await call_next(tagged(), ctx)
        self.log.append(f"<{self.name}")
        return res

    async def intercept_server_stream(self, call_next, request, ctx):  # type: ignore[no-untyped-def]
        self.log.append(f"{self.name}>")
        async for m in call_next(request, ctx):
            yield EchoResponse(message=f"{m.message}+{self.name}")
        self.log.append(f"<{self.name}")

    async def intercept_bidi_stream(self, call_next, request, ctx):  # type: ignore[no-untyped-def]
        self.log.append(f"{self.name}>")
        async for m in call_next(request, ctx):
            yield EchoResponse(message=f"{m.message}+{self.name}")
        self.log.append(f"<{self.name}")


class Meta:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log

    async def on_start(self, ctx: RequestContext) -> str:
        self.log.append(f"start {self.name}")
        return f"token-{self.name}"

    async def on_end(self, token: str, ctx: RequestContext) -> None:
        self.log.append(f"end {self.name} {token}")


class MetaStartOnly:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def on_start(self, ctx: RequestContext) -> None:
        self.log.append("start-only")


def test_unary_order_and_metadata_tokens() -> None:
    log: list[str] = []

    async def handler(req: EchoRequest, ctx: RequestContext) -> EchoResponse:
        log.append("handler")
        return EchoResponse(message=req.message)

    chain = wrap_async(
        handler,
        StreamType.UNARY,
        [
            Recorder("a", log),
            Meta("m", log),
            Recorder("b", log),
            MetaStartOnly(log),
        ],
    )
    res = asyncio.run(chain(EchoRequest(message="x"), ctx()))
    assert res.message == "x"
    assert log == ["a>", "start m", "b>", "start-only", "handler", "<b", "end m token-m", "<a"]


def test_metadata_on_end_runs_on_error_and_refusal_stops_call() -> None:
    log: list[str] = []

    async def failing(req: EchoRequest, ctx: RequestContext) -> EchoResponse:
        raise ConnectError(Code.ABORTED, "x")

    chain = wrap_async(failing, StreamType.UNARY, [Meta("m", log)])
    with pytest.raises(ConnectError):
        asyncio.run(chain(EchoRequest(), ctx()))
    assert log == ["start m", "end m token-m"]

    class Refuse:
        async def on_start(self, ctx: RequestContext) -> None:
            raise ConnectError(Code.UNAUTHENTICATED, "who")

    called = []

    async def handler(req: EchoRequest, ctx: RequestContext) -> EchoResponse:
        called.append(1)
        return EchoResponse()

    chain = wrap_async(handler, StreamType.UNARY, [Refuse()])
    with pytest.raises(ConnectError) as info:
        asyncio.run(chain(EchoRequest(), ctx()))
    assert info.value.code is Code.UNAUTHENTICATED
    assert called == []


def test_client_stream_order() -> None:
    log: list[str] = []

    async def handler(req: AsyncIterator[EchoRequest], ctx: RequestContext) -> EchoResponse:
        return EchoResponse(message=",".join([m.message async for m in req]))

    async def requests() -> AsyncIterator[EchoRequest]:
        yield EchoRequest(message="1")
        yield EchoRequest(message="2")

    chain = wrap_async(handler, StreamType.CLIENT_STREAM, [Recorder("a", log), Recorder("b", log)])
    res = asyncio.run(chain(requests(), ctx("Collect")))
    # a wraps the stream first, so b sees a's tags: the outermost interceptor is first.
    assert res.message == "1+a+b,2+a+b"
    assert log == ["a>", "b>", "<b", "<a"]


@pytest.mark.parametrize("kind", [StreamType.SERVER_STREAM, StreamType.BIDI_STREAM])
def test_streaming_out_order_and_metadata_end_after_stream(kind: StreamType) -> None:
    log: list[str] = []

    async def handler(req: Any, ctx: RequestContext) -> AsyncIterator[EchoResponse]:
        for i in range(2):
            log.append(f"yield {i}")
            yield EchoResponse(message=str(i))

    chain = wrap_async(handler, kind, [Recorder("a", log), Meta("m", log), Recorder("b", log)])

    async def run() -> list[str]:
        return [m.message async for m in chain(EchoRequest(), ctx("Repeat"))]

    # The innermost interceptor transforms first, so the outermost tag is last.
    assert asyncio.run(run()) == ["0+b+a", "1+b+a"]
    assert log == ["a>", "start m", "b>", "yield 0", "yield 1", "<b", "end m token-m", "<a"]


def test_interceptor_only_wraps_its_kinds() -> None:
    log: list[str] = []

    class UnaryOnly:
        async def intercept_unary(self, call_next, request, ctx):  # type: ignore[no-untyped-def]
            log.append("unary")
            return await call_next(request, ctx)

    async def handler(req: Any, ctx: RequestContext) -> AsyncIterator[EchoResponse]:
        yield EchoResponse()

    chain = wrap_async(handler, StreamType.SERVER_STREAM, [UnaryOnly()])
    assert chain is handler
    assert log == []


# -- sync -----------------------------------------------------------------------------------------


class RecorderSync:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log

    def intercept_unary_sync(self, call_next, request, ctx):  # type: ignore[no-untyped-def]
        self.log.append(f"{self.name}>")
        res = call_next(request, ctx)
        self.log.append(f"<{self.name}")
        return res

    def intercept_client_stream_sync(self, call_next, request, ctx):  # type: ignore[no-untyped-def]
        self.log.append(f"{self.name}>")
        res = call_next((EchoRequest(message=m.message + self.name) for m in request), ctx)
        self.log.append(f"<{self.name}")
        return res

    def intercept_server_stream_sync(self, call_next, request, ctx):  # type: ignore[no-untyped-def]
        self.log.append(f"{self.name}>")
        for m in call_next(request, ctx):
            yield EchoResponse(message=m.message + self.name)
        self.log.append(f"<{self.name}")

    def intercept_bidi_stream_sync(self, call_next, request, ctx):  # type: ignore[no-untyped-def]
        yield from self.intercept_server_stream_sync(call_next, request, ctx)


class MetaSync:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log

    def on_start_sync(self, ctx: RequestContext) -> str:
        self.log.append(f"start {self.name}")
        return self.name.upper()

    def on_end_sync(self, token: str, ctx: RequestContext) -> None:
        self.log.append(f"end {self.name} {token}")


class MetaPlain:
    """Plain (non-async) on_start/on_end are accepted by sync applications."""

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def on_start(self, ctx: RequestContext) -> int:
        self.log.append("plain start")
        return 42

    def on_end(self, token: int, ctx: RequestContext) -> None:
        self.log.append(f"plain end {token}")


class BothFlavours:
    """An object with async on_start and sync on_start_sync: each app picks its own."""

    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def on_start(self, ctx: RequestContext) -> str:
        self.log.append("async start")
        return "a"

    def on_start_sync(self, ctx: RequestContext) -> str:
        self.log.append("sync start")
        return "s"


def test_sync_unary_order() -> None:
    log: list[str] = []

    def handler(req: EchoRequest, ctx: RequestContext) -> EchoResponse:
        log.append("handler")
        return EchoResponse(message=req.message)

    chain = wrap_sync(
        handler,
        StreamType.UNARY,
        [
            RecorderSync("a", log),
            MetaSync("m", log),
            MetaPlain(log),
            BothFlavours(log),
            Meta("async-ignored", log),
        ],
    )
    assert chain(EchoRequest(message="q"), ctx()).message == "q"
    assert log == [
        "a>",
        "start m",
        "plain start",
        "sync start",
        "handler",
        "plain end 42",
        "end m M",
        "<a",
    ]


def test_async_ignores_sync_only_metadata() -> None:
    log: list[str] = []

    async def handler(req: EchoRequest, ctx: RequestContext) -> EchoResponse:
        log.append("handler")
        return EchoResponse()

    chain = wrap_async(
        handler, StreamType.UNARY, [MetaSync("s", log), MetaPlain(log), BothFlavours(log)]
    )
    asyncio.run(chain(EchoRequest(), ctx()))
    assert log == ["async start", "handler"]


def test_sync_client_stream() -> None:
    log: list[str] = []

    def handler(req: Iterator[EchoRequest], ctx: RequestContext) -> EchoResponse:
        return EchoResponse(message=",".join(m.message for m in req))

    chain = wrap_sync(
        handler, StreamType.CLIENT_STREAM, [RecorderSync("a", log), RecorderSync("b", log)]
    )
    res = chain(iter([EchoRequest(message="1"), EchoRequest(message="2")]), ctx("Collect"))
    assert res.message == "1ab,2ab"
    assert log == ["a>", "b>", "<b", "<a"]


@pytest.mark.parametrize("kind", [StreamType.SERVER_STREAM, StreamType.BIDI_STREAM])
def test_sync_streaming_out(kind: StreamType) -> None:
    log: list[str] = []

    def handler(req: Any, ctx: RequestContext) -> Iterator[EchoResponse]:
        log.append("handler")
        yield EchoResponse(message="x")

    chain = wrap_sync(handler, kind, [RecorderSync("a", log), MetaSync("m", log)])
    assert [m.message for m in chain(EchoRequest(), ctx("Repeat"))] == ["xa"]
    assert log == ["a>", "start m", "handler", "end m M", "<a"]


def test_sync_stream_metadata_end_runs_when_closed_early() -> None:
    log: list[str] = []

    def handler(req: Any, ctx: RequestContext) -> Iterator[EchoResponse]:
        try:
            for i in range(100):
                yield EchoResponse(index=i)
        finally:
            log.append("handler closed")

    chain = wrap_sync(handler, StreamType.SERVER_STREAM, [MetaSync("m", log)])
    it = chain(EchoRequest(), ctx("Repeat"))
    next(it)
    it.close()
    assert log == ["start m", "handler closed", "end m M"]


class _AsyncAuth:
    """An authentication interceptor with async methods only."""

    async def intercept_unary(self, call_next: Any, request: Any, ctx: RequestContext) -> Any:
        raise ConnectError(Code.UNAUTHENTICATED, "no")


class _SyncAuth:
    """An authentication interceptor with sync methods only."""

    def on_start(self, ctx: RequestContext) -> None:
        raise ConnectError(Code.UNAUTHENTICATED, "no")


def test_async_only_interceptor_on_a_sync_service_is_refused() -> None:
    """Skipping it would let every call past an authentication check."""
    from echo.v1.echo_connect import EchoServiceWSGIApplication
    from servers.echo_service import SyncEcho

    with pytest.raises(TypeError, match=r"_AsyncAuth is async-only \(intercept_unary\)"):
        EchoServiceWSGIApplication(SyncEcho(), interceptors=[_AsyncAuth()])


def test_sync_only_interceptor_on_an_async_service_is_refused() -> None:
    from echo.v1.echo_connect import EchoServiceASGIApplication
    from servers.echo_service import AsyncEcho

    with pytest.raises(TypeError, match=r"_SyncAuth is sync-only \(on_start\)"):
        EchoServiceASGIApplication(AsyncEcho(), interceptors=[_SyncAuth()])


def test_an_object_without_interceptor_methods_is_refused() -> None:
    from echo.v1.echo_connect import EchoServiceASGIApplication
    from servers.echo_service import AsyncEcho

    with pytest.raises(TypeError, match="object is not an interceptor"):
        EchoServiceASGIApplication(AsyncEcho(), interceptors=[object()])


def test_interceptor_of_both_flavours_serves_both() -> None:
    from echo.v1.echo_connect import EchoServiceASGIApplication, EchoServiceWSGIApplication
    from servers.echo_service import AsyncEcho, SyncEcho

    class Both(_AsyncAuth):
        def intercept_unary_sync(self, call_next: Any, request: Any, ctx: Any) -> Any:
            return call_next(request, ctx)

    EchoServiceASGIApplication(AsyncEcho(), interceptors=[Both()])
    EchoServiceWSGIApplication(SyncEcho(), interceptors=[Both()])
