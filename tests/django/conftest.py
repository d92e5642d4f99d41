"""Django for the ``connect_django`` tests (pytest-django): the test project's settings.

This directory has no ``__init__.py`` on purpose: as a package named ``django`` it would
shadow the real Django. Its modules are named ``test_django_*`` instead.

The settings are those of ``servers.django_site`` (sessions, CSRF, auth middleware, SQLite)
with the tests' URLconf (``servers.django_test_urls``), ``ATOMIC_REQUESTS``, the
``django-cors-headers`` preset of ``connect_django.cors_settings`` for ``/rpc/`` and a
``CONNECT_SERVICES`` entry.
"""

from __future__ import annotations

import django
import pytest
from connect_django import cors_settings
from django.conf import settings
from servers.django_site import INSTALLED_APPS, MIDDLEWARE
from servers.django_site import settings as site_settings

CORS_ORIGIN = "https://app.example"

if not settings.configured:
    values = site_settings("servers.django_test_urls")
    values["DATABASES"]["default"]["ATOMIC_REQUESTS"] = True
    values["INSTALLED_APPS"] = [*INSTALLED_APPS, "corsheaders"]
    values["MIDDLEWARE"] = ["corsheaders.middleware.CorsMiddleware", *MIDDLEWARE]
    values["CONNECT_SERVICES"] = ["servers.echo_service.SyncEcho"]
    values.update(cors_settings([CORS_ORIGIN], urls_regex=r"^/rpc/.*$", expose=["x-tenant"]))
    settings.configure(**values)
# When the whole suite runs, this conftest loads after pytest-django looked for settings: set
# the apps up here (a no-op when pytest-django did it already).
django.setup()


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (Django's ``AsyncClient`` needs it)."""
    return "asyncio"
