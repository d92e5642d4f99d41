"""Run ``buf curl`` (the Go Connect client shipped in the buf-bin wheel) against a server."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TESTS_DIR = Path(__file__).resolve().parent.parent
PROTO_DIR = TESTS_DIR / "proto"
BUF = Path(sys.executable).parent / "buf"


@dataclass
class BufResult:
    returncode: int
    messages: list[dict[str, Any]]
    stderr: str

    @property
    def error(self) -> dict[str, Any]:
        """The Connect error buf printed on stderr (a JSON object)."""
        start = self.stderr.index("{")
        return json.loads(self.stderr[start:])  # type: ignore[no-any-return]

    @property
    def code_from_exit(self) -> int:
        """buf exits with the numeric error code shifted left by three bits."""
        assert self.returncode & 0b111 == 0, self.returncode
        return self.returncode >> 3


def parse_json_stream(text: str) -> list[dict[str, Any]]:
    decoder = json.JSONDecoder()
    out = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        obj, end = decoder.raw_decode(text, pos)
        out.append(obj)
        pos = end
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def buf_curl(
    server: Any,
    procedure: str,
    data: str | None = None,
    *,
    stdin: str | None = None,
    headers: dict[str, str] | None = None,
    http2: bool | None = None,
    extra: list[str] | None = None,
    timeout: float = 30,
) -> BufResult:
    """Call ``procedure`` (``pkg.Service/Method``) on ``server`` with the Connect protocol."""
    cmd = [str(BUF), "curl", "--schema", str(PROTO_DIR), "--protocol", "connect"]
    if http2 if http2 is not None else server.http2:
        cmd.append("--http2-prior-knowledge")
    for k, v in (headers or {}).items():
        cmd += ["-H", f"{k}: {v}"]
    cmd += extra or []
    if stdin is not None:
        cmd += ["-d", "@-"]
    elif data is not None:
        cmd += ["-d", data]
    cmd.append(f"{server.url}/{procedure}")
    proc = subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, timeout=timeout, cwd=TESTS_DIR
    )
    return BufResult(proc.returncode, parse_json_stream(proc.stdout), proc.stderr)


def check_compressed_response(server: Any, procedure: str) -> None:
    """buf accepts gzip: a large response to ``procedure`` (an echo of ``payload``) comes
    back compressed and decodes intact."""
    payload = bytes(range(256)) * 32
    data = json.dumps({"payload": base64.b64encode(payload).decode()})
    r = buf_curl(server, procedure, data, extra=["-v"])
    assert r.returncode == 0, r.stderr
    assert base64.b64decode(r.messages[0]["payload"]) == payload
    assert "content-encoding: gzip" in r.stderr.lower()


def check_server_stream(server: Any, procedure: str) -> None:
    """``procedure`` (the echo service's ``Repeat``) streams three messages back."""
    r = buf_curl(server, procedure, '{"message": "again", "count": 3}')
    assert r.returncode == 0, r.stderr
    assert [(m["message"], m.get("index", 0)) for m in r.messages] == [
        ("again", 0),
        ("again", 1),
        ("again", 2),
    ]
