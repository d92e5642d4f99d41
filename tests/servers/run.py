"""Launch real servers (uvicorn, hypercorn, gunicorn, Flask's development server) as
subprocesses for tests.

Each server binds 127.0.0.1 on a free port; :func:`start` waits until the port accepts
connections and :meth:`RunningServer.stop` terminates the process (and kills it when it does
not stop in time). Server output goes to a log file whose tail is shown when start-up fails.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent.parent
GEN_DIR = TESTS_DIR / "gen"
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class ServerKind:
    """How to launch one kind of server."""

    name: str
    interface: str  # "asgi" or "wsgi"
    http2: bool  # True when tests should talk HTTP/2 prior knowledge (h2c) to it
    processes: int = 1  # worker processes serving requests (state is per process)
    keep_alive: bool = True  # False: the server closes the connection after each response
    # False: the server hands the application a chunked request body in whole reads (64 KiB
    # or the end of the body), never the bytes that arrived so far
    partial_reads: bool = True

    def command(self, app: str, port: int) -> list[str]:
        py = sys.executable
        if self.name == "uvicorn":
            return [
                py,
                "-m",
                "uvicorn",
                app,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--loop",
                "asyncio",
                "--log-level",
                "warning",
                "--no-access-log",
                "--timeout-graceful-shutdown",
                "1",
            ]
        if self.name == "hypercorn":
            return [
                py,
                "-m",
                "hypercorn",
                app,
                "--bind",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "1",
                "--log-level",
                "warning",
            ]
        if self.name == "gunicorn":
            return [
                py,
                "-m",
                "gunicorn",
                app,
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(self.processes),
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--graceful-timeout",
                "2",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ]
        if self.name == "gunicorn-sync":  # one request at a time per worker process
            return [
                py,
                "-m",
                "gunicorn",
                app,
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(self.processes),
                "--worker-class",
                "sync",
                "--graceful-timeout",
                "2",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ]
        if self.name == "flask-dev":  # Flask's development server (werkzeug), threaded
            return [
                py,
                "-m",
                "flask",
                "--app",
                app,
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--with-threads",
                "--no-reload",
                "--no-debugger",
            ]
        if self.name == "granian":
            return [
                str(VENV_BIN / "granian"),
                "--interface",
                "asgi",
                "--http",
                "2",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                app,
            ]
        if self.name in ("pyvoy", "pyvoy-wsgi"):
            interface = ["--interface", "wsgi"] if self.interface == "wsgi" else []
            return [
                str(VENV_BIN / "pyvoy"),
                *interface,
                "--port",
                str(port),
                "--log-level",
                "warning",
                app,
            ]
        raise ValueError(self.name)


UVICORN = ServerKind("uvicorn", "asgi", http2=False)
HYPERCORN = ServerKind("hypercorn", "asgi", http2=True)
GUNICORN = ServerKind("gunicorn", "wsgi", http2=False, processes=2)
GRANIAN = ServerKind("granian", "asgi", http2=True)
PYVOY = ServerKind("pyvoy", "asgi", http2=True)
PYVOY_WSGI = ServerKind("pyvoy-wsgi", "wsgi", http2=True)
GUNICORN_SYNC = ServerKind("gunicorn-sync", "wsgi", http2=False, processes=4, keep_alive=False)
FLASK_DEV = ServerKind("flask-dev", "wsgi", http2=False, keep_alive=False, partial_reads=False)


@dataclass
class RunningServer:
    """A server subprocess and the base URL it serves."""

    kind: ServerKind
    app: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: object = field(repr=False, default=None)

    @property
    def name(self) -> str:
        return self.kind.name

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def http2(self) -> bool:
        return self.kind.http2

    @property
    def interface(self) -> str:
        return self.kind.interface

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        proc = self.process
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=8)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        log = self._log
        if log is not None:
            log.close()  # type: ignore[attr-defined]
            self._log = None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    env = dict(os.environ)
    parts = [str(TESTS_DIR), str(GEN_DIR)]
    if env.get("PYTHONPATH"):
        parts.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(parts)
    env["PYTHONUNBUFFERED"] = "1"
    # Servers must not inherit pytest's warnings-as-errors.
    env.pop("PYTHONWARNINGS", None)
    return env


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: have the kernel SIGTERM the server if the test process dies without cleanup."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _accepts(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            return False
        return True


def start(kind: ServerKind, app: str, log_dir: Path, timeout: float = 30.0) -> RunningServer:
    """Start ``app`` (``module:attribute``) under ``kind``; return once the port accepts."""
    for _attempt in range(3):
        port = free_port()
        log_path = log_dir / f"{kind.name}-{app.replace(':', '_')}-{port}.log"
        log = open(log_path, "wb")  # noqa: SIM115 - closed by RunningServer.stop
        proc = subprocess.Popen(
            kind.command(app, port),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=_env(),
            cwd=str(TESTS_DIR),
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        server = RunningServer(kind, app, port, proc, log_path, log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            if _accepts(port) and (
                # The gunicorn arbiter binds before its workers have imported the app.
                not kind.name.startswith("gunicorn") or _gunicorn_ready(server, deadline)
            ):
                return server
            time.sleep(0.05)
        tail = server.log_tail()
        server.stop()
        if "address already in use" in tail.lower():
            continue  # lost the race for the port: try another one
        raise RuntimeError(f"{kind.name} serving {app} did not start:\n{tail}")
    raise RuntimeError(f"{kind.name} serving {app}: no free port after 3 attempts")


def _gunicorn_ready(server: RunningServer, deadline: float) -> bool:
    """True once a worker answers an HTTP request; False when the server died or timed out."""
    import http.client

    while time.monotonic() < deadline and server.process.poll() is None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
        try:
            conn.request("GET", "/__ready__")
            conn.getresponse().read()
            return True
        except OSError:
            time.sleep(0.05)
        finally:
            conn.close()
    return False
