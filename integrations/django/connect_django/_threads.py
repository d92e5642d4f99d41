"""Where a sync handler runs under ASGI: the request's thread, as Django runs sync views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async


async def in_request_thread(func: Callable[..., Any], *args: Any) -> Any:
    """Run ``func(*args)`` in the request's thread (thread-sensitive ``sync_to_async``), so
    that the ORM sees one thread for the whole call and the event loop is never blocked."""
    return await sync_to_async(func, thread_sensitive=True)(*args)
