"""The Django demo: the bookshelf project under gunicorn (WSGI), then uvicorn (ASGI).

Migrates a fresh SQLite database (in a temporary directory), creates the demo users, serves
the project with gunicorn and runs ``client.py`` against it (all four RPC kinds, Django auth
on AddBook, Django's errors as Connect's), then does the same under uvicorn with
``connect_django.asgi``'s handler, and stops each server.

    uv run --frozen python example_projects/django_project/demo.py
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "gen"), str(HERE)]

import client  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(db: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE / "gen"), str(HERE)]),
        "DJANGO_SETTINGS_MODULE": "bookshelf.settings",
        "BOOKSHELF_SQLITE": str(db),
    }


def manage(db: Path, *args: str) -> None:
    """Run ``manage.py`` with ``args`` against the demo database."""
    subprocess.run([sys.executable, "manage.py", *args], cwd=HERE, env=_env(db), check=True)


@contextmanager
def serve(command: list[str], db: Path, port: int) -> Iterator[str]:
    """Run a server until it accepts connections on ``port``; stop it after."""
    proc = subprocess.Popen(command, cwd=HERE, env=_env(db))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        time.sleep(0.5)  # gunicorn binds before its worker has imported the project
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def fresh_database(folder: str, name: str) -> Path:
    """A migrated SQLite database with the demo users."""
    db = Path(folder) / f"{name}.sqlite3"
    manage(db, "migrate", "--verbosity", "0")
    manage(db, "demo_users")
    return db


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bookshelf-") as tmp:
        db = fresh_database(tmp, "wsgi")
        port = _free_port()
        gunicorn = [
            sys.executable, "-m", "gunicorn", "bookshelf.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread", "--threads", "8",
            "--log-level", "warning",
        ]  # fmt: skip
        with serve(gunicorn, db, port) as url:
            print(f"== the bookshelf under gunicorn (WSGI) on {url}")
            client.main(url)
        db = fresh_database(tmp, "asgi")
        port = _free_port()
        uvicorn = [
            sys.executable, "-m", "uvicorn", "bookshelf.asgi:application",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        ]  # fmt: skip
        with serve(uvicorn, db, port) as url:
            print(f"== the bookshelf under uvicorn (ASGI, connect_django.asgi) on {url}")
            client.main(url)


if __name__ == "__main__":
    main()
