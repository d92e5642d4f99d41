"""The FastAPI demo: serve the todo service with uvicorn and call all four RPC kinds.

Starts ``server:app`` under uvicorn on a free 127.0.0.1 port, runs ``client.py`` against it
(unary, unary GET, client streaming, server streaming, bidirectional streaming, and a refused
token), checks the OpenAPI document, and stops the server.

    uv run --frozen python example_projects/fastapi_app/demo.py
"""

from __future__ import annotations

import asyncio
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
    """Run ``uvicorn server:app`` until it accepts connections on ``port``; stop it after."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE / "gen"), str(HERE)])}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "server:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(command, cwd=HERE, env=env)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    port = _free_port()
    with serve(port) as url:
        print(f"FastAPI todo service on {url} (Connect routes under /rpc, docs at /docs)")
        asyncio.run(client.main(url))
        with urllib.request.urlopen(f"{url}/openapi.json") as r:
            spec = json.load(r)
        documented = sorted(p.rsplit("/", 1)[-1] for p in spec["paths"] if p.startswith("/rpc"))
        print(f"[openapi]                documented: {', '.join(documented)}")


if __name__ == "__main__":
    main()
