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

from _harness import (
    JSON_BODY,
    PROTO_BODY,
    Report,
    Server,
    Variant,
    arguments,
    check,
    gunicorn,
    parse,
    rounds,
    run,
    started,
)

UNARY = "/bench.v1.BenchService/Unary"
TARGETS = {"blueprint-proto": 1.1, "blueprint-json": 1.0}

VARIANTS = [
    Variant("blueprint-proto", "flask", "/rpc" + UNARY, "application/proto", PROTO_BODY),
    Variant("blueprint-json", "flask", "/rpc" + UNARY, "application/json", JSON_BODY),
    Variant("plain-json", "flask", "/plain/unary", "application/json", JSON_BODY, False),
    Variant("core-proto", "core", UNARY, "application/proto", PROTO_BODY),
    Variant("floor", "flask", "/floor", "application/json", JSON_BODY, False, echo=False),
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

SERVERS = {
    "flask": gunicorn("flask_bench_app:app", *GUNICORN_SETTINGS),
    "core": gunicorn("flask_bench_app:core", *GUNICORN_SETTINGS),
}


def answers(server: Server) -> None:
    """Ready when a variant of ``server`` answers (gunicorn's arbiter binds before its
    worker imports the app)."""
    check(server, next(v for v in VARIANTS if v.server == server.name))


def main() -> int:
    args = parse(arguments(__doc__))
    with started("flask-bench", SERVERS, VARIANTS, answers) as running:
        setup = f"gunicorn {' '.join(GUNICORN_SETTINGS)}; "
        results = rounds(running, VARIANTS, args, setup)
    return report(Report(results, name_width=16, label_width=30), args.concurrency)


def report(r: Report, concurrency: list[int]) -> int:
    r.table(VARIANTS, concurrency)
    for c in concurrency:
        for name, target in TARGETS.items():
            r.target(c, name, "plain-json", target)
        r.reference(c, "blueprint-proto", "core-proto", "Flask's share")
        r.reference(c, "floor", "blueprint-proto", "Flask alone")
        # The most any route can gain on the plain one: Flask's own cost bounds the ratio.
        r.reference(c, "floor", "plain-json", "the ceiling for any route")
    return r.status()


if __name__ == "__main__":
    run(main)
