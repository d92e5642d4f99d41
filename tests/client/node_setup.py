"""The connect-node side of the tests: npm packages and the echo service's ES code.

``node/`` holds a connect-node server (``server.mjs``) and client (``client.mjs``);
:func:`echo_es` installs their packages with ``npm ci`` from the committed lock file and
generates the echo service's ES code with ``buf generate`` and ``protoc-gen-es``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parent / "node"
REPO = NODE_DIR.parents[2]


def npm_ci() -> None:
    """``npm ci`` when ``node_modules`` does not match the committed lock file."""
    lock = (NODE_DIR / "package-lock.json").read_bytes()
    stamp = NODE_DIR / "node_modules" / ".lock-sha256"
    digest = hashlib.sha256(lock).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=NODE_DIR,
        check=True,
        capture_output=True,
        timeout=300,
    )
    stamp.write_text(digest)


def generate_es(out: Path) -> None:
    """Generate the ES code of echo.proto with ``buf generate`` and the local protoc-gen-es."""
    template = {
        "version": "v2",
        "plugins": [
            {
                "local": str(NODE_DIR / "node_modules" / ".bin" / "protoc-gen-es"),
                "out": str(out),
                "opt": ["target=js"],
            }
        ],
    }
    buf = Path(sys.executable).parent / "buf"
    subprocess.run(
        [
            str(buf if buf.exists() else "buf"),
            "generate",
            str(REPO / "tests" / "proto"),
            "--path",
            str(REPO / "tests" / "proto" / "echo" / "v1" / "echo.proto"),
            "--template",
            json.dumps(template),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def echo_es(name: str, what: str) -> Path:
    """The echo service's ES code, generated anew in ``node_modules/<name>`` (where it
    resolves ``@bufbuild/protobuf``), the packages installed; skips the test when node or
    npm is missing (``what`` names the connect-node part that needs them)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip(f"node and npm are needed for the connect-node {what}")
    npm_ci()
    out = NODE_DIR / "node_modules" / name
    shutil.rmtree(out, ignore_errors=True)
    generate_es(out)
    return out
