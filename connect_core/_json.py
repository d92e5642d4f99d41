"""A fast proto3 JSON mapping that gives exactly what ``google.protobuf.json_format`` gives.

``json_format`` walks descriptors and dispatches on field types in Python for every value of
every message. This module does that work once per message type: it compiles a *plan* per
:class:`~google.protobuf.descriptor.Descriptor` (built lazily on first use and cached; two
threads building the same plan at once is harmless) holding, for each field, its JSON name and
a converter chosen by the field's type, label and map-ness.

Encoding (:func:`message_to_json_value`) reproduces ``json_format.MessageToDict`` with its
default options value for value. What it cannot reproduce cheaply is delegated: well-known
types go to ``json_format.MessageToDict`` one sub-message at a time, and a message with
extensions (or anything that raises) is converted by ``json_format`` as a whole, which also
makes ``json_format`` the one that raises its own errors.

Decoding (:func:`parse_json_value`) is a strict fast path: it accepts only input whose meaning
is unambiguous and simple and raises :class:`_Fallback` on anything else (a field named twice,
two members of a oneof, ``null``, possible extension keys, numbers in strings where
json_format has quirks, lenient base64, unknown enum names, ``google.protobuf.Any``, ...). The
caller then parses the whole input again with ``json_format.ParseDict`` into a fresh message,
so errors and edge cases are exactly ``json_format``'s. Two things it does take that need no
rules of its own: unknown keys, which json_format ignores too (unless they look like
``[extension.names]``), and other well-known types, which it hands to ``json_format.ParseDict``
one sub-message at a time with the depth limit the whole parse would have had there.
"""

from __future__ import annotations

import binascii
import json
import json.encoder
import math
import re
from collections.abc import Callable
from typing import Any

from google.protobuf import descriptor_pool, json_format
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.internal import type_checkers
from google.protobuf.message import Message

__all__ = ["compact_dumps", "is_well_known", "loads", "message_to_json_value", "parse_json_value"]


class _Fallback(Exception):
    """The fast path cannot handle this input; use ``json_format`` for the whole message."""


