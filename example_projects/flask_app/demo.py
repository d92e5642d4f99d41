"""The Flask demo: serve the notes app with gunicorn and call all four RPC kinds.

Starts ``server:app`` under gunicorn (``gunicorn.conf.py``) on a free 127.0.0.1 port, runs
``client.py`` against it (unary, unary GET, client streaming, server streaming, half-duplex
bidi, a handler's error and a refused token), checks a plain Flask route beside the service,
and stops the server.

    uv run --frozen python example_projects/flask_app/demo.py
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "gen"), str(HERE)]

import client  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(port: int) -> Iterator[str]:
    """Run ``gunicorn server:app`` until it answers on ``port``; stop it after."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE / "gen"), str(HERE)])}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "server:app",
    ]
    proc = subprocess.Popen(command, cwd=HERE, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    port = _free_port()
    with serve(port) as url:
        print(f"Flask notes app on {url} (Connect service under /rpc, /health beside it)")
        client.main(url)
        with urllib.request.urlopen(f"{url}/health") as r:
            print(f"[plain Flask route]      /health: {json.load(r)}")


if __name__ == "__main__":
    main()
