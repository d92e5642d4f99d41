"""The shelf's data: books and their ratings, in the project's database."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Book(models.Model):
    """One book on the shelf."""

    title = models.CharField(max_length=200)
    author = models.CharField(max_length=200)
    year = models.IntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.title} ({self.author})"


class Rating(models.Model):
    """One user's stars for one book."""

    book = models.ForeignKey(Book, related_name="ratings", on_delete=models.CASCADE)
    stars = models.IntegerField()
