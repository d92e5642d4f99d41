"""The framework integrations the interop tests (``test_frameworks.py``) run other projects'
clients against, each as its own tests set it up.

A :class:`Framework` is one framework's app under one server (the same servers as the wire
suite's, from the session's :class:`~servers.integrations.ServerPool`) and what the tests may
expect of it beyond the echo service: the prefixes it mounts the service at, a response
header the app adds, an app that guards the service with a bearer token, a service at the
root. Tests select frameworks by these attributes, never by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from servers.integrations import ECHO_DJANGO_DUPLEX, ECHO_DJANGO_WSGI, ECHO_FLASK, ServerPool
from servers.run import FLASK_DEV, GUNICORN, HYPERCORN, UVICORN, RunningServer, ServerKind

FASTAPI_FEATURES = "servers.fastapi_features:app"
FLASK_FEATURES = "servers.flask_features:app"
TOKEN = "let-me-in"
"""A bearer token every guarded app lets in (FastAPI's test app wants exactly this one;
Flask's feature app takes any but ``no`` as the user's name)."""


@dataclass(frozen=True)
class Guard:
    """An app serving the echo service under ``/secure`` behind a bearer token: none is
    ``unauthenticated`` (``missing bearer token``), ``no`` is ``permission_denied``, and
    :data:`TOKEN` gets the call through."""

    app: str
    send: str
    """The message sent with the token."""
    reply: str
    """What the reply's message starts with."""


@dataclass(frozen=True)
class Framework:
    """One framework's app serving the echo service under one server."""

    id: str
    kind: ServerKind
    app: str
    header: tuple[str, str]
    """A response header (name, value) the app adds to every call."""
    prefixes: tuple[str, ...] = ("",)
    """The paths the echo service is mounted at (an async and a sync service for FastAPI)."""
    guard: Guard | None = None
    greet_at_root: bool = False
    """``greet.v1.GreetService`` is served too, at no prefix."""


_FASTAPI = Framework(
    "fastapi-uvicorn",
    UVICORN,
    FASTAPI_FEATURES,
    ("x-custom-middleware", "seen"),
    prefixes=("/rpc", "/sync"),
    guard=Guard(FASTAPI_FEATURES, send="ok", reply="ok"),
    greet_at_root=True,
)
_FLASK = Framework(
    "flask-gunicorn",
    GUNICORN,
    ECHO_FLASK,
    ("x-interceptor", "wsgi"),
    guard=Guard(FLASK_FEATURES, send="", reply=f"user={TOKEN} path=/secure/"),
)
_DJANGO = Framework("django-wsgi-gunicorn", GUNICORN, ECHO_DJANGO_WSGI, ("x-interceptor", "wsgi"))

FRAMEWORKS = [
    _FASTAPI,
    replace(_FASTAPI, id="fastapi-hypercorn-h2c", kind=HYPERCORN),
    _FLASK,
    replace(_FLASK, id="flask-dev", kind=FLASK_DEV),
    _DJANGO,
    replace(
        _DJANGO,
        id="django-duplex-hypercorn-h2c",
        kind=HYPERCORN,
        app=ECHO_DJANGO_DUPLEX,
        header=("x-interceptor", "asgi"),
    ),
]


@dataclass(frozen=True)
class Served:
    """A framework's server running, and the prefix a test calls the echo service at."""

    framework: Framework
    running: RunningServer
    prefix: str
    pool: ServerPool

    @property
    def url(self) -> str:
        """The echo service's base URL."""
        return self.running.url + self.prefix

    @property
    def http2(self) -> bool:
        """True when clients should talk HTTP/2 with prior knowledge (h2c)."""
        return self.running.http2

    def guarded(self) -> tuple[Guard, RunningServer]:
        """The framework's guard, its app running under the same server."""
        guard = self.framework.guard
        assert guard is not None, f"{self.framework.id} has no guarded app"
        return guard, self.pool.get(self.framework.kind, guard.app)


def framework_params(
    where: Callable[[Framework], bool] = lambda _: True, *, every_prefix: bool = False
) -> list[Any]:
    """One ``pytest.param`` per framework that ``where`` selects (per prefix of each with
    ``every_prefix``, else at its first prefix), for the ``served`` fixture."""
    return [
        pytest.param((f, p), id=f.id + p.replace("/", "-"))
        for f in FRAMEWORKS
        if where(f)
        for p in (f.prefixes if every_prefix else f.prefixes[:1])
    ]


def serve(param: tuple[Framework, str], pool: ServerPool) -> Served:
    """The framework of a :func:`framework_params` entry, its server running."""
    framework, prefix = param
    return Served(framework, pool.get(framework.kind, framework.app), prefix, pool)
