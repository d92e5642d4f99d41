"""A fast proto3 JSON mapping that gives exactly what ``google.protobuf.json_format`` gives.

``json_format`` walks descriptors and dispatches on field types in Python for every value of
every message. This module does that work once per message type: it compiles a *plan* per
:class:`~google.protobuf.descriptor.Descriptor` (built lazily on first use and cached; two
threads building the same plan at once is harmless) holding, for each field, its JSON name and
a converter chosen by the field's type, label and map-ness.

Encoding (``_json_encode.message_to_json_value``) reproduces ``json_format.MessageToDict``
with its default options value for value. What it cannot reproduce cheaply is delegated: well-known
types go to ``json_format.MessageToDict`` one sub-message at a time, and a message with
extensions (or anything that raises) is converted by ``json_format`` as a whole, which also
makes ``json_format`` the one that raises its own errors.

Decoding (``_json_decode.parse_json_value``) is a strict fast path: it accepts only input
whose meaning is unambiguous and simple and raises :class:`Fallback` on anything else (a
field named twice, two members of a oneof, ``null``, possible extension keys, numbers in
strings where json_format has quirks, lenient base64, unknown enum names,
``google.protobuf.Any``, ...). The caller then parses the whole input again with
``json_format.ParseDict`` into a fresh message, so errors and edge cases are exactly
``json_format``'s. Two things it does take that need no rules of its own: unknown keys, which
json_format ignores too (unless they look like ``[extension.names]``), and other well-known
types, which it hands to ``json_format.ParseDict`` one sub-message at a time with the depth
limit the whole parse would have had there.

This module holds what both directions share (descriptor helpers, the fallback signal) and the
JSON text helpers; ``_json_encode`` and ``_json_decode`` hold the two directions.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from typing import Any

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

__all__ = ["compact_dumps", "is_well_known", "loads"]


class Fallback(Exception):
    """The fast path cannot handle this input; use ``json_format`` for the whole message."""


# Messages that json_format maps specially (its ``_WKTJSONMETHODS``), plus the wrappers, which it
# recognises by file. google.protobuf.Empty is a plain message to json_format and so to us.
WKT_NAMES = frozenset(
    {
        "google.protobuf.Any",
        "google.protobuf.Duration",
        "google.protobuf.FieldMask",
        "google.protobuf.ListValue",
        "google.protobuf.Struct",
        "google.protobuf.Timestamp",
        "google.protobuf.Value",
    }
)
WRAPPERS_FILE = "google/protobuf/wrappers.proto"
NULL_VALUE = "google.protobuf.NullValue"
ANY = "google.protobuf.Any"
ENUM_JSON_OPTION = "pb.enumvalue.json"

_T = FieldDescriptor
INT32_RANGES = {
    _T.TYPE_INT32: (-(2**31), 2**31 - 1),
    _T.TYPE_SINT32: (-(2**31), 2**31 - 1),
    _T.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    _T.TYPE_UINT32: (0, 2**32 - 1),
    _T.TYPE_FIXED32: (0, 2**32 - 1),
}
INT64_RANGES = {
    _T.TYPE_INT64: (-(2**63), 2**63 - 1),
    _T.TYPE_SINT64: (-(2**63), 2**63 - 1),
    _T.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    _T.TYPE_UINT64: (0, 2**64 - 1),
    _T.TYPE_FIXED64: (0, 2**64 - 1),
}
FLOAT32_MAX = float.fromhex("0x1.fffffep+127")


def is_well_known(message_type: Any) -> bool:
    """True for the types with a JSON form of their own (not an object of their fields).

    ``message_type`` is a message descriptor (``Message.DESCRIPTOR``).
    """
    return is_wkt(message_type)


def is_wkt(message_type: Descriptor) -> bool:
    """Whether json_format gives ``message_type`` a special JSON mapping."""
    return message_type.full_name in WKT_NAMES or message_type.file.name == WRAPPERS_FILE


def is_map(field: FieldDescriptor) -> bool:
    """Whether ``field`` is a map field (a repeated map-entry message)."""
    return field.type == _T.TYPE_MESSAGE and message_type_of(field).GetOptions().map_entry


def message_type_of(field: FieldDescriptor) -> Descriptor:
    assert field.message_type is not None
    return field.message_type


def enum_type_of(field: FieldDescriptor) -> EnumDescriptor:
    assert field.enum_type is not None
    return field.enum_type


def _make_compact_dumps() -> Callable[[Any], str]:
    """``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``, set up once.

    ``json.dumps`` builds a new C encoder on every call, which costs more than encoding a small
    message; this builds the very same encoder once (without the check for circular
    references, which JSON values made from messages cannot have).
    """
    encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:  # no C accelerator (PyPy, say)
        return encoder.encode
    iterencode = make_encoder(
        None,  # markers: no circular-reference check
        encoder.default,
        json.encoder.encode_basestring,  # ensure_ascii=False
        None,  # indent
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )

    def compact_dumps(value: Any) -> str:
        return "".join(iterencode(value, 0))

    return compact_dumps


compact_dumps = _make_compact_dumps()
"""Compact JSON text, equal to ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``."""


_DECODER = json.JSONDecoder()  # configured as json.loads's own


def loads(data: bytes) -> Any:
    """``json.loads(data)``: the same value, or the same error.

    ``json.loads`` first guesses the encoding of bytes with a few Python-level checks; input
    that starts with ``{`` and no NUL byte after it is UTF-8 by those same checks, so that
    input skips them (and ``json.loads``'s keyword handling).
    """
    if type(data) is bytes and data[:1] == b"{" and data[1:2] != b"\x00":
        return _DECODER.decode(data.decode("utf-8", "surrogatepass"))
    return json.loads(data)
