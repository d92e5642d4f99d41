"""The Connect wire format against real servers, with raw httpx as the client.

Every test runs against every integration serving the echo service (``INTEGRATIONS`` in
``tests/servers/integrations.py``: the core ASGI app under uvicorn and hypercorn (h2c), the
core WSGI app under gunicorn, FastAPI's ``ConnectRouter`` under uvicorn and hypercorn, ...).
Requests and responses are built and parsed by hand (``wire.py``), so these tests pin down the
bytes on the wire, not a client library's reading of them.
"""

from __future__ import annotations

import base64
import gzip
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from echo.v1.echo_pb2 import EchoRequest
from google.protobuf import any_pb2, timestamp_pb2
from servers.integrations import WireServer

from .wire import (
    COMPRESSORS,
    DECOMPRESSORS,
    b64,
    call_stream,
    call_unary,
    chunked,
    client_for,
    encode,
    envelope,
    get_unary,
    post_stream,
    post_unary,
)

pytestmark = pytest.mark.timeout(60)

# The Connect protocol's code -> HTTP status table, written out independently of the core.
HTTP_STATUS = {
    1: ("canceled", 499),
    2: ("unknown", 500),
    3: ("invalid_argument", 400),
    4: ("deadline_exceeded", 504),
    5: ("not_found", 404),
    6: ("already_exists", 409),
    7: ("permission_denied", 403),
    8: ("resource_exhausted", 429),
    9: ("failed_precondition", 400),
    10: ("aborted", 409),
    11: ("out_of_range", 400),
    12: ("unimplemented", 501),
    13: ("internal", 500),
    14: ("unavailable", 503),
    15: ("data_loss", 500),
    16: ("unauthenticated", 401),
}

BIG = bytes(range(256)) * 16  # 4 KiB, above the default 1 KiB compression threshold


@pytest.fixture
def client(server: WireServer) -> Iterator[httpx.Client]:
    """An HTTP client of the integration under test (h2c for HTTP/2 servers)."""
    with client_for(server) as c:
        yield c


def assert_serves(client: httpx.Client) -> None:
    """The server still answers a plain call correctly, on the same connection."""
    r = call_unary(client, "Echo", EchoRequest(message="still alive"))
    assert r.status == 200, r.body
    assert r.message().message == "still alive"


def assert_serves_fresh(server: WireServer) -> None:
    """The server still answers on a new connection.

    Used after a request whose body the server refused part-way: the server may then close
    that connection rather than read the rest (gunicorn drains at most 64 KiB of an unread
    body before giving up on keep-alive), which is legitimate.
    """
    with client_for(server) as fresh:
        assert_serves(fresh)


def nested_detail(value: str) -> any_pb2.Any:
    detail = any_pb2.Any()
    detail.Pack(EchoRequest.Nested(value=value))
    return detail


# -- unary ------------------------------------------------------------------------------------


def test_unary_proto(server: WireServer, client: httpx.Client) -> None:
    r = call_unary(client, "Echo", EchoRequest(message="hello", payload=b"\x00\xff"))
    assert r.status == 200
    assert r.headers["content-type"] == "application/proto"
    assert "content-encoding" not in r.headers
    m = r.message()
    assert (m.message, m.payload, m.http_method, m.timeout_ms) == ("hello", b"\x00\xff", "POST", -1)
    assert m.request_headers["content-type"] == "application/proto"
    # The metadata interceptor ran: header from on_start, trailer (its token) from on_end.
    assert r.headers["x-interceptor"] == server.stamp
    assert r.headers["trailer-x-interceptor-end"] == "Echo"


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
def test_unary_json(client: httpx.Client, content_type: str) -> None:
    body = json.dumps({"message": "héllo", "payload": base64.b64encode(b"\x01\x02").decode()})
    r = post_unary(client, "EchoPost", body.encode(), content_type)
    assert r.status == 200, r.body
    assert r.headers["content-type"] == "application/json"
    data = r.json()
    assert data["message"] == "héllo"
    assert base64.b64decode(data["payload"]) == b"\x01\x02"
    assert data["httpMethod"] == "POST"


