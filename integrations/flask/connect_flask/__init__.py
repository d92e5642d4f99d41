"""Connect RPC for Flask: serve a Connect service from a Flask app as a Blueprint.

Example::

    from flask import Flask
    from connect_flask import ConnectBlueprint

    app = Flask(__name__)
    app.register_blueprint(ConnectBlueprint(GreeterSync(), interceptors=[...]), url_prefix="/rpc")

The three integrations have one shape: the mount (:class:`ConnectBlueprint`; FastAPI's
``ConnectRouter``, Django's ``connect_urls``), the opt-in that answers Connect calls outside
every procedure in Connect's format (:class:`Connect`, the extension form ``Connect(app)`` /
``init_app``), the framework's HTTP errors as Connect errors
(:func:`http_error_to_connect_error`), the test that a request is a Connect call
(:func:`speaks_connect`), and a CORS preset in the form of the framework's CORS library
(:func:`cors_options`, for Flask-CORS).
"""

from ._blueprint import ConnectBlueprint
from ._errors import http_error_to_connect_error, speaks_connect
from ._extension import Connect
from .cors import cors_options

__all__ = [
    "Connect",
    "ConnectBlueprint",
    "cors_options",
    "http_error_to_connect_error",
    "speaks_connect",
]
