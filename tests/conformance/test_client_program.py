"""``python -m conformance.client`` against a real server, without the official runner.

The server program's ``ConformanceService`` runs under uvicorn on 127.0.0.1; the client
program is started as a subprocess, fed hand-built ``ClientCompatRequest`` messages on stdin,
and its ``ClientCompatResponse`` messages are checked: payloads, metadata, errors with details,
deadlines and cancellation, in both modes.
"""

from __future__ import annotations

import importlib
import io
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from google.protobuf import any_pb2

REPO = Path(__file__).resolve().parents[2]
# The program's package lives at the repository root (this directory has no __init__.py, so
# it does not shadow it); importing it puts the suite's generated code on the path.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
importlib.import_module("conformance")

from connectrpc.conformance.v1 import (  # noqa: E402
    client_compat_pb2,
    config_pb2,
    service_pb2,
)
from connectrpc.conformance.v1.service_connect import (  # noqa: E402
    ConformanceServiceASGIApplication,
)

from conformance._service_async import ConformanceServer  # noqa: E402
from conformance._wire import read_message, write_message  # noqa: E402

DATA = b"test response"


@pytest.fixture(scope="module")
def client_conformance_server() -> Iterator[int]:
    """The service under uvicorn (HTTP/1.1) on a free port of 127.0.0.1, in a thread."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    app = ConformanceServiceASGIApplication(ConformanceServer())
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(10)


def _request(port: int, name: str, stream_type: int, message: Any, **fields: Any) -> Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    fields.setdefault("protocol", config_pb2.PROTOCOL_CONNECT)
    return client_compat_pb2.ClientCompatRequest(
        test_name=name,
        http_version=config_pb2.HTTP_VERSION_1,
        codec=config_pb2.CODEC_PROTO,
        compression=config_pb2.COMPRESSION_IDENTITY,
        host="127.0.0.1",
        port=port,
        stream_type=stream_type,
        request_messages=[packed],
        **fields,
    )


def _requests(port: int) -> list[Any]:
    unary = service_pb2.UnaryRequest(
        response_definition=service_pb2.UnaryResponseDefinition(
            response_headers=[service_pb2.Header(name="x-custom-header", value=["foo"])],
            response_data=DATA,
            response_trailers=[service_pb2.Header(name="x-custom-trailer", value=["bing"])],
        )
    )
    stream = service_pb2.ServerStreamRequest(
        response_definition=service_pb2.StreamResponseDefinition(
            response_headers=[service_pb2.Header(name="x-custom-header", value=["foo"])],
            response_data=[b"one", b"two"],
            response_trailers=[service_pb2.Header(name="x-custom-trailer", value=["bing"])],
        )
    )
    detail = any_pb2.Any()
    detail.Pack(service_pb2.Header(name="detail", value=["d"]))
    failing = service_pb2.UnaryRequest(
        response_definition=service_pb2.UnaryResponseDefinition(
            error=service_pb2.Error(
                code=config_pb2.CODE_RESOURCE_EXHAUSTED, message="too much", details=[detail]
            )
        )
    )
    slow = service_pb2.UnaryRequest(
        response_definition=service_pb2.UnaryResponseDefinition(
            response_data=DATA, response_delay_ms=2000
        )
    )
    slow_stream = service_pb2.ServerStreamRequest(
        response_definition=service_pb2.StreamResponseDefinition(
            response_data=[b"one", b"two"], response_delay_ms=2000
        )
    )
    UNARY = config_pb2.STREAM_TYPE_UNARY
    SERVER = config_pb2.STREAM_TYPE_SERVER_STREAM
    Cancel = client_compat_pb2.ClientCompatRequest.Cancel
    return [
        _request(
            port,
            "unary",
            UNARY,
            unary,
            request_headers=[service_pb2.Header(name="x-req", value=["1", "2"])],
        ),
        _request(port, "server-stream", SERVER, stream),
        _request(port, "error", UNARY, failing),
        _request(port, "timeout", UNARY, slow, timeout_ms=200),
        _request(port, "cancel-unary", UNARY, slow, cancel=Cancel(after_close_send_ms=50)),
        _request(port, "cancel-stream", SERVER, slow_stream, cancel=Cancel(after_close_send_ms=50)),
    ]


def _run(mode: str, transport: str, requests: list[Any]) -> dict[str, Any]:
    stdin = io.BytesIO()
    for request in requests:
        write_message(stdin, request)
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "conformance.client", "--mode", mode, "--transport", transport],
        input=stdin.getvalue(),
        capture_output=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    elapsed = time.monotonic() - start
    assert done.returncode == 0, done.stderr.decode()
    out = io.BytesIO(done.stdout)
    results: dict[str, Any] = {}
    while (response := read_message(out, client_compat_pb2.ClientCompatResponse)) is not None:
        results[response.test_name] = response
    # The calls ran side by side: the three slow ones (2 s answers) did not add up.
    assert elapsed < 10, f"{elapsed:.1f} s"
    return results


def _header(headers: Any, name: str) -> list[str]:
    return [v for h in headers if h.name == name for v in h.value]


@pytest.mark.parametrize(
    ("mode", "transport"),
    [("async", "httpx"), ("async", "httptools"), ("sync", "httptools"), ("sync", "http-client")],
)
def test_client_program(client_conformance_server: int, mode: str, transport: str) -> None:
    requests = _requests(client_conformance_server)
    results = _run(mode, transport, requests)
    assert sorted(results) == sorted(r.test_name for r in requests)
    for name, response in results.items():
        assert response.WhichOneof("result") == "response", (name, response)

    unary = results["unary"].response
    assert not unary.HasField("error")
    assert [p.data for p in unary.payloads] == [DATA]
    assert _header(unary.response_headers, "x-custom-header") == ["foo"]
    assert _header(unary.response_trailers, "x-custom-trailer") == ["bing"]
    # The server saw the request headers (both values of the repeated one).
    assert _header(unary.payloads[0].request_info.request_headers, "x-req") == ["1", "2"]

    stream = results["server-stream"].response
    assert not stream.HasField("error")
    assert [p.data for p in stream.payloads] == [b"one", b"two"]
    assert _header(stream.response_headers, "x-custom-header") == ["foo"]
    assert _header(stream.response_trailers, "x-custom-trailer") == ["bing"]

    error = results["error"].response.error
    assert (error.code, error.message) == (config_pb2.CODE_RESOURCE_EXHAUSTED, "too much")
    detail = service_pb2.Header()
    # The detail asked for, then the request info the service appends to every error.
    assert len(error.details) == 2 and error.details[0].Unpack(detail)
    assert error.details[1].Is(service_pb2.ConformancePayload.RequestInfo.DESCRIPTOR)
    assert (detail.name, list(detail.value)) == ("detail", ["d"])

    assert results["timeout"].response.error.code == config_pb2.CODE_DEADLINE_EXCEEDED
    assert results["cancel-unary"].response.error.code == config_pb2.CODE_CANCELED
    assert results["cancel-unary"].response.payloads == []
    assert results["cancel-stream"].response.error.code == config_pb2.CODE_CANCELED


def test_unsupported_request_is_reported(client_conformance_server: int) -> None:
    request = _request(
        client_conformance_server,
        "grpc",
        config_pb2.STREAM_TYPE_UNARY,
        service_pb2.UnaryRequest(),
        protocol=config_pb2.PROTOCOL_GRPC,
    )
    results = _run("async", "httpx", [request])
    assert results["grpc"].WhichOneof("result") == "error"
    assert "PROTOCOL_GRPC" in results["grpc"].error.message
