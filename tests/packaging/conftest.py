"""Fixtures of the packaging tests: the distributions built once, and users' project folders."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from quickstart import REPO
from userproject import DISTRIBUTIONS, EXPORT_ALL, UserProject, user_env, uv


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the wheel and the sdist of every distribution (built once a session)."""
    out = tmp_path_factory.mktemp("wheels")
    for dist in DISTRIBUTIONS:
        result = subprocess.run(
            [uv(), "build", "--package", dist.name, "--out-dir", str(out), "--quiet"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="session")
def constraints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pip constraints file: every third-party package at its version in ``uv.lock``."""
    path = tmp_path_factory.mktemp("constraints") / "constraints.txt"
    export = subprocess.run(
        [uv(), "export", "--frozen", "--no-hashes", "--no-header", "--no-annotate", *EXPORT_ALL],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert export.returncode == 0, export.stderr
    path.write_text(export.stdout)
    return path


@pytest.fixture
def user_project(tmp_path: Path, built: Path, constraints: Path) -> Callable[[str], UserProject]:
    """Make a project folder outside the repository, holding the built wheels, and its shell;
    each call makes another (``user_project("chat-project")``)."""
    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "python3").symlink_to(Path(getattr(sys, "_base_executable", sys.executable)))
    env = user_env(shims, constraints)

    def make(name: str) -> UserProject:
        folder = tmp_path / name
        folder.mkdir()
        shutil.copytree(built, folder / "wheels", ignore=shutil.ignore_patterns(".gitignore"))
        return UserProject(folder, env)

    return make
