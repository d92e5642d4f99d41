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
``<server>-plain`` (``JsonResponse(json.loads(request.body))``), and for reference
``<server>-floor`` (fixed bytes, the body unread: Django's own cost, the most any view can
gain on the plain one).

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

import asyncio
import statistics
import tempfile
from pathlib import Path

from _harness import (
    JSON_BODY,
    PROTO_BODY,
    Report,
    Variant,
    answers_http,
    arguments,
    gunicorn,
    parse,
    rounds,
    run,
    servers,
    started,
    uvicorn,
)
from _idle_streams import idle_kib

TARGETS = {"proto": 1.1, "json": 1.0}
KINDS = ["wsgi", "asgi", "duplex"]


def _variants() -> list[Variant]:
    out = []
    for server, prefix, plain, floor in (
        ("wsgi", "/sync", "/plain/sync", "/floor/sync"),
        ("asgi", "/async", "/plain/async", "/floor/async"),
        ("duplex", "/async", "/plain/async", None),
    ):
        rpc = f"{prefix}/bench.v1.BenchService/Unary"
        out += [
            Variant(f"{server}-proto", server, rpc, "application/proto", PROTO_BODY),
            Variant(f"{server}-json", server, rpc, "application/json", JSON_BODY),
            Variant(f"{server}-plain", server, plain, "application/json", JSON_BODY, False),
        ]
        if floor is not None:
            out.append(
                Variant(
                    f"{server}-floor", server, floor, "application/json", JSON_BODY, False, False
                )
            )
    return out


VARIANTS = _variants()

_UVICORN = ("--lifespan", "off", "--backlog", "4096")
SERVERS = {
    "wsgi": gunicorn(
        "django_bench_app:wsgi",
        *("--workers", "1", "--worker-class", "gthread", "--threads", "32"),
        *("--log-level", "warning"),
    ),
    "asgi": uvicorn("django_bench_app:asgi", *_UVICORN),
    "duplex": uvicorn("django_bench_app:duplex", *_UVICORN),
}


# -- the idle stream's memory ------------------------------------------------------------


def memory(streams: int, rounds: int, logdir: Path) -> None:
    """The idle streams' memory under Django's ASGI handler and ``connect_django.asgi``'s."""
    results: dict[str, list[float]] = {}
    for _ in range(rounds):
        for kind in ("asgi", "duplex"):
            for label, path in (
                ("connect", "/idle/bench.v1.BenchService/Stream"),
                ("plain", "/idle-plain/stream"),
            ):
                with servers({kind: SERVERS[kind]}, [], logdir, answers_http) as running:
                    server = running[kind]
                    kib = asyncio.run(idle_kib(server.port, server.proc.pid, path, streams))
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
    parser = arguments(
        __doc__,
        quick="1 round of 1 s, 200 streams",
        own=lambda p: p.add_argument("--streams", type=int, default=1000),
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the idle-stream part")
    args = parse(parser)
    if args.quick:
        args.streams = 200
    with started("django-bench", SERVERS, VARIANTS, answers_http) as running:
        results = rounds(running, VARIANTS, args, "")
    status = report(Report(results, target_digits=1, verdict_width=11), args.concurrency)
    if not args.no_memory:
        with tempfile.TemporaryDirectory(prefix="django-bench-") as tmp:
            memory(args.streams, max(1, min(args.rounds, 2)), Path(tmp))
    return status


def report(r: Report, concurrency: list[int]) -> int:
    r.table(VARIANTS, concurrency)
    for c in concurrency:
        for server in KINDS:
            for codec, target in TARGETS.items():
                r.target(c, f"{server}-{codec}", f"{server}-plain", target, server != "duplex")
        for server in ("wsgi", "asgi"):
            # The most any view can gain on the plain one: Django's own cost bounds the ratio.
            r.reference(c, f"{server}-floor", f"{server}-plain", "Django alone")
    return r.status()


if __name__ == "__main__":
    run(main)
