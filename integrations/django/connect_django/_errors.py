"""Django's exceptions, raised in a handler, as Connect errors; ``ATOMIC_REQUESTS`` for calls.

A handler that raises ``PermissionDenied`` (``permission_denied``), ``Http404``
(``not_found``), ``BadRequest`` or ``SuspiciousOperation`` (``invalid_argument``) answers the
Connect error of that HTTP status, through the core's one table
(:data:`connect_core.server.HTTP_STATUS_CODES`). The innermost interceptor of every service
(:class:`DjangoErrors` or :class:`DjangoErrorsSync`) does that, so that user interceptors see
the Connect error.

The sync twin also runs the handler in ``transaction.atomic`` for each database with
``ATOMIC_REQUESTS``: Django wraps a view, but a Connect call's handler may run after its view
returned (a stream runs while its response is sent), so the transaction goes around the
handler instead, the whole stream included, and rolls back when the handler raises.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.db import connections, transaction
from django.http import Http404

from connect_core import ConnectError, RequestContext
from connect_core.server import error_for_status

_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (PermissionDenied, 403),
    (Http404, 404),
    (BadRequest, 400),
    (SuspiciousOperation, 400),
)


def django_error_to_connect_error(error: Exception) -> ConnectError | None:
    """The Connect error for a Django exception with an HTTP meaning (``PermissionDenied``:
    ``permission_denied``, ``Http404``: ``not_found``, ``BadRequest`` and
    ``SuspiciousOperation``: ``invalid_argument``), or ``None`` for any other exception."""
    for cls, status in _STATUS:
        if isinstance(error, cls):
            message = str(error) or _DEFAULT_MESSAGES[status]
            return error_for_status(status, message)
    return None


_DEFAULT_MESSAGES = {403: "permission denied", 404: "not found", 400: "bad request"}


def _translated(error: Exception) -> Exception:
    mapped = django_error_to_connect_error(error)
    return error if mapped is None else mapped


def atomic_aliases() -> tuple[str, ...]:
    """The databases whose settings ask for ``ATOMIC_REQUESTS``."""
    return tuple(
        alias for alias, conf in connections.settings.items() if conf.get("ATOMIC_REQUESTS")
    )


def _atomic(stack: ExitStack, aliases: tuple[str, ...]) -> None:
    for alias in aliases:
        stack.enter_context(transaction.atomic(using=alias))


class DjangoErrors:
    """The innermost interceptor of an async service: Django exceptions become Connect errors.

    (``ATOMIC_REQUESTS`` does not apply to async handlers, as in Django for async views.)
    """

    async def intercept_unary(
        self, call_next: Callable[..., Any], request: Any, ctx: RequestContext
    ) -> Any:
        """Run the call; translate a Django exception it raises."""
        try:
            return await call_next(request, ctx)
        except ConnectError:
            raise
        except Exception as e:
            raise _translated(e) from e

    async def intercept_client_stream(
        self, call_next: Callable[..., Any], request: Any, ctx: RequestContext
    ) -> Any:
        """Run the call; translate a Django exception it raises."""
        return await self.intercept_unary(call_next, request, ctx)

    async def intercept_server_stream(
        self, call_next: Callable[..., Any], request: Any, ctx: RequestContext
    ) -> AsyncIterator[Any]:
        """Stream the call's messages; translate a Django exception it raises."""
        stream = call_next(request, ctx)
        try:
            async for message in stream:
                yield message
        except ConnectError:
            raise
        except Exception as e:
            raise _translated(e) from e
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()

    def intercept_bidi_stream(
        self, call_next: Callable[..., Any], request: Any, ctx: RequestContext
    ) -> AsyncIterator[Any]:
        """Stream the call's messages; translate a Django exception it raises."""
        return self.intercept_server_stream(call_next, request, ctx)


class DjangoErrorsSync:
    """The innermost interceptor of a sync service: Django exceptions become Connect errors,
    and the handler runs in a transaction on each database with ``ATOMIC_REQUESTS``, rolled
    back when it raises."""

    def intercept_unary_sync(
        self, call_next: Callable[..., Any], request: Any, ctx: RequestContext
    ) -> Any:
        """Run the call (in the request transactions); translate a Django exception."""
        try:
            aliases = atomic_aliases()
            if not aliases:
                return call_next(request, ctx)
            with ExitStack() as stack:
                _atomic(stack, aliases)
                return call_next(request, ctx)
        except ConnectError:
            raise
        except Exception as e:
            raise _translated(e) from e

    def intercept_client_stream_sync(
        self, call_next: Callable[..., Any], request: Any, ctx: RequestContext
    ) -> Any:
        """Run the call (in the request transactions); translate a Django exception."""
        return self.intercept_unary_sync(call_next, request, ctx)

    def intercept_server_stream_sync(
        self, call_next: Callable[..., Any], request: Any, ctx: RequestContext
    ) -> Iterator[Any]:
        """Stream the call's messages in the request transactions; translate a Django
        exception. A stream closed early (its client left) rolls back."""
        try:
            with ExitStack() as stack:
                _atomic(stack, atomic_aliases())
                stream = call_next(request, ctx)
                try:
                    yield from stream
                except GeneratorExit:
                    for alias in atomic_aliases():
                        transaction.set_rollback(True, using=alias)
                    raise
                finally:
                    close = getattr(stream, "close", None)
                    if close is not None:
                        close()
        except ConnectError:
            raise
        except Exception as e:
            raise _translated(e) from e

    def intercept_bidi_stream_sync(
        self, call_next: Callable[..., Any], request: Any, ctx: RequestContext
    ) -> Iterator[Any]:
        """Stream the call's messages in the request transactions; translate a Django
        exception."""
        return self.intercept_server_stream_sync(call_next, request, ctx)
