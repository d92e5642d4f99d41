"""Servers the client tests call, and a matrix of (server, transport) targets.

Servers nobody here wrote: the official ``connectrpc`` ASGI app (``official_server.py``) under
uvicorn (HTTP/1.1) and hypercorn (h2c), and a connect-node server (``node/server.mjs``,
HTTP/1.1 and h2c ports), whose npm dependencies are installed with ``npm ci`` from the
committed lock file and whose code is generated with ``buf generate`` + ``protoc-gen-es``.
And ours: the core echo app under uvicorn, hypercorn and gunicorn (``tests/conftest.py``),
and in memory through ``ASGITransport`` / ``WSGITransport``.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from servers.run import HYPERCORN, UVICORN, RunningServer, ServerKind, start

from client.helpers import Target
from client.node_setup import NODE_DIR, echo_es

OFFICIAL_APP = "client.official_server:app"


# -- servers -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def official_uvicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The official connectrpc ASGI app under uvicorn (HTTP/1.1)."""
    yield from _serve(tmp_path_factory, UVICORN, OFFICIAL_APP)


@pytest.fixture(scope="session")
def official_hypercorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The official connectrpc ASGI app under hypercorn (h2c)."""
    yield from _serve(tmp_path_factory, HYPERCORN, OFFICIAL_APP)


@pytest.fixture(scope="session")
def core_hypercorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The core echo ASGI app under hypercorn (h2c)."""
    yield from _serve(tmp_path_factory, HYPERCORN, "servers.apps:asgi_app")


def _serve(
    tmp_path_factory: pytest.TempPathFactory, kind: ServerKind, app: str
) -> Iterator[RunningServer]:
    server = start(kind, app, tmp_path_factory.mktemp(f"client-{kind.name}"))
    try:
        yield server
    finally:
        server.stop()


@dataclass
class NodeServer:
    """The connect-node server: one process, an HTTP/1.1 port and an h2c port."""

    http1: str
    h2c: str


@pytest.fixture(scope="session")
def node_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeServer]:
    """connect-node serving echo.v1.EchoService (skipped when node or npm is missing)."""
    out = echo_es(".echo-gen", "server")
    log_path = tmp_path_factory.mktemp("node") / "node.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        ["node", "server.mjs", str(out)],
        cwd=NODE_DIR,
        stdout=subprocess.PIPE,
        stderr=log,
        stdin=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        line = _readline(proc.stdout, 30.0)
        if not line:
            raise RuntimeError(f"connect-node did not start:\n{log_path.read_text()[-4000:]}")
        ports = json.loads(line)
        yield NodeServer(
            http1=f"http://127.0.0.1:{ports['http1']}", h2c=f"http://127.0.0.1:{ports['h2c']}"
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()
        log.close()


def _readline(stream: Any, timeout: float) -> bytes:
    result: list[bytes] = []
    reader = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0] if result else b""


# -- targets: a server plus how to reach it --------------------------------------------------------


def _core_asgi() -> Any:
    from servers.apps import asgi_app

    return asgi_app


def _official_asgi() -> Any:
    from client.official_server import app

    return app


def _fastapi_asgi() -> Any:
    """A FastAPI app serving the async echo service through ``ConnectRouter`` at ``/rpc``."""
    from connect_fastapi import ConnectRouter
    from fastapi import FastAPI
    from servers.echo_service import AsyncEcho

    app = FastAPI()
    app.include_router(ConnectRouter(AsyncEcho()), prefix="/rpc")
    return app


def _fastapi_sync_asgi() -> Any:
    """The same with the sync echo service (run in FastAPI's threadpool)."""
    from connect_fastapi import ConnectRouter
    from fastapi import FastAPI
    from servers.echo_service import SyncEcho

    app = FastAPI()
    app.include_router(ConnectRouter(SyncEcho()), prefix="/rpc")
    return app


def _core_wsgi() -> Any:
    from servers.apps import wsgi_app

    return wsgi_app


_RPC = "http://in-memory/rpc"  # where the in-memory FastAPI apps serve the echo service

