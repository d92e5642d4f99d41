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

from servers.integrations import (  # noqa: E402
    ECHO_ASGI,
    ECHO_WSGI,
    GREET_ASGI,
    GREET_WSGI,
    ServerPool,
    WireServer,
    integration_params,
)
from servers.run import (  # noqa: E402
    GRANIAN,
    GUNICORN,
    HYPERCORN,
    PYVOY,
    UVICORN,
    RunningServer,
)


@pytest.fixture(scope="session")
def server_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    """The real servers of the session: each starts the first time a test needs it."""
    pool = ServerPool(tmp_path_factory.mktemp("server-logs"))
    try:
        yield pool
    finally:
        pool.stop()


@pytest.fixture(params=integration_params())
def server(request: pytest.FixtureRequest, server_pool: ServerPool) -> WireServer:
    """Each integration in turn (``INTEGRATIONS``), its server running."""
    return server_pool.serve(request.param)


@pytest.fixture(params=integration_params(lambda i: not i.kind.http2))
def h1_server(request: pytest.FixtureRequest, server_pool: ServerPool) -> WireServer:
    """Each integration whose server tests talk HTTP/1.1 to."""
    return server_pool.serve(request.param)


@pytest.fixture(params=integration_params(lambda i: i.kind.http2, h2_only=True))
def h2_server(request: pytest.FixtureRequest, server_pool: ServerPool) -> WireServer:
    """Each integration whose server tests talk HTTP/2 (h2c, prior knowledge) to, including
    the entries for the HTTP/2-specific tests only (granian, pyvoy)."""
    return server_pool.serve(request.param)


@pytest.fixture(params=integration_params(lambda i: i.kind.processes == 1))
def single_process_server(request: pytest.FixtureRequest, server_pool: ServerPool) -> WireServer:
    """Each integration served by one process: a request sees the state an earlier one left
    in the service (the echo service's stream tracker)."""
    return server_pool.serve(request.param)


@pytest.fixture(params=integration_params(lambda i: i.async_handlers))
def async_server(request: pytest.FixtureRequest, server_pool: ServerPool) -> WireServer:
    """Each integration whose service has ``async def`` handlers."""
    return server_pool.serve(request.param)


@pytest.fixture(params=integration_params(lambda i: i.kind.interface == "wsgi"))
def wsgi_server(request: pytest.FixtureRequest, server_pool: ServerPool) -> WireServer:
    """Each integration served by a WSGI server."""
    return server_pool.serve(request.param)


@pytest.fixture(scope="session")
def uvicorn_server(server_pool: ServerPool) -> RunningServer:
    """The echo ASGI app under uvicorn (HTTP/1.1)."""
    return server_pool.get(UVICORN, ECHO_ASGI)


@pytest.fixture(scope="session")
def hypercorn_server(server_pool: ServerPool) -> RunningServer:
    """The echo ASGI app under hypercorn (tests talk h2c, HTTP/2 prior knowledge)."""
    return server_pool.get(HYPERCORN, ECHO_ASGI)


@pytest.fixture(scope="session")
def gunicorn_server(server_pool: ServerPool) -> RunningServer:
    """The echo WSGI app under gunicorn (gthread workers, HTTP/1.1)."""
    return server_pool.get(GUNICORN, ECHO_WSGI)


@pytest.fixture(scope="session")
def granian_server(server_pool: ServerPool) -> RunningServer:
    """The echo ASGI app under granian (HTTP/2 only, h2c)."""
    return server_pool.get(GRANIAN, ECHO_ASGI)


@pytest.fixture(scope="session")
def pyvoy_server(server_pool: ServerPool) -> RunningServer:
    """The echo ASGI app under pyvoy (Envoy; h2c by prior knowledge)."""
    return server_pool.get(PYVOY, ECHO_ASGI)


@pytest.fixture(scope="session")
def greet_uvicorn(server_pool: ServerPool) -> RunningServer:
    """The seed's greet ASGI app under uvicorn."""
    return server_pool.get(UVICORN, GREET_ASGI)


@pytest.fixture(scope="session")
def greet_gunicorn(server_pool: ServerPool) -> RunningServer:
    """The seed's greet WSGI app under gunicorn."""
    return server_pool.get(GUNICORN, GREET_WSGI)
