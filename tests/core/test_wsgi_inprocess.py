"""The WSGI application driven in-process (no server)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from echo.v1.echo_connect import EchoServiceWSGIApplication
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from servers.echo_service import SyncEcho

from .drivers import wsgi_call

pytestmark = pytest.mark.timeout(30)

APP = EchoServiceWSGIApplication(SyncEcho())
PROTO = [("content-type", "application/proto")]
STREAM = [("content-type", "application/connect+proto")]


def env(msg: EchoRequest) -> bytes:
    data = msg.SerializeToString()
    return b"\x00" + len(data).to_bytes(4, "big") + data


def test_unary() -> None:
    r, _ = wsgi_call(
        APP,
        "POST",
        "/echo.v1.EchoService/Echo",
        PROTO,
        EchoRequest(message="wsgi").SerializeToString(),
    )
    assert r.status == 200
    assert int(r.headers["content-length"]) == len(r.body)
    m = EchoResponse.FromString(r.body)
    assert m.message == "wsgi"
    assert m.request_headers["content-type"] == "application/proto"


def test_chunked_request_body_without_content_length() -> None:
    body = b"".join(env(EchoRequest(message=w)) for w in ["x", "y"])
    r, _ = wsgi_call(
        APP,
        "POST",
        "/echo.v1.EchoService/Collect",
        STREAM,
        [body[i : i + 3] for i in range(0, len(body), 3)],
    )
    assert r.status == 200
    size = int.from_bytes(r.body[1:5], "big")
    assert EchoResponse.FromString(r.body[5 : 5 + size]).message == "x y"


def test_unknown_path_and_method() -> None:
    r, _ = wsgi_call(APP, "POST", "/nope.v1.Nope/Nope", PROTO)
    assert r.status == 404
    r, _ = wsgi_call(APP, "PUT", "/echo.v1.EchoService/Echo", PROTO)
    assert r.status == 405


def test_closing_response_closes_handler_generator() -> None:
    """The server closes the response iterable when the client goes away: the handler's
    generator must be closed (its ``finally`` runs) rather than left suspended."""
    log: list[str] = []

    class Endless(SyncEcho):
        def repeat(self, request, ctx) -> Iterator[EchoResponse]:  # type: ignore[no-untyped-def, override]
            try:
                for i in range(10**9):
                    yield EchoResponse(index=i)
            finally:
                log.append("closed")

    app = EchoServiceWSGIApplication(Endless())
    r, _ = wsgi_call(
        app, "POST", "/echo.v1.EchoService/Repeat", STREAM, env(EchoRequest()), consume=2
    )
    assert len(r.chunks) == 2
    assert log == ["closed"]


def test_sync_deadline_replaces_late_result() -> None:
    r, _ = wsgi_call(
        APP,
        "POST",
        "/echo.v1.EchoService/Echo",
        [*PROTO, ("connect-timeout-ms", "20")],
        EchoRequest(delay_ms=60).SerializeToString(),
    )
    assert r.status == 504
    assert json.loads(r.body)["code"] == "deadline_exceeded"


def test_sync_stream_deadline_between_messages() -> None:
    r, _ = wsgi_call(
        APP,
        "POST",
        "/echo.v1.EchoService/Repeat",
        [*STREAM, ("connect-timeout-ms", "100")],
        env(EchoRequest(count=50, delay_ms=30)),
    )
    body, msgs, pos = r.body, 0, 0
    while True:
        size = int.from_bytes(body[pos + 1 : pos + 5], "big")
        if body[pos] & 2:
            end = json.loads(body[pos + 5 : pos + 5 + size])
            break
        msgs += 1
        pos += 5 + size
    assert 1 <= msgs <= 4
    assert end["error"]["code"] == "deadline_exceeded"


class _ShortInput:
    """A ``wsgi.input`` that ends before its ``Content-Length`` (a client that went away)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self, size: int = -1) -> bytes:
        data, self._data = self._data, b""
        return data


@pytest.mark.parametrize(
    ("procedure", "headers", "body"),
    [
        ("Echo", PROTO, EchoRequest(message="cut").SerializeToString()),
        ("Collect", STREAM, env(EchoRequest(message="cut"))),
    ],
    ids=["unary", "client-stream"],
)
def test_body_shorter_than_its_content_length_is_an_error(
    procedure: str, headers: list[tuple[str, str]], body: bytes
) -> None:
    """A body that ends before its declared length never becomes an empty or partial
    message: the call fails with ``invalid_argument`` naming both lengths."""
    result: list[bytes] = []
    status: list[str] = []

    def start_response(s: str, hdrs: list[tuple[str, str]], exc_info: object = None) -> None:
        status.append(s)

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"/echo.v1.EchoService/{procedure}",
        "QUERY_STRING": "",
        "CONTENT_TYPE": headers[0][1],
        "CONTENT_LENGTH": str(len(body) + 10),
        "wsgi.input": _ShortInput(body),
    }
    result = list(APP(environ, start_response))
    data = b"".join(result)
    if procedure == "Echo":
        assert status[0].startswith("400"), status
        error = json.loads(data)
    else:
        assert status[0].startswith("200"), status
        assert data[0] == 2
        error = json.loads(data[5:])["error"]
    assert error["code"] == "invalid_argument"
    assert f"after {len(body)} of the {len(body) + 10} bytes" in error["message"]


class _BrokenInput:
    """A ``wsgi.input`` that fails part-way, as gunicorn's does for a truncated chunked body
    (``NoMoreData``, an ``IOError``)."""

    def __init__(self, first: bytes) -> None:
        self._first = first

    def read(self, size: int = -1) -> bytes:
        if self._first:
            first, self._first = self._first, b""
            return first
        raise OSError("No more data after: b''")


@pytest.mark.parametrize(
    ("path", "content_type", "streams"),
    [
        ("/echo.v1.EchoService/Echo", "application/proto", False),
        ("/echo.v1.EchoService/Collect", "application/connect+proto", True),
    ],
)
def test_a_body_that_breaks_is_invalid_argument(
    path: str, content_type: str, streams: bool
) -> None:
    statuses: list[str] = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "CONTENT_TYPE": content_type,
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input": _BrokenInput(b"\x00\x00\x00"),
    }
    body = b"".join(APP(environ, lambda status, headers, exc=None: statuses.append(status)))
    if streams:
        assert statuses == ["200 OK"]
        assert json.loads(body[5:])["error"]["code"] == "invalid_argument"
    else:
        assert statuses == ["400 Bad Request"]
        assert json.loads(body)["code"] == "invalid_argument"


def test_a_content_length_that_is_not_a_number_is_invalid_argument() -> None:
    statuses: list[str] = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/echo.v1.EchoService/Echo",
        "CONTENT_TYPE": "application/proto",
        "CONTENT_LENGTH": "ten",
        "wsgi.input": _BrokenInput(b""),
    }
    body = b"".join(APP(environ, lambda status, headers, exc=None: statuses.append(status)))
    assert statuses == ["400 Bad Request"]
    error = json.loads(body)
    assert error["code"] == "invalid_argument"
    assert "Content-Length 'ten' is not a number" in error["message"]
