"""``ConnectRouter``: a FastAPI ``APIRouter`` serving every procedure of one Connect service."""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, params
from fastapi import routing as fastapi_routing
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from google.protobuf.message import Message
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from connect_core import (
    AnyServiceInfo,
    Codec,
    Compression,
    IdempotencyLevel,
    MethodInfo,
    StreamType,
)
from connect_core.server import Service, server_options

from ._checks import check_routes
from ._errors import http_error_headers, http_error_to_connect_error, translate_http_error
from ._openapi import ConnectError as ConnectErrorModel
from ._openapi import schema_type
from ._serve import ConnectCall, UnknownProcedure

_CALL = "__connect_call__"
_SERVICE = "__connect_service__"
_KNOWN = "__connect_methods__"
_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
_DIRECT = "_connect_direct"
_BODY_LIMIT = "starlette.max_body_size"  # set in the scope where a body size limit applies

Handler = Callable[[Request], Awaitable[Response]]


def _effective_dependant(route: APIRoute) -> Any:
    """The dependant FastAPI solves for ``route`` where it is served, or None when unknown.

    A route of an included router also runs the dependencies of every enclosing router and of
    the app. FastAPI versions that copy routes on ``include_router`` put them on the copy's
    ``dependant``; newer ones build an include context per inclusion and hand it to
    ``get_route_handler`` through a context variable. When neither shape is recognised the
    answer is "unknown", and the route keeps FastAPI's full request handler.
    """
    var = getattr(fastapi_routing, "_effective_route_context_var", None)
    if var is None:
        if hasattr(fastapi_routing, "_IncludedRouter"):
            return None
        return route.dependant
    context = var.get()
    if context is None:
        return route.dependant
    if getattr(context, "original_route", None) is route:
        return getattr(context, "dependant", None)
    return None


class ConnectRoute(APIRoute):
    """The ``APIRoute`` of one Connect procedure (created by :class:`ConnectRouter`).

    With no FastAPI dependency in effect, the route handler is the Connect call itself: no
    dependency solving, no parameter parsing. With dependencies, FastAPI's own request handler
    runs them first, and an ``HTTPException`` (or a validation error) one of them raises is
    answered as the matching Connect error, with the exception's headers.
    """

    @property
    def connect_service(self) -> str | None:
        """The fully-qualified name of the service this route belongs to."""
        return getattr(self.endpoint, _SERVICE, None)

    def get_route_handler(self) -> Callable[[Request], Any]:
        """The request handler FastAPI wraps into this route's ASGI app."""
        call: ConnectCall | UnknownProcedure | None = getattr(self.endpoint, _CALL, None)
        if call is None:
            return super().get_route_handler()
        dependant = _effective_dependant(self)
        if dependant is not None and not dependant.dependencies:
            self._note_direct(call)
            return call
        fastapi_handler = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await fastapi_handler(request)
            except (HTTPException, RequestValidationError) as e:
                error = http_error_to_connect_error(e)
                assert error is not None
                return call.error_response(request, error, http_error_headers(e))

        return handler

    def _note_direct(self, call: ConnectCall | UnknownProcedure) -> None:
        """Record that where this route is being built, no FastAPI request handling applies.

        The route is then served straight from :meth:`handle`, skipping FastAPI's
        ``request_response`` wrapper (request object, exit stacks, exception wrapping), which
        has nothing to do without dependencies and costs as much as the Connect call itself.
        Where a body size limit applies (FastAPI's ``max_body_size`` on the route, the include
        or the app), requests keep the full path: it turns the limit into a Connect error.
        """
        if not isinstance(call, ConnectCall):
            return
        context = _building_context()
        target = self if context is None else context
        if getattr(target, "max_body_size", None) is not None:
            return
        direct: dict[int, tuple[object, ConnectCall]] = self.__dict__.setdefault(_DIRECT, {})
        direct[id(context)] = (context, call)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a request this route matched."""
        direct: dict[int, tuple[object, ConnectCall]] | None = self.__dict__.get(_DIRECT)
        if direct and scope["method"] in (self.methods or ()) and _BODY_LIMIT not in scope:
            context = _serving_context(scope)
            entry = direct.get(id(context))
            if entry is not None and entry[0] is context:
                await entry[1].serve(scope, receive, send)
                return
        await super().handle(scope, receive, send)


def _building_context() -> object | None:
    """The include context FastAPI is building a route handler for (None: the route itself)."""
    var = getattr(fastapi_routing, "_effective_route_context_var", None)
    return None if var is None else var.get()


_scope_context: Callable[[Scope], object | None] | None = getattr(
    fastapi_routing, "_get_scope_effective_route_context", None
)


def _serving_context(scope: Scope) -> object | None:
    """The include context FastAPI selected for the request (None: the route itself)."""
    return None if _scope_context is None else _scope_context(scope)


class _UnknownProcedureRoute(ConnectRoute):
    """Answers ``/pkg.Service/<anything else>`` with Connect's 404 ``unimplemented``."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Match only names that are not procedures of the service (those get 405 there)."""
        match, child = super().matches(scope)
        if match is not Match.NONE:
            name = child.get("path_params", {}).get("method")
            if name in getattr(self.endpoint, _KNOWN, ()):
                return Match.NONE, {}
        return match, child


