"""What Flask's async support allows of an async service: unary calls."""

from __future__ import annotations

import importlib.util

from connect_core.server import Service


def check_async_service(service: Service) -> None:
    """Raise ``TypeError`` unless every method of the async ``service`` is unary, and
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
    if streaming:
        raise TypeError(
            f"{service.info.name} has streaming methods ({', '.join(streaming)}), and Flask "
            "runs async handlers one call at a time to completion, which fits unary calls "
            "only: implement the sync service (subclass the generated XServiceSync) to serve "
            "it from Flask, or serve the async service from an ASGI app"
        )
    if importlib.util.find_spec("asgiref") is None:
        raise RuntimeError(
            f"{service.info.name} has async handlers, which Flask runs through asgiref: "
            "install Flask's async support (pip install 'flask[async]')"
        )
