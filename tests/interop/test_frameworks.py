"""Other projects' clients against each framework integration (``frameworks.py``): ``buf
curl`` (connect-go), the official ``connectrpc`` Python client and connect-node's client,
over HTTP/1.1 (uvicorn, gunicorn, Flask's development server) and h2c (hypercorn)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from connectrpc.client import ResponseMetadata
from connectrpc.code import Code
from connectrpc.errors import ConnectError
from echo.v1.echo_pb2 import EchoRequest
from pyqwest import SyncHTTPTransport
from servers.integrations import ServerPool

from . import node_client, official
from .bufcurl import buf_curl, check_compressed_response, check_server_stream
from .frameworks import TOKEN, Served, framework_params, serve
from .official import CHAT, COLLECT, ECHO, ECHO_POST, REPEAT, detail

pytestmark = pytest.mark.timeout(60)

ECHO_SERVICE = "echo.v1.EchoService/"
DETAILED_ERROR = {
    "errorCode": 5,
    "errorMessage": "no such thing",
    "errorDetails": [{"@type": "type.googleapis.com/echo.v1.EchoRequest.Nested", "value": "why"}],
}

ALL = framework_params()
EVERY_PREFIX = framework_params(every_prefix=True)
GUARDED = framework_params(lambda f: f.guard is not None)
H2_EVERY_PREFIX = framework_params(lambda f: f.kind.http2, every_prefix=True)


@pytest.fixture
def served(request: pytest.FixtureRequest, server_pool: ServerPool) -> Served:
    """The framework of the test's parameter, its server running."""
    return serve(request.param, server_pool)


@pytest.fixture
def transport(served: Served) -> Iterator[SyncHTTPTransport]:
    """A transport for the official client, speaking the server's HTTP version."""
    with official.transport(served.http2) as t:
        yield t


# -- buf curl ------------------------------------------------------------------------------


@pytest.mark.parametrize("served", ALL, indirect=True)
def test_buf_unary(served: Served) -> None:
    r = buf_curl(served, ECHO_SERVICE + "EchoPost", '{"message": "from buf"}', headers={"x-b": "1"})
    assert r.returncode == 0, r.stderr
    [m] = r.messages
    assert (m["message"], m["httpMethod"]) == ("from buf", "POST")
    assert m["requestHeaders"]["x-b"] == "1"
    assert m["requestHeaders"]["content-type"] == "application/proto"


@pytest.mark.parametrize("served", ALL, indirect=True)
def test_buf_compressed_response(served: Served) -> None:
    check_compressed_response(served, ECHO_SERVICE + "Echo")


@pytest.mark.parametrize("served", ALL, indirect=True)
def test_buf_streams(served: Served) -> None:
    check_server_stream(served, ECHO_SERVICE + "Repeat")
    r = buf_curl(served, ECHO_SERVICE + "Collect", stdin='{"message": "a"} {"message": "b"}')
    assert r.returncode == 0, r.stderr
    assert r.messages == [
        {
            "message": "a b",
            "index": 2,
            "requestHeaders": r.messages[0]["requestHeaders"],
            "timeoutMs": "-1",
            "httpMethod": "POST",
        }
    ]


@pytest.mark.parametrize("served", H2_EVERY_PREFIX, indirect=True)
def test_buf_bidi_h2(served: Served) -> None:
    """buf curl only does bidi over HTTP/2."""
    stdin = '{"message": "a"} {"message": "b"} {"message": "c"}'
    r = buf_curl(served, ECHO_SERVICE + "Chat", stdin=stdin)
    assert r.returncode == 0, r.stderr
    assert [(m["message"], m.get("index", 0)) for m in r.messages] == [("a", 0), ("b", 1), ("c", 2)]


@pytest.mark.parametrize("served", ALL, indirect=True)
def test_buf_error_with_details(served: Served) -> None:
    r = buf_curl(served, ECHO_SERVICE + "EchoPost", json.dumps(DETAILED_ERROR))
    assert r.code_from_exit == 5
    assert (r.error["code"], r.error["message"]) == ("not_found", "no such thing")
    assert r.error["details"][0]["type"] == "echo.v1.EchoRequest.Nested"


