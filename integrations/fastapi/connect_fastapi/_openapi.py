"""JSON schemas of protobuf messages (the proto3 JSON mapping), for FastAPI's OpenAPI document.

:func:`schema_type` turns a message class into a type pydantic (and so FastAPI) can describe:
its JSON schema is what ``json_format`` reads and writes, i.e. what a Connect JSON call
carries. Messages become objects keyed by their JSON (lowerCamelCase) field names and live in
``components/schemas`` (so nested and recursive messages are ``$ref``s); 64-bit integers are
strings, ``bytes`` are base64 strings, enums are their value names, maps are objects,
repeated fields are arrays, and the well-known types have their special forms (``Timestamp``
is an RFC 3339 ``date-time`` string, ``Duration`` a ``"1.5s"`` string, ``Any`` an object with
``@type``, ``Struct`` any object, ``Value`` any JSON value, wrappers their wrapped scalar).

Component names are the message names (``EchoRequest``; a nested message ``EchoRequest_Nested``),
or the fully-qualified name when two packages define the same one; each schema's ``title`` is
the fully-qualified protobuf name, and each property's ``title`` the field's protobuf name.
As with any pydantic type, a recursive message used by both a request and a response is
described twice (``X-Input``, ``X-Output``) unless the app sets
``separate_input_output_schemas=False``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message
from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic.json_schema import WithJsonSchema
from pydantic_core import CoreSchema
from pydantic_core import core_schema as cs

JSONSchema = dict[str, Any]

_INT64 = {"type": "string", "format": "int64", "pattern": r"^-?[0-9]+$"}
_UINT64 = {"type": "string", "format": "uint64", "pattern": r"^[0-9]+$"}
_INT32 = {"type": "integer", "format": "int32"}
_UINT32 = {"type": "integer", "format": "uint32", "minimum": 0}
_DOUBLE = {"type": "number", "format": "double"}
_FLOAT = {"type": "number", "format": "float"}
_BYTES = {"type": "string", "format": "byte", "contentEncoding": "base64"}

_SCALARS: Mapping[int, JSONSchema] = {
    FieldDescriptor.TYPE_DOUBLE: _DOUBLE,
    FieldDescriptor.TYPE_FLOAT: _FLOAT,
    FieldDescriptor.TYPE_INT64: _INT64,
    FieldDescriptor.TYPE_SINT64: _INT64,
    FieldDescriptor.TYPE_SFIXED64: _INT64,
    FieldDescriptor.TYPE_UINT64: _UINT64,
    FieldDescriptor.TYPE_FIXED64: _UINT64,
    FieldDescriptor.TYPE_INT32: _INT32,
    FieldDescriptor.TYPE_SINT32: _INT32,
    FieldDescriptor.TYPE_SFIXED32: _INT32,
    FieldDescriptor.TYPE_UINT32: _UINT32,
    FieldDescriptor.TYPE_FIXED32: _UINT32,
    FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    FieldDescriptor.TYPE_STRING: {"type": "string"},
    FieldDescriptor.TYPE_BYTES: _BYTES,
}

_WELL_KNOWN: Mapping[str, JSONSchema] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {
        "type": "string",
        "pattern": r"^-?[0-9]+(\.[0-9]{1,9})?s$",
        "examples": ["1.5s"],
    },
    "google.protobuf.FieldMask": {
        "type": "string",
        "description": "Comma-separated field paths in lowerCamelCase.",
    },
    "google.protobuf.Any": {
        "type": "object",
        "properties": {"@type": {"type": "string"}},
        "required": ["@type"],
        "additionalProperties": True,
    },
    "google.protobuf.Struct": {"type": "object", "additionalProperties": True},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array", "items": {}},
    "google.protobuf.Empty": {"type": "object"},
    "google.protobuf.DoubleValue": _DOUBLE,
    "google.protobuf.FloatValue": _FLOAT,
    "google.protobuf.Int64Value": _INT64,
    "google.protobuf.UInt64Value": _UINT64,
    "google.protobuf.Int32Value": _INT32,
    "google.protobuf.UInt32Value": _UINT32,
    "google.protobuf.BoolValue": {"type": "boolean"},
    "google.protobuf.StringValue": {"type": "string"},
    "google.protobuf.BytesValue": _BYTES,
}


def _ref(desc: Descriptor) -> str:
    """The core-schema reference of a message: its package, then its nested path with ``_``.

    pydantic names a component after what follows the last dot, so ``echo.v1.EchoRequest``
    gives ``EchoRequest`` and the nested ``echo.v1.EchoRequest.Nested`` gives
    ``EchoRequest_Nested`` (or the whole reference when two messages would share a name).
    """
    package = desc.file.package
    path = desc.full_name[len(package) + 1 :] if package else desc.full_name
    return f"{package}.{path.replace('.', '_')}" if package else path.replace(".", "_")


def _title(title: str) -> dict[str, Any]:
    """Core-schema metadata giving a schema its JSON ``title`` (pydantic's own key for it)."""
    return {"pydantic_js_updates": {"title": title}}


def _enum_schema(desc: EnumDescriptor) -> JSONSchema:
    if desc.full_name == "google.protobuf.NullValue":
        return {"type": "null"}
    return {"type": "string", "enum": [v.name for v in desc.values], "title": desc.full_name}


class _Builder:
    """Builds the core schema of one message and of every message it reaches."""

    def __init__(self, handler: GetCoreSchemaHandler) -> None:
        self.handler = handler
        self.definitions: dict[str, CoreSchema] = {}

    def leaf(self, schema: JSONSchema) -> CoreSchema:
        return self.handler.generate_schema(Annotated[Any, WithJsonSchema(dict(schema))])

    def message(self, desc: Descriptor) -> CoreSchema:
        wkt = _WELL_KNOWN.get(desc.full_name)
        if wkt is not None:
            return self.leaf(wkt)
        ref = _ref(desc)
        if ref not in self.definitions:
            self.definitions[ref] = cs.none_schema()  # placeholder: breaks recursion
            fields = {
                f.json_name: cs.typed_dict_field(
                    self.field(f), required=False, metadata=_title(f.name)
                )
                for f in desc.fields
            }
            self.definitions[ref] = cs.typed_dict_schema(
                fields, ref=ref, total=False, metadata=_title(desc.full_name)
            )
        return cs.definition_reference_schema(ref)

    def single(self, field: FieldDescriptor) -> CoreSchema:
        if field.message_type is not None:
            return self.message(field.message_type)
        if field.enum_type is not None:
            return self.leaf(_enum_schema(field.enum_type))
        return self.leaf(_SCALARS[field.type])

    def field(self, field: FieldDescriptor) -> CoreSchema:
        message_type = field.message_type
        if message_type is not None and message_type.GetOptions().map_entry:
            value = self.single(message_type.fields_by_name["value"])
            return cs.dict_schema(cs.str_schema(), value)
        if _is_repeated(field):
            return cs.list_schema(self.single(field))
        return self.single(field)


def _is_repeated(field: FieldDescriptor) -> bool:
    is_repeated = getattr(field, "is_repeated", None)  # protobuf >= 6
    if isinstance(is_repeated, bool):
        return is_repeated
    return bool(getattr(field, "label", None) == FieldDescriptor.LABEL_REPEATED)


def message_core_schema(desc: Descriptor, handler: GetCoreSchemaHandler) -> CoreSchema:
    """The core schema of message ``desc``, with definitions for every message it reaches."""
    builder = _Builder(handler)
    root = builder.message(desc)
    if not builder.definitions:
        return root
    return cs.definitions_schema(root, list(builder.definitions.values()))


_TYPES: dict[type[Message], type] = {}


def schema_type(message_type: type[Message]) -> type:
    """A stand-in type for ``message_type`` whose pydantic JSON schema is its proto3 JSON form.

    Only for describing bodies in OpenAPI; it is never used to validate anything.
    """
    found = _TYPES.get(message_type)
    if found is not None:
        return found
    desc: Descriptor = message_type.DESCRIPTOR  # type: ignore[assignment]

    def core_schema(cls: type, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return message_core_schema(desc, handler)

    made = type(
        desc.name,
        (),
        {
            "__doc__": f"The proto3 JSON form of ``{desc.full_name}``.",
            "__module__": __name__,
            "__get_pydantic_core_schema__": classmethod(core_schema),
        },
    )
    _TYPES[message_type] = made
    return made


ErrorCode = Literal[
    "canceled",
    "unknown",
    "invalid_argument",
    "deadline_exceeded",
    "not_found",
    "already_exists",
    "permission_denied",
    "resource_exhausted",
    "failed_precondition",
    "aborted",
    "out_of_range",
    "unimplemented",
    "internal",
    "unavailable",
    "data_loss",
    "unauthenticated",
]


class ConnectErrorDetail(BaseModel):
    """One error detail: a ``google.protobuf.Any`` in Connect's JSON form."""

    model_config = ConfigDict(title="ConnectErrorDetail")

    type: str = Field(description="Fully-qualified message name, e.g. google.rpc.RetryInfo.")
    value: str = Field(description="The serialized message, base64 without padding.")
    debug: Any = Field(default=None, description="The message as JSON, for humans.")


class ConnectError(BaseModel):
    """The JSON body of a failed unary Connect call (its HTTP status follows the code)."""

    model_config = ConfigDict(title="ConnectError")

    code: ErrorCode
    message: str | None = None
    details: list[ConnectErrorDetail] = Field(default_factory=list)
