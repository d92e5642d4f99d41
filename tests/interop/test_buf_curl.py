"""Interop with buf curl (connect-go) over HTTP/1.1 (uvicorn, gunicorn) and h2c (hypercorn)."""

from __future__ import annotations

import base64
import json

import pytest

from .bufcurl import buf_curl, check_compressed_response, check_server_stream

pytestmark = pytest.mark.timeout(60)

ECHO = "echo.v1.EchoService/"


def test_unary(server) -> None:  # type: ignore[no-untyped-def]
    r = buf_curl(server, ECHO + "Echo", '{"message": "from buf"}', headers={"x-buf": "yes"})
    assert r.returncode == 0, r.stderr
    [m] = r.messages
    assert m["message"] == "from buf"
    assert m["httpMethod"] == "POST"
    seen = m["requestHeaders"]
    assert seen["x-buf"] == "yes"
    assert seen["connect-protocol-version"] == "1"
    assert seen["content-type"] == "application/proto"


def test_unary_post_only_method(server) -> None:  # type: ignore[no-untyped-def]
    r = buf_curl(server, ECHO + "EchoPost", '{"message": "post"}')
    assert r.returncode == 0, r.stderr
    assert r.messages[0]["message"] == "post"


def test_unary_compressed_response(server) -> None:  # type: ignore[no-untyped-def]
    check_compressed_response(server, ECHO + "Echo")


def test_server_stream(server) -> None:  # type: ignore[no-untyped-def]
    check_server_stream(server, ECHO + "Repeat")


def test_client_stream(server) -> None:  # type: ignore[no-untyped-def]
    stdin = '{"message": "one"}\n{"message": "two"} {"message": "three"}\n'
    r = buf_curl(server, ECHO + "Collect", stdin=stdin)
    assert r.returncode == 0, r.stderr
    [m] = r.messages
    assert m["message"] == "one two three"
    assert m["index"] == 3


def test_bidi_stream_h2(hypercorn_server) -> None:  # type: ignore[no-untyped-def]
    """buf curl only does bidi over HTTP/2."""
    stdin = '{"message": "a"} {"message": "b"} {"message": "c"}'
    r = buf_curl(hypercorn_server, ECHO + "Chat", stdin=stdin)
    assert r.returncode == 0, r.stderr
    assert [(m["message"], m.get("index", 0)) for m in r.messages] == [("a", 0), ("b", 1), ("c", 2)]


def test_unary_error_with_details(server) -> None:  # type: ignore[no-untyped-def]
    data = json.dumps(
        {
            "errorCode": 5,
            "errorMessage": "no such thing",
            "errorDetails": [
                {"@type": "type.googleapis.com/echo.v1.EchoRequest.Nested", "value": "why"}
            ],
        }
    )
    r = buf_curl(server, ECHO + "Echo", data)
    assert r.code_from_exit == 5
    err = r.error
    assert (err["code"], err["message"]) == ("not_found", "no such thing")
    [detail] = err["details"]
    assert detail["type"] == "echo.v1.EchoRequest.Nested"
    assert base64.b64decode(detail["value"] + "==") == b"\x0a\x03why"


def test_stream_error_after_message(server) -> None:  # type: ignore[no-untyped-def]
    r = buf_curl(
        server,
        ECHO + "Repeat",
        '{"message": "m", "count": 1, "errorCode": 9, "errorMessage": "mid-stream"}',
    )
    assert r.code_from_exit == 9
    assert [m["message"] for m in r.messages] == ["m"]
    assert r.error == {"code": "failed_precondition", "message": "mid-stream"}


def test_unknown_method(server) -> None:  # type: ignore[no-untyped-def]
    """A method the schema knows but the server does not serve: 404 -> unimplemented."""
    r = buf_curl(server, "greet.v1.GreetService/Greet", stdin='{"name": "x"}')
    assert r.code_from_exit == 12
