"""System checks (``manage.py check``) and the ``connect_procedures`` command."""

from __future__ import annotations

from collections.abc import AsyncIterator
from io import StringIO
from typing import Any

from connect_django import connect_urls
from django.core import checks
from django.core.management import call_command
from django.test import override_settings
from django.urls import include, path
from echo.v1.echo_connect import EchoServiceSync
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from servers.django_urlconf import urlconf as _urlconf
from servers.echo_service import AsyncEcho, SyncEcho

from connect_core import RequestContext

W002 = "connect_django.W002"  # the tests' settings set ATOMIC_REQUESTS: async services get it


def _ids(urlconf: str, **settings: Any) -> list[str]:
    with override_settings(ROOT_URLCONF=urlconf, **settings):
        return sorted(m.id for m in checks.run_checks(tags=[checks.Tags.urls]) if m.id)


class Misnamed(EchoServiceSync):
    def say(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:  # meant: echo?
        return EchoResponse()

    def echos(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        return EchoResponse()


class OnlyEcho(EchoServiceSync):
    def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        return EchoResponse()


class SyncDeclaredAsync(EchoServiceSync):
    async def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:  # type: ignore[override]
        return EchoResponse()

    async def echo_post(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:  # type: ignore[override]
        return EchoResponse()

    async def collect(
        self, request: AsyncIterator[EchoRequest], ctx: RequestContext
    ) -> EchoResponse:  # type: ignore[override]
        return EchoResponse()

    async def repeat(
        self, request: EchoRequest, ctx: RequestContext
    ) -> AsyncIterator[EchoResponse]:  # type: ignore[override]
        yield EchoResponse()

    async def chat(
        self, request: AsyncIterator[EchoRequest], ctx: RequestContext
    ) -> AsyncIterator[EchoResponse]:  # type: ignore[override]
        yield EchoResponse()


class AsyncInterceptor:
    async def on_start(self, ctx: RequestContext) -> None:
        return None


def test_a_well_configured_project_passes() -> None:
    assert _ids(_urlconf(path("rpc/", include(connect_urls(SyncEcho()))))) == []


def test_a_service_that_cannot_be_served_is_e001() -> None:
    urls = _urlconf(
        path("rpc/", include(connect_urls(SyncEcho(), interceptors=[AsyncInterceptor()])))
    )
    assert _ids(urls) == ["connect_django.E001"]


def test_an_unloadable_settings_entry_is_e002() -> None:
    from connect_django._settings import settings_urlpatterns

    with override_settings(CONNECT_SERVICES=["servers.echo_service.NoSuchService"]):
        patterns = settings_urlpatterns()
    assert _ids(_urlconf(path("rpc/", include(patterns)))) == ["connect_django.E002"]


def test_a_procedure_mounted_twice_is_e003() -> None:
    urls = _urlconf(
        path("rpc/", include(connect_urls(SyncEcho()))),
        path("rpc/", include(connect_urls(SyncEcho()))),
    )
    ids = _ids(urls)
    assert set(ids) == {"connect_django.E003"}
    assert len(ids) == 5  # one per procedure
    assert (
        _ids(
            _urlconf(
                path("a/", include(connect_urls(SyncEcho()))),
                path("b/", include(connect_urls(SyncEcho()))),
            )
        )
        == []
    )


def test_an_async_service_under_wsgi_is_e004() -> None:
    urls = _urlconf(path("rpc/", include(connect_urls(AsyncEcho()))))
    assert _ids(urls, CONNECT_INTERFACE="wsgi") == ["connect_django.E004", W002]
    assert _ids(urls, CONNECT_INTERFACE="asgi") == [W002]


def test_a_sync_service_with_coroutine_handlers_is_e005() -> None:
    urls = _urlconf(path("rpc/", include(connect_urls(SyncDeclaredAsync()))))
    assert _ids(urls) == ["connect_django.E005", W002]


def test_a_bad_connect_interface_is_e006() -> None:
    urls = _urlconf(path("rpc/", include(connect_urls(SyncEcho()))))
    assert _ids(urls, CONNECT_INTERFACE="fastcgi") == ["connect_django.E006"]


def test_a_method_left_unimplemented_is_w001() -> None:
    urls = _urlconf(path("rpc/", include(connect_urls(OnlyEcho()))))
    assert _ids(urls) == ["connect_django.W001"]


def test_atomic_requests_with_an_async_service_is_w002() -> None:
    urls = _urlconf(path("rpc/", include(connect_urls(AsyncEcho()))))
    assert _ids(urls) == [W002]  # the tests' settings set ATOMIC_REQUESTS


def test_manage_py_check_reports_by_id() -> None:
    urls = _urlconf(path("rpc/", include(connect_urls(OnlyEcho()))))
    out = StringIO()
    with override_settings(ROOT_URLCONF=urls):
        call_command("check", stdout=out, stderr=out)
    assert "connect_django.W001" in out.getvalue()
    assert "OnlyEcho does not implement echo_post, collect, repeat, chat" in out.getvalue()


def test_connect_procedures_lists_urls() -> None:
    urls = _urlconf(path("api/rpc/", include(connect_urls(SyncEcho()))))
    out = StringIO()
    with override_settings(ROOT_URLCONF=urls):
        call_command("connect_procedures", stdout=out)
    assert out.getvalue().splitlines() == [
        "URL                                    PROCEDURE                     KIND           HTTP       HANDLERS",  # noqa: E501
        "/api/rpc/echo.v1.EchoService/Echo      echo.v1.EchoService/Echo      unary          GET, POST  sync",  # noqa: E501
        "/api/rpc/echo.v1.EchoService/EchoPost  echo.v1.EchoService/EchoPost  unary          POST       sync",  # noqa: E501
        "/api/rpc/echo.v1.EchoService/Collect   echo.v1.EchoService/Collect   client stream  POST       sync",  # noqa: E501
        "/api/rpc/echo.v1.EchoService/Repeat    echo.v1.EchoService/Repeat    server stream  POST       sync",  # noqa: E501
        "/api/rpc/echo.v1.EchoService/Chat      echo.v1.EchoService/Chat      bidi stream    POST       sync",  # noqa: E501
    ]


def test_check_messages_name_the_service_class() -> None:
    """The report names the class by its dotted path, not the instance's repr."""
    urls = _urlconf(
        path("rpc/", include(connect_urls(SyncEcho(), interceptors=[AsyncInterceptor()])))
    )
    out = StringIO()
    with override_settings(ROOT_URLCONF=urls):
        try:
            call_command("check", stdout=out, stderr=out)
        except Exception as e:  # SystemCheckError carries the report
            out.write(str(e))
    report = out.getvalue()
    assert (
        "servers.echo_service.SyncEcho: (connect_django.E001) SyncEcho cannot be served" in report
    )
    assert "object at 0x" not in report


def test_connect_procedures_without_services() -> None:
    out = StringIO()
    with override_settings(ROOT_URLCONF=_urlconf()):
        call_command("connect_procedures", stdout=out)
    assert out.getvalue().strip() == "No Connect procedures are mounted."
