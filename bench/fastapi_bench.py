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

import shutil
import subprocess
import sys
import time
from pathlib import Path

from _harness import (
    JSON_BODY,
    PROTO_BODY,
    Report,
    Running,
    Variant,
    arguments,
    load,
    parse,
    rounds,
    run,
    started,
    uvicorn,
)

PROFILE_DIR = Path(__file__).resolve().parent / "profile-out"
CORE_TARGET = 0.85
UNARY = "/bench.v1.BenchService/Unary"

VARIANTS = [
    Variant("router-json", "fastapi", "/rpc" + UNARY, "application/json", JSON_BODY),
    Variant("plain-json", "fastapi", "/plain/unary", "application/json", JSON_BODY, False),
    Variant("router-proto", "fastapi", "/rpc" + UNARY, "application/proto", PROTO_BODY),
    Variant("core-proto", "core", UNARY, "application/proto", PROTO_BODY),
    Variant("floor", "fastapi", "/floor", "application/json", JSON_BODY, False, echo=False),
    Variant("floor-read", "fastapi", "/floor-read", "application/proto", PROTO_BODY, False),
    Variant("core-mounted", "fastapi", "/mounted" + UNARY, "application/proto", PROTO_BODY),
]

SERVERS = {
    "fastapi": uvicorn("fastapi_bench_app:app"),
    "core": uvicorn("fastapi_bench_app:core"),
}


def profile(running: Running, v: Variant) -> None:
    """Record the server of ``v`` with py-spy while loading it with ``v``."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        print("py-spy is not installed (uv pip install py-spy); skipping the profile")
        return
    server = running.servers[v.server]
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
    load(server, v, running.bodies[v.name], 32, 5, running.load_cpu)
    spy.wait(30)
    print(f"profile of {v.name}: {out} (open in https://speedscope.app)")


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--profile", action="store_true", help="py-spy router-proto, then exit")
    args = parse(parser)
    with started("fastapi-bench", SERVERS, VARIANTS) as running:
        if args.profile:
            profile(running, VARIANTS[2])
            return 0
        results = rounds(running, VARIANTS, args, "uvicorn 1 worker, uvloop, httptools; ")
    return report(Report(results), args.concurrency)


def report(r: Report, concurrency: list[int]) -> int:
    r.table(VARIANTS, concurrency)
    for c in concurrency:
        r.target(c, "router-json", "plain-json", 1.0)
        r.target(c, "router-proto", "plain-json", 1.0)
        r.target(c, "router-proto", "core-proto", CORE_TARGET)
        r.reference(c, "floor", "core-proto", "FastAPI's own cost")
        r.reference(c, "floor-read", "core-proto", "FastAPI + reading the body")
        r.reference(c, "core-mounted", "core-proto", "the core app behind FastAPI's routing")
        r.reference(c, "router-proto", "floor-read", "the adapter and engine within FastAPI")
    return r.status()


if __name__ == "__main__":
    run(main)
