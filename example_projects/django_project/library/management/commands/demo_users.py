"""``manage.py demo_users``: the demo's two users, a librarian (who may add books) and a
reader (who may not)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission, User
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the users 'librarian' and 'reader' (password: 'shelf')."

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("librarian", "reader"):
            user, _ = User.objects.get_or_create(username=name)
            user.set_password("shelf")
            user.save()
        librarian = User.objects.get(username="librarian")
        librarian.user_permissions.add(Permission.objects.get(codename="add_book"))
        self.stdout.write("users: librarian (may add books), reader; password 'shelf'")
