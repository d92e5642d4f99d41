"""The echo service served by a Django project, for the wire suite (``tests/e2e``).

One module per app (hypercorn looks attributes up in a module's namespace), each calling
:func:`build`, which sets Django up in the server process:

* ``servers.django_wsgi:app``: the sync service, Django's WSGI handler (gunicorn);
* ``servers.django_asgi:app``: the async service, Django's own ASGI handler (which reads
  each request body whole before the view runs);
* ``servers.django_asgi_sync:app``: the sync service under Django's ASGI handler (run in
  the request's thread);
* ``servers.django_duplex:app``: the async service, ``connect_django.asgi``'s handler
  (request bodies read as they arrive: full duplex over HTTP/2);
* ``servers.django_duplex_sync:app``: the sync service under that handler.
"""

from __future__ import annotations

from typing import Any

from .django_site import configure

_APPS = {
    "wsgi_app": ("servers.django_urls_sync", "wsgi"),
    "asgi_app": ("servers.django_urls_async", "asgi"),
    "asgi_sync_app": ("servers.django_urls_sync", "asgi"),
    "duplex_app": ("servers.django_urls_async", "duplex"),
    "duplex_sync_app": ("servers.django_urls_sync", "duplex"),
}


def build(name: str) -> Any:
    """Configure Django for the app ``name`` (a key of ``_APPS``) and return the app."""
    urlconf, kind = _APPS[name]
    configure(urlconf)
    if kind == "wsgi":
        from django.core.wsgi import get_wsgi_application

        app: Any = get_wsgi_application()
    elif kind == "asgi":
        from django.core.asgi import get_asgi_application

        app = get_asgi_application()
    else:
        from connect_django.asgi import get_asgi_application as duplex

        app = duplex()
    return app
