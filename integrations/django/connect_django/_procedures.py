"""The Connect procedures a project's URLconf serves, found by walking Django's resolver."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from connect_core.server import Endpoint

from ._urls import MOUNT_ATTRIBUTE, Mount
from ._views import ENDPOINT_ATTRIBUTE


@dataclass(frozen=True)
class MountedProcedure:
    """One procedure as the URLconf serves it."""

    url: str
    """Its URL path, from the root (``/rpc/greet.v1.GreetService/Greet``)."""
    endpoint: Endpoint
    """What serves it."""
    name: str | None
    """The URL pattern's name (``greet.v1.GreetService.Greet``; namespaced when included
    with one)."""


def _walk(patterns: Sequence[Any], prefix: str, namespace: str) -> Iterator[MountedProcedure]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            endpoint = getattr(p.callback, ENDPOINT_ATTRIBUTE, None)
            if isinstance(endpoint, Endpoint):
                name = f"{namespace}{p.name}" if p.name else None
                yield MountedProcedure("/" + prefix + str(p.pattern), endpoint, name)


def mounted_procedures(urlconf: str | None = None) -> list[MountedProcedure]:
    """Every Connect procedure the URLconf (default ``ROOT_URLCONF``) serves, in URL order."""
    return list(_walk(get_resolver(urlconf).url_patterns, "", ""))


def _callbacks(patterns: Sequence[Any]) -> Iterator[Any]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _callbacks(p.url_patterns)
        elif isinstance(p, URLPattern):
            yield p.callback


def mounts(urlconf: str | None = None) -> list[Mount]:
    """Every :func:`~connect_django.connect_urls` mount the URLconf serves, in URL order."""
    out: list[Mount] = []
    for callback in _callbacks(get_resolver(urlconf).url_patterns):
        mount = getattr(callback, MOUNT_ATTRIBUTE, None)
        if isinstance(mount, Mount) and all(mount is not m for m in out):
            out.append(mount)
    return out
