"""Connect RPC for Django: serve Connect services through the URLconf, middleware and auth.

Example::

    # settings.py
    INSTALLED_APPS = [..., "connect_django"]

    # urls.py
    from connect_django import connect_urls
    urlpatterns = [path("rpc/", include(connect_urls(Greeter(), interceptors=[...])))]

:func:`connect_urls` gives one URL pattern per procedure; ``connect_django.urls`` serves the
services of the ``CONNECT_SERVICES`` setting; :func:`connect_django.asgi.get_asgi_application`
serves Connect calls full duplex under ASGI; :func:`cors_settings` is the
``django-cors-headers`` preset for browser clients.
"""

from connect_core.server import HTTP_STATUS_CODES, code_for_status

from ._errors import DjangoErrors, DjangoErrorsSync, django_error_to_connect_error
from ._procedures import MountedProcedure, mounted_procedures, mounts
from ._urls import Mount, connect_urls
from ._views import DeferredCall
from .cors import cors_settings

__all__ = [
    "HTTP_STATUS_CODES",
    "DeferredCall",
    "DjangoErrors",
    "DjangoErrorsSync",
    "Mount",
    "MountedProcedure",
    "code_for_status",
    "connect_urls",
    "cors_settings",
    "django_error_to_connect_error",
    "mounted_procedures",
    "mounts",
]
