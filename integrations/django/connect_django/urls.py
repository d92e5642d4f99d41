"""The settings-driven form: ``path("rpc/", include("connect_django.urls"))`` serves every
service listed in ``CONNECT_SERVICES``.

Settings::

    CONNECT_SERVICES = [
        "greet.services.Greeter",  # a dotted path to a service class (built with no
                                   # arguments) or to a service instance
        {"service": "todo.services.TodoService", "interceptors": ["todo.rpc.Auth"]},
    ]

A dict entry takes ``service`` and any keyword argument of :func:`connect_django.connect_urls`;
``interceptors`` and ``decorators`` may be dotted paths. ``CONNECT_INTERCEPTORS`` (dotted
paths) are put before every service's own.
"""

from __future__ import annotations

from ._settings import settings_urlpatterns

urlpatterns = settings_urlpatterns()
