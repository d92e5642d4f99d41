"""The integrations the wire suite runs against: apps serving the echo service, under servers.

:data:`INTEGRATIONS` is the one list: the wire tests (``tests/e2e``) run against each entry,
through the fixtures of ``tests/conftest.py``, so a new integration (another framework's
adapter, or another server) joins the whole suite with one entry here. An
:class:`Integration` says how to serve the echo service (which app, under which server) and
what a test may expect from it beyond the protocol itself (the ``x-interceptor`` value its
interceptor stamps, whether its handlers are async); tests that need such a property select
entries by these attributes, never by name. :class:`ServerPool` starts each server once per
test session, the first time a test needs it, and :class:`WireServer` is what a test talks to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .run import (
    FLASK_DEV,
    GRANIAN,
    GUNICORN,
    GUNICORN_SYNC,
    HYPERCORN,
    PYVOY,
    UVICORN,
    RunningServer,
    ServerKind,
    start,
)

ECHO_ASGI = "servers.apps:asgi_app"
ECHO_WSGI = "servers.apps:wsgi_app"
ECHO_FASTAPI = "servers.fastapi_app:app"
ECHO_FASTAPI_DEPENDS = "servers.fastapi_app:depends_app"
ECHO_FASTAPI_SYNC = "servers.fastapi_app:sync_app"
ECHO_FLASK = "servers.flask_app:app"
ECHO_DJANGO_WSGI = "servers.django_wsgi:app"
ECHO_DJANGO_ASGI = "servers.django_asgi:app"
ECHO_DJANGO_ASGI_SYNC = "servers.django_asgi_sync:app"
ECHO_DJANGO_DUPLEX = "servers.django_duplex:app"
ECHO_DJANGO_DUPLEX_SYNC = "servers.django_duplex_sync:app"
GREET_ASGI = "servers.greet_app:app"
GREET_WSGI = "servers.greet_app:wsgi_app"


@dataclass(frozen=True)
class Integration:
    """One integration serving the echo service under one server."""

    id: str
    """The test id: integration, then server (``fastapi-uvicorn``)."""
    kind: ServerKind
    """The server."""
    app: str
    """The application, ``module:attribute`` with ``tests`` and ``tests/gen`` on the path."""
    stamp: str
    """The ``x-interceptor`` header the app's metadata interceptor sets (``asgi`` for the
    async ``StampInterceptor``, ``wsgi`` for the sync one)."""
    async_handlers: bool
    """The service's handlers are ``async def``: they can ``await ctx.send_headers()``, and a
    deadline cancels them rather than letting them run to completion."""
    reads_body_first: bool = False
    """The framework reads each request's whole body before the call starts (Django's own
    ASGI handler): a client stream arrives at once, a bidi stream is half-duplex even over
    HTTP/2, and a deadline runs from the end of the body."""
    h2_only: bool = False
    """Only the HTTP/2-specific tests run against it (another HTTP/2 server for an app the
    whole suite already covers), not the whole suite."""


@dataclass(frozen=True)
class WireServer:
    """A running server of one integration."""

    integration: Integration
    running: RunningServer

    @property
    def id(self) -> str:
        return self.integration.id

    @property
    def url(self) -> str:
        return self.running.url

    @property
    def port(self) -> int:
        return self.running.port

    @property
    def http2(self) -> bool:
        """True when clients should talk HTTP/2 with prior knowledge (h2c)."""
        return self.running.http2

    @property
    def interface(self) -> str:
        """The server's interface to the app: ``asgi`` or ``wsgi``."""
        return self.running.interface

    @property
    def stamp(self) -> str:
        """The ``x-interceptor`` header value the app's interceptor sets."""
        return self.integration.stamp

    @property
    def async_handlers(self) -> bool:
        """True when the service's handlers are ``async def``."""
        return self.integration.async_handlers

    @property
    def single_process(self) -> bool:
        """True when one process serves every request, so that state a handler keeps (such
        as the echo service's stream tracker) is seen by the next request."""
        return self.running.kind.processes == 1

    def log_tail(self, n: int = 4000) -> str:
        return self.running.log_tail(n)


