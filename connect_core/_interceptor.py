"""Interceptor protocols (async and sync) and how a chain of them wraps a handler."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

from ._context import RequestContext
from ._method import StreamType

REQ = TypeVar("REQ")
RES = TypeVar("RES")
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


@runtime_checkable
class UnaryInterceptor(Protocol):
    """Wraps unary calls (async)."""

    async def intercept_unary(
        self,
        call_next: Callable[[Any, RequestContext], Awaitable[Any]],
        request: Any,
        ctx: RequestContext,
    ) -> Any:
        """Handle the call, calling ``call_next(request, ctx)`` to continue the chain."""
        ...


@runtime_checkable
class ClientStreamInterceptor(Protocol):
    """Wraps client-streaming calls (async)."""

    async def intercept_client_stream(
        self,
        call_next: Callable[[AsyncIterator[Any], RequestContext], Awaitable[Any]],
        request: AsyncIterator[Any],
        ctx: RequestContext,
    ) -> Any:
        """Handle the call, calling ``call_next(request, ctx)`` to continue the chain."""
        ...


@runtime_checkable
class ServerStreamInterceptor(Protocol):
    """Wraps server-streaming calls (async)."""

    def intercept_server_stream(
        self,
        call_next: Callable[[Any, RequestContext], AsyncIterator[Any]],
        request: Any,
        ctx: RequestContext,
    ) -> AsyncIterator[Any]:
        """Return the response stream, usually by iterating ``call_next(request, ctx)``."""
        ...


@runtime_checkable
class BidiStreamInterceptor(Protocol):
    """Wraps bidirectional-streaming calls (async)."""

    def intercept_bidi_stream(
        self,
        call_next: Callable[[AsyncIterator[Any], RequestContext], AsyncIterator[Any]],
        request: AsyncIterator[Any],
        ctx: RequestContext,
    ) -> AsyncIterator[Any]:
        """Return the response stream, usually by iterating ``call_next(request, ctx)``."""
        ...


@runtime_checkable
class MetadataInterceptor(Protocol[T_co]):
    """Sees every call of any kind by its metadata only (async).

    ``on_start`` runs before the handler; whatever it returns is passed to the optional
    ``on_end(token, ctx)``, which runs after the call (streams included) has finished.
    """

    async def on_start(self, ctx: RequestContext) -> T_co:
        """Inspect the call before it runs; raise :class:`ConnectError` to refuse it."""
        ...


@runtime_checkable
class UnaryInterceptorSync(Protocol):
    """Wraps unary calls (sync)."""

    def intercept_unary_sync(
        self, call_next: Callable[[Any, RequestContext], Any], request: Any, ctx: RequestContext
    ) -> Any:
        """Handle the call, calling ``call_next(request, ctx)`` to continue the chain."""
        ...


@runtime_checkable
class ClientStreamInterceptorSync(Protocol):
    """Wraps client-streaming calls (sync)."""

    def intercept_client_stream_sync(
        self,
        call_next: Callable[[Iterator[Any], RequestContext], Any],
        request: Iterator[Any],
        ctx: RequestContext,
    ) -> Any:
        """Handle the call, calling ``call_next(request, ctx)`` to continue the chain."""
        ...


@runtime_checkable
class ServerStreamInterceptorSync(Protocol):
    """Wraps server-streaming calls (sync)."""

    def intercept_server_stream_sync(
        self,
        call_next: Callable[[Any, RequestContext], Iterator[Any]],
        request: Any,
        ctx: RequestContext,
    ) -> Iterator[Any]:
        """Return the response stream, usually by iterating ``call_next(request, ctx)``."""
        ...


@runtime_checkable
class BidiStreamInterceptorSync(Protocol):
    """Wraps bidirectional-streaming calls (sync)."""

    def intercept_bidi_stream_sync(
        self,
        call_next: Callable[[Iterator[Any], RequestContext], Iterator[Any]],
        request: Iterator[Any],
        ctx: RequestContext,
    ) -> Iterator[Any]:
        """Return the response stream, usually by iterating ``call_next(request, ctx)``."""
        ...


@runtime_checkable
class MetadataInterceptorSync(Protocol[T_co]):
    """Sees every call by its metadata only (sync): ``on_start_sync`` and ``on_end_sync``.

    Plain (non-``async``) ``on_start``/``on_end`` methods are accepted as well.
    """

    def on_start_sync(self, ctx: RequestContext) -> T_co:
        """Inspect the call before it runs; raise :class:`ConnectError` to refuse it."""
        ...


Interceptor = object
"""Any object implementing one or more of the interceptor protocols."""

_ASYNC_NAMES = {
    StreamType.UNARY: "intercept_unary",
    StreamType.CLIENT_STREAM: "intercept_client_stream",
    StreamType.SERVER_STREAM: "intercept_server_stream",
    StreamType.BIDI_STREAM: "intercept_bidi_stream",
}


def _async_metadata(i: object) -> tuple[Callable[..., Any], Callable[..., Any] | None] | None:
    start = getattr(i, "on_start", None)
    if start is None or not inspect.iscoroutinefunction(start):
        return None
    end = getattr(i, "on_end", None)
    return start, end


def _sync_metadata(i: object) -> tuple[Callable[..., Any], Callable[..., Any] | None] | None:
    start = getattr(i, "on_start_sync", None)
    end = getattr(i, "on_end_sync", None)
    if start is None:
        start = getattr(i, "on_start", None)
        end = getattr(i, "on_end", None)
        if start is None or inspect.iscoroutinefunction(start):
            return None
    return start, end


def _flavours(i: object) -> tuple[list[str], list[str]]:
    """The async and the sync interceptor methods ``i`` has, by name."""
    async_names = [n for n in _ASYNC_NAMES.values() if hasattr(i, n)]
    sync_names = [n + "_sync" for n in _ASYNC_NAMES.values() if hasattr(i, n + "_sync")]
    if _async_metadata(i) is not None:
        async_names.append("on_start")
    if hasattr(i, "on_start_sync"):
        sync_names.append("on_start_sync")
    elif _sync_metadata(i) is not None:
        sync_names.append("on_start")
    return async_names, sync_names


def check_interceptors(
    interceptors: Sequence[object], *, is_async: bool, client: bool = False
) -> None:
    """Raise ``TypeError`` for an interceptor that would never run on a service (or, with
    ``client``, a client) of this flavour: an async-only interceptor on a sync one, or the
    reverse, or an object with no interceptor method at all. Skipping it silently would let
    every call past it.

    The flavours are what :func:`wrap_async` and :func:`wrap_sync` use: ``intercept_*`` and an
    ``async`` ``on_start`` are async; ``intercept_*_sync``, ``on_start_sync`` and a plain
    ``on_start`` are sync.
    """
    what = "client" if client else "service"
    use_sync, use_async = (
        ("use the sync client", "use the async client")
        if client
        else ("serve a sync service", "serve an async service")
    )
    for i in interceptors:
        async_names, sync_names = _flavours(i)
        name = type(i).__qualname__
        if not async_names and not sync_names:
            raise TypeError(
                f"{name} is not an interceptor: give it intercept_unary, "
                "intercept_client_stream, intercept_server_stream, intercept_bidi_stream or "
                f"on_start (or their _sync twins for sync {what}s)"
            )
        if is_async and not async_names:
            raise TypeError(
                f"interceptor {name} is sync-only ({', '.join(sync_names)}) and this {what} "
                "is async: implement the async methods (intercept_unary, async on_start, ...) "
                f"too, or {use_sync}"
            )
        if not is_async and not sync_names:
            raise TypeError(
                f"interceptor {name} is async-only ({', '.join(async_names)}) and this "
                f"{what} is sync: implement the _sync methods (intercept_unary_sync, "
                f"on_start_sync, ...) too, or {use_async}"
            )


def wrap_async(
    handler: Callable[..., Any], stream_type: StreamType, interceptors: Sequence[object]
) -> Callable[..., Any]:
    """Wrap an async handler in ``interceptors``; the first one is the outermost."""
    name = _ASYNC_NAMES[stream_type]
    streams_out = stream_type.server_streams
    for i in reversed(interceptors):
        method = getattr(i, name, None)
        if method is not None:
            handler = _bind(method, handler)
            continue
        meta = _async_metadata(i)
        if meta is not None:
            handler = (_meta_stream_async if streams_out else _meta_unary_async)(handler, *meta)
    return handler


def wrap_sync(
    handler: Callable[..., Any], stream_type: StreamType, interceptors: Sequence[object]
) -> Callable[..., Any]:
    """Wrap a sync handler in ``interceptors``; the first one is the outermost."""
    name = _ASYNC_NAMES[stream_type] + "_sync"
    streams_out = stream_type.server_streams
    for i in reversed(interceptors):
        method = getattr(i, name, None)
        if method is not None:
            handler = _bind(method, handler)
            continue
        meta = _sync_metadata(i)
        if meta is not None:
            handler = (_meta_stream_sync if streams_out else _meta_unary_sync)(handler, *meta)
    return handler


def _bind(method: Callable[..., Any], call_next: Callable[..., Any]) -> Callable[..., Any]:
    def call(request: Any, ctx: RequestContext) -> Any:
        return method(call_next, request, ctx)

    return call


def _meta_unary_async(
    call_next: Callable[..., Any], start: Callable[..., Any], end: Callable[..., Any] | None
) -> Callable[..., Any]:
    async def call(request: Any, ctx: RequestContext) -> Any:
        token = await start(ctx)
        try:
            return await call_next(request, ctx)
        finally:
            if end is not None:
                await end(token, ctx)

    return call


def _meta_stream_async(
    call_next: Callable[..., Any], start: Callable[..., Any], end: Callable[..., Any] | None
) -> Callable[..., Any]:
    async def call(request: Any, ctx: RequestContext) -> AsyncIterator[Any]:
        token = await start(ctx)
        try:
            async for message in call_next(request, ctx):
                yield message
        finally:
            if end is not None:
                await end(token, ctx)

    return call


def _meta_unary_sync(
    call_next: Callable[..., Any], start: Callable[..., Any], end: Callable[..., Any] | None
) -> Callable[..., Any]:
    def call(request: Any, ctx: RequestContext) -> Any:
        token = start(ctx)
        try:
            return call_next(request, ctx)
        finally:
            if end is not None:
                end(token, ctx)

    return call


def _meta_stream_sync(
    call_next: Callable[..., Any], start: Callable[..., Any], end: Callable[..., Any] | None
) -> Callable[..., Any]:
    def call(request: Any, ctx: RequestContext) -> Iterator[Any]:
        token = start(ctx)
        try:
            yield from call_next(request, ctx)
        finally:
            if end is not None:
                end(token, ctx)

    return call
