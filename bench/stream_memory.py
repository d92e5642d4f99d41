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
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PATH = "/bench.v1.BenchService/Stream"
OFFICIAL_PATH = "/benchofficial.v1.BenchService/Stream"
BODY = b"\x00\x00\x00\x00\x04\x08\x01\x10\x0a"  # StreamRequest{count: 1, size: 10}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _start(which: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "IDLE_APP": which,
        "PYTHONPATH": os.pathsep.join([str(HERE / "gen"), str(HERE / "gen_official"), str(HERE)]),
    }
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "idle_apps:app",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
        "--backlog",
        "4096",
    ]
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


async def _open(port: int, path: str) -> asyncio.StreamWriter:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/connect+proto\r\nConnect-Protocol-Version: 1\r\n"
            f"Content-Length: {len(BODY)}\r\n\r\n"
        ).encode()
        + BODY
    )
    data = b""
    while b"xxxxxxxxxx" not in data:  # the first message's payload has arrived
        chunk = await reader.read(4096)
        if not chunk:
            raise RuntimeError("stream closed before its first message")
        data += chunk
    return writer


async def _measure(port: int, pid: int, path: str, n: int) -> float:
    warm = [await _open(port, path) for _ in range(20)]
    await asyncio.sleep(0.5)
    before = _rss_kib(pid)
    writers: list[asyncio.StreamWriter] = []
    for i in range(0, n, 100):
        writers += await asyncio.gather(*(_open(port, path) for _ in range(min(100, n - i))))
    await asyncio.sleep(1.0)
    after = _rss_kib(pid)
    for w in writers + warm:
        w.close()
    return (after - before) / n


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
            port = _free_port()
            proc = _start(which, port)
            try:
                path = OFFICIAL_PATH if which == "official" else PATH
                results[which].append(asyncio.run(_measure(port, proc.pid, path, args.streams)))
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
