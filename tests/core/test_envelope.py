"""The envelope reader: incremental splitting, limits, truncation."""

from __future__ import annotations

import pytest

from connect_core import Code, ConnectError
from connect_core._protocol.envelope import (
    FLAG_COMPRESSED,
    FLAG_END_STREAM,
    Envelope,
    EnvelopeReader,
    encode_envelope,
)

MESSAGES = [(0, b"first"), (FLAG_COMPRESSED, b""), (0, bytes(range(256)) * 3), (2, b"{}")]
STREAM = b"".join(encode_envelope(f, d) for f, d in MESSAGES)


def drain(reader: EnvelopeReader) -> list[Envelope]:
    out = []
    while (env := reader.next()) is not None:
        out.append(env)
    return out


def test_encode_layout() -> None:
    assert encode_envelope(0, b"abc") == b"\x00\x00\x00\x00\x03abc"
    assert encode_envelope(FLAG_END_STREAM, b"") == b"\x02\x00\x00\x00\x00"
    big = encode_envelope(1, b"x" * 70000)
    assert big[:5] == b"\x01\x00\x01\x11\x70"


def test_whole_stream_at_once() -> None:
    r = EnvelopeReader(0)
    r.feed(STREAM)
    assert [(e.flags, e.data) for e in drain(r)] == MESSAGES
    assert r.pending == 0
    r.finish()


@pytest.mark.parametrize("cut", range(1, len(STREAM)))
def test_split_at_every_boundary(cut: int) -> None:
    r = EnvelopeReader(1 << 20)
    r.feed(STREAM[:cut])
    got = drain(r)
    r.feed(STREAM[cut:])
    got += drain(r)
    assert [(e.flags, e.data) for e in got] == MESSAGES
    r.finish()


def test_byte_by_byte() -> None:
    r = EnvelopeReader(1 << 20)
    got = []
    for i in range(len(STREAM)):
        r.feed(STREAM[i : i + 1])
        got += drain(r)
    assert [(e.flags, e.data) for e in got] == MESSAGES
    r.finish()


def test_envelope_properties() -> None:
    e = Envelope(FLAG_COMPRESSED | FLAG_END_STREAM, b"")
    assert e.compressed and e.end_stream
    assert not Envelope(0, b"").compressed


def test_oversized_prefix_refused_before_payload_arrives() -> None:
    r = EnvelopeReader(1024)
    r.feed(b"\x00" + (1025).to_bytes(4, "big"))  # only the header: no payload buffered yet
    with pytest.raises(ConnectError) as info:
        r.next()
    assert info.value.code is Code.RESOURCE_EXHAUSTED


def test_prefix_at_limit_accepted() -> None:
    r = EnvelopeReader(4)
    r.feed(encode_envelope(0, b"abcd"))
    assert r.next() == Envelope(0, b"abcd")


def test_no_limit() -> None:
    r = EnvelopeReader(0)
    r.feed(encode_envelope(0, b"x" * 100_000))
    env = r.next()
    assert env is not None and len(env.data) == 100_000


@pytest.mark.parametrize("cut", [1, 4, 5, 7])
def test_truncated(cut: int) -> None:
    r = EnvelopeReader(1024)
    r.feed(encode_envelope(0, b"abcdefgh")[:cut])
    assert r.next() is None
    with pytest.raises(ConnectError) as info:
        r.finish()
    assert info.value.code is Code.INVALID_ARGUMENT


def test_empty_body_finishes_cleanly() -> None:
    r = EnvelopeReader(1024)
    assert r.next() is None
    r.finish()


def test_buffer_compacts_after_consumption() -> None:
    """Consumed envelopes are dropped from the buffer on the next feed (no unbounded growth)."""
    r = EnvelopeReader(0)
    for _ in range(1000):
        r.feed(encode_envelope(0, b"y" * 1000))
        assert r.next() is not None
    r.feed(b"")
    assert len(r._buf) < 2000
