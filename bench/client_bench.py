"""Client benchmark: our clients on every transport vs the official connectrpc clients vs raw loops.

One server for every client: the official ``connectrpc`` ASGI app (``official_app.py``, the
one ``server_bench.py`` uses) under uvicorn (uvloop, httptools), pinned to one CPU while this
process (every client) is pinned to another. Clients take turns workload by workload, round
after round (in a rotated order each round), and the median of the rounds is reported.

Noise: the numbers are only as steady as the machine. With other processes on either CPU,
calls/s swing by 30% between runs; client CPU µs per call is steadier, and the last line (the
Connect layer timed alone, against responses canned in memory) does not depend on the server.
On a fast stream the server is the bottleneck, and a client that reads faster makes it slower
(each message then leaves in its own ``send()``; a lagging reader lets the server batch).

Clients (every one sends the same bytes: a 100-byte ``Payload``, no compression either way,
so the server does the same work for each):

* ``official``       the official ``connectrpc`` clients (``ConnectClient``/``ConnectClientSync``
                     on pyqwest) with the ``google.protobuf`` codec
* ``raw-httpx``      a loop posting pre-encoded bytes with httpx: the floor of httpx clients
* ``ours-httpx``     our client on its default transport (httpx)
* ``raw-aiohttp``    a raw aiohttp loop (the reference's floor for a fast async client)
* ``ours-aiohttp``   our async client on ``AiohttpTransport``
* ``ours-httptools`` our clients on the fast transports, ``HttptoolsAsyncTransport`` and
                     ``HttptoolsSyncTransport`` (HTTP/1.1 parsed by httptools)
* ``raw-http.client`` a raw ``http.client`` loop (sync)
* ``ours-http.client`` our sync client on ``HttpClientTransport`` (standard library only)

Workloads: unary calls in sequence (c=1); 32 concurrent unary callers (async: 32 tasks on one
loop; sync: 8 threads); one server stream of 10,000 16-byte messages per call. Reported:
calls/s (messages/s for the stream) and this process's CPU µs per call (per message) from
``time.process_time()``. Then full-duplex bidi over HTTP/2: ``H2Transport`` (async) and
``H2SyncTransport`` (sync) against the official app under hypercorn (h2c), ping-pong of 1,000
messages on one stream (each request sent after the previous reply arrived), in round trips/s.

Run from the repository root::

    uv run --frozen python bench/client_bench.py             # full run, ~4 minutes
    uv run --frozen python bench/client_bench.py --quick     # smoke test
    uv run --frozen python bench/client_bench.py --only async --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:0] = [str(BENCH_DIR / "gen_official"), str(ROOT / "tests" / "gen"), str(ROOT)]

from benchofficial.v1 import bench_connect as official_gen  # noqa: E402
from benchofficial.v1.bench_pb2 import Payload, StreamRequest  # noqa: E402

from connect_core import (  # noqa: E402
    AiohttpTransport,
    ConnectClient,
    ConnectClientSync,
    H2SyncTransport,
    H2Transport,
    HttpClientTransport,
    HttptoolsAsyncTransport,
    HttptoolsSyncTransport,
    MethodInfo,
    StreamType,
)

SERVICE = "benchofficial.v1.BenchService"
UNARY = MethodInfo(
    name="Unary",
    python_name="unary",
    service_name=SERVICE,
    input=Payload,
    output=Payload,
    stream_type=StreamType.UNARY,
)
STREAM = MethodInfo(
    name="Stream",
    python_name="stream",
    service_name=SERVICE,
    input=StreamRequest,
    output=Payload,
    stream_type=StreamType.SERVER_STREAM,
)
REQUEST = Payload(data=b"x" * 98)  # encodes to exactly 100 bytes
REQUEST_BODY = REQUEST.SerializeToString()
STREAM_COUNT = 10_000
STREAM_SIZE = 16
STREAM_REQUEST = StreamRequest(count=STREAM_COUNT, size=STREAM_SIZE)
STREAM_BODY = b"\x00" + len(s := STREAM_REQUEST.SerializeToString()).to_bytes(4, "big") + s
UNARY_HEADERS = {
    "content-type": "application/proto",
    "connect-protocol-version": "1",
    "accept-encoding": "identity",
}
STREAM_HEADERS = {
    "content-type": "application/connect+proto",
    "connect-protocol-version": "1",
    "accept-encoding": "identity",
}
ASYNC_TASKS = 32
SYNC_THREADS = 8


class BenchClient(ConnectClient):
    """What our generator writes for BenchService (async)."""

    async def unary(self, request: Payload) -> Payload:
        return await self._unary(UNARY, request)  # type: ignore[no-any-return]

    def stream(self, request: StreamRequest) -> Any:
        return self._server_stream(STREAM, request)


class BenchClientSync(ConnectClientSync):
    """What our generator writes for BenchService (sync)."""

    def unary(self, request: Payload) -> Payload:
        return self._unary(UNARY, request)  # type: ignore[no-any-return]

    def stream(self, request: StreamRequest) -> Any:
        return self._server_stream(STREAM, request)


def count_envelopes(buf: bytes | bytearray) -> int:
    """Messages in a Connect stream body, the end-of-stream message excluded."""
    n = pos = 0
    while pos + 5 <= len(buf):
        if not buf[pos] & 2:
            n += 1
        pos += 5 + int.from_bytes(buf[pos + 1 : pos + 5], "big")
    return n


# -- the clients -----------------------------------------------------------------------------------
#
# Each factory returns (unary, stream, close): unary() makes one call; stream() reads one whole
# server stream and returns its message count.


@dataclass
class Driver:
    unary: Callable[[], Any]
    stream: Callable[[], Any]
    close: Callable[[], Any]


async def official_async(url: str) -> Driver:
    from connectrpc.client import ConnectClient as Official
    from connectrpc.compat import google_protobuf_binary_codec

    client = Official(
        url, codec=google_protobuf_binary_codec(), send_compression=None, accept_compression=[]
    )

    async def unary() -> Any:
        return await client.execute_unary(request=REQUEST, method=official_gen.UNARY)

    async def stream() -> int:
        n = 0
        async for _ in client.execute_server_stream(
            request=STREAM_REQUEST, method=official_gen.STREAM
        ):
            n += 1
        return n

    return Driver(unary, stream, client.close)


async def raw_httpx_async(url: str) -> Driver:
    import httpx

    http = httpx.AsyncClient(timeout=None)
    unary_url = f"{url}/{SERVICE}/Unary"
    stream_url = f"{url}/{SERVICE}/Stream"

    async def unary() -> bytes:
        r = await http.post(unary_url, content=REQUEST_BODY, headers=UNARY_HEADERS)
        return r.content

    async def stream() -> int:
        buf = bytearray()
        async with http.stream(
            "POST", stream_url, content=STREAM_BODY, headers=STREAM_HEADERS
        ) as r:
            async for chunk in r.aiter_raw():
                buf += chunk
        return count_envelopes(buf)

    return Driver(unary, stream, http.aclose)


async def raw_aiohttp(url: str) -> Driver:
    import aiohttp

    session = aiohttp.ClientSession(auto_decompress=False)
    unary_url = f"{url}/{SERVICE}/Unary"
    stream_url = f"{url}/{SERVICE}/Stream"

    async def unary() -> bytes:
        async with session.post(unary_url, data=REQUEST_BODY, headers=UNARY_HEADERS) as r:
            return await r.read()

    async def stream() -> int:
        buf = bytearray()
        async with session.post(stream_url, data=STREAM_BODY, headers=STREAM_HEADERS) as r:
            async for chunk in r.content.iter_any():
                buf += chunk
        return count_envelopes(buf)

    return Driver(unary, stream, session.close)


async def ours_async(url: str, transport: Any) -> Driver:
    client = BenchClient(url, transport=transport, accept_compressions=())

    async def stream() -> int:
        n = 0
        async for _ in client.stream(STREAM_REQUEST):
            n += 1
        return n

    async def close() -> None:
        await client.aclose()
        if transport is not None:
            await transport.aclose()

    return Driver(lambda: client.unary(REQUEST), stream, close)


def official_sync(url: str) -> Driver:
    from connectrpc.client import ConnectClientSync as Official
    from connectrpc.compat import google_protobuf_binary_codec

    client = Official(
        url, codec=google_protobuf_binary_codec(), send_compression=None, accept_compression=[]
    )

    def stream() -> int:
        n = 0
        for _ in client.execute_server_stream(request=STREAM_REQUEST, method=official_gen.STREAM):
            n += 1
        return n

    return Driver(
        lambda: client.execute_unary(request=REQUEST, method=official_gen.UNARY),
        stream,
        client.close,
    )


def raw_httpx_sync(url: str) -> Driver:
    import httpx

    http = httpx.Client(timeout=None, limits=httpx.Limits(max_keepalive_connections=SYNC_THREADS))
    unary_url = f"{url}/{SERVICE}/Unary"
    stream_url = f"{url}/{SERVICE}/Stream"

    def stream() -> int:
        buf = bytearray()
        with http.stream("POST", stream_url, content=STREAM_BODY, headers=STREAM_HEADERS) as r:
            for chunk in r.iter_raw():
                buf += chunk
        return count_envelopes(buf)

    return Driver(
        lambda: http.post(unary_url, content=REQUEST_BODY, headers=UNARY_HEADERS).content,
        stream,
        http.close,
    )


def raw_http_client(url: str) -> Driver:
    import http.client

    host, port = url.removeprefix("http://").split(":")
    local = threading.local()
    conns: list[http.client.HTTPConnection] = []

    def conn() -> http.client.HTTPConnection:
        c = getattr(local, "conn", None)
        if c is None:
            c = local.conn = http.client.HTTPConnection(host, int(port))
            conns.append(c)
        return c

    def send(path: str, body: bytes, headers: dict[str, str]) -> http.client.HTTPResponse:
        c = conn()
        try:
            c.request("POST", path, body=body, headers=headers)
            return c.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed the idle keep-alive connection (uvicorn: after 5 s).
            c.close()
            c.connect()
            c.request("POST", path, body=body, headers=headers)
            return c.getresponse()

    def unary() -> bytes:
        return send(f"/{SERVICE}/Unary", REQUEST_BODY, UNARY_HEADERS).read()

    def stream() -> int:
        r = send(f"/{SERVICE}/Stream", STREAM_BODY, STREAM_HEADERS)
        buf = bytearray()
        while chunk := r.read1(65536):
            buf += chunk
        return count_envelopes(buf)

    def close() -> None:
        for c in conns:
            c.close()

    return Driver(unary, stream, close)


def ours_sync(url: str, transport: Any) -> Driver:
    client = BenchClientSync(url, transport=transport, accept_compressions=())

    def stream() -> int:
        n = 0
        for _ in client.stream(STREAM_REQUEST):
            n += 1
        return n

    def close() -> None:
        client.close()
        if transport is not None:
            transport.close()

    return Driver(lambda: client.unary(REQUEST), stream, close)


ASYNC_CLIENTS: dict[str, Callable[[str], Awaitable[Driver]]] = {
    "official": official_async,
    "raw-httpx": raw_httpx_async,
    "ours-httpx": lambda url: ours_async(url, None),
    "raw-aiohttp": raw_aiohttp,
    "ours-aiohttp": lambda url: ours_async(url, AiohttpTransport()),
    "ours-httptools": lambda url: ours_async(url, HttptoolsAsyncTransport()),
}
SYNC_CLIENTS: dict[str, Callable[[str], Driver]] = {
    "official": official_sync,
    "raw-httpx": raw_httpx_sync,
    "ours-httpx": lambda url: ours_sync(url, None),
    "raw-http.client": raw_http_client,
    "ours-http.client": lambda url: ours_sync(url, HttpClientTransport()),
    "ours-httptools": lambda url: ours_sync(url, HttptoolsSyncTransport()),
}


# -- measuring -------------------------------------------------------------------------------------


@dataclass
class Sample:
    rate: float  # calls (or messages) per second
    cpu_us: float  # this process's CPU µs per call (or message)


@dataclass
class Results:
    samples: dict[tuple[str, str, str], list[Sample]] = field(default_factory=dict)

    def add(self, kind: str, client: str, workload: str, sample: Sample) -> None:
        self.samples.setdefault((kind, client, workload), []).append(sample)

    def median(self, kind: str, client: str, workload: str) -> Sample | None:
        found = self.samples.get((kind, client, workload))
        if not found:
            return None
        return Sample(
            statistics.median(s.rate for s in found), statistics.median(s.cpu_us for s in found)
        )


async def measure_async(driver: Driver, workload: str, duration: float) -> Sample:
    gc.collect()
    if workload == "stream":
        count = 0
        wall, cpu = time.perf_counter(), time.process_time()
        while True:
            count += await driver.stream()
            if time.perf_counter() - wall >= duration:
                break
        return _sample(count, wall, cpu)
    tasks = 1 if workload == "c=1" else ASYNC_TASKS
    stop = time.perf_counter() + duration
    counts = [0] * tasks

    async def worker(i: int) -> None:
        unary = driver.unary
        n = 0
        while time.perf_counter() < stop:
            await unary()
            n += 1
        counts[i] = n

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(i) for i in range(tasks)))
    return _sample(sum(counts), wall, cpu)


def measure_sync(driver: Driver, workload: str, duration: float) -> Sample:
    gc.collect()
    if workload == "stream":
        count = 0
        wall, cpu = time.perf_counter(), time.process_time()
        while True:
            count += driver.stream()
            if time.perf_counter() - wall >= duration:
                break
        return _sample(count, wall, cpu)
    threads = 1 if workload == "c=1" else SYNC_THREADS
    stop = time.perf_counter() + duration
    counts = [0] * threads

    def worker(i: int) -> None:
        unary = driver.unary
        n = 0
        while time.perf_counter() < stop:
            unary()
            n += 1
        counts[i] = n

    wall, cpu = time.perf_counter(), time.process_time()
    if threads == 1:
        worker(0)
    else:
        pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    return _sample(sum(counts), wall, cpu)


def _sample(n: int, wall: float, cpu: float) -> Sample:
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    return Sample(n / wall, cpu / max(n, 1) * 1e6)


WORKLOADS = ("c=1", "c=32", "stream")


def rotated(drivers: dict[str, Any], r: int) -> list[str]:
    """The clients in a different order each round, so no client always follows another."""
    names = list(drivers)
    k = r % len(names)
    return names[k:] + names[:k]


async def run_async(url: str, args: argparse.Namespace, results: Results) -> None:
    drivers = {name: await make(url) for name, make in ASYNC_CLIENTS.items()}
    try:
        for driver in drivers.values():  # warm-up: connections, imports, caches
            for workload in WORKLOADS:
                await measure_async(driver, workload, args.warmup)
        for r in range(args.rounds):
            for workload in WORKLOADS:
                for name in rotated(drivers, r):
                    sample = await measure_async(drivers[name], workload, args.duration)
                    results.add("async", name, workload, sample)
            print(f"  async round {r + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        for driver in drivers.values():
            await driver.close()


def run_sync(url: str, args: argparse.Namespace, results: Results) -> None:
    drivers = {name: make(url) for name, make in SYNC_CLIENTS.items()}
    try:
        for driver in drivers.values():
            for workload in WORKLOADS:
                measure_sync(driver, workload, args.warmup)
        for r in range(args.rounds):
            for workload in WORKLOADS:
                for name in rotated(drivers, r):
                    sample = measure_sync(drivers[name], workload, args.duration)
                    results.add("sync", name, workload, sample)
            print(f"  sync round {r + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        for driver in drivers.values():
            driver.close()


async def ping_pong(url: str, messages: int, rounds: int) -> list[float]:
    """Round trips per second of a full-duplex bidi stream over HTTP/2."""
    from echo.v1.echo_connect import EchoServiceClient
    from echo.v1.echo_pb2 import EchoRequest

    rates = []
    async with H2Transport() as transport:
        client = EchoServiceClient(url, transport=transport, accept_compressions=())

        async def requests(replies: asyncio.Queue[None]) -> Any:
            for _ in range(messages):
                yield EchoRequest(message="ping")
                await replies.get()

        for _ in range(rounds + 1):
            replies: asyncio.Queue[None] = asyncio.Queue()
            n = 0
            start = time.perf_counter()
            async for _ in client.chat(requests(replies)):
                n += 1
                replies.put_nowait(None)
            assert n == messages
            rates.append(messages / (time.perf_counter() - start))
    return rates[1:]  # the first round warms up


def ping_pong_sync(url: str, messages: int, rounds: int) -> list[float]:
    """The same ping-pong with the sync client on ``H2SyncTransport``."""
    import queue

    from echo.v1.echo_connect import EchoServiceClientSync
    from echo.v1.echo_pb2 import EchoRequest

    rates = []
    with H2SyncTransport() as transport:
        client = EchoServiceClientSync(url, transport=transport, accept_compressions=())

        def requests(replies: queue.SimpleQueue[None]) -> Any:
            for _ in range(messages):
                yield EchoRequest(message="ping")
                replies.get()

        for _ in range(rounds + 1):
            replies: queue.SimpleQueue[None] = queue.SimpleQueue()
            n = 0
            start = time.perf_counter()
            for _ in client.chat(requests(replies)):
                n += 1
                replies.put(None)
            assert n == messages
            rates.append(messages / (time.perf_counter() - start))
    return rates[1:]


# -- the Connect layer alone ----------------------------------------------------------------------


class _CannedResponse:
    """A response already in memory: what a transport returns, without any I/O."""

    def __init__(self, headers: list[tuple[str, str]], chunks: list[bytes]) -> None:
        from connect_core import Headers

        self.status = 200
        self.headers = Headers(headers)
        self.trailers = Headers()
        self._chunks = chunks

    async def aiter_bytes(self) -> Any:
        for chunk in self._chunks:
            yield chunk

    def iter_bytes(self) -> Any:
        return iter(self._chunks)

    async def aread(self) -> bytes:
        return self._chunks[0]

    def read(self) -> bytes:
        return self._chunks[0]

    async def aclose(self) -> None:
        pass

    def close(self) -> None:
        pass


def _canned() -> tuple[Any, Any]:
    unary_headers = [("content-type", "application/proto"), ("content-length", "100")]
    message = Payload(data=b"x" * STREAM_SIZE).SerializeToString()
    envelope = b"\x00" + len(message).to_bytes(4, "big") + message
    stream_chunks = [envelope] * STREAM_COUNT + [b"\x02\x00\x00\x00\x02{}"]
    stream_headers = [("content-type", "application/connect+proto")]

    class Async:
        async def send(self, method: str, url: str, headers: Any, body: Any) -> Any:
            if url.endswith("/Unary"):
                return _CannedResponse(unary_headers, [REQUEST_BODY])
            return _CannedResponse(stream_headers, stream_chunks)

        async def aclose(self) -> None:
            pass

    class Sync:
        def send(self, method: str, url: str, headers: Any, body: Any, timeout: Any) -> Any:
            if url.endswith("/Unary"):
                return _CannedResponse(unary_headers, [REQUEST_BODY])
            return _CannedResponse(stream_headers, stream_chunks)

        def close(self) -> None:
            pass

    return Async(), Sync()


def layer_cost() -> dict[str, float]:
    """CPU µs of our clients' own work per unary call and per stream message, measured with a
    transport that answers from memory (no HTTP library, no I/O): the Connect layer's cost."""
    async_transport, sync_transport = _canned()
    out: dict[str, float] = {}

    async def run_async() -> None:
        client = BenchClient("http://x", transport=async_transport, accept_compressions=())
        for _ in range(2000):
            await client.unary(REQUEST)
        cpu = time.process_time()
        for _ in range(20000):
            await client.unary(REQUEST)
        out["async unary"] = (time.process_time() - cpu) / 20000 * 1e6
        cpu = time.process_time()
        n = 0
        for _ in range(5):
            async for _ in client.stream(STREAM_REQUEST):
                n += 1
        out["async stream"] = (time.process_time() - cpu) / n * 1e6

    asyncio.run(run_async())
    client = BenchClientSync("http://x", transport=sync_transport, accept_compressions=())
    for _ in range(2000):
        client.unary(REQUEST)
    cpu = time.process_time()
    for _ in range(20000):
        client.unary(REQUEST)
    out["sync unary"] = (time.process_time() - cpu) / 20000 * 1e6
    cpu = time.process_time()
    n = 0
    for _ in range(5):
        for _ in client.stream(STREAM_REQUEST):
            n += 1
    out["sync stream"] = (time.process_time() - cpu) / n * 1e6
    return out


