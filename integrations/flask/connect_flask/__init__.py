"""Connect RPC for Flask: serve a Connect service from a Flask app as a Blueprint.

Example::

    from flask import Flask
    from connect_flask import ConnectBlueprint

    app = Flask(__name__)
    app.register_blueprint(ConnectBlueprint(GreeterSync(), interceptors=[...]), url_prefix="/rpc")

:class:`ConnectBlueprint` is a ``flask.Blueprint`` with one URL rule per procedure;
:class:`Connect` is the extension form (``Connect(app)`` / ``init_app``);
:func:`cors_options` configures Flask-CORS for browser clients.
"""

from connect_core.server import HTTP_STATUS_CODES, code_for_status

from ._blueprint import ConnectBlueprint
from ._errors import http_exception_to_connect_error, speaks_connect
from ._extension import Connect
from ._serve import ConnectView, UnknownProcedureView
from .cors import cors_options

__all__ = [
    "HTTP_STATUS_CODES",
    "Connect",
    "ConnectBlueprint",
    "ConnectView",
    "UnknownProcedureView",
    "code_for_status",
    "cors_options",
    "http_exception_to_connect_error",
    "speaks_connect",
]
