"""``ConnectErrorPagesMiddleware``: a Connect call that Django answers with an error page (a
path outside every procedure, a wrong verb, a CSRF refusal) gets a Connect error instead,
while browsers, plain JSON clients and the app's own JSON errors keep what the site answers.

Over real servers (``servers.django_error_pages`` under gunicorn, and under uvicorn with
Django's ASGI handler and ``connect_django.asgi``'s), then in process through Django's test
clients for ``DEBUG``'s technical 404 page, an async middleware chain, CORS and the
responses of Connect views."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
from asgiref.sync import iscoroutinefunction
from connect_django._responses import ConnectHttpResponse
from connect_django.middleware import ConnectErrorPagesMiddleware, speaks_connect
from django.core.signals import request_finished
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseNotFound
from django.http.response import HttpResponseBase
from django.test import AsyncClient, Client, RequestFactory, override_settings
from echo.v1.echo_connect import EchoServiceClientSync
from echo.v1.echo_pb2 import EchoRequest
from servers.django_error_pages_urls import API_404, SITE_404_TEXT
from servers.django_site import MIDDLEWARE as SITE_MIDDLEWARE
from servers.integrations import ServerPool
from servers.run import GUNICORN, UVICORN, RunningServer

from connect_core import Code, ConnectError

pytestmark = pytest.mark.timeout(60)

SITE = "servers.django_error_pages"
URLCONF = "servers.django_error_pages_urls"
ERROR_PAGES = "connect_django.middleware.ConnectErrorPagesMiddleware"
CORS_ORIGIN = "https://app.example"  # allowed for /rpc/ by tests/django/conftest.py
SVC = "/echo.v1.EchoService/"
CONNECT_JSON = {"connect-protocol-version": "1"}
BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _unimplemented(path: str) -> dict[str, str]:
    return {"code": "unimplemented", "message": f"no procedure at {path}"}


# -- over real servers -------------------------------------------------------------------------


@pytest.fixture(
    params=[
        pytest.param((GUNICORN, "wsgi_app"), id="wsgi-gunicorn"),
        pytest.param((UVICORN, "asgi_app"), id="asgi-uvicorn"),
        pytest.param((UVICORN, "duplex_app"), id="duplex-uvicorn"),
    ]
)
def site(request: pytest.FixtureRequest, server_pool: ServerPool) -> RunningServer:
    """The error-pages site under each server and handler (stopped with the pool)."""
    kind, app = request.param
    return server_pool.get(kind, f"{SITE}:{app}")


@pytest.fixture
def http(site: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, timeout=10) as h:
        yield h


def test_a_connect_client_outside_every_procedure_gets_unimplemented(
    site: RunningServer,
) -> None:
    with EchoServiceClientSync(site.url + "/rpc") as c:  # the right prefix is served
        assert c.echo(EchoRequest(message="hi")).message == "hi"
    with EchoServiceClientSync(site.url + "/rpx") as c:  # a mistyped one
        with pytest.raises(ConnectError) as info:
            c.echo(EchoRequest(message="hi"))
        assert info.value.code is Code.UNIMPLEMENTED
        assert info.value.message == "no procedure at /rpx/echo.v1.EchoService/Echo"
        with pytest.raises(ConnectError) as info:
            list(c.repeat(EchoRequest(message="s", count=2)))
        assert info.value.code is Code.UNIMPLEMENTED
        assert info.value.message == "no procedure at /rpx/echo.v1.EchoService/Repeat"
        # A body no procedure reads is drained before the error goes out.
        with pytest.raises(ConnectError) as info:
            c.echo(EchoRequest(payload=b"x" * (3 * 1024 * 1024)))
        assert info.value.code is Code.UNIMPLEMENTED
        assert info.value.message == "no procedure at /rpx/echo.v1.EchoService/Echo"


def test_a_raw_connect_request_gets_connects_404(http: httpx.Client) -> None:
    # A mistyped prefix, a mistyped service, and the Connect view's own unknown procedure.
    for path in ("/nowhere" + SVC + "Echo", "/rpc/echo.v1.EchoServic/Echo", "/rpc" + SVC + "Nope"):
        r = http.post(path, json={}, headers=CONNECT_JSON)
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/json"
        assert r.headers["content-length"] == str(len(r.content))
        assert r.json() == _unimplemented(path)
    # Binary Protobuf needs no version header; a GET call says ``connect=v1``.
    r = http.post(
        "/nowhere" + SVC + "Echo", content=b"", headers={"content-type": "application/proto"}
    )
    assert (r.status_code, r.json()) == (404, _unimplemented("/nowhere" + SVC + "Echo"))
    r = http.get("/nowhere" + SVC + "Echo", params={"connect": "v1", "encoding": "json"})
    assert (r.status_code, r.json()) == (404, _unimplemented("/nowhere" + SVC + "Echo"))


def test_a_wrong_verb_is_unimplemented_with_allow(http: httpx.Client) -> None:
    r = http.get("/login", params={"connect": "v1", "encoding": "json", "message": "{}"})
    assert r.status_code == 501
    assert r.json() == {"code": "unimplemented", "message": "Method Not Allowed"}
    assert r.headers["allow"] == "POST"
    # A browser still gets Django's 405.
    r = http.get("/login", headers=BROWSER)
    assert r.status_code == 405 and r.headers["content-type"].startswith("text/html")
    assert r.headers["allow"] == "POST"


def test_other_refusals_keep_their_codes_and_headers(http: httpx.Client) -> None:
    # Django's CSRF page for a POST without a token.
    r = http.post("/form", content=b"", headers={"content-type": "application/proto"})
    assert (r.status_code, r.json()) == (403, {"code": "permission_denied", "message": "Forbidden"})
    r = http.get("/private", headers=CONNECT_JSON)
    assert (r.status_code, r.json()) == (
        401,
        {"code": "unauthenticated", "message": "Unauthorized"},
    )
    assert r.headers["www-authenticate"] == 'Bearer realm="site"'


def test_a_browser_keeps_the_sites_own_404_page(http: httpx.Client) -> None:
    for path in ("/nowhere", "/rpx" + SVC + "Echo"):
        r = http.get(path, headers=BROWSER)
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("text/html")
        assert SITE_404_TEXT in r.text


def test_a_plain_json_client_keeps_djangos_pages(http: httpx.Client) -> None:
    r = http.post("/rpx" + SVC + "Echo", json={})  # no Connect-Protocol-Version
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert SITE_404_TEXT in r.text
    r = http.post("/form", json={})
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")


def test_an_app_views_own_json_404_is_left_alone(http: httpx.Client) -> None:
    for headers in (CONNECT_JSON, {}):
        r = http.get("/api/items/7", headers=headers)
        assert (r.status_code, r.json()) == (404, API_404)


# -- in process --------------------------------------------------------------------------------


@pytest.fixture
def error_pages() -> Iterator[None]:
    """The error-pages URLconf, with the middleware where its docstring says: after CORS."""
    middleware = ["corsheaders.middleware.CorsMiddleware", ERROR_PAGES, *SITE_MIDDLEWARE]
    with override_settings(ROOT_URLCONF=URLCONF, MIDDLEWARE=middleware):
        yield


def _connect_post(client: Client, path: str) -> HttpResponseBase:
    return client.post(path, data="{}", content_type="application/json", headers=CONNECT_JSON)


@pytest.mark.usefixtures("error_pages")
def test_debugs_technical_404_page_is_replaced_for_connect_calls() -> None:
    with override_settings(DEBUG=True):
        client = Client()
        browser = client.get("/rpx" + SVC + "Echo", headers=BROWSER)
        assert browser.status_code == 404
        assert URLCONF in browser.content.decode()  # the technical page names the URLconf
        assert SITE_404_TEXT not in browser.content.decode()
        r = _connect_post(client, "/rpx" + SVC + "Echo")
        assert r.status_code == 404
        assert json.loads(r.content) == _unimplemented("/rpx" + SVC + "Echo")


@pytest.mark.usefixtures("error_pages")
def test_cors_headers_still_apply_to_the_connect_error() -> None:
    path = "/rpc/echo.v1.EchoServic/Echo"
    r = Client().post(
        path,
        data="{}",
        content_type="application/json",
        headers={**CONNECT_JSON, "origin": CORS_ORIGIN},
    )
    assert (r.status_code, json.loads(r.content)) == (404, _unimplemented(path))
    assert r.headers["access-control-allow-origin"] == CORS_ORIGIN


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)  # ATOMIC_REQUESTS (tests/django/conftest.py)
@pytest.mark.usefixtures("error_pages")
async def test_an_async_middleware_chain() -> None:
    client = AsyncClient()
    r = await client.post(
        "/rpx" + SVC + "Echo", data="{}", content_type="application/json", headers=CONNECT_JSON
    )
    assert (r.status_code, json.loads(r.content)) == (404, _unimplemented("/rpx" + SVC + "Echo"))
    r = await client.get("/login", {"connect": "v1"})
    assert (r.status_code, r.headers["allow"]) == (501, "POST")
    r = await client.get("/nowhere", headers=BROWSER)
    assert r.status_code == 404 and SITE_404_TEXT in r.content.decode()
    r = await client.get("/api/items/7", headers=CONNECT_JSON)
    assert (r.status_code, json.loads(r.content)) == (404, API_404)


def test_connect_views_answer_the_same_with_and_without_it() -> None:
    middleware = ["corsheaders.middleware.CorsMiddleware", *SITE_MIDDLEWARE]
    answers = []
    for chain in (middleware, [ERROR_PAGES, *middleware]):
        with override_settings(ROOT_URLCONF=URLCONF, MIDDLEWARE=chain):
            client = Client()
            unknown = _connect_post(client, "/rpc/echo.v1.EchoService/Nope")
            echo = client.post(
                "/rpc/echo.v1.EchoService/Echo",
                data='{"message": "hi"}',
                content_type="application/json",
                headers=CONNECT_JSON,
            )
            answers.append([(r.status_code, sorted(r.items()), r.content) for r in (unknown, echo)])
    assert answers[0] == answers[1]
    (status, _, content), _ = answers[1]
    assert (status, json.loads(content)) == (404, _unimplemented("/rpc" + SVC + "Nope"))


def _request(**headers: str) -> HttpRequest:
    return RequestFactory().post("/x", data=b"x", content_type="application/proto", headers=headers)


def test_speaks_connect_reads_djangos_headers_and_query() -> None:
    factory = RequestFactory()
    assert speaks_connect(_request())
    assert speaks_connect(factory.post("/x", "{}", "application/json", headers=CONNECT_JSON))
    assert speaks_connect(factory.get("/x", {"connect": "v1"}))
    assert not speaks_connect(factory.post("/x", "{}", "application/json"))
    assert not speaks_connect(factory.get("/x", headers=BROWSER))
    assert not speaks_connect(factory.post("/x?connect=v1", "{}", "application/json"))


def test_the_middleware_serves_sync_and_async_chains() -> None:
    def sync_page(request: HttpRequest) -> HttpResponseBase:
        return HttpResponseNotAllowed(["POST"], "<p>no</p>")

    async def async_page(request: HttpRequest) -> HttpResponseBase:
        return HttpResponseNotFound("<p>no</p>")

    sync_mw = ConnectErrorPagesMiddleware(sync_page)
    assert not iscoroutinefunction(sync_mw)
    r = sync_mw(_request())
    assert isinstance(r, HttpResponseBase)
    assert (r.status_code, r.headers["allow"]) == (501, "POST")

    async_mw = ConnectErrorPagesMiddleware(async_page)
    assert iscoroutinefunction(async_mw)
    result = async_mw(_request())
    assert not isinstance(result, HttpResponseBase)
    r = asyncio.run(_awaited(result))
    assert (r.status_code, json.loads(r.content)) == (404, _unimplemented("/x"))


async def _awaited(result: object) -> HttpResponseBase:
    response = await result  # type: ignore[misc]
    assert isinstance(response, HttpResponseBase)
    return response


def test_only_html_error_pages_of_connect_calls_are_replaced() -> None:
    pages: list[HttpResponseBase] = [
        HttpResponseNotFound("<p>x</p>"),
        HttpResponse("{}", status=404, content_type="application/json"),
        HttpResponse("<p>fine</p>", status=200),
        HttpResponse("<p>moved</p>", status=302),
        ConnectHttpResponse("<p>own</p>", status=404, content_type="text/html"),
    ]
    for page in pages:
        mw = ConnectErrorPagesMiddleware(lambda request, page=page: page)
        replaced = mw(_request()) is not page
        assert replaced == (page is pages[0]), page
        browser = RequestFactory().get("/x", headers=BROWSER)
        assert mw(browser) is page


def test_the_replaced_page_is_closed_with_the_answer_not_mid_request() -> None:
    """Closing a response fires ``request_finished``, whose ``close_old_connections`` would
    close the database connections under the middleware above (and a test's transaction)
    in the middle of the request: the page closes with the answer sent instead."""
    closed: list[str] = []

    class Page(HttpResponse):
        def close(self) -> None:
            closed.append("page")

    page = Page("<p>slow down</p>", status=429, headers={"Retry-After": "3"})
    r = ConnectErrorPagesMiddleware(lambda request: page)(_request())
    assert isinstance(r, HttpResponseBase)
    assert (r.status_code, json.loads(r.content)) == (
        429,
        {"code": "resource_exhausted", "message": "Too Many Requests"},
    )
    assert r.headers["retry-after"] == "3"
    assert closed == []
    # As the test client does: no ``close_old_connections`` outside a request.
    request_finished.disconnect(close_old_connections)
    try:
        r.close()
    finally:
        request_finished.connect(close_old_connections)
    assert closed == ["page"]
