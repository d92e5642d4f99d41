"""The distributions as a user gets them: built wheels and sdists, installed with pip.

``built`` builds every distribution of ``DISTRIBUTIONS`` with ``uv build`` (the sdist, then
the wheel from it). The metadata test reads what a package index would show. The quickstart
test follows the README's install, generate, serve and call sections in a project folder
outside the repository: a fresh virtual environment made with ``python -m venv``, the wheels
installed with pip (third-party versions pinned to ``uv.lock`` through ``PIP_CONSTRAINT``, so
nothing but the pins differs from what a user runs), code generated for the README's proto
with ``connect-python-generate``, the README's FastAPI ``server.py`` under uvicorn, and the
README's ``client.py`` calling it with the generated async and sync clients.

A new distribution (``connect-django``, ``connect-flask``) joins with one line in
``DISTRIBUTIONS``.
"""

from __future__ import annotations

import email.parser
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from quickstart import REPO, commands, quickstart_blocks


@dataclass(frozen=True)
class Distribution:
    """One distribution of the repository.

    Attributes:
        name: The distribution name, as ``pip install`` takes it.
        package: The import package its wheel holds.
        project: Its project folder, relative to the repository root.
    """

    name: str
    package: str
    project: str

    @property
    def file_stem(self) -> str:
        """The start of its wheel's and sdist's file names."""
        return self.name.replace("-", "_")


DISTRIBUTIONS = [
    Distribution("connect-core", "connect_core", "."),
    Distribution("connect-fastapi", "connect_fastapi", "integrations/fastapi"),
    Distribution("connect-flask", "connect_flask", "integrations/flask"),
    Distribution("connect-django", "connect_django", "integrations/django"),
]

SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13")

# Every third-party package any distribution, extra or test may install, at its locked version.
EXPORT_ALL = ("--all-packages", "--all-extras", "--all-groups", "--no-emit-workspace")


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv builds the distributions: install it (pip install uv)"
    return uv


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the wheel and the sdist of every distribution."""
    out = tmp_path_factory.mktemp("wheels")
    for dist in DISTRIBUTIONS:
        result = subprocess.run(
            [_uv(), "build", "--package", dist.name, "--out-dir", str(out), "--quiet"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return out


def _only(folder: Path, pattern: str) -> Path:
    (found,) = folder.glob(pattern)
    return found


# -- what an index shows --------------------------------------------------------------------


@pytest.mark.timeout(180)
@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: d.name)
def test_distribution_metadata(built: Path, dist: Distribution) -> None:
    wheel = _only(built, f"{dist.file_stem}-*-py3-none-any.whl")
    sdist = _only(built, f"{dist.file_stem}-*.tar.gz")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(zf.read(f"{info}/METADATA").decode())
        entry_points = (
            zf.read(f"{info}/entry_points.txt").decode()
            if f"{info}/entry_points.txt" in names
            else ""
        )
    # Its own package and nothing else (the core's wheel once carried connect_fastapi too).
    assert {n.split("/")[0] for n in names} == {dist.package, info}
    assert f"{dist.package}/py.typed" in names
    assert f"{info}/licenses/LICENSE" in names
    assert meta["Name"] == dist.name
    assert meta["Summary"] and len(meta["Summary"]) > 30
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["Description-Content-Type"] == "text/markdown"
    assert "Connect" in meta.get_payload()  # the README is the long description
    classifiers = meta.get_all("Classifier") or []
    for version in SUPPORTED_PYTHONS:
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert "Typing :: Typed" in classifiers
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert {"Homepage", "Source", "Issues", "Changelog"} <= urls.keys()
    assert all(u.startswith("https://") for u in urls.values())
    requires = meta.get_all("Requires-Dist") or []
    if dist.name == "connect-core":
        # The clients' default transport comes with a plain install.
        assert any(r.startswith("httpx") and "extra" not in r for r in requires), requires
        assert any(r.startswith("grpcio-tools") and "extra == 'generate'" in r for r in requires)
        extras = set(meta.get_all("Provides-Extra") or [])
        assert extras == {"brotli", "zstd", "httpx", "fast", "aiohttp", "h2", "generate"}
        assert "connect-python-generate = connect_core._codegen.generate:main" in entry_points
        assert "protoc-gen-connect-python = connect_core._codegen.plugin:main" in entry_points
    else:
        assert any(r.startswith("connect-core") for r in requires), requires
    with tarfile.open(sdist) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    assert {"pyproject.toml", "LICENSE", "README.md", f"{dist.package}/py.typed"} <= members
    assert not any(m.startswith(("tests/", "bench/", "integrations/")) for m in members)


# -- the README's quickstart, from the wheels ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _user_env(shims: Path, constraints: Path) -> dict[str, str]:
    """The environment of a shell outside this repository's virtual environment.

    ``python3`` is the interpreter running the tests (its base, not its virtual environment);
    pip's third-party versions are the lock file's.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT")
    }
    venv_bin = str(Path(sys.executable).parent)
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin]
    env["PATH"] = os.pathsep.join([str(shims), *path])
    env["PIP_CONSTRAINT"] = str(constraints)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.pop("PIP_FIND_LINKS", None)  # the README's own --find-links, nothing else
    return env