def test_unary_empty_body_is_default_message(client: httpx.Client) -> None:
    for ct in ("application/proto", "application/json"):
        r = post_unary(client, "Echo", b"", ct)
        assert r.status == 200, (ct, r.body)
        assert r.message(ct.split("/")[1]).message == ""


def test_unary_get_proto_base64(client: httpx.Client) -> None:
    msg = EchoRequest(message="via get", payload=b"\xfb\xff")  # forces '-' / '_' in base64url
    params = {
        "connect": "v1",
        "encoding": "proto",
        "base64": "1",
        "message": b64(msg.SerializeToString()),
    }
    r = get_unary(client, "Echo", params)
    assert r.status == 200, r.body
    m = r.message()
    assert (m.message, m.payload, m.http_method) == ("via get", b"\xfb\xff", "GET")


def test_unary_get_json_percent_encoded(client: httpx.Client) -> None:
    params = {"connect": "v1", "encoding": "json", "message": '{"message": "a&b=c d/é?"}'}
    r = get_unary(client, "Echo", params)
    assert r.status == 200, r.body
    assert r.headers["content-type"] == "application/json"
    assert r.json()["message"] == "a&b=c d/é?"
    assert r.json()["httpMethod"] == "GET"


def test_unary_get_compressed(client: httpx.Client) -> None:
    data = gzip.compress(EchoRequest(message="zipped get").SerializeToString())
    params = {
        "connect": "v1",
        "encoding": "proto",
        "base64": "1",
        "compression": "gzip",
        "message": b64(data),
    }
    r = get_unary(client, "Echo", params)
    assert r.status == 200, r.body
    assert r.message().message == "zipped get"


def test_unary_get_missing_encoding(client: httpx.Client) -> None:
    r = get_unary(client, "Echo", {"connect": "v1", "message": "{}"})
    assert r.status == 400
    assert r.json()["code"] == "invalid_argument"
    assert_serves(client)


def test_get_on_post_only_method_is_405(client: httpx.Client) -> None:
    params = {"connect": "v1", "encoding": "json", "message": "{}"}
    r = get_unary(client, "EchoPost", params)
    assert r.status == 405
    assert r.headers["allow"] == "POST"
    assert_serves(client)


@pytest.mark.parametrize("method", ["Repeat", "Collect"])
def test_get_on_streaming_method_is_405(client: httpx.Client, method: str) -> None:
    r = get_unary(client, method, {"connect": "v1", "encoding": "json", "message": "{}"})
    assert r.status == 405


# -- streams ----------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["proto", "json"])
def test_server_stream(server: WireServer, client: httpx.Client, codec: str) -> None:
    s = call_stream(client, "Repeat", [EchoRequest(message="r", count=3)], codec)
    assert s.status == 200
    assert s.headers["content-type"] == f"application/connect+{codec}"
    msgs = s.messages()
    assert [(m.message, m.index) for m in msgs] == [("r", 0), ("r", 1), ("r", 2)]
    assert s.error is None
    assert s.end["metadata"]["x-interceptor-end"] == ["Repeat"]
    assert s.headers["x-interceptor"] == server.stamp


@pytest.mark.parametrize("codec", ["proto", "json"])
def test_client_stream_chunked_at_odd_boundaries(client: httpx.Client, codec: str) -> None:
    body = b"".join(
        envelope(encode(EchoRequest(message=w, payload=w.encode()), codec))
        for w in ["alpha", "beta", "gamma"]
    )
    # Send the body in 3-byte pieces so envelopes straddle reads.
    s = post_stream(client, "Collect", chunked(body, 3), codec)
    assert s.status == 200
    [m] = s.messages()
    assert (m.message, m.payload, m.index) == ("alpha beta gamma", b"alphabetagamma", 3)
    assert s.error is None
    assert s.end["metadata"]["x-interceptor-end"] == ["Collect"]


def test_client_stream_empty(client: httpx.Client) -> None:
    s = post_stream(client, "Collect", b"")
    assert s.status == 200
    [m] = s.messages()
    assert (m.message, m.index) == ("", 0)
    assert s.error is None


@pytest.mark.parametrize("codec", ["proto", "json"])
def test_bidi_half_duplex(client: httpx.Client, codec: str) -> None:
    msgs = [EchoRequest(message=f"m{i}") for i in range(4)]
    s = call_stream(client, "Chat", msgs, codec)
    assert s.status == 200
    assert [(m.message, m.index) for m in s.messages()] == [(f"m{i}", i) for i in range(4)]
    assert s.error is None


