"""An ASGI entry point that serves Connect calls as their bytes arrive: full-duplex streams.

Django's own ASGI handler reads a request's whole body before any view runs, so through it a
client stream arrives all at once and a bidi stream cannot be full-duplex. Serve the project
with :func:`get_asgi_application` from this module instead (``asgi.py``)::

    import os
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    from connect_django.asgi import get_asgi_application
    application = get_asgi_application()

Every request whose path Django's URL resolver sends to a Connect view goes through Django as
usual (``request_started``, every middleware, the view, ``request_finished``), but without
its body read first: the view only starts the call, and once middleware has seen the
response, :class:`ConnectASGIHandler` serves the call over ASGI itself, reading request
messages as they arrive and sending each reply message as it is produced (full duplex over
HTTP/2). Headers and cookies that middleware put on the response (sessions, CORS, ``Vary``)
go out with the call's. Every other request is Django's, untouched.

It answers the ASGI ``lifespan`` protocol (Django's handler refuses it), and its start-up
fails when a Connect service of the site cannot be served, so the server refuses to start
(see ``manage.py check``).

The limit: middleware sees a Connect request without its body (``request.body`` is empty),
which Connect calls never need from middleware; a ``request.urlconf`` set by middleware is not
consulted to tell Connect paths (the project's ``ROOT_URLCONF`` is).
"""

from __future__ import annotations

import functools
import io
from collections.abc import MutableMapping
from typing import Any

import django
from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import HttpRequest
from django.urls import Resolver404, get_resolver, set_script_prefix

from connect_core.server import ASGIRequestBody, DrainPolicy, drain, serve_asgi

from ._site_check import check_site
from ._threads import in_request_thread
from ._views import ENDPOINT_ATTRIBUTE, FULL_DUPLEX_FLAG

Scope = dict[str, Any]
Message = MutableMapping[str, Any]
_UNREAD_BODY = DrainPolicy.for_limit(4 * 1024 * 1024)
_NOT_FORWARDED = frozenset({"content-type", "content-length", "content-encoding"})


def serves_connect_itself(request: HttpRequest) -> bool:
    """True when :class:`ConnectASGIHandler` serves this request's Connect call itself (the
    view then only starts it)."""
    return getattr(request, FULL_DUPLEX_FLAG, False)


@functools.lru_cache(maxsize=4096)
def _is_connect_path(urlconf: str | None, path_info: str) -> bool:
    try:
        match = get_resolver(urlconf).resolve(path_info)
    except Resolver404:
        return False
    return hasattr(match.func, ENDPOINT_ATTRIBUTE)


class ConnectASGIHandler(ASGIHandler):
    """Django's ASGI handler, serving Connect calls itself, full duplex (see the module)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        """Serve one ASGI scope (HTTP, and lifespan, which Django's handler refuses)."""
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        await super().__call__(scope, receive, send)

    async def handle(self, scope: Scope, receive: Any, send: Any) -> None:
        """Serve one HTTP request: a Connect call here, anything else as Django does."""
        root = get_script_prefix(scope).rstrip("/")
        path: str = scope["path"]
        path_info = path[len(root) :] if root and path.startswith(root) else path
        if not _is_connect_path(None, path_info or "/"):
            await super().handle(scope, receive, send)
            return
        set_script_prefix(get_script_prefix(scope))
        await signals.request_started.asend(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, io.BytesIO())
        if request is None:
            assert error_response is not None
            await drain(ASGIRequestBody(receive), _UNREAD_BODY)
            await self.send_response(error_response, send)
            await sync_to_async(error_response.close)()
            return
        setattr(request, FULL_DUPLEX_FLAG, True)
        response = await self.run_get_response(request)
        try:
            target = getattr(response, "target", None)
            if target is None:  # middleware answered itself (a redirect, a 403 page)
                await drain(ASGIRequestBody(receive), _UNREAD_BODY)
                await self.send_response(response, send)
                return
            extra = [
                (name.encode("latin-1"), value.encode("latin-1"))
                for name, value in response.items()
                if name.lower() not in _NOT_FORWARDED
            ]
            extra.extend(
                (b"set-cookie", cookie.output(header="").strip().encode("latin-1"))
                for cookie in response.cookies.values()
            )

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start" and extra:
                    message = {**message, "headers": [*message["headers"], *extra]}
                await send(message)

            await serve_asgi(target, receive, send_with_headers, to_thread=in_request_thread)
        finally:
            await sync_to_async(response.close)()


async def _lifespan(receive: Any, send: Any) -> None:
    """Answer the lifespan protocol; start-up fails when a Connect service of the site cannot
    be served (the server then refuses to start, naming the errors)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                await sync_to_async(check_site)()
            except ImproperlyConfigured as e:
                await send({"type": "lifespan.startup.failed", "message": str(e)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def get_asgi_application() -> ConnectASGIHandler:
    """Set Django up and return the ASGI application serving the project, Connect calls
    full duplex (the twin of ``django.core.asgi.get_asgi_application``)."""
    django.setup(set_prefix=False)
    return ConnectASGIHandler()
