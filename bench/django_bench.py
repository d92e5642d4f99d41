"""Django benchmark: unary Connect through ``connect_django`` vs a plain Django JSON view.

Three servers run side by side with the same Django settings (``django_bench_app.py``:
``startproject``'s middleware stack), pinned to one CPU while ``h2load --h1`` (Debian
``nghttp2-client``) runs on another:

* ``wsgi``: gunicorn, 1 gthread worker with 32 threads, Django's WSGI handler (sync service,
  sync plain view);
* ``asgi``: uvicorn, 1 worker, uvloop, httptools, Django's ASGI handler (async service, async
  plain view);
* ``duplex``: the same uvicorn, with ``connect_django.asgi``'s handler (reference).

Each round loads every variant once, in turn, for a few seconds at each concurrency; the
report gives the median of the rounds. Variants (the same 100-byte ``bench.v1.Payload`` echo):
``<server>-proto`` (Connect, binary proto), ``<server>-json`` (Connect JSON) and
``<server>-plain`` (``JsonResponse(json.loads(request.body))``).

Targets (requests per second, on ``wsgi`` and ``asgi``): proto >= 1.1 x plain, JSON >= 1.0 x
plain. Each ratio is also given per server CPU second, which holds up better than throughput
when other processes compete for the machine.

Then the memory of an idle, open server stream under uvicorn: a Connect stream that sent one
message and waits, against Django's own ``StreamingHttpResponse`` over an async iterator
doing the same, under Django's ASGI handler and under ``connect_django.asgi``'s.

    uv run --frozen python bench/django_bench.py            # 5 rounds x 3 s, ~5 minutes
    uv run --frozen python bench/django_bench.py --quick    # smoke test
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
PROTO_BODY = b"\x0a\x62" + b"x" * 98  # Payload{data: 98 bytes}: 100 bytes
JSON_BODY = json.dumps({"data": base64.b64encode(b"x" * 98).decode()}).encode()
STREAM_BODY = b"\x00\x00\x00\x00\x04\x08\x01\x10\x0a"  # StreamRequest{count: 1, size: 10}
TARGETS = {"proto": 1.1, "json": 1.0}


class BenchError(Exception):
    """A problem that stops the benchmark."""


@dataclass(frozen=True)
class Variant:
    name: str
    server: str
    path: str
    content_type: str
    body: bytes
    connect: bool = True


def _variants() -> list[Variant]:
    out = []
    for server, prefix, plain in (
        ("wsgi", "/sync", "/plain/sync"),
        ("asgi", "/async", "/plain/async"),
        ("duplex", "/async", "/plain/async"),
    ):
        rpc = f"{prefix}/bench.v1.BenchService/Unary"
        out += [
            Variant(f"{server}-proto", server, rpc, "application/proto", PROTO_BODY),
            Variant(f"{server}-json", server, rpc, "application/json", JSON_BODY),
            Variant(f"{server}-plain", server, plain, "application/json", JSON_BODY, False),
        ]
    return out


VARIANTS = _variants()


def _cpus() -> tuple[list[str], list[str]]:
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2 or shutil.which("taskset") is None:
        print("note: fewer than 2 CPUs or no taskset; nothing is pinned", file=sys.stderr)
        return [], []
    return ["taskset", "-c", str(cpus[0])], ["taskset", "-c", str(cpus[1])]


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]

    def pids(self) -> list[int]:
        """The server's processes (gunicorn: the arbiter and its worker)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        kids = [int(p) for p in children.read_text().split()] if children.exists() else []
        return [self.proc.pid, *kids]

    def cpu_seconds(self) -> float:
        total = 0.0
        for pid in self.pids():
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
        return total

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _command(kind: str, port: int) -> list[str]:
    if kind == "wsgi":
        return [
            sys.executable, "-m", "gunicorn", "django_bench_app:wsgi",
            "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "gthread",
            "--threads", "32", "--log-level", "warning",
        ]  # fmt: skip
    return [
        sys.executable, "-m", "uvicorn", f"django_bench_app:{kind}",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--loop", "uvloop",
        "--http", "httptools", "--no-access-log", "--log-level", "warning",
        "--lifespan", "off", "--backlog", "4096",
    ]  # fmt: skip


