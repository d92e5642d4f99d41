"""Interop with the official ``connectrpc`` client (PyPI ``connectrpc``, on pyqwest/reqwest),
set up in ``official.py``, against the core applications."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from connectrpc.client import ResponseMetadata
from connectrpc.code import Code
from connectrpc.errors import ConnectError
from echo.v1.echo_pb2 import EchoRequest
from pyqwest import SyncHTTPTransport

from . import official
from .official import CHAT, COLLECT, ECHO, ECHO_POST, REPEAT, detail

pytestmark = pytest.mark.timeout(60)

BIG = bytes(range(256)) * 16


@pytest.fixture
def transport(server) -> Iterator[SyncHTTPTransport]:  # type: ignore[no-untyped-def]
    with official.transport(server.http2) as t:
        yield t


def make_client(server, transport, codec: str = "proto", compression: str | None = None):  # type: ignore[no-untyped-def]
    return official.make_client(server.url, transport, codec, compression)


@pytest.mark.parametrize("codec", ["proto", "json"])
def test_unary(server, transport, codec: str) -> None:  # type: ignore[no-untyped-def]
    with make_client(server, transport, codec) as client, ResponseMetadata() as meta:
        res = client.execute_unary(
            request=EchoRequest(message="official", payload=b"\x00\x01"),
            method=ECHO_POST,
            headers={"x-official": "1"},
        )
    assert (res.message, res.payload, res.http_method) == ("official", b"\x00\x01", "POST")
    assert res.request_headers["x-official"] == "1"
    assert res.request_headers["content-type"] == f"application/{codec}"
    assert meta.headers["x-interceptor"] == server.stamp
    assert meta.trailers["x-interceptor-end"] == "EchoPost"


@pytest.mark.parametrize("codec", ["proto", "json"])
def test_unary_get(server, transport, codec: str) -> None:  # type: ignore[no-untyped-def]
    with make_client(server, transport, codec) as client:
        res = client.execute_unary(request=EchoRequest(message="by get"), method=ECHO, use_get=True)
    assert (res.message, res.http_method) == ("by get", "GET")


@pytest.mark.parametrize("codec", ["proto", "json"])
def test_client_stream(server, transport, codec: str) -> None:  # type: ignore[no-untyped-def]
    def requests() -> Iterator[EchoRequest]:
        for word in ["x", "y", "z"]:
            yield EchoRequest(message=word)

    with make_client(server, transport, codec) as client:
        res = client.execute_client_stream(request=requests(), method=COLLECT)
    assert (res.message, res.index) == ("x y z", 3)


@pytest.mark.parametrize("codec", ["proto", "json"])
def test_server_stream(server, transport, codec: str) -> None:  # type: ignore[no-untyped-def]
    with make_client(server, transport, codec) as client, ResponseMetadata() as meta:
        got = [
            (m.message, m.index)
            for m in client.execute_server_stream(
                request=EchoRequest(
                    message="s", count=4, response_trailers={"x-stream-trailer": "st"}
                ),
                method=REPEAT,
            )
        ]
    assert got == [("s", i) for i in range(4)]
    assert meta.trailers["x-stream-trailer"] == "st"
    assert meta.trailers["x-interceptor-end"] == "Repeat"


@pytest.mark.parametrize("codec", ["proto", "json"])
def test_bidi_stream(server, transport, codec: str) -> None:  # type: ignore[no-untyped-def]
    msgs = [EchoRequest(message=f"b{i}") for i in range(3)]
    with make_client(server, transport, codec) as client:
        got = [
            (m.message, m.index)
            for m in client.execute_bidi_stream(request=iter(msgs), method=CHAT)
        ]
    assert got == [("b0", 0), ("b1", 1), ("b2", 2)]


@pytest.mark.parametrize("algo", ["gzip", "br", "zstd"])
def test_compression_unary_and_stream(server, transport, algo: str) -> None:  # type: ignore[no-untyped-def]
    with make_client(server, transport, compression=algo) as client:
        res = client.execute_unary(request=EchoRequest(payload=BIG), method=ECHO_POST)
        assert res.payload == BIG
        assert res.request_headers["content-encoding"] == algo
        stream = list(
            client.execute_server_stream(request=EchoRequest(payload=BIG, count=2), method=REPEAT)
        )
        assert [m.payload for m in stream] == [BIG, BIG]
        assert stream[0].request_headers["connect-content-encoding"] == algo


def test_unary_error_with_details(server, transport) -> None:  # type: ignore[no-untyped-def]
    with (
        make_client(server, transport) as client,
        ResponseMetadata() as meta,
        pytest.raises(ConnectError) as info,
    ):
        client.execute_unary(
            request=EchoRequest(
                error_code=16,
                error_message="who are you",
                error_details=[detail("detail!")],
                response_headers={"x-err-h": "1"},
                response_trailers={"x-err-t": "2"},
            ),
            method=ECHO_POST,
        )
    err = info.value
    assert (err.code, err.message) == (Code.UNAUTHENTICATED, "who are you")
    [d] = err.details
    assert d.type_name == "echo.v1.EchoRequest.Nested"
    assert EchoRequest.Nested.FromString(d.message_bytes).value == "detail!"
    assert meta.headers["x-err-h"] == "1"
    assert meta.trailers["x-err-t"] == "2"


def test_stream_error_mid_stream(server, transport) -> None:  # type: ignore[no-untyped-def]
    got = []
    with make_client(server, transport) as client, pytest.raises(ConnectError) as info:
        for m in client.execute_server_stream(
            request=EchoRequest(count=2, error_code=14, error_message="later"), method=REPEAT
        ):
            got.append(m.index)
    assert got == [0, 1]
    assert (info.value.code, info.value.message) == (Code.UNAVAILABLE, "later")


def test_timeout_reaches_server(server, transport) -> None:  # type: ignore[no-untyped-def]
    with make_client(server, transport) as client:
        res = client.execute_unary(request=EchoRequest(), method=ECHO_POST, timeout_ms=5000)
        assert 0 < res.timeout_ms <= 5000
        with pytest.raises(ConnectError) as info:
            client.execute_unary(
                request=EchoRequest(delay_ms=1000), method=ECHO_POST, timeout_ms=100
            )
    assert info.value.code == Code.DEADLINE_EXCEEDED


def test_client_stream_error(server, transport) -> None:  # type: ignore[no-untyped-def]
    with make_client(server, transport) as client, pytest.raises(ConnectError) as info:
        client.execute_client_stream(
            request=iter([EchoRequest(message="a"), EchoRequest(error_code=6)]), method=COLLECT
        )
    assert info.value.code == Code.ALREADY_EXISTS
