"""System checks (``manage.py check``): a misconfigured Connect service is reported with an id.

==========================  ===============================================================
``connect_django.E001``     a service given to ``connect_urls`` cannot be served (a misnamed
                            method, a handler of the wrong kind, interceptors of the other
                            flavour)
``connect_django.E002``     a ``CONNECT_SERVICES`` entry cannot be loaded
``connect_django.E003``     a procedure is mounted twice at the same URL
``connect_django.E004``     an async service in a WSGI-only deployment
                            (``CONNECT_INTERFACE = "wsgi"``)
``connect_django.E005``     a sync service (``XServiceSync``) whose handlers are coroutines
``connect_django.E006``     ``CONNECT_INTERFACE`` is neither ``"asgi"`` nor ``"wsgi"``
``connect_django.W001``     a service leaves a method to the generated default (every call
                            answers ``unimplemented``)
``connect_django.W002``     ``ATOMIC_REQUESTS`` with an async service (its handlers run
                            outside any request transaction, as Django's async views do)
==========================  ===============================================================
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import connections

from connect_core import StreamType

from ._procedures import mounted_procedures, mounts
from ._urls import Mount


def _defining_class(cls: type, name: str) -> type | None:
    return next((c for c in cls.__mro__ if name in vars(c)), None)


def _unimplemented(mount: Mount) -> list[str]:
    """The methods left to the generated default (a class of the generated module)."""
    assert mount.info is not None
    cls = type(mount.service)
    missing = []
    for m in mount.info.methods:
        owner = _defining_class(cls, m.python_name)
        if owner is None or getattr(owner, "_is_protocol", False):
            missing.append(m.python_name)
    return missing


def _declared_sync(mount: Mount) -> bool:
    """True when the service subclasses the generated sync class (``XServiceSync``): its
    unary and client-stream methods are plain functions there."""
    assert mount.info is not None
    cls = type(mount.service)
    for m in mount.info.methods:
        if m.stream_type in (StreamType.UNARY, StreamType.CLIENT_STREAM):
            for base in cls.__mro__:
                if getattr(base, "_is_protocol", False) and m.python_name in vars(base):
                    return not inspect.iscoroutinefunction(vars(base)[m.python_name])
    return False


def _async_handlers(mount: Mount) -> list[str]:
    assert mount.info is not None
    names = []
    for m in mount.info.methods:
        handler = getattr(mount.service, m.python_name, None)
        if inspect.iscoroutinefunction(handler) or inspect.isasyncgenfunction(handler):
            names.append(m.python_name)
    return names


def _service_name(mount: Mount) -> str:
    return type(mount.service).__qualname__


def _service_class(mount: Mount) -> str:
    """The service's class by its dotted path: what the check's report names it by (the
    instance itself would show as ``<module.Class object at 0x...>``)."""
    cls = type(mount.service)
    return f"{cls.__module__}.{cls.__qualname__}"


@checks.register(checks.Tags.urls)
def check_connect_services(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[Any]:
    """Check every Connect service the URLconf mounts (see the module for the ids)."""
    mounted = mounted_procedures()  # loads the URLconf, which makes the mounts
    errors: list[Any] = []
    interface = getattr(settings, "CONNECT_INTERFACE", None)
    if interface not in (None, "asgi", "wsgi"):
        errors.append(
            checks.Error(
                f"CONNECT_INTERFACE is {interface!r}",
                hint='Set it to "asgi" or "wsgi" (how the project is deployed), or remove it.',
                id="connect_django.E006",
            )
        )
    atomic = [a for a, conf in connections.settings.items() if conf.get("ATOMIC_REQUESTS")]
    for mount in mounts():
        if mount.setting is not None:
            errors.append(
                checks.Error(
                    f"CONNECT_SERVICES entry {mount.setting!r} cannot be loaded: {mount.error}",
                    hint="Give a dotted path to a service class or instance, or a dict with "
                    "'service' and connect_urls() options.",
                    id="connect_django.E002",
                )
            )
            continue
        name = _service_name(mount)
        if mount.error is not None:
            errors.append(
                checks.Error(
                    f"{name} cannot be served: {mount.error}",
                    hint="Fix the service; until then the site refuses to serve "
                    "(ImproperlyConfigured from its first request on).",
                    obj=_service_class(mount),
                    id="connect_django.E001",
                )
            )
            continue
        missing = _unimplemented(mount)
        if missing:
            errors.append(
                checks.Warning(
                    f"{name} does not implement {', '.join(missing)}: every call to "
                    f"{'it' if len(missing) == 1 else 'them'} answers 'unimplemented'",
                    hint="Implement the methods, or ignore this warning with "
                    "SILENCED_SYSTEM_CHECKS if that is meant.",
                    obj=_service_class(mount),
                    id="connect_django.W001",
                )
            )
        async_names = _async_handlers(mount)
        if async_names and _declared_sync(mount):
            errors.append(
                checks.Error(
                    f"{name} subclasses the generated sync service class, but "
                    f"{', '.join(async_names)} {'is' if len(async_names) == 1 else 'are'} "
                    "async",
                    hint="Subclass the async class (XService, not XServiceSync) or make "
                    "the handlers plain functions.",
                    obj=_service_class(mount),
                    id="connect_django.E005",
                )
            )
        if mount.is_async and interface == "wsgi":
            errors.append(
                checks.Error(
                    f"{name} has async handlers, and CONNECT_INTERFACE says the project is "
                    "deployed under WSGI, where every call would start its own event loop "
                    "and server streams would be buffered whole",
                    hint="Serve the project under ASGI (uvicorn, daphne, hypercorn with "
                    "connect_django.asgi.get_asgi_application), or use a sync service "
                    "(subclass XServiceSync).",
                    obj=_service_class(mount),
                    id="connect_django.E004",
                )
            )
        if mount.is_async and atomic:
            errors.append(
                checks.Warning(
                    f"ATOMIC_REQUESTS is set for {', '.join(atomic)}, but {name} has async "
                    "handlers, which run outside any request transaction",
                    hint="Use transaction.atomic in sync code the handlers call through "
                    "sync_to_async, or a sync service.",
                    obj=_service_class(mount),
                    id="connect_django.W002",
                )
            )
    counts = Counter(proc.url for proc in mounted)
    for url, count in counts.items():
        if count > 1:
            errors.append(
                checks.Error(
                    f"{url} is mounted {count} times; only the first pattern answers",
                    hint="Include each service's connect_urls() once per prefix.",
                    id="connect_django.E003",
                )
            )
    return _unique(errors)


def _unique(errors: list[Any]) -> list[Any]:
    out: list[Any] = []
    for e in errors:
        if e not in out:
            out.append(e)
    return out