@pytest.mark.parametrize("served", GUARDED, indirect=True)
def test_buf_bearer_token(served: Served) -> None:
    guard, secure = served.guarded()
    procedure = "secure/" + ECHO_SERVICE
    r = buf_curl(secure, procedure + "Repeat", "{}")
    assert r.code_from_exit == 16
    assert r.error == {"code": "unauthenticated", "message": "missing bearer token"}
    r = buf_curl(secure, procedure + "EchoPost", "{}", headers={"authorization": "Bearer no"})
    assert r.code_from_exit == 7
    r = buf_curl(
        secure,
        procedure + "EchoPost",
        json.dumps({"message": guard.send}),
        headers={"authorization": f"Bearer {TOKEN}"},
    )
    assert r.returncode == 0, r.stderr
    assert r.messages[0]["message"].startswith(guard.reply)


@pytest.mark.parametrize("served", framework_params(lambda f: f.greet_at_root), indirect=True)
def test_buf_service_at_root(served: Served) -> None:
    r = buf_curl(served.running, "greet.v1.GreetService/Greet", '{"name": "Buf"}')
    assert r.returncode == 0, r.stderr
    assert r.messages == [{"greeting": "Hello, Buf!\n"}]


# -- the official connectrpc client --------------------------------------------------------


@pytest.mark.parametrize("codec", ["proto", "json"])
@pytest.mark.parametrize("served", EVERY_PREFIX, indirect=True)
def test_official_all_kinds(served: Served, transport: SyncHTTPTransport, codec: str) -> None:
    name, value = served.framework.header
    with (
        official.make_client(served.url, transport, codec) as client,
        ResponseMetadata() as meta,
    ):
        res = client.execute_unary(
            request=EchoRequest(message="official", response_trailers={"x-t": "t"}),
            method=ECHO_POST,
        )
        assert (res.message, res.http_method) == ("official", "POST")
        assert meta.trailers["x-t"] == "t"
        assert meta.headers[name] == value
        res = client.execute_unary(request=EchoRequest(message="g"), method=ECHO, use_get=True)
        assert res.http_method == "GET"
        res = client.execute_client_stream(
            request=iter([EchoRequest(message="x"), EchoRequest(message="y")]), method=COLLECT
        )
        assert (res.message, res.index) == ("x y", 2)
        got = [
            m.index
            for m in client.execute_server_stream(request=EchoRequest(count=3), method=REPEAT)
        ]
        assert got == [0, 1, 2]
        chat = client.execute_bidi_stream(
            request=iter([EchoRequest(message="b0"), EchoRequest(message="b1")]), method=CHAT
        )
        assert [m.message for m in chat] == ["b0", "b1"]


@pytest.mark.parametrize("served", ALL, indirect=True)
def test_official_errors_deadline_and_compression(
    served: Served, transport: SyncHTTPTransport
) -> None:
    big = bytes(range(256)) * 16
    with official.make_client(served.url, transport, compression="gzip") as client:
        res = client.execute_unary(request=EchoRequest(payload=big), method=ECHO_POST)
        assert res.payload == big
        assert res.request_headers["content-encoding"] == "gzip"
        with pytest.raises(ConnectError) as info:
            client.execute_unary(
                request=EchoRequest(
                    error_code=16, error_message="who", error_details=[detail("d")]
                ),
                method=ECHO_POST,
            )
        assert (info.value.code, info.value.message) == (Code.UNAUTHENTICATED, "who")
        assert info.value.details[0].type_name == "echo.v1.EchoRequest.Nested"
        with pytest.raises(ConnectError) as info:
            client.execute_unary(
                request=EchoRequest(delay_ms=1000), method=ECHO_POST, timeout_ms=100
            )
        assert info.value.code == Code.DEADLINE_EXCEEDED


@pytest.mark.parametrize("served", GUARDED, indirect=True)
def test_official_bearer_token(served: Served, transport: SyncHTTPTransport) -> None:
    guard, secure = served.guarded()
    with official.make_client(secure.url + "/secure", transport) as client:
        with pytest.raises(ConnectError) as info:
            list(client.execute_server_stream(request=EchoRequest(count=1), method=REPEAT))
        assert info.value.code == Code.UNAUTHENTICATED
        res = client.execute_unary(
            request=EchoRequest(message=guard.send),
            method=ECHO_POST,
            headers={"authorization": f"Bearer {TOKEN}"},
        )
        assert res.message.startswith(guard.reply)


# -- connect-node ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def echo_es() -> Path:
    """The echo service's ES code for the connect-node client."""
    return node_client.echo_es()


@pytest.mark.parametrize("served", EVERY_PREFIX, indirect=True)
def test_connect_node_client(served: Served, echo_es: Path) -> None:
    got = node_client.run_node_client(echo_es, served.url, served.http2)
    assert got == node_client.expected(served.http2)
