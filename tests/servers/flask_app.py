"""The echo service as a Flask application, for the wire suite (``tests/e2e``).

Import as ``servers.flask_app:app`` with ``tests`` and ``tests/gen`` on ``PYTHONPATH``. The
app registers one ``ConnectBlueprint`` at the root prefix, so procedure paths are those of
the core applications in ``servers.apps``, with the same metadata interceptor (``x-interceptor``
header on start, ``x-interceptor-end`` trailer on end), through the extension form
(``Connect(app)``), which also gives a Connect call outside the blueprint (a mistyped
service) Connect's 404. It runs a ``before_request`` hook that does nothing, so that what the
wire tests see passes through Flask's request handling as any app's would.

``python -m servers.flask_app PORT`` serves it with Flask's development server (threaded).
"""

from __future__ import annotations

import sys

from connect_flask import Connect
from flask import Flask, g

from .apps import StampInterceptorSync
from .echo_service import SyncEcho

app = Flask(__name__)


@app.before_request
def _mark() -> None:
    """A hook that only leaves a mark on ``g``: Flask runs it before every Connect view."""
    g.hooked = True


connect = Connect(app)
connect.add_service(SyncEcho(), interceptors=[StampInterceptorSync()])


if __name__ == "__main__":  # pragma: no cover - started by tests/servers/run.py
    app.run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
