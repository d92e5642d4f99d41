"""Server benchmark: connect_core's ASGI app vs a raw ASGI floor vs the official connectrpc.

Every app runs under the same uvicorn settings (one worker, uvloop, httptools, no access
log) pinned to one CPU, with the load generator pinned to another. Apps are measured
alternately, round after round, and the median of the rounds is reported.

Workloads:

* unary: ``h2load --h1`` POSTs a 100-byte ``Payload`` (``application/proto``) at
  concurrency 1 and 32; the servers echo it (the raw app returns the same bytes directly).
* stream: one server stream of 10,000 small messages per call, read by a raw-socket
  HTTP/1.1 client (chunked decoding and envelope counting), the same for both servers.

Run from the repository root::

    uv run --frozen python bench/server_bench.py            # full run, a few minutes
    uv run --frozen python bench/server_bench.py --quick    # smoke test
    uv run --frozen python bench/server_bench.py --profile  # py-spy the core server
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import os
import re
import resource
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from _harness import free_port, uvicorn

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PROFILE_DIR = BENCH_DIR / "profile-out"

PAYLOAD_SIZE = 100
# Payload{data: 98 bytes} encodes to exactly 100 bytes; raw_app.RESPONSE_BODY is the same.
REQUEST_BODY = b"\x0a\x62" + b"x" * (PAYLOAD_SIZE - 2)

UNARY_TARGET = 0.8  # core >= 0.8x raw
STREAM_TARGET = 1.0  # core >= 1.0x official

CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class AppSpec:
    """How to start one app and where its methods live."""

    name: str
    module: str
    pythonpath: tuple[Path, ...]
    unary_path: str
    stream_path: str | None


APPS: dict[str, AppSpec] = {
    "raw": AppSpec("raw", "raw_app:app", (), "/bench.v1.BenchService/Unary", None),
    "core": AppSpec(
        "core",
        "core_app:app",
        (BENCH_DIR / "gen",),
        "/bench.v1.BenchService/Unary",
        "/bench.v1.BenchService/Stream",
    ),
    "official": AppSpec(
        "official",
        "official_app:app",
        (BENCH_DIR / "gen_official",),
        "/benchofficial.v1.BenchService/Unary",
        "/benchofficial.v1.BenchService/Stream",
    ),
}


class BenchError(Exception):
    """A problem that stops the benchmark, reported without a traceback."""


# -- CPUs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cpus:
    """The CPU the servers run on and the CPU the load generators run on (None: unpinned)."""

    server: int | None
    load: int | None

    def prefix(self, cpu: int | None) -> list[str]:
        """A ``taskset`` command prefix pinning to ``cpu``, or nothing."""
        if cpu is None or shutil.which("taskset") is None:
            return []
        return ["taskset", "-c", str(cpu)]


def choose_cpus() -> Cpus:
    """Put servers on the first available CPU and load generators on the second."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2 or shutil.which("taskset") is None:
        print(
            "note: fewer than 2 CPUs or no taskset; server and load generator share CPUs",
            file=sys.stderr,
        )
        return Cpus(None, None)
    return Cpus(available[0], available[1])


# -- servers -------------------------------------------------------------------------------------


