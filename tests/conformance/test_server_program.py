"""``python -m conformance.server`` driven without the official runner.

The server program is started as the runner starts it (a ``ServerCompatRequest`` on stdin,
a ``ServerCompatResponse`` back on stdout) on each framework and server, and a slice of the
suite's cases is driven through it with the project's sync client: response definitions,
the request echo, errors with details, every stream kind, GET, ``Unimplemented`` and the
message receive limit. A broken server program fails here even where the runner is absent.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from connect_core import Code, ConnectError, ResponseMetadata

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # the program's package lives at the repository root
    sys.path.insert(0, str(REPO))
importlib.import_module("conformance")

from connectrpc.conformance.v1 import (  # noqa: E402
    config_pb2,
    server_compat_pb2,
    service_pb2,
)
from connectrpc.conformance.v1.service_connect import ConformanceServiceClientSync  # noqa: E402

from conformance._wire import read_message, write_message  # noqa: E402

LIMIT = 64 * 1024
RequestInfo = service_pb2.ConformancePayload.RequestInfo


@pytest.fixture(
    scope="module",
    params=[
        ("asgi", "uvicorn", "async"),
        ("wsgi", "gunicorn", "sync"),
        ("fastapi", "uvicorn", "async"),
        ("fastapi", "uvicorn", "sync"),
        ("asgi", "hypercorn", "async"),
        ("asgi", "granian", "async"),
        ("wsgi", "granian", "sync"),
        ("asgi", "pyvoy", "async"),
        ("django-wsgi", "gunicorn", "sync"),
        ("django-asgi", "hypercorn", "async"),
        ("django-asgi", "granian", "async"),
    ],
    ids=lambda p: "-".join(p),
)
def client(request: pytest.FixtureRequest) -> Iterator[ConformanceServiceClientSync]:
    framework, server, service = request.param
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conformance.server",
            "--framework",
            framework,
            "--server",
            server,
            "--service",
            service,
        ],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        write_message(
            proc.stdin,
            server_compat_pb2.ServerCompatRequest(
                protocol=config_pb2.PROTOCOL_CONNECT,
                http_version=config_pb2.HTTP_VERSION_1,
                message_receive_limit=LIMIT,
            ),
        )
        proc.stdin.close()
        found = read_message(proc.stdout, server_compat_pb2.ServerCompatResponse)
        assert found is not None, "the server program wrote no ServerCompatResponse"
        assert found.host == "127.0.0.1" and found.port > 0 and not found.pem_cert
        with ConformanceServiceClientSync(f"http://{found.host}:{found.port}") as c:
            yield c
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _header(name: str, *values: str) -> service_pb2.Header:
    return service_pb2.Header(name=name, value=list(values))


def _echoed_headers(info: RequestInfo) -> dict[str, list[str]]:
    return {h.name: list(h.value) for h in info.request_headers}


def test_unary_follows_its_response_definition(client: ConformanceServiceClientSync) -> None:
    definition = service_pb2.UnaryResponseDefinition(
        response_headers=[_header("x-custom-header", "a", "b")],
        response_data=b"data",
        response_trailers=[_header("x-custom-trailer", "t")],
    )
    request = service_pb2.UnaryRequest(response_definition=definition, request_data=b"pad")
    with ResponseMetadata() as meta:
        reply = client.unary(request, headers={"x-test": "v"}, timeout_ms=30_000)
    assert reply.payload.data == b"data"
    info = reply.payload.request_info
    assert _echoed_headers(info)["x-test"] == ["v"]
    assert 0 < info.timeout_ms <= 30_000
    assert len(info.requests) == 1
    echoed = service_pb2.UnaryRequest()
    assert info.requests[0].Unpack(echoed) and echoed == request
    assert not info.HasField("connect_get_info")
    assert meta.headers().getall("x-custom-header") == ["a", "b"]
    assert meta.trailers().getall("x-custom-trailer") == ["t"]


def test_unary_without_definition_echoes_only(client: ConformanceServiceClientSync) -> None:
    reply = client.unary(service_pb2.UnaryRequest())
    assert reply.payload.data == b""
    assert len(reply.payload.request_info.requests) == 1


def test_error_carries_details_and_request_info(client: ConformanceServiceClientSync) -> None:
    detail = service_pb2.Header(name="detail")
    packed = service_pb2.Error().details.add()
    packed.Pack(detail)
    definition = service_pb2.UnaryResponseDefinition(
        error=service_pb2.Error(
            code=config_pb2.CODE_FAILED_PRECONDITION, message="no", details=[packed]
        ),
        response_trailers=[_header("x-custom-trailer", "t")],
    )
    with pytest.raises(ConnectError) as info:
        client.unary(service_pb2.UnaryRequest(response_definition=definition))
    error = info.value
    assert (error.code, error.message) == (Code.FAILED_PRECONDITION, "no")
    assert error.detail(service_pb2.Header) == detail
    assert error.detail(RequestInfo) is not None
    assert error.metadata["x-custom-trailer"] == ["t"]


def test_server_stream(client: ConformanceServiceClientSync) -> None:
    definition = service_pb2.StreamResponseDefinition(
        response_headers=[_header("x-custom-header", "h")],
        response_data=[b"one", b"two", b"three"],
        response_delay_ms=5,
        error=service_pb2.Error(code=config_pb2.CODE_RESOURCE_EXHAUSTED, message="done"),
    )
    replies = []
    with pytest.raises(ConnectError) as info:
        for reply in client.server_stream(
            service_pb2.ServerStreamRequest(response_definition=definition)
        ):
            replies.append(reply)
    assert [r.payload.data for r in replies] == [b"one", b"two", b"three"]
    assert replies[0].payload.HasField("request_info")
    assert not replies[1].payload.HasField("request_info")
    # Responses were sent, so the error carries no request info.
    assert info.value.code is Code.RESOURCE_EXHAUSTED
    assert info.value.detail(RequestInfo) is None


def test_client_stream_echoes_every_request(client: ConformanceServiceClientSync) -> None:
    definition = service_pb2.UnaryResponseDefinition(response_data=b"ok")
    requests = [
        service_pb2.ClientStreamRequest(response_definition=definition),
        service_pb2.ClientStreamRequest(request_data=b"second"),
    ]
    reply = client.client_stream(iter(requests))
    assert reply.payload.data == b"ok"
    assert len(reply.payload.request_info.requests) == 2


def test_half_duplex_bidi(client: ConformanceServiceClientSync) -> None:
    definition = service_pb2.StreamResponseDefinition(response_data=[b"a", b"b"])
    requests = [
        service_pb2.BidiStreamRequest(response_definition=definition),
        service_pb2.BidiStreamRequest(request_data=b"x"),
    ]
    replies = list(client.bidi_stream(iter(requests)))
    assert [r.payload.data for r in replies] == [b"a", b"b"]
    assert len(replies[0].payload.request_info.requests) == 2


def test_idempotent_unary_over_get(client: ConformanceServiceClientSync) -> None:
    definition = service_pb2.UnaryResponseDefinition(response_data=b"got")
    reply = client.idempotent_unary(
        service_pb2.IdempotentUnaryRequest(response_definition=definition), use_get=True
    )
    assert reply.payload.data == b"got"
    assert reply.payload.request_info.HasField("connect_get_info")


def test_unimplemented(client: ConformanceServiceClientSync) -> None:
    with pytest.raises(ConnectError) as info:
        client.unimplemented(service_pb2.UnimplementedRequest())
    assert info.value.code is Code.UNIMPLEMENTED


def test_message_receive_limit(client: ConformanceServiceClientSync) -> None:
    at_limit = service_pb2.UnaryRequest(request_data=b"x" * (LIMIT - 8))
    assert at_limit.ByteSize() <= LIMIT
    client.unary(at_limit)
    with pytest.raises(ConnectError) as info:
        client.unary(service_pb2.UnaryRequest(request_data=b"x" * LIMIT))
    assert info.value.code is Code.RESOURCE_EXHAUSTED
