"""FastAPI benchmark: ``ConnectRouter`` vs a plain FastAPI route vs connect_core's ASGI app.

Two uvicorn servers run side by side with the same settings (one worker, uvloop, httptools,
no access log), pinned to one CPU while ``h2load --h1`` (Debian ``nghttp2-client``) runs on
another: the FastAPI app of ``fastapi_bench_app.py`` and the core ASGI application. Each
round loads every variant once, in turn, for a few seconds at each concurrency; the report
gives the median of the rounds.

Variants (the same 100-byte ``bench.v1.Payload`` echo):

* ``router-json``: Connect unary JSON through ``ConnectRouter`` (``/rpc/...``);
* ``plain-json``: a plain FastAPI JSON route with a pydantic body (``/plain/unary``);
* ``router-proto``: Connect unary binary proto through ``ConnectRouter``;
* ``core-proto``: the same call to ``BenchServiceASGIApplication`` (no FastAPI);
* ``floor``: a FastAPI route whose handler returns fixed bytes (no body read, no dependency
  solving): FastAPI's own cost per request, the fastest any route can be (reference only);
* ``floor-read``: the same route reading the body and sending it back: the fastest any
  FastAPI route that reads its request can be (reference only);
* ``core-mounted``: the core ASGI app itself mounted in the FastAPI app (``app.mount``): no
  FastAPI request handling at all, only its app, middleware stack and routing, so the
  fastest any Connect integration inside FastAPI can be (reference only).

Targets (on requests per second): ``router-json`` and ``router-proto`` >= ``plain-json``;
``router-proto`` >= 0.85 x ``core-proto``. Each ratio is also given per server CPU second
(requests per CPU second of the server process), which holds up better than throughput when
other processes compete for the machine.

    uv run --frozen python bench/fastapi_bench.py            # 5 rounds x 3 s, ~3 minutes
    uv run --frozen python bench/fastapi_bench.py --quick    # smoke test
    uv run --frozen python bench/fastapi_bench.py --profile  # py-spy the router (if installed)
"""

from __future__ import annotations

import argparse
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROFILE_DIR = BENCH_DIR / "profile-out"
CLK_TCK = os.sysconf("SC_CLK_TCK")

PROTO_BODY = b"\x0a\x62" + b"x" * 98  # Payload{data: 98 bytes}: 100 bytes
JSON_BODY = json.dumps({"data": base64.b64encode(b"x" * 98).decode()}).encode()

CORE_TARGET = 0.85


@dataclass(frozen=True)
class Variant:
    name: str
    server: str  # "fastapi" or "core"
    path: str
    content_type: str
    body: bytes
    connect: bool = True


VARIANTS = [
    Variant(
        "router-json", "fastapi", "/rpc/bench.v1.BenchService/Unary", "application/json", JSON_BODY
    ),
    Variant("plain-json", "fastapi", "/plain/unary", "application/json", JSON_BODY, False),
    Variant(
        "router-proto",
        "fastapi",
        "/rpc/bench.v1.BenchService/Unary",
        "application/proto",
        PROTO_BODY,
    ),
    Variant("core-proto", "core", "/bench.v1.BenchService/Unary", "application/proto", PROTO_BODY),
    Variant("floor", "fastapi", "/floor", "application/json", JSON_BODY, False),
    Variant("floor-read", "fastapi", "/floor-read", "application/proto", PROTO_BODY, False),
    Variant(
        "core-mounted",
        "fastapi",
        "/mounted/bench.v1.BenchService/Unary",
        "application/proto",
        PROTO_BODY,
    ),
]


class BenchError(Exception):
    """A problem that stops the benchmark."""


# -- servers -------------------------------------------------------------------------------


