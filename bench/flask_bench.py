"""Flask benchmark: ``ConnectBlueprint`` vs a plain Flask JSON route, under one gunicorn.

Two gunicorn servers run side by side with the same settings (one gthread worker, 8 threads,
long keep-alive, no access log), pinned to one CPU while ``h2load --h1`` (Debian
``nghttp2-client``) runs on another: the Flask app of ``flask_bench_app.py`` and the core
WSGI application. Each round loads every variant once, in turn (the order rotates from round
to round), for a few seconds at each concurrency; the report gives the median of the rounds.

Variants (the same 100-byte ``bench.v1.Payload`` echo):

* ``blueprint-proto``: Connect unary binary proto through ``ConnectBlueprint`` (``/rpc/...``);
* ``blueprint-json``: Connect unary JSON through ``ConnectBlueprint``;
* ``plain-json``: a plain Flask JSON route doing the same echo (``/plain/unary``);
* ``core-proto``: the same call to ``BenchServiceWSGIApplication`` (no Flask; reference);
* ``floor``: a Flask route returning fixed bytes, the body unread: Flask's own cost per
  request, the fastest any route can be (reference).

Targets (on requests per second): ``blueprint-proto`` >= 1.1 x ``plain-json`` and
``blueprint-json`` >= 1.0 x ``plain-json``. Each ratio is also given per server CPU second,
which holds up better than throughput when other processes compete for the machine.

    uv run --frozen python bench/flask_bench.py            # 5 rounds x 3 s, ~3 minutes
    uv run --frozen python bench/flask_bench.py --quick    # smoke test
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi_bench import (
    JSON_BODY,
    PROTO_BODY,
    BenchError,
    Result,
    Server,
    Variant,
    _cpus,
    _free_port,
    check,
    load,
)

BENCH_DIR = Path(__file__).resolve().parent
UNARY = "/bench.v1.BenchService/Unary"
TARGETS = {"blueprint-proto": 1.1, "blueprint-json": 1.0}

VARIANTS = [
    Variant("blueprint-proto", "flask", "/rpc" + UNARY, "application/proto", PROTO_BODY),
    Variant("blueprint-json", "flask", "/rpc" + UNARY, "application/json", JSON_BODY),
    Variant("plain-json", "flask", "/plain/unary", "application/json", JSON_BODY, False),
    Variant("core-proto", "core", UNARY, "application/proto", PROTO_BODY),
    Variant("floor", "flask", "/floor", "application/json", JSON_BODY, False),
]

GUNICORN_SETTINGS = [
    "--workers",
    "1",
    "--worker-class",
    "gthread",
    "--threads",
    "8",
    "--keep-alive",
    "75",
    "--log-level",
    "warning",
]


@contextmanager
def servers(prefix: list[str], logdir: Path) -> Iterator[dict[str, Server]]:
    """The Flask app and the core WSGI app, each under gunicorn with the same settings."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(BENCH_DIR / "gen"), str(BENCH_DIR), env.get("PYTHONPATH", "")]
    )
    started: dict[str, Server] = {}
    try:
        for name, target in (("flask", "flask_bench_app:app"), ("core", "flask_bench_app:core")):
            port = _free_port()
            cmd = [
                *prefix,
                sys.executable,
                "-m",
                "gunicorn",
                target,
                "--bind",
                f"127.0.0.1:{port}",
                *GUNICORN_SETTINGS,
            ]
            with (logdir / f"{name}.log").open("wb") as log:
                proc = subprocess.Popen(
                    cmd, cwd=BENCH_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
                )
            server = Server(name, port, proc)
            started[name] = server
            deadline = time.monotonic() + 30
            while True:  # the arbiter binds before its worker imports the app: ask it
                if proc.poll() is not None:
                    raise BenchError(f"{name} exited:\n{(logdir / f'{name}.log').read_text()}")
                try:
                    check(server, next(v for v in VARIANTS if v.server == name))
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise BenchError(f"{name} did not start") from None
                    time.sleep(0.1)
        yield started
    finally:
        for server in started.values():
            server.proc.terminate()
            try:
                server.proc.wait(10)
            except subprocess.TimeoutExpired:
                server.proc.kill()


def worker_cpu(server: Server) -> float:
    """CPU seconds of the gunicorn arbiter and its worker (the worker serves)."""
    total = server.cpu_seconds()
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children")
    for pid in children.read_text().split():
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


class GunicornServer(Server):
    """A gunicorn server whose CPU time counts its worker process."""

    def cpu_seconds(self) -> float:
        return worker_cpu(Server(self.name, self.port, self.proc))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[32, 1])
    parser.add_argument("--quick", action="store_true", help="1 round of 1 s")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds = 1, 1.0
    server_cpu, load_cpu = _cpus()
    results: dict[tuple[str, int], list[Result]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="flask-bench-") as tmp,
        servers(server_cpu, Path(tmp)) as started,
    ):
        running = {n: GunicornServer(s.name, s.port, s.proc) for n, s in started.items()}
        bodies: dict[str, Path] = {}
        for v in VARIANTS:
            bodies[v.name] = Path(tmp) / f"{v.name}.body"
            bodies[v.name].write_bytes(v.body)
            check(running[v.server], v)
        for v in VARIANTS:  # warm up
            load(running[v.server], v, bodies[v.name], 32, 1.0, load_cpu)
        print(
            f"{args.rounds} rounds x {args.seconds:g} s per variant and concurrency; gunicorn "
            f"{' '.join(GUNICORN_SETTINGS)}; pinned: {bool(server_cpu)}"
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
        f"{'variant':<16}" + "".join(f"{f'c={c} req/s':>14}{'CPU us/req':>12}" for c in concurrency)
    )
    for v in VARIANTS:
        print(
            f"{v.name:<16}"
            + "".join(f"{med(v.name, c):>14,.0f}{med_cpu(v.name, c):>12.0f}" for c in concurrency)
        )
    print()
    failed = False
    for c in concurrency:
        for name, target in TARGETS.items():
            label = f"{name} / plain-json"
            ratio = med(name, c) / med("plain-json", c)
            ok = ratio >= target
            failed |= not ok
            per_cpu = med_cpu("plain-json", c) / med_cpu(name, c)
            print(
                f"c={c:<3} {label:<30} {ratio:5.2f}x  (target >= {target:.2f})  "
                f"{'PASS' if ok else 'FAIL'}   per server CPU second: {per_cpu:4.2f}x"
            )
        for label, value, note in (
            (
                "blueprint-proto / core-proto",
                med("blueprint-proto", c) / med("core-proto", c),
                "Flask's share",
            ),
            ("floor / blueprint-proto", med("floor", c) / med("blueprint-proto", c), "Flask alone"),
        ):
            print(f"c={c:<3} {label:<30} {value:5.2f}x  (reference: {note})")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
