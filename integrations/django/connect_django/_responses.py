"""The seam's replies as Django responses, and a request's head in the seam's terms."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

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


class _RepeatedHeaders:
    """Keeps every value of a repeated response header: Django's ``response.headers`` holds
    one value per name, and its handlers send ``response.items()``, which these responses
    extend with the other values (middleware still sees and edits the first one)."""

    connect_repeated: list[tuple[str, str]]

    def items(self) -> Any:
        """Every header to send, repeated ones included."""
        items = super().items()  # type: ignore[misc]
        repeated = self.connect_repeated
        return [*items, *repeated] if repeated else items


class ConnectHttpResponse(_RepeatedHeaders, HttpResponse):
    """A buffered Connect reply."""


class ConnectStreamingHttpResponse(_RepeatedHeaders, StreamingHttpResponse):
    """A streamed Connect reply."""


def _set_headers(response: Any, headers: Iterable[tuple[str, str]]) -> None:
    """Put the protocol's headers on a Django response, repeated ones included."""
    target = response.headers
    repeated: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, value in headers:
        if name in seen:
            repeated.append((name, value))
        else:
            seen.add(name)
            target[name] = value
    response.connect_repeated = repeated


def reply_response(reply: Reply) -> HttpResponse:
    """A buffered reply (or refusal) as an ``HttpResponse``."""
    headers = reply.headers
    if headers and headers[0][0] == "content-type":  # the protocol puts it first
        response = ConnectHttpResponse(reply.body, status=reply.status, content_type=headers[0][1])
        _set_headers(response, headers[1:])
    else:
        response = ConnectHttpResponse(reply.body, status=reply.status)
        _set_headers(response, headers)
    return response


def stream_response(
    status: int,
    headers: Iterable[tuple[str, str]],
    chunks: Iterator[bytes] | AsyncIterator[bytes],
) -> StreamingHttpResponse:
    """A streamed reply as a ``StreamingHttpResponse`` over ``chunks`` (a sync iterator for
    WSGI, an async one for ASGI), each chunk sent as it comes."""
    response = ConnectStreamingHttpResponse(chunks, status=status)
    _set_headers(response, headers)
    return response
