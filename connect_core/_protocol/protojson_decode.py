"""JSON values into messages: a strict fast path beside ``json_format.ParseDict`` (see
:mod:`._json`)."""

from __future__ import annotations

import binascii
import math
import re
from collections.abc import Callable
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message

from .protojson import (
    ANY,
    FLOAT32_MAX,
    INT32_RANGES,
    INT64_RANGES,
    Fallback,
    enum_type_of,
    is_map,
    is_wkt,
    message_type_of,
)

__all__ = ["parse_json_value"]

_T = FieldDescriptor
# Plain ASCII decimal integers, as 64-bit values may be written in strings. Python's int()
# gives these the meaning json_format gives them; it also takes "+1", "1_0", " 1" and so on,
# which are left to json_format.
_INT_STRING = re.compile(r"-?[0-9]+")
_UINT_STRING = re.compile(r"[0-9]+")
# Map keys in canonical form only, so two JSON keys can never name the same map key.
_INT_KEY = re.compile(r"0|-?[1-9][0-9]*")
_UINT_KEY = re.compile(r"0|[1-9][0-9]*")
_MAX_INT_DIGITS = 21  # longer strings are out of range for every integer type (or padded)

# Deeper input goes to json_format, which owns the recursion limit and its error.
_MAX_DEPTH = 64
# json_format.ParseDict's default max_recursion_depth, which JSONCodec uses.
_JSON_FORMAT_MAX_DEPTH = 100


# A Python value for a field from a JSON value; raises Fallback when unsure.
_Decoder = Callable[[Any], Any]
# Applies one JSON member's value to a message: (message, value, depth).
_Applier = Callable[[Any, Any, int], None]
# JSON key -> (token that must not repeat, or None; applier). See _token.
_DecodePlan = dict[str, tuple[object, _Applier]]
# Parses a JSON value into a message: (value, message, depth of that message, the top being 1).
_Parser = Callable[[Any, Any, int], None]

# Parsers of whole messages, by message descriptor.
_PARSERS: dict[Any, _Parser] = {}


def parse_json_value(value: Any, message: Message) -> None:
    """Merge the JSON value ``value`` (as from ``json.loads``) into ``message``.

    Raises :class:`Fallback` when the input is not simple enough for the fast path; the
    message may then be partly written, so parse again into a fresh message with
    ``json_format.ParseDict(value, fresh, ignore_unknown_fields=True)``.
    """
    message_type: Any = message.DESCRIPTOR
    try:
        parse = _PARSERS.get(message_type) or _message_parser(message_type)
        parse(value, message, 1)
    except Fallback:
        raise
    except Exception as e:
        # The message refused a value (a string with surrogates, say), or something else went
        # wrong: json_format decides, about the whole input.
        raise Fallback from e


def _message_parser(message_type: Descriptor) -> _Parser:
    """The (cached) parser for messages of ``message_type``.

    Regular messages go by their plan; Any goes to the fallback (json_format's Any parsing
    rearranges the input dict, which must not happen before json_format reads it again);
    other well-known types go to json_format one by one.
    """
    parser = _PARSERS.get(message_type)
    if parser is not None:
        return parser
    if message_type.full_name == ANY:
        parser = _reject
    elif is_wkt(message_type):
        parser = _parse_well_known
    else:
        return _regular_parser(message_type)
    _PARSERS[message_type] = parser
    return parser


def _regular_parser(message_type: Descriptor) -> _Parser:
    """The parser of a regular message type, from a table of its fields' JSON and proto names."""
    plan: _DecodePlan = {}
    ready = False

    def parse_message(value: Any, message: Any, depth: int) -> None:
        if not ready or type(value) is not dict or depth > _MAX_DEPTH:
            raise Fallback
        seen: set[object] | None = None
        for key, item in value.items():
            entry = plan.get(key)
            if entry is None:
                if key[:1] == "[":
                    raise Fallback  # maybe an extension: json_format looks it up, or refuses
                continue  # an unknown field, which json_format ignores too
            if item is None:
                raise Fallback  # json_format clears the field, or sets a null value
            token, apply = entry
            if token is not None:  # two keys could name the field, or its oneof
                if seen is None:
                    seen = {token}
                elif token in seen:
                    raise Fallback
                else:
                    seen.add(token)
            apply(message, item, depth)

    # Published before its fields' appliers exist, so that recursive types find it; it refuses
    # to work (and so leaves everything to json_format) until its plan is complete.
    _PARSERS[message_type] = parse_message
    try:
        entries = [(field, _token(field), _field_applier(field)) for field in message_type.fields]
    except BaseException:
        _PARSERS.pop(message_type, None)
        raise
    # json_format looks up JSON names first, then proto names.
    for field, token, apply in entries:
        plan[field.name] = (token, apply)
    for field, token, apply in entries:
        plan[field.json_name] = (token, apply)
    ready = True
    return parse_message


