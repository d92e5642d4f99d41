"""What an open, idle server stream costs: core vs a raw ASGI app vs the official package
(and, for information, the core service mounted in FastAPI with ``ConnectRouter`` vs a plain
FastAPI ``StreamingResponse`` route holding the same idle stream).

For each app, one uvicorn worker (uvloop, httptools) is started on 127.0.0.1; the script opens
N HTTP/1.1 server streams, waits until every one has received its first message, and reads
the server's resident memory before and after. It prints KiB per stream and the ratios.

    uv run --frozen python bench/stream_memory.py --streams 2000 --rounds 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import time
from pathlib import Path

from _harness import free_port, uvicorn
from _idle_streams import idle_kib

HERE = Path(__file__).resolve().parent
PATH = "/bench.v1.BenchService/Stream"
OFFICIAL_PATH = "/benchofficial.v1.BenchService/Stream"


def _start(which: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "IDLE_APP": which,
        "PYTHONPATH": os.pathsep.join([str(HERE / "gen"), str(HERE / "gen_official"), str(HERE)]),
    }
    cmd = uvicorn("idle_apps:app", "--backlog", "4096")(port)
    proc = subprocess.Popen(cmd, cwd=HERE, env=env)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{which} server did not start") from None
            time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results: dict[str, list[float]] = {
        "raw": [],
        "core": [],
        "official": [],
        "fastapi": [],
        "fastapi-plain": [],
    }
    for _ in range(args.rounds):
        for which in results:
            port = free_port()
            proc = _start(which, port)
            try:
                path = OFFICIAL_PATH if which == "official" else PATH
                results[which].append(asyncio.run(idle_kib(port, proc.pid, path, args.streams)))
            finally:
                proc.terminate()
                proc.wait(10)
    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"idle server streams, {args.streams} per run, median of {args.rounds} runs:")
    for k, v in med.items():
        print(f"  {k:13s} {v:6.1f} KiB/stream")
    print(
        f"  core - raw = {med['core'] - med['raw']:.1f} KiB/stream; "
        f"core / official = {med['core'] / med['official']:.2f}; "
        f"fastapi - core = {med['fastapi'] - med['core']:.1f} KiB/stream; "
        f"fastapi / fastapi-plain = {med['fastapi'] / med['fastapi-plain']:.2f}"
    )


if __name__ == "__main__":
    main()
