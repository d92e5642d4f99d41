"""A call given the wrong thing fails at once, the same way in both clients, saying what the
method takes: another message type (protobuf would encode it without a word and the server
decode it as its own), a dict, a single message where a stream is expected."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, MutableMapping
from typing import Any

import pytest
from echo.v1.echo_connect import EchoServiceClient, EchoServiceClientSync
from echo.v1.echo_pb2 import EchoRequest
from greet.v1.greet_pb2 import GreetRequest
from servers.integrations import ECHO_ASGI, ServerPool
from servers.run import UVICORN

from connect_core import ASGITransport, WSGITransport

URL = "http://in-memory"


class Recorder:
    """An ASGI and WSGI app that records requests and never answers one: nothing may reach it."""

    def __init__(self) -> None:
        self.requests: list[str] = []

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        self.requests.append(scope["path"])
        raise AssertionError("a request was sent")

    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        self.requests.append(environ["PATH_INFO"])
        raise AssertionError("a request was sent")


def _call_async(recorder: Recorder, method: str, request: Any) -> BaseException:
    app = recorder

    async def run() -> BaseException:
        async with EchoServiceClient(URL, transport=ASGITransport(app)) as client:
            try:
                result = getattr(client, method)(request)
                if hasattr(result, "__aiter__"):
                    async for _ in result:
                        pass
                else:
                    await result
            except Exception as e:
                return e
        raise AssertionError("the call succeeded")

    return asyncio.run(run())


def _call_sync(recorder: Recorder, method: str, request: Any) -> BaseException:
    app = recorder.wsgi
    with EchoServiceClientSync(URL, transport=WSGITransport(app)) as client:
        try:
            result = getattr(client, method)(request)
            if not hasattr(result, "code"):  # a stream's iterator
                for _ in result:
                    pass
        except Exception as e:
            return e
    raise AssertionError("the call succeeded")


CLIENTS = [pytest.param(_call_async, id="async"), pytest.param(_call_sync, id="sync")]


@pytest.mark.parametrize("call", CLIENTS)
@pytest.mark.parametrize(("method", "rpc"), [("echo", "Echo"), ("repeat", "Repeat")])
def test_another_message_type_is_refused(call: Any, method: str, rpc: str) -> None:
    recorder = Recorder()
    error = call(recorder, method, GreetRequest(name="x"))
    assert isinstance(error, TypeError)
    assert str(error) == (
        f"echo.v1.EchoService.{rpc} takes echo.v1.EchoRequest messages, not a "
        "greet.v1.GreetRequest: build the request with EchoRequest(...)"
    )
    assert recorder.requests == []


@pytest.mark.parametrize("call", CLIENTS)
def test_a_dict_is_refused_with_how_to_build_the_message(call: Any) -> None:
    recorder = Recorder()
    error = call(recorder, "echo", {"message": "x"})
    assert isinstance(error, TypeError)
    assert str(error) == (
        "echo.v1.EchoService.Echo takes echo.v1.EchoRequest messages, not a dict: build the "
        "request with EchoRequest(...); EchoRequest(**fields) builds one from a dict"
    )
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("call", "kinds"),
    [
        pytest.param(_call_async, "a list, a generator or an async iterable", id="async"),
        pytest.param(_call_sync, "a list or a generator", id="sync"),
    ],
)
@pytest.mark.parametrize(
    ("method", "rpc", "kind"),
    [("collect", "Collect", "client-streaming"), ("chat", "Chat", "bidi-streaming")],
)
def test_a_single_message_where_a_stream_is_expected(
    call: Any, kinds: str, method: str, rpc: str, kind: str
) -> None:
    """Both twins refuse it (the sync client once sent it as a one-message stream, the async
    one failed with ``'EchoRequest' object is not iterable``)."""
    recorder = Recorder()
    error = call(recorder, method, EchoRequest(message="x"))
    assert isinstance(error, TypeError)
    assert str(error) == (
        f"echo.v1.EchoService.{rpc} is {kind}: pass an iterable of echo.v1.EchoRequest "
        f"messages ({kinds}), not an echo.v1.EchoRequest; for one message, pass "
        "[EchoRequest(...)]"
    )
    assert recorder.requests == []


@pytest.fixture
def echo_url(server_pool: ServerPool) -> str:
    """The echo service on uvicorn: a stream's body goes over a real connection."""
    return server_pool.get(UVICORN, ECHO_ASGI).url


def test_a_wrong_message_inside_a_stream_is_named(echo_url: str) -> None:
    expected = (
        "echo.v1.EchoService.Collect takes echo.v1.EchoRequest messages, not a "
        "greet.v1.GreetRequest: build the request with EchoRequest(...)"
    )

    def messages() -> Iterator[Any]:
        yield EchoRequest(message="fine")
        yield GreetRequest(name="x")

    with EchoServiceClientSync(echo_url) as client, pytest.raises(TypeError) as info:
        client.collect(messages())
    assert str(info.value) == expected

    async def run() -> None:
        async with EchoServiceClient(echo_url) as client:
            with pytest.raises(TypeError) as info:
                await client.collect(messages())
            assert str(info.value) == expected

            async def dicts() -> AsyncIterator[Any]:
                yield {"message": "x"}

            with pytest.raises(TypeError, match="not a dict"):
                await client.collect(dicts())

    asyncio.run(run())