@dataclass
class Server:
    """A running uvicorn process serving one app."""

    spec: AppSpec
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        """The uvicorn process id (taskset execs, so it is the server itself)."""
        return self.proc.pid

    def url(self, path: str) -> str:
        """The full URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def cpu_seconds(self) -> float:
        """User plus system CPU time the server has used so far."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        # Fields 14 and 15 (utime, stime) of proc(5); index 0 here is field 3.
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def stop(self) -> None:
        """Stop the server and wait for it."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_server(spec: AppSpec, cpus: Cpus, logdir: Path) -> Server:
    """Start ``spec`` under uvicorn on a free port and wait until it accepts connections."""
    port = free_port()
    env = dict(os.environ)
    paths = [str(p) for p in spec.pythonpath]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    cmd = [*cpus.prefix(cpus.server), *uvicorn(spec.module, "--app-dir", str(BENCH_DIR))(port)]
    log = logdir / f"{spec.name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=BENCH_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(spec, port, proc, log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(
                f"the {spec.name} server exited at start-up:\n{log.read_text(errors='replace')}"
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise BenchError(f"the {spec.name} server did not start listening within 20 s")


@contextmanager
def running(specs: Sequence[AppSpec], cpus: Cpus) -> Iterator[dict[str, Server]]:
    """Start every app in ``specs`` and stop them all afterwards."""
    servers: dict[str, Server] = {}
    with tempfile.TemporaryDirectory(prefix="connect-bench-") as tmp:
        try:
            for spec in specs:
                servers[spec.name] = start_server(spec, cpus, Path(tmp))
            yield servers
        finally:
            for server in servers.values():
                server.stop()


# -- CPU accounting ------------------------------------------------------------------------------


def _machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent not idle (incl. irq, softirq and steal) since boot."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def _own_seconds() -> float:
    """CPU seconds used by this process and its waited-for children (h2load)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass
class CpuUse:
    """CPU used during one measured run, in seconds."""

    wall: float
    server: float
    load: float
    background: float


class Meter:
    """Measures server, load-generator and background CPU time over one run."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self._start = (time.perf_counter(), server.cpu_seconds(), _own_seconds())
        self._busy = _machine_busy_seconds()

    def stop(self) -> CpuUse:
        """Finish the measurement."""
        wall0, server0, own0 = self._start
        server = self.server.cpu_seconds() - server0
        load = _own_seconds() - own0
        busy = _machine_busy_seconds() - self._busy
        # Kernel time our traffic costs outside the two processes (softirq) lands here too,
        # so a few percent is normal; much more means other processes competed for the CPUs.
        background = max(busy - server - load, 0.0)
        return CpuUse(time.perf_counter() - wall0, server, load, background)


# -- a minimal HTTP/1.1 client -------------------------------------------------------------------


@dataclass
class Response:
    """Status, lower-cased headers and whatever body bytes arrived with the head."""

    status: int
    headers: dict[str, str]
    rest: bytearray


def _request(
    sock: socket.socket, path: str, content_type: str, body: bytes, bufsize: int = 1 << 18
) -> Response:
    head = (
        f"POST {path} HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n"
        f"Content-Type: {content_type}\r\n"
        "Connect-Protocol-Version: 1\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode("latin-1")
    sock.sendall(head + body)
    buf = bytearray()
    while (end := buf.find(b"\r\n\r\n")) < 0:
        data = sock.recv(bufsize)
        if not data:
            raise BenchError(f"connection closed before the response head for {path}")
        buf += data
    lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Response(status, headers, buf[end + 4 :])


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    pos = 0
    while True:
        eol = data.index(b"\r\n", pos)
        size = int(data[pos:eol].split(b";", 1)[0], 16)
        if size == 0:
            return bytes(out)
        out += data[eol + 2 : eol + 2 + size]
        pos = eol + 2 + size + 2


def unary_call(port: int, path: str, body: bytes) -> Response:
    """One unary POST; ``rest`` holds the whole (de-chunked) response body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        resp = _request(sock, path, "application/proto", body)
        while data := sock.recv(65536):  # the request said Connection: close
            resp.rest += data
    if resp.headers.get("transfer-encoding", "").lower() == "chunked":
        resp.rest = bytearray(_dechunk(bytes(resp.rest)))
    return resp


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def stream_request_envelope(count: int, size: int) -> bytes:
    """An enveloped ``StreamRequest{count, size}``, encoded by hand (no generated code)."""
    message = b"\x08" + _varint(count) + b"\x10" + _varint(size)
    return struct.pack(">BI", 0, len(message)) + message


@dataclass
class StreamResult:
    """What one streaming call delivered."""

    messages: int
    payload_bytes: int
    seconds: float
    first_message_seconds: float
    end: dict[str, object]


