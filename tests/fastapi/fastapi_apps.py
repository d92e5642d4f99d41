"""The FastAPI app the ``connect_fastapi`` tests serve (``fastapi_apps:app``).

One app with several Connect services, the way an application would mount them:

* ``/rpc``: the async echo service (``servers.echo_service.AsyncEcho`` plus a state probe)
  with the metadata interceptor of ``servers.apps``;
* ``/sync``: the sync echo service (``SyncEcho``), run in the threadpool, with the sync
  interceptor;
* ``/secure``: the async echo service behind a router-level bearer-token dependency that also
  raises ``HTTPException``\\ s of any status on request (``x-raise-status``);
* ``/limited``: the async echo service with ``read_max_bytes=1024`` and the protocol header
  required;
* no prefix: ``greet.v1.GreetService``;
* ``/raising`` and ``/raising-sync``: async and sync echo services whose handlers raise
  ``HTTPException`` on request (:class:`RaisingEcho`, :class:`RaisingEchoSync`);
* ``/health``: a plain FastAPI route;
* ``/bare/rpc``: the async echo service again, in a FastAPI sub-application mounted at
  ``/bare`` that has no dependencies, so its routes are served without FastAPI's request
  handler (the direct path).

Around them: an app-level dependency (sets ``request.state.app_dep``), a lifespan that puts a
resource on ``app.state``, CORS from ``cors_options``, a ``@app.middleware("http")`` that adds
a header, and a pure ASGI middleware that refuses requests carrying ``x-block``.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

_TESTS = Path(__file__).resolve().parent.parent
for _p in (_TESTS / "gen", _TESTS):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from connect_fastapi import (  # noqa: E402
    ConnectRouter,
    connect_exception_handler,
    cors_options,
)
from echo.v1.echo_connect import EchoService, EchoServiceSync  # noqa: E402
from echo.v1.echo_pb2 import EchoRequest, EchoResponse  # noqa: E402
from fastapi import Depends, FastAPI, HTTPException, Request  # noqa: E402
from fastapi.middleware.cors import CORSMiddleware  # noqa: E402
from greet.v1.greet_connect import GreetService  # noqa: E402
from greet.v1.greet_pb2 import GreetRequest, GreetResponse  # noqa: E402
from servers.apps import StampInterceptor, StampInterceptorSync  # noqa: E402
from servers.echo_service import AsyncEcho, SyncEcho  # noqa: E402
from starlette.exceptions import HTTPException as StarletteHTTPException  # noqa: E402
from starlette.responses import PlainTextResponse  # noqa: E402
from starlette.types import ASGIApp, Receive, Scope, Send  # noqa: E402

from connect_core import RequestContext  # noqa: E402

STATE_PROBE = "__state__"
BODY_PROBE = "__body__"
TOKEN = "let-me-in"
ORIGIN = "https://app.example"


class FastAPIEcho(AsyncEcho):
    """The async echo service; ``EchoPost`` of ``__state__`` reports what FastAPI provided.

    ``EchoPost`` of ``__body__`` reports the size of ``await ctx.request.body()`` and whether
    FastAPI's request handler ran (it leaves its exit stack in the scope).
    """

    async def echo_post(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        if request.message == STATE_PROBE:
            req: Request = ctx.request
            parts = [
                type(req).__name__,
                str(getattr(req.state, "app_dep", None)),
                str(getattr(req.state, "user", None)),
                str(req.app.state.resource),
                req.url.path,
            ]
            return EchoResponse(message="|".join(parts))
        if request.message == BODY_PROBE:
            req = ctx.request
            body = await req.body()
            handled = "fastapi_inner_astack" in req.scope
            return EchoResponse(message=f"{len(body)}|{handled}")
        return await super().echo_post(request, ctx)


def raise_on(request: EchoRequest, *, started: bool = False) -> None:
    """Raise the ``HTTPException`` a message asks for: ``raise:<status>`` (before any reply),
    ``raise-mid:<status>`` (a stream: after its first message), with ``detail`` ``raised
    <status>`` and an ``x-raised`` header (401: ``WWW-Authenticate`` too)."""
    verb, _, status = request.message.partition(":")
    if verb == ("raise-mid" if started else "raise"):
        headers = {"x-raised": status}
        if status == "401":
            headers["WWW-Authenticate"] = "Bearer"
        raise HTTPException(int(status), detail=f"raised {status}", headers=headers)


class RaisingEcho(EchoService):
    """Async handlers that raise ``HTTPException`` as their message says (:func:`raise_on`)."""

    async def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        raise_on(request)
        return EchoResponse(message=request.message)

    async def echo_post(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        return await self.echo(request, ctx)

    async def collect(
        self, request: AsyncIterator[EchoRequest], ctx: RequestContext
    ) -> EchoResponse:
        async for message in request:
            raise_on(message)
        return EchoResponse(message="collected")

    async def repeat(
        self, request: EchoRequest, ctx: RequestContext
    ) -> AsyncIterator[EchoResponse]:
        raise_on(request)
        yield EchoResponse(message="first")
        raise_on(request, started=True)
        yield EchoResponse(message="second")

    async def chat(
        self, request: AsyncIterator[EchoRequest], ctx: RequestContext
    ) -> AsyncIterator[EchoResponse]:
        started = False
        async for message in request:
            raise_on(message, started=started)
            started = True
            yield EchoResponse(message=message.message)


class RaisingEchoSync(EchoServiceSync):
    """The sync twin of :class:`RaisingEcho`, run in the threadpool."""

    def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        raise_on(request)
        return EchoResponse(message=request.message)

    def echo_post(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        return self.echo(request, ctx)

    def collect(self, request: Iterator[EchoRequest], ctx: RequestContext) -> EchoResponse:
        for message in request:
            raise_on(message)
        return EchoResponse(message="collected")

    def repeat(self, request: EchoRequest, ctx: RequestContext) -> Iterator[EchoResponse]:
        raise_on(request)
        yield EchoResponse(message="first")
        raise_on(request, started=True)
        yield EchoResponse(message="second")

    def chat(self, request: Iterator[EchoRequest], ctx: RequestContext) -> Iterator[EchoResponse]:
        started = False
        for message in request:
            raise_on(message, started=started)
            started = True
            yield EchoResponse(message=message.message)


class Greeter(GreetService):
    """Greets every name of a client stream."""

    async def greet(
        self, request: AsyncIterator[GreetRequest], ctx: RequestContext
    ) -> GreetResponse:
        names = [m.name async for m in request]
        ctx.response_headers()["greet-version"] = "v1"
        return GreetResponse(greeting="".join(f"Hello, {n}!\n" for n in names))


async def app_dependency(request: Request) -> None:
    """App-level dependency: runs before every route, Connect ones included."""
    request.state.app_dep = "app-dep"


async def require_token(request: Request) -> None:
    """Router-level dependency of ``/secure``: a bearer token, or an ``HTTPException``."""
    wanted = request.headers.get("x-raise-status")
    if wanted:
        raise HTTPException(int(wanted), detail=f"raised {wanted}", headers={"x-raised": wanted})
    auth = request.headers.get("authorization")
    if auth is None:
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    if auth != f"Bearer {TOKEN}":
        raise HTTPException(403, "wrong token")
    request.state.user = "alice"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.resource = "lifespan-resource"
    yield


class BlockMiddleware:
    """A pure ASGI middleware: requests with ``x-block`` never reach the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(k == b"x-block" for k, _ in scope["headers"]):
            await PlainTextResponse("blocked", status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


app = FastAPI(lifespan=lifespan, dependencies=[Depends(app_dependency)])
app.add_exception_handler(StarletteHTTPException, connect_exception_handler)
app.include_router(ConnectRouter(FastAPIEcho(), interceptors=[StampInterceptor()]), prefix="/rpc")
app.include_router(ConnectRouter(SyncEcho(), interceptors=[StampInterceptorSync()]), prefix="/sync")
app.include_router(
    ConnectRouter(FastAPIEcho(), dependencies=[Depends(require_token)]), prefix="/secure"
)
app.include_router(
    ConnectRouter(FastAPIEcho(), read_max_bytes=1024, require_protocol_header=True),
    prefix="/limited",
)
app.include_router(ConnectRouter(Greeter()))
app.include_router(ConnectRouter(RaisingEcho()), prefix="/raising")
app.include_router(ConnectRouter(RaisingEchoSync()), prefix="/raising-sync")

bare = FastAPI()
bare.include_router(ConnectRouter(FastAPIEcho(), interceptors=[StampInterceptor()]), prefix="/rpc")
app.mount("/bare", bare)


@app.post("/refuse/{status}")
async def refuse(status: int) -> None:
    """An app route (outside every router) that refuses with HTTP ``status``."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    raise HTTPException(status, "refused here", headers=headers)


@app.get("/health")
async def health() -> dict[str, Any]:
    return {"ok": True}


@app.middleware("http")
async def add_header(request: Request, call_next: Any) -> Any:
    response = await call_next(request)
    response.headers["x-custom-middleware"] = "seen"
    return response


app.add_middleware(BlockMiddleware)
app.add_middleware(
    CORSMiddleware,
    **cors_options(
        allow_origins=[ORIGIN],
        extra_headers=["authorization", "x-tenant"],
        expose=["x-interceptor", "trailer-x-interceptor-end"],
    ),
)
