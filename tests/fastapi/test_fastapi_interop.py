"""Interop of ``ConnectRouter`` with real peers: ``buf curl`` (connect-go) and the official
``connectrpc`` Python client, over HTTP/1.1 (uvicorn) and h2c (hypercorn).

The official code generator is a separate binary that the ``connectrpc`` wheel does not ship
(it has no ``protoc-gen-*`` entry point), so its method descriptors are written here with the
package's public ``MethodInfo``; the messages are the ``google.protobuf`` classes of
``tests/gen``, through the official ``compat`` codecs.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from connectrpc.client import ConnectClientSync, ResponseMetadata
from connectrpc.code import Code
from connectrpc.compat import google_protobuf_binary_codec, google_protobuf_json_codec
from connectrpc.compression.gzip import GzipCompression
from connectrpc.errors import ConnectError
from connectrpc.method import IdempotencyLevel, MethodInfo, StreamType
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from fastapi_servers import Server
from fastapi_wire import detail
from pyqwest import HTTPVersion, SyncClient, SyncHTTPTransport

pytestmark = pytest.mark.timeout(60)

PROTO_DIR = Path(__file__).resolve().parent.parent / "proto"
BUF = Path(sys.executable).parent / "buf"


# -- buf curl ------------------------------------------------------------------------------


@dataclass
class BufResult:
    returncode: int
    messages: list[dict[str, Any]]
    stderr: str

    @property
    def error(self) -> dict[str, Any]:
        return json.loads(self.stderr[self.stderr.index("{") :])  # type: ignore[no-any-return]


def _json_documents(text: str) -> list[dict[str, Any]]:
    decoder = json.JSONDecoder()
    out, pos, text = [], 0, text.strip()
    while pos < len(text):
        obj, pos = decoder.raw_decode(text, pos)
        out.append(obj)
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def buf_curl(
    server: Server,
    path: str,
    data: str,
    *,
    headers: dict[str, str] | None = None,
    extra: list[str] | None = None,
) -> BufResult:
    cmd = [str(BUF), "curl", "--schema", str(PROTO_DIR), "--protocol", "connect", "-d", "@-"]
    if server.http2:
        cmd.append("--http2-prior-knowledge")
    for k, v in (headers or {}).items():
        cmd += ["-H", f"{k}: {v}"]
    cmd += [*(extra or []), server.url + path]
    proc = subprocess.run(cmd, input=data, capture_output=True, text=True, timeout=30)
    return BufResult(proc.returncode, _json_documents(proc.stdout), proc.stderr)


ECHO = "/rpc/echo.v1.EchoService/"


def test_buf_unary(fserver: Server) -> None:
    r = buf_curl(fserver, ECHO + "EchoPost", '{"message": "from buf"}', headers={"x-buf": "1"})
    assert r.returncode == 0, r.stderr
    [m] = r.messages
    assert (m["message"], m["httpMethod"]) == ("from buf", "POST")
    assert m["requestHeaders"]["x-buf"] == "1"
    assert m["requestHeaders"]["content-type"] == "application/proto"


def test_buf_compressed_response(fserver: Server) -> None:
    payload = bytes(range(256)) * 32
    data = json.dumps({"payload": base64.b64encode(payload).decode()})
    r = buf_curl(fserver, ECHO + "Echo", data, extra=["-v"])
    assert r.returncode == 0, r.stderr
    assert base64.b64decode(r.messages[0]["payload"]) == payload
    assert "content-encoding: gzip" in r.stderr.lower()


def test_buf_streams(fserver: Server) -> None:
    r = buf_curl(fserver, ECHO + "Repeat", '{"message": "again", "count": 3}')
    assert r.returncode == 0, r.stderr
    assert [m.get("index", 0) for m in r.messages] == [0, 1, 2]
    r = buf_curl(fserver, ECHO + "Collect", '{"message": "a"} {"message": "b"}')
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
    r = buf_curl(fserver, "/greet.v1.GreetService/Greet", '{"name": "Buf"}')
    assert r.messages == [{"greeting": "Hello, Buf!\n"}]


@pytest.mark.parametrize("prefix", ["/rpc", "/sync"])
def test_buf_bidi_h2(fastapi_hypercorn: Server, prefix: str) -> None:
    """buf curl only does bidi over HTTP/2."""
    r = buf_curl(
        fastapi_hypercorn,
        prefix + "/echo.v1.EchoService/Chat",
        '{"message": "a"} {"message": "b"} {"message": "c"}',
    )
    assert r.returncode == 0, r.stderr
    assert [(m["message"], m.get("index", 0)) for m in r.messages] == [("a", 0), ("b", 1), ("c", 2)]


def test_buf_errors(fserver: Server) -> None:
    data = json.dumps(
        {
            "errorCode": 5,
            "errorMessage": "no such thing",
            "errorDetails": [
                {"@type": "type.googleapis.com/echo.v1.EchoRequest.Nested", "value": "why"}
            ],
        }
    )
    r = buf_curl(fserver, ECHO + "EchoPost", data)
    assert r.returncode >> 3 == 5
    assert (r.error["code"], r.error["message"]) == ("not_found", "no such thing")
    assert r.error["details"][0]["type"] == "echo.v1.EchoRequest.Nested"
    r = buf_curl(fserver, "/secure/echo.v1.EchoService/Repeat", "{}")
    assert r.returncode >> 3 == 16
    assert r.error == {"code": "unauthenticated", "message": "missing bearer token"}


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
def transport(fserver: Server) -> Iterator[SyncHTTPTransport]:
    version = HTTPVersion.HTTP2 if fserver.http2 else HTTPVersion.HTTP1
    with SyncHTTPTransport(http_version=version, enable_otel=False) as t:
        yield t


def _client(
    server: Server,
    transport: SyncHTTPTransport,
    codec: str = "proto",
    prefix: str = "/rpc",
    **kwargs: Any,
) -> ConnectClientSync:
    return ConnectClientSync(
        server.url + prefix,
        codec=CODECS[codec](),
        accept_compression=[GzipCompression()],
        http_client=SyncClient(transport),
        **kwargs,
    )


@pytest.mark.parametrize("prefix", ["/rpc", "/sync"])
@pytest.mark.parametrize("codec", ["proto", "json"])
def test_official_all_kinds(
    fserver: Server, transport: SyncHTTPTransport, codec: str, prefix: str
) -> None:
    with _client(fserver, transport, codec, prefix) as client, ResponseMetadata() as meta:
        res = client.execute_unary(
            request=EchoRequest(message="official", response_trailers={"x-t": "t"}),
            method=ECHO_POST_M,
        )
        assert (res.message, res.http_method) == ("official", "POST")
        assert meta.trailers["x-t"] == "t"
        assert meta.headers["x-custom-middleware"] == "seen"
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
        got = [
            m.message
            for m in client.execute_bidi_stream(
                request=iter([EchoRequest(message="b0"), EchoRequest(message="b1")]), method=CHAT_M
            )
        ]
        assert got == ["b0", "b1"]


def test_official_errors_and_compression(fserver: Server, transport: SyncHTTPTransport) -> None:
    big = bytes(range(256)) * 16
    with _client(fserver, transport, send_compression=GzipCompression()) as client:
        res = client.execute_unary(request=EchoRequest(payload=big), method=ECHO_POST_M)
        assert res.payload == big
        assert res.request_headers["content-encoding"] == "gzip"
        with pytest.raises(ConnectError) as info:
            client.execute_unary(
                request=EchoRequest(
                    error_code=16, error_message="who", error_details=[detail("d")]
                ),
                method=ECHO_POST_M,
            )
        assert (info.value.code, info.value.message) == (Code.UNAUTHENTICATED, "who")
        assert info.value.details[0].type_name == "echo.v1.EchoRequest.Nested"
        with pytest.raises(ConnectError) as info:
            client.execute_unary(
                request=EchoRequest(delay_ms=1000), method=ECHO_POST_M, timeout_ms=100
            )
        assert info.value.code == Code.DEADLINE_EXCEEDED
    with _client(fserver, transport, prefix="/secure") as client:
        with pytest.raises(ConnectError) as info:
            list(client.execute_server_stream(request=EchoRequest(count=1), method=REPEAT_M))
        assert info.value.code == Code.UNAUTHENTICATED
        res = client.execute_unary(
            request=EchoRequest(message="ok"),
            method=ECHO_POST_M,
            headers={"authorization": "Bearer let-me-in"},
        )
        assert res.message == "ok"
