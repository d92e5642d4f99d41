"""The README's "Writing an adapter" example runs as written, against a minimal framework."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from servers.echo_service import SyncEcho

from connect_core._protocol.envelope import encode_envelope

README = Path(__file__).resolve().parents[2] / "README.md"


def _adapter() -> Any:
    text = README.read_text()
    section = text[text.index("## Writing an adapter") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    namespace: dict[str, Any] = {"Greeter": SyncEcho}
    exec(compile(code.group(1), str(README), "exec"), namespace)
    return namespace["view"]


@dataclass
class Request:
    """What the minimal framework of the example hands its view."""

    method: str
    path: str
    content_type: str
    body: bytes = b""
    query_string: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.headers = [("content-type", self.content_type), *self.headers]
        if self.body:
            self.headers.append(("content-length", str(len(self.body))))
        self.stream = io.BytesIO(self.body)


VIEW = _adapter()


def test_unary_call() -> None:
    body = EchoRequest(message="hi").SerializeToString()
    status, headers, chunks = VIEW(
        Request("POST", "/echo.v1.EchoService/Echo", "application/proto", body)
    )
    assert status == 200 and ("content-type", "application/proto") in headers
    assert EchoResponse.FromString(b"".join(chunks)).message == "hi"


def test_server_stream() -> None:
    body = encode_envelope(0, EchoRequest(message="m", count=3).SerializeToString())
    status, headers, chunks = VIEW(
        Request("POST", "/echo.v1.EchoService/Repeat", "application/connect+proto", body)
    )
    data = b"".join(chunks)
    assert status == 200 and ("content-type", "application/connect+proto") in headers
    sizes = []
    while data:
        size = int.from_bytes(data[1:5], "big")
        sizes.append(data[0])
        data = data[5 + size :]
    assert sizes == [0, 0, 0, 2]  # three messages, then the end of the stream


def test_refusals_and_unreadable_bodies() -> None:
    status, _, chunks = VIEW(Request("POST", "/echo.v1.EchoService/Nope", "application/proto"))
    assert status == 404 and json.loads(b"".join(chunks))["code"] == "unimplemented"
    status, _, _ = VIEW(Request("POST", "/echo.v1.EchoService/Echo", "text/plain", b"x"))
    assert status == 415
    short = Request("POST", "/echo.v1.EchoService/Echo", "application/proto", b"\x0a\x02hi")
    short.stream = io.BytesIO(b"\x0a")  # the body ends before its Content-Length
    status, _, chunks = VIEW(short)
    assert status == 400 and json.loads(b"".join(chunks))["code"] == "invalid_argument"
