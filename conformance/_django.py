"""The conformance service in a Django project: the URLconf and settings of ``--framework
django-wsgi`` (Django's WSGI handler, sync handlers) and ``django-asgi``
(``connect_django.asgi``'s handler, async handlers unless ``--service sync``).

:func:`build` fills :data:`urlpatterns` (this module is the project's ``ROOT_URLCONF``) with
``connect_urls`` for the handlers, under a realistic middleware stack (security, common,
CSRF, clickjacking), and returns the project's WSGI or ASGI application.
"""

from __future__ import annotations

from typing import Any

from connect_core import ServerOptions

urlpatterns: list[Any] = []


def build(handlers: object, options: ServerOptions, interface: str) -> object:
    """Configure Django to serve ``handlers`` with ``options`` and return its application
    (``interface``: ``wsgi`` or ``asgi``)."""
    import django
    from connect_django import connect_urls
    from django.conf import settings
    from django.urls import include, path

    # A server that forks its workers after the application was built (granian) builds it
    # again in each worker, where Django is set up already: keep what the parent made.
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="conformance-only",
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF=__name__,
            INSTALLED_APPS=["connect_django"],
            MIDDLEWARE=[
                "django.middleware.security.SecurityMiddleware",
                "django.middleware.common.CommonMiddleware",
                "django.middleware.csrf.CsrfViewMiddleware",
                "django.middleware.clickjacking.XFrameOptionsMiddleware",
            ],
            DATABASES={},
            USE_TZ=True,
            LOGGING_CONFIG=None,
        )
        django.setup(set_prefix=False)
        urlpatterns.append(path("", include(connect_urls(handlers, **options))))
    if interface == "wsgi":
        from django.core.handlers.wsgi import WSGIHandler

        return WSGIHandler()
    from connect_django.asgi import ConnectASGIHandler

    return ConnectASGIHandler()
