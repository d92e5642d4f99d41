"""Messages to JSON values, equal to ``json_format.MessageToDict``'s (see :mod:`._json`)."""

from __future__ import annotations

import binascii
import math
from collections.abc import Callable
from typing import Any

from google.protobuf import descriptor_pool, json_format
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.internal import type_checkers
from google.protobuf.message import Message

from .protojson import (
    ENUM_JSON_OPTION,
    INT64_RANGES,
    NULL_VALUE,
    Fallback,
    enum_type_of,
    is_map,
    is_wkt,
    message_type_of,
)

__all__ = ["message_to_json_value"]

_T = FieldDescriptor

# A field's JSON value from its Python value; None where the value is its own JSON value.
_Encoder = Callable[[Any], Any]
_EncodePlan = dict[FieldDescriptor, tuple[str, _Encoder | None]]

# Converters of whole messages, by message descriptor.
_ENCODERS: dict[Any, _Encoder] = {}


def message_to_json_value(message: Message) -> Any:
    """The JSON value of ``message``, equal to ``json_format.MessageToDict(message)``.

    A dict for ordinary messages; whatever json_format gives for a well-known type.
    """
    message_type: Any = message.DESCRIPTOR
    try:
        encode = _ENCODERS.get(message_type) or _message_encoder(message_type)
        return encode(message)
    except Exception:
        # Extensions, closed enums holding unknown numbers, unserializable well-known types,
        # ...: json_format is the authority, for the result and for the error it raises.
        return json_format.MessageToDict(message)


def _message_encoder(message_type: Descriptor) -> _Encoder:
    """The (cached) converter for messages of ``message_type``."""
    encoder = _ENCODERS.get(message_type)
    if encoder is not None:
        return encoder
    if is_wkt(message_type):
        _ENCODERS[message_type] = _encode_well_known
        return _encode_well_known
    plan: _EncodePlan = {}

    def encode_message(message: Message) -> dict[str, Any]:
        js: dict[str, Any] = {}
        try:
            for field, value in message.ListFields():
                name, encode = plan[field]
                js[name] = value if encode is None else encode(value)
        except KeyError:  # an extension (or, while another thread builds it, a partial plan)
            raise Fallback from None
        return js

    # Published before its fields' converters exist, so that recursive types find it.
    _ENCODERS[message_type] = encode_message
    try:
        plan.update({f: (f.json_name, _field_encoder(f)) for f in message_type.fields})
    except BaseException:
        _ENCODERS.pop(message_type, None)
        raise
    return encode_message


def _field_encoder(field: FieldDescriptor) -> _Encoder | None:
    """The converter for a whole field: a map, a repeated field or a singular value."""
    if is_map(field):
        return _map_encoder(field)
    encode = _value_encoder(field)
    if not field.is_repeated:
        return encode
    if encode is None:
        return list
    element = encode

    def encode_list(values: Any) -> list[Any]:
        return [element(v) for v in values]

    return encode_list


def _map_encoder(field: FieldDescriptor) -> _Encoder:
    """The converter for a map field: JSON object keys are strings, ``true``/``false``.

    Entries in the map's own iteration order, as json_format gives them (iterating keys and
    indexing is also much faster than the containers' ``items()``).
    """
    entry = message_type_of(field)
    key_type = entry.fields_by_name["key"].type
    value = _value_encoder(entry.fields_by_name["value"])
    if key_type == _T.TYPE_STRING:
        return _string_map_encoder(value)
    key: Callable[[Any], str] = _bool_key if key_type == _T.TYPE_BOOL else str
    if value is None:

        def encode_map(mapping: Any) -> dict[str, Any]:
            return {key(k): mapping[k] for k in mapping}

        return encode_map
    encode_value = value

    def encode_map_values(mapping: Any) -> dict[str, Any]:
        return {key(k): encode_value(mapping[k]) for k in mapping}

    return encode_map_values


def _string_map_encoder(encode_value: _Encoder | None) -> _Encoder:
    if encode_value is None:

        def encode_string_map(mapping: Any) -> dict[str, Any]:
            return {k: mapping[k] for k in mapping}

        return encode_string_map
    encode = encode_value

    def encode_string_map_values(mapping: Any) -> dict[str, Any]:
        return {k: encode(mapping[k]) for k in mapping}

    return encode_string_map_values


def _bool_key(key: bool) -> str:
    return "true" if key else "false"


def _value_encoder(field: FieldDescriptor) -> _Encoder | None:
    """The converter for one value of ``field``'s type; None when no conversion is needed."""
    kind = field.type
    if kind in INT64_RANGES:
        return str
    if kind == _T.TYPE_DOUBLE:
        return _encode_double
    if kind == _T.TYPE_FLOAT:
        return _encode_float
    if kind == _T.TYPE_BYTES:
        return _encode_bytes
    if kind == _T.TYPE_ENUM:
        return _enum_encoder(enum_type_of(field))
    if field.cpp_type == _T.CPPTYPE_MESSAGE:
        return _message_encoder(message_type_of(field))
    return None  # 32-bit integers, bool, string: Python's value is the JSON value


def _encode_double(value: float) -> float | str:
    if math.isfinite(value):
        return value
    return _special_float(value)


_F32_CACHE: dict[float, float] = {}
_F32_CACHE_SIZE = 4096


def _encode_float(value: float) -> float | str:
    """A float32 as the shortest double that reads back as the same float32."""
    if not math.isfinite(value):
        return _special_float(value)
    if value == 0.0:
        return value  # keeps -0.0 (which the cache, keyed by ==, would lose)
    shortest = _F32_CACHE.get(value)
    if shortest is None:
        shortest = float(type_checkers.ToShortestFloat(value))
        if len(_F32_CACHE) >= _F32_CACHE_SIZE:
            _F32_CACHE.clear()
        _F32_CACHE[value] = shortest
    return shortest


def _special_float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def _encode_bytes(value: bytes) -> str:
    return binascii.b2a_base64(value, newline=False).decode("ascii")


def _enum_json_names(enum_type: EnumDescriptor) -> dict[int, str]:
    """JSON name by number: the value's name, or its ``pb.enumvalue.json`` option string."""
    try:
        option = descriptor_pool.Default().FindExtensionByName(ENUM_JSON_OPTION)
    except KeyError:
        option = None
    names: dict[int, str] = {}
    by_number = enum_type.values_by_number
    for number in by_number:
        # Look each number up as json_format does: with aliases, iterating items() gives
        # another value for the number than the lookup does.
        value = by_number[number]
        options: Any = value.GetOptions()
        if option is not None and options.HasExtension(option):
            names[number] = options.Extensions[option].string
        else:
            names[number] = value.name
    return names


def _enum_encoder(enum_type: EnumDescriptor) -> _Encoder:
    """Enum values print as names; unknown numbers of open enums as numbers."""
    if enum_type.full_name == NULL_VALUE:
        return _encode_null
    names = _enum_json_names(enum_type)
    closed = enum_type.is_closed

    def encode_enum(value: int) -> str | int:
        name = names.get(value)
        if name is not None:
            return name
        if closed:
            raise Fallback  # json_format raises SerializeToJsonError
        return value

    return encode_enum


def _encode_null(value: int) -> None:
    return None


def _encode_well_known(value: Message) -> Any:
    return json_format.MessageToDict(value)
