"""URLconf: the async echo service at the root (see ``servers.django_site``)."""

from django.urls import include, path

from .django_site import async_patterns

urlpatterns = [path("", include(async_patterns()))]