@contextmanager
def servers(kinds: list[str], prefix: list[str], logdir: Path) -> Iterator[dict[str, Server]]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(BENCH_DIR / "gen"), str(BENCH_DIR)])
    started: dict[str, Server] = {}
    try:
        for kind in kinds:
            port = _free_port()
            with (logdir / f"{kind}.log").open("wb") as log:
                proc = subprocess.Popen(
                    [*prefix, *_command(kind, port)],
                    cwd=BENCH_DIR,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            server = started[kind] = Server(kind, port, proc)
            deadline = time.monotonic() + 30
            while True:
                if proc.poll() is not None:
                    raise BenchError(f"{kind} exited:\n{(logdir / f'{kind}.log').read_text()}")
                try:
                    with urllib.request.urlopen(server.url("/ready"), timeout=1):
                        pass
                except urllib.error.HTTPError:
                    break  # a worker answered (404)
                except OSError:
                    if time.monotonic() > deadline:
                        raise BenchError(f"{kind} did not start") from None
                    time.sleep(0.1)
        yield started
    finally:
        for server in started.values():
            server.proc.terminate()
            try:
                server.proc.wait(10)
            except subprocess.TimeoutExpired:
                server.proc.kill()


def check(server: Server, v: Variant) -> None:
    """One request, to be sure the variant echoes before timing it."""
    headers = {"content-type": v.content_type}
    if v.connect:
        headers["connect-protocol-version"] = "1"
    req = urllib.request.Request(server.url(v.path), data=v.body, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
        same = (
            body == v.body
            if v.content_type.endswith("proto")
            else json.loads(body) == json.loads(v.body)
        )
        if r.status != 200 or not same:
            raise BenchError(f"{v.name} answered wrongly: {body[:200]!r}")


_RPS = re.compile(r"finished in [\d.]+\w+, ([\d.]+) req/s")
_REQS = re.compile(
    r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
    r"(\d+) failed, (\d+) errored, (\d+) timeout"
)
_STATUS = re.compile(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx")


@dataclass
class Result:
    rps: float
    cpu_us: float


def load(
    server: Server, v: Variant, body: Path, clients: int, seconds: float, prefix: list[str]
) -> Result:
    h2load = shutil.which("h2load")
    if h2load is None:
        raise BenchError("h2load is not installed: apt-get install -y nghttp2-client")
    cmd = [
        *prefix, h2load, "--h1", "-c", str(clients), "-m", "1", "-D", f"{int(seconds * 1000)}ms",
        "-d", str(body), "-H", f"content-type: {v.content_type}",
    ]  # fmt: skip
    if v.connect:
        cmd += ["-H", "connect-protocol-version: 1"]
    cmd.append(server.url(v.path))
    cpu0 = server.cpu_seconds()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    cpu = server.cpu_seconds() - cpu0
    rps, reqs, status = (p.search(proc.stdout) for p in (_RPS, _REQS, _STATUS))
    if proc.returncode or rps is None or reqs is None or status is None:
        raise BenchError(f"h2load failed:\n{proc.stdout}\n{proc.stderr}")
    done = int(reqs.group(3))
    bad = int(reqs.group(5)) + int(reqs.group(6)) + int(reqs.group(7))
    if bad or sum(int(status.group(i)) for i in (2, 3, 4)):
        raise BenchError(f"{v.name}: {bad} failed, {status.group(0)}")
    return Result(float(rps.group(1)), cpu / max(done, 1) * 1e6)


# -- the idle stream's memory ------------------------------------------------------------


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise BenchError("no VmRSS")


async def _open_stream(port: int, path: str) -> asyncio.StreamWriter:
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
    while b"xxxxxxxxxx" not in data:  # the first message arrived
        chunk = await reader.read(4096)
        if not chunk:
            raise BenchError(f"{path}: the stream closed before its first message")
        data += chunk
    return writer


async def _idle_kib(port: int, pid: int, path: str, n: int) -> float:
    warm = [await _open_stream(port, path) for _ in range(20)]
    await asyncio.sleep(0.5)
    before = _rss_kib(pid)
    writers: list[asyncio.StreamWriter] = []
    for i in range(0, n, 100):
        writers += await asyncio.gather(*(_open_stream(port, path) for _ in range(min(100, n - i))))
    await asyncio.sleep(1.0)
    after = _rss_kib(pid)
    for w in writers + warm:
        w.close()
    return (after - before) / n


def memory(streams: int, rounds: int, logdir: Path) -> None:
    results: dict[str, list[float]] = {}
    for _ in range(rounds):
        for kind in ("asgi", "duplex"):
            for label, path in (
                ("connect", "/idle/bench.v1.BenchService/Stream"),
                ("plain", "/idle-plain/stream"),
            ):
                with servers([kind], [], logdir) as running:
                    server = running[kind]
                    kib = asyncio.run(_idle_kib(server.port, server.proc.pid, path, streams))
                results.setdefault(f"{kind}-{label}", []).append(kib)
    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"\nidle server streams under uvicorn, {streams} per run, median of {rounds} runs:")
    for k, v in med.items():
        print(f"  {k:16s} {v:6.1f} KiB/stream")
    for kind in ("asgi", "duplex"):
        c, p = med[f"{kind}-connect"], med[f"{kind}-plain"]
        print(f"  {kind}: connect - plain = {c - p:+.1f} KiB/stream ({c / p:.2f}x)")


# -- main ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[32, 1])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="1 round of 1 s, 200 streams")
    parser.add_argument("--no-memory", action="store_true", help="skip the idle-stream part")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds, args.streams = 1, 1.0, 200
    server_cpu, load_cpu = _cpus()
    results: dict[tuple[str, int], list[Result]] = {}
    with tempfile.TemporaryDirectory(prefix="django-bench-") as tmp:
        with servers(["wsgi", "asgi", "duplex"], server_cpu, Path(tmp)) as running:
            bodies: dict[str, Path] = {}
            for v in VARIANTS:
                bodies[v.name] = Path(tmp) / f"{v.name}.body"
                bodies[v.name].write_bytes(v.body)
                check(running[v.server], v)
            for v in VARIANTS:  # warm up
                load(running[v.server], v, bodies[v.name], 32, 1.0, load_cpu)
            print(
                f"{args.rounds} rounds x {args.seconds:g} s per variant and concurrency; "
                f"pinned: {bool(server_cpu)}"
            )
            for r in range(args.rounds):
                order = VARIANTS[r % len(VARIANTS) :] + VARIANTS[: r % len(VARIANTS)]
                for clients in args.concurrency:
                    for v in order:
                        res = load(
                            running[v.server], v, bodies[v.name], clients, args.seconds, load_cpu
                        )
                        results.setdefault((v.name, clients), []).append(res)
                print(f"  round {r + 1}/{args.rounds} done", flush=True)
        status = report(results, args.concurrency)
        if not args.no_memory:
            memory(args.streams, max(1, min(args.rounds, 2)), Path(tmp))
    return status


def report(results: dict[tuple[str, int], list[Result]], concurrency: list[int]) -> int:
    def med(name: str, c: int) -> float:
        return statistics.median(x.rps for x in results[(name, c)])

    def med_cpu(name: str, c: int) -> float:
        return statistics.median(x.cpu_us for x in results[(name, c)])

    print()
    print(
        f"{'variant':<14}" + "".join(f"{f'c={c} req/s':>14}{'CPU us/req':>12}" for c in concurrency)
    )
    for v in VARIANTS:
        print(
            f"{v.name:<14}"
            + "".join(f"{med(v.name, c):>14,.0f}{med_cpu(v.name, c):>12.0f}" for c in concurrency)
        )
    print()
    failed = False
    for c in concurrency:
        for server in ("wsgi", "asgi", "duplex"):
            for codec, target in TARGETS.items():
                num, den = f"{server}-{codec}", f"{server}-plain"
                ratio = med(num, c) / med(den, c)
                per_cpu = med_cpu(den, c) / med_cpu(num, c)
                gated = server != "duplex"
                ok = ratio >= target
                failed |= gated and not ok
                verdict = ("PASS" if ok else "FAIL") if gated else "(reference)"
                print(
                    f"c={c:<3} {num + ' / ' + den:<28} {ratio:5.2f}x  (target >= {target:.1f})  "
                    f"{verdict:<11}  per server CPU second: {per_cpu:4.2f}x"
                )
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
