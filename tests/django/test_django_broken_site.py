"""A Connect service that cannot be served stops the site, as a broken URLconf does.

``manage.py check`` reports it (``connect_django.E001``, see ``test_django_checks``), but
gunicorn and uvicorn run no checks: the site must not answer ``internal`` to every caller
for days. Under Django's WSGI handler every request raises ``ImproperlyConfigured`` naming
the error and its fix (a 500 the server logs); under ``connect_django.asgi`` the server
refuses to start.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from connect_django import connect_urls
from connect_django._site_check import reset
from django.core.exceptions import ImproperlyConfigured
from django.http.response import HttpResponseBase
from django.test import Client, override_settings
from django.urls import include, path
from servers.django_urlconf import urlconf as _urlconf
from servers.echo_service import SyncEcho
from servers.run import GUNICORN, UVICORN, start

BROKEN_APP = "servers.django_broken"
REFUSAL = "connect_django refuses to serve a misconfigured Connect service"


class AsyncInterceptor:
    async def on_start(self, ctx: object) -> None:
        return None


def _echo(client: Client) -> HttpResponseBase:
    return client.post(  # type: ignore[no-any-return]
        "/rpc/echo.v1.EchoService/Echo",
        data=json.dumps({"message": "hi"}),
        content_type="application/json",
        headers={"connect-protocol-version": "1"},
    )


@pytest.fixture
def fresh_check() -> Iterator[None]:
    """The site check forgets its verdict before and after the test."""
    reset()
    yield
    reset()


def test_a_broken_service_refuses_every_request_in_process(fresh_check: None) -> None:
    broken = _urlconf(
        path("rpc/", include(connect_urls(SyncEcho(), interceptors=[AsyncInterceptor()])))
    )
    with override_settings(ROOT_URLCONF=broken):
        client = Client()
        for _ in range(2):  # the verdict holds for later requests
            with pytest.raises(ImproperlyConfigured) as caught:
                _echo(client)
            message = str(caught.value)
            assert message.startswith(REFUSAL), message
            assert "connect_django.E001: SyncEcho cannot be served" in message
            assert "HINT: Fix the service" in message


@pytest.mark.django_db
def test_a_silenced_error_does_not_stop_the_site(fresh_check: None) -> None:
    broken = _urlconf(
        path("rpc/", include(connect_urls(SyncEcho(), interceptors=[AsyncInterceptor()])))
    )
    with override_settings(ROOT_URLCONF=broken, SILENCED_SYSTEM_CHECKS=["connect_django.E001"]):
        r = _echo(Client())
    assert r.status_code == 500
    assert r.json() == {
        "code": "internal",
        "message": "this service is misconfigured; see manage.py check",
    }


@pytest.mark.django_db
def test_a_sound_site_is_checked_once(fresh_check: None) -> None:
    sound = _urlconf(path("rpc/", include(connect_urls(SyncEcho()))))
    broken = _urlconf(
        path("rpc/", include(connect_urls(SyncEcho(), interceptors=[AsyncInterceptor()])))
    )
    with override_settings(ROOT_URLCONF=sound):
        r = _echo(Client())
        assert r.status_code == 200
    # The verdict was taken at the first request: the check does not run per request.
    with override_settings(ROOT_URLCONF=broken):
        r = Client().get("/nowhere/")
        assert r.status_code == 404


def test_gunicorn_site_refuses_every_request_and_logs_why(tmp_path: Path) -> None:
    server = start(GUNICORN, f"{BROKEN_APP}:wsgi_app", tmp_path)
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            assert http.get("/hello/").status_code == 500
            r = http.post(
                "/rpc/echo.v1.EchoService/Echo",
                content=b"",
                headers={"content-type": "application/proto"},
            )
            assert r.status_code == 500
            assert b"internal" not in r.content  # not a Connect answer: the site is down
    finally:
        server.stop()
    log = server.log_path.read_text(errors="replace")
    assert "ImproperlyConfigured" in log and REFUSAL in log, log[-3000:]
    assert "connect_django.E001: SyncEcho cannot be served" in log


def test_connect_django_asgi_refuses_to_start(tmp_path: Path) -> None:
    try:
        server = start(UVICORN, f"{BROKEN_APP}:asgi_app", tmp_path, timeout=20)
    except RuntimeError as e:
        tail = str(e)
    else:
        server.stop()
        pytest.fail("uvicorn started a site whose Connect service cannot be served")
    assert REFUSAL in tail and "connect_django.E001" in tail, tail
    assert "Application startup failed" in tail, tail
