"""A Django project with ``ConnectErrorPagesMiddleware``, for ``tests/django``'s error-page
tests: ``DEBUG = False``, the settings of ``servers.django_site`` with the middleware at the
top of ``MIDDLEWARE``, and the URLconf ``servers.django_error_pages_urls`` (the echo service
under ``rpc/``, app views and a site ``handler404``).

Importing it sets Django up in the server process and builds the apps:

* ``servers.django_error_pages:wsgi_app``: Django's WSGI handler (gunicorn);
* ``servers.django_error_pages:asgi_app``: Django's own ASGI handler;
* ``servers.django_error_pages:duplex_app``: ``connect_django.asgi``'s handler.
"""

from __future__ import annotations

from typing import Any

from connect_django.asgi import get_asgi_application as connect_asgi_application
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

from .django_site import MIDDLEWARE as SITE_MIDDLEWARE
from .django_site import configure

MIDDLEWARE = ["connect_django.middleware.ConnectErrorPagesMiddleware", *SITE_MIDDLEWARE]
URLCONF = "servers.django_error_pages_urls"

configure(URLCONF, DEBUG=False, MIDDLEWARE=MIDDLEWARE)

wsgi_app: Any = get_wsgi_application()
asgi_app: Any = get_asgi_application()
duplex_app: Any = connect_asgi_application()
