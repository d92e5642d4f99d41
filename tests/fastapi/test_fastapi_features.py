"""FastAPI features around Connect routes: dependencies, HTTPException, middleware, state,
the threadpool for sync services, bad input, and start-up errors."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from connect_fastapi import ConnectRouter
from connect_fastapi._router import ConnectRoute, OpenAPIRoute
from echo.v1.echo_connect import ECHO_SERVICE_INFO, EchoService, EchoServiceSync
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from fastapi import BackgroundTasks, Depends, FastAPI, Header, HTTPException, Request
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from fastapi_apps import BODY_PROBE, ORIGIN, STATE_PROBE, TOKEN, FastAPIEcho, Greeter
from fastapi_servers import Server
from fastapi_wire import (
    arun,
    echo_client,
    end_stream,
    envelope,
    envelopes,
    http_client,
    json_envelope,
)
from greet.v1.greet_connect import GreetService
from servers.echo_service import AsyncEcho, SyncEcho

from connect_core import Code, ConnectError, RequestContext
from connect_core.server import code_for_status, find_service_info

pytestmark = pytest.mark.timeout(60)

ECHO_POST = "/echo.v1.EchoService/EchoPost"
REPEAT = "/echo.v1.EchoService/Repeat"
STREAM_JSON = {"content-type": "application/connect+json"}


def _routes(app: FastAPI) -> list[Any]:
    """Every route of ``app``, included routers expanded (as OpenAPI sees them)."""
    from fastapi import routing

    iter_contexts = getattr(routing, "iter_route_contexts", None)
    if iter_contexts is None:  # FastAPI that copies included routes
        return list(app.routes)
    return list(iter_contexts(app.routes))


def _original(route: Any) -> Any:
    return getattr(route, "original_route", route)


# -- dependencies and HTTPException ----------------------------------------------------------


def test_router_dependency_refuses_unary(fserver: Server) -> None:
    with http_client(fserver) as http:
        r = http.post("/secure" + ECHO_POST, json={"message": "x"})
        assert r.status_code == 401
        assert r.json() == {"code": "unauthenticated", "message": "missing bearer token"}
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.headers["content-type"] == "application/json"
        r = http.post(
            "/secure" + ECHO_POST, json={"message": "x"}, headers={"authorization": "Bearer no"}
        )
        assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
        r = http.post(
            "/secure" + ECHO_POST,
            json={"message": STATE_PROBE},
            headers={"authorization": f"Bearer {TOKEN}"},
        )
    assert r.status_code == 200
    # The dependency's request.state reaches the handler through ctx.request.
    assert r.json()["message"].split("|")[2] == "alice"


def test_router_dependency_refuses_stream(fserver: Server) -> None:
    with http_client(fserver) as http:
        r = http.post("/secure" + REPEAT, content=json_envelope({"count": 2}), headers=STREAM_JSON)
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/connect+json"
        assert r.headers["www-authenticate"] == "Bearer"
        assert end_stream(r.content)["error"] == {
            "code": "unauthenticated",
            "message": "missing bearer token",
        }
        r = http.post(
            "/secure" + REPEAT,
            content=envelope(EchoRequest(count=2).SerializeToString()),
            headers={"content-type": "application/connect+proto", "x-raise-status": "429"},
        )
    assert r.headers["content-type"] == "application/connect+proto"
    assert r.headers["x-raised"] == "429"
    assert end_stream(r.content)["error"]["code"] == "resource_exhausted"


STATUS_CODES = [
    (400, Code.INVALID_ARGUMENT, 400),
    (401, Code.UNAUTHENTICATED, 401),
    (403, Code.PERMISSION_DENIED, 403),
    (404, Code.NOT_FOUND, 404),
    (409, Code.ALREADY_EXISTS, 409),
    (429, Code.RESOURCE_EXHAUSTED, 429),
    (501, Code.UNIMPLEMENTED, 501),
    (503, Code.UNAVAILABLE, 503),
    (504, Code.DEADLINE_EXCEEDED, 504),
    (418, Code.UNKNOWN, 500),
    (500, Code.INTERNAL, 500),
    (502, Code.UNAVAILABLE, 503),
]
"""HTTP statuses an ``HTTPException`` may carry, with the Connect code each becomes and the
HTTP status Connect answers that code with."""


@pytest.mark.parametrize(("status", "code", "answered"), STATUS_CODES)
def test_http_exception_mapping(
    fastapi_uvicorn: Server, status: int, code: Code, answered: int
) -> None:
    assert code_for_status(status) is code
    with http_client(fastapi_uvicorn) as http:
        r = http.post("/secure" + ECHO_POST, json={}, headers={"x-raise-status": str(status)})
    assert r.status_code == answered
    assert r.json() == {"code": code.value, "message": f"raised {status}"}
    assert r.headers["x-raised"] == str(status)


@arun
async def test_http_exception_reaches_connect_client(fastapi_hypercorn: Server) -> None:
    async with echo_client(fastapi_hypercorn, "/secure") as client:
        with pytest.raises(ConnectError) as info:
            await client.echo_post(EchoRequest())
        assert info.value.code == Code.UNAUTHENTICATED
        with pytest.raises(ConnectError) as info:
            async for _ in client.repeat(EchoRequest(count=1)):
                pass
        assert info.value.code == Code.UNAUTHENTICATED
        reply = await client.echo_post(
            EchoRequest(message="in"), headers={"authorization": f"Bearer {TOKEN}"}
        )
    assert reply.message == "in"


def test_app_dependency_lifespan_state_and_request(fserver: Server) -> None:
    with http_client(fserver) as http:
        r = http.post("/rpc" + ECHO_POST, json={"message": STATE_PROBE})
    kind, app_dep, user, resource, path = r.json()["message"].split("|")
    assert kind == "Request"  # the Starlette request object
    assert app_dep == "app-dep"  # the app-level dependency ran first
    assert user == "None"
    assert resource == "lifespan-resource"  # created by the lifespan, read from app.state
    assert path == "/rpc" + ECHO_POST


def test_routes_without_dependencies_skip_fastapis_request_handler(fserver: Server) -> None:
    """``/bare`` has no dependency: its calls are served directly, ``/rpc`` through FastAPI's
    request handler (the app-level dependency); ``ctx.request.body()`` works on both."""
    body = json.dumps({"message": BODY_PROBE}).encode()
    json_ct = {"content-type": "application/json"}
    with http_client(fserver) as http:
        direct = http.post("/bare/rpc" + ECHO_POST, content=body, headers=json_ct)
        handled = http.post("/rpc" + ECHO_POST, content=body, headers=json_ct)
        assert direct.json()["message"] == f"{len(body)}|False"
        assert handled.json()["message"] == f"{len(body)}|True"
        # A verb the procedure does not take: the protocol's 405.
        wrong_verb = http.get("/bare/rpc" + ECHO_POST)
        assert (wrong_verb.status_code, wrong_verb.headers["allow"]) == (405, "POST")
        assert direct.headers["x-custom-middleware"] == "seen"  # the outer app's middleware


def _chunked(body: bytes) -> Iterator[bytes]:
    """``body`` as a request body without a content length (sent chunked)."""
    yield body[:10]
    yield body[10:]


@pytest.mark.parametrize("level", ["include", "app"])
def test_fastapi_body_size_limit_becomes_resource_exhausted(level: str) -> None:
    """FastAPI's ``max_body_size`` (on the include or the app) applies to Connect routes, and
    a body found too large while it streams in is answered as ``resource_exhausted``."""
    if level == "include":
        app = FastAPI()
        app.include_router(ConnectRouter(AsyncEcho()), max_body_size=64)
    else:
        app = FastAPI(max_body_size=64)
        app.include_router(ConnectRouter(AsyncEcho()))
    small = json.dumps({"message": "small"}).encode()
    big = json.dumps({"message": "x" * 200}).encode()
    json_ct = {"content-type": "application/json"}
    with TestClient(app) as client:
        assert client.post(ECHO_POST, content=small, headers=json_ct).json()["message"] == "small"
        # A declared length over the limit: FastAPI answers 413 before any body is read.
        assert client.post(ECHO_POST, content=big, headers=json_ct).status_code == 413
        r = client.post(ECHO_POST, content=_chunked(big), headers=json_ct)
        assert (r.status_code, r.json()["code"]) == (429, "resource_exhausted")
        r = client.post(
            REPEAT, content=_chunked(json_envelope({"message": "x" * 200})), headers=STREAM_JSON
        )
        assert r.status_code == 200
        assert end_stream(r.content)["error"]["code"] == "resource_exhausted"


def test_dependency_validation_error_is_invalid_argument() -> None:
    async def needs_header(x_tenant: str = Header()) -> None:
        pass

    app = FastAPI()
    app.include_router(ConnectRouter(AsyncEcho(), dependencies=[Depends(needs_header)]))
    with TestClient(app) as client:
        r = client.post(ECHO_POST, json={})
        assert (r.status_code, r.json()["code"]) == (400, "invalid_argument")
        assert "x-tenant" in r.json()["message"]
        assert client.post(ECHO_POST, json={}, headers={"x-tenant": "t"}).status_code == 200


def test_include_level_dependency_and_body_reading_dependency() -> None:
    """``include_router(dependencies=...)`` applies; a dependency may read the body first."""
    seen: list[str] = []

    async def signed(request: Request) -> None:
        body = await request.body()  # e.g. a signature check over the raw body
        digest = hmac.new(b"k", body, hashlib.sha256).hexdigest()
        if request.headers.get("x-signature") != digest:
            raise HTTPException(403, "bad signature")
        seen.append("signed")

    app = FastAPI()
    app.include_router(ConnectRouter(AsyncEcho()), dependencies=[Depends(signed)])
    body = b'{"message": "signed"}'
    good = hmac.new(b"k", body, hashlib.sha256).hexdigest()
    with TestClient(app) as client:
        r = client.post(ECHO_POST, content=body, headers={"content-type": "application/json"})
        assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
        r = client.post(
            ECHO_POST,
            content=body,
            headers={"content-type": "application/json", "x-signature": good},
        )
        assert r.json()["message"] == "signed"
        stream_body = json_envelope({"message": "s", "count": 2})
        r = client.post(
            REPEAT,
            content=stream_body,
            headers={
                **STREAM_JSON,
                "x-signature": hmac.new(b"k", stream_body, hashlib.sha256).hexdigest(),
            },
        )
        assert len(envelopes(r.content)) == 3  # two messages and the end of the stream
    assert seen == ["signed", "signed"]


def test_background_tasks_of_dependencies_run() -> None:
    ran: list[str] = []

    async def schedule(tasks: BackgroundTasks) -> None:
        tasks.add_task(ran.append, "after")

    app = FastAPI()
    app.include_router(ConnectRouter(AsyncEcho(), dependencies=[Depends(schedule)]))
    with TestClient(app) as client:
        client.post(ECHO_POST, json={})
        client.post(REPEAT, content=json_envelope({"count": 1}), headers=STREAM_JSON)
    assert ran == ["after", "after"]


# -- middleware --------------------------------------------------------------------------------


def test_cors_preflight_and_response(fserver: Server) -> None:
    with http_client(fserver) as http:
        r = http.options(
            "/rpc" + ECHO_POST,
            headers={
                "origin": ORIGIN,
                "access-control-request-method": "POST",
                "access-control-request-headers": (
                    "content-type,connect-protocol-version,connect-timeout-ms,authorization"
                ),
            },
        )
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == ORIGIN
        assert "POST" in r.headers["access-control-allow-methods"]
        allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
        assert {"connect-protocol-version", "connect-timeout-ms", "authorization"} <= allowed
        r = http.options(
            "/rpc" + ECHO_POST,
            headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        )
        assert r.status_code == 400
        r = http.post("/rpc" + ECHO_POST, json={}, headers={"origin": ORIGIN})
    assert r.headers["access-control-allow-origin"] == ORIGIN
    exposed = {h.strip() for h in r.headers["access-control-expose-headers"].split(",")}
    assert {"x-interceptor", "trailer-x-interceptor-end", "connect-content-encoding"} <= exposed


def test_custom_and_blocking_middleware(fserver: Server) -> None:
    with http_client(fserver) as http:
        r = http.post("/rpc" + REPEAT, content=json_envelope({"count": 1}), headers=STREAM_JSON)
        assert r.headers["x-custom-middleware"] == "seen"
        assert len(r.content) > 0
        r = http.post("/rpc" + ECHO_POST, json={}, headers={"x-block": "1"})
    assert (r.status_code, r.text) == (403, "blocked")


# -- sync services -------------------------------------------------------------------------


@arun
async def test_sync_handler_does_not_block_the_loop(fastapi_uvicorn: Server) -> None:
    async with (
        echo_client(fastapi_uvicorn, "/sync") as sync,
        echo_client(fastapi_uvicorn, "/rpc") as aio,
    ):
        started = time.monotonic()
        slow = asyncio.create_task(sync.echo_post(EchoRequest(message="slow", delay_ms=500)))
        slow2 = asyncio.create_task(sync.echo_post(EchoRequest(message="slow2", delay_ms=500)))
        await asyncio.sleep(0.05)
        fast = await aio.echo_post(EchoRequest(message="fast"))
        fast_done = time.monotonic() - started
        assert (await slow).message == "slow"
        assert (await slow2).message == "slow2"
        both_done = time.monotonic() - started
    assert fast.message == "fast"
    assert fast_done < 0.4, fast_done  # the 0.5 s sync sleep did not hold the loop
    assert both_done < 0.95, both_done  # the two sync calls slept in parallel threads


@arun
async def test_sync_stream_steps_do_not_block_the_loop(fastapi_uvicorn: Server) -> None:
    async with (
        echo_client(fastapi_uvicorn, "/sync") as sync,
        echo_client(fastapi_uvicorn, "/rpc") as aio,
    ):

        async def read_slow_stream() -> list[int]:
            return [m.index async for m in sync.repeat(EchoRequest(count=3, delay_ms=200))]

        task = asyncio.create_task(read_slow_stream())
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await aio.echo_post(EchoRequest())
        assert time.monotonic() - started < 0.15
        assert await task == [0, 1, 2]


def test_a_refusal_outside_every_router_is_connects_for_connect_calls(fserver: Server) -> None:
    """An app route that raises ``HTTPException`` answers a Connect call in Connect's format
    (with connect_exception_handler), with the code's own HTTP status and the exception's
    headers; a plain client still gets FastAPI's ``{"detail": ...}``."""
    connect = {"connect-protocol-version": "1"}
    with http_client(fserver) as http:
        r = http.post("/refuse/401", json={}, headers=connect)
        assert r.status_code == 401
        assert r.json() == {"code": "unauthenticated", "message": "refused here"}
        assert r.headers["www-authenticate"] == "Bearer"
        r = http.post("/refuse/422", json={}, headers=connect)
        assert (r.status_code, r.json()["code"]) == (400, "invalid_argument")
        r = http.post("/refuse/422", json={})
        assert (r.status_code, r.json()) == (422, {"detail": "refused here"})


