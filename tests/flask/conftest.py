"""Fixtures of the ``connect_flask`` tests: the feature app (``servers.flask_features``) under
gunicorn (gthread workers) and under Flask's development server.

This directory has no ``__init__.py`` on purpose: as a package named ``flask`` it would
shadow the real Flask. Its modules are named ``test_flask_*``.
"""

from __future__ import annotations

import pytest
from servers.integrations import ServerPool
from servers.run import FLASK_DEV, GUNICORN, RunningServer

FEATURES = "servers.flask_features:app"


@pytest.fixture(
    params=[pytest.param(GUNICORN, id="gunicorn"), pytest.param(FLASK_DEV, id="flask-dev")]
)
def features(request: pytest.FixtureRequest, server_pool: ServerPool) -> RunningServer:
    """The feature app, under each server in turn."""
    return server_pool.get(request.param, FEATURES)


@pytest.fixture
def gunicorn_features(server_pool: ServerPool) -> RunningServer:
    """The feature app under gunicorn (gthread workers)."""
    return server_pool.get(GUNICORN, FEATURES)
