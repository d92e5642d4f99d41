"""Microbenchmark: connect_core's JSON codec against plain google.protobuf.json_format.

Prints the microseconds per encode and per decode of ``connect_core.JSON`` (the fast proto3
JSON layer in ``connect_core/_json*.py``) and of what the codec did before it
(``json.dumps(json_format.MessageToDict(m), ...)`` and ``json_format.ParseDict(json.loads(b),
...)``), and the ratio json_format / ours, for:

* ``payload``: the benchmark ``bench.v1.Payload`` (one bytes field of 98 bytes), as
  ``server_bench.py`` sends it;
* ``rich``: a ``jsontest.v1.Everything`` from the tests' proto with scalars of every kind,
  strings, bytes, enums, nested and recursive messages, repeated fields and maps;
* ``rich+wkt``: the same plus a Timestamp, which the decoder leaves to json_format as a whole
  (the encoder only for the Timestamp itself).

Each figure is the best of ``--repeat`` runs of ``--number`` calls, the two sides' runs taken
in turns so that a noisy machine disturbs both alike. Before timing, the outputs of both sides
are checked to be equal. Usage, from the repository root::

    uv run --frozen python bench/json_codec_bench.py
    uv run --frozen python bench/json_codec_bench.py --number 5000 --repeat 30
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for path in (REPO / "bench" / "gen", REPO / "tests" / "gen", REPO):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from bench.v1.bench_pb2 import Payload  # noqa: E402
from google.protobuf import json_format, timestamp_pb2  # noqa: E402
from google.protobuf.message import Message  # noqa: E402
from jsontest.v1 import types_pb2 as t  # noqa: E402

from connect_core import JSON  # noqa: E402


def json_format_encode(message: Message) -> bytes:
    """JSONCodec.encode before the fast path."""
    return json.dumps(
        json_format.MessageToDict(message), separators=(",", ":"), ensure_ascii=False
    ).encode()


def json_format_decode(data: bytes, message_type: type[Message]) -> Message:
    """JSONCodec.decode before the fast path (less its error handling)."""
    message = message_type()
    json_format.ParseDict(json.loads(data), message, ignore_unknown_fields=True)
    return message


def rich_message() -> t.Everything:
    """A message with a bit of everything the fast path handles."""
    return t.Everything(
        scalars=t.Scalars(
            f_double=2.5,
            f_float=0.1,
            f_int32=-42,
            f_int64=1234567890123,
            f_uint64=2**63,
            f_bool=True,
            f_string="hello, wörld",
            f_bytes=b"\x00\x01\x02binary",
            f_enum=t.COLOR_GREEN,
            o_int32=0,
            r_int32=[1, 2, 3, 4, 5],
            r_string=["a", "bb", "ccc"],
            r_enum=[t.COLOR_RED, t.COLOR_BLUE],
        ),
        maps=t.Maps(
            string_string={"k1": "v1", "k2": "v2"},
            int32_enum={1: t.COLOR_RED, 2: t.COLOR_GREEN},
            string_leaf={"x": t.Leaf(name="x", number=1)},
        ),
        tree=t.Tree(
            name="root",
            left=t.Tree(name="left", choice_leaf=t.Leaf(name="leaf", color=t.COLOR_RED)),
            children=[t.Tree(name="c0"), t.Tree(name="c1", renamed=7)],
            snake_case_field="snake",
            choice_number=99,
        ),
        leaves=[t.Leaf(name="l0", number=0), t.Leaf(name="l1", number=1, color=t.COLOR_BLUE)],
        leaf=t.Leaf(name="single", number=123),
    )


def best_us(
    ours: Callable[[], Any], theirs: Callable[[], Any], number: int, repeat: int
) -> tuple[float, float]:
    """Best time per call of each, in microseconds, from runs taken in turns."""
    best = [math.inf, math.inf]
    for _ in range(repeat):
        for i, func in enumerate((ours, theirs)):
            best[i] = min(best[i], timeit.timeit(func, number=number) / number * 1e6)
    return best[0], best[1]


def bench(name: str, message: Message, number: int, repeat: int) -> None:
    message_type = type(message)
    data = JSON.encode(message)
    assert data == json_format_encode(message), "encode outputs differ"
    assert JSON.decode(data, message_type) == json_format_decode(data, message_type)
    timings = {
        "encode": best_us(
            lambda: JSON.encode(message), lambda: json_format_encode(message), number, repeat
        ),
        "decode": best_us(
            lambda: JSON.decode(data, message_type),
            lambda: json_format_decode(data, message_type),
            number,
            repeat,
        ),
    }
    for op, (ours, theirs) in timings.items():
        print(
            f"{name:<9} {op:<7} {len(data):>6} B   ours {ours:8.2f} µs   "
            f"json_format {theirs:8.2f} µs   x{theirs / ours:5.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--number", type=int, default=2000, help="calls per run (2000)")
    parser.add_argument("--repeat", type=int, default=15, help="runs each; the best counts (15)")
    args = parser.parse_args(argv)
    rich = rich_message()
    rich_wkt = t.Everything()
    rich_wkt.CopyFrom(rich)
    rich_wkt.tree.choice_time.CopyFrom(timestamp_pb2.Timestamp(seconds=1_700_000_000))
    cases = [("payload", Payload(data=bytes(range(98)))), ("rich", rich), ("rich+wkt", rich_wkt)]
    print(f"Python {sys.version.split()[0]}; best of {args.repeat} x {args.number} calls")
    for name, message in cases:
        bench(name, message, args.number, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
