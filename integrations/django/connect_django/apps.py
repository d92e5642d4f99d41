"""The Django app ``connect_django``: its system checks register when the app is ready."""

from __future__ import annotations

from django.apps import AppConfig


class ConnectDjangoConfig(AppConfig):
    """Add ``"connect_django"`` to ``INSTALLED_APPS`` for the system checks (``manage.py
    check``) and the ``connect_procedures`` management command."""

    name = "connect_django"
    verbose_name = "Connect RPC"
    default = True

    def ready(self) -> None:
        """Register the system checks."""
        from . import _checks  # noqa: F401  (registers on import)
