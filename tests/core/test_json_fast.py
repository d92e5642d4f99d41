"""The fast proto3 JSON layer (``connect_core._protocol.protojson*``) against
``google.protobuf.json_format``.

Every test here is differential: ``JSON.encode`` must give the very bytes that
``json.dumps(json_format.MessageToDict(m), separators=(",", ":"), ensure_ascii=False)`` gives,
and ``JSON.decode`` must give the message (or the error) that ``json_format.ParseDict(...,
ignore_unknown_fields=True)`` gives, as the codec did before it had a fast path.
"""

from __future__ import annotations

import json
import math
import random
import struct
import threading
from collections.abc import Callable
from typing import Any

import pytest
from google.protobuf import (
    any_pb2,
    descriptor_pb2,
    descriptor_pool,
    duration_pb2,
    empty_pb2,
    field_mask_pb2,
    json_format,
    message_factory,
    struct_pb2,
    timestamp_pb2,
    wrappers_pb2,
)
from google.protobuf import json_enumvalue_options_pb2 as json_enumvalue_options
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from jsontest.v1 import types_pb2 as t

from connect_core import JSON, Code, ConnectError
from connect_core._protocol import protojson as _json
from connect_core._protocol import protojson_decode as _json_decode
from connect_core._protocol import protojson_encode as _json_encode

F = FieldDescriptor
FLOAT32_MAX = float.fromhex("0x1.fffffep+127")
NAN, INF = float("nan"), float("inf")


def f32(value: float) -> float:
    """``value`` rounded to float32, as a float field stores it."""
    return struct.unpack("<f", struct.pack("<f", value))[0]


# ------------------------------------------------------------------------------ references


