"""The apps ``fastapi_bench.py`` loads: one FastAPI app and the core ASGI app.

Run with ``bench/gen`` on ``sys.path``. ``app`` (FastAPI) serves:

* ``/rpc/bench.v1.BenchService/Unary``: the echo through ``connect_fastapi.ConnectRouter``
  (Connect, ``application/proto`` or ``application/json``);
* ``/plain/unary``: the same echo as a plain FastAPI JSON route with a pydantic body;
* ``/floor``: a route whose handler returns fixed bytes without reading the body or solving
  dependencies: what FastAPI itself (middleware stack, routing, ``request_response``) costs
  per request, i.e. the fastest any route of a FastAPI app can be (for reference);
* ``/floor-read``: the same, but the handler reads the body (``await request.body()``) and
  sends it back: the fastest any FastAPI route that reads its request can be.

* ``/mounted/bench.v1.BenchService/Unary``: the core ASGI application mounted in the app.

``core`` is ``BenchServiceASGIApplication``: connect_core's own ASGI application.
"""

from __future__ import annotations

from typing import Any

from bench.v1.bench_connect import BENCH_SERVICE_INFO, BenchServiceASGIApplication
from bench.v1.bench_pb2 import Payload
from connect_fastapi import ConnectRouter
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from connect_core import RequestContext


class Bench:
    """Echo."""

    async def unary(self, request: Payload, ctx: RequestContext) -> Payload:
        return request

    async def stream(self, request: object, ctx: RequestContext) -> object:  # pragma: no cover
        raise NotImplementedError
        yield


class PayloadModel(BaseModel):
    """The JSON body of the plain route: ``Payload`` in proto3 JSON (``data`` is base64)."""

    data: str


app = FastAPI()
app.include_router(ConnectRouter(Bench(), info=BENCH_SERVICE_INFO), prefix="/rpc")

_FIXED = b'{"data":"' + b"x" * 132 + b'"}'


@app.post("/plain/unary")
async def plain_unary(body: PayloadModel) -> PayloadModel:
    """The echo as FastAPI users write it."""
    return body


class FloorRoute(APIRoute):
    """A route whose handler is a constant response: nothing but FastAPI's own path."""

    def get_route_handler(self) -> Any:
        async def handler(request: Request) -> Response:
            return Response(_FIXED, media_type="application/json")

        return handler


class FloorReadRoute(APIRoute):
    """A route whose handler echoes the raw body: FastAPI's path plus reading the request."""

    def get_route_handler(self) -> Any:
        async def handler(request: Request) -> Response:
            return Response(await request.body(), media_type="application/proto")

        return handler


async def _floor() -> None:  # pragma: no cover - FloorRoute never calls it
    pass


_floor_router = APIRouter(route_class=FloorRoute)
_floor_router.add_api_route("/floor", _floor, methods=["POST"])
app.include_router(_floor_router)
_floor_read_router = APIRouter(route_class=FloorReadRoute)
_floor_read_router.add_api_route("/floor-read", _floor, methods=["POST"])
app.include_router(_floor_read_router)


core = BenchServiceASGIApplication(Bench())
app.mount("/mounted", core)
