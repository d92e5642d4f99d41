"""A Flask app using Connect the way Flask apps do, for the ``connect_flask`` tests.

Import as ``servers.flask_features:app`` (or build another with :func:`create_app`). Each
``ConnectBlueprint`` serves ``FlaskEcho`` under its own prefix:

* ``/secure``: a blueprint ``before_request`` hook checks a bearer token: none is
  ``abort(401)``, ``no`` is ``abort(403)``, ``quota`` raises a ``ConnectError``, ``teapot`` is
  ``abort(418)`` (which the app's own ``errorhandler(418)`` answers), ``custom`` raises an
  exception the app's ``errorhandler(Custom)`` answers, ``digest`` reads the request body
  first (the user is then ``digest-<its length>``); any other token is the user, put on
  ``g``;
* ``/session``: Flask-Login session auth (log in with ``POST /login``, a plain Flask form
  route), the user on ``g``;
* ``/cors``: Flask-CORS with :func:`connect_flask.cors_options`;
* ``/async``: an async service whose methods are unary (Flask's async support);
* ``/ext``: the extension form, ``Connect(app)``, which also answers Connect calls to unknown
  paths with Connect's 404.

Every response gets ``x-after`` from an ``after_request`` hook; ``MAX_CONTENT_LENGTH`` is
1 MiB. ``FlaskEcho`` reports in each message what Flask showed the handler when it produced
it: ``user=<g.user> path=<request.path> app=<current_app.name> same=<ctx.request is the
Flask request>``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from connect_flask import Connect, ConnectBlueprint, cors_options
from echo.v1.echo_connect import ECHO_SERVICE_INFO, EchoService, EchoServiceSync
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from flask import Flask, Response, abort, current_app, g, jsonify, request
from flask_cors import CORS
from flask_login import LoginManager, UserMixin, current_user, login_user

from connect_core import Code, ConnectError, RequestContext, ServiceInfo

from .apps import StampInterceptorSync

USERS = {"ada", "grace"}
ORIGIN = "https://app.example"
UNARY_ECHO_INFO = ServiceInfo(name=ECHO_SERVICE_INFO.name, methods=ECHO_SERVICE_INFO.methods[:2])
"""The echo service's unary methods only: what an async service served by Flask may have."""


EVENTS: dict[str, list[str]] = {}
"""What happened to each tracked stream (keyed by its request message), in this process."""
_EVENTS_LOCK = threading.Lock()


def record(key: str, event: str) -> None:
    """Note ``event`` for the stream ``key``."""
    with _EVENTS_LOCK:
        EVENTS.setdefault(key, []).append(event)


class Custom(Exception):
    """An app exception that the app's own error handler answers."""


def _seen(ctx: RequestContext, note: str = "") -> str:
    flask_request = request._get_current_object()  # type: ignore[attr-defined]
    return (
        f"user={g.get('user')} path={request.path} app={current_app.name} "
        f"same={ctx.request is flask_request}{note}"
    )


def _slow(message: str, *, started: bool = False) -> None:
    """``abort(429)`` with ``Retry-After: 7`` when ``message`` asks for it (see FlaskEcho)."""
    if message == ("slow-mid" if started else "slow"):
        abort(429, description="slow down", retry_after=7)


