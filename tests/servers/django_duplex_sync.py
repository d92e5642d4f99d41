"""``servers.django_duplex_sync:app``: see ``servers.django_app``."""

from .django_app import build

app = build("duplex_sync_app")
