"""Side-by-side rounds for the framework benchmarks, and the ratios they print.

``fastapi_bench.py``, ``flask_bench.py`` and ``django_bench.py`` each name their servers (the
command that serves each app on a port) and their variants (one request each); this module
does the rest the same way for all of them:

* starts every server on 127.0.0.1 on a free port, pinned to the first CPU (``taskset``),
  and waits until it answers;
* sends each variant once and checks the answer before timing anything;
* loads every variant with ``h2load --h1`` (Debian ``nghttp2-client``) from the second CPU,
  one after the other, for a few seconds at each concurrency, round after round, the order
  rotating from round to round; the server's CPU time (its process and its children, so a
  gunicorn worker counts) is read from ``/proc`` around each load;
* prints the table of medians and, per ratio, its target or its reference note. A ratio is
  the median of the rounds' own ratios (two loads of one round ran close together, so a slow
  spell of a shared machine weighs on both sides), with the lowest and highest round.

Nothing here is imported by the packages; it runs only as part of the scripts next to it.
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
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
CLK_TCK = os.sysconf("SC_CLK_TCK")

PROTO_BODY = b"\x0a\x62" + b"x" * 98  # Payload{data: 98 bytes}: 100 bytes
JSON_BODY = json.dumps({"data": base64.b64encode(b"x" * 98).decode()}).encode()


class BenchError(Exception):
    """A problem that stops the benchmark."""


@dataclass(frozen=True)
class Variant:
    """One request the benchmark times: which server, which path, which body.

    ``connect`` adds ``connect-protocol-version: 1``; ``echo`` says the answer is the request
    body again (checked before timing: bytes for proto, the JSON value for JSON).
    """

    name: str
    server: str
    path: str
    content_type: str
    body: bytes
    connect: bool = True
    echo: bool = True


Command = Callable[[int], list[str]]
"""The command that serves one app on the given port."""


def uvicorn(target: str, *extra: str) -> Command:
    """One uvicorn worker (uvloop, httptools, no access log) serving ``target``."""
    return lambda port: [
        sys.executable, "-m", "uvicorn", target,
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--loop", "uvloop",
        "--http", "httptools", "--no-access-log", "--log-level", "warning", *extra,
    ]  # fmt: skip


def gunicorn(target: str, *settings: str) -> Command:
    """gunicorn with ``settings`` serving ``target``."""
    return lambda port: [
        sys.executable, "-m", "gunicorn", target, "--bind", f"127.0.0.1:{port}", *settings
    ]  # fmt: skip


# -- servers -------------------------------------------------------------------------------


def cpus() -> tuple[list[str], list[str]]:
    """taskset prefixes for the servers and for h2load (empty when they cannot be split)."""
    ids = sorted(os.sched_getaffinity(0))
    if len(ids) < 2 or shutil.which("taskset") is None:
        print("note: fewer than 2 CPUs or no taskset; nothing is pinned", file=sys.stderr)
        return [], []
    return ["taskset", "-c", str(ids[0])], ["taskset", "-c", str(ids[1])]


@dataclass
class Server:
    """A server process the benchmark started."""

    name: str
    port: int
    proc: subprocess.Popen[bytes]

    def pids(self) -> list[int]:
        """The server's processes (gunicorn: the arbiter and its worker)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        kids = [int(p) for p in children.read_text().split()] if children.exists() else []
        return [self.proc.pid, *kids]

    def cpu_seconds(self) -> float:
        """User and system CPU seconds of the server's processes so far."""
        total = 0.0
        for pid in self.pids():
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
        return total

    def url(self, path: str) -> str:
        """The server's URL for ``path``."""
        return f"http://127.0.0.1:{self.port}{path}"


Ready = Callable[[Server], None]
"""Returns once the server answers; raises ``OSError`` while it does not yet."""


def port_open(server: Server) -> None:
    """Ready when the server accepts a connection."""
    socket.create_connection(("127.0.0.1", server.port), timeout=0.2).close()