class _Envelopes:
    """Counts enveloped messages in a byte stream fed piece by piece."""

    __slots__ = ("buf", "end", "messages", "payload_bytes")

    def __init__(self) -> None:
        self.buf = bytearray()
        self.messages = 0
        self.payload_bytes = 0
        self.end: dict[str, object] | None = None

    def feed(self, data: bytes | bytearray) -> None:
        buf = self.buf
        buf += data
        pos = 0
        size = len(buf)
        unpack = struct.unpack_from
        while size - pos >= 5:
            flags, length = unpack(">BI", buf, pos)
            stop = pos + 5 + length
            if stop > size:
                break
            if flags & 0x02:
                self.end = json.loads(bytes(buf[pos + 5 : stop]) or b"{}")
            else:
                self.messages += 1
                self.payload_bytes += length
            pos = stop
        if pos:
            del buf[:pos]


STREAM_LOWAT = 16 * 1024  # best server utilisation in tests (64 KiB left it idler)


def _take_chunks(raw: bytearray, out: bytearray) -> bool:
    """Move the data of every complete chunk at the start of ``raw`` to ``out``.

    Returns True once the last (zero-size) chunk was taken.
    """
    pos = 0
    find = raw.find
    end = len(raw)
    done = False
    while (eol := find(b"\r\n", pos)) >= 0:
        size = int(raw[pos:eol].split(b";", 1)[0], 16)
        stop = eol + 4 + size
        if stop > end:
            break
        if size == 0:
            done = True
            pos = stop
            break
        out += raw[eol + 2 : stop - 2]
        pos = stop
    if pos:
        del raw[:pos]
    return done


def stream_call(port: int, path: str, count: int, size: int, lowat: int = 1) -> StreamResult:
    """Call a server stream and read it to the end, counting messages as they arrive.

    ``lowat`` (``SO_RCVLOWAT``) lets the client sleep until that many bytes are waiting,
    so that it wakes a few times per stream instead of once per message: the client then
    costs far less CPU than the server it measures. Use 1 to time the first message.
    """
    envelopes = _Envelopes()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        start = time.perf_counter()
        first = 0.0
        resp = _request(
            sock, path, "application/connect+proto", stream_request_envelope(count, size)
        )
        if resp.status != 200:
            raise BenchError(f"{path} answered HTTP {resp.status}: {bytes(resp.rest)[:200]!r}")
        if lowat > 1:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, lowat)
        recv = sock.recv
        if resp.headers.get("transfer-encoding", "").lower() == "chunked":
            raw = resp.rest
            decoded = bytearray()
            while True:
                done = _take_chunks(raw, decoded)
                if decoded:
                    envelopes.feed(decoded)
                    decoded.clear()
                    if not first and envelopes.messages:
                        first = time.perf_counter() - start
                if done:
                    break
                data = recv(1 << 20)
                if not data:
                    raise BenchError(f"{path}: connection closed mid-stream")
                raw += data
        else:
            length = int(resp.headers.get("content-length", "-1"))
            received = len(resp.rest)
            envelopes.feed(resp.rest)
            while length < 0 or received < length:
                data = recv(1 << 20)
                if not data:
                    break
                received += len(data)
                envelopes.feed(data)
                if not first and envelopes.messages:
                    first = time.perf_counter() - start
        elapsed = time.perf_counter() - start
    if envelopes.end is None:
        raise BenchError(f"{path}: the stream ended without an end-of-stream message")
    if "error" in envelopes.end:
        raise BenchError(f"{path}: the stream failed: {envelopes.end['error']}")
    if envelopes.messages != count:
        raise BenchError(f"{path}: expected {count} messages, got {envelopes.messages}")
    return StreamResult(envelopes.messages, envelopes.payload_bytes, elapsed, first, envelopes.end)


# -- h2load --------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    """One h2load run against one server."""

    rps: float
    done: int
    failed: int
    non_2xx: int
    cpu: CpuUse

    @property
    def cpu_us_per_request(self) -> float | None:
        """Server CPU µs per completed request."""
        return self.cpu.server * 1e6 / self.done if self.done else None