# -- servers ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(argv: list[str], port: int, pythonpath: list[Path], cpu: int | None) -> Iterator[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*map(str, pythonpath), env.get("PYTHONPATH", "")])
    env.pop("PYTHONWARNINGS", None)
    prefix = ["taskset", "-c", str(cpu)] if cpu is not None and shutil.which("taskset") else []
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([*prefix, *argv], env=env, stdout=log, stderr=log, cwd=BENCH_DIR)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(
                            f"server did not start: {argv}\n{log.read().decode(errors='replace')}"
                        ) from None
                    time.sleep(0.05)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def uvicorn_official(cpu: int | None) -> Any:
    port = free_port()
    argv = [
        sys.executable, "-m", "uvicorn", "official_app:app", "--host", "127.0.0.1",
        "--port", str(port), "--loop", "uvloop", "--http", "httptools", "--no-access-log",
        "--log-level", "warning",
    ]  # fmt: skip
    return serve(argv, port, [BENCH_DIR, BENCH_DIR / "gen_official"], cpu)


def hypercorn_echo(cpu: int | None) -> Any:
    port = free_port()
    argv = [
        sys.executable, "-m", "hypercorn", "client.official_server:app",
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
    ]  # fmt: skip
    return serve(argv, port, [ROOT / "tests", ROOT / "tests" / "gen"], cpu)


