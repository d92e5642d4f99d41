"""What idle, open server streams cost a server in resident memory.

``stream_memory.py`` and ``django_bench.py`` both open many HTTP/1.1 Connect server streams
(``bench.v1.BenchService/Stream`` asking for one 10-byte message, or a plain route that
behaves the same), wait until each has its first message, and read the server's ``VmRSS``
before and after.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from _harness import BenchError

STREAM_BODY = b"\x00\x00\x00\x00\x04\x08\x01\x10\x0a"  # StreamRequest{count: 1, size: 10}


def rss_kib(pid: int) -> int:
    """The resident memory of process ``pid``, KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise BenchError(f"no VmRSS for process {pid}")


async def open_stream(port: int, path: str) -> asyncio.StreamWriter:
    """A server stream on ``path`` that has received its first message, left open."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/connect+proto\r\nConnect-Protocol-Version: 1\r\n"
            f"Content-Length: {len(STREAM_BODY)}\r\n\r\n"
        ).encode()
        + STREAM_BODY
    )
    data = b""
    while b"xxxxxxxxxx" not in data:  # the first message's payload has arrived
        chunk = await reader.read(4096)
        if not chunk:
            raise BenchError(f"{path}: the stream closed before its first message")
        data += chunk
    return writer


async def idle_kib(port: int, pid: int, path: str, n: int) -> float:
    """KiB of resident memory per stream that ``n`` more idle streams on ``path`` cost the
    server process ``pid`` (after 20 warm-up streams)."""
    warm = [await open_stream(port, path) for _ in range(20)]
    await asyncio.sleep(0.5)
    before = rss_kib(pid)
    writers: list[asyncio.StreamWriter] = []
    for i in range(0, n, 100):
        writers += await asyncio.gather(*(open_stream(port, path) for _ in range(min(100, n - i))))
    await asyncio.sleep(1.0)
    after = rss_kib(pid)
    for w in writers + warm:
        w.close()
    return (after - before) / n
