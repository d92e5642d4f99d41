"""OpenAPI for ``ConnectRouter``: unary methods as JSON POST operations with proto3-JSON schemas."""

from __future__ import annotations

from typing import Any

import pytest
from connect_fastapi import ConnectRouter
from connect_fastapi._openapi import schema_type
from fastapi import FastAPI
from fastapi.testclient import TestClient
from google.protobuf import (
    descriptor_pb2,
    descriptor_pool,
    duration_pb2,
    field_mask_pb2,
    message_factory,
    struct_pb2,
    timestamp_pb2,
    wrappers_pb2,
)
from google.protobuf.message import Message
from servers.echo_service import AsyncEcho

from connect_core import MethodInfo, RequestContext, ServiceInfo, StreamType

ECHO = "/rpc/echo.v1.EchoService/"
REF = "#/components/schemas/"


@pytest.fixture(scope="module")
def echo_openapi() -> dict[str, Any]:
    app = FastAPI()
    app.include_router(ConnectRouter(AsyncEcho()), prefix="/rpc")
    return app.openapi()


def test_unary_methods_are_json_post_operations(echo_openapi: dict[str, Any]) -> None:
    paths = echo_openapi["paths"]
    assert set(paths) == {ECHO + "Echo", ECHO + "EchoPost"}  # streaming methods left out
    for name in ("Echo", "EchoPost"):
        assert set(paths[ECHO + name]) == {"post"}  # GET is described, not listed
        op = paths[ECHO + name]["post"]
        assert op["summary"] == name
        assert op["tags"] == ["echo.v1.EchoService"]
        assert op["operationId"] == f"rpc_echo_v1_EchoService_{name}"
        assert op["requestBody"] == {
            "content": {"application/json": {"schema": {"$ref": REF + "EchoRequest"}}},
            "required": True,
        }
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": REF + "EchoResponse"}
        err = op["responses"]["default"]["content"]["application/json"]["schema"]
        assert err == {"$ref": REF + "ConnectError"}
        assert "422" not in op["responses"]
    assert "GET" in paths[ECHO + "Echo"]["post"]["description"]
    assert "GET" not in paths[ECHO + "EchoPost"]["post"]["description"]


def test_echo_request_schema(echo_openapi: dict[str, Any]) -> None:
    schemas = echo_openapi["components"]["schemas"]
    req = schemas["EchoRequest"]
    assert req["type"] == "object"
    assert req["title"] == "echo.v1.EchoRequest"
    props = req["properties"]
    assert props["message"] == {"type": "string", "title": "message"}
    assert props["payload"]["type"] == "string" and props["payload"]["format"] == "byte"
    assert props["count"] == {"type": "integer", "format": "int32", "title": "count"}
    assert props["errorCode"]["title"] == "error_code"  # JSON names, proto names as titles
    assert props["responseHeaders"] == {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "title": "response_headers",
    }
    assert props["sentAt"] == {"type": "string", "format": "date-time", "title": "sent_at"}
    details = props["errorDetails"]
    assert details["type"] == "array"
    assert details["items"]["properties"] == {"@type": {"type": "string"}}
    assert details["items"]["required"] == ["@type"]
    assert props["nested"]["$ref"] == REF + "EchoRequest_Nested"
    assert set(props) == {
        "message",
        "payload",
        "count",
        "errorCode",
        "errorMessage",
        "delayMs",
        "responseHeaders",
        "responseTrailers",
        "sentAt",
        "errorDetails",
        "nested",
    }
    assert "required" not in req
    nested = schemas["EchoRequest_Nested"]
    assert nested["title"] == "echo.v1.EchoRequest.Nested"
    assert nested["properties"] == {"value": {"type": "string", "title": "value"}}


def test_echo_response_schema(echo_openapi: dict[str, Any]) -> None:
    props = echo_openapi["components"]["schemas"]["EchoResponse"]["properties"]
    assert props["timeoutMs"]["type"] == "string"  # int64 is a string in proto3 JSON
    assert props["timeoutMs"]["format"] == "int64"
    assert props["index"]["type"] == "integer"
    assert props["requestHeaders"]["additionalProperties"] == {"type": "string"}
    assert props["httpMethod"]["type"] == "string"


def test_connect_error_schema(echo_openapi: dict[str, Any]) -> None:
    err = echo_openapi["components"]["schemas"]["ConnectError"]
    assert err["required"] == ["code"]
    assert "unauthenticated" in err["properties"]["code"]["enum"]
    assert len(err["properties"]["code"]["enum"]) == 16