def test_stream_error_after_messages_with_details_and_trailers(client: httpx.Client) -> None:
    req = EchoRequest(
        message="e",
        count=2,
        error_code=9,
        error_message="stop here",
        error_details=[nested_detail("why")],
        response_headers={"x-head": "h1"},
        response_trailers={"x-trail": "t1"},
    )
    s = call_stream(client, "Repeat", [req])
    assert s.status == 200
    assert s.headers["x-head"] == "h1"
    assert "trailer-x-trail" not in s.headers  # stream trailers travel in the end message
    assert [m.index for m in s.messages()] == [0, 1]
    err = s.error
    assert err is not None
    assert (err["code"], err["message"]) == ("failed_precondition", "stop here")
    [detail] = err["details"]
    assert detail["type"] == "echo.v1.EchoRequest.Nested"
    assert EchoRequest.Nested.FromString(_unb64(detail["value"])).value == "why"
    assert detail["debug"] == {"value": "why"}
    assert s.end["metadata"]["x-trail"] == ["t1"]


def test_stream_error_before_first_message(client: httpx.Client) -> None:
    req = EchoRequest(
        count=0, error_code=7, error_message="nope", response_headers={"x-early": "yes"}
    )
    s = call_stream(client, "Repeat", [req], "json")
    assert s.status == 200
    assert s.headers["content-type"] == "application/connect+json"
    assert s.headers["x-early"] == "yes"
    assert s.messages() == []
    assert s.error == {"code": "permission_denied", "message": "nope"}


def test_client_stream_error(client: httpx.Client) -> None:
    msgs = [EchoRequest(message="ok"), EchoRequest(error_code=10, error_message="abort")]
    s = call_stream(client, "Collect", msgs)
    assert s.status == 200
    assert s.messages() == []
    assert s.error == {"code": "aborted", "message": "abort"}


def test_bidi_error_mid_stream(client: httpx.Client) -> None:
    msgs = [EchoRequest(message="a"), EchoRequest(message="b", error_code=11)]
    s = call_stream(client, "Chat", msgs)
    assert [m.message for m in s.messages()] == ["a"]
    assert s.error is not None and s.error["code"] == "out_of_range"


# -- compression ------------------------------------------------------------------------------


@pytest.mark.parametrize("algo", ["gzip", "br", "zstd"])
def test_unary_compression_both_ways(client: httpx.Client, algo: str) -> None:
    data = EchoRequest(message="squeeze", payload=BIG).SerializeToString()
    r = post_unary(
        client,
        "Echo",
        COMPRESSORS[algo](data),
        "application/proto",
        {"content-encoding": algo, "accept-encoding": algo},
    )
    assert r.status == 200, r.body
    assert r.headers["content-encoding"] == algo
    assert len(r.body) < len(BIG)
    from echo.v1.echo_pb2 import EchoResponse

    m = EchoResponse.FromString(DECOMPRESSORS[algo](r.body))
    assert (m.message, m.payload) == ("squeeze", BIG)


def test_unary_small_response_not_compressed(client: httpx.Client) -> None:
    r = post_unary(
        client,
        "Echo",
        EchoRequest(message="tiny").SerializeToString(),
        "application/proto",
        {"accept-encoding": "gzip", "user-agent": "t"},
    )
    assert r.status == 200
    assert "content-encoding" not in r.headers
    assert r.message().message == "tiny"


def test_unary_accept_encoding_preference(client: httpx.Client) -> None:
    r = post_unary(
        client,
        "Echo",
        EchoRequest(payload=BIG).SerializeToString(),
        "application/proto",
        {"accept-encoding": "snappy, zstd;q=0.9, gzip"},
    )
    assert r.status == 200
    assert r.headers["content-encoding"] == "zstd"


