"""Fixtures of the ``connect_fastapi`` tests: the test app under uvicorn and hypercorn.

This directory has no ``__init__.py`` on purpose: as a package named ``fastapi`` it would
shadow the real FastAPI. Its modules are named ``fastapi_*`` / ``test_fastapi_*`` instead.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from fastapi_servers import Server, start  # noqa: E402

APP = "fastapi_apps:app"


def _serve(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Server]:
    server = start(name, APP, tmp_path_factory.mktemp(f"fastapi-{name}"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def fastapi_uvicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The test app under uvicorn (HTTP/1.1)."""
    yield from _serve(tmp_path_factory, "uvicorn")


@pytest.fixture(scope="session")
def fastapi_hypercorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The test app under hypercorn (tests speak h2c, HTTP/2 with prior knowledge)."""
    yield from _serve(tmp_path_factory, "hypercorn")


@pytest.fixture(
    params=[
        pytest.param("fastapi_uvicorn", id="uvicorn-h1"),
        pytest.param("fastapi_hypercorn", id="hypercorn-h2c"),
    ]
)
def fserver(request: pytest.FixtureRequest) -> Server:
    """Each server in turn."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]
