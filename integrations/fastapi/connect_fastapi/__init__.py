"""Connect RPC for FastAPI: serve a Connect service from a FastAPI app with ``include_router``.

Example::

    from fastapi import FastAPI
    from connect_fastapi import ConnectRouter

    app = FastAPI()
    app.include_router(ConnectRouter(Greeter(), interceptors=[...]), prefix="/rpc")

:class:`ConnectRouter` is an ``APIRouter`` with one :class:`ConnectRoute` per procedure;
:func:`cors_options` configures Starlette's ``CORSMiddleware`` for browser clients.
"""

from connect_core.server import HTTP_STATUS_CODES, code_for_status, find_service_info

from ._checks import check_routes
from ._errors import (
    connect_exception_handler,
    http_exception_to_connect_error,
    speaks_connect,
    validation_error_to_connect_error,
)
from ._openapi import schema_type
from ._router import ConnectRoute, ConnectRouter, OpenAPIRoute
from ._serve import ConnectResponse, ConnectStreamingResponse
from .cors import cors_options

__all__ = [
    "HTTP_STATUS_CODES",
    "ConnectResponse",
    "ConnectRoute",
    "ConnectRouter",
    "ConnectStreamingResponse",
    "OpenAPIRoute",
    "check_routes",
    "code_for_status",
    "connect_exception_handler",
    "cors_options",
    "find_service_info",
    "http_exception_to_connect_error",
    "schema_type",
    "speaks_connect",
    "validation_error_to_connect_error",
]