def _token(field: FieldDescriptor) -> object:
    """What two keys of one JSON object must not both name: the field, or its oneof.

    None when only one key can name the field: it has one name and is in no oneof.
    """
    oneof = field.containing_oneof  # proto3 ``optional`` fields have a synthetic oneof too
    if oneof is not None:
        return oneof
    return field if field.json_name != field.name else None


def _field_applier(field: FieldDescriptor) -> _Applier:
    """How a JSON member sets ``field``: by its label, map-ness and type."""
    if is_map(field):
        return _map_applier(field)
    if field.cpp_type == _T.CPPTYPE_MESSAGE:
        if field.is_repeated:
            return _repeated_message_applier(field)
        return _message_applier(field)
    decode = _scalar_decoder(field)
    name = field.name
    if field.is_repeated:

        def apply_list(message: Any, value: Any, depth: int) -> None:
            if type(value) is not list:
                raise Fallback
            items = [decode(v) for v in value]
            container = getattr(message, name)
            if len(container):
                del container[:]
            container.extend(items)

        return apply_list

    def apply_scalar(message: Any, value: Any, depth: int) -> None:
        setattr(message, name, decode(value))

    return apply_scalar


def _parse_well_known(value: Any, message: Any, depth: int) -> None:
    """A well-known type by json_format, as it would parse it at this depth of the input.

    Its parser keeps nothing between sub-messages but the depth, so starting one here with the
    depth limit lowered by the depth already reached gives the same message; on any error the
    whole input goes to json_format, for its error message.
    """
    if value is None or depth > _MAX_DEPTH:
        raise Fallback  # null: json_format has rules of its own (Value: null_value)
    try:
        json_format.ParseDict(
            value,
            message,
            ignore_unknown_fields=True,
            max_recursion_depth=_JSON_FORMAT_MAX_DEPTH + 1 - depth,
        )
    except Exception as e:
        raise Fallback from e


def _reject(value: Any, message: Any, depth: int) -> None:
    raise Fallback


def _message_applier(field: FieldDescriptor) -> _Applier:
    """A singular message field: present even when the JSON object is empty."""
    name = field.name
    parse = _message_parser(message_type_of(field))

    def apply_message(message: Any, value: Any, depth: int) -> None:
        sub = getattr(message, name)
        sub.SetInParent()
        parse(value, sub, depth + 1)

    return apply_message


def _repeated_message_applier(field: FieldDescriptor) -> _Applier:
    """A repeated message field: one new element per JSON object."""
    name = field.name
    parse = _message_parser(message_type_of(field))

    def apply_messages(message: Any, value: Any, depth: int) -> None:
        if type(value) is not list:
            raise Fallback
        container = getattr(message, name)
        if len(container):
            del container[:]
        for item in value:
            parse(item, container.add(), depth + 1)

    return apply_messages


def _map_applier(field: FieldDescriptor) -> _Applier:
    """A map field: a JSON object whose keys are the map keys in string form."""
    entry = message_type_of(field)
    value_field = entry.fields_by_name["value"]
    decode_key = _key_decoder(entry.fields_by_name["key"])
    name = field.name
    if value_field.cpp_type == _T.CPPTYPE_MESSAGE:
        parse = _message_parser(message_type_of(value_field))

        def apply_message_map(message: Any, value: Any, depth: int) -> None:
            if type(value) is not dict:
                raise Fallback
            container = getattr(message, name)
            if len(container):
                container.clear()
            for k, v in value.items():
                parse(v, container[decode_key(k)], depth + 1)

        return apply_message_map

    decode_value = _scalar_decoder(value_field)

    def apply_map(message: Any, value: Any, depth: int) -> None:
        if type(value) is not dict:
            raise Fallback
        container = getattr(message, name)
        if len(container):
            container.clear()
        for k, v in value.items():
            container[decode_key(k)] = decode_value(v)

    return apply_map