def reference_encode(message: Message) -> bytes:
    """What JSONCodec.encode returned before the fast path."""
    return json.dumps(
        json_format.MessageToDict(message, preserving_proto_field_name=False),
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def reference_decode(data: bytes, message_type: type[Message]) -> Message:
    """json_format's decoding, as JSONCodec.decode wraps it.

    Beyond json_format: a JSON value that is not an object is refused for a message that is
    not a well-known type (json_format would raise TypeError, or take a string as an empty
    message), and the TypeError / OverflowError json_format lets escape on values of the wrong
    kind are ``invalid_argument`` too.
    """
    message = message_type()
    if not data:
        return message
    try:
        value = json.loads(data)
        if not isinstance(value, dict) and not _json.is_well_known(message_type.DESCRIPTOR):
            raise ValueError("a message is a JSON object")
        json_format.ParseDict(value, message, ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError, RecursionError, TypeError, OverflowError) as e:
        raise ConnectError(
            Code.INVALID_ARGUMENT,
            f"could not decode {message_type.DESCRIPTOR.full_name} as JSON: {e}",
        ) from e
    return message


def encode_outcome(encode: Callable[[Message], bytes], message: Message) -> tuple[Any, ...]:
    try:
        return ("ok", encode(message))
    except Exception as e:
        return ("error", type(e), str(e))


def decode_outcome(
    decode: Callable[[bytes, type[Message]], Message], data: bytes, message_type: type[Message]
) -> tuple[Any, ...]:
    try:
        message = decode(data, message_type)
    except ConnectError as e:
        return ("connect-error", e.code, e.message)
    except Exception as e:
        return ("error", type(e), str(e))
    assert type(message) is message_type
    return ("ok", message.SerializeToString(deterministic=True))


def assert_encodes_like_json_format(message: Message) -> None:
    ours = encode_outcome(JSON.encode, message)
    assert ours == encode_outcome(reference_encode, message)
    if ours[0] == "ok":  # and the value, not just its text
        assert _json_encode.message_to_json_value(message) == json_format.MessageToDict(message)


def assert_decodes_like_json_format(data: bytes, message_type: type[Message]) -> tuple[Any, ...]:
    ours = decode_outcome(JSON.decode, data, message_type)
    reference = decode_outcome(reference_decode, data, message_type)
    assert ours == reference
    if ours[0] == "connect-error":
        assert ours[1] is Code.INVALID_ARGUMENT
    return ours


def takes_fast_path(data: bytes, message_type: type[Message]) -> bool:
    try:
        _json_decode.parse_json_value(json.loads(data), message_type())
    except _json.Fallback:
        return False
    return True


def as_json(value: Any) -> bytes:
    return json.dumps(value).encode()  # ASCII, with \u escapes even for lone surrogates


# ------------------------------------------------------------- a dynamic proto2 test file
# Extensions and custom enum JSON names (the pb.enumvalue.json option) cannot be declared in a
# proto3 file, so these types are built from a FileDescriptorProto into the default pool.


def _dynamic_file() -> descriptor_pb2.FileDescriptorProto:
    fp = descriptor_pb2.FileDescriptorProto(
        name="jsontest/v1/dynamic_proto2_test.proto",
        package="jsontest.dyn",
        syntax="proto2",
        dependency=["google/protobuf/json_enumvalue_options.proto"],
    )
    enum = fp.enum_type.add(name="Custom")
    enum.value.add(name="CUSTOM_ZERO", number=0)
    one = enum.value.add(name="CUSTOM_ONE", number=1)
    one.options.Extensions[json_enumvalue_options.json].string = "one!"
    enum.value.add(name="CUSTOM_TWO", number=2)
    aliased = fp.enum_type.add(name="Aliased")
    aliased.options.allow_alias = True
    aliased.value.add(name="ALIASED_ZERO", number=0)
    aliased.value.add(name="ALIASED_ONE", number=1)
    aliased.value.add(name="ALIASED_UNO", number=1)
    message = fp.message_type.add(name="Extendable")
    group = message.nested_type.add(name="MyGroup")
    group.field.add(name="inner", number=11, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    optional, repeated = F.LABEL_OPTIONAL, F.LABEL_REPEATED
    message.field.add(name="plain", number=1, type=F.TYPE_INT32, label=optional)
    custom = ".jsontest.dyn.Custom"
    message.field.add(name="custom", number=2, type=F.TYPE_ENUM, type_name=custom, label=optional)
    message.field.add(name="customs", number=3, type=F.TYPE_ENUM, type_name=custom, label=repeated)
    message.field.add(
        name="child",
        number=4,
        type=F.TYPE_MESSAGE,
        type_name=".jsontest.dyn.Extendable",
        label=optional,
    )
    message.field.add(
        name="aliased",
        number=5,
        type=F.TYPE_ENUM,
        type_name=".jsontest.dyn.Aliased",
        label=optional,
    )
    message.field.add(
        name="mygroup",
        number=10,
        type=F.TYPE_GROUP,
        type_name=".jsontest.dyn.Extendable.MyGroup",
        label=optional,
    )
    message.extension_range.add(start=100, end=200)
    fp.extension.add(
        name="ext_value",
        number=100,
        type=F.TYPE_INT32,
        label=optional,
        extendee=".jsontest.dyn.Extendable",
    )
    return fp


def _dynamic_types() -> tuple[type[Message], FieldDescriptor]:
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName("jsontest/v1/dynamic_proto2_test.proto")
    except KeyError:
        pool.Add(_dynamic_file())
    extendable = message_factory.GetMessageClass(
        pool.FindMessageTypeByName("jsontest.dyn.Extendable")
    )
    return extendable, pool.FindExtensionByName("jsontest.dyn.ext_value")


Extendable, EXT_VALUE = _dynamic_types()


def with_extension(value: int, **fields: Any) -> Message:
    message = Extendable(**fields)
    message.Extensions[EXT_VALUE] = value
    return message


# ----------------------------------------------------------------------- encoding, by hand


def _any(message: Message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(value)
    return s


def _list_value(values: list[Any]) -> struct_pb2.ListValue:
    lv = struct_pb2.ListValue()
    lv.extend(values)
    return lv


def _maps(**kwargs: Any) -> t.Maps:
    return t.Maps(**kwargs)


S = t.Scalars
ENCODE_CASES: list[tuple[str, Message]] = [
    ("empty-scalars", S()),
    ("defaults-are-omitted", S(f_int32=0, f_string="", f_bytes=b"", f_bool=False, f_enum=0)),
    (
        "every-scalar",
        S(
            f_double=1.5,
            f_float=0.1,
            f_int32=-7,
            f_int64=-(2**63),
            f_uint32=2**32 - 1,
            f_uint64=2**64 - 1,
            f_sint32=-(2**31),
            f_sint64=2**63 - 1,
            f_fixed32=2**32 - 1,
            f_fixed64=2**64 - 1,
            f_sfixed32=-(2**31),
            f_sfixed64=-1,
            f_bool=True,
            f_string="héllo ✓ 😀",
            f_bytes=bytes(range(256)),
            f_enum=t.COLOR_BLUE,
        ),
    ),
    ("int64-small", S(f_int64=1, f_uint64=1, f_sint64=-1, f_fixed64=3, f_sfixed64=2**53 + 1)),
    ("double-nan", S(f_double=NAN)),
    ("double-inf", S(f_double=INF, o_double=-INF)),
    ("double-neg-zero", S(f_double=-0.0)),
    ("double-extremes", S(f_double=1.7976931348623157e308, o_double=5e-324)),
    ("double-ints", S(f_double=123456789.0, o_double=1e22)),
    ("double-exp", S(f_double=1e-7, o_double=1e16)),
    ("float-0.1", S(f_float=0.1)),
    ("float-3.4e38", S(f_float=3.4e38)),
    ("float-max", S(f_float=FLOAT32_MAX, o_float=-FLOAT32_MAX)),
    ("float-denormal", S(f_float=1e-45, o_float=f32(1.17549435e-38))),
    ("float-specials", S(f_float=NAN, o_float=INF, r_float=[-INF, NAN, INF, -0.0, 0.0])),
    ("float-neg-zero", S(f_float=-0.0)),
    ("float-thirds", S(f_float=1 / 3, o_float=2 / 3, r_float=[0.3, 16777217.0, 1e10, 1e-10])),
    ("float-ints", S(f_float=16777216.0, o_float=100.0)),
    (
        "optional-zeros",
        S(
            o_double=0.0,
            o_float=0.0,
            o_int32=0,
            o_int64=0,
            o_uint32=0,
            o_uint64=0,
            o_sint32=0,
            o_sint64=0,
            o_fixed32=0,
            o_fixed64=0,
            o_sfixed32=0,
            o_sfixed64=0,
            o_bool=False,
            o_string="",
            o_bytes=b"",
            o_enum=t.COLOR_UNSPECIFIED,
        ),
    ),
    ("optional-neg-zero", S(o_double=-0.0, o_float=-0.0)),
    ("strings", S(f_string='"\\/\b\f\n\r\t\x00\x1f\x7f', o_string="\u2028\u2029\ufeff")),
    ("non-bmp", S(f_string="𝄞😀𠜎", r_string=["", "😀", "a😀b"])),
    ("bytes-empty-and-binary", S(o_bytes=b"", r_bytes=[b"", b"\x00", b"\xff\xfe\xfd", b"ab"])),
    ("bytes-padding", S(f_bytes=b"a", o_bytes=b"ab", r_bytes=[b"abc", b"abcd", b"\xfb\xff"])),
    ("enum-unknown", S(f_enum=42, o_enum=-100, r_enum=[0, 1, 99, -3, 2**31 - 1])),
    (
        "repeated-every-type",
        S(
            r_double=[0.0, -1.5, NAN, INF, -INF, 1e300],
            r_int32=[0, -1, 2**31 - 1, -(2**31)],
            r_int64=[0, -(2**63), 2**63 - 1],
            r_uint32=[0, 2**32 - 1],
            r_uint64=[0, 2**64 - 1],
            r_sint32=[-5, 5],
            r_sint64=[-(2**63)],
            r_fixed32=[7],
            r_fixed64=[2**64 - 1],
            r_sfixed32=[-(2**31)],
            r_sfixed64=[-(2**63), 2**63 - 1],
            r_bool=[True, False, True],
            r_string=["a", "", "ü"],
            r_enum=[1, 2, -3],
        ),
    ),
    ("maps-empty", t.Maps()),
    (
        "maps-every-key",
        _maps(
            string_string={"": "", "a": "b", "ü😀": "x"},
            int32_int32={0: 0, -1: 1, 2**31 - 1: -(2**31), -(2**31): 2**31 - 1},
            int64_int64={0: 0, -(2**63): 2**63 - 1, 2**63 - 1: -(2**63)},
            uint32_uint32={0: 1, 2**32 - 1: 2**32 - 1},
            uint64_uint64={0: 1, 2**64 - 1: 2**64 - 1},
            sint32_sint32={-(2**31): -1, 5: 6},
            sint64_sint64={-(2**63): -1},
            fixed32_fixed32={2**32 - 1: 0},
            fixed64_fixed64={2**64 - 1: 0},
            sfixed32_sfixed32={-(2**31): 0},
            sfixed64_sfixed64={-(2**63): 2**63 - 1},
            bool_bool={True: False, False: True},
        ),
    ),
    ("map-bool-key-true", _maps(bool_bool={True: True})),
    ("map-bool-key-false", _maps(bool_bool={False: False})),
    (
        "map-values",
        _maps(
            string_leaf={"a": t.Leaf(), "b": t.Leaf(name="n", number=-1, color=t.COLOR_RED)},
            int32_enum={1: t.COLOR_GREEN, 2: 77, -3: t.COLOR_BLUE, 0: 0},
            string_bytes={"e": b"", "b": b"\x00\xff"},
            string_double={"n": NAN, "i": INF, "m": -INF, "z": -0.0, "x": 0.1},
            string_float={"f": 0.1, "n": NAN, "max": FLOAT32_MAX, "z": -0.0},
            uint64_leaf={2**64 - 1: t.Leaf(name="max"), 0: t.Leaf()},
            string_timestamp={"t": timestamp_pb2.Timestamp(seconds=1, nanos=500)},
            string_value={
                "n": struct_pb2.Value(null_value=0),
                "s": struct_pb2.Value(number_value=1),
            },
        ),
    ),
    ("map-many-int-keys", _maps(int64_int64={k * 7919 - 5000: k for k in range(100)})),
    ("tree-empty", t.Tree()),
    ("tree-empty-children", t.Tree(left=t.Tree(), right=t.Tree(node=t.Tree.Node()))),
    (
        "tree-recursive",
        t.Tree(
            name="root",
            left=t.Tree(name="l", left=t.Tree(name="ll", left=t.Tree(choice_text="deep"))),
            children=[t.Tree(), t.Tree(name="c1", renamed=1), t.Tree(children=[t.Tree()])],
            by_name={"x": t.Tree(name="x"), "": t.Tree()},
        ),
    ),
    ("renamed-fields", t.Tree(snake_case_field="s", renamed=-9, field_with_2_numbers3x=["a"])),
    ("oneof-text", t.Tree(choice_text="")),
    ("oneof-number", t.Tree(choice_number=0)),
    ("oneof-number-big", t.Tree(choice_number=-(2**63))),
    ("oneof-leaf-empty", t.Tree(choice_leaf=t.Leaf())),
    ("oneof-color", t.Tree(choice_color=t.COLOR_UNSPECIFIED)),
    ("oneof-color-unknown", t.Tree(choice_color=12345)),
    ("oneof-bytes", t.Tree(choice_bytes=b"\x01")),
    ("oneof-time", t.Tree(choice_time=timestamp_pb2.Timestamp())),
    ("wkt-empty-values", t.WellKnown(timestamp=timestamp_pb2.Timestamp())),
    (
        "wkt-all",
        t.WellKnown(
            timestamp=timestamp_pb2.Timestamp(seconds=1_700_000_000, nanos=123_000_000),
            duration=duration_pb2.Duration(seconds=-3, nanos=-500),
            struct=_struct({"a": 1, "b": [True, None, "x", {"c": 2.5}], "d": {}}),
            value=struct_pb2.Value(string_value="v"),
            list_value=_list_value([1, "two", None, [3]]),
            any=_any(t.Leaf(name="packed", number=3)),
            field_mask=field_mask_pb2.FieldMask(paths=["foo_bar", "a.b_c"]),
            empty=empty_pb2.Empty(),
            double_value=wrappers_pb2.DoubleValue(value=NAN),
            float_value=wrappers_pb2.FloatValue(value=0.1),
            int64_value=wrappers_pb2.Int64Value(value=-(2**63)),
            uint64_value=wrappers_pb2.UInt64Value(value=2**64 - 1),
            int32_value=wrappers_pb2.Int32Value(value=-1),
            uint32_value=wrappers_pb2.UInt32Value(value=7),
            bool_value=wrappers_pb2.BoolValue(value=True),
            string_value=wrappers_pb2.StringValue(value="s"),
            bytes_value=wrappers_pb2.BytesValue(value=b"\xff"),
            timestamps=[timestamp_pb2.Timestamp(), timestamp_pb2.Timestamp(seconds=-1)],
            values=[struct_pb2.Value(bool_value=False), struct_pb2.Value()],
            int32_values=[wrappers_pb2.Int32Value(), wrappers_pb2.Int32Value(value=3)],
            leaf=t.Leaf(),
        ),
    ),
    (
        "wkt-default-wrappers",
        t.WellKnown(
            double_value=wrappers_pb2.DoubleValue(),
            bool_value=wrappers_pb2.BoolValue(),
            string_value=wrappers_pb2.StringValue(),
            bytes_value=wrappers_pb2.BytesValue(),
            any=any_pb2.Any(),
            struct=struct_pb2.Struct(),
            list_value=struct_pb2.ListValue(),
            field_mask=field_mask_pb2.FieldMask(),
            value=struct_pb2.Value(),
        ),
    ),
    ("null-value-implicit-zero", t.WellKnown(null_value=0)),
    ("null-value-optional", t.WellKnown(optional_null=0)),
    ("any-packing-wkt", t.WellKnown(any=_any(timestamp_pb2.Timestamp(seconds=5)))),
    ("any-packing-wrapper", t.WellKnown(any=_any(wrappers_pb2.Int64Value(value=5)))),
    ("any-packing-any", t.WellKnown(any=_any(_any(t.Leaf(name="inner"))))),
    ("any-packing-tree", t.WellKnown(any=_any(t.Tree(by_name={"a": t.Tree(renamed=1)})))),
    (
        "everything",
        t.Everything(
            scalars=S(f_int64=5, r_bytes=[b"x"]),
            maps=_maps(bool_bool={True: True}),
            tree=t.Tree(choice_leaf=t.Leaf(name="n")),
            well_known=t.WellKnown(empty=empty_pb2.Empty()),
            leaves=[t.Leaf(), t.Leaf(color=t.COLOR_RED), t.Leaf(color=9)],
            leaf=t.Leaf(number=2**31 - 1),
        ),
    ),
    # Top-level well-known types go to json_format as a whole.
    ("top-timestamp", timestamp_pb2.Timestamp(seconds=86400, nanos=1)),
    ("top-duration", duration_pb2.Duration(seconds=1)),
    ("top-struct", _struct({"k": [1, {"z": None}]})),
    ("top-value-empty", struct_pb2.Value()),
    ("top-value-number", struct_pb2.Value(number_value=2.5)),
    ("top-list-value", _list_value(["a"])),
    ("top-any", _any(t.Leaf(name="x"))),
    ("top-field-mask", field_mask_pb2.FieldMask(paths=["a_b", "c"])),
    ("top-int64-wrapper", wrappers_pb2.Int64Value(value=1)),
    ("top-empty", empty_pb2.Empty()),
    # json_format's own territory: extensions (the whole message falls back) and custom enum
    # JSON names (which the plan reproduces).
    ("extension", with_extension(5, plain=3)),
    ("extension-zero", with_extension(0)),
    ("extension-in-child", Extendable(child=with_extension(7, custom=1))),
    ("custom-enum-names", Extendable(custom=1, customs=[0, 1, 2])),
    ("proto2-defaults-present", Extendable(plain=0, custom=0)),
    ("enum-alias", Extendable(aliased=1)),
    ("group", Extendable(mygroup=Extendable.MyGroup(inner="g"))),
    ("group-empty", Extendable(mygroup=Extendable.MyGroup())),
    # Errors: json_format's, raised from within a regular message.
    ("error-value-nan", t.WellKnown(value=struct_pb2.Value(number_value=NAN))),
    ("error-nested-value-inf", t.Everything(well_known=t.WellKnown(struct=_struct({"x": INF})))),
    ("error-any-unknown-type", t.WellKnown(any=any_pb2.Any(type_url="x/nope.Nope"))),
    ("error-timestamp-range", t.WellKnown(timestamp=timestamp_pb2.Timestamp(seconds=2**62))),
    ("error-duration-range", t.WellKnown(duration=duration_pb2.Duration(seconds=2**62))),
    ("error-top-value-nan", struct_pb2.Value(number_value=NAN)),
]


@pytest.mark.parametrize("message", [m for _, m in ENCODE_CASES], ids=[i for i, _ in ENCODE_CASES])
def test_encode_matches_json_format(message: Message) -> None:
    assert_encodes_like_json_format(message)


def test_encode_errors_are_json_formats() -> None:
    # The cases above compare outcomes; make sure the error ones really are errors.
    for name, message in ENCODE_CASES:
        if name.startswith("error-"):
            assert encode_outcome(JSON.encode, message)[0] == "error", name


def test_encode_takes_the_fast_path_for_regular_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = json_format.MessageToDict

    def spy(message: Message, *args: Any, **kwargs: Any) -> Any:
        calls.append(message.DESCRIPTOR.full_name)
        return real(message, *args, **kwargs)

    monkeypatch.setattr(json_format, "MessageToDict", spy)
    for name in ("every-scalar", "maps-every-key", "tree-recursive", "custom-enum-names"):
        JSON.encode(dict(ENCODE_CASES)[name])
    assert calls == []
    JSON.encode(dict(ENCODE_CASES)["wkt-all"])  # well-known sub-messages only
    assert "jsontest.v1.WellKnown" not in calls
    assert "google.protobuf.Timestamp" in calls
    calls.clear()
    JSON.encode(with_extension(1))  # the whole message
    assert calls == ["jsontest.dyn.Extendable"]


def test_float32_encoding_matches_over_many_values() -> None:
    rng = random.Random(32)
    values = [f32(struct.unpack("<f", rng.randbytes(4))[0]) for _ in range(3000)]
    values += [f32(rng.uniform(-10, 10)) for _ in range(1000)]
    values += [f32(x / 10) for x in range(-100, 100)]
    values = [v for v in values if not math.isnan(v)]
    for start in range(0, len(values), 500):
        message = S(r_float=values[start : start + 500])
        assert JSON.encode(message) == reference_encode(message)
    for v in values[:500]:  # singular, and the cache's second answer
        assert JSON.encode(S(f_float=v)) == reference_encode(S(f_float=v))
        assert JSON.encode(S(f_float=v)) == reference_encode(S(f_float=v))


def test_float32_max_does_not_round_trip_in_json_format_either() -> None:
    # json_format prints FLT_MAX as the shortest decimal that rounds to it, 3.4028235e+38,
    # which is above FLT_MAX as a double, and then refuses that as "Float value too large".
    data = JSON.encode(S(f_float=FLOAT32_MAX))
    assert data == reference_encode(S(f_float=FLOAT32_MAX)) == b'{"fFloat":3.4028235e+38}'
    outcome = assert_decodes_like_json_format(data, S)
    assert outcome[0] == "connect-error"
    assert "Float value too large" in outcome[2]


def test_wkt_names_match_json_format() -> None:
    assert set(json_format._WKTJSONMETHODS) == _json.WKT_NAMES


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"a": 1, "b": [1.5, -0.0, NAN, INF, -INF, None, True, False], "c": {"d": "é😀\u2028"}},
        [],
        "plain",
        "\ud800",
        None,
        1.0,
        10**30,
        {"": ""},
    ],
)
def test_compact_dumps_is_json_dumps(value: Any) -> None:
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert _json.compact_dumps(value) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"{}",
        b'{"a": [1, 2.5, "x", null, true], "b": {"c": {}}}',
        b"{",
        b"{\x00}",
        b"{ \x00",
        b"{\xff}",
        b'{"a": "\xed\xa0\x80"}',
        b'{"a": "\xe2\x9c\x93"}',
        b"{}garbage",
        b"{} \n",
        b' {"a": 1}',
        b"\xef\xbb\xbf{}",
        '{"a": "✓"}'.encode("utf-16"),
        '{"a": "✓"}'.encode("utf-16-le"),
        '{"a": "✓"}'.encode("utf-32-be"),
        b"[1]",
        b"",
        b"{" * 100_000,
        bytearray(b"{}"),
        memoryview(b"{}"),
        "{}",
        "\ufeff{}",
    ],
)
def test_loads_is_json_loads(data: Any) -> None:
    def outcome(load: Callable[[Any], Any]) -> tuple[Any, ...]:
        try:
            return ("ok", load(data))
        except Exception as e:
            return ("error", type(e), str(e))

    assert outcome(_json.loads) == outcome(json.loads)


