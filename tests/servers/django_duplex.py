"""``servers.django_duplex:app``: see ``servers.django_app``."""

from .django_app import build

app = build("duplex_app")
