"""``manage.py connect_procedures``: list the Connect procedures the URLconf serves."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from connect_core import IdempotencyLevel, StreamType

from ..._procedures import mounted_procedures

_KINDS = {
    "UNARY": "unary",
    "CLIENT_STREAM": "client stream",
    "SERVER_STREAM": "server stream",
    "BIDI_STREAM": "bidi stream",
}


class Command(BaseCommand):
    """Lists every mounted procedure with its URL, kind, HTTP methods and flavour, in aligned
    columns under a header line."""

    help = "List the Connect procedures served by the URLconf, with their URLs."

    def add_arguments(self, parser: CommandParser) -> None:
        """``--urlconf``: another URLconf than ``ROOT_URLCONF``."""
        parser.add_argument("--urlconf", default=None, help="A URLconf module to list instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        """Print a header line and one line per procedure."""
        procedures = mounted_procedures(options["urlconf"])
        if not procedures:
            self.stdout.write("No Connect procedures are mounted.")
            return
        rows = [("URL", "PROCEDURE", "KIND", "HTTP", "HANDLERS")]
        for proc in procedures:
            method = proc.endpoint.method
            gets = method.idempotency_level is IdempotencyLevel.NO_SIDE_EFFECTS
            verbs = "GET, POST" if gets and method.stream_type is StreamType.UNARY else "POST"
            flavour = "async" if proc.endpoint.is_async else "sync"
            kind = _KINDS[method.stream_type.name]
            rows.append((proc.url, method.procedure.lstrip("/"), kind, verbs, flavour))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[-1]]))