# (id, server fixture or None, transport, options). URLs come from the fixture at test time.
ASYNC_TARGETS: list[tuple[str, str | None, str, dict[str, Any]]] = [
    ("official-uvicorn-httpx", "official_uvicorn", "httpx", {}),
    ("official-uvicorn-aiohttp", "official_uvicorn", "aiohttp", {}),
    ("official-uvicorn-httptools", "official_uvicorn", "httptools", {}),
    ("official-hypercorn-h2", "official_hypercorn", "h2", {"duplex": True}),
    ("node-h1-httpx", "node_h1", "httpx", {"zstd": False, "bidi": False}),
    ("node-h1-aiohttp", "node_h1", "aiohttp", {"zstd": False, "bidi": False}),
    ("node-h1-httptools", "node_h1", "httptools", {"zstd": False, "bidi": False}),
    ("node-h2c-h2", "node_h2c", "h2", {"zstd": False, "duplex": True}),
    ("core-uvicorn-httpx", "uvicorn_server", "httpx", {}),
    ("core-uvicorn-aiohttp", "uvicorn_server", "aiohttp", {}),
    ("core-hypercorn-h2", "core_hypercorn", "h2", {"duplex": True}),
    ("core-uvicorn-httptools", "uvicorn_server", "httptools", {}),
    ("core-gunicorn-httptools", "gunicorn_server", "httptools", {"cancel_tracking": False}),
    ("core-memory-asgi", None, "asgi", {"duplex": True, "app": _core_asgi}),
    ("official-memory-asgi", None, "asgi", {"duplex": True, "app": _official_asgi}),
    ("fastapi-memory-asgi", None, "asgi", {"duplex": True, "app": _fastapi_asgi, "url": _RPC}),
    (
        "fastapi-sync-memory-asgi",
        None,
        "asgi",
        {"duplex": True, "app": _fastapi_sync_asgi, "url": _RPC},
    ),
]

SYNC_TARGETS: list[tuple[str, str | None, str, dict[str, Any]]] = [
    ("official-uvicorn-httpx", "official_uvicorn", "httpx", {}),
    ("official-uvicorn-http_client", "official_uvicorn", "http_client", {}),
    ("official-uvicorn-httptools", "official_uvicorn", "httptools", {}),
    ("node-h1-httpx", "node_h1", "httpx", {"zstd": False, "bidi": False}),
    ("node-h1-http_client", "node_h1", "http_client", {"zstd": False, "bidi": False}),
    ("node-h1-httptools", "node_h1", "httptools", {"zstd": False, "bidi": False}),
    ("core-uvicorn-http_client", "uvicorn_server", "http_client", {}),
    ("core-gunicorn-httpx", "gunicorn_server", "httpx", {"cancel_tracking": False}),
    ("core-gunicorn-http_client", "gunicorn_server", "http_client", {"cancel_tracking": False}),
    ("core-gunicorn-httptools", "gunicorn_server", "httptools", {"cancel_tracking": False}),
    ("official-hypercorn-h2", "official_hypercorn", "h2", {"duplex": True}),
    ("node-h2c-h2", "node_h2c", "h2", {"zstd": False, "duplex": True}),
    ("core-hypercorn-h2", "core_hypercorn", "h2", {"duplex": True}),
    ("core-memory-wsgi", None, "wsgi", {"app": _core_wsgi}),
]


Spec = tuple[str, str | None, str, dict[str, Any]]


def _resolve(request: pytest.FixtureRequest, spec: Spec) -> Target:
    name, fixture, transport, options = spec
    options = dict(options)
    app_factory: Callable[[], Any] | None = options.pop("app", None)
    if fixture is None:
        assert app_factory is not None
        url = options.pop("url", "http://in-memory")
        return Target(name, url, transport, app=app_factory(), **options)
    if fixture in ("node_h1", "node_h2c"):
        node: NodeServer = request.getfixturevalue("node_server")
        url = node.http1 if fixture == "node_h1" else node.h2c
    else:
        url = request.getfixturevalue(fixture).url
    return Target(name, url, transport, **options)


@pytest.fixture(params=[pytest.param(s, id=s[0]) for s in ASYNC_TARGETS])
def atarget(request: pytest.FixtureRequest) -> Target:
    """Each (server, async transport) pair."""
    return _resolve(request, request.param)


@pytest.fixture(params=[pytest.param(s, id=s[0]) for s in SYNC_TARGETS])
def starget(request: pytest.FixtureRequest) -> Target:
    """Each (server, sync transport) pair."""
    return _resolve(request, request.param)


@pytest.fixture(params=[pytest.param(s, id=s[0]) for s in ASYNC_TARGETS if s[3].get("duplex")])
def duplex_target(request: pytest.FixtureRequest) -> Target:
    """Each (server, async transport) pair where bidi streams are full duplex."""
    return _resolve(request, request.param)


@pytest.fixture(params=[pytest.param(s, id=s[0]) for s in SYNC_TARGETS if s[3].get("duplex")])
def sync_duplex_target(request: pytest.FixtureRequest) -> Target:
    """Each (server, sync transport) pair where bidi streams are full duplex."""
    return _resolve(request, request.param)