# ---------------------------------------------------------------------- decoding, by hand

FAST_INPUTS: list[tuple[type[Message], Any]] = [
    (S, {}),
    (t.Maps, {}),
    (t.Tree, {}),
    (t.WellKnown, {}),
    (t.Everything, {}),
    (
        S,
        {
            "fDouble": 1.5,
            "fFloat": 0.1,
            "fInt32": -7,
            "fInt64": "-9223372036854775808",
            "fUint32": 4294967295,
            "fUint64": "18446744073709551615",
            "fSint32": -2147483648,
            "fSint64": 9223372036854775807,
            "fFixed32": 4294967295,
            "fFixed64": 18446744073709551615,
            "fSfixed32": -2147483648,
            "fSfixed64": "-1",
            "fBool": True,
            "fString": "héllo ✓ 😀",
            "fBytes": "AAECAwQFBgcICQ==",
            "fEnum": "COLOR_BLUE",
        },
    ),
    (
        S,
        {
            "f_double": -1,
            "f_float": -3,
            "f_int32": 0,
            "f_int64": 0,
            "f_uint64": "0",
            "f_bool": False,
            "f_string": "",
            "f_bytes": "",
            "f_enum": 0,
        },
    ),
    (
        S,
        {
            "oDouble": 0,
            "oFloat": 0.0,
            "oInt32": 0,
            "oInt64": "0",
            "oUint32": 0,
            "oUint64": 0,
            "oSint32": 0,
            "oSint64": "-0",
            "oFixed32": 0,
            "oFixed64": "0",
            "oSfixed32": 0,
            "oSfixed64": 0,
            "oBool": False,
            "oString": "",
            "oBytes": "",
            "oEnum": "COLOR_UNSPECIFIED",
        },
    ),
    (S, {"fInt64": "007", "fUint64": "00", "fSint64": "-0012"}),
    (S, {"fInt64": 9007199254740993, "fUint64": "9007199254740993"}),
    (S, {"fFloat": FLOAT32_MAX, "oFloat": -FLOAT32_MAX, "rFloat": [1e-45, 1e-46, 16777217]}),
    (S, {"fDouble": 1.7976931348623157e308, "oDouble": 5e-324, "rDouble": [-0.0, 10**300]}),
    (S, {"fFloat": 0.30000001192092896, "oFloat": 1e-50}),
    (S, {"fBytes": "+/+/", "oBytes": "AB==", "rBytes": ["", "AQ==", "AQI=", "AQID"]}),
    (S, {"fEnum": 1, "oEnum": -3, "rEnum": ["COLOR_RED", 2, "COLOR_BLUE", 0]}),
    (
        S,
        {
            "rDouble": [],
            "rFloat": [],
            "rInt32": [1, -1, 2147483647],
            "rInt64": ["1", 2, "-3"],
            "rUint32": [0],
            "rUint64": ["18446744073709551615"],
            "rSint32": [-2147483648],
            "rSint64": [-9223372036854775808],
            "rFixed32": [4294967295],
            "rFixed64": ["1"],
            "rSfixed32": [-1],
            "rSfixed64": ["-9223372036854775808"],
            "rBool": [True, False],
            "rString": ["a", "", "😀"],
            "rBytes": ["AA=="],
            "rEnum": [],
        },
    ),
    (S, {"fString": "\ud83d\ude00", "rString": ["\u0000\u001f\u2028"]}),  # a pair: one char
    (
        t.Maps,
        {
            "stringString": {"": "", "a": "b", "😀": "é"},
            "int32Int32": {"0": 0, "-1": 1, "2147483647": -2147483648, "-2147483648": 1},
            "int64Int64": {"-9223372036854775808": "9223372036854775807", "5": 5},
            "uint32Uint32": {"4294967295": 4294967295},
            "uint64Uint64": {"18446744073709551615": "18446744073709551615", "0": 0},
            "sint32Sint32": {"-5": -5},
            "sint64Sint64": {"-9223372036854775808": "-1"},
            "fixed32Fixed32": {"1": 1},
            "fixed64Fixed64": {"18446744073709551615": 0},
            "sfixed32Sfixed32": {"-2147483648": 0},
            "sfixed64Sfixed64": {"9223372036854775807": "9223372036854775807"},
            "boolBool": {"true": False, "false": True},
            "stringLeaf": {"a": {}, "b": {"name": "n", "number": -1, "color": "COLOR_RED"}},
            "int32Enum": {"1": "COLOR_GREEN", "2": 1, "-3": "COLOR_BLUE"},
            "stringBytes": {"e": "", "b": "AP8="},
            "stringDouble": {"x": 0.1, "y": -2},
            "stringFloat": {"f": 0.1},
            "uint64Leaf": {"18446744073709551615": {"name": "max"}, "0": {}},
        },
    ),
    (t.Maps, {"string_string": {}, "int32_int32": {}, "bool_bool": {"true": True}}),
    (t.Tree, {"left": {}, "right": {"node": {}}, "children": [{}, {"name": "c"}, {}]}),
    (
        t.Tree,
        {
            "name": "root",
            "left": {"name": "l", "left": {"left": {"choiceText": "deep"}}},
            "children": [{"children": [{"children": []}]}],
            "byName": {"x": {"name": "x"}, "": {}},
        },
    ),
    (t.Tree, {"snakeCaseField": "s", "customName": 3, "fieldWith2Numbers3x": ["a"]}),
    (t.Tree, {"snake_case_field": "s", "renamed": 3, "field_with_2_numbers3x": []}),
    (t.Tree, {"choiceText": ""}),
    (t.Tree, {"choice_number": "-9223372036854775808"}),
    (t.Tree, {"choiceLeaf": {}}),
    (t.Tree, {"choiceColor": 0}),
    (t.Tree, {"choiceBytes": "AQ=="}),
    (t.Tree, {"name": "a", "choiceNumber": 0, "snakeCaseField": ""}),
    (t.WellKnown, {"empty": {}, "leaf": {}}),  # Empty is a plain message to json_format
    # Unknown keys: json_format ignores them too.
    (S, {"bogus": 1}),
    (S, {"fInt32": 1, "unknown": {"a": [1, None]}}),
    (S, {"FInt32": 1}),
    (S, {"bogus": None, "fInt32": 2}),
    (S, {"x[y]": 1, "": 2, "@type": 3}),
    (t.Tree, {"left": {"left": {"unknown": [None]}, "right": {}}}),
    # Well-known types other than Any: json_format.ParseDict, one sub-message at a time.
    (t.WellKnown, {"timestamp": "1970-01-01T00:00:01Z"}),
    (t.WellKnown, {"timestamp": "2024-02-29T12:34:56.789+01:00"}),
    (t.WellKnown, {"duration": "1.5s"}),
    (t.WellKnown, {"struct": {"a": [1, {"b": None}], "c": "d"}}),
    (t.WellKnown, {"value": {"a": 1}}),
    (t.WellKnown, {"value": [1, "a", None, True]}),
    (t.WellKnown, {"listValue": [1, [2, [3]]]}),
    (t.WellKnown, {"fieldMask": "fooBar,a.bC"}),
    (t.WellKnown, {"fieldMask": ""}),
    (t.WellKnown, {"empty": {"x": 1}}),
    (t.WellKnown, {"doubleValue": "NaN", "floatValue": 0.1, "int64Value": "5"}),
    (t.WellKnown, {"bytesValue": "AQ"}),
    (t.WellKnown, {"timestamps": ["1970-01-01T00:00:00Z"], "int32Values": [1, 2]}),
    (t.WellKnown, {"nullValue": 0, "optionalNull": "NULL_VALUE", "leaf": {}, "value": 1}),
    (t.Maps, {"stringTimestamp": {"t": "1970-01-01T00:00:01Z"}}),
    (t.Tree, {"choiceTime": "1970-01-01T00:00:01Z"}),
    (t.WellKnown, {"value": 1.5, "values": [1, "s", {"a": None}, [None]], "uint64Value": 7}),
    (t.WellKnown, {"struct": {}, "listValue": [], "boolValue": False, "stringValue": ""}),
    (t.Maps, {"stringValue": {"a": 1, "b": [None], "c": {"d": "e"}}}),
    (t.Everything, {"wellKnown": {"timestamp": "2000-01-01T00:00:00Z"}, "tree": {}}),
    (t.WellKnown, {"nullValue": "NULL_VALUE", "optionalNull": 0}),
    (t.Everything, {"scalars": {"fInt32": 1}, "tree": {"choiceLeaf": {"name": "x"}}}),
    (t.Everything, {"leaves": [{}, {"color": "COLOR_RED"}, {"color": -3}], "leaf": {"number": 5}}),
    (Extendable, {"plain": 1, "custom": "CUSTOM_TWO", "customs": ["CUSTOM_ONE", 1, 0]}),
    (Extendable, {"child": {"child": {}}}),
    (Extendable, {"aliased": "ALIASED_UNO"}),
    (Extendable, {"aliased": "ALIASED_ONE", "mygroup": {"inner": "x"}}),
    (Extendable, {"mygroup": {}}),
]


