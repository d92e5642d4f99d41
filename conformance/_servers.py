"""The HTTP servers the conformance server program runs an application on.

Each runner takes the application, a listening socket bound by the caller (so the port is
known before serving starts), the TLS files and a callback that tells the conformance runner
where to connect, called once connections are accepted; it serves until the process is
terminated.
"""

from __future__ import annotations

import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Announce = Callable[[], None]
"""Tells the conformance runner where the server listens."""


@dataclass(frozen=True)
class TLSFiles:
    """The server's certificate and key, and the CA that client certificates must chain to."""

    certfile: str
    keyfile: str
    client_ca: str | None

    @classmethod
    def write(cls, folder: Path, cert: bytes, key: bytes, client_ca: bytes | None) -> TLSFiles:
        """Write the PEM blocks into ``folder`` (servers take file names)."""
        (folder / "cert.pem").write_bytes(cert)
        (folder / "key.pem").write_bytes(key)
        ca = None
        if client_ca:
            (folder / "client-ca.pem").write_bytes(client_ca)
            ca = str(folder / "client-ca.pem")
        return cls(str(folder / "cert.pem"), str(folder / "key.pem"), ca)


def _is_wsgi(app: object) -> bool:
    from connect_core import ConnectWSGIApplication

    if isinstance(app, ConnectWSGIApplication):
        return True
    # Flask and Django apps are WSGI (their modules are imported only when one is served).
    flask = sys.modules.get("flask")
    if flask is not None and isinstance(app, flask.Flask):
        return True
    django_wsgi = sys.modules.get("django.core.handlers.wsgi")
    return django_wsgi is not None and isinstance(app, django_wsgi.WSGIHandler)


def run_uvicorn(app: Any, sock: Any, tls: TLSFiles | None, announce: Announce) -> None:
    """uvicorn: HTTP/1.1 (with TLS when asked)."""
    announce()  # the socket listens: connections wait in its backlog
    import uvicorn

    options: dict[str, Any] = {}
    if tls is not None:
        options.update(ssl_certfile=tls.certfile, ssl_keyfile=tls.keyfile)
        if tls.client_ca is not None:
            options.update(ssl_ca_certs=tls.client_ca, ssl_cert_reqs=ssl.CERT_REQUIRED)
    config = uvicorn.Config(
        app,
        interface="wsgi" if _is_wsgi(app) else "asgi3",
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        **options,
    )
    uvicorn.Server(config).run(sockets=[sock])


def run_hypercorn(app: Any, sock: Any, tls: TLSFiles | None, announce: Announce) -> None:
    """hypercorn: HTTP/1.1 and h2c in clear text, HTTP/1.1 and HTTP/2 (ALPN) over TLS."""
    announce()
    import asyncio

    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [f"fd://{sock.fileno()}"]
    config.loglevel = "WARNING"
    config.accesslog = None
    config.graceful_timeout = 1
    # The default closes a connection after 1,000 requests; the suite sends more than that.
    config.keep_alive_max_requests = 1_000_000
    if tls is not None:
        config.certfile = tls.certfile
        config.keyfile = tls.keyfile
        if tls.client_ca is not None:
            config.ca_certs = tls.client_ca
            config.verify_mode = ssl.CERT_REQUIRED
    mode = "wsgi" if _is_wsgi(app) else "asgi"
    asyncio.run(serve(app, config, mode=mode))  # type: ignore[arg-type]


def run_gunicorn(app: Any, sock: Any, tls: TLSFiles | None, announce: Announce) -> None:
    """gunicorn: WSGI over HTTP/1.1 (with TLS when asked), one worker with many threads."""
    if not _is_wsgi(app):
        raise SystemExit("gunicorn serves WSGI applications: use --framework wsgi or flask")
    announce()
    from gunicorn.app.base import BaseApplication

    settings: dict[str, Any] = {
        "bind": [f"fd://{sock.fileno()}"],
        "workers": 1,
        "worker_class": "gthread",
        # Each open stream holds a thread; the runner runs many cases at once.
        "threads": 64,
        "timeout": 60,
        # The runner's client reuses idle connections; gunicorn's default 2 s keep-alive
        # closes them under it now and then ("server closed idle connection").
        "keepalive": 75,
        "graceful_timeout": 1,
        "loglevel": "warning",
        "accesslog": None,
    }
    if tls is not None:
        settings.update(certfile=tls.certfile, keyfile=tls.keyfile)
        if tls.client_ca is not None:
            settings.update(ca_certs=tls.client_ca, cert_reqs=ssl.CERT_REQUIRED)

    class _Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    _Gunicorn().run()