def _cpus() -> tuple[list[str], list[str]]:
    """taskset prefixes for the servers and for h2load (empty when they cannot be split)."""
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

    def cpu_seconds(self) -> float:
        stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def servers(prefix: list[str], logdir: Path) -> Iterator[dict[str, Server]]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(BENCH_DIR / "gen"), str(BENCH_DIR), env.get("PYTHONPATH", "")]
    )
    started: dict[str, Server] = {}
    try:
        for name, target in (
            ("fastapi", "fastapi_bench_app:app"),
            ("core", "fastapi_bench_app:core"),
        ):
            port = _free_port()
            cmd = [
                *prefix,
                sys.executable,
                "-m",
                "uvicorn",
                target,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--log-level",
                "warning",
            ]
            with (logdir / f"{name}.log").open("wb") as log:
                proc = subprocess.Popen(
                    cmd, cwd=BENCH_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
                )
            started[name] = Server(name, port, proc)
            deadline = time.monotonic() + 20
            while True:
                if proc.poll() is not None:
                    raise BenchError(f"{name} exited:\n{(logdir / f'{name}.log').read_text()}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise BenchError(f"{name} did not start") from None
                    time.sleep(0.05)
        yield started
    finally:
        for server in started.values():
            server.proc.terminate()
            try:
                server.proc.wait(10)
            except subprocess.TimeoutExpired:
                server.proc.kill()


def check(server: Server, v: Variant) -> None:
    """One request, to be sure the variant answers what it should before timing it."""
    import urllib.request

    headers = {"content-type": v.content_type}
    if v.connect:
        headers["connect-protocol-version"] = "1"
    req = urllib.request.Request(server.url(v.path), data=v.body, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
        ok = r.status == 200 and (
            v.name == "floor"
            or (
                body == v.body
                if v.content_type.endswith("proto")
                else json.loads(body) == json.loads(v.body)
            )
        )
    if not ok:
        raise BenchError(f"{v.name} answered wrongly: {body[:200]!r}")


# -- load ----------------------------------------------------------------------------------

_RPS = re.compile(r"finished in [\d.]+\w+, ([\d.]+) req/s")
_REQS = re.compile(
    r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
    r"(\d+) failed, (\d+) errored, (\d+) timeout"
)
_STATUS = re.compile(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx")


@dataclass
class Result:
    rps: float
    cpu_us: float  # server CPU per request, microseconds


def load(
    server: Server, v: Variant, body_file: Path, clients: int, seconds: float, prefix: list[str]
) -> Result:
    h2load = shutil.which("h2load")
    if h2load is None:
        raise BenchError("h2load is not installed: apt-get install -y nghttp2-client")
    cmd = [
        *prefix,
        h2load,
        "--h1",
        "-c",
        str(clients),
        "-m",
        "1",
        "-D",
        f"{int(seconds * 1000)}ms",
        "-d",
        str(body_file),
        "-H",
        f"content-type: {v.content_type}",
    ]
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
    non_2xx = sum(int(status.group(i)) for i in (2, 3, 4))
    if bad or non_2xx:
        raise BenchError(f"{v.name}: {bad} failed, {status.group(0)}")
    return Result(float(rps.group(1)), cpu / max(done, 1) * 1e6)


def profile(server: Server, v: Variant, body_file: Path, prefix: list[str]) -> None:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        print("py-spy is not installed (uv pip install py-spy); skipping the profile")
        return
    PROFILE_DIR.mkdir(exist_ok=True)
    out = PROFILE_DIR / f"{v.name}.speedscope.json"
    spy = subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(server.proc.pid),
            "--duration",
            "6",
            "--rate",
            "200",
            "--format",
            "speedscope",
            "-o",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    load(server, v, body_file, 32, 5, prefix)
    spy.wait(30)
    print(f"profile of {v.name}: {out} (open in https://speedscope.app)")


# -- main ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[32, 1])
    parser.add_argument("--quick", action="store_true", help="1 round of 1 s")
    parser.add_argument("--profile", action="store_true", help="py-spy router-proto, then exit")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds = 1, 1.0
    server_cpu, load_cpu = _cpus()
    results: dict[tuple[str, int], list[Result]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="fastapi-bench-") as tmp,
        servers(server_cpu, Path(tmp)) as running,
    ):
        bodies: dict[str, Path] = {}
        for v in VARIANTS:
            bodies[v.name] = Path(tmp) / f"{v.name}.body"
            bodies[v.name].write_bytes(v.body)
            check(running[v.server], v)
        if args.profile:
            v = VARIANTS[2]
            profile(running[v.server], v, bodies[v.name], load_cpu)
            return 0
        for v in VARIANTS:  # warm up
            load(running[v.server], v, bodies[v.name], 32, 1.0, load_cpu)
        print(
            f"{args.rounds} rounds x {args.seconds:g} s per variant and concurrency; "
            f"uvicorn 1 worker, uvloop, httptools; pinned: {bool(server_cpu)}"
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
    return report(results, args.concurrency)


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
        checks = [
            ("router-json / plain-json", med("router-json", c) / med("plain-json", c), 1.0),
            ("router-proto / plain-json", med("router-proto", c) / med("plain-json", c), 1.0),
            (
                "router-proto / core-proto",
                med("router-proto", c) / med("core-proto", c),
                CORE_TARGET,
            ),
        ]
        for label, ratio, target in checks:
            ok = ratio >= target
            failed |= not ok
            num, den = label.split(" / ")
            per_cpu = med_cpu(den, c) / med_cpu(num, c)
            print(
                f"c={c:<3} {label:<28} {ratio:5.2f}x  (target >= {target:.2f})  "
                f"{'PASS' if ok else 'FAIL'}   per server CPU second: {per_cpu:4.2f}x"
            )
        core = med("core-proto", c)
        for label, value, note in (
            ("floor / core-proto", med("floor", c) / core, "FastAPI's own cost"),
            ("floor-read / core-proto", med("floor-read", c) / core, "FastAPI + reading the body"),
            (
                "core-mounted / core-proto",
                med("core-mounted", c) / core,
                "the core app behind FastAPI's routing",
            ),
            (
                "router-proto / floor-read",
                med("router-proto", c) / med("floor-read", c),
                "the adapter and engine within FastAPI",
            ),
        ):
            print(f"c={c:<3} {label:<28} {value:5.2f}x  (reference: {note})")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