class ServerPool:
    """Servers started on first use and shared by every test; :meth:`stop` ends them all."""

    def __init__(self, log_dir: Path) -> None:
        self._log_dir = log_dir
        self._running: dict[tuple[str, str], RunningServer] = {}

    def get(self, kind: ServerKind, app: str) -> RunningServer:
        """The server ``kind`` running ``app``, started now if it is not running yet."""
        key = (kind.name, app)
        server = self._running.get(key)
        if server is None:
            server = start(kind, app, self._log_dir)
            self._running[key] = server
        return server

    def serve(self, integration: Integration) -> WireServer:
        """The running server of ``integration``."""
        return WireServer(integration, self.get(integration.kind, integration.app))

    def stop(self) -> None:
        """Stop every server started here."""
        while self._running:
            _, server = self._running.popitem()
            server.stop()


# Every integration serving the echo service, under the servers it is tested with. Ids are
# the integration, then the server.
INTEGRATIONS = [
    Integration("asgi-uvicorn", UVICORN, ECHO_ASGI, stamp="asgi", async_handlers=True),
    Integration("asgi-hypercorn-h2c", HYPERCORN, ECHO_ASGI, stamp="asgi", async_handlers=True),
    Integration("wsgi-gunicorn", GUNICORN, ECHO_WSGI, stamp="wsgi", async_handlers=False),
    Integration("fastapi-uvicorn", UVICORN, ECHO_FASTAPI, stamp="asgi", async_handlers=True),
    Integration(
        "fastapi-hypercorn-h2c", HYPERCORN, ECHO_FASTAPI, stamp="asgi", async_handlers=True
    ),
    Integration(
        "fastapi-depends-uvicorn",
        UVICORN,
        ECHO_FASTAPI_DEPENDS,
        stamp="asgi",
        async_handlers=True,
    ),
    Integration(
        "fastapi-sync-uvicorn", UVICORN, ECHO_FASTAPI_SYNC, stamp="wsgi", async_handlers=False
    ),
    Integration("flask-gunicorn", GUNICORN, ECHO_FLASK, stamp="wsgi", async_handlers=False),
    Integration(
        "flask-gunicorn-sync", GUNICORN_SYNC, ECHO_FLASK, stamp="wsgi", async_handlers=False
    ),
    Integration("flask-dev", FLASK_DEV, ECHO_FLASK, stamp="wsgi", async_handlers=False),
    # Django: WSGI (sync service), Django's own ASGI handler (async service; sync service in
    # the request's thread), and connect_django.asgi's handler (request bodies as they
    # arrive: full duplex over HTTP/2).
    Integration(
        "django-wsgi-gunicorn", GUNICORN, ECHO_DJANGO_WSGI, stamp="wsgi", async_handlers=False
    ),
    Integration(
        "django-asgi-uvicorn",
        UVICORN,
        ECHO_DJANGO_ASGI,
        stamp="asgi",
        async_handlers=True,
        reads_body_first=True,
    ),
    Integration(
        "django-asgi-sync-uvicorn",
        UVICORN,
        ECHO_DJANGO_ASGI_SYNC,
        stamp="wsgi",
        async_handlers=False,
        reads_body_first=True,
    ),
    Integration(
        "django-duplex-uvicorn", UVICORN, ECHO_DJANGO_DUPLEX, stamp="asgi", async_handlers=True
    ),
    Integration(
        "django-duplex-hypercorn-h2c",
        HYPERCORN,
        ECHO_DJANGO_DUPLEX,
        stamp="asgi",
        async_handlers=True,
    ),
    Integration(
        "django-duplex-sync-uvicorn",
        UVICORN,
        ECHO_DJANGO_DUPLEX_SYNC,
        stamp="wsgi",
        async_handlers=False,
    ),
    # More HTTP/2 servers for the core ASGI app, in the HTTP/2-specific tests only (full-duplex
    # bidi, refusals before the body, disconnects): its protocol handling is the same as under
    # hypercorn, and these servers hold a response head until body bytes follow it (as the
    # ASGI spec allows), so ``ctx.send_headers()`` cannot open a stream early there.
    Integration(
        "asgi-granian-h2c", GRANIAN, ECHO_ASGI, stamp="asgi", async_handlers=True, h2_only=True
    ),
    Integration(
        "asgi-pyvoy-h2c", PYVOY, ECHO_ASGI, stamp="asgi", async_handlers=True, h2_only=True
    ),
]


def integration_params(
    where: Callable[[Integration], bool] = lambda _: True, *, h2_only: bool = False
) -> list[Any]:
    """One ``pytest.param`` per integration that ``where`` selects, with its id; with
    ``h2_only``, the entries for the HTTP/2-specific tests only are candidates too."""
    return [
        pytest.param(i, id=i.id) for i in INTEGRATIONS if (h2_only or not i.h2_only) and where(i)
    ]
