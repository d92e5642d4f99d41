"""Connect RPC for FastAPI: serve a Connect service from a FastAPI app with ``include_router``.

Example::

    from fastapi import FastAPI
    from connect_fastapi import ConnectRouter

    app = FastAPI()
    app.include_router(ConnectRouter(Greeter(), interceptors=[...]), prefix="/rpc")

The three integrations have one shape: the mount (:class:`ConnectRouter`; Flask's
``ConnectBlueprint``, Django's ``connect_urls``), the opt-in that answers Connect calls
outside every procedure in Connect's format (:func:`connect_exception_handler`), the
framework's HTTP errors as Connect errors (:func:`http_error_to_connect_error`), the test
that a request is a Connect call (:func:`speaks_connect`), and a CORS preset in the form of
the framework's CORS library (:func:`cors_options`, for Starlette's ``CORSMiddleware``).
"""

from ._errors import connect_exception_handler, http_error_to_connect_error, speaks_connect
from ._router import ConnectRouter
from .cors import cors_options

__all__ = [
    "ConnectRouter",
    "connect_exception_handler",
    "cors_options",
    "http_error_to_connect_error",
    "speaks_connect",
]
