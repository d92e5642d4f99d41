"""connect-node's client (``tests/client/node/client_every_kind.mjs``) against Django: under
gunicorn (WSGI, HTTP/1.1) and under ``connect_django.asgi``'s handler on hypercorn (h2c, bidi
too)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers.integrations import ECHO_DJANGO_DUPLEX, ECHO_DJANGO_WSGI, ServerPool
from servers.run import GUNICORN, HYPERCORN

TESTS = Path(__file__).resolve().parents[1]
NODE_DIR = TESTS / "client" / "node"


@pytest.fixture(scope="module")
def echo_gen() -> Iterator[Path]:
    """The ES code of echo.proto, generated as the client tests do (npm ci, buf generate)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the connect-node client")
    sys.path.insert(0, str(TESTS))
    from client.conftest import _generate_es, _npm_ci

    _npm_ci()
    out = NODE_DIR / "node_modules" / ".echo-gen-client"
    shutil.rmtree(out, ignore_errors=True)
    _generate_es(out)
    yield out


def _run(gen: Path, url: str, version: str) -> dict[str, object]:
    proc = subprocess.run(
        ["node", "client_every_kind.mjs", str(gen), url, version],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    ("kind", "app", "version"),
    [
        pytest.param(GUNICORN, ECHO_DJANGO_WSGI, "1.1", id="django-wsgi-gunicorn"),
        pytest.param(HYPERCORN, ECHO_DJANGO_DUPLEX, "2", id="django-duplex-hypercorn-h2c"),
    ],
)
def test_connect_node_client(
    echo_gen: Path, server_pool: ServerPool, kind: object, app: str, version: str
) -> None:
    server = server_pool.get(kind, app)  # type: ignore[arg-type]
    out = _run(echo_gen, server.url, version)
    for codec in ("proto", "json"):
        assert out[f"{codec}-unary"] == ["hi", "node"]
        assert out[f"{codec}-server-stream"] == [0, 1, 2]
        assert out[f"{codec}-client-stream"] == "a b c"
        assert out[f"{codec}-error"] == [5, "nope"]  # not_found
        if version == "2":
            assert out[f"{codec}-bidi"] == ["x", "y"]
