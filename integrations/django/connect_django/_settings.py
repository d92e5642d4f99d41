"""The settings-driven form: ``CONNECT_SERVICES`` and ``CONNECT_INTERCEPTORS``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import URLPattern
from django.utils.module_loading import import_string

from ._urls import connect_urls, unloadable_entry


def _load(value: Any) -> Any:
    """A dotted path's object (a class is instantiated with no arguments), or ``value``."""
    if isinstance(value, str):
        value = import_string(value)
    if isinstance(value, type):
        value = value()
    return value


def settings_urlpatterns() -> list[URLPattern]:
    """The URL patterns of every service in ``CONNECT_SERVICES``."""
    shared = [_load(i) for i in getattr(settings, "CONNECT_INTERCEPTORS", ())]
    patterns: list[URLPattern] = []
    for entry in getattr(settings, "CONNECT_SERVICES", ()):
        options: dict[str, Any] = dict(entry) if isinstance(entry, dict) else {"service": entry}
        try:
            service = _load(options.pop("service"))
            options["interceptors"] = [
                *shared,
                *(_load(i) for i in options.get("interceptors", ())),
            ]
            if "decorators" in options:
                options["decorators"] = [_load(d) for d in options["decorators"]]
        except (ImportError, KeyError, TypeError) as e:
            patterns.extend(unloadable_entry(entry, f"{type(e).__name__}: {e}"))
            continue
        patterns.extend(connect_urls(service, **options))
    return patterns
