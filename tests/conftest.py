"""Shared fixtures: generated code on ``sys.path`` and real servers, started once per session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
for _p in (TESTS_DIR / "gen", TESTS_DIR):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from servers.run import (  # noqa: E402
    GRANIAN,
    GUNICORN,
    HYPERCORN,
    PYVOY,
    UVICORN,
    RunningServer,
    ServerKind,
    start,
)

ECHO_ASGI = "servers.apps:asgi_app"
ECHO_WSGI = "servers.apps:wsgi_app"
GREET_ASGI = "servers.greet_app:app"
GREET_WSGI = "servers.greet_app:wsgi_app"


def _serve(
    tmp_path_factory: pytest.TempPathFactory, kind: ServerKind, app: str
) -> Iterator[RunningServer]:
    server = start(kind, app, tmp_path_factory.mktemp(f"{kind.name}-logs"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def uvicorn_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The echo ASGI app under uvicorn (HTTP/1.1)."""
    yield from _serve(tmp_path_factory, UVICORN, ECHO_ASGI)


@pytest.fixture(scope="session")
def hypercorn_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The echo ASGI app under hypercorn (tests talk h2c, HTTP/2 prior knowledge)."""
    yield from _serve(tmp_path_factory, HYPERCORN, ECHO_ASGI)


@pytest.fixture(scope="session")
def gunicorn_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The echo WSGI app under gunicorn (gthread workers, HTTP/1.1)."""
    yield from _serve(tmp_path_factory, GUNICORN, ECHO_WSGI)


@pytest.fixture(scope="session")
def granian_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The echo ASGI app under granian (HTTP/2 only, h2c)."""
    yield from _serve(tmp_path_factory, GRANIAN, ECHO_ASGI)


@pytest.fixture(scope="session")
def pyvoy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The echo ASGI app under pyvoy (Envoy; h2c by prior knowledge)."""
    yield from _serve(tmp_path_factory, PYVOY, ECHO_ASGI)


@pytest.fixture(
    params=[
        pytest.param("hypercorn_server", id="hypercorn"),
        pytest.param("granian_server", id="granian"),
        pytest.param("pyvoy_server", id="pyvoy"),
    ]
)
def h2_server(request: pytest.FixtureRequest) -> RunningServer:
    """Each HTTP/2 (h2c) ASGI server running the echo application."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def greet_uvicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The seed's greet ASGI app under uvicorn."""
    yield from _serve(tmp_path_factory, UVICORN, GREET_ASGI)


@pytest.fixture(scope="session")
def greet_gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The seed's greet WSGI app under gunicorn."""
    yield from _serve(tmp_path_factory, GUNICORN, GREET_WSGI)


SERVER_PARAMS = [
    pytest.param("uvicorn_server", id="uvicorn-asgi"),
    pytest.param("hypercorn_server", id="hypercorn-asgi-h2c"),
    pytest.param("gunicorn_server", id="gunicorn-wsgi"),
]


@pytest.fixture(params=SERVER_PARAMS)
def server(request: pytest.FixtureRequest) -> RunningServer:
    """Each echo server in turn."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


@pytest.fixture(
    params=[
        pytest.param("uvicorn_server", id="uvicorn-asgi"),
        pytest.param("hypercorn_server", id="hypercorn-asgi-h2c"),
    ]
)
def asgi_server(request: pytest.FixtureRequest) -> RunningServer:
    """Each echo server running the ASGI application."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]