def answers_http(server: Server) -> None:
    """Ready when a worker answers HTTP (any status: ``/ready`` need not exist)."""
    try:
        with urllib.request.urlopen(server.url("/ready"), timeout=1):
            pass
    except urllib.error.HTTPError:
        pass


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def servers(
    commands: dict[str, Command],
    prefix: list[str],
    logdir: Path,
    ready: Ready = port_open,
    timeout: float = 30.0,
) -> Iterator[dict[str, Server]]:
    """Start each command (after ``prefix``) in ``bench/``, wait until ready, stop at exit.

    Each server logs to ``logdir/<name>.log``; a server that exits or is not ready within
    ``timeout`` seconds stops the benchmark with its log.
    """
    env = dict(os.environ)
    paths = [str(BENCH_DIR / "gen"), str(BENCH_DIR), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    started: dict[str, Server] = {}
    try:
        for name, command in commands.items():
            port = free_port()
            log_path = logdir / f"{name}.log"
            with log_path.open("wb") as log:
                proc = subprocess.Popen(
                    [*prefix, *command(port)],
                    cwd=BENCH_DIR,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            server = started[name] = Server(name, port, proc)
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise BenchError(f"{name} exited:\n{log_path.read_text()}")
                try:
                    ready(server)
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
    headers = {"content-type": v.content_type}
    if v.connect:
        headers["connect-protocol-version"] = "1"
    req = urllib.request.Request(server.url(v.path), data=v.body, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
        ok = r.status == 200 and (
            not v.echo
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
    """One load of one variant."""

    rps: float
    cpu_us: float  # server CPU per request, microseconds


Results = dict[tuple[str, int], list[Result]]
"""Every round's result per (variant name, concurrency)."""


def load(
    server: Server, v: Variant, body: Path, clients: int, seconds: float, prefix: list[str]
) -> Result:
    """Load ``server`` with ``v`` (its body read from ``body``) for ``seconds``: every request
    must succeed with a 2xx."""
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


# -- a run ---------------------------------------------------------------------------------


def arguments(
    doc: str,
    quick: str = "1 round of 1 s",
    own: Callable[[argparse.ArgumentParser], object] | None = None,
) -> argparse.ArgumentParser:
    """The flags every benchmark takes: ``--rounds``, ``--seconds``, ``--concurrency``, then
    those ``own`` adds, then ``--quick`` (whose help is ``quick``)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[32, 1])
    if own is not None:
        own(parser)
    parser.add_argument("--quick", action="store_true", help=quick)
    return parser


def parse(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """The parsed flags, ``--quick`` turned into 1 round of 1 s."""
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds = 1, 1.0
    return args


@dataclass
class Running:
    """The started servers, each variant's body file, and the CPU prefixes."""

    servers: dict[str, Server]
    bodies: dict[str, Path]
    logdir: Path
    server_cpu: list[str]
    load_cpu: list[str]


@contextmanager
def started(
    name: str,
    commands: dict[str, Command],
    variants: list[Variant],
    ready: Ready = port_open,
) -> Iterator[Running]:
    """The servers started (pinned), every variant checked once; ``name`` prefixes the
    temporary directory of the logs and body files."""
    server_cpu, load_cpu = cpus()
    with (
        tempfile.TemporaryDirectory(prefix=f"{name}-") as tmp,
        servers(commands, server_cpu, Path(tmp), ready) as running,
    ):
        bodies: dict[str, Path] = {}
        for v in variants:
            bodies[v.name] = Path(tmp) / f"{v.name}.body"
            bodies[v.name].write_bytes(v.body)
            check(running[v.server], v)
        yield Running(running, bodies, Path(tmp), server_cpu, load_cpu)


def rounds(run: Running, variants: list[Variant], args: argparse.Namespace, setup: str) -> Results:
    """Warm every variant up, then ``args.rounds`` rounds: each loads every variant at each
    concurrency, the order rotating from round to round. ``setup`` describes the servers in
    the first line printed."""
    for v in variants:  # warm up
        load(run.servers[v.server], v, run.bodies[v.name], 32, 1.0, run.load_cpu)
    print(
        f"{args.rounds} rounds x {args.seconds:g} s per variant and concurrency; "
        f"{setup}pinned: {bool(run.server_cpu)}"
    )
    results: Results = {}
    for r in range(args.rounds):
        order = variants[r % len(variants) :] + variants[: r % len(variants)]
        for clients in args.concurrency:
            for v in order:
                server = run.servers[v.server]
                res = load(server, v, run.bodies[v.name], clients, args.seconds, run.load_cpu)
                results.setdefault((v.name, clients), []).append(res)
        print(f"  round {r + 1}/{args.rounds} done", flush=True)
    return results


# -- the report ----------------------------------------------------------------------------


@dataclass
class Report:
    """Medians of the rounds and the lines that compare them.

    ``name_width`` pads the table's first column, ``label_width`` a ratio's label; a target
    prints with ``target_digits`` decimals and its verdict padded to ``verdict_width``.
    """

    results: Results
    name_width: int = 14
    label_width: int = 28
    target_digits: int = 2
    verdict_width: int = 5
    failed: bool = field(default=False, init=False)

    def rps(self, name: str, c: int) -> float:
        """Median requests per second of ``name`` at concurrency ``c``."""
        return statistics.median(x.rps for x in self.results[(name, c)])

    def cpu_us(self, name: str, c: int) -> float:
        """Median server CPU microseconds per request of ``name`` at concurrency ``c``."""
        return statistics.median(x.cpu_us for x in self.results[(name, c)])

    def table(self, variants: list[Variant], concurrency: list[int]) -> None:
        """The medians of every variant, with a blank line before and after."""
        print()
        print(
            f"{'variant':<{self.name_width}}"
            + "".join(f"{f'c={c} req/s':>14}{'CPU us/req':>12}" for c in concurrency)
        )
        for v in variants:
            print(
                f"{v.name:<{self.name_width}}"
                + "".join(
                    f"{self.rps(v.name, c):>14,.0f}{self.cpu_us(v.name, c):>12.0f}"
                    for c in concurrency
                )
            )
        print()

    def ratio(self, c: int, num: str, den: str) -> float:
        """``num / den`` in requests per second at concurrency ``c``: the median of the
        rounds' ratios. Both loads of a round ran one after the other, so a slow spell of the
        machine weighs on both sides of a ratio rather than on one variant's median."""
        return statistics.median(self._round_ratios(c, num, den, "rps"))

    def ratio_per_cpu(self, c: int, num: str, den: str) -> float:
        """The same ratio per server CPU second (``den``'s CPU per request over ``num``'s)."""
        return statistics.median(self._round_ratios(c, den, num, "cpu_us"))

    def spread(self, c: int, num: str, den: str) -> str:
        """The lowest and the highest of the rounds' ratios, as ``lo-hi``."""
        ratios = self._round_ratios(c, num, den, "rps")
        return f"{min(ratios):.2f}-{max(ratios):.2f}"

    def _round_ratios(self, c: int, num: str, den: str, field_name: str) -> list[float]:
        pairs = zip(self.results[(num, c)], self.results[(den, c)], strict=True)
        return [getattr(a, field_name) / getattr(b, field_name) for a, b in pairs]

    def target(self, c: int, num: str, den: str, target: float, gated: bool = True) -> None:
        """``num / den`` against ``target`` (a FAIL fails the run unless not ``gated``),
        and the same ratio per server CPU second."""
        ratio = self.ratio(c, num, den)
        ok = ratio >= target
        self.failed |= gated and not ok
        verdict = ("PASS" if ok else "FAIL") if gated else "(reference)"
        print(
            f"c={c:<3} {num + ' / ' + den:<{self.label_width}} {ratio:5.2f}x  "
            f"(target >= {target:.{self.target_digits}f})  "
            f"{verdict:<{self.verdict_width}}  per server CPU second: "
            f"{self.ratio_per_cpu(c, num, den):4.2f}x  rounds: {self.spread(c, num, den)}"
        )

    def reference(self, c: int, num: str, den: str, note: str) -> None:
        """``num / den`` for information."""
        print(
            f"c={c:<3} {num + ' / ' + den:<{self.label_width}} "
            f"{self.ratio(c, num, den):5.2f}x  (reference: {note}; "
            f"rounds: {self.spread(c, num, den)})"
        )

    def status(self) -> int:
        """The exit status: 1 when a gated target failed."""
        return 1 if self.failed else 0


def run(main: Callable[[], int]) -> None:
    """Exit with ``main()``'s status, or 2 with the message of a ``BenchError``."""
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
