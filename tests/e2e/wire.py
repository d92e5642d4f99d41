"""Raw Connect wire helpers for end-to-end tests: envelopes, requests, stream parsing.

Everything here works on bytes as they travel, so the tests check the protocol itself rather
than a client library's interpretation of it. Response bodies are read with ``iter_raw`` so
httpx never decompresses them behind the test's back.
"""

from __future__ import annotations

import base64
import gzip
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import brotli
import httpx
import zstandard
from echo.v1.echo_pb2 import EchoRequest, EchoResponse
from google.protobuf import json_format

ECHO = "/echo.v1.EchoService/"

COMPRESSORS = {
    "gzip": gzip.compress,
    "br": brotli.compress,
    "zstd": lambda data: zstandard.ZstdCompressor().compress(data),
}
DECOMPRESSORS = {
    "gzip": gzip.decompress,
    "br": brotli.decompress,
    "zstd": lambda data: zstandard.ZstdDecompressor().decompressobj().decompress(data),
}


def client_for(server: Any, timeout: float = 10.0) -> httpx.Client:
    """An httpx client speaking HTTP/1.1, or h2c prior knowledge to HTTP/2 servers."""
    if server.http2:
        return httpx.Client(base_url=server.url, http1=False, http2=True, timeout=timeout)
    return httpx.Client(base_url=server.url, timeout=timeout)


def envelope(data: bytes, flags: int = 0) -> bytes:
    """Frame ``data`` in a Connect envelope."""
    return bytes([flags]) + len(data).to_bytes(4, "big") + data


def split_envelopes(raw: bytes) -> list[tuple[int, bytes]]:
    """Split a whole stream body into envelopes; fail on trailing garbage."""
    out = []
    pos = 0
    while pos < len(raw):
        assert len(raw) - pos >= 5, f"truncated envelope header at {pos}: {raw[pos:]!r}"
        flags = raw[pos]
        size = int.from_bytes(raw[pos + 1 : pos + 5], "big")
        data = raw[pos + 5 : pos + 5 + size]
        assert len(data) == size, f"truncated envelope at {pos}"
        out.append((flags, data))
        pos += 5 + size
    return out


def encode(msg: EchoRequest, codec: str) -> bytes:
    if codec == "proto":
        return msg.SerializeToString()
    return json_format.MessageToJson(msg).encode()


def decode(data: bytes, codec: str) -> EchoResponse:
    if codec == "proto":
        return EchoResponse.FromString(data)
    return json_format.Parse(data.decode(), EchoResponse())


@dataclass
class Unary:
    """A unary response as received."""

    status: int
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def message(self, codec: str = "proto") -> EchoResponse:
        assert self.status == 200, (self.status, self.body)
        return decode(self.body, codec)


@dataclass
class Stream:
    """A streaming response as received, split into messages and the end-of-stream JSON."""

    status: int
    headers: httpx.Headers
    raw: bytes
    frames: list[tuple[int, bytes]] = field(default_factory=list)
    codec: str = "proto"

    @property
    def end(self) -> dict[str, Any]:
        """The end-of-stream message, decoded (must be the last frame, flag 0x02)."""
        assert self.frames, "empty stream body"
        flags, data = self.frames[-1]
        assert flags & 0x02, f"last frame is not end-of-stream: flags={flags}"
        if flags & 0x01:
            data = DECOMPRESSORS[self.headers["connect-content-encoding"]](data)
        return json.loads(data)  # type: ignore[no-any-return]

    @property
    def error(self) -> dict[str, Any] | None:
        return self.end.get("error")

    def messages(self) -> list[EchoResponse]:
        out = []
        for flags, data in self.frames:
            if flags & 0x02:
                continue
            if flags & 0x01:
                data = DECOMPRESSORS[self.headers["connect-content-encoding"]](data)
            out.append(decode(data, self.codec))
        for flags, _ in self.frames[:-1]:
            assert not flags & 0x02, "end-of-stream message before the last frame"
        return out


