import datetime

from google.protobuf import any_pb2 as _any_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import wrappers_pb2 as _wrappers_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Color(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COLOR_UNSPECIFIED: _ClassVar[Color]
    COLOR_RED: _ClassVar[Color]
    COLOR_GREEN: _ClassVar[Color]
    COLOR_BLUE: _ClassVar[Color]
COLOR_UNSPECIFIED: Color
COLOR_RED: Color
COLOR_GREEN: Color
COLOR_BLUE: Color

class Leaf(_message.Message):
    __slots__ = ("name", "number", "color")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    COLOR_FIELD_NUMBER: _ClassVar[int]
    name: str
    number: int
    color: Color
    def __init__(self, name: _Optional[str] = ..., number: _Optional[int] = ..., color: _Optional[_Union[Color, str]] = ...) -> None: ...

class Scalars(_message.Message):
    __slots__ = ("f_double", "f_float", "f_int32", "f_int64", "f_uint32", "f_uint64", "f_sint32", "f_sint64", "f_fixed32", "f_fixed64", "f_sfixed32", "f_sfixed64", "f_bool", "f_string", "f_bytes", "f_enum", "o_double", "o_float", "o_int32", "o_int64", "o_uint32", "o_uint64", "o_sint32", "o_sint64", "o_fixed32", "o_fixed64", "o_sfixed32", "o_sfixed64", "o_bool", "o_string", "o_bytes", "o_enum", "r_double", "r_float", "r_int32", "r_int64", "r_uint32", "r_uint64", "r_sint32", "r_sint64", "r_fixed32", "r_fixed64", "r_sfixed32", "r_sfixed64", "r_bool", "r_string", "r_bytes", "r_enum")
    F_DOUBLE_FIELD_NUMBER: _ClassVar[int]
    F_FLOAT_FIELD_NUMBER: _ClassVar[int]
    F_INT32_FIELD_NUMBER: _ClassVar[int]
    F_INT64_FIELD_NUMBER: _ClassVar[int]
    F_UINT32_FIELD_NUMBER: _ClassVar[int]
    F_UINT64_FIELD_NUMBER: _ClassVar[int]
    F_SINT32_FIELD_NUMBER: _ClassVar[int]
    F_SINT64_FIELD_NUMBER: _ClassVar[int]
    F_FIXED32_FIELD_NUMBER: _ClassVar[int]
    F_FIXED64_FIELD_NUMBER: _ClassVar[int]
    F_SFIXED32_FIELD_NUMBER: _ClassVar[int]
    F_SFIXED64_FIELD_NUMBER: _ClassVar[int]
    F_BOOL_FIELD_NUMBER: _ClassVar[int]
    F_STRING_FIELD_NUMBER: _ClassVar[int]
    F_BYTES_FIELD_NUMBER: _ClassVar[int]
    F_ENUM_FIELD_NUMBER: _ClassVar[int]
    O_DOUBLE_FIELD_NUMBER: _ClassVar[int]
    O_FLOAT_FIELD_NUMBER: _ClassVar[int]
    O_INT32_FIELD_NUMBER: _ClassVar[int]
    O_INT64_FIELD_NUMBER: _ClassVar[int]
    O_UINT32_FIELD_NUMBER: _ClassVar[int]
    O_UINT64_FIELD_NUMBER: _ClassVar[int]
    O_SINT32_FIELD_NUMBER: _ClassVar[int]
    O_SINT64_FIELD_NUMBER: _ClassVar[int]
    O_FIXED32_FIELD_NUMBER: _ClassVar[int]
    O_FIXED64_FIELD_NUMBER: _ClassVar[int]
    O_SFIXED32_FIELD_NUMBER: _ClassVar[int]
    O_SFIXED64_FIELD_NUMBER: _ClassVar[int]
    O_BOOL_FIELD_NUMBER: _ClassVar[int]
    O_STRING_FIELD_NUMBER: _ClassVar[int]
    O_BYTES_FIELD_NUMBER: _ClassVar[int]
    O_ENUM_FIELD_NUMBER: _ClassVar[int]
    R_DOUBLE_FIELD_NUMBER: _ClassVar[int]
    R_FLOAT_FIELD_NUMBER: _ClassVar[int]
    R_INT32_FIELD_NUMBER: _ClassVar[int]
    R_INT64_FIELD_NUMBER: _ClassVar[int]
    R_UINT32_FIELD_NUMBER: _ClassVar[int]
    R_UINT64_FIELD_NUMBER: _ClassVar[int]
    R_SINT32_FIELD_NUMBER: _ClassVar[int]
    R_SINT64_FIELD_NUMBER: _ClassVar[int]
    R_FIXED32_FIELD_NUMBER: _ClassVar[int]
    R_FIXED64_FIELD_NUMBER: _ClassVar[int]
    R_SFIXED32_FIELD_NUMBER: _ClassVar[int]
    R_SFIXED64_FIELD_NUMBER: _ClassVar[int]
    R_BOOL_FIELD_NUMBER: _ClassVar[int]
    R_STRING_FIELD_NUMBER: _ClassVar[int]
    R_BYTES_FIELD_NUMBER: _ClassVar[int]
    R_ENUM_FIELD_NUMBER: _ClassVar[int]
    f_double: float
    f_float: float
    f_int32: int
    f_int64: int
    f_uint32: int
    f_uint64: int
    f_sint32: int
    f_sint64: int
    f_fixed32: int
    f_fixed64: int
    f_sfixed32: int
    f_sfixed64: int
    f_bool: bool
    f_string: str
    f_bytes: bytes
    f_enum: Color
    o_double: float
    o_float: float
    o_int32: int
    o_int64: int
    o_uint32: int
    o_uint64: int
    o_sint32: int
    o_sint64: int
    o_fixed32: int
    o_fixed64: int
    o_sfixed32: int
    o_sfixed64: int
    o_bool: bool
    o_string: str
    o_bytes: bytes
    o_enum: Color
    r_double: _containers.RepeatedScalarFieldContainer[float]
    r_float: _containers.RepeatedScalarFieldContainer[float]
    r_int32: _containers.RepeatedScalarFieldContainer[int]
    r_int64: _containers.RepeatedScalarFieldContainer[int]
    r_uint32: _containers.RepeatedScalarFieldContainer[int]
    r_uint64: _containers.RepeatedScalarFieldContainer[int]
    r_sint32: _containers.RepeatedScalarFieldContainer[int]
    r_sint64: _containers.RepeatedScalarFieldContainer[int]
    r_fixed32: _containers.RepeatedScalarFieldContainer[int]
    r_fixed64: _containers.RepeatedScalarFieldContainer[int]
    r_sfixed32: _containers.RepeatedScalarFieldContainer[int]
    r_sfixed64: _containers.RepeatedScalarFieldContainer[int]
    r_bool: _containers.RepeatedScalarFieldContainer[bool]
    r_string: _containers.RepeatedScalarFieldContainer[str]
    r_bytes: _containers.RepeatedScalarFieldContainer[bytes]
    r_enum: _containers.RepeatedScalarFieldContainer[Color]
    def __init__(self, f_double: _Optional[float] = ..., f_float: _Optional[float] = ..., f_int32: _Optional[int] = ..., f_int64: _Optional[int] = ..., f_uint32: _Optional[int] = ..., f_uint64: _Optional[int] = ..., f_sint32: _Optional[int] = ..., f_sint64: _Optional[int] = ..., f_fixed32: _Optional[int] = ..., f_fixed64: _Optional[int] = ..., f_sfixed32: _Optional[int] = ..., f_sfixed64: _Optional[int] = ..., f_bool: _Optional[bool] = ..., f_string: _Optional[str] = ..., f_bytes: _Optional[bytes] = ..., f_enum: _Optional[_Union[Color, str]] = ..., o_double: _Optional[float] = ..., o_float: _Optional[float] = ..., o_int32: _Optional[int] = ..., o_int64: _Optional[int] = ..., o_uint32: _Optional[int] = ..., o_uint64: _Optional[int] = ..., o_sint32: _Optional[int] = ..., o_sint64: _Optional[int] = ..., o_fixed32: _Optional[int] = ..., o_fixed64: _Optional[int] = ..., o_sfixed32: _Optional[int] = ..., o_sfixed64: _Optional[int] = ..., o_bool: _Optional[bool] = ..., o_string: _Optional[str] = ..., o_bytes: _Optional[bytes] = ..., o_enum: _Optional[_Union[Color, str]] = ..., r_double: _Optional[_Iterable[float]] = ..., r_float: _Optional[_Iterable[float]] = ..., r_int32: _Optional[_Iterable[int]] = ..., r_int64: _Optional[_Iterable[int]] = ..., r_uint32: _Optional[_Iterable[int]] = ..., r_uint64: _Optional[_Iterable[int]] = ..., r_sint32: _Optional[_Iterable[int]] = ..., r_sint64: _Optional[_Iterable[int]] = ..., r_fixed32: _Optional[_Iterable[int]] = ..., r_fixed64: _Optional[_Iterable[int]] = ..., r_sfixed32: _Optional[_Iterable[int]] = ..., r_sfixed64: _Optional[_Iterable[int]] = ..., r_bool: _Optional[_Iterable[bool]] = ..., r_string: _Optional[_Iterable[str]] = ..., r_bytes: _Optional[_Iterable[bytes]] = ..., r_enum: _Optional[_Iterable[_Union[Color, str]]] = ...) -> None: ...

class Maps(_message.Message):
    __slots__ = ("string_string", "int32_int32", "int64_int64", "uint32_uint32", "uint64_uint64", "sint32_sint32", "sint64_sint64", "fixed32_fixed32", "fixed64_fixed64", "sfixed32_sfixed32", "sfixed64_sfixed64", "bool_bool", "string_leaf", "int32_enum", "string_bytes", "string_double", "string_float", "uint64_leaf", "string_timestamp", "string_value")
    class StringStringEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class Int32Int32Entry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: int
        def __init__(self, key: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...
    class Int64Int64Entry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: int
        def __init__(self, key: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...
    class Uint32Uint32Entry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: int
        def __init__(self, key: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...
    class Uint64Uint64Entry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: int
        def __init__(self, key: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...
    class Sint32Sint32Entry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: int
        def __init__(self, key: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...
    class Sint64Sint64Entry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: int
        def __init__(self, key: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...
    class Fixed32Fixed32Entry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: int
        def __init__(self, key: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...
    class Fixed64Fixed64Entry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: int
        def __init__(self, key: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...
    class Sfixed32Sfixed32Entry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: int
        def __init__(self, key: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...
    class Sfixed64Sfixed64Entry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: int
        def __init__(self, key: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...
    class BoolBoolEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: bool
        value: bool
        def __init__(self, key: _Optional[bool] = ..., value: _Optional[bool] = ...) -> None: ...
    class StringLeafEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Leaf
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Leaf, _Mapping]] = ...) -> None: ...
    class Int32EnumEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: Color
        def __init__(self, key: _Optional[int] = ..., value: _Optional[_Union[Color, str]] = ...) -> None: ...
    class StringBytesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bytes
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bytes] = ...) -> None: ...
    class StringDoubleEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class StringFloatEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class Uint64LeafEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: Leaf
        def __init__(self, key: _Optional[int] = ..., value: _Optional[_Union[Leaf, _Mapping]] = ...) -> None: ...
    class StringTimestampEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _timestamp_pb2.Timestamp
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
    class StringValueEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _struct_pb2.Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...
    STRING_STRING_FIELD_NUMBER: _ClassVar[int]
    INT32_INT32_FIELD_NUMBER: _ClassVar[int]
    INT64_INT64_FIELD_NUMBER: _ClassVar[int]
    UINT32_UINT32_FIELD_NUMBER: _ClassVar[int]
    UINT64_UINT64_FIELD_NUMBER: _ClassVar[int]
    SINT32_SINT32_FIELD_NUMBER: _ClassVar[int]
    SINT64_SINT64_FIELD_NUMBER: _ClassVar[int]
    FIXED32_FIXED32_FIELD_NUMBER: _ClassVar[int]
    FIXED64_FIXED64_FIELD_NUMBER: _ClassVar[int]
    SFIXED32_SFIXED32_FIELD_NUMBER: _ClassVar[int]
    SFIXED64_SFIXED64_FIELD_NUMBER: _ClassVar[int]
    BOOL_BOOL_FIELD_NUMBER: _ClassVar[int]
    STRING_LEAF_FIELD_NUMBER: _ClassVar[int]
    INT32_ENUM_FIELD_NUMBER: _ClassVar[int]
    STRING_BYTES_FIELD_NUMBER: _ClassVar[int]
    STRING_DOUBLE_FIELD_NUMBER: _ClassVar[int]
    STRING_FLOAT_FIELD_NUMBER: _ClassVar[int]
    UINT64_LEAF_FIELD_NUMBER: _ClassVar[int]
    STRING_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    string_string: _containers.ScalarMap[str, str]
    int32_int32: _containers.ScalarMap[int, int]
    int64_int64: _containers.ScalarMap[int, int]
    uint32_uint32: _containers.ScalarMap[int, int]
    uint64_uint64: _containers.ScalarMap[int, int]
    sint32_sint32: _containers.ScalarMap[int, int]
    sint64_sint64: _containers.ScalarMap[int, int]
    fixed32_fixed32: _containers.ScalarMap[int, int]
    fixed64_fixed64: _containers.ScalarMap[int, int]
    sfixed32_sfixed32: _containers.ScalarMap[int, int]
    sfixed64_sfixed64: _containers.ScalarMap[int, int]
    bool_bool: _containers.ScalarMap[bool, bool]
    string_leaf: _containers.MessageMap[str, Leaf]
    int32_enum: _containers.ScalarMap[int, Color]
    string_bytes: _containers.ScalarMap[str, bytes]
    string_double: _containers.ScalarMap[str, float]
    string_float: _containers.ScalarMap[str, float]
    uint64_leaf: _containers.MessageMap[int, Leaf]
    string_timestamp: _containers.MessageMap[str, _timestamp_pb2.Timestamp]
    string_value: _containers.MessageMap[str, _struct_pb2.Value]
    def __init__(self, string_string: _Optional[_Mapping[str, str]] = ..., int32_int32: _Optional[_Mapping[int, int]] = ..., int64_int64: _Optional[_Mapping[int, int]] = ..., uint32_uint32: _Optional[_Mapping[int, int]] = ..., uint64_uint64: _Optional[_Mapping[int, int]] = ..., sint32_sint32: _Optional[_Mapping[int, int]] = ..., sint64_sint64: _Optional[_Mapping[int, int]] = ..., fixed32_fixed32: _Optional[_Mapping[int, int]] = ..., fixed64_fixed64: _Optional[_Mapping[int, int]] = ..., sfixed32_sfixed32: _Optional[_Mapping[int, int]] = ..., sfixed64_sfixed64: _Optional[_Mapping[int, int]] = ..., bool_bool: _Optional[_Mapping[bool, bool]] = ..., string_leaf: _Optional[_Mapping[str, Leaf]] = ..., int32_enum: _Optional[_Mapping[int, Color]] = ..., string_bytes: _Optional[_Mapping[str, bytes]] = ..., string_double: _Optional[_Mapping[str, float]] = ..., string_float: _Optional[_Mapping[str, float]] = ..., uint64_leaf: _Optional[_Mapping[int, Leaf]] = ..., string_timestamp: _Optional[_Mapping[str, _timestamp_pb2.Timestamp]] = ..., string_value: _Optional[_Mapping[str, _struct_pb2.Value]] = ...) -> None: ...

class Tree(_message.Message):
    __slots__ = ("name", "left", "right", "children", "by_name", "node", "choice_text", "choice_number", "choice_leaf", "choice_color", "choice_bytes", "choice_time", "snake_case_field", "renamed", "field_with_2_numbers3x", "meta")
    class Node(_message.Message):
        __slots__ = ("label",)
        LABEL_FIELD_NUMBER: _ClassVar[int]
        label: str
        def __init__(self, label: _Optional[str] = ...) -> None: ...
    class ByNameEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Tree
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Tree, _Mapping]] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    LEFT_FIELD_NUMBER: _ClassVar[int]
    RIGHT_FIELD_NUMBER: _ClassVar[int]
    CHILDREN_FIELD_NUMBER: _ClassVar[int]
    BY_NAME_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    CHOICE_TEXT_FIELD_NUMBER: _ClassVar[int]
    CHOICE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CHOICE_LEAF_FIELD_NUMBER: _ClassVar[int]
    CHOICE_COLOR_FIELD_NUMBER: _ClassVar[int]
    CHOICE_BYTES_FIELD_NUMBER: _ClassVar[int]
    CHOICE_TIME_FIELD_NUMBER: _ClassVar[int]
    SNAKE_CASE_FIELD_FIELD_NUMBER: _ClassVar[int]
    RENAMED_FIELD_NUMBER: _ClassVar[int]
    FIELD_WITH_2_NUMBERS3X_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    name: str
    left: Tree
    right: Tree
    children: _containers.RepeatedCompositeFieldContainer[Tree]
    by_name: _containers.MessageMap[str, Tree]
    node: Tree.Node
    choice_text: str
    choice_number: int
    choice_leaf: Leaf
    choice_color: Color
    choice_bytes: bytes
    choice_time: _timestamp_pb2.Timestamp
    snake_case_field: str
    renamed: int
    field_with_2_numbers3x: _containers.RepeatedScalarFieldContainer[str]
    meta: _struct_pb2.Struct
    def __init__(self, name: _Optional[str] = ..., left: _Optional[_Union[Tree, _Mapping]] = ..., right: _Optional[_Union[Tree, _Mapping]] = ..., children: _Optional[_Iterable[_Union[Tree, _Mapping]]] = ..., by_name: _Optional[_Mapping[str, Tree]] = ..., node: _Optional[_Union[Tree.Node, _Mapping]] = ..., choice_text: _Optional[str] = ..., choice_number: _Optional[int] = ..., choice_leaf: _Optional[_Union[Leaf, _Mapping]] = ..., choice_color: _Optional[_Union[Color, str]] = ..., choice_bytes: _Optional[bytes] = ..., choice_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., snake_case_field: _Optional[str] = ..., renamed: _Optional[int] = ..., field_with_2_numbers3x: _Optional[_Iterable[str]] = ..., meta: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class WellKnown(_message.Message):
    __slots__ = ("timestamp", "duration", "struct", "value", "list_value", "any", "field_mask", "empty", "double_value", "float_value", "int64_value", "uint64_value", "int32_value", "uint32_value", "bool_value", "string_value", "bytes_value", "null_value", "timestamps", "values", "int32_values", "optional_null", "leaf")
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    STRUCT_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    LIST_VALUE_FIELD_NUMBER: _ClassVar[int]
    ANY_FIELD_NUMBER: _ClassVar[int]
    FIELD_MASK_FIELD_NUMBER: _ClassVar[int]
    EMPTY_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_VALUE_FIELD_NUMBER: _ClassVar[int]
    FLOAT_VALUE_FIELD_NUMBER: _ClassVar[int]
    INT64_VALUE_FIELD_NUMBER: _ClassVar[int]
    UINT64_VALUE_FIELD_NUMBER: _ClassVar[int]
    INT32_VALUE_FIELD_NUMBER: _ClassVar[int]
    UINT32_VALUE_FIELD_NUMBER: _ClassVar[int]
    BOOL_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    BYTES_VALUE_FIELD_NUMBER: _ClassVar[int]
    NULL_VALUE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMPS_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    INT32_VALUES_FIELD_NUMBER: _ClassVar[int]
    OPTIONAL_NULL_FIELD_NUMBER: _ClassVar[int]
    LEAF_FIELD_NUMBER: _ClassVar[int]
    timestamp: _timestamp_pb2.Timestamp
    duration: _duration_pb2.Duration
    struct: _struct_pb2.Struct
    value: _struct_pb2.Value
    list_value: _struct_pb2.ListValue
    any: _any_pb2.Any
    field_mask: _field_mask_pb2.FieldMask
    empty: _empty_pb2.Empty
    double_value: _wrappers_pb2.DoubleValue
    float_value: _wrappers_pb2.FloatValue
    int64_value: _wrappers_pb2.Int64Value
    uint64_value: _wrappers_pb2.UInt64Value
    int32_value: _wrappers_pb2.Int32Value
    uint32_value: _wrappers_pb2.UInt32Value
    bool_value: _wrappers_pb2.BoolValue
    string_value: _wrappers_pb2.StringValue
    bytes_value: _wrappers_pb2.BytesValue
    null_value: _struct_pb2.NullValue
    timestamps: _containers.RepeatedCompositeFieldContainer[_timestamp_pb2.Timestamp]
    values: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Value]
    int32_values: _containers.RepeatedCompositeFieldContainer[_wrappers_pb2.Int32Value]
    optional_null: _struct_pb2.NullValue
    leaf: Leaf
    def __init__(self, timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., struct: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., list_value: _Optional[_Union[_struct_pb2.ListValue, _Mapping]] = ..., any: _Optional[_Union[_any_pb2.Any, _Mapping]] = ..., field_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., empty: _Optional[_Union[_empty_pb2.Empty, _Mapping]] = ..., double_value: _Optional[_Union[_wrappers_pb2.DoubleValue, _Mapping]] = ..., float_value: _Optional[_Union[_wrappers_pb2.FloatValue, _Mapping]] = ..., int64_value: _Optional[_Union[_wrappers_pb2.Int64Value, _Mapping]] = ..., uint64_value: _Optional[_Union[_wrappers_pb2.UInt64Value, _Mapping]] = ..., int32_value: _Optional[_Union[_wrappers_pb2.Int32Value, _Mapping]] = ..., uint32_value: _Optional[_Union[_wrappers_pb2.UInt32Value, _Mapping]] = ..., bool_value: _Optional[_Union[_wrappers_pb2.BoolValue, _Mapping]] = ..., string_value: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., bytes_value: _Optional[_Union[_wrappers_pb2.BytesValue, _Mapping]] = ..., null_value: _Optional[_Union[_struct_pb2.NullValue, str]] = ..., timestamps: _Optional[_Iterable[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]]] = ..., values: _Optional[_Iterable[_Union[_struct_pb2.Value, _Mapping]]] = ..., int32_values: _Optional[_Iterable[_Union[_wrappers_pb2.Int32Value, _Mapping]]] = ..., optional_null: _Optional[_Union[_struct_pb2.NullValue, str]] = ..., leaf: _Optional[_Union[Leaf, _Mapping]] = ...) -> None: ...

class Everything(_message.Message):
    __slots__ = ("scalars", "maps", "tree", "well_known", "leaves", "leaf")
    SCALARS_FIELD_NUMBER: _ClassVar[int]
    MAPS_FIELD_NUMBER: _ClassVar[int]
    TREE_FIELD_NUMBER: _ClassVar[int]
    WELL_KNOWN_FIELD_NUMBER: _ClassVar[int]
    LEAVES_FIELD_NUMBER: _ClassVar[int]
    LEAF_FIELD_NUMBER: _ClassVar[int]
    scalars: Scalars
    maps: Maps
    tree: Tree
    well_known: WellKnown
    leaves: _containers.RepeatedCompositeFieldContainer[Leaf]
    leaf: Leaf
    def __init__(self, scalars: _Optional[_Union[Scalars, _Mapping]] = ..., maps: _Optional[_Union[Maps, _Mapping]] = ..., tree: _Optional[_Union[Tree, _Mapping]] = ..., well_known: _Optional[_Union[WellKnown, _Mapping]] = ..., leaves: _Optional[_Iterable[_Union[Leaf, _Mapping]]] = ..., leaf: _Optional[_Union[Leaf, _Mapping]] = ...) -> None: ...