@pytest.mark.parametrize("algo", ["gzip", "br", "zstd"])
def test_stream_compression_both_ways(client: httpx.Client, algo: str) -> None:
    msgs = [
        EchoRequest(message="big", payload=BIG, count=2),
    ]
    s = call_stream(
        client, "Repeat", msgs, compression=algo, headers={"connect-accept-encoding": algo}
    )
    assert s.status == 200
    assert s.headers["connect-content-encoding"] == algo
    assert [flags for flags, _ in s.frames[:-1]] == [0x01, 0x01]  # both messages compressed
    assert [m.payload for m in s.messages()] == [BIG, BIG]
    assert s.error is None


def test_stream_small_messages_not_compressed(client: httpx.Client) -> None:
    s = call_stream(
        client,
        "Chat",
        [EchoRequest(message="s")],
        compression="gzip",
        headers={"connect-accept-encoding": "gzip"},
    )
    assert s.status == 200
    assert s.headers["connect-content-encoding"] == "gzip"
    assert [flags for flags, _ in s.frames] == [0x00, 0x02]
    assert s.messages()[0].message == "s"


def test_stream_mixed_compressed_and_plain_request_messages(client: httpx.Client) -> None:
    body = envelope(gzip.compress(EchoRequest(message="z").SerializeToString()), 0x01)
    body += envelope(EchoRequest(message="p").SerializeToString())
    s = post_stream(client, "Collect", body, headers={"connect-content-encoding": "gzip"})
    assert s.messages()[0].message == "z p"


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("number", sorted(HTTP_STATUS))
def test_unary_error_code_to_http_status(client: httpx.Client, number: int) -> None:
    name, status = HTTP_STATUS[number]
    r = call_unary(client, "Echo", EchoRequest(error_code=number, error_message=f"m{number}"))
    assert r.status == status
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"code": name, "message": f"m{number}"}


@pytest.mark.parametrize("codec", ["proto", "json"])
def test_unary_error_details_headers_trailers(client: httpx.Client, codec: str) -> None:
    other = any_pb2.Any()
    other.Pack(timestamp_pb2.Timestamp(seconds=3))
    req = EchoRequest(
        error_code=5,
        error_message="missing",
        error_details=[nested_detail("d1"), other],
        response_headers={"x-h": "hv"},
        response_trailers={"x-t": "tv"},
    )
    r = call_unary(client, "EchoPost", req, codec)
    assert r.status == 404
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-h"] == "hv"
    assert r.headers["trailer-x-t"] == "tv"
    body = r.json()
    assert (body["code"], body["message"]) == ("not_found", "missing")
    d1, d2 = body["details"]
    assert d1["type"] == "echo.v1.EchoRequest.Nested"
    assert d1["debug"] == {"value": "d1"}
    assert EchoRequest.Nested.FromString(_unb64(d1["value"])).value == "d1"
    assert d2["type"] == "google.protobuf.Timestamp"
    assert timestamp_pb2.Timestamp.FromString(_unb64(d2["value"])).seconds == 3
    assert d2["debug"] == "1970-01-01T00:00:03Z"


def test_unary_response_headers_and_trailers(client: httpx.Client) -> None:
    req = EchoRequest(
        message="m",
        response_headers={"x-one": "1", "X-Two": "2"},
        response_trailers={"x-done": "yes"},
    )
    r = call_unary(client, "Echo", req)
    assert r.status == 200
    assert (r.headers["x-one"], r.headers["x-two"]) == ("1", "2")
    assert r.headers["trailer-x-done"] == "yes"
    assert "x-done" not in r.headers


def test_binary_headers(client: httpx.Client) -> None:
    raw = b"\x00\x01\xfe\xff binary"
    value = base64.b64encode(raw).decode().rstrip("=")
    out = base64.b64encode(b"\xde\xad\xbe\xef").decode()
    r = call_unary(
        client,
        "Echo",
        EchoRequest(response_headers={"x-out-bin": out}, response_trailers={"x-tr-bin": out}),
        headers={"x-data-bin": value},
    )
    assert r.status == 200
    seen = r.message().request_headers["x-data-bin"]
    assert base64.b64decode(seen + "=" * (-len(seen) % 4)) == raw
    assert base64.b64decode(r.headers["x-out-bin"]) == b"\xde\xad\xbe\xef"
    assert base64.b64decode(r.headers["trailer-x-tr-bin"]) == b"\xde\xad\xbe\xef"


