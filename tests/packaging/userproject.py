"""A user's project folder outside the repository, and the shell that runs the README in it.

A :class:`UserProject` holds a copy of the built wheels and runs commands with ``bash`` in an
environment like a user's shell: ``python3`` is the interpreter running the tests (its base
interpreter, not this repository's virtual environment), and pip's third-party versions are
pinned to ``uv.lock`` through ``PIP_CONSTRAINT``, so nothing but the pins differs from what a
user runs. It writes the README's files, runs its steps and transcripts, and starts its
servers on a free port in place of the README's.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from quickstart import REPO, Block, commands, on_port, transcript


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

# Every third-party package any distribution, extra or test may install, at its locked version.
EXPORT_ALL = ("--all-packages", "--all-extras", "--all-groups", "--no-emit-workspace")

_TIMESTAMP = re.compile(r'"at": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"')


def uv() -> str:
    """The uv executable that builds the distributions."""
    found = os.environ.get("UV") or shutil.which("uv")
    assert found, "uv builds the distributions: install it (pip install uv)"
    return found


def free_port() -> int:
    """A TCP port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def normalized(output: str) -> str:
    """``output`` with what changes from run to run (a reply's timestamp) made constant."""
    return _TIMESTAMP.sub('"at": "<timestamp>"', output.strip())


def user_env(shims: Path, constraints: Path) -> dict[str, str]:
    """The environment of a shell outside this repository's virtual environment."""
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


class UserProject:
    """A project folder outside the repository, with the wheels in ``wheels/``."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        """Use ``folder`` (created, the wheels copied in already) with the shell ``env``."""
        assert not folder.resolve().is_relative_to(REPO)
        self.folder = folder
        self.env = env
        self.port = free_port()
        """The port the README's servers listen on here, in place of the README's own."""

    def run(self, line: str, timeout: float = 240) -> str:
        """Run ``line`` with bash in the project's folder; its standard output."""
        result = subprocess.run(
            ["bash", "-c", on_port(line, self.port)],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"$ {line}\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def run_step(self, block: Block, timeout: float = 240) -> None:
        """Run each command line of a ``bash`` block."""
        for line in commands(block):
            self.run(line, timeout)

    def write(self, block: Block) -> Path:
        """Write a file block into the project (appended, for an ``append`` block)."""
        assert block.is_file, block
        path = self.folder / block.name
        path.parent.mkdir(parents=True, exist_ok=True)
        body = on_port(block.body, self.port)
        if block.append:
            assert path.is_file(), f"nothing to append to: {block.name}"
            body = path.read_text() + "\n" + body
        path.write_text(body)
        return path

    def check_transcript(self, block: Block, timeout: float = 60) -> None:
        """Run each command of a ``console`` block and compare its output (standard output and
        error) with the README's; a command whose shown output is an error must fail, and any
        other must succeed."""
        for command, expected in transcript(block):
            result = subprocess.run(
                ["bash", "-c", on_port(command, self.port)],
                cwd=self.folder,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=timeout,
            )
            want = normalized(on_port(expected, self.port))
            assert normalized(result.stdout) == want, f"$ {command}\n{result.stdout}"
            fails = want.startswith("Failure:") or '"code": ' in want
            assert (result.returncode != 0) == fails, f"$ {command}: exit {result.returncode}"

    @contextmanager
    def serving(self, block: Block, name: str) -> Iterator[Path]:
        """Run a ``bash`` block whose last line starts a server (the lines before it first),
        until the ``with`` block ends; yields the server's log."""
        *before, serve = commands(block)
        for line in before:
            self.run(line)
        log = self.folder / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                ["bash", "-c", on_port(serve, self.port)],
                cwd=self.folder,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_for_port(self.port, process, log)
            yield log
        finally:
            _stop(process)

    def python(self, code: str, timeout: float = 60) -> str:
        """Run ``code`` with the project's interpreter, the generated code on its path."""
        script = self.folder / "check.py"
        script.write_text(code)
        return self.run(f"PYTHONPATH=gen .venv/bin/python {script.name}", timeout)


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
    # Workers and reloader children of the session, if any outlived the server's own exit.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
