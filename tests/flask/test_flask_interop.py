"""Interop of ``ConnectBlueprint`` with real peers: ``buf curl`` (connect-go), the official
``connectrpc`` Python client and a connect-node client (``tests/client/node/client.mjs``),
against the Flask echo app (``servers.flask_app``) and the feature app
(``servers.flask_features``: hooks) under gunicorn and Flask's development server.

As in the FastAPI interop tests, the official client's method descriptors are written here
with its public ``MethodInfo`` (its code generator is a separate binary).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from connectrpc.client import ConnectClientSync, ResponseMetadata
from connectrpc.code import Code
from connectrpc.compat import google_protobuf_binary_codec, google_protobuf_json_codec
from connectrpc.compression.gzip import GzipCompression
from connectrpc.errors import ConnectError
from connectrpc.method import IdempotencyLevel, MethodInfo, StreamType
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from interop import node_client
from interop.bufcurl import buf_curl
from pyqwest import HTTPVersion, SyncClient, SyncHTTPTransport
from servers.integrations import ECHO_FLASK, ServerPool
from servers.run import FLASK_DEV, GUNICORN, RunningServer

pytestmark = pytest.mark.timeout(60)

ECHO = "echo.v1.EchoService/"
FEATURES = "servers.flask_features:app"


@pytest.fixture(
    params=[pytest.param(GUNICORN, id="gunicorn"), pytest.param(FLASK_DEV, id="flask-dev")]
)
def echo_server(request: pytest.FixtureRequest, server_pool: ServerPool) -> RunningServer:
    """The Flask echo app (the wire suite's), under each server in turn."""
    return server_pool.get(request.param, ECHO_FLASK)


# -- buf curl ------------------------------------------------------------------------------


def test_buf_unary(echo_server: RunningServer) -> None:
    r = buf_curl(echo_server, ECHO + "EchoPost", '{"message": "from buf"}', headers={"x-b": "1"})
    assert r.returncode == 0, r.stderr
    [m] = r.messages
    assert (m["message"], m["httpMethod"]) == ("from buf", "POST")
    assert m["requestHeaders"]["x-b"] == "1"
    assert m["requestHeaders"]["content-type"] == "application/proto"


def test_buf_compressed_response(echo_server: RunningServer) -> None:
    payload = bytes(range(256)) * 32
    data = json.dumps({"payload": base64.b64encode(payload).decode()})
    r = buf_curl(echo_server, ECHO + "Echo", data, extra=["-v"])
    assert r.returncode == 0, r.stderr
    assert base64.b64decode(r.messages[0]["payload"]) == payload
    assert "content-encoding: gzip" in r.stderr.lower()


def test_buf_streams(echo_server: RunningServer) -> None:
    r = buf_curl(echo_server, ECHO + "Repeat", '{"message": "again", "count": 3}')
    assert r.returncode == 0, r.stderr
    assert [(m["message"], m.get("index", 0)) for m in r.messages] == [
        ("again", 0),
        ("again", 1),
        ("again", 2),
    ]
    r = buf_curl(echo_server, ECHO + "Collect", stdin='{"message": "a"} {"message": "b"}')
    assert r.returncode == 0, r.stderr
    assert (r.messages[0]["message"], r.messages[0]["index"]) == ("a b", 2)


def test_buf_errors_and_hooks(echo_server: RunningServer, server_pool: ServerPool) -> None:
    data = json.dumps(
        {
            "errorCode": 5,
            "errorMessage": "no such thing",
            "errorDetails": [
                {"@type": "type.googleapis.com/echo.v1.EchoRequest.Nested", "value": "why"}
            ],
        }
    )
    r = buf_curl(echo_server, ECHO + "EchoPost", data)
    assert r.code_from_exit == 5
    assert (r.error["code"], r.error["message"]) == ("not_found", "no such thing")
    assert r.error["details"][0]["type"] == "echo.v1.EchoRequest.Nested"
    features = server_pool.get(echo_server.kind, FEATURES)
    r = buf_curl(features, "secure/" + ECHO + "Repeat", "{}")
    assert r.code_from_exit == 16
    assert r.error == {"code": "unauthenticated", "message": "missing bearer token"}
    r = buf_curl(features, "secure/" + ECHO + "Echo", "{}", headers={"authorization": "Bearer no"})
    assert r.code_from_exit == 7
    r = buf_curl(features, "secure/" + ECHO + "Echo", "{}", headers={"authorization": "Bearer x"})
    assert r.returncode == 0, r.stderr
    assert r.messages[0]["message"].startswith("user=x path=/secure/")


# -- the official connectrpc client --------------------------------------------------------


def _method(name: str, kind: StreamType, level: IdempotencyLevel = IdempotencyLevel.UNKNOWN):  # type: ignore[no-untyped-def]
    return MethodInfo(
        name=name,
        service_name="echo.v1.EchoService",
        input=EchoRequest,
        output=EchoResponse,
        idempotency_level=level,
        stream_type=kind,
    )


ECHO_M = _method("Echo", StreamType.UNARY, IdempotencyLevel.NO_SIDE_EFFECTS)
ECHO_POST_M = _method("EchoPost", StreamType.UNARY)
COLLECT_M = _method("Collect", StreamType.CLIENT_STREAM)
REPEAT_M = _method("Repeat", StreamType.SERVER_STREAM)
CHAT_M = _method("Chat", StreamType.BIDI_STREAM)
CODECS = {"proto": google_protobuf_binary_codec, "json": google_protobuf_json_codec}


@pytest.fixture
def transport() -> Iterator[SyncHTTPTransport]:
    with SyncHTTPTransport(http_version=HTTPVersion.HTTP1, enable_otel=False) as t:
        yield t


def _client(
    url: str, transport: SyncHTTPTransport, codec: str = "proto", **kwargs: object
) -> ConnectClientSync:
    return ConnectClientSync(
        url,
        codec=CODECS[codec](),
        accept_compression=[GzipCompression()],
        http_client=SyncClient(transport),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("codec", ["proto", "json"])
def test_official_all_kinds(
    echo_server: RunningServer, transport: SyncHTTPTransport, codec: str
) -> None:
    with _client(echo_server.url, transport, codec) as client, ResponseMetadata() as meta:
        res = client.execute_unary(
            request=EchoRequest(message="official", response_trailers={"x-t": "t"}),
            method=ECHO_POST_M,
        )
        assert (res.message, res.http_method) == ("official", "POST")
        assert meta.trailers["x-t"] == "t"
        assert meta.headers["x-interceptor"] == "wsgi"
        res = client.execute_unary(request=EchoRequest(message="g"), method=ECHO_M, use_get=True)
        assert res.http_method == "GET"
        res = client.execute_client_stream(
            request=iter([EchoRequest(message="x"), EchoRequest(message="y")]), method=COLLECT_M
        )
        assert (res.message, res.index) == ("x y", 2)
        got = [
            m.index
            for m in client.execute_server_stream(request=EchoRequest(count=3), method=REPEAT_M)
        ]
        assert got == [0, 1, 2]
        chat = client.execute_bidi_stream(
            request=iter([EchoRequest(message="b0"), EchoRequest(message="b1")]), method=CHAT_M
        )
        assert [m.message for m in chat] == ["b0", "b1"]


def test_official_errors_deadline_and_compression(
    echo_server: RunningServer, server_pool: ServerPool, transport: SyncHTTPTransport
) -> None:
    big = bytes(range(256)) * 16
    with _client(echo_server.url, transport, send_compression=GzipCompression()) as client:
        res = client.execute_unary(request=EchoRequest(payload=big), method=ECHO_POST_M)
        assert res.payload == big
        assert res.request_headers["content-encoding"] == "gzip"
        with pytest.raises(ConnectError) as info:
            client.execute_unary(
                request=EchoRequest(error_code=16, error_message="who"), method=ECHO_POST_M
            )
        assert (info.value.code, info.value.message) == (Code.UNAUTHENTICATED, "who")
        with pytest.raises(ConnectError) as info:
            client.execute_unary(
                request=EchoRequest(delay_ms=1000), method=ECHO_POST_M, timeout_ms=100
            )
        assert info.value.code == Code.DEADLINE_EXCEEDED
    features = server_pool.get(echo_server.kind, FEATURES)
    with _client(features.url + "/secure", transport) as client:
        with pytest.raises(ConnectError) as info:
            list(client.execute_server_stream(request=EchoRequest(count=1), method=REPEAT_M))
        assert info.value.code == Code.UNAUTHENTICATED
        res = client.execute_unary(
            request=EchoRequest(), method=ECHO_POST_M, headers={"authorization": "Bearer grace"}
        )
        assert res.message.startswith("user=grace ")


# -- connect-node ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def echo_es() -> Path:
    """The echo service's ES code for the connect-node client."""
    return node_client.echo_es()


def test_connect_node_client(echo_server: RunningServer, echo_es: Path) -> None:
    got = node_client.run_node_client(echo_es, echo_server.url, echo_server.http2)
    assert got == node_client.expected(echo_server.http2)
