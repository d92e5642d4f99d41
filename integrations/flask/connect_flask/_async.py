"""What Flask's async support allows of an async service: unary calls."""

from __future__ import annotations

import importlib.util

from connect_core.server import Service


def check_async_service(service: Service, handlers: object) -> None:
    """Raise ``TypeError`` unless every method of the async ``service`` (served by
    ``handlers``) is unary, and
    ``RuntimeError`` when Flask's async support (``asgiref``) is missing.

    Flask runs an async view to completion on an event loop of its own before it returns
    (``app.ensure_sync``), which fits a unary call; a stream would need that loop alive while
    the response is sent, so streaming methods need the sync service.
    """
    streaming = [
        m.python_name
        for m in service.info.methods
        if m.stream_type.client_streams or m.stream_type.server_streams
    ]
    cls = type(handlers).__qualname__
    if streaming:
        sync_class = f"{service.info.name.rpartition('.')[2]}Sync"
        raise TypeError(
            f"{cls} is an async service with streaming methods ({', '.join(streaming)}), and "
            "Flask runs async handlers one call at a time to completion, which fits unary "
            f"calls only: subclass the generated {sync_class} instead (plain def methods and "
            "generators) to serve it from Flask, or serve the async service from an ASGI app"
        )
    if importlib.util.find_spec("asgiref") is None:
        raise RuntimeError(
            f"{cls} has async handlers, which Flask runs through asgiref: install the async "
            "support (pip install 'connect-flask[async]')"
        )
