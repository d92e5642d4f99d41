"""``Connect(app)`` / ``connect.init_app(app)``: the Flask extension form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, request
from typing_extensions import Unpack
from werkzeug.exceptions import HTTPException

from connect_core import AnyServiceInfo
from connect_core.server import ServerOptions, status_refusal

from ._blueprint import ConnectBlueprint
from ._errors import http_error_headers, speaks_connect
from ._serve import refusal_response

_EXTENSION = "connect"
ErrorHandler = Callable[[Any], Any]


class Connect:
    """Serve Connect services from a Flask app, the extension way.

    Example::

        connect = Connect()
        connect.add_service(GreeterSync(), url_prefix="/rpc", interceptors=[...])

        def create_app():
            app = Flask(__name__)
            connect.init_app(app)
            return app

    Besides registering a :class:`ConnectBlueprint` per service, the extension answers a
    Connect call that reaches no blueprint (a mistyped service or prefix: Flask's 404, or a
    405) with a Connect error instead of Flask's HTML page, which a Connect client cannot
    read. Other requests get what the app answered before (its own 404 and 405 handlers, if
    it registered any before ``init_app``). It is the Flask form of what
    ``connect_fastapi.connect_exception_handler`` and
    ``connect_django.ConnectErrorPagesMiddleware`` do for their frameworks.
    """

    def __init__(self, app: Flask | None = None) -> None:
        """Create the extension, and bind it to ``app`` now when it is given."""
        self._services: list[tuple[object, dict[str, Any]]] = []
        self.blueprints: list[ConnectBlueprint] = []
        """The blueprints registered by :meth:`add_service`, on the last app bound."""
        self._apps: list[Flask] = []
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Bind to ``app``: register every service added so far, and the Connect answers of
        404 and 405 outside the blueprints."""
        if _EXTENSION in app.extensions:
            raise RuntimeError(
                "connect_flask: Connect is already initialised on this app; call init_app once "
                "per app"
            )
        app.extensions[_EXTENSION] = self
        for status in (404, 405):
            previous = app.error_handler_spec[None][status].get(_exception_for(status))
            app.register_error_handler(status, _outside_blueprints(previous))
        self._apps.append(app)
        self.blueprints = []
        for service, options in self._services:
            self.blueprints.append(self._register(app, service, options))

    def add_service(
        self,
        service: object,
        *,
        info: AnyServiceInfo | None = None,
        url_prefix: str | None = None,
        name: str | None = None,
        **options: Unpack[ServerOptions],
    ) -> None:
        """Serve ``service`` under ``url_prefix`` on every app this extension is bound to
        (now, and at each later :meth:`init_app`); ``info`` and ``options`` (the server
        options: ``interceptors``, ``read_max_bytes``, ...) are those of
        :class:`ConnectBlueprint`."""
        entry: dict[str, Any] = {"url_prefix": url_prefix, "name": name, "info": info, **options}
        # Build once now, so that a broken service fails here rather than at init_app.
        ConnectBlueprint(service, info=info, name=name, **options)
        self._services.append((service, entry))
        for app in self._apps:
            self.blueprints.append(self._register(app, service, entry))

    @staticmethod
    def _register(app: Flask, service: object, entry: dict[str, Any]) -> ConnectBlueprint:
        options = dict(entry)
        url_prefix = options.pop("url_prefix")
        blueprint = ConnectBlueprint(service, **options)
        app.register_blueprint(blueprint, url_prefix=url_prefix)
        return blueprint


def _exception_for(status: int) -> type[HTTPException]:
    from werkzeug.exceptions import default_exceptions

    return default_exceptions[status]


def _outside_blueprints(previous: ErrorHandler | None) -> ErrorHandler:
    def handler(exc: HTTPException) -> Any:
        if not speaks_connect(request):
            return previous(exc) if previous is not None else exc
        status = exc.code if exc.code is not None else 500
        refusal = status_refusal(
            status,
            exc.description or exc.name,
            request.path,
            http_error_headers(exc),
            http_method=request.method,
            request_headers=request.headers,
        )
        return refusal_response(refusal)

    return handler