def test_left_out_of_schema() -> None:
    app = FastAPI()
    app.include_router(ConnectRouter(AsyncEcho(), include_in_schema=False), prefix="/a")
    app.include_router(ConnectRouter(AsyncEcho()), prefix="/b", include_in_schema=False)
    app.include_router(ConnectRouter(AsyncEcho()), prefix="/c")
    assert {p.split("/")[1] for p in app.openapi()["paths"]} == {"c"}
    with TestClient(app) as client:  # still served
        assert client.post("/a" + ECHO[4:] + "EchoPost", json={"message": "a"}).status_code == 200


def test_docs_and_try_it_out() -> None:
    app = FastAPI()
    app.include_router(ConnectRouter(AsyncEcho()), prefix="/rpc")
    with TestClient(app) as client:
        assert client.get("/docs").status_code == 200
        spec = client.get("/openapi.json").json()
        assert ECHO + "EchoPost" in spec["paths"]
        # What Swagger UI's "Try it out" sends: the JSON body and JSON accept header.
        r = client.post(
            ECHO + "EchoPost",
            json={"message": "tried", "count": 3, "sentAt": "2024-01-02T03:04:05Z"},
            headers={"accept": "application/json"},
        )
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert (body["message"], body["timeoutMs"]) == ("tried", "-1")


def test_protocol_header_documented_when_required() -> None:
    app = FastAPI()
    app.include_router(ConnectRouter(AsyncEcho(), require_protocol_header=True))
    op = app.openapi()["paths"]["/echo.v1.EchoService/EchoPost"]["post"]
    [param] = op["parameters"]
    assert (param["in"], param["name"], param["required"]) == (
        "header",
        "connect-protocol-version",
        False,
    )
    assert param["schema"]["default"] == "1"


# -- a recursive message with well-known types ----------------------------------------------


def _tree_classes() -> type[Message]:
    pool = descriptor_pool.DescriptorPool()
    for dep in (duration_pb2, struct_pb2, wrappers_pb2, field_mask_pb2, timestamp_pb2):
        pool.AddSerializedFile(dep.DESCRIPTOR.serialized_pb)
    f = descriptor_pb2.FileDescriptorProto(
        name="oapi/v1/tree.proto",
        package="oapi.v1",
        syntax="proto3",
        dependency=[
            "google/protobuf/duration.proto",
            "google/protobuf/struct.proto",
            "google/protobuf/wrappers.proto",
            "google/protobuf/field_mask.proto",
        ],
    )
    color = f.enum_type.add(name="Color")
    color.value.add(name="COLOR_UNSPECIFIED", number=0)
    color.value.add(name="RED", number=1)
    tree = f.message_type.add(name="Tree")
    entry = tree.nested_type.add(name="ByNameEntry")
    entry.options.map_entry = True
    FD = descriptor_pb2.FieldDescriptorProto
    entry.field.add(name="key", number=1, type=FD.TYPE_STRING, label=FD.LABEL_OPTIONAL)
    entry.field.add(
        name="value",
        number=2,
        type=FD.TYPE_MESSAGE,
        type_name=".oapi.v1.Tree",
        label=FD.LABEL_OPTIONAL,
    )
    fields = [
        ("name", FD.TYPE_STRING, None, FD.LABEL_OPTIONAL),
        ("children", FD.TYPE_MESSAGE, ".oapi.v1.Tree", FD.LABEL_REPEATED),
        ("parent", FD.TYPE_MESSAGE, ".oapi.v1.Tree", FD.LABEL_OPTIONAL),
        ("by_name", FD.TYPE_MESSAGE, ".oapi.v1.Tree.ByNameEntry", FD.LABEL_REPEATED),
        ("big", FD.TYPE_INT64, None, FD.LABEL_OPTIONAL),
        ("ubig", FD.TYPE_FIXED64, None, FD.LABEL_OPTIONAL),
        ("color", FD.TYPE_ENUM, ".oapi.v1.Color", FD.LABEL_OPTIONAL),
        ("ttl", FD.TYPE_MESSAGE, ".google.protobuf.Duration", FD.LABEL_OPTIONAL),
        ("attrs", FD.TYPE_MESSAGE, ".google.protobuf.Struct", FD.LABEL_OPTIONAL),
        ("extra", FD.TYPE_MESSAGE, ".google.protobuf.Value", FD.LABEL_OPTIONAL),
        ("maybe", FD.TYPE_MESSAGE, ".google.protobuf.Int64Value", FD.LABEL_OPTIONAL),
        ("mask", FD.TYPE_MESSAGE, ".google.protobuf.FieldMask", FD.LABEL_OPTIONAL),
        ("ratio", FD.TYPE_DOUBLE, None, FD.LABEL_OPTIONAL),
        ("flags", FD.TYPE_BOOL, None, FD.LABEL_REPEATED),
        ("u32", FD.TYPE_UINT32, None, FD.LABEL_OPTIONAL),
    ]
    for number, (name, kind, type_name, label) in enumerate(fields, start=1):
        field = tree.field.add(name=name, number=number, type=kind, label=label)
        if type_name:
            field.type_name = type_name
    pool.Add(f)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("oapi.v1.Tree"))


