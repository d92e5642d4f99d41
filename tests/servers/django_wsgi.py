"""``servers.django_wsgi:app``: see ``servers.django_app``."""

from .django_app import build

app = build("wsgi_app")
