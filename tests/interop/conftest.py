"""Fixtures of the interop tests: other projects' clients against the core applications.

Here ``server`` is each integration of the core applications (``connect_core``'s ASGI and
WSGI apps), not every integration: the other clients test this project's protocol engine,
which the integrations share. Django's WSGI deployment and its full-duplex ASGI handler are
here too, since ``connect_django`` translates Django's own request and response objects,
which other clients see through. ``test_frameworks.py`` runs the clients against every
framework integration (``frameworks.py``), with its own ``served`` fixture.
"""

from __future__ import annotations

import pytest
from servers.integrations import (
    ECHO_ASGI,
    ECHO_DJANGO_DUPLEX,
    ECHO_DJANGO_WSGI,
    ECHO_WSGI,
    ServerPool,
    WireServer,
    integration_params,
)

_APPS = (ECHO_ASGI, ECHO_WSGI, ECHO_DJANGO_WSGI, ECHO_DJANGO_DUPLEX)


@pytest.fixture(params=integration_params(lambda i: i.app in _APPS))
def server(request: pytest.FixtureRequest, server_pool: ServerPool) -> WireServer:
    """Each integration serving a core application, its server running."""
    return server_pool.serve(request.param)