def _run(line: str, cwd: Path, env: dict[str, str], timeout: float = 240) -> str:
    result = subprocess.run(
        ["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"$ {line}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture
def user_project(tmp_path: Path, built: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A project folder outside the repository holding the built wheels, and its shell."""
    project = tmp_path / "chat-project"
    project.mkdir()
    assert not project.resolve().is_relative_to(REPO)
    shutil.copytree(built, project / "wheels", ignore=shutil.ignore_patterns(".gitignore"))
    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "python3").symlink_to(Path(getattr(sys, "_base_executable", sys.executable)))
    constraints = tmp_path / "constraints.txt"
    export = subprocess.run(
        [_uv(), "export", "--frozen", "--no-hashes", "--no-header", "--no-annotate", *EXPORT_ALL],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert export.returncode == 0, export.stderr
    constraints.write_text(export.stdout)
    yield project, _user_env(shims, constraints)


def _start(line: str, cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            ["bash", "-c", line],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the server did not listen on {port}:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.mark.timeout(420)
def test_readme_quickstart_from_wheels(user_project: tuple[Path, dict[str, str]]) -> None:
    project, env = user_project
    blocks = quickstart_blocks()
    steps = {"install", "generate", "serve", "call"}
    assert steps <= blocks.keys(), sorted(blocks)
    port = _free_port()
    for name, body in blocks.items():
        if name in steps or name == "buf.gen.yaml":
            continue
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body.replace(":8000", f":{port}"))

    # Install: a fresh virtual environment, pip, the wheels; nothing from the checkout.
    for line in commands(blocks["install"]):
        _run(line, project, env)
    python = project / ".venv" / "bin" / "python"
    where = _run(
        f"{python} -c 'import connect_core, connect_fastapi; "
        "print(connect_core.__file__); print(connect_fastapi.__file__)'",
        project,
        env,
    )
    for file in where.split():
        assert Path(file).is_relative_to(project / ".venv"), where

    # Generate: one command; the output folder does not exist yet.
    assert not (project / "gen").exists()
    for line in commands(blocks["generate"]):
        _run(line, project, env, timeout=120)
    for suffix in ("_pb2.py", "_pb2.pyi", "_connect.py"):
        assert (project / "gen" / "chat" / "v1" / f"chat{suffix}").is_file(), suffix

    # Serve: the README's server.py under uvicorn.
    (serve,) = commands(blocks["serve"])
    log = project / "server.log"
    server = _start(serve.replace("--port 8000", f"--port {port}"), project, env, log)
    try:
        _wait_for_port(port, server, log)
        # Call: the README's client.py, async and sync clients.
        (call,) = commands(blocks["call"])
        out = _run(call, project, env, timeout=60)
        assert out.splitlines() == [
            "async say: you said: hello",
            "async listen: tick #1",
            "async listen: tick #2",
            "async listen: tick #3",
            "sync say: you said: hi",
            "sync upload: 2 lines",
        ], out

        # A plain install of connect-core (no extras) calls with its default transport.
        bare = project / "bare"
        _run(f"python3 -m venv {bare}", project, env)
        _run(f"{bare}/bin/pip install --find-links wheels connect-core", project, env)
        check = (
            "import asyncio\n"
            "from chat.v1.chat_connect import ChatServiceClient, ChatServiceClientSync\n"
            "from chat.v1.chat_pb2 import SayRequest\n"
            f"URL = 'http://127.0.0.1:{port}/rpc'\n"
            "async def main():\n"
            "    async with ChatServiceClient(URL) as client:\n"
            "        print((await client.say(SayRequest(text='a'))).text)\n"
            "asyncio.run(main())\n"
            "with ChatServiceClientSync(URL) as client:\n"
            "    print(client.say(SayRequest(text='s')).text)\n"
            "import importlib.util\n"
            "print(importlib.util.find_spec('fastapi') is None)\n"
        )
        (project / "bare_check.py").write_text(check)
        out = _run(f"PYTHONPATH=gen {bare}/bin/python bare_check.py", project, env, timeout=60)
        assert out.splitlines() == ["you said: a", "you said: s", "True"], out
    finally:
        _stop(server)
