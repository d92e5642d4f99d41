"""Codecs: how messages become bytes (binary Protobuf and the proto3 JSON mapping)."""

from __future__ import annotations

from typing import Protocol, TypeVar, runtime_checkable

from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message

from .._code import Code
from .._errors import ConnectError
from .protojson import Fallback, compact_dumps, is_well_known, loads
from .protojson_decode import parse_json_value
from .protojson_encode import message_to_json_value

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
        # The same bytes as json.dumps(json_format.MessageToDict(message), separators=(",", ":"),
        # ensure_ascii=False).encode(), from a faster dict and an encoder set up once.
        return compact_dumps(message_to_json_value(message)).encode()

    def decode(self, data: bytes, message_type: type[M]) -> M:
        """Parse proto3 JSON."""
        message = message_type()
        if not data:
            return message
        try:
            # json.loads (in effect): the C JSON parser, and no duplicate-key hook per object.
            value = loads(data)
            if not isinstance(value, dict) and not is_well_known(message_type.DESCRIPTOR):
                raise ValueError("a message is a JSON object")
            try:
                parse_json_value(value, message)
            except Fallback:
                # Input the fast path does not take: json_format has the last word, on a
                # fresh message since the fast path may have written to this one.
                message = message_type()
                json_format.ParseDict(value, message, ignore_unknown_fields=True)
        except (
            json_format.ParseError,
            ValueError,
            RecursionError,
            TypeError,  # a JSON value of the wrong kind where json_format expects an object
            OverflowError,  # an integer too large for a double field
            # json_format trips over some malformed input itself: an Any whose "@type" is not
            # a string (AttributeError), a well-known type in an Any without "value" (KeyError)
            AttributeError,
            KeyError,
            IndexError,
        ) as e:
            raise ConnectError(
                Code.INVALID_ARGUMENT,
                f"could not decode {message_type.DESCRIPTOR.full_name} as JSON: {e}",
            ) from e
        return message


PROTO = ProtoCodec()
JSON = JSONCodec()

DEFAULT_CODECS: tuple[Codec, ...] = (PROTO, JSON)