def _key_decoder(field: FieldDescriptor) -> _Decoder:
    """Map keys: strings as they are, integers in canonical decimal, ``true``/``false``."""
    kind = field.type
    if kind == _T.TYPE_STRING:
        return _decode_string
    if kind == _T.TYPE_BOOL:
        return _decode_bool_key
    low, high = INT32_RANGES.get(kind) or INT64_RANGES[kind]
    pattern = _INT_KEY if low < 0 else _UINT_KEY

    def decode_int_key(key: Any) -> int:
        if type(key) is str and len(key) <= _MAX_INT_DIGITS and pattern.fullmatch(key):
            number = int(key)
            if low <= number <= high:
                return number
        raise Fallback

    return decode_int_key


def _decode_bool_key(key: Any) -> bool:
    if key == "true":
        return True
    if key == "false":
        return False
    raise Fallback


def _scalar_decoder(field: FieldDescriptor) -> _Decoder:
    """The converter from a JSON value to a value of ``field``'s (non-message) type."""
    kind = field.type
    if kind in INT32_RANGES:
        return _int32_decoder(*INT32_RANGES[kind])
    if kind in INT64_RANGES:
        return _int64_decoder(*INT64_RANGES[kind])
    if kind == _T.TYPE_DOUBLE:
        return _decode_double
    if kind == _T.TYPE_FLOAT:
        return _decode_float
    if kind == _T.TYPE_BOOL:
        return _decode_bool
    if kind == _T.TYPE_STRING:
        return _decode_string
    if kind == _T.TYPE_BYTES:
        return _decode_bytes
    if kind == _T.TYPE_ENUM:
        return _enum_decoder(enum_type_of(field))
    raise TypeError(f"no JSON decoder for field {field.full_name}")  # messages: not here


def _int32_decoder(low: int, high: int) -> _Decoder:
    """32-bit integers: JSON integers only (json_format also takes strings and 1.0)."""

    def decode_int32(value: Any) -> int:
        if type(value) is int and low <= value <= high:
            return value
        raise Fallback

    return decode_int32


def _int64_decoder(low: int, high: int) -> _Decoder:
    """64-bit integers: JSON integers, or plain decimal strings."""
    pattern = _INT_STRING if low < 0 else _UINT_STRING

    def decode_int64(value: Any) -> int:
        if type(value) is str:
            if len(value) > _MAX_INT_DIGITS or not pattern.fullmatch(value):
                raise Fallback
            number = int(value)
        elif type(value) is int:
            number = value
        else:
            raise Fallback
        if low <= number <= high:
            return number
        raise Fallback

    return decode_int64


def _decode_double(value: Any) -> float:
    if type(value) is float:
        if math.isfinite(value):
            return value
    elif type(value) is int:
        return float(value)  # OverflowError for huge values: json_format's error then
    raise Fallback


def _decode_float(value: Any) -> float:
    number = _decode_double(value)
    if -FLOAT32_MAX <= number <= FLOAT32_MAX:
        return number
    raise Fallback


def _decode_bool(value: Any) -> bool:
    if type(value) is bool:
        return value
    raise Fallback


def _decode_string(value: Any) -> str:
    if type(value) is str:
        return value  # the message itself refuses surrogates, with a ValueError
    raise Fallback


def _decode_bytes(value: Any) -> bytes:
    """Standard, padded base64 only; json_format's decoding of anything else is lenient."""
    if type(value) is str:
        try:
            return binascii.a2b_base64(value, strict_mode=True)
        except ValueError:  # binascii.Error, or a non-ASCII character
            pass
    raise Fallback


def _enum_decoder(enum_type: EnumDescriptor) -> _Decoder:
    """Enums: a value's name, or the number of a known value."""
    by_name = {name: value.number for name, value in enum_type.values_by_name.items()}
    numbers = frozenset(enum_type.values_by_number)

    def decode_enum(value: Any) -> int:
        if type(value) is str:
            number = by_name.get(value)
            if number is not None:
                return number
        elif type(value) is int and value in numbers:
            return value
        raise Fallback

    return decode_enum
