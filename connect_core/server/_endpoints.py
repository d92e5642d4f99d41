"""Building a service's endpoints once: its descriptor, flavour, options and checks."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from google.protobuf.message import Message
from typing_extensions import Unpack

from .._errors import ConnectError
from .._headers import Headers
from .._interceptor import check_interceptors, wrap_async, wrap_sync
from .._method import AnyServiceInfo, MethodInfo
from .._protocol.codec import DEFAULT_CODECS, Codec
from .._protocol.compression import Compression, default_compressions
from .._protocol.connect_server import ConnectServerProtocol
from .._protocol.server import HTTPError, ServerProtocol
from ._body import DrainPolicy
from ._call import Call, choose_protocol, procedure_of, refusal_for, start_call
from ._framework_errors import HTTPErrorInterceptor, HTTPErrorInterceptorSync, HTTPErrorTranslator
from ._outside import not_found_among
from ._replies import Refusal
from ._service_info import check_instance, find_service_info, is_async_service

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


def server_options(
    *,
    interceptors: Iterable[object] = (),
    read_max_bytes: int | None = None,
    compressions: Iterable[Compression] | None = None,
    compress_min_bytes: int | None = None,
    codecs: Iterable[Codec] | None = None,
    require_protocol_header: bool = False,
) -> ServerOptions:
    """:class:`ServerOptions` from keyword arguments, ``None`` standing for the default: for
    an adapter that spells the options out in its own signature (``ConnectRouter``,
    ``connect_urls``)."""
    options: ServerOptions = {"interceptors": tuple(interceptors)}
    if read_max_bytes is not None:
        options["read_max_bytes"] = read_max_bytes
    if compressions is not None:
        options["compressions"] = tuple(compressions)
    if compress_min_bytes is not None:
        options["compress_min_bytes"] = compress_min_bytes
    if codecs is not None:
        options["codecs"] = tuple(codecs)
    if require_protocol_header:
        options["require_protocol_header"] = True
    return options


def build_protocols(options: ServerOptions) -> tuple[ServerProtocol, ...]:
    """The server protocols configured by ``options``, in the order they claim requests
    (Connect, which answers whatever no other protocol claims, comes last)."""
    return (build_connect_protocol(options),)


_DEFAULT_PROTOCOLS: list[tuple[ServerProtocol, ...]] = []


def default_protocols() -> tuple[ServerProtocol, ...]:
    """The protocols with the default options: what renders an answer to a request no
    service claimed."""
    if not _DEFAULT_PROTOCOLS:
        _DEFAULT_PROTOCOLS.append(build_protocols({}))
    return _DEFAULT_PROTOCOLS[0]


def build_connect_protocol(options: ServerOptions) -> ConnectServerProtocol:
    """Build the Connect protocol engine configured by ``options``."""
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
    """One servable procedure: its descriptor, its handler wrapped in the interceptors, and
    the protocols that may serve it."""

    method: MethodInfo[Message, Message]
    call: Callable[..., Any]
    """The handler, wrapped in the interceptors: what the runners call."""
    protocols: tuple[ServerProtocol, ...]
    """The wire protocols served, in order: a request goes to the first that claims it."""
    read_max_bytes: int
    """The largest request message accepted (<= 0: no limit)."""
    is_async: bool
    """True for an async handler (run on the event loop), False for a sync one."""

    def start(
        self,
        http_method: str,
        headers: Headers,
        query_string: str = "",
        request: Any = None,
        *,
        http_trailers: bool = False,
    ) -> Call | Refusal:
        """Start a call from its request head: the :class:`Call`, or the complete
        :class:`Refusal` that answers it (wrong verb, content type, header, ...).

        ``request`` is the framework's request object, put on
        :attr:`RequestContext.request <connect_core.RequestContext.request>` for handlers.
        ``http_trailers`` says whether the server sends HTTP trailers and the adapter passes
        a reply's on (:func:`~connect_core.server.asgi_sends_trailers` tells for an ASGI
        scope): a protocol that needs them (gRPC) is refused readably where they would be
        lost.
        """
        return start_call(self, http_method, headers, query_string, request, http_trailers)

    @property
    def drain_policy(self) -> DrainPolicy:
        """How to drain a request body that a refusal of this procedure did not read."""
        return DrainPolicy.for_limit(self.read_max_bytes)

    def refuse(
        self,
        error: ConnectError,
        http_method: str,
        headers: Headers,
        extra_headers: Iterable[tuple[str, str]] = (),
    ) -> Refusal:
        """The refusal carrying ``error`` for a call that the framework stopped before it
        started (a dependency or a hook that raised), in the error format of the protocol and
        framing the request head asks for, with ``extra_headers`` as response headers."""
        protocol = choose_protocol(self.protocols, http_method, headers)
        extra = Headers(list(extra_headers)) or None
        try:
            setup = protocol.negotiate(self.method, http_method, headers, "")
        except (HTTPError, ConnectError):  # a bad head: answer in the method's own framing
            streams = protocol.streams_for(self.method)
            return refusal_for(protocol, None, streams, error, self.drain_policy, extra)
        return refusal_for(protocol, setup, setup.streams, error, self.drain_policy, extra)


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
    protocols: tuple[ServerProtocol, ...] | None = None,
) -> dict[str, Endpoint]:
    """Map each procedure path (``/pkg.Service/Method``) to its endpoint.

    Raises ``TypeError`` at once when the service misses a method or has one of the wrong
    kind, so a mistake shows at start-up rather than at the first request.
    """
    check_instance(service)
    protocols = protocols or build_protocols(options)
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
            protocols,
            read_max,
            is_async,
        )
    return out


class Service:
    """A service's endpoints, built once: what an adapter serves.

    Finds the service's descriptor from its generated base class (``XService`` or
    ``XServiceSync``) unless ``info`` is given, tells its flavour (async or sync handlers)
    from its methods unless ``is_async`` is given, and checks it at once: a missing or
    misnamed method, a handler of the wrong kind, an interceptor of the other flavour are a
    ``TypeError`` here, at start-up, not at the first call.

    ``http_errors`` is the adapter's translation of its framework's HTTP errors (FastAPI's
    ``HTTPException``, Flask's ``abort``, Django's ``PermissionDenied``): raised inside a
    handler, they become Connect errors in an innermost interceptor of the service's flavour,
    with the headers they carry, before any user interceptor sees them.
    """

    __slots__ = ("endpoints", "info", "is_async", "path")

    def __init__(
        self,
        service: object,
        info: AnyServiceInfo | None = None,
        *,
        is_async: bool | None = None,
        http_errors: HTTPErrorTranslator | None = None,
        **options: Unpack[ServerOptions],
    ) -> None:
        """Serve ``service`` (which implements ``info``) with ``options``."""
        self.info: AnyServiceInfo = info if info is not None else find_service_info(service)
        """The service's descriptor."""
        self.is_async: bool = (
            is_async if is_async is not None else is_async_service(service, self.info)
        )
        """True when the handlers run on the event loop, False for sync handlers."""
        self.path = f"/{self.info.name}/"
        """The path prefix of every procedure, e.g. ``/greet.v1.GreetService/``."""
        if http_errors is not None:
            innermost = (
                HTTPErrorInterceptor(http_errors)
                if self.is_async
                else HTTPErrorInterceptorSync(http_errors)
            )
            options = {**options, "interceptors": (*options.get("interceptors", ()), innermost)}
        self.endpoints: Mapping[str, Endpoint] = build_endpoints(
            service, self.info, options, is_async=self.is_async
        )
        """Each procedure path (``/pkg.Service/Method``) with its endpoint."""

    def endpoint(self, path: str) -> Endpoint | None:
        """The endpoint a request path names: exactly, or by its last two segments (so any
        mount prefix works)."""
        endpoints = self.endpoints
        return endpoints.get(path) or endpoints.get(procedure_of(path))

    def start(
        self,
        http_method: str,
        path: str,
        headers: Headers,
        query_string: str = "",
        request: Any = None,
        *,
        http_trailers: bool = False,
    ) -> Call | Refusal:
        """Start a call from its request head (see :meth:`Endpoint.start`); a path that
        names no procedure gets the 404 ``unimplemented`` refusal."""
        ep = self.endpoint(path)
        if ep is None:
            protocols = next(iter(self.endpoints.values())).protocols if self.endpoints else None
            return not_found_among(path, http_method, headers, protocols)
        return start_call(ep, http_method, headers, query_string, request, http_trailers)
