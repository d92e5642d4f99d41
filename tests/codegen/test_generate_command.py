"""``connect-python-generate`` and the README's ``buf.gen.yaml``: one step, offline.

Both run without network where the machine lets a process drop it (``unshare -rn``, a user
and network namespace with no interface but loopback), so a download would fail the test.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from connect_core._codegen import generate as generate_module

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COMMAND = BIN / "connect-python-generate"
TESTS_PROTO = REPO / "tests" / "proto"
TESTS_GEN = REPO / "tests" / "gen"

sys.path.insert(0, str(REPO / "tests" / "packaging"))
from quickstart import quickstart_blocks  # noqa: E402


def _offline() -> list[str]:
    """A command prefix that runs without network, when this machine allows it."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "-rn", "true"], capture_output=True)
    return [unshare, "-rn"] if probe.returncode == 0 else []


def _generated(folder: Path) -> dict[str, bytes]:
    """The generated files under ``folder`` by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name.endswith(("_pb2.py", "_pb2.pyi", "_connect.py"))
    }


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_offline(), str(COMMAND), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_one_command_writes_pb2_pyi_and_connect_into_a_new_folder(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "gen"  # does not exist yet
    result = _run([str(TESTS_PROTO), "--out", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    # Exactly what the repository's own generated code is (scripts/generate.py --check).
    assert _generated(out) == _generated(TESTS_GEN)
    listed = {Path(line).resolve() for line in result.stdout.split()}
    assert (out / "echo" / "v1" / "echo_connect.py").resolve() in listed


def test_a_single_file_against_an_include_root(tmp_path: Path) -> None:
    proto = TESTS_PROTO / "greet" / "v1" / "greet.proto"
    result = _run(["-I", str(TESTS_PROTO), str(proto), "-o", "gen", "--no-pyi"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(_generated(tmp_path / "gen")) == [
        "greet/v1/greet_connect.py",
        "greet/v1/greet_pb2.py",
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["missing", "--out", "gen"], "missing does not exist"),
        (["empty", "--out", "gen"], "no .proto files under empty"),
        (["notes.txt", "--out", "gen"], "notes.txt is not a .proto file"),
        (["proto", "--out", "notes.txt"], "--out notes.txt is a file, not a folder"),
        (["broken", "--out", "gen"], "bad/v1/bad.proto:3:9: Expected message name."),
    ],
    ids=["missing", "empty", "not-proto", "out-is-file", "syntax-error"],
)
def test_errors_say_what_went_wrong(tmp_path: Path, args: list[str], expected: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    shutil.copytree(TESTS_PROTO, tmp_path / "proto")
    bad = tmp_path / "broken" / "bad" / "v1"
    bad.mkdir(parents=True)
    (bad / "bad.proto").write_text('syntax = "proto3";\npackage bad.v1;\nmessage {\n')
    result = _run(args, tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("connect-python-generate: error: "), result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_without_grpcio_tools_the_error_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "grpc_tools" else real(name, *a),
    )
    with pytest.raises(generate_module.GenerateError) as info:
        generate_module.generate([TESTS_PROTO], tmp_path / "gen")
    assert 'pip install "connect-core[generate]"' in str(info.value)
    assert not (tmp_path / "gen").exists()


def test_readme_buf_gen_yaml_works_with_buf_bin_alone(tmp_path: Path) -> None:
    """The README's ``buf.gen.yaml`` with ``buf`` from the buf-bin wheel: no protoc, no
    remote plugin; the same modules as ``connect-python-generate``."""
    blocks = quickstart_blocks("fastapi")  # the proto and buf.gen.yaml are every framework's
    project = tmp_path / "project"
    (project / "proto" / "chat" / "v1").mkdir(parents=True)
    proto = blocks["proto/chat/v1/chat.proto"].body
    (project / "proto" / "chat" / "v1" / "chat.proto").write_text(proto)
    (project / "buf.gen.yaml").write_text(blocks["buf.gen.yaml"].body)
    (project / "buf.yaml").write_text("version: v2\nmodules:\n  - path: proto\n")
    readme = (REPO / "README.md").read_text()
    assert "printf 'version: v2\\nmodules:\\n  - path: proto\\n' > buf.yaml" in readme
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}/usr/bin{os.pathsep}/bin",  # no protoc of the system's
        "BUF_CACHE_DIR": str(tmp_path / "buf-cache"),
    }
    result = subprocess.run(
        [*_offline(), str(BIN / "buf"), "generate"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    by_buf = _generated(project / "gen")
    assert sorted(by_buf) == [
        "chat/v1/chat_connect.py",
        "chat/v1/chat_pb2.py",
        "chat/v1/chat_pb2.pyi",
    ]
    ours = _run([str(project / "proto"), "--out", str(tmp_path / "ours")], tmp_path)
    assert ours.returncode == 0, ours.stderr
    by_us = _generated(tmp_path / "ours")
    # buf's descriptors carry json_name, so only the _pb2.py bytes differ.
    for name in ("chat/v1/chat_connect.py", "chat/v1/chat_pb2.pyi"):
        assert by_buf[name] == by_us[name], name
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "from chat.v1 import chat_connect, chat_pb2\n"
            "assert chat_connect.CHAT_SERVICE_INFO.method('Say').input is chat_pb2.SayRequest\n"
            "print(chat_pb2.SayResponse(text='x').text)",
        ],
        env={**os.environ, "PYTHONPATH": str(project / "gen")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.stdout.strip() == "x", check.stderr
