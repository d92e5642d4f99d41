"""Server options shared by every application and adapter, and the per-method endpoint table."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from google.protobuf.message import Message

from ._codec import DEFAULT_CODECS, Codec
from ._compression import Compression, default_compressions
from ._interceptor import check_interceptors, wrap_async, wrap_sync
from ._method import AnyServiceInfo, MethodInfo, StreamType
from ._protocol import ServerProtocol
from ._protocol_connect import ConnectServerProtocol

DEFAULT_READ_MAX_BYTES = 4 * 1024 * 1024
DEFAULT_COMPRESS_MIN_BYTES = 1024


class ServerOptions(TypedDict, total=False):
    """Options every Connect server application and framework adapter takes.

    Attributes:
        interceptors: Interceptors, outermost first.
        read_max_bytes: Largest request message accepted, on the wire and decompressed
            (default 4 MiB; 0 or less disables the limit).
        compressions: Compression algorithms offered (default gzip, plus br and zstd when
            their packages are installed). Pass ``()`` to disable compression.
        compress_min_bytes: Responses smaller than this are never compressed (default 1 KiB).
        codecs: Codecs served (default binary Protobuf and JSON).
        require_protocol_header: Refuse Connect requests without ``Connect-Protocol-Version``.
    """

    interceptors: Iterable[object]
    read_max_bytes: int
    compressions: Iterable[Compression]
    compress_min_bytes: int
    codecs: Iterable[Codec]
    require_protocol_header: bool


def build_protocol(options: ServerOptions) -> ConnectServerProtocol:
    """Build the protocol engine configured by ``options``."""
    compressions = options.get("compressions")
    return ConnectServerProtocol(
        tuple(options.get("codecs", DEFAULT_CODECS)),
        tuple(compressions) if compressions is not None else default_compressions(),
        compress_min_bytes=options.get("compress_min_bytes", DEFAULT_COMPRESS_MIN_BYTES),
        read_max_bytes=options.get("read_max_bytes", DEFAULT_READ_MAX_BYTES),
        require_protocol_header=options.get("require_protocol_header", False),
    )


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One servable procedure: its descriptor and its handler wrapped in the interceptors."""

    method: MethodInfo[Message, Message]
    call: Callable[..., Any]
    protocol: ServerProtocol
    read_max_bytes: int
    is_async: bool
    streaming: bool = False
    """True for every kind but unary: the request and response use the streaming format."""


def _defining_class(cls: type, name: str) -> type | None:
    return next((c for c in cls.__mro__ if name in vars(c)), None)


def _check_names(service: object, info: AnyServiceInfo) -> None:
    """Raise ``TypeError`` for a method the service meant to implement under another name
    (``Say`` or ``say_hello`` for ``say``), which would leave the generated default answering
    every call ``unimplemented``."""
    cls = type(service)
    expected = {m.python_name for m in info.methods}
    defaults = {}
    for m in info.methods:
        owner = _defining_class(cls, m.python_name)
        if owner is not None and getattr(owner, "_is_protocol", False):
            defaults[m.python_name.replace("_", "").lower()] = m
    if not defaults:
        return
    for c in cls.__mro__:
        if getattr(c, "_is_protocol", False) or c is object:
            continue
        for name, value in vars(c).items():
            if name.startswith("_") or name in expected or not callable(value):
                continue
            meant = defaults.get(name.replace("_", "").lower())
            if meant is not None:
                raise TypeError(
                    f"{cls.__name__}.{name}() looks meant for {meant.procedure}, whose handler "
                    f"is named {meant.python_name}(); rename it, or every call gets "
                    "unimplemented"
                )


def _check_handler(
    service: object, method: MethodInfo[Message, Message], is_async: bool
) -> Callable[..., Any]:
    handler = getattr(service, method.python_name, None)
    cls = type(service).__name__
    if handler is None or not callable(handler):
        raise TypeError(
            f"{cls} does not implement {method.python_name}() for {method.procedure}; "
            "add the method or subclass the generated service class"
        )
    coro = inspect.iscoroutinefunction(handler)
    agen = inspect.isasyncgenfunction(handler)
    kind = method.stream_type
    if is_async:
        if kind.server_streams and (coro or inspect.isgeneratorfunction(handler)):
            raise TypeError(
                f"{cls}.{method.python_name}() streams responses, so it must be an async "
                "generator (async def with yield), not a coroutine"
            )
        if not kind.server_streams and not coro:
            raise TypeError(
                f"{cls}.{method.python_name}() must be 'async def' in an async service; "
                "serve sync services with the WSGI application"
            )
    elif coro or agen:
        raise TypeError(
            f"{cls}.{method.python_name}() is async, but this application serves sync "
            "services; use the ASGI application for async services"
        )
    return handler  # type: ignore[no-any-return]


def build_endpoints(
    service: object,
    info: AnyServiceInfo,
    options: ServerOptions,
    *,
    is_async: bool,
    protocol: ServerProtocol | None = None,
) -> dict[str, Endpoint]:
    """Map each procedure path (``/pkg.Service/Method``) to its endpoint.

    Raises ``TypeError`` at once when the service misses a method or has one of the wrong
    kind, so a mistake shows at start-up rather than at the first request.
    """
    protocol = protocol or build_protocol(options)
    interceptors: Sequence[object] = tuple(options.get("interceptors", ()))
    check_interceptors(interceptors, is_async=is_async)
    wrap = wrap_async if is_async else wrap_sync
    read_max = options.get("read_max_bytes", DEFAULT_READ_MAX_BYTES)
    _check_names(service, info)
    out: dict[str, Endpoint] = {}
    for method in info.methods:
        handler = _check_handler(service, method, is_async)
        out[method.procedure] = Endpoint(
            method,
            wrap(handler, method.stream_type, interceptors),
            protocol,
            read_max,
            is_async,
            method.stream_type is not StreamType.UNARY,
        )
    return out
