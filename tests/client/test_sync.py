"""The sync client on every sync transport, against the same servers as the async one."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from echo.v1.echo_pb2 import EchoRequest

from client.helpers import Target, detail, sync_client, wait_until
from connect_core import (
    JSON,
    BrotliCompression,
    Code,
    ConnectError,
    GzipCompression,
    ResponseMetadata,
    ZstdCompression,
)


def requests(*messages: str) -> Iterator[EchoRequest]:
    for m in messages:
        yield EchoRequest(message=m)


def test_unary(starget: Target) -> None:
    with sync_client(starget) as client:
        reply = client.echo(
            EchoRequest(message="hello", payload=b"\x00\xff"),
            headers=[("x-tenant", "1")],
            timeout_ms=5000,
        )
        assert (reply.message, reply.payload) == ("hello", b"\x00\xff")
        assert reply.request_headers["x-tenant"] == "1"
        assert 0 < reply.timeout_ms <= 5000
        for i in range(5):  # keep-alive reuse
            assert client.echo_post(EchoRequest(message=str(i))).message == str(i)


@pytest.mark.parametrize("codec", ["proto", "json"])
def test_unary_get(starget: Target, codec: str) -> None:
    options = {"codec": JSON} if codec == "json" else {}
    with sync_client(starget, use_get=True, **options) as client:
        reply = client.echo(EchoRequest(message="get me"))
        assert (reply.message, reply.http_method) == ("get me", "GET")
        # The client-wide use_get leaves methods with side effects on POST.
        assert client.echo_post(EchoRequest(message="post")).http_method == "POST"


@pytest.mark.parametrize("codec", ["proto", "json"])
def test_streams(starget: Target, codec: str) -> None:
    options = {"codec": JSON} if codec == "json" else {}
    with sync_client(starget, **options) as client:
        assert client.collect(requests("a", "b", "c")).message == "a b c"
        assert client.collect([EchoRequest(message="list")]).message == "list"
        assert [m.index for m in client.repeat(EchoRequest(count=4))] == [0, 1, 2, 3]
        if starget.bidi:
            assert [m.message for m in client.chat(requests("x", "y"))] == ["x", "y"]


def test_error_with_details(starget: Target) -> None:
    with sync_client(starget) as client:
        with pytest.raises(ConnectError) as info:
            client.echo(
                EchoRequest(
                    error_code=Code.PERMISSION_DENIED.number,
                    error_message="no",
                    error_details=[detail("why")],
                    response_headers={"x-err": "h"},
                )
            )
        err = info.value
        assert (err.code, err.message) == (Code.PERMISSION_DENIED, "no")
        assert err.detail(EchoRequest.Nested).value == "why"  # type: ignore[union-attr]
        assert err.metadata["x-err"] == ["h"]

        got: list[int] = []
        with pytest.raises(ConnectError) as info, ResponseMetadata() as meta:
            for m in client.repeat(
                EchoRequest(
                    count=2,
                    error_code=Code.ABORTED.number,
                    error_message="stop",
                    response_trailers={"x-t": "end"},
                )
            ):
                got.append(m.index)
        assert got == [0, 1]
        assert (info.value.code, info.value.message) == (Code.ABORTED, "stop")
        assert meta.trailers()["x-t"] == "end"


def test_headers_and_trailers(starget: Target) -> None:
    with sync_client(starget, headers={"x-client": "c"}) as client:
        with ResponseMetadata() as meta:
            reply = client.echo(
                EchoRequest(response_headers={"x-h": "1"}, response_trailers={"x-t": "2"})
            )
        assert reply.request_headers["x-client"] == "c"
        assert (meta.headers()["x-h"], meta.trailers()["x-t"]) == ("1", "2")
        with ResponseMetadata() as meta:
            for _ in client.repeat(
                EchoRequest(count=2, response_headers={"x-h": "3"}, response_trailers={"x-t": "4"})
            ):
                # A stream's headers are readable from its first message on; trailers at the end.
                assert meta.headers()["x-h"] == "3"
                assert "x-t" not in meta.trailers()
        assert (meta.headers()["x-h"], meta.trailers()["x-t"]) == ("3", "4")


@pytest.mark.parametrize("algo", ["gzip", "br", "zstd"])
def test_compression(starget: Target, algo: str) -> None:
    if algo == "zstd" and not starget.zstd:
        pytest.skip("this server does not do zstd")
    comp = {"gzip": GzipCompression, "br": BrotliCompression, "zstd": ZstdCompression}[algo]()
    payload = b"compress me " * 400
    with sync_client(
        starget, send_compression=comp, compress_min_bytes=0, accept_compressions=[comp]
    ) as client:
        with ResponseMetadata() as meta:
            assert client.echo(EchoRequest(payload=payload)).payload == payload
        assert meta.headers().get("content-encoding") == algo
        with ResponseMetadata() as meta:
            got = [m.payload for m in client.repeat(EchoRequest(payload=payload, count=2))]
        assert got == [payload, payload]
        assert meta.headers().get("connect-content-encoding") == algo
        assert client.collect([EchoRequest(payload=payload)] * 2).payload == payload * 2


def test_deadlines(starget: Target) -> None:
    with sync_client(starget) as client:
        started = time.monotonic()
        with pytest.raises(ConnectError) as info:
            client.echo(EchoRequest(delay_ms=800), timeout_ms=150)
        assert info.value.code is Code.DEADLINE_EXCEEDED
        if starget.transport != "wsgi":  # in memory, the handler runs on this very thread
            assert time.monotonic() - started < 0.7
        got: list[int] = []
        with pytest.raises(ConnectError) as info:
            for m in client.repeat(EchoRequest(count=50, delay_ms=40), timeout_ms=300):
                got.append(m.index)
        assert info.value.code is Code.DEADLINE_EXCEEDED
        assert 0 < len(got) < 50
        assert client.echo(EchoRequest(message="after")).message == "after"


def test_closing_a_stream_early(starget: Target) -> None:
    key = uuid.uuid4().hex
    with sync_client(starget) as client:
        stream = client.repeat(EchoRequest(message=key, count=1000, delay_ms=10))
        assert next(stream).index == 0
        stream.close()  # what dropping the generator does too
        if starget.cancel_tracking:

            def released() -> bool:
                reply = client.echo(EchoRequest(message="__active__:" + key))
                return reply.message == "0" and reply.index >= 1

            assert wait_until(released)
        assert client.echo(EchoRequest(message="next")).message == "next"


def test_read_max_bytes(starget: Target) -> None:
    with sync_client(starget, read_max_bytes=1000) as client:
        with pytest.raises(ConnectError) as info:
            client.echo(EchoRequest(payload=b"x" * 2000))
        assert info.value.code is Code.RESOURCE_EXHAUSTED
        with pytest.raises(ConnectError) as info:
            list(client.repeat(EchoRequest(payload=b"x" * 2000, count=1)))
        assert info.value.code is Code.RESOURCE_EXHAUSTED
        assert client.echo(EchoRequest(payload=b"x" * 10)).payload == b"x" * 10
