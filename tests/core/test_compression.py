"""Compression: round trips, bounded decompression (bombs), corrupt and truncated input."""

from __future__ import annotations

import os
import tracemalloc
import zlib

import brotli
import pytest
import zstandard

from connect_core import BrotliCompression, Code, ConnectError, GzipCompression, ZstdCompression
from connect_core._protocol.compression import by_name, default_compressions

ALGOS = [GzipCompression(), BrotliCompression(), ZstdCompression()]
IDS = ["gzip", "br", "zstd"]
LIMIT = 4 * 1024 * 1024
BOMB_SIZE = 100 * 1024 * 1024


def _bomb(name: str) -> bytes:
    """100 MiB of zeros, compressed by the reference library of each format, streaming."""
    chunk = bytes(1024 * 1024)
    if name == "gzip":
        c = zlib.compressobj(9, zlib.DEFLATED, 31)
        return b"".join([*(c.compress(chunk) for _ in range(100)), c.flush()])
    if name == "br":
        c = brotli.Compressor(quality=5)
        return b"".join([*(c.process(chunk) for _ in range(100)), c.finish()])
    c = zstandard.ZstdCompressor(level=3).compressobj()
    return b"".join([*(c.compress(chunk) for _ in range(100)), c.flush()])


@pytest.fixture(scope="module", params=IDS)
def bomb(request: pytest.FixtureRequest) -> tuple[str, bytes]:
    return request.param, _bomb(request.param)


@pytest.mark.parametrize("algo", ALGOS, ids=IDS)
@pytest.mark.parametrize("size", [0, 1, 1000, 1 << 20])
def test_round_trip(algo, size: int) -> None:  # type: ignore[no-untyped-def]
    data = os.urandom(size // 2) + bytes(size - size // 2)
    packed = algo.compress(data)
    assert algo.decompress(packed, LIMIT) == data
    assert algo.decompress(packed, 0) == data  # 0: no limit


@pytest.mark.parametrize("algo", ALGOS, ids=IDS)
def test_limit_boundary(algo) -> None:  # type: ignore[no-untyped-def]
    data = b"a" * 5000
    packed = algo.compress(data)
    assert algo.decompress(packed, 5000) == data
    with pytest.raises(ConnectError) as info:
        algo.decompress(packed, 4999)
    assert info.value.code is Code.RESOURCE_EXHAUSTED


def test_decompresses_reference_encoders() -> None:
    """Data from the formats' own libraries (as other clients send it) is understood."""
    import gzip

    data = b"interop " * 1000
    assert GzipCompression().decompress(gzip.compress(data), LIMIT) == data
    assert BrotliCompression().decompress(brotli.compress(data), LIMIT) == data
    # A zstd frame without the content size in its header (as streaming encoders write it).
    c = zstandard.ZstdCompressor(write_content_size=False).compressobj()
    frame = c.compress(data) + c.flush()
    assert ZstdCompression().decompress(frame, LIMIT) == data


def test_bomb_refused_with_bounded_memory(bomb: tuple[str, bytes]) -> None:
    name, packed = bomb
    algo = by_name(ALGOS)[name]
    assert len(packed) < 1024 * 1024  # really a bomb: 100x+ expansion
    tracemalloc.start()
    try:
        with pytest.raises(ConnectError) as info:
            algo.decompress(packed, LIMIT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.code is Code.RESOURCE_EXHAUSTED
    # The output may be held twice while it is cut to size; never anywhere near 100 MiB.
    assert peak < 2 * LIMIT + 512 * 1024, f"{name}: peak {peak} bytes"


@pytest.mark.parametrize("algo", ALGOS, ids=IDS)
def test_truncated(algo) -> None:  # type: ignore[no-untyped-def]
    packed = algo.compress(os.urandom(10_000))
    with pytest.raises(ConnectError) as info:
        algo.decompress(packed[: len(packed) // 2], LIMIT)
    assert info.value.code is Code.INVALID_ARGUMENT


@pytest.mark.parametrize("algo", ALGOS, ids=IDS)
def test_garbage(algo) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConnectError) as info:
        algo.decompress(b"this is not compressed at all" * 10, LIMIT)
    assert info.value.code is Code.INVALID_ARGUMENT


def test_default_compressions() -> None:
    names = [c.name for c in default_compressions()]
    assert names[0] == "gzip"
    assert sorted(names) == ["br", "gzip", "zstd"]


@pytest.mark.parametrize("algo", ALGOS, ids=IDS)
def test_one_instance_shared_by_threads(algo) -> None:  # type: ignore[no-untyped-def]
    """A WSGI server's threads share the application's compression objects; no call may see
    another's data (zstandard's own contexts are not thread-safe)."""
    import threading

    failures: list[str] = []

    def work(seed: int) -> None:
        for i in range(150):
            data = os.urandom(64) * (50 + (seed * 7 + i) % 200)
            try:
                if algo.decompress(algo.compress(data), 0) != data:
                    failures.append("round trip changed the data")
            except Exception as e:
                failures.append(repr(e))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


# -- every member and frame, or an error: never a partial message ---------------------------


def _gzip(data: bytes) -> bytes:
    return GzipCompression().compress(data)


@pytest.mark.parametrize("limit", [0, 1 << 20])
def test_gzip_decompresses_every_member(limit: int) -> None:
    data = _gzip(b"first half, ") + _gzip(b"second half")
    assert GzipCompression().decompress(data, limit) == b"first half, second half"


def test_gzip_members_count_together_against_the_limit() -> None:
    data = _gzip(b"a" * 600) + _gzip(b"b" * 600)
    with pytest.raises(ConnectError) as info:
        GzipCompression().decompress(data, 1000)
    assert info.value.code is Code.RESOURCE_EXHAUSTED


@pytest.mark.parametrize("garbage", [b"x", b"\x00\x00\x00\x00", b"\x1f"])
def test_gzip_trailing_garbage_is_invalid_argument(garbage: bytes) -> None:
    with pytest.raises(ConnectError) as info:
        GzipCompression().decompress(_gzip(b"message") + garbage, 1 << 20)
    assert info.value.code is Code.INVALID_ARGUMENT


@pytest.mark.parametrize("limit", [0, 1 << 20])
def test_zstd_decompresses_every_frame(limit: int) -> None:
    z = ZstdCompression()
    data = z.compress(b"first frame, ") + z.compress(b"second frame")
    assert z.decompress(data, limit) == b"first frame, second frame"
    assert z.decompress(b"", limit) == b""


def test_zstd_trailing_garbage_is_invalid_argument() -> None:
    z = ZstdCompression()
    with pytest.raises(ConnectError) as info:
        z.decompress(z.compress(b"message") + b"garbage!", 1 << 20)
    assert info.value.code is Code.INVALID_ARGUMENT


def test_zstd_window_is_bounded_by_the_limit() -> None:
    # A frame declaring a 64 MiB window for tiny content: refused
    # before any window is allocated, whatever the content size.
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=26)
    stream = zstandard.ZstdCompressor(compression_params=params).compressobj()
    frame = stream.compress(b"x") + stream.flush()
    assert zstandard.get_frame_parameters(frame).window_size == 1 << 26
    with pytest.raises(ConnectError) as info:
        ZstdCompression().decompress(frame, 4 << 20)
    assert info.value.code is Code.INVALID_ARGUMENT
