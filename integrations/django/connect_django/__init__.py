"""Connect RPC for Django: serve Connect services through the URLconf, middleware and auth.

Example::

    # settings.py
    INSTALLED_APPS = [..., "connect_django"]

    # urls.py
    from connect_django import connect_urls
    urlpatterns = [path("rpc/", include(connect_urls(Greeter(), interceptors=[...])))]

The three integrations have one shape: the mount (:func:`connect_urls`; FastAPI's
``ConnectRouter``, Flask's ``ConnectBlueprint``), the opt-in that answers Connect calls
outside every procedure in Connect's format (:class:`ConnectErrorPagesMiddleware`, in
``MIDDLEWARE``), the framework's HTTP errors as Connect errors
(:func:`http_error_to_connect_error`), the test that a request is a Connect call
(:func:`speaks_connect`), and a CORS preset in the form of the framework's CORS library
(:func:`cors_settings`: django-cors-headers is configured by settings). Django also has the
procedures the URLconf serves (:func:`mounted_procedures`, ``manage.py
connect_procedures``), ``connect_django.urls`` for the ``CONNECT_SERVICES`` setting, and
:func:`connect_django.asgi.get_asgi_application` for full-duplex streams under ASGI.
"""

from ._errors import http_error_to_connect_error
from ._procedures import MountedProcedure, mounted_procedures
from ._urls import connect_urls
from .cors import cors_settings
from .middleware import ConnectErrorPagesMiddleware, speaks_connect

__all__ = [
    "ConnectErrorPagesMiddleware",
    "MountedProcedure",
    "connect_urls",
    "cors_settings",
    "http_error_to_connect_error",
    "mounted_procedures",
    "speaks_connect",
]
