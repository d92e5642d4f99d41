"""The distributions as a user gets them: built wheels and sdists.

``built`` (``conftest.py``) builds every distribution of ``DISTRIBUTIONS`` with ``uv build``
(the sdist, then the wheel from it); the metadata test reads what a package index would show.
The README's quickstarts, installed from these wheels, are ``test_quickstarts.py``.

A new distribution joins with one line in ``DISTRIBUTIONS`` (``userproject.py``).
"""

from __future__ import annotations

import email.parser
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from quickstart import REPO, all_blocks, commands, quickstart_blocks
from userproject import DISTRIBUTIONS, Distribution, user_env

SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13")


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


# -- how the README builds them -------------------------------------------------------------


@pytest.mark.timeout(300)
def test_readme_builds_every_distribution_with_pip(tmp_path: Path, constraints: Path) -> None:
    """The README's ``python -m build`` alternative to ``uv build --all-packages``, run as
    written from the root of a copy of the checkout with ``build`` installed, writes the wheel
    and the sdist of every distribution into one ``wheels`` folder."""
    (block,) = [b for b in all_blocks() if b.name == "build-with-pip"]
    checkout = tmp_path / "checkout"
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
        timeout=60,
    )
    for name in listed.stdout.decode().split("\0"):
        if name and (REPO / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, checkout / name)
    shims = tmp_path / "shims"
    shims.mkdir()
    base = Path(getattr(sys, "_base_executable", sys.executable))
    (shims / "python3").symlink_to(base)
    env = user_env(shims, constraints)
    # "pip install build": into a virtual environment whose python the shell finds first.
    tools = tmp_path / "tools"
    subprocess.run([str(base), "-m", "venv", str(tools)], check=True, timeout=120)
    installed = subprocess.run(
        [str(tools / "bin" / "pip"), "install", "--quiet", "build"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert installed.returncode == 0, installed.stderr
    env["PATH"] = os.pathsep.join([str(tools / "bin"), env["PATH"]])
    result = subprocess.run(  # the block is one shell loop: run it whole
        ["bash", "-ec", block.body],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, f"{block.body}\n{result.stdout}\n{result.stderr}"
    found = sorted(path.name for path in (checkout / "wheels").iterdir())
    for dist in DISTRIBUTIONS:
        for kind in ("-py3-none-any.whl", ".tar.gz"):
            assert [n for n in found if n.startswith(dist.file_stem) and n.endswith(kind)], found
    assert len(found) == 2 * len(DISTRIBUTIONS), found


def test_flask_readme_installs_as_the_quickstart_does() -> None:
    """connect-flask's own README gives the main README's Flask install line (the wheels
    found with ``--find-links wheels``), for any environment's pip."""
    text = (REPO / "integrations" / "flask" / "README.md").read_text()
    shown = re.findall(r"^pip install .*$", text, re.M)
    quickstart = commands(quickstart_blocks("flask")["install"])
    assert shown == [line.removeprefix(".venv/bin/") for line in quickstart], shown