# -- bad input -----------------------------------------------------------------------------


def test_bad_input(fserver: Server) -> None:
    with http_client(fserver) as http:
        # An envelope header announcing 100 bytes, followed by 3.
        r = http.post(
            "/rpc/echo.v1.EchoService/Collect",
            content=b"\x00\x00\x00\x00\x64abc",
            headers=STREAM_JSON,
        )
        assert r.status_code == 200
        assert end_stream(r.content)["error"]["code"] == "invalid_argument"
        r = http.post("/rpc" + ECHO_POST, content=b"hello", headers={"content-type": "text/plain"})
        assert r.status_code == 415
        assert "application/json" in r.headers["accept-post"]
        r = http.post(
            "/rpc" + ECHO_POST, content=b"{not json", headers={"content-type": "application/json"}
        )
        assert (r.status_code, r.json()["code"]) == (400, "invalid_argument")
        r = http.post("/rpc" + REPEAT, content=envelope(b"{oops"), headers=STREAM_JSON)
        assert end_stream(r.content)["error"]["code"] == "invalid_argument"
        # An unknown method of a mounted service: Connect's 404.
        r = http.post("/rpc/echo.v1.EchoService/Nope", json={})
        assert (r.status_code, r.json()["code"]) == (404, "unimplemented")
        # Beyond the service: the app's own 404, FastAPI's JSON for a plain request (sent
        # without a body: FastAPI answers those before reading one, and under HTTP/2
        # hypercorn drops the connection when request data, even an empty END_STREAM frame,
        # arrives for a finished stream), Connect's for a Connect call (the app registers
        # connect_exception_handler).
        r = http.get("/rpc/other.v1.Service/Method")
        assert (r.status_code, r.json()) == (404, {"detail": "Not Found"})
        r = http.get("/rpc/other.v1.Service/Method", params={"connect": "v1"})
        assert (r.status_code, r.json()["code"]) == (404, "unimplemented")
        assert r.json()["message"] == "no procedure at /rpc/other.v1.Service/Method"
        # A verb the procedure does not take: the protocol's 405, with Allow.
        r = http.get("/rpc" + ECHO_POST)
        assert (r.status_code, r.headers["allow"]) == (405, "POST")
        assert "detail" not in r.text
        r = http.delete("/rpc/echo.v1.EchoService/Echo")
        assert (r.status_code, r.headers["allow"]) == (405, "GET, POST")
        # Still one healthy connection.
        assert http.post("/rpc" + ECHO_POST, json={"message": "ok"}).json()["message"] == "ok"


