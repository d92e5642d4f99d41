"""The runner's framing on stdin and stdout: each message is a 4-byte big-endian size, then
the serialized Protobuf message."""

from __future__ import annotations

import struct
from typing import BinaryIO, TypeVar

from google.protobuf.message import Message

M = TypeVar("M", bound=Message)


def read_message(stream: BinaryIO, message_type: type[M]) -> M | None:
    """Read one size-prefixed message; ``None`` at a clean end of the stream."""
    prefix = _read_exactly(stream, 4)
    if prefix is None:
        return None
    (size,) = struct.unpack(">I", prefix)
    data = _read_exactly(stream, size) if size else b""
    if data is None:
        raise EOFError(f"stream ended inside a {size}-byte message")
    message = message_type()
    message.ParseFromString(data)
    return message


def write_message(stream: BinaryIO, message: Message) -> None:
    """Write one size-prefixed message and flush."""
    data = message.SerializeToString()
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    parts: list[bytes] = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            if remaining == size:
                return None
            raise EOFError(f"stream ended after {size - remaining} of {size} bytes")
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)
