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
