"""A Django request's body as the seam reads it: chunk by chunk, as it arrives."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import partial

from django.http import HttpRequest

from connect_core.server import WSGIRequestBody

_CHUNK = 65536


def sync_body(request: HttpRequest) -> Iterator[bytes]:
    """The request body, read as it arrives.

    Under WSGI, straight from ``wsgi.input`` (Django's own stream stops at ``Content-Length``,
    so it would read a chunked body, which streaming clients send, as empty). Under Django's
    ASGI handler, from the body it received before the view ran. A body that middleware read
    whole through ``request.body`` is handed over from there.
    """
    if getattr(request, "_read_started", False):
        body: bytes | None = getattr(request, "_body", None)
        return iter((body,) if body else ())
    if getattr(request, "scope", None) is None and "wsgi.input" in request.META:
        return WSGIRequestBody(request.META)
    return iter(partial(request.read, _CHUNK), b"")


async def async_body(request: HttpRequest) -> AsyncIterator[bytes]:
    """:func:`sync_body` for an async view. Under Django's ASGI handler the body is already
    in (in memory, or in a temporary file past ``FILE_UPLOAD_MAX_MEMORY_SIZE``)."""
    for chunk in sync_body(request):
        yield chunk
