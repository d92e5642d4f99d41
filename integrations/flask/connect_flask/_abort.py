"""``abort()`` inside a handler: the innermost interceptor turns Flask's ``HTTPException`` into
the Connect error of its status, as it would be before the handler (a ``before_request``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from werkzeug.exceptions import HTTPException

from connect_core import RequestContext

from ._errors import http_exception_to_connect_error


class AbortInterceptorSync:
    """Sync handlers: ``abort(403)`` in a handler is ``permission_denied``, not ``internal``."""

    __slots__ = ()

    def intercept_unary_sync(
        self, call_next: Callable[[Any, RequestContext], Any], request: Any, ctx: RequestContext
    ) -> Any:
        try:
            return call_next(request, ctx)
        except HTTPException as e:
            raise http_exception_to_connect_error(e) from e

    def intercept_client_stream_sync(
        self,
        call_next: Callable[[Iterator[Any], RequestContext], Any],
        request: Iterator[Any],
        ctx: RequestContext,
    ) -> Any:
        try:
            return call_next(request, ctx)
        except HTTPException as e:
            raise http_exception_to_connect_error(e) from e

    def intercept_server_stream_sync(
        self,
        call_next: Callable[[Any, RequestContext], Iterator[Any]],
        request: Any,
        ctx: RequestContext,
    ) -> Iterator[Any]:
        try:
            yield from call_next(request, ctx)
        except HTTPException as e:
            raise http_exception_to_connect_error(e) from e

    def intercept_bidi_stream_sync(
        self,
        call_next: Callable[[Iterator[Any], RequestContext], Iterator[Any]],
        request: Iterator[Any],
        ctx: RequestContext,
    ) -> Iterator[Any]:
        try:
            yield from call_next(request, ctx)
        except HTTPException as e:
            raise http_exception_to_connect_error(e) from e


class AbortInterceptor:
    """Async (unary) handlers: the twin of :class:`AbortInterceptorSync`."""

    __slots__ = ()

    async def intercept_unary(
        self,
        call_next: Callable[[Any, RequestContext], Awaitable[Any]],
        request: Any,
        ctx: RequestContext,
    ) -> Any:
        try:
            return await call_next(request, ctx)
        except HTTPException as e:
            raise http_exception_to_connect_error(e) from e

    async def intercept_client_stream(
        self,
        call_next: Callable[[AsyncIterator[Any], RequestContext], Awaitable[Any]],
        request: AsyncIterator[Any],
        ctx: RequestContext,
    ) -> Any:
        try:
            return await call_next(request, ctx)
        except HTTPException as e:
            raise http_exception_to_connect_error(e) from e
