"""The echo service as module-level ASGI and WSGI applications, for real servers.

Import as ``servers.apps:asgi_app`` / ``servers.apps:wsgi_app`` with ``tests`` and
``tests/gen`` on ``PYTHONPATH``. Both carry a metadata interceptor that stamps every response
with the ``x-interceptor`` header (set in ``on_start``) and the ``x-interceptor-end`` trailer
(set in ``on_end`` from the token ``on_start`` returned), so tests can see interceptors run
over the wire.
"""

from __future__ import annotations

from echo.v1.echo_connect import EchoServiceASGIApplication, EchoServiceWSGIApplication

from connect_core import RequestContext

from .echo_service import AsyncEcho, SyncEcho


class StampInterceptor:
    """An async metadata interceptor: header on start, trailer (from the token) on end."""

    async def on_start(self, ctx: RequestContext) -> str:
        ctx.response_headers()["x-interceptor"] = "asgi"
        return ctx.method().name

    async def on_end(self, token: str, ctx: RequestContext) -> None:
        ctx.response_trailers()["x-interceptor-end"] = token


class StampInterceptorSync:
    """The sync twin of :class:`StampInterceptor`."""

    def on_start_sync(self, ctx: RequestContext) -> str:
        ctx.response_headers()["x-interceptor"] = "wsgi"
        return ctx.method().name

    def on_end_sync(self, token: str, ctx: RequestContext) -> None:
        ctx.response_trailers()["x-interceptor-end"] = token


asgi_app = EchoServiceASGIApplication(AsyncEcho(), interceptors=[StampInterceptor()])
wsgi_app = EchoServiceWSGIApplication(SyncEcho(), interceptors=[StampInterceptorSync()])
