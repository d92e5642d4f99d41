"""A framework's own HTTP errors raised inside a handler, as Connect errors.

A FastAPI user raises ``HTTPException(404)`` in an endpoint by habit, a Flask user calls
``abort(403)``, a Django user raises ``PermissionDenied`` or calls ``get_object_or_404``. An
adapter passes :class:`Service` its translation of those exceptions (``http_errors=``), and
the service puts the interceptor of this module innermost, of the service's flavour: the
exception becomes the Connect error of its HTTP status before any user interceptor sees it,
for the four stream kinds alike. The headers an exception carries (``WWW-Authenticate`` of a
401, ``Retry-After`` of a 429) are sent as response headers, or as trailers once a stream's
headers are out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any, NoReturn

from .._context import RequestContext
from .._errors import ConnectError

HTTPErrorTranslation = tuple[ConnectError, Iterable[tuple[str, str]]]
"""A translated exception: its Connect error and the response headers it carries."""

HTTPErrorTranslator = Callable[[Exception], HTTPErrorTranslation | None]
"""An adapter's translation of its framework's HTTP errors: ``None`` for any other
exception, which then takes the usual way (``internal``, logged)."""


def _reraise(
    translate: HTTPErrorTranslator, exc: Exception, ctx: RequestContext, started: bool
) -> NoReturn:
    """Raise the Connect error for ``exc`` (with its headers on ``ctx``), or ``exc`` itself."""
    translated = None if isinstance(exc, ConnectError) else translate(exc)
    if translated is None:
        raise exc
    error, headers = translated
    target = ctx.response_trailers() if started else ctx.response_headers()
    for name, value in headers:
        target.add(name, value)
    raise error from exc


class HTTPErrorInterceptor:
    """The innermost interceptor of an async service (see the module)."""

    __slots__ = ("_translate",)

    def __init__(self, translate: HTTPErrorTranslator) -> None:
        """Translate with ``translate``."""
        self._translate = translate

    async def intercept_unary(
        self,
        call_next: Callable[[Any, RequestContext], Awaitable[Any]],
        request: Any,
        ctx: RequestContext,
    ) -> Any:
        """Run the call; translate a framework error it raises."""
        try:
            return await call_next(request, ctx)
        except Exception as e:
            _reraise(self._translate, e, ctx, False)

    async def intercept_client_stream(
        self,
        call_next: Callable[[AsyncIterator[Any], RequestContext], Awaitable[Any]],
        request: AsyncIterator[Any],
        ctx: RequestContext,
    ) -> Any:
        """Run the call; translate a framework error it raises."""
        try:
            return await call_next(request, ctx)
        except Exception as e:
            _reraise(self._translate, e, ctx, False)

    def intercept_server_stream(
        self,
        call_next: Callable[[Any, RequestContext], AsyncIterator[Any]],
        request: Any,
        ctx: RequestContext,
    ) -> AsyncIterator[Any]:
        """Stream the call's messages; translate a framework error it raises."""
        return self._messages(call_next, request, ctx)

    def intercept_bidi_stream(
        self,
        call_next: Callable[[AsyncIterator[Any], RequestContext], AsyncIterator[Any]],
        request: AsyncIterator[Any],
        ctx: RequestContext,
    ) -> AsyncIterator[Any]:
        """Stream the call's messages; translate a framework error it raises."""
        return self._messages(call_next, request, ctx)

    async def _messages(
        self,
        call_next: Callable[[Any, RequestContext], AsyncIterator[Any]],
        request: Any,
        ctx: RequestContext,
    ) -> AsyncIterator[Any]:
        started = False
        stream = None
        try:
            stream = call_next(request, ctx)
            async for message in stream:
                started = True
                yield message
        except Exception as e:
            _reraise(self._translate, e, ctx, started)
        finally:
            aclose = None if stream is None else getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()


class HTTPErrorInterceptorSync:
    """The innermost interceptor of a sync service: the twin of
    :class:`HTTPErrorInterceptor`."""

    __slots__ = ("_translate",)

    def __init__(self, translate: HTTPErrorTranslator) -> None:
        """Translate with ``translate``."""
        self._translate = translate

    def intercept_unary_sync(
        self, call_next: Callable[[Any, RequestContext], Any], request: Any, ctx: RequestContext
    ) -> Any:
        """Run the call; translate a framework error it raises."""
        try:
            return call_next(request, ctx)
        except Exception as e:
            _reraise(self._translate, e, ctx, False)

    def intercept_client_stream_sync(
        self,
        call_next: Callable[[Iterator[Any], RequestContext], Any],
        request: Iterator[Any],
        ctx: RequestContext,
    ) -> Any:
        """Run the call; translate a framework error it raises."""
        try:
            return call_next(request, ctx)
        except Exception as e:
            _reraise(self._translate, e, ctx, False)

    def intercept_server_stream_sync(
        self,
        call_next: Callable[[Any, RequestContext], Iterator[Any]],
        request: Any,
        ctx: RequestContext,
    ) -> Iterator[Any]:
        """Stream the call's messages; translate a framework error it raises."""
        return self._messages(call_next, request, ctx)

    def intercept_bidi_stream_sync(
        self,
        call_next: Callable[[Iterator[Any], RequestContext], Iterator[Any]],
        request: Iterator[Any],
        ctx: RequestContext,
    ) -> Iterator[Any]:
        """Stream the call's messages; translate a framework error it raises."""
        return self._messages(call_next, request, ctx)

    def _messages(
        self,
        call_next: Callable[[Any, RequestContext], Iterator[Any]],
        request: Any,
        ctx: RequestContext,
    ) -> Iterator[Any]:
        started = False
        stream = None
        try:
            stream = call_next(request, ctx)
            for message in stream:
                started = True
                yield message
        except Exception as e:
            _reraise(self._translate, e, ctx, started)
        finally:
            close = None if stream is None else getattr(stream, "close", None)
            if close is not None:
                close()
