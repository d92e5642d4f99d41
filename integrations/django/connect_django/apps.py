"""The Django app ``connect_django``: its system checks register when the app is ready."""

from __future__ import annotations

from django.apps import AppConfig


class ConnectDjangoConfig(AppConfig):
    """Add ``"connect_django"`` to ``INSTALLED_APPS`` for the system checks (``manage.py
    check``), the ``connect_procedures`` management command, and a site that refuses to serve
    a misconfigured Connect service (``ImproperlyConfigured`` from its first request on)
    rather than answering ``internal`` to every call."""

    name = "connect_django"
    verbose_name = "Connect RPC"
    default = True

    def ready(self) -> None:
        """Register the system checks, and the check of the site at its first request."""
        from . import _checks  # noqa: F401  (registers on import)
        from ._site_check import watch_requests

        watch_requests()