def test_recursive_message_and_well_known_types() -> None:
    tree_cls = _tree_classes()
    info = ServiceInfo(
        name="oapi.v1.TreeService",
        methods=(
            MethodInfo(
                name="Plant",
                python_name="plant",
                service_name="oapi.v1.TreeService",
                input=tree_cls,
                output=tree_cls,
                stream_type=StreamType.UNARY,
            ),
        ),
    )

    class Gardener:
        async def plant(self, request: Message, ctx: RequestContext) -> Message:
            return request

    # A recursive message used by both the request and the response comes out once per
    # direction in FastAPI's default mode (pydantic cannot tell the two apart) ...
    split = FastAPI()
    split.include_router(ConnectRouter(Gardener(), info=info))
    split_op = split.openapi()["paths"]["/oapi.v1.TreeService/Plant"]["post"]
    assert split_op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": REF + "Tree-Input"
    }
    assert split_op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": REF + "Tree-Output"
    }
    # ... and once with separate_input_output_schemas=False.
    app = FastAPI(separate_input_output_schemas=False)
    app.include_router(ConnectRouter(Gardener(), info=info))
    spec = app.openapi()
    op = spec["paths"]["/oapi.v1.TreeService/Plant"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {"$ref": REF + "Tree"}
    tree = spec["components"]["schemas"]["Tree"]
    props = tree["properties"]
    assert props["children"] == {
        "type": "array",
        "items": {"$ref": REF + "Tree"},
        "title": "children",
    }
    assert props["parent"] == {"$ref": REF + "Tree", "title": "parent"}
    assert props["byName"]["additionalProperties"] == {"$ref": REF + "Tree"}
    assert (props["big"]["type"], props["big"]["format"]) == ("string", "int64")
    assert (props["ubig"]["type"], props["ubig"]["format"]) == ("string", "uint64")
    assert props["color"]["enum"] == ["COLOR_UNSPECIFIED", "RED"]
    assert props["ttl"]["type"] == "string" and "pattern" in props["ttl"]
    assert props["attrs"] == {"type": "object", "additionalProperties": True, "title": "attrs"}
    assert props["extra"] == {"title": "extra"}  # any JSON value
    assert (props["maybe"]["type"], props["maybe"]["format"]) == ("string", "int64")
    assert props["mask"]["type"] == "string"
    assert props["ratio"]["type"] == "number"
    assert props["flags"]["items"] == {"type": "boolean"}
    assert props["u32"]["minimum"] == 0
    assert set(spec["components"]["schemas"]) == {"Tree", "ConnectError", "ConnectErrorDetail"}

    body = {
        "name": "root",
        "children": [{"name": "leaf"}],
        "parent": {"name": "p"},
        "byName": {"x": {"name": "x"}},
        "big": "9007199254740993",
        "color": "RED",
        "ttl": "1.500s",
        "attrs": {"a": 1},
        "extra": [1, "two"],
        "maybe": "7",
        "mask": "name,children",
        "ratio": 0.5,
        "flags": [True],
        "u32": 4,
    }
    with TestClient(app) as client:
        r = client.post("/oapi.v1.TreeService/Plant", json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["big"] == "9007199254740993" and got["children"] == [{"name": "leaf"}]
    assert set(got) <= set(props)  # the answer only uses names the schema documents


def test_schema_type_is_cached_and_named() -> None:
    from echo.v1.echo_pb2 import EchoRequest

    assert schema_type(EchoRequest) is schema_type(EchoRequest)
    assert schema_type(EchoRequest).__name__ == "EchoRequest"