def test_request_headers_reach_handler(client: httpx.Client) -> None:
    r = call_unary(
        client, "Echo", EchoRequest(), headers={"x-custom": "c1", "authorization": "Bearer t"}
    )
    seen = r.message().request_headers
    assert seen["x-custom"] == "c1"
    assert seen["authorization"] == "Bearer t"


# -- deadlines --------------------------------------------------------------------------------


def test_unary_deadline_exceeded(server: WireServer, client: httpx.Client) -> None:
    start = time.monotonic()
    r = call_unary(client, "Echo", EchoRequest(delay_ms=500), headers={"connect-timeout-ms": "50"})
    elapsed = time.monotonic() - start
    assert r.status == 504
    assert r.json()["code"] == "deadline_exceeded"
    if server.async_handlers:
        # Async handlers are cancelled at the deadline; sync ones run to completion.
        assert elapsed < 0.4, elapsed
    assert_serves(client)


def test_server_stream_deadline_exceeded(client: httpx.Client) -> None:
    s = call_stream(
        client,
        "Repeat",
        [EchoRequest(count=3, delay_ms=500)],
        headers={"connect-timeout-ms": "50"},
    )
    assert s.status == 200
    assert s.messages() == []
    assert s.error is not None and s.error["code"] == "deadline_exceeded"


def test_server_stream_deadline_mid_stream(client: httpx.Client) -> None:
    s = call_stream(
        client,
        "Repeat",
        [EchoRequest(count=20, delay_ms=100)],
        headers={"connect-timeout-ms": "350"},
    )
    assert s.status == 200
    assert 1 <= len(s.messages()) <= 4
    assert s.error is not None and s.error["code"] == "deadline_exceeded"


def test_handler_sees_remaining_timeout(client: httpx.Client) -> None:
    r = call_unary(client, "Echo", EchoRequest(), headers={"connect-timeout-ms": "5000"})
    remaining = r.message().timeout_ms
    assert 0 < remaining < 5000


@pytest.mark.parametrize("value", ["abc", "-5", "12345678901", "1.5"])
def test_invalid_timeout_header(client: httpx.Client, value: str) -> None:
    r = call_unary(client, "Echo", EchoRequest(), headers={"connect-timeout-ms": value})
    assert r.status == 400
    assert r.json()["code"] == "invalid_argument"
    assert_serves(client)


# -- limits -----------------------------------------------------------------------------------


def test_unary_message_over_limit(server: WireServer, client: httpx.Client) -> None:
    big = EchoRequest(payload=b"x" * (5 * 1024 * 1024)).SerializeToString()
    r = post_unary(client, "Echo", big)
    assert r.status == 429
    assert r.json()["code"] == "resource_exhausted"
    assert_serves_fresh(server)


def test_stream_message_over_limit(server: WireServer, client: httpx.Client) -> None:
    big = EchoRequest(payload=b"x" * (5 * 1024 * 1024)).SerializeToString()
    s = post_stream(client, "Collect", envelope(big))
    assert s.status == 200
    assert s.error is not None and s.error["code"] == "resource_exhausted"
    assert_serves_fresh(server)


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """100 MiB of zeros, gzip-compressed (about 100 KiB)."""
    import zlib

    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1024 * 1024)
    return b"".join([*(c.compress(chunk) for _ in range(100)), c.flush()])


def test_unary_gzip_bomb(client: httpx.Client, gzip_bomb: bytes) -> None:
    start = time.monotonic()
    r = post_unary(client, "Echo", gzip_bomb, headers={"content-encoding": "gzip"})
    assert r.status == 429
    assert r.json()["code"] == "resource_exhausted"
    assert time.monotonic() - start < 3
    assert_serves(client)


def test_stream_gzip_bomb(client: httpx.Client, gzip_bomb: bytes) -> None:
    start = time.monotonic()
    s = post_stream(
        client, "Collect", envelope(gzip_bomb, 0x01), headers={"connect-content-encoding": "gzip"}
    )
    assert s.status == 200
    assert s.error is not None and s.error["code"] == "resource_exhausted"
    assert time.monotonic() - start < 3
    assert_serves(client)


# -- bad input --------------------------------------------------------------------------------


