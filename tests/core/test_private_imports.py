"""Nothing outside ``connect_core`` imports a private ``connect_core._*`` module.

Adapters, the conformance programs, the example projects, the benchmarks and the tests of
public behaviour stand on the public API (``connect_core`` and ``connect_core.server``); only
the unit tests of the core's internals (``tests/core``, ``tests/codegen``) may reach inside.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECKED = ["integrations", "conformance", "example_projects", "bench", "scripts", "tests"]
INTERNAL_TESTS = {REPO / "tests" / "core", REPO / "tests" / "codegen"}


def _private_imports(path: Path) -> list[str]:
    """The private ``connect_core`` modules ``path`` imports, as ``line: module``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "connect_core" and any(p.startswith("_") for p in parts[1:]):
                found.append(f"{node.lineno}: {name}")
                break
    return found


def _sources() -> list[Path]:
    out = []
    for top in CHECKED:
        for path in sorted((REPO / top).rglob("*.py")):
            if any(p in INTERNAL_TESTS for p in path.parents):
                continue
            if "gen" in path.relative_to(REPO).parts or ".venv" in path.parts:
                continue
            out.append(path)
    return out


def test_the_check_sees_a_private_import(tmp_path: Path) -> None:
    bad = tmp_path / "adapter.py"
    bad.write_text(
        "from connect_core._asgi import serve\nimport connect_core.server._call\n"
        "from connect_core import _errors\nfrom connect_core.server import Service\n"
    )
    assert _private_imports(bad) == [
        "1: connect_core._asgi",
        "2: connect_core.server._call",
        "3: connect_core._errors",
    ]


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_private_core_import(path: Path) -> None:
    assert _private_imports(path) == [], (
        f"{path.relative_to(REPO)} imports private connect_core modules; use the public API "
        "(connect_core, connect_core.server) or export what it needs there"
    )
