"""The Flask example project's demo runs end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "example_projects" / "flask_app" / "demo.py"


@pytest.mark.timeout(90)
def test_demo_runs() -> None:
    proc = subprocess.run([sys.executable, str(DEMO)], capture_output=True, text=True, timeout=80)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for line in (
        "[unary AddNote]          #1: buy milk",
        "[client stream Import]   imported 2",
        "[unary GET ListNotes]    4 notes by ada",
        "[server stream Tail]     #2: book the train",
        "[server stream Tail]     #3: call the plumber",
        "[bidi ReviewNotes]       #1: 2 words",
        "[bidi ReviewNotes]       #99: no such note",
        "[error]                  invalid_argument: a note needs some text",
        "[refused]                unauthenticated: send a valid bearer token",
        "[plain Flask route]      /health: {'notes': 4, 'ok': True}",
    ):
        assert line in out, out