_RPS = re.compile(r"finished in [\d.]+\w*, ([\d.]+) req/s")
_REQUESTS = re.compile(
    r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
    r"(\d+) errored, (\d+) timeout"
)
_STATUS = re.compile(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx")


def h2load_path() -> str:
    """The h2load binary, or a clear error telling how to install it."""
    found = shutil.which("h2load")
    if found is None:
        raise BenchError(
            "h2load is not installed. Install it with:\n"
            "    apt-get update && apt-get install -y nghttp2-client\n"
            "(or run with --only stream, which does not need it)"
        )
    return found


def run_h2load(
    server: Server, cpus: Cpus, body_file: Path, clients: int, duration_s: float
) -> LoadResult:
    """Load ``server``'s unary method for ``duration_s`` seconds with ``clients`` connections."""
    cmd = [
        *cpus.prefix(cpus.load),
        h2load_path(),
        "--h1",
        "-c",
        str(clients),
        "-m",
        "1",
        "-D",
        f"{max(int(duration_s * 1000), 100)}ms",
        "-d",
        str(body_file),
        "-H",
        "content-type: application/proto",
        "-H",
        "connect-protocol-version: 1",
        server.url(server.spec.unary_path),
    ]
    meter = Meter(server)
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    cpu = meter.stop()
    out = proc.stdout
    rps = _RPS.search(out)
    reqs = _REQUESTS.search(out)
    status = _STATUS.search(out)
    if proc.returncode != 0 or rps is None or reqs is None or status is None:
        raise BenchError(f"h2load failed (exit {proc.returncode}):\n{out}\n{proc.stderr}")
    done = int(reqs.group(3))
    failed = int(reqs.group(5)) + int(reqs.group(6)) + int(reqs.group(7))
    non_2xx = sum(int(status.group(i)) for i in (2, 3, 4))
    return LoadResult(float(rps.group(1)), done, failed, non_2xx, cpu)


# -- checks --------------------------------------------------------------------------------------


def check_servers(servers: dict[str, Server], check_stream: bool) -> None:
    """Make sure every server answers the benchmark's calls correctly before timing them."""
    for name, server in servers.items():
        resp = unary_call(server.port, server.spec.unary_path, REQUEST_BODY)
        if resp.status != 200 or bytes(resp.rest) != REQUEST_BODY:
            raise BenchError(
                f"{name} answered the unary call wrongly: HTTP {resp.status} "
                f"{resp.headers} {bytes(resp.rest)[:200]!r}"
            )
        if not resp.headers.get("content-type", "").startswith("application/proto"):
            raise BenchError(f"{name} answered with content-type {resp.headers}")
        if check_stream and server.spec.stream_path is not None:
            stream_call(server.port, server.spec.stream_path, 10, 16)


# -- reporting -----------------------------------------------------------------------------------


def fmt(value: float) -> str:
    """Thousands-separated whole number."""
    return f"{value:,.0f}"


def verdict(ok: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if ok else "FAIL"


@dataclass
class Collected:
    """Per-app samples of one workload, one per round."""

    rates: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    cpu: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    background: list[float] = field(default_factory=list)

    def add(self, app: str, rate: float, cpu_us: float | None, use: CpuUse) -> None:
        """Record one run of ``app``."""
        self.rates[app].append(rate)
        if cpu_us is not None:
            self.cpu[app].append(cpu_us)
        self.background.append(use.background / use.wall)

    def median(self, app: str) -> float:
        """Median rate of ``app`` over the rounds."""
        return statistics.median(self.rates[app])

    def best(self, app: str) -> float:
        """Best rate of ``app`` over the rounds (the least disturbed by other work)."""
        return max(self.rates[app])

    def cpu_median(self, app: str) -> float | None:
        """Median CPU µs per request (or message), when measured."""
        values = self.cpu.get(app)
        return statistics.median(values) if values else None


BACKGROUND_WARN = 0.15
LATENCY_CALLS = 21


def background_note(samples: Sequence[float]) -> str:
    """A line on how busy the machine was with other work during the runs."""
    if not samples:
        return ""
    worst = max(samples)
    line = (
        f"    background CPU (other processes, softirq, steal) during runs: median "
        f"{100 * statistics.median(samples):.0f}%, max {100 * worst:.0f}% of one CPU"
    )
    if worst > BACKGROUND_WARN:
        line += (
            "\n    WARNING: other work competed for the CPUs; the rates are noisy, the CPU"
            " per request figures less so"
        )
    return line


T = TypeVar("T")


def steady(
    run: Callable[[], T], use_of: Callable[[T], CpuUse], args: argparse.Namespace
) -> tuple[T, str]:
    """Run ``run``; redo it (up to ``--retries`` times) while other work disturbed it.

    Returns the last result and a note on the retries ("" when none were needed).
    """
    wait_quiet(args)
    result = run()
    retries = 0
    while retries < args.retries:
        use = use_of(result)
        if use.background <= args.max_background * use.wall:
            break
        retries += 1
        wait_quiet(args)
        result = run()
    return result, f" retried x{retries}" if retries else ""


def wait_quiet(args: argparse.Namespace) -> None:
    """Wait (up to ``--quiet-wait`` seconds) until other work leaves the CPUs nearly idle.

    Called between runs, when the benchmark's own servers are idle.
    """
    deadline = time.monotonic() + args.quiet_wait
    while True:
        before = _machine_busy_seconds()
        time.sleep(0.5)
        busy = (_machine_busy_seconds() - before) / 0.5
        if busy <= args.max_background or time.monotonic() >= deadline:
            return


# -- workloads -----------------------------------------------------------------------------------


def unary_workload(args: argparse.Namespace, cpus: Cpus) -> list[tuple[str, bool]]:
    """Run the unary workload; return the targets and whether each passed."""
    h2load_path()
    names = ["raw", "core", "official"]
    levels = [1, 32]
    results = {c: Collected() for c in levels}
    with tempfile.TemporaryDirectory(prefix="connect-bench-body-") as tmp:
        body_file = Path(tmp) / "payload.bin"
        body_file.write_bytes(REQUEST_BODY)
        with running([APPS[n] for n in names], cpus) as servers:
            check_servers(servers, check_stream=False)
            print(f"warming up ({args.warmup:g} s per app) ...", flush=True)
            for name in names:
                run_h2load(servers[name], cpus, body_file, 32, args.warmup)
            for rnd in range(1, args.rounds + 1):
                for clients in levels:
                    line = []
                    for name in names:
                        server = servers[name]
                        res, note = steady(
                            functools.partial(
                                run_h2load, server, cpus, body_file, clients, args.duration
                            ),
                            lambda r: r.cpu,
                            args,
                        )
                        if res.failed or res.non_2xx:
                            raise BenchError(
                                f"{name} c={clients}: {res.failed} failed requests, "
                                f"{res.non_2xx} non-2xx responses"
                            )
                        results[clients].add(name, res.rps, res.cpu_us_per_request, res.cpu)
                        bg = 100 * res.cpu.background / res.cpu.wall
                        line.append(f"{name} {fmt(res.rps)} (bg {bg:.0f}%{note})")
                    print(f"  round {rnd} unary c={clients}: " + " | ".join(line), flush=True)
    print()
    verdicts: list[tuple[str, bool]] = []
    for clients in levels:
        col = results[clients]
        raw, core, official = (col.median(n) for n in names)
        ok = core >= UNARY_TARGET * raw
        print(
            f"unary c={clients}: raw {fmt(raw)} req/s | core {fmt(core)} ({core / raw:.2f}x raw)"
            f" | official {fmt(official)} (core {core / official:.2f}x official)"
            f"   [{verdict(ok)}: core >= {UNARY_TARGET}x raw]"
        )
        b_raw, b_core, b_off = (col.best(n) for n in names)
        print(
            f"    best of {len(col.rates['raw'])}: raw {fmt(b_raw)} | core {fmt(b_core)} "
            f"({b_core / b_raw:.2f}x raw) | official {fmt(b_off)} "
            f"(core {b_core / b_off:.2f}x official)"
        )
        cpu = {n: col.cpu_median(n) for n in names}
        c_raw, c_core, c_off = cpu["raw"], cpu["core"], cpu["official"]
        if c_raw and c_core and c_off:
            cpu_ok = c_raw / c_core >= UNARY_TARGET
            print(
                f"    server CPU per request: raw {c_raw:.0f} µs | core {c_core:.0f} µs "
                f"(raw/core {c_raw / c_core:.2f}x) | official {c_off:.0f} µs "
                f"(official/core {c_off / c_core:.2f}x)   [by CPU: {verdict(cpu_ok)}]"
            )
        print(background_note(col.background))
        verdicts.append((f"unary c={clients}: core >= {UNARY_TARGET}x raw", ok))
    return verdicts


def _stream_run(server: Server, args: argparse.Namespace) -> tuple[float, float, float, CpuUse]:
    """Stream calls until ``args.duration`` passes (at least ``args.stream_calls`` of them).

    Returns messages/s, server and client CPU µs per message, and the CPU use.
    """
    path = server.spec.stream_path
    assert path is not None
    messages = 0
    seconds = 0.0
    calls = 0
    meter = Meter(server)
    while calls < args.stream_calls or seconds < args.duration:
        res = stream_call(server.port, path, args.count, args.size, STREAM_LOWAT)
        messages += res.messages
        seconds += res.seconds
        calls += 1
    use = meter.stop()
    return messages / seconds, use.server * 1e6 / messages, use.load * 1e6 / messages, use


def stream_workload(args: argparse.Namespace, cpus: Cpus) -> list[tuple[str, bool]]:
    """Run the server-stream workload; return the target and whether it passed."""
    names = ["core", "official"]
    col = Collected()
    client_cpu: list[float] = []
    with running([APPS[n] for n in names], cpus) as servers:
        check_servers(servers, check_stream=True)
        print(f"warming up ({args.warmup:g} s per app) ...", flush=True)
        for name in names:
            warm = argparse.Namespace(**{**vars(args), "duration": args.warmup, "stream_calls": 1})
            _stream_run(servers[name], warm)
        for rnd in range(1, args.rounds + 1):
            line = []
            for name in names:
                server = servers[name]
                (rate, server_us, client_us, use), note = steady(
                    functools.partial(_stream_run, server, args), lambda r: r[3], args
                )
                col.add(name, rate, server_us, use)
                client_cpu.append(client_us)
                bg = 100 * use.background / use.wall
                line.append(f"{name} {fmt(rate)} msg/s (bg {bg:.0f}%{note})")
            print(f"  round {rnd} stream: " + " | ".join(line), flush=True)
        # Per-call latency: short streams, read message by message.
        first: dict[str, list[float]] = collections.defaultdict(list)
        whole: dict[str, list[float]] = collections.defaultdict(list)
        for _ in range(LATENCY_CALLS):
            for name in names:
                server = servers[name]
                assert server.spec.stream_path is not None
                res = stream_call(server.port, server.spec.stream_path, 10, args.size)
                first[name].append(res.first_message_seconds)
                whole[name].append(res.seconds)
    print()
    core, official = col.median("core"), col.median("official")
    ok = core >= STREAM_TARGET * official
    print(
        f"stream {args.count:,} x {args.size} B: core {fmt(core)} msg/s | official "
        f"{fmt(official)} msg/s (core {core / official:.2f}x official)"
        f"   [{verdict(ok)}: core >= {STREAM_TARGET}x official]"
    )
    b_core, b_off = col.best("core"), col.best("official")
    print(
        f"    best of {len(col.rates['core'])}: core {fmt(b_core)} | official {fmt(b_off)} "
        f"(core {b_core / b_off:.2f}x official)"
    )
    c_core, c_off = col.cpu_median("core"), col.cpu_median("official")
    if c_core and c_off:
        cpu_ok = c_off / c_core >= STREAM_TARGET
        print(
            f"    server CPU per message: core {c_core:.2f} µs | official {c_off:.2f} µs "
            f"(official/core {c_off / c_core:.2f}x)   [by CPU: {verdict(cpu_ok)}]; "
            f"client CPU per message {statistics.median(client_cpu):.2f} µs"
        )
    print(
        "    10-message call, median: "
        + " | ".join(
            f"{n} first message {statistics.median(first[n]) * 1e3:.2f} ms, "
            f"whole call {statistics.median(whole[n]) * 1e3:.2f} ms"
            for n in names
        )
    )
    print(background_note(col.background))
    return [(f"stream: core >= {STREAM_TARGET}x official", ok)]


# -- profiling -----------------------------------------------------------------------------------


def py_spy_path() -> str:
    """The py-spy binary, or a clear error telling how to install it."""
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise BenchError(
            "py-spy is not installed. For measurement only (do not add it to pyproject):\n"
            "    uv pip install --python .venv/bin/python py-spy"
        )
    return found


_FRAME_LINE = re.compile(r":\d+\)$")


PROFILE_PACKAGES = {"raw": "raw_app", "core": "connect_core", "official": "connectrpc"}


def summarize_profile(raw_file: Path, top: int, package: str) -> str:
    """A top-style summary of a py-spy ``--format raw`` (collapsed stacks) file."""
    self_by_func: collections.Counter[str] = collections.Counter()
    total_by_func: collections.Counter[str] = collections.Counter()
    self_by_line: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in raw_file.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        samples += count
        frames = stack.split(";")
        funcs = [_FRAME_LINE.sub(")", f) for f in frames]
        self_by_func[funcs[-1]] += count
        self_by_line[frames[-1]] += count
        for func in set(funcs):
            total_by_func[func] += count
    if not samples:
        return "no samples\n"

    def table(title: str, counter: collections.Counter[str], only_package: bool) -> list[str]:
        rows = [f"{title}", f"{'%':>6}  {'samples':>8}  frame"]
        shown = 0
        for frame, count in counter.most_common():
            if only_package and package not in frame:
                continue
            rows.append(f"{100 * count / samples:6.1f}  {count:8d}  {frame}")
            shown += 1
            if shown >= top:
                break
        return [*rows, ""]

    out = [f"{samples} samples (active time only)", ""]
    out += table("self time, all frames:", self_by_func, False)
    out += table(f"inclusive time, {package} frames:", total_by_func, True)
    out += table(f"self time by line, {package} frames:", self_by_line, True)
    return "\n".join(out)


def profile(args: argparse.Namespace, cpus: Cpus) -> None:
    """py-spy one server under the selected workloads; write flamegraphs and summaries."""
    spy = py_spy_path()
    PROFILE_DIR.mkdir(exist_ok=True)
    seconds = max(int(args.duration), 2)
    app = args.profile_app
    if app == "raw" and args.only == "stream":
        raise BenchError("the raw app has no stream method")
    with running([APPS[app]], cpus) as servers:
        server = servers[app]
        check_servers(servers, check_stream=args.only != "unary")
        jobs: list[tuple[str, list[str]]] = []
        body_file = PROFILE_DIR / "payload.bin"
        body_file.write_bytes(REQUEST_BODY)
        if args.only != "stream":
            h2load = h2load_path()
            load = [
                *cpus.prefix(cpus.load),
                h2load,
                "--h1",
                "-c",
                "32",
                "-m",
                "1",
                "-D",
                f"{seconds + 3}s",
                "-d",
                str(body_file),
                "-H",
                "content-type: application/proto",
                "-H",
                "connect-protocol-version: 1",
                server.url(server.spec.unary_path),
            ]
            run_h2load(server, cpus, body_file, 32, args.warmup)
            jobs.append(("unary_c32", load))
        if args.only != "unary" and server.spec.stream_path is not None:
            load = [
                *cpus.prefix(cpus.load),
                sys.executable,
                str(Path(__file__).resolve()),
                "--stream-client",
                str(server.port),
                server.spec.stream_path,
                str(args.count),
                str(args.size),
                str(seconds + 3),
            ]
            jobs.append(("stream", load))
        for label, load_cmd in jobs:
            for fmt_name, suffix in (("raw", "txt"), ("flamegraph", "svg")):
                out_file = PROFILE_DIR / f"{app}_{label}.{suffix}"
                gen = subprocess.Popen(load_cmd, stdout=subprocess.DEVNULL)
                time.sleep(1.0)
                spy_cmd = [
                    *cpus.prefix(cpus.load),
                    spy,
                    "record",
                    "--pid",
                    str(server.pid),
                    "--rate",
                    "250",
                    "--nonblocking",
                    "--duration",
                    str(seconds),
                    "--format",
                    fmt_name,
                    "--output",
                    str(out_file),
                ]
                spy_run = subprocess.run(spy_cmd, capture_output=True, text=True, check=False)
                gen.wait()
                if spy_run.returncode != 0:
                    raise BenchError(f"py-spy failed:\n{spy_run.stdout}\n{spy_run.stderr}")
                print(f"wrote {out_file.relative_to(ROOT)}")
            summary = summarize_profile(
                PROFILE_DIR / f"{app}_{label}.txt", args.top, PROFILE_PACKAGES[app]
            )
            summary_file = PROFILE_DIR / f"{app}_{label}_summary.txt"
            summary_file.write_text(summary)
            print(f"wrote {summary_file.relative_to(ROOT)}\n")
            print(f"== {app} server, {label} ==")
            print(summary)


def stream_client_main(argv: Sequence[str]) -> None:
    """``--stream-client PORT PATH COUNT SIZE SECONDS``: stream in a loop (load for profiling)."""
    port, path, count, size, seconds = argv
    stop = time.monotonic() + float(seconds)
    while time.monotonic() < stop:
        stream_call(int(port), path, int(count), int(size), STREAM_LOWAT)


# -- main ----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rounds", type=int, default=5, help="rounds of alternating runs (5)")
    p.add_argument("--duration", type=float, default=5.0, help="seconds per h2load run (5)")
    p.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per app (2)")
    p.add_argument("--only", choices=("unary", "stream"), help="run one workload only")
    p.add_argument("--count", type=int, default=10_000, help="messages per stream (10000)")
    p.add_argument("--size", type=int, default=16, help="payload bytes per message (16)")
    p.add_argument(
        "--stream-calls",
        type=int,
        default=3,
        help="minimum stream calls per app per round; calls repeat for --duration (3)",
    )
    p.add_argument(
        "--max-background",
        type=float,
        default=0.2,
        help="redo a run when other work used more than this share of a CPU (0.2)",
    )
    p.add_argument("--retries", type=int, default=2, help="redos per run at most, 0 to disable (2)")
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=20.0,
        help="before each run, wait up to this long for other work to stop (20 s)",
    )
    p.add_argument("--quick", action="store_true", help="tiny run for smoke testing")
    p.add_argument(
        "--profile", action="store_true", help="py-spy the core server instead of comparing"
    )
    p.add_argument(
        "--profile-app",
        choices=tuple(APPS),
        default="core",
        help="the app --profile samples (core)",
    )
    p.add_argument("--top", type=int, default=25, help="rows per profile table (25)")
    args = p.parse_args(argv)
    if args.quick:
        args.rounds = 1
        args.duration = 1.0
        args.warmup = 0.3
        args.count = min(args.count, 2_000)
        args.stream_calls = 1
        args.quiet_wait = min(args.quiet_wait, 2.0)
    if args.rounds < 1 or args.duration <= 0 or args.count < 1 or args.stream_calls < 1:
        p.error("--rounds, --duration, --count and --stream-calls must be positive")
    return args


def main(argv: Sequence[str]) -> int:
    """Run the benchmark; return the exit status."""
    if argv[:1] == ["--stream-client"]:
        stream_client_main(argv[1:])
        return 0
    args = parse_args(argv)
    cpus = choose_cpus()
    if cpus.load is not None:
        # The in-process stream client is a load generator too.
        os.sched_setaffinity(0, {cpus.load})
    print(
        f"python {sys.version.split()[0]}; server CPU {cpus.server}, load CPU {cpus.load}; "
        f"{args.rounds} round(s), {args.duration:g} s per unary run, "
        f"streams of {args.count:,} messages"
    )
    try:
        if args.profile:
            profile(args, cpus)
            return 0
        verdicts: list[tuple[str, bool]] = []
        if args.only != "stream":
            verdicts += unary_workload(args, cpus)
            print()
        if args.only != "unary":
            verdicts += stream_workload(args, cpus)
            print()
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print("targets:")
    for label, ok in verdicts:
        print(f"  {verdict(ok)}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