@pytest.mark.parametrize(("message_type", "value"), FAST_INPUTS)
def test_decode_fast_path_matches_json_format(message_type: type[Message], value: Any) -> None:
    data = as_json(value)
    assert takes_fast_path(data, message_type)
    assert assert_decodes_like_json_format(data, message_type)[0] == "ok"
    # Same message built directly, not just the same bytes.
    ours = message_type()
    _json_decode.parse_json_value(json.loads(data), ours)
    reference = message_type()
    json_format.ParseDict(json.loads(data), reference, ignore_unknown_fields=True)
    assert ours == reference
    assert ours.ListFields() == reference.ListFields()


FALLBACK_INPUTS: list[tuple[type[Message], Any]] = [
    # nulls
    (S, {"fInt32": None}),
    (S, {"oInt32": None}),
    (S, {"rInt32": None}),
    (S, {"rInt32": [1, None]}),
    (t.Tree, {"left": None}),
    (t.Tree, {"choiceText": None, "choiceNumber": 5}),
    (t.Tree, {"children": [None]}),
    (t.Maps, {"stringLeaf": {"a": None}}),
    (t.Maps, {"stringString": {"a": None}}),
    (t.WellKnown, {"value": None}),
    (t.WellKnown, {"values": [None, 1]}),
    (t.WellKnown, {"nullValue": None}),
    (t.WellKnown, {"optionalNull": None}),
    (t.WellKnown, {"boolValue": None}),
    # unknown keys, extension keys
    (S, {"[jsontest.v1.nope]": 1}),
    (S, {"[": 1}),
    (S, {"[a b]": 1}),
    (S, {"fInt32": 1, "[x]": None}),
    (t.Tree, {"left": {"[x]": 1}}),
    (Extendable, {"[jsontest.dyn.ext_value]": 7, "plain": 1}),
    (Extendable, {"[jsontest.dyn.missing]": 7}),
    (Extendable, {"custom": "one!"}),
    (Extendable, {"customs": ["one!", "CUSTOM_TWO"]}),
    (Extendable, {"custom": 9}),
    # one field twice, two members of a oneof
    (S, {"fInt32": 1, "f_int32": 2}),
    (S, {"f_int32": 1, "fInt32": 2}),
    (S, {"oInt32": 1, "o_int32": 2}),
    (S, {"rInt32": [1], "r_int32": [2, 3]}),
    (t.Tree, {"snakeCaseField": "a", "snake_case_field": "b"}),
    (t.Tree, {"customName": 1, "renamed": 2}),
    (t.Tree, {"byName": {"a": {"name": "x"}}, "by_name": {"b": {}}}),
    (t.Tree, {"choiceText": "a", "choiceNumber": 1}),
    (t.Tree, {"choiceLeaf": {}, "choice_leaf": {}}),
    (t.Tree, {"choiceText": "a", "choice_text": "b"}),
    (
        t.Everything,
        {"well_known": {"leaf": {"name": "a"}}, "wellKnown": {"leaf": {"number": 2}}},
    ),
    # wrong types that json_format takes
    (S, {"fInt32": "1"}),
    (S, {"fInt32": 1.0}),
    (S, {"fInt32": -0.0}),
    (S, {"fInt32": "1e2"}),
    (S, {"fInt32": "\t1\n"}),
    (S, {"fInt64": 1.0}),
    (S, {"fInt64": "1e3"}),
    (S, {"fInt64": "+1"}),
    (S, {"fInt64": "1_000"}),
    (S, {"fInt64": "٣"}),  # an Arabic-Indic digit: int() takes it
    (S, {"fUint64": "-0"}),
    (S, {"fInt64": "0" * 30 + "1"}),
    (S, {"fDouble": "1.5"}),
    (S, {"fDouble": "-1e400"}),
    (S, {"fDouble": "NaN"}),
    (S, {"fDouble": "Infinity"}),
    (S, {"fFloat": "-Infinity"}),
    (S, {"fFloat": "1e39"}),
    (S, {"fEnum": "1"}),
    (S, {"fEnum": True}),
    (S, {"fEnum": 42}),
    (S, {"rEnum": [1, 42]}),
    (S, {"fBytes": "AQ"}),
    (S, {"fBytes": "AQ-_"}),
    (S, {"fBytes": "AQ=="[:3]}),
    (S, {"fBytes": "ÿ"}),
    (S, {"fBytes": "AQID\n"}),
    (S, {"fBytes": " AQID"}),
    (S, {"fBytes": "AQ==AQ=="}),
    (S, {"fBytes": "A=Q="}),
    (S, {"fBytes": "=AQI"}),
    (S, {"rBytes": ["AQ", "AQ=="]}),
    (t.Maps, {"stringBytes": {"a": "_-8"}}),
    # wrong types and values that json_format refuses
    (S, {"fInt32": 1.5}),
    (S, {"fInt32": True}),
    (S, {"fInt32": []}),
    (S, {"fInt32": "x"}),
    (S, {"fInt64": " 1"}),
    (S, {"fInt64": "0x10"}),
    (S, {"fInt64": ""}),
    (S, {"fBool": "true"}),
    (S, {"fBool": 1}),
    (S, {"fString": 1}),
    (S, {"fString": ["a"]}),
    (S, {"fBytes": 1}),
    (S, {"fBytes": "A"}),
    (S, {"fDouble": "nan"}),
    (S, {"fDouble": True}),
    (S, {"fDouble": "x"}),
    (S, {"fEnum": "NOPE"}),  # ignored: unknown enum names count as unknown fields
    (S, {"oEnum": "NOPE"}),
    (S, {"rEnum": ["COLOR_RED", "NOPE", "COLOR_GREEN"]}),
    (S, {"fEnum": "color_red"}),
    (S, {"fEnum": 1.5}),
    (S, {"fEnum": 2**40}),
    (t.Maps, {"int32Enum": {"1": "NOPE", "2": "COLOR_RED"}}),
    (S, {"rInt32": 5}),
    (S, {"rInt32": {}}),
    (S, {"rInt32": [[1]]}),
    (S, {"rString": "abc"}),
    (t.Tree, {"left": []}),
    (t.Tree, {"left": "abc"}),
    (t.Tree, {"left": 5}),
    (t.Tree, {"children": {}}),
    (t.Tree, {"children": [{}, 5]}),
    (t.Tree, {"children": ["ab"]}),
    (t.Tree, {"byName": []}),
    (t.Tree, {"byName": {"a": 5}}),
    # out of range
    (S, {"fInt32": 2147483648}),
    (S, {"fInt32": -2147483649}),
    (S, {"fUint32": -1}),
    (S, {"fUint32": 4294967296}),
    (S, {"fSfixed32": 2**31}),
    (S, {"fInt64": "9223372036854775808"}),
    (S, {"fInt64": -9223372036854775809}),
    (S, {"fUint64": 18446744073709551616}),
    (S, {"fUint64": "-1"}),
    (S, {"fFixed64": -1}),
    (S, {"fFloat": 3.5e38}),
    (S, {"fFloat": -3.5e38}),
    (S, {"fFloat": 10**39}),
    (S, {"rFloat": [1, 3.5e38]}),
    (S, {"fDouble": 1e400}),  # the JSON parser makes it inf
    (S, {"fDouble": NAN}),
    (S, {"fDouble": -INF}),
    (S, {"fDouble": 10**400}),  # json_format lets float()'s OverflowError escape: refused
    (S, {"fInt64": "1" * 5000}),
    # map keys
    (t.Maps, {"int32Int32": {"01": 1, "1": 2}}),
    (t.Maps, {"int32Int32": {"-0": 1}}),
    (t.Maps, {"int32Int32": {"1.0": 1}}),
    (t.Maps, {"int32Int32": {" 1": 1}}),
    (t.Maps, {"int32Int32": {"+1": 1}}),
    (t.Maps, {"int32Int32": {"2147483648": 1}}),
    (t.Maps, {"int32Int32": {"x": 1}}),
    (t.Maps, {"int32Int32": {"": 1}}),
    (t.Maps, {"uint64Uint64": {"-1": 1}}),
    (t.Maps, {"uint64Uint64": {"18446744073709551616": 1}}),
    (t.Maps, {"uint64Leaf": {"007": {"name": "a"}, "7": {"number": 1}}}),
    (t.Maps, {"boolBool": {"True": True}}),
    (t.Maps, {"boolBool": {"1": True}}),
    (t.Maps, {"stringString": {"a": 1}}),
    (t.Maps, {"stringLeaf": {"a": []}}),
    (t.Maps, {"stringLeaf": []}),
    # surrogates
    (S, {"fString": "\ud800"}),
    (S, {"fString": "a\udc00b"}),
    (S, {"oString": "\udc00\ud800"}),
    (S, {"rString": ["ok", "\ud800"]}),
    (t.Maps, {"stringString": {"\ud800": "a"}}),
    (t.Maps, {"stringString": {"a": "\udfff"}}),
    (t.Maps, {"stringLeaf": {"\ud800": {}}}),
    # well-known types
    (t.WellKnown, {"timestamp": "bad"}),
    (t.WellKnown, {"timestamp": 5}),
    (t.WellKnown, {"timestamp": {}}),
    (t.WellKnown, {"duration": "1.5"}),
    (t.WellKnown, {"struct": []}),
    (t.WellKnown, {"value": 10**400}),
    (t.WellKnown, {"listValue": {}}),
    (t.WellKnown, {"any": {}}),
    (t.WellKnown, {"any": {"@type": "type.googleapis.com/jsontest.v1.Leaf", "name": "x"}}),
    (
        t.WellKnown,
        {"any": {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "2s"}},
    ),
    (t.WellKnown, {"any": {"@type": "type.googleapis.com/nope.Missing"}}),
    (t.WellKnown, {"any": {"name": "no type"}}),
    (t.WellKnown, {"fieldMask": "foo_bar"}),
    (t.WellKnown, {"empty": []}),
    (t.WellKnown, {"uint32Value": -1}),
    (t.WellKnown, {"timestamps": [None]}),
    (t.WellKnown, {"nullValue": "nope"}),
    (t.Maps, {"stringValue": {"a": None, "b": [1]}}),
    (t.Tree, {"choiceTime": "1970-01-01T00:00:01Z", "choiceText": "x"}),
]


