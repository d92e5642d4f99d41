"""The seam's replies as Django responses, and a request's head in the seam's terms."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from connect_core import Headers
from connect_core.server import Reply, environ_headers


def request_headers(request: HttpRequest) -> Headers:
    """The request headers as the seam takes them: from the ASGI scope when there is one
    (every repeated header kept), else from the WSGI environ."""
    scope = getattr(request, "scope", None)
    if scope is not None:
        return Headers.from_raw(scope["headers"])
    return environ_headers(request.META)


def query_string(request: HttpRequest) -> str:
    """The raw query string of ``request``."""
    value = request.META.get("QUERY_STRING", "")
    return value if isinstance(value, str) else str(value)


def _set_headers(response: HttpResponseBase, headers: Iterable[tuple[str, str]]) -> None:
    """Put the protocol's headers on a Django response; a repeated name is joined with commas
    (Django keeps one value per header)."""
    target = response.headers
    seen: set[str] = set()
    for name, value in headers:
        if name in seen:
            target[name] = f"{target[name]}, {value}"
        else:
            seen.add(name)
            target[name] = value


def reply_response(reply: Reply) -> HttpResponse:
    """A buffered reply (or refusal) as an ``HttpResponse``."""
    response = HttpResponse(reply.body, status=reply.status)
    _set_headers(response, reply.headers)
    return response


def stream_response(
    status: int,
    headers: Iterable[tuple[str, str]],
    chunks: Iterator[bytes] | AsyncIterator[bytes],
) -> StreamingHttpResponse:
    """A streamed reply as a ``StreamingHttpResponse`` over ``chunks`` (a sync iterator for
    WSGI, an async one for ASGI), each chunk sent as it comes."""
    response = StreamingHttpResponse(chunks, status=status)
    _set_headers(response, headers)
    return response
