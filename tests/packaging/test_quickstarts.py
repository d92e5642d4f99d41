"""The README's quickstarts, one per framework, from the built wheels, as a user runs them.

Each test follows its framework's sections of the README in a project folder outside the
repository (``user_project``): a fresh virtual environment made with ``python3 -m venv``, the
README's install line for the framework (pip, ``--find-links wheels``), code generated for the
README's proto with its ``connect-python-generate`` command, the README's files written as
they are, and each of its serve commands run as written (only the port differs), with the
README's ``client.py``, ``upload.py`` and ``buf curl`` transcripts run against the server and
their output compared with what the README shows. Beside those: the Troubleshooting
section's 404 messages (the framework's page, or the Connect error of Django's
``ConnectErrorPagesMiddleware``), the token-checking apps, the generated applications served
without a framework, ``runserver``'s limits, and bidi over HTTP/2 under granian, full duplex
under ASGI and half duplex under WSGI.
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import time
from collections.abc import Callable

import pytest
from quickstart import README, Block, on_port, quickstart_blocks, transcript
from userproject import UserProject

MakeProject = Callable[[str], UserProject]

SETUP = ("venv", "install", "generate", "startproject")
"""The steps that set a project up, run in the README's order with its files."""

WRONG_URL = """\
from chat.v1.chat_connect import ChatServiceClientSync
from chat.v1.chat_pb2 import SayRequest
from connect_core import ConnectError

with ChatServiceClientSync("http://127.0.0.1:{port}") as client:
    try:
        client.say(SayRequest(text="hi"))
    except ConnectError as error:
        print(error)
"""
"""A call with the base URL missing the service's ``/rpc``: the Troubleshooting section's
first mistake."""

RUNSERVER_CHECK = """\
from chat.v1.chat_connect import ChatServiceClientSync
from chat.v1.chat_pb2 import ListenRequest, SayRequest, UploadRequest
from connect_core import ConnectError

with ChatServiceClientSync("http://127.0.0.1:{port}/rpc") as client:
    print(client.say(SayRequest(text="hi")).text)
    print("|".join(m.text for m in client.listen(ListenRequest(text="hi", count=2))))
    try:
        client.upload([UploadRequest(line="one")])
    except ConnectError as error:
        print(error)
"""
"""What ``runserver`` serves: a unary call, a server stream, and the refusal of a client
stream (its server drops chunked request bodies)."""

AT_THE_ROOT = """\
from chat.v1.chat_connect import ChatServiceClientSync
from chat.v1.chat_pb2 import SayRequest

with ChatServiceClientSync("http://127.0.0.1:{port}") as client:
    print(client.say(SayRequest(text="at the root")).text)
"""
"""A call to a generated application served on its own: no prefix."""


def _troubleshooting_404() -> tuple[str, str]:
    """The Troubleshooting section's two 404 messages: the framework's page (a prefix, up to
    its ``...``) and the Connect error of the opt-ins (whole)."""
    text = README.read_text()
    section = text[text.index("## Troubleshooting") :]
    first, second = re.findall(r"\*\*`(unimplemented: [^`]*)`\*\*", section)[:2]
    page = " ".join(first.split())
    assert page.endswith("(its body: ...)"), page
    return page.removesuffix("...)"), " ".join(second.split())


def _start(project: UserProject, framework: str) -> dict[str, Block]:
    """The framework's quickstart up to its servers, in the README's order: a fresh virtual
    environment with the framework's install line, the generated code, the files written
    (``startproject`` first, for Django); the blocks of its quickstart."""
    blocks = quickstart_blocks(framework)
    for name, block in blocks.items():
        if block.is_file:
            project.write(block)
        elif name == "generate":
            assert not (project.folder / "gen").exists()
            project.run_step(block, timeout=120)
        elif name in SETUP:
            project.run_step(block)
    package = f"connect_{framework}"
    where = project.run(
        f".venv/bin/python -c 'import connect_core, {package}; "
        f"print(connect_core.__file__); print({package}.__file__)'"
    )
    for file in where.split():  # from the wheels, into the project's environment
        assert file.startswith(str(project.folder / ".venv")), where
    for suffix in ("_pb2.py", "_pb2.pyi", "_connect.py"):
        assert (project.folder / "gen" / "chat" / "v1" / f"chat{suffix}").is_file(), suffix
    return blocks


