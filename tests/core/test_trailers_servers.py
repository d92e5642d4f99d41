"""HTTP trailers are a capability of the server: a protocol that ends its responses with
them (``core.trailers_app``'s, shaped like gRPC) gets them through every server that sends
them, over ASGI (hypercorn, pyvoy) and WSGI (pyvoy's trailers extension), and a readable
refusal, its status in the response head, from every server that does not (uvicorn,
gunicorn, pyvoy's WSGI over HTTP/1.1): never a reply whose trailers are silently lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from e2e.h2client import H2Call
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from servers.run import (
    GUNICORN,
    HYPERCORN,
    PYVOY,
    PYVOY_WSGI,
    UVICORN,
    RunningServer,
    ServerKind,
    start,
)

from connect_core._protocol.envelope import encode_envelope

ECHO = "/echo.v1.EchoService/Echo"
TRAILERS = {"content-type": "application/x-trailers"}
REQUEST = EchoRequest(message="hi", response_trailers={"x-t": "1"}).SerializeToString()


def _app(kind: ServerKind) -> str:
    return "core.trailers_app:" + ("wsgi_app" if kind.interface == "wsgi" else "asgi_app")


@pytest.fixture(params=[HYPERCORN, PYVOY, PYVOY_WSGI], ids=lambda k: k.name)
def h2_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningServer]:
    server = start(request.param, _app(request.param), tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=[UVICORN, GUNICORN, PYVOY_WSGI], ids=lambda k: k.name)
def h1_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningServer]:
    server = start(request.param, _app(request.param), tmp_path)
    try:
        yield server
    finally:
        server.stop()


def test_trailers_go_out_where_the_server_sends_them(h2_server: RunningServer) -> None:
    # As gRPC clients do: hypercorn sends trailers only to a client that says it takes them.
    with H2Call("127.0.0.1", h2_server.port, ECHO, {**TRAILERS, "te": "trailers"}) as call:
        call.send(encode_envelope(0, REQUEST), end=True)
        call.wait_end()
        assert call.status == 200
        ((_flags, data),) = call.envelopes()
        assert EchoResponse.FromString(data).message == "hi"
        assert call.trailers == {"x-status": "ok", "x-t": "1"}
        assert "x-status" not in call.headers


def test_a_client_that_takes_no_trailers_is_refused_readably(h2_server: RunningServer) -> None:
    """Without ``TE: trailers`` the server may drop them (hypercorn does): refused, never
    answered with the trailers lost."""
    with H2Call("127.0.0.1", h2_server.port, ECHO, TRAILERS) as call:
        call.send(encode_envelope(0, REQUEST), end=True)
        call.wait_end()
        assert call.status == 200 and call.body == b""
        assert call.headers["x-status"] == "unimplemented"
        assert call.trailers == {}


def test_a_server_without_trailers_refuses_readably(h1_server: RunningServer) -> None:
    with httpx.Client(base_url=h1_server.url, timeout=10) as http:
        headers = {**TRAILERS, "te": "trailers"}
        r = http.post(ECHO, content=encode_envelope(0, REQUEST), headers=headers)
        assert r.status_code == 200 and r.content == b""
        assert r.headers["x-status"] == "unimplemented"
        assert "HTTP trailers, which this server does not send" in r.headers["x-message"]
        # Connect, which carries its trailers in the body, is served as before.
        r = http.post(ECHO, content=REQUEST, headers={"content-type": "application/proto"})
        assert r.status_code == 200
        assert EchoResponse.FromString(r.content).message == "hi"
        assert r.headers["trailer-x-t"] == "1"
