"""URLconf of the Django tests (``tests/django``): services that use Django's features.

* ``/rpc/echo.v1.EchoService/*``: :class:`AccountsEcho`, a sync service whose ``Echo`` reports
  the session and the user, and follows commands in its message (``deny``: raise
  ``PermissionDenied``; ``missing``: ``Http404``; ``create:<name>``: create a user;
  ``create-then-fail:<name>``: create a user, then raise);
* ``/async/echo.v1.EchoService/*``: :class:`AsyncAccountsEcho`, the async twin;
* ``/guarded/echo.v1.EchoService/*``: the sync service behind a view decorator that raises
  ``PermissionDenied`` for anonymous users;
* ``/settings/``: the services of the ``CONNECT_SERVICES`` setting;
* ``/plain/echo``: a plain Django view (CSRF-protected) that echoes JSON.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from connect_django import connect_urls
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from echo.v1.echo_connect import EchoService, EchoServiceSync
from echo.v1.echo_pb2 import EchoRequest, EchoResponse

from connect_core import Code, ConnectError, RequestContext


def _command(message: str) -> None:
    if message == "deny":
        raise PermissionDenied("not for you")
    if message == "missing":
        raise Http404("no such thing")
    if message.startswith("create:"):
        User.objects.create(username=message.split(":", 1)[1])
    if message.startswith("create-then-fail:"):
        User.objects.create(username=message.split(":", 1)[1])
        raise ConnectError(Code.ABORTED, "failed after writing")


class AccountsEcho(EchoServiceSync):
    """A sync service that reports what Django gave it (see the module)."""

    def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        django_request = ctx.request
        _command(request.message)
        django_request.session["calls"] = django_request.session.get("calls", 0) + 1
        user = django_request.user
        return EchoResponse(
            message=user.username if user.is_authenticated else "anonymous",
            index=django_request.session["calls"],
        )

    def repeat(self, request: EchoRequest, ctx: RequestContext) -> Iterator[EchoResponse]:
        for i in range(request.count):
            if request.message.startswith("create-then-fail:") and i == 1:
                _command(request.message)
            yield EchoResponse(message=request.message, index=i)


class AsyncAccountsEcho(EchoService):
    """The async twin of :class:`AccountsEcho` (the user through ``auser()``)."""

    async def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        if request.message in ("deny", "missing"):
            _command(request.message)
        user = await ctx.request.auser()
        return EchoResponse(message=user.username if user.is_authenticated else "anonymous")

    async def repeat(
        self, request: EchoRequest, ctx: RequestContext
    ) -> AsyncIterator[EchoResponse]:
        for i in range(request.count):
            yield EchoResponse(message=request.message, index=i)


def login_or_deny(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view decorator that raises ``PermissionDenied`` for anonymous users."""

    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            raise PermissionDenied("log in first")
        return view(request, *args, **kwargs)

    return guarded


def plain_echo(request: HttpRequest) -> HttpResponse:
    """A plain JSON view, CSRF-protected like any other."""
    return JsonResponse(json.loads(request.body or b"{}"))


urlpatterns = [
    path("rpc/", include(connect_urls(AccountsEcho()))),
    path("async/", include(connect_urls(AsyncAccountsEcho()))),
    path("guarded/", include(connect_urls(AccountsEcho(), decorators=[login_or_deny]))),
    path("settings/", include("connect_django.urls")),
    path("plain/echo", plain_echo),
]
