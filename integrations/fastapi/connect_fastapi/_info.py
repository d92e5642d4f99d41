"""Finding the :class:`~connect_core.ServiceInfo` of a service object, and its flavour."""

from __future__ import annotations

import inspect
import sys

from connect_core import AnyServiceInfo, ServiceInfo

# Bases that never come from generated code.
_SKIP_MODULES = frozenset({"builtins", "typing", "typing_extensions", "abc"})


def _infos_for(cls: type) -> list[AnyServiceInfo]:
    """The ``*_INFO`` descriptors in ``cls``'s module whose service is named like ``cls``."""
    module = sys.modules.get(cls.__module__)
    if module is None or cls.__module__ in _SKIP_MODULES:
        return []
    wanted = cls.__name__.removesuffix("Sync")
    found: list[AnyServiceInfo] = []
    for attr, value in vars(module).items():
        if (
            attr.endswith("_INFO")
            and isinstance(value, ServiceInfo)
            and value.name.rsplit(".", 1)[-1] == wanted
            and value not in found
        ):
            found.append(value)
    return found


def find_service_info(service: object) -> AnyServiceInfo:
    """Find the descriptor of the service ``service`` implements, from its class hierarchy.

    The generated module of a service ``pkg.GreetService`` defines the handler protocols
    ``GreetService`` and ``GreetServiceSync`` next to ``GREET_SERVICE_INFO``; a service class
    that subclasses either of them is found through its MRO.

    Raises:
        TypeError: when no base class leads to a descriptor, or when several do.
    """
    cls = type(service)
    found: list[tuple[AnyServiceInfo, type]] = []
    for base in cls.__mro__:
        for info in _infos_for(base):
            if all(info is not seen for seen, _ in found):
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
            "with its own ConnectRouter and pass info=X_SERVICE_INFO"
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
