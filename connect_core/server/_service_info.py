"""Finding the :class:`~connect_core.ServiceInfo` of a service object, and its flavour."""

from __future__ import annotations

import inspect

from .._method import SERVICE_INFO_ATTRIBUTE, AnyServiceInfo, ServiceInfo


def find_service_info(service: object) -> AnyServiceInfo:
    """The descriptor of the service ``service`` implements, named by its generated base class.

    The generated module of a service ``pkg.GreetService`` declares the handler classes
    ``GreetService`` and ``GreetServiceSync`` and names ``GREET_SERVICE_INFO`` on them; a
    service class that subclasses either is found through its MRO.

    Raises:
        TypeError: when ``service`` is a class rather than an instance, when no base class
            names a descriptor, or when several do.
    """
    check_instance(service)
    cls = type(service)
    found: list[tuple[AnyServiceInfo, type]] = []
    for base in cls.__mro__:
        info = vars(base).get(SERVICE_INFO_ATTRIBUTE)
        if isinstance(info, ServiceInfo) and all(info is not seen for seen, _ in found):
            found.append((info, base))
    if not found:
        raise TypeError(
            f"cannot tell which Connect service {cls.__qualname__} implements: none of its "
            "base classes is a generated service class (XService or XServiceSync from an "
            "*_connect.py module); subclass one, or pass info=X_SERVICE_INFO"
        )
    if len(found) > 1:
        names = ", ".join(f"{info.name} (via {base.__qualname__})" for info, base in found)
        raise TypeError(
            f"{cls.__qualname__} implements several Connect services: {names}; serve each "
            "on its own and pass info=X_SERVICE_INFO"
        )
    return found[0][0]


def check_instance(service: object) -> None:
    """Refuse a service class given where a service object belongs (``ConnectRouter(Chat)``
    for ``ConnectRouter(Chat())``).

    Raises:
        TypeError: naming the class and the call to make instead.
    """
    if isinstance(service, type):
        name = service.__qualname__
        infos = [
            vars(c)[SERVICE_INFO_ATTRIBUTE]
            for c in service.__mro__
            if SERVICE_INFO_ATTRIBUTE in vars(c)
        ]
        app = infos[0].name.rsplit(".", 1)[-1] if infos else "XService"
        raise TypeError(
            f"got the class {name} where a service object belongs: pass an instance, "
            f"{name}() (e.g. ConnectRouter({name}()), {app}ASGIApplication({name}()))"
        )


def _is_generated(cls: type) -> bool:
    """True for a generated handler class (``XService``, ``XServiceSync``): their methods are
    the defaults that answer ``unimplemented``, not the user's handlers."""
    return SERVICE_INFO_ATTRIBUTE in vars(cls) or bool(getattr(cls, "_is_protocol", False))


def _written_by_user(cls: type, name: str) -> bool:
    owner = next((c for c in cls.__mro__ if name in vars(c)), None)
    return owner is not None and not _is_generated(owner)


def is_async_service(service: object, info: AnyServiceInfo) -> bool:
    """True when ``service`` has async handlers (run on the event loop), False for sync ones.

    A service is async as soon as one of its handlers is ``async def`` (a coroutine or an
    async generator): the generated ``XService`` declares unary and client-streaming methods
    that way. A service with only plain functions and generators is sync (``XServiceSync``).

    Raises:
        TypeError: when async handlers are mixed with sync ones. The message names the
            methods the service's own classes define (not the generated defaults it
            inherits) and the generated class to subclass.
    """
    check_instance(service)
    cls = type(service)
    async_names: list[str] = []
    own_async: list[str] = []
    own_sync: list[str] = []
    for method in info.methods:
        name = method.python_name
        handler = getattr(service, name, None)
        if handler is None:
            continue
        own = _written_by_user(cls, name)
        if inspect.iscoroutinefunction(handler) or inspect.isasyncgenfunction(handler):
            async_names.append(name)
            if own:
                own_async.append(name)
        elif own and (
            inspect.isgeneratorfunction(handler) or not method.stream_type.server_streams
        ):
            # A plain function may also return an async iterator for a server stream (the
            # generated XService's defaults do), so only a unary or client-streaming one is
            # surely sync.
            own_sync.append(name)
    service_name = info.name.rsplit(".", 1)[-1]
    if own_async and own_sync:
        raise TypeError(
            f"{cls.__qualname__} mixes async handlers ({', '.join(own_async)}) with sync "
            f"ones ({', '.join(own_sync)}); a service is either async (subclass "
            f"{service_name}: async def, async generators for server streams) or sync "
            f"(subclass {service_name}Sync: def, generators)"
        )
    if own_sync and not own_async and async_names:
        # Sync handlers on the async generated class: its remaining defaults are async.
        raise TypeError(
            f"{cls.__qualname__} defines sync handlers ({', '.join(own_sync)}) but subclasses "
            f"the async {service_name}; subclass {service_name}Sync for sync handlers, or "
            "make them async def (async generators for server streams)"
        )
    return bool(async_names)
