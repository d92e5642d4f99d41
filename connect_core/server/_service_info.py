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
        TypeError: when no base class names a descriptor, or when several do.
    """
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


def is_async_service(service: object, info: AnyServiceInfo) -> bool:
    """True when ``service`` has async handlers (run on the event loop), False for sync ones.

    A service is async as soon as one of its handlers is ``async def`` (a coroutine or an
    async generator): the generated ``XService`` declares unary and client-streaming methods
    that way. A service with only plain functions and generators is sync (``XServiceSync``).

    Raises:
        TypeError: when async handlers are mixed with sync generators.
    """
    async_names: list[str] = []
    sync_generators: list[str] = []
    for method in info.methods:
        handler = getattr(service, method.python_name, None)
        if handler is None:
            continue
        if inspect.iscoroutinefunction(handler) or inspect.isasyncgenfunction(handler):
            async_names.append(method.python_name)
        elif inspect.isgeneratorfunction(handler):
            sync_generators.append(method.python_name)
    if async_names and sync_generators:
        raise TypeError(
            f"{type(service).__qualname__} mixes async handlers ({', '.join(async_names)}) "
            f"with sync generators ({', '.join(sync_generators)}); a service is either async "
            "(subclass XService: async def everywhere) or sync (subclass XServiceSync)"
        )
    return bool(async_names)
