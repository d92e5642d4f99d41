"""Codes, their HTTP mappings, and ConnectError's JSON form."""

from __future__ import annotations

import base64
import json

import pytest
from echo.v1.echo_pb2 import EchoRequest
from google.protobuf import any_pb2, timestamp_pb2

from connect_core import Code, ConnectError, ErrorDetail
from connect_core._protocol.connect_errors import (
    code_for_http_status,
    error_from_json,
    error_to_json,
    http_status,
)

NAMES = [
    "canceled",
    "unknown",
    "invalid_argument",
    "deadline_exceeded",
    "not_found",
    "already_exists",
    "permission_denied",
    "resource_exhausted",
    "failed_precondition",
    "aborted",
    "out_of_range",
    "unimplemented",
    "internal",
    "unavailable",
    "data_loss",
    "unauthenticated",
]
STATUS = [499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401]


@pytest.mark.parametrize("number", range(1, 17))
def test_numbers_names_statuses(number: int) -> None:
    code = Code.from_number(number)
    assert code.number == number
    assert code.value == NAMES[number - 1]
    assert Code.from_name(code.value) is code
    assert http_status(code) == STATUS[number - 1]


@pytest.mark.parametrize("number", [0, 17, -1])
def test_from_number_rejects(number: int) -> None:
    with pytest.raises(ValueError):
        Code.from_number(number)


def test_from_name_unknown() -> None:
    assert Code.from_name("ok") is None
    assert Code.from_name("NOT_FOUND") is None


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, Code.INTERNAL),
        (401, Code.UNAUTHENTICATED),
        (403, Code.PERMISSION_DENIED),
        (404, Code.UNIMPLEMENTED),
        (429, Code.UNAVAILABLE),
        (502, Code.UNAVAILABLE),
        (503, Code.UNAVAILABLE),
        (504, Code.UNAVAILABLE),
        (500, Code.UNKNOWN),
        (418, Code.UNKNOWN),
        (302, Code.UNKNOWN),
    ],
)
def test_from_http_status(status: int, code: Code) -> None:
    assert code_for_http_status(status) is code


def _nested_any(value: str) -> any_pb2.Any:
    a = any_pb2.Any()
    a.Pack(EchoRequest.Nested(value=value))
    return a


def test_json_round_trip_with_details() -> None:
    err = ConnectError(
        Code.NOT_FOUND,
        "gone",
        details=[
            EchoRequest.Nested(value="a"),
            _nested_any("b"),
            ErrorDetail(timestamp_pb2.Timestamp(seconds=1), debug={"seconds": 1}),
        ],
    )
    body = json.loads(error_to_json(err))
    assert body["code"] == "not_found" and body["message"] == "gone"
    d0, d1, d2 = body["details"]
    assert d0["type"] == d1["type"] == "echo.v1.EchoRequest.Nested"
    assert "=" not in d0["value"]  # unpadded base64, as the protocol sends it
    assert d2 == {
        "type": "google.protobuf.Timestamp",
        "value": base64.b64encode(timestamp_pb2.Timestamp(seconds=1).SerializeToString())
        .decode()
        .rstrip("="),
        "debug": {"seconds": 1},
    }
    back = error_from_json(error_to_json(err))
    assert back.wire
    assert (back.code, back.message) == (Code.NOT_FOUND, "gone")
    assert [d.type_name for d in back.details] == [d.type_name for d in err.details]
    assert [d.value for d in back.details] == [d.value for d in err.details]
    assert back.detail(EchoRequest.Nested) == EchoRequest.Nested(value="a")
    assert back.detail(timestamp_pb2.Timestamp) == timestamp_pb2.Timestamp(seconds=1)
    assert back.details[2].debug == {"seconds": 1}


def test_minimal_json() -> None:
    assert json.loads(error_to_json(ConnectError(Code.INTERNAL))) == {"code": "internal"}


def test_from_json_tolerates_padding_and_urlsafe_base64() -> None:
    raw = EchoRequest.Nested(value="\xff\xfe?>").SerializeToString()
    for value in (
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    ):
        body = json.dumps(
            {"code": "aborted", "details": [{"type": "echo.v1.EchoRequest.Nested", "value": value}]}
        ).encode()
        err = error_from_json(body)
        assert err.detail(EchoRequest.Nested) == EchoRequest.Nested(value="\xff\xfe?>")


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (b"<html>bad gateway</html>", Code.UNAVAILABLE, "<html>bad gateway</html>"),
        (b'"just a string"', Code.UNAVAILABLE, "malformed error body"),
        (b'{"code": "no_such_code", "message": "m"}', Code.UNAVAILABLE, "m"),
        (b'{"code": 5, "message": 7}', Code.UNAVAILABLE, ""),
    ],
)
def test_from_json_fallback(body: bytes, code: Code, message: str) -> None:
    err = error_from_json(body, fallback=Code.UNAVAILABLE)
    assert (err.code, err.message) == (code, message)


def test_from_json_skips_bad_details() -> None:
    body = json.dumps(
        {
            "code": "internal",
            "details": [
                "nope",
                {"type": 5},
                {"type": "x.Y", "value": "!!!"},
                {"type": "x.Z", "value": "AAE"},
            ],
        }
    ).encode()
    err = error_from_json(body)
    assert [d.type_name for d in err.details] == ["x.Z"]
    assert err.details[0].value == b"\x00\x01"


def test_detail_unpack_type_mismatch() -> None:
    detail = ErrorDetail(EchoRequest.Nested(value="v"))
    assert detail.unpack(timestamp_pb2.Timestamp) is None
    assert detail.unpack(EchoRequest.Nested) == EchoRequest.Nested(value="v")
    assert detail.as_any().type_url.endswith("/echo.v1.EchoRequest.Nested")


def test_str_and_metadata() -> None:
    err = ConnectError(Code.ABORTED, "m", metadata={"X-A": "1", "x-b": ["2", "3"]})
    assert str(err) == "aborted: m"
    assert str(ConnectError(Code.ABORTED)) == "aborted"
    assert err.metadata == {"x-a": ["1"], "x-b": ["2", "3"]}
