"""Run connect-node's client (``tests/client/node/client.mjs``) against a server.

:func:`echo_es` prepares it once per session (``npm ci`` from the committed lock file, the
ES code of echo.proto generated with ``buf generate``), :func:`run_node_client` runs it and
:func:`expected` is what it prints when the server answers as the echo service should.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from client import node_setup
from client.node_setup import NODE_DIR


def echo_es() -> Path:
    """The echo service's generated ES code, ready for ``client.mjs`` (skips the test when
    node or npm is missing)."""
    return node_setup.echo_es(".echo-gen-client", "client")


def run_node_client(gen: Path, url: str, http2: bool) -> dict[str, Any]:
    """What ``client.mjs`` got from the echo service at ``url`` (HTTP/2 with prior
    knowledge when ``http2``, else HTTP/1.1)."""
    proc = subprocess.run(
        ["node", "client.mjs", str(gen), url, "2" if http2 else "1.1"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def expected(http2: bool) -> dict[str, Any]:
    """What ``client.mjs`` prints for the echo service (bidi calls over HTTP/2 only)."""
    out: dict[str, Any] = {"get": ["by get", "GET"]}
    for codec in ("proto", "json"):
        out[f"{codec}-unary"] = ["hi", "node"]
        out[f"{codec}-post"] = ["node", "POST", f"application/{codec}"]
        out[f"{codec}-server-stream"] = [0, 1, 2]
        out[f"{codec}-client-stream"] = ["a b c", 3]
        out[f"{codec}-error"] = [7, "nope"]  # permission_denied
        out[f"{codec}-stream-error"] = [9, ""]  # failed_precondition
        if http2:
            out[f"{codec}-bidi"] = ["x", "y"]
    return out
