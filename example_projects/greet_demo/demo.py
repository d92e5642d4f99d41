"""The demo: serve the streaming guide's GreetService with uvicorn and call it.

Starts ``server:app`` under uvicorn on 127.0.0.1, sends a client stream of names with the
async client, prints the reply and its ``greet-version`` header, then does the same with the
sync client against the WSGI twin under gunicorn (when gunicorn is installed), and stops.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "gen")]

from greet.v1.greet_connect import GreetServiceClient, GreetServiceClientSync  # noqa: E402
from greet.v1.greet_pb2 import GreetRequest  # noqa: E402

from connect_core import ResponseMetadata  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(command: list[str], port: int) -> Iterator[str]:
    """Run a server command until it accepts connections on ``port``; stop it afterwards."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE / "gen"), str(HERE)])}
    proc = subprocess.Popen(command, cwd=HERE, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {' '.join(command)}") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


async def call_async(url: str) -> None:
    async def names():
        for name in ("Jane", "Joe", "Ada"):
            yield GreetRequest(name=name)

    async with GreetServiceClient(url) as client:
        with ResponseMetadata() as meta:
            reply = await client.greet(names())
    print(f"[async client -> uvicorn/ASGI] greet-version={meta.headers().get('greet-version')}")
    print(reply.greeting, end="")


def call_sync(url: str) -> None:
    with GreetServiceClientSync(url) as client, ResponseMetadata() as meta:
        reply = client.greet(GreetRequest(name=n) for n in ("Grace", "Linus"))
    print(f"[sync client -> gunicorn/WSGI] greet-version={meta.headers().get('greet-version')}")
    print(reply.greeting, end="")


def main() -> None:
    bin_dir = Path(sys.executable).parent
    port = _free_port()
    uvicorn = [
        str(bin_dir / "uvicorn"),
        "server:app",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with serve(uvicorn, port) as url:
        asyncio.run(call_async(url))
    gunicorn = shutil.which("gunicorn", path=str(bin_dir))
    if gunicorn:
        port = _free_port()
        with serve(
            [gunicorn, "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "wsgi_server:app"], port
        ) as url:
            call_sync(url)


if __name__ == "__main__":
    main()
