"""``servers.django_asgi:app``: see ``servers.django_app``."""

from .django_app import build

app = build("asgi_app")
