"""The Django project ``django_bench.py`` loads: Connect echo vs a plain Django JSON view.

Run with ``bench/gen`` on ``sys.path``; one module is the settings (configured at import) and
the URLconf. The middleware is ``startproject``'s default stack, the same for every view:

* ``/sync/bench.v1.BenchService/Unary``: the echo through ``connect_urls`` (a sync service,
  for WSGI);
* ``/async/bench.v1.BenchService/Unary``: the same, async service (for ASGI);
* ``/plain/sync`` and ``/plain/async``: the same echo as Django users write a JSON API view
  (``JsonResponse(json.loads(request.body))``, CSRF-exempt), sync and async;
* ``/floor/sync`` and ``/floor/async``: fixed bytes, the body left unread: what Django itself
  costs per request under this middleware stack, the fastest any view can be (reference);
* ``/idle/bench.v1.BenchService/Stream``: a Connect server stream that sends one message and
  then waits, and ``/idle-plain/stream``: Django's own ``StreamingHttpResponse`` over an async
  iterator doing the same (for the idle stream's memory).

``wsgi`` is Django's WSGI handler, ``asgi`` its ASGI handler and ``duplex``
``connect_django.asgi``'s handler.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "connect_django",
    ],
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
    DATABASES={},
    USE_TZ=True,
    LOGGING_CONFIG=None,
)
django.setup()

from bench.v1.bench_connect import BENCH_SERVICE_INFO  # noqa: E402
from bench.v1.bench_pb2 import Payload  # noqa: E402
from connect_django import connect_urls  # noqa: E402
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from connect_core import RequestContext  # noqa: E402

FIRST_CHUNK = b"\x00\x00\x00\x00\x0c\x0a\x0a" + b"x" * 10  # one envelope: Payload{10 x "x"}


class SyncBench:
    """Echo, sync."""

    def unary(self, request: Payload, ctx: RequestContext) -> Payload:
        return request

    def stream(self, request: object, ctx: RequestContext) -> Iterator[Payload]:
        yield Payload(data=b"x" * 10)


class AsyncBench:
    """Echo, async; its stream sends one message and then waits for the client to go."""

    async def unary(self, request: Payload, ctx: RequestContext) -> Payload:
        return request

    async def stream(self, request: object, ctx: RequestContext) -> AsyncIterator[Payload]:
        yield Payload(data=b"x" * 10)
        await asyncio.Event().wait()


@csrf_exempt
def plain_sync(request: HttpRequest) -> JsonResponse:
    """The echo as a plain sync Django view."""
    return JsonResponse(json.loads(request.body))


@csrf_exempt
async def plain_async(request: HttpRequest) -> JsonResponse:
    """The echo as a plain async Django view."""
    return JsonResponse(json.loads(request.body))


_FIXED = b'{"data":"' + b"x" * 132 + b'"}'


@csrf_exempt
def floor_sync(request: HttpRequest) -> HttpResponse:
    """Fixed bytes, the body unread: Django's own cost per request (sync)."""
    return HttpResponse(_FIXED, content_type="application/json")


@csrf_exempt
async def floor_async(request: HttpRequest) -> HttpResponse:
    """Fixed bytes, the body unread: Django's own cost per request (async)."""
    return HttpResponse(_FIXED, content_type="application/json")


@csrf_exempt
async def idle_plain(request: HttpRequest) -> StreamingHttpResponse:
    """Django's own streaming response holding an idle stream open."""

    async def body() -> AsyncIterator[bytes]:
        yield FIRST_CHUNK
        await asyncio.Event().wait()

    return StreamingHttpResponse(body(), content_type="application/connect+proto")


urlpatterns = [
    path("sync/", include(connect_urls(SyncBench(), info=BENCH_SERVICE_INFO))),
    path("async/", include(connect_urls(AsyncBench(), info=BENCH_SERVICE_INFO))),
    path("idle/", include(connect_urls(AsyncBench(), info=BENCH_SERVICE_INFO))),
    path("plain/sync", plain_sync),
    path("plain/async", plain_async),
    path("floor/sync", floor_sync),
    path("floor/async", floor_async),
    path("idle-plain/stream", idle_plain),
]


def __getattr__(name: str) -> Any:
    if name == "wsgi":
        from django.core.handlers.wsgi import WSGIHandler

        app: Any = WSGIHandler()
    elif name == "asgi":
        from django.core.handlers.asgi import ASGIHandler

        app = ASGIHandler()
    elif name == "duplex":
        from connect_django.asgi import ConnectASGIHandler

        app = ConnectASGIHandler()
    else:
        raise AttributeError(name)
    globals()[name] = app
    return app
