"""Start the FastAPI test app under real servers (uvicorn over HTTP/1.1, hypercorn over h2c).

Each server is a subprocess on a free 127.0.0.1 port, logging to a file whose tail is shown
when start-up fails; :meth:`Server.stop` terminates it (and kills it if it hangs).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent


@dataclass
class Server:
    """A running server process."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    @property
    def http2(self) -> bool:
        """True when clients should speak HTTP/2 with prior knowledge (h2c)."""
        return self.name == "hypercorn"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, n: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-n:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=8)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _command(name: str, app: str, port: int) -> list[str]:
    py = sys.executable
    if name == "uvicorn":
        return [
            py,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "1",
        ]
    if name == "hypercorn":
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
    raise ValueError(name)


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


def start(
    name: str,
    app: str,
    log_dir: Path,
    timeout: float = 30.0,
    *,
    pythonpath: list[Path] | None = None,
    cwd: Path = HERE,
) -> Server:
    """Serve ``app`` (``module:attribute``, importable from ``tests/fastapi`` unless another
    ``pythonpath`` is given) with ``name``."""
    paths = pythonpath if pythonpath is not None else [HERE, TESTS, TESTS / "gen"]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in paths)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("PYTHONWARNINGS", None)
    for _ in range(3):
        port = free_port()
        log_path = log_dir / f"{name}-{port}.log"
        log = open(log_path, "wb")  # noqa: SIM115 - closed by Server.stop
        proc = subprocess.Popen(
            _command(name, app, port),
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        server = Server(name, port, proc, log_path, log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            if _accepts(port):
                return server
            time.sleep(0.05)
        tail = server.log_tail()
        server.stop()
        if "address already in use" not in tail.lower():
            raise RuntimeError(f"{name} serving {app} did not start:\n{tail}")
    raise RuntimeError(f"{name}: no free port after 3 attempts")
