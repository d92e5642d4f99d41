"""``connect_flask`` in process: Flask's ``test_client()`` reaching Connect views, the
extension form, and the errors a mistake gets at registration time."""

from __future__ import annotations

import json
import uuid

import pytest
from connect_flask import Connect, ConnectBlueprint, cors_options
from connect_flask._serve import ConnectView
from echo.v1.echo_connect import ECHO_SERVICE_INFO, EchoServiceSync
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from flask import Flask, g, request
from servers.apps import StampInterceptor, StampInterceptorSync
from servers.echo_service import AsyncEcho, SyncEcho
from servers.flask_features import UNARY_ECHO_INFO, AsyncUnaryEcho, FlaskEcho, create_app
from werkzeug.exceptions import TooManyRequests
from werkzeug.test import EnvironBuilder

from connect_core import Code, ConnectError, ErrorDetail, RequestContext
from connect_core.cors import ALLOWED_HEADERS, EXPOSED_HEADERS

SVC = "/echo.v1.EchoService/"


def envelope(data: bytes, flags: int = 0) -> bytes:
    return bytes([flags]) + len(data).to_bytes(4, "big") + data


def frames(body: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 0
    while pos < len(body):
        size = int.from_bytes(body[pos + 1 : pos + 5], "big")
        out.append((body[pos], body[pos + 5 : pos + 5 + size]))
        pos += 5 + size
    return out


# -- Flask's test client ---------------------------------------------------------------------


def test_test_client_unary_stream_and_refusals() -> None:
    client = create_app().test_client()
    r = client.post(
        "/secure" + SVC + "Echo",
        data=EchoRequest().SerializeToString(),
        headers={"content-type": "application/proto", "authorization": "Bearer ada"},
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/proto"
    assert EchoResponse.FromString(r.data).message.startswith("user=ada path=/secure/")
    body = envelope(EchoRequest(count=2).SerializeToString())
    r = client.post(
        "/secure" + SVC + "Repeat",
        data=body,
        headers={"content-type": "application/connect+proto", "authorization": "Bearer ada"},
    )
    got = frames(r.data)
    assert [f for f, _ in got] == [0, 0, 2]
    assert [EchoResponse.FromString(d).index for _, d in got[:2]] == [0, 1]
    assert json.loads(got[-1][1]) == {"metadata": {"x-interceptor-end": ["Repeat"]}}
    r = client.post(
        "/secure" + SVC + "Repeat", data=body, headers={"content-type": "application/connect+proto"}
    )
    assert json.loads(frames(r.data)[-1][1])["error"]["code"] == "unauthenticated"
    r = client.put("/ext" + SVC + "Echo", json={})
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"


def test_a_stream_closed_unread_stops_its_handler() -> None:
    """A server that closes a stream's response without reading it (its client went away
    first) still closes the handler's generator, already run to its first message."""
    from servers.flask_features import EVENTS

    key = f"track:{uuid.uuid4()}"
    body = envelope(EchoRequest(message=key, count=5).SerializeToString())
    environ = EnvironBuilder(
        path="/secure" + SVC + "Repeat",
        method="POST",
        data=body,
        headers={"content-type": "application/connect+proto", "authorization": "Bearer ada"},
    ).get_environ()
    statuses: list[str] = []
    result = create_app().wsgi_app(environ, lambda status, headers: statuses.append(status))
    assert statuses == ["200 OK"]
    # The handler is paused at its first message. (Flask 3.1 has already run
    # teardown_request once here, when the view returned; Flask 3.0 has recorded nothing.)
    assert "closed" not in EVENTS.get(key, [])
    result.close()  # type: ignore[attr-defined]
    assert EVENTS[key].count("closed") == 1


def test_g_set_by_a_hook_reaches_the_handler_and_back() -> None:
    """``g`` is shared both ways: the handler sees the hook's value, and what the handler
    puts on ``g`` is there for ``after_request``."""

    class Marking(EchoServiceSync):
        def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
            g.from_handler = "h:" + g.from_hook
            return EchoResponse(message=g.from_hook)

    app = Flask(__name__)
    app.register_blueprint(ConnectBlueprint(Marking()), url_prefix="/rpc")

    @app.before_request
    def _hook() -> None:
        g.from_hook = "hooked"

    @app.after_request
    def _after(response):  # type: ignore[no-untyped-def]
        response.headers["x-from-handler"] = g.get("from_handler", "-")
        return response

    r = app.test_client().post(
        "/rpc" + SVC + "Echo", json={}, headers={"connect-protocol-version": "1"}
    )
    assert r.json == {"message": "hooked"}
    assert r.headers["x-from-handler"] == "h:hooked"


def test_after_request_reads_and_replaces_a_unary_body() -> None:
    """A unary reply is a normal Flask response to ``after_request``: ``get_data()`` reads
    it, and ``set_data()`` replaces it with its ``Content-Length``."""
    app = Flask(__name__)
    app.register_blueprint(ConnectBlueprint(SyncEcho()), url_prefix="/rpc")
    seen: list[bytes] = []

    @app.after_request
    def _rewrite(response):  # type: ignore[no-untyped-def]
        seen.append(response.get_data())
        if request.headers.get("x-rewrite"):
            response.set_data(b'{"message":"rewritten"}')
        return response

    client = app.test_client()
    headers = {"connect-protocol-version": "1"}
    r = client.post("/rpc" + SVC + "Echo", json={"message": "hi"}, headers=headers)
    assert r.json["message"] == "hi"
    assert seen == [r.data]
    assert r.headers["content-length"] == str(len(r.data))
    assert len(r.headers.getlist("content-length")) == 1
    r = client.post(
        "/rpc" + SVC + "Echo", json={"message": "hi"}, headers={**headers, "x-rewrite": "1"}
    )
    assert r.data == b'{"message":"rewritten"}'
    assert r.headers.getlist("content-length") == [str(len(r.data))]


def test_blueprint_hook_returning_a_response_short_circuits() -> None:
    """A hook that returns a response (Flask's way) answers instead of the view."""
    bp = ConnectBlueprint(SyncEcho())

    @bp.before_request
    def _maintenance():  # type: ignore[no-untyped-def]
        return {"maintenance": True}, 503

    app = Flask(__name__)
    app.register_blueprint(bp)
    r = app.test_client().post(SVC + "Echo", json={})
    assert (r.status_code, r.json) == (503, {"maintenance": True})


def test_exception_headers_and_error_details_reach_the_client() -> None:
    """An ``HTTPException``'s own headers (``Retry-After``) go out with its Connect error; a
    hook's ``ConnectError`` keeps its details, in unary and stream framing."""
    bp = ConnectBlueprint(SyncEcho())

    @bp.before_request
    def _limit() -> None:
        if request.headers.get("x-mode") == "slow":
            raise TooManyRequests("slow down", retry_after=30)
        raise ConnectError(
            Code.FAILED_PRECONDITION, "not yet", details=[ErrorDetail(EchoRequest(message="d"))]
        )

    app = Flask(__name__)
    app.register_blueprint(bp)
    client = app.test_client()
    r = client.post(SVC + "Echo", json={}, headers={"x-mode": "slow"})
    assert (r.status_code, r.headers["retry-after"]) == (429, "30")
    assert r.json == {"code": "resource_exhausted", "message": "slow down"}
    r = client.post(SVC + "Echo", json={})
    assert r.status_code == 400
    assert r.json["code"] == "failed_precondition"
    assert r.json["details"][0]["type"] == "echo.v1.EchoRequest"
    body = envelope(EchoRequest().SerializeToString())
    r = client.post(SVC + "Repeat", data=body, headers={"content-type": "application/connect+json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/connect+json"
    end = json.loads(frames(r.data)[-1][1])
    assert end["error"]["code"] == "failed_precondition"
    assert end["error"]["details"][0]["type"] == "echo.v1.EchoRequest"


# -- the extension form ----------------------------------------------------------------------


def test_extension_init_app_later_and_on_two_apps() -> None:
    connect = Connect()
    connect.add_service(SyncEcho(), url_prefix="/rpc", interceptors=[StampInterceptorSync()])
    apps = [Flask("one"), Flask("two")]
    for app in apps:
        connect.init_app(app)
        assert app.extensions["connect"] is connect
        r = app.test_client().post(
            "/rpc" + SVC + "Echo", json={"message": "hi"}, headers={"connect-protocol-version": "1"}
        )
        assert r.json["message"] == "hi" and r.headers["x-interceptor"] == "wsgi"
    assert [type(b) for b in connect.blueprints] == [ConnectBlueprint]
    with pytest.raises(RuntimeError, match="already initialised"):
        connect.init_app(apps[0])


def test_extension_keeps_the_apps_own_404_for_other_requests() -> None:
    app = Flask(__name__)

    @app.errorhandler(404)
    def _mine(exc: Exception) -> tuple[str, int]:
        return "my own 404", 404

    Connect(app)
    client = app.test_client()
    assert client.get("/nothing").text == "my own 404"
    r = client.post("/nothing", data=b"", headers={"content-type": "application/proto"})
    assert r.json == {"code": "unimplemented", "message": "no procedure at /nothing"}
    r = client.get("/x.v1.S/M?connect=v1&encoding=json&message=%7B%7D")
    assert r.status_code == 404 and r.json["code"] == "unimplemented"


# -- registration errors ---------------------------------------------------------------------


def test_service_missing_a_method() -> None:
    class Incomplete:  # not a generated subclass: its descriptor is given
        def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
            return EchoResponse()

    with pytest.raises(TypeError, match=r"does not implement echo_post\(\)"):
        ConnectBlueprint(Incomplete(), info=ECHO_SERVICE_INFO)


def test_misnamed_method() -> None:
    class Misnamed(EchoServiceSync):
        def Echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
            return EchoResponse()

    with pytest.raises(TypeError, match=r"looks meant for /echo.v1.EchoService/Echo"):
        ConnectBlueprint(Misnamed())


def test_registered_twice_at_the_same_prefix() -> None:
    app = Flask(__name__)
    app.register_blueprint(ConnectBlueprint(SyncEcho()), url_prefix="/rpc")
    with pytest.raises(
        RuntimeError,
        match=r"/rpc/echo.v1.EchoService/Echo is served by the "
        r"Connect blueprint 'connect_echo_v1_EchoService' already",
    ):
        app.register_blueprint(ConnectBlueprint(SyncEcho(), name="again"), url_prefix="/rpc/")
    # The same blueprint object again: Flask's own error, which names the fix.
    bp = ConnectBlueprint(SyncEcho(), name="mine")
    app.register_blueprint(bp, url_prefix="/v2")
    with pytest.raises(ValueError, match="already registered"):
        app.register_blueprint(bp, url_prefix="/v3")
    # Under another prefix with its own name, a second mount is fine.
    app.register_blueprint(ConnectBlueprint(SyncEcho(), name="other"), url_prefix="/v4")
    r = app.test_client().post("/v4" + SVC + "Echo", json={"message": "4"})
    assert r.json["message"] == "4"


def test_registered_over_an_app_route() -> None:
    app = Flask(__name__)

    @app.post("/echo.v1.EchoService/Echo")
    def _taken() -> str:
        return "mine"

    with pytest.raises(RuntimeError, match=r"is served by the rule '_taken' already"):
        app.register_blueprint(ConnectBlueprint(SyncEcho()))


def test_async_service_without_asgiref_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Flask's async support the error names the user's class and the install line the
    README gives (``connect-flask[async]``)."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "asgiref" else real(name, *a)
    )
    with pytest.raises(RuntimeError) as caught:
        ConnectBlueprint(AsyncUnaryEcho(), info=UNARY_ECHO_INFO)
    assert str(caught.value) == (
        "AsyncUnaryEcho has async handlers, which Flask runs through asgiref: install the "
        "async support (pip install 'connect-flask[async]')"
    )


def test_async_service_with_streaming_methods_is_refused() -> None:
    with pytest.raises(
        TypeError,
        match=r"AsyncEcho is an async service with streaming methods \(collect, repeat, chat\)"
        r".*subclass the generated EchoServiceSync instead",
    ):
        ConnectBlueprint(AsyncEcho())
    # Its unary methods alone are fine.
    bp = ConnectBlueprint(AsyncUnaryEcho(), info=UNARY_ECHO_INFO, interceptors=[StampInterceptor()])
    assert bp.is_async


def test_interceptor_of_the_other_flavour() -> None:
    with pytest.raises(TypeError, match="async-only"):
        ConnectBlueprint(FlaskEcho(), interceptors=[StampInterceptor()])
    with pytest.raises(TypeError, match="sync-only"):
        ConnectBlueprint(
            AsyncUnaryEcho(), info=UNARY_ECHO_INFO, interceptors=[StampInterceptorSync()]
        )


def test_views_are_connect_views() -> None:
    app = Flask(__name__)
    app.register_blueprint(ConnectBlueprint(SyncEcho(), name="rpc"))
    view = app.view_functions["rpc.Echo"]
    assert isinstance(view, ConnectView)
    assert view.endpoint.method.procedure == "/echo.v1.EchoService/Echo"


def test_cors_options_carry_the_protocol_lists() -> None:
    options = cors_options(["https://a.example"], extra_headers=["Authorization"], expose=["X-A"])
    assert options["origins"] == ["https://a.example"]
    assert options["methods"] == ["GET", "POST"]
    assert options["allow_headers"] == [*ALLOWED_HEADERS, "authorization"]
    assert options["expose_headers"] == [*EXPOSED_HEADERS, "x-a"]
    assert cors_options("*")["origins"] == "*"
