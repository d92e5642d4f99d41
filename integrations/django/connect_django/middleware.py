"""Connect errors in place of Django's error pages, for Connect calls outside every procedure.

A Connect view answers every name under its service's path itself, but a call to a path no
procedure claims (a mistyped prefix or service), or one that Django refused before routing it
(a 405 from ``require_POST``, a CSRF 403 of an app view), gets Django's own page: HTML that a
Connect client cannot read as an error. :class:`ConnectErrorPagesMiddleware` answers the
requests that :func:`speaks_connect` recognises with the Connect error of that status
instead (404 is ``unimplemented``, as the protocol says for an unknown procedure). Browsers
and plain clients keep the site's own pages.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from connect_core.server import Refusal, drain, drain_sync, status_refusal
from connect_core.server import speaks_connect as is_connect_request

from ._body import async_body, sync_body
from ._responses import ConnectHttpResponse, ConnectStreamingHttpResponse, reply_response
from ._views import DeferredCall

GetResponse = Callable[[HttpRequest], HttpResponseBase]
AsyncGetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]

_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")
"""The headers of an error page that its Connect error keeps."""
_CONNECTS_OWN = (ConnectHttpResponse, ConnectStreamingHttpResponse, DeferredCall)


def speaks_connect(request: HttpRequest) -> bool:
    """True when ``request`` is a Connect call by its head (see
    :func:`connect_core.server.speaks_connect`)."""
    return is_connect_request(request.method or "GET", request.headers, request.GET)


class ConnectErrorPagesMiddleware:
    """Answer Connect calls with Connect errors where Django would send an error page.

    For a request that :func:`speaks_connect`, a response that is an HTML error page (status
    400 or more, ``text/html``: Django's 404, 405, 403, 400 and 500 pages, its ``DEBUG``
    technical 404 page, a ``handler404`` of the site, ``HttpResponseNotAllowed``) is replaced
    by the Connect error of its status, from
    :func:`connect_core.server.status_refusal`: 404 is ``unimplemented`` ("no procedure at
    /path"), 405 is ``unimplemented`` (HTTP 501) with the page's ``Allow``, 403
    ``permission_denied``, and so on, once the unread request body is drained. The page's
    ``Allow``, ``WWW-Authenticate`` and ``Retry-After`` headers are kept. Connect views' own
    responses, non-HTML responses (an app's JSON API answering its own 404) and every
    request that is not a Connect call (browsers, plain clients) are left alone.

    Put it near the top of ``MIDDLEWARE``, so that it sees the pages of the middleware below
    it, and after ``corsheaders.middleware.CorsMiddleware``, so that CORS headers still go on
    its errors::

        MIDDLEWARE = [
            "corsheaders.middleware.CorsMiddleware",
            "connect_django.middleware.ConnectErrorPagesMiddleware",
            "django.middleware.security.SecurityMiddleware",
            ...
        ]

    It serves sync (WSGI) and async (ASGI) middleware chains alike.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse | AsyncGetResponse) -> None:
        """Wrap ``get_response`` (the rest of the chain)."""
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        """Answer ``request`` through the chain, with a Connect error for an error page."""
        if self.async_mode:
            return self._acall(request)
        response = cast(GetResponse, self.get_response)(request)
        refusal = _refusal_for(request, response)
        if refusal is None:
            return response
        drain_sync(sync_body(request), refusal.drain)
        return _refusal_response(refusal, response)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        page = await cast(AsyncGetResponse, self.get_response)(request)
        refusal = _refusal_for(request, page)
        if refusal is None:
            return page
        await drain(async_body(request), refusal.drain)
        return _refusal_response(refusal, page)


def _refusal_for(request: HttpRequest, response: HttpResponseBase) -> Refusal | None:
    """The Connect error to answer instead of ``response``, or None to send it as it is."""
    if response.status_code < 400 or isinstance(response, _CONNECTS_OWN):
        return None
    content_type = response.headers.get("Content-Type") or ""
    if not content_type.lower().lstrip().startswith("text/html") or not speaks_connect(request):
        return None
    headers = [
        (name.lower(), response.headers[name]) for name in _KEPT_HEADERS if name in response.headers
    ]
    return status_refusal(
        response.status_code,
        response.reason_phrase,
        request.path,
        headers,
        http_method=request.method or "GET",
        request_headers=request.headers,
    )


def _refusal_response(refusal: Refusal, page: HttpResponseBase) -> HttpResponseBase:
    """``refusal`` as the response sent instead of ``page``, with its length (the page had
    its own from ``CommonMiddleware``, below).

    ``page`` is closed with it, once the handler closes the response sent: closing a response
    fires ``request_finished``, which in the middle of a request would close the database
    connections under the middleware above (and the test client's transaction). Django's
    handlers chain a response's closers the same way (``request.close``).
    """
    response = reply_response(refusal)
    response.headers["Content-Length"] = str(len(refusal.body))
    response._resource_closers.append(page.close)  # type: ignore[attr-defined]
    return response
