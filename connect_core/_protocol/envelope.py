"""The 5-byte envelope that frames every message of a Connect (and gRPC) stream."""

from __future__ import annotations

import struct
from typing import NamedTuple

from .._code import Code
from .._errors import ConnectError

FLAG_COMPRESSED = 0x01
FLAG_END_STREAM = 0x02


class Envelope(NamedTuple):
    """One framed message: its flags byte and its (possibly compressed) payload."""

    flags: int
    data: bytes

    @property
    def compressed(self) -> bool:
        """True when the payload is compressed with the stream's encoding."""
        return bool(self.flags & FLAG_COMPRESSED)

    @property
    def end_stream(self) -> bool:
        """True for Connect's end-of-stream message."""
        return bool(self.flags & FLAG_END_STREAM)


HEAD = struct.Struct(">BI")
"""The envelope prefix: flags, then the big-endian length."""


def encode_envelope(flags: int, data: bytes) -> bytes:
    """Frame ``data``: one flags byte, a 4-byte big-endian length, then the data."""
    return HEAD.pack(flags, len(data)) + data


class EnvelopeReader:
    """Splits a byte stream into envelopes, incrementally and without I/O.

    Feed chunks as they arrive with :meth:`feed`, take complete envelopes with :meth:`next`,
    and call :meth:`finish` at the end of the body to detect a truncated envelope. A length
    prefix over ``max_bytes`` is refused before any of its payload is buffered.
    """

    __slots__ = ("_buf", "_pos", "max_bytes")

    def __init__(self, max_bytes: int) -> None:
        """Refuse envelopes whose payload is larger than ``max_bytes`` (<= 0: no limit)."""
        self._buf = bytearray()
        self._pos = 0
        self.max_bytes = max_bytes

    def feed(self, data: bytes) -> None:
        """Append received bytes."""
        if self._pos:
            del self._buf[: self._pos]
            self._pos = 0
        self._buf += data

    def next(self) -> Envelope | None:
        """Return the next complete envelope, or ``None`` until more bytes arrive."""
        buf, pos = self._buf, self._pos
        if len(buf) - pos < 5:
            return None
        size = int.from_bytes(buf[pos + 1 : pos + 5], "big")
        if 0 < self.max_bytes < size:
            raise ConnectError(
                Code.RESOURCE_EXHAUSTED,
                f"message of {size} bytes is larger than the configured limit of "
                f"{self.max_bytes} bytes",
            )
        end = pos + 5 + size
        if len(buf) < end:
            return None
        env = Envelope(buf[pos], bytes(buf[pos + 5 : end]))
        self._pos = end
        return env

    @property
    def pending(self) -> int:
        """Bytes received that do not yet form a complete envelope."""
        return len(self._buf) - self._pos

    def finish(self) -> None:
        """Declare the body complete; raise when it ended inside an envelope."""
        if self.pending:
            raise ConnectError(
                Code.INVALID_ARGUMENT,
                f"request body ended inside an envelope ({self.pending} bytes left over)",
            )
