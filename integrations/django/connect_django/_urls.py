"""``connect_urls``: one Django URL pattern per procedure of a Connect service."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, path, re_path

from connect_core import AnyServiceInfo, Codec, Compression
from connect_core.server import Service, find_service_info, is_async_service, server_options

from ._atomic import AtomicRequests
from ._errors import translate_http_error
from ._views import View, procedure_view, unknown_procedure_view

logger = logging.getLogger("connect_django")
MOUNT_ATTRIBUTE = "connect_mount"
"""The attribute naming the :class:`Mount` a view belongs to."""


@dataclass
class Mount:
    """One ``connect_urls`` call: the service it serves, or why it could not be built.

    Every view of a mount names it (its ``connect_mount`` attribute), so that the system
    checks find the mounts the URLconf serves.
    """

    service: object
    """The handlers object."""
    info: AnyServiceInfo | None
    """The service's descriptor (None when it could not be found)."""
    is_async: bool | None
    """Whether the handlers are async (None when the service could not be built)."""
    error: str | None = None
    """Why the service could not be served (reported by check ``connect_django.E001``)."""
    setting: object = None
    """The ``CONNECT_SERVICES`` entry that could not be loaded (check
    ``connect_django.E002``), if that is what failed."""
    patterns: list[URLPattern] = field(default_factory=list)


def connect_urls(
    service: object,
    *,
    info: AnyServiceInfo | None = None,
    interceptors: Iterable[object] = (),
    read_max_bytes: int | None = None,
    compressions: Iterable[Compression] | None = None,
    compress_min_bytes: int | None = None,
    codecs: Iterable[Codec] | None = None,
    require_protocol_header: bool = False,
    decorators: Sequence[Callable[[View], View]] = (),
) -> list[URLPattern]:
    """The URL patterns serving every procedure of ``service``, for ``include()``.

    Example::

        urlpatterns = [path("rpc/", include(connect_urls(Greeter(), interceptors=[...])))]

    Each procedure ``greet.v1.GreetService/Greet`` is one pattern (routed by Django's
    resolver, named ``greet.v1.GreetService.Greet``); other names under the service's path
    answer 404 ``unimplemented``. Views are CSRF-exempt, and ``ctx.request`` is the Django
    ``HttpRequest`` (``ctx.request.user`` with ``AuthenticationMiddleware``; in async
    handlers, ``await ctx.request.auser()``).

    Args:
        service: The handlers: an instance of a subclass of the generated ``XService``
            (async) or ``XServiceSync`` (sync).
        info: The service descriptor (``X_SERVICE_INFO`` from the generated module); found
            from the service's base classes when omitted.
        interceptors: Server interceptors, outermost first, of the service's flavour.
        read_max_bytes: Largest request message accepted (default 4 MiB; <= 0: no limit).
        compressions: Compressions offered (default gzip, br and zstd when installed).
        compress_min_bytes: Smallest response message worth compressing (default 1 KiB).
        codecs: Codecs served (default binary Protobuf and JSON).
        require_protocol_header: Refuse Connect requests without ``Connect-Protocol-Version``.
        decorators: View decorators applied to every procedure's view, innermost first
            (async-capable ones for an async service); a ``PermissionDenied`` or ``Http404``
            they raise is answered as its Connect error.

    A service that cannot be served (a misnamed method, a handler of the wrong kind,
    interceptors of the other flavour) is reported by ``manage.py check``
    (``connect_django.E001``), and the site refuses to serve with ``ImproperlyConfigured``
    from its first request on (or from the ASGI lifespan's start-up under
    :mod:`connect_django.asgi`), as for a broken URLconf, until it is fixed.
    """
    options = server_options(
        read_max_bytes=read_max_bytes,
        compressions=compressions,
        compress_min_bytes=compress_min_bytes,
        codecs=codecs,
        require_protocol_header=require_protocol_header,
    )
    user_interceptors = tuple(interceptors)
    try:
        if info is None:
            info = find_service_info(service)
        is_async = is_async_service(service, info)
        options["interceptors"] = (
            user_interceptors if is_async else (*user_interceptors, AtomicRequests())
        )
        served = Service(
            service, info, is_async=is_async, http_errors=translate_http_error, **options
        )
    except TypeError as e:
        logger.error("connect_django cannot serve %s: %s", type(service).__qualname__, e)
        mount = Mount(service, info, None, error=str(e))
        mount.patterns = _broken_patterns(mount)
        for pattern in mount.patterns:
            setattr(pattern.callback, MOUNT_ATTRIBUTE, mount)
        return list(mount.patterns)
    mount = Mount(service, info, served.is_async)
    for method in info.methods:
        endpoint = served.endpoints[method.procedure]
        name = f"{info.name}.{method.name}"
        route = f"{info.name}/{method.name}"
        mount.patterns.append(path(route, procedure_view(endpoint, name, decorators), name=name))
    unknown = unknown_procedure_view(served.is_async, f"{info.name}.unknown", decorators)
    mount.patterns.append(path(f"{info.name}/<str:name>", unknown))
    for pattern in mount.patterns:
        setattr(pattern.callback, MOUNT_ATTRIBUTE, mount)
    return list(mount.patterns)


def _broken_patterns(mount: Mount) -> list[URLPattern]:
    """Patterns answering ``internal`` for a service that could not be built (reached only
    when its check is silenced: the site refuses to serve otherwise)."""
    from django.http import HttpRequest, HttpResponse
    from django.views.decorators.csrf import csrf_exempt

    from connect_core import Code, ConnectError
    from connect_core.server import outside_refusal

    from ._responses import reply_response

    error = ConnectError(Code.INTERNAL, "this service is misconfigured; see manage.py check")

    def broken(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        head = request.method or "GET", request.headers
        return reply_response(outside_refusal(error, http_method=head[0], request_headers=head[1]))

    prefix = mount.info.name if mount.info is not None else type(mount.service).__qualname__
    return [path(f"{prefix}/<str:name>", csrf_exempt(broken))]


def unloadable_entry(entry: object, error: str) -> list[URLPattern]:
    """A pattern that records a ``CONNECT_SERVICES`` entry that could not be loaded, so that
    ``manage.py check`` reports it (``connect_django.E002``)."""
    from django.http import HttpRequest, HttpResponse

    def unloadable(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponse(status=404)

    mount = Mount(None, None, None, error=error, setting=entry)
    setattr(unloadable, MOUNT_ATTRIBUTE, mount)
    return [re_path(r"(?!)", unloadable)]  # a regex that matches no path
