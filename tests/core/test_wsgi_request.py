"""A WSGI request as the seam reads it: ``environ_headers`` (the head) and
``WSGIRequestBody`` (the body, read as it arrives within its declared length, a broken or
short body as ``invalid_argument``)."""

from __future__ import annotations

import io
from typing import Any

import pytest

from connect_core import Code, ConnectError
from connect_core.server import WSGIRequestBody, environ_headers


def environ(body: bytes | None = None, method: str = "POST", **extra: str) -> dict[str, Any]:
    """A WSGI environ whose input holds ``body``; its ``Content-Length`` is the body's size
    unless ``extra`` says otherwise."""
    env: dict[str, Any] = {"REQUEST_METHOD": method, "wsgi.input": io.BytesIO(body or b"")}
    if body is not None:
        env["CONTENT_LENGTH"] = str(len(body))
    env.update(extra)
    return env


class Trickle:
    """A stream handing out at most ``step`` bytes a read, as a socket may."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = io.BytesIO(data)
        self._step = step
        self.sizes: list[int] = []

    def read(self, size: int = -1) -> bytes:
        self.sizes.append(size)
        return self._data.read(min(size, self._step))


def test_a_declared_body_is_read_to_its_length_and_no_further() -> None:
    env = environ(b"abc")
    env["wsgi.input"] = io.BytesIO(b"abcNEXT-REQUEST")
    body = WSGIRequestBody(env)
    assert list(body) == [b"abc"]
    assert body.done
    assert env["wsgi.input"].read() == b"NEXT-REQUEST"


def test_done_as_soon_as_the_last_declared_byte_arrived() -> None:
    body = WSGIRequestBody(environ(b"x" * 10))
    assert not body.done
    assert next(body) == b"x" * 10
    assert body.done


def test_chunks_come_as_the_stream_hands_them_out() -> None:
    stream = Trickle(b"0123456789", 4)
    body = WSGIRequestBody({"CONTENT_LENGTH": "10", "wsgi.input": None}, stream)
    assert list(body) == [b"0123", b"4567", b"89"]
    assert stream.sizes == [10, 6, 2]


def test_a_body_shorter_than_declared_is_invalid_argument_with_the_counts() -> None:
    env = environ(b"abc", CONTENT_LENGTH="10")
    body = WSGIRequestBody(env)
    assert next(body) == b"abc"
    with pytest.raises(ConnectError) as e:
        next(body)
    assert e.value.code is Code.INVALID_ARGUMENT
    assert "after 3 of the 10 bytes" in e.value.message
    assert body.done
    assert list(body) == []


def test_a_content_length_that_is_not_a_number_is_invalid_argument() -> None:
    body = WSGIRequestBody(environ(b"abc", CONTENT_LENGTH="12abc"))
    with pytest.raises(ConnectError) as e:
        next(body)
    assert e.value.code is Code.INVALID_ARGUMENT
    assert "'12abc' is not a number" in e.value.message
    assert body.done


def test_a_read_the_server_breaks_off_is_invalid_argument() -> None:
    class Broken:
        def read(self, size: int) -> bytes:
            raise OSError("connection reset by peer")

    body = WSGIRequestBody({"CONTENT_LENGTH": "5", "wsgi.input": Broken()})
    with pytest.raises(ConnectError) as e:
        next(body)
    assert e.value.code is Code.INVALID_ARGUMENT
    assert "OSError: connection reset by peer" in e.value.message
    assert "went away" in e.value.message
    assert list(body) == []


def test_a_zero_length_body_is_done_at_once() -> None:
    body = WSGIRequestBody(environ(b""))
    assert body.done
    assert list(body) == []


def test_an_undeclared_body_is_read_to_the_end_of_the_input_with_read1() -> None:
    class Input(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            raise AssertionError("read1 is preferred when the length is unknown")

    stream = Input(b"y" * 100_000)
    body = WSGIRequestBody({"REQUEST_METHOD": "POST", "wsgi.input": stream})
    assert b"".join(body) == b"y" * 100_000
    assert body.done


def test_a_chunked_body_is_read_to_its_end() -> None:
    env = environ(method="POST", HTTP_TRANSFER_ENCODING="Chunked")
    env["wsgi.input"] = io.BytesIO(b"streamed")
    assert list(WSGIRequestBody(env)) == [b"streamed"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_get_without_a_body_reads_nothing(method: str) -> None:
    class Untouchable:
        def read(self, size: int = -1) -> bytes:
            raise AssertionError("a GET without a body must not wait on the input")

        read1 = read

    body = WSGIRequestBody({"REQUEST_METHOD": method, "wsgi.input": Untouchable()})
    assert body.done
    assert list(body) == []


def test_environ_headers_are_the_http_keys_and_the_content_pair() -> None:
    env = environ(b"abc", CONTENT_TYPE="application/proto", HTTP_USER_AGENT="ua/1")
    env.update(HTTP_X_NEVER_SEEN_BEFORE_1="one", PATH_INFO="/a", QUERY_STRING="q=1")
    for _ in range(2):  # the second time from the cache of names
        headers = environ_headers(env)
        assert headers.first_values() == {
            "content-length": "3",
            "content-type": "application/proto",
            "user-agent": "ua/1",
            "x-never-seen-before-1": "one",
        }
        assert headers.get("User-Agent") == "ua/1"
        assert headers.getall("x-never-seen-before-1") == ["one"]


def test_environ_headers_skip_an_empty_content_length() -> None:
    env = environ(method="GET", CONTENT_LENGTH="", CONTENT_TYPE="")
    headers = environ_headers(env)
    assert "content-length" not in headers
    assert headers.get("content-type") == ""


def test_a_chunked_body_under_wsgiref_is_refused_not_read_as_empty() -> None:
    """The standard library's server (Django's runserver) hands over no chunked body: the
    call is refused with ``unimplemented`` naming servers that read one."""
    environ = {
        "REQUEST_METHOD": "POST",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "SERVER_SOFTWARE": "WSGIServer/0.2 CPython/3.11.7",
        "wsgi.input": io.BytesIO(b""),
    }
    body = WSGIRequestBody(environ)
    with pytest.raises(ConnectError) as caught:
        next(body)
    assert caught.value.code is Code.UNIMPLEMENTED
    assert "cannot read a chunked request body" in caught.value.message
    assert "gunicorn" in caught.value.message
    assert body.done
    # Other servers that declare a chunked body hand it over de-chunked.
    environ["SERVER_SOFTWARE"] = "gunicorn/23.0.0"
    environ["wsgi.input"] = io.BytesIO(b"abc")
    assert list(WSGIRequestBody(environ)) == [b"abc"]