@pytest.mark.parametrize(("message_type", "value"), FALLBACK_INPUTS)
def test_decode_fallback_matches_json_format(message_type: type[Message], value: Any) -> None:
    data = as_json(value)
    assert not takes_fast_path(data, message_type)
    assert_decodes_like_json_format(data, message_type)


RAW_INPUTS: list[tuple[type[Message], bytes]] = [
    (S, b""),
    (S, b"{}"),
    (S, b" {\n} "),
    (S, b"[]"),
    (S, b"[1,2]"),
    (S, b'"abc"'),
    (S, b"123"),
    (S, b"1.5"),
    (S, b"null"),
    (S, b"true"),
    (S, b"{not json"),
    (S, b"\xff\xfe"),
    (S, b"[" * 100_000),
    (S, b'{"fInt32": 1, "fInt32": 2}'),  # json.loads keeps the last one
    (S, b'{"fString": "\xed\xa0\x80"}'),  # a raw (CESU-8) lone surrogate
    (S, b'{"fString": "\xed\xa0\xbd\xed\xb8\x80"}'),  # a raw surrogate pair: two code points
    (S, '{"fString": "😀", "fBytes": "AQ=="}'.encode()),
    (S, '{"fString": "😀"}'.encode("utf-16")),
    (S, b'{"fDouble": Infinity}'),
    (S, b'{"fDouble": -Infinity, "fFloat": NaN}'),
    (S, b'{"fInt64": 1e3}'),
    (S, b'{"fInt32": 1E2}'),
    (timestamp_pb2.Timestamp, b'"1970-01-01T00:00:01Z"'),
    (timestamp_pb2.Timestamp, b"{}"),
    (struct_pb2.Value, b"null"),
    (struct_pb2.Value, b"[1, {}]"),
    (struct_pb2.Struct, b'{"a": 1}'),
    (wrappers_pb2.Int64Value, b'"5"'),
    (empty_pb2.Empty, b"{}"),
    (empty_pb2.Empty, b'{"x": 1}'),
    (any_pb2.Any, b'{"@type": "type.googleapis.com/jsontest.v1.Leaf", "color": "COLOR_RED"}'),
]


