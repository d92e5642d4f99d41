"""``ATOMIC_REQUESTS`` for Connect calls of a sync service.

Django wraps a view in ``transaction.atomic`` for each database with ``ATOMIC_REQUESTS``, but
a Connect call's handler may run after its view returned (a stream runs while its response
is sent), so the Connect views are left out of Django's wrapping and this interceptor puts
the transaction around the handler instead, the whole stream included, rolled back when the
handler raises or its client leaves a stream early. Async handlers run outside any request
transaction, as Django's async views do (check ``connect_django.W002``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

from django.db import connections, transaction

from connect_core import RequestContext


def atomic_aliases() -> tuple[str, ...]:
    """The databases whose settings ask for ``ATOMIC_REQUESTS``."""
    return tuple(
        alias for alias, conf in connections.settings.items() if conf.get("ATOMIC_REQUESTS")
    )


def _atomic(stack: ExitStack, aliases: tuple[str, ...]) -> None:
    for alias in aliases:
        stack.enter_context(transaction.atomic(using=alias))


class AtomicRequests:
    """The interceptor of a sync service that runs each handler in the request transactions
    (see the module)."""

    __slots__ = ()

    def intercept_unary_sync(
        self, call_next: Callable[..., Any], request: Any, ctx: RequestContext
    ) -> Any:
        """Run the call in the request transactions."""
        aliases = atomic_aliases()
        if not aliases:
            return call_next(request, ctx)
        with ExitStack() as stack:
            _atomic(stack, aliases)
            return call_next(request, ctx)

    def intercept_client_stream_sync(
        self, call_next: Callable[..., Any], request: Any, ctx: RequestContext
    ) -> Any:
        """Run the call in the request transactions."""
        return self.intercept_unary_sync(call_next, request, ctx)

    def intercept_server_stream_sync(
        self, call_next: Callable[..., Any], request: Any, ctx: RequestContext
    ) -> Iterator[Any]:
        """Stream the call's messages in the request transactions; a stream closed early (its
        client left) rolls back."""
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

    def intercept_bidi_stream_sync(
        self, call_next: Callable[..., Any], request: Any, ctx: RequestContext
    ) -> Iterator[Any]:
        """Stream the call's messages in the request transactions."""
        return self.intercept_server_stream_sync(call_next, request, ctx)
