"""The server under test for the official conformance runner.

Run from the repository root, inside the project's environment::

    python -m conformance.server --framework asgi --server uvicorn

It reads one size-prefixed ``ServerCompatRequest`` from stdin, binds 127.0.0.1 on a port the
OS picks, writes a size-prefixed ``ServerCompatResponse`` naming it, and serves
``connectrpc.conformance.v1.ConformanceService`` until it is terminated.

``--framework`` picks what serves the service: ``asgi`` (the generated ASGI application),
``wsgi`` (the generated WSGI application) or ``fastapi`` (``ConnectRouter`` in a FastAPI
app; ``--service sync`` serves the sync handlers through it), ``flask``
(``ConnectBlueprint`` in a Flask app, sync handlers), ``django-wsgi`` or ``django-asgi``
(``connect_urls`` in a Django project, under Django's WSGI handler or
``connect_django.asgi``'s). ``--server`` picks the HTTP
server under it: ``uvicorn`` (HTTP/1.1), ``hypercorn`` (HTTP/1.1 and h2c, HTTP/2 over TLS),
``granian`` or ``pyvoy`` (the same, ASGI or WSGI), ``gunicorn`` (WSGI, HTTP/1.1, threaded
workers) or ``werkzeug`` (Flask's development server: WSGI, HTTP/1.1, a thread per
connection).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
from pathlib import Path

from connectrpc.conformance.v1 import server_compat_pb2

import conformance  # noqa: F401  (puts the generated code on the path)
from connect_core import ServerOptions

from ._servers import SERVERS, TLSFiles
from ._wire import read_message, write_message

FRAMEWORKS = ("asgi", "wsgi", "fastapi", "flask", "django-wsgi", "django-asgi")


def build_app(framework: str, service: str, read_max_bytes: int | None) -> object:
    """The application serving the conformance service on ``framework``."""
    options: ServerOptions = {}
    if read_max_bytes is not None:
        options["read_max_bytes"] = read_max_bytes
    from ._service_async import ConformanceServer
    from ._service_sync import ConformanceServerSync

    handlers: object = (
        ConformanceServerSync()
        if framework in ("wsgi", "flask", "django-wsgi") or service == "sync"
        else ConformanceServer()
    )
    if framework == "asgi":
        from connectrpc.conformance.v1.service_connect import ConformanceServiceASGIApplication

        return ConformanceServiceASGIApplication(handlers, **options)  # type: ignore[arg-type]
    if framework == "wsgi":
        from connectrpc.conformance.v1.service_connect import ConformanceServiceWSGIApplication

        return ConformanceServiceWSGIApplication(handlers, **options)  # type: ignore[arg-type]
    if framework == "fastapi":
        from connect_fastapi import ConnectRouter, connect_exception_handler
        from fastapi import FastAPI
        from starlette.exceptions import HTTPException

        app = FastAPI()
        app.include_router(ConnectRouter(handlers, **options))
        # Calls to services the app does not serve get Connect's 404, not FastAPI's
        # {"detail": ...} (as connect_fastapi's README describes).
        app.add_exception_handler(HTTPException, connect_exception_handler)
        return app
    if framework == "flask":
        from connect_flask import Connect, ConnectBlueprint
        from flask import Flask

        flask_app = Flask("conformance")
        flask_app.register_blueprint(ConnectBlueprint(handlers, **options))
        Connect(flask_app)  # Connect's 404 for calls to services the app does not serve
        return flask_app
    if framework.startswith("django-"):
        from ._django import build

        return build(handlers, options, framework.removeprefix("django-"))
    raise SystemExit(f"unknown framework {framework!r}; choose one of {', '.join(FRAMEWORKS)}")


_APP_ENV = "CONFORMANCE_APP"


def app_from_env() -> object:
    """Build the application described by ``$CONFORMANCE_APP`` (for servers, like granian,
    that import the application in a worker process of their own)."""
    framework, service, limit = os.environ[_APP_ENV].split(",")
    return build_app(framework, service, int(limit) or None)


def main(argv: list[str] | None = None) -> int:
    """Read the runner's request, start the server, report where it listens, serve."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--framework", choices=FRAMEWORKS, required=True)
    parser.add_argument("--server", choices=sorted(SERVERS), required=True)
    parser.add_argument(
        "--service",
        choices=("async", "sync"),
        default="async",
        help="which handlers an ASGI framework serves (WSGI always serves sync ones)",
    )
    args = parser.parse_args(argv)

    # The runner reads the ServerCompatResponse from stdout: keep that channel for it alone
    # and send whatever else writes to stdout (servers' banners and logs) to stderr.
    runner_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    request = read_message(sys.stdin.buffer, server_compat_pb2.ServerCompatRequest)
    if request is None:
        raise SystemExit("expected a ServerCompatRequest on stdin")
    limit = request.message_receive_limit or None
    app = build_app(args.framework, args.service, limit)
    os.environ[_APP_ENV] = f"{args.framework},{args.service},{limit or 0}"

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)  # connections wait in the backlog from here on, before serving starts
    sock.set_inheritable(True)

    with tempfile.TemporaryDirectory(prefix="conformance-tls-") as tmp:
        tls: TLSFiles | None = None
        if request.use_tls:
            tls = TLSFiles.write(
                Path(tmp),
                request.server_creds.cert,
                request.server_creds.key,
                request.client_tls_cert or None,
            )
        response = server_compat_pb2.ServerCompatResponse(
            host="127.0.0.1",
            port=sock.getsockname()[1],
            pem_cert=request.server_creds.cert if request.use_tls else b"",
        )
        SERVERS[args.server](app, sock, tls, lambda: write_message(runner_out, response))
    return 0


if __name__ == "__main__":
    sys.exit(main())
