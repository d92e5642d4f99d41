"""``connect-python-generate``: generate every module of a set of proto files in one step.

::

    connect-python-generate proto --out gen

compiles every ``.proto`` file under ``proto`` (the include root: a file
``proto/greet/v1/greet.proto`` is imported as ``greet/v1/greet.proto``) with
``grpc_tools.protoc`` into ``gen/greet/v1/greet_pb2.py`` (messages), ``greet_pb2.pyi`` (their
types) and, through ``protoc-gen-connect-python``, ``greet_connect.py`` (services, clients,
ASGI and WSGI applications). The output folder is created when missing. Nothing is
downloaded: ``grpcio-tools`` (``pip install "connect-core[generate]"``) carries protoc and the
well-known types.

Arguments are include roots (every ``.proto`` file below one is compiled) or single
``.proto`` files (compiled against the include root they are under, given as another argument
or with ``-I``, else against their own folder).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import stat
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["GenerateError", "generate", "main", "plugin_command"]

PLUGIN = "protoc-gen-connect-python"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_connect.py")
INSTALL_HINT = 'install it with: pip install "connect-core[generate]"'


class GenerateError(Exception):
    """Code generation cannot run or failed; the message says why and what to do."""


def _has_grpc_tools() -> bool:
    return importlib.util.find_spec("grpc_tools") is not None


def plugin_command(workdir: Path) -> Path:
    """The ``protoc-gen-connect-python`` executable protoc runs.

    The console script installed beside this Python when there is one, else a wrapper script
    written into ``workdir`` that runs the plugin module with this Python.
    """
    suffix = ".exe" if os.name == "nt" else ""
    installed = Path(sys.executable).parent / (PLUGIN + suffix)
    if installed.exists():
        return installed
    if os.name == "nt":
        wrapper = workdir / f"{PLUGIN}.cmd"
        wrapper.write_text(f'@"{sys.executable}" -m connect_core._codegen.plugin %*\r\n')
    else:
        wrapper = workdir / PLUGIN
        wrapper.write_text(
            f'#!/bin/sh\nexec "{sys.executable}" -m connect_core._codegen.plugin "$@"\n'
        )
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper


def _sources(paths: Sequence[Path], includes: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """The include roots and the proto files to compile, relative to their root."""
    roots: list[Path] = [path.resolve() for path in includes]
    for path in paths:
        if not path.exists():
            raise GenerateError(f"{path} does not exist: name a folder of .proto files or one")
        if path.is_dir() and path.resolve() not in roots:
            roots.append(path.resolve())
    for root in roots:
        if not root.is_dir():
            raise GenerateError(f"include root {root} is not a folder")
    files: list[str] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p.relative_to(path).as_posix() for p in path.rglob("*.proto"))
            if not found:
                raise GenerateError(f"no .proto files under {path}")
            files.extend(found)
            continue
        if path.suffix != ".proto":
            raise GenerateError(f"{path} is not a .proto file")
        resolved = path.resolve()
        under = [root for root in roots if resolved.is_relative_to(root)]
        if not under:
            under = [resolved.parent]
            roots.append(resolved.parent)
        files.append(resolved.relative_to(under[0]).as_posix())
    return roots, list(dict.fromkeys(files))


def _snapshot(out: Path) -> dict[Path, int]:
    return {
        p: p.stat().st_mtime_ns
        for p in out.rglob("*")
        if p.is_file() and p.name.endswith(GENERATED_SUFFIXES)
    }


def generate(
    paths: Sequence[Path | str],
    out: Path | str,
    *,
    includes: Sequence[Path | str] = (),
    pyi: bool = True,
) -> list[Path]:
    """Compile ``paths`` (include roots or ``.proto`` files) into ``out``; return the files
    written.

    Raises:
        GenerateError: grpcio-tools is missing, an argument names nothing to compile, or
            protoc failed (the message carries protoc's own).
    """
    if not _has_grpc_tools():
        raise GenerateError(
            f"connect-python-generate runs grpcio-tools, which is missing: {INSTALL_HINT}"
        )
    if not paths:
        raise GenerateError("name a folder of .proto files (or .proto files) to compile")
    roots, files = _sources([Path(p) for p in paths], [Path(p) for p in includes])
    out_dir = Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise GenerateError(f"--out {out_dir} is a file, not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    before = _snapshot(out_dir)
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable,
            "-m",
            "grpc_tools.protoc",  # adds the well-known types' include path itself
            *(f"--proto_path={root}" for root in roots),
            f"--plugin={PLUGIN}={plugin_command(Path(tmp))}",
            f"--python_out={out_dir}",
            *([f"--pyi_out={out_dir}"] if pyi else []),
            f"--connect-python_out={out_dir}",
            *files,
        ]
        result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        message = result.stderr.strip() or result.stdout.strip() or f"exit {result.returncode}"
        raise GenerateError(f"protoc failed:\n{message}")
    after = _snapshot(out_dir)
    return sorted(p for p, mtime in after.items() if before.get(p) != mtime)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="connect-python-generate",
        description=(
            "Generate the Python modules of proto files: *_pb2.py, *_pb2.pyi and *_connect.py "
            "(Connect services, clients, ASGI and WSGI applications)."
        ),
        epilog="Example: connect-python-generate proto --out gen",
    )
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PROTO",
        help="a folder of .proto files (the include root: every file below it is compiled) "
        "or a .proto file",
    )
    parser.add_argument(
        "-o",
        "--out",
        type=Path,
        required=True,
        help="where to write the generated packages (created when missing)",
    )
    parser.add_argument(
        "-I",
        "--proto-path",
        dest="includes",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="another folder imports are resolved against (repeatable)",
    )
    parser.add_argument(
        "--no-pyi", dest="pyi", action="store_false", help="do not write *_pb2.pyi type stubs"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``connect-python-generate``; the exit status is 0 on success."""
    args = _parser().parse_args(argv)
    try:
        written = generate(args.paths, args.out, includes=args.includes, pyi=args.pyi)
    except GenerateError as e:
        print(f"connect-python-generate: error: {e}", file=sys.stderr)
        return 1
    if written:
        for path in written:
            print(path)
    else:
        print(f"connect-python-generate: protoc wrote nothing into {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
