"""Codecs: how messages become bytes (binary Protobuf and the proto3 JSON mapping)."""

from __future__ import annotations

import json
from typing import Protocol, TypeVar, runtime_checkable

from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message

from ._code import Code
from ._errors import ConnectError

M = TypeVar("M", bound=Message)


@runtime_checkable
class Codec(Protocol):
    """Turns messages into bytes and back. ``name`` is the suffix of the content type."""

    name: str

    def encode(self, message: Message) -> bytes:
        """Serialize ``message``."""
        ...

    def decode(self, data: bytes, message_type: type[M]) -> M:
        """Parse ``data`` as ``message_type``; raise :class:`ConnectError` when it is invalid."""
        ...


class ProtoCodec:
    """Binary Protobuf (``application/proto``, ``application/connect+proto``)."""

    name = "proto"

    def encode(self, message: Message) -> bytes:
        """Serialize ``message`` in the binary wire format."""
        return message.SerializeToString()

    def decode(self, data: bytes, message_type: type[M]) -> M:
        """Parse binary Protobuf."""
        message = message_type()
        try:
            message.ParseFromString(data)
        except DecodeError as e:
            raise ConnectError(
                Code.INVALID_ARGUMENT,
                f"could not decode {message_type.DESCRIPTOR.full_name} as binary protobuf: {e}",
            ) from e
        return message


class JSONCodec:
    """The proto3 JSON mapping (``application/json``, ``application/connect+json``).

    Output is compact (no indentation) so Python's C JSON encoder does the work; unknown fields
    in input are ignored, as the Connect protocol asks.
    """

    name = "json"

    def encode(self, message: Message) -> bytes:
        """Serialize ``message`` as compact proto3 JSON."""
        return json.dumps(
            json_format.MessageToDict(message, preserving_proto_field_name=False),
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()

    def decode(self, data: bytes, message_type: type[M]) -> M:
        """Parse proto3 JSON."""
        message = message_type()
        if not data:
            return message
        try:
            # json.loads + ParseDict: the C JSON parser, and no duplicate-key hook per object.
            json_format.ParseDict(json.loads(data), message, ignore_unknown_fields=True)
        except (json_format.ParseError, ValueError, RecursionError) as e:
            raise ConnectError(
                Code.INVALID_ARGUMENT,
                f"could not decode {message_type.DESCRIPTOR.full_name} as JSON: {e}",
            ) from e
        return message


PROTO = ProtoCodec()
JSON = JSONCodec()

DEFAULT_CODECS: tuple[Codec, ...] = (PROTO, JSON)
