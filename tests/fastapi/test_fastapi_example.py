"""The FastAPI example project's demo runs end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "example_projects" / "fastapi_app" / "demo.py"


@pytest.mark.timeout(90)
def test_demo_runs() -> None:
    proc = subprocess.run([sys.executable, str(DEMO)], capture_output=True, text=True, timeout=80)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for line in (
        "[unary AddTodo]",
        "[client stream Import]   imported 2",
        "[unary GET ListTodos]    4 todos",
        "[bidi CompleteTodos]     t4 done, 0 left",
        "[server stream Watch]    8 events",
        "wrong token -> unauthenticated",
        "documented: AddTodo, ListTodos",
    ):
        assert line in out, out


@pytest.mark.timeout(60)
def test_example_watch_disconnect_releases_the_subscription(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A watcher that goes away mid-stream leaves nothing subscribed to the lifespan store."""
    import httpx
    from fastapi_servers import start
    from fastapi_wire import envelopes, json_envelope, wait_until

    project = DEMO.parent
    server = start(
        "uvicorn",
        "server:app",
        tmp_path_factory.mktemp("example"),
        pythonpath=[project / "gen", project],
        cwd=project,
    )
    auth = {"authorization": "Bearer alice-token"}
    try:
        with httpx.Client(base_url=server.url, headers=auth, timeout=10) as http:
            r = http.post("/rpc/todo.v1.TodoService/AddTodo", json={"title": "t"})
            assert r.status_code == 200, r.text
            watchers = lambda: http.get("/healthz").json()["watchers"]  # noqa: E731
            with http.stream(
                "POST",
                "/rpc/todo.v1.TodoService/WatchTodos",
                content=json_envelope({}),
                headers={"content-type": "application/connect+json"},
            ) as stream:
                chunks = stream.iter_raw()  # keep it: a dropped iterator closes the stream
                first = next(chunks)
                assert envelopes(first)[0][0] == 0  # the existing todo, as a message
                assert watchers() == 1
            # Leaving the block closed the connection in the middle of the stream.
            assert wait_until(lambda: watchers() == 0), watchers()
    finally:
        server.stop()


@pytest.mark.timeout(60)
def test_example_watch_honours_max_events(tmp_path_factory: pytest.TempPathFactory) -> None:
    """``max_events`` ends the stream after that many events, the existing todos included
    (the proto: "End the stream after this many events")."""
    import httpx
    from fastapi_servers import start
    from fastapi_wire import envelopes, json_envelope

    project = DEMO.parent
    server = start(
        "uvicorn",
        "server:app",
        tmp_path_factory.mktemp("example-max-events"),
        pythonpath=[project / "gen", project],
        cwd=project,
    )
    auth = {"authorization": "Bearer bob-token"}
    try:
        with httpx.Client(base_url=server.url, headers=auth, timeout=10) as http:
            for title in ("a", "b", "c", "d", "e"):
                r = http.post("/rpc/todo.v1.TodoService/AddTodo", json={"title": title})
                assert r.status_code == 200, r.text
            for max_events in (1, 3, 5):
                r = http.post(
                    "/rpc/todo.v1.TodoService/WatchTodos",
                    content=json_envelope({"maxEvents": max_events}),
                    headers={"content-type": "application/connect+json"},
                )
                frames = envelopes(r.content)
                messages = [data for flags, data in frames if flags == 0]
                assert len(messages) == max_events, frames
                assert frames[-1] == (2, b"{}")  # then the stream ends, without an error
    finally:
        server.stop()


def test_example_readme_regenerates_the_committed_code(tmp_path: Path) -> None:
    """Both commands of the example's README, from its folder and from the repository root,
    write exactly the committed ``gen/``."""
    import os
    import re
    import shutil

    project = DEMO.parent
    repo = project.parents[1]
    readme = (project / "README.md").read_text()
    block = re.search(r"<!-- example: regenerate -->\n```bash\n(.*?)```", readme, re.S)
    assert block is not None
    lines = [line for line in block[1].splitlines() if line and not line.startswith("#")]
    assert len(lines) == 2, lines
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "the README's command runs uv"

    def generated(folder: Path) -> dict[str, bytes]:
        return {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix in (".py", ".pyi")
        }

    committed = generated(project / "gen")
    for cwd, line in zip((project, repo), lines, strict=True):
        out = tmp_path / cwd.name / "gen"
        assert line.startswith("uv run --frozen connect-python-generate "), line
        command = [uv, *line.split()[1:]]
        command[-1] = str(out)  # --out: the committed folder's place, here a fresh one
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert generated(out) == committed, line