def _calls(project: UserProject, blocks: dict[str, Block]) -> None:
    """The README's client.py and upload.py against the running server, output as shown."""
    project.check_transcript(blocks["call"])
    project.check_transcript(blocks["call-upload"])


def _buf_curl(project: UserProject, blocks: dict[str, Block]) -> None:
    """The README's buf curl transcripts against a running HTTP/1.1 server: unary, server and
    client streams, the call without ``--schema``, and a bidi call's failure over HTTP/1.1."""
    if not (project.folder / ".venv" / "bin" / "buf").exists():
        project.run_step(blocks["buf-install"])
    project.check_transcript(blocks["buf-curl"])
    project.check_transcript(blocks["buf-curl-no-schema"])
    _bidi_over_http1(project, blocks["buf-curl-bidi-http1"])


BIDI_HTTP1_MESSAGES = (
    "http2: failed reading the frame payload: http2: frame too large, note that the frame "
    "header looked like an HTTP/1.1 header",
    "http2: client conn could not be established",
)
"""What buf curl says of a bidi call to an HTTP/1.1 server, whichever side of its race."""


def _bidi_over_http1(project: UserProject, block: Block) -> None:
    """buf curl's bidi call against an HTTP/1.1 server fails as the README shows: the code
    and the start of the message. Go's HTTP/2 client words the rest by a race (whether the
    server's HTTP/1.1 answer arrives before its own preface is written), as the README says."""
    ((command, shown),) = transcript(block)
    result = subprocess.run(
        ["bash", "-c", on_port(command, project.port)],
        cwd=project.folder,
        env=project.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0, result.stdout
    got = json.loads(result.stdout)
    assert got["code"] == json.loads(shown)["code"] == "unavailable", got
    assert got["message"].startswith("http2: "), got
    assert got["message"] in BIDI_HTTP1_MESSAGES, got


def _bidi_over_h2(project: UserProject, blocks: dict[str, Block], full_duplex: bool) -> None:
    """The framework's app under granian (HTTP/2 too), called by buf curl's bidi transcript,
    and the README's word on duplex: under ASGI an answer arrives while buf's input is still
    open; under WSGI none does before the input ends."""
    project.run_step(blocks["granian-install"])
    with project.serving(blocks["serve-h2"], "granian"):
        project.check_transcript(blocks["buf-curl-bidi"])
        project.check_transcript(blocks["call"])
        ((command, _),) = transcript(blocks["buf-curl-bidi"])
        _, buf = command.split(" | ", 1)  # the same call, its input written here by hand
        with subprocess.Popen(
            ["bash", "-c", on_port(buf, project.port)],
            cwd=project.folder,
            env=project.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        ) as process:
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(b'{"text": "one"}\n')
                process.stdin.flush()
                early = _read_for(process.stdout.fileno(), 15 if full_duplex else 2)
                process.stdin.close()
                rest = process.stdout.read().decode()
                assert process.wait(timeout=30) == 0, early + rest
            finally:
                if process.poll() is None:
                    process.kill()
        answer = '{\n  "text": "you said: one"\n}\n'
        if full_duplex:
            assert early == answer and rest == "", (early, rest)
        else:
            assert early == "" and rest == answer, (early, rest)


def _read_for(fd: int, seconds: float) -> str:
    """What arrives on ``fd`` within ``seconds``, up to the end of the first JSON object."""
    data = b""
    deadline = time.monotonic() + seconds
    while not data.endswith(b"}\n") and (left := deadline - time.monotonic()) > 0:
        if not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.decode()


@pytest.mark.timeout(420)
def test_fastapi_quickstart(user_project: MakeProject) -> None:
    project = user_project("chat-fastapi")
    blocks = _start(project, "fastapi")
    page_404, _ = _troubleshooting_404()

    with project.serving(blocks["serve"], "uvicorn"):
        _calls(project, blocks)
        _buf_curl(project, blocks)
        wrong = project.python(WRONG_URL.format(port=project.port))
        assert wrong.startswith(on_port(page_404, project.port) + '{"detail":"Not Found"}'), wrong

        # A plain install of connect-core (no extras) calls with its default transport.
        bare = project.folder / "bare"
        project.run(f"python3 -m venv {bare}")
        project.run(f"{bare}/bin/pip install --find-links wheels connect-core")
        check = (
            "import asyncio\n"
            "from chat.v1.chat_connect import ChatServiceClient, ChatServiceClientSync\n"
            "from chat.v1.chat_pb2 import SayRequest\n"
            f"URL = 'http://127.0.0.1:{project.port}/rpc'\n"
            "async def main():\n"
            "    async with ChatServiceClient(URL) as client:\n"
            "        print((await client.say(SayRequest(text='a'))).text)\n"
            "asyncio.run(main())\n"
            "with ChatServiceClientSync(URL) as client:\n"
            "    print(client.say(SayRequest(text='s')).text)\n"
            "import importlib.util\n"
            "print(importlib.util.find_spec('fastapi') is None)\n"
        )
        (project.folder / "bare_check.py").write_text(check)
        out = project.run(f"PYTHONPATH=gen {bare}/bin/python bare_check.py", timeout=60)
        assert out.splitlines() == ["you said: a", "you said: s", "True"], out

    with project.serving(blocks["serve-secure"], "uvicorn-secure"):
        project.check_transcript(blocks["buf-curl-auth"])

    with project.serving(blocks["serve-plain"], "uvicorn-plain"):
        at_root = project.python(AT_THE_ROOT.format(port=project.port))
        assert at_root == "you said: at the root\n", at_root

    _bidi_over_h2(project, blocks, full_duplex=True)


@pytest.mark.timeout(420)
def test_flask_quickstart(user_project: MakeProject) -> None:
    project = user_project("chat-flask")
    blocks = _start(project, "flask")
    page_404, _ = _troubleshooting_404()
    # Nothing of the other frameworks came with it.
    missing = project.run(
        ".venv/bin/python -c 'import importlib.util as u; "
        'print([m for m in ("fastapi", "django", "uvicorn") if u.find_spec(m)])\''
    )
    assert missing == "[]\n", missing

    with project.serving(blocks["serve"], "gunicorn"):
        _calls(project, blocks)
        _buf_curl(project, blocks)
        wrong = project.python(WRONG_URL.format(port=project.port))
        assert wrong.startswith(on_port(page_404, project.port) + "<!doctype html>"), wrong

    with project.serving(blocks["serve-dev"], "flask-run"):
        _calls(project, blocks)

    with project.serving(blocks["serve-secure"], "gunicorn-secure"):
        project.check_transcript(blocks["buf-curl-auth"])

    with project.serving(blocks["serve-plain"], "gunicorn-plain"):
        at_root = project.python(AT_THE_ROOT.format(port=project.port))
        assert at_root == "you said: at the root\n", at_root

    _bidi_over_h2(project, blocks, full_duplex=False)


@pytest.mark.timeout(420)
def test_django_quickstart(user_project: MakeProject) -> None:
    project = user_project("chat-django")
    blocks = _start(project, "django")
    _, connect_404 = _troubleshooting_404()

    checked = project.run("PYTHONPATH=gen .venv/bin/python manage.py check")
    assert checked == "System check identified no issues (0 silenced).\n", checked
    project.check_transcript(blocks["procedures"])

    for serve, name in (("serve", "gunicorn"), ("serve-asgi", "uvicorn")):
        with project.serving(blocks[serve], name):
            _calls(project, blocks)
            _buf_curl(project, blocks)
            # The quickstart's ConnectErrorPagesMiddleware answers outside every procedure.
            wrong = project.python(WRONG_URL.format(port=project.port))
            assert wrong == connect_404 + "\n", wrong

    # runserver: unary calls and server streams only, as the README says; a streamed request
    # body, which its wsgiref server drops, is refused with unimplemented, never run empty.
    with project.serving(blocks["serve-dev"], "runserver"):
        out = project.python(RUNSERVER_CHECK.format(port=project.port))
        assert out.splitlines() == [
            "you said: hi",
            "hi #1|hi #2",
            "unimplemented: this server (the standard library's wsgiref, which Django's "
            "runserver runs on) cannot read a chunked request body, which client and bidi "
            "streams send: serve the app with gunicorn, uvicorn or granian to call those "
            "methods (unary calls and server streams work here)",
        ], out

    _bidi_over_h2(project, blocks, full_duplex=True)