# Messages that json_format maps specially (its ``_WKTJSONMETHODS``), plus the wrappers, which it
# recognises by file. google.protobuf.Empty is a plain message to json_format and so to us.
_WKT_NAMES = frozenset(
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
_WRAPPERS_FILE = "google/protobuf/wrappers.proto"
_NULL_VALUE = "google.protobuf.NullValue"
_ANY = "google.protobuf.Any"
_ENUM_JSON_OPTION = "pb.enumvalue.json"

_T = FieldDescriptor
_INT32_RANGES = {
    _T.TYPE_INT32: (-(2**31), 2**31 - 1),
    _T.TYPE_SINT32: (-(2**31), 2**31 - 1),
    _T.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    _T.TYPE_UINT32: (0, 2**32 - 1),
    _T.TYPE_FIXED32: (0, 2**32 - 1),
}
_INT64_RANGES = {
    _T.TYPE_INT64: (-(2**63), 2**63 - 1),
    _T.TYPE_SINT64: (-(2**63), 2**63 - 1),
    _T.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    _T.TYPE_UINT64: (0, 2**64 - 1),
    _T.TYPE_FIXED64: (0, 2**64 - 1),
}
_FLOAT32_MAX = float.fromhex("0x1.fffffep+127")

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

# A field's JSON value from its Python value; None where the value is its own JSON value.
_Encoder = Callable[[Any], Any]
_EncodePlan = dict[FieldDescriptor, tuple[str, _Encoder | None]]
# A Python value for a field from a JSON value; raises _Fallback when unsure.
_Decoder = Callable[[Any], Any]
# Applies one JSON member's value to a message: (message, value, depth).
_Applier = Callable[[Any, Any, int], None]
# JSON key -> (token that must not repeat, or None; applier). See _token.
_DecodePlan = dict[str, tuple[object, _Applier]]

# Parses a JSON value into a message: (value, message, depth of that message, the top being 1).
_Parser = Callable[[Any, Any, int], None]

# Converters and parsers of whole messages, by message descriptor.
_ENCODERS: dict[Any, _Encoder] = {}
_PARSERS: dict[Any, _Parser] = {}


def is_well_known(message_type: Any) -> bool:
    """True for the types with a JSON form of their own (not an object of their fields).

    ``message_type`` is a message descriptor (``Message.DESCRIPTOR``).
    """
    return _is_wkt(message_type)


def _is_wkt(message_type: Descriptor) -> bool:
    """Whether json_format gives ``message_type`` a special JSON mapping."""
    return message_type.full_name in _WKT_NAMES or message_type.file.name == _WRAPPERS_FILE


def _is_map(field: FieldDescriptor) -> bool:
    """Whether ``field`` is a map field (a repeated map-entry message)."""
    return field.type == _T.TYPE_MESSAGE and _message_type(field).GetOptions().map_entry


def _message_type(field: FieldDescriptor) -> Descriptor:
    assert field.message_type is not None
    return field.message_type


def _enum_type(field: FieldDescriptor) -> EnumDescriptor:
    assert field.enum_type is not None
    return field.enum_type


# --------------------------------------------------------------------------------- encoding


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
    if _is_wkt(message_type):
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
            raise _Fallback from None
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
    if _is_map(field):
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
    entry = _message_type(field)
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
    if kind in _INT64_RANGES:
        return str
    if kind == _T.TYPE_DOUBLE:
        return _encode_double
    if kind == _T.TYPE_FLOAT:
        return _encode_float
    if kind == _T.TYPE_BYTES:
        return _encode_bytes
    if kind == _T.TYPE_ENUM:
        return _enum_encoder(_enum_type(field))
    if field.cpp_type == _T.CPPTYPE_MESSAGE:
        return _message_encoder(_message_type(field))
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
        option = descriptor_pool.Default().FindExtensionByName(_ENUM_JSON_OPTION)
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
    if enum_type.full_name == _NULL_VALUE:
        return _encode_null
    names = _enum_json_names(enum_type)
    closed = enum_type.is_closed

    def encode_enum(value: int) -> str | int:
        name = names.get(value)
        if name is not None:
            return name
        if closed:
            raise _Fallback  # json_format raises SerializeToJsonError
        return value

    return encode_enum


def _encode_null(value: int) -> None:
    return None


def _encode_well_known(value: Message) -> Any:
    return json_format.MessageToDict(value)


# --------------------------------------------------------------------------------- decoding


def parse_json_value(value: Any, message: Message) -> None:
    """Merge the JSON value ``value`` (as from ``json.loads``) into ``message``.

    Raises :class:`_Fallback` when the input is not simple enough for the fast path; the
    message may then be partly written, so parse again into a fresh message with
    ``json_format.ParseDict(value, fresh, ignore_unknown_fields=True)``.
    """
    message_type: Any = message.DESCRIPTOR
    try:
        parse = _PARSERS.get(message_type) or _message_parser(message_type)
        parse(value, message, 1)
    except _Fallback:
        raise
    except Exception as e:
        # The message refused a value (a string with surrogates, say), or something else went
        # wrong: json_format decides, about the whole input.
        raise _Fallback from e


def _message_parser(message_type: Descriptor) -> _Parser:
    """The (cached) parser for messages of ``message_type``.

    Regular messages go by their plan; Any goes to the fallback (json_format's Any parsing
    rearranges the input dict, which must not happen before json_format reads it again);
    other well-known types go to json_format one by one.
    """
    parser = _PARSERS.get(message_type)
    if parser is not None:
        return parser
    if message_type.full_name == _ANY:
        parser = _reject
    elif _is_wkt(message_type):
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
            raise _Fallback
        seen: set[object] | None = None
        for key, item in value.items():
            entry = plan.get(key)
            if entry is None:
                if key[:1] == "[":
                    raise _Fallback  # maybe an extension: json_format looks it up, or refuses
                continue  # an unknown field, which json_format ignores too
            if item is None:
                raise _Fallback  # json_format clears the field, or sets a null value
            token, apply = entry
            if token is not None:  # two keys could name the field, or its oneof
                if seen is None:
                    seen = {token}
                elif token in seen:
                    raise _Fallback
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
    if _is_map(field):
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
                raise _Fallback
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
        raise _Fallback  # null: json_format has rules of its own (Value: null_value)
    try:
        json_format.ParseDict(
            value,
            message,
            ignore_unknown_fields=True,
            max_recursion_depth=_JSON_FORMAT_MAX_DEPTH + 1 - depth,
        )
    except Exception as e:
        raise _Fallback from e


def _reject(value: Any, message: Any, depth: int) -> None:
    raise _Fallback


def _message_applier(field: FieldDescriptor) -> _Applier:
    """A singular message field: present even when the JSON object is empty."""
    name = field.name
    parse = _message_parser(_message_type(field))

    def apply_message(message: Any, value: Any, depth: int) -> None:
        sub = getattr(message, name)
        sub.SetInParent()
        parse(value, sub, depth + 1)

    return apply_message


def _repeated_message_applier(field: FieldDescriptor) -> _Applier:
    """A repeated message field: one new element per JSON object."""
    name = field.name
    parse = _message_parser(_message_type(field))

    def apply_messages(message: Any, value: Any, depth: int) -> None:
        if type(value) is not list:
            raise _Fallback
        container = getattr(message, name)
        if len(container):
            del container[:]
        for item in value:
            parse(item, container.add(), depth + 1)

    return apply_messages


def _map_applier(field: FieldDescriptor) -> _Applier:
    """A map field: a JSON object whose keys are the map keys in string form."""
    entry = _message_type(field)
    value_field = entry.fields_by_name["value"]
    decode_key = _key_decoder(entry.fields_by_name["key"])
    name = field.name
    if value_field.cpp_type == _T.CPPTYPE_MESSAGE:
        parse = _message_parser(_message_type(value_field))

        def apply_message_map(message: Any, value: Any, depth: int) -> None:
            if type(value) is not dict:
                raise _Fallback
            container = getattr(message, name)
            if len(container):
                container.clear()
            for k, v in value.items():
                parse(v, container[decode_key(k)], depth + 1)

        return apply_message_map

    decode_value = _scalar_decoder(value_field)

    def apply_map(message: Any, value: Any, depth: int) -> None:
        if type(value) is not dict:
            raise _Fallback
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
    low, high = _INT32_RANGES.get(kind) or _INT64_RANGES[kind]
    pattern = _INT_KEY if low < 0 else _UINT_KEY

    def decode_int_key(key: Any) -> int:
        if type(key) is str and len(key) <= _MAX_INT_DIGITS and pattern.fullmatch(key):
            number = int(key)
            if low <= number <= high:
                return number
        raise _Fallback

    return decode_int_key


def _decode_bool_key(key: Any) -> bool:
    if key == "true":
        return True
    if key == "false":
        return False
    raise _Fallback


def _scalar_decoder(field: FieldDescriptor) -> _Decoder:
    """The converter from a JSON value to a value of ``field``'s (non-message) type."""
    kind = field.type
    if kind in _INT32_RANGES:
        return _int32_decoder(*_INT32_RANGES[kind])
    if kind in _INT64_RANGES:
        return _int64_decoder(*_INT64_RANGES[kind])
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
        return _enum_decoder(_enum_type(field))
    raise TypeError(f"no JSON decoder for field {field.full_name}")  # messages: not here


def _int32_decoder(low: int, high: int) -> _Decoder:
    """32-bit integers: JSON integers only (json_format also takes strings and 1.0)."""

    def decode_int32(value: Any) -> int:
        if type(value) is int and low <= value <= high:
            return value
        raise _Fallback

    return decode_int32


def _int64_decoder(low: int, high: int) -> _Decoder:
    """64-bit integers: JSON integers, or plain decimal strings."""
    pattern = _INT_STRING if low < 0 else _UINT_STRING

    def decode_int64(value: Any) -> int:
        if type(value) is str:
            if len(value) > _MAX_INT_DIGITS or not pattern.fullmatch(value):
                raise _Fallback
            number = int(value)
        elif type(value) is int:
            number = value
        else:
            raise _Fallback
        if low <= number <= high:
            return number
        raise _Fallback

    return decode_int64


def _decode_double(value: Any) -> float:
    if type(value) is float:
        if math.isfinite(value):
            return value
    elif type(value) is int:
        return float(value)  # OverflowError for huge values: json_format's error then
    raise _Fallback


def _decode_float(value: Any) -> float:
    number = _decode_double(value)
    if -_FLOAT32_MAX <= number <= _FLOAT32_MAX:
        return number
    raise _Fallback


def _decode_bool(value: Any) -> bool:
    if type(value) is bool:
        return value
    raise _Fallback


def _decode_string(value: Any) -> str:
    if type(value) is str:
        return value  # the message itself refuses surrogates, with a ValueError
    raise _Fallback


def _decode_bytes(value: Any) -> bytes:
    """Standard, padded base64 only; json_format's decoding of anything else is lenient."""
    if type(value) is str:
        try:
            return binascii.a2b_base64(value, strict_mode=True)
        except ValueError:  # binascii.Error, or a non-ASCII character
            pass
    raise _Fallback


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
        raise _Fallback

    return decode_enum