@pytest.mark.parametrize(("message_type", "data"), RAW_INPUTS)
def test_decode_raw_input_matches_json_format(message_type: type[Message], data: bytes) -> None:
    assert_decodes_like_json_format(data, message_type)


@pytest.mark.parametrize("data", [b"[]", b'"abc"', b"123", b"1.5", b"null", b"true", b"1e999"])
def test_a_message_must_be_a_json_object(data: bytes) -> None:
    with pytest.raises(ConnectError) as info:
        JSON.decode(data, S)
    assert info.value.code is Code.INVALID_ARGUMENT
    assert "JSON object" in info.value.message


def test_wrong_kind_of_value_is_invalid_argument_not_a_crash() -> None:
    cases = [
        (S, b'{"fDouble": 1' + b"0" * 400 + b"}"),
        (t.Everything, b'{"leaves": [1]}'),
    ]
    for message_type, data in cases:
        with pytest.raises(ConnectError) as info:
            JSON.decode(data, message_type)
        assert info.value.code is Code.INVALID_ARGUMENT


def _nested(depth: int) -> dict[str, Any]:
    """A Tree nested ``depth`` deep (the top being depth 1), through ``left``."""
    value: dict[str, Any] = {"name": "bottom"}
    for _ in range(depth - 1):
        value = {"left": value}
    return value


@pytest.mark.parametrize("depth", [2, 63, 64, 65, 99, 100, 101, 150])
def test_decode_deep_nesting_matches_json_format(depth: int) -> None:
    data = as_json(_nested(depth))
    outcome = assert_decodes_like_json_format(data, t.Tree)
    assert (outcome[0] == "ok") == (depth <= 100)
    assert takes_fast_path(data, t.Tree) == (depth <= _json_decode._MAX_DEPTH)


def test_decode_deep_nesting_through_lists_and_maps() -> None:
    for depth in (50, 99, 100, 101):
        value: dict[str, Any] = {}
        for i in range(depth - 1):
            value = {"children": [value]} if i % 2 else {"byName": {"k": value}}
        assert_decodes_like_json_format(as_json(value), t.Tree)
        nested: Any = 1
        for _ in range(depth - 3):
            nested = {"a": nested}
        assert_decodes_like_json_format(as_json({"wellKnown": {"struct": nested}}), t.Everything)


@pytest.mark.parametrize("tree_depth", [1, 2, 30, 63, 64])
def test_decode_well_known_types_keep_json_formats_depth_limit(tree_depth: int) -> None:
    # Struct parsing is delegated to json_format at the depth reached: the limit must fall
    # exactly where it falls when json_format parses the whole input.
    outcomes = set()
    for struct_depth in range(1, 110):
        nested: Any = 1
        for _ in range(struct_depth):
            nested = {"s": nested}
        value = _nested(tree_depth)
        innermost = value
        while "left" in innermost:
            innermost = innermost["left"]
        innermost["meta"] = nested
        data = as_json(value)
        outcome = assert_decodes_like_json_format(data, t.Tree)
        outcomes.add(outcome[0])
        within_fast_depth = tree_depth + 1 <= _json_decode._MAX_DEPTH  # the Struct's own depth
        assert takes_fast_path(data, t.Tree) == (outcome[0] == "ok" and within_fast_depth)
    assert outcomes == {"ok", "connect-error"}


def test_decode_empty_data_is_empty_message() -> None:
    assert JSON.decode(b"", t.Everything) == t.Everything()


def test_decode_fallback_starts_from_a_fresh_message() -> None:
    # The fast path writes "name" before it meets the null; json_format's result has no trace
    # of it beyond what json_format itself does with the input.
    data = as_json({"name": "x", "left": {"name": "y"}, "right": None, "renamed": 1})
    assert not takes_fast_path(data, t.Tree)
    decoded = JSON.decode(data, t.Tree)
    assert decoded == t.Tree(name="x", left=t.Tree(name="y"), renamed=1)
    assert not decoded.HasField("right")


def test_parse_json_value_merges_like_parse_dict() -> None:
    # Into a message that already has content, as ParseDict does: scalars replaced, repeated
    # and map fields replaced, sub-messages merged.
    def start() -> t.Tree:
        return t.Tree(
            name="old",
            renamed=5,
            left=t.Tree(name="l", renamed=1),
            children=[t.Tree(name="c")],
            by_name={"a": t.Tree(), "b": t.Tree()},
            field_with_2_numbers3x=["x", "y"],
            choice_text="t",
        )

    value = {
        "name": "new",
        "left": {"renamed": 2},
        "children": [{}],
        "byName": {"c": {}},
        "fieldWith2Numbers3x": ["z"],
        "choiceNumber": 3,
    }
    ours, reference = start(), start()
    _json_decode.parse_json_value(value, ours)
    json_format.ParseDict(value, reference, ignore_unknown_fields=True)
    assert ours == reference


