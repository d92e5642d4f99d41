"""A small Django project serving the echo service, for the wire suite and the Django tests.

:func:`configure` sets Django up in this process with one of the URLconfs below:

* ``servers.django_site:sync_urls`` serves the sync echo service (WSGI, or ASGI in a thread),
* ``servers.django_site:async_urls`` serves the async one,

each through ``connect_urls`` at the root prefix, with the same metadata interceptor as the
core applications. The settings are those of a real project: sessions, CSRF, auth and
messages middleware, the auth and session apps, and SQLite (a file under the temp directory,
or ``$CONNECT_DJANGO_DB``).
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from connect_django import connect_urls
from django.urls import URLPattern

from .apps import StampInterceptor, StampInterceptorSync
from .echo_service import AsyncEcho, SyncEcho

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "connect_django",
]


def settings(urlconf: str, **overrides: Any) -> dict[str, Any]:
    """The project's settings, with ``urlconf`` as ``ROOT_URLCONF``."""
    db = os.environ.get("CONNECT_DJANGO_DB") or os.path.join(
        tempfile.gettempdir(), f"connect-django-{os.getpid()}.sqlite3"
    )
    values: dict[str, Any] = {
        "DEBUG": False,
        "SECRET_KEY": "connect-django-tests-only",
        "ALLOWED_HOSTS": ["*"],
        "ROOT_URLCONF": urlconf,
        "INSTALLED_APPS": INSTALLED_APPS,
        "MIDDLEWARE": MIDDLEWARE,
        "DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": db}},
        "USE_TZ": True,
        "DEFAULT_AUTO_FIELD": "django.db.models.AutoField",
        "LOGGING_CONFIG": None,
    }
    values.update(overrides)
    return values


def configure(urlconf: str, **overrides: Any) -> None:
    """Configure Django in this process (once) with ``urlconf``, then set it up."""
    import django
    from django.conf import settings as django_settings

    if not django_settings.configured:
        django_settings.configure(**settings(urlconf, **overrides))
    django.setup()


def sync_patterns() -> list[URLPattern]:
    """The sync echo service's patterns."""
    return connect_urls(SyncEcho(), interceptors=[StampInterceptorSync()])


def async_patterns() -> list[URLPattern]:
    """The async echo service's patterns."""
    return connect_urls(AsyncEcho(), interceptors=[StampInterceptor()])
