"""The CORS lists a browser needs to call Connect (and, later, gRPC-Web) across origins.

Framework-agnostic: feed them to whatever CORS middleware the application already runs
(Starlette's ``CORSMiddleware``, ``django-cors-headers``, ``flask-cors``). The framework
adapters ship presets built from them, e.g. ``connect_fastapi.cors_options()``.

* :data:`ALLOWED_METHODS` and :data:`ALLOWED_HEADERS` answer the preflight (``OPTIONS`` with
  ``Access-Control-Request-Method`` / ``-Headers``): Connect calls are ``POST`` (unary and
  streams) and ``GET`` (unary ``NO_SIDE_EFFECTS`` methods), with the protocol's own headers.
* :data:`EXPOSED_HEADERS` are the response headers a browser client must be allowed to read.

Headers and trailers your handlers set are not listed: add each name to the allowed list
(request headers the client sends, e.g. ``authorization``) or to the exposed list (response
headers). Connect sends the trailers of a unary call as headers named ``trailer-<name>``, and
CORS has no wildcard for a prefix, so every ``trailer-*`` header must be exposed by its full
name (``trailer-x-request-id``).
"""

from __future__ import annotations

from collections.abc import Iterable

ALLOWED_METHODS: tuple[str, ...] = ("GET", "POST")
"""HTTP methods of Connect calls: ``POST`` for every call, ``GET`` for side-effect-free unary."""

ALLOWED_HEADERS: tuple[str, ...] = (
    "content-type",
    "connect-protocol-version",
    "connect-timeout-ms",
    "connect-content-encoding",
    "connect-accept-encoding",
    "content-encoding",
    "accept-encoding",
    "x-user-agent",
    "grpc-timeout",
    "x-grpc-web",
)
"""Request headers of the Connect protocol (plus gRPC-Web's, for when it is served)."""

EXPOSED_HEADERS: tuple[str, ...] = (
    "content-encoding",
    "connect-content-encoding",
    "connect-accept-encoding",
    "grpc-status",
    "grpc-message",
    "grpc-status-details-bin",
)
"""Response headers of the protocols that browser clients read.

Unary trailers arrive as ``trailer-<name>`` headers; expose each one by its full name.
"""


def _merged(base: Iterable[str], extra: Iterable[str], *, upper: bool = False) -> list[str]:
    out: list[str] = []
    for name in (*base, *extra):
        name = name.upper() if upper else name.lower()
        if name not in out:
            out.append(name)
    return out


def allowed_methods(extra: Iterable[str] = ()) -> list[str]:
    """:data:`ALLOWED_METHODS` and ``extra``, upper-cased, each once, in order."""
    return _merged(ALLOWED_METHODS, extra, upper=True)


def allowed_headers(extra: Iterable[str] = ()) -> list[str]:
    """:data:`ALLOWED_HEADERS` and ``extra``, lower-cased, each once, in order."""
    return _merged(ALLOWED_HEADERS, extra)


def exposed_headers(extra: Iterable[str] = ()) -> list[str]:
    """:data:`EXPOSED_HEADERS` and ``extra``, lower-cased, each once, in order."""
    return _merged(EXPOSED_HEADERS, extra)


__all__ = [
    "ALLOWED_HEADERS",
    "ALLOWED_METHODS",
    "EXPOSED_HEADERS",
    "allowed_headers",
    "allowed_methods",
    "exposed_headers",
]