def test_plans_are_built_once_and_safely_from_threads() -> None:
    _json_encode._ENCODERS.clear()
    _json_decode._PARSERS.clear()
    messages = [random_message(t.Everything, random.Random(seed)) for seed in range(16)]
    expected = [reference_encode(m) for m in messages]
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            for message, data in zip(messages, expected, strict=True):
                assert JSON.encode(message) == data
                assert decode_outcome(JSON.decode, data, t.Everything) == decode_outcome(
                    reference_decode, data, t.Everything
                )
        except BaseException as e:  # pragma: no cover - reported below
            failures.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert t.Everything.DESCRIPTOR in _json_encode._ENCODERS
    assert t.Tree.DESCRIPTOR in _json_decode._PARSERS
    assert takes_fast_path(as_json({"tree": {"left": {"name": "x"}}}), t.Everything)


# ------------------------------------------------------------------------- randomized tests

INT_RANGES = {
    F.TYPE_INT32: (-(2**31), 2**31 - 1),
    F.TYPE_SINT32: (-(2**31), 2**31 - 1),
    F.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    F.TYPE_UINT32: (0, 2**32 - 1),
    F.TYPE_FIXED32: (0, 2**32 - 1),
    F.TYPE_INT64: (-(2**63), 2**63 - 1),
    F.TYPE_SINT64: (-(2**63), 2**63 - 1),
    F.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    F.TYPE_UINT64: (0, 2**64 - 1),
    F.TYPE_FIXED64: (0, 2**64 - 1),
}
NULL_VALUE = "google.protobuf.NullValue"
INT64_TYPES = {F.TYPE_INT64, F.TYPE_SINT64, F.TYPE_SFIXED64, F.TYPE_UINT64, F.TYPE_FIXED64}
ALPHABET = ["a", "Z", "0", " ", "_", '"', "\\", "/", "\n", "\x00", "\x7f", "é", "✓", "😀", "\u2028"]
MAX_DEPTH = 4


def random_int(rng: random.Random, low: int, high: int) -> int:
    r = rng.random()
    if r < 0.3:
        return rng.choice([low, high, 0, 1, max(low, -1)])
    if r < 0.6:
        return rng.randint(max(low, -1000), min(high, 1000))
    return rng.randint(low, high)


def random_double(rng: random.Random, *, simple: bool = False) -> float:
    r = rng.random()
    if r < 0.2:
        specials = [] if simple else [NAN, INF, -INF]
        return rng.choice([0.0, -0.0, 0.1, 1.0, -2.5, 1e308, 5e-324, 1e22, 1e-7, *specials])
    if r < 0.5:
        return rng.uniform(-1e6, 1e6)
    value = struct.unpack("<d", rng.randbytes(8))[0]
    return 1.0 if math.isnan(value) else value  # only the canonical NaN round-trips


def random_float(rng: random.Random, *, simple: bool = False) -> float:
    r = rng.random()
    if r < 0.2:
        specials = [] if simple else [NAN, INF, -INF]
        return rng.choice([0.0, -0.0, 0.1, 1.0, 3.4e38, -3.4e38, 1e-45, *specials])
    if r < 0.5:
        return f32(rng.uniform(-1e4, 1e4))
    value = struct.unpack("<f", rng.randbytes(4))[0]
    if math.isnan(value) or abs(value) > 3.4028234e38:
        return 1.0  # only the canonical NaN round-trips; for the largest, see test_float32_max
    return value


def random_string(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6)))


def random_scalar(field: FieldDescriptor, rng: random.Random, *, simple: bool = False) -> Any:
    """A random Python value that ``field`` can hold; with ``simple``, no NaN, no infinities,
    no unknown enum numbers."""
    kind = field.type
    if kind in INT_RANGES:
        return random_int(rng, *INT_RANGES[kind])
    if kind == F.TYPE_DOUBLE:
        return random_double(rng, simple=simple)
    if kind == F.TYPE_FLOAT:
        return random_float(rng, simple=simple)
    if kind == F.TYPE_BOOL:
        return rng.random() < 0.5
    if kind == F.TYPE_STRING:
        return random_string(rng)
    if kind == F.TYPE_BYTES:
        return rng.randbytes(rng.randint(0, 9))
    assert kind == F.TYPE_ENUM
    numbers = list(field.enum_type.values_by_number)
    if simple or field.enum_type.is_closed or field.enum_type.full_name == NULL_VALUE:
        return rng.choice(numbers)
    return rng.choice([*numbers, 7, -100, 2**31 - 1])


def random_value(value: struct_pb2.Value, rng: random.Random, depth: int) -> None:
    kinds = ["null", "number", "string", "bool"]
    if depth < MAX_DEPTH:
        kinds += ["struct", "list"]
    kind = rng.choice(kinds)
    if kind == "null":
        value.null_value = 0
    elif kind == "number":
        value.number_value = rng.choice([0.0, -1.5, 1e300, rng.uniform(-1e9, 1e9), 3.0])
    elif kind == "string":
        value.string_value = random_string(rng)
    elif kind == "bool":
        value.bool_value = rng.random() < 0.5
    elif kind == "struct":
        value.struct_value.SetInParent()
        for _ in range(rng.randint(0, 3)):
            random_value(value.struct_value.fields[random_string(rng)], rng, depth + 1)
    else:
        value.list_value.SetInParent()
        for _ in range(rng.randint(0, 3)):
            random_value(value.list_value.values.add(), rng, depth + 1)


def fill_well_known(message: Message, rng: random.Random, depth: int) -> bool:
    """Fill a well-known type with a value that survives a JSON round trip; False if not one."""
    name = message.DESCRIPTOR.full_name
    if name == "google.protobuf.Timestamp":
        message.seconds = rng.randint(-62135596800, 253402300799)
        message.nanos = rng.choice([0, 1000, 1_000_000, rng.randint(0, 999_999_999)])
    elif name == "google.protobuf.Duration":
        sign = rng.choice([1, -1])
        message.seconds = sign * rng.randint(0, 315576000000)
        message.nanos = sign * rng.choice([0, 1000, rng.randint(0, 999_999_999)])
    elif name == "google.protobuf.Value":
        random_value(message, rng, depth)
    elif name == "google.protobuf.Struct":
        for _ in range(rng.randint(0, 3)):
            random_value(message.fields[random_string(rng)], rng, depth + 1)
    elif name == "google.protobuf.ListValue":
        for _ in range(rng.randint(0, 3)):
            random_value(message.values.add(), rng, depth + 1)
    elif name == "google.protobuf.Any":
        choice = rng.randint(0, 3)
        if choice == 1:
            message.Pack(random_message(t.Leaf, rng, depth + 1))
        elif choice == 2:
            message.Pack(timestamp_pb2.Timestamp(seconds=rng.randint(0, 10**9)))
        elif choice == 3:
            message.Pack(wrappers_pb2.Int32Value(value=rng.randint(-5, 5)))
    elif name == "google.protobuf.FieldMask":
        message.paths.extend(rng.sample(["a", "foo_bar", "x.y_z", "leaf.name"], rng.randint(0, 3)))
    elif message.DESCRIPTOR.file.name == "google/protobuf/wrappers.proto":
        if rng.random() < 0.8:
            message.value = random_scalar(message.DESCRIPTOR.fields_by_name["value"], rng)
    else:
        return False
    return True


def is_well_known(descriptor: Descriptor) -> bool:
    return descriptor.full_name in WKT_JSON or descriptor.file.name.endswith("/wrappers.proto")


def fill(message: Message, rng: random.Random, depth: int, *, simple: bool = False) -> None:
    """Set a random selection of ``message``'s fields to random values.

    With ``simple``, only what the fast decoding path takes: no well-known types (but Empty),
    no NullValue, no NaN, no infinities, no unknown enum numbers.
    """
    if fill_well_known(message, rng, depth):
        return
    for field in message.DESCRIPTOR.fields:
        if rng.random() < 0.45:
            continue
        if simple and field.type == F.TYPE_ENUM and field.enum_type.full_name == NULL_VALUE:
            continue  # always null in JSON
        if simple and field.cpp_type == F.CPPTYPE_MESSAGE:
            value_field = field.message_type.fields_by_name.get("value")
            types = [field.message_type, getattr(value_field, "message_type", None)]
            if any(d is not None and is_well_known(d) for d in types):
                continue
        if field.type == F.TYPE_MESSAGE and field.message_type.GetOptions().map_entry:
            if depth >= MAX_DEPTH:
                continue
            key_field = field.message_type.fields_by_name["key"]
            value_field = field.message_type.fields_by_name["value"]
            container = getattr(message, field.name)
            for _ in range(rng.randint(0, 3)):
                key = random_scalar(key_field, rng)
                if value_field.type == F.TYPE_MESSAGE:
                    fill(container[key], rng, depth + 1, simple=simple)
                else:
                    container[key] = random_scalar(value_field, rng, simple=simple)
        elif field.is_repeated:
            container = getattr(message, field.name)
            for _ in range(rng.randint(0, 3)):
                if field.cpp_type == F.CPPTYPE_MESSAGE:
                    if depth < MAX_DEPTH:
                        fill(container.add(), rng, depth + 1, simple=simple)
                else:
                    container.append(random_scalar(field, rng, simple=simple))
        elif field.cpp_type == F.CPPTYPE_MESSAGE:
            if depth < MAX_DEPTH:
                sub = getattr(message, field.name)
                sub.SetInParent()
                fill(sub, rng, depth + 1, simple=simple)
        else:
            setattr(message, field.name, random_scalar(field, rng, simple=simple))