def post_unary(
    client: httpx.Client,
    method: str,
    body: bytes | Iterable[bytes],
    content_type: str = "application/proto",
    headers: dict[str, str] | None = None,
    http_method: str = "POST",
) -> Unary:
    """Send a raw unary request (``accept-encoding: identity`` unless overridden)."""
    hdrs = {"content-type": content_type, "accept-encoding": "identity"}
    hdrs.update(headers or {})
    path = method if method.startswith("/") else ECHO + method
    with client.stream(http_method, path, content=body, headers=hdrs) as r:
        raw = b"".join(r.iter_raw())
    return Unary(r.status_code, r.headers, raw)


def call_unary(
    client: httpx.Client,
    method: str,
    msg: EchoRequest,
    codec: str = "proto",
    headers: dict[str, str] | None = None,
) -> Unary:
    """Encode ``msg`` with ``codec`` and send it as a unary request."""
    return post_unary(client, method, encode(msg, codec), f"application/{codec}", headers)


def get_unary(
    client: httpx.Client, method: str, params: dict[str, str], headers: dict[str, str] | None = None
) -> Unary:
    """A unary GET with the given query parameters."""
    hdrs = {"accept-encoding": "identity"}
    hdrs.update(headers or {})
    with client.stream("GET", ECHO + method, params=params, headers=hdrs) as r:
        raw = b"".join(r.iter_raw())
    return Unary(r.status_code, r.headers, raw)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def post_stream(
    client: httpx.Client,
    method: str,
    body: bytes | Iterable[bytes],
    codec: str = "proto",
    headers: dict[str, str] | None = None,
    content_type: str | None = None,
) -> Stream:
    """Send a raw streaming request body and split the response into frames."""
    hdrs = {"content-type": content_type or f"application/connect+{codec}"}
    hdrs.update(headers or {})
    with client.stream("POST", ECHO + method, content=body, headers=hdrs) as r:
        raw = b"".join(r.iter_raw())
    s = Stream(r.status_code, r.headers, raw, codec=codec)
    if r.status_code == 200:
        s.frames = split_envelopes(raw)
    return s


def call_stream(
    client: httpx.Client,
    method: str,
    msgs: Iterable[EchoRequest],
    codec: str = "proto",
    headers: dict[str, str] | None = None,
    compression: str | None = None,
) -> Stream:
    """Envelope and send ``msgs`` (compressed with ``compression`` when given)."""
    body = b""
    hdrs = dict(headers or {})
    for m in msgs:
        data = encode(m, codec)
        if compression:
            body += envelope(COMPRESSORS[compression](data), 0x01)
        else:
            body += envelope(data)
    if compression:
        hdrs["connect-content-encoding"] = compression
    return post_stream(client, method, body, codec, hdrs)


def chunked(data: bytes, size: int) -> Iterator[bytes]:
    """Yield ``data`` in pieces of ``size`` bytes (forces a chunked/streamed request body)."""
    for i in range(0, len(data), size):
        yield data[i : i + size]


def active_count(client: httpx.Client, key: str) -> tuple[int, int]:
    """Ask the echo server how many Repeat streams for ``key`` run, and how many were abandoned."""
    r = call_unary(client, "Echo", EchoRequest(message=f"__active__:{key}")).message()
    return int(r.message), r.index


def wait_idle(server: Any, key: str, timeout: float) -> tuple[int, int]:
    """Poll the echo server until no stream or slow call for ``key`` runs (or ``timeout``
    passes): ``(running, abandoned)`` at that moment."""
    deadline = time.monotonic() + timeout
    with client_for(server) as client:
        while True:
            active, abandoned = active_count(client, key)
            if active == 0 or time.monotonic() > deadline:
                return active, abandoned
            time.sleep(0.05)


def wait_active(server: Any, key: str, timeout: float) -> int:
    """Poll the echo server until a stream or slow call for ``key`` runs (or ``timeout``
    passes): how many run at that moment."""
    deadline = time.monotonic() + timeout
    with client_for(server) as client:
        while True:
            active, _ = active_count(client, key)
            if active or time.monotonic() > deadline:
                return active
            time.sleep(0.05)