# -- routes, construction and start-up errors ----------------------------------------------


def test_routes_are_api_routes() -> None:
    app = FastAPI()
    app.include_router(ConnectRouter(AsyncEcho()), prefix="/rpc")
    app.include_router(ConnectRouter(Greeter()))
    routes = [(r.path, frozenset(r.methods or ()), _original(r)) for r in _routes(app)]
    serving = {p: (m, r) for p, m, r in routes if type(r) is ConnectRoute}
    assert set(serving) == {
        "/rpc/echo.v1.EchoService/Echo",
        "/rpc/echo.v1.EchoService/EchoPost",
        "/rpc/echo.v1.EchoService/Collect",
        "/rpc/echo.v1.EchoService/Repeat",
        "/rpc/echo.v1.EchoService/Chat",
        "/greet.v1.GreetService/Greet",
    }
    # Every verb reaches the route; the protocol refuses the wrong ones (405 with Allow).
    verbs = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
    assert all(m == verbs for m, _ in serving.values())
    assert all(isinstance(r, APIRoute) for _, r in serving.values())
    assert serving["/rpc/echo.v1.EchoService/Echo"][1].name == "echo.v1.EchoService.Echo"
    docs = {p for p, _, r in routes if isinstance(r, OpenAPIRoute)}
    assert docs == {"/rpc/echo.v1.EchoService/Echo", "/rpc/echo.v1.EchoService/EchoPost"}


