"""connect-node's client (``tests/client/node/client.mjs``) against Django: under gunicorn
(WSGI, HTTP/1.1) and under ``connect_django.asgi``'s handler on hypercorn (h2c, bidi too)."""

from __future__ import annotations

from pathlib import Path

import pytest
from interop import node_client
from servers.integrations import ECHO_DJANGO_DUPLEX, ECHO_DJANGO_WSGI, ServerPool
from servers.run import GUNICORN, HYPERCORN, ServerKind


@pytest.fixture(scope="module")
def echo_gen() -> Path:
    """The echo service's ES code for the connect-node client."""
    return node_client.echo_es()


@pytest.mark.parametrize(
    ("kind", "app"),
    [
        pytest.param(GUNICORN, ECHO_DJANGO_WSGI, id="django-wsgi-gunicorn"),
        pytest.param(HYPERCORN, ECHO_DJANGO_DUPLEX, id="django-duplex-hypercorn-h2c"),
    ],
)
def test_connect_node_client(
    echo_gen: Path, server_pool: ServerPool, kind: ServerKind, app: str
) -> None:
    server = server_pool.get(kind, app)
    got = node_client.run_node_client(echo_gen, server.url, server.http2)
    assert got == node_client.expected(server.http2)