# -- report ----------------------------------------------------------------------------------------


def fmt(sample: Sample | None, unit: str) -> str:
    if sample is None:
        return "-"
    return f"{sample.rate:>10,.0f} {unit} [{sample.cpu_us:6.1f} µs]"


def ratio(results: Results, kind: str, a: str, b: str, workload: str) -> float | None:
    x, y = results.median(kind, a, workload), results.median(kind, b, workload)
    if x is None or y is None or not y.rate:
        return None
    return x.rate / y.rate


def cpu_ratio(results: Results, kind: str, a: str, b: str, workload: str) -> float | None:
    """How much less client CPU ``a`` spends per call than ``b`` (b's µs / a's µs)."""
    x, y = results.median(kind, a, workload), results.median(kind, b, workload)
    if x is None or y is None or not x.cpu_us:
        return None
    return y.cpu_us / x.cpu_us


def report(results: Results, pingpong: dict[str, list[float]], layer: dict[str, float]) -> bool:
    ok = True
    print(
        "\nthe Connect layer alone (canned in-memory responses, no HTTP library): "
        + ", ".join(
            f"{k} {v:.1f} µs/{'msg' if 'stream' in k else 'call'}" for k, v in layer.items()
        )
    )
    for kind, clients in (("async", ASYNC_CLIENTS), ("sync", SYNC_CLIENTS)):
        if not any(k[0] == kind for k in results.samples):
            continue
        c32 = f"c=32 ({ASYNC_TASKS} tasks)" if kind == "async" else f"c=32 ({SYNC_THREADS} thr)"
        print(f"\n{kind} clients: calls/s [client CPU µs per call]; stream: msgs/s [µs per msg]")
        print(f"  {'client':18s} {'c=1':>28s} {c32:>28s} {'stream 10k x 16 B':>28s}")
        for name in clients:
            row = [fmt(results.median(kind, name, w), "/s") for w in WORKLOADS]
            print(f"  {name:18s} " + " ".join(f"{c:>28s}" for c in row))
    print(
        "\ntargets (median ratios of calls/s, messages/s for the stream; in brackets the same"
        " ratio from client CPU per call, steadier when other processes share the machine):"
    )
    checks = [
        ("async", "ours-httpx", "raw-httpx", ("c=1", "c=32", "stream"), 0.9),
        ("sync", "ours-httpx", "raw-httpx", ("c=1", "c=32", "stream"), 0.9),
        ("async", "ours-httptools", "official", ("c=1", "c=32"), 1.2),
        ("async", "ours-httptools", "official", ("stream",), 5.0),
        ("sync", "ours-httptools", "official", ("c=1", "stream"), 1.0),
        ("async", "ours-aiohttp", "official", ("c=1", "c=32", "stream"), None),
        ("async", "ours-aiohttp", "raw-aiohttp", ("c=1", "c=32", "stream"), None),
        ("async", "ours-httptools", "raw-aiohttp", ("c=1", "c=32", "stream"), None),
        ("sync", "ours-http.client", "official", ("c=1", "stream"), None),
        ("sync", "ours-http.client", "raw-http.client", ("c=1", "c=32", "stream"), None),
        ("sync", "ours-httptools", "official", ("c=32",), None),
    ]
    for kind, a, b, workloads, target in checks:
        for w in workloads:
            r = ratio(results, kind, a, b, w)
            if r is None:
                continue
            verdict = "" if target is None else ("  ok" if r >= target else "  MISSED")
            ok &= target is None or r >= target
            want = f" (target >= {target}x)" if target is not None else " (for information)"
            cpu = cpu_ratio(results, kind, a, b, w)
            per_cpu = "" if cpu is None else f"  [per client CPU µs: {cpu:4.2f}x]"
            print(f"  {kind:5s} {a} / {b} {w:6s}: {r:5.2f}x{want}{verdict}{per_cpu}")
    for kind, rates in pingpong.items():
        transport = "H2Transport" if kind == "async" else "H2SyncTransport"
        print(
            f"\nfull-duplex bidi over HTTP/2, {kind} ({transport} -> official app on hypercorn, "
            f"h2c): {statistics.median(rates):,.0f} round trips/s "
            f"(ping-pong of 1,000 messages on one stream; rounds: "
            + ", ".join(f"{x:,.0f}" for x in rates)
            + ")"
        )
    return ok


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds (3)")
    p.add_argument("--duration", type=float, default=2.0, help="seconds per measured run (2)")
    p.add_argument("--warmup", type=float, default=0.5, help="warm-up seconds per client (0.5)")
    p.add_argument("--only", choices=("async", "sync", "bidi"), help="run one part only")
    p.add_argument("--quick", action="store_true", help="tiny run for smoke testing")
    args = p.parse_args()
    if args.quick:
        args.rounds, args.duration, args.warmup = 1, 0.3, 0.1

    cpus = sorted(os.sched_getaffinity(0))
    server_cpu, client_cpu = (cpus[0], cpus[1]) if len(cpus) >= 2 else (None, None)
    if client_cpu is None:
        print("note: fewer than 2 CPUs: server and clients share them", file=sys.stderr)
    results = Results()
    pingpong: dict[str, list[float]] = {}
    with uvicorn_official(server_cpu) as url:
        if client_cpu is not None:
            os.sched_setaffinity(0, {client_cpu})
        print(f"server: official connectrpc app, uvicorn on CPU {server_cpu}; "
              f"clients on CPU {client_cpu}", file=sys.stderr)  # fmt: skip
        if args.only in (None, "async"):
            asyncio.run(run_async(url, args, results))
        if args.only in (None, "sync"):
            run_sync(url, args, results)
        if client_cpu is not None:
            os.sched_setaffinity(0, set(cpus))
    if args.only in (None, "bidi"):
        with hypercorn_echo(server_cpu) as url:
            if client_cpu is not None:
                os.sched_setaffinity(0, {client_cpu})
            pingpong["async"] = asyncio.run(ping_pong(url, 1000, max(args.rounds, 1)))
            pingpong["sync"] = ping_pong_sync(url, 1000, max(args.rounds, 1))
    if client_cpu is not None:
        os.sched_setaffinity(0, {client_cpu})
    ok = report(results, pingpong, layer_cost())
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
