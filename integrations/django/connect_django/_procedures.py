"""The Connect procedures a project's URLconf serves, found by walking Django's resolver."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from connect_core.server import Endpoint

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
