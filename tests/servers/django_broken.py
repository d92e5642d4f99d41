"""A Django project whose Connect service cannot be served: a sync echo service given an
async interceptor (``connect_django.E001``), beside a plain view.

``servers.django_broken:wsgi_app`` is Django's WSGI handler, ``servers.django_broken:asgi_app``
``connect_django.asgi``'s handler: the site must refuse to serve rather than answer
``internal`` to every call.
"""

from __future__ import annotations

from connect_django import connect_urls
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from .django_site import configure
from .echo_service import SyncEcho


class AsyncInterceptor:
    """An async interceptor: the wrong flavour for a sync service."""

    async def on_start(self, ctx: object) -> None:
        return None


def hello(request: HttpRequest) -> HttpResponse:
    """A plain view of the site."""
    return HttpResponse("hello")


urlpatterns = [
    path("hello/", hello),
    path("rpc/", include(connect_urls(SyncEcho(), interceptors=[AsyncInterceptor()]))),
]

configure(__name__)

from connect_django.asgi import get_asgi_application  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

wsgi_app = get_wsgi_application()
asgi_app = get_asgi_application()