class OpenAPIRoute(APIRoute):
    """Describes a unary procedure in the OpenAPI document; never answers a request.

    It carries the JSON request body and response schemas of the method (and the same
    dependencies as the serving :class:`ConnectRoute`, so security schemes show up), while
    every request goes to the serving route, which sits at the same path.
    """

    connect_openapi_only = True

    @property
    def connect_service(self) -> str | None:
        """The fully-qualified name of the service this route documents."""
        return getattr(self.endpoint, _SERVICE, None)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Never match: the serving route answers."""
        return Match.NONE, {}


def _serving_endpoint(call: ConnectCall | UnknownProcedure, name: str, service: str) -> Handler:
    async def endpoint(request: Request) -> Response:
        return await call(request)

    endpoint.__name__ = endpoint.__qualname__ = name
    setattr(endpoint, _CALL, call)
    setattr(endpoint, _SERVICE, service)
    return endpoint


def _openapi_endpoint(
    method: MethodInfo[Message, Message], service: str, protocol_header: bool
) -> Callable[..., None]:
    def endpoint(**_: Any) -> None:  # pragma: no cover - never called (never matches)
        raise RuntimeError("OpenAPI stand-in route called")

    body = inspect.Parameter(
        "body",
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[schema_type(method.input), Body(media_type="application/json")],
    )
    parameters = [body]
    if protocol_header:
        parameters.append(
            inspect.Parameter(
                "connect_protocol_version",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[str, Header(alias="connect-protocol-version")],
                default="1",
            )
        )
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = endpoint.__qualname__ = method.python_name
    setattr(endpoint, _SERVICE, service)
    return endpoint


def _description(method: MethodInfo[Message, Message]) -> str:
    text = (
        f"Connect unary RPC `{method.procedure}`.\n\n"
        f"The bodies are the proto3 JSON form of `{method.input.DESCRIPTOR.full_name}` and "
        f"`{method.output.DESCRIPTOR.full_name}`; Connect clients may also send "
        "`application/proto` (binary). A failed call answers with a Connect error body and the "
        "HTTP status of its code."
    )
    if method.idempotency_level is IdempotencyLevel.NO_SIDE_EFFECTS:
        text += (
            "\n\nSide-effect free: also callable with `GET` on the same path, the request in "
            "the query: `?encoding=json&message=<url-encoded JSON>`."
        )
    return text


def _operation_id(route: APIRoute) -> str:
    return re.sub(r"\W", "_", route.path_format.strip("/"))


def _checking_lifespan(inner: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Wrap a lifespan so that the app's routes are checked before it starts."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        check_routes(app.routes)
        async with inner(app) as state:
            yield state

    return lifespan


class ConnectRouter(APIRouter):
    """A FastAPI router serving every procedure of one Connect service.

    Example::

        from connect_fastapi import ConnectRouter

        app = FastAPI()
        app.include_router(ConnectRouter(Greeter(), interceptors=[...]), prefix="/rpc")

    Each procedure ``/greet.v1.GreetService/Greet`` becomes a :class:`ConnectRoute` (a real
    ``APIRoute``) answering ``POST``, and ``GET`` too for ``NO_SIDE_EFFECTS`` methods: all four
    RPC kinds, both codecs, every configured compression, errors with details, headers and
    trailers, deadlines and message size limits, through the same engine as the generated
    ASGI application. Other verbs get 405 with ``Allow``, and other names under
    ``/greet.v1.GreetService/`` 404 ``unimplemented``, in Connect's format rather than
    FastAPI's. (Paths outside every ``ConnectRouter`` are the app's: see
    :func:`connect_exception_handler`.)

    Async services (subclasses of the generated ``XService``) run on the event loop; sync
    services (``XServiceSync``) run in Starlette's threadpool, one step at a time.

    FastAPI features reach the handlers: dependencies of the router, of ``include_router`` and
    of the app run before each call, and an ``HTTPException`` they raise is answered as the
    Connect error of its status (401 ``unauthenticated``, 403 ``permission_denied``, ...; see
    :data:`connect_core.server.HTTP_STATUS_CODES`), with its headers; so is an
    ``HTTPException`` a handler raises, for every stream kind. ``ctx.request`` is the
    Starlette ``Request`` (``ctx.request.state``, ``ctx.request.app.state``), and middleware
    wraps Connect routes like any other.

    OpenAPI: unary methods are documented as JSON ``POST`` operations whose request and
    response schemas follow the proto3 JSON mapping, so ``/docs`` can try them out. Streaming
    methods are left out of the document (they need a Connect client: their bodies are
    enveloped message streams). Pass ``include_in_schema=False`` to leave the service out.

    Mistakes show at start-up: a service that misses a method (or has one of the wrong kind)
    fails here, and an app that serves the same procedure path twice (the router included
    twice at one prefix, or colliding with another route) fails when its lifespan starts.
    """

    def __init__(
        self,
        service: object,
        *,
        info: AnyServiceInfo | None = None,
        interceptors: Iterable[object] = (),
        read_max_bytes: int | None = None,
        compressions: Iterable[Compression] | None = None,
        compress_min_bytes: int | None = None,
        codecs: Iterable[Codec] | None = None,
        require_protocol_header: bool = False,
        prefix: str = "",
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        include_in_schema: bool = True,
        **router_options: Any,
    ) -> None:
        """Serve ``service``.

        Args:
            service: The handlers: an instance of a subclass of the generated ``XService``
                (async) or ``XServiceSync`` (sync), or any object with the methods.
            info: The service descriptor (``X_SERVICE_INFO`` from the generated module); found
                from the service's base classes when omitted.
            interceptors: Server interceptors, outermost first (async ones for an async
                service, sync ones for a sync service).
            read_max_bytes: Largest request message accepted (default 4 MiB; <= 0: no limit).
            compressions: Compressions offered (default gzip, br and zstd when installed).
            compress_min_bytes: Smallest response message worth compressing (default 1 KiB).
            codecs: Codecs served (default binary Protobuf and JSON).
            require_protocol_header: Refuse Connect requests without
                ``Connect-Protocol-Version`` (then ``/docs`` sends it).
            prefix: A path prefix of the router (``include_router`` can add another).
            tags: OpenAPI tags (default: the service's fully-qualified name).
            dependencies: FastAPI dependencies run before every call.
            include_in_schema: Document the unary methods in OpenAPI.
            **router_options: Any other ``APIRouter`` argument (``responses=``,
                ``deprecated=``, ``lifespan=``, ``generate_unique_id_function=``, ...).

        Raises:
            TypeError: when the service cannot be matched to a descriptor, misses a method,
                has one of the wrong kind, or mixes async and sync handlers.
        """
        options = server_options(
            interceptors=interceptors,
            read_max_bytes=read_max_bytes,
            compressions=compressions,
            compress_min_bytes=compress_min_bytes,
            codecs=codecs,
            require_protocol_header=require_protocol_header,
        )
        served = Service(service, info, http_errors=translate_http_error, **options)
        info = served.info
        is_async = served.is_async
        endpoints = served.endpoints
        custom_ids = "generate_unique_id_function" in router_options
        super().__init__(
            prefix=prefix,
            tags=tags if tags is not None else [info.name],
            dependencies=dependencies,
            include_in_schema=include_in_schema,
            **router_options,
        )
        self.lifespan_context = _checking_lifespan(self.lifespan_context)
        self.service = service
        """The object whose methods handle the calls."""
        self.info = info
        """The descriptor of the service."""
        self.is_async = is_async
        """True when the handlers run on the event loop, False when in the threadpool."""
        id_options: dict[str, Any] = (
            {} if custom_ids else {"generate_unique_id_function": _operation_id}
        )
        for method in info.methods:
            call = ConnectCall(endpoints[method.procedure])
            self.add_api_route(
                method.procedure,
                _serving_endpoint(call, method.python_name, info.name),
                # Every verb reaches the route, so that the protocol answers a wrong one (405
                # with ``Allow``) in its own format rather than FastAPI's JSON.
                methods=_ALL_METHODS,
                name=f"{info.name}.{method.name}",
                include_in_schema=False,
                route_class_override=ConnectRoute,
            )
            if method.stream_type is StreamType.UNARY:
                self.add_api_route(
                    method.procedure,
                    _openapi_endpoint(method, info.name, require_protocol_header),
                    methods=["POST"],
                    name=f"{info.name}.{method.name}.openapi",
                    summary=method.name,
                    description=_description(method),
                    response_model=schema_type(method.output),
                    response_description=f"The {method.output.DESCRIPTOR.full_name} reply.",
                    responses={
                        "default": {
                            "model": ConnectErrorModel,
                            "description": "A Connect error (HTTP status from its code).",
                        }
                    },
                    include_in_schema=True,
                    route_class_override=OpenAPIRoute,
                    **id_options,
                )
        unknown = _serving_endpoint(UnknownProcedure(), "unknown_procedure", info.name)
        setattr(unknown, _KNOWN, frozenset(m.name for m in info.methods))
        self.add_api_route(
            f"/{info.name}/{{method}}",
            unknown,
            methods=_ALL_METHODS,
            name=f"{info.name}.unknown",
            include_in_schema=False,
            route_class_override=_UnknownProcedureRoute,
        )

    def __repr__(self) -> str:
        return f"ConnectRouter({self.info.name}, prefix={self.prefix!r})"
