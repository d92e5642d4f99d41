"""The Django example project (``example_projects/django_project``) runs end to end, under
gunicorn and under uvicorn, and its ``manage.py check`` is clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2] / "example_projects" / "django_project"


@pytest.mark.timeout(150)
def test_demo_runs() -> None:
    proc = subprocess.run(
        [sys.executable, str(PROJECT / "demo.py")], capture_output=True, text=True, timeout=140
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    expected = (
        "[unary]         added #1 'Dune' by librarian (x-book-id: 1)",
        "[unary]         reader may not add: permission_denied (reader may not add books)",
        "[unary]         anonymous may not add: unauthenticated (log in to add books)",
        "[client stream] imported 3 books",
        "rolled back: 0 of its books kept",
        "[unary GET]     by Le Guin: The Left Hand of Darkness, The Dispossessed\n",
        "[server stream] titles with 'dune': Dune, Dune Messiah\n",
        "[bidi stream]   Dune: 4.00 stars after 3 ratings",
        "[bidi stream]   an unknown book: not_found (Http404 in the handler)",
    )
    for deployment in ("under gunicorn (WSGI)", "under uvicorn (ASGI"):
        assert deployment in out, out
        part = out.split(deployment, 1)[1].split("== ", 1)[0]
        for line in expected:
            assert line in part, out


def test_manage_py_check_is_clean(tmp_path: Path) -> None:
    env = {**os.environ, "BOOKSHELF_SQLITE": str(tmp_path / "db.sqlite3")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "connect_django" not in proc.stdout + proc.stderr