def test_service_info_lookup() -> None:
    assert find_service_info(AsyncEcho()) is ECHO_SERVICE_INFO
    assert find_service_info(SyncEcho()) is ECHO_SERVICE_INFO

    class NotGenerated:
        async def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
            return EchoResponse()

    with pytest.raises(TypeError, match="cannot tell which Connect service"):
        ConnectRouter(NotGenerated())

    class Both(EchoService, GreetService):
        pass

    with pytest.raises(TypeError, match="several Connect services"):
        ConnectRouter(Both())


def test_missing_method_fails_at_construction() -> None:
    class Partial:
        async def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
            return EchoResponse()

    with pytest.raises(TypeError, match="does not implement echo_post"):
        ConnectRouter(Partial(), info=ECHO_SERVICE_INFO)


def test_mixed_service_fails_at_construction() -> None:
    class Mixed(EchoServiceSync):
        async def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
            return EchoResponse()

        def repeat(self, request: EchoRequest, ctx: RequestContext) -> Iterator[EchoResponse]:
            yield EchoResponse()

    with pytest.raises(TypeError, match="mixes async handlers"):
        ConnectRouter(Mixed())


def test_mounted_twice_fails_at_startup() -> None:
    app = FastAPI()
    router = ConnectRouter(AsyncEcho())
    app.include_router(router, prefix="/rpc")
    app.include_router(ConnectRouter(FastAPIEcho()), prefix="/rpc")
    with (
        pytest.raises(RuntimeError, match=r"POST /rpc/echo.v1.EchoService/Echo is served by"),
        TestClient(app),
    ):
        pass

    ok = FastAPI()
    ok.include_router(router, prefix="/a")
    ok.include_router(router, prefix="/b")  # one router, two prefixes: fine
    with TestClient(ok) as client:
        assert client.post("/b" + ECHO_POST, json={"message": "b"}).json()["message"] == "b"

    clash = FastAPI()
    clash.include_router(ConnectRouter(AsyncEcho()))

    @clash.post(ECHO_POST)
    async def shadow() -> dict[str, str]:
        return {}

    with pytest.raises(RuntimeError, match="mounted twice"), TestClient(clash):
        pass


