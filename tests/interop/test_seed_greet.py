"""The seed's greet service (tests/servers/greet_app.py) runs unchanged under real servers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from greet.v1.greet_pb2 import GreetRequest, GreetResponse

from .bufcurl import buf_curl

pytestmark = pytest.mark.timeout(60)

NAMES = ["Ada", "Grace", "Linus"]
EXPECTED = "".join(f"Hello, {n}!\n" for n in NAMES)


@pytest.fixture(
    params=[
        pytest.param("greet_uvicorn", id="uvicorn-asgi"),
        pytest.param("greet_gunicorn", id="gunicorn-wsgi"),
    ]
)
def greet_server(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    return request.getfixturevalue(request.param)


def _envelope(data: bytes) -> bytes:
    return b"\x00" + len(data).to_bytes(4, "big") + data


def test_buf_curl_client_stream(greet_server) -> None:  # type: ignore[no-untyped-def]
    stdin = "\n".join(json.dumps({"name": n}) for n in NAMES)
    r = buf_curl(greet_server, "greet.v1.GreetService/Greet", stdin=stdin, extra=["-v"])
    assert r.returncode == 0, r.stderr
    assert r.messages == [{"greeting": EXPECTED}]
    assert "greet-version: v1" in r.stderr.lower()


@pytest.mark.parametrize("codec", ["proto", "json"])
def test_httpx_client_stream(greet_server, codec: str) -> None:  # type: ignore[no-untyped-def]
    def body() -> Iterator[bytes]:  # a generator: sent chunked, one message per chunk
        for n in NAMES:
            if codec == "proto":
                yield _envelope(GreetRequest(name=n).SerializeToString())
            else:
                yield _envelope(json.dumps({"name": n}).encode())

    with httpx.Client(base_url=greet_server.url, timeout=10) as client:
        r = client.post(
            "/greet.v1.GreetService/Greet",
            content=body(),
            headers={"content-type": f"application/connect+{codec}"},
        )
    assert r.status_code == 200
    assert r.headers["content-type"] == f"application/connect+{codec}"
    assert r.headers["greet-version"] == "v1"
    raw = r.content
    size = int.from_bytes(raw[1:5], "big")
    assert raw[0] == 0
    msg = raw[5 : 5 + size]
    if codec == "proto":
        assert GreetResponse.FromString(msg).greeting == EXPECTED
    else:
        assert json.loads(msg) == {"greeting": EXPECTED}
    end = raw[5 + size :]
    assert end[0] == 2
    assert json.loads(end[5:]) == {}


def test_seed_prints_request_headers(greet_server) -> None:  # type: ignore[no-untyped-def]
    """The seed handler's print() runs in the server process (its output lands in the log)."""
    import time

    with httpx.Client(base_url=greet_server.url, timeout=10) as client:
        r = client.post(
            "/greet.v1.GreetService/Greet",
            content=_envelope(GreetRequest(name="Log").SerializeToString()),
            headers={"content-type": "application/connect+proto", "x-seed-marker": "seen-it"},
        )
    assert r.status_code == 200
    deadline = time.monotonic() + 3
    while "seen-it" not in greet_server.log_tail(100_000):
        assert time.monotonic() < deadline, greet_server.log_tail()
        time.sleep(0.05)
    assert "Request headers: " in greet_server.log_tail(100_000)
