"""In-process ASGI microbenchmark: the apps' own cost per call, without uvicorn or sockets.

Calls each app directly with a canned ASGI scope, a ``receive`` that hands over the request
body and a ``send`` that drops the response, on one uvloop event loop. What remains is the
app's per-call work (routing, headers, negotiation, decode, handler, encode, ASGI messages),
which is what connect_core controls; ``server_bench.py`` measures the whole server.

    uv run --frozen python bench/inproc_bench.py              # µs per call, all apps
    uv run --frozen python bench/inproc_bench.py --cprofile   # where connect_core spends it
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib
import io
import pstats
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import uvloop

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH_DIR), str(BENCH_DIR / "gen"), str(BENCH_DIR / "gen_official")]

from server_bench import REQUEST_BODY, stream_request_envelope  # noqa: E402

Message = MutableMapping[str, Any]
App = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[Message]],
        Callable[[Message], Awaitable[None]],
    ],
    Awaitable[None],
]

PATHS = {
    "raw": ("/bench.v1.BenchService/Unary", None),
    "core": ("/bench.v1.BenchService/Unary", "/bench.v1.BenchService/Stream"),
    "official": ("/benchofficial.v1.BenchService/Unary", "/benchofficial.v1.BenchService/Stream"),
}


def scope_for(path: str, content_type: bytes, length: int) -> dict[str, Any]:
    """An ASGI HTTP scope like the one uvicorn builds for the benchmark's requests."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": "POST",
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"user-agent", b"h2load nghttp2/1.52.0"),
            (b"content-type", content_type),
            (b"connect-protocol-version", b"1"),
            (b"content-length", str(length).encode()),
        ],
        "state": {},
    }


async def call(app: App, scope: dict[str, Any], body: bytes) -> int:
    """One call; returns the number of response body bytes."""
    sent = 0
    delivered = False
    done = asyncio.Event()

    async def receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal sent
        if message["type"] == "http.response.body":
            sent += len(message.get("body", b""))

    await app(dict(scope), receive, send)
    done.set()
    return sent


async def measure(app: App, scope: dict[str, Any], body: bytes, n: int) -> float:
    """Seconds per call, over ``n`` sequential calls."""
    start = time.perf_counter()
    for _ in range(n):
        await call(app, scope, body)
    return (time.perf_counter() - start) / n


def load(name: str) -> App:
    """Import ``bench/<name>_app.py`` and return its ``app``."""
    app: App = importlib.import_module(f"{name}_app").app
    return app


async def run(args: argparse.Namespace) -> None:
    """Measure every app, alternately, and print the medians."""
    apps = {name: load(name) for name in args.apps}
    unary = {n: scope_for(PATHS[n][0], b"application/proto", len(REQUEST_BODY)) for n in args.apps}
    stream_body = stream_request_envelope(args.count, args.size)
    streams = {
        n: scope_for(path, b"application/connect+proto", len(stream_body))
        for n in args.apps
        if (path := PATHS[n][1]) is not None
    }
    for name, app in apps.items():  # warm up, and check the answers
        size = await call(app, unary[name], REQUEST_BODY)
        assert size == len(REQUEST_BODY), (name, size)
        if name in streams:
            await measure(app, streams[name], stream_body, 2)
        await measure(app, unary[name], REQUEST_BODY, args.calls // 4)
    if args.cprofile:
        await profile(apps["core"], unary["core"], streams["core"], stream_body, args)
        return
    per_call: dict[str, list[float]] = {n: [] for n in apps}
    per_msg: dict[str, list[float]] = {n: [] for n in streams}
    for _ in range(args.rounds):
        for name, app in apps.items():
            per_call[name].append(await measure(app, unary[name], REQUEST_BODY, args.calls))
        for name in streams:
            seconds = await measure(apps[name], streams[name], stream_body, 3)
            per_msg[name].append(seconds / args.count)
    med = {n: statistics.median(v) * 1e6 for n, v in per_call.items()}
    print("unary, µs per call (in-process, median of rounds):")
    for name, us in med.items():
        extra = f"  (+{us - med['raw']:.1f} µs over raw)" if "raw" in med and name != "raw" else ""
        print(f"  {name:9s} {us:7.1f}{extra}")
    if per_msg:
        print(f"server stream of {args.count:,} x {args.size} B, µs per message:")
        for name, values in per_msg.items():
            print(f"  {name:9s} {statistics.median(values) * 1e6:7.2f}")


async def profile(
    app: App,
    unary: dict[str, Any],
    stream: dict[str, Any],
    stream_body: bytes,
    args: argparse.Namespace,
) -> None:
    """cProfile the core app's unary and stream calls; print the top functions."""
    for label, scope, body, n in (
        ("unary", unary, REQUEST_BODY, args.calls),
        ("stream", stream, stream_body, 3),
    ):
        prof = cProfile.Profile()
        prof.enable()
        await measure(app, scope, body, n)
        prof.disable()
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        stats.sort_stats("tottime").print_stats(args.top)
        print(f"== core, {label}: {n} calls, sorted by own time ==")
        print(out.getvalue())


def main() -> None:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--apps", nargs="+", default=["raw", "core", "official"], choices=tuple(PATHS))
    p.add_argument("--calls", type=int, default=20_000, help="unary calls per round (20000)")
    p.add_argument("--rounds", type=int, default=5, help="alternating rounds (5)")
    p.add_argument("--count", type=int, default=10_000, help="messages per stream (10000)")
    p.add_argument("--size", type=int, default=16, help="bytes per message (16)")
    p.add_argument("--cprofile", action="store_true", help="cProfile the core app instead")
    p.add_argument("--top", type=int, default=30, help="rows of the cProfile tables (30)")
    args = p.parse_args()
    if args.cprofile and "core" not in args.apps:
        p.error("--cprofile profiles the core app")
    uvloop.run(run(args))


if __name__ == "__main__":
    main()
