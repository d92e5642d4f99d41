"""The library app: the shelf's books and ratings."""

from django.apps import AppConfig


class LibraryConfig(AppConfig):
    """Books and their ratings."""

    name = "library"
    default_auto_field = "django.db.models.BigAutoField"
