"""URLconf of the error-pages site (``servers.django_error_pages``): a Connect service beside
the site's own views, and a site ``handler404``.

* ``/rpc/echo.v1.EchoService/*``: the sync echo service, through ``connect_urls``;
* ``/login``: a POST-only view (``require_POST``: 405 with ``Allow`` for any other verb);
* ``/form``: a CSRF-protected POST view (Django's CSRF 403 page without a token);
* ``/private``: an HTML 401 page with ``WWW-Authenticate``;
* ``/api/items/<id>``: a JSON API whose every item is missing (its own JSON 404);
* anything else: the site's own 404 page (:func:`site_not_found`), whose text is
  :data:`SITE_404_TEXT`.
"""

from __future__ import annotations

from connect_django import connect_urls
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .echo_service import SyncEcho

SITE_404_TEXT = "This page is not on the error-pages site"
API_404 = {"error": "no such item"}


def site_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's own 404 page (``handler404``)."""
    return HttpResponseNotFound(f"<!doctype html><title>Not found</title><h1>{SITE_404_TEXT}</h1>")


@csrf_exempt
@require_POST
def login(request: HttpRequest) -> HttpResponse:
    """A POST-only view."""
    return HttpResponse("<p>logged in</p>")


@require_POST
def form(request: HttpRequest) -> HttpResponse:
    """A CSRF-protected form post."""
    return HttpResponse("<p>posted</p>")


def private(request: HttpRequest) -> HttpResponse:
    """An HTML 401 page asking for a bearer token."""
    return HttpResponse(
        "<p>log in first</p>", status=401, headers={"WWW-Authenticate": 'Bearer realm="site"'}
    )


def item(request: HttpRequest, item_id: int) -> JsonResponse:
    """A JSON API answering its own 404."""
    return JsonResponse(API_404, status=404)


handler404 = site_not_found

urlpatterns = [
    path("rpc/", include(connect_urls(SyncEcho()))),
    path("login", login),
    path("form", form),
    path("private", private),
    path("api/items/<int:item_id>", item),
]
