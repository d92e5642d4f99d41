"""Regenerate every generated Python file in the repository.

For each (proto root, output directory) pair in ``TARGETS`` this compiles every ``.proto``
file under the root with ``connect-python-generate`` (``grpc_tools.protoc``) into ``*_pb2.py``,
``*_pb2.pyi`` and, through this repository's plugin ``protoc-gen-connect-python``,
``*_connect.py``.

Usage::

    uv run --frozen python scripts/generate.py           # rewrite the generated files
    uv run --frozen python scripts/generate.py --check   # only report drift (exit 1)

Generated files in an output directory that no proto file produces any more are deleted
(or, with ``--check``, reported).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# (proto root, output directory), relative to the repository root.
TARGETS: list[tuple[str, str]] = [
    ("tests/proto", "tests/gen"),
    ("bench/proto", "bench/gen"),
    ("example_projects/greet_demo/proto", "example_projects/greet_demo/gen"),
    ("example_projects/fastapi_app/proto", "example_projects/fastapi_app/gen"),
    ("example_projects/flask_app/proto", "example_projects/flask_app/gen"),
    ("example_projects/django_project/proto", "example_projects/django_project/gen"),
    ("conformance/proto", "conformance/gen"),
]

GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_connect.py")


def _generated_files(directory: Path) -> dict[str, bytes]:
    """The generated files below ``directory``, by path relative to it."""
    if not directory.is_dir():
        return {}
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.name.endswith(GENERATED_SUFFIXES)
    }


def _remove_empty_dirs(directory: Path, *, stop: Path) -> None:
    while directory != stop and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent


def compile_protos(proto_root: Path, out: Path) -> None:
    """Compile every proto file under ``proto_root`` into ``out`` with the
    ``connect-python-generate`` command installed beside this Python."""
    command = Path(sys.executable).parent / "connect-python-generate"
    result = subprocess.run(
        [str(command), str(proto_root), "--out", str(out)], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="generate into a temporary directory and fail if the committed files differ",
    )
    args = parser.parse_args(argv)

    drift: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for index, (proto_root, out_dir) in enumerate(TARGETS):
            scratch = workdir / f"out{index}"
            compile_protos(REPO / proto_root, scratch)
            fresh = _generated_files(scratch)
            target = REPO / out_dir
            current = _generated_files(target)
            for name in sorted(fresh.keys() | current.keys()):
                path = f"{out_dir}/{name}"
                if name not in current:
                    drift.append(f"missing: {path}")
                elif name not in fresh:
                    drift.append(f"stale:   {path}")
                elif fresh[name] != current[name]:
                    drift.append(f"differs: {path}")
                else:
                    continue
                if not args.check:
                    destination = target / name
                    if name in fresh:
                        destination.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(scratch / name, destination)
                    else:
                        destination.unlink()
                        _remove_empty_dirs(destination.parent, stop=target)

    if args.check:
        if drift:
            print("Generated files are out of date; run `python scripts/generate.py`:")
            print("\n".join(f"  {line}" for line in drift))
            return 1
        print("Generated files are up to date.")
    else:
        print("\n".join(drift) if drift else "Generated files were already up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
