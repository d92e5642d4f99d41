"""The Connect protocol engine (sans-IO): negotiation, GET decoding, framing, errors."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from echo.v1.echo_connect import ECHO_SERVICE_INFO
from echo.v1.echo_pb2 import EchoRequest, EchoResponse

from connect_core import JSON, PROTO, Code, ConnectError, GzipCompression, Headers, ZstdCompression
from connect_core._protocol.connect_server import (
    ConnectServerProtocol,
    parse_query,
    parse_timeout_ms,
)
from connect_core._protocol.server import HTTPError, RequestDecoder
from connect_core.server import procedure_of

ECHO = ECHO_SERVICE_INFO.method("Echo")
ECHO_POST = ECHO_SERVICE_INFO.method("EchoPost")
COLLECT = ECHO_SERVICE_INFO.method("Collect")
REPEAT = ECHO_SERVICE_INFO.method("Repeat")


def proto(**kw) -> ConnectServerProtocol:  # type: ignore[no-untyped-def]
    options = {"compress_min_bytes": 1024, "read_max_bytes": 1 << 20}
    options.update(kw)
    return ConnectServerProtocol([PROTO, JSON], [GzipCompression(), ZstdCompression()], **options)


def negotiate(method=ECHO, http_method="POST", headers=None, query=None, **kw):  # type: ignore[no-untyped-def]
    return proto(**kw).negotiate(
        method, http_method, Headers(headers or {}), urlencode(query or {})
    )


# -- timeouts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "ms"), [("1", 1), ("0", 0), ("9999999999", 9999999999)])
def test_timeout_valid(value: str, ms: int) -> None:
    assert parse_timeout_ms(value) == ms


@pytest.mark.parametrize(
    "value",
    ["", "-1", "+1", "1.5", "1e3", "12345678901", " 1", "abc", "²", "¹²³", "١٢", "\uff11"],
)
def test_timeout_invalid(value: str) -> None:
    with pytest.raises(ConnectError) as info:
        parse_timeout_ms(value)
    assert info.value.code is Code.INVALID_ARGUMENT


def test_timeout_negotiated() -> None:
    setup = negotiate(headers={"content-type": "application/proto", "connect-timeout-ms": "250"})
    assert setup.timeout_ms == 250
    assert negotiate(headers={"content-type": "application/proto"}).timeout_ms is None


# -- POST negotiation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "codec"),
    [
        ("application/proto", PROTO),
        ("application/json", JSON),
        ("application/json; charset=utf-8", JSON),
        ("application/json;charset=UTF-8", JSON),
        ("APPLICATION/JSON", None),
        ("application/json; charset=latin-1", None),
        ("application/connect+proto", None),
        ("text/plain", None),
        ("", None),
    ],
)
def test_unary_content_types(content_type: str, codec) -> None:  # type: ignore[no-untyped-def]
    if codec is None:
        with pytest.raises(HTTPError) as info:
            negotiate(headers={"content-type": content_type})
        assert info.value.status == 415
        assert (
            "accept-post",
            "application/proto, application/json, "
            "application/connect+proto, application/connect+json",
        ) in info.value.headers
    else:
        assert negotiate(headers={"content-type": content_type}).codec is codec


@pytest.mark.parametrize(
    ("content_type", "codec"),
    [
        ("application/connect+proto", PROTO),
        ("application/connect+json", JSON),
        ("application/connect+json; charset=utf-8", JSON),
        ("application/proto", None),
        ("application/connect+xml", None),
    ],
)
def test_stream_content_types(content_type: str, codec) -> None:  # type: ignore[no-untyped-def]
    if codec is None:
        with pytest.raises(HTTPError) as info:
            negotiate(COLLECT, headers={"content-type": content_type})
        assert info.value.status == 415
    else:
        assert negotiate(COLLECT, headers={"content-type": content_type}).codec is codec


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_http_methods(method: str) -> None:
    with pytest.raises(HTTPError) as info:
        negotiate(ECHO, method, {"content-type": "application/proto"})
    assert info.value.status == 405
    assert ("allow", "GET, POST") in info.value.headers
    with pytest.raises(HTTPError) as info:
        negotiate(ECHO_POST, method, {"content-type": "application/proto"})
    assert ("allow", "POST") in info.value.headers


def test_protocol_version_header() -> None:
    ct = {"content-type": "application/proto"}
    assert negotiate(headers={**ct, "connect-protocol-version": "1"}).codec is PROTO
    with pytest.raises(ConnectError) as info:
        negotiate(headers={**ct, "connect-protocol-version": "2"})
    assert info.value.code is Code.INVALID_ARGUMENT
    with pytest.raises(ConnectError):
        negotiate(headers=ct, require_protocol_header=True)
    assert (
        negotiate(
            headers={**ct, "connect-protocol-version": "1"}, require_protocol_header=True
        ).codec
        is PROTO
    )


def test_compression_negotiation_unary() -> None:
    setup = negotiate(
        headers={
            "content-type": "application/proto",
            "content-encoding": "gzip",
            "accept-encoding": "br, zstd, gzip",
        }
    )
    assert setup.request_compression is not None and setup.request_compression.name == "gzip"
    assert setup.response_compression is not None
    assert setup.response_compression.name == "zstd"  # br not offered by this server
    setup = negotiate(headers={"content-type": "application/proto", "content-encoding": "identity"})
    assert setup.request_compression is None and setup.response_compression is None


def test_compression_negotiation_stream_uses_connect_headers() -> None:
    setup = negotiate(
        COLLECT,
        headers={
            "content-type": "application/connect+proto",
            "connect-content-encoding": "zstd",
            "connect-accept-encoding": "gzip",
            "content-encoding": "br",
            "accept-encoding": "zstd",  # HTTP-level: not for streams
        },
    )
    assert setup.request_compression is not None
    assert setup.request_compression.name == "zstd"
    assert setup.response_compression is not None
    assert setup.response_compression.name == "gzip"


def test_unknown_request_compression() -> None:
    with pytest.raises(ConnectError) as info:
        negotiate(headers={"content-type": "application/proto", "content-encoding": "snappy"})
    assert info.value.code is Code.UNIMPLEMENTED
    assert "gzip" in info.value.message


def _parts(reply: Any) -> tuple[int, Any, bytes]:
    return reply.status, reply.headers, reply.body


# -- GET ------------------------------------------------------------------------------------------


def _get(query: dict[str, str] | str, method=ECHO, headers=None):  # type: ignore[no-untyped-def]
    p = proto()
    qs = query if isinstance(query, str) else urlencode(query)
    setup = p.negotiate(method, "GET", Headers(headers or {}), qs)
    assert setup.state is not None  # the query's message
    return setup, p.decode_unary(setup, b"", EchoRequest)


@pytest.mark.parametrize("pad", [True, False])
def test_get_base64(pad: bool) -> None:
    data = EchoRequest(message="g", payload=b"\xfb\xff\xfe").SerializeToString()
    text = base64.urlsafe_b64encode(data).decode()
    if not pad:
        text = text.rstrip("=")
    setup, msg = _get({"connect": "v1", "encoding": "proto", "base64": "1", "message": text})
    assert setup.codec is PROTO
    assert msg == EchoRequest(message="g", payload=b"\xfb\xff\xfe")


def test_get_json_from_query_string() -> None:
    raw = '{"message":"a+b &c=d%"}'
    _, msg = _get(f"connect=v1&encoding=json&message={quote(raw)}")
    assert msg == EchoRequest(message="a+b &c=d%")


def test_get_compressed() -> None:
    data = gzip.compress(EchoRequest(message="z").SerializeToString())
    _, msg = _get(
        {
            "encoding": "proto",
            "base64": "1",
            "compression": "gzip",
            "message": base64.urlsafe_b64encode(data).decode(),
        }
    )
    assert msg == EchoRequest(message="z")


def test_get_accept_encoding() -> None:
    setup, _ = _get({"encoding": "json", "message": "{}"}, headers={"accept-encoding": "gzip"})
    assert setup.response_compression is not None
    assert setup.response_compression.name == "gzip"


def test_get_missing_message_is_empty_request() -> None:
    _, msg = _get({"connect": "v1", "encoding": "proto"})
    assert msg == EchoRequest()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"connect": "v1"}, Code.INVALID_ARGUMENT),
        ({"connect": "v2", "encoding": "json"}, Code.INVALID_ARGUMENT),
        ({"encoding": "proto", "base64": "1", "message": "@@@"}, Code.INVALID_ARGUMENT),
        ({"encoding": "json", "compression": "lz4", "message": "{}"}, Code.UNIMPLEMENTED),
    ],
)
def test_get_errors(query: dict[str, str], code: Code) -> None:
    with pytest.raises(ConnectError) as info:
        _get(query)
    assert info.value.code is code


def test_get_unknown_encoding_is_415() -> None:
    with pytest.raises(HTTPError) as info:
        _get({"encoding": "xml", "message": ""})
    assert info.value.status == 415


@pytest.mark.parametrize("method", [ECHO_POST, COLLECT, REPEAT])
def test_get_not_allowed(method) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(HTTPError) as info:
        _get({"encoding": "json", "message": "{}"}, method=method)
    assert info.value.status == 405
    assert ("allow", "POST") in info.value.headers


def test_get_requires_connect_param_when_configured() -> None:
    p = proto(require_protocol_header=True)
    with pytest.raises(ConnectError):
        p.negotiate(ECHO, "GET", Headers(), "encoding=json")


# -- unary encoding -----------------------------------------------------------------------------


def test_unary_response_compression_threshold() -> None:
    p = proto()
    setup = negotiate(headers={"content-type": "application/proto", "accept-encoding": "gzip"})
    status, headers, body = _parts(
        p.unary_response(setup, EchoResponse(message="small"), None, None)
    )
    assert (status, dict(headers)) == (200, {"content-type": "application/proto"})
    assert EchoResponse.FromString(body).message == "small"
    big = EchoResponse(payload=b"x" * 2000)
    hdrs = Headers([("x-a", "1"), ("x-a", "2")])
    trailers = Headers({"t": "v"})
    status, headers, body = _parts(p.unary_response(setup, big, hdrs, trailers))
    assert ("content-encoding", "gzip") in headers
    assert ("x-a", "1") in headers and ("x-a", "2") in headers
    assert ("trailer-t", "v") in headers
    assert EchoResponse.FromString(gzip.decompress(body)) == big


def test_unary_decode_limit() -> None:
    p = proto(read_max_bytes=10)
    setup = negotiate(headers={"content-type": "application/proto"}, read_max_bytes=10)
    with pytest.raises(ConnectError) as info:
        p.decode_unary(setup, b"\x0a\x20" + b"x" * 32, EchoRequest)
    assert info.value.code is Code.RESOURCE_EXHAUSTED
    gz = negotiate(headers={"content-type": "application/proto", "content-encoding": "gzip"})
    with pytest.raises(ConnectError) as info:
        p.decode_unary(gz, gzip.compress(b"\x0a\x20" + b"x" * 32), EchoRequest)
    assert info.value.code is Code.RESOURCE_EXHAUSTED


def test_unary_error_encoding() -> None:
    err = ConnectError(Code.PERMISSION_DENIED, "no")
    status, headers, body = _parts(
        proto().unary_error(None, err, Headers({"h": "1"}), Headers({"t": "2"}))
    )
    assert status == 403
    assert headers == [("content-type", "application/json"), ("h", "1"), ("trailer-t", "2")]
    assert json.loads(body) == {"code": "permission_denied", "message": "no"}


# -- stream encoding ----------------------------------------------------------------------------


def test_stream_head_message_end() -> None:
    p = proto()
    setup = negotiate(
        COLLECT,
        headers={
            "content-type": "application/connect+json",
            "connect-accept-encoding": "gzip",
        },
    )
    status, headers = p.stream_response_head(setup, Headers({"x": "1"}))
    assert status == 200
    assert headers == [
        ("content-type", "application/connect+json"),
        ("connect-content-encoding", "gzip"),
        ("x", "1"),
    ]
    small = p.stream_message(setup, EchoResponse(message="m"))
    assert small[0] == 0 and json.loads(small[5:]) == {"message": "m"}
    big = p.stream_message(setup, EchoResponse(payload=b"y" * 3000))
    assert big[0] == 1
    assert int.from_bytes(big[1:5], "big") == len(big) - 5
    end, http_trailers = p.stream_end(setup, None, Headers([("t", "a"), ("t", "b")]))
    assert http_trailers == []
    assert end[0] == 2
    assert json.loads(end[5:]) == {"metadata": {"t": ["a", "b"]}}
    end, _ = p.stream_end(setup, ConnectError(Code.DATA_LOSS, "lost"), None)
    assert json.loads(end[5:]) == {"error": {"code": "data_loss", "message": "lost"}}
    assert json.loads(p.stream_end(setup, None, None)[0][5:]) == {}


def test_stream_error_response_without_setup() -> None:
    status, headers, body = _parts(
        proto().stream_error_response(None, ConnectError(Code.INVALID_ARGUMENT, "bad"), None, None)
    )
    assert status == 200
    assert headers == [("content-type", "application/connect+proto")]
    assert body[0] == 2
    assert json.loads(body[5:])["error"]["code"] == "invalid_argument"


def test_stream_decoder() -> None:
    setup = negotiate(
        COLLECT,
        headers={
            "content-type": "application/connect+proto",
            "connect-content-encoding": "gzip",
        },
    )
    d = RequestDecoder(setup, EchoRequest, 1 << 20)
    a = EchoRequest(message="a").SerializeToString()
    b = gzip.compress(EchoRequest(message="b").SerializeToString())
    d.feed(b"\x00" + len(a).to_bytes(4, "big") + a + b"\x01" + len(b).to_bytes(4, "big"))
    assert d.next() == EchoRequest(message="a")
    assert d.next() is None
    d.feed(b)
    assert d.next() == EchoRequest(message="b")
    d.finish()


# -- paths --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "procedure"),
    [
        ("/echo.v1.EchoService/Echo", "/echo.v1.EchoService/Echo"),
        ("/api/v2/echo.v1.EchoService/Echo", "/echo.v1.EchoService/Echo"),
        ("/Echo", "/Echo"),
    ],
)
def test_procedure_of(path: str, procedure: str) -> None:
    assert procedure_of(path) == procedure


def test_parse_query_first_value_wins_and_values_stay_encoded() -> None:
    assert parse_query("a=1&a=2&b=&c=%2B&d&%65=x+y") == {
        "a": "1",
        "b": "",
        "c": "%2B",
        "d": "",
        "e": "x+y",
    }