def random_message(
    message_type: type[Message], rng: random.Random, depth: int = 0, *, simple: bool = False
) -> Message:
    message = message_type()
    fill(message, rng, depth, simple=simple)
    return message


@pytest.mark.parametrize("simple", [False, True], ids=["any", "simple"])
@pytest.mark.parametrize("message_type", [t.Everything, t.Scalars, t.Maps, t.Tree, t.WellKnown])
def test_random_messages_encode_and_round_trip(message_type: type[Message], simple: bool) -> None:
    rng = random.Random(f"round-trip-{message_type.DESCRIPTOR.name}-{simple}")
    fast = 0
    count = 300 if message_type is t.Everything else 100
    for _ in range(count):
        message = random_message(message_type, rng, simple=simple)
        data = JSON.encode(message)
        assert data == reference_encode(message)
        decoded = JSON.decode(data, message_type)
        assert decoded == message
        assert decoded.SerializeToString(deterministic=True) == message.SerializeToString(
            deterministic=True
        )
        assert decode_outcome(JSON.decode, data, message_type) == decode_outcome(
            reference_decode, data, message_type
        )
        fast += takes_fast_path(data, message_type)
    if simple:  # all of it is the fast path's
        assert fast == count


# Random JSON input: mostly values the fast path takes, sometimes odd ones.

ODD_VALUES: list[Any] = [
    None,
    "1",
    "-1",
    "1.0",
    1.0,
    1.5,
    -0.0,
    True,
    False,
    "",
    "abc",
    [],
    {},
    [None],
    {"a": None},
    "NaN",
    "Infinity",
    "-Infinity",
    "nan",
    INF,
    NAN,
    2**31,
    -(2**31) - 1,
    2**32,
    2**63,
    -(2**63) - 1,
    2**64,
    10**30,
    3.5e38,
    -3.5e38,
    1e300,
    " 1",
    "+1",
    "1_0",
    "007",
    "-0",
    "0x1",
    "1e3",
    "AQ",
    "AQ-_",
    "AQ==",
    "A",
    "ÿ",
    "AQID\n",
    "COLOR_RED",
    "NOPE",
    "NULL_VALUE",
    99,
    -3,
    "\ud800",
    "😀",
    "2020-01-01T00:00:00Z",
    "1.5s",
    "a,b",
]
ODD_KEYS = ["0", "1", "-1", "01", "-0", " 1", "1.0", "2147483648", "true", "false", "True", ""]
ODD_KEYS += ["x", "\ud800", "18446744073709551616", "-9223372036854775809"]

WKT_JSON: dict[str, list[Any]] = {
    "google.protobuf.Timestamp": ["1970-01-01T00:00:00Z", "2024-02-29T12:34:56.789Z", "bad", 5],
    "google.protobuf.Duration": ["1.5s", "-0.000000001s", "1s", "bad", 1],
    "google.protobuf.Struct": [{}, {"a": 1, "b": [True, None, {"c": "d"}]}, [], "x"],
    "google.protobuf.Value": [None, 1, 1.5, "s", True, [1, "a"], {"k": {"n": None}}],
    "google.protobuf.ListValue": [[], [1, None, "x", {"a": []}], {}],
    "google.protobuf.Any": [
        {},
        {"@type": "type.googleapis.com/jsontest.v1.Leaf", "name": "n", "number": 3},
        {"@type": "type.googleapis.com/google.protobuf.Timestamp", "value": "1970-01-01T00:00:01Z"},
        {"@type": "type.googleapis.com/nope.Missing"},
        {"name": "no type"},
    ],
    "google.protobuf.FieldMask": ["", "fooBar", "a.b,cD", 5, "foo_bar"],
}


def random_json_scalar(field: FieldDescriptor, rng: random.Random) -> Any:
    """A JSON value for ``field``: usually one the fast path takes, sometimes an odd one."""
    if rng.random() < 0.04:
        return rng.choice(ODD_VALUES)
    kind = field.type
    if kind in INT_RANGES:
        number = random_int(rng, *INT_RANGES[kind])
        return str(number) if kind in INT64_TYPES and rng.random() < 0.5 else number
    if kind in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
        value = random_double(rng) if kind == F.TYPE_DOUBLE else random_float(rng)
        if not math.isfinite(value):
            return rng.choice(["NaN", "Infinity", "-Infinity"])
        return rng.choice([value, value, int(value) if abs(value) < 1e15 else value])
    if kind == F.TYPE_BOOL:
        return rng.random() < 0.5
    if kind == F.TYPE_STRING:
        return random_string(rng)
    if kind == F.TYPE_BYTES:
        return json_format.MessageToDict(wrappers_pb2.BytesValue(value=rng.randbytes(5)))
    assert kind == F.TYPE_ENUM
    values = list(field.enum_type.values)
    value = rng.choice(values)
    return value.name if rng.random() < 0.7 else value.number


def random_json_key(field: FieldDescriptor, rng: random.Random) -> str:
    if rng.random() < 0.05:
        return rng.choice(ODD_KEYS)
    if field.type == F.TYPE_STRING:
        return random_string(rng)
    if field.type == F.TYPE_BOOL:
        return rng.choice(["true", "false"])
    return str(random_int(rng, *INT_RANGES[field.type]))


def random_json_field(field: FieldDescriptor, rng: random.Random, depth: int) -> Any:
    if field.type == F.TYPE_MESSAGE and field.message_type.GetOptions().map_entry:
        if rng.random() < 0.03:
            return rng.choice(ODD_VALUES)
        key_field = field.message_type.fields_by_name["key"]
        value_field = field.message_type.fields_by_name["value"]
        return {
            random_json_key(key_field, rng): random_json_single(value_field, rng, depth)
            for _ in range(rng.randint(0, 3))
        }
    if field.is_repeated:
        if rng.random() < 0.03:
            return rng.choice(ODD_VALUES)
        return [random_json_single(field, rng, depth) for _ in range(rng.randint(0, 3))]
    return random_json_single(field, rng, depth)


def random_json_single(field: FieldDescriptor, rng: random.Random, depth: int) -> Any:
    if field.cpp_type != F.CPPTYPE_MESSAGE:
        return random_json_scalar(field, rng)
    if depth >= MAX_DEPTH:
        return {}
    return random_json_message(field.message_type, rng, depth + 1)


def random_json_message(descriptor: Descriptor, rng: random.Random, depth: int) -> Any:
    if descriptor.full_name in WKT_JSON:
        return rng.choice(WKT_JSON[descriptor.full_name])
    if descriptor.file.name == "google/protobuf/wrappers.proto":
        return random_json_scalar(descriptor.fields_by_name["value"], rng)
    if rng.random() < 0.02:
        return rng.choice(ODD_VALUES)
    value: dict[str, Any] = {}
    fields = list(descriptor.fields)
    for field in rng.sample(fields, rng.randint(0, min(len(fields), 6))):
        key = field.json_name if rng.random() < 0.8 else field.name
        value[key] = random_json_field(field, rng, depth)
        if rng.random() < 0.02:  # the same field by its other name
            value[field.name if key == field.json_name else field.json_name] = random_json_field(
                field, rng, depth
            )
    if rng.random() < 0.02:
        value[rng.choice(["bogus", "[jsontest.v1.x]", "FInt32", "leaf_"])] = 1
    return value


@pytest.mark.parametrize("message_type", [t.Everything, t.Scalars, t.Maps, t.Tree, t.WellKnown])
def test_random_json_input_decodes_like_json_format(message_type: type[Message]) -> None:
    rng = random.Random(f"json-input-{message_type.DESCRIPTOR.name}")
    outcomes: dict[str, int] = {}
    fast = 0
    count = 400
    for _ in range(count):
        data = as_json(random_json_message(message_type.DESCRIPTOR, rng, 0))
        outcome = assert_decodes_like_json_format(data, message_type)
        outcomes[outcome[0]] = outcomes.get(outcome[0], 0) + 1
        fast += takes_fast_path(data, message_type)
    # Both paths, and both results, are exercised.
    assert outcomes.get("ok", 0) > count // 4
    if message_type is not t.WellKnown:
        assert outcomes.get("connect-error", 0) > 0
        assert count // 10 < fast < count
