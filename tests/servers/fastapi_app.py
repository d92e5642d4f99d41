"""The echo service as FastAPI applications, for the wire suite (``tests/e2e``).

Import with ``tests`` and ``tests/gen`` on ``PYTHONPATH``:

* ``servers.fastapi_app:app``: the async service (run on the event loop). With no FastAPI
  dependency in effect, ``ConnectRouter`` serves its routes without FastAPI's request handler
  (the direct path);
* ``servers.fastapi_app:depends_app``: the async service again, in an app with an app-level
  dependency (one that does nothing), so every call goes through FastAPI's request handler;
* ``servers.fastapi_app:sync_app``: the sync service (run in Starlette's threadpool).

Each app includes one ``ConnectRouter`` at the root prefix, so procedure paths are those of
the core applications in ``servers.apps``, and carries the same metadata interceptor
(``x-interceptor`` header on start, ``x-interceptor-end`` trailer on end). The only other
configuration is the one the README asks of every app serving Connect:
``connect_exception_handler``, so that a path outside every router gets Connect's 404 (and its
request body drained, which an HTTP/2 connection needs to survive). No middleware, so what the
wire tests see is what ``ConnectRouter`` itself puts on the wire.
"""

from __future__ import annotations

from connect_fastapi import ConnectRouter, connect_exception_handler
from fastapi import Depends, FastAPI
from starlette.exceptions import HTTPException

from .apps import StampInterceptor, StampInterceptorSync
from .echo_service import AsyncEcho, SyncEcho


async def _nothing() -> None:
    """A dependency that does nothing: its presence alone routes calls through FastAPI."""


app = FastAPI()
app.include_router(ConnectRouter(AsyncEcho(), interceptors=[StampInterceptor()]))

depends_app = FastAPI(dependencies=[Depends(_nothing)])
depends_app.include_router(ConnectRouter(AsyncEcho(), interceptors=[StampInterceptor()]))

sync_app = FastAPI()
sync_app.include_router(ConnectRouter(SyncEcho(), interceptors=[StampInterceptorSync()]))

for _app in (app, depends_app, sync_app):
    _app.add_exception_handler(HTTPException, connect_exception_handler)
