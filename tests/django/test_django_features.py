"""Django keeps working around Connect views: middleware, sessions and auth, CSRF, Django's
exceptions, ``ATOMIC_REQUESTS``, the test ``Client`` and ``AsyncClient``, CORS, and the
settings-driven form. In process, through Django's own test clients (pytest-django)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import AsyncClient, Client

pytestmark = pytest.mark.django_db(transaction=True)

ECHO = "/rpc/echo.v1.EchoService/Echo"
REPEAT = "/rpc/echo.v1.EchoService/Repeat"
JSON_HEADERS = {"connect-protocol-version": "1"}


def _call(client: Client, path: str, message: str) -> tuple[int, dict[str, Any]]:
    response = client.post(
        path,
        data=json.dumps({"message": message}),
        content_type="application/json",
        headers=JSON_HEADERS,
    )
    return response.status_code, json.loads(response.content)


def test_session_and_user_reach_the_handler(client: Client) -> None:
    assert _call(client, ECHO, "hi") == (200, {"message": "anonymous", "index": 1})
    # The session middleware saved the session and set its cookie: the next call sees it.
    assert "sessionid" in client.cookies
    assert _call(client, ECHO, "hi") == (200, {"message": "anonymous", "index": 2})
    client.force_login(User.objects.create(username="ada"))
    status, body = _call(client, ECHO, "hi")
    assert status == 200
    assert body["message"] == "ada"


def test_csrf_does_not_reject_connect_posts() -> None:
    client = Client(enforce_csrf_checks=True)
    assert _call(client, ECHO, "hi")[0] == 200
    # ... while a plain view of the same project is protected.
    response = client.post("/plain/echo", data="{}", content_type="application/json")
    assert response.status_code == 403


def test_permission_denied_is_permission_denied(client: Client) -> None:
    status, body = _call(client, ECHO, "deny")
    assert status == 403
    assert body == {"code": "permission_denied", "message": "not for you"}


def test_http404_is_not_found(client: Client) -> None:
    status, body = _call(client, ECHO, "missing")
    assert status == 404
    assert body == {"code": "not_found", "message": "no such thing"}


def test_a_decorator_raising_permission_denied(client: Client) -> None:
    status, body = _call(client, "/guarded/echo.v1.EchoService/Echo", "hi")
    assert (status, body["code"]) == (403, "permission_denied")
    client.force_login(User.objects.create(username="grace"))
    assert _call(client, "/guarded/echo.v1.EchoService/Echo", "hi")[1]["message"] == "grace"


def test_atomic_requests_commits_a_call_that_succeeds(client: Client) -> None:
    assert _call(client, ECHO, "create:kept")[0] == 200
    assert User.objects.filter(username="kept").exists()


def test_atomic_requests_rolls_back_a_handler_that_raises(client: Client) -> None:
    status, body = _call(client, ECHO, "create-then-fail:gone")
    assert (status, body["code"]) == (409, "aborted")
    assert not User.objects.filter(username="gone").exists()


def test_atomic_requests_rolls_back_a_stream_that_fails(client: Client) -> None:
    body = json.dumps({"message": "create-then-fail:streamed", "count": 3}).encode()
    frame = b"\x00" + len(body).to_bytes(4, "big") + body
    response = client.post(REPEAT, data=frame, content_type="application/connect+json")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert b'"aborted"' in content  # the end of the stream carries the error
    assert not User.objects.filter(username="streamed").exists()


def test_unknown_procedure_is_unimplemented(client: Client) -> None:
    status, body = _call(client, "/rpc/echo.v1.EchoService/Nope", "hi")
    assert (status, body["code"]) == (404, "unimplemented")


def test_get_for_a_side_effect_free_method(client: Client) -> None:
    response = client.get(
        ECHO, {"connect": "v1", "encoding": "json", "message": json.dumps({"message": "g"})}
    )
    assert response.status_code == 200
    assert json.loads(response.content)["message"] == "anonymous"


@pytest.mark.anyio
async def test_async_client_reaches_async_views(async_client: AsyncClient) -> None:
    response = await async_client.post(
        "/async/echo.v1.EchoService/Echo",
        data=json.dumps({"message": "hi"}),
        content_type="application/json",
        headers=JSON_HEADERS,
    )
    assert response.status_code == 200
    assert json.loads(response.content) == {"message": "anonymous"}
    denied = await async_client.post(
        "/async/echo.v1.EchoService/Echo",
        data=json.dumps({"message": "deny"}),
        content_type="application/json",
    )
    assert denied.status_code == 403
    assert json.loads(denied.content)["code"] == "permission_denied"


@pytest.mark.anyio
async def test_async_client_streams(async_client: AsyncClient) -> None:
    body = json.dumps({"message": "s", "count": 3}).encode()
    frame = b"\x00" + len(body).to_bytes(4, "big") + body
    response = await async_client.post(
        "/async/echo.v1.EchoService/Repeat", data=frame, content_type="application/connect+json"
    )
    assert response.status_code == 200
    chunks = [chunk async for chunk in response.streaming_content]  # type: ignore[union-attr]
    data = b"".join(chunks)
    assert data.count(b'"message":"s"') == 3
    assert data.endswith(b"{}")  # the end of the stream, no error


def test_cors_preflight_allows_connect_headers(client: Client) -> None:
    from connect_core.cors import ALLOWED_HEADERS, EXPOSED_HEADERS

    response = client.options(
        ECHO,
        headers={
            "origin": "https://app.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type,connect-protocol-version,"
            "connect-timeout-ms",
        },
    )
    assert response.status_code == 200
    assert response["access-control-allow-origin"] == "https://app.example"
    allowed = {h.strip() for h in response["access-control-allow-headers"].split(",")}
    assert {"content-type", "connect-protocol-version", "connect-timeout-ms"} <= allowed
    assert set(ALLOWED_HEADERS) <= allowed
    assert "POST" in response["access-control-allow-methods"]
    # The actual call then exposes what Connect clients read.
    call = client.post(
        ECHO,
        data=json.dumps({"message": "x"}),
        content_type="application/json",
        headers={"origin": "https://app.example", **JSON_HEADERS},
    )
    exposed = {h.strip() for h in call["access-control-expose-headers"].split(",")}
    assert {*EXPOSED_HEADERS, "x-tenant"} <= exposed


def test_cors_refuses_other_origins(client: Client) -> None:
    response = client.options(
        ECHO,
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in response


def test_settings_driven_services(client: Client) -> None:
    status, body = _call(client, "/settings/echo.v1.EchoService/Echo", "from settings")
    assert status == 200
    assert body["message"] == "from settings"