def test_lifespan_and_router_options_pass_through() -> None:
    events: list[str] = []

    async def lifespan(app: Any) -> AsyncIterator[None]:
        events.append("start")
        yield
        events.append("stop")

    app = FastAPI()
    app.include_router(
        ConnectRouter(
            AsyncEcho(),
            lifespan=lifespan,
            tags=["echo"],
            prefix="/x",
            responses={418: {"description": "teapot"}},
        ),
    )
    with TestClient(app) as client:
        assert client.post("/x" + ECHO_POST, json={"message": "m"}).json()["message"] == "m"
    assert events == ["start", "stop"]
    op = app.openapi()["paths"]["/x" + ECHO_POST]["post"]
    assert op["tags"] == ["echo"]
    assert "418" in op["responses"]


def test_handler_exception_other_than_http_is_internal(fserver: Server) -> None:
    """Anything but a ConnectError or an ``HTTPException`` from a handler becomes
    ``internal``, never FastAPI's 500."""
    app = FastAPI()

    class Broken(AsyncEcho):
        async def echo_post(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
            raise LookupError("a bug")

    app.include_router(ConnectRouter(Broken()))
    with TestClient(app) as client:
        r = client.post(ECHO_POST, json={})
    assert (r.status_code, r.json()) == (500, {"code": "internal", "message": "internal error"})


RAISING = ["/raising", "/raising-sync"]


@pytest.mark.parametrize("prefix", RAISING)
@pytest.mark.parametrize(("status", "code", "answered"), STATUS_CODES)
def test_http_exception_in_a_unary_handler_is_its_connect_error(
    fserver: Server, prefix: str, status: int, code: Code, answered: int
) -> None:
    """``raise HTTPException(404)`` in an endpoint: the code of its status, its ``detail`` as
    the message and its headers kept, as when a dependency raises it (async and sync)."""

    async def main() -> None:
        async with echo_client(fserver, prefix) as client:
            with pytest.raises(ConnectError) as caught:
                await client.echo(EchoRequest(message=f"raise:{status}"))
        error = caught.value
        assert (error.code, error.message) == (code, f"raised {status}")
        assert error.metadata["x-raised"] == [str(status)]
        if status == 401:
            assert error.metadata["www-authenticate"] == ["Bearer"]

    asyncio.run(main())
    with http_client(fserver) as http:  # JSON, on the wire
        r = http.post(prefix + ECHO_POST, json={"message": f"raise:{status}"})
    assert r.status_code == answered
    assert r.json() == {"code": code.value, "message": f"raised {status}"}
    assert r.headers["x-raised"] == str(status)


@pytest.mark.parametrize("prefix", RAISING)
def test_http_exception_in_a_stream_handler_is_its_connect_error(
    fserver: Server, prefix: str
) -> None:
    """Client, server and bidi streams: before the first message the exception's headers are
    response headers; after it, the error ends the stream with them as trailers."""

    async def requests(*texts: str) -> AsyncIterator[EchoRequest]:
        for text in texts:
            yield EchoRequest(message=text)

    async def main() -> None:
        async with echo_client(fserver, prefix) as client:
            with pytest.raises(ConnectError) as caught:
                await client.collect(requests("ok", "raise:403"))
            assert (caught.value.code, caught.value.message) == (
                Code.PERMISSION_DENIED,
                "raised 403",
            )
            assert caught.value.metadata["x-raised"] == ["403"]

            got: list[str] = []
            with pytest.raises(ConnectError) as caught:
                async for reply in client.repeat(EchoRequest(message="raise:404")):
                    got.append(reply.message)
            assert (got, caught.value.code, caught.value.metadata["x-raised"]) == (
                [],
                Code.NOT_FOUND,
                ["404"],
            )

            got = []
            with pytest.raises(ConnectError) as caught:
                async for reply in client.repeat(EchoRequest(message="raise-mid:409")):
                    got.append(reply.message)
            assert got == ["first"]
            assert (caught.value.code, caught.value.message) == (
                Code.ALREADY_EXISTS,
                "raised 409",
            )
            assert caught.value.metadata["x-raised"] == ["409"]

            got = []
            with pytest.raises(ConnectError) as caught:
                async for reply in client.chat(requests("hi", "raise-mid:503")):
                    got.append(reply.message)
            assert got == ["hi"]
            assert (caught.value.code, caught.value.metadata["x-raised"]) == (
                Code.UNAVAILABLE,
                ["503"],
            )

    asyncio.run(main())


def test_get_json_message_in_query(fserver: Server) -> None:
    with http_client(fserver) as http:
        r = http.get(
            "/rpc/echo.v1.EchoService/Echo",
            params={"connect": "v1", "encoding": "json", "message": json.dumps({"message": "q"})},
        )
    assert r.status_code == 200
    assert (r.json()["message"], r.json()["httpMethod"]) == ("q", "GET")


def test_httpx_stream_is_not_buffered(fastapi_uvicorn: Server) -> None:
    """The first message arrives while the handler is still producing the rest."""
    with httpx.Client(base_url=fastapi_uvicorn.url, timeout=10) as http:
        started = time.monotonic()
        with http.stream(
            "POST",
            "/rpc" + REPEAT,
            content=json_envelope({"count": 3, "delayMs": 400}),
            headers=STREAM_JSON,
        ) as r:
            chunks = r.iter_raw()
            first = next(chunks)
            first_at = time.monotonic() - started
            rest = b"".join(chunks)
        total = time.monotonic() - started
    assert first[0] == 0 and first_at < 0.75, first_at
    assert total >= 1.1
    assert "error" not in end_stream(first + rest)


def test_route_handler_skips_fastapi_machinery_without_dependencies() -> None:
    """No dependency in effect: the route handler is the Connect call itself."""
    from connect_fastapi._serve import ConnectCall

    def echo_route(router: ConnectRouter) -> ConnectRoute:
        [route] = [r for r in router.routes if getattr(r, "name", "") == "echo.v1.EchoService.Echo"]
        assert isinstance(route, ConnectRoute)
        return route

    lean = echo_route(ConnectRouter(AsyncEcho()))
    assert isinstance(lean.get_route_handler(), ConnectCall)
    guarded = echo_route(ConnectRouter(AsyncEcho(), dependencies=[Depends(lambda: None)]))
    assert not isinstance(guarded.get_route_handler(), ConnectCall)


def test_a_buffered_reply_with_trailers_sends_them() -> None:
    """A protocol's buffered reply that ends with HTTP trailers (gRPC's unary calls) goes out
    with them; without trailers the response is Starlette's plain one."""
    from connect_fastapi._serve import ConnectResponse

    def sent_by(response: ConnectResponse) -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        async def receive() -> dict[str, Any]:
            return {"type": "http.disconnect"}

        scope = {"type": "http", "extensions": {"http.response.trailers": {}}}
        asyncio.run(response(scope, receive, send))
        return sent

    sent = sent_by(ConnectResponse(200, [("content-type", "application/x")], b"ab", [("x-t", "1")]))
    assert [m["type"] for m in sent] == [
        "http.response.start",
        "http.response.body",
        "http.response.trailers",
    ]
    assert sent[0]["trailers"] is True
    assert (b"content-length", b"2") in sent[0]["headers"]
    assert sent[1]["body"] == b"ab"
    assert sent[2]["headers"] == [(b"x-t", b"1")]
    plain = sent_by(ConnectResponse(200, [("content-type", "application/x")], b"ab"))
    assert [m["type"] for m in plain] == ["http.response.start", "http.response.body"]
    assert "trailers" not in plain[0]