def test_truncated_envelope(client: httpx.Client) -> None:
    body = envelope(EchoRequest(message="x").SerializeToString())
    s = post_stream(client, "Collect", body[:-2])
    assert s.status == 200
    assert s.error is not None and s.error["code"] == "invalid_argument"
    assert_serves(client)


def test_truncated_envelope_header(client: httpx.Client) -> None:
    s = post_stream(client, "Collect", b"\x00\x00\x00")
    assert s.error is not None and s.error["code"] == "invalid_argument"
    assert_serves(client)


def test_length_prefix_over_limit(client: httpx.Client) -> None:
    s = post_stream(client, "Collect", b"\x00\xff\xff\xff\xff" + b"abc")
    assert s.status == 200
    assert s.error is not None and s.error["code"] == "resource_exhausted"
    assert_serves(client)


def test_unknown_compression_unary(client: httpx.Client) -> None:
    r = post_unary(client, "Echo", b"\x0a\x01x", headers={"content-encoding": "snappy"})
    assert r.status == 501
    assert r.json()["code"] == "unimplemented"
    assert_serves(client)


def test_unknown_compression_stream(client: httpx.Client) -> None:
    s = post_stream(
        client, "Collect", envelope(b"", 0x01), headers={"connect-content-encoding": "lz4"}
    )
    assert s.status == 200
    assert s.error is not None and s.error["code"] == "unimplemented"
    assert_serves(client)


def test_garbage_json(client: httpx.Client) -> None:
    r = post_unary(client, "Echo", b"{not json", "application/json")
    assert r.status == 400
    assert r.json()["code"] == "invalid_argument"
    assert_serves(client)


def test_garbage_proto(client: httpx.Client) -> None:
    r = post_unary(client, "Echo", b"\xff\xff\xff\xff", "application/proto")
    assert r.status == 400
    assert r.json()["code"] == "invalid_argument"
    assert_serves(client)


def test_garbage_json_in_stream(client: httpx.Client) -> None:
    s = post_stream(client, "Chat", envelope(b"[1, 2"), "json")
    assert s.error is not None and s.error["code"] == "invalid_argument"
    assert_serves(client)


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", ""])
def test_wrong_content_type(client: httpx.Client, content_type: str) -> None:
    r = post_unary(client, "Echo", b"", content_type)
    assert r.status == 415
    assert_serves(client)


def test_unary_content_type_on_stream_method(client: httpx.Client) -> None:
    s = post_stream(client, "Collect", b"", content_type="application/proto")
    assert s.status == 415
    assert_serves(client)


def test_unknown_route(client: httpx.Client) -> None:
    r = post_unary(client, "/echo.v1.EchoService/Nope", b"")
    assert r.status == 404
    assert r.json()["code"] == "unimplemented"
    r = post_unary(client, "/other.v1.Other/Echo", b"")
    assert r.status == 404
    assert_serves(client)


def test_delete_is_405(client: httpx.Client) -> None:
    r = post_unary(client, "Echo", b"", http_method="DELETE")
    assert r.status == 405
    assert "POST" in r.headers["allow"]
    assert_serves(client)


def test_compressed_flag_without_compression(client: httpx.Client) -> None:
    s = post_stream(client, "Collect", envelope(EchoRequest().SerializeToString(), 0x01))
    assert s.status == 200
    assert s.error is not None and s.error["code"] == "internal"
    assert_serves(client)


def test_end_stream_flag_in_request(client: httpx.Client) -> None:
    s = post_stream(client, "Collect", envelope(b"{}", 0x02))
    assert s.error is not None and s.error["code"] == "invalid_argument"
    assert_serves(client)


@pytest.mark.parametrize("n", [0, 2])
def test_server_stream_needs_exactly_one_message(client: httpx.Client, n: int) -> None:
    s = call_stream(client, "Repeat", [EchoRequest(count=1)] * n)
    assert s.status == 200
    assert s.messages() == []
    assert s.error is not None and s.error["code"] == "unimplemented"
    assert_serves(client)


def test_bad_protocol_version(client: httpx.Client) -> None:
    r = call_unary(client, "Echo", EchoRequest(), headers={"connect-protocol-version": "2"})
    assert r.status == 400
    assert r.json()["code"] == "invalid_argument"
    assert_serves(client)


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))
