"""The proto and JSON codecs."""

from __future__ import annotations

import json

import pytest
from echo.v1.echo_pb2 import EchoRequest
from google.protobuf import any_pb2, timestamp_pb2

from connect_core import JSON, PROTO, Code, ConnectError

MSG = EchoRequest(
    message="héllo ✓",
    payload=b"\x00\xff\x10",
    count=3,
    response_headers={"a": "b"},
    sent_at=timestamp_pb2.Timestamp(seconds=1, nanos=5000),
    nested=EchoRequest.Nested(value="n"),
)


@pytest.mark.parametrize("codec", [PROTO, JSON])
def test_round_trip(codec) -> None:  # type: ignore[no-untyped-def]
    assert codec.decode(codec.encode(MSG), EchoRequest) == MSG


def test_names() -> None:
    assert (PROTO.name, JSON.name) == ("proto", "json")


def test_json_is_proto3_mapping() -> None:
    data = json.loads(JSON.encode(MSG))
    assert data["message"] == "héllo ✓"
    assert data["payload"] == "AP8Q"
    assert data["responseHeaders"] == {"a": "b"}
    assert data["sentAt"] == "1970-01-01T00:00:01.000005Z"
    assert "count" in data and data["count"] == 3
    assert "errorCode" not in data  # defaults are omitted
    assert b" " not in JSON.encode(EchoRequest(message="x"))  # compact
    assert "✓".encode() in JSON.encode(MSG)  # UTF-8, not \\u escapes


def test_json_any_detail_round_trip() -> None:
    detail = any_pb2.Any()
    detail.Pack(EchoRequest.Nested(value="d"))
    msg = EchoRequest(error_details=[detail])
    assert JSON.decode(JSON.encode(msg), EchoRequest) == msg


def test_json_accepts_original_field_names_and_ignores_unknown() -> None:
    msg = JSON.decode(b'{"error_code": 4, "unknownField": [1, 2], "message": "m"}', EchoRequest)
    assert (msg.error_code, msg.message) == (4, "m")


def test_json_empty_body_is_default_message() -> None:
    assert JSON.decode(b"", EchoRequest) == EchoRequest()


@pytest.mark.parametrize(
    "data",
    [b"{not json", b"[1,2]", b'{"count": "many"}', b"\xff\xfe", b"[" * 100_000],
)
def test_json_invalid(data: bytes) -> None:
    with pytest.raises(ConnectError) as info:
        JSON.decode(data, EchoRequest)
    assert info.value.code is Code.INVALID_ARGUMENT
    assert "echo.v1.EchoRequest" in info.value.message


@pytest.mark.parametrize("data", [b"\xff\xff\xff", b"\x0a\x05ab", b"\x08"])
def test_proto_invalid(data: bytes) -> None:
    with pytest.raises(ConnectError) as info:
        PROTO.decode(data, EchoRequest)
    assert info.value.code is Code.INVALID_ARGUMENT


@pytest.mark.parametrize("codec", [PROTO, JSON], ids=["proto", "json"])
def test_one_codec_shared_by_threads(codec) -> None:  # type: ignore[no-untyped-def]
    """The codecs are module-level singletons that a WSGI server's threads share: every
    thread's messages must come back whole and its own."""
    import threading

    failures: list[str] = []

    def work(seed: int) -> None:
        for i in range(300):
            msg = EchoRequest(
                message=f"{seed}-{i}" * (1 + i % 40), count=seed, payload=bytes([i % 256]) * i
            )
            try:
                if codec.decode(codec.encode(msg), EchoRequest) != msg:
                    failures.append(f"thread {seed} got another message back")
            except Exception as e:
                failures.append(repr(e))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


@pytest.mark.parametrize(
    "detail",
    [
        {"@type": 5},
        {"@type": ["type.googleapis.com/google.protobuf.Duration"]},
        {"@type": None},
        {"@type": "type.googleapis.com/google.protobuf.Duration"},
        {"@type": "type.googleapis.com/google.protobuf.Int32Value"},
        {"@type": "type.googleapis.com/google.protobuf.Struct"},
    ],
)
def test_json_malformed_any_is_invalid_argument(detail: object) -> None:
    from google.protobuf import duration_pb2, struct_pb2, wrappers_pb2  # noqa: F401 (in the pool)

    data = json.dumps({"message": "m", "errorDetails": [detail]}).encode()
    with pytest.raises(ConnectError) as info:
        JSON.decode(data, EchoRequest)
    assert info.value.code is Code.INVALID_ARGUMENT