class FlaskEcho(EchoServiceSync):
    """Sync handlers reporting the Flask context they run in.

    ``message`` steers them: ``abort`` is ``abort(403)`` in the handler, ``abort-mid`` in a
    stream is ``abort(403)`` after the first message; ``slow`` (any method) and ``slow-mid``
    (a stream, after its first message) are ``abort(429)`` with a ``Retry-After`` header.
    """

    def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        if request.message == "abort":
            abort(403, "the handler says no")
        _slow(request.message)
        return EchoResponse(message=_seen(ctx))

    def echo_post(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        return self.echo(request, ctx)

    def collect(self, request: Iterator[EchoRequest], ctx: RequestContext) -> EchoResponse:
        words = [message.message for message in request]
        for word in words:
            _slow(word)
        return EchoResponse(message=_seen(ctx, " got=" + ",".join(words)), index=len(words))

    def repeat(self, request: EchoRequest, ctx: RequestContext) -> Iterator[EchoResponse]:
        """A ``track:<key>`` message records the stream's end (``finished`` or ``closed``)
        and, through ``teardown_request``, the end of its request context."""
        tracked = request.message.startswith("track:")
        if tracked:
            g.track = request.message
        finished = False
        try:
            for i in range(request.count):
                if i and request.delay_ms:
                    time.sleep(request.delay_ms / 1000)
                if i == 1 and request.message == "abort-mid":
                    abort(403, "not past the first message")
                _slow(request.message, started=i > 0)
                yield EchoResponse(message=_seen(ctx), index=i)
            finished = True
        finally:
            if tracked:
                record(request.message, "finished" if finished else "closed")

    def chat(self, request: Iterator[EchoRequest], ctx: RequestContext) -> Iterator[EchoResponse]:
        for i, message in enumerate(request):
            _slow(message.message, started=i > 0)
            yield EchoResponse(message=_seen(ctx, " got=" + message.message), index=i)


class AsyncUnaryEcho(EchoService):
    """An async service with unary methods only (served with ``info=UNARY_ECHO_INFO``)."""

    async def echo(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        if request.message == "abort":
            abort(403, "the async handler says no")
        return EchoResponse(message="async " + _seen(ctx))

    async def echo_post(self, request: EchoRequest, ctx: RequestContext) -> EchoResponse:
        return await self.echo(request, ctx)


class User(UserMixin):
    """A Flask-Login user."""

    def __init__(self, user_id: str) -> None:
        self.id = user_id


def create_app() -> Flask:
    """The app described in the module docstring."""
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test-only-secret"
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024

    login = LoginManager(app)

    @login.user_loader
    def _load(user_id: str) -> User | None:
        return User(user_id) if user_id in USERS else None

    @app.post("/login")
    def _login() -> str:
        name = request.form.get("user", "")
        if name not in USERS:
            abort(403)
        login_user(User(name))
        return "logged in"

    @app.get("/plain")
    def _plain() -> Response:
        return jsonify(plain=True)

    secure = ConnectBlueprint(FlaskEcho(), name="secure", interceptors=[StampInterceptorSync()])

    @secure.before_request
    def _bearer() -> None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if not token:
            abort(401, "missing bearer token")
        if token == "no":
            abort(403, "this token may not call")
        if token == "quota":
            raise ConnectError(Code.RESOURCE_EXHAUSTED, "quota exceeded for today")
        if token == "teapot":
            abort(418)
        if token == "custom":
            raise Custom("an app exception")
        if token == "digest":  # a hook that reads the body first (a signature check, say)
            token = f"digest-{len(request.get_data())}"
        g.user = token

    app.register_blueprint(secure, url_prefix="/secure")

    session = ConnectBlueprint(FlaskEcho(), name="session")

    @session.before_request
    def _logged_in() -> None:
        if not current_user.is_authenticated:
            login.unauthorized()  # abort(401): no login view for an API
        g.user = current_user.id

    app.register_blueprint(session, url_prefix="/session")

    CORS(
        app,
        resources={
            r"/cors/*": cors_options([ORIGIN], extra_headers=["authorization"], expose=["x-after"])
        },
    )
    app.register_blueprint(ConnectBlueprint(FlaskEcho(), name="cors"), url_prefix="/cors")

    asynchronous = ConnectBlueprint(AsyncUnaryEcho(), name="async", info=UNARY_ECHO_INFO)

    @asynchronous.before_request
    def _async_user() -> None:
        g.user = "async-user"

    app.register_blueprint(asynchronous, url_prefix="/async")

    connect = Connect()
    connect.add_service(FlaskEcho(), url_prefix="/ext", name="ext")
    connect.init_app(app)

    @app.errorhandler(418)
    def _teapot(exc: Exception) -> tuple[str, int]:
        return "short and stout", 418

    @app.errorhandler(Custom)
    def _custom(exc: Custom) -> tuple[Response, int]:
        return jsonify(handled=str(exc)), 409

    @app.get("/events/<key>")
    def _events(key: str) -> Response:
        with _EVENTS_LOCK:
            return jsonify(EVENTS.get(key, []))

    @app.teardown_request
    def _teardown(exc: BaseException | None) -> None:
        key = g.get("track")
        if key is not None:
            record(key, "teardown")

    @app.after_request
    def _after(response: Response) -> Response:
        response.headers["x-after"] = "1"
        return response

    return app


app = create_app()
