"""URLconf: the sync echo service at the root (see ``servers.django_site``)."""

from django.urls import include, path

from .django_site import sync_patterns

urlpatterns = [path("", include(sync_patterns()))]
