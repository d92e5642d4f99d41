"""``servers.django_asgi_sync:app``: see ``servers.django_app``."""

from .django_app import build

app = build("asgi_sync_app")
