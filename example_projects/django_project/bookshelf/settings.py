"""Settings of the bookshelf project: a plain Django project that also serves Connect.

SQLite by default (``db.sqlite3`` beside ``manage.py``, or ``$BOOKSHELF_SQLITE``); set
``$DATABASE_URL``-style variables ``BOOKSHELF_PG_NAME`` (and ``BOOKSHELF_PG_USER``,
``BOOKSHELF_PG_PASSWORD``, ``BOOKSHELF_PG_HOST``, ``BOOKSHELF_PG_PORT``) to use PostgreSQL
(with ``psycopg`` installed).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("BOOKSHELF_SECRET_KEY", "bookshelf-demo-only-not-a-secret")
DEBUG = os.environ.get("BOOKSHELF_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "connect_django",
    "library",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "library.middleware.BasicAuthMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bookshelf.urls"
WSGI_APPLICATION = "bookshelf.wsgi.application"

if os.environ.get("BOOKSHELF_PG_NAME"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["BOOKSHELF_PG_NAME"],
            "USER": os.environ.get("BOOKSHELF_PG_USER", ""),
            "PASSWORD": os.environ.get("BOOKSHELF_PG_PASSWORD", ""),
            "HOST": os.environ.get("BOOKSHELF_PG_HOST", ""),
            "PORT": os.environ.get("BOOKSHELF_PG_PORT", ""),
            "ATOMIC_REQUESTS": True,
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("BOOKSHELF_SQLITE", str(BASE_DIR / "db.sqlite3")),
            # A call and everything it writes are one transaction, rolled back when the
            # handler raises.
            "ATOMIC_REQUESTS": True,
            "OPTIONS": {"timeout": 20},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
