"""The bookshelf's URLs: the Connect service under ``/rpc/``, next to any other view."""

from connect_django import connect_urls
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from library.services import Shelf


def home(request: HttpRequest) -> HttpResponse:
    """A plain Django view beside the Connect service."""
    return HttpResponse("The bookshelf: Connect calls go to /rpc/shelf.v1.ShelfService/*\n")


urlpatterns = [
    path("", home),
    path("rpc/", include(connect_urls(Shelf()))),
]