def run_granian(app: Any, sock: Any, tls: TLSFiles | None, announce: Announce) -> None:
    """granian: HTTP/1.1 and HTTP/2 (h2c and TLS), ASGI or WSGI.

    granian binds its own socket and imports the application in its worker process, so the
    port is handed over (the caller's socket is closed first) and the worker rebuilds the
    application from ``CONFORMANCE_APP`` (see :func:`conformance.server.app_from_env`).
    """
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces

    port = sock.getsockname()[1]
    sock.close()
    threading.Thread(target=_announce_when_listening, args=(port, announce), daemon=True).start()
    options: dict[str, Any] = {}
    if tls is not None:
        options.update(ssl_cert=Path(tls.certfile), ssl_key=Path(tls.keyfile))
        if tls.client_ca is not None:
            options.update(ssl_ca=Path(tls.client_ca), ssl_client_verify=True)
    Granian(
        "conformance.server:app_from_env",
        address="127.0.0.1",
        port=port,
        interface=Interfaces.WSGI if _is_wsgi(app) else Interfaces.ASGI,
        http=HTTPModes.auto,
        factory=True,
        log_level="warning",  # type: ignore[arg-type]
        blocking_threads=64 if _is_wsgi(app) else None,
        **options,
    ).serve()


def run_pyvoy(app: Any, sock: Any, tls: TLSFiles | None, announce: Announce) -> None:
    """pyvoy (Envoy): HTTP/1.1 and HTTP/2 (h2c and TLS), ASGI or WSGI.

    pyvoy runs in a process of its own and imports the application by name, so the port is
    handed over (the caller's socket is closed first) and it rebuilds the application from
    ``CONFORMANCE_APP`` (``conformance._env_app``). Terminating this process stops it.
    """
    import os
    import signal
    import subprocess
    import sys

    port = sock.getsockname()[1]
    sock.close()
    command = [
        str(Path(sys.executable).parent / "pyvoy"),
        "--address",
        "127.0.0.1",
        "--port",
        str(port),
        "--interface",
        "wsgi" if _is_wsgi(app) else "asgi",
        "--log-level",
        "warning",
        "--tls-disable-http3",
    ]
    if tls is not None:
        command += ["--tls-cert", tls.certfile, "--tls-key", tls.keyfile]
        if tls.client_ca is not None:
            command += ["--tls-ca-cert", tls.client_ca, "--tls-require-client-certificate"]
    repo = str(Path(__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")])),
    }
    child = subprocess.Popen([*command, "conformance._env_app:app"], cwd=repo, env=env)
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    threading.Thread(target=_announce_when_listening, args=(port, announce), daemon=True).start()
    child.wait()


def run_werkzeug(app: Any, sock: Any, tls: TLSFiles | None, announce: Announce) -> None:
    """Werkzeug's development server (Flask's ``flask run``): WSGI over HTTP/1.1 (with TLS
    when asked), a thread per connection, every connection closed after its response."""
    if not _is_wsgi(app):
        raise SystemExit("werkzeug serves WSGI applications: use --framework wsgi or flask")
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    context = None
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls.certfile, tls.keyfile)
        if tls.client_ca is not None:
            context.load_verify_locations(tls.client_ca)
            context.verify_mode = ssl.CERT_REQUIRED
    host, port = sock.getsockname()[:2]
    server = make_server(host, port, app, threaded=True, ssl_context=context, fd=sock.fileno())
    announce()
    server.serve_forever()


def _announce_when_listening(port: int, announce: Announce) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.05)
            continue
        announce()
        return
    raise SystemExit(f"the server did not listen on port {port} within 30 s")


SERVERS: dict[str, Callable[[Any, Any, TLSFiles | None, Announce], None]] = {
    "granian": run_granian,
    "gunicorn": run_gunicorn,
    "hypercorn": run_hypercorn,
    "pyvoy": run_pyvoy,
    "uvicorn": run_uvicorn,
    "werkzeug": run_werkzeug,
}
"""The server runners by name."""
